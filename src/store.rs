//! The history, in SQLite (`data_dir/vigie.sqlite3`, WAL): every mention the analysis counted
//! (as it counted it: brands, sentiment, tone, language), every alert, and each brand's
//! per-minute figures. A wall that restarts rebuilds its figures from it before its first
//! frame; `vigie export` reads it for analysts.
//!
//! Writing happens on a thread of its own, fed by a bounded channel that the analysis never
//! waits on: a slow or full disk is logged and counted, and the wall goes on. Events are
//! written in batches, one transaction each (at most `BATCH` events or `BATCH_WAIT`), so a
//! crash loses at most the batch being written. Brands are stored by name, so a config that
//! reorders or renames its brands keeps the history of the others.
//!
//! Schema (`PRAGMA user_version` 1), documented in the README:
//! - `mentions(id PRIMARY KEY, created_at ms, platform, author_handle, author_name,
//!   author_reach, text, lang, url, likes, shares, replies, reply_to, brands JSON array of names,
//!   sentiment, tone, stored_at ms, avatar, picture, picture_sensitive, rating)`: the last
//!   four added to a history from before them at its first open
//! - `alerts(rule, id, severity, brand, summary, started_at ms, updated_at ms, ended_at ms,
//!   body JSON of the whole alert; PRIMARY KEY (rule, started_at))`
//! - `minutes(minute unix minutes, brand name, negative, neutral, positive, engagement;
//!   PRIMARY KEY (minute, brand))`
//! - `audit(at ms, user, address, action, target, detail)`: every action taken from the
//!   control page, kept whatever the retention (a room's decisions are answered for)
//! - `room(key PRIMARY KEY, body JSON, updated_at ms)`: the room's decisions in force (pins,
//!   hidden posts, blocked authors, alerts taken in hand, the banner), read back at a restart

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{DateTime, TimeDelta, Utc};
use crossbeam_channel::{Receiver, RecvTimeoutError};
use rusqlite::{Connection, OptionalExtension, params};

use crate::alerts::AlertChange;
use crate::model::{
    AnalysisEvent, Author, BrandInfo, Engagement, EnrichedMention, Mention, Picture, Platform,
    Spike, Tone,
};

pub const FILE_NAME: &str = "vigie.sqlite3";
/// 2: spikes kept, so that a restarted wall shows the ones it had raised.
const SCHEMA_VERSION: i64 = 2;
/// Events written in one transaction at most.
const BATCH: usize = 2_000;
/// How long an event may wait for its batch.
const BATCH_WAIT: Duration = Duration::from_millis(200);
/// How often old history is removed.
const RETENTION_EVERY: Duration = Duration::from_secs(3600);
/// How often the free space of the history's disk is looked at.
const DISK_EVERY: Duration = Duration::from_secs(60);

/// How the history is doing, shared by its writer, the analysis (which shows it on the wall)
/// and the app.
#[derive(Debug, Default)]
pub struct HistoryHealth {
    lost: AtomicU64,
    problem: std::sync::Mutex<Option<String>>,
    low_space: std::sync::Mutex<Option<String>>,
}

impl HistoryHealth {
    /// Counts `n` events the history did not store; the total.
    pub fn lose(&self, n: u64) -> u64 {
        self.lost.fetch_add(n, Ordering::Relaxed) + n
    }

    pub fn lost(&self) -> u64 {
        self.lost.load(Ordering::Relaxed)
    }

    /// What is wrong with the history now (`None`: nothing).
    pub fn set_problem(&self, problem: Option<String>) {
        if let Ok(mut current) = self.problem.lock() {
            *current = problem;
        }
    }

    /// What is wrong with the history now: a failed write, else a disk nearly full.
    pub fn problem(&self) -> Option<String> {
        let failed = self.problem.lock().ok().and_then(|p| p.clone());
        failed.or_else(|| self.low_space.lock().ok().and_then(|p| p.clone()))
    }

    /// The disk's warning (`None`: enough room); logged when it comes and when it goes.
    pub fn set_low_space(&self, warning: Option<String>) {
        if let Ok(mut current) = self.low_space.lock() {
            match (&*current, &warning) {
                (None, Some(now)) => tracing::warn!("{now}"),
                (Some(_), None) => tracing::info!("the history's disk has room again"),
                _ => {}
            }
            *current = warning;
        }
    }
}

/// What the store thread writes.
#[derive(Debug, Clone)]
pub enum StoreEvent {
    Analysis(AnalysisEvent),
    Alert(AlertChange),
    /// A spike raised, or grown since it was last sent.
    Spike(Spike),
    /// A sender waits for the events before this one: committed with them (`crate::ack`).
    Ack(crate::ack::Ack),
    /// A source resumes from here after a restart: committed with the posts before it.
    Checkpoint(crate::model::Checkpoint),
}

/// An open history file.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// What a restart reads back for `analyzer` at `now`: as far back as its figures reach, and
/// the few minutes ahead a clock may be.
pub fn rebuild_window(
    analyzer: &crate::analysis::Analyzer,
    now: DateTime<Utc>,
) -> (DateTime<Utc>, DateTime<Utc>) {
    (
        now - analyzer.history_span(),
        now + chrono::TimeDelta::minutes(5),
    )
}

/// Mentions read from the history in one batch at a restart, and batches read ahead of the
/// counting.
const RESTORE_BATCH: usize = 1024;
const RESTORE_BATCHES: usize = 8;

fn millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

fn from_millis(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

fn tone_name(tone: Tone) -> &'static str {
    match tone {
        Tone::Negative => "negative",
        Tone::Neutral => "neutral",
        Tone::Positive => "positive",
    }
}

fn tone_of(name: &str) -> Tone {
    match name {
        "negative" => Tone::Negative,
        "positive" => Tone::Positive,
        _ => Tone::Neutral,
    }
}

