//! The hub's publisher: every analysis event and alert change, in order, to the events stream,
//! and a heartbeat with the hub's clock and sources to the state stream. While NATS is away, or
//! a publish is not acknowledged, messages wait in the disk spool and are published first when
//! NATS is back: JetStream's message-id deduplication drops the ones it had already stored.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use async_nats::connection::State;
use async_nats::jetstream::context::{PublishAckFuture, PublishError};
use async_nats::jetstream::{self, message::PublishMessage};
use bytes::Bytes;
use chrono::{TimeDelta, Utc};
use tokio::sync::mpsc::error::TryRecvError;

use super::spool::Spool;
use super::wire::{HubState, Outgoing, Subjects};
use super::{BusHealth, BusLink, connect, ensure_streams};
use crate::clock::SharedClock;
use crate::config::BusConfig;
use crate::ingest::HealthBoard;
use crate::model::BrandInfo;
use crate::store::StoreEvent;

/// Events waiting for the publisher: a minute of a storm at 1,000 mentions a second.
const CHANNEL: usize = 65_536;
/// Messages taken from the channel (or the spool) at a time.
const BATCH: usize = 1024;
/// Live messages sent and not yet acknowledged while events keep coming: the oldest
/// acknowledgements are awaited only past this, so that sending never waits for a round trip
/// (stop-and-wait per batch left the link idle a third of the time). Below async-nats's own
/// limit of 5,000 acknowledgements in flight.
const WINDOW: usize = 4096;
/// How often the hub says it is alive (and what time it is).
const HEARTBEAT: Duration = Duration::from_secs(2);
/// How long a stop waits for the last messages to be acknowledged; what is left stays in the
/// spool for the next start.
/// With the final flush, a stop ends within 5 s whatever NATS does.
const FINISH_GRACE: Duration = Duration::from_secs(3);
/// How long the last flush to NATS may take when the hub stops.
const FINAL_FLUSH: Duration = Duration::from_secs(1);
/// How long the first connection may take before NATS is said to be unreachable.
const FIRST_CONNECT: Duration = Duration::from_secs(3);
/// Acknowledged messages kept this long and published again after a reconnection: a NATS
/// server killed (kill -9, a power cut) may lose the last messages it acknowledged, which it
/// had not yet written out; the ones it kept are dropped as duplicates.
const REPUBLISH_AFTER_OUTAGE: Duration = Duration::from_secs(5);
/// And at most this many of them (ten seconds at 1,000 mentions a second): a replay burst
/// does not hold hundreds of megabytes for it.
const REPUBLISH_KEPT: usize = 10_000;
/// A source silent this long (event time) is shown as stale, as on a wall.
const STALE_AFTER: TimeDelta = TimeDelta::minutes(5);

pub struct Publisher {
    thread: Option<std::thread::JoinHandle<()>>,
    health: Arc<BusHealth>,
}

impl Publisher {
    pub fn health(&self) -> Arc<BusHealth> {
        self.health.clone()
    }

    /// Waits until everything received is published or spooled (the analysis thread, which
    /// holds the link, must be stopped first).
    pub fn finish(mut self) -> Arc<BusHealth> {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        self.health.clone()
    }
}

/// What the publisher needs besides its events.
pub struct PublisherSetup {
    pub config: BusConfig,
    /// The disk spool's folder.
    pub spool_dir: std::path::PathBuf,
    pub brands: Vec<BrandInfo>,
    pub clock: SharedClock,
    pub speed: f64,
    /// The hub's sources, for the heartbeat.
    pub board: HealthBoard,
}

/// Starts the publisher thread; the link is for the analysis thread.
pub fn start_publisher(setup: PublisherSetup) -> anyhow::Result<(Publisher, BusLink)> {
    let spool = Spool::open(&setup.spool_dir)?;
    if !spool.is_empty() {
        tracing::info!(
            waiting = spool.waiting(),
            "the bus spool holds messages from an earlier run: they are published first"
        );
    }
    let health = Arc::new(BusHealth::default());
    let (tx, rx) = tokio::sync::mpsc::channel::<StoreEvent>(CHANNEL);
    let thread_health = health.clone();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the publisher's runtime")?;
    let thread = std::thread::Builder::new()
        .name("vigie-publisher".into())
        .spawn(move || runtime.block_on(publish_all(setup, spool, rx, thread_health)))
        .context("cannot start the publisher thread")?;
    Ok((
        Publisher {
            thread: Some(thread),
            health: health.clone(),
        },
        BusLink { events: tx, health },
    ))
}

