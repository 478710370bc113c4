//! `kind = "stream"`: the latest posts, as cards.

use crate::layout::tiles::{MAX_CARDS, OptionReader, TileOptions};

#[derive(Debug, Clone, PartialEq)]
pub struct StreamOptions {
    pub cards: usize,
    /// Empty: every brand.
    pub brands: Vec<usize>,
}

impl TileOptions for StreamOptions {
    const OPTIONS: &'static [&'static str] = &["cards", "brands"];

    fn read(options: &mut OptionReader<'_>) -> Self {
        Self {
            cards: options.count("cards", 6, MAX_CARDS),
            brands: options.brands("brands"),
        }
    }
}
