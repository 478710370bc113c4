//! Alerts that the whole room sees: a banner across the foot of every screen while an alert is
//! active (the most severe one, and how many others), over the status line rather than over
//! the figures the room needs in a crisis, and a frame that flashes around every screen while
//! one is critical. Flashing is the only thing that wakes a still wall: twice a
//! second, and only while a critical alert lasts. A screen with no status line (the war room's
//! centre and right) makes room for the banner under its tiles while it shows, so that the
//! banner never hides the foot of a chart or the last alert of a list.

use std::time::Duration;

use bevy::prelude::*;

use super::layout::{ScreenRoot, ScreensBuilt, WallLayout};
use super::theme::{self, WallFonts};
use super::tiles::{on_new_data, set_text, shorten};
use super::{WallData, WallSettings, WallSystems};
use crate::alerts::Severity;

/// The frame is shown, then hidden, for this long each.
pub const FLASH_HALF_PERIOD: Duration = Duration::from_millis(600);
const FRAME_WIDTH: f32 = 12.0;
/// The banner's height, fixed so that a screen knows how much room to leave it.
pub const BANNER_HEIGHT: f32 = 48.0;
/// Characters of the banner's line that fit one line of a 1080p screen at its size.
const BANNER_CHARS: usize = 112;

/// Deep red under white text: readable on every theme.
const CRITICAL_FILL: Color = Color::srgb(0.42, 0.04, 0.05);

#[derive(Component)]
pub struct AlertBanner;

#[derive(Component)]
pub struct AlertBannerText;

#[derive(Component)]
pub struct AlertFrame;

/// Whether a critical alert is active: the frame flashes while it is.
#[derive(Resource, Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Flashing(pub bool);

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Flashing>();
    app.add_systems(
        Update,
        (
            add_overlays
                .run_if(on_message::<ScreensBuilt>)
                .in_set(WallSystems::UpdateTiles),
            on_new_data(update_banner).after(add_overlays),
        ),
    );
    // After the page decks have chosen when to wake, so the flash can only bring it closer.
    app.add_systems(PostUpdate, flash_frame);
}

fn add_overlays(
    mut commands: Commands,
    fonts: Res<WallFonts>,
    roots: Query<(Entity, Option<&Children>), With<ScreenRoot>>,
    banners: Query<(), With<AlertBanner>>,
    mut data: ResMut<WallData>,
) {
    let mut added = false;
    for (root, children) in &roots {
        if children.is_some_and(|c| c.iter().any(|e| banners.contains(e))) {
            continue;
        }
        commands.spawn((banner(&fonts), ChildOf(root)));
        commands.spawn((frame(), ChildOf(root)));
        added = true;
    }
    if added {
        // New overlays show the alerts already known.
        data.set_changed();
    }
}

/// The banner at the foot of a screen, hidden until an alert is active.
fn banner(fonts: &WallFonts) -> impl Bundle {
    (
        Name::new("alert banner"),
        AlertBanner,
        Node {
            position_type: PositionType::Absolute,
            left: Val::Px(theme::GAP),
            right: Val::Px(theme::GAP),
            bottom: Val::Px(theme::GAP * 0.5),
            height: Val::Px(BANNER_HEIGHT),
            padding: UiRect::horizontal(Val::Px(24.0)),
            border_radius: BorderRadius::all(Val::Px(theme::RADIUS)),
            justify_content: JustifyContent::Center,
            align_items: AlignItems::Center,
            overflow: Overflow::clip(),
            display: Display::None,
            ..default()
        },
        BackgroundColor(CRITICAL_FILL),
        GlobalZIndex(50),
        children![(
            AlertBannerText,
            super::widgets::label("", &fonts.bold, theme::SIZE_BODY, Color::WHITE),
            TextLayout::new(Justify::Center, LineBreak::NoWrap),
        )],
    )
}

/// The frame around a screen that flashes while a critical alert is active.
fn frame() -> impl Bundle {
    (
        Name::new("alert frame"),
        AlertFrame,
        Node {
            position_type: PositionType::Absolute,
            left: Val::Px(0.0),
            top: Val::Px(0.0),
            right: Val::Px(0.0),
            bottom: Val::Px(0.0),
            border: UiRect::all(Val::Px(FRAME_WIDTH)),
            display: Display::None,
            ..default()
        },
        BorderColor::all(theme::NEGATIVE),
        GlobalZIndex(60),
    )
}

