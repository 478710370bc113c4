//! `kind = "topics"`: the thematic split of a brand's mentions, macro topics with their micro
//! topics.

use crate::layout::tiles::{BrandRef, MAX_SHARE_MINUTES, OptionReader, TileOptions, TileWindows};

#[derive(Debug, Clone, PartialEq)]
pub struct TopicsOptions {
    pub window_minutes: u32,
    pub brand: BrandRef,
}

impl TileOptions for TopicsOptions {
    const OPTIONS: &'static [&'static str] = &["window", "brand"];

    fn read(options: &mut OptionReader<'_>) -> Self {
        let default = options.context().default_share_minutes;
        Self {
            window_minutes: options.window("window", default, MAX_SHARE_MINUTES),
            brand: options.brand("brand"),
        }
    }

    fn windows(&self, _own: usize) -> TileWindows {
        TileWindows {
            share: Some(self.window_minutes),
            ..TileWindows::default()
        }
    }
}
