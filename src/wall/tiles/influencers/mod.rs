//! Influencers: the authors who carry a brand's conversation over a window, ranked by reach ×
//! mentions, each with their platform, audience, mentions and the tone of what they wrote (a
//! bar: red, grey, green). A lobby shows no handle or name: "Compte Instagram".

mod options;
pub use options::{InfluencersOptions, MAX_INFLUENCER_ROWS};

use std::collections::HashMap;

use bevy::prelude::*;

use super::{group_thousands, on_new_data, set_display, set_text, shorten, view_of, window_title};
use crate::i18n::{Labels, Locale};
use crate::model::{Influencer, Tone};
use crate::wall::layout::WallLayout;
use crate::wall::theme::{self, WallFonts};
use crate::wall::tiles::stream::{Lobby, lobby_of};
use crate::wall::widgets::{label, tile_panel, tile_title};
use crate::wall::{WallData, WallSettings};

/// What fits of a name in its column at the wall's sizes.
const MAX_NAME_CHARS: usize = 26;

#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct InfluencersTile {
    pub window_minutes: u32,
    pub brand: usize,
    pub rows: usize,
}

#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct InfluencerRow(pub usize);

#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct InfluencerText {
    pub row: usize,
    pub field: InfluencerField,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InfluencerField {
    Rank,
    Name,
    Handle,
    Platform,
    Reach,
    Mentions,
}

/// A part of a row's tone bar.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct InfluencerTone {
    pub row: usize,
    pub tone: Tone,
}

#[derive(Component)]
pub struct InfluencersPlaceholder;

pub fn plugin(app: &mut App) {
    app.add_systems(Update, on_new_data(update_influencers));
}

/// An audience as read from across a room: 950, 18 k, 1,2 M (182k, 1.2M in English).
pub fn compact(count: u64, locale: Locale) -> String {
    let (value, unit) = match count {
        c if c < 1_000 => return c.to_string(),
        c if c < 1_000_000 => (c as f64 / 1_000.0, "k"),
        c => (c as f64 / 1_000_000.0, "M"),
    };
    let text = if value < 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.0}")
    };
    match locale {
        Locale::Fr => format!("{} {unit}", text.replace('.', ",")),
        Locale::En => format!("{text}{unit}"),
    }
}

/// The name a row shows, and the handle under it; a lobby names the platform only.
pub fn shown_name(author: &Influencer, labels: &Labels, lobby: bool) -> (String, String) {
    if lobby {
        return (
            (labels.hidden_author)(author.platform.label()),
            String::new(),
        );
    }
    let handle = if author.handle.is_empty() {
        String::new()
    } else {
        format!("@{}", author.handle.trim_start_matches('@'))
    };
    if author.display_name.trim().is_empty() {
        (handle, String::new())
    } else {
        (author.display_name.clone(), handle)
    }
}

pub fn widget(
    fonts: &WallFonts,
    settings: &WallSettings,
    options: &InfluencersOptions,
) -> impl Bundle {
    let labels = settings.locale.labels();
    let brand = options.brand.index(super::own_brand(settings));
    let title = window_title(
        settings,
        labels.influencers_title,
        options.window_minutes,
        brand,
    );
    let header: Vec<_> = std::iter::once("")
        .chain(labels.influencers_columns)
        .map(|title| label(title, &fonts.regular, theme::SIZE_SMALL, theme::MUTED))
        .collect();
    let rows: Vec<_> = (0..options.rows)
        .map(|row| influencer_row(fonts, row))
        .collect();
    (
        tile_panel("influencers"),
        InfluencersTile {
            window_minutes: options.window_minutes,
            brand,
            rows: options.rows,
        },
        children![
            tile_title(title, fonts),
            (
                Node {
                    display: Display::Grid,
                    grid_template_columns: columns(),
                    column_gap: Val::Px(14.0),
                    ..default()
                },
                Children::spawn(SpawnIter(header.into_iter())),
            ),
            (
                Node {
                    display: Display::Flex,
                    flex_direction: FlexDirection::Column,
                    flex_grow: 1.0,
                    flex_basis: Val::Px(0.0),
                    min_height: Val::Px(0.0),
                    row_gap: Val::Px(10.0),
                    overflow: Overflow::clip(),
                    ..default()
                },
                Children::spawn((
                    Spawn((
                        InfluencersPlaceholder,
                        label(
                            labels.no_influencers,
                            &fonts.regular,
                            theme::SIZE_BODY,
                            theme::MUTED
                        ),
                    )),
                    SpawnIter(rows.into_iter()),
                )),
            ),
        ],
    )
}

