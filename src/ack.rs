//! Acknowledgements end to end, in vector's sense: a sender that waits for an answer (the
//! webhook) is told "taken" only once what it sent is durable, that is once the history has
//! committed it (or, without a history, once the analysis has counted it: in memory only).
//!
//! One `AckGroup` per request; each post carries an `Ack` handle of it through the analysis
//! and the history's writer. A handle is either committed (`commit`) or dropped: a post lost
//! on the way (a full channel, a failed write, a program stopping) drops its handle, and a
//! dropped handle fails the whole group. The group's answer comes when its last handle is gone.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

struct Shared {
    failed: AtomicBool,
    answer: Mutex<Option<tokio::sync::oneshot::Sender<bool>>>,
}

impl Drop for Shared {
    // The last handle is gone: every post of the group was committed, or one was not.
    fn drop(&mut self) {
        let answer = self
            .answer
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(answer) = answer {
            let _ = answer.send(!self.failed.load(Ordering::Acquire));
        }
    }
}

/// One post's share of a group's acknowledgement.
pub struct Ack {
    shared: Option<Arc<Shared>>,
}

impl Ack {
    /// This post is durable.
    pub fn commit(mut self) {
        self.shared = None;
    }
}

impl Clone for Ack {
    fn clone(&self) -> Ack {
        Ack {
            shared: self.shared.clone(),
        }
    }
}

impl Drop for Ack {
    fn drop(&mut self) {
        if let Some(shared) = self.shared.take() {
            shared.failed.store(true, Ordering::Release);
        }
    }
}

impl std::fmt::Debug for Ack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Ack")
    }
}

/// Handles compare equal to none: an acknowledgement is not data.
impl PartialEq for Ack {
    fn eq(&self, _: &Ack) -> bool {
        false
    }
}

/// Waits for a group's answer.
pub struct AckGroup {
    answer: tokio::sync::oneshot::Receiver<bool>,
}

impl AckGroup {
    /// A new group and its first handle (clone it for each post, then commit it once every
    /// post is handed over).
    pub fn new() -> (AckGroup, Ack) {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let shared = Arc::new(Shared {
            failed: AtomicBool::new(false),
            answer: Mutex::new(Some(tx)),
        });
        (
            AckGroup { answer: rx },
            Ack {
                shared: Some(shared),
            },
        )
    }

    /// True once every handle was committed; false as soon as all are gone and one was not.
    pub async fn durable(self) -> bool {
        self.answer.await.unwrap_or(false)
    }

    /// `durable` for a thread that is not async.
    pub fn durable_blocking(self) -> bool {
        self.answer.blocking_recv().unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_is_durable_once_every_handle_is_committed() {
        let (group, root) = AckGroup::new();
        let posts: Vec<Ack> = (0..3).map(|_| root.clone()).collect();
        root.commit();
        for ack in posts {
            ack.commit();
        }
        assert!(group.durable_blocking());
    }

    #[test]
    fn one_handle_dropped_fails_the_group() {
        let (group, root) = AckGroup::new();
        let first = root.clone();
        let lost = root.clone();
        root.commit();
        first.commit();
        drop(lost);
        assert!(!group.durable_blocking());
    }

    #[test]
    fn the_answer_waits_for_the_last_handle() {
        let (mut group, root) = AckGroup::new();
        let pending = root.clone();
        root.commit();
        assert!(group.answer.try_recv().is_err(), "one handle is still out");
        pending.commit();
        assert_eq!(group.answer.try_recv().ok(), Some(true));
    }
}
