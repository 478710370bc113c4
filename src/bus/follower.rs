//! A display's link to its hub: reads the hub's current state (its clock, its sources, the
//! alerts as they are), replays the events stream from the start of the display's widest
//! window, then follows it live. When NATS goes away it says so on the status line, and when
//! NATS is back it goes on from the last message it had, by stream sequence: nothing is missed
//! and nothing counted twice.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use async_nats::connection::State;
use async_nats::jetstream::{self, consumer, consumer::pull};
use chrono::{TimeDelta, Utc};
use crossbeam_channel::{Sender, TrySendError};
use futures_util::StreamExt;

use super::wire::{HubState, Received, Subjects, decode};
use super::{BusInput, bind_streams, connect, state_stream_name};
use crate::clock::{Clock, FollowedClock};
use crate::config::BusConfig;
use crate::ingest::{HealthBoard, SourceStats};
use crate::model::{BrandInfo, FailureKind, HealthState};

/// The status line's name for the link to the hub.
pub const HUB_ENTRY: &str = "hub";
/// A hub silent this long (real time) is shown as such: it sends a heartbeat every 2 s.
const HUB_SILENT_AFTER: Duration = Duration::from_secs(10);
/// How long the first connection may take before NATS is said to be unreachable.
const FIRST_CONNECT: Duration = Duration::from_secs(3);
/// How long a display waits for the hub's heartbeat before it counts what the stream holds.
const FIRST_HEARTBEAT: Duration = Duration::from_secs(5);
/// Pull consumers' heartbeats: a dead connection is noticed within twice this.
const CONSUMER_HEARTBEAT: Duration = Duration::from_secs(2);

