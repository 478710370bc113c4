//! `kind = "share_of_voice"` (or `"sov"`): each brand's share of the mentions, of their
//! engagement, or of the positive or negative ones, over a window; or of one platform's.

use toml::Value;

use crate::layout::tiles::{
    MAX_SHARE_MINUTES, OptionReader, SHARE_BASES, ShareBasis, TileOptions, TileWindows, hint,
};
use crate::model::Platform;

#[derive(Debug, Clone, PartialEq)]
pub struct ShareOfVoiceOptions {
    pub window_minutes: u32,
    /// What the share is measured on: mentions, engagement, positive or negative mentions.
    pub by: ShareBasis,
    /// Only the mentions of one platform (a share of volume).
    pub platform: Option<Platform>,
}

impl TileOptions for ShareOfVoiceOptions {
    const OPTIONS: &'static [&'static str] = &["window", "by", "platform"];

    fn read(options: &mut OptionReader<'_>) -> Self {
        let by = match options.get("by") {
            None => ShareBasis::Volume,
            Some(Value::String(name)) => match SHARE_BASES.iter().find(|(n, _)| n == name) {
                Some((_, basis)) => *basis,
                None => {
                    let names: Vec<&str> = SHARE_BASES.iter().map(|(n, _)| *n).collect();
                    options.error(
                        Some("by"),
                        format!(
                            "unknown basis '{name}'{}: use one of {}",
                            hint(name, &names),
                            names.join(", ")
                        ),
                    );
                    ShareBasis::Volume
                }
            },
            Some(_) => {
                options.error(Some("by"), "`by` must be a string");
                ShareBasis::Volume
            }
        };
        let platform = match options.platform("platform") {
            Some(_) if by != ShareBasis::Volume => {
                options.error(
                    Some("platform"),
                    "a share per platform is a share of mentions: leave `by` out or write \
                     `by = \"volume\"`",
                );
                None
            }
            platform => platform,
        };
        let default = options.context().default_share_minutes;
        Self {
            window_minutes: options.window("window", default, MAX_SHARE_MINUTES),
            by,
            platform,
        }
    }

    fn windows(&self, _own: usize) -> TileWindows {
        TileWindows {
            share: Some(self.window_minutes),
            ..TileWindows::default()
        }
    }
}
