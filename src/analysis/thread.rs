//! The analysis thread: drains the ingest channel, runs the `Analyzer`, posts each new card to
//! the wall's mailbox as soon as it is counted, and sends fresh figures a few times a second,
//! only when something changed. After each it calls the waker, so a wall that renders
//! reactively draws the change at once instead of at its next timeout.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, TrySendError};

use super::outputs::Output;
use super::{Analyzer, Outcome};
use crate::ack::Ack;
use crate::clock::SharedClock;
use crate::ingest::HealthBoard;
use crate::model::{AnalysisEvent, SourceEvent, WallUpdate, WindowsWanted};

/// Wakes the renderer; given by the wall, so the analysis knows nothing of Bevy.
pub type Waker = Arc<dyn Fn() + Send + Sync>;

/// How often, at most, the wall gets new figures.
const EMIT_EVERY: Duration = Duration::from_millis(200);
/// New cards wake the wall at once (the room sees a post the moment it is counted), at most
/// this often: a burst costs the wall one frame, not one per card.
const WAKE_EVERY: Duration = Duration::from_millis(2);
/// A source silent this long (event time) is shown as stale.
const STALE_AFTER: TimeDelta = TimeDelta::minutes(5);

pub struct AnalysisHandle {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl AnalysisHandle {
    pub fn shutdown(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// What the analysis thread takes in: events from sources (a wall with its own sources, a
/// hub), or mentions a hub has already analysed (a display).
pub trait AnalysisInput: Send + 'static + Sized {
    fn apply(self, analyzer: &mut Analyzer, now: DateTime<Utc>) -> Outcome;

    /// The input and the acknowledgement its sender waits for, if any.
    fn split_ack(self) -> (Self, Option<Ack>) {
        (self, None)
    }

    /// A source's resume point, for the history rather than the analysis.
    fn into_checkpoint(self) -> Result<crate::model::Checkpoint, Self> {
        Err(self)
    }
}

impl AnalysisInput for SourceEvent {
    fn apply(self, analyzer: &mut Analyzer, now: DateTime<Utc>) -> Outcome {
        analyzer.handle(self, now)
    }

    fn split_ack(self) -> (Self, Option<Ack>) {
        SourceEvent::split_ack(self)
    }

