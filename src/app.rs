//! Wires the parts together for one process: sources → analysis → wall.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, TimeDelta, Utc};

use crate::alerts::AlertChange;
use crate::alerts::sinks::{Retry, start_sinks};
use crate::analysis::{AnalysisLinks, Analyzer, HistoryLink, Waker, start_analysis};
use crate::bus::{BusInput, FollowerSetup, PublisherSetup, start_follower, start_publisher};
use crate::clock::FollowedClock;
use crate::clock::{ScaledClock, SharedClock};
use crate::config::{BusConfig, Config, ConfigError, SourceConfig};
use crate::ingest::HealthBoard;
use crate::ingest::{build_all, start_ingest};
use crate::jsonl::JsonlWriter;
use crate::layout::Layout;
use crate::layout::reload::{LayoutEvent, LayoutWatcher};
use crate::mailbox::CardMailbox;
use crate::model::{AnalysisEvent, SourceEvent, WallUpdate, WindowsWanted};
use crate::store::{HistoryHealth, Store, StoreEvent, StoreWriter};
use crate::wall::{WakeSlot, WallExit, WallInputs, WallOptions};

/// Mentions waiting for the analysis; a demo history burst fits without waiting.
const MENTION_CHANNEL: usize = 65_536;
/// Updates waiting for the wall: a few seconds' worth at the analysis emit rate.
const WALL_CHANNEL: usize = 64;
/// Analysis events waiting for the `--enriched-out` writer.
const TAP_CHANNEL: usize = 65_536;
/// Alert changes waiting for the sinks; beyond, they are dropped and logged (the wall has them).
const ALERT_CHANNEL: usize = 1024;
/// How long a stop waits for alerts still being delivered.
const SINKS_GRACE: Duration = Duration::from_secs(5);

pub struct RunOptions {
    pub speed: f64,
    /// Event time to start from; now when absent.
    pub origin: Option<DateTime<Utc>>,
    pub wall: WallOptions,
    /// No window: sources and analysis only, until `wall.exit_after` or a stop signal.
    pub headless: bool,
    /// Where to write every mention the analysis counts, edits and retracts (JSON Lines).
    pub enriched_out: Option<PathBuf>,
    /// Headless: where to write the last figures as JSON when the run ends.
    pub figures_out: Option<PathBuf>,
    /// A hub: publish what the analysis counts, and its alerts, to this bus.
    pub publish: Option<BusConfig>,
}

