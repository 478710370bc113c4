//! Acknowledgements end to end, in vector's sense: a sender that waits for an answer (the
//! webhook) is told "taken" only once what it sent is durable, that is once the history has
//! committed it (or, without a history, once the analysis has counted it: in memory only).
//!
//! One group per request; each post carries an `Ack` handle of it through the analysis and
//! the history's writer. A handle is either committed (`commit`) or dropped: a post lost on
//! the way (a full channel, a failed write, a program stopping) drops its handle, and a
//! dropped handle fails the whole group. The group's answer comes when its last handle is gone,
//! through the callback the group was made with (the program's runtime turns it into a
//! channel it can wait on).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// Called once with the group's answer: true when every handle was committed.
type Answer = Box<dyn FnOnce(bool) + Send>;

struct Shared {
    failed: AtomicBool,
    answer: Mutex<Option<Answer>>,
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
            answer(!self.failed.load(Ordering::Acquire));
        }
    }
}

/// One post's share of a group's acknowledgement.
pub struct Ack {
    shared: Option<Arc<Shared>>,
}

impl Ack {
    /// The first handle of a new group, whose answer goes to `answer` once the last handle is
    /// gone (clone it for each post, then commit it once every post is handed over).
    pub fn group(answer: impl FnOnce(bool) + Send + 'static) -> Ack {
        Ack {
            shared: Some(Arc::new(Shared {
                failed: AtomicBool::new(false),
                answer: Mutex::new(Some(Box::new(answer))),
            })),
        }
    }

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

#[cfg(test)]
mod tests {
    use std::sync::mpsc;

    use super::*;

    fn group() -> (Ack, mpsc::Receiver<bool>) {
        let (tx, rx) = mpsc::channel();
        let root = Ack::group(move |ok| {
            let _ = tx.send(ok);
        });
        (root, rx)
    }

    #[test]
    fn a_group_is_durable_once_every_handle_is_committed() {
        let (root, answer) = group();
        let posts: Vec<Ack> = (0..3).map(|_| root.clone()).collect();
        root.commit();
        for ack in posts {
            ack.commit();
        }
        assert_eq!(answer.recv().ok(), Some(true));
    }

    #[test]
    fn one_handle_dropped_fails_the_group() {
        let (root, answer) = group();
        let first = root.clone();
        let lost = root.clone();
        root.commit();
        first.commit();
        drop(lost);
        assert_eq!(answer.recv().ok(), Some(false));
    }

    #[test]
    fn the_answer_waits_for_the_last_handle() {
        let (root, answer) = group();
        let pending = root.clone();
        root.commit();
        assert!(answer.try_recv().is_err(), "one handle is still out");
        pending.commit();
        assert_eq!(answer.try_recv().ok(), Some(true));
    }
}
