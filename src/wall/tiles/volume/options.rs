//! `kind = "volume"`: a brand's mentions a minute, by tone, with its spikes.

use crate::layout::tiles::{BrandRef, MAX_CHART_MINUTES, OptionReader, TileOptions, TileWindows};

#[derive(Debug, Clone, PartialEq)]
pub struct VolumeOptions {
    pub window_minutes: u32,
    pub brand: BrandRef,
}

impl TileOptions for VolumeOptions {
    const OPTIONS: &'static [&'static str] = &["window", "brand"];

    fn read(options: &mut OptionReader<'_>) -> Self {
        let default = options.context().default_chart_minutes;
        Self {
            window_minutes: options.window("window", default, MAX_CHART_MINUTES),
            brand: options.brand("brand"),
        }
    }

    fn windows(&self, _own: usize) -> TileWindows {
        TileWindows {
            chart: Some(self.window_minutes),
            ..TileWindows::default()
        }
    }
}