impl Store {
    /// Opens (creating) the history in `dir`.
    pub fn open(dir: &Path) -> anyhow::Result<Store> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the data folder {}", dir.display()))?;
        let path = dir.join(FILE_NAME);
        let conn = Connection::open(&path)
            .with_context(|| format!("cannot open the history {}", path.display()))?;
        let store = Store { conn, path };
        store
            .prepare()
            .with_context(|| format!("cannot prepare the history {}", store.path.display()))?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn prepare(&self) -> rusqlite::Result<()> {
        // WAL: readers (an export) never block the writer; FULL sync: a committed batch
        // survives a power cut, so what the webhook acknowledged is on disk (group commit
        // keeps the rate: one sync a batch, not one a post).
        self.conn.pragma_update(None, "journal_mode", "WAL")?;
        self.conn.pragma_update(None, "synchronous", "FULL")?;
        self.conn.busy_timeout(Duration::from_secs(5))?;
        let version: i64 = self
            .conn
            .pragma_query_value(None, "user_version", |row| row.get(0))?;
        if version < SCHEMA_VERSION {
            self.conn.execute_batch(
                "CREATE TABLE IF NOT EXISTS mentions (
                    id TEXT PRIMARY KEY,
                    created_at INTEGER NOT NULL,
                    platform TEXT NOT NULL,
                    author_handle TEXT NOT NULL,
                    author_name TEXT NOT NULL,
                    author_reach INTEGER NOT NULL,
                    text TEXT NOT NULL,
                    lang TEXT NOT NULL,
                    url TEXT,
                    likes INTEGER NOT NULL,
                    shares INTEGER NOT NULL,
                    replies INTEGER NOT NULL,
                    reply_to TEXT,
                    brands TEXT NOT NULL,
                    sentiment REAL NOT NULL,
                    tone TEXT NOT NULL,
                    stored_at INTEGER NOT NULL
                );
                CREATE INDEX IF NOT EXISTS mentions_by_time ON mentions(created_at);
                CREATE TABLE IF NOT EXISTS alerts (
                    rule TEXT NOT NULL,
                    id INTEGER NOT NULL,
                    severity TEXT NOT NULL,
                    brand TEXT,
                    summary TEXT NOT NULL,
                    started_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    ended_at INTEGER,
                    body TEXT NOT NULL,
                    PRIMARY KEY (rule, started_at)
                );
                CREATE TABLE IF NOT EXISTS minutes (
                    minute INTEGER NOT NULL,
                    brand TEXT NOT NULL,
                    negative INTEGER NOT NULL,
                    neutral INTEGER NOT NULL,
                    positive INTEGER NOT NULL,
                    engagement INTEGER NOT NULL,
                    PRIMARY KEY (minute, brand)
                );
                CREATE TABLE IF NOT EXISTS spikes (
                    brand TEXT NOT NULL,
                    minute INTEGER NOT NULL,
                    count INTEGER NOT NULL,
                    baseline REAL NOT NULL,
                    score REAL NOT NULL,
                    detected_at INTEGER NOT NULL,
                    PRIMARY KEY (brand, minute)
                );",
            )?;
            self.conn
                .pragma_update(None, "user_version", SCHEMA_VERSION)?;
        }
        // For `last_stored`, and the sources' resume points; made once on a history from
        // before they existed.
        self.conn.execute_batch(
            "CREATE INDEX IF NOT EXISTS mentions_by_stored_at ON mentions(stored_at);
             CREATE TABLE IF NOT EXISTS checkpoints (
                 source TEXT PRIMARY KEY,
                 cursor TEXT NOT NULL,
                 stored_at INTEGER NOT NULL
             );
             CREATE TABLE IF NOT EXISTS audit (
                 at INTEGER NOT NULL,
                 user TEXT NOT NULL,
                 address TEXT NOT NULL,
                 action TEXT NOT NULL,
                 target TEXT NOT NULL,
                 detail TEXT NOT NULL
             );
             CREATE INDEX IF NOT EXISTS audit_by_time ON audit(at);
             CREATE TABLE IF NOT EXISTS room (
                 key TEXT PRIMARY KEY,
                 body TEXT NOT NULL,
                 updated_at INTEGER NOT NULL
             );",
        )?;
        self.add_picture_columns()
    }

    /// The avatar, picture and star rating of each post: columns added to a history written
    /// before sources gave them, its rows left without.
    fn add_picture_columns(&self) -> rusqlite::Result<()> {
        let mut has_rating = false;
        self.conn.pragma(None, "table_info", "mentions", |row| {
            has_rating |= row.get::<_, String>(1)? == "rating";
            Ok(())
        })?;
        if !has_rating {
            self.conn.execute_batch(
                "ALTER TABLE mentions ADD COLUMN avatar TEXT;
                 ALTER TABLE mentions ADD COLUMN picture TEXT;
                 ALTER TABLE mentions ADD COLUMN picture_sensitive INTEGER NOT NULL DEFAULT 0;
                 ALTER TABLE mentions ADD COLUMN rating INTEGER;",
            )?;
        }
        Ok(())
    }

    /// Writes a batch of events in one transaction.
    pub fn write(&mut self, events: &[StoreEvent], brands: &[BrandInfo]) -> rusqlite::Result<()> {
        let tx = self.conn.transaction()?;
        for event in events {
            match event {
                StoreEvent::Analysis(AnalysisEvent::Counted(m)) => {
                    if insert_mention(&tx, m, brands)? {
                        add_minutes(&tx, m, brands, 1)?;
                    }
                }
                StoreEvent::Analysis(AnalysisEvent::Edited(m)) => {
                    if let Some(before) = read_mention(&tx, &m.mention.id, brands)? {
                        add_minutes(&tx, &before, brands, -1)?;
                    }
                    tx.prepare_cached("DELETE FROM mentions WHERE id = ?1")?
                        .execute([&m.mention.id])?;
                    insert_mention(&tx, m, brands)?;
                    add_minutes(&tx, m, brands, 1)?;
                }
                StoreEvent::Analysis(AnalysisEvent::Retracted { id }) => {
                    if let Some(before) = read_mention(&tx, id, brands)? {
                        add_minutes(&tx, &before, brands, -1)?;
                    }
                    tx.prepare_cached("DELETE FROM mentions WHERE id = ?1")?
                        .execute([id])?;
                }
                StoreEvent::Spike(spike) => {
                    let Some(brand) = brands.get(spike.brand) else {
                        continue;
                    };
                    tx.prepare_cached(
                        "INSERT INTO spikes (brand, minute, count, baseline, score, detected_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                         ON CONFLICT (brand, minute) DO UPDATE SET
                             count = excluded.count, baseline = excluded.baseline,
                             score = excluded.score, detected_at = excluded.detected_at",
                    )?
                    .execute(params![
                        brand.name,
                        millis(spike.minute),
                        spike.count,
                        f64::from(spike.baseline),
                        f64::from(spike.score),
                        millis(spike.detected_at),
                    ])?;
                }
                StoreEvent::Ack(_) => {}
                StoreEvent::Checkpoint(checkpoint) => {
                    tx.prepare_cached(
                        "INSERT INTO checkpoints (source, cursor, stored_at) VALUES (?1, ?2, ?3)
                         ON CONFLICT (source) DO UPDATE SET
                             cursor = excluded.cursor, stored_at = excluded.stored_at",
                    )?
                    .execute(params![
                        checkpoint.source,
                        checkpoint.cursor,
                        millis(Utc::now())
                    ])?;
                }
                StoreEvent::Alert(change) => {
                    let alert = change.alert();
                    let body = serde_json::to_string(alert).unwrap_or_default();
                    let severity = serde_json::to_value(alert.severity)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default();
                    tx.prepare_cached(
                        "INSERT INTO alerts (rule, id, severity, brand, summary, started_at,
                                             updated_at, ended_at, body)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                         ON CONFLICT (rule, started_at) DO UPDATE SET
                             severity = excluded.severity, summary = excluded.summary,
                             updated_at = excluded.updated_at, ended_at = excluded.ended_at,
                             body = excluded.body",
                    )?
                    .execute(params![
                        alert.rule,
                        alert.id as i64,
                        severity,
                        alert.brand,
                        alert.summary,
                        millis(alert.started_at),
                        millis(alert.updated_at),
                        alert.ended_at.map(millis),
                        body,
                    ])?;
                }
            }
        }
        tx.commit()
    }

    /// Removes what is older than `keep` before `now`; the rows removed.
    pub fn apply_retention(
        &mut self,
        now: DateTime<Utc>,
        keep: TimeDelta,
    ) -> rusqlite::Result<usize> {
        let cutoff = millis(now - keep);
        let mut removed = self
            .conn
            .execute("DELETE FROM mentions WHERE created_at < ?1", [cutoff])?;
        removed += self.conn.execute(
            "DELETE FROM alerts WHERE ended_at IS NOT NULL AND ended_at < ?1",
            [cutoff],
        )?;
        removed += self
            .conn
            .execute("DELETE FROM minutes WHERE minute < ?1", [cutoff / 60_000])?;
        removed += self
            .conn
            .execute("DELETE FROM spikes WHERE minute < ?1", [cutoff])?;
        Ok(removed)
    }

    /// The stored mentions created in `[from, to)`, oldest first, with their brands mapped to
    /// the indices of `brands` (a brand no longer in the config is left out, and a mention of
    /// no remaining brand too).
    pub fn mentions_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        brands: &[BrandInfo],
    ) -> rusqlite::Result<Vec<EnrichedMention>> {
        let mut out = Vec::new();
        self.for_each_mention(from, to, |stored| out.extend(stored.enriched(brands)))?;
        Ok(out)
    }

    /// Calls `f` with each mention created in `[from, to)`, oldest first (the same instant:
    /// by id), read as it goes; the mentions read.
    pub fn for_each_mention(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        f: impl FnMut(StoredMention),
    ) -> rusqlite::Result<u64> {
        self.mentions_in_order(from, to, "created_at, id", f)
    }

    /// `for_each_mention` in `order`: `created_at` alone follows the time index, so the first
    /// mention comes at once; with `id` too, SQLite sorts the whole window first.
    fn mentions_in_order(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        order: &str,
        mut f: impl FnMut(StoredMention),
    ) -> rusqlite::Result<u64> {
        let mut statement = self.conn.prepare(&format!(
            "SELECT {MENTION_COLUMNS} FROM mentions
             WHERE created_at >= ?1 AND created_at < ?2 ORDER BY {order}"
        ))?;
        let mut rows = statement.query([millis(from), millis(to)])?;
        let mut read = 0;
        while let Some(row) = rows.next()? {
            f(stored_row(row)?);
            read += 1;
        }
        Ok(read)
    }

    /// Counts again every mention of the analyzer's window, as a restarted wall does at start;
    /// the mentions counted. The file is read on a thread of its own, over a second read-only
    /// connection, while this one counts: reading and counting each take about half of a
    /// rebuild, and a day's mentions held in memory at once were a gigabyte, so they go by in
    /// batches.
    pub fn restore_into(
        &self,
        analyzer: &mut crate::analysis::Analyzer,
        now: DateTime<Utc>,
    ) -> anyhow::Result<usize> {
        let (from, to) = rebuild_window(analyzer, now);
        let brands = analyzer.brands().to_vec();
        let reader = Connection::open_with_flags(
            &self.path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .with_context(|| format!("cannot read the history {}", self.path.display()))?;
        let (batches, received) = crossbeam_channel::bounded::<Vec<StoredMention>>(RESTORE_BATCHES);
        std::thread::scope(|scope| {
            let reading = scope.spawn(move || -> rusqlite::Result<()> {
                let reader = Store {
                    conn: reader,
                    path: PathBuf::new(),
                };
                let mut batch = Vec::with_capacity(RESTORE_BATCH);
                // In the time index's order: the figures are sums, which no order of
                // mentions of the same instant changes, and the counting starts at once.
                reader.mentions_in_order(from, to, "created_at", |stored| {
                    batch.push(stored);
                    if batch.len() == RESTORE_BATCH {
                        // The counting side stopped: nothing more to read for it.
                        let full = std::mem::replace(&mut batch, Vec::with_capacity(RESTORE_BATCH));
                        let _ = batches.send(full);
                    }
                })?;
                let _ = batches.send(batch);
                Ok(())
            });
            let mut restored = 0;
            for batch in received {
                for stored in batch {
                    if let Some(mention) = stored.enriched(&brands)
                        && analyzer.restore(&mention, now)
                    {
                        restored += 1;
                    }
                }
            }
            match reading.join() {
                Ok(read) => read.map(|()| restored).map_err(anyhow::Error::from),
                Err(_) => Err(anyhow::anyhow!("the history's reading thread panicked")),
            }
        })
    }

    /// Where each source resumes, by its name.
    pub fn checkpoints(&self) -> rusqlite::Result<std::collections::HashMap<String, String>> {
        let mut statement = self
            .conn
            .prepare("SELECT source, cursor FROM checkpoints")?;
        let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        rows.collect()
    }

    /// The mentions stored in the last `span` before the latest one was (the writer's clock),
    /// in the order they were stored: what a hub killed -9 may have committed without
    /// publishing, published again at its next start (NATS drops the copies by message id).
    pub fn last_stored(
        &self,
        span: Duration,
        brands: &[BrandInfo],
    ) -> rusqlite::Result<Vec<EnrichedMention>> {
        let mut statement = self.conn.prepare(&format!(
            "SELECT {MENTION_COLUMNS} FROM mentions
             WHERE stored_at >= (SELECT MAX(stored_at) FROM mentions) - ?1
             ORDER BY stored_at, id"
        ))?;
        let mut rows = statement.query([span.as_millis() as i64])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.extend(stored_row(row)?.enriched(brands));
        }
        Ok(out)
    }

    /// The stored spikes of minutes in `[from, to)`, oldest first, with their brands mapped
    /// to the indices of `brands` (a brand no longer in the config is left out).
    pub fn spikes_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        brands: &[BrandInfo],
    ) -> rusqlite::Result<Vec<Spike>> {
        let mut statement = self.conn.prepare(
            "SELECT brand, minute, count, baseline, score, detected_at FROM spikes
             WHERE minute >= ?1 AND minute < ?2 ORDER BY minute, brand",
        )?;
        let rows = statement.query_map([millis(from), millis(to)], |row| {
            let brand: String = row.get(0)?;
            Ok((
                brand,
                row.get::<_, i64>(1)?,
                row.get::<_, u32>(2)?,
                row.get::<_, f64>(3)?,
                row.get::<_, f64>(4)?,
                row.get::<_, i64>(5)?,
            ))
        })?;
        let mut spikes = Vec::new();
        for row in rows {
            let (name, minute, count, baseline, score, detected_at) = row?;
            let Some(brand) = brands.iter().position(|b| b.name == name) else {
                continue;
            };
            let (Some(minute), Some(detected_at)) = (
                DateTime::from_timestamp_millis(minute),
                DateTime::from_timestamp_millis(detected_at),
            ) else {
                continue;
            };
            spikes.push(Spike {
                brand,
                minute,
                count,
                baseline: baseline as f32,
                score: score as f32,
                detected_at,
            });
        }
        Ok(spikes)
    }

    /// Per brand name, the stored minutes `[from, to)` as (minute, negative, neutral,
    /// positive, engagement), oldest first.
    pub fn minutes_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> rusqlite::Result<Vec<(String, i64, u32, u32, u32, u64)>> {
        let mut statement = self.conn.prepare(
            "SELECT brand, minute, negative, neutral, positive, engagement FROM minutes
             WHERE minute >= ?1 AND minute < ?2 ORDER BY minute, brand",
        )?;
        let rows = statement.query_map(
            [
                from.timestamp().div_euclid(60),
                to.timestamp().div_euclid(60),
            ],
            |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                    row.get::<_, i64>(5)?.max(0) as u64,
                ))
            },
        )?;
        rows.collect()
    }

    /// The alerts started in `[from, to)`, oldest first, as stored (JSON).
    pub fn alerts_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> rusqlite::Result<Vec<serde_json::Value>> {
        let mut statement = self.conn.prepare(
            "SELECT body FROM alerts WHERE started_at >= ?1 AND started_at < ?2
             ORDER BY started_at, rule",
        )?;
        let rows =
            statement.query_map([millis(from), millis(to)], |row| row.get::<_, String>(0))?;
        let mut out = Vec::new();
        for body in rows {
            if let Ok(value) = serde_json::from_str(&body?) {
                out.push(value);
            }
        }
        Ok(out)
    }
}