/// Runs sources, analysis and wall until the wall closes. `layout` is watched and reloaded
/// when it comes from a file.
pub fn run_all_in_one(
    mut config: Config,
    layout: Layout,
    options: RunOptions,
) -> anyhow::Result<WallExit> {
    let clock: SharedClock = Arc::new(ScaledClock::new(
        options.origin.unwrap_or_else(Utc::now),
        options.speed,
    ));
    let mut analyzer =
        Analyzer::new(&config.analysis_settings()).context("cannot build the brand matcher")?;
    analyzer.set_windows(&crate::wall::layout::windows_wanted(&layout));
    // A one-PC wall shows its alerts again after a restart; a hub's displays end what its
    // previous run left active (`HubStarted`), and its rules raise again what still holds.
    let mut history = start_history(&config, &mut analyzer, &clock, options.publish.is_none());
    if history.as_ref().is_some_and(|h| h.restored > 0) {
        // The figures came back from the history: a demo must not invent its past again on
        // top of it, only go on from now.
        for source in &mut config.sources {
            if let SourceConfig::Demo(demo) = source {
                demo.history_hours = 0;
            }
        }
    }
    let (windows_tx, windows_rx) = crossbeam_channel::unbounded::<WindowsWanted>();
    let (mention_tx, mention_rx) = crossbeam_channel::bounded::<SourceEvent>(MENTION_CHANNEL);
    let (wall_tx, wall_rx) = crossbeam_channel::bounded::<WallUpdate>(WALL_CHANNEL);
    let cards = CardMailbox::default();
    let (tap, tap_writer) = start_tap(options.enriched_out.as_deref())?;

    let mut sources = build_all(&config)?;
    if let Some(history) = &history {
        // Each source goes on from where the history says it was.
        for source in &mut sources {
            if let Some(cursor) = history.checkpoints.get(source.name()) {
                tracing::info!(source = source.name(), cursor, "resuming where it stopped");
                source.resume_from(cursor);
            }
        }
    }
    let ingest = start_ingest(sources, clock.clone(), mention_tx)
        .context("cannot start the ingest thread")?;
    let publisher = match &options.publish {
        Some(bus) => Some(
            start_publisher(PublisherSetup {
                config: bus.clone(),
                spool_dir: config.store.data_dir.join("bus-spool"),
                brands: analyzer.brands().to_vec(),
                clock: clock.clone(),
                speed: options.speed,
                board: ingest.board.clone(),
            })
            .context("cannot start the publisher")?,
        ),
        None => None,
    };
    // A hub publishes what its history committed, so that hub and displays agree after a
    // crash; without a history, what the analysis counts.
    let bus_link = publisher.as_ref().map(|(_, link)| link.clone());
    let analysis_bus = match &mut history {
        Some(history) => {
            history.start_writer(
                &config,
                analyzer.brands().to_vec(),
                &clock,
                bus_link.clone(),
            );
            // Moved either way: a copy left here would keep the publisher from ending.
            bus_link.filter(|_| !history.writes())
        }
        None => bus_link,
    };
    let (alerts, alert_sinks) = if config.alert_sinks.is_empty() {
        (None, None)
    } else {
        let (tx, rx) = crossbeam_channel::bounded::<AlertChange>(ALERT_CHANNEL);
        let sinks = start_sinks(
            config.alert_sinks.clone(),
            config.locale,
            rx,
            Retry::default(),
        )
        .context("cannot start the alert sinks")?;
        (Some(tx), Some(sinks))
    };

    let (wake_slot, waker) = wake_slot();
    let analysis = start_analysis(
        analyzer,
        clock,
        ingest.board.clone(),
        AnalysisLinks {
            events: mention_rx,
            wall: wall_tx,
            cards: cards.clone(),
            windows: windows_rx,
            tap,
            alerts,
            store: history.as_ref().map(|h| h.link.clone()),
            bus: analysis_bus,
            waker: waker.clone(),
        },
    )
    .context("cannot start the analysis thread")?;

    let exit = present(
        &config,
        layout,
        options,
        wall_rx,
        cards,
        windows_tx,
        (wake_slot, waker),
    )?;

    analysis.shutdown();
    ingest.shutdown();
    if let Some(history) = history {
        // The analysis thread is gone with its sender: the writer drains and ends (and
        // hands its last batch to the publisher, which ends next).
        let History { writer, link, .. } = history;
        drop(link);
        if let Some(writer) = writer {
            let written = writer.finish();
            tracing::info!(written, "history closed");
        }
    }
    if let Some((publisher, link)) = publisher {
        drop(link);
        let health = publisher.finish();
        tracing::info!(
            published = health.published_count(),
            spooled = health.spooled(),
            lost = health.lost(),
            "publisher stopped"
        );
    }
    if let Some(writer) = tap_writer {
        writer.finish();
    }
    if let Some(sinks) = alert_sinks {
        sinks.finish(SINKS_GRACE);
    }
    Ok(exit)
}

/// A wall fed by `feed` (a benchmark's generator) instead of sources: no history, no sinks.
/// `feed` runs on its own thread with the analysis channel and returns when it has sent all.
pub fn run_fed(
    config: Config,
    layout: Layout,
    options: RunOptions,
    feed: impl FnOnce(crossbeam_channel::Sender<SourceEvent>) + Send + 'static,
) -> anyhow::Result<WallExit> {
    let clock: SharedClock = Arc::new(ScaledClock::new(
        options.origin.unwrap_or_else(Utc::now),
        options.speed,
    ));
    let mut analyzer =
        Analyzer::new(&config.analysis_settings()).context("cannot build the brand matcher")?;
    analyzer.set_windows(&crate::wall::layout::windows_wanted(&layout));
    let (windows_tx, windows_rx) = crossbeam_channel::unbounded::<WindowsWanted>();
    let (mention_tx, mention_rx) = crossbeam_channel::bounded::<SourceEvent>(MENTION_CHANNEL);
    let (wall_tx, wall_rx) = crossbeam_channel::bounded::<WallUpdate>(WALL_CHANNEL);
    let cards = CardMailbox::default();
    let feeder = std::thread::Builder::new()
        .name("vigie-bench-feed".into())
        .spawn(move || feed(mention_tx))
        .context("cannot start the feeding thread")?;
    let (wake_slot, waker) = wake_slot();
    let analysis = start_analysis(
        analyzer,
        clock,
        HealthBoard::default(),
        AnalysisLinks {
            events: mention_rx,
            wall: wall_tx,
            cards: cards.clone(),
            windows: windows_rx,
            tap: None,
            alerts: None,
            store: None,
            bus: None,
            waker: waker.clone(),
        },
    )
    .context("cannot start the analysis thread")?;
    let exit = present(
        &config,
        layout,
        options,
        wall_rx,
        cards,
        windows_tx,
        (wake_slot, waker),
    )?;
    analysis.shutdown();
    if feeder.join().is_err() {
        tracing::warn!("the feeding thread panicked");
    }
    Ok(exit)
}

