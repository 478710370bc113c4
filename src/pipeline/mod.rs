//! The runtime, built once: an input (the configured sources, a hub's stream, or a generator
//! on its own thread), the analysis thread, the outputs it feeds (the history, a hub's bus, the
//! enriched tap, the alert sinks) and a presenter (the wall, or headless until the end of the
//! run). `vigie`, `vigie hub`, `vigie display`, `vigie replay` and the benchmarks all run
//! through `run`; what differs between them is which input and which outputs.

mod history;
mod outputs;
mod present;

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use chrono::{DateTime, Utc};
use crossbeam_channel::{Receiver, Sender};

use crate::analysis::{AnalysisInput, AnalysisLinks, Analyzer, start_analysis};
use crate::bus::{BusInput, FollowerSetup, start_follower};
use crate::clock::{FollowedClock, ScaledClock, SharedClock};
use crate::config::{BusConfig, Config, SourceConfig};
use crate::ingest::{HealthBoard, build_all, start_ingest};
use crate::layout::Layout;
use crate::mailbox::CardMailbox;
use crate::model::{SourceEvent, WallUpdate, WindowsWanted};
use crate::wall::{WallExit, WallOptions};
use outputs::Outputs;
pub(crate) use present::wait_for_stop;

/// Mentions waiting for the analysis; a demo history burst fits without waiting.
const MENTION_CHANNEL: usize = 65_536;
/// Updates waiting for the wall: a few seconds' worth at the analysis emit rate.
const WALL_CHANNEL: usize = 64;

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

/// What the analysis reads.
pub enum Input {
    /// The configured sources (a wall of its own, a hub, a replay): with the history, the
    /// alert sinks and, on a hub, the bus.
    Sources,
    /// A hub's stream (`vigie display`): the hub's alerts, clock and sources' health; no
    /// history, no sinks.
    Bus(BusConfig),
    /// A generator on its own thread, given the analysis channel (benchmarks): no history, no
    /// sinks.
    Feed(Box<dyn FnOnce(Sender<SourceEvent>) + Send>),
}

/// Runs the input, the analysis, its outputs and the presenter until the wall closes (or,
/// headless, the run ends), then stops them in order: the analysis, the input, the outputs.
/// A layout from a file is watched and reloaded.
pub fn run(
    config: Config,
    layout: Layout,
    options: RunOptions,
    input: Input,
) -> anyhow::Result<WallExit> {
    match input {
        Input::Sources => from_sources(config, layout, options),
        Input::Bus(bus) => from_bus(config, layout, options, bus),
        Input::Feed(feed) => from_feed(config, layout, options, feed),
    }
}

/// An input once started: what it sends the analysis, and how it stops.
struct Started<I> {
    analyzer: Analyzer,
    clock: SharedClock,
    board: HealthBoard,
    events: Receiver<I>,
    stop: Box<dyn FnOnce()>,
    /// A display: the room its follower keeps up with the hub's, and where it says it is alive.
    display: Option<(Arc<crate::control::Room>, BusConfig)>,
}

fn analyzer_for(config: &Config, layout: &Layout) -> anyhow::Result<Analyzer> {
    let mut analyzer =
        Analyzer::new(&config.analysis_settings()).context("cannot build the brand matcher")?;
    analyzer.set_windows(&crate::wall::layout::windows_wanted(layout));
    Ok(analyzer)
}

fn scaled_clock(options: &RunOptions) -> SharedClock {
    Arc::new(ScaledClock::new(
        options.origin.unwrap_or_else(Utc::now),
        options.speed,
    ))
}

fn from_sources(
    mut config: Config,
    layout: Layout,
    options: RunOptions,
) -> anyhow::Result<WallExit> {
    let clock = scaled_clock(&options);
    let mut analyzer = analyzer_for(&config, &layout)?;
    // A one-PC wall shows its alerts again after a restart; a hub's displays end what its
    // previous run left active (`HubStarted`), and its rules raise again what still holds.
    let history = history::start_history(&config, &mut analyzer, &clock, options.publish.is_none());
    if history.as_ref().is_some_and(|h| h.restored > 0) {
        // The figures came back from the history: a demo must not invent its past again on
        // top of it, only go on from now.
        for source in &mut config.sources {
            if let SourceConfig::Demo(demo) = source {
                demo.history_hours = 0;
            }
        }
    }
    let (mention_tx, mention_rx) = crossbeam_channel::bounded::<SourceEvent>(MENTION_CHANNEL);
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
    let outputs = match Outputs::start(
        &config,
        &options,
        &analyzer,
        &clock,
        ingest.board.clone(),
        history,
    ) {
        Ok(outputs) => outputs,
        Err(error) => {
            ingest.shutdown();
            return Err(error);
        }
    };
    let board = ingest.board.clone();
    let started = Started {
        analyzer,
        clock,
        board,
        events: mention_rx,
        stop: Box::new(move || ingest.shutdown()),
        display: None,
    };
    analyse_and_present(&config, layout, options, started, outputs)
}

