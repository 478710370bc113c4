//! A brand's tone split as one bar (negative, neutral, positive widths), shared by the share of
//! voice and sentiment tiles; each bar reads the window of its own tile.

use std::collections::HashMap;

use bevy::prelude::*;

use super::{on_new_data, view_of};
use crate::model::{Figures, Tone, ToneCounts};
use crate::wall::WallData;
use crate::wall::theme;
use crate::wall::widgets::block;

/// The window, in minutes, over which a tile's per-brand totals are read.
#[derive(Component, Debug, Clone, Copy)]
pub struct TotalsWindow(pub u32);

#[derive(Component, Debug, Clone, Copy)]
pub struct ToneSplit {
    pub brand: usize,
    pub tone: Tone,
}

pub(crate) fn plugin(app: &mut App) {
    app.add_systems(Update, on_new_data(update_tone_bars));
}

/// The bar for `brand` in `node` (which gives its size and grid place).
pub fn bar(brand: usize, node: Node) -> impl Bundle {
    let parts = [Tone::Negative, Tone::Neutral, Tone::Positive].map(|tone| {
        (
            ToneSplit { brand, tone },
            block(
                Node {
                    width: Val::Percent(0.0),
                    height: Val::Percent(100.0),
                    ..default()
                },
                theme::tone_color(tone),
            ),
        )
    });
    (
        Node {
            display: Display::Flex,
            flex_direction: FlexDirection::Row,
            overflow: Overflow::clip(),
            ..node
        },
        Children::spawn(SpawnIter(parts.into_iter())),
    )
}

/// Each tile's per-brand tone counts over its window.
pub fn totals_by_tile<'a>(
    figures: &'a Figures,
    tiles: impl Iterator<Item = (Entity, &'a TotalsWindow)>,
) -> HashMap<Entity, &'a [ToneCounts]> {
    tiles
        .filter_map(|(entity, window)| Some((entity, figures.totals(window.0)?.tones.as_slice())))
        .collect()
}

/// The width of one tone's part of a bar: its share of the counts.
pub fn part_width(counts: &ToneCounts, tone: Tone) -> Val {
    let part = match tone {
        Tone::Negative => counts.negative,
        Tone::Neutral => counts.neutral,
        Tone::Positive => counts.positive,
    };
    Val::Percent(part as f32 * 100.0 / counts.total().max(1) as f32)
}

fn update_tone_bars(
    data: Res<WallData>,
    tiles: Query<(Entity, &TotalsWindow)>,
    parents: Query<&ChildOf>,
    mut parts: Query<(Entity, &ToneSplit, &mut Node)>,
) {
    let Some(figures) = &data.figures else { return };
    let windows = totals_by_tile(figures, tiles.iter());
    for (part, split, mut node) in &mut parts {
        let counts = view_of(&parents, &windows, part)
            .and_then(|t| t.get(split.brand).copied())
            .unwrap_or_default();
        let wanted = part_width(&counts, split.tone);
        if node.width != wanted {
            node.width = wanted;
        }
    }
}
