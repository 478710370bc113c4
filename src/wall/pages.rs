//! Pages that take turns in a screen's `pages` area: each stays for its dwell time, then the
//! next slides in from the right (or replaces it at once with `transition = "cut"`). Pinned
//! tiles (header, alerts) sit outside the deck and never move.
//!
//! The wall renders reactively, so the deck asks for a frame when the next page is due and
//! for every frame of a slide, and for nothing in between.

use std::time::Duration;

use bevy::prelude::*;
use bevy::window::RequestRedraw;

use super::WallSystems;
use crate::control::Rotation;
use crate::layout::grid::Grid;
use crate::layout::{Screen, TileSpec, Transition};

/// How long a slide takes.
pub const SLIDE: Duration = Duration::from_millis(700);

#[derive(Component, Debug)]
pub struct PageDeck {
    pub pages: Vec<Entity>,
    pub dwell: Vec<Duration>,
    pub transition: Transition,
    pub current: usize,
    /// When the current page arrived (or started to slide in), on the real clock.
    pub since: Duration,
    /// The page sliding out while the current one slides in.
    pub leaving: Option<usize>,
}

impl PageDeck {
    /// Time left before the next page is due, from `now`.
    pub fn due_in(&self, now: Duration) -> Duration {
        let dwell = self.dwell.get(self.current).copied().unwrap_or(SLIDE);
        (self.since + dwell).saturating_sub(now)
    }
}

/// The page a node is.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageOf {
    pub deck: Entity,
    pub index: usize,
}

/// The longest the wall sleeps when nothing happens; page decks shorten it to their next turn.
#[derive(Resource, Debug, Clone, Copy)]
pub struct IdleWait(pub Duration);

pub(super) fn plugin(app: &mut App) {
    // The window plugin registers it in the real app; headless tests have no window plugin.
    if !app.world().contains_resource::<Messages<RequestRedraw>>() {
        app.add_message::<RequestRedraw>();
    }
    app.add_systems(Update, turn_pages.in_set(WallSystems::Animate));
}

/// Spawns the deck for `screen`'s pages; `build_page` spawns one page's grid and tiles.
pub fn spawn_deck(
    commands: &mut Commands,
    screen: &Screen,
    mut build_page: impl FnMut(&mut Commands, &Grid, &[(String, TileSpec)]) -> Entity,
) -> Entity {
    let deck = commands
        .spawn((
            Name::new(format!("pages of {}", screen.name)),
            Node {
                overflow: Overflow::clip(),
                ..default()
            },
        ))
        .id();
    let mut pages = Vec::new();
    for (index, page) in screen.pages.iter().enumerate() {
        let node = build_page(commands, &page.grid, &page.tiles);
        commands.entity(node).insert((
            Name::new(format!("page {}", page.name)),
            PageOf { deck, index },
        ));
        commands
            .entity(node)
            .entry::<Node>()
            .and_modify(move |mut node| {
                node.position_type = PositionType::Absolute;
                node.left = Val::Percent(0.0);
                node.top = Val::Px(0.0);
                node.display = if index == 0 {
                    Display::Grid
                } else {
                    Display::None
                };
            });
        pages.push(node);
    }
    commands.entity(deck).add_children(&pages);
    commands.entity(deck).insert(PageDeck {
        pages,
        dwell: screen.pages.iter().map(|p| p.dwell).collect(),
        transition: screen.transition,
        current: 0,
        since: Duration::ZERO,
        leaving: None,
    });
    deck
}

/// Smooth start and end of a slide.
fn ease(t: f32) -> f32 {
    let t = t.clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

fn turn_pages(
    time: Res<Time<Real>>,
    mut decks: Query<&mut PageDeck>,
    mut nodes: Query<(&PageOf, &mut Node)>,
    idle: Option<Res<IdleWait>>,
    winit: Option<ResMut<bevy::winit::WinitSettings>>,
    mut redraw: MessageWriter<RequestRedraw>,
    room: Option<Res<super::room::RoomView>>,
) {
    let now = time.elapsed();
    let rotation = room.map(|r| r.state.rotation).unwrap_or_default();
    let mut next_wake: Option<Duration> = None;
    for mut deck in &mut decks {
        if deck.since.is_zero() {
            deck.since = now;
        }
        match rotation {
            Rotation::Turning => {
                if deck.pages.len() > 1 && deck.due_in(now).is_zero() {
                    deck.leaving = Some(deck.current);
                    deck.current = (deck.current + 1) % deck.pages.len();
                    deck.since = now;
                }
            }
            // Held, the page's time starts again: once turning again, it stays its whole dwell.
            Rotation::Held => deck.since = now,
            Rotation::Page(page) => {
                if page < deck.pages.len() && deck.current != page {
                    deck.leaving = None;
                    deck.current = page;
                }
                deck.since = now;
            }
        }
        let progress = match (deck.leaving, deck.transition) {
            (Some(_), Transition::Slide) => (now - deck.since).as_secs_f32() / SLIDE.as_secs_f32(),
            _ => 1.0,
        };
        if progress >= 1.0 {
            deck.leaving = None;
        } else {
            redraw.write(RequestRedraw);
        }
        let wait = deck.due_in(now);
        next_wake = Some(next_wake.map_or(wait, |w| w.min(wait)));
        let shift = ease(progress) * 100.0;
        let (current, leaving) = (deck.current, deck.leaving);
        for &page in &deck.pages {
            let Ok((of, mut node)) = nodes.get_mut(page) else {
                continue;
            };
            let (display, left) = if of.index == current {
                (Display::Grid, 100.0 - shift)
            } else if Some(of.index) == leaving {
                (Display::Grid, -shift)
            } else {
                (Display::None, 0.0)
            };
            if node.display != display {
                node.display = display;
            }
            if node.left != Val::Percent(left) {
                node.left = Val::Percent(left);
            }
        }
    }
    // Sleep until the next page is due, not a whole idle period.
    if let (Some(idle), Some(mut winit)) = (idle, winit) {
        let wait = next_wake.map_or(idle.0, |w| w.max(Duration::from_millis(20)).min(idle.0));
        let wanted = bevy::winit::UpdateMode::reactive_low_power(wait);
        if winit.focused_mode != wanted {
            winit.focused_mode = wanted;
            winit.unfocused_mode = wanted;
        }
    }
}
