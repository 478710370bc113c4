//! The alerts: each volume spike episode of any brand, newest first, with when it started, its
//! peak against the usual volume, and whether it is still going on. Consecutive flagged minutes
//! of one brand are one episode, so a storm is one line, not thirty.

mod options;
pub use options::AlertsOptions;

use std::collections::HashMap;

use bevy::prelude::*;
use chrono::{DateTime, Local, TimeDelta, Utc};

use super::on_new_data;
use super::{set_text, shorten, view_of};
use crate::control::RoomState;
use crate::model::{Figures, Spike};
use crate::privacy::{LobbyFilter, brand_handles};
use crate::wall::layout::WallLayout;
use crate::wall::room::{RoomView, handling_label};
use crate::wall::theme::{self, WallFonts};
use crate::wall::tiles::stream::{Lobby, lobby_of};
use crate::wall::widgets::{block, label, span, tile_panel, tile_title};
use crate::wall::{WallData, WallSettings};

/// Flagged minutes closer than this belong to the same episode.
const EPISODE_GAP: TimeDelta = TimeDelta::minutes(10);
/// An episode whose last flagged minute is this recent is still going on.
const ONGOING_FOR: TimeDelta = TimeDelta::minutes(10);

#[derive(Component, Debug, Clone, Copy)]
pub struct AlertsTile {
    pub max: usize,
}

#[derive(Component)]
pub struct AlertRow(pub usize);

#[derive(Component)]
pub struct AlertStripe(pub usize);

#[derive(Component)]
pub struct AlertText(pub usize);

#[derive(Component)]
pub struct NoAlerts;

/// One brand's run of flagged minutes.
#[derive(Debug, Clone, PartialEq)]
pub struct Episode {
    pub brand: usize,
    pub start: DateTime<Utc>,
    pub last: DateTime<Utc>,
    pub peak: u32,
    /// The usual volume per minute before it started.
    pub baseline: f32,
    pub ongoing: bool,
}

/// The spike episodes in `figures`, newest first.
pub fn episodes(figures: &Figures) -> Vec<Episode> {
    let mut spikes: Vec<&Spike> = figures.spikes.iter().collect();
    spikes.sort_by_key(|s| (s.brand, s.minute));
    let mut found: Vec<Episode> = Vec::new();
    for spike in spikes {
        match found.last_mut() {
            Some(episode)
                if episode.brand == spike.brand && spike.minute - episode.last <= EPISODE_GAP =>
            {
                episode.last = spike.minute;
                episode.peak = episode.peak.max(spike.count);
            }
            _ => found.push(Episode {
                brand: spike.brand,
                start: spike.minute,
                last: spike.minute,
                peak: spike.count,
                baseline: spike.baseline,
                ongoing: false,
            }),
        }
    }
    for episode in &mut found {
        episode.ongoing = figures.now - episode.last <= ONGOING_FOR;
    }
    found.sort_by_key(|e| std::cmp::Reverse(e.last));
    found
}

pub fn plugin(app: &mut App) {
    app.add_systems(Update, on_new_data(update_alerts));
}

pub fn widget(fonts: &WallFonts, settings: &WallSettings, max: usize) -> impl Bundle {
    let labels = settings.locale.labels();
    let rows: Vec<_> = (0..max).map(|index| alert_row(fonts, index)).collect();
    (
        tile_panel("alerts"),
        AlertsTile { max },
        Children::spawn((
            Spawn(tile_title(labels.alerts_title, fonts)),
            Spawn((
                NoAlerts,
                label(
                    labels.no_alerts,
                    &fonts.regular,
                    theme::SIZE_BODY,
                    theme::MUTED,
                ),
            )),
            SpawnIter(rows.into_iter()),
        )),
    )
}

/// A row, hidden until it has an alert: its stripe, its summary over its detail.
fn alert_row(fonts: &WallFonts, index: usize) -> impl Bundle {
    (
        AlertRow(index),
        Node {
            display: Display::None,
            flex_direction: FlexDirection::Row,
            column_gap: Val::Px(14.0),
            min_height: Val::Px(0.0),
            border_radius: BorderRadius::all(Val::Px(8.0)),
            overflow: Overflow::clip(),
            ..default()
        },
        BackgroundColor(theme::TILE_RAISED),
        children![
            (
                AlertStripe(index),
                block(
                    Node {
                        width: Val::Px(8.0),
                        flex_shrink: 0.0,
                        ..default()
                    },
                    theme::ALERT,
                ),
            ),
            (
                AlertText(index),
                label("", &fonts.bold, theme::SIZE_BODY, theme::TEXT),
                Node {
                    padding: UiRect::axes(Val::Px(0.0), Val::Px(10.0)),
                    ..default()
                },
                children![span("", &fonts.regular, theme::SIZE_LABEL, theme::MUTED)],
            ),
        ],
    )
}

