//! Waiting for an acknowledgement (`vigie_core::ack`): a group's answer as a channel an async
//! task (the webhook) or a thread can wait on.

pub use vigie_core::ack::Ack;

/// Waits for a group's answer.
pub struct AckGroup {
    answer: tokio::sync::oneshot::Receiver<bool>,
}

impl AckGroup {
    /// A new group and its first handle (clone it for each post, then commit it once every
    /// post is handed over).
    pub fn new() -> (AckGroup, Ack) {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let root = Ack::group(move |durable| {
            let _ = tx.send(durable);
        });
        (AckGroup { answer: rx }, root)
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
    fn the_answer_reaches_a_waiting_thread() {
        let (group, root) = AckGroup::new();
        let lost = root.clone();
        root.commit();
        drop(lost);
        assert!(!group.durable_blocking());
        let (group, root) = AckGroup::new();
        root.commit();
        assert!(group.durable_blocking());
    }
}
