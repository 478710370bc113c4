//! `kind = "influencers"`: a brand's most influential authors over a window.

use crate::layout::tiles::{
    BrandRef, MAX_INFLUENCER_MINUTES, OptionReader, TileOptions, TileWindows,
};

/// Rows an influencers tile can show.
pub const MAX_INFLUENCER_ROWS: usize = crate::analysis::influencers::LISTED;

#[derive(Debug, Clone, PartialEq)]
pub struct InfluencersOptions {
    pub window_minutes: u32,
    pub brand: BrandRef,
    pub rows: usize,
}

impl TileOptions for InfluencersOptions {
    const OPTIONS: &'static [&'static str] = &["window", "brand", "rows"];

    fn read(options: &mut OptionReader<'_>) -> Self {
        Self {
            window_minutes: options.window("window", 60, MAX_INFLUENCER_MINUTES),
            brand: options.brand("brand"),
            rows: options.count("rows", 6, MAX_INFLUENCER_ROWS),
        }
    }

    fn windows(&self, own: usize) -> TileWindows {
        TileWindows {
            influencers: Some((self.window_minutes, self.brand.index(own))),
            ..TileWindows::default()
        }
    }
}
