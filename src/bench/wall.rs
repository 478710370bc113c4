//! The benchmarks that need the wall's windows (a display: Xvfb with Mesa's software Vulkan
//! driver here, a real GPU where there is one):
//! - latency: mentions sent into the analysis channel at a steady rate, each stamped as it
//!   enters; the wall notes the frame in which its card appears and when that frame was
//!   presented;
//! - idle: the CPU a wall uses when nothing changes (another process, measured from outside);
//! - frame: frame times with the war-room layout at a window size, drawing continuously (one
//!   process per size: a process opens one event loop).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{TimeDelta, Utc};
use crossbeam_channel::Sender;

use super::conditions::{cpu_seconds, percentile};
use crate::analysis::{Analyzer, Outcome};
use crate::config::Config;
use crate::ingest::demo::{DemoGenerator, Scenario};
use crate::layout::Layout;
use crate::model::SourceEvent;
use crate::pipeline::{Input, RunOptions};
use crate::wall::WallOptions;
use crate::wall::probe::LatencyProbe;

/// The wall must be drawing before mentions are timed.
const WARM_UP: Duration = Duration::from_secs(4);

pub fn need_display() -> anyhow::Result<()> {
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        anyhow::bail!(
            "this benchmark opens the wall's windows and there is no display: run it under \
             `xvfb-run -a -s \"-screen 0 11520x2160x24\" vigie bench …`"
        );
    }
    Ok(())
}

#[derive(Debug, Clone)]
pub struct LatencyReport {
    pub sent: usize,
    pub drawn: usize,
    pub rate: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Median time from a frame's start to its presentation, while mentions flowed.
    pub frame_p50_ms: f64,
}

/// Mentions that name a brand, with fresh ids: each one is a card.
fn cards_to_send(config: &Config, count: usize) -> anyhow::Result<Vec<crate::model::Mention>> {
    let mut scratch = Analyzer::new(&config.analysis_settings())?;
    let start = Utc::now();
    let mut cards = Vec::with_capacity(count);
    for (n, event) in super::input::Events::new(start, TimeDelta::milliseconds(1)).enumerate() {
        if cards.len() == count || n > count * 20 {
            break;
        }
        let SourceEvent::Post(mut mention) = event else {
            continue;
        };
        mention.id = format!("bench:{n}");
        mention.reply_to = None;
        if let Outcome::Matched(_) = scratch.process(mention.clone(), mention.created_at) {
            cards.push(mention);
        }
    }
    anyhow::ensure!(cards.len() == count, "only {} cards to send", cards.len());
    Ok(cards)
}

pub fn latency(
    mut config: Config,
    layout: Layout,
    count: usize,
    rate: f64,
) -> anyhow::Result<LatencyReport> {
    need_display()?;
    config.sources.clear();
    config.store.enabled = false;
    let cards = cards_to_send(&config, count)?;
    let probe = LatencyProbe::default();
    let feeding = Duration::from_secs_f64(count as f64 / rate);
    let options = RunOptions {
        speed: 1.0,
        origin: None,
        wall: WallOptions {
            exit_after: Some(WARM_UP + feeding + Duration::from_secs(3)),
            probe: Some(probe.clone()),
            ..Default::default()
        },
        headless: false,
        enriched_out: None,
        figures_out: None,
        publish: None,
    };
    let feeder_probe = probe.clone();
    let feed = move |events: Sender<SourceEvent>| {
        std::thread::sleep(WARM_UP);
        let began = Instant::now();
        let gap = Duration::from_secs_f64(1.0 / rate);
        for (n, mut mention) in cards.into_iter().enumerate() {
            // A steady rate: each send at its own time, whatever the previous one cost.
            let due = began + gap * n as u32;
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
            mention.created_at = Utc::now();
            if let Ok(mut log) = feeder_probe.0.lock() {
                log.entered.insert(mention.id.clone(), Instant::now());
            }
            if events.send(SourceEvent::Post(mention)).is_err() {
                return;
            }
        }
    };
    crate::pipeline::run(config, layout, options, Input::Feed(Box::new(feed)))?;
    let log = probe
        .0
        .lock()
        .map_err(|_| anyhow::anyhow!("the probe was poisoned"))?;
    let mut latencies = log.latencies_ms();
    latencies.sort_by(f64::total_cmp);
    let first_fed = log.entered.values().min().copied();
    let mut frames: Vec<f64> = log
        .presented
        .iter()
        .filter_map(|(&frame, &presented)| {
            let start = *log.frame_starts.get(frame.checked_sub(1)? as usize)?;
            (first_fed.is_some_and(|f| start >= f))
                .then(|| presented.saturating_duration_since(start).as_secs_f64() * 1e3)
        })
        .collect();
    frames.sort_by(f64::total_cmp);
    Ok(LatencyReport {
        sent: log.entered.len(),
        drawn: latencies.len(),
        rate,
        p50_ms: percentile(&latencies, 50.0),
        p99_ms: percentile(&latencies, 99.0),
        max_ms: latencies.last().copied().unwrap_or(f64::NAN),
        frame_p50_ms: percentile(&frames, 50.0),
    })
}