struct Run {
    setup: PublisherSetup,
    subjects: Subjects,
    js: jetstream::Context,
    client: async_nats::Client,
    spool: Spool,
    health: Arc<BusHealth>,
    started_at: chrono::DateTime<Utc>,
    run_started: chrono::DateTime<Utc>,
    started: Instant,
    /// The streams exist on the server we are connected to now.
    streams_ready: bool,
    /// Whether NATS was reachable at the last look, to log each change once.
    was_up: Option<bool>,
    spooled_this_outage: u64,
    /// What NATS acknowledged in the last `REPUBLISH_AFTER_OUTAGE`, oldest first.
    recent: VecDeque<(Instant, Outgoing)>,
    /// Live messages sent, oldest first, with their acknowledgements still to await.
    in_flight: VecDeque<(Outgoing, PublishAckFuture)>,
}

async fn publish_all(
    setup: PublisherSetup,
    spool: Spool,
    mut events: tokio::sync::mpsc::Receiver<StoreEvent>,
    health: Arc<BusHealth>,
) {
    let client = match connect(&setup.config.url, "vigie hub").await {
        Ok(client) => client,
        Err(error) => {
            // Only a malformed URL gets here (connecting is retried in the background): spool
            // everything, so that nothing is lost, and say why.
            let reason = format!("{error:#}");
            tracing::error!(error = reason, "no bus: events are spooled to disk");
            health.set_problem(Some(reason));
            let mut spool = spool;
            let subjects = Subjects::new(&setup.config.stream);
            while let Some(event) = events.recv().await {
                let messages = subjects.messages(&event, &setup.brands);
                if spool.append(&messages).is_err() {
                    health.lose(messages.len() as u64);
                }
                health.set_spooled(spool.waiting());
            }
            return;
        }
    };
    let js = jetstream::ContextBuilder::new()
        .timeout(Duration::from_secs(3))
        .build(client.clone());
    let run_started = setup.clock.now();
    let mut run = Run {
        subjects: Subjects::new(&setup.config.stream),
        setup,
        js,
        client,
        spool,
        health,
        started_at: Utc::now(),
        run_started,
        started: Instant::now(),
        streams_ready: false,
        was_up: None,
        spooled_this_outage: 0,
        recent: VecDeque::new(),
        in_flight: VecDeque::new(),
    };
    let mut pending: Vec<Outgoing> = Vec::new();
    let mut closing: Option<Instant> = None;
    let mut next_heartbeat = Instant::now();
    loop {
        // With messages in flight, only what is already waiting is taken: no new event means
        // the acknowledgements are awaited now, not after the next event.
        if closing.is_none() && run.in_flight.is_empty() {
            // Wake often while the spool waits for NATS, else at the heartbeat.
            let idle = if run.spool.is_empty() {
                next_heartbeat.saturating_duration_since(Instant::now())
            } else {
                Duration::from_millis(100)
            };
            tokio::select! {
                event = events.recv() => match event {
                    Some(event) => pending.extend(run.subjects.messages(&event, &run.setup.brands)),
                    None => closing = Some(Instant::now() + FINISH_GRACE),
                },
                _ = tokio::time::sleep(idle) => {}
            }
        }
        if closing.is_none() {
            while pending.len() < BATCH && closing.is_none() {
                match events.try_recv() {
                    Ok(event) => pending.extend(run.subjects.messages(&event, &run.setup.brands)),
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => {
                        closing = Some(Instant::now() + FINISH_GRACE);
                    }
                }
            }
        }
        let up = run.is_up().await;
        // The heartbeat first: a display counts what follows at the hub's time.
        if up && Instant::now() >= next_heartbeat {
            run.heartbeat().await;
            next_heartbeat = Instant::now() + HEARTBEAT;
        }
        if pending.is_empty() || !up || closing.is_some() {
            run.settle(0).await;
        }
        if !up || !run.spool.is_empty() {
            run.spool_all(std::mem::take(&mut pending));
        }
        if up && !run.spool.is_empty() {
            run.drain_spool().await;
        }
        if up && run.spool.is_empty() && !pending.is_empty() {
            run.send(std::mem::take(&mut pending)).await;
        }
        if let Some(deadline) = closing {
            run.settle(0).await;
            run.spool_all(std::mem::take(&mut pending));
            // NATS away: everything is in the spool, nothing to wait for.
            if run.spool.is_empty() || Instant::now() >= deadline || !up {
                break;
            }
            if !up {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
    let left = run.spool.waiting();
    if left > 0 {
        tracing::warn!(
            left,
            "stopping with messages not yet published: they stay in the spool for the next start"
        );
    }
    // Bounded: with NATS gone a flush waits for a server that may never come back, and a hub
    // asked to stop must stop (what was not published is in the spool).
    let connected = run.client.connection_state() == async_nats::connection::State::Connected;
    if connected
        && tokio::time::timeout(FINAL_FLUSH, run.client.flush())
            .await
            .is_err()
    {
        tracing::warn!("NATS did not take the last messages in time: stopping without them");
    }
}

impl Run {
    /// Whether NATS is reachable and the streams exist there; logs each change once.
    async fn is_up(&mut self) -> bool {
        let state = self.client.connection_state();
        let connected = state == State::Connected;
        // The first connection is still being made: not an outage yet.
        if state == State::Pending
            && self.was_up.is_none()
            && self.started.elapsed() < FIRST_CONNECT
        {
            return false;
        }
        if !connected {
            self.streams_ready = false;
        } else if !self.streams_ready {
            match ensure_streams(&self.js, &self.setup.config).await {
                Ok(()) => self.streams_ready = true,
                Err(error) => {
                    let reason = format!("{error:#}");
                    self.health.set_problem(Some(reason.clone()));
                    if self.was_up != Some(false) {
                        tracing::error!(error = reason, "cannot set up the bus streams");
                    }
                }
            }
        }
        let up = connected && self.streams_ready;
        if self.was_up != Some(up) {
            if up && self.was_up == Some(false) && !self.recent.is_empty() {
                // Before the spool, in their order: what the server may have lost.
                let recent: Vec<Outgoing> = self
                    .subjects
                    .latest_states(self.recent.drain(..).map(|(_, m)| m).collect());
                let confirmed = self.publish(&recent).await;
                tracing::info!(
                    again = recent.len(),
                    confirmed,
                    "published again what NATS acknowledged just before it went away"
                );
            }
            if up {
                self.health.set_problem(None);
                tracing::info!(
                    url = %self.setup.config.url,
                    spooled = self.spool.waiting(),
                    "publishing to NATS"
                );
            } else {
                self.spooled_this_outage = 0;
                if connected {
                    tracing::warn!("the bus streams are not ready: spooling to disk");
                } else {
                    let reason = format!("NATS unreachable at {}", self.setup.config.url);
                    tracing::warn!("{reason}: spooling to disk until it is back");
                    self.health.set_problem(Some(reason));
                }
            }
            self.was_up = Some(up);
        }
        self.health.set_connected(up);
        up
    }

    fn spool_all(&mut self, messages: Vec<Outgoing>) {
        if messages.is_empty() {
            return;
        }
        match self.spool.append(&messages) {
            Ok(()) => self.spooled_this_outage += messages.len() as u64,
            Err(error) => {
                let lost = self.health.lose(messages.len() as u64);
                let reason = format!("cannot write the bus spool: {error}");
                tracing::error!(lost, "{reason}: messages lost");
                self.health.set_problem(Some(reason));
            }
        }
        self.health.set_spooled(self.spool.waiting());
    }

    /// Publishes the oldest spooled messages, as many as NATS acknowledges.
    async fn drain_spool(&mut self) {
        let started = Instant::now();
        let mut drained = 0u64;
        while !self.spool.is_empty() {
            let peeked = match self.spool.peek(BATCH) {
                Ok(peeked) => peeked,
                Err(error) => {
                    tracing::error!(%error, "cannot read the bus spool");
                    self.health
                        .set_problem(Some(format!("cannot read the bus spool: {error}")));
                    return;
                }
            };
            let mut messages: Vec<Outgoing> =
                peeked.messages.iter().map(|(m, _)| m.clone()).collect();
            let confirmed = self.publish(&messages).await;
            let all = confirmed == messages.len();
            messages.truncate(confirmed);
            self.remember(messages);
            let (offset, complete) = if all {
                (peeked.read_to, true)
            } else if confirmed > 0 {
                (peeked.messages[confirmed - 1].1, false)
            } else {
                return;
            };
            if let Err(error) = self.spool.mark_published(offset, confirmed as u64) {
                tracing::error!(%error, "cannot write the bus spool's offset");
            }
            drained += confirmed as u64;
            self.health.published(confirmed as u64);
            self.health.set_spooled(self.spool.waiting());
            if !complete {
                return;
            }
        }
        if drained > 0 {
            tracing::info!(
                published = drained,
                ms = started.elapsed().as_millis() as u64,
                "the bus spool is published: live again"
            );
        }
    }

    /// Sends `messages` in order, then awaits their acknowledgements: how many, from the
    /// first, NATS has stored.
    async fn publish(&self, messages: &[Outgoing]) -> usize {
        let mut acks = Vec::with_capacity(messages.len());
        for message in messages {
            match self.send_one(message).await {
                Ok(ack) => acks.push(ack),
                Err(error) => {
                    tracing::debug!(%error, "publish failed");
                    break;
                }
            }
        }
        let mut confirmed = 0;
        for ack in acks {
            match ack.await {
                Ok(_) => confirmed += 1,
                Err(error) => {
                    tracing::debug!(%error, "publish not acknowledged");
                    break;
                }
            }
        }
        confirmed
    }

    /// Hands one message to NATS, with its id for JetStream's deduplication; its
    /// acknowledgement is to be awaited.
    async fn send_one(&self, message: &Outgoing) -> Result<PublishAckFuture, PublishError> {
        let publish = PublishMessage::build()
            .payload(Bytes::from(message.body.clone()))
            .message_id(&message.id);
        self.js.send_publish(message.subject.clone(), publish).await
    }

    /// Sends `messages` after those in flight, without awaiting their acknowledgements. One
    /// that cannot be sent goes to the spool with all after it, once those in flight before it
    /// are settled: the spool keeps the order.
    async fn send(&mut self, messages: Vec<Outgoing>) {
        let mut messages = messages.into_iter();
        while let Some(message) = messages.next() {
            if self.in_flight.len() >= WINDOW {
                // async-nats lends a permit per acknowledgement awaited: past its limit a send
                // would wait for an acknowledgement that only this task can take.
                self.settle(WINDOW / 2).await;
                if !self.spool.is_empty() {
                    // One was not acknowledged and waits in the spool: the rest go after it.
                    let unsent: Vec<Outgoing> = std::iter::once(message).chain(messages).collect();
                    self.spool_all(unsent);
                    return;
                }
            }
            match self.send_one(&message).await {
                Ok(ack) => self.in_flight.push_back((message, ack)),
                Err(error) => {
                    tracing::debug!(%error, "publish failed");
                    let unsent: Vec<Outgoing> = std::iter::once(message).chain(messages).collect();
                    self.settle(0).await;
                    self.spool_all(unsent);
                    return;
                }
            }
        }
    }

    /// Awaits the oldest acknowledgements until at most `keep` messages are in flight. The
    /// first one NATS does not acknowledge goes to the spool with every message sent after it,
    /// in order (JetStream drops the ones it had stored as duplicates when they come again).
    async fn settle(&mut self, keep: usize) {
        let mut confirmed = Vec::new();
        while self.in_flight.len() > keep {
            let Some((message, ack)) = self.in_flight.pop_front() else {
                break;
            };
            match ack.await {
                Ok(_) => confirmed.push(message),
                Err(error) => {
                    tracing::debug!(%error, "publish not acknowledged");
                    let unconfirmed: Vec<Outgoing> = std::iter::once(message)
                        .chain(self.in_flight.drain(..).map(|(message, _)| message))
                        .collect();
                    self.spool_all(unconfirmed);
                    break;
                }
            }
        }
        self.health.published(confirmed.len() as u64);
        self.remember(confirmed);
    }

    /// Remembers what NATS acknowledged, for `REPUBLISH_AFTER_OUTAGE`.
    fn remember(&mut self, messages: Vec<Outgoing>) {
        let now = Instant::now();
        while self
            .recent
            .front()
            .is_some_and(|(at, _)| now.duration_since(*at) > REPUBLISH_AFTER_OUTAGE)
        {
            self.recent.pop_front();
        }
        let skip = messages.len().saturating_sub(REPUBLISH_KEPT);
        self.recent
            .extend(messages.into_iter().skip(skip).map(|m| (now, m)));
        let over = self.recent.len().saturating_sub(REPUBLISH_KEPT);
        self.recent.drain(..over);
    }

    async fn heartbeat(&self) {
        let clock = &self.setup.clock;
        let now = clock.now();
        let state = HubState {
            event_now: now,
            speed: self.setup.speed,
            sent_at: Utc::now(),
            started_at: self.started_at,
            run_started: self.run_started,
            sources: self.setup.board.snapshot(now, STALE_AFTER),
            spooled: self.spool.waiting(),
        };
        let Ok(body) = serde_json::to_vec(&state) else {
            return;
        };
        match self
            .js
            .publish(self.subjects.hub_state(), Bytes::from(body))
            .await
        {
            Ok(ack) => {
                if let Err(error) = ack.await {
                    tracing::debug!(%error, "heartbeat not acknowledged");
                }
            }
            Err(error) => tracing::debug!(%error, "heartbeat not sent"),
        }
    }
}
