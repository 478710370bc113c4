//! `vigie bench bus`: a hub's publish rate and a display's consume rate over a local
//! nats-server with JetStream (started here, on a free port, its store in a temporary folder;
//! Debian's `nats-server` package). The hub's publisher takes analysed mentions as fast as it
//! accepts them, until NATS has acknowledged every one; then a display's follower reads them
//! all back from the stream, as a display started late catches up.

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{TimeDelta, Utc};

use super::{Scratch, input};
use crate::analysis::{Analyzer, Outcome};
use crate::bus::{BusInput, FollowerSetup, PublisherSetup, start_follower, start_publisher};
use crate::clock::{FollowedClock, ScaledClock, SharedClock};
use crate::config::BusConfig;
use crate::ingest::HealthBoard;
use crate::model::{AnalysisEvent, EnrichedMention, SourceEvent};
use crate::store::StoreEvent;

/// How long either side may take before the benchmark gives up.
const PATIENCE: Duration = Duration::from_secs(300);

#[derive(Debug, Clone)]
pub struct BusReport {
    pub mentions: usize,
    /// From the first mention handed over to the last one acknowledged by NATS.
    pub published_in: Duration,
    /// From the follower's start to the last mention received.
    pub consumed_in: Duration,
    pub consumed: usize,
    /// The most messages waiting in the disk spool seen while publishing (0: all went live).
    pub spooled_at_most: u64,
}

pub fn run(count: usize) -> anyhow::Result<BusReport> {
    anyhow::ensure!(count > 0, "--mentions above 0");
    let scratch = Scratch::new("bus")?;
    let nats = NatsServer::start(&scratch.0.join("nats"))?;
    let config = input::bench_config()?;
    let mut analyzer = Analyzer::new(&config.analysis_settings())?;
    let brands = analyzer.brands().to_vec();
    let span = analyzer.history_span();
    eprintln!("bench bus: analysing {count} mentions…");
    let now = Utc::now();
    let step = TimeDelta::microseconds((3_600_000_000 / count.max(1)) as i64);
    let mut mentions: Vec<EnrichedMention> = Vec::with_capacity(count);
    let mut generated = 4 * count;
    while mentions.len() < count {
        // Not every generated post names a brand: more are made until enough do.
        for event in input::events(generated, now - TimeDelta::hours(1), step) {
            let SourceEvent::Post(mention) = event else {
                continue;
            };
            let at = mention.created_at;
            if let Outcome::Matched(enriched) = analyzer.process(mention, at) {
                mentions.push(*enriched);
                if mentions.len() == count {
                    break;
                }
            }
        }
        generated *= 2;
    }
    let bus = BusConfig {
        url: nats.url(),
        stream: "VIGIEBENCH".into(),
        retention_hours: 24,
        hub_domain: None,
        display_name: None,
        display_room: None,
    };

    eprintln!("bench bus: publishing…");
    let clock: SharedClock = Arc::new(ScaledClock::new(now, 1.0));
    let (publisher, link) = start_publisher(PublisherSetup {
        config: bus.clone(),
        spool_dir: scratch.0.join("spool"),
        brands: brands.clone(),
        clock,
        speed: 1.0,
        board: HealthBoard::default(),
    })?;
    let health = publisher.health();
    // A hub publishes live once connected: what comes before goes through the disk spool,
    // which is the catch-up after an outage, not the rate measured here.
    let connecting = Instant::now();
    while !health.connected() {
        anyhow::ensure!(
            connecting.elapsed() < Duration::from_secs(10),
            "the publisher did not connect to the local nats-server"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let began = Instant::now();
    for mention in mentions {
        // Waits for room without spinning: a busy loop here took a core from the publisher
        // and nats-server on a two-core machine.
        let event = StoreEvent::Analysis(AnalysisEvent::Counted(mention));
        anyhow::ensure!(link.send_waiting(event), "the publisher stopped");
    }
    let mut spooled_at_most = health.spooled();
    while (health.published_count() as usize) < count {
        spooled_at_most = spooled_at_most.max(health.spooled());
        anyhow::ensure!(
            began.elapsed() < PATIENCE,
            "NATS acknowledged {} of {count} mentions",
            health.published_count()
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    let published_in = began.elapsed();
    drop(link);
    publisher.finish();

    eprintln!("bench bus: consuming…");
    let (events_tx, events_rx) = crossbeam_channel::bounded::<BusInput>(65_536);
    let began = Instant::now();
    let follower = start_follower(FollowerSetup {
        room: None,
        config: bus,
        brands,
        span,
        clock: Arc::new(FollowedClock::default()),
        board: HealthBoard::default(),
        events: events_tx,
    })?;
    let mut consumed = 0usize;
    while consumed < count {
        let left = PATIENCE.saturating_sub(began.elapsed());
        match events_rx.recv_timeout(left) {
            Ok(BusInput::Analysis(_)) => consumed += 1,
            Ok(_) => {}
            Err(_) => break,
        }
    }
    let consumed_in = began.elapsed();
    follower.shutdown();
    anyhow::ensure!(
        consumed == count,
        "the display received {consumed} of {count} mentions"
    );
    Ok(BusReport {
        mentions: count,
        published_in,
        consumed_in,
        consumed,
        spooled_at_most,
    })
}

pub fn print(report: &BusReport) {
    let rate = |d: Duration| report.mentions as f64 / d.as_secs_f64().max(1e-9);
    println!(
        "hub publish: {} mentions acknowledged by NATS JetStream in {:.2} s: {:.0} mentions/s \
         (at most {} waiting in the disk spool)",
        report.mentions,
        report.published_in.as_secs_f64(),
        rate(report.published_in),
        report.spooled_at_most
    );
    println!(
        "display consume: {} mentions read back from the stream in {:.2} s: {:.0} mentions/s",
        report.consumed,
        report.consumed_in.as_secs_f64(),
        rate(report.consumed_in)
    );
}

/// A nats-server with JetStream on a free port, stopped when dropped.
struct NatsServer {
    port: u16,
    child: Child,
}

impl NatsServer {
    fn start(store: &std::path::Path) -> anyhow::Result<Self> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let child = Command::new("nats-server")
            .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
            .arg(store)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot start nats-server (Debian: apt install nats-server)")?;
        let server = Self { port, child };
        let began = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            anyhow::ensure!(
                began.elapsed() < Duration::from_secs(10),
                "nats-server did not open its port"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(server)
    }

    fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        // The server is ours alone; an error killing it leaves a process the OS reaps with us.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