pub fn print_latency(report: &LatencyReport) {
    println!(
        "latency: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms from the analysis channel to the \
         presented frame ({} of {} mentions drawn, {:.0}/s; a frame takes {:.1} ms here)",
        report.p50_ms,
        report.p99_ms,
        report.max_ms,
        report.drawn,
        report.sent,
        report.rate,
        report.frame_p50_ms
    );
    let refresh = 1000.0 / 60.0;
    println!(
        "  target p99 < one frame + 5 ms: {:.1} ms at 60 Hz ({}), {:.1} ms with this machine's \
         frame ({})",
        refresh + 5.0,
        verdict(report.p99_ms < refresh + 5.0),
        report.frame_p50_ms + 5.0,
        verdict(report.p99_ms < report.frame_p50_ms + 5.0)
    );
}

fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "missed" }
}

#[derive(Debug, Clone)]
pub struct IdleReport {
    pub seconds: f64,
    pub cpu_seconds: f64,
}

impl IdleReport {
    pub fn share_of_a_core(&self) -> f64 {
        self.cpu_seconds / self.seconds
    }
}

/// A few mentions of a quiet day, all at the start, for a wall that then has nothing new to
/// show. Quiet: a crisis would raise a critical alert, whose flashing frame is an animation.
fn write_still_day(path: &Path) -> anyhow::Result<()> {
    let now = Utc::now();
    let mut generator = DemoGenerator::new(5, Scenario::QuietDay, now, now);
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    for n in 0..40 {
        let mut mention = generator.pop();
        mention.created_at = now + TimeDelta::milliseconds(20 * n);
        serde_json::to_writer(&mut out, &mention)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}

/// Starts a wall (another process, so that its CPU time is its own) on a replay that ends at
/// once, waits for it to settle, then measures its CPU time over `seconds`.
pub fn idle(layout: &Path, config: &Path, seconds: f64) -> anyhow::Result<IdleReport> {
    need_display()?;
    let dir = std::env::temp_dir().join(format!("vigie-bench-idle-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let day = dir.join("still.jsonl");
    write_still_day(&day)?;
    let mut child = Command::new(std::env::current_exe()?)
        .arg("--config")
        .arg(config)
        .arg("replay")
        .arg(&day)
        .arg("--layout")
        .arg(layout)
        .arg("--no-history")
        .arg("--windowed")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("cannot start the wall")?;
    let pid = child.id();
    let settle = Duration::from_secs(15);
    eprintln!(
        "bench idle: wall started (pid {pid}); {} s to settle, then {seconds} s measured …",
        settle.as_secs()
    );
    std::thread::sleep(settle);
    let measured = (|| {
        if child.try_wait()?.is_some() {
            anyhow::bail!("the wall exited during its start");
        }
        let before = cpu_seconds(pid).context("cannot read the wall's CPU time")?;
        let began = Instant::now();
        std::thread::sleep(Duration::from_secs_f64(seconds));
        let after = cpu_seconds(pid).context("cannot read the wall's CPU time")?;
        if child.try_wait()?.is_some() {
            anyhow::bail!("the wall exited while measured");
        }
        Ok(IdleReport {
            seconds: began.elapsed().as_secs_f64(),
            cpu_seconds: after - before,
        })
    })();
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    measured
}

pub fn print_idle(report: &IdleReport) {
    println!(
        "idle: {:.2} % of one core ({:.2} s of CPU in {:.0} s, a still wall; target <= 2 %: {})",
        report.share_of_a_core() * 100.0,
        report.cpu_seconds,
        report.seconds,
        verdict(report.share_of_a_core() <= 0.02)
    );
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct FrameReport {
    pub width: u32,
    pub height: u32,
    pub screens: usize,
    pub frames: usize,
    pub mean_ms: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub adapter: String,
}

/// In this process: the wall with `layout` at `width`×`height`, drawing continuously on a
/// demo day for `seconds` after a warm-up; the frame times.
pub fn frame_run(
    mut config: Config,
    layout: Layout,
    width: u32,
    height: u32,
    seconds: f64,
) -> anyhow::Result<FrameReport> {
    need_display()?;
    config.wall.width = width;
    config.wall.height = height;
    config.store.enabled = false;
    let screens = layout.screens.len();
    let probe = LatencyProbe::default();
    let warm_up = Duration::from_secs(6);
    let options = RunOptions {
        speed: 60.0,
        origin: None,
        wall: WallOptions {
            exit_after: Some(warm_up + Duration::from_secs_f64(seconds)),
            probe: Some(probe.clone()),
            continuous: true,
            ..Default::default()
        },
        headless: false,
        enriched_out: None,
        figures_out: None,
        publish: None,
    };
    let began = Instant::now();
    crate::pipeline::run(config, layout, options, Input::Sources)?;
    let log = probe
        .0
        .lock()
        .map_err(|_| anyhow::anyhow!("the probe was poisoned"))?;
    let starts: Vec<Instant> = log
        .frame_starts
        .iter()
        .copied()
        .filter(|&s| s >= began + warm_up)
        .collect();
    let mut times: Vec<f64> = starts
        .windows(2)
        .map(|w| (w[1] - w[0]).as_secs_f64() * 1e3)
        .collect();
    let mean = times.iter().sum::<f64>() / times.len().max(1) as f64;
    times.sort_by(f64::total_cmp);
    Ok(FrameReport {
        width,
        height,
        screens,
        frames: times.len(),
        mean_ms: mean,
        p50_ms: percentile(&times, 50.0),
        p99_ms: percentile(&times, 99.0),
        max_ms: times.last().copied().unwrap_or(f64::NAN),
        // Named by the parent, from this process's log (`adapter_of`).
        adapter: String::new(),
    })
}

/// One child process per size, each printing its `FrameReport` as JSON.
pub fn frame(
    config: &Path,
    layout: &Path,
    sizes: &[(u32, u32)],
    seconds: f64,
) -> anyhow::Result<Vec<FrameReport>> {
    need_display()?;
    let mut reports = Vec::new();
    for &(width, height) in sizes {
        eprintln!("bench frame: {width}x{height}, {seconds} s …");
        let output = Command::new(std::env::current_exe()?)
            .arg("--config")
            .arg(config)
            .args(["bench", "frame-run", "--size"])
            .arg(format!("{width}x{height}"))
            .arg("--seconds")
            .arg(seconds.to_string())
            .arg("--layout")
            .arg(layout)
            // The renderer names its adapter at info level.
            .env("RUST_LOG", "info,wgpu=error,naga=warn")
            .stderr(Stdio::piped())
            .output()
            .context("cannot start the wall")?;
        let log = String::from_utf8_lossy(&output.stderr);
        if !output.status.success() {
            anyhow::bail!(
                "the wall at {width}x{height} failed ({}):\n{log}",
                output.status
            );
        }
        let mut report: FrameReport = serde_json::from_slice(&output.stdout)
            .with_context(|| format!("the wall at {width}x{height} printed no report:\n{log}"))?;
        report.adapter = adapter_of(&log);
        reports.push(report);
    }
    Ok(reports)
}

/// The GPU (or software driver) the wall's log names.
fn adapter_of(log: &str) -> String {
    log.lines()
        .find_map(|line| {
            let at = line.find("AdapterInfo")?;
            let rest = &line[at..];
            let name = rest.split("name: \"").nth(1)?.split('"').next()?;
            Some(name.to_string())
        })
        .unwrap_or_else(|| "unknown adapter".to_string())
}

pub fn print_frames(reports: &[FrameReport]) {
    for r in reports {
        println!(
            "frame: {}x{} x{} screens: mean {:.1} ms ({:.1} fps), p50 {:.1} ms, p99 {:.1} ms, \
             max {:.1} ms over {} frames ({})",
            r.width,
            r.height,
            r.screens,
            r.mean_ms,
            1000.0 / r.mean_ms,
            r.p50_ms,
            r.p99_ms,
            r.max_ms,
            r.frames,
            r.adapter
        );
    }
}

/// `1920x1080` → (1920, 1080).
pub fn parse_size(text: &str) -> anyhow::Result<(u32, u32)> {
    let (w, h) = text
        .split_once('x')
        .ok_or_else(|| anyhow::anyhow!("'{text}' is not a size like 1920x1080"))?;
    let size = (w.trim().parse()?, h.trim().parse()?);
    anyhow::ensure!(size.0 > 0 && size.1 > 0, "'{text}': a size above zero");
    Ok(size)
}

/// A path as given, else beside the source tree (a layout named from the repository root).
pub fn existing(path: &Path) -> PathBuf {
    if path.exists() {
        return path.to_path_buf();
    }
    let in_tree = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    if in_tree.exists() {
        in_tree
    } else {
        path.to_path_buf()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_and_bad_ones_say_why() {
        assert_eq!(parse_size("3840x2160").expect("size"), (3840, 2160));
        assert!(parse_size("3840").is_err());
        assert!(parse_size("0x10").is_err());
    }

    #[test]
    fn the_adapter_is_read_from_the_log() {
        let log = "INFO bevy_render::renderer: AdapterInfo { name: \"llvmpipe (LLVM 19.1.7, 256 \
                   bits)\", vendor: 65541 }";
        assert_eq!(adapter_of(log), "llvmpipe (LLVM 19.1.7, 256 bits)");
    }
}