/// One action taken from the control page, as the `audit` table keeps it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    pub user: String,
    /// The address the request came from.
    pub from: String,
    pub action: String,
    /// What it acted on: a post id, an author, an alert id, a layout; empty for a login.
    pub target: String,
    /// What it said beside: a resolution's note, a banner's text, a pin's minutes.
    #[serde(default)]
    pub detail: String,
}

/// The row of the `room` table that holds the room's decisions.
const ROOM_KEY: &str = "decisions";

impl Store {
    /// Writes `entry` to the audit table and, when given, the room's decisions as they stand
    /// after it, in one transaction: the two never disagree after a crash.
    pub fn record_action(
        &mut self,
        entry: &AuditEntry,
        room: Option<&str>,
    ) -> rusqlite::Result<()> {
        let tx = self.conn.transaction()?;
        tx.prepare_cached(
            "INSERT INTO audit (at, user, address, action, target, detail)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![
            millis(entry.at),
            entry.user,
            entry.from,
            entry.action,
            entry.target,
            entry.detail
        ])?;
        if let Some(body) = room {
            tx.prepare_cached(
                "INSERT INTO room (key, body, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (key) DO UPDATE SET
                     body = excluded.body, updated_at = excluded.updated_at",
            )?
            .execute(params![ROOM_KEY, body, millis(entry.at)])?;
        }
        tx.commit()
    }

    /// The room's decisions as last written (JSON), if any were.
    pub fn room_decisions(&self) -> rusqlite::Result<Option<String>> {
        self.conn
            .query_row("SELECT body FROM room WHERE key = ?1", [ROOM_KEY], |row| {
                row.get(0)
            })
            .optional()
    }

    /// The actions taken in `[from, to)`, oldest first.
    pub fn audit_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> rusqlite::Result<Vec<AuditEntry>> {
        let mut statement = self.conn.prepare(
            "SELECT at, user, address, action, target, detail FROM audit
             WHERE at >= ?1 AND at < ?2 ORDER BY at, rowid",
        )?;
        let rows = statement.query_map([millis(from), millis(to)], audit_row)?;
        rows.collect()
    }

    /// The `count` latest actions, newest first.
    pub fn latest_audit(&self, count: usize) -> rusqlite::Result<Vec<AuditEntry>> {
        let mut statement = self.conn.prepare(
            "SELECT at, user, address, action, target, detail FROM audit
             ORDER BY at DESC, rowid DESC LIMIT ?1",
        )?;
        let rows = statement.query_map([count as i64], audit_row)?;
        rows.collect()
    }
}

