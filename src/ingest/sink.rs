//! The sending end every source writes to, and the per-source counters and health that the
//! wall shows. A full channel makes a source wait a little (backpressure) and then counts the
//! mention as dropped: a loss is always counted, logged and shown, never silent.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use crossbeam_channel::{Sender, TrySendError};

use crate::ack::Ack;
use crate::model::{HealthState, Mention, Quota, SourceEvent, SourceHealth};

/// How often, at most, a source's resume point goes to the history.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

/// How long a source waits for room in a full channel before counting a drop.
const FULL_CHANNEL_PATIENCE: Duration = Duration::from_secs(2);

#[derive(Debug, Default)]
pub struct SourceStats {
    pub received: AtomicU64,
    pub malformed: AtomicU64,
    pub dropped: AtomicU64,
}

#[derive(Debug, Clone)]
struct HealthEntry {
    name: String,
    state: HealthState,
    last_received: Option<DateTime<Utc>>,
    newest_post: Option<DateTime<Utc>>,
    /// Posts delivered in each of the last minutes: `(unix minute, count)`, oldest first.
    minutes: std::collections::VecDeque<(i64, u32)>,
    quota: Option<Quota>,
    stats: Arc<SourceStats>,
}

/// The minutes a source's rate is taken over.
const RATE_MINUTES: i64 = 10;

impl HealthEntry {
    fn count_post(&mut self, at: DateTime<Utc>) {
        let minute = at.timestamp().div_euclid(60);
        match self.minutes.back_mut() {
            Some((last, count)) if *last == minute => *count += 1,
            _ => self.minutes.push_back((minute, 1)),
        }
        while self
            .minutes
            .front()
            .is_some_and(|(first, _)| *first <= minute - RATE_MINUTES)
        {
            self.minutes.pop_front();
        }
    }

    /// Posts a minute over the last `RATE_MINUTES` full minutes and this one's part.
    fn per_minute(&self, now: DateTime<Utc>) -> f32 {
        let minute = now.timestamp().div_euclid(60);
        let posts: u32 = self
            .minutes
            .iter()
            .filter(|(m, _)| *m > minute - RATE_MINUTES && *m <= minute)
            .map(|(_, count)| count)
            .sum();
        posts as f32 / RATE_MINUTES as f32
    }
}

/// Health of every source, shared between the supervisor (writer) and the analysis (reader).
/// A display has no sources: it shows its link to the hub and the hub's sources, as the hub
/// last said (`set_remote`).
#[derive(Debug, Clone, Default)]
pub struct HealthBoard {
    entries: Arc<Mutex<Vec<HealthEntry>>>,
    remote: Arc<Mutex<Vec<SourceHealth>>>,
}

impl HealthBoard {
    /// Adds an entry, starting; its counters are the caller's to move. The name it is shown
    /// and known by: `name`, or `name (2)`… when another source has it already, so that one
    /// source's health never shows on another's.
    pub fn register(&self, name: &str) -> (String, Arc<SourceStats>) {
        let stats = Arc::new(SourceStats::default());
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let taken = |candidate: &str| entries.iter().any(|e| e.name == candidate);
        let mut unique = name.to_string();
        let mut n = 1;
        while taken(&unique) {
            n += 1;
            unique = format!("{name} ({n})");
        }
        entries.push(HealthEntry {
            name: unique.clone(),
            state: HealthState::Starting,
            last_received: None,
            newest_post: None,
            minutes: Default::default(),
            quota: None,
            stats: stats.clone(),
        });
        (unique, stats)
    }

