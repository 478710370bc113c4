//! What the source tests share: fixtures, local servers that speak the sources' wire formats,
//! and a source run under the real supervisor (so restarts, backoff and health are the ones a
//! wall has), its events collected from the channel the analysis would read.

#![allow(dead_code)]

pub mod hubs;
pub mod poll;
pub mod senders;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use crossbeam_channel::Receiver;

use vigie::clock::{ScaledClock, SharedClock};
use vigie::ingest::web::http::Limits;
use vigie::ingest::{IngestHandle, Source, start_ingest};
use vigie::model::{HealthState, SourceEvent, SourceHealth};

pub fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub fn fixture(name: &str) -> String {
    std::fs::read_to_string(fixture_path(name)).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

/// Short waits, so that a silent server is noticed in a test's time.
pub fn test_limits() -> Limits {
    Limits {
        request_timeout: Duration::from_millis(1500),
        stream_idle: Duration::from_millis(1500),
        max_body: 1024 * 1024,
    }
}

/// Ten megabytes of one repeated character: the body a hostile or broken server sends.
pub fn ten_megabytes() -> String {
    "x".repeat(10 * 1024 * 1024)
}

/// A local HTTP server on its own runtime, on a free port of 127.0.0.1.
pub struct TestServer {
    pub addr: SocketAddr,
    pub runtime: tokio::runtime::Runtime,
}

impl TestServer {
    pub fn start(router: axum::Router) -> TestServer {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("server runtime");
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind");
        let addr = listener.local_addr().expect("address");
        runtime.spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        TestServer { addr, runtime }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn runtime(&self) -> &tokio::runtime::Runtime {
        &self.runtime
    }
}

/// A server that accepts connections and never answers a byte.
pub struct SilentServer {
    pub addr: SocketAddr,
    pub accepted: Arc<AtomicUsize>,
}

impl SilentServer {
    pub fn start() -> SilentServer {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("address");
        let accepted = Arc::new(AtomicUsize::new(0));
        let count = accepted.clone();
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for stream in listener.incoming().flatten() {
                count.fetch_add(1, Ordering::SeqCst);
                held.push(stream);
            }
        });
        SilentServer { addr, accepted }
    }
}

/// One source running under the supervisor.
pub struct Running {
    pub rx: Receiver<SourceEvent>,
    handle: Option<IngestHandle>,
}

impl Running {
    pub fn start(source: Box<dyn Source>) -> Running {
        Running::start_storing(source, true)
    }

    /// `start`, with a history that cannot store (`stores` false): no acknowledgement comes.
    pub fn start_storing(source: Box<dyn Source>, stores: bool) -> Running {
        let (tx, from_source) = crossbeam_channel::bounded::<SourceEvent>(100_000);
        let (to_test, rx) = crossbeam_channel::bounded(100_000);
        // Stands for the analysis and a history that keeps whatever it is given: what a sender
        // waits for (the webhook's acknowledgement) is settled as each event arrives.
        std::thread::spawn(move || {
            for event in from_source {
                // The history's business, not the analysis's: kept out of what tests collect.
                if matches!(event, SourceEvent::Checkpoint(_)) {
                    continue;
                }
                let (event, ack) = event.split_ack();
                if to_test.send(event).is_err() {
                    return;
                }
                if let Some(ack) = ack.filter(|_| stores) {
                    ack.commit();
                }
            }
        });
        let clock: SharedClock = Arc::new(ScaledClock::realtime());
        let handle = start_ingest(vec![source], clock, tx).expect("ingest starts");
        Running {
            rx,
            handle: Some(handle),
        }
    }

    /// Events until `done` says enough (or `timeout`, after which the test's asserts speak).
    pub fn collect_until(
        &self,
        timeout: Duration,
        mut done: impl FnMut(&[SourceEvent]) -> bool,
    ) -> Vec<SourceEvent> {
        let deadline = Instant::now() + timeout;
        let mut events = Vec::new();
        while !done(&events) {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            if let Ok(event) = self.rx.recv_timeout(left.min(Duration::from_millis(100))) {
                events.push(event);
            }
        }
        events
    }

    /// Collects `n` events at most, within `timeout`.
    pub fn collect(&self, n: usize, timeout: Duration) -> Vec<SourceEvent> {
        self.collect_until(timeout, |events| events.len() >= n)
    }

    pub fn health(&self) -> SourceHealth {
        let handle = self.handle.as_ref().expect("running");
        handle
            .board
            .snapshot(Utc::now(), chrono::TimeDelta::minutes(5))[0]
            .clone()
    }

    /// Waits until the source's health satisfies `wanted`; the last health seen.
    pub fn wait_health(
        &self,
        timeout: Duration,
        wanted: impl Fn(&SourceHealth) -> bool,
    ) -> SourceHealth {
        let deadline = Instant::now() + timeout;
        loop {
            let health = self.health();
            if wanted(&health) || Instant::now() >= deadline {
                return health;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(handle) = self.handle.take() {
            handle.shutdown();
        }
    }
}

pub fn failed_reason(health: &SourceHealth) -> Option<&str> {
    match &health.state {
        HealthState::Failed { reason, .. } => Some(reason),
        _ => None,
    }
}

/// The ids of the events, described: `post mastodon:…`, `edit …`, `delete …`.
pub fn described(events: &[SourceEvent]) -> Vec<String> {
    events
        .iter()
        .map(|event| match event {
            SourceEvent::Post(m) => format!("post {}", m.id),
            SourceEvent::Edit(m) => format!("edit {}", m.id),
            SourceEvent::Delete { id } => format!("delete {id}"),
            SourceEvent::Checkpoint(c) => format!("checkpoint {} {}", c.source, c.cursor),
            SourceEvent::Acked { event, .. } => {
                format!("acked {}", described(std::slice::from_ref(event))[0])
            }
        })
        .collect()
}

pub fn posts(events: &[SourceEvent]) -> Vec<&vigie::model::Mention> {
    events
        .iter()
        .filter_map(|event| match event {
            SourceEvent::Post(m) => Some(m),
            _ => None,
        })
        .collect()
}
