//! The figures of both demo scenarios over a whole day, driven by a hand-moved clock, as JSON
//! Lines: one line of figures per checkpoint (every 20 minutes), then the alert changes. Two
//! builds that compute the same figures write the same files, so a refactoring that must not
//! change behaviour is checked with `diff`:
//!
//! ```text
//! cargo run --release --example demo_figures -- before/
//! # … change the code …
//! cargo run --release --example demo_figures -- after/ && diff -r before after
//! ```

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeDelta, Utc};
use vigie::analysis::Analyzer;
use vigie::config::Config;
use vigie::ingest::demo::{DemoGenerator, Scenario};
use vigie::model::WindowsWanted;

fn main() -> anyhow::Result<()> {
    let out: PathBuf = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("demo-figures"));
    std::fs::create_dir_all(&out)?;
    let config = Config::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("config.toml"))?;
    let incident: DateTime<Utc> = "2026-11-20T10:00:20Z".parse()?;
    for scenario in [Scenario::PosterBacklash, Scenario::QuietDay] {
        let path = out.join(format!("{}.jsonl", scenario.name()));
        let mut file = std::io::BufWriter::new(std::fs::File::create(&path)?);
        play(&config, scenario, incident, &mut file)?;
        file.flush()?;
        println!("{}", path.display());
    }
    Ok(())
}

fn play(
    config: &Config,
    scenario: Scenario,
    incident: DateTime<Utc>,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let from = incident - TimeDelta::hours(12);
    let until = incident + TimeDelta::hours(12);
    let mut analyzer = Analyzer::new(&config.analysis_settings())?;
    analyzer.set_windows(&WindowsWanted::default());
    let mut generator = DemoGenerator::new(42, scenario, from, incident);
    let mut checkpoint = from + TimeDelta::minutes(20);
    let mut counted = 0u64;
    loop {
        let created = generator.peek().created_at;
        while checkpoint <= created.min(until) {
            analyzer.tick_alerts(checkpoint, &[]);
            let figures = analyzer.figures(checkpoint, Vec::new());
            writeln!(out, "{}", serde_json::to_string(&figures)?)?;
            checkpoint += TimeDelta::minutes(20);
        }
        if created > until {
            break;
        }
        let mention = generator.pop();
        let now = mention.created_at;
        analyzer.process(mention, now);
        analyzer.tick_alerts(now, &[]);
        counted += 1;
        for change in analyzer.take_alert_changes() {
            writeln!(out, "{}", serde_json::to_string(&change)?)?;
        }
        for spike in analyzer.take_spike_changes() {
            writeln!(out, "{}", serde_json::to_string(&spike)?)?;
        }
    }
    writeln!(out, "{{\"mentions\":{counted}}}")?;
    Ok(())
}
