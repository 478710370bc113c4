//! Hub and displays over NATS JetStream. A hub (`vigie hub`) runs the sources, the analysis,
//! the history and the alert sinks, and publishes what its analysis counted, edited and
//! retracted, and its alerts, to a JetStream stream; displays (`vigie display`) have no sources
//! of their own: they replay that stream from the start of their widest window, then follow it
//! live, so that every display shows the same figures for the same window.
//!
//! Two streams, named from `[bus] stream` (`VIGIE` by default, subjects under `vigie.`):
//! - `VIGIE`: `vigie.mention.<brand>.<platform>`, `vigie.retract` and `vigie.alert.<rule>`,
//!   kept `retention_hours`, deduplicated on `Nats-Msg-Id`;
//! - `VIGIE_STATE`: current state, one message per subject (the hub's heartbeat with its clock
//!   and sources, each alert as it is now), read last-per-subject by a display as it starts.
//!   This is JetStream's key-value pattern without the KV API, which nats-server 2.9 (Debian
//!   12's) does not serve to this client.

pub mod follower;
pub mod publisher;
pub mod room;
pub mod spool;
pub mod wire;

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Context;
use async_nats::jetstream::{self, stream};

use crate::alerts::AlertChange;
use crate::analysis::{AnalysisInput, Analyzer, Outcome};
use crate::config::BusConfig;
use crate::model::AnalysisEvent;
use crate::store::StoreEvent;

pub use follower::{Follower, FollowerSetup, start_follower};
pub use publisher::{Publisher, PublisherSetup, start_publisher};

/// How the hub's publisher is doing.
#[derive(Debug, Default)]
pub struct BusHealth {
    published: AtomicU64,
    spooled: AtomicU64,
    lost: AtomicU64,
    connected: AtomicBool,
    problem: Mutex<Option<String>>,
}

impl BusHealth {
    /// Counts `n` messages lost (the spool could not be written); the total.
    pub fn lose(&self, n: u64) -> u64 {
        self.lost.fetch_add(n, Ordering::Relaxed) + n
    }

    pub fn lost(&self) -> u64 {
        self.lost.load(Ordering::Relaxed)
    }

    fn published(&self, n: u64) {
        self.published.fetch_add(n, Ordering::Relaxed);
    }

    /// Messages NATS has acknowledged since the start.
    pub fn published_count(&self) -> u64 {
        self.published.load(Ordering::Relaxed)
    }

    fn set_spooled(&self, n: u64) {
        self.spooled.store(n, Ordering::Relaxed);
    }

    /// Messages waiting in the disk spool.
    pub fn spooled(&self) -> u64 {
        self.spooled.load(Ordering::Relaxed)
    }

    fn set_connected(&self, up: bool) {
        self.connected.store(up, Ordering::Relaxed);
    }

    pub fn connected(&self) -> bool {
        self.connected.load(Ordering::Relaxed)
    }

    fn set_problem(&self, problem: Option<String>) {
        if let Ok(mut current) = self.problem.lock() {
            *current = problem;
        }
    }

    pub fn problem(&self) -> Option<String> {
        self.problem.lock().ok().and_then(|p| p.clone())
    }
}

/// The analysis thread's way to the publisher.
#[derive(Clone)]
pub struct BusLink {
    events: tokio::sync::mpsc::Sender<StoreEvent>,
    health: std::sync::Arc<BusHealth>,
}

impl BusLink {
    /// Hands an event over if there is room, else gives it back (a benchmark's way to feed
    /// the publisher as fast as it takes them).
    pub fn try_send(&self, event: StoreEvent) -> Result<(), Box<StoreEvent>> {
        self.events.try_send(event).map_err(|error| match error {
            tokio::sync::mpsc::error::TrySendError::Full(event)
            | tokio::sync::mpsc::error::TrySendError::Closed(event) => Box::new(event),
        })
    }

    /// Waits for room (not from async code): for what a hub publishes again at its start,
    /// before anything new. False when the publisher is gone.
    pub fn send_waiting(&self, event: StoreEvent) -> bool {
        self.events.blocking_send(event).is_ok()
    }

    /// Never waits: an event the publisher cannot take is counted as lost and logged.
    pub fn send(&self, event: StoreEvent) {
        if self.events.try_send(event).is_err() {
            let lost = self.health.lose(1);
            if crate::sparse_log::worth_logging(lost) {
                tracing::warn!(lost, "the publisher is not keeping up: event not published");
            }
        }
    }
}

/// What a display's analysis takes from the bus.
#[derive(Debug, Clone, PartialEq)]
pub enum BusInput {
    Analysis(AnalysisEvent),
    Alert(AlertChange),
    /// A spike the hub raised, or its latest count.
    Spike(crate::model::Spike),
    /// The hub's run started then (its clock): what an earlier run left active has ended.
    HubStarted(chrono::DateTime<chrono::Utc>),
}

impl AnalysisInput for BusInput {
    fn apply(self, analyzer: &mut Analyzer, now: chrono::DateTime<chrono::Utc>) -> Outcome {
        match self {
            BusInput::Analysis(event) => analyzer.apply_analysed(event, now),
            BusInput::Alert(change) => analyzer.adopt_alert(change),
            BusInput::Spike(spike) => analyzer.adopt_spike(spike),
            BusInput::HubStarted(at) => analyzer.hub_started(at),
        }
    }
}

