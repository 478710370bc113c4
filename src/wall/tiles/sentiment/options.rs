//! `kind = "sentiment"`: each brand's split of positive, neutral and negative mentions.

use crate::layout::tiles::{MAX_SHARE_MINUTES, OptionReader, TileOptions, TileWindows};

#[derive(Debug, Clone, PartialEq)]
pub struct SentimentOptions {
    pub window_minutes: u32,
}

impl TileOptions for SentimentOptions {
    const OPTIONS: &'static [&'static str] = &["window"];

    fn read(options: &mut OptionReader<'_>) -> Self {
        Self {
            window_minutes: options.window("window", 60, MAX_SHARE_MINUTES),
        }
    }

    fn windows(&self, _own: usize) -> TileWindows {
        TileWindows {
            share: Some(self.window_minutes),
            ..TileWindows::default()
        }
    }
}