    pub fn set_state(&self, name: &str, state: HealthState) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(entry) = entries.iter_mut().find(|e| e.name == name) {
            entry.state = state;
        }
    }

    /// The hub's sources, as its last heartbeat gave them.
    pub fn set_remote(&self, sources: Vec<SourceHealth>) {
        *self.remote.lock().unwrap_or_else(PoisonError::into_inner) = sources;
    }

    /// The hub's sources as the hub last said, when the hub has gone silent: what they were
    /// delivering is stale since then (a room cut off from the hub shows it).
    pub fn remote_stale_since(&self, since: DateTime<Utc>) {
        let mut remote = self.remote.lock().unwrap_or_else(PoisonError::into_inner);
        for source in remote.iter_mut() {
            if matches!(source.state, HealthState::Live | HealthState::Starting) {
                source.state = HealthState::Stale { since };
            }
        }
    }

    pub fn mark_received(&self, name: &str, at: DateTime<Utc>) {
        self.mark_delivered(name, at, None);
    }

    /// What a source used of its platform's quota, as it counts it.
    pub fn set_quota(&self, name: &str, quota: Quota) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(entry) = entries.iter_mut().find(|e| e.name == name) {
            entry.quota = Some(quota);
        }
    }

    /// `mark_received`, for a post written at `written` (counted in the source's rate).
    pub fn mark_delivered(&self, name: &str, at: DateTime<Utc>, written: Option<DateTime<Utc>>) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(entry) = entries.iter_mut().find(|e| e.name == name) {
            entry.last_received = Some(at);
            if let Some(written) = written {
                entry.count_post(at);
                entry.newest_post = entry.newest_post.max(Some(written));
            }
            // A source that delivers is live, whatever failed before it (a 429, a reset): a
            // failure shown for good would raise `source_down` for a source that works.
            if entry.state != HealthState::Finished {
                entry.state = HealthState::Live;
            }
        }
    }

    /// Health as of `now`: a live source silent for longer than `stale_after` is stale since
    /// its last mention.
    pub fn snapshot(
        &self,
        now: DateTime<Utc>,
        stale_after: chrono::TimeDelta,
    ) -> Vec<SourceHealth> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries
            .iter()
            .map(|e| {
                let state = match (&e.state, e.last_received) {
                    (HealthState::Live, Some(last)) if now - last > stale_after => {
                        HealthState::Stale { since: last }
                    }
                    (state, _) => state.clone(),
                };
                SourceHealth {
                    name: e.name.clone(),
                    state,
                    received: e.stats.received.load(Ordering::Relaxed),
                    malformed: e.stats.malformed.load(Ordering::Relaxed),
                    dropped: e.stats.dropped.load(Ordering::Relaxed),
                    last_received: e.last_received,
                    newest_post: e.newest_post,
                    per_minute: e.per_minute(now),
                    quota: e.quota,
                }
            })
            .chain(
                self.remote
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .iter()
                    .cloned(),
            )
            .collect()
    }
}

/// What became of an event handed to the analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handed {
    Taken,
    /// The channel stayed full past the patience: counted as dropped, shown on the wall.
    Dropped,
    /// The analysis is gone: the program is stopping.
    Gone,
}

/// One source's handle on the analysis channel.
#[derive(Clone)]
pub struct MentionSink {
    name: Arc<str>,
    tx: Sender<SourceEvent>,
    stats: Arc<SourceStats>,
    board: HealthBoard,
    last_checkpoint: Arc<Mutex<Option<std::time::Instant>>>,
}

