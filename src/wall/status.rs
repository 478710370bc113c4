//! The status line at the foot of the wall: each source's health (live / stale since 14:02 /
//! failed: reason) and the counters that say nothing was lost silently.

use bevy::prelude::*;
use chrono::Local;

use super::theme::{self, WallFonts};
use super::tiles::{group_thousands, on_new_data, set_text};
use super::widgets::label;
use super::{WallData, WallSettings};
use crate::i18n::Labels;
use crate::model::{Figures, HealthState};

#[derive(Component)]
pub struct SourcesText;

#[derive(Component)]
pub struct CountersText;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(Update, on_new_data(update_status));
}

/// The strip: the sources on the left, the counters on the right.
pub fn widget(fonts: &WallFonts) -> impl Bundle {
    (
        Name::new("status"),
        Node {
            display: Display::Flex,
            flex_direction: FlexDirection::Row,
            justify_content: JustifyContent::SpaceBetween,
            align_items: AlignItems::Center,
            padding: UiRect::horizontal(Val::Px(8.0)),
            ..default()
        },
        children![
            (
                SourcesText,
                label("", &fonts.regular, theme::SIZE_LABEL, theme::MUTED),
            ),
            (
                CountersText,
                label("", &fonts.regular, theme::SIZE_LABEL, theme::MUTED),
            ),
        ],
    )
}

/// The status line shows at most this many characters of sources; the rest are counted.
const MAX_SOURCES_CHARS: usize = 150;

/// "demo: en direct · 12 345" for each source, the troubled ones first, and the worst state's
/// colour. Sources that do not fit are counted ("+3 autres"), troubled ones never left out
/// before live ones.
pub fn sources_line(figures: &Figures, labels: &Labels) -> (String, Color) {
    let mut worst = theme::MUTED;
    let mut parts: Vec<(u8, String)> = figures
        .sources
        .iter()
        .map(|s| {
            let (severity, state) = state_words(&s.state, labels, |reason| shorten(reason, 40));
            let state = match severity {
                0 => {
                    worst = theme::NEGATIVE;
                    format!("{}: {state}", labels.source_failed)
                }
                1 => {
                    if worst != theme::NEGATIVE {
                        worst = theme::ALERT;
                    }
                    state
                }
                _ => state,
            };
            let mut line = format!("{}: {state} · {}", s.name, group_thousands(s.received));
            // Losses are named only when there are some.
            for (count, what) in [(s.malformed, labels.malformed), (s.dropped, labels.dropped)] {
                if count > 0 {
                    line.push_str(&format!(" · {} {what}", group_thousands(count)));
                }
            }
            (severity, line)
        })
        .collect();
    // Stable: sources of the same state keep the config's order.
    parts.sort_by_key(|(severity, _)| *severity);
    let mut shown: Vec<String> = Vec::new();
    let mut length = 0;
    for (index, (_, part)) in parts.iter().enumerate() {
        let more = parts.len() - index;
        if !shown.is_empty() && length + part.chars().count() > MAX_SOURCES_CHARS {
            shown.push((labels.more_sources)(more));
            break;
        }
        length += part.chars().count() + 4;
        shown.push(part.clone());
    }
    (shown.join("    "), worst)
}

/// How troubled a source's state is (0 failed, 1 silent, 2 starting, 3 live, 4 finished: the
/// order the wall lists sources in) and what it says: a failure's kind (or its reason, as
/// `reason` shortens it) and when the source tries again; since when it is silent; or the
/// state's word. The status line and the sources tile both read it.
pub fn state_words(
    state: &HealthState,
    labels: &Labels,
    reason: impl FnOnce(&str) -> String,
) -> (u8, String) {
    let clock = |at: &chrono::DateTime<chrono::Utc>| at.with_timezone(&Local).format("%H:%M");
    match state {
        HealthState::Failed {
            reason: why,
            kind,
            retry_at,
        } => {
            let what = (labels.failure)(*kind).unwrap_or_else(|| reason(why));
            (0, format!("{what} · {} {}", labels.retry, clock(retry_at)))
        }
        HealthState::Stale { since } => {
            (1, format!("{} {}", labels.source_stale_since, clock(since)))
        }
        HealthState::Starting => (2, labels.source_starting.to_string()),
        HealthState::Live => (3, labels.source_live.to_string()),
        HealthState::Finished => (4, labels.source_finished.to_string()),
    }
}