fn audit_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        at: from_millis(row.get(0)?),
        user: row.get(1)?,
        from: row.get(2)?,
        action: row.get(3)?,
        target: row.get(4)?,
        detail: row.get(5)?,
    })
}

const MENTION_COLUMNS: &str = "id, created_at, platform, author_handle, author_name, author_reach, \
    text, lang, url, likes, shares, replies, reply_to, brands, sentiment, tone, avatar, picture, \
    picture_sensitive, rating";

/// A stored mention with its brands by name, as `vigie export` writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredMention {
    pub mention: Mention,
    pub brands: Vec<String>,
    pub sentiment: f32,
    pub tone: Tone,
    /// The language the analysis read it in (`fr`, `en`, or empty).
    pub lang: String,
}

impl StoredMention {
    /// As the analysis counted it, with brands as indices into `brands` (the config's now); a
    /// brand no longer in the config is left out, and `None` when no brand is left.
    pub fn enriched(self, brands: &[BrandInfo]) -> Option<EnrichedMention> {
        let indices: Vec<usize> = self
            .brands
            .iter()
            .filter_map(|name| brands.iter().position(|b| &b.name == name))
            .collect();
        (!indices.is_empty()).then_some(EnrichedMention {
            mention: self.mention,
            brands: indices,
            sentiment: self.sentiment,
            tone: self.tone,
            lang: self.lang.into(),
        })
    }
}

