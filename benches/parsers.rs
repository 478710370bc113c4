//! Mentions per second from raw wire bytes, for each source format: the parsing a live source
//! does between the socket and the analysis channel. Inputs are the fixtures of tests/fixtures/
//! repeated with distinct ids (`vigie::bench::parse`, which `vigie bench parse` times too), so
//! that the bytes are those a real server sends.
//!
//! `cargo bench --bench parsers`

use std::hint::black_box;

use chrono::Utc;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use vigie::bench::parse;
use vigie::ingest::{bluesky, feeds, hackernews, reddit, webhook};

/// The allocator of the `vigie` binary, so that these figures are those it runs with.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

const STATUSES: usize = 2_000;

fn parsers(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");

    let stream = parse::mastodon_stream(STATUSES).expect("stream");
    group.throughput(Throughput::Elements(STATUSES as u64));
    group.bench_function("mastodon_sse", |b| {
        b.iter(|| assert_eq!(parse::parse_mastodon_stream(black_box(&stream)), STATUSES))
    });

    let lines = parse::jetstream_lines(STATUSES);
    group.throughput(Throughput::Elements(lines.len() as u64));
    group.bench_function("jetstream_json", |b| {
        b.iter(|| {
            for line in &lines {
                black_box(bluesky::parse_message(line).expect("parses"));
            }
        })
    });

    // A feed of 200 items, as a busy outlet's.
    let big = parse::rss_feed(200).expect("feed");
    let rss_items = feeds::parse_feed(big.as_bytes(), "https://bench.example/rss", Utc::now())
        .expect("feed")
        .len();
    group.throughput(Throughput::Elements(rss_items as u64));
    group.bench_function("rss", |b| {
        b.iter(|| {
            black_box(
                feeds::parse_feed(big.as_bytes(), "https://bench.example/rss", Utc::now())
                    .expect("feed"),
            )
        })
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
