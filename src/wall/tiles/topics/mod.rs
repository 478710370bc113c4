//! Topics: what a brand is talked about, over a window. One row per macro topic, most talked
//! about first: its share of the brand's mentions as a bar split by tone (so a topic that turns
//! sour shows red), the share in figures with its change against the window before, and under
//! it the micro topics with theirs. A mention may be in several topics, so shares do not add up
//! to 100 %.
//!
//! Rows are slots: the entities stay, and each update writes the topic of rank `slot` into
//! them.

mod options;
pub use options::TopicsOptions;

use std::collections::HashMap;

use bevy::prelude::*;

use super::share_of_voice::change_text;
use super::{on_new_data, set_display, set_text, view_of, window_title};
use crate::model::{Figures, Tone, ToneCounts, TopicInfo};
use crate::wall::theme::{self, WallFonts};
use crate::wall::widgets::{block, label, rows_tile, tile_panel, tile_title};
use crate::wall::{WallData, WallSettings};

/// Rows a topics tile has room for.
pub const MAX_ROWS: usize = 6;
/// Micro topics named under a macro topic.
const MICRO_SHOWN: usize = 3;

/// A topics tile: which window and brand it shows.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct TopicsTile {
    pub window_minutes: u32,
    pub brand: usize,
}

/// A text of a row.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct TopicText {
    pub slot: usize,
    pub field: TopicField,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TopicField {
    Name,
    Percent,
    Change,
    Micro,
}

/// A node of a row whose size or display follows the data.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct TopicNode {
    pub slot: usize,
    pub part: TopicPart,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TopicPart {
    /// The whole row: hidden when there is no topic of that rank.
    Row,
    /// The share of the brand's mentions.
    Fill,
    Tone(Tone),
}

/// Shown instead of the rows while there is nothing to rank.
#[derive(Component)]
pub struct TopicsPlaceholder;

pub fn plugin(app: &mut App) {
    app.add_systems(Update, on_new_data(update_topics));
}

pub fn widget(
    fonts: &WallFonts,
    settings: &WallSettings,
    window_minutes: u32,
    brand: usize,
) -> impl Bundle {
    let labels = settings.locale.labels();
    let title = window_title(settings, labels.topics_title, window_minutes, brand);
    let placeholder_text = if settings.topics.is_empty() {
        labels.topics_unset
    } else {
        labels.waiting_for_data
    };
    let slots = settings
        .topics
        .iter()
        .filter(|t| t.parent.is_none())
        .count()
        .min(MAX_ROWS);
    let brand_color = settings
        .brands
        .get(brand)
        .map_or(theme::TEXT, |b| theme::brand_color(&b.color));
    let rows: Vec<_> = (0..slots)
        .map(|slot| topic_row(fonts, slot, brand_color))
        .collect();
    rows_tile(
        (
            tile_panel("topics"),
            TopicsTile {
                window_minutes,
                brand,
            },
        ),
        tile_title(title, fonts),
        (
            Spawn((
                TopicsPlaceholder,
                label(
                    placeholder_text,
                    &fonts.regular,
                    theme::SIZE_BODY,
                    theme::MUTED,
                ),
            )),
            SpawnIter(rows.into_iter()),
        ),
    )
}