/// Rank, author, platform, reach, mentions, tone.
fn columns() -> Vec<RepeatedGridTrack> {
    vec![
        GridTrack::px(36.0),
        GridTrack::fr(2.6),
        GridTrack::fr(1.1),
        GridTrack::fr(0.8),
        GridTrack::fr(0.8),
        GridTrack::fr(1.0),
    ]
}

fn text(
    row: usize,
    field: InfluencerField,
    font: &Handle<Font>,
    size: f32,
    color: Color,
) -> impl Bundle {
    (
        InfluencerText { row, field },
        label("", font, size, color),
        TextLayout::new(Justify::Left, LineBreak::NoWrap),
    )
}

fn influencer_row(fonts: &WallFonts, row: usize) -> impl Bundle {
    let tone = |tone| {
        (
            InfluencerTone { row, tone },
            Node {
                width: Val::Percent(0.0),
                height: Val::Percent(100.0),
                ..default()
            },
            BackgroundColor(theme::tone_color(tone)),
        )
    };
    (
        Name::new(format!("influencer {row}")),
        InfluencerRow(row),
        Node {
            display: Display::None,
            grid_template_columns: columns(),
            column_gap: Val::Px(14.0),
            align_items: AlignItems::Center,
            ..default()
        },
        children![
            text(
                row,
                InfluencerField::Rank,
                &fonts.regular,
                theme::SIZE_BODY,
                theme::MUTED
            ),
            (
                Node {
                    display: Display::Flex,
                    flex_direction: FlexDirection::Column,
                    min_width: Val::Px(0.0),
                    overflow: Overflow::clip(),
                    ..default()
                },
                children![
                    text(
                        row,
                        InfluencerField::Name,
                        &fonts.bold,
                        theme::SIZE_BODY,
                        theme::TEXT
                    ),
                    text(
                        row,
                        InfluencerField::Handle,
                        &fonts.regular,
                        theme::SIZE_SMALL,
                        theme::MUTED
                    ),
                ],
            ),
            text(
                row,
                InfluencerField::Platform,
                &fonts.regular,
                theme::SIZE_LABEL,
                theme::TEXT
            ),
            text(
                row,
                InfluencerField::Reach,
                &fonts.bold,
                theme::SIZE_LABEL,
                theme::TEXT
            ),
            text(
                row,
                InfluencerField::Mentions,
                &fonts.regular,
                theme::SIZE_LABEL,
                theme::TEXT
            ),
            (
                Node {
                    display: Display::Flex,
                    flex_direction: FlexDirection::Row,
                    height: Val::Px(14.0),
                    border_radius: BorderRadius::all(Val::Px(4.0)),
                    overflow: Overflow::clip(),
                    ..default()
                },
                BackgroundColor(theme::TRACK),
                children![
                    tone(Tone::Negative),
                    tone(Tone::Neutral),
                    tone(Tone::Positive)
                ],
            ),
        ],
    )
}

