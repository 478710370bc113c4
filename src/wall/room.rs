//! What the room decided, on the wall: the control page's state (`control::Room`) copied into
//! `RoomView` whenever it changes, so that the tiles show pins, leave hidden posts and blocked
//! authors out and label the alerts taken in hand; the room's banner message across the top of
//! every screen; and the frames drawn, counted for `/metrics`.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use bevy::prelude::*;
use chrono::{DateTime, Utc};

use super::layout::{ScreenRoot, ScreensBuilt};
use super::theme::{self, WallFonts};
use super::tiles::{on_new_data, set_display, set_text};
use super::{WallData, WallSystems};
use crate::control::{LiveView, Room, RoomState};

/// The control page's room, when the page runs.
#[derive(Resource, Clone)]
pub struct RoomFeed(pub Arc<Room>);

/// Where the wall counts the frames it draws, when the control page runs.
#[derive(Resource, Clone)]
pub struct FrameCounter(pub Arc<LiveView>);

/// The room's decisions as the wall last took them.
#[derive(Resource, Debug, Default, Clone)]
pub struct RoomView {
    pub state: RoomState,
    version: u64,
    /// The next pin or banner to expire: the tiles are refreshed then.
    next_expiry: Option<DateTime<Utc>>,
}

impl RoomView {
    pub fn new(state: RoomState) -> RoomView {
        let next_expiry = next_expiry(&state, Utc::now());
        RoomView {
            state,
            version: 0,
            next_expiry,
        }
    }
}

/// When the next pin or banner still on at `now` ends.
fn next_expiry(state: &RoomState, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    state
        .pins
        .iter()
        .map(|p| p.until)
        .chain(state.banner.iter().map(|b| b.until))
        .filter(|at| *at > now)
        .min()
}

/// The message strip's height: the screen's tiles move down by as much while it shows, so that
/// it never covers a figure.
pub const MESSAGE_HEIGHT: f32 = 44.0;

#[derive(Component)]
pub struct MessageStrip;

#[derive(Component)]
pub struct MessageText;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<RoomView>();
    app.add_systems(
        Update,
        (
            follow_room.in_set(WallSystems::Ingest),
            add_strips
                .run_if(on_message::<ScreensBuilt>)
                .in_set(WallSystems::UpdateTiles),
            on_new_data(show_message).after(add_strips),
        ),
    );
    app.add_systems(Last, count_frame.run_if(resource_exists::<FrameCounter>));
}

/// Takes the room's new state when it changed, and refreshes the tiles when a pin or the
/// banner expires.
pub(super) fn follow_room(
    feed: Option<Res<RoomFeed>>,
    mut view: ResMut<RoomView>,
    mut data: ResMut<WallData>,
) {
    if let Some(feed) = feed {
        let version = feed.0.version();
        if version != view.version {
            *view = RoomView {
                version,
                ..RoomView::new(feed.0.snapshot())
            };
            data.set_changed();
            return;
        }
    }
    let now = Utc::now();
    if view.next_expiry.is_some_and(|at| at <= now) {
        view.next_expiry = next_expiry(&view.state, now);
        data.set_changed();
    }
}

/// "pris en charge · Camille · 14:05", or "résolue · Léo · 14:25", for an alert the room took
/// in hand; `None` for the others.
pub fn handling_label(
    room: &RoomState,
    alert: &crate::alerts::Alert,
    locale: crate::i18n::Locale,
) -> Option<String> {
    let handling = room.handling(alert.id, alert.started_at)?;
    let labels = locale.labels();
    let at = |time: DateTime<Utc>| {
        time.with_timezone(&chrono::Local)
            .format("%H:%M")
            .to_string()
    };
    Some(match &handling.resolved {
        Some(resolution) => (labels.resolved_by)(&resolution.by, &at(resolution.at)),
        None => (labels.handled_by)(&handling.by, &at(handling.at)),
    })
}

fn count_frame(counter: Res<FrameCounter>) {
    counter.0.frames_drawn.fetch_add(1, Ordering::Relaxed);
}

/// The room's message across the top of a screen, hidden while there is none.
fn message_strip(fonts: &WallFonts) -> impl Bundle {
    (
        Name::new("room message"),
        MessageStrip,
        Node {
            position_type: PositionType::Absolute,
            left: Val::Px(theme::GAP),
            right: Val::Px(theme::GAP),
            top: Val::Px(theme::GAP * 0.5),
            height: Val::Px(MESSAGE_HEIGHT),
            padding: UiRect::horizontal(Val::Px(24.0)),
            border_radius: BorderRadius::all(Val::Px(theme::RADIUS)),
            justify_content: JustifyContent::Center,
            align_items: AlignItems::Center,
            overflow: Overflow::clip(),
            display: Display::None,
            ..default()
        },
        BackgroundColor(theme::MESSAGE_FILL),
        GlobalZIndex(55),
        children![(
            MessageText,
            super::widgets::label("", &fonts.bold, theme::SIZE_BODY, Color::WHITE),
            TextLayout::new(Justify::Center, LineBreak::NoWrap),
        )],
    )
}

fn add_strips(
    mut commands: Commands,
    fonts: Res<WallFonts>,
    roots: Query<(Entity, Option<&Children>), With<ScreenRoot>>,
    strips: Query<(), With<MessageStrip>>,
    mut data: ResMut<WallData>,
) {
    for (root, children) in &roots {
        if children.is_some_and(|c| c.iter().any(|e| strips.contains(e))) {
            continue;
        }
        commands.spawn((message_strip(&fonts), ChildOf(root)));
        data.set_changed();
    }
}

fn show_message(
    view: Res<RoomView>,
    layout: Res<super::WallLayout>,
    settings: Res<super::WallSettings>,
    mut strips: Query<&mut Node, With<MessageStrip>>,
    mut roots: Query<&mut Node, (With<ScreenRoot>, Without<MessageStrip>)>,
    mut texts: Query<&mut Text, With<MessageText>>,
) {
    // The room's message is for the room: a lobby's visitors never read it.
    let lobby = super::tiles::stream::is_lobby(&layout.0, &settings);
    let message = view.state.live_banner(Utc::now()).filter(|_| !lobby);
    let display = if message.is_some() {
        Display::Flex
    } else {
        Display::None
    };
    for mut node in &mut strips {
        set_display(&mut node, display);
    }
    // The tiles make room under the strip rather than being covered by it.
    let top = Val::Px(if message.is_some() {
        theme::GAP + MESSAGE_HEIGHT
    } else {
        theme::GAP
    });
    for mut node in &mut roots {
        if node.padding.top != top {
            node.padding.top = top;
        }
    }
    if let Some(message) = message {
        for mut text in &mut texts {
            set_text(&mut text, &message.text);
        }
    }
}