pub struct Follower {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Follower {
    pub fn shutdown(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// What the follower needs.
pub struct FollowerSetup {
    pub config: BusConfig,
    /// This display's brands: mentions about none of them are skipped.
    pub brands: Vec<BrandInfo>,
    /// How far back the display's figures look (event time).
    pub span: TimeDelta,
    pub clock: Arc<FollowedClock>,
    pub board: HealthBoard,
    pub events: Sender<BusInput>,
    /// This display's room, which takes the hub's room's decisions.
    pub room: Option<Arc<crate::control::Room>>,
}

pub fn start_follower(setup: FollowerSetup) -> std::io::Result<Follower> {
    let stop = Arc::new(AtomicBool::new(false));
    let thread_stop = stop.clone();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let thread = std::thread::Builder::new()
        .name("vigie-follower".into())
        .spawn(move || runtime.block_on(follow(setup, thread_stop)))?;
    Ok(Follower {
        stop,
        thread: Some(thread),
    })
}

struct Link {
    setup: FollowerSetup,
    subjects: Subjects,
    stats: Arc<SourceStats>,
    stop: Arc<AtomicBool>,
    /// When NATS stored the last event taken: a new session starts again from there. By time,
    /// not by sequence, so that a NATS server restarted after a crash, which may have lost its
    /// last messages before the hub published them again under new sequences, still gives
    /// them; what is read twice in the overlap changes nothing (the analysis is idempotent).
    resume_from: Option<chrono::DateTime<Utc>>,
    /// The hub run the heartbeats come from.
    hub_run: Option<chrono::DateTime<Utc>>,
    /// When the hub's last heartbeat came (real time).
    last_heartbeat: Option<Instant>,
    /// Messages taken since the start of the current replay, and when it began.
    replay: Option<(u64, Instant)>,
}

async fn follow(setup: FollowerSetup, stop: Arc<AtomicBool>) {
    let (_, stats) = setup.board.register(HUB_ENTRY);
    let client = match connect(&setup.config.url, "vigie display").await {
        Ok(client) => client,
        Err(error) => {
            let reason = format!("{error:#}");
            tracing::error!(error = reason, "no bus: the display shows nothing new");
            setup
                .board
                .set_state(HUB_ENTRY, failed(&setup.clock, reason, FailureKind::Other));
            return;
        }
    };
    let js = jetstream::new(client.clone());
    let mut link = Link {
        subjects: Subjects::new(&setup.config.stream),
        setup,
        stats,
        stop,
        resume_from: None,
        hub_run: None,
        last_heartbeat: None,
        replay: None,
    };
    let mut said_unreachable = false;
    let started = Instant::now();
    while !link.stop.load(Ordering::Relaxed) {
        let state = client.connection_state();
        if state == State::Pending && started.elapsed() < FIRST_CONNECT {
            // The first connection is still being made.
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        }
        if state != State::Connected {
            if !said_unreachable {
                tracing::warn!(url = %link.setup.config.url, "NATS unreachable: waiting for it");
                said_unreachable = true;
            }
            link.setup.board.set_state(
                HUB_ENTRY,
                failed(
                    &link.setup.clock,
                    format!("NATS unreachable at {}", link.setup.config.url),
                    FailureKind::Unreachable,
                ),
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
            continue;
        }
        said_unreachable = false;
        match link.session(&js, &client).await {
            Ok(()) => break,
            Err(error) => {
                let reason = format!("{error:#}");
                tracing::warn!(error = reason, "the link to the hub broke: starting again");
                link.setup.board.set_state(
                    HUB_ENTRY,
                    failed(&link.setup.clock, reason, FailureKind::Other),
                );
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
    }
}

fn failed(clock: &FollowedClock, reason: String, kind: FailureKind) -> HealthState {
    HealthState::Failed {
        reason,
        kind,
        retry_at: clock.now() + TimeDelta::seconds(1),
    }
}

impl Link {
    /// One connection's worth of following; `Ok` when asked to stop.
    async fn session(
        &mut self,
        js: &jetstream::Context,
        client: &async_nats::Client,
    ) -> anyhow::Result<()> {
        bind_streams(js, client, &self.setup.config).await?;
        let state_stream = js
            .get_stream(state_stream_name(&self.setup.config))
            .await
            .context("cannot open the state stream")?;
        let state_consumer = state_stream
            .create_consumer(pull::Config {
                deliver_policy: consumer::DeliverPolicy::LastPerSubject,
                ack_policy: consumer::AckPolicy::None,
                filter_subject: self.subjects.state(),
                inactive_threshold: Duration::from_secs(60),
                ..Default::default()
            })
            .await
            .context("cannot read the hub's state")?;
        let mut current = state_consumer.cached_info().num_pending;
        let mut states = state_consumer
            .stream()
            .heartbeat(CONSUMER_HEARTBEAT)
            .messages()
            .await
            .context("cannot read the hub's state")?;
        // The state as it is now, before the replay: the hub's clock says where to start.
        while current > 0 {
            let message = states
                .next()
                .await
                .context("the state stream ended")?
                .context("cannot read the hub's state")?;
            self.take_state(&message.subject, &message.payload).await;
            current -= 1;
        }

        // Events are counted at the hub's time: wait for a live hub's heartbeat first (it
        // sends one every 2 s). Without one, the stream is what a stopped hub left, shown at
        // this display's own time.
        let waiting_since = Instant::now();
        while self.last_heartbeat.is_none() && waiting_since.elapsed() < FIRST_HEARTBEAT {
            tokio::select! {
                message = states.next() => {
                    let message = message
                        .context("the state stream ended")?
                        .context("cannot read the hub's state")?;
                    self.take_state(&message.subject, &message.payload).await;
                }
                _ = tokio::time::sleep(Duration::from_millis(100)) => {
                    if self.stop.load(Ordering::Relaxed) {
                        return Ok(());
                    }
                }
            }
        }
        if self.last_heartbeat.is_none() {
            tracing::warn!("no heartbeat from a hub: showing the stream at this display's time");
        }

        let events_stream = js
            .get_stream(&self.setup.config.stream)
            .await
            .context("cannot open the events stream")?;
        let start_time = match self.resume_from {
            Some(at) => at,
            None => {
                // The stream's times are real times: the window's span at the hub's speed.
                let speed = self.setup.clock.speed();
                let span = self.setup.span.num_microseconds().unwrap_or(i64::MAX) as f64;
                Utc::now() - TimeDelta::microseconds((span / speed) as i64)
            }
        };
        let deliver_policy = consumer::DeliverPolicy::ByStartTime { start_time };
        let events_consumer = events_stream
            .create_consumer(pull::Config {
                deliver_policy,
                ack_policy: consumer::AckPolicy::None,
                inactive_threshold: Duration::from_secs(60),
                ..Default::default()
            })
            .await
            .context("cannot follow the events stream")?;
        let backlog = events_consumer.cached_info().num_pending;
        self.replay = (backlog > 0).then(|| (0, Instant::now()));
        if backlog > 0 {
            tracing::info!(backlog, "replaying the hub's events");
        }
        let mut events = events_consumer
            .stream()
            .max_messages_per_batch(2048)
            .heartbeat(CONSUMER_HEARTBEAT)
            .messages()
            .await
            .context("cannot follow the events stream")?;
        self.setup.board.set_state(HUB_ENTRY, HealthState::Live);
        let mut check = tokio::time::interval(Duration::from_millis(250));
        loop {
            tokio::select! {
                message = events.next() => {
                    let message = message
                        .context("the events stream ended")?
                        .context("cannot follow the events stream")?;
                    let (published, pending) = match message.info() {
                        Ok(info) => (Some(info.published), info.pending),
                        Err(_) => (None, 1),
                    };
                    if !self.take_event(&message.payload).await {
                        return Ok(());
                    }
                    if published.is_some() {
                        self.resume_from = published;
                    }
                    if pending == 0 {
                        self.caught_up();
                    }
                }
                message = states.next() => {
                    let message = message
                        .context("the state stream ended")?
                        .context("cannot read the hub's state")?;
                    self.take_state(&message.subject, &message.payload).await;
                }
                _ = check.tick() => {
                    if self.stop.load(Ordering::Relaxed) {
                        return Ok(());
                    }
                    self.check_hub();
                }
            }
        }
    }

    /// Hands one event to the analysis; false when the display is stopping.
    async fn take_event(&mut self, payload: &[u8]) -> bool {
        self.stats.received.fetch_add(1, Ordering::Relaxed);
        if let Some((taken, _)) = &mut self.replay {
            *taken += 1;
        }
        let input = match decode(payload, &self.setup.brands) {
            Ok(Received::Analysis(event)) => BusInput::Analysis(event),
            Ok(Received::Alert(change)) => BusInput::Alert(change),
            Ok(Received::Spike(spike)) => BusInput::Spike(spike),
            Ok(Received::NotOurs) => return true,
            Err(error) => {
                let count = self.stats.malformed.fetch_add(1, Ordering::Relaxed) + 1;
                tracing::warn!(count, %error, "malformed message from the hub skipped");
                return true;
            }
        };
        self.hand_over(input).await
    }

    /// Waits for room in the analysis channel (a replay fills it faster than it drains).
    async fn hand_over(&self, input: BusInput) -> bool {
        let mut pending = input;
        loop {
            match self.setup.events.try_send(pending) {
                Ok(()) => return true,
                Err(TrySendError::Disconnected(_)) => return false,
                Err(TrySendError::Full(back)) => {
                    if self.stop.load(Ordering::Relaxed) {
                        return false;
                    }
                    pending = back;
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
            }
        }
    }

    fn caught_up(&mut self) {
        if let Some((taken, since)) = self.replay.take() {
            let seconds = since.elapsed().as_secs_f64();
            tracing::info!(
                messages = taken,
                ms = (seconds * 1000.0) as u64,
                per_second = (taken as f64 / seconds.max(1e-6)) as u64,
                "caught up with the hub: following live"
            );
        }
    }

    async fn take_state(&mut self, subject: &str, payload: &[u8]) {
        if subject == self.subjects.room_state() {
            match serde_json::from_slice::<crate::control::RoomState>(payload) {
                Ok(state) => {
                    if let Some(room) = &self.setup.room {
                        room.replace(state);
                    }
                }
                Err(error) => tracing::warn!(%error, "malformed room state skipped"),
            }
            return;
        }
        if subject == self.subjects.hub_state() {
            match serde_json::from_slice::<HubState>(payload) {
                Ok(hub) => {
                    let age = (Utc::now() - hub.sent_at).to_std().unwrap_or_default();
                    // A heartbeat from a hub stopped long ago says where its clock was, not
                    // where it is: follow only a live one.
                    if age < HUB_SILENT_AFTER {
                        self.setup.clock.follow(hub.event_now, hub.speed, age);
                        self.last_heartbeat = Some(Instant::now() - age);
                    }
                    if self.hub_run != Some(hub.run_started) {
                        self.hub_run = Some(hub.run_started);
                        self.hand_over(BusInput::HubStarted(hub.run_started)).await;
                    }
                    self.setup.board.set_remote(hub.sources);
                    self.check_hub();
                }
                Err(error) => tracing::warn!(%error, "malformed hub state skipped"),
            }
            return;
        }
        match decode(payload, &self.setup.brands) {
            Ok(Received::Alert(change)) => {
                self.hand_over(BusInput::Alert(change)).await;
            }
            Ok(Received::Spike(spike)) => {
                self.hand_over(BusInput::Spike(spike)).await;
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, subject, "malformed state message skipped"),
        }
    }

    /// The link is live while the hub's heartbeats come; silent otherwise.
    fn check_hub(&self) {
        let board = &self.setup.board;
        match self.last_heartbeat {
            Some(at) if at.elapsed() < HUB_SILENT_AFTER => {
                board.mark_received(HUB_ENTRY, self.setup.clock.now());
                board.set_state(HUB_ENTRY, HealthState::Live);
            }
            last => {
                board.set_state(
                    HUB_ENTRY,
                    failed(
                        &self.setup.clock,
                        "the hub is silent".into(),
                        FailureKind::Silent,
                    ),
                );
                // What the hub's sources delivered is stale since its last heartbeat.
                let silent_for = last.map(|at| at.elapsed()).unwrap_or_default();
                let at_speed = silent_for.as_secs_f64() * self.setup.clock.speed();
                let since = self.setup.clock.now()
                    - TimeDelta::milliseconds((at_speed * 1000.0).min(1e12) as i64);
                board.remote_stale_since(since);
            }
        }
    }
}
