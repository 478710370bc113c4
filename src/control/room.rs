//! What the room decided about the wall: posts pinned, hidden or whose author is blocked,
//! alerts taken in hand or resolved, the banner message. The control page changes it; the wall
//! reads it (`wall::room`) and shows the posts and alerts accordingly. Hidden and blocked posts
//! leave the wall only: the analysis still counts them.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::EnrichedMention;
use crate::wall::WakeSlot;

/// A post held at the top of the streams until `until`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pin {
    pub mention: EnrichedMention,
    pub by: String,
    pub until: DateTime<Utc>,
}

/// Someone took an alert in hand ("pris en charge · Camille · 14:05"), and maybe resolved it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Handling {
    /// When the alert started: with its id, what tells it from another alert given the same
    /// id after a restart without the history.
    pub alert_started: DateTime<Utc>,
    pub by: String,
    pub at: DateTime<Utc>,
    pub resolved: Option<Resolution>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resolution {
    pub by: String,
    pub at: DateTime<Utc>,
    pub note: String,
}

/// A message to the room, over the wall, until `until`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BannerMessage {
    pub text: String,
    pub by: String,
    pub until: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RoomState {
    /// Newest pin first.
    pub pins: Vec<Pin>,
    /// Ids of posts kept off the wall.
    pub hidden: BTreeSet<String>,
    /// Authors kept off the wall, as `author_key` writes them.
    pub blocked: BTreeSet<String>,
    /// By alert id.
    pub handled: BTreeMap<u64, Handling>,
    pub banner: Option<BannerMessage>,
    /// The layout the room chose to show instead of its own (a name in the wall's
    /// `LayoutLibrary`); `None`: its own, or an alert's takeover while one is active.
    #[serde(default)]
    pub layout: Option<String>,
    /// Lobby screens show the neutral layout, whatever else is asked.
    #[serde(default)]
    pub lobby_safe: bool,
    /// The layout chosen for one room's displays only, by room (a hub's displays).
    #[serde(default)]
    pub room_layouts: BTreeMap<String, String>,
    /// Whether screens with pages turn them.
    #[serde(default)]
    pub rotation: Rotation,
    /// Posts the room approved for, or rejected from, a layout with `approval = true`, by id.
    #[serde(default)]
    pub reviews: BTreeMap<String, Review>,
}

/// The room's word on a post for a lobby that shows approved posts only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub approved: bool,
    pub by: String,
    pub at: DateTime<Utc>,
}

/// Reviews kept: a lobby shows the last few hours of posts; the oldest reviews go first.
pub const MAX_REVIEWS: usize = 5_000;

/// How the screens with pages turn them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state", content = "page")]
pub enum Rotation {
    /// Each page for its dwell time, then the next.
    #[default]
    Turning,
    /// Each screen stays on the page it shows.
    Held,
    /// Each screen shows its page of this index (from 0), and stays there.
    Page(usize),
}

/// One decision, with everything it needs (the control page looks the post up before it
/// pins it: the wall may no longer have it).
#[derive(Debug, Clone, PartialEq)]
pub enum RoomChange {
    Pin(Box<Pin>),
    Unpin {
        id: String,
    },
    Hide {
        id: String,
    },
    Unhide {
        id: String,
    },
    Block {
        author: String,
    },
    Unblock {
        author: String,
    },
    Acknowledge {
        alert: u64,
        started: DateTime<Utc>,
        by: String,
        at: DateTime<Utc>,
    },
    Resolve {
        alert: u64,
        started: DateTime<Utc>,
        by: String,
        at: DateTime<Utc>,
        note: String,
    },
    Banner(Option<BannerMessage>),
    Layout(Option<String>),
    /// A layout for one room's displays; `None`: back to what every screen shows.
    RoomLayout {
        room: String,
        layout: Option<String>,
    },
    LobbySafe(bool),
    Rotation(Rotation),
    /// Approve (or reject) a post for a lobby that shows approved posts only.
    Review {
        id: String,
        review: Review,
    },
}

