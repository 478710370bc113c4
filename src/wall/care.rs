//! Care of the screens of a wall that runs for months: a slow pixel shift of every screen
//! against burn-in, and a night schedule that dims the wall or turns it black between
//! configured hours (local time of the room, not of the data).
//!
//! Both run on the wall's idle wake-ups (at most a minute apart): they cost nothing between.

use std::time::Duration;

use bevy::prelude::*;
use chrono::{Local, NaiveTime};

use super::layout::{ScreenRoot, ScreensBuilt};
use super::{WallSettings, WallSystems};
use crate::config::{NightMode, NightSchedule};

/// The wall moves one step of its orbit this often.
pub const SHIFT_EVERY: Duration = Duration::from_secs(120);
/// The orbit: a few logical pixels around the rest position, visiting each offset in turn.
const ORBIT: [(f32, f32); 8] = [
    (0.0, 0.0),
    (3.0, 0.0),
    (6.0, 3.0),
    (3.0, 6.0),
    (0.0, 6.0),
    (-3.0, 3.0),
    (-6.0, 0.0),
    (-3.0, -3.0),
];
/// How dark the dim night mode makes the wall.
const DIM_ALPHA: f32 = 0.65;

/// The veil over a screen at night.
#[derive(Component)]
pub struct NightVeil;

/// The offset of the wall after `elapsed` of running.
pub fn burn_in_offset(elapsed: Duration) -> (f32, f32) {
    let step = (elapsed.as_secs() / SHIFT_EVERY.as_secs()) as usize;
    ORBIT[step % ORBIT.len()]
}

/// How opaque the night veil is at `at` (0: day).
pub fn night_alpha(schedule: Option<&NightSchedule>, at: NaiveTime) -> f32 {
    match schedule {
        Some(night) if night.covers(at) => match night.mode {
            NightMode::Dim => DIM_ALPHA,
            NightMode::Blank => 1.0,
        },
        _ => 0.0,
    }
}

pub(super) fn plugin(app: &mut App) {
    app.add_systems(
        Update,
        (add_veils.run_if(on_message::<ScreensBuilt>), shift_and_veil)
            .chain()
            .in_set(WallSystems::Animate),
    );
}

fn add_veils(
    mut commands: Commands,
    roots: Query<(Entity, Option<&Children>), With<ScreenRoot>>,
    veils: Query<(), With<NightVeil>>,
) {
    let roots_needing: Vec<Entity> = roots
        .iter()
        .filter(|(_, children)| !children.is_some_and(|c| c.iter().any(|e| veils.contains(e))))
        .map(|(e, _)| e)
        .collect();
    for root in roots_needing {
        commands.spawn((
            ChildOf(root),
            Name::new("night veil"),
            NightVeil,
            Node {
                position_type: PositionType::Absolute,
                left: Val::Px(-20.0),
                top: Val::Px(-20.0),
                right: Val::Px(-20.0),
                bottom: Val::Px(-20.0),
                display: Display::None,
                ..default()
            },
            BackgroundColor(Color::BLACK.with_alpha(0.0)),
            GlobalZIndex(100),
        ));
    }
}

fn shift_and_veil(
    time: Res<Time<Real>>,
    settings: Res<WallSettings>,
    layout: Res<super::WallLayout>,
    mut roots: Query<&mut Node, (With<ScreenRoot>, Without<NightVeil>)>,
    mut veils: Query<(&mut Node, &mut BackgroundColor), With<NightVeil>>,
) {
    let (dx, dy) = if settings.display.burn_in_shift && !layout.0.preview {
        burn_in_offset(time.elapsed())
    } else {
        (0.0, 0.0)
    };
    for mut node in &mut roots {
        if node.left != Val::Px(dx) || node.top != Val::Px(dy) {
            node.left = Val::Px(dx);
            node.top = Val::Px(dy);
        }
    }
    let alpha = night_alpha(settings.display.night.as_ref(), Local::now().time());
    let display = if alpha > 0.0 {
        Display::Flex
    } else {
        Display::None
    };
    for (mut node, mut color) in &mut veils {
        if node.display != display {
            node.display = display;
        }
        let wanted = BackgroundColor(Color::BLACK.with_alpha(alpha));
        color.set_if_neq(wanted);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveTime {
        NaiveTime::parse_from_str(text, "%H:%M").expect("time")
    }

    #[test]
    fn the_wall_moves_a_few_pixels_every_two_minutes() {
        assert_eq!(burn_in_offset(Duration::from_secs(0)), (0.0, 0.0));
        assert_eq!(burn_in_offset(Duration::from_secs(119)), (0.0, 0.0));
        assert_eq!(burn_in_offset(Duration::from_secs(120)), (3.0, 0.0));
        assert_eq!(
            burn_in_offset(SHIFT_EVERY * 8),
            (0.0, 0.0),
            "the orbit closes"
        );
        for step in 0..8u32 {
            let (x, y) = burn_in_offset(SHIFT_EVERY * step);
            assert!(x.abs() <= 6.0 && y.abs() <= 6.0);
        }
    }

    #[test]
    fn the_night_wraps_past_midnight() {
        let night = NightSchedule {
            from: at("22:00"),
            to: at("07:00"),
            mode: NightMode::Dim,
        };
        assert_eq!(night_alpha(Some(&night), at("23:30")), DIM_ALPHA);
        assert_eq!(night_alpha(Some(&night), at("03:00")), DIM_ALPHA);
        assert_eq!(night_alpha(Some(&night), at("07:00")), 0.0);
        assert_eq!(night_alpha(Some(&night), at("12:00")), 0.0);
        assert_eq!(night_alpha(None, at("23:30")), 0.0);
        let blank = NightSchedule {
            mode: NightMode::Blank,
            ..night
        };
        assert_eq!(night_alpha(Some(&blank), at("23:30")), 1.0);
    }
}
