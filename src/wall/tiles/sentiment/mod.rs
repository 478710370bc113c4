//! Sentiment by brand over a window: each brand's net sentiment (positive minus negative share,
//! in points) as a big coloured number, and its tone split as a bar, so the room compares how
//! each brand is talked about, not only how much.

mod options;
pub use options::SentimentOptions;

use bevy::prelude::*;

use super::on_new_data;
use super::tone_bar::{self, TotalsWindow, totals_by_tile};
use super::{InTile, group_thousands, set_text};
use crate::wall::theme::{self, WallFonts};
use crate::wall::widgets::{label, rows_tile, tile_panel};
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

pub fn spawn(
    commands: &mut Commands,
    fonts: &WallFonts,
    settings: &WallSettings,
    window_minutes: u32,
) -> Entity {
    let labels = settings.locale.labels();
    let (tile, rows) = rows_tile(
        commands,
        fonts,
        (
            tile_panel("sentiment"),
            SentimentTile,
            TotalsWindow(window_minutes),
        ),
        format!(
            "{} · {}",
            labels.sentiment_title,
            labels.window(window_minutes)
        ),
    );
    let in_tile = InTile(tile);
    for (index, brand) in settings.brands.iter().enumerate() {
        let row = commands
            .spawn((
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
            ))
            .id();
        let net = commands
            .spawn((
                NetValue(index),
                in_tile,
                label("—", &fonts.bold, theme::SIZE_TITLE, theme::MUTED),
                Node {
                    grid_row: GridPlacement::span(2),
                    ..default()
                },
            ))
            .id();
        let font = if brand.own {
            &fonts.bold
        } else {
            &fonts.regular
        };
        let name = commands
            .spawn(label(
                &brand.name,
                font,
                theme::SIZE_BODY,
                theme::brand_color(&brand.color),
            ))
            .id();
        let count = commands
            .spawn((
                MentionCount(index),
                in_tile,
                label("", &fonts.regular, theme::SIZE_SMALL, theme::MUTED),
                TextLayout::new(Justify::Right, LineBreak::NoWrap),
                Node {
                    justify_self: JustifySelf::End,
                    ..default()
                },
            ))
            .id();
        let split = tone_bar::spawn(
            commands,
            index,
            in_tile,
            Node {
                height: Val::Px(14.0),
                grid_row: GridPlacement::start(2),
                grid_column: GridPlacement::start_span(2, 2),
                border_radius: BorderRadius::all(Val::Px(5.0)),
                ..default()
            },
        );
        commands.entity(split).insert(BackgroundColor(theme::TRACK));
        commands
            .entity(row)
            .add_children(&[net, name, count, split]);
        commands.entity(rows).add_child(row);
    }
    tile
}

fn update_sentiment(
    data: Res<WallData>,
    tiles: Query<(Entity, &TotalsWindow), With<SentimentTile>>,
    mut nets: Query<(&NetValue, &InTile, &mut Text, &mut TextColor), Without<MentionCount>>,
    mut counts: Query<(&MentionCount, &InTile, &mut Text), Without<NetValue>>,
) {
    let Some(figures) = &data.figures else { return };
    let windows = totals_by_tile(figures, tiles.iter());
    let tones = |tile: &InTile, brand: usize| {
        windows
            .get(&tile.0)
            .and_then(|t| t.get(brand).copied())
            .unwrap_or_default()
    };
    for (net, tile, mut text, mut color) in &mut nets {
        let (shown, tint) = match tones(tile, net.0).net_percent() {
            Some(value) => (format!("{value:+.0}"), theme::net_color(value)),
            None => ("—".to_string(), theme::MUTED),
        };
        set_text(&mut text, &shown);
        color.set_if_neq(TextColor(tint));
    }
    for (count, tile, mut text) in &mut counts {
        set_text(
            &mut text,
            &group_thousands(u64::from(tones(tile, count.0).total())),
        );
    }
}

impl super::TileWidget for SentimentOptions {
    fn spawn(&self, commands: &mut Commands, fonts: &WallFonts, settings: &WallSettings) -> Entity {
        spawn(commands, fonts, settings, self.window_minutes)
    }
}