/// `vigie display`: a wall with no sources of its own, fed by a hub over `bus`. Its alerts are
/// the hub's (raised once, there), its clock the hub's, its status line the hub's sources.
fn from_bus(
    mut config: Config,
    layout: Layout,
    options: RunOptions,
    bus: BusConfig,
) -> anyhow::Result<WallExit> {
    config.sources.clear();
    config.alerts.clear();
    config.alert_sinks.clear();
    config.store.enabled = false;
    // Its hub serves the control page; the display takes the room's decisions from it.
    config.control.users.clear();
    let room = crate::control::Room::new(crate::wall::WakeSlot::default());
    let bus_for_room = bus.clone();
    let clock = Arc::new(FollowedClock::default());
    let shared: SharedClock = clock.clone();
    let mut analyzer = analyzer_for(&config, &layout)?;
    analyzer.follow_remote_alerts();
    let board = HealthBoard::default();
    let (events_tx, events_rx) = crossbeam_channel::bounded::<BusInput>(MENTION_CHANNEL);
    let outputs = Outputs::tap_only(&options)?;
    let follower = start_follower(FollowerSetup {
        config: bus,
        brands: analyzer.brands().to_vec(),
        span: analyzer.history_span(),
        clock,
        board: board.clone(),
        events: events_tx,
        room: Some(room.clone()),
    })
    .context("cannot start the bus follower")?;
    let started = Started {
        analyzer,
        clock: shared,
        board,
        events: events_rx,
        stop: Box::new(move || follower.shutdown()),
        display: Some((room, bus_for_room)),
    };
    analyse_and_present(&config, layout, options, started, outputs)
}

fn from_feed(
    config: Config,
    layout: Layout,
    options: RunOptions,
    feed: Box<dyn FnOnce(Sender<SourceEvent>) + Send>,
) -> anyhow::Result<WallExit> {
    let clock = scaled_clock(&options);
    let analyzer = analyzer_for(&config, &layout)?;
    let (mention_tx, mention_rx) = crossbeam_channel::bounded::<SourceEvent>(MENTION_CHANNEL);
    let feeder = std::thread::Builder::new()
        .name("vigie-bench-feed".into())
        .spawn(move || feed(mention_tx))
        .context("cannot start the feeding thread")?;
    let started = Started {
        analyzer,
        clock,
        board: HealthBoard::default(),
        events: mention_rx,
        stop: Box::new(move || {
            if feeder.join().is_err() {
                tracing::warn!("the feeding thread panicked");
            }
        }),
        display: None,
    };
    analyse_and_present(&config, layout, options, started, Outputs::default())
}

