//! Tile kinds, one folder each: its options as a layout file writes them (`options.rs`,
//! Bevy-free: `vigie check` and the layout's tests read them), the windows it asks of the
//! analysis, its widget (`widget`: a function returning the tile as one `impl Bundle`, its parts
//! as `children![]`, spawned once) and its plugin, whose systems change those entities when
//! `WallData` changes: entities are kept and updated, never despawned and respawned.
//! `tile_kinds!` below is the one list of kinds.

pub mod alerts;
pub mod header;
pub mod influencers;
pub mod kpi;
pub mod message;
pub mod sentiment;
pub mod share_of_voice;
pub mod sources;
pub mod status;
pub mod stream;
pub mod tone_bar;
pub mod topics;
pub mod trending;
pub mod volume;

use bevy::ecs::schedule::ScheduleConfigs;
use bevy::ecs::system::ScheduleSystem;
use std::collections::HashMap;

use bevy::prelude::*;
use toml::Value;

use super::WallSettings;
use super::theme::WallFonts;
use crate::layout::tiles::{OptionError, OptionReader, TileContext, TileOptions, TileWindows};

/// A tile kind's widget: the tile, with its parts as children, from its options.
pub trait TileWidget {
    fn widget(&self, fonts: &WallFonts, settings: &WallSettings) -> impl Bundle;
}

/// Every tile kind: its variant, its `kind` in a layout file, its folder and its options type.
/// Adding a kind is its folder and one line here.
macro_rules! tile_kinds {
    ($($variant:ident = $kind:literal ($module:ident :: $options:ident)),* $(,)?) => {
        /// One tile and its options, resolved against the config (windows in minutes, brands
        /// as indices).
        #[derive(Debug, Clone, PartialEq)]
        pub enum TileSpec {
            $($variant($module::$options)),*
        }

        /// Every kind with the options it takes (besides `kind`), in the order the errors list
        /// them.
        pub const KINDS: &[(&str, &[&str])] = &[
            $(($kind, <$module::$options as TileOptions>::OPTIONS)),*
        ];

        impl TileSpec {
            pub fn kind(&self) -> &'static str {
                match self {
                    $(TileSpec::$variant(_) => $kind),*
                }
            }

            /// Builds a tile from its kind and options; unknown options were refused before.
            pub fn build(
                kind: &str,
                options: &[(String, Value)],
                context: &TileContext,
            ) -> Result<TileSpec, Vec<OptionError>> {
                let reader = OptionReader::new(options, context);
                match kind {
                    $($kind => reader.read::<$module::$options>().map(TileSpec::$variant),)*
                    other => Err(vec![OptionError {
                        option: None,
                        message: format!("unknown tile kind '{other}'"),
                    }]),
                }
            }

            /// What it asks of the analysis; `own`: the own brand's index.
            pub fn windows(&self, own: usize) -> TileWindows {
                match self {
                    $(TileSpec::$variant(options) => options.windows(own)),*
                }
            }

            pub fn spawn(
                &self,
                commands: &mut Commands,
                fonts: &WallFonts,
                settings: &WallSettings,
            ) -> Entity {
                match self {
                    $(TileSpec::$variant(options) => {
                        commands.spawn(options.widget(fonts, settings)).id()
                    }),*
                }
            }
        }

        pub(super) fn plugin(app: &mut App) {
            $(app.add_plugins($module::plugin);)*
            app.add_plugins(tone_bar::plugin);
        }
    };
}

tile_kinds! {
    Header = "header" (header::HeaderOptions),
    Stream = "stream" (stream::StreamOptions),
    Volume = "volume" (volume::VolumeOptions),
    ShareOfVoice = "share_of_voice" (share_of_voice::ShareOfVoiceOptions),
    Topics = "topics" (topics::TopicsOptions),
    Trending = "trending" (trending::TrendingOptions),
    Sentiment = "sentiment" (sentiment::SentimentOptions),
    Alerts = "alerts" (alerts::AlertsOptions),
    Kpi = "kpi" (kpi::KpiOptions),
    Status = "status" (status::StatusOptions),
    Message = "message" (message::MessageOptions),
    Sources = "sources" (sources::SourcesOptions),
    Influencers = "influencers" (influencers::InfluencersOptions),
}

/// The own brand's index among the config's brands.
pub fn own_brand(settings: &WallSettings) -> usize {
    settings.brands.iter().position(|b| b.own).unwrap_or(0)
}

/// What the tile a part sits in shows. Two tiles of one kind may differ (window, brand,
/// filter): an update computes a view per tile, keyed by the tile's entity, and each part reads
/// the view of its nearest ancestor that has one.
pub fn view_of<'a, V>(
    parents: &Query<&ChildOf>,
    views: &'a HashMap<Entity, V>,
    part: Entity,
) -> Option<&'a V> {
    parents
        .iter_ancestors(part)
        .find_map(|ancestor| views.get(&ancestor))
}

/// A tile's update system: runs in `UpdateTiles`, only in frames where new data arrived.
pub fn on_new_data<M>(
    system: impl IntoScheduleConfigs<ScheduleSystem, M>,
) -> ScheduleConfigs<ScheduleSystem> {
    system
        .in_set(super::WallSystems::UpdateTiles)
        .run_if(resource_changed::<super::WallData>)
}

/// Sets a text only when it differs, so unchanged text is not laid out again.
pub fn set_text(text: &mut Text, value: &str) {
    if text.0 != value {
        text.0.clear();
        text.0.push_str(value);
    }
}

/// Shows a node (`display`) or hides it (`Display::None`), touching it only on a change.
pub fn set_display(node: &mut Node, display: Display) {
    if node.display != display {
        node.display = display;
    }
}

/// A tile's title over a window: "Tendances · 60 dernières minutes", then the brand's name when
/// the tile follows a competitor.
pub fn window_title(
    settings: &super::WallSettings,
    title: &str,
    window_minutes: u32,
    brand: usize,
) -> String {
    let mut text = format!(
        "{title} · {}",
        settings.locale.labels().window(window_minutes)
    );
    if let Some(info) = settings.brands.get(brand).filter(|b| !b.own) {
        text = format!("{text} · {}", info.name);
    }
    text
}

/// `text` cut to `max` characters, an ellipsis last when it was cut.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max.saturating_sub(1)).collect();
    format!("{}…", cut.trim_end())
}

pub fn set_span(span: &mut TextSpan, value: &str) {
    if span.0 != value {
        span.0.clear();
        span.0.push_str(value);
    }
}

/// Formats a count with a thin space between thousands, as French typography does (and which
/// reads well in English from across a room).
pub fn group_thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202F}');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(group_thousands(7), "7");
        assert_eq!(group_thousands(1234), "1\u{202F}234");
        assert_eq!(group_thousands(1234567), "1\u{202F}234\u{202F}567");
    }
}
