//! Mentions per second from raw wire bytes, for each source format: the parsing a live source
//! does between the socket and the analysis channel. Inputs are the fixtures of tests/fixtures/
//! repeated with distinct ids, so that the bytes are those a real server sends.
//!
//! `cargo bench --bench parsers`

use std::hint::black_box;

use chrono::Utc;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use vigie::ingest::web::sse::{SseItem, SseParser};
use vigie::ingest::{bluesky, feeds, hackernews, mastodon, reddit, webhook};

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

const STATUSES: usize = 2_000;

/// A Mastodon stream of `STATUSES` updates and a heartbeat every ten, as one byte string.
fn mastodon_stream() -> Vec<u8> {
    let timeline: Vec<serde_json::Value> =
        serde_json::from_str(&fixture("mastodon/timeline.json")).expect("fixture");
    let mut out = String::new();
    for n in 0..STATUSES {
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
    out.into_bytes()
}

fn jetstream_lines() -> Vec<String> {
    let lines: Vec<String> = fixture("jetstream/messages.jsonl")
        .lines()
        .map(str::to_string)
        .collect();
    (0..STATUSES)
        .map(|n| lines[n % lines.len()].replace("3lbgsv", &format!("{n:06}")))
        .collect()
}

fn parsers(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");

    let stream = mastodon_stream();
    group.throughput(Throughput::Elements(STATUSES as u64));
    group.bench_function("mastodon_sse", |b| {
        b.iter(|| {
            let mut parser = SseParser::new(512 * 1024);
            let mut items = Vec::new();
            let mut mentions = 0usize;
            // Chunks the size a TLS record delivers.
            for chunk in stream.chunks(16 * 1024) {
                parser.push(chunk, &mut items);
                for item in items.drain(..) {
                    if let SseItem::Event(event) = item
                        && let Ok(status) = mastodon::parse_status(&event.data, "mastodon.social")
                    {
                        black_box(&status);
                        mentions += 1;
                    }
                }
            }
            assert_eq!(mentions, STATUSES);
        })
    });

    let lines = jetstream_lines();
    group.throughput(Throughput::Elements(lines.len() as u64));
    group.bench_function("jetstream_json", |b| {
        b.iter(|| {
            for line in &lines {
                black_box(bluesky::parse_message(line).expect("parses"));
            }
        })
    });

    // A feed of 200 items, as a busy outlet's.
    let rss = fixture("feeds/presse.rss");
    let item_start = rss.find("<item>").expect("item");
    let item_end = rss.rfind("</item>").expect("item") + "</item>".len();
    let items = &rss[item_start..item_end];
    let mut big = String::from(&rss[..item_start]);
    for n in 0..67 {
        big.push_str(&items.replace("?p=48", &format!("?p={n}x")));
    }
    big.push_str(&rss[item_end..]);
    let rss_items = feeds::parse_feed(big.as_bytes(), Utc::now())
        .expect("feed")
        .len();
    group.throughput(Throughput::Elements(rss_items as u64));
    group.bench_function("rss", |b| {
        b.iter(|| black_box(feeds::parse_feed(big.as_bytes(), Utc::now()).expect("feed")))
    });

    let listing = fixture("reddit/search.json");
    group.throughput(Throughput::Elements(3));
    group.bench_function("reddit_listing", |b| {
        b.iter(|| black_box(reddit::parse_listing(listing.as_bytes()).expect("listing")))
    });

    let search = fixture("hackernews/search.json");
    group.throughput(Throughput::Elements(3));
    group.bench_function("hackernews_search", |b| {
        b.iter(|| black_box(hackernews::parse_search(search.as_bytes()).expect("search")))
    });

    let batch = fixture("webhook/batch.json");
    group.throughput(Throughput::Elements(3));
    group.bench_function("webhook_batch", |b| {
        b.iter(|| black_box(webhook::parse_push(batch.as_bytes(), Utc::now()).expect("batch")))
    });
    group.finish();
}

criterion_group!(benches, parsers);
criterion_main!(benches);
