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
    /// With windows: the textures the pictures held at the end and at most (bytes), as the
    /// wall's log said once a minute, and the bound.
    pub textures: Option<TextureReport>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextureReport {
    pub last: u64,
    pub peak: u64,
    pub limit: u64,
    pub fetched: u64,
}

impl SoakReport {
    /// RSS growth from the end of `hour` to the end of the run, in MB.
    pub fn growth_after(&self, hour: u32) -> Option<f64> {
        let at = self.hourly.iter().find(|(h, _)| *h == hour)?.1;
        let last = self.hourly.last()?.1;
        Some((last as f64 - at as f64) / 1e6)
    }
}

/// Distinct pictures and avatars the soak's posts link: far more than the cache holds, so that
/// it evicts all day.
const SOAK_PICTURES: u64 = 20_000;
const SOAK_AVATARS: u64 = 3_000;

/// A server of pictures for the soak: `/p/{n}.png` and `/a/{n}.png`, each a small PNG of its
/// own colour, made on the fly.
fn picture_server() -> anyhow::Result<(tokio::runtime::Runtime, String)> {
    use axum::extract::Path as UrlPath;
    use axum::response::IntoResponse;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let address = listener.local_addr()?;
    let png = |name: String, side: u32| {
        let n: u32 = name.trim_end_matches(".png").parse().unwrap_or(0);
        let colour = image::Rgb([
            (n * 37 % 256) as u8,
            (n * 91 % 256) as u8,
            (n * 13 % 256) as u8,
        ]);
        let picture = image::RgbImage::from_pixel(side, side * 3 / 4, colour);
        let mut out = std::io::Cursor::new(Vec::new());
        let _ = picture.write_to(&mut out, image::ImageFormat::Png);
        (
            [(axum::http::header::CONTENT_TYPE, "image/png")],
            out.into_inner(),
        )
            .into_response()
    };
    let router = axum::Router::new()
        .route(
            "/p/{name}",
            axum::routing::get(move |UrlPath(name): UrlPath<String>| async move { png(name, 480) }),
        )
        .route(
            "/a/{name}",
            axum::routing::get(move |UrlPath(name): UrlPath<String>| async move { png(name, 128) }),
        );
    runtime.spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok((runtime, format!("http://{address}")))
}

/// A log line without its terminal colours (`ESC [ … m`), which the log writes around fields.
fn without_colours(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The last and the largest "pictures held" of a wall's log.
fn textures_in(log: &str) -> Option<TextureReport> {
    let field = |line: &str, name: &str| -> Option<u64> {
        let rest = line.split(&format!("{name}=")).nth(1)?;
        rest.split(|c: char| !c.is_ascii_digit())
            .next()?
            .parse()
            .ok()
    };
    let held: Vec<(u64, u64, u64)> = log
        .lines()
        .filter(|line| line.contains("pictures held"))
        .map(without_colours)
        .filter_map(|line| {
            Some((
                field(&line, "texture_bytes")?,
                field(&line, "limit_bytes")?,
                field(&line, "fetched")?,
            ))
        })
        .collect();
    let &(last, limit, fetched) = held.last()?;
    Some(TextureReport {
        last,
        peak: held.iter().map(|h| h.0).max().unwrap_or(0),
        limit,
        fetched,
    })
}

/// Writes `hours` of demo mentions at `per_minute`, as `vigie replay` reads them; with
/// `pictures`, each post links a picture (one in three) and its author an avatar there.
fn write_day(
    path: &Path,
    hours: u32,
    per_minute: u32,
    pictures: Option<&str>,
) -> anyhow::Result<usize> {
    let start: DateTime<Utc> = "2026-11-20T00:00:00Z".parse()?;
    let count = (hours * 60 * per_minute) as usize;
    let step = TimeDelta::microseconds(60_000_000 / i64::from(per_minute.max(1)));
    let file =
        std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    for event in super::input::Events::new(start, step).take(count) {
        if let SourceEvent::Post(mut mention) = event {
            if let Some(base) = pictures {
                let n = crate::fingerprint::fnv1a_parts(&[&mention.id]);
                if n.is_multiple_of(3) {
                    mention.picture = Some(crate::model::Picture {
                        url: format!("{base}/p/{}.png", n % SOAK_PICTURES),
                        sensitive: false,
                    });
                }
                let author = crate::fingerprint::fnv1a_parts(&[&mention.author.handle]);
                mention.author.avatar = Some(format!("{base}/a/{}.png", author % SOAK_AVATARS));
            }
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
    // Pictures are drawn by windows only: a headless run has none to hold.
    let server = if settings.windowed {
        Some(picture_server()?)
    } else {
        None
    };
    let mentions = write_day(
        &day,
        settings.hours,
        settings.per_minute,
        server.as_ref().map(|(_, base)| base.as_str()),
    )?;
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
    let textures = loop {
        if let Some(status) = child.try_wait()? {
            let log = log.join().unwrap_or_default();
            if !status.success() {
                anyhow::bail!("the wall exited with {status}:\n{log}");
            }
            break textures_in(&log);
        }
        if let Some(rss) = rss_bytes(pid) {
            samples.push((began.elapsed().as_secs_f64() * settings.speed / 3600.0, rss));
        }
        std::thread::sleep(Duration::from_millis(500));
    };
    drop(server);
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
        textures,
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
    match report.textures {
        Some(t) => println!(
            "  pictures: {:.1} MiB of textures at the end, {:.1} MiB at most (bound {:.0} MiB), {} \
             fetched",
            t.last as f64 / 1048576.0,
            t.peak as f64 / 1048576.0,
            t.limit as f64 / 1048576.0,
            t.fetched
        ),
        None if s.windowed => println!("  pictures: the wall's log said nothing of them"),
        None => println!("  pictures: none (headless: no windows to draw them)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_texture_figures_are_read_from_the_wall_s_log() {
        let log = "2026-12-06T15:00:00Z  INFO vigie::wall::media: pictures held texture_bytes=1200 limit_bytes=67108864 held=3 fetched=4 failed=0\n\
                   2026-12-06T15:01:00Z  INFO vigie::wall::media: pictures held texture_bytes=900 limit_bytes=67108864 held=2 fetched=9 failed=1\n";
        assert_eq!(
            textures_in(log),
            Some(TextureReport {
                last: 900,
                peak: 1200,
                limit: 67_108_864,
                fetched: 9
            })
        );
        assert_eq!(textures_in("nothing"), None);
        let coloured = "\u{1b}[32m INFO\u{1b}[0m pictures held \u{1b}[3mtexture_bytes\u{1b}[0m\u{1b}[2m=\u{1b}[0m77 \u{1b}[3mlimit_bytes\u{1b}[0m\u{1b}[2m=\u{1b}[0m99 \u{1b}[3mfetched\u{1b}[0m\u{1b}[2m=\u{1b}[0m5";
        assert_eq!(
            textures_in(coloured).map(|t| (t.last, t.limit, t.fetched)),
            Some((77, 99, 5))
        );
    }
}
