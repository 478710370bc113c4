//! `kind = "alerts"`: the active alerts, then the recently ended ones.

use crate::layout::tiles::{OptionReader, TileOptions};

#[derive(Debug, Clone, PartialEq)]
pub struct AlertsOptions {
    pub max: usize,
}

impl TileOptions for AlertsOptions {
    const OPTIONS: &'static [&'static str] = &["max"];

    fn read(options: &mut OptionReader<'_>) -> Self {
        Self {
            max: options.count("max", 5, 10),
        }
    }
}
