//! `kind = "status"`: each source's health and the history's, as a tile. Its widget is the
//! wall's status strip (`crate::wall::status`), whose systems the wall runs for every screen.

use bevy::prelude::*;

use crate::layout::tiles::{OptionReader, TileOptions};
use crate::wall::WallSettings;
use crate::wall::theme::WallFonts;

#[derive(Debug, Clone, PartialEq)]
pub struct StatusOptions;

impl TileOptions for StatusOptions {
    const OPTIONS: &'static [&'static str] = &[];

    fn read(_options: &mut OptionReader<'_>) -> Self {
        StatusOptions
    }
}

impl super::TileWidget for StatusOptions {
    fn widget(&self, fonts: &WallFonts, _settings: &WallSettings) -> impl Bundle {
        crate::wall::status::widget(fonts)
    }
}

/// The strip's systems are the wall's own.
pub fn plugin(_app: &mut App) {}
