//! Wires the parts together for one process: sources → analysis → wall.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, Utc};

use crate::analysis::{AnalysisLinks, Analyzer, Waker, start_analysis};
use crate::clock::{ScaledClock, SharedClock};
use crate::config::{Config, SourceConfig};
use crate::ingest::{build_source, start_ingest};
use crate::layout::Layout;
use crate::layout::reload::{LayoutEvent, LayoutWatcher};
use crate::model::{SourceEvent, WallUpdate, WindowsWanted};
use crate::wall::{WakeSlot, WallExit, WallInputs, WallOptions};

/// Mentions waiting for the analysis; a demo history burst fits without waiting.
const MENTION_CHANNEL: usize = 65_536;
/// Updates waiting for the wall: a few seconds' worth at the analysis emit rate.
const WALL_CHANNEL: usize = 64;

pub struct RunOptions {
    pub speed: f64,
    /// Event time to start from; now when absent.
    pub origin: Option<DateTime<Utc>>,
    pub wall: WallOptions,
}

/// Runs sources, analysis and wall until the wall closes. `layout` is watched and reloaded
/// when it comes from a file.
pub fn run_all_in_one(
    config: Config,
    layout: Layout,
    options: RunOptions,
) -> anyhow::Result<WallExit> {
    let clock: SharedClock = Arc::new(ScaledClock::new(
        options.origin.unwrap_or_else(Utc::now),
        options.speed,
    ));
    let mut analyzer = Analyzer::new(&config).context("cannot build the brand matcher")?;
    analyzer.set_windows(&crate::wall::layout::windows_wanted(&layout));
    let (windows_tx, windows_rx) = crossbeam_channel::unbounded::<WindowsWanted>();
    let (mention_tx, mention_rx) = crossbeam_channel::bounded::<SourceEvent>(MENTION_CHANNEL);
    let (wall_tx, wall_rx) = crossbeam_channel::bounded::<WallUpdate>(WALL_CHANNEL);

    let sources = config.sources.iter().map(build_source).collect();
    let ingest = start_ingest(sources, clock.clone(), mention_tx)
        .context("cannot start the ingest thread")?;

    // The wall fills the slot once its event loop exists; until then wake-ups are not needed.
    let wake_slot: WakeSlot = Arc::new(OnceLock::new());
    let slot = wake_slot.clone();
    let waker: Waker = Arc::new(move || {
        if let Some(wake) = slot.get() {
            wake();
        }
    });
    let analysis = start_analysis(
        analyzer,
        clock,
        ingest.board.clone(),
        AnalysisLinks {
            events: mention_rx,
            wall: wall_tx,
            windows: windows_rx,
            tap: None,
            waker: waker.clone(),
        },
    )
    .context("cannot start the analysis thread")?;

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
        updates: wall_rx,
        layout_events: watcher.as_ref().map(|_| layout_rx),
        windows: Some(windows_tx),
        wake: wake_slot,
    };
    let exit = crate::wall::run(&config, layout, options.wall, inputs);

    drop(watcher);
    analysis.shutdown();
    ingest.shutdown();
    Ok(exit)
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
    config.sources = vec![SourceConfig::Replay {
        name: "replay".into(),
        path,
    }];
    Ok((config, origin))
}

/// Overrides the demo scenario of every demo source.
pub fn with_scenario(mut config: Config, scenario: &str) -> Config {
    for source in &mut config.sources {
        if let SourceConfig::Demo { scenario: s, .. } = source {
            *s = scenario.to_string();
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
        Some(path) => Layout::load(path, config),
        None => Ok(Layout::built_in(config)),
    }
}