#[allow(clippy::too_many_arguments)]
fn update_influencers(
    data: Res<WallData>,
    settings: Res<WallSettings>,
    layout: Res<WallLayout>,
    lobby_filter: Res<Lobby>,
    tiles: Query<(Entity, &InfluencersTile)>,
    parents: Query<&ChildOf>,
    mut rows: Query<
        (Entity, &InfluencerRow, &mut Node),
        (Without<InfluencersPlaceholder>, Without<InfluencerTone>),
    >,
    mut placeholders: Query<
        (Entity, &mut Node),
        (With<InfluencersPlaceholder>, Without<InfluencerTone>),
    >,
    mut texts: Query<(Entity, &InfluencerText, &mut Text)>,
    mut tones: Query<(Entity, &InfluencerTone, &mut Node)>,
) {
    let Some(figures) = &data.figures else { return };
    let labels = settings.locale.labels();
    let lobby = lobby_of(&layout, &settings, &lobby_filter).is_some();
    let lists: HashMap<Entity, (&[Influencer], usize)> = tiles
        .iter()
        .map(|(entity, tile)| {
            let authors = figures
                .influencers(tile.window_minutes, tile.brand)
                .map(|list| list.authors.as_slice())
                .unwrap_or_default();
            (entity, (authors, tile.rows))
        })
        .collect();
    let author = |part: Entity, row: usize| {
        view_of(&parents, &lists, part)
            .filter(|(_, shown)| row < *shown)
            .and_then(|(authors, _)| authors.get(row))
    };
    for (part, mut node) in &mut placeholders {
        let empty = view_of(&parents, &lists, part).is_none_or(|(a, _)| a.is_empty());
        set_display(&mut node, if empty { Display::Flex } else { Display::None });
    }
    for (part, row, mut node) in &mut rows {
        let display = if author(part, row.0).is_some() {
            Display::Grid
        } else {
            Display::None
        };
        set_display(&mut node, display);
    }
    for (part, text_of, mut text) in &mut texts {
        let Some(shown) = author(part, text_of.row) else {
            continue;
        };
        let value = match text_of.field {
            InfluencerField::Rank => (text_of.row + 1).to_string(),
            InfluencerField::Name => shorten(&shown_name(shown, labels, lobby).0, MAX_NAME_CHARS),
            InfluencerField::Handle => shorten(&shown_name(shown, labels, lobby).1, MAX_NAME_CHARS),
            InfluencerField::Platform => shown.platform.label().to_string(),
            InfluencerField::Reach if shown.reach == 0 => "—".to_string(),
            InfluencerField::Reach => compact(shown.reach, settings.locale),
            InfluencerField::Mentions => group_thousands(u64::from(shown.mentions)),
        };
        set_text(&mut text, &value);
    }
    for (part, part_of, mut node) in &mut tones {
        let Some(shown) = author(part, part_of.row) else {
            continue;
        };
        let total = shown.tones.total().max(1) as f32;
        let count = match part_of.tone {
            Tone::Negative => shown.tones.negative,
            Tone::Neutral => shown.tones.neutral,
            Tone::Positive => shown.tones.positive,
        };
        let width = Val::Percent(count as f32 * 100.0 / total);
        if node.width != width {
            node.width = width;
        }
    }
}

impl super::TileWidget for InfluencersOptions {
    fn widget(&self, fonts: &WallFonts, settings: &WallSettings) -> impl Bundle {
        widget(fonts, settings, self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Platform, ToneCounts};

    #[test]
    fn audiences_read_from_across_a_room_and_a_lobby_names_no_one() {
        assert_eq!(compact(950, Locale::Fr), "950");
        assert_eq!(compact(18_400, Locale::Fr), "18 k");
        assert_eq!(compact(1_240_000, Locale::Fr), "1,2 M");
        assert_eq!(compact(182_000, Locale::En), "182k");
        let author = Influencer {
            handle: "lucie.parentalite".into(),
            display_name: "Lucie — parentalité".into(),
            platform: Platform::Instagram,
            reach: 182_000,
            avatar: None,
            mentions: 3,
            tones: ToneCounts::default(),
        };
        let labels = Locale::Fr.labels();
        assert_eq!(
            shown_name(&author, labels, false),
            ("Lucie — parentalité".into(), "@lucie.parentalite".into())
        );
        assert_eq!(
            shown_name(&author, labels, true),
            ("Compte Instagram".into(), String::new())
        );
    }
}
