//! Sentiment by brand over a window: each brand's net sentiment (positive minus negative share,
//! in points) as a big coloured number, and its tone split as a bar, so the room compares how
//! each brand is talked about, not only how much.

mod options;
pub use options::SentimentOptions;

use bevy::prelude::*;

use super::on_new_data;
use super::tone_bar::{self, TotalsWindow, totals_by_tile};
use super::{group_thousands, set_text, view_of};
use crate::model::BrandInfo;
use crate::wall::theme::{self, WallFonts};
use crate::wall::widgets::{label, rows_tile, tile_panel, tile_title};
use crate::wall::{WallData, WallSettings};

/// A sentiment tile; its window is its `TotalsWindow`.
#[derive(Component, Debug, Clone, Copy)]
pub struct SentimentTile;

#[derive(Component)]
pub struct NetValue(pub usize);

#[derive(Component)]
pub struct MentionCount(pub usize);

pub fn plugin(app: &mut App) {
    app.add_systems(Update, on_new_data(update_sentiment));
}

pub fn widget(fonts: &WallFonts, settings: &WallSettings, window_minutes: u32) -> impl Bundle {
    let labels = settings.locale.labels();
    let rows: Vec<_> = settings
        .brands
        .iter()
        .enumerate()
        .map(|(index, brand)| brand_row(fonts, index, brand))
        .collect();
    rows_tile(
        (
            tile_panel("sentiment"),
            SentimentTile,
            TotalsWindow(window_minutes),
        ),
        tile_title(
            format!(
                "{} · {}",
                labels.sentiment_title,
                labels.window(window_minutes)
            ),
            fonts,
        ),
        SpawnIter(rows.into_iter()),
    )
}

/// A brand's row: its net sentiment over two lines, its name and count, its tone bar.
fn brand_row(fonts: &WallFonts, index: usize, brand: &BrandInfo) -> impl Bundle {
    let font = if brand.own {
        &fonts.bold
    } else {
        &fonts.regular
    };
    (
        Name::new(format!("sentiment {}", brand.name)),
        Node {
            display: Display::Grid,
            grid_template_columns: vec![
                GridTrack::px(110.0),
                GridTrack::fr(1.0),
                GridTrack::px(110.0),
            ],
            grid_template_rows: vec![GridTrack::auto(), GridTrack::px(14.0)],
            column_gap: Val::Px(16.0),
            row_gap: Val::Px(4.0),
            align_items: AlignItems::Center,
            ..default()
        },
        children![
            (
                NetValue(index),
                label("—", &fonts.bold, theme::SIZE_TITLE, theme::MUTED),
                Node {
                    grid_row: GridPlacement::span(2),
                    ..default()
                },
            ),
            label(
                brand.name.clone(),
                font,
                theme::SIZE_BODY,
                theme::brand_color(&brand.color),
            ),
            (
                MentionCount(index),
                label("", &fonts.regular, theme::SIZE_SMALL, theme::MUTED),
                TextLayout::new(Justify::Right, LineBreak::NoWrap),
                Node {
                    justify_self: JustifySelf::End,
                    ..default()
                },
            ),
            (
                tone_bar::bar(
                    index,
                    Node {
                        height: Val::Px(14.0),
                        grid_row: GridPlacement::start(2),
                        grid_column: GridPlacement::start_span(2, 2),
                        border_radius: BorderRadius::all(Val::Px(5.0)),
                        ..default()
                    },
                ),
                BackgroundColor(theme::TRACK),
            ),
        ],
    )
}

fn update_sentiment(
    data: Res<WallData>,
    tiles: Query<(Entity, &TotalsWindow), With<SentimentTile>>,
    parents: Query<&ChildOf>,
    mut nets: Query<(Entity, &NetValue, &mut Text, &mut TextColor), Without<MentionCount>>,
    mut counts: Query<(Entity, &MentionCount, &mut Text), Without<NetValue>>,
) {
    let Some(figures) = &data.figures else { return };
    let windows = totals_by_tile(figures, tiles.iter());
    let tones = |part: Entity, brand: usize| {
        view_of(&parents, &windows, part)
            .and_then(|t| t.get(brand).copied())
            .unwrap_or_default()
    };
    for (part, net, mut text, mut color) in &mut nets {
        let (shown, tint) = match tones(part, net.0).net_percent() {
            Some(value) => (format!("{value:+.0}"), theme::net_color(value)),
            None => ("—".to_string(), theme::MUTED),
        };
        set_text(&mut text, &shown);
        color.set_if_neq(TextColor(tint));
    }
    for (part, count, mut text) in &mut counts {
        set_text(
            &mut text,
            &group_thousands(u64::from(tones(part, count.0).total())),
        );
    }
}

impl super::TileWidget for SentimentOptions {
    fn widget(&self, fonts: &WallFonts, settings: &WallSettings) -> impl Bundle {
        widget(fonts, settings, self.window_minutes)
    }
}