/// The first `max` characters, cut at a word, with an ellipsis.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    let end = cut.rfind(' ').unwrap_or(cut.len());
    format!("{}…", cut[..end].trim_end())
}

fn update_status(
    data: Res<WallData>,
    settings: Res<WallSettings>,
    mut sources: Query<(&mut Text, &mut TextColor), (With<SourcesText>, Without<CountersText>)>,
    mut counters: Query<(&mut Text, &mut TextColor), (With<CountersText>, Without<SourcesText>)>,
) {
    let Some(figures) = &data.figures else { return };
    let labels = settings.locale.labels();
    let (line, color) = sources_line(figures, labels);
    for (mut text, mut text_color) in &mut sources {
        set_text(&mut text, &line);
        text_color.set_if_neq(TextColor(color));
    }
    let (counters_line, counters_color) = counters_line(figures, settings.locale);
    for (mut text, mut text_color) in &mut counters {
        set_text(&mut text, &counters_line);
        text_color.set_if_neq(TextColor(counters_color));
    }
}

/// The counters that prove nothing was lost silently, and the history's state; amber when
/// something was lost or cannot be kept.
pub fn counters_line(figures: &Figures, locale: crate::i18n::Locale) -> (String, Color) {
    let labels = locale.labels();
    let lost = figures.wall_dropped;
    let counters_line = match locale {
        crate::i18n::Locale::Fr => format!(
            "analysées {} · doublons {} · hors sujet {} · tardives {} · perdues {}",
            group_thousands(figures.processed),
            group_thousands(figures.duplicates),
            group_thousands(figures.unmatched),
            group_thousands(figures.too_late),
            group_thousands(lost)
        ),
        crate::i18n::Locale::En => format!(
            "analysed {} · duplicates {} · off-topic {} · late {} · dropped {}",
            group_thousands(figures.processed),
            group_thousands(figures.duplicates),
            group_thousands(figures.unmatched),
            group_thousands(figures.too_late),
            group_thousands(lost)
        ),
    };
    // Posts deleted at their source are named once there are some.
    let counters_line = match (figures.retracted, locale) {
        (0, _) => counters_line,
        (n, crate::i18n::Locale::Fr) => {
            format!("{counters_line} · supprimées {}", group_thousands(n))
        }
        (n, crate::i18n::Locale::En) => format!("{counters_line} · deleted {}", group_thousands(n)),
    };
    // Events the history could not keep: the room must know its archive has a hole.
    let counters_line = match (figures.history_lost, locale) {
        (0, _) => counters_line,
        (n, crate::i18n::Locale::Fr) => {
            format!("{counters_line} · non archivées {}", group_thousands(n))
        }
        (n, crate::i18n::Locale::En) => {
            format!("{counters_line} · not stored {}", group_thousands(n))
        }
    };
    // A history that cannot be written is named with its reason, however long the line.
    let counters_line = match &figures.history_problem {
        None => counters_line,
        Some(reason) => format!(
            "{counters_line} · {} {}",
            labels.history_unavailable,
            short_reason(reason)
        ),
    };
    let counters_color =
        if lost > 0 || figures.history_lost > 0 || figures.history_problem.is_some() {
            theme::ALERT
        } else {
            theme::MUTED
        };
    (counters_line, counters_color)
}