/// `vigie display`: a wall with no sources of its own, fed by a hub over `bus`. Its alerts are
/// the hub's (raised once, there), its clock the hub's, its status line the hub's sources.
pub fn run_display(
    mut config: Config,
    layout: Layout,
    options: RunOptions,
    bus: BusConfig,
) -> anyhow::Result<WallExit> {
    config.sources.clear();
    config.alerts.clear();
    config.alert_sinks.clear();
    config.store.enabled = false;
    let clock = Arc::new(FollowedClock::default());
    let shared: SharedClock = clock.clone();
    let mut analyzer =
        Analyzer::new(&config.analysis_settings()).context("cannot build the brand matcher")?;
    analyzer.set_windows(&crate::wall::layout::windows_wanted(&layout));
    analyzer.follow_remote_alerts();
    let board = HealthBoard::default();
    let (events_tx, events_rx) = crossbeam_channel::bounded::<BusInput>(MENTION_CHANNEL);
    let (windows_tx, windows_rx) = crossbeam_channel::unbounded::<WindowsWanted>();
    let (wall_tx, wall_rx) = crossbeam_channel::bounded::<WallUpdate>(WALL_CHANNEL);
    let cards = CardMailbox::default();
    let (tap, tap_writer) = start_tap(options.enriched_out.as_deref())?;
    let follower = start_follower(FollowerSetup {
        config: bus,
        brands: analyzer.brands().to_vec(),
        span: analyzer.history_span(),
        clock,
        board: board.clone(),
        events: events_tx,
    })
    .context("cannot start the bus follower")?;
    let (wake_slot, waker) = wake_slot();
    let analysis = start_analysis(
        analyzer,
        shared,
        board,
        AnalysisLinks {
            events: events_rx,
            wall: wall_tx,
            cards: cards.clone(),
            windows: windows_rx,
            tap,
            alerts: None,
            store: None,
            bus: None,
            waker: waker.clone(),
        },
    )
    .context("cannot start the analysis thread")?;
    let exit = present(
        &config,
        layout,
        options,
        wall_rx,
        cards,
        windows_tx,
        (wake_slot, waker),
    )?;
    follower.shutdown();
    analysis.shutdown();
    if let Some(writer) = tap_writer {
        writer.finish();
    }
    Ok(exit)
}

/// The `--enriched-out` writer, when asked for.
fn start_tap(
    path: Option<&Path>,
) -> anyhow::Result<(
    Option<crossbeam_channel::Sender<AnalysisEvent>>,
    Option<JsonlWriter>,
)> {
    Ok(match path {
        Some(path) => {
            let (tx, rx) = crossbeam_channel::bounded::<AnalysisEvent>(TAP_CHANNEL);
            let writer = JsonlWriter::start(path, rx, |event: &AnalysisEvent| {
                serde_json::to_string(event)
            })?;
            (Some(tx), Some(writer))
        }
        None => (None, None),
    })
}

/// The wall fills the slot once its event loop exists; until then wake-ups are not needed.
fn wake_slot() -> (WakeSlot, Waker) {
    let wake_slot: WakeSlot = Arc::new(OnceLock::new());
    let slot = wake_slot.clone();
    let waker: Waker = Arc::new(move || {
        if let Some(wake) = slot.get() {
            wake();
        }
    });
    (wake_slot, waker)
}

