//! What the command line runs besides the pipeline (`crate::pipeline`): recording sources to a
//! file, replaying one, and choosing the layout.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, Utc};

use crate::clock::{ScaledClock, SharedClock};
use crate::config::{Config, ConfigError, SourceConfig};
use crate::ingest::{build_all, start_ingest};
use crate::jsonl::JsonlWriter;
use crate::layout::Layout;
use crate::model::SourceEvent;
use crate::pipeline::wait_for_stop;

/// Mentions waiting for the file.
const MENTION_CHANNEL: usize = 65_536;

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