fn stored_row(row: &rusqlite::Row) -> rusqlite::Result<StoredMention> {
    let names: String = row.get(13)?;
    let lang: String = row.get(7)?;
    let platform: String = row.get(2)?;
    let tone: String = row.get(15)?;
    let count = |i: usize| -> rusqlite::Result<u64> { Ok(row.get::<_, i64>(i)?.max(0) as u64) };
    Ok(StoredMention {
        mention: Mention {
            id: row.get(0)?,
            platform: Platform::from_name(&platform).unwrap_or(Platform::Other),
            author: Author {
                handle: row.get(3)?,
                display_name: row.get(4)?,
                reach: count(5)?,
                avatar: row.get(16)?,
            },
            text: row.get(6)?,
            lang: (!lang.is_empty()).then(|| lang.clone()),
            created_at: from_millis(row.get(1)?),
            url: row.get(8)?,
            engagement: Engagement {
                likes: count(9)?,
                shares: count(10)?,
                replies: count(11)?,
            },
            reply_to: row.get(12)?,
            picture: row.get::<_, Option<String>>(17)?.map(|url| Picture {
                url,
                sensitive: row.get::<_, i64>(18).unwrap_or(0) != 0,
            }),
            rating: row
                .get::<_, Option<i64>>(19)?
                .and_then(|stars| u8::try_from(stars).ok()),
        },
        brands: serde_json::from_str(&names).unwrap_or_default(),
        sentiment: row.get::<_, f64>(14)? as f32,
        tone: tone_of(&tone),
        lang,
    })
}

fn mention_row(
    row: &rusqlite::Row,
    brands: &[BrandInfo],
) -> rusqlite::Result<Option<EnrichedMention>> {
    Ok(stored_row(row)?.enriched(brands))
}

fn brand_names(m: &EnrichedMention, brands: &[BrandInfo]) -> Vec<String> {
    m.brands
        .iter()
        .filter_map(|&b| brands.get(b).map(|info| info.name.clone()))
        .collect()
}

/// Inserts a mention; false when it was already stored (a replayed batch after a crash).
fn insert_mention(
    tx: &rusqlite::Transaction,
    m: &EnrichedMention,
    brands: &[BrandInfo],
) -> rusqlite::Result<bool> {
    let names = serde_json::to_string(&brand_names(m, brands)).unwrap_or_else(|_| "[]".into());
    let mention = &m.mention;
    let inserted = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO mentions (id, created_at, platform, author_handle, author_name,
             author_reach, text, lang, url, likes, shares, replies, reply_to, brands, sentiment,
             tone, stored_at, avatar, picture, picture_sensitive, rating)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
                 ?19, ?20, ?21)",
        )?
        .execute(params![
            mention.id,
            millis(mention.created_at),
            mention.platform.name(),
            mention.author.handle,
            mention.author.display_name,
            mention.author.reach as i64,
            mention.text,
            m.lang,
            mention.url,
            mention.engagement.likes as i64,
            mention.engagement.shares as i64,
            mention.engagement.replies as i64,
            mention.reply_to,
            names,
            f64::from(m.sentiment),
            tone_name(m.tone),
            millis(Utc::now()),
            mention.author.avatar,
            mention.picture.as_ref().map(|p| &p.url),
            mention.picture.as_ref().is_some_and(|p| p.sensitive),
            mention.rating,
        ])?;
    Ok(inserted == 1)
}

fn read_mention(
    tx: &rusqlite::Transaction,
    id: &str,
    brands: &[BrandInfo],
) -> rusqlite::Result<Option<EnrichedMention>> {
    tx.query_row(
        &format!("SELECT {MENTION_COLUMNS} FROM mentions WHERE id = ?1"),
        [id],
        |row| mention_row(row, brands),
    )
    .optional()
    .map(Option::flatten)
}