/// An author as the room blocks them: the platform and the handle, case folded (handles are
/// case-insensitive on every platform Vigie reads).
pub fn author_key(mention: &EnrichedMention) -> String {
    format!(
        "{}:{}",
        mention.mention.platform.name(),
        mention.mention.author.handle.to_lowercase()
    )
}

impl RoomState {
    pub fn apply(&mut self, change: RoomChange) {
        match change {
            RoomChange::Pin(pin) => {
                self.pins
                    .retain(|p| p.mention.mention.id != pin.mention.mention.id);
                self.pins.insert(0, *pin);
            }
            RoomChange::Unpin { id } => self.pins.retain(|p| p.mention.mention.id != id),
            RoomChange::Hide { id } => {
                self.pins.retain(|p| p.mention.mention.id != id);
                self.hidden.insert(id);
            }
            RoomChange::Unhide { id } => {
                self.hidden.remove(&id);
            }
            RoomChange::Block { author } => {
                self.pins.retain(|p| author_key(&p.mention) != author);
                self.blocked.insert(author);
            }
            RoomChange::Unblock { author } => {
                self.blocked.remove(&author);
            }
            RoomChange::Acknowledge {
                alert,
                started,
                by,
                at,
            } => {
                if self.handling(alert, started).is_some() {
                    return;
                }
                self.handled.insert(
                    alert,
                    Handling {
                        alert_started: started,
                        by,
                        at,
                        resolved: None,
                    },
                );
            }
            RoomChange::Resolve {
                alert,
                started,
                by,
                at,
                note,
            } => {
                if self.handling(alert, started).is_none() {
                    self.handled.insert(
                        alert,
                        Handling {
                            alert_started: started,
                            by: by.clone(),
                            at,
                            resolved: None,
                        },
                    );
                }
                if let Some(handling) = self.handled.get_mut(&alert) {
                    handling.resolved = Some(Resolution { by, at, note });
                }
            }
            RoomChange::Banner(banner) => self.banner = banner,
            RoomChange::Layout(layout) => self.layout = layout,
            RoomChange::RoomLayout { room, layout } => match layout {
                Some(layout) => {
                    self.room_layouts.insert(room, layout);
                }
                None => {
                    self.room_layouts.remove(&room);
                }
            },
            RoomChange::LobbySafe(on) => self.lobby_safe = on,
            RoomChange::Rotation(rotation) => self.rotation = rotation,
            RoomChange::Review { id, review } => {
                self.reviews.insert(id, review);
                if self.reviews.len() > MAX_REVIEWS {
                    // A tenth at a time, so that the sort is rare.
                    let mut by_age: Vec<(DateTime<Utc>, String)> = self
                        .reviews
                        .iter()
                        .map(|(id, r)| (r.at, id.clone()))
                        .collect();
                    by_age.sort();
                    for (_, id) in by_age.into_iter().take(MAX_REVIEWS / 10) {
                        self.reviews.remove(&id);
                    }
                }
            }
        }
    }

    /// How the room handles alert `id` that started at `started`; `None` for an alert no one
    /// took in hand, or for another alert that had the same id.
    pub fn handling(&self, id: u64, started: DateTime<Utc>) -> Option<&Handling> {
        self.handled.get(&id).filter(|h| h.alert_started == started)
    }

    /// The layout chosen for the displays of `room` (one room's choice, else every screen's).
    pub fn layout_for(&self, room: Option<&str>) -> Option<&String> {
        room.and_then(|room| self.room_layouts.get(room))
            .or(self.layout.as_ref())
    }

