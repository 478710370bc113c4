//! `vigie bench lobby`: lines a second through the lobby filter, one thread, what
//! `vigie lobby-filter` does for each line (the verdict, written out). The input is a demo day's
//! posts with, one line in twenty, a hostile one: a listed word in some disguise.

use std::hint::black_box;
use std::time::Instant;

use chrono::{TimeZone, Utc};

use crate::ingest::demo::{DemoGenerator, Scenario};
use crate::privacy::{LobbyFilter, filter_lines};

use super::Conditions;

/// Hostile lines: listed words disguised the ways posters do.
const HOSTILE: [&str; 8] = [
    "Petit Loup c'est de la m3rdeeee #fdp",
    "va te faire f o u t r e @petitloup",
    "@PetitLoup_fdp bande de c*nnards",
    "#PetitLoupFuckYou honestly",
    "s@le @r@be dehors",
    "k1ll y0urs3lf petit loup",
    "what a sh1tty ad, f.u.c.k this",
    "Ces affiches sont une HONTE, putaiiiin",
];

pub struct LobbyReport {
    pub lines: usize,
    pub bytes: usize,
    pub seconds: f64,
    pub hidden: usize,
    pub conditions: Conditions,
}

/// The bench's input: `lines` lines, one hostile in twenty.
pub fn input(lines: usize) -> String {
    let start = Utc
        .with_ymd_and_hms(2026, 3, 2, 6, 0, 0)
        .single()
        .unwrap_or_else(Utc::now);
    let mut generator = DemoGenerator::new(11, Scenario::PosterBacklash, start, start);
    let mut text = String::new();
    for n in 0..lines {
        if n % 20 == 19 {
            text.push_str(HOSTILE[(n / 20) % HOSTILE.len()]);
        } else {
            text.push_str(&generator.pop().text.replace('\n', " "));
        }
        text.push('\n');
    }
    text
}

pub fn run(lines: usize) -> anyhow::Result<LobbyReport> {
    let filter = LobbyFilter::shipped();
    let text = input(lines.max(1));
    let mut out = Vec::with_capacity(text.len());
    let started = Instant::now();
    let read = filter_lines(&filter, false, text.as_bytes(), &mut out)?;
    let seconds = started.elapsed().as_secs_f64();
    black_box(&out);
    let hidden = out
        .split(|&b| b == b'\n')
        .filter(|l| l.starts_with(b"[hidden: "))
        .count();
    Ok(LobbyReport {
        lines: usize::try_from(read).unwrap_or(usize::MAX),
        bytes: text.len(),
        seconds,
        hidden,
        conditions: Conditions::here(),
    })
}

pub fn print(report: &LobbyReport) {
    println!("lobby filter ({})", report.conditions);
    println!(
        "  {} lines ({:.1} MB, one hostile line in twenty; {} hidden) in {:.2} s: {:.0} lines/s, {:.1} MB/s",
        report.lines,
        report.bytes as f64 / 1e6,
        report.hidden,
        report.seconds,
        report.lines as f64 / report.seconds,
        report.bytes as f64 / 1e6 / report.seconds
    );
}
