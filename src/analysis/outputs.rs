//! What the analysis hands its results to besides the wall: the history's writer, a hub's
//! publisher, the enriched tap (`--enriched-out`) and the alert sinks, each one `Output`.
//! None is ever waited on: what one cannot take is counted as its own loss and logged
//! sparsely (`sparse_log`), and the others and the wall go on. A new output is one more
//! implementation, handed to the analysis thread in its list; the thread is not touched.

use std::sync::atomic::{AtomicU64, Ordering};

use crossbeam_channel::Sender;

use crate::ack::Ack;
use crate::alerts::AlertChange;
use crate::model::{AnalysisEvent, Checkpoint, Figures, Spike};
use crate::store::StoreEvent;

pub trait Output: Send {
    /// A mention counted, edited or retracted; false when this output could not take it.
    fn analysis(&self, _event: &AnalysisEvent) -> bool {
        true
    }

    /// An alert raised, updated or ended.
    fn alert(&self, _change: &AlertChange) {}

    /// A spike raised, or grown since it was last sent.
    fn spike(&self, _spike: &Spike) {}

    /// A source's resume point.
    fn checkpoint(&self, _checkpoint: &Checkpoint) {}

    /// Whether a post's sender waits for this output (the history: its commit). At most one
    /// output of a run is durable; with none, a post is acknowledged once analysed.
    fn durable(&self) -> bool {
        false
    }

    /// Passes a post's acknowledgement on, after the post's own event (`taken`: whether this
    /// output took it). Asked of the durable output only.
    fn acknowledge(&self, ack: Ack, _taken: bool) {
        ack.commit();
    }

    /// Writes this output's losses and problems into the figures the wall shows.
    fn report(&self, _figures: &mut Figures) {}

    /// The figures the wall is about to show, every output's report in them.
    fn figures(&self, _figures: &Figures) {}
}

/// The way to the history's writer thread (none when the history could not be opened), and
/// its health, which the figures carry to the wall.
#[derive(Clone)]
pub struct HistoryLink {
    pub events: Option<Sender<StoreEvent>>,
    pub health: std::sync::Arc<crate::store::HistoryHealth>,
}

impl HistoryLink {
    /// Whether the writer took the event (true with no writer: nothing to lose there).
    fn send(&self, event: StoreEvent) -> bool {
        let Some(events) = &self.events else {
            return true;
        };
        if events.try_send(event).is_err() {
            let lost = self.health.lose(1);
            if crate::sparse_log::worth_logging(lost) {
                tracing::warn!(lost, "the history is not keeping up: event not stored");
            }
            return false;
        }
        true
    }
}

impl Output for HistoryLink {
    fn analysis(&self, event: &AnalysisEvent) -> bool {
        self.send(StoreEvent::Analysis(event.clone()))
    }

    fn alert(&self, change: &AlertChange) {
        self.send(StoreEvent::Alert(change.clone()));
    }

    fn spike(&self, spike: &Spike) {
        self.send(StoreEvent::Spike(spike.clone()));
    }

    /// Committed with the posts sent before it.
    fn checkpoint(&self, checkpoint: &Checkpoint) {
        self.send(StoreEvent::Checkpoint(checkpoint.clone()));
    }

    fn durable(&self) -> bool {
        true
    }

    /// The writer commits the acknowledgement with the batch that holds the post. Without a
    /// writer the post is as durable as it will be (in memory); a post the writer did not take
    /// is not durable, and its sender hears so.
    fn acknowledge(&self, ack: Ack, taken: bool) {
        match &self.events {
            None => ack.commit(),
            // The writer's channel is in order: this comes after the post's own event.
            Some(events) if taken => {
                if events.try_send(StoreEvent::Ack(ack)).is_err() {
                    tracing::debug!("the history is not keeping up: acknowledgement dropped");
                }
            }
            Some(_) => drop(ack),
        }
    }

    fn report(&self, figures: &mut Figures) {
        figures.history_lost = self.health.lost();
        figures.history_problem = self.health.problem();
    }
}

/// A hub without a history publishes what its analysis counts (with one, the history's writer
/// publishes what it committed, and the analysis does not hold the bus).
impl Output for crate::bus::BusLink {
    fn analysis(&self, event: &AnalysisEvent) -> bool {
        self.send(StoreEvent::Analysis(event.clone()));
        true
    }

    fn alert(&self, change: &AlertChange) {
        self.send(StoreEvent::Alert(change.clone()));
    }

    fn spike(&self, spike: &Spike) {
        self.send(StoreEvent::Spike(spike.clone()));
    }
}

