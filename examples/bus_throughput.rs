//! How fast a hub publishes and a display consumes, through a real nats-server (Debian's
//! package, started here on a free port of 127.0.0.1 with a temporary store): N analysed demo
//! mentions go through the hub's publisher (JetStream publish with message ids, acknowledged in
//! pipelined batches), then a display's follower replays them from the stream into a display's
//! analysis (brands by name, counted as the hub counted them).
//!
//! `cargo run --release --example bus_throughput -- [MENTIONS]` (200,000 by default)

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{TimeDelta, Utc};
use vigie::analysis::{Analyzer, Outcome};
use vigie::bus::{BusInput, FollowerSetup, PublisherSetup, start_follower, start_publisher};
use vigie::clock::{FollowedClock, ScaledClock, SharedClock};
use vigie::config::{BusConfig, Config};
use vigie::ingest::HealthBoard;
use vigie::ingest::demo::{DemoGenerator, Scenario};
use vigie::model::AnalysisEvent;
use vigie::store::StoreEvent;

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    let wanted: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200_000);
    let config = Config::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("config.toml"))?;
    let dir = tempfile::tempdir()?;
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let mut nats = std::process::Command::new("nats-server")
        .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
        .arg(dir.path().join("nats"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .context("nats-server (apt install nats-server)")?;
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        std::thread::sleep(Duration::from_millis(20));
    }
    let bus = BusConfig {
        url: format!("nats://127.0.0.1:{port}"),
        stream: "BENCH".into(),
        retention_hours: 48,
        hub_domain: None,
        display_name: None,
        display_room: None,
    };

    // The hub's analysis output, made beforehand: its cost is not the bus's.
    let start = Utc::now() - TimeDelta::hours(20);
    let mut analyzer = Analyzer::new(&config.analysis_settings())?;
    let mut generator = DemoGenerator::new(7, Scenario::QuietDay, start, start);
    let step = TimeDelta::milliseconds(20 * 3_600_000 / wanted.max(1) as i64);
    let mut events = Vec::with_capacity(wanted);
    let mut i = 0i64;
    let mut last = start;
    while events.len() < wanted {
        let mut mention = generator.pop();
        mention.id = format!("bench:{i}");
        mention.created_at = start + step * i as i32;
        mention.reply_to = None;
        i += 1;
        let at = mention.created_at;
        last = at;
        if let Outcome::Matched(m) = analyzer.process(mention, at) {
            events.push(StoreEvent::Analysis(AnalysisEvent::Counted(*m)));
        }
    }
    let bytes: usize = events
        .iter()
        .map(|e| match e {
            StoreEvent::Analysis(AnalysisEvent::Counted(m)) => {
                serde_json::to_string(m).map_or(0, |s| s.len())
            }
            _ => 0,
        })
        .sum();

    // Hub: publish all, wait for every acknowledgement.
    let clock: SharedClock = Arc::new(ScaledClock::realtime());
    let (publisher, link) = start_publisher(PublisherSetup {
        config: bus.clone(),
        spool_dir: dir.path().join("spool"),
        brands: analyzer.brands().to_vec(),
        clock,
        speed: 1.0,
        board: HealthBoard::default(),
    })?;
    let health = publisher.health();
    while !health.connected() {
        std::thread::sleep(Duration::from_millis(10));
    }
    let began = Instant::now();
    for event in events {
        let mut event = event;
        while let Err(back) = link.try_send(event) {
            event = *back;
            std::thread::sleep(Duration::from_micros(200));
        }
    }
    drop(link);
    let health_after = publisher.finish();
    let published = health_after.published_count();
    let publish_time = began.elapsed();
    println!(
        "hub: {published} mentions published and acknowledged in {:.2} s: {:.0} mentions/s \
         ({:.0} bytes each on average, {} spooled, {} lost)",
        publish_time.as_secs_f64(),
        published as f64 / publish_time.as_secs_f64(),
        bytes as f64 / wanted as f64,
        health_after.spooled(),
        health_after.lost()
    );

    // Display: replay the stream into a display's analysis.
    let mut display = Analyzer::new(&config.analysis_settings())?;
    display.follow_remote_alerts();
    let (tx, rx) = crossbeam_channel::bounded::<BusInput>(65_536);
    let clock = Arc::new(FollowedClock::default());
    let began = Instant::now();
    let follower = start_follower(FollowerSetup {
        room: None,
        config: bus,
        brands: display.brands().to_vec(),
        span: display.history_span(),
        clock,
        board: HealthBoard::default(),
        events: tx,
    })?;
    let mut counted = 0usize;
    while counted < wanted {
        let input = rx
            .recv_timeout(Duration::from_secs(30))
            .with_context(|| format!("the display stopped receiving after {counted}"))?;
        if let Outcome::Matched(_) =
            vigie::analysis::AnalysisInput::apply(input, &mut display, last)
        {
            counted += 1;
        }
    }
    let consume_time = began.elapsed();
    follower.shutdown();
    println!(
        "display: {counted} mentions replayed from the stream and counted in {:.2} s: {:.0} \
         mentions/s (connection, state and replay included)",
        consume_time.as_secs_f64(),
        counted as f64 / consume_time.as_secs_f64()
    );
    println!(
        "conditions: {} build, {} CPUs, nats-server on loopback",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    nats.kill().ok();
    nats.wait().ok();
    Ok(())
}