/// The banner's line: the most severe active alert, and how many others are active.
/// A lobby names no one: the alert's summary only. Elsewhere the room sees who took the alert
/// in hand.
pub fn banner_line(
    alerts: &[crate::alerts::Alert],
    settings: &WallSettings,
    lobby: Option<&crate::privacy::LobbyFilter>,
    room: &crate::control::RoomState,
) -> Option<(String, Severity)> {
    let mut active = alerts.iter().filter(|a| a.is_active());
    let first = active.clone().max_by(|a, b| {
        a.severity
            .cmp(&b.severity)
            .then(a.started_at.cmp(&b.started_at))
    })?;
    let others = active.by_ref().count() - 1;
    let summary = match lobby {
        Some(filter) => filter.public_text(
            &first.summary,
            &crate::privacy::brand_handles(settings.brands.iter().map(|b| b.name.as_str())),
        ),
        None => first.summary.clone(),
    };
    let mut rest = String::new();
    if lobby.is_none()
        && let Some(handled) = super::room::handling_label(room, first, settings.locale)
    {
        rest.push_str(&format!("   ·   {handled}"));
    }
    if others > 0 {
        rest.push_str(&format!(
            "   ·   {}",
            (settings.locale.labels().more_alerts)(others)
        ));
    }
    // One line: the summary gives way to who handles it and how many others there are.
    let room_for_summary = BANNER_CHARS.saturating_sub(rest.chars().count()).max(24);
    let line = format!("⚠  {}{rest}", shorten(&summary, room_for_summary));
    Some((line, first.severity))
}

/// The padding under a screen's tiles. A screen with a status line keeps the usual gap: the
/// banner covers the status line. One without makes room for the banner while it shows.
fn foot_padding(banner_shown: bool, has_status_line: bool) -> f32 {
    if banner_shown && !has_status_line {
        theme::GAP + BANNER_HEIGHT
    } else {
        theme::GAP
    }
}

/// Whether a screen has a status line of its own, always shown (not on a page that rotates).
fn has_status_line(layout: &WallLayout, screen: usize) -> bool {
    layout.0.screens.get(screen).is_some_and(|screen| {
        screen
            .tiles
            .iter()
            .any(|(_, spec)| matches!(spec, crate::layout::TileSpec::Status(_)))
    })
}

#[allow(clippy::too_many_arguments)]
fn update_banner(
    data: Res<WallData>,
    settings: Res<WallSettings>,
    layout: Res<WallLayout>,
    lobby_filter: Res<super::tiles::stream::Lobby>,
    room: Res<super::room::RoomView>,
    mut banners: Query<(&mut Node, &mut BackgroundColor), With<AlertBanner>>,
    mut roots: Query<(&ScreenRoot, &mut Node), Without<AlertBanner>>,
    mut texts: Query<&mut Text, With<AlertBannerText>>,
    mut flashing: ResMut<Flashing>,
) {
    let Some(figures) = &data.figures else { return };
    let lobby = super::tiles::stream::lobby_of(&layout, &settings, &lobby_filter);
    let line = if layout.0.alert_banner {
        banner_line(&figures.alerts, &settings, lobby, &room.state)
    } else {
        None
    };
    let display = if line.is_some() {
        Display::Flex
    } else {
        Display::None
    };
    let fill = match line.as_ref().map(|(_, s)| *s) {
        Some(Severity::Critical) => CRITICAL_FILL,
        _ => theme::ALERT_FILL,
    };
    for (mut node, mut colour) in &mut banners {
        if node.display != display {
            node.display = display;
        }
        colour.set_if_neq(BackgroundColor(fill));
    }
    for (root, mut node) in &mut roots {
        let bottom = Val::Px(foot_padding(
            line.is_some(),
            has_status_line(&layout, root.index),
        ));
        if node.padding.bottom != bottom {
            node.padding.bottom = bottom;
        }
    }
    if let Some((line, _)) = &line {
        for mut text in &mut texts {
            set_text(&mut text, line);
        }
    }
    flashing.set_if_neq(Flashing(matches!(line, Some((_, Severity::Critical)))));
}

/// Whether the frame is lit `elapsed` into the run.
pub fn frame_lit(elapsed: Duration) -> bool {
    (elapsed.as_millis() / FLASH_HALF_PERIOD.as_millis()).is_multiple_of(2)
}