/// A topic's row, hidden until it has a topic: name, share bar split by tone, percent; under
/// them its micro topics and change.
fn topic_row(fonts: &WallFonts, slot: usize, brand_color: Color) -> impl Bundle {
    let text = |field| TopicText { slot, field };
    let node = |part| TopicNode { slot, part };
    let tones = [Tone::Negative, Tone::Neutral, Tone::Positive].map(|tone| {
        (
            node(TopicPart::Tone(tone)),
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
        Name::new(format!("topic row {slot}")),
        node(TopicPart::Row),
        Node {
            display: Display::None,
            grid_template_columns: vec![
                GridTrack::px(230.0),
                GridTrack::fr(1.0),
                GridTrack::px(100.0),
            ],
            grid_template_rows: vec![GridTrack::auto(), GridTrack::auto()],
            column_gap: Val::Px(16.0),
            row_gap: Val::Px(2.0),
            align_items: AlignItems::Center,
            ..default()
        },
        children![
            (
                text(TopicField::Name),
                label("", &fonts.bold, theme::SIZE_BODY, theme::TEXT),
                TextLayout::new(Justify::Left, LineBreak::NoWrap),
                Node {
                    overflow: Overflow::clip(),
                    ..default()
                },
            ),
            (
                block(
                    Node {
                        height: Val::Px(26.0),
                        border_radius: BorderRadius::all(Val::Px(6.0)),
                        overflow: Overflow::clip(),
                        ..default()
                    },
                    theme::TRACK,
                ),
                children![(
                    node(TopicPart::Fill),
                    Node {
                        display: Display::Flex,
                        flex_direction: FlexDirection::Row,
                        width: Val::Percent(0.0),
                        height: Val::Percent(100.0),
                        border_radius: BorderRadius::all(Val::Px(6.0)),
                        overflow: Overflow::clip(),
                        ..default()
                    },
                    BackgroundColor(brand_color),
                    Children::spawn(SpawnIter(tones.into_iter())),
                )],
            ),
            (
                text(TopicField::Percent),
                label("", &fonts.bold, theme::SIZE_TITLE, theme::TEXT),
                TextLayout::new(Justify::Right, LineBreak::NoWrap),
                Node {
                    justify_self: JustifySelf::End,
                    ..default()
                },
            ),
            (
                text(TopicField::Micro),
                label("", &fonts.regular, theme::SIZE_SMALL, theme::MUTED),
                TextLayout::new(Justify::Left, LineBreak::NoWrap),
                Node {
                    grid_row: GridPlacement::start(2),
                    grid_column: GridPlacement::start_span(1, 2),
                    overflow: Overflow::clip(),
                    ..default()
                },
            ),
            (
                text(TopicField::Change),
                label("", &fonts.regular, theme::SIZE_SMALL, theme::MUTED),
                TextLayout::new(Justify::Right, LineBreak::NoWrap),
                Node {
                    grid_row: GridPlacement::start(2),
                    grid_column: GridPlacement::start(3),
                    justify_self: JustifySelf::End,
                    ..default()
                },
            ),
        ],
    )
}

/// One macro topic as its row shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct TopicRow {
    pub name: String,
    /// Percent of the brand's mentions in the window.
    pub share: f32,
    /// Change in points against the window before (`None` when it had no mentions).
    pub change: Option<f32>,
    pub tones: ToneCounts,
    /// Micro topics, most talked about first, with their share of the brand's mentions.
    pub micro: Vec<(String, f32)>,
}

/// A brand's macro topics over a window, most talked about first; topics nobody mentioned are
/// left out.
pub fn topic_rows(figures: &Figures, window_minutes: u32, brand: usize) -> Vec<TopicRow> {
    let Some(totals) = figures.totals(window_minutes) else {
        return Vec::new();
    };
    let (Some(topics), Some(mentions)) = (totals.topics.get(brand), totals.tones.get(brand)) else {
        return Vec::new();
    };
    let mentions = mentions.total();
    let before = totals.previous_topics.get(brand);
    let before_mentions = totals
        .previous_tones
        .get(brand)
        .map_or(0, ToneCounts::total);
    let percent = |n: u32, of: u32| n as f32 * 100.0 / of.max(1) as f32;
    let info: &[TopicInfo] = &figures.topics;
    let mut rows: Vec<TopicRow> = info
        .iter()
        .enumerate()
        .filter(|(_, t)| t.parent.is_none())
        .filter_map(|(index, topic)| {
            let tones = *topics.get(index)?;
            if tones.total() == 0 {
                return None;
            }
            let share = percent(tones.total(), mentions);
            let change = before
                .and_then(|b| b.get(index))
                .filter(|_| before_mentions > 0)
                .map(|b| share - percent(b.total(), before_mentions));
            let mut micro: Vec<(String, f32)> = info
                .iter()
                .enumerate()
                .filter(|(_, t)| t.parent == Some(index))
                .filter_map(|(i, t)| {
                    let n = topics.get(i)?.total();
                    (n > 0).then(|| (t.name.clone(), percent(n, mentions)))
                })
                .collect();
            micro.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            Some(TopicRow {
                name: topic.name.clone(),
                share,
                change,
                tones,
                micro,
            })
        })
        .collect();
    rows.sort_by(|a, b| {
        b.share
            .total_cmp(&a.share)
            .then_with(|| a.name.cmp(&b.name))
    });
    rows
}

/// "Qualité 24 % · Taille 9 %"; a micro topic that would read "0 %" is left out.
pub fn micro_text(micro: &[(String, f32)]) -> String {
    micro
        .iter()
        .filter(|(_, share)| *share >= 0.5)
        .take(MICRO_SHOWN)
        .map(|(name, share)| format!("{name} {share:.0} %"))
        .collect::<Vec<_>>()
        .join(" · ")
}

fn update_topics(
    data: Res<WallData>,
    settings: Res<WallSettings>,
    layout: Res<crate::wall::WallLayout>,
    lobby_filter: Res<crate::wall::tiles::stream::Lobby>,
    tiles: Query<(Entity, &TopicsTile)>,
    parents: Query<&ChildOf>,
    mut texts: Query<(Entity, &TopicText, &mut Text)>,
    mut nodes: Query<(Entity, &TopicNode, &mut Node), Without<TopicsPlaceholder>>,
    mut placeholders: Query<(Entity, &mut Node), With<TopicsPlaceholder>>,
) {
    let Some(figures) = &data.figures else { return };
    let labels = settings.locale.labels();
    // Topic names are the config's, but a lobby shows nothing its lists would not.
    let lobby = crate::wall::tiles::stream::lobby_of(&layout, &settings, &lobby_filter);
    let public = |text: String| match lobby {
        Some(filter) => filter.mask(&text),
        None => text,
    };
    let views: HashMap<Entity, Vec<TopicRow>> = tiles
        .iter()
        .map(|(entity, tile)| (entity, topic_rows(figures, tile.window_minutes, tile.brand)))
        .collect();
    let row =
        |part: Entity, slot: usize| view_of(&parents, &views, part).and_then(|rows| rows.get(slot));
    for (part, mut node) in &mut placeholders {
        let empty = view_of(&parents, &views, part).is_none_or(Vec::is_empty);
        let display = if empty { Display::Flex } else { Display::None };
        set_display(&mut node, display);
    }
    for (part, text_of, mut text) in &mut texts {
        let shown = match (row(part, text_of.slot), text_of.field) {
            (None, _) => String::new(),
            (Some(r), TopicField::Name) => public(r.name.clone()),
            (Some(r), TopicField::Percent) => format!("{:.0} %", r.share),
            (Some(r), TopicField::Change) => change_text(r.change, labels.points),
            (Some(r), TopicField::Micro) => public(micro_text(&r.micro)),
        };
        set_text(&mut text, &shown);
    }
    for (part, node_of, mut node) in &mut nodes {
        let current = row(part, node_of.slot);
        match node_of.part {
            TopicPart::Row => {
                let display = if current.is_some() {
                    Display::Grid
                } else {
                    Display::None
                };
                set_display(&mut node, display);
            }
            TopicPart::Fill => {
                let wanted = Val::Percent(current.map_or(0.0, |r| r.share.min(100.0)));
                if node.width != wanted {
                    node.width = wanted;
                }
            }
            TopicPart::Tone(tone) => {
                let tones = current.map(|r| r.tones).unwrap_or_default();
                let wanted = super::tone_bar::part_width(&tones, tone);
                if node.width != wanted {
                    node.width = wanted;
                }
            }
        }
    }
}

impl super::TileWidget for TopicsOptions {
    fn widget(&self, fonts: &WallFonts, settings: &WallSettings) -> impl Bundle {
        widget(
            fonts,
            settings,
            self.window_minutes,
            self.brand.index(super::own_brand(settings)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::WindowTotals;

    fn tones(negative: u32, positive: u32) -> ToneCounts {
        ToneCounts {
            negative,
            neutral: 0,
            positive,
        }
    }

    #[test]
    fn rows_rank_macro_topics_with_their_micro_topics_and_change() {
        let topics = vec![
            TopicInfo {
                name: "Produit".into(),
                parent: None,
            },
            TopicInfo {
                name: "Qualité".into(),
                parent: Some(0),
            },
            TopicInfo {
                name: "Taille".into(),
                parent: Some(0),
            },
            TopicInfo {
                name: "Campagne".into(),
                parent: None,
            },
            TopicInfo {
                name: "Livraison".into(),
                parent: None,
            },
        ];
        let figures = Figures {
            topics,
            windows: vec![WindowTotals {
                minutes: 60,
                tones: vec![tones(60, 40)],
                previous_tones: vec![tones(10, 40)],
                topics: vec![vec![
                    tones(5, 15),
                    tones(5, 5),
                    tones(0, 2),
                    tones(50, 0),
                    tones(0, 0),
                ]],
                previous_topics: vec![vec![
                    tones(5, 20),
                    tones(0, 0),
                    tones(0, 0),
                    tones(0, 0),
                    tones(0, 0),
                ]],
                ..WindowTotals::default()
            }],
            ..Figures::default()
        };
        let rows = topic_rows(&figures, 60, 0);
        let summary: Vec<(&str, f32, Option<f32>)> = rows
            .iter()
            .map(|r| (r.name.as_str(), r.share, r.change))
            .collect();
        // Campagne: 50 of 100 mentions, none of the 50 before; Produit: 20 % now, 50 % before;
        // Livraison: nobody, left out.
        assert_eq!(
            summary,
            vec![
                ("Campagne", 50.0, Some(50.0)),
                ("Produit", 20.0, Some(-30.0))
            ]
        );
        assert_eq!(rows[0].tones.negative, 50);
        assert_eq!(micro_text(&rows[1].micro), "Qualité 10 % · Taille 2 %");
        assert_eq!(
            micro_text(&[("Taille".into(), 0.6), ("Prix".into(), 0.3)]),
            "Taille 1 %"
        );
        assert!(topic_rows(&figures, 60, 3).is_empty(), "no such brand");
    }
}
