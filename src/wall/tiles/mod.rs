//! One file per tile kind. Each exposes `spawn` (builds the tile's entities once) and a plugin
//! whose systems change those entities when `WallData` changes: entities are kept and
//! updated, never despawned and respawned.

pub mod alerts;
pub mod header;
pub mod kpi;
pub mod sentiment;
pub mod share_of_voice;
pub mod stream;
pub mod tone_bar;
pub mod topics;
pub mod trending;
pub mod volume;

use bevy::ecs::schedule::ScheduleConfigs;
use bevy::ecs::system::ScheduleSystem;
use bevy::prelude::*;

pub(super) fn plugin(app: &mut App) {
    app.add_plugins((
        header::plugin,
        kpi::plugin,
        stream::plugin,
        volume::plugin,
        share_of_voice::plugin,
        sentiment::plugin,
        alerts::plugin,
        tone_bar::plugin,
        topics::plugin,
        trending::plugin,
    ));
}

/// The tile an entity belongs to, for tiles whose options (window, brand, filter) differ
/// between two tiles of the same kind: each update computes a view per tile and each entity
/// reads its own tile's.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct InTile(pub Entity);

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
