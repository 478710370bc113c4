//! `vigie bench parse`: mentions a second from raw wire bytes, for each source format, the
//! parsing a live source does between the socket and the analysis channel. The inputs are the
//! test fixtures (real servers' bytes) repeated with distinct ids; `benches/parsers.rs` times
//! the same inputs under criterion.

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::Utc;

use crate::ingest::web::sse::{SseItem, SseParser};
use crate::ingest::{bluesky, feeds, mastodon};

const MASTODON_TIMELINE: &str = include_str!("../../tests/fixtures/mastodon/timeline.json");
const JETSTREAM_MESSAGES: &str = include_str!("../../tests/fixtures/jetstream/messages.jsonl");
const PRESS_RSS: &str = include_str!("../../tests/fixtures/feeds/presse.rss");

/// A Mastodon streaming response of `statuses` updates, a heartbeat every ten, as bytes.
pub fn mastodon_stream(statuses: usize) -> anyhow::Result<Vec<u8>> {
    let timeline: Vec<serde_json::Value> = serde_json::from_str(MASTODON_TIMELINE)?;
    anyhow::ensure!(!timeline.is_empty(), "the timeline fixture is empty");
    let mut out = String::new();
    for n in 0..statuses {
        let mut status = timeline[n % timeline.len()].clone();
        status["id"] =
            serde_json::Value::from(format!("{}", 115_612_000_000_000_000u64 + n as u64));
        status["uri"] =
            serde_json::Value::from(format!("https://mastodon.social/users/x/statuses/{n}"));
        out.push_str("event: update\ndata: ");
        out.push_str(&status.to_string());
        out.push_str("\n\n");
        if n % 10 == 0 {
            out.push_str(":thump\n\n");
        }
    }
    Ok(out.into_bytes())
}

/// Parses a Mastodon stream fed in TLS-record-sized chunks; the statuses parsed.
pub fn parse_mastodon_stream(stream: &[u8]) -> usize {
    let mut parser = SseParser::new(512 * 1024);
    let mut items = Vec::new();
    let mut statuses = 0usize;
    for chunk in stream.chunks(16 * 1024) {
        parser.push(chunk, &mut items);
        for item in items.drain(..) {
            if let SseItem::Event(event) = item
                && let Ok(status) = mastodon::parse_status(&event.data, "mastodon.social")
            {
                black_box(&status);
                statuses += 1;
            }
        }
    }
    statuses
}

/// `messages` Bluesky Jetstream messages (posts, edits, deletions, identity events).
pub fn jetstream_lines(messages: usize) -> Vec<String> {
    let lines: Vec<&str> = JETSTREAM_MESSAGES.lines().collect();
    (0..messages)
        .map(|n| lines[n % lines.len()].replace("3lbgsv", &format!("{n:06}")))
        .collect()
}

/// An RSS feed of about `items` items, as a busy outlet's.
pub fn rss_feed(items: usize) -> anyhow::Result<String> {
    let start = PRESS_RSS
        .find("<item>")
        .ok_or_else(|| anyhow::anyhow!("no <item> in the RSS fixture"))?;
    let end = PRESS_RSS
        .rfind("</item>")
        .ok_or_else(|| anyhow::anyhow!("no </item> in the RSS fixture"))?
        + "</item>".len();
    let fixture_items = PRESS_RSS[start..end].matches("<item>").count().max(1);
    let mut big = String::from(&PRESS_RSS[..start]);
    for n in 0..items.div_ceil(fixture_items) {
        big.push_str(&PRESS_RSS[start..end].replace("?p=48", &format!("?p={n}x")));
    }
    big.push_str(&PRESS_RSS[end..]);
    Ok(big)
}

#[derive(Debug, Clone)]
pub struct ParseFigure {
    pub format: &'static str,
    pub mentions_per_second: f64,
    pub megabytes_per_second: f64,
}

/// Repeats `work` (which parses `items` items of `bytes` bytes) for about `budget`.
fn measure(
    format: &'static str,
    items: usize,
    bytes: usize,
    budget: Duration,
    mut work: impl FnMut() -> usize,
) -> anyhow::Result<ParseFigure> {
    // One untimed round: caches, allocator, and a check that everything parses.
    let parsed = work();
    anyhow::ensure!(
        parsed == items,
        "{format}: {parsed} of {items} items parsed"
    );
    let began = Instant::now();
    let mut rounds = 0usize;
    while began.elapsed() < budget {
        black_box(work());
        rounds += 1;
    }
    let seconds = began.elapsed().as_secs_f64();
    Ok(ParseFigure {
        format,
        mentions_per_second: (items * rounds) as f64 / seconds,
        megabytes_per_second: (bytes * rounds) as f64 / seconds / 1e6,
    })
}

/// The lines `parse` accepts.
fn count_parsed<T, E>(lines: &[String], parse: impl Fn(&str) -> Result<T, E>) -> usize {
    lines
        .iter()
        .filter(|line| black_box(parse(line)).is_ok())
        .count()
}

pub fn run(budget: Duration) -> anyhow::Result<Vec<ParseFigure>> {
    let mut figures = Vec::new();
    let statuses = 2_000;
    let stream = mastodon_stream(statuses)?;
    figures.push(measure(
        "Mastodon SSE (typed serde_json)",
        statuses,
        stream.len(),
        budget,
        || parse_mastodon_stream(&stream),
    )?);
    let lines = jetstream_lines(2_000);
    let bytes: usize = lines.iter().map(|l| l.len() + 1).sum();
    figures.push(measure(
        "Jetstream JSON (typed serde_json)",
        lines.len(),
        bytes,
        budget,
        || count_parsed(&lines, bluesky::parse_message),
    )?);
    // The alternative a source could use: a generic tree, then fields picked from it.
    figures.push(measure(
        "Jetstream JSON (serde_json::Value tree)",
        lines.len(),
        bytes,
        budget,
        || {
            count_parsed(&lines, |line| {
                serde_json::from_str::<serde_json::Value>(line)
            })
        },
    )?);
    let feed = rss_feed(200)?;
    let items = feeds::parse_feed(feed.as_bytes(), "https://bench.example/rss", Utc::now())?.len();
    figures.push(measure(
        "RSS 2.0 (feed-rs)",
        items,
        feed.len(),
        budget,
        || {
            feeds::parse_feed(feed.as_bytes(), "https://bench.example/rss", Utc::now())
                .map_or(0, |m| m.len())
        },
    )?);
    Ok(figures)
}

pub fn print(figures: &[ParseFigure]) {
    for figure in figures {
        println!(
            "parse: {:>10.0} mentions/s  {:>6.1} MB/s  {}",
            figure.mentions_per_second, figure.megabytes_per_second, figure.format
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_inputs_parse_whole() {
        let stream = mastodon_stream(30).expect("stream");
        assert_eq!(parse_mastodon_stream(&stream), 30);
        let lines = jetstream_lines(40);
        assert!(lines.iter().all(|l| bluesky::parse_message(l).is_ok()));
        let feed = rss_feed(10).expect("feed");
        assert!(
            feeds::parse_feed(feed.as_bytes(), "https://bench.example/rss", Utc::now())
                .expect("parses")
                .len()
                >= 10
        );
    }
}