/// The episode's line: "14:05 · Petit Loup · EN COURS", then "87 / min (habituel 6)".
pub fn episode_lines(
    episode: &Episode,
    figures: &Figures,
    settings: &WallSettings,
) -> (String, String) {
    let labels = settings.locale.labels();
    let brand = figures
        .brands
        .get(episode.brand)
        .map_or("?", |b| b.name.as_str());
    let at = episode.start.with_timezone(&Local).format("%H:%M");
    let mut head = format!("{at} · {brand}");
    if episode.ongoing {
        head.push_str(&format!(" · {}", labels.alert_active));
    }
    let detail = format!(
        "\n{} {} ({} {:.0})",
        episode.peak, labels.per_minute, labels.usual, episode.baseline
    );
    (head, detail)
}

/// Characters of an alert's summary that fit one line of the tile.
const HEAD_CHARS: usize = 56;
/// Characters of its first post on the detail line.
const EVIDENCE_CHARS: usize = 40;

/// One line of the tile, whatever it comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertLine {
    pub head: String,
    pub detail: String,
    pub stripe: Color,
    pub head_color: Color,
}

/// The tile's lines: the alerts of the configured rules when there are any, else the spike
/// episodes (a config without `[[alerts]]`).
/// `lobby`: a lobby shows no author, masks swear words and hides the handles in summaries and
/// posts.
pub fn alert_lines(
    figures: &Figures,
    settings: &WallSettings,
    lobby: Option<&LobbyFilter>,
    approval: Option<&crate::layout::approval::Approval>,
    room: &RoomState,
) -> Vec<AlertLine> {
    let keep = brand_handles(settings.brands.iter().map(|b| b.name.as_str()));
    let public = |text: &str| match lobby {
        Some(filter) => filter.public_text(text, &keep),
        None => text.to_string(),
    };
    if figures.alerts.is_empty() {
        return episodes(figures)
            .iter()
            .map(|episode| {
                let (head, detail) = episode_lines(episode, figures, settings);
                AlertLine {
                    head,
                    detail,
                    stripe: if episode.ongoing {
                        theme::ALERT
                    } else {
                        theme::NEUTRAL
                    },
                    head_color: if episode.ongoing {
                        theme::ALERT
                    } else {
                        theme::TEXT
                    },
                }
            })
            .collect();
    }
    let labels = settings.locale.labels();
    figures
        .alerts
        .iter()
        .map(|alert| {
            let start = alert.started_at.with_timezone(&Local).format("%H:%M");
            let state = match alert.ended_at {
                None => labels.alert_active.to_string(),
                Some(end) => format!(
                    "{} {}",
                    labels.alert_ended,
                    end.with_timezone(&Local).format("%H:%M")
                ),
            };
            let mut detail = format!("\n{start} · {state}");
            // A lobby shows no toxic post, not even masked: the alert's own line says enough.
            // Nor a post the room hid, or whose author it blocked.
            let shown = alert
                .evidence
                .first()
                .filter(|post| lobby.is_none_or(|filter| !filter.keeps_off(&post.text)))
                .filter(|post| room.shows_evidence(post))
                .filter(|post| approval.is_none_or(|rules| room.approves_evidence(post, rules)));
            if let Some(post) = shown {
                let text = shorten(&public(&post.text), EVIDENCE_CHARS);
                if lobby.is_some() {
                    detail.push_str(&format!(" · {text}"));
                } else {
                    detail.push_str(&format!(" · @{}: {text}", post.author));
                }
            }
            // Who took it in hand, except in a lobby, which names no one.
            if lobby.is_none()
                && let Some(handled) = handling_label(room, alert, settings.locale)
            {
                detail.push_str(&format!(" · {handled}"));
            }
            let colour = theme::severity_colour(alert.severity);
            AlertLine {
                // One line at five metres: the whole sentence is on the banner and in the sinks.
                head: shorten(&public(&alert.summary), HEAD_CHARS),
                detail,
                stripe: if alert.is_active() {
                    colour
                } else {
                    theme::NEUTRAL
                },
                head_color: if alert.is_active() {
                    colour
                } else {
                    theme::MUTED
                },
            }
        })
        .collect()
}

