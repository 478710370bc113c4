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

pub fn spawn(commands: &mut Commands, fonts: &WallFonts) -> Entity {
    let strip = commands
        .spawn((
            Name::new("status"),
            Node {
                display: Display::Flex,
                flex_direction: FlexDirection::Row,
                justify_content: JustifyContent::SpaceBetween,
                align_items: AlignItems::Center,
                padding: UiRect::horizontal(Val::Px(8.0)),
                ..default()
            },
        ))
        .id();
    let sources = commands
        .spawn((
            SourcesText,
            label("", &fonts.regular, theme::SIZE_LABEL, theme::MUTED),
        ))
        .id();
    let counters = commands
        .spawn((
            CountersText,
            label("", &fonts.regular, theme::SIZE_LABEL, theme::MUTED),
        ))
        .id();
    commands.entity(strip).add_children(&[sources, counters]);
    strip
}

/// "demo: en direct · 12 345" for each source, and the worst state's colour.
pub fn sources_line(figures: &Figures, labels: &Labels) -> (String, Color) {
    let mut worst = theme::MUTED;
    let parts: Vec<String> = figures
        .sources
        .iter()
        .map(|s| {
            let state = match &s.state {
                HealthState::Starting => labels.source_starting.to_string(),
                HealthState::Live => labels.source_live.to_string(),
                HealthState::Finished => labels.source_finished.to_string(),
                HealthState::Stale { since } => {
                    if worst != theme::NEGATIVE {
                        worst = theme::ALERT;
                    }
                    format!(
                        "{} {}",
                        labels.source_stale_since,
                        since.with_timezone(&Local).format("%H:%M")
                    )
                }
                HealthState::Failed { reason, .. } => {
                    worst = theme::NEGATIVE;
                    format!("{}: {reason}", labels.source_failed)
                }
            };
            let mut line = format!("{}: {state} · {}", s.name, group_thousands(s.received));
            // Losses are named only when there are some.
            for (count, what) in [(s.malformed, labels.malformed), (s.dropped, labels.dropped)] {
                if count > 0 {
                    line.push_str(&format!(" · {} {what}", group_thousands(count)));
                }
            }
            line
        })
        .collect();
    (parts.join("    "), worst)
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
    let lost = figures.wall_dropped;
    let counters_line = match settings.locale {
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
    let counters_color = if lost > 0 { theme::ALERT } else { theme::MUTED };
    for (mut text, mut text_color) in &mut counters {
        set_text(&mut text, &counters_line);
        text_color.set_if_neq(TextColor(counters_color));
    }
}
