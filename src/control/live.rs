//! What the control page reads of the running wall: the latest figures, the recent posts (to
//! search, pin, hide), and the frames drawn. The analysis thread fills it through `LiveTap`,
//! one more of its outputs; the wall counts its frames into it.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use super::lock;
use super::room::{Room, RoomChange};
use crate::analysis::outputs::Output;
use crate::bus::wire::DisplayBeat;
use crate::model::{AnalysisEvent, EnrichedMention, Figures};

/// Displays a hub keeps track of.
pub const MAX_DISPLAYS: usize = 200;

/// Posts kept for the page's search: a few minutes of a busy day.
pub const RECENT_POSTS: usize = 2_000;

#[derive(Default)]
pub struct LiveView {
    figures: Mutex<Option<Arc<Figures>>>,
    /// Newest first.
    recent: Mutex<VecDeque<EnrichedMention>>,
    pub frames_drawn: AtomicU64,
    showing: Mutex<Showing>,
    /// Each screen's last picture (PNG), by screen name, and when it was captured.
    pictures: Mutex<std::collections::HashMap<String, Picture>>,
    /// Screens whose picture the page asked for, for the wall to capture.
    picture_requests: Mutex<std::collections::BTreeSet<String>>,
    /// A hub's displays: each one's last heartbeat and when it came.
    displays: Mutex<std::collections::BTreeMap<String, (DisplayBeat, std::time::Instant)>>,
}

/// A display as the hub last heard of it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DisplaySeen {
    #[serde(flatten)]
    pub beat: DisplayBeat,
    pub seconds_since: u64,
    /// Heard within three heartbeats.
    pub alive: bool,
}

/// A screen as the wall drew it.
#[derive(Debug, Clone)]
pub struct Picture {
    pub at: std::time::Instant,
    pub png: Arc<Vec<u8>>,
}

/// What the wall shows now, as it last said.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Showing {
    /// The layout's own name ("Crise", "War room").
    pub layout: String,
    /// Its screens' names, in order.
    pub screens: Vec<String>,
    /// Why: its own layout, the room's choice, an alert's takeover, the lobby's safety.
    pub because: ShownBecause,
    /// The pages of the screen with the most, in order (for "show page N").
    pub pages: Vec<String>,
    /// What its streams need to show a post, when it asks for approval.
    pub approval: Option<crate::layout::approval::Approval>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ShownBecause {
    #[default]
    Own,
    /// The room chose it, by this name.
    Chosen { name: String },
    /// This alert rule's alerts are active.
    Takeover { rule: String, name: String },
    /// The room put its lobby in safety.
    LobbySafe,
}

impl LiveView {
    pub fn figures(&self) -> Option<Arc<Figures>> {
        lock(&self.figures).clone()
    }

    /// Recent posts, newest first, whose text, author or id contains `query` (case folded);
    /// all of them when it is empty.
    pub fn search(&self, query: &str, limit: usize) -> Vec<EnrichedMention> {
        let exact = query.trim();
        let query = exact.to_lowercase();
        self.recent_where(limit, |m| {
            query.is_empty()
                || m.mention.id == exact
                || m.mention.text.to_lowercase().contains(&query)
                || m.mention.author.handle.to_lowercase().contains(&query)
                || m.mention
                    .author
                    .display_name
                    .to_lowercase()
                    .contains(&query)
        })
    }

    /// The newest `limit` recent posts that `keep` keeps, newest first: only those are copied.
    pub fn recent_where(
        &self,
        limit: usize,
        keep: impl Fn(&EnrichedMention) -> bool,
    ) -> Vec<EnrichedMention> {
        lock(&self.recent)
            .iter()
            .filter(|m| keep(m))
            .take(limit)
            .cloned()
            .collect()
    }

    pub fn post(&self, id: &str) -> Option<EnrichedMention> {
        lock(&self.recent)
            .iter()
            .find(|m| m.mention.id == id)
            .cloned()
    }

    pub fn showing(&self) -> Showing {
        lock(&self.showing).clone()
    }

    /// The wall says what it shows.
    pub fn set_showing(&self, showing: Showing) {
        *lock(&self.showing) = showing;
    }

    /// Asks the wall for a picture of `screen`.
    pub fn ask_picture(&self, screen: &str) {
        lock(&self.picture_requests).insert(screen.to_string());
    }

    /// The screens the page asked pictures of since last time (the wall's side).
    pub fn take_picture_requests(&self) -> Vec<String> {
        std::mem::take(&mut *lock(&self.picture_requests))
            .into_iter()
            .collect()
    }

    /// A picture of `screen`, captured now (the wall's side).
    pub fn store_picture(&self, screen: &str, png: Vec<u8>) {
        lock(&self.pictures).insert(
            screen.to_string(),
            Picture {
                at: std::time::Instant::now(),
                png: Arc::new(png),
            },
        );
    }

    /// The last picture of `screen`.
    pub fn picture(&self, screen: &str) -> Option<Picture> {
        lock(&self.pictures).get(screen).cloned()
    }

    /// Asks the wall `room` wakes for a new picture of `screen` and waits up to `within` for it;
    /// `None` when the wall did not draw it in time.
    pub async fn draw_picture(
        &self,
        screen: &str,
        room: &Room,
        within: std::time::Duration,
    ) -> Option<Picture> {
        let asked = std::time::Instant::now();
        self.ask_picture(screen);
        room.wake_wall();
        while asked.elapsed() < within {
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
            if let Some(picture) = self.picture(screen).filter(|p| p.at >= asked) {
                return Some(picture);
            }
        }
        None
    }