fn update_alerts(
    data: Res<WallData>,
    settings: Res<WallSettings>,
    layout: Res<WallLayout>,
    lobby_filter: Res<Lobby>,
    room: Res<RoomView>,
    tiles: Query<(Entity, &AlertsTile)>,
    parents: Query<&ChildOf>,
    mut rows: Query<(Entity, &AlertRow, &mut Node), Without<NoAlerts>>,
    mut none: Query<&mut Node, (With<NoAlerts>, Without<AlertRow>)>,
    mut stripes: Query<(&AlertStripe, &mut BackgroundColor)>,
    mut texts: Query<(&AlertText, &mut Text, &mut TextColor, &Children)>,
    mut spans: Query<&mut TextSpan>,
) {
    let Some(figures) = &data.figures else { return };
    let lobby = lobby_of(&layout, &settings, &lobby_filter);
    let found = alert_lines(
        figures,
        &settings,
        lobby,
        layout.0.approval.as_ref(),
        &room.state,
    );
    let maxima: HashMap<Entity, usize> = tiles.iter().map(|(tile, t)| (tile, t.max)).collect();
    let limit = |part: Entity| {
        view_of(&parents, &maxima, part)
            .copied()
            .unwrap_or(0)
            .min(found.len())
    };
    for mut node in &mut none {
        let wanted = if found.is_empty() {
            Display::Flex
        } else {
            Display::None
        };
        if node.display != wanted {
            node.display = wanted;
        }
    }
    for (part, row, mut node) in &mut rows {
        let wanted = if row.0 < limit(part) {
            Display::Flex
        } else {
            Display::None
        };
        if node.display != wanted {
            node.display = wanted;
        }
    }
    for (stripe, mut color) in &mut stripes {
        if let Some(line) = found.get(stripe.0) {
            color.set_if_neq(BackgroundColor(line.stripe));
        }
    }
    for (text_of, mut text, mut color, children) in &mut texts {
        let Some(line) = found.get(text_of.0) else {
            continue;
        };
        set_text(&mut text, &line.head);
        color.set_if_neq(TextColor(line.head_color));
        if let Some(mut span) = children.first().and_then(|c| spans.get_mut(*c).ok()) {
            super::set_span(&mut span, &line.detail);
        }
    }
}

impl super::TileWidget for AlertsOptions {
    fn widget(&self, fonts: &WallFonts, settings: &WallSettings) -> impl Bundle {
        widget(fonts, settings, self.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::BrandInfo;

    fn spike(brand: usize, minute: i64, count: u32) -> Spike {
        let at = DateTime::from_timestamp(minute * 60, 0).unwrap_or_default();
        Spike {
            brand,
            minute: at,
            count,
            baseline: 5.0,
            score: 9.0,
            detected_at: at,
        }
    }

    #[test]
    fn a_lobby_shows_no_toxic_evidence_post() {
        use crate::alerts::{Alert, EvidencePost, Severity, Trigger};
        let settings = WallSettings::shipped();
        let at = DateTime::from_timestamp(600, 0).unwrap_or_default();
        let post = |text: &str| EvidencePost {
            id: "p".into(),
            author: "lea_12".into(),
            text: text.into(),
            url: None,
            platform: crate::model::Platform::X,
            engagement: 10,
            tone: crate::model::Tone::Negative,
        };
        let alert = |text: &str| Alert {
            id: 1,
            rule: "mots".into(),
            severity: Severity::Warning,
            brand: Some("Petit Loup".into()),
            trigger: Trigger::Keyword {
                word: "affiches".into(),
            },
            summary: "Petit Loup : « affiches »".into(),
            evidence: vec![post(text)],
            started_at: at,
            updated_at: at,
            ended_at: None,
        };
        let figures = |text: &str| Figures {
            now: at,
            alerts: vec![alert(text)],
            ..Default::default()
        };
        let lobby = LobbyFilter::shipped();
        let toxic = figures("je vais te tuer à cause de ces affiches");
        let lines = alert_lines(&toxic, &settings, Some(&lobby), None, &RoomState::default());
        assert!(!lines[0].detail.contains("tuer"), "{}", lines[0].detail);
        // In the room, and for a post that is not toxic, the post shows.
        let room = alert_lines(&toxic, &settings, None, None, &RoomState::default());
        assert!(room[0].detail.contains("@lea_12"), "{}", room[0].detail);
        let fine = figures("ces affiches sont nulles");
        let lines = alert_lines(&fine, &settings, Some(&lobby), None, &RoomState::default());
        assert!(
            lines[0].detail.contains("ces affiches"),
            "{}",
            lines[0].detail
        );
        assert!(!lines[0].detail.contains("lea_12"), "{}", lines[0].detail);
    }

    #[test]
    fn consecutive_minutes_are_one_episode_newest_first() {
        let figures = Figures {
            now: DateTime::from_timestamp(130 * 60, 0).unwrap_or_default(),
            brands: vec![
                BrandInfo {
                    name: "A".into(),
                    own: true,
                    color: "#ffffff".into(),
                };
                2
            ],
            spikes: vec![
                spike(0, 100, 40),
                spike(0, 101, 90),
                spike(0, 104, 60),
                spike(1, 125, 20),
                spike(0, 60, 30),
            ],
            active_alerts: 1,
            ..Figures::default()
        };
        let found = episodes(&figures);
        assert_eq!(found.len(), 3);
        assert_eq!(found[0].brand, 1);
        assert!(found[0].ongoing);
        assert_eq!(
            found[1].peak, 90,
            "the storm's three minutes are one episode"
        );
        assert!(!found[1].ongoing, "its last minute is 26 minutes old");
        assert_eq!(found[2].start.timestamp(), 60 * 60);
    }
}