    /// Whether a layout asking for approval under `rules` may show `mention`: the room's word
    /// if it gave one (a rejection beats every rule), else the rules'.
    pub fn approves(
        &self,
        mention: &EnrichedMention,
        rules: &crate::layout::approval::Approval,
    ) -> bool {
        match self.reviews.get(&mention.mention.id) {
            Some(review) => review.approved,
            None => rules.auto_approves(mention),
        }
    }

    /// The same for an alert's evidence post, which carries no reach or tone of its author: the
    /// room's word, else whether an own account wrote it.
    pub fn approves_evidence(
        &self,
        post: &crate::alerts::EvidencePost,
        rules: &crate::layout::approval::Approval,
    ) -> bool {
        match self.reviews.get(&post.id) {
            Some(review) => review.approved,
            None => {
                let author = post.author.trim_start_matches('@');
                rules
                    .own_accounts
                    .iter()
                    .any(|a| a.eq_ignore_ascii_case(author))
            }
        }
    }

    /// Whether the wall may show `mention` (not hidden, author not blocked).
    pub fn shows(&self, mention: &EnrichedMention) -> bool {
        !self.hidden.contains(&mention.mention.id)
            && (self.blocked.is_empty() || !self.blocked.contains(&author_key(mention)))
    }

    /// Whether the wall may show an alert's evidence post (not hidden, author not blocked).
    pub fn shows_evidence(&self, post: &crate::alerts::EvidencePost) -> bool {
        let author = format!("{}:{}", post.platform.name(), post.author.to_lowercase());
        !self.hidden.contains(&post.id) && !self.blocked.contains(&author)
    }

    /// The pins still on at `now`, newest first.
    pub fn live_pins(&self, now: DateTime<Utc>) -> impl Iterator<Item = &Pin> {
        self.pins.iter().filter(move |p| p.until > now)
    }

    /// Leaves out the pins and the banner that ended before `now`.
    pub fn forget_ended(&mut self, now: DateTime<Utc>) {
        self.pins.retain(|p| p.until > now);
        self.banner = self.banner.take().filter(|b| b.until > now);
    }

    /// The banner message, while it lasts.
    pub fn live_banner(&self, now: DateTime<Utc>) -> Option<&BannerMessage> {
        self.banner.as_ref().filter(|b| b.until > now)
    }
}

/// The room's state, shared by the control page (which changes it) and the wall (which shows
/// it): each change bumps the version and wakes the wall.
#[derive(Default)]
pub struct Room {
    state: Mutex<RoomState>,
    version: AtomicU64,
    wake: WakeSlot,
}

impl Room {
    pub fn new(wake: WakeSlot) -> Arc<Room> {
        Room::with_state(wake, RoomState::default())
    }

    /// A room that starts from decisions taken before (read back from the history).
    pub fn with_state(wake: WakeSlot, state: RoomState) -> Arc<Room> {
        Arc::new(Room {
            state: Mutex::new(state),
            // At 1, so that a wall's view (version 0) takes the room once, whatever it starts with.
            version: AtomicU64::new(1),
            wake,
        })
    }

    pub fn change(&self, change: RoomChange) {
        {
            let mut state = super::lock(&self.state);
            // Ended pins go with the next change, so that the state does not grow all day.
            state.forget_ended(Utc::now());
            state.apply(change);
        }
        self.version.fetch_add(1, Ordering::Release);
        if let Some(wake) = self.wake.get() {
            wake();
        }
    }

    /// Takes the state as a whole: a display's room, from its hub.
    pub fn replace(&self, state: RoomState) {
        *super::lock(&self.state) = state;
        self.version.fetch_add(1, Ordering::Release);
        self.wake_wall();
    }

    /// The slot the wall fills with its way to wake up.
    pub fn wake_slot(&self) -> WakeSlot {
        self.wake.clone()
    }

    /// Wakes the wall without a change (a picture to capture).
    pub fn wake_wall(&self) {
        if let Some(wake) = self.wake.get() {
            wake();
        }
    }

    pub fn version(&self) -> u64 {
        self.version.load(Ordering::Acquire)
    }

