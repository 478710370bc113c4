//! `vigie bench soak`: the resident memory of a wall over a simulated day at 1,000 mentions a
//! minute. A day of demo posts is written as a replay file, `vigie replay` runs it at high
//! speed in a child process (headless, or with its windows), and the child's RSS is sampled
//! each second and reported by simulated hour. It must be flat after the first hours, when
//! the bounded structures (dedupe ledger, minute ring, term tables) are full.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{DateTime, TimeDelta, Utc};

use super::conditions::rss_bytes;
use crate::model::SourceEvent;

#[derive(Debug, Clone)]
pub struct SoakSettings {
    pub hours: u32,
    pub per_minute: u32,
    pub speed: f64,
    /// Run the wall's windows too (needs a display: Xvfb).
    pub windowed: bool,
    pub layout: PathBuf,
    /// The config the wall runs with.
    pub config: PathBuf,
}

#[derive(Debug, Clone)]
pub struct SoakReport {
    pub settings: SoakSettings,
    pub mentions: usize,
    /// (simulated hour, RSS bytes at its end).
    pub hourly: Vec<(u32, u64)>,
    pub peak_after_first_hour: u64,
    pub peak: u64,
    pub real_seconds: f64,
}

impl SoakReport {
    /// RSS growth from the end of `hour` to the end of the run, in MB.
    pub fn growth_after(&self, hour: u32) -> Option<f64> {
        let at = self.hourly.iter().find(|(h, _)| *h == hour)?.1;
        let last = self.hourly.last()?.1;
        Some((last as f64 - at as f64) / 1e6)
    }
}

/// Writes `hours` of demo mentions at `per_minute`, as `vigie replay` reads them.
fn write_day(path: &Path, hours: u32, per_minute: u32) -> anyhow::Result<usize> {
    let start: DateTime<Utc> = "2026-11-20T00:00:00Z".parse()?;
    let count = (hours * 60 * per_minute) as usize;
    let step = TimeDelta::microseconds(60_000_000 / i64::from(per_minute.max(1)));
    let file =
        std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    for event in super::input::Events::new(start, step).take(count) {
        if let SourceEvent::Post(mention) = event {
            serde_json::to_writer(&mut out, &mention)?;
            out.write_all(b"\n")?;
        }
    }
    out.flush()?;
    Ok(count)
}

pub fn run(settings: SoakSettings) -> anyhow::Result<SoakReport> {
    let dir = std::env::temp_dir().join(format!("vigie-bench-soak-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let day = dir.join("day.jsonl");
    eprintln!(
        "bench soak: writing {} h at {}/min to {} …",
        settings.hours,
        settings.per_minute,
        day.display()
    );
    let mentions = write_day(&day, settings.hours, settings.per_minute)?;
    let simulated = f64::from(settings.hours) * 3600.0;
    let run_for = simulated / settings.speed;
    let mut command = Command::new(std::env::current_exe()?);
    command
        .arg("--config")
        .arg(&settings.config)
        .arg("replay")
        .arg(&day)
        .arg("--layout")
        .arg(&settings.layout)
        .arg("--speed")
        .arg(settings.speed.to_string())
        .arg("--no-history")
        // A few seconds past the day's end, so the last hour is sampled whole.
        .arg("--exit-after")
        .arg(format!("{:.0}", run_for + 5.0))
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if !settings.windowed {
        command.arg("--headless");
    }
    eprintln!(
        "bench soak: replaying {:.0} s of event time at {}x ({:.0} s) …",
        simulated, settings.speed, run_for
    );
    let mut child = command.spawn().context("cannot start the wall")?;
    let stderr = child.stderr.take();
    // The child's log, kept for an error message; read apart so the pipe never fills.
    let log = std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut stderr) = stderr {
            let _ = std::io::Read::read_to_string(&mut stderr, &mut text);
        }
        text
    });
    let began = Instant::now();
    let pid = child.id();
    let mut samples: Vec<(f64, u64)> = Vec::new();
    loop {
        if let Some(status) = child.try_wait()? {
            let log = log.join().unwrap_or_default();
            if !status.success() {
                anyhow::bail!("the wall exited with {status}:\n{log}");
            }
            break;
        }
        if let Some(rss) = rss_bytes(pid) {
            samples.push((began.elapsed().as_secs_f64() * settings.speed / 3600.0, rss));
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    let real_seconds = began.elapsed().as_secs_f64();
    let _ = std::fs::remove_dir_all(&dir);
    let hourly: Vec<(u32, u64)> = (1..=settings.hours)
        .filter_map(|hour| {
            samples
                .iter()
                .rfind(|(h, _)| *h <= f64::from(hour))
                .map(|&(_, rss)| (hour, rss))
        })
        .collect();
    let peak = samples.iter().map(|s| s.1).max().unwrap_or(0);
    let peak_after_first_hour = samples
        .iter()
        .filter(|(h, _)| *h > 1.0)
        .map(|s| s.1)
        .max()
        .unwrap_or(0);
    Ok(SoakReport {
        settings,
        mentions,
        hourly,
        peak_after_first_hour,
        peak,
        real_seconds,
    })
}

pub fn print(report: &SoakReport) {
    let s = &report.settings;
    println!(
        "soak: peak RSS {:.0} MB over {} simulated hours at {}/min ({} mentions, replay at {}x, \
         {}, {:.0} s)",
        report.peak as f64 / 1e6,
        s.hours,
        s.per_minute,
        report.mentions,
        s.speed,
        if s.windowed { "windowed" } else { "headless" },
        report.real_seconds
    );
    let hours: Vec<String> = report
        .hourly
        .iter()
        .map(|(h, rss)| format!("{h}h {:.0}", *rss as f64 / 1e6))
        .collect();
    println!("  RSS by hour (MB): {}", hours.join(", "));
    for hour in [1, 4] {
        if let Some(growth) = report.growth_after(hour) {
            println!("  growth from hour {hour} to the end: {growth:+.1} MB");
        }
    }
}
