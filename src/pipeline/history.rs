//! The history as the runtime uses it: opened and read back at start (the figures rebuilt, the
//! sources' resume points), then its writer started once the bus it feeds is up.

use std::time::Duration;

use chrono::TimeDelta;

use crate::analysis::{Analyzer, HistoryLink};
use crate::clock::SharedClock;
use crate::config::Config;
use crate::model::AnalysisEvent;
use crate::store::{HistoryHealth, Store, StoreEvent, StoreWriter};
use std::sync::Arc;

/// Events waiting for the history's writer: a minute of a storm at 1,000 mentions a second.
const STORE_CHANNEL: usize = 65_536;

/// The history of a running wall.
pub(super) struct History {
    /// `None` when the history could not be opened: the wall says so and runs without it.
    pub(super) writer: Option<StoreWriter>,
    /// Opened and read back, its writer not started yet (`History::start_writer`).
    pub(super) unstarted: Option<(Store, crossbeam_channel::Receiver<StoreEvent>)>,
    pub(super) link: HistoryLink,
    /// Mentions the figures were rebuilt from.
    pub(super) restored: usize,
    /// The spikes read back with them, for a hub to publish again (`start_writer`).
    pub(super) spikes: Vec<crate::model::Spike>,
    /// Where each source stopped, by name (`Source::resume_from`).
    pub(super) checkpoints: std::collections::HashMap<String, String>,
}

/// Opens the history and rebuilds the figures of `analyzer` from it (the widest window the
/// wall keeps); its writer starts later (`History::start_writer`), once the bus it feeds is
/// up. A history that cannot be opened or read is logged, shown on the status line, and the
/// wall runs without it, on what it receives.
pub(super) fn start_history(
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
    let (from, to) = crate::store::rebuild_window(analyzer, now);
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
    pub(super) fn start_writer(
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
    pub(super) fn writes(&self) -> bool {
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
