//! `kind = "message"`: a sentence in large type and the time, nothing else: what a lobby shows
//! when the room puts it in safety, and a welcome screen.

use crate::layout::tiles::{OptionReader, TileOptions};

#[derive(Debug, Clone, PartialEq, Default)]
pub struct MessageOptions {
    /// The sentence; the wall's title when absent.
    pub text: Option<String>,
    /// A smaller line under it; "Bienvenue" / "Welcome" when absent.
    pub subtitle: Option<String>,
}

impl TileOptions for MessageOptions {
    const OPTIONS: &'static [&'static str] = &["text", "subtitle"];

    fn read(options: &mut OptionReader<'_>) -> Self {
        Self {
            text: options.text("text"),
            subtitle: options.text("subtitle"),
        }
    }
}
