//! `kind = "sources"`: every source's state, freshness, rate and quota, and the platforms
//! nobody listens to.

use crate::layout::tiles::{OptionReader, TileOptions};

/// Rows a sources tile can show (a wall with more sources shows the troubled ones first).
pub const MAX_SOURCE_ROWS: usize = 16;

#[derive(Debug, Clone, PartialEq)]
pub struct SourcesOptions {
    pub rows: usize,
    /// Whether the platforms no source listens to are named under the rows.
    pub blind_spots: bool,
}

impl TileOptions for SourcesOptions {
    const OPTIONS: &'static [&'static str] = &["rows", "blind_spots"];

    fn read(options: &mut OptionReader<'_>) -> Self {
        let blind_spots = match options.get("blind_spots") {
            None => true,
            Some(toml::Value::Boolean(shown)) => *shown,
            Some(other) => {
                options.error(
                    Some("blind_spots"),
                    format!("blind_spots = {other}: write true or false"),
                );
                true
            }
        };
        Self {
            rows: options.count("rows", 8, MAX_SOURCE_ROWS),
            blind_spots,
        }
    }
}
