//! Runs every configured source on one tokio runtime in a background thread, and restarts a
//! source that fails.
//!
//! Backoff: after a failure the source waits `BASE_BACKOFF * 2^(failures-1)`, capped at
//! `MAX_BACKOFF`, with up to 25 % random jitter so that several walls restarting together do
//! not hit a server in step. A source that ran for `HEALTHY_RUN` before failing starts again
//! from the base delay: an occasional disconnect is not a failing source.

use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::Sender;
use rand::Rng;
use tokio::sync::watch;

use super::web::http::{HttpFailure, failure_of};
use super::{HealthBoard, MentionSink, Source, SourceContext, SourceEnd};
use crate::clock::SharedClock;
use crate::model::{FailureKind, HealthState, SourceEvent};

const BASE_BACKOFF: Duration = Duration::from_secs(1);
const MAX_BACKOFF: Duration = Duration::from_secs(300);
const HEALTHY_RUN: Duration = Duration::from_secs(120);

/// Owns the ingest thread; dropping it without `shutdown` leaves the thread to end with the
/// process.
pub struct IngestHandle {
    shutdown: watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
    pub board: HealthBoard,
}

impl IngestHandle {
    /// Asks every source to stop and waits for the thread.
    pub fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Starts the sources on their own thread; they send into `tx`.
pub fn start_ingest(
    sources: Vec<Box<dyn Source>>,
    clock: SharedClock,
    tx: Sender<SourceEvent>,
) -> std::io::Result<IngestHandle> {
    let board = HealthBoard::default();
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let contexts: Vec<(Box<dyn Source>, SourceContext)> = sources
        .into_iter()
        .map(|source| {
            let sink = MentionSink::new(source.name(), tx.clone(), &board);
            let ctx = SourceContext {
                sink,
                clock: clock.clone(),
                shutdown: shutdown_rx.clone(),
            };
            (source, ctx)
        })
        .collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("vigie-ingest")
        .enable_all()
        .build()?;
    let supervisor_board = board.clone();
    let thread = std::thread::Builder::new()
        .name("vigie-sources".into())
        .spawn(move || {
            runtime.block_on(async move {
                let mut tasks = tokio::task::JoinSet::new();
                for (source, ctx) in contexts {
                    tasks.spawn(supervise(source, ctx, supervisor_board.clone()));
                }
                while tasks.join_next().await.is_some() {}
            });
        })?;
    Ok(IngestHandle {
        shutdown: shutdown_tx,
        thread: Some(thread),
        board,
    })
}

/// Delay before the next restart after `failures` consecutive failures, jitter excluded.
pub fn backoff_delay(failures: u32) -> Duration {
    let exponent = failures.saturating_sub(1).min(16);
    BASE_BACKOFF
        .saturating_mul(1u32 << exponent)
        .min(MAX_BACKOFF)
}

async fn supervise(mut source: Box<dyn Source>, mut ctx: SourceContext, board: HealthBoard) {
    // The name the board knows it by (unique, where two sources share one).
    let name = ctx.sink.name().to_string();
    let mut failures = 0u32;
    loop {
        let started = Instant::now();
        tracing::info!(source = %name, "source starting");
        let outcome = source.run(ctx.clone()).await;
        match outcome {
            Ok(SourceEnd::Shutdown) => return,
            Ok(SourceEnd::Exhausted) => {
                tracing::info!(source = %name, "source has nothing more to send");
                board.set_state(&name, HealthState::Finished);
                return;
            }
            Err(error) => {
                if started.elapsed() >= HEALTHY_RUN {
                    failures = 0;
                }
                let failure = failure_of(&error);
                let jitter = rand::rng().random_range(0.0..0.25);
                // anyhow finds a context's type through the error's contexts.
                let asked = error
                    .downcast_ref::<super::RetryIn>()
                    .map(|retry| retry.0)
                    .or_else(|| failure.and_then(HttpFailure::asked_wait));
                let delay = match asked {
                    // The server said how long to wait (or when its quota is renewed): that,
                    // not our backoff.
                    Some(wait) => wait.mul_f64(1.0 + jitter / 10.0),
                    None => {
                        failures += 1;
                        backoff_delay(failures).mul_f64(1.0 + jitter)
                    }
                };
                // The badge shows the root cause when it is an HTTP one ("401: bad token"),
                // the whole chain otherwise; the log always has the chain.
                let reason = failure.map_or_else(|| format!("{error:#}"), ToString::to_string);
                let kind = failure.map_or(FailureKind::Other, HttpFailure::kind);
                let retry_at = ctx.clock.event_time_after(delay);
                tracing::warn!(
                    source = %name,
                    failures,
                    retry_in_s = delay.as_secs_f32(),
                    "source failed: {error:#}"
                );
                board.set_state(
                    &name,
                    HealthState::Failed {
                        reason,
                        kind,
                        retry_at,
                    },
                );
                if !ctx.sleep_or_shutdown(delay).await {
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ScaledClock;
    use crate::ingest::SourceFuture;
    use chrono::TimeDelta;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff_delay(1), Duration::from_secs(1));
        assert_eq!(backoff_delay(2), Duration::from_secs(2));
        assert_eq!(backoff_delay(5), Duration::from_secs(16));
        assert_eq!(backoff_delay(30), MAX_BACKOFF);
    }

    /// Fails twice, then sends one mention and reports it has nothing more.
    struct FlakySource {
        runs: Arc<AtomicU32>,
    }

    impl Source for FlakySource {
        fn name(&self) -> &str {
            "flaky"
        }
        fn run<'a>(&'a mut self, ctx: SourceContext) -> SourceFuture<'a> {
            Box::pin(async move {
                let run = self.runs.fetch_add(1, Ordering::SeqCst) + 1;
                if run <= 2 {
                    anyhow::bail!("connection refused (try {run})");
                }
                let now = ctx.clock.now();
                let mention = crate::ingest::demo::tests_support::plain_mention("flaky:1", now);
                ctx.sink.send(mention, now).await;
                Ok(SourceEnd::Exhausted)
            })
        }
    }

    #[test]
    fn a_failing_source_is_restarted_with_backoff_and_its_health_follows() {
        let runs = Arc::new(AtomicU32::new(0));
        let (tx, rx) = crossbeam_channel::bounded(16);
        let clock: SharedClock = Arc::new(ScaledClock::realtime());
        let handle = start_ingest(
            vec![Box::new(FlakySource { runs: runs.clone() })],
            clock,
            tx,
        )
        .expect("runtime starts");
        // Two failures cost 1 s + 2 s of backoff (plus jitter) before the third run.
        let got = rx
            .recv_timeout(Duration::from_secs(10))
            .expect("mention after restarts");
        assert!(matches!(got, SourceEvent::Post(m) if m.id == "flaky:1"));
        assert_eq!(runs.load(Ordering::SeqCst), 3);
        std::thread::sleep(Duration::from_millis(50));
        let health = handle
            .board
            .snapshot(chrono::Utc::now(), TimeDelta::minutes(5));
        assert_eq!(health[0].state, HealthState::Finished);
        assert_eq!(health[0].received, 1);
        handle.shutdown();
    }
}
