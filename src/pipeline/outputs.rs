//! What the analysis feeds besides the wall: the history (and, on a hub, the bus it publishes
//! what was committed to), the enriched tap (`--enriched-out`) and the alert sinks. Each is
//! started here, handed to the analysis as a link, and stopped in order at the end of the run.

use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use crossbeam_channel::Sender;

use super::RunOptions;
use super::history::History;
use crate::alerts::sinks::{Retry, SinkEvent, SinksHandle, start_sinks};
use crate::analysis::Analyzer;
use crate::analysis::outputs::{AlertSinksLink, EnrichedTap, Output};
use crate::bus::{BusLink, Publisher, PublisherSetup, start_publisher};
use crate::clock::SharedClock;
use crate::config::Config;
use crate::ingest::HealthBoard;
use crate::jsonl::JsonlWriter;
use crate::model::AnalysisEvent;

/// Analysis events waiting for the `--enriched-out` writer.
const TAP_CHANNEL: usize = 65_536;
/// Alert changes waiting for the sinks; beyond, they are dropped and logged (the wall has them).
const ALERT_CHANNEL: usize = 1024;
/// How long a stop waits for alerts still being delivered.
const SINKS_GRACE: Duration = Duration::from_secs(5);

/// The outputs of a run, started.
#[derive(Default)]
pub(super) struct Outputs {
    tap: Option<(Sender<AnalysisEvent>, JsonlWriter)>,
    history: Option<History>,
    /// A hub's publisher, and the link the history's writer or the analysis sends it.
    publisher: Option<(Publisher, BusLink)>,
    /// The bus link the analysis itself sends to: a hub without a history publishes what the
    /// analysis counts.
    analysis_bus: Option<BusLink>,
    sinks: Option<(Sender<SinkEvent>, SinksHandle)>,
}

/// What is left to stop once the analysis has stopped.
pub(super) struct Ends {
    tap: Option<JsonlWriter>,
    history: Option<History>,
    publisher: Option<(Publisher, BusLink)>,
    sinks: Option<SinksHandle>,
}

impl Outputs {
    /// Every output the config and the options ask for, around an opened history.
    pub fn start(
        config: &Config,
        options: &RunOptions,
        analyzer: &Analyzer,
        clock: &SharedClock,
        board: HealthBoard,
        mut history: Option<History>,
    ) -> anyhow::Result<Self> {
        let tap = start_tap(options.enriched_out.as_deref())?;
        let publisher = match &options.publish {
            Some(bus) => Some(
                start_publisher(PublisherSetup {
                    config: bus.clone(),
                    spool_dir: config.store.data_dir.join("bus-spool"),
                    brands: analyzer.brands().to_vec(),
                    clock: clock.clone(),
                    speed: options.speed,
                    board,
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
                history.start_writer(config, analyzer.brands().to_vec(), clock, bus_link.clone());
                // Moved either way: a copy left here would keep the publisher from ending.
                bus_link.filter(|_| !history.writes())
            }
            None => bus_link,
        };
        let sinks = if config.alert_sinks.is_empty() {
            None
        } else {
            let (tx, rx) = crossbeam_channel::bounded::<SinkEvent>(ALERT_CHANNEL);
            let sinks = start_sinks(
                config.alert_sinks.clone(),
                config.locale,
                rx,
                Retry::default(),
            )
            .context("cannot start the alert sinks")?;
            Some((tx, sinks))
        };
        Ok(Self {
            tap,
            history,
            publisher,
            analysis_bus,
            sinks,
        })
    }

    /// The enriched tap alone (a display: its history, alerts and sinks are the hub's).
    pub fn tap_only(options: &RunOptions) -> anyhow::Result<Self> {
        Ok(Self {
            tap: start_tap(options.enriched_out.as_deref())?,
            ..Self::default()
        })
    }

    /// What the analysis thread hands its results to, in this order (the history first: a
    /// post's acknowledgement waits for it), and what is left to stop after it.
    /// Where the control page tells the sinks that the room took an alert in hand or resolved
    /// it; `None` without sinks.
    pub fn sinks_sender(&self) -> Option<Sender<SinkEvent>> {
        self.sinks.as_ref().map(|(tx, _)| tx.clone())
    }

    pub fn split(self) -> (Vec<Box<dyn Output>>, Ends) {
        let (tap, tap_writer) = self.tap.unzip();
        let (alerts, sinks) = self.sinks.unzip();
        let mut links: Vec<Box<dyn Output>> = Vec::new();
        if let Some(history) = &self.history {
            links.push(Box::new(history.link.clone()));
        }
        if let Some(bus) = self.analysis_bus {
            links.push(Box::new(bus));
        }
        if let Some(tap) = tap {
            links.push(Box::new(EnrichedTap::new(tap)));
        }
        if let Some(alerts) = alerts {
            links.push(Box::new(AlertSinksLink::new(alerts)));
        }
        let ends = Ends {
            tap: tap_writer,
            history: self.history,
            publisher: self.publisher,
            sinks,
        };
        (links, ends)
    }
}

impl Ends {
    /// Stops the outputs in the order their data flows: the history's writer drains (and
    /// hands its last batch to the publisher), then the publisher, the tap and the sinks.
    pub fn finish(self) {
        if let Some(history) = self.history {
            // The analysis thread is gone with its sender: the writer drains and ends.
            let History { writer, link, .. } = history;
            drop(link);
            if let Some(writer) = writer {
                let written = writer.finish();
                tracing::info!(written, "history closed");
            }
        }
        if let Some((publisher, link)) = self.publisher {
            drop(link);
            let health = publisher.finish();
            tracing::info!(
                published = health.published_count(),
                spooled = health.spooled(),
                lost = health.lost(),
                "publisher stopped"
            );
        }
        if let Some(writer) = self.tap {
            writer.finish();
        }
        if let Some(sinks) = self.sinks {
            sinks.finish(SINKS_GRACE);
        }
    }
}

/// The `--enriched-out` writer, when asked for.
fn start_tap(path: Option<&Path>) -> anyhow::Result<Option<(Sender<AnalysisEvent>, JsonlWriter)>> {
    let Some(path) = path else {
        return Ok(None);
    };
    let (tx, rx) = crossbeam_channel::bounded::<AnalysisEvent>(TAP_CHANNEL);
    let writer = JsonlWriter::start(path, rx, |event: &AnalysisEvent| {
        serde_json::to_string(event)
    })?;
    Ok(Some((tx, writer)))
}
