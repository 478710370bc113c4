//! Sources: what the wall hears, so that nobody mistakes silence for calm. A row per source
//! (the troubled ones first): its state, how old its newest post is, its posts a minute, and
//! the share of its platform's quota it has used; under them, the major platforms no source
//! listens to.

mod options;
pub use options::{MAX_SOURCE_ROWS, SourcesOptions};

use std::collections::HashMap;

use bevy::prelude::*;
use chrono::{DateTime, Utc};

use super::{group_thousands, on_new_data, set_display, set_text, shorten, view_of};
use crate::i18n::{Labels, Locale};
use crate::model::{Figures, SourceHealth};
use crate::wall::theme::{self, WallFonts};
use crate::wall::widgets::{label, tile_panel, tile_title};
use crate::wall::{WallData, WallSettings};

/// What fits in the name and state columns of a screen-wide tile at the wall's sizes.
const MAX_NAME_CHARS: usize = 24;
const MAX_STATE_CHARS: usize = 32;

/// A quota used past this share is shown amber; past the next, red.
const QUOTA_WARN: f32 = 0.75;
const QUOTA_ALARM: f32 = 0.9;

#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourcesTile {
    pub rows: usize,
    pub blind_spots: bool,
}

#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceRowNode(pub usize);

#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceText {
    pub row: usize,
    pub field: SourceField,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceField {
    Name,
    State,
    Newest,
    Rate,
    Quota,
}

/// The state's coloured dot.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceDot(pub usize);

/// The quota's bar, as wide as the share used.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaFill(pub usize);

#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaTrack(pub usize);

#[derive(Component)]
pub struct BlindSpotsText;

/// One source as its row shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceLine {
    pub name: String,
    pub state: String,
    pub color: Color,
    pub newest: String,
    pub rate: String,
    /// The quota's figures, its share used and its colour.
    pub quota: Option<(String, f32, Color)>,
}

pub fn plugin(app: &mut App) {
    app.add_systems(Update, on_new_data(update_sources));
}

/// Each source's line, the troubled first (failed, then stale), the config's order within.
pub fn source_lines(figures: &Figures, labels: &Labels, locale: Locale) -> Vec<SourceLine> {
    let mut lines: Vec<(u8, SourceLine)> = figures
        .sources
        .iter()
        .map(|source| line_of(source, figures.now, labels, locale))
        .collect();
    lines.sort_by_key(|(severity, _)| *severity);
    lines.into_iter().map(|(_, line)| line).collect()
}

fn line_of(
    source: &SourceHealth,
    now: DateTime<Utc>,
    labels: &Labels,
    locale: Locale,
) -> (u8, SourceLine) {
    let (severity, state) =
        crate::wall::status::state_words(&source.state, labels, |reason| shorten(reason, 28));
    let color = match severity {
        0 => theme::NEGATIVE,
        1 => theme::ALERT,
        3 => theme::POSITIVE,
        _ => theme::MUTED,
    };
    let newest = source
        .newest_post
        .map(|at| labels.age((now - at).num_seconds().max(0)))
        .unwrap_or_else(|| "—".into());
    let quota = source.quota.map(|quota| {
        let share = quota.fraction();
        let tint = if share >= QUOTA_ALARM {
            theme::NEGATIVE
        } else if share >= QUOTA_WARN {
            theme::ALERT
        } else {
            theme::TEXT
        };
        (
            format!(
                "{} / {} {}",
                group_thousands(quota.used),
                group_thousands(quota.limit),
                (labels.quota_period)(quota.period)
            ),
            share,
            tint,
        )
    });
    (
        severity,
        SourceLine {
            name: source.name.clone(),
            state,
            color,
            newest,
            rate: rate(source.per_minute, locale),
            quota,
        },
    )
}

/// Posts a minute: one decimal under ten, whole above, with the locale's decimal mark.
fn rate(per_minute: f32, locale: Locale) -> String {
    let text = if per_minute < 10.0 {
        format!("{per_minute:.1}")
    } else {
        group_thousands(per_minute.round() as u64)
    };
    match locale {
        Locale::Fr => text.replace('.', ","),
        Locale::En => text,
    }
}

