//! `kind = "trending"`: a brand's most said terms and hashtags, with their rank change.

use crate::layout::tiles::{
    BrandRef, MAX_TRENDING_MINUTES, MAX_TRENDING_ROWS, OptionReader, TileOptions, TileWindows,
};

#[derive(Debug, Clone, PartialEq)]
pub struct TrendingOptions {
    pub window_minutes: u32,
    pub brand: BrandRef,
    pub rows: usize,
}

impl TileOptions for TrendingOptions {
    const OPTIONS: &'static [&'static str] = &["window", "brand", "rows"];

    fn read(options: &mut OptionReader<'_>) -> Self {
        Self {
            window_minutes: options.window("window", 60, MAX_TRENDING_MINUTES),
            brand: options.brand("brand"),
            rows: options.count("rows", 8, MAX_TRENDING_ROWS),
        }
    }

    fn windows(&self, own: usize) -> TileWindows {
        TileWindows {
            trending: Some((self.window_minutes, self.brand.index(own))),
            ..TileWindows::default()
        }
    }
}