impl MentionSink {
    pub fn new(name: &str, tx: Sender<SourceEvent>, board: &HealthBoard) -> Self {
        let (name, stats) = board.register(name);
        Self {
            name: name.into(),
            tx,
            stats,
            board: board.clone(),
            last_checkpoint: Arc::default(),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn stats(&self) -> &SourceStats {
        &self.stats
    }

    /// Hands a mention to the analysis. Returns `false` when the analysis is gone (the program
    /// is stopping) so the source can end.
    pub async fn send(&self, mention: Mention, now: DateTime<Utc>) -> bool {
        self.send_event(SourceEvent::Post(mention), now).await
    }

    /// A post the source sent before, changed by its author.
    pub async fn edit(&self, mention: Mention, now: DateTime<Utc>) -> bool {
        self.send_event(SourceEvent::Edit(mention), now).await
    }

    /// A post the source sent before, deleted by its author: it leaves the wall and the figures.
    pub async fn delete(&self, id: String, now: DateTime<Utc>) -> bool {
        self.send_event(SourceEvent::Delete { id }, now).await
    }

    pub async fn send_event(&self, event: SourceEvent, now: DateTime<Utc>) -> bool {
        self.hand_over(event, now).await != Handed::Gone
    }

    /// A post from a sender that waits for an answer (the webhook): whether the analysis took
    /// it, so that a post dropped on a full channel is not acknowledged as taken. `ack` is
    /// committed once the post is durable (`crate::ack`).
    pub async fn offer(&self, mention: Mention, ack: Ack, now: DateTime<Utc>) -> Handed {
        let event = SourceEvent::Acked {
            event: Box::new(SourceEvent::Post(mention)),
            ack,
        };
        self.hand_over(event, now).await
    }

    async fn hand_over(&self, event: SourceEvent, now: DateTime<Utc>) -> Handed {
        self.stats.received.fetch_add(1, Ordering::Relaxed);
        self.board
            .mark_delivered(&self.name, now, written_at(&event));
        let mut pending = event;
        let mut waited = Duration::ZERO;
        let step = Duration::from_millis(5);
        loop {
            match self.tx.try_send(pending) {
                Ok(()) => return Handed::Taken,
                Err(TrySendError::Disconnected(_)) => return Handed::Gone,
                Err(TrySendError::Full(back)) => {
                    if waited >= FULL_CHANNEL_PATIENCE {
                        let dropped = self.stats.dropped.fetch_add(1, Ordering::Relaxed) + 1;
                        if crate::sparse_log::worth_logging(dropped) {
                            tracing::warn!(
                                source = %self.name,
                                dropped,
                                "analysis channel full: mention dropped (counted on the wall)"
                            );
                        }
                        return Handed::Dropped;
                    }
                    pending = back;
                    tokio::time::sleep(step).await;
                    waited += step;
                }
            }
        }
    }

    /// The source has sent everything up to `cursor` (called lazily, at most once a second):
    /// the history keeps it with those posts, and a restart resumes there (`Source::
    /// resume_from`). Never waits: a checkpoint that finds the channel full is skipped (the
    /// next one says more).
    /// What the platform counts against this source's quota, for the wall.
    pub fn quota(&self, quota: Quota) {
        self.board.set_quota(&self.name, quota);
    }

    pub fn checkpoint(&self, cursor: impl FnOnce() -> Option<String>) {
        let now = std::time::Instant::now();
        let mut last = self
            .last_checkpoint
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if last.is_some_and(|at| now.duration_since(at) < CHECKPOINT_EVERY) {
            return;
        }
        let Some(cursor) = cursor() else { return };
        *last = Some(now);
        let _ = self
            .tx
            .try_send(SourceEvent::Checkpoint(crate::model::Checkpoint {
                source: self.name.to_string(),
                cursor,
            }));
    }

    /// Counts and logs a message that could not be understood; the source goes on.
    pub fn malformed(&self, location: &str, reason: &str) {
        let count = self.stats.malformed.fetch_add(1, Ordering::Relaxed) + 1;
        tracing::warn!(source = %self.name, count, "{location}: malformed input skipped: {reason}");
    }
}

/// When a post (or its new version) was written; `None` for what is not a post.
fn written_at(event: &SourceEvent) -> Option<DateTime<Utc>> {
    match event {
        SourceEvent::Post(m) | SourceEvent::Edit(m) => Some(m.created_at),
        SourceEvent::Acked { event, .. } => written_at(event),
        SourceEvent::Delete { .. } | SourceEvent::Checkpoint(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Author, Engagement, Platform};

    fn mention(id: &str) -> Mention {
        Mention {
            id: id.into(),
            platform: Platform::X,
            author: Author {
                handle: "a".into(),
                display_name: String::new(),
                reach: 0,
                avatar: None,
            },
            text: "t".into(),
            lang: None,
            created_at: Utc::now(),
            url: None,
            engagement: Engagement::default(),
            reply_to: None,
            picture: None,
            rating: None,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_full_channel_counts_the_drop_instead_of_losing_it_silently() {
        let (tx, rx) = crossbeam_channel::bounded(1);
        let board = HealthBoard::default();
        let sink = MentionSink::new("test", tx, &board);
        assert!(sink.send(mention("1"), Utc::now()).await);
        // The channel holds one; the second waits its patience out and is counted.
        assert!(sink.send(mention("2"), Utc::now()).await);
        let health = board.snapshot(Utc::now(), chrono::TimeDelta::minutes(5));
        assert_eq!(health[0].received, 2);
        assert_eq!(health[0].dropped, 1);
        assert_eq!(health[0].state, HealthState::Live);
        let first = rx.try_recv().ok();
        assert!(matches!(first, Some(SourceEvent::Post(m)) if m.id == "1"));
    }

    #[tokio::test(start_paused = true)]
    async fn an_offer_says_whether_the_analysis_took_it() {
        let (tx, rx) = crossbeam_channel::bounded(1);
        let board = HealthBoard::default();
        let sink = MentionSink::new("test", tx, &board);
        let (_, ack) = crate::ack::AckGroup::new();
        let offer = |id| sink.offer(mention(id), ack.clone(), Utc::now());
        assert_eq!(offer("1").await, Handed::Taken);
        assert_eq!(offer("2").await, Handed::Dropped);
        drop(rx);
        assert_eq!(offer("3").await, Handed::Gone);
    }

    #[test]
    fn a_silent_live_source_turns_stale_since_its_last_mention() {
        let board = HealthBoard::default();
        board.register("s");
        let last = Utc::now();
        board.mark_received("s", last);
        let now = last + chrono::TimeDelta::minutes(10);
        let health = board.snapshot(now, chrono::TimeDelta::minutes(5));
        assert_eq!(health[0].state, HealthState::Stale { since: last });
    }

    #[test]
    fn the_hubs_sources_turn_stale_when_the_hub_goes_silent_and_live_when_it_speaks() {
        let board = HealthBoard::default();
        let source = |state| SourceHealth {
            name: "crisis".into(),
            state,
            received: 3,
            malformed: 0,
            dropped: 0,
            last_received: None,
            newest_post: None,
            per_minute: 0.0,
            quota: None,
        };
        board.set_remote(vec![source(HealthState::Live)]);
        let since = Utc::now();
        board.remote_stale_since(since);
        let health = board.snapshot(Utc::now(), chrono::TimeDelta::minutes(5));
        assert_eq!(health[0].state, HealthState::Stale { since });
        board.set_remote(vec![source(HealthState::Live)]);
        let health = board.snapshot(Utc::now(), chrono::TimeDelta::minutes(5));
        assert_eq!(health[0].state, HealthState::Live);
    }

    #[test]
    fn two_sources_of_one_name_have_two_entries() {
        let board = HealthBoard::default();
        let (tx, _rx) = crossbeam_channel::bounded(1);
        let first = MentionSink::new("press", tx.clone(), &board);
        let second = MentionSink::new("press", tx, &board);
        assert_eq!((first.name(), second.name()), ("press", "press (2)"));
        board.mark_received(second.name(), Utc::now());
        let health = board.snapshot(Utc::now(), chrono::TimeDelta::minutes(5));
        assert_eq!(health[0].state, HealthState::Starting);
        assert_eq!(health[1].state, HealthState::Live);
    }
}

#[cfg(test)]
mod rate_tests {
    use super::*;

    #[test]
    fn a_source_shows_its_posts_a_minute_over_ten_minutes_its_newest_post_and_its_quota() {
        let board = HealthBoard::default();
        let (name, _) = board.register("youtube");
        let start: DateTime<Utc> = "2026-11-25T12:00:00Z".parse().expect("time");
        let written: DateTime<Utc> = "2026-11-25T11:40:00Z".parse().expect("time");
        // 30 posts over minutes 0..3, then one old (minute -20, never counted in the rate).
        for i in 0..30 {
            let at = start + chrono::TimeDelta::seconds(i * 6);
            board.mark_delivered(&name, at, Some(written + chrono::TimeDelta::seconds(i)));
        }
        board.mark_received(&name, start + chrono::TimeDelta::minutes(4));
        board.set_quota(
            &name,
            Quota {
                used: 2_500,
                limit: 10_000,
                period: crate::model::QuotaPeriod::Day,
            },
        );
        let at = |minutes| {
            board.snapshot(
                start + chrono::TimeDelta::minutes(minutes),
                chrono::TimeDelta::minutes(30),
            )[0]
            .clone()
        };
        let health = at(5);
        assert_eq!(health.per_minute, 3.0);
        assert_eq!(
            health.newest_post,
            Some(written + chrono::TimeDelta::seconds(29))
        );
        assert_eq!(health.quota.map(|q| q.fraction()), Some(0.25));
        assert_eq!(at(12).per_minute, 0.0, "ten minutes later, none");
    }
}
