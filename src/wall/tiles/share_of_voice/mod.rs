//! Share of voice: each brand's part of the conversation over the window, as a bar with its
//! percentage and its change in points against the previous window, and under it the brand's
//! tone split so the room sees who is talked about badly. The share is of mentions, or (`by`)
//! of engagement, positive or negative mentions.

mod options;
pub use options::ShareOfVoiceOptions;

use bevy::prelude::*;

use std::collections::HashMap;

use super::on_new_data;
use super::tone_bar::{self, TotalsWindow};
use super::{set_text, view_of};
use crate::model::{BrandInfo, Platform, ShareBasis, ToneCounts};
use crate::wall::theme::{self, WallFonts};
use crate::wall::widgets::{block, label, rows_tile, tile_panel, tile_title};
use crate::wall::{WallData, WallSettings};

/// A share-of-voice tile; its window is its `TotalsWindow`.
#[derive(Component, Debug, Clone, Copy)]
pub struct ShareTile {
    pub by: ShareBasis,
    /// Only the mentions of this platform.
    pub platform: Option<Platform>,
}

/// A brand's change of share against the previous window.
#[derive(Component)]
pub struct ShareChange(pub usize);

#[derive(Component)]
pub struct ShareBar(pub usize);

#[derive(Component)]
pub struct SharePercent(pub usize);

#[derive(Component)]
pub struct NegativeShare(pub usize);

pub fn plugin(app: &mut App) {
    app.add_systems(Update, on_new_data(update_share_of_voice));
}

pub fn widget(
    fonts: &WallFonts,
    settings: &WallSettings,
    window_minutes: u32,
    by: ShareBasis,
    platform: Option<Platform>,
) -> impl Bundle {
    let labels = settings.locale.labels();
    let mut title = match (labels.share_basis)(by) {
        Some(basis) => format!("{} ({basis})", labels.share_of_voice_title),
        None => labels.share_of_voice_title.to_string(),
    };
    if let Some(platform) = platform {
        title = format!("{title} {}", (labels.on_platform)(platform.label()));
    }
    let rows: Vec<_> = settings
        .brands
        .iter()
        .enumerate()
        .map(|(index, brand)| brand_row(fonts, index, brand))
        .collect();
    rows_tile(
        (
            tile_panel("share of voice"),
            ShareTile { by, platform },
            TotalsWindow(window_minutes),
        ),
        tile_title(
            format!("{title} · {}", labels.window(window_minutes)),
            fonts,
        ),
        SpawnIter(rows.into_iter()),
    )
}

/// A brand's row: its name, its share as a bar and a percentage; under them its negative share,
/// its tone bar and its change.
fn brand_row(fonts: &WallFonts, index: usize, brand: &BrandInfo) -> impl Bundle {
    let color = theme::brand_color(&brand.color);
    let name_font = if brand.own {
        &fonts.bold
    } else {
        &fonts.regular
    };
    (
        Name::new(format!("sov {}", brand.name)),
        Node {
            display: Display::Grid,
            grid_template_columns: vec![
                GridTrack::px(250.0),
                GridTrack::fr(1.0),
                GridTrack::px(110.0),
            ],
            grid_template_rows: vec![GridTrack::auto(), GridTrack::px(10.0)],
            column_gap: Val::Px(16.0),
            row_gap: Val::Px(6.0),
            align_items: AlignItems::Center,
            ..default()
        },
        children![
            label(brand.name.clone(), name_font, theme::SIZE_BODY, theme::TEXT),
            (
                block(
                    Node {
                        height: Val::Px(30.0),
                        border_radius: BorderRadius::all(Val::Px(6.0)),
                        overflow: Overflow::clip(),
                        ..default()
                    },
                    theme::TRACK,
                ),
                children![(
                    ShareBar(index),
                    block(
                        Node {
                            width: Val::Percent(0.0),
                            height: Val::Percent(100.0),
                            border_radius: BorderRadius::all(Val::Px(6.0)),
                            ..default()
                        },
                        color,
                    ),
                )],
            ),
            (
                SharePercent(index),
                label("—", &fonts.bold, theme::SIZE_TITLE, color),
                TextLayout::new(Justify::Right, LineBreak::NoWrap),
            ),
            (
                NegativeShare(index),
                label("", &fonts.regular, theme::SIZE_SMALL, theme::MUTED),
                Node {
                    grid_row: GridPlacement::start(2),
                    grid_column: GridPlacement::start(1),
                    ..default()
                },
            ),
            (
                ShareChange(index),
                label("", &fonts.regular, theme::SIZE_SMALL, theme::MUTED),
                TextLayout::new(Justify::Right, LineBreak::NoWrap),
                Node {
                    grid_row: GridPlacement::start(2),
                    grid_column: GridPlacement::start(3),
                    justify_self: JustifySelf::End,
                    ..default()
                },
            ),
            tone_bar::bar(
                index,
                Node {
                    height: Val::Px(8.0),
                    grid_row: GridPlacement::start(2),
                    grid_column: GridPlacement::start(2),
                    border_radius: BorderRadius::all(Val::Px(4.0)),
                    ..default()
                },
            ),
        ],
    )
}