/// The part every run shares: the analysis thread between the input and the outputs, the
/// presenter, and the stop.
fn analyse_and_present<I: AnalysisInput>(
    config: &Config,
    layout: Layout,
    options: RunOptions,
    input: Started<I>,
    outputs: Outputs,
) -> anyhow::Result<WallExit> {
    let (windows_tx, windows_rx) = crossbeam_channel::unbounded::<WindowsWanted>();
    let (wall_tx, wall_rx) = crossbeam_channel::bounded::<WallUpdate>(WALL_CHANNEL);
    let cards = CardMailbox::default();
    let (wake_slot, waker) = match &input.display {
        Some((room, _)) => present::wake_slot_with(room.wake_slot()),
        None => present::wake_slot(),
    };
    let sinks = outputs.sinks_sender();
    let (mut links, ends) = outputs.split();
    // The control page, when users are configured: it reads what the analysis sends its tap
    // and changes the room the wall shows.
    // Read once: `vigie check` reports what does not read; the wall runs with the rest.
    let library = (!layout.preview).then(|| {
        let (library, errors) = crate::layout::switch::LayoutLibrary::load(config, &layout);
        for error in errors {
            tracing::error!("a layout the room could switch to does not read:\n{error}");
        }
        library
    });
    let layout_names = library
        .as_ref()
        .map(crate::layout::switch::LayoutLibrary::names)
        .unwrap_or_default();
    // A hub asks its displays for their screens' pictures over NATS.
    let remote = options
        .publish
        .as_ref()
        .map(|_| crate::bus::room::RemoteDisplays::default());
    let control = match start_control(config, &wake_slot, layout_names, sinks, remote.clone()) {
        Ok(control) => control,
        Err(error) => {
            (input.stop)();
            ends.finish();
            return Err(error);
        }
    };
    if let Some((_, room, live)) = &control {
        links.push(Box::new(crate::control::LiveTap {
            view: live.clone(),
            room: Some(room.clone()),
        }));
    }
    let analysis = match start_analysis(
        input.analyzer,
        input.clock,
        input.board,
        AnalysisLinks {
            events: input.events,
            wall: wall_tx,
            cards: cards.clone(),
            windows: windows_rx,
            outputs: links,
            waker: waker.clone(),
        },
    ) {
        Ok(analysis) => analysis,
        Err(error) => {
            (input.stop)();
            ends.finish();
            return Err(anyhow::Error::from(error).context("cannot start the analysis thread"));
        }
    };
    let (server, mut control) = match control {
        Some((server, room, live)) => (Some(server), Some((room, live))),
        None => (None, None),
    };
    // A hub relays the room to its displays and hears them; a display takes its hub's room
    // and says it is alive.
    let mut relays = Vec::new();
    if let (Some(bus), Some((room, live))) = (&options.publish, &control) {
        match crate::bus::room::start_hub_room(
            bus.clone(),
            room.clone(),
            live.clone(),
            remote.clone().unwrap_or_default(),
        ) {
            Ok(relay) => relays.push(relay),
            Err(error) => tracing::error!(%error, "the room is not relayed to the displays"),
        }
    }
    let mut room_name = None;
    if let Some((room, bus)) = &input.display {
        let live = Arc::new(crate::control::LiveView::default());
        let me = crate::bus::room::DisplaySelf {
            name: bus
                .display_name
                .clone()
                .unwrap_or_else(crate::bus::room::host_name),
            room: bus.display_room.clone(),
            live: live.clone(),
            wall: room.clone(),
        };
        room_name.clone_from(&bus.display_room);
        match crate::bus::room::start_display_beat(bus.clone(), me) {
            Ok(beat) => relays.push(beat),
            Err(error) => tracing::error!(%error, "this display cannot say it is alive"),
        }
        control = Some((room.clone(), live));
    }
    let exit = present::present(
        config,
        layout,
        options,
        present::WallLinks {
            updates: wall_rx,
            cards,
            windows: windows_tx,
            wake: wake_slot,
            waker,
            control,
            library,
            room_name,
        },
    );
    if let Some(server) = server {
        server.stop();
    }
    for relay in relays {
        relay.shutdown();
    }
    analysis.shutdown();
    (input.stop)();
    ends.finish();
    exit
}

/// Starts the control page when `[control]` lists users (and says why not otherwise).
fn start_control(
    config: &Config,
    wake: &crate::wall::WakeSlot,
    layouts: Vec<String>,
    sinks: Option<crossbeam_channel::Sender<crate::alerts::sinks::SinkEvent>>,
    remote: Option<crate::bus::room::RemoteDisplays>,
) -> anyhow::Result<
    Option<(
        crate::control::ControlServer,
        Arc<crate::control::Room>,
        Arc<crate::control::LiveView>,
    )>,
> {
    if let Some(why) = config.control.why_off() {
        tracing::info!("{why}");
        return Ok(None);
    }
    // The room's decisions and its audit log live in the history, when the wall keeps one.
    let journal = if config.store.enabled {
        match crate::control::Journal::open(&config.store.data_dir) {
            Ok(journal) => Some(journal),
            Err(error) => {
                tracing::error!(
                    error = format!("{error:#}"),
                    "the control page keeps its actions in memory and the log only"
                );
                None
            }
        }
    } else {
        None
    };
    let decisions = journal.as_ref().map(|j| j.room()).unwrap_or_default();
    let room = crate::control::Room::with_state(wake.clone(), decisions);
    let live = Arc::new(crate::control::LiveView::default());
    let server = crate::control::server::start(crate::control::ControlSetup {
        config: config.control.clone(),
        locale: config.locale,
        title: config.wall.title.clone(),
        token: crate::control::token_from_env(&config.control),
        room: room.clone(),
        live: live.clone(),
        journal,
        layouts,
        lobby: crate::privacy::LobbyFilter::shipped_with(config.privacy.policy()),
        sinks,
        remote,
        blind_spots: crate::ingest::coverage::blind_spots(&crate::ingest::coverage::listened(
            config,
        )),
    })?;
    Ok(Some((server, room, live)))
}
