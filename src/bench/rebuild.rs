//! `vigie bench rebuild`: how long a wall that restarts takes to rebuild its figures from the
//! history (`[store]`): a day at 1,000 mentions a minute written to a history in a temporary
//! folder, then read back and counted again by a new analysis, timed from opening the file to
//! the last mention restored, as `vigie` does at start.

use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};

use super::{Scratch, input};
use crate::analysis::{Analyzer, Outcome};
use crate::model::{AnalysisEvent, SourceEvent};
use crate::store::{Store, StoreEvent};

/// Mentions written to the history in one transaction, as the writer thread batches them.
const BATCH: usize = 5_000;

#[derive(Debug, Clone)]
pub struct RebuildReport {
    pub hours: u32,
    pub per_minute: u32,
    /// Mentions in the history (the matched ones).
    pub stored: usize,
    /// Mentions counted again by the new analysis.
    pub restored: usize,
    pub written_in: Duration,
    /// Opening the history, reading the window and counting every mention again.
    pub rebuilt_in: Duration,
    pub file_bytes: u64,
}

pub fn run(hours: u32, per_minute: u32) -> anyhow::Result<RebuildReport> {
    anyhow::ensure!(
        hours > 0 && per_minute > 0,
        "--hours and --per-minute above 0"
    );
    let config = input::bench_config()?;
    let count = hours as usize * 60 * per_minute as usize;
    let start: DateTime<Utc> = "2026-11-20T00:00:00Z".parse()?;
    let step = TimeDelta::microseconds(60_000_000 / i64::from(per_minute));
    eprintln!("bench rebuild: analysing and storing {count} mentions…");
    let dir = Scratch::new("rebuild")?;
    let mut store = Store::open(&dir.0)?;
    let mut first = Analyzer::new(&config.analysis_settings())?;
    let began = Instant::now();
    let mut batch = Vec::with_capacity(BATCH);
    let mut stored = 0usize;
    let mut end = start;
    for event in input::events(count, start, step) {
        let SourceEvent::Post(mention) = event else {
            continue;
        };
        end = mention.created_at;
        if let Outcome::Matched(enriched) = first.process(mention, end) {
            batch.push(StoreEvent::Analysis(AnalysisEvent::Counted(*enriched)));
            stored += 1;
        }
        if batch.len() == BATCH {
            store.write(&batch, first.brands())?;
            batch.clear();
        }
    }
    store.write(&batch, first.brands())?;
    let written_in = began.elapsed();
    drop(store);

    eprintln!("bench rebuild: rebuilding from the history…");
    let mut second = Analyzer::new(&config.analysis_settings())?;
    let began = Instant::now();
    let store = Store::open(&dir.0)?;
    let now = end;
    let restored = store.restore_into(&mut second, now)?;
    let (from, to) = crate::store::rebuild_window(&second, now);
    for spike in store.spikes_between(from, to, second.brands())? {
        second.adopt_spike(spike);
    }
    let rebuilt_in = began.elapsed();
    let file_bytes = std::fs::metadata(store.path()).map_or(0, |m| m.len());
    Ok(RebuildReport {
        hours,
        per_minute,
        stored,
        restored,
        written_in,
        rebuilt_in,
        file_bytes,
    })
}

pub fn print(report: &RebuildReport) {
    println!(
        "history: {} h at {} mentions/min: {} mentions stored ({:.0} MB), written in {:.1} s",
        report.hours,
        report.per_minute,
        report.stored,
        report.file_bytes as f64 / 1e6,
        report.written_in.as_secs_f64()
    );
    println!(
        "rebuild: {} mentions counted again in {:.2} s ({:.0} mentions/s), from opening the \
         history to the last one",
        report.restored,
        report.rebuilt_in.as_secs_f64(),
        report.restored as f64 / report.rebuilt_in.as_secs_f64().max(1e-9)
    );
}