/// "+12 pts", "-3 pts" or "= 0 pts": a change of share in points, rounded (the wall's fonts
/// have no arrows).
pub fn change_text(change: Option<f32>, points: &str) -> String {
    match change.map(f32::round) {
        None => String::new(),
        Some(c) if c >= 1.0 => format!("+{c:.0} {points}"),
        Some(c) if c <= -1.0 => format!("-{:.0} {points}", -c),
        Some(_) => format!("= 0 {points}"),
    }
}

fn update_share_of_voice(
    data: Res<WallData>,
    settings: Res<WallSettings>,
    tiles: Query<(Entity, &TotalsWindow, &ShareTile)>,
    parents: Query<&ChildOf>,
    mut bars: Query<(Entity, &ShareBar, &mut Node)>,
    mut percents: Query<
        (Entity, &SharePercent, &mut Text),
        (Without<NegativeShare>, Without<ShareChange>),
    >,
    mut negatives: Query<
        (Entity, &NegativeShare, &mut Text),
        (Without<SharePercent>, Without<ShareChange>),
    >,
    mut changes: Query<
        (Entity, &ShareChange, &mut Text),
        (Without<SharePercent>, Without<NegativeShare>),
    >,
) {
    let Some(figures) = &data.figures else { return };
    let labels = settings.locale.labels();
    type Shares<'a> = (&'a [ToneCounts], Vec<(f32, Option<f32>)>);
    let windows: HashMap<Entity, Shares> = tiles
        .iter()
        .filter_map(|(entity, window, tile)| {
            let totals = figures.totals(window.0)?;
            let shares = match tile.platform {
                Some(platform) => totals.platform_shares(platform),
                None => totals.shares(tile.by),
            };
            Some((entity, (totals.tones.as_slice(), shares)))
        })
        .collect();
    let share = |part: Entity, brand: usize| {
        view_of(&parents, &windows, part).and_then(|(_, shares)| shares.get(brand).copied())
    };
    for (part, bar, mut node) in &mut bars {
        let Some((value, _)) = share(part, bar.0) else {
            continue;
        };
        let wanted = Val::Percent(value);
        if node.width != wanted {
            node.width = wanted;
        }
    }
    for (part, percent, mut text) in &mut percents {
        let Some((value, _)) = share(part, percent.0) else {
            continue;
        };
        set_text(&mut text, &format!("{value:.0} %"));
    }
    for (part, change, mut text) in &mut changes {
        let Some((_, delta)) = share(part, change.0) else {
            continue;
        };
        set_text(&mut text, &change_text(delta, labels.points));
    }
    for (part, negative, mut text) in &mut negatives {
        let Some((tones, _)) = view_of(&parents, &windows, part) else {
            continue;
        };
        let counts = tones.get(negative.0).copied().unwrap_or_default();
        let caption = match counts.negative_share() {
            Some(share) => format!("{:.0} % {}", share * 100.0, labels.negative),
            None => String::new(),
        };
        set_text(&mut text, &caption);
    }
}

impl super::TileWidget for ShareOfVoiceOptions {
    fn widget(&self, fonts: &WallFonts, settings: &WallSettings) -> impl Bundle {
        widget(fonts, settings, self.window_minutes, self.by, self.platform)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_read_in_points() {
        assert_eq!(change_text(Some(12.4), "pts"), "+12 pts");
        assert_eq!(change_text(Some(-3.6), "pts"), "-4 pts");
        assert_eq!(change_text(Some(0.2), "pts"), "= 0 pts");
        assert_eq!(change_text(None, "pts"), "");
    }
}