/// Shows the wall, or, headless, waits for the end of the run (and writes the last figures
/// where `--figures-out` says).
fn present(
    config: &Config,
    layout: Layout,
    options: RunOptions,
    wall_rx: crossbeam_channel::Receiver<WallUpdate>,
    cards: CardMailbox,
    windows_tx: crossbeam_channel::Sender<WindowsWanted>,
    (wake_slot, waker): (WakeSlot, Waker),
) -> anyhow::Result<WallExit> {
    if !options.headless {
        return show_wall(
            config,
            layout,
            options.wall,
            wall_rx,
            cards,
            windows_tx,
            wake_slot,
            waker,
        );
    }
    tracing::info!("headless: no window");
    let mut last = None;
    wait_for_stop(options.wall.exit_after, || {
        // Nobody draws: keep the channel empty so the analysis never counts drops.
        for update in wall_rx.try_iter() {
            if let WallUpdate::Figures(figures) = update {
                last = Some(figures);
            }
        }
    })?;
    if let (Some(path), Some(figures)) = (&options.figures_out, last) {
        let json = serde_json::to_vec_pretty(&figures)?;
        std::fs::write(path, json).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(WallExit::Success)
}

/// Events waiting for the history's writer: a minute of a storm at 1,000 mentions a second.
const STORE_CHANNEL: usize = 65_536;

/// The history of a running wall.
struct History {
    /// `None` when the history could not be opened: the wall says so and runs without it.
    writer: Option<StoreWriter>,
    /// Opened and read back, its writer not started yet (`History::start_writer`).
    unstarted: Option<(Store, crossbeam_channel::Receiver<StoreEvent>)>,
    link: HistoryLink,
    /// Mentions the figures were rebuilt from.
    restored: usize,
    /// The spikes read back with them, for a hub to publish again (`start_writer`).
    spikes: Vec<crate::model::Spike>,
    /// Where each source stopped, by name (`Source::resume_from`).
    checkpoints: std::collections::HashMap<String, String>,
}

/// Opens the history and rebuilds the figures of `analyzer` from it (the widest window the
/// wall keeps); its writer starts later (`History::start_writer`), once the bus it feeds is
/// up. A history that cannot be opened or read is logged, shown on the status line, and the
/// wall runs without it, on what it receives.
fn start_history(
    config: &Config,
    analyzer: &mut Analyzer,
    clock: &SharedClock,
    alerts_too: bool,
) -> Option<History> {
    if !config.store.enabled {
        return None;
    }
    let health = Arc::new(HistoryHealth::default());
    let unavailable = |error: anyhow::Error| {
        let reason = format!("{error:#}");
        tracing::error!(
            error = reason,
            "no history: the wall runs on what it receives from now on"
        );
        health.set_problem(Some(reason));
        History {
            writer: None,
            unstarted: None,
            link: HistoryLink {
                events: None,
                health: health.clone(),
            },
            restored: 0,
            spikes: Vec::new(),
            checkpoints: Default::default(),
        }
    };
    let store = match Store::open(&config.store.data_dir) {
        Ok(store) => store,
        Err(error) => return Some(unavailable(error)),
    };
    let now = clock.now();
    let started = std::time::Instant::now();
    // What the figures reach back to, and the few minutes ahead a clock may be.
    let (from, to) = (now - analyzer.history_span(), now + TimeDelta::minutes(5));
    let restored = match store.restore_into(analyzer, now) {
        Ok(restored) => restored,
        Err(error) => {
            tracing::error!(%error, file = %store.path().display(), "cannot read the history");
            health.set_problem(Some(format!("cannot read the history: {error}")));
            0
        }
    };
    // The spikes it had raised, back on the charts and out of the baselines.
    let spikes = match store.spikes_between(from, to, analyzer.brands()) {
        Ok(spikes) => {
            for spike in &spikes {
                analyzer.adopt_spike(spike.clone());
            }
            spikes
        }
        Err(error) => {
            tracing::error!(%error, file = %store.path().display(), "cannot read the spikes");
            health.set_problem(Some(format!("cannot read the history's spikes: {error}")));
            Vec::new()
        }
    };
    if alerts_too {
        match store.alerts_between(from, to) {
            Ok(bodies) => {
                let alerts: Vec<crate::alerts::Alert> = bodies
                    .into_iter()
                    .filter_map(|body| serde_json::from_value(body).ok())
                    .collect();
                analyzer.restore_alerts(alerts, now);
            }
            Err(error) => {
                tracing::error!(%error, file = %store.path().display(), "cannot read the alerts");
                health.set_problem(Some(format!("cannot read the history's alerts: {error}")));
            }
        }
    }
    tracing::info!(
        restored,
        ms = started.elapsed().as_millis() as u64,
        file = %store.path().display(),
        "figures rebuilt from the history"
    );
    let (tx, rx) = crossbeam_channel::bounded::<StoreEvent>(STORE_CHANNEL);
    let checkpoints = store.checkpoints().unwrap_or_else(|error| {
        tracing::error!(%error, "cannot read where the sources stopped: they start from now");
        Default::default()
    });
    Some(History {
        checkpoints,
        spikes,
        writer: None,
        unstarted: Some((store, rx)),
        link: HistoryLink {
            events: Some(tx),
            health,
        },
        restored,
    })
}

impl History {
    /// Starts the writer of an opened history; what it commits goes on to `bus` (a hub's
    /// publisher). Until then its channel holds what the analysis sends.
    fn start_writer(
        &mut self,
        config: &Config,
        brands: Vec<crate::model::BrandInfo>,
        clock: &SharedClock,
        bus: Option<crate::bus::BusLink>,
    ) {
        let Some((store, rx)) = self.unstarted.take() else {
            return;
        };
        let spikes = std::mem::take(&mut self.spikes);
        if let Some(bus) = &bus {
            republish_last_stored(&store, &brands, spikes, bus);
        }
        let writer_clock = clock.clone();
        match StoreWriter::start(
            store,
            rx,
            brands,
            TimeDelta::days(i64::from(config.store.retention_days)),
            move || writer_clock.now(),
            self.link.health.clone(),
            bus,
            config.store.min_free_mb,
        ) {
            Ok(writer) => self.writer = Some(writer),
            Err(error) => {
                tracing::error!(%error, "no history: the wall runs on what it receives");
                self.link.health.set_problem(Some(format!("{error:#}")));
                self.link.events = None;
            }
        }
    }

    /// Whether events sent to the history are written (and go on from there to a bus).
    fn writes(&self) -> bool {
        self.writer.is_some()
    }
}

/// How far back a hub publishes its history again at start: what it may have committed but
/// not published when it was killed (the publisher's channel and batch hold seconds of a storm).
const REPUBLISH_SPAN: Duration = Duration::from_secs(120);

/// A hub's start: the mentions it stored last and its spikes (as `start_history` read them
/// back), published again before anything
/// new, so that a kill -9 between the history's commit and NATS's acknowledgement loses nothing
/// on the displays. NATS drops what it already has (same message ids, 10-minute window), and a
/// display counts a mention id once.
fn republish_last_stored(
    store: &Store,
    brands: &[crate::model::BrandInfo],
    spikes: Vec<crate::model::Spike>,
    bus: &crate::bus::BusLink,
) {
    let mentions = match store.last_stored(REPUBLISH_SPAN, brands) {
        Ok(mentions) => mentions,
        Err(error) => {
            tracing::error!(%error, "cannot read the history's last mentions to publish again");
            return;
        }
    };
    let (count, spike_count) = (mentions.len(), spikes.len());
    let events = mentions
        .into_iter()
        .map(|m| StoreEvent::Analysis(AnalysisEvent::Counted(m)))
        .chain(spikes.into_iter().map(StoreEvent::Spike));
    for event in events {
        if !bus.send_waiting(event) {
            return;
        }
    }
    if count + spike_count > 0 {
        tracing::info!(
            mentions = count,
            spikes = spike_count,
            "the last stored minutes published again (NATS keeps one copy of each)"
        );
    }
}

/// Runs the wall (and the layout watcher, when the layout is a file) until it closes.
fn show_wall(
    config: &Config,
    layout: Layout,
    options: WallOptions,
    updates: crossbeam_channel::Receiver<WallUpdate>,
    cards: CardMailbox,
    windows: crossbeam_channel::Sender<WindowsWanted>,
    wake: WakeSlot,
    waker: Waker,
) -> anyhow::Result<WallExit> {
    let (layout_tx, layout_rx) = crossbeam_channel::bounded::<LayoutEvent>(8);
    let watcher = if layout.files.iter().all(|f| f.is_file()) {
        Some(
            LayoutWatcher::start(&layout, config.clone(), layout_tx, move || waker())
                .context("cannot start the layout watcher")?,
        )
    } else {
        None
    };

    let inputs = WallInputs {
        updates,
        cards,
        layout_events: watcher.as_ref().map(|_| layout_rx),
        windows: Some(windows),
        wake,
    };
    let exit = crate::wall::run(config, layout, options, inputs);
    drop(watcher);
    Ok(exit)
}

/// `vigie record`: runs the configured sources and writes what they receive, in the replay
/// format, until `exit_after` or a stop signal.
pub fn record(config: &Config, out: &Path, exit_after: Option<Duration>) -> anyhow::Result<u64> {
    let clock: SharedClock = Arc::new(ScaledClock::new(Utc::now(), 1.0));
    let (tx, rx) = crossbeam_channel::bounded::<SourceEvent>(MENTION_CHANNEL);
    // A webhook's sender hears "taken" once its posts are in the file.
    let writer = JsonlWriter::start_settled(
        out,
        rx,
        |event| crate::ingest::replay::record_line(event, Utc::now()),
        |event| {
            if let (_, Some(ack)) = event.split_ack() {
                ack.commit();
            }
        },
    )?;
    let ingest =
        start_ingest(build_all(config)?, clock, tx).context("cannot start the ingest thread")?;
    tracing::info!(file = %out.display(), "recording");
    wait_for_stop(exit_after, || {})?;
    ingest.shutdown();
    Ok(writer.finish())
}

/// Blocks until `after` has passed or the process is asked to stop (Ctrl+C, SIGTERM), calling
/// `tick` a few times a second meanwhile.
fn wait_for_stop(after: Option<Duration>, mut tick: impl FnMut()) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the signal runtime")?;
    runtime.block_on(async {
        let deadline = after.map(|after| tokio::time::Instant::now() + after);
        #[cfg(unix)]
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        loop {
            #[cfg(unix)]
            let terminated = terminate.recv();
            #[cfg(not(unix))]
            let terminated = std::future::pending::<Option<()>>();
            tokio::select! {
                _ = tokio::signal::ctrl_c() => break,
                _ = terminated => break,
                _ = tokio::time::sleep(Duration::from_millis(200)) => {
                    tick();
                    if deadline.is_some_and(|d| tokio::time::Instant::now() >= d) {
                        break;
                    }
                }
            }
        }
        Ok::<(), std::io::Error>(())
    })?;
    Ok(())
}