/// Adds (`sign` 1) or takes back (-1) a mention's part of its minute, per brand.
fn add_minutes(
    tx: &rusqlite::Transaction,
    m: &EnrichedMention,
    brands: &[BrandInfo],
    sign: i64,
) -> rusqlite::Result<()> {
    let minute = m.mention.created_at.timestamp().div_euclid(60);
    let (negative, neutral, positive) = match m.tone {
        Tone::Negative => (sign, 0, 0),
        Tone::Neutral => (0, sign, 0),
        Tone::Positive => (0, 0, sign),
    };
    let engagement = sign * m.mention.engagement.total() as i64;
    for name in brand_names(m, brands) {
        tx.prepare_cached(
            "INSERT INTO minutes (minute, brand, negative, neutral, positive, engagement)
             VALUES (?1, ?2, max(?3, 0), max(?4, 0), max(?5, 0), max(?6, 0))
             ON CONFLICT (minute, brand) DO UPDATE SET
                 negative = max(negative + ?3, 0), neutral = max(neutral + ?4, 0),
                 positive = max(positive + ?5, 0), engagement = max(engagement + ?6, 0)",
        )?
        .execute(params![
            minute, name, negative, neutral, positive, engagement
        ])?;
    }
    Ok(())
}

/// The store's writer thread.
pub struct StoreWriter {
    thread: JoinHandle<u64>,
}

impl StoreWriter {
    /// Writes what `rx` receives into `store` until every sender is gone. `clock` gives event
    /// time for the retention.
    /// `health` counts the events a failed write could not store and says why (on the wall).
    /// Acknowledgements are committed with their batch; each batch, once written, goes on to
    /// `bus` (a hub's publisher), so that what displays see is what the history holds.
    pub fn start(
        mut store: Store,
        rx: Receiver<StoreEvent>,
        brands: Vec<BrandInfo>,
        retention: TimeDelta,
        now: impl Fn() -> DateTime<Utc> + Send + 'static,
        health: Arc<HistoryHealth>,
        bus: Option<crate::bus::BusLink>,
        min_free_mb: u64,
    ) -> anyhow::Result<StoreWriter> {
        let folder = store
            .path()
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let thread = std::thread::Builder::new()
            .name("vigie-store".into())
            .spawn(move || {
                let mut written = 0u64;
                let mut next_retention = Instant::now();
                let mut next_disk_look = Instant::now();
                let mut batch = Vec::with_capacity(BATCH);
                loop {
                    let open = fill_batch(&rx, &mut batch);
                    if !batch.is_empty() {
                        let batch_len = batch.len();
                        let outcome = store.write(&batch, &brands);
                        let durable = outcome.is_ok();
                        for event in batch.drain(..) {
                            match event {
                                // Dropped on a failed write: the sender hears "not taken".
                                StoreEvent::Ack(ack) if durable => ack.commit(),
                                StoreEvent::Ack(_) | StoreEvent::Checkpoint(_) => {}
                                // Published even when the disk failed: the displays go on.
                                event => {
                                    written += u64::from(durable);
                                    if let Some(bus) = &bus {
                                        bus.send(event);
                                    }
                                }
                            }
                        }
                        match outcome {
                            Ok(()) => health.set_problem(None),
                            Err(error) => {
                                let lost = health.lose(batch_len as u64);
                                health.set_problem(Some(error.to_string()));
                                tracing::error!(
                                    file = %store.path().display(),
                                    %error,
                                    lost,
                                    "cannot write the history: these events are not stored"
                                );
                            }
                        }
                    }
                    if min_free_mb > 0 && Instant::now() >= next_disk_look {
                        next_disk_look = Instant::now() + DISK_EVERY;
                        health.set_low_space(crate::disk::low_space_warning(&folder, min_free_mb));
                    }
                    if Instant::now() >= next_retention {
                        next_retention = Instant::now() + RETENTION_EVERY;
                        match store.apply_retention(now(), retention) {
                            Ok(0) => {}
                            Ok(removed) => tracing::info!(removed, "old history removed"),
                            Err(error) => tracing::warn!(%error, "cannot remove old history"),
                        }
                    }
                    if !open {
                        return written;
                    }
                }
            })
            .context("cannot start the store thread")?;
        Ok(StoreWriter { thread })
    }

    /// Waits for the writer to drain (its senders must be dropped first); the events written.
    pub fn finish(self) -> u64 {
        self.thread.join().unwrap_or(0)
    }
}