pub fn widget(fonts: &WallFonts, settings: &WallSettings, options: &SourcesOptions) -> impl Bundle {
    let labels = settings.locale.labels();
    let header: Vec<_> = labels
        .sources_columns
        .iter()
        .map(|title| label(*title, &fonts.regular, theme::SIZE_SMALL, theme::MUTED))
        .collect();
    let rows: Vec<_> = (0..options.rows)
        .map(|row| source_row(fonts, row))
        .collect();
    let spots = crate::ingest::coverage::blind_spots(&settings.listened);
    let blind = if options.blind_spots && !spots.is_empty() {
        format!("{} {}", labels.not_connected, spots.join(" · "))
    } else {
        String::new()
    };
    (
        tile_panel("sources"),
        SourcesTile {
            rows: options.rows,
            blind_spots: options.blind_spots,
        },
        children![
            tile_title(labels.sources_title, fonts),
            (
                Node {
                    display: Display::Grid,
                    grid_template_columns: columns(),
                    column_gap: Val::Px(14.0),
                    padding: UiRect::left(Val::Px(30.0)),
                    ..default()
                },
                Children::spawn(SpawnIter(header.into_iter())),
            ),
            (
                // Shrinks to what the tile has left, so that the blind spots stay in view.
                Node {
                    display: Display::Flex,
                    flex_direction: FlexDirection::Column,
                    flex_grow: 1.0,
                    flex_basis: Val::Px(0.0),
                    min_height: Val::Px(0.0),
                    row_gap: Val::Px(12.0),
                    overflow: Overflow::clip(),
                    ..default()
                },
                Children::spawn(SpawnIter(rows.into_iter())),
            ),
            (
                BlindSpotsText,
                label(blind, &fonts.bold, theme::SIZE_LABEL, theme::ALERT),
            ),
        ],
    )
}

/// Name, state, newest post, rate, quota.
fn columns() -> Vec<RepeatedGridTrack> {
    vec![
        GridTrack::fr(1.6),
        GridTrack::fr(1.7),
        GridTrack::fr(1.1),
        GridTrack::fr(0.8),
        GridTrack::fr(1.6),
    ]
}

/// A text of a row, cut where its column ends.
fn cell(
    row: usize,
    field: SourceField,
    font: &Handle<Font>,
    size: f32,
    color: Color,
) -> impl Bundle {
    (
        SourceText { row, field },
        label("", font, size, color),
        TextLayout::new(Justify::Left, LineBreak::NoWrap),
        Node {
            overflow: Overflow::clip(),
            min_width: Val::Px(0.0),
            ..default()
        },
    )
}

fn source_row(fonts: &WallFonts, row: usize) -> impl Bundle {
    (
        Name::new(format!("source {row}")),
        SourceRowNode(row),
        Node {
            display: Display::None,
            flex_direction: FlexDirection::Row,
            align_items: AlignItems::Center,
            column_gap: Val::Px(12.0),
            ..default()
        },
        children![
            (
                SourceDot(row),
                Node {
                    width: Val::Px(18.0),
                    height: Val::Px(18.0),
                    flex_shrink: 0.0,
                    border_radius: BorderRadius::MAX,
                    ..default()
                },
                BackgroundColor(theme::MUTED),
            ),
            (
                Node {
                    display: Display::Grid,
                    flex_grow: 1.0,
                    grid_template_columns: columns(),
                    column_gap: Val::Px(14.0),
                    align_items: AlignItems::Center,
                    ..default()
                },
                children![
                    cell(
                        row,
                        SourceField::Name,
                        &fonts.bold,
                        theme::SIZE_BODY,
                        theme::TEXT
                    ),
                    cell(
                        row,
                        SourceField::State,
                        &fonts.regular,
                        theme::SIZE_LABEL,
                        theme::MUTED
                    ),
                    cell(
                        row,
                        SourceField::Newest,
                        &fonts.regular,
                        theme::SIZE_LABEL,
                        theme::TEXT
                    ),
                    cell(
                        row,
                        SourceField::Rate,
                        &fonts.regular,
                        theme::SIZE_LABEL,
                        theme::TEXT
                    ),
                    (
                        Node {
                            display: Display::Flex,
                            flex_direction: FlexDirection::Column,
                            row_gap: Val::Px(4.0),
                            min_width: Val::Px(0.0),
                            ..default()
                        },
                        children![
                            cell(
                                row,
                                SourceField::Quota,
                                &fonts.regular,
                                theme::SIZE_SMALL,
                                theme::TEXT
                            ),
                            (
                                QuotaTrack(row),
                                Node {
                                    height: Val::Px(6.0),
                                    width: Val::Percent(100.0),
                                    border_radius: BorderRadius::all(Val::Px(3.0)),
                                    overflow: Overflow::clip(),
                                    ..default()
                                },
                                BackgroundColor(theme::TRACK),
                                children![(
                                    QuotaFill(row),
                                    Node {
                                        height: Val::Percent(100.0),
                                        width: Val::Percent(0.0),
                                        ..default()
                                    },
                                    BackgroundColor(theme::TEXT),
                                )],
                            ),
                        ],
                    ),
                ],
            ),
        ],
    )
}