/// An error chain as the status line can hold it: whole when it is short ("cannot create the
/// data folder /srv/vigie: No space left on device"), else its last, most precise part, cut.
fn short_reason(reason: &str) -> String {
    const ROOM: usize = 90;
    let text = if reason.chars().count() <= ROOM {
        reason
    } else {
        reason.rsplit(": ").next().unwrap_or(reason)
    };
    let mut short: String = text.chars().take(ROOM).collect();
    if text.chars().count() > ROOM {
        short.push('…');
    }
    short
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{EN, FR, Locale};
    use crate::model::{FailureKind, SourceHealth};
    use chrono::{TimeZone, Utc};

    #[test]
    fn a_history_that_cannot_be_written_is_named_on_the_counters_line() {
        let fine = Figures {
            processed: 1200,
            ..Figures::default()
        };
        let (line, colour) = counters_line(&fine, Locale::Fr);
        assert!(!line.contains("historique"), "{line}");
        assert_eq!(colour, theme::MUTED);
        let failing = Figures {
            history_lost: 37,
            history_problem: Some(
                "cannot create the data folder /srv/vigie: No space left on device (os error 28)"
                    .into(),
            ),
            ..fine
        };
        let (line, colour) = counters_line(&failing, Locale::Fr);
        assert!(
            line.ends_with(
                "non archivées 37 · historique indisponible : cannot create the data folder \
                 /srv/vigie: No space left on device (os error 28)"
            ),
            "{line}"
        );
        assert_eq!(colour, theme::ALERT);
        let (line, _) = counters_line(&failing, Locale::En);
        assert!(
            line.ends_with(
                "not stored 37 · history unavailable: cannot create the data folder /srv/vigie: \
                 No space left on device (os error 28)"
            ),
            "{line}"
        );
    }

    fn figures(sources: Vec<SourceHealth>) -> Figures {
        Figures {
            sources,
            ..Figures::default()
        }
    }

    fn source(name: &str, state: HealthState) -> SourceHealth {
        SourceHealth {
            name: name.into(),
            state,
            received: 1234,
            malformed: 0,
            dropped: 0,
            last_received: None,
            newest_post: None,
            per_minute: 0.0,
            quota: None,
        }
    }

    #[test]
    fn a_failed_source_comes_first_in_the_wall_language_with_its_retry_time() {
        let retry_at = Local
            .with_ymd_and_hms(2026, 11, 25, 14, 2, 0)
            .single()
            .expect("a local time")
            .with_timezone(&Utc);
        let failed = HealthState::Failed {
            reason: "401: bad or missing token (env VIGIE_MASTODON_TOKEN)".into(),
            kind: FailureKind::Unauthorized,
            retry_at,
        };
        let f = figures(vec![
            source("demo", HealthState::Live),
            source("mastodon", failed),
        ]);
        let (line, colour) = sources_line(&f, &FR);
        assert_eq!(
            line,
            "mastodon: en échec: jeton refusé (401) · nouvel essai 14:02 · 1\u{202f}234    demo: en direct · 1\u{202f}234"
        );
        assert_eq!(colour, theme::NEGATIVE);
        let (line, _) = sources_line(&f, &EN);
        assert!(
            line.starts_with("mastodon: failed: token refused (401) · retry 14:02"),
            "{line}"
        );
    }

    #[test]
    fn an_unknown_failure_shows_its_reason_shortened_and_a_crowded_line_counts_the_rest() {
        let failed = HealthState::Failed {
            reason: "webhook server stopped: cannot listen on 127.0.0.1:8787: address in use"
                .into(),
            kind: FailureKind::Other,
            retry_at: Utc::now(),
        };
        let mut sources = vec![source("crm", failed)];
        for n in 0..12 {
            sources.push(source(&format!("feed {n}"), HealthState::Live));
        }
        let (line, _) = sources_line(&figures(sources), &EN);
        assert!(
            line.starts_with("crm: failed: webhook server stopped: cannot listen…"),
            "{line}"
        );
        assert!(line.ends_with("more"), "{line}");
        assert!(line.chars().count() < MAX_SOURCES_CHARS + 40, "{line}");
    }
}
