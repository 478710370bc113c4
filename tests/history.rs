//! The history: a restarted wall shows the figures it had, and a process killed in the middle
//! of its ingest (kill -9, a power cut) leaves a readable history that the next start rebuilds
//! its figures from.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use vigie::analysis::{Analyzer, Outcome};
use vigie::config::Config;
use vigie::ingest::demo::{DemoGenerator, Scenario};
use vigie::layout::Layout;
use vigie::model::{AnalysisEvent, Figures};
use vigie::store::{Store, StoreEvent};

fn config() -> Config {
    Config::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("config.toml"))
        .expect("the shipped config.toml is valid")
}

fn war_room(config: &Config) -> Layout {
    Layout::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("layouts/warroom.toml"),
        config,
    )
    .expect("the war room layout is valid")
}

/// What a restart must give back: everything but the alert list, which the rules raise again
/// from the figures (the spikes come back from the history).
fn comparable(f: &Figures) -> Figures {
    Figures {
        alerts: Vec::new(),
        active_alerts: 0,
        processed: 0,
        duplicates: 0,
        unmatched: 0,
        too_late: 0,
        ..f.clone()
    }
}

#[test]
fn a_restarted_wall_rebuilds_the_figures_it_had_from_the_history() {
    let config = config();
    let windows = vigie::wall::layout::windows_wanted(&war_room(&config));
    let incident: DateTime<Utc> = "2026-11-20T10:00:20Z".parse().expect("valid");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Store::open(dir.path()).expect("store opens");

    // The first run: six hours of the demo day and the first half hour of the crisis.
    let mut first = Analyzer::new(&config.analysis_settings()).expect("analyzer");
    first.set_windows(&windows);
    let mut generator = DemoGenerator::new(
        42,
        Scenario::PosterBacklash,
        incident - TimeDelta::hours(6),
        incident,
    );
    let until = incident + TimeDelta::minutes(30);
    let mut batch = Vec::new();
    while generator.peek().created_at <= until {
        let mention = generator.pop();
        let now = mention.created_at;
        if let Outcome::Matched(m) = first.process(mention, now) {
            batch.push(StoreEvent::Analysis(AnalysisEvent::Counted(*m)));
        }
        if batch.len() == 500 {
            // As the analysis thread does at each tick: the alerts, and the spikes raised or
            // grown since.
            first.tick_alerts(now, &[]);
            batch.extend(
                first
                    .take_alert_changes()
                    .into_iter()
                    .map(StoreEvent::Alert),
            );
            batch.extend(
                first
                    .take_spike_changes()
                    .into_iter()
                    .map(StoreEvent::Spike),
            );
            store.write(&batch, first.brands()).expect("written");
            batch.clear();
        }
    }
    batch.extend(
        first
            .take_spike_changes()
            .into_iter()
            .map(StoreEvent::Spike),
    );
    store.write(&batch, first.brands()).expect("written");
    let before = first.figures(until, Vec::new());
    assert!(!before.spikes.is_empty(), "the crisis raised spikes");

    // The restart: a new analysis, fed only from the history.
    let mut second = Analyzer::new(&config.analysis_settings()).expect("analyzer");
    second.set_windows(&windows);
    let started = Instant::now();
    // As `vigie` does at start: read on a thread of its own, counted as it comes.
    let restored = store
        .restore_into(&mut second, until)
        .expect("history read");
    // And the spikes it had raised, as `vigie` does at start.
    for spike in store
        .spikes_between(
            until - second.history_span(),
            until + TimeDelta::minutes(5),
            second.brands(),
        )
        .expect("spikes read")
    {
        second.adopt_spike(spike);
    }
    // And its alerts, as a one-PC wall does at start.
    let alerts = store
        .alerts_between(until - second.history_span(), until + TimeDelta::minutes(5))
        .expect("alerts read")
        .into_iter()
        .map(|body| serde_json::from_value(body).expect("an alert"))
        .collect();
    second.restore_alerts(alerts, until);
    println!(
        "{restored} mentions restored in {} ms",
        started.elapsed().as_millis()
    );
    assert!(restored > 2_000, "{restored}");
    let after = second.figures(until, Vec::new());
    assert_eq!(comparable(&after), comparable(&before));
    // The alerts came back as they were, and the rules that still hold do not raise them again.
    let active = |f: &Figures| -> Vec<(u64, String, Option<String>)> {
        let mut keys: Vec<_> = f
            .alerts
            .iter()
            .filter(|a| a.ended_at.is_none())
            .map(|a| (a.id, a.rule.clone(), a.brand.clone()))
            .collect();
        keys.sort();
        keys
    };
    assert!(!active(&before).is_empty(), "the crisis raised alerts");
    assert_eq!(active(&after), active(&before));
    assert_eq!(after.active_alerts, before.active_alerts);
    second.tick_alerts(until, &[]);
    let raised_again: Vec<_> = second
        .take_alert_changes()
        .into_iter()
        .filter(|c| matches!(c, vigie::alerts::AlertChange::Raised(a) if active(&before).iter().any(|(_, r, b)| *r == a.rule && *b == a.brand)))
        .collect();
    assert!(raised_again.is_empty(), "{raised_again:?}");
    assert!(
        after.trending(60, 0).is_some_and(|t| !t.terms.is_empty()),
        "the trending terms came back"
    );
    assert!(after.response_times[0].answered > 0);

    // A source that sends a post again after the restart does not count it twice.
    let stored = store
        .mentions_between(
            until - second.history_span(),
            until + TimeDelta::minutes(5),
            second.brands(),
        )
        .expect("history read");
    assert_eq!(
        stored.len(),
        restored,
        "every stored mention of the window counted once"
    );
    let again = stored[stored.len() - 1].mention.clone();
    assert_eq!(second.process(again, until), Outcome::Duplicate);
}