#[allow(clippy::too_many_arguments)]
fn update_sources(
    data: Res<WallData>,
    settings: Res<WallSettings>,
    tiles: Query<(Entity, &SourcesTile)>,
    parents: Query<&ChildOf>,
    mut rows: Query<(Entity, &SourceRowNode, &mut Node), (Without<QuotaFill>, Without<QuotaTrack>)>,
    mut texts: Query<(Entity, &SourceText, &mut Text, &mut TextColor)>,
    mut dots: Query<
        (Entity, &SourceDot, &mut BackgroundColor),
        (Without<QuotaFill>, Without<QuotaTrack>),
    >,
    mut fills: Query<(Entity, &QuotaFill, &mut Node, &mut BackgroundColor), Without<QuotaTrack>>,
    mut tracks: Query<(Entity, &QuotaTrack, &mut Node), Without<QuotaFill>>,
) {
    let Some(figures) = &data.figures else { return };
    let labels = settings.locale.labels();
    let lines = source_lines(figures, labels, settings.locale);
    let views: HashMap<Entity, usize> = tiles.iter().map(|(e, tile)| (e, tile.rows)).collect();
    let line = |part: Entity, row: usize| {
        view_of(&parents, &views, part)
            .filter(|shown| row < **shown)
            .and_then(|_| lines.get(row))
    };
    for (part, row, mut node) in &mut rows {
        let display = if line(part, row.0).is_some() {
            Display::Flex
        } else {
            Display::None
        };
        set_display(&mut node, display);
    }
    for (part, dot, mut color) in &mut dots {
        if let Some(line) = line(part, dot.0) {
            color.set_if_neq(BackgroundColor(line.color));
        }
    }
    for (part, text_of, mut text, mut color) in &mut texts {
        let Some(line) = line(part, text_of.row) else {
            continue;
        };
        let (value, tint) = match text_of.field {
            // Cut to their columns: a text node does not clip what it draws.
            SourceField::Name => (shorten(&line.name, MAX_NAME_CHARS), theme::TEXT),
            SourceField::State => (shorten(&line.state, MAX_STATE_CHARS), line.color),
            SourceField::Newest => (line.newest.clone(), theme::TEXT),
            SourceField::Rate => (line.rate.clone(), theme::TEXT),
            SourceField::Quota => line
                .quota
                .as_ref()
                .map_or(("—".to_string(), theme::MUTED), |(text, _, tint)| {
                    (text.clone(), *tint)
                }),
        };
        set_text(&mut text, &value);
        color.set_if_neq(TextColor(tint));
    }
    for (part, track, mut node) in &mut tracks {
        let shown = line(part, track.0).is_some_and(|l| l.quota.is_some());
        set_display(&mut node, if shown { Display::Flex } else { Display::None });
    }
    for (part, fill, mut node, mut color) in &mut fills {
        if let Some((_, share, tint)) = line(part, fill.0).and_then(|l| l.quota.as_ref()) {
            let width = Val::Percent(share * 100.0);
            if node.width != width {
                node.width = width;
            }
            color.set_if_neq(BackgroundColor(*tint));
        }
    }
}

impl super::TileWidget for SourcesOptions {
    fn widget(&self, fonts: &WallFonts, settings: &WallSettings) -> impl Bundle {
        widget(fonts, settings, self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FailureKind, HealthState, Quota, QuotaPeriod};

    fn source(name: &str, state: HealthState) -> SourceHealth {
        SourceHealth {
            name: name.into(),
            state,
            received: 10,
            malformed: 0,
            dropped: 0,
            last_received: None,
            newest_post: None,
            per_minute: 0.0,
            quota: None,
        }
    }

    #[test]
    fn troubled_sources_come_first_with_their_freshness_rate_and_quota() {
        let now: DateTime<Utc> = "2026-11-25T12:00:00Z".parse().expect("time");
        let youtube = SourceHealth {
            newest_post: Some(now - chrono::TimeDelta::minutes(7)),
            per_minute: 2.46,
            quota: Some(Quota {
                used: 9_300,
                limit: 10_000,
                period: QuotaPeriod::Day,
            }),
            ..source("youtube", HealthState::Live)
        };
        let x = source(
            "x",
            HealthState::Failed {
                reason: "quota spent, renewed in 3 h 00 min".into(),
                kind: FailureKind::QuotaSpent,
                retry_at: now + chrono::TimeDelta::hours(3),
            },
        );
        let figures = Figures {
            now,
            sources: vec![youtube, x],
            ..Figures::default()
        };
        let lines = source_lines(&figures, Locale::Fr.labels(), Locale::Fr);
        assert_eq!(lines[0].name, "x", "the failed one first");
        assert!(
            lines[0].state.starts_with("quota épuisé · nouvel essai"),
            "{}",
            lines[0].state
        );
        assert_eq!(lines[1].newest, "il y a 7 min");
        assert_eq!(lines[1].rate, "2,5");
        let (text, share, tint) = lines[1].quota.clone().expect("a quota");
        assert_eq!(
            text,
            format!(
                "{} / {} aujourd'hui",
                group_thousands(9_300),
                group_thousands(10_000)
            )
        );
        assert!((share - 0.93).abs() < 1e-6);
        assert_eq!(tint, theme::NEGATIVE, "over 90 %");
        assert_eq!(rate(14.6, Locale::En), "15");
    }
}
