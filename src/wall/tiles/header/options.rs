//! `kind = "header"`: the wall's title, the clock and the main figures.

use crate::layout::tiles::{OptionReader, TileOptions};

#[derive(Debug, Clone, PartialEq, Default)]
pub struct HeaderOptions {
    /// Instead of `[wall] title`.
    pub title: Option<String>,
}

impl TileOptions for HeaderOptions {
    const OPTIONS: &'static [&'static str] = &["title"];

    fn read(options: &mut OptionReader<'_>) -> Self {
        Self {
            title: options.text("title"),
        }
    }
}
