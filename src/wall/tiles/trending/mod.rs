//! Trending: a brand's most said words and hashtags over a window, ranked, each with its count
//! and how its rank moved against the window before ("+3", "-2", "nouveau"), so the room sees
//! a new word climbing before it becomes a crisis. In a lobby, swear words are left out (the
//! analysis sends a few more terms than a tile shows, to fill the gap).

mod options;
pub use options::TrendingOptions;

use std::collections::HashMap;

use bevy::prelude::*;

use super::{group_thousands, on_new_data, set_display, set_text, view_of, window_title};
use crate::model::TrendingTerm;
use crate::privacy::LobbyFilter;
use crate::wall::layout::WallLayout;
use crate::wall::theme::{self, WallFonts};
use crate::wall::tiles::stream::{Lobby, lobby_of};
use crate::wall::widgets::{label, tile_panel, tile_title};
use crate::wall::{WallData, WallSettings};

#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrendingTile {
    pub window_minutes: u32,
    pub brand: usize,
    pub rows: usize,
}

/// A text of a row.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrendText {
    pub row: usize,
    pub field: TrendField,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrendField {
    Rank,
    Term,
    Count,
    Change,
}

/// A row, hidden when there is no term of its rank.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrendRow(pub usize);

#[derive(Component)]
pub struct TrendingPlaceholder;

pub fn plugin(app: &mut App) {
    app.add_systems(Update, on_new_data(update_trending));
}

pub fn widget(
    fonts: &WallFonts,
    settings: &WallSettings,
    window_minutes: u32,
    brand: usize,
    rows: usize,
) -> impl Bundle {
    let labels = settings.locale.labels();
    let title = window_title(settings, labels.trending_title, window_minutes, brand);
    let lines: Vec<_> = (0..rows).map(|row| trend_row(fonts, row)).collect();
    (
        tile_panel("trending"),
        TrendingTile {
            window_minutes,
            brand,
            rows,
        },
        children![
            tile_title(title, fonts),
            // A ranking reads from the top: rows stack under the title instead of spreading
            // over the tile, which keeps the last ones clear of the alert banner at the foot of
            // the screen.
            (
                Node {
                    display: Display::Flex,
                    flex_direction: FlexDirection::Column,
                    justify_content: JustifyContent::FlexStart,
                    flex_grow: 1.0,
                    row_gap: Val::Px(14.0),
                    padding: UiRect::top(Val::Px(8.0)),
                    ..default()
                },
                Children::spawn((
                    Spawn((
                        TrendingPlaceholder,
                        label(
                            labels.no_terms,
                            &fonts.regular,
                            theme::SIZE_BODY,
                            theme::MUTED,
                        ),
                    )),
                    SpawnIter(lines.into_iter()),
                )),
            ),
        ],
    )
}

/// A row of the ranking: rank, term, count and change, hidden until it has a term.
fn trend_row(fonts: &WallFonts, row: usize) -> impl Bundle {
    let text = |field| TrendText { row, field };
    (
        Name::new(format!("trend {row}")),
        TrendRow(row),
        Node {
            display: Display::None,
            grid_template_columns: vec![
                GridTrack::px(44.0),
                GridTrack::fr(1.0),
                GridTrack::px(110.0),
                GridTrack::px(130.0),
            ],
            column_gap: Val::Px(12.0),
            align_items: AlignItems::Center,
            ..default()
        },
        children![
            (
                text(TrendField::Rank),
                label("", &fonts.regular, theme::SIZE_BODY, theme::MUTED),
            ),
            (
                text(TrendField::Term),
                label("", &fonts.bold, theme::SIZE_BODY, theme::TEXT),
                TextLayout::new(Justify::Left, LineBreak::NoWrap),
                Node {
                    overflow: Overflow::clip(),
                    ..default()
                },
            ),
            (
                text(TrendField::Count),
                label("", &fonts.regular, theme::SIZE_BODY, theme::TEXT),
                TextLayout::new(Justify::Right, LineBreak::NoWrap),
                Node {
                    justify_self: JustifySelf::End,
                    ..default()
                },
            ),
            (
                text(TrendField::Change),
                label("", &fonts.bold, theme::SIZE_LABEL, theme::MUTED),
                TextLayout::new(Justify::Right, LineBreak::NoWrap),
                Node {
                    justify_self: JustifySelf::End,
                    ..default()
                },
            ),
        ],
    )
}

/// How a term's rank moved, as shown, and its colour: a climb is amber (something is being
/// said more, which is what the room watches for), a fall muted.
pub fn rank_change(rank: usize, term: &TrendingTerm, new_entry: &str) -> (String, Color) {
    match term.previous_rank {
        None => (new_entry.to_string(), theme::ALERT),
        Some(before) => {
            let moved = i64::from(before) - rank as i64;
            match moved {
                0 => ("=".to_string(), theme::MUTED),
                m if m > 0 => (format!("+{m}"), theme::ALERT),
                m => (format!("{m}"), theme::MUTED),
            }
        }
    }
}