fn flash_frame(
    time: Res<Time<Real>>,
    flashing: Res<Flashing>,
    mut frames: Query<&mut Node, With<AlertFrame>>,
    winit: Option<ResMut<bevy::winit::WinitSettings>>,
) {
    let lit = flashing.0 && frame_lit(time.elapsed());
    let display = if lit { Display::Flex } else { Display::None };
    for mut node in &mut frames {
        if node.display != display {
            node.display = display;
        }
    }
    if !flashing.0 {
        return;
    }
    // Wake for the next change of phase, sooner than whatever else asked.
    let into_phase = time.elapsed().as_millis() % FLASH_HALF_PERIOD.as_millis();
    let until_next = FLASH_HALF_PERIOD
        .saturating_sub(Duration::from_millis(into_phase as u64))
        .max(Duration::from_millis(20));
    if let Some(mut winit) = winit {
        let sooner = |mode: bevy::winit::UpdateMode| match mode {
            bevy::winit::UpdateMode::Reactive { wait, .. } if wait > until_next => {
                Some(bevy::winit::UpdateMode::reactive_low_power(until_next))
            }
            _ => None,
        };
        if let Some(mode) = sooner(winit.focused_mode) {
            winit.focused_mode = mode;
            winit.unfocused_mode = mode;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::{Alert, Trigger};
    use crate::control::{RoomChange, RoomState};
    use chrono::{TimeZone, Utc};

    fn alert(severity: Severity, summary: &str, ended: bool) -> Alert {
        let at = Utc
            .with_ymd_and_hms(2026, 11, 20, 10, 0, 0)
            .single()
            .unwrap_or_default();
        Alert {
            id: 1,
            rule: "r".into(),
            severity,
            brand: Some("Petit Loup".into()),
            trigger: Trigger::Keyword {
                word: "boycott".into(),
            },
            summary: summary.into(),
            evidence: Vec::new(),
            started_at: at,
            updated_at: at,
            ended_at: ended.then_some(at),
        }
    }

    #[test]
    fn the_banner_shows_the_most_severe_active_alert_and_counts_the_others() {
        let settings = WallSettings::shipped();
        let alerts = vec![
            alert(Severity::Warning, "mot sensible", false),
            alert(Severity::Critical, "post viral", false),
            alert(Severity::Critical, "ancienne", true),
        ];
        let (line, severity) =
            banner_line(&alerts, &settings, None, &RoomState::default()).expect("a banner");
        assert_eq!(severity, Severity::Critical);
        assert_eq!(line, "⚠  post viral   ·   +1 alerte");
        assert!(
            banner_line(&alerts[2..], &settings, None, &RoomState::default()).is_none(),
            "ended alerts show no banner"
        );
    }

    #[test]
    fn a_lobby_banner_names_no_author() {
        let settings = WallSettings::shipped();
        let alerts = vec![alert(
            Severity::Warning,
            "Petit Loup : message négatif de @lucie.parentalite (182000 abonnés) sur @PetitLoup",
            false,
        )];
        let lobby = crate::privacy::LobbyFilter::shipped();
        let (line, _) =
            banner_line(&alerts, &settings, Some(&lobby), &RoomState::default()).expect("a banner");
        assert_eq!(
            line,
            "⚠  Petit Loup : message négatif de @… (182000 abonnés) sur @PetitLoup"
        );
        let (room, _) =
            banner_line(&alerts, &settings, None, &RoomState::default()).expect("a banner");
        assert!(room.contains("@lucie.parentalite"), "{room}");
    }

    #[test]
    fn the_banner_says_who_took_the_alert_in_hand_and_a_lobby_names_no_one() {
        let settings = WallSettings::shipped();
        let alerts = vec![alert(Severity::Critical, "post viral", false)];
        let at = Utc
            .with_ymd_and_hms(2026, 11, 20, 13, 5, 0)
            .single()
            .unwrap_or_default();
        let local = at.with_timezone(&chrono::Local).format("%H:%M");
        let mut room = RoomState::default();
        room.apply(RoomChange::Acknowledge {
            alert: 1,
            started: alerts[0].started_at,
            by: "Camille".into(),
            at,
        });
        let (line, _) = banner_line(&alerts, &settings, None, &room).expect("a banner");
        assert_eq!(
            line,
            format!("⚠  post viral   ·   pris en charge · Camille · {local}")
        );
        let lobby = crate::privacy::LobbyFilter::shipped();
        let (line, _) = banner_line(&alerts, &settings, Some(&lobby), &room).expect("a banner");
        assert_eq!(line, "⚠  post viral");
        room.apply(RoomChange::Resolve {
            alert: 1,
            started: alerts[0].started_at,
            by: "Léo".into(),
            at,
            note: "affiches retirées".into(),
        });
        let (line, _) = banner_line(&alerts, &settings, None, &room).expect("a banner");
        assert!(
            line.ends_with(&format!("résolue · Léo · {local}")),
            "{line}"
        );
    }

    #[test]
    fn the_frame_flashes_on_and_off() {
        assert!(frame_lit(Duration::from_millis(0)));
        assert!(!frame_lit(FLASH_HALF_PERIOD + Duration::from_millis(1)));
        assert!(frame_lit(FLASH_HALF_PERIOD * 2));
    }
}