    fn into_checkpoint(self) -> Result<crate::model::Checkpoint, Self> {
        match self {
            SourceEvent::Checkpoint(checkpoint) => Ok(checkpoint),
            other => Err(other),
        }
    }
}

/// The analysis thread's channels.
pub struct AnalysisLinks<I: AnalysisInput = SourceEvent> {
    /// From the sources (or the hub).
    pub events: Receiver<I>,
    /// To the wall: the figures.
    pub wall: Sender<WallUpdate>,
    /// To the wall: the cards, taken at its next frame.
    pub cards: crate::mailbox::CardMailbox,
    /// From the wall: the windows its tiles show.
    pub windows: Receiver<WindowsWanted>,
    /// Everything else the results go to (history, bus, enriched tap, alert sinks), in the
    /// order each result is handed to them; never waited on.
    pub outputs: Vec<Box<dyn Output>>,
    /// Wakes the wall after each send.
    pub waker: Waker,
}

pub fn start_analysis<I: AnalysisInput>(
    mut analyzer: Analyzer,
    clock: SharedClock,
    board: HealthBoard,
    links: AnalysisLinks<I>,
) -> std::io::Result<AnalysisHandle> {
    let AnalysisLinks {
        events: mentions,
        wall,
        cards,
        windows,
        outputs,
        waker,
    } = links;
    // The output a post's sender waits for, if any (the history).
    let durable = outputs.iter().position(|output| output.durable());
    let stop = Arc::new(AtomicBool::new(false));
    let thread_stop = stop.clone();
    let thread = std::thread::Builder::new()
        .name("vigie-analysis".into())
        .spawn(move || {
            // Cards posted since the wall was last woken for them.
            let mut cards_waiting = false;
            let mut changed = true;
            let mut sources_gone = false;
            let mut last_sent: Option<(i64, Vec<crate::model::SourceHealth>)> = None;
            let mut wall_dropped = 0u64;
            let mut next_emit = Instant::now();
            let mut next_wake = Instant::now();
            while !thread_stop.load(Ordering::Relaxed) {
                let due = if cards_waiting {
                    next_emit.min(next_wake)
                } else {
                    next_emit
                };
                let wait = due.saturating_duration_since(Instant::now());
                let first = if sources_gone {
                    std::thread::sleep(wait);
                    None
                } else {
                    match mentions.recv_timeout(wait) {
                        Ok(mention) => Some(mention),
                        Err(RecvTimeoutError::Timeout) => None,
                        Err(RecvTimeoutError::Disconnected) => {
                            // Every source has ended (a replay read to its end): keep the
                            // figures moving with the clock.
                            sources_gone = true;
                            None
                        }
                    }
                };
                // A reloaded layout may show new windows: compute them from the next figures on.
                for wanted in windows.try_iter() {
                    analyzer.set_windows(&wanted);
                    changed = true;
                }
                // Take what is already waiting in one go: bursts cost one wake-up, not many.
                for input in first.into_iter().chain(mentions.try_iter().take(50_000)) {
                    let now = clock.now();
                    // Committed with the posts sent before it; without a history, nowhere.
                    let input = match input.into_checkpoint() {
                        Ok(checkpoint) => {
                            for output in &outputs {
                                output.checkpoint(&checkpoint);
                            }
                            continue;
                        }
                        Err(input) => input,
                    };
                    let (input, ack) = input.split_ack();
                    let event = match input.apply(&mut analyzer, now) {
                        Outcome::Matched(enriched) => AnalysisEvent::Counted(*enriched),
                        Outcome::Edited(enriched) => AnalysisEvent::Edited(*enriched),
                        Outcome::Retracted(id) => AnalysisEvent::Retracted { id },
                        Outcome::Duplicate
                        | Outcome::Unmatched
                        | Outcome::TooLate
                        | Outcome::Noted => {
                            // Nothing to store, but the answer still waits for what came
                            // before it (a duplicate's first copy may not be committed yet).
                            if let Some(ack) = ack {
                                acknowledge(&outputs, durable, ack, true);
                            }
                            changed = true;
                            continue;
                        }
                    };
                    let mut stored = true;
                    for (n, output) in outputs.iter().enumerate() {
                        let taken = output.analysis(&event);
                        if Some(n) == durable {
                            stored = taken;
                        }
                    }
                    if let Some(ack) = ack {
                        acknowledge(&outputs, durable, ack, stored);
                    }
                    match event {
                        AnalysisEvent::Counted(card) | AnalysisEvent::Edited(card) => {
                            cards.post(card);
                        }
                        AnalysisEvent::Retracted { id } => cards.retract(id),
                    }
                    cards_waiting = true;
                    changed = true;
                }
                // The wall takes the cards at its next frame: wake it for them now, not with
                // the next figures.
                if cards_waiting && Instant::now() >= next_wake {
                    waker();
                    cards_waiting = false;
                    next_wake = Instant::now() + WAKE_EVERY;
                }
                if Instant::now() < next_emit {
                    continue;
                }
                next_emit = Instant::now() + EMIT_EVERY;
                let now = clock.now();
                let health = board.snapshot(now, STALE_AFTER);
                analyzer.tick_alerts(now, &health);
                let alert_changes = analyzer.take_alert_changes();
                if !alert_changes.is_empty() {
                    changed = true;
                }
                for output in &outputs {
                    for change in &alert_changes {
                        output.alert(change);
                    }
                }
                for spike in analyzer.take_spike_changes() {
                    for output in &outputs {
                        output.spike(&spike);
                    }
                }
                let minute = now.timestamp().div_euclid(60);
                let same_as_last = last_sent
                    .as_ref()
                    .is_some_and(|(m, h)| *m == minute && *h == health);
                if !changed && same_as_last {
                    continue;
                }
                let mut figures = analyzer.figures(now, health.clone());
                figures.wall_dropped = wall_dropped;
                for output in &outputs {
                    output.report(&mut figures);
                }
                for output in &outputs {
                    output.figures(&figures);
                }
                if !send_all(
                    &wall,
                    vec![WallUpdate::Figures(Box::new(figures))],
                    &mut wall_dropped,
                ) {
                    return;
                }
                waker();
                changed = false;
                last_sent = Some((minute, health));
            }
        })?;
    Ok(AnalysisHandle {
        stop,
        thread: Some(thread),
    })
}

/// A post's acknowledgement: through the durable output when there is one, at once
/// otherwise.
fn acknowledge(outputs: &[Box<dyn Output>], durable: Option<usize>, ack: Ack, taken: bool) {
    match durable {
        Some(n) => outputs[n].acknowledge(ack, taken),
        None => ack.commit(),
    }
}

/// Hands updates to the wall without waiting; false when the wall is gone.
fn send_all(wall: &Sender<WallUpdate>, updates: Vec<WallUpdate>, dropped: &mut u64) -> bool {
    for update in updates {
        match wall.try_send(update) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                *dropped += 1;
                if crate::sparse_log::worth_logging(*dropped) {
                    tracing::warn!(
                        wall_dropped = *dropped,
                        "wall is not keeping up: update dropped (counted on the wall)"
                    );
                }
            }
            Err(TrySendError::Disconnected(_)) => return false,
        }
    }
    true
}