/// Overrides the config's sources with one replay of `path`, and returns where its clock starts.
pub fn replay_config(
    mut config: Config,
    path: PathBuf,
) -> anyhow::Result<(Config, Option<DateTime<Utc>>)> {
    let origin = crate::ingest::replay::first_timestamp(&path)?;
    if origin.is_none() {
        tracing::warn!(file = %path.display(), "the replay file has no well-formed mention");
    }
    config.sources = vec![SourceConfig::Replay(crate::ingest::replay::ReplayConfig {
        name: "replay".into(),
        path,
    })];
    // A replayed day is not today's history: it must not mix into the room's archive.
    config.store.enabled = false;
    Ok((config, origin))
}

/// Overrides the demo scenario of every demo source.
pub fn with_scenario(mut config: Config, scenario: &str) -> Config {
    for source in &mut config.sources {
        if let SourceConfig::Demo(demo) = source {
            demo.scenario = scenario.to_string();
        }
    }
    config
}

pub fn exit_after(seconds: Option<f64>) -> Option<Duration> {
    seconds.filter(|s| *s > 0.0).map(Duration::from_secs_f64)
}

/// The layout to show: `--layout`, else config.toml's `wall.layout`, else the built-in one.
pub fn choose_layout(
    config: &Config,
    given: Option<&std::path::Path>,
) -> Result<Layout, crate::layout::LayoutErrors> {
    match given.or(config.wall.layout.as_deref()) {
        Some(path) => load_layout(config, path),
        None => Ok(Layout::built_in(config)),
    }
}

/// Loads a layout file. When it is the config's own `layout =` and cannot be read at all, the
/// error is placed on that line of the config: the mistake is there, not in a file nobody can
/// open.
pub fn load_layout(
    config: &Config,
    path: &std::path::Path,
) -> Result<Layout, crate::layout::LayoutErrors> {
    Layout::load(path, config).map_err(|mut errors| {
        let place = config
            .wall
            .layout_place
            .as_ref()
            .filter(|_| config.wall.layout.as_deref() == Some(path));
        if let (Some(place), [only]) = (place, errors.0.as_mut_slice())
            && only.line == 0
        {
            *only = ConfigError {
                message: format!("{}: {}", place.message, only),
                ..place.clone()
            };
        }
        errors
    })
}
