//! How long a restart takes to rebuild its figures from the history: a day at a given rate
//! (1,000 mentions a minute by default) of demo posts is written to a fresh store, then a new
//! analysis is rebuilt from it, as `vigie` does at start.
//!
//! `cargo run --release --example history_rebuild -- [MENTIONS_PER_MINUTE] [HOURS]`

use std::path::Path;
use std::time::Instant;

use chrono::{DateTime, TimeDelta, Utc};
use vigie::analysis::{Analyzer, Outcome};
use vigie::config::Config;
use vigie::ingest::demo::{DemoGenerator, Scenario};
use vigie::model::AnalysisEvent;
use vigie::store::{Store, StoreEvent};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let per_minute: i64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1_000);
    let hours: i64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(24);
    let config = Config::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("config.toml"))?;
    let dir = tempfile::tempdir()?;
    let mut store = Store::open(dir.path())?;
    let end: DateTime<Utc> = "2026-11-21T10:00:00Z".parse()?;
    let start = end - TimeDelta::hours(hours);

    // Demo posts, re-dated and re-numbered to the wanted rate.
    let mut analyzer = Analyzer::new(&config.analysis_settings())?;
    let mut generator = DemoGenerator::new(7, Scenario::QuietDay, start, start);
    let total = per_minute * hours * 60;
    let step_ms = 60_000 / per_minute.max(1);
    let began = Instant::now();
    let mut batch = Vec::with_capacity(2_000);
    let mut counted = 0u64;
    for i in 0..total {
        let mut mention = generator.pop();
        mention.id = format!("bench:{i}");
        mention.created_at = start + TimeDelta::milliseconds(i * step_ms);
        mention.reply_to = None;
        let now = mention.created_at;
        if let Outcome::Matched(m) = analyzer.process(mention, now) {
            batch.push(StoreEvent::Analysis(AnalysisEvent::Counted(*m)));
            counted += 1;
        }
        if batch.len() == 2_000 {
            store.write(&batch, analyzer.brands())?;
            batch.clear();
        }
    }
    store.write(&batch, analyzer.brands())?;
    let written = began.elapsed();
    let size = std::fs::metadata(store.path())?.len()
        + std::fs::metadata(store.path().with_extension("sqlite3-wal"))
            .map(|m| m.len())
            .unwrap_or(0);
    println!(
        "wrote {counted} mentions ({hours} h at {per_minute}/min) in {:.1} s: analysis and store \
         together; history {:.0} MB",
        written.as_secs_f64(),
        size as f64 / 1e6
    );

    let began = Instant::now();
    let mut rebuilt = Analyzer::new(&config.analysis_settings())?;
    let stored = store.mentions_between(
        end - rebuilt.history_span(),
        end + TimeDelta::minutes(5),
        rebuilt.brands(),
    )?;
    let read = began.elapsed();
    let restored = stored.iter().filter(|m| rebuilt.restore(m, end)).count();
    let total_time = began.elapsed();
    println!(
        "rebuilt from {restored} mentions in {:.2} s ({:.2} s reading the history, {:.2} s \
         counting), {:.1} µs a mention",
        total_time.as_secs_f64(),
        read.as_secs_f64(),
        (total_time - read).as_secs_f64(),
        total_time.as_secs_f64() * 1e6 / restored.max(1) as f64
    );
    Ok(())
}
