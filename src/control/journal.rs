//! What the room did, kept in the history: every action in its `audit` table, and the room's
//! decisions in force in its `room` table, written together in one transaction after each
//! change. A restarted wall reads the decisions back, so that a post hidden or an author
//! blocked before a crash stays off the wall after it.
//!
//! The journal has its own connection to the history file (WAL lets it write beside the
//! history's writer thread). A write that fails is logged and reported to the caller: the room
//! still acts, on screen, and the action stays in the log and in memory.

use std::path::Path;
use std::sync::Mutex;

use chrono::Utc;

use super::lock;
use super::room::{Room, RoomChange, RoomState};
use crate::store::{AuditEntry, Store};

pub struct Journal {
    store: Mutex<Store>,
    /// Why the last write failed, until one succeeds (the page shows it).
    problem: Mutex<Option<String>>,
}

impl Journal {
    /// Opens the history in `data_dir` for the room's journal.
    pub fn open(data_dir: &Path) -> anyhow::Result<Journal> {
        Ok(Journal {
            store: Mutex::new(Store::open(data_dir)?),
            problem: Mutex::new(None),
        })
    }

    /// The room's decisions as last written, less the pins and banner that ended meanwhile;
    /// an empty room when none were written or they cannot be read (logged).
    pub fn room(&self) -> RoomState {
        let stored = lock(&self.store).room_decisions();
        let mut state = match stored {
            Ok(Some(body)) => match serde_json::from_str::<RoomState>(&body) {
                Ok(state) => state,
                Err(error) => {
                    tracing::error!(%error, "the room's decisions in the history cannot be read: starting with none");
                    RoomState::default()
                }
            },
            Ok(None) => RoomState::default(),
            Err(error) => {
                tracing::error!(%error, "cannot read the room's decisions from the history: starting with none");
                RoomState::default()
            }
        };
        state.forget_ended(Utc::now());
        state
    }

    /// The `count` latest actions, newest first (the page's audit after a restart).
    pub fn latest(&self, count: usize) -> Vec<AuditEntry> {
        match lock(&self.store).latest_audit(count) {
            Ok(entries) => entries,
            Err(error) => {
                tracing::error!(%error, "cannot read the audit log from the history");
                Vec::new()
            }
        }
    }

    /// Applies `change` to `room` and writes `entry` with the decisions as they stand after
    /// it. The journal's lock is held across both, so that two actions at once are written in
    /// the order they were applied. An error says why the history did not take it.
    pub fn apply(&self, room: &Room, change: RoomChange, entry: &AuditEntry) -> Result<(), String> {
        let mut store = lock(&self.store);
        room.change(change);
        let body = serde_json::to_string(&room.snapshot()).map_err(|e| e.to_string())?;
        let written = store.record_action(entry, Some(&body));
        self.note(written)
    }

    /// Writes an action that changes nothing in the room (a login, a logout).
    pub fn record(&self, entry: &AuditEntry) -> Result<(), String> {
        let written = lock(&self.store).record_action(entry, None);
        self.note(written)
    }

    /// Why the last write failed, while no write has succeeded since.
    pub fn problem(&self) -> Option<String> {
        lock(&self.problem).clone()
    }

    fn note(&self, written: rusqlite::Result<()>) -> Result<(), String> {
        let outcome = written.map_err(|error| {
            tracing::error!(%error, "cannot write the room's action to the history");
            format!("not kept in the history: {error}")
        });
        *lock(&self.problem) = outcome.as_ref().err().cloned();
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(action: &str, target: &str) -> AuditEntry {
        AuditEntry {
            at: Utc::now(),
            user: "camille".into(),
            from: "192.0.2.7".into(),
            action: action.into(),
            target: target.into(),
            detail: String::new(),
        }
    }

    #[test]
    fn a_history_that_cannot_take_an_action_says_why_and_the_room_still_acts() {
        let folder = tempfile::tempdir().expect("temp dir");
        let journal = Journal::open(folder.path()).expect("journal");
        let room = Room::new(Default::default());
        journal
            .apply(
                &room,
                RoomChange::Hide { id: "a".into() },
                &entry("hide post", "a"),
            )
            .expect("written");
        assert_eq!(journal.problem(), None);
        // Another hand breaks the history under the running wall.
        let other =
            rusqlite::Connection::open(folder.path().join(crate::store::FILE_NAME)).expect("open");
        other.execute_batch("DROP TABLE room").expect("drop");
        let failed = journal.apply(
            &room,
            RoomChange::Block {
                author: "bluesky:troll".into(),
            },
            &entry("block author", "bluesky:troll"),
        );
        let problem = failed.expect_err("the write fails");
        assert!(problem.contains("room"), "{problem}");
        assert_eq!(journal.problem(), Some(problem));
        assert!(room.read(|state| state.blocked.contains("bluesky:troll")));
        // Neither half of the failed action was kept.
        assert_eq!(journal.latest(10).len(), 1);
        // Once the history takes writes again, the problem goes.
        other
            .execute_batch(
                "CREATE TABLE room (key TEXT PRIMARY KEY, body TEXT NOT NULL, updated_at INTEGER NOT NULL)",
            )
            .expect("create");
        journal.record(&entry("logout", "")).expect("written");
        assert_eq!(journal.problem(), None);
    }

    #[test]
    fn ended_pins_and_banners_do_not_come_back() {
        let folder = tempfile::tempdir().expect("temp dir");
        let journal = Journal::open(folder.path()).expect("journal");
        let room = Room::new(Default::default());
        let past = Utc::now() - chrono::TimeDelta::minutes(1);
        journal
            .apply(
                &room,
                RoomChange::Banner(Some(super::super::room::BannerMessage {
                    text: "fini".into(),
                    by: "camille".into(),
                    until: past,
                })),
                &entry("set banner", ""),
            )
            .expect("written");
        journal
            .apply(
                &room,
                RoomChange::Hide { id: "a".into() },
                &entry("hide post", "a"),
            )
            .expect("written");
        let back = Journal::open(folder.path()).expect("journal").room();
        assert_eq!(back.banner, None);
        assert!(back.hidden.contains("a"));
    }
}