/// A client that connects in the background and reconnects by itself, quickly: a wall that
/// lost its NATS server for ten seconds is back within a second or two of its return.
async fn connect(url: &str, name: &str) -> anyhow::Result<async_nats::Client> {
    async_nats::ConnectOptions::new()
        .name(name)
        .retry_on_initial_connect()
        .max_reconnects(None)
        .connection_timeout(Duration::from_secs(2))
        .reconnect_delay_callback(|attempts| {
            Duration::from_millis(250 * (attempts.min(8) as u64)).max(Duration::from_millis(100))
        })
        .connect(url)
        .await
        .with_context(|| format!("cannot use the NATS URL '{url}'"))
}

/// The events stream's and the state stream's configs.
fn stream_configs(config: &BusConfig) -> (stream::Config, stream::Config) {
    let subjects = wire::Subjects::new(&config.stream);
    let max_age = Duration::from_secs(u64::from(config.retention_hours) * 3600);
    let events = stream::Config {
        name: config.stream.clone(),
        description: Some("Vigie: analysed mentions and alerts, from the hub".into()),
        subjects: subjects.events(),
        max_age,
        storage: stream::StorageType::File,
        // Wider than any reconnection: a message published again from the spool is dropped.
        duplicate_window: Duration::from_secs(10 * 60),
        ..Default::default()
    };
    let state = stream::Config {
        name: state_stream_name(config),
        description: Some("Vigie: the hub's current state, one message per subject".into()),
        subjects: vec![subjects.state()],
        max_messages_per_subject: 1,
        max_age,
        storage: stream::StorageType::File,
        ..Default::default()
    };
    (events, state)
}

pub fn state_stream_name(config: &BusConfig) -> String {
    format!("{}_STATE", config.stream)
}

/// A room's mirrors of the hub's two streams, read through the hub domain's API prefix
/// (`$JS.<domain>.API`): same names, same retention; a mirror keeps each message's sequence
/// and time, and picks up where it stopped when the link between the rooms returns.
fn mirror_configs(config: &BusConfig, hub_domain: &str) -> [stream::Config; 2] {
    let (events, state) = stream_configs(config);
    [events, state].map(|hub| stream::Config {
        name: hub.name.clone(),
        description: Some(format!(
            "Vigie: this room's mirror of the hub's {} (JetStream domain {hub_domain})",
            hub.name
        )),
        subjects: Vec::new(),
        mirror: Some(stream::Source {
            name: hub.name.clone(),
            external: Some(stream::External {
                api_prefix: format!("$JS.{hub_domain}.API"),
                delivery_prefix: None,
            }),
            ..Default::default()
        }),
        duplicate_window: Duration::ZERO,
        ..hub
    })
}

/// Where a display reads the hub's streams, on its own NATS server: the hub's own streams
/// (one site), or this room's mirrors of them (`hub_domain`), created here where they are
/// missing. A display never creates the hub's streams: one that is missing is an error the
/// wall shows ("hub stream VIGIE not found on nats://… (domain hq)").
async fn bind_streams(
    js: &jetstream::Context,
    client: &async_nats::Client,
    config: &BusConfig,
) -> anyhow::Result<()> {
    let Some(domain) = &config.hub_domain else {
        for name in [config.stream.clone(), state_stream_name(config)] {
            js.get_stream(&name)
                .await
                .map_err(|error| missing_stream(&name, &config.url, None, &error))?;
        }
        return Ok(());
    };
    let hub = jetstream::with_domain(client.clone(), domain);
    for mirror in mirror_configs(config, domain) {
        let name = mirror.name.clone();
        if js.get_stream(&name).await.is_ok() {
            continue;
        }
        // The first display of the room makes the mirror, once the hub's stream is there.
        hub.get_stream(&name)
            .await
            .map_err(|error| missing_stream(&name, &config.url, Some(domain), &error))?;
        js.get_or_create_stream(mirror)
            .await
            .with_context(|| format!("cannot create this room's mirror of the stream {name}"))?;
        tracing::info!(
            stream = name,
            hub_domain = domain,
            "this room now mirrors the hub's stream"
        );
    }
    Ok(())
}

/// What the wall says of a hub stream it cannot open.
fn missing_stream(
    name: &str,
    url: &str,
    domain: Option<&str>,
    error: &jetstream::context::GetStreamError,
) -> anyhow::Error {
    let place = match domain {
        Some(domain) => format!("{url} (domain {domain})"),
        None => url.to_string(),
    };
    match error.kind() {
        jetstream::context::GetStreamErrorKind::JetStream(js)
            if js.error_code() == jetstream::ErrorCode::STREAM_NOT_FOUND =>
        {
            anyhow::anyhow!("hub stream {name} not found on {place}")
        }
        _ => anyhow::anyhow!("cannot open the hub stream {name} on {place}: {error}"),
    }
}

/// The hub's two streams, created where they are missing and brought in line with its config
/// (retention) where they are not. Only the hub makes them.
async fn ensure_streams(js: &jetstream::Context, config: &BusConfig) -> anyhow::Result<()> {
    for stream_config in <[stream::Config; 2]>::from(stream_configs(config)) {
        let name = stream_config.name.clone();
        js.create_or_update_stream(stream_config)
            .await
            .with_context(|| format!("cannot create or update the stream {name}"))?;
    }
    Ok(())
}