    /// A display's heartbeat came (the hub's side). At most `MAX_DISPLAYS` are kept: past that,
    /// the one unheard of for longest makes room (names come from the network).
    pub fn note_display(&self, beat: DisplayBeat) {
        let mut displays = lock(&self.displays);
        if displays.len() >= MAX_DISPLAYS
            && !displays.contains_key(&beat.name)
            && let Some(oldest) = displays
                .iter()
                .min_by_key(|(_, (_, at))| *at)
                .map(|(name, _)| name.clone())
        {
            displays.remove(&oldest);
        }
        displays.insert(beat.name.clone(), (beat, std::time::Instant::now()));
    }

    /// The displays heard of, by name.
    pub fn displays(&self) -> Vec<DisplaySeen> {
        let silent_after = crate::bus::room::BEAT_EVERY * 3;
        lock(&self.displays)
            .values()
            .map(|(beat, at)| DisplaySeen {
                beat: beat.clone(),
                seconds_since: at.elapsed().as_secs(),
                alive: at.elapsed() < silent_after,
            })
            .collect()
    }

    pub fn frames(&self) -> u64 {
        self.frames_drawn.load(Ordering::Relaxed)
    }

    fn remember(&self, mention: &EnrichedMention) {
        let mut recent = lock(&self.recent);
        // An edit replaces its post where it was.
        if let Some(shown) = recent
            .iter_mut()
            .find(|m| m.mention.id == mention.mention.id)
        {
            *shown = mention.clone();
            return;
        }
        recent.push_front(mention.clone());
        recent.truncate(RECENT_POSTS);
    }

    fn forget(&self, id: &str) {
        lock(&self.recent).retain(|m| m.mention.id != id);
    }
}

/// The analysis thread's output into a `LiveView`, and into the room: a post deleted at its
/// source leaves the pins (its author took it back; the wall must not keep showing it).
pub struct LiveTap {
    pub view: Arc<LiveView>,
    pub room: Option<Arc<Room>>,
}

impl Output for LiveTap {
    fn analysis(&self, event: &AnalysisEvent) -> bool {
        match event {
            AnalysisEvent::Counted(mention) | AnalysisEvent::Edited(mention) => {
                self.view.remember(mention)
            }
            AnalysisEvent::Retracted { id } => {
                self.view.forget(id);
                if let Some(room) = &self.room
                    && room.read(|state| state.pins.iter().any(|p| &p.mention.mention.id == id))
                {
                    room.change(RoomChange::Unpin { id: id.clone() });
                }
            }
        }
        true
    }

    fn figures(&self, figures: &Figures) {
        *lock(&self.view.figures) = Some(Arc::new(figures.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_view_keeps_recent_posts_edited_in_place_and_forgets_retracted_ones() {
        let view = Arc::new(LiveView::default());
        let room = Room::new(Default::default());
        let tap = LiveTap {
            view: view.clone(),
            room: Some(room.clone()),
        };
        let card = crate::model::test_card;
        tap.analysis(&AnalysisEvent::Counted(card(
            "a",
            "Les affiches Petit Loup",
        )));
        tap.analysis(&AnalysisEvent::Counted(card("b", "Belle collection")));
        tap.analysis(&AnalysisEvent::Edited(card("a", "Les affiches, édité")));
        let ids = |found: Vec<EnrichedMention>| -> Vec<String> {
            found.into_iter().map(|m| m.mention.text).collect()
        };
        assert_eq!(
            ids(view.search("", 10)),
            ["Belle collection", "Les affiches, édité"]
        );
        assert_eq!(ids(view.search("AFFICHES", 10)), ["Les affiches, édité"]);
        room.change(RoomChange::Pin(Box::new(crate::control::room::Pin {
            mention: card("a", "Les affiches, édité"),
            by: "camille".into(),
            until: chrono::Utc::now() + chrono::TimeDelta::minutes(30),
        })));
        tap.analysis(&AnalysisEvent::Retracted { id: "a".into() });
        assert!(view.post("a").is_none());
        assert!(
            room.snapshot().pins.is_empty(),
            "a deleted post leaves the pins"
        );
        assert!(view.post("b").is_some());
        assert!(view.figures().is_none());
        tap.figures(&Figures {
            processed: 3,
            ..Figures::default()
        });
        assert_eq!(view.figures().map(|f| f.processed), Some(3));
    }

    #[test]
    fn the_hub_keeps_a_bounded_list_of_displays_the_longest_silent_leaving_first() {
        let view = LiveView::default();
        let beat = |name: String| DisplayBeat {
            name,
            room: None,
            version: "0.1.0".into(),
            layout: "Single screen".into(),
            screens: vec!["main".into()],
            frames_drawn: 1,
            sent_at: chrono::Utc::now(),
        };
        for n in 0..MAX_DISPLAYS + 10 {
            view.note_display(beat(format!("mur-{n:03}")));
        }
        let names: Vec<String> = view.displays().into_iter().map(|d| d.beat.name).collect();
        assert_eq!(names.len(), MAX_DISPLAYS);
        assert!(!names.contains(&"mur-000".to_string()));
        assert!(names.contains(&format!("mur-{:03}", MAX_DISPLAYS + 9)));
        // A display heard again keeps its place.
        view.note_display(beat("mur-100".into()));
        assert_eq!(view.displays().len(), MAX_DISPLAYS);
    }
}