/// Waits for a first event, then takes what comes within `BATCH_WAIT`, up to `BATCH`. A
/// sender waiting for an acknowledgement does not wait out `BATCH_WAIT`: what is already
/// queued is written at once (group commit: what arrives meanwhile makes the next batch).
/// False once every sender is gone and nothing is left.
fn fill_batch(rx: &Receiver<StoreEvent>, batch: &mut Vec<StoreEvent>) -> bool {
    match rx.recv() {
        Ok(first) => batch.push(first),
        Err(_) => return false,
    }
    batch.extend(rx.try_iter().take(BATCH.saturating_sub(batch.len())));
    if batch.iter().any(|e| matches!(e, StoreEvent::Ack(_))) {
        return true;
    }
    let deadline = Instant::now() + BATCH_WAIT;
    while batch.len() < BATCH {
        match rx.recv_deadline(deadline) {
            Ok(event) => {
                let acknowledged = matches!(event, StoreEvent::Ack(_));
                batch.push(event);
                if acknowledged {
                    return true;
                }
            }
            Err(RecvTimeoutError::Timeout) => return true,
            Err(RecvTimeoutError::Disconnected) => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brands() -> Vec<BrandInfo> {
        ["Petit Loup", "Mini Mousse"]
            .iter()
            .map(|name| BrandInfo {
                name: name.to_string(),
                own: *name == "Petit Loup",
                color: "#ffffff".into(),
            })
            .collect()
    }

    fn at(minute: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_764_000_000 + minute * 60, 0).unwrap_or_default()
    }

    fn enriched(id: &str, minute: i64, brands: Vec<usize>, tone: Tone) -> EnrichedMention {
        EnrichedMention {
            mention: Mention {
                id: id.into(),
                platform: Platform::Bluesky,
                author: Author {
                    handle: "lea".into(),
                    display_name: "Léa".into(),
                    reach: 120,
                    avatar: (id != "c").then(|| "https://cdn.bsky.app/avatar/lea.jpg".into()),
                },
                text: format!("texte {id} 😀"),
                lang: Some("fr".into()),
                created_at: at(minute),
                url: None,
                engagement: Engagement {
                    likes: 3,
                    shares: 1,
                    replies: 0,
                },
                reply_to: Some("bluesky:parent".into()),
                picture: (id == "b").then(|| Picture {
                    url: format!("https://cdn.bsky.app/img/{id}.jpg"),
                    sensitive: true,
                }),
                rating: (id == "a").then_some(2),
            },
            brands,
            sentiment: -0.5,
            tone,
            lang: "fr".into(),
        }
    }

    fn counted(m: &EnrichedMention) -> StoreEvent {
        StoreEvent::Analysis(AnalysisEvent::Counted(m.clone()))
    }

    #[test]
    fn spikes_are_kept_updated_in_place_and_read_back_for_this_configs_brands() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store = Store::open(dir.path()).expect("store opens");
        let spike = |brand: usize, minute: i64, count: u32| Spike {
            brand,
            minute: at(minute),
            count,
            baseline: 3.5,
            score: 9.25,
            detected_at: at(minute) + TimeDelta::seconds(12),
        };
        store
            .write(
                &[
                    StoreEvent::Spike(spike(0, 10, 20)),
                    StoreEvent::Spike(spike(1, 12, 8)),
                    // The first one grew.
                    StoreEvent::Spike(spike(0, 10, 31)),
                    StoreEvent::Spike(spike(0, 90, 40)),
                ],
                &brands(),
            )
            .expect("written");
        let read = store
            .spikes_between(at(0), at(60), &brands())
            .expect("read");
        assert_eq!(read, vec![spike(0, 10, 31), spike(1, 12, 8)]);
        // A config that lists the brands the other way round, and one without "Mini Mousse".
        let mut theirs = brands();
        theirs.reverse();
        assert_eq!(
            store.spikes_between(at(0), at(60), &theirs).expect("read"),
            vec![spike(1, 10, 31), spike(0, 12, 8)]
        );
        assert_eq!(
            store
                .spikes_between(at(0), at(60), &brands()[..1])
                .expect("read"),
            vec![spike(0, 10, 31)]
        );
        // Old spikes go with the retention.
        store
            .apply_retention(at(60), TimeDelta::minutes(30))
            .expect("retention");
        assert_eq!(
            store
                .spikes_between(at(0), at(100), &brands())
                .expect("read"),
            vec![spike(0, 90, 40)]
        );
    }

    #[test]
    fn a_history_from_before_pictures_opens_keeps_its_posts_and_takes_new_ones_whole() {
        let dir = tempfile::tempdir().expect("temp dir");
        {
            let old = Connection::open(dir.path().join(FILE_NAME)).expect("old file");
            old.execute_batch(
                "CREATE TABLE mentions (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL,
                    platform TEXT NOT NULL, author_handle TEXT NOT NULL,
                    author_name TEXT NOT NULL, author_reach INTEGER NOT NULL, text TEXT NOT NULL,
                    lang TEXT NOT NULL, url TEXT, likes INTEGER NOT NULL,
                    shares INTEGER NOT NULL, replies INTEGER NOT NULL, reply_to TEXT,
                    brands TEXT NOT NULL, sentiment REAL NOT NULL, tone TEXT NOT NULL,
                    stored_at INTEGER NOT NULL);
                 PRAGMA user_version = 1;",
            )
            .expect("old schema");
            old.execute(
                "INSERT INTO mentions VALUES ('old', ?1, 'bluesky', 'lea', 'Léa', 120,
                 'texte old', 'fr', NULL, 3, 1, 0, NULL, '[\"Petit Loup\"]', -0.5,
                 'negative', ?1)",
                [millis(at(1))],
            )
            .expect("old row");
        }
        let mut store = Store::open(dir.path()).expect("an old history opens");
        let brands = brands();
        let b = enriched("b", 2, vec![0], Tone::Negative);
        store.write(&[counted(&b)], &brands).expect("written");
        let back = store
            .mentions_between(at(0), at(10), &brands)
            .expect("read");
        assert_eq!(back.len(), 2);
        assert_eq!(back[0].mention.id, "old");
        assert_eq!(back[0].mention.picture, None);
        assert_eq!(back[0].mention.author.avatar, None);
        assert_eq!(back[1], b, "picture, avatar and rating kept");
        drop(store);
        Store::open(dir.path()).expect("and opens again");
    }

    #[test]
    fn mentions_round_trip_and_the_minutes_follow_edits_and_deletions() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store = Store::open(dir.path()).expect("store opens");
        let brands = brands();
        let a = enriched("a", 0, vec![0, 1], Tone::Negative);
        let b = enriched("b", 0, vec![0], Tone::Negative);
        let c = enriched("c", 5, vec![1], Tone::Positive);
        store
            .write(
                &[counted(&a), counted(&b), counted(&c), counted(&a)],
                &brands,
            )
            .expect("written");
        let back = store
            .mentions_between(at(0), at(10), &brands)
            .expect("read");
        assert_eq!(back, vec![a.clone(), b.clone(), c.clone()], "a stored once");
        let minutes = store.minutes_between(at(0), at(10)).expect("minutes");
        let first = at(0).timestamp() / 60;
        assert_eq!(
            minutes,
            vec![
                ("Mini Mousse".to_string(), first, 1, 0, 0, 4),
                ("Petit Loup".to_string(), first, 2, 0, 0, 8),
                ("Mini Mousse".to_string(), first + 5, 0, 0, 1, 4),
            ]
        );

        // b edited to positive, a deleted.
        let b_edited = EnrichedMention {
            tone: Tone::Positive,
            ..b.clone()
        };
        store
            .write(
                &[
                    StoreEvent::Analysis(AnalysisEvent::Edited(b_edited.clone())),
                    StoreEvent::Analysis(AnalysisEvent::Retracted { id: "a".into() }),
                ],
                &brands,
            )
            .expect("written");
        let back = store
            .mentions_between(at(0), at(10), &brands)
            .expect("read");
        assert_eq!(back, vec![b_edited, c]);
        let minutes = store.minutes_between(at(0), at(1)).expect("minutes");
        assert_eq!(
            minutes,
            vec![
                ("Mini Mousse".to_string(), first, 0, 0, 0, 0),
                ("Petit Loup".to_string(), first, 0, 0, 1, 4),
            ]
        );
    }

    #[test]
    fn a_brand_gone_from_the_config_keeps_the_others_history() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store = Store::open(dir.path()).expect("store opens");
        let both = enriched("a", 0, vec![0, 1], Tone::Neutral);
        let second_only = enriched("b", 1, vec![1], Tone::Neutral);
        store
            .write(&[counted(&both), counted(&second_only)], &brands())
            .expect("written");
        drop(store);
        // Reopened with Mini Mousse first and Petit Loup gone.
        let store = Store::open(dir.path()).expect("reopens");
        let now_brands = vec![brands()[1].clone()];
        let back = store
            .mentions_between(at(0), at(10), &now_brands)
            .expect("read");
        let kept: Vec<(&str, &[usize])> = back
            .iter()
            .map(|m| (m.mention.id.as_str(), m.brands.as_slice()))
            .collect();
        assert_eq!(kept, vec![("a", &[0][..]), ("b", &[0][..])]);
    }

    #[test]
    fn retention_removes_old_history_only() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store = Store::open(dir.path()).expect("store opens");
        let old = enriched("old", 0, vec![0], Tone::Neutral);
        let recent = enriched("recent", 60 * 24 * 2, vec![0], Tone::Neutral);
        store
            .write(&[counted(&old), counted(&recent)], &brands())
            .expect("written");
        let removed = store
            .apply_retention(at(60 * 24 * 2 + 1), TimeDelta::days(1))
            .expect("retention");
        assert_eq!(removed, 2, "one mention and its minute");
        let back = store
            .mentions_between(at(0), at(60 * 24 * 3), &brands())
            .expect("read");
        assert_eq!(back, vec![recent]);
    }

    /// A writer on a new history in `dir`, and its channel.
    fn start_writer(dir: &Path) -> (crossbeam_channel::Sender<StoreEvent>, StoreWriter) {
        let store = Store::open(dir).expect("store opens");
        let (tx, rx) = crossbeam_channel::bounded(16);
        let writer = StoreWriter::start(
            store,
            rx,
            brands(),
            TimeDelta::days(30),
            || at(0),
            Arc::new(HistoryHealth::default()),
            None,
            0,
        )
        .expect("writer starts");
        (tx, writer)
    }

    #[test]
    fn the_writer_thread_drains_its_channel_before_it_ends() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (tx, writer) = start_writer(dir.path());
        for i in 0..10 {
            tx.send(counted(&enriched(
                &format!("m{i}"),
                i,
                vec![0],
                Tone::Neutral,
            )))
            .expect("send");
        }
        drop(tx);
        assert_eq!(writer.finish(), 10);
        let store = Store::open(dir.path()).expect("reopens");
        assert_eq!(
            store
                .mentions_between(at(0), at(20), &brands())
                .expect("read")
                .len(),
            10
        );
    }

    #[test]
    fn an_acknowledgement_comes_once_its_posts_are_committed_and_not_when_the_write_fails() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (tx, writer) = start_writer(dir.path());
        let (group, ack) = crate::ack::AckGroup::new();
        tx.send(counted(&enriched("acked", 1, vec![0], Tone::Neutral)))
            .expect("send");
        tx.send(StoreEvent::Ack(ack)).expect("send");
        // The answer comes without waiting for the channel to close (group commit).
        assert!(group.durable_blocking());
        let reader = Store::open(dir.path()).expect("a second connection");
        let stored = reader
            .mentions_between(at(0), at(20), &brands())
            .expect("read");
        assert_eq!(stored.len(), 1, "committed before the answer");

        // A batch that cannot be written is not acknowledged.
        reader
            .conn
            .execute_batch("DROP TABLE minutes")
            .expect("break the history");
        let (group, ack) = crate::ack::AckGroup::new();
        tx.send(counted(&enriched("lost", 2, vec![0], Tone::Neutral)))
            .expect("send");
        tx.send(StoreEvent::Ack(ack)).expect("send");
        assert!(!group.durable_blocking());
        drop(tx);
        writer.finish();
    }

    #[test]
    fn the_last_stored_are_the_mentions_written_last_whatever_their_post_time() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store = Store::open(dir.path()).expect("store opens");
        store
            .write(
                &[counted(&enriched("early", 5, vec![0], Tone::Neutral))],
                &brands(),
            )
            .expect("written");
        store
            .conn
            .execute("UPDATE mentions SET stored_at = stored_at - 600000", [])
            .expect("ten minutes earlier");
        // Written last, though posted first.
        store
            .write(
                &[counted(&enriched("late", 1, vec![1], Tone::Neutral))],
                &brands(),
            )
            .expect("written");
        let last = store
            .last_stored(Duration::from_secs(120), &brands())
            .expect("read");
        let ids: Vec<&str> = last.iter().map(|m| m.mention.id.as_str()).collect();
        assert_eq!(ids, vec!["late"]);
        assert!(
            Store::open(tempfile::tempdir().expect("dir").path())
                .expect("empty")
                .last_stored(Duration::from_secs(120), &brands())
                .expect("read")
                .is_empty()
        );
    }

    #[test]
    fn a_sources_resume_point_is_kept_with_its_posts_and_the_latest_wins() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store = Store::open(dir.path()).expect("store opens");
        let checkpoint = |cursor: &str| {
            StoreEvent::Checkpoint(crate::model::Checkpoint {
                source: "bluesky".into(),
                cursor: cursor.into(),
            })
        };
        store
            .write(
                &[
                    counted(&enriched("a", 1, vec![0], Tone::Neutral)),
                    checkpoint("100"),
                ],
                &brands(),
            )
            .expect("written");
        store
            .write(&[checkpoint("200")], &brands())
            .expect("written");
        let reopened = Store::open(dir.path()).expect("reopens");
        let kept = reopened.checkpoints().expect("read");
        assert_eq!(kept.get("bluesky").map(String::as_str), Some("200"));
        assert_eq!(kept.len(), 1);
    }
}