    pub fn snapshot(&self) -> RoomState {
        super::lock(&self.state).clone()
    }

    /// What `look` reads of the state, without copying the rest of it.
    pub fn read<R>(&self, look: impl FnOnce(&RoomState) -> R) -> R {
        look(&super::lock(&self.state))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(id: &str, handle: &str) -> EnrichedMention {
        let mut card = crate::model::test_card(id, "texte");
        card.mention.author.handle = handle.into();
        card
    }

    #[test]
    fn hidden_posts_and_blocked_authors_leave_the_wall_until_undone() {
        let mut room = RoomState::default();
        let (a, b) = (card("a", "Lea_12"), card("b", "troll"));
        assert!(room.shows(&a) && room.shows(&b));
        room.apply(RoomChange::Hide { id: "a".into() });
        assert!(!room.shows(&a) && room.shows(&b));
        room.apply(RoomChange::Block {
            author: author_key(&card("x", "TROLL")),
        });
        assert!(!room.shows(&b), "handles are blocked whatever their case");
        room.apply(RoomChange::Unhide { id: "a".into() });
        room.apply(RoomChange::Unblock {
            author: "bluesky:troll".into(),
        });
        assert!(room.shows(&a) && room.shows(&b));
    }

    #[test]
    fn pins_expire_and_hiding_a_pinned_post_unpins_it() {
        let now: DateTime<Utc> = "2026-12-06T14:00:00Z".parse().expect("time");
        let mut room = RoomState::default();
        for (id, minutes) in [("a", 30), ("b", 5)] {
            room.apply(RoomChange::Pin(Box::new(Pin {
                mention: card(id, "h"),
                by: "camille".into(),
                until: now + chrono::TimeDelta::minutes(minutes),
            })));
        }
        let live = |room: &RoomState, at| {
            room.live_pins(at)
                .map(|p| p.mention.mention.id.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(live(&room, now), ["b", "a"]);
        assert_eq!(live(&room, now + chrono::TimeDelta::minutes(10)), ["a"]);
        room.apply(RoomChange::Hide { id: "a".into() });
        assert!(live(&room, now).iter().all(|id| id != "a"));
    }

    #[test]
    fn evidence_of_a_hidden_post_or_a_blocked_author_is_not_shown() {
        let post = |id: &str, author: &str| crate::alerts::EvidencePost {
            id: id.into(),
            author: author.into(),
            text: "texte".into(),
            url: None,
            platform: crate::model::Platform::Bluesky,
            engagement: 0,
            tone: crate::model::Tone::Negative,
        };
        let mut room = RoomState::default();
        room.apply(RoomChange::Hide { id: "a".into() });
        room.apply(RoomChange::Block {
            author: "bluesky:troll".into(),
        });
        assert!(!room.shows_evidence(&post("a", "lea")));
        assert!(!room.shows_evidence(&post("b", "Troll")));
        assert!(room.shows_evidence(&post("c", "lea")));
    }

    #[test]
    fn an_alert_is_taken_in_hand_once_then_resolved() {
        let at: DateTime<Utc> = "2026-12-06T14:05:00Z".parse().expect("time");
        let mut room = RoomState::default();
        let started = at - chrono::TimeDelta::minutes(3);
        room.apply(RoomChange::Acknowledge {
            alert: 7,
            started,
            by: "camille".into(),
            at,
        });
        // A second click by someone else does not take it from the first.
        room.apply(RoomChange::Acknowledge {
            alert: 7,
            started,
            by: "léo".into(),
            at: at + chrono::TimeDelta::minutes(1),
        });
        assert_eq!(room.handled[&7].by, "camille");
        room.apply(RoomChange::Resolve {
            alert: 7,
            started,
            by: "léo".into(),
            at: at + chrono::TimeDelta::minutes(20),
            note: "affiches retirées".into(),
        });
        let handling = &room.handled[&7];
        assert_eq!(handling.by, "camille");
        assert_eq!(
            handling.resolved.as_ref().map(|r| r.note.as_str()),
            Some("affiches retirées")
        );
    }

    #[test]
    fn another_alert_given_the_same_id_is_not_taken_for_the_handled_one() {
        let started: DateTime<Utc> = "2026-12-06T14:05:00Z".parse().expect("time");
        let mut room = RoomState::default();
        room.apply(RoomChange::Acknowledge {
            alert: 1,
            started,
            by: "camille".into(),
            at: started,
        });
        assert!(room.handling(1, started).is_some());
        let later = started + chrono::TimeDelta::days(2);
        assert!(room.handling(1, later).is_none());
        // Taking the new one in hand replaces the old one's record.
        room.apply(RoomChange::Acknowledge {
            alert: 1,
            started: later,
            by: "léo".into(),
            at: later,
        });
        assert_eq!(room.handling(1, later).map(|h| h.by.as_str()), Some("léo"));
    }

    #[test]
    fn the_rooms_decisions_come_back_from_their_json_whole() {
        let at: DateTime<Utc> = "2026-12-06T14:05:00Z".parse().expect("time");
        let mut room = RoomState::default();
        room.apply(RoomChange::Pin(Box::new(Pin {
            mention: card("a", "lea"),
            by: "camille".into(),
            until: at + chrono::TimeDelta::minutes(30),
        })));
        room.apply(RoomChange::Hide { id: "b".into() });
        room.apply(RoomChange::Block {
            author: "bluesky:troll".into(),
        });
        room.apply(RoomChange::Resolve {
            alert: 3,
            started: at,
            by: "léo".into(),
            at,
            note: "fait".into(),
        });
        room.apply(RoomChange::Banner(Some(BannerMessage {
            text: "Point de crise à 15 h".into(),
            by: "camille".into(),
            until: at + chrono::TimeDelta::hours(1),
        })));
        room.apply(RoomChange::Layout(Some("crise".into())));
        room.apply(RoomChange::LobbySafe(true));
        room.apply(RoomChange::Rotation(Rotation::Page(2)));
        room.apply(RoomChange::Review {
            id: "c".into(),
            review: Review {
                approved: true,
                by: "camille".into(),
                at,
            },
        });
        let json = serde_json::to_string(&room).expect("json");
        let back: RoomState = serde_json::from_str(&json).expect("read back");
        assert_eq!(back, room);
    }

    #[test]
    fn a_rejection_beats_the_rules_and_the_oldest_reviews_go_first() {
        let at: DateTime<Utc> = "2026-12-06T14:05:00Z".parse().expect("time");
        let rules = crate::layout::approval::Approval {
            own_accounts: vec!["petitloup".into()],
            positive_from_followers: None,
        };
        let mut room = RoomState::default();
        let own = card("own-1", "petitloup");
        let other = card("x", "lea");
        assert!(room.approves(&own, &rules));
        assert!(!room.approves(&other, &rules));
        let review = |approved, minutes| Review {
            approved,
            by: "camille".into(),
            at: at + chrono::TimeDelta::minutes(minutes),
        };
        room.apply(RoomChange::Review {
            id: "own-1".into(),
            review: review(false, 0),
        });
        room.apply(RoomChange::Review {
            id: "x".into(),
            review: review(true, 0),
        });
        assert!(!room.approves(&own, &rules));
        assert!(room.approves(&other, &rules));
        for n in 0..MAX_REVIEWS as i64 {
            room.apply(RoomChange::Review {
                id: format!("p{n}"),
                review: review(true, n + 1),
            });
        }
        assert!(room.reviews.len() <= MAX_REVIEWS);
        assert!(!room.reviews.contains_key("x"), "the oldest went");
        assert!(room.reviews.contains_key(&format!("p{}", MAX_REVIEWS - 1)));
    }
}
