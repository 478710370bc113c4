//! Which layout the wall shows: its own, or in its place (on its screens and monitors,
//! `Layout::taken_over_by`) the one the room chose on the control page, the one an alert rule
//! takes over with while its alerts are active, or the neutral one on a lobby the room put in
//! safety. When what is asked changes, the screens are rebuilt like a reloaded layout file.

use bevy::prelude::*;

use super::layout::ScreenBuilder;
use super::room::{FrameCounter, RoomView};
use super::{WallSettings, WallSystems};
use crate::alerts::Alert;
use crate::control::{RoomState, Showing, ShownBecause};
use crate::layout::Layout;
use crate::layout::switch::LayoutLibrary;

/// The room's own layout, the layouts it may switch to, and which one is shown.
#[derive(Resource)]
pub struct LayoutChoices {
    own: Layout,
    /// The room this wall is in (a hub's display), for a layout chosen for that room only.
    room: Option<String>,
    library: LayoutLibrary,
    shown: ShownBecause,
    /// The own layout's file changed since it was last built.
    stale: bool,
}

impl LayoutChoices {
    pub fn new(own: Layout, library: LayoutLibrary) -> LayoutChoices {
        LayoutChoices {
            own,
            room: None,
            library,
            shown: ShownBecause::Own,
            stale: false,
        }
    }

    /// A display of the room `room`.
    pub fn in_room(mut self, room: Option<String>) -> LayoutChoices {
        self.room = room;
        self
    }

    /// The own layout's file was read again.
    pub fn own_changed(&mut self, layout: Layout) {
        self.own = layout;
        self.stale = true;
    }

    /// What the room asks for now: a lobby in safety shows the neutral layout whatever else is
    /// asked; then the room's choice; then the newest active alert whose rule takes over; then
    /// the room's own layout. A name the library lacks (a file removed since it was chosen) is
    /// passed over.
    pub fn wanted(&self, room: &RoomState, alerts: &[Alert], lobby: bool) -> ShownBecause {
        if lobby && room.lobby_safe {
            return ShownBecause::LobbySafe;
        }
        if let Some(name) = room.layout_for(self.room.as_deref())
            && self.library.named.contains_key(name)
        {
            return ShownBecause::Chosen { name: name.clone() };
        }
        alerts
            .iter()
            .filter(|alert| alert.is_active())
            .filter_map(|alert| {
                let name = self.library.takeovers.get(&alert.rule)?;
                Some((alert.started_at, alert.id, &alert.rule, name))
            })
            .max()
            .map_or(ShownBecause::Own, |(_, _, rule, name)| {
                ShownBecause::Takeover {
                    rule: rule.clone(),
                    name: name.clone(),
                }
            })
    }

    /// The layout to build for `wanted`.
    fn layout_for(&self, wanted: &ShownBecause) -> Layout {
        let other = match wanted {
            ShownBecause::Own => None,
            ShownBecause::Chosen { name } | ShownBecause::Takeover { name, .. } => {
                self.library.named.get(name)
            }
            ShownBecause::LobbySafe => Some(&self.library.neutral),
        };
        match other {
            Some(other) => self.own.taken_over_by(other),
            None => self.own.clone(),
        }
    }

    pub fn shown(&self) -> &ShownBecause {
        &self.shown
    }
}

pub(super) fn plugin(app: &mut App) {
    app.add_systems(
        Update,
        follow_switch
            .in_set(WallSystems::Ingest)
            .after(super::room::follow_room)
            .after(super::layout::apply_layout_events)
            // The frame's figures first: an alert that takes over switches in the frame that
            // brings it (a reactive wall may draw its next frame a minute later).
            .after(super::bridge::drain_updates)
            .run_if(resource_exists::<LayoutChoices>),
    );
}

fn follow_switch(
    mut choices: ResMut<LayoutChoices>,
    room: Res<RoomView>,
    settings: Res<WallSettings>,
    live: Option<Res<FrameCounter>>,
    mut screens: ScreenBuilder,
    mut told: Local<bool>,
) {
    let alerts = screens
        .data()
        .figures
        .as_ref()
        .map_or(&[][..], |f| f.alerts.as_slice());
    let lobby = super::tiles::stream::is_lobby(&choices.own, &settings);
    let wanted = choices.wanted(&room.state, alerts, lobby);
    let changed = wanted != choices.shown || choices.stale;
    if changed {
        if wanted != choices.shown {
            tracing::info!(from = ?choices.shown, to = ?wanted, "the wall switches layout");
        }
        let layout = choices.layout_for(&wanted);
        screens.show(layout);
        choices.shown = wanted;
        choices.stale = false;
    }
    if let Some(live) = live
        && (changed || !*told)
    {
        let layout = screens.current();
        let showing = Showing {
            layout: layout.name.clone(),
            screens: layout.screens.iter().map(|s| s.name.clone()).collect(),
            because: choices.shown.clone(),
            pages: layout
                .screens
                .iter()
                .max_by_key(|s| s.pages.len())
                .map(|s| s.pages.iter().map(|p| p.name.clone()).collect())
                .unwrap_or_default(),
            approval: layout.approval.clone(),
        };
        live.0.set_showing(showing);
        *told = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::control::RoomChange;

    #[test]
    fn a_layout_chosen_for_one_room_shows_there_only_and_safety_wins() {
        let config = crate::config::Config::parse(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config.toml"),
            include_str!("../../config.toml"),
        )
        .expect("shipped config");
        let own = Layout::built_in(&config);
        let (library, _) = LayoutLibrary::load(&config, &own);
        let in_a = LayoutChoices::new(own.clone(), library.clone()).in_room(Some("salle-a".into()));
        let in_b = LayoutChoices::new(own, library).in_room(Some("salle-b".into()));
        let mut room = RoomState::default();
        room.apply(RoomChange::RoomLayout {
            room: "salle-a".into(),
            layout: Some("crise".into()),
        });
        let crisis = ShownBecause::Chosen {
            name: "crise".into(),
        };
        assert_eq!(in_a.wanted(&room, &[], false), crisis);
        assert_eq!(in_b.wanted(&room, &[], false), ShownBecause::Own);
        // Every screen's choice reaches room B; room A keeps its own.
        room.apply(RoomChange::Layout(Some("warroom".into())));
        assert_eq!(in_a.wanted(&room, &[], false), crisis);
        assert_eq!(
            in_b.wanted(&room, &[], false),
            ShownBecause::Chosen {
                name: "warroom".into()
            }
        );
        // A lobby in safety shows the neutral screen whatever was chosen.
        room.apply(RoomChange::LobbySafe(true));
        assert_eq!(in_a.wanted(&room, &[], true), ShownBecause::LobbySafe);
        assert_eq!(in_a.wanted(&room, &[], false), crisis);
    }
}
