//! Sources and the machinery they share. Each source lives in its own folder and turns its
//! wire format into `Mention`s; the supervisor runs them on a tokio runtime in a background
//! thread, restarts them with backoff, and keeps their health for the wall.

pub mod demo;
pub mod replay;
mod sink;
mod supervisor;

use std::future::Future;
use std::pin::Pin;

pub use sink::{HealthBoard, MentionSink, SourceStats};
pub use supervisor::{IngestHandle, start_ingest};

use crate::clock::SharedClock;
use crate::config::SourceConfig;

/// How a source's run ended without an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceEnd {
    /// The shutdown signal was received.
    Shutdown,
    /// Nothing more will come (a replay file read to its end).
    Exhausted,
}

pub type SourceFuture<'a> =
    Pin<Box<dyn Future<Output = Result<SourceEnd, anyhow::Error>> + Send + 'a>>;

/// What a running source is given: where to send, what time it is, when to stop.
#[derive(Clone)]
pub struct SourceContext {
    pub sink: MentionSink,
    pub clock: SharedClock,
    pub shutdown: tokio::sync::watch::Receiver<bool>,
}

impl SourceContext {
    /// Sleeps for `duration`, returning `false` early if shutdown was asked for.
    pub async fn sleep_or_shutdown(&mut self, duration: std::time::Duration) -> bool {
        if *self.shutdown.borrow() {
            return false;
        }
        tokio::select! {
            _ = tokio::time::sleep(duration) => true,
            _ = self.shutdown.changed() => false,
        }
    }
}

/// A component that produces mentions. `run` is called again by the supervisor after an error,
/// so a source keeps whatever cursor it needs to resume in `self`.
pub trait Source: Send {
    fn name(&self) -> &str;
    fn run<'a>(&'a mut self, ctx: SourceContext) -> SourceFuture<'a>;
}

/// Builds the source a config entry describes.
pub fn build_source(config: &SourceConfig) -> Box<dyn Source> {
    match config {
        SourceConfig::Demo {
            name,
            scenario,
            seed,
            history_hours,
        } => Box::new(demo::DemoSource::new(
            name.clone(),
            demo::Scenario::parse(scenario).unwrap_or_default(),
            *seed,
            *history_hours,
        )),
        SourceConfig::Replay { name, path } => {
            Box::new(replay::ReplaySource::new(name.clone(), path.clone()))
        }
    }
}