/// Every mention counted, edited or retracted, in order, for whoever records the analysis
/// (`--enriched-out`).
pub struct EnrichedTap {
    events: Sender<AnalysisEvent>,
    dropped: AtomicU64,
}

impl EnrichedTap {
    pub fn new(events: Sender<AnalysisEvent>) -> Self {
        Self {
            events,
            dropped: AtomicU64::new(0),
        }
    }
}

impl Output for EnrichedTap {
    fn analysis(&self, event: &AnalysisEvent) -> bool {
        if self.events.try_send(event.clone()).is_ok() {
            return true;
        }
        let dropped = self.dropped.fetch_add(1, Ordering::Relaxed) + 1;
        if crate::sparse_log::worth_logging(dropped) {
            tracing::warn!(
                tap_dropped = dropped,
                "analysis output is not keeping up: event dropped"
            );
        }
        false
    }
}

/// Alert changes for the webhook sinks (the wall has them all the same).
pub struct AlertSinksLink {
    changes: Sender<crate::alerts::sinks::SinkEvent>,
    dropped: AtomicU64,
}

impl AlertSinksLink {
    pub fn new(changes: Sender<crate::alerts::sinks::SinkEvent>) -> Self {
        Self {
            changes,
            dropped: AtomicU64::new(0),
        }
    }
}

impl Output for AlertSinksLink {
    fn alert(&self, change: &AlertChange) {
        if self.changes.try_send(change.clone().into()).is_err() {
            let dropped = self.dropped.fetch_add(1, Ordering::Relaxed) + 1;
            if crate::sparse_log::worth_logging(dropped) {
                tracing::warn!(
                    dropped,
                    "alert sinks are not keeping up: alert change dropped"
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::mpsc;

    use super::*;

    fn retracted(id: &str) -> AnalysisEvent {
        AnalysisEvent::Retracted { id: id.into() }
    }

    /// An acknowledgement and what its sender hears.
    fn ack() -> (Ack, mpsc::Receiver<bool>) {
        let (tx, rx) = mpsc::channel();
        let ack = Ack::group(move |ok| {
            let _ = tx.send(ok);
        });
        (ack, rx)
    }

    #[test]
    fn a_full_history_loses_the_event_says_so_on_the_wall_and_its_post_is_not_acknowledged() {
        let (tx, rx) = crossbeam_channel::bounded(1);
        let history = HistoryLink {
            events: Some(tx),
            health: Arc::default(),
        };
        assert!(history.durable());
        assert!(history.analysis(&retracted("a")));
        assert!(
            !history.analysis(&retracted("b")),
            "the writer's channel is full"
        );
        let mut figures = Figures::default();
        history.report(&mut figures);
        assert_eq!(figures.history_lost, 1);
        // The post that was not taken: its sender hears it was not stored.
        let (not_taken, answer) = ack();
        history.acknowledge(not_taken, false);
        assert_eq!(answer.try_recv(), Ok(false));
        // The one that was: its acknowledgement follows it to the writer.
        assert!(matches!(rx.try_recv(), Ok(StoreEvent::Analysis(_))));
        let (taken, answer) = ack();
        history.acknowledge(taken, true);
        assert!(
            answer.try_recv().is_err(),
            "not answered before the writer commits"
        );
        match rx.try_recv() {
            Ok(StoreEvent::Ack(ack)) => ack.commit(),
            other => panic!("expected the acknowledgement, got {other:?}"),
        }
        assert_eq!(answer.try_recv(), Ok(true));
    }

    #[test]
    fn without_a_writer_a_post_is_acknowledged_at_once() {
        let history = HistoryLink {
            events: None,
            health: Arc::default(),
        };
        assert!(history.analysis(&retracted("a")));
        let (ack, answer) = ack();
        history.acknowledge(ack, true);
        assert_eq!(answer.try_recv(), Ok(true));
    }

    #[test]
    fn a_tap_that_cannot_keep_up_drops_and_counts_without_waiting() {
        let (tx, rx) = crossbeam_channel::bounded(2);
        let tap = EnrichedTap::new(tx);
        assert!(!tap.durable());
        let taken: Vec<bool> = (0..5)
            .map(|n| tap.analysis(&retracted(&n.to_string())))
            .collect();
        assert_eq!(taken, [true, true, false, false, false]);
        assert_eq!(tap.dropped.load(Ordering::Relaxed), 3);
        let kept: Vec<AnalysisEvent> = rx.try_iter().collect();
        assert_eq!(
            kept,
            [retracted("0"), retracted("1")],
            "in order, the first ones"
        );
    }
}