/// The terms a tile shows, in order; a lobby leaves out the ones its filter would mask.
pub fn shown_terms<'a>(
    terms: &'a [TrendingTerm],
    rows: usize,
    lobby: Option<&LobbyFilter>,
) -> Vec<&'a TrendingTerm> {
    terms
        .iter()
        .filter(|t| lobby.is_none_or(|filter| filter.mask(&t.text) == t.text))
        .take(rows)
        .collect()
}

fn update_trending(
    data: Res<WallData>,
    settings: Res<WallSettings>,
    layout: Res<WallLayout>,
    lobby_filter: Res<Lobby>,
    tiles: Query<(Entity, &TrendingTile)>,
    parents: Query<&ChildOf>,
    mut texts: Query<(Entity, &TrendText, &mut Text, &mut TextColor)>,
    mut rows: Query<(Entity, &TrendRow, &mut Node), Without<TrendingPlaceholder>>,
    mut placeholders: Query<(Entity, &mut Node), With<TrendingPlaceholder>>,
) {
    let Some(figures) = &data.figures else { return };
    let labels = settings.locale.labels();
    let lobby = lobby_of(&layout, &settings, &lobby_filter);
    let lists: HashMap<Entity, Vec<&TrendingTerm>> = tiles
        .iter()
        .map(|(entity, tile)| {
            let terms = figures
                .trending(tile.window_minutes, tile.brand)
                .map(|list| shown_terms(&list.terms, tile.rows, lobby))
                .unwrap_or_default();
            (entity, terms)
        })
        .collect();
    let term = |part: Entity, row: usize| {
        view_of(&parents, &lists, part).and_then(|l| l.get(row).copied())
    };
    for (part, mut node) in &mut placeholders {
        let empty = view_of(&parents, &lists, part).is_none_or(Vec::is_empty);
        let display = if empty { Display::Flex } else { Display::None };
        set_display(&mut node, display);
    }
    for (part, row, mut node) in &mut rows {
        let display = if term(part, row.0).is_some() {
            Display::Grid
        } else {
            Display::None
        };
        set_display(&mut node, display);
    }
    for (part, text_of, mut text, mut color) in &mut texts {
        let Some(shown) = term(part, text_of.row) else {
            set_text(&mut text, "");
            continue;
        };
        let rank = text_of.row + 1;
        let (value, tint) = match text_of.field {
            TrendField::Rank => (rank.to_string(), theme::MUTED),
            TrendField::Term => (shown.text.clone(), theme::TEXT),
            TrendField::Count => (group_thousands(u64::from(shown.count)), theme::TEXT),
            TrendField::Change => rank_change(rank, shown, labels.new_entry),
        };
        set_text(&mut text, &value);
        color.set_if_neq(TextColor(tint));
    }
}

impl super::TileWidget for TrendingOptions {
    fn widget(&self, fonts: &WallFonts, settings: &WallSettings) -> impl Bundle {
        widget(
            fonts,
            settings,
            self.window_minutes,
            self.brand.index(super::own_brand(settings)),
            self.rows,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(text: &str, previous_rank: Option<u32>) -> TrendingTerm {
        TrendingTerm {
            text: text.into(),
            count: 10,
            previous_rank,
        }
    }

    #[test]
    fn rank_changes_read_as_places_gained_or_lost() {
        assert_eq!(rank_change(1, &term("a", Some(4)), "new").0, "+3");
        assert_eq!(rank_change(3, &term("a", Some(1)), "new").0, "-2");
        assert_eq!(rank_change(2, &term("a", Some(2)), "new").0, "=");
        assert_eq!(rank_change(2, &term("a", None), "nouveau").0, "nouveau");
    }

    #[test]
    fn a_lobby_leaves_swear_words_out_and_still_fills_its_rows() {
        let lexicon = crate::privacy::Lexicon::parse(
            &[crate::privacy::List {
                name: "test",
                category: crate::privacy::Category::Profanity,
                text: "merde",
            }],
            &[],
            "",
        )
        .expect("a list");
        let filter = LobbyFilter::new(lexicon, crate::privacy::LobbyPolicy::default());
        let terms = vec![
            term("affiches", Some(1)),
            term("merde", None),
            term("boycott", None),
            term("enfants", None),
        ];
        let texts = |shown: Vec<&TrendingTerm>| {
            shown
                .iter()
                .map(|t| t.text.clone())
                .collect::<Vec<String>>()
        };
        assert_eq!(
            texts(shown_terms(&terms, 3, Some(&filter))),
            vec!["affiches", "boycott", "enfants"]
        );
        assert_eq!(
            texts(shown_terms(&terms, 2, None)),
            vec!["affiches", "merde"]
        );
    }
}