fn vigie() -> Command {
    Command::new(env!("CARGO_BIN_EXE_vigie"))
}

/// The shipped config with its history in `dir` and two hours of demo past.
fn write_config(dir: &Path) -> std::path::PathBuf {
    let shipped = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config.toml"))
        .expect("shipped config");
    let data = dir.join("data");
    let text = shipped
        .replace(
            "data_dir = \"data\"",
            &format!("data_dir = {:?}", data.display().to_string()),
        )
        .replace("history_hours = 6", "history_hours = 2");
    assert!(text.contains(&data.display().to_string()));
    let path = dir.join("config.toml");
    std::fs::write(&path, text).expect("config written");
    path
}

fn exported(config: &Path) -> usize {
    let out = vigie()
        .arg("--config")
        .arg(config)
        .args(["export", "--since", "3h", "--format", "csv"])
        .output()
        .expect("vigie export runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Less the header.
    String::from_utf8_lossy(&out.stdout).lines().count() - 1
}

#[test]
fn a_process_killed_during_ingest_leaves_a_history_the_next_start_rebuilds_from() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = write_config(dir.path());
    let mut wall = vigie()
        .arg("--config")
        .arg(&config)
        .args(["--headless", "--speed", "10", "--exit-after", "60"])
        .stderr(Stdio::null())
        .spawn()
        .expect("vigie starts");
    // Let it store the demo's past and some minutes of the day, then kill it mid-ingest.
    let deadline = Instant::now() + Duration::from_secs(30);
    let file = dir.path().join("data").join(vigie::store::FILE_NAME);
    while !file.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_secs(4));
    wall.kill().expect("kill -9");
    wall.wait().expect("reaped");

    let stored = exported(&config);
    assert!(stored > 100, "the history holds what was written: {stored}");

    // The next start rebuilds its figures from exactly what was stored.
    let restart = vigie()
        .arg("--config")
        .arg(&config)
        .args(["--headless", "--exit-after", "2"])
        .env("NO_COLOR", "1")
        .output()
        .expect("vigie restarts");
    assert!(restart.status.success());
    let log = String::from_utf8_lossy(&restart.stderr);
    let restored: usize = log
        .lines()
        .find(|l| l.contains("figures rebuilt from the history"))
        .and_then(|l| l.split("restored=").nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no rebuild in the log:\n{log}"));
    assert_eq!(restored, stored, "{log}");
    // And it goes on storing: nothing it had is lost, the new minutes are added.
    assert!(exported(&config) >= stored);
}

#[test]
fn a_history_that_cannot_be_opened_is_reported_and_the_wall_runs_without_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = write_config(dir.path());
    // The data folder's place is taken by a file: the history cannot be created there.
    std::fs::write(dir.path().join("data"), "not a folder").expect("file written");
    let run = vigie()
        .arg("--config")
        .arg(&config)
        .args(["--headless", "--exit-after", "2", "--enriched-out"])
        .arg(dir.path().join("out.jsonl"))
        .env("NO_COLOR", "1")
        .output()
        .expect("vigie runs");
    assert!(run.status.success(), "the wall keeps running");
    let log = String::from_utf8_lossy(&run.stderr);
    assert!(
        log.contains("no history: the wall runs on what it receives")
            && log.contains("cannot create the data folder"),
        "{log}"
    );
    let counted = std::fs::read_to_string(dir.path().join("out.jsonl")).expect("output");
    assert!(
        counted.lines().count() > 100,
        "the demo was analysed all the same"
    );
}
