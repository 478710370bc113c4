//! Fuzzing on stable Rust: every parser a user or a server can feed (config, layouts, the
//! sources' wire formats, webhook batches, replay lines, the bus's messages) takes real inputs
//! mutated at random, and random bytes, without a panic. Each property runs `PROPTEST_CASES`
//! cases (2,000 by default: a few seconds in all on CI); `PROPTEST_CASES=200000 cargo test
//! --test fuzz` is the longer run (figures in the README, "Tests"). A failure prints the
//! smallest input proptest shrank it to.
//!
//! Mutations are byte-level (flip, insert, delete, cut, repeat a slice) plus tokens that
//! parsers trip on (quotes, brackets, huge and non-finite numbers, CDATA ends, entities, SSE
//! field names), so that most cases stay close enough to the format to reach deep code.

use std::path::Path;

use chrono::Utc;
use proptest::prelude::*;

const TOKENS: &[&str] = &[
    "\"",
    "'",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "=",
    "\n",
    "\r\n",
    "\n\n",
    "\\u0000",
    "\\ud800",
    "nan",
    "inf",
    "-inf",
    "1e999",
    "-1",
    "0",
    "4294967295",
    "18446744073709551616",
    "9223372036854775807",
    "<item>",
    "</item>",
    "<![CDATA[",
    "]]>",
    "&#x110000;",
    "&amp",
    "<entry>",
    "data: ",
    "event: update\n",
    "id: ",
    "retry: ",
    ":",
    "[[",
    "]]",
    "é",
    "\u{202e}",
    "\u{fffd}",
    "true",
    "null",
];

fn mutate(seed: &[u8], edits: &[(usize, u8, u8)]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for &(at, byte, kind) in edits {
        let at = at % (bytes.len() + 1);
        let span = usize::from(byte) % 64;
        match kind % 6 {
            0 => bytes.insert(at, byte),
            1 if at < bytes.len() => bytes[at] ^= byte | 1,
            2 => {
                let end = (at + span).min(bytes.len());
                bytes.drain(at..end);
            }
            3 => bytes.truncate(at),
            4 => {
                let end = (at + span).min(bytes.len());
                let slice = bytes[at..end].to_vec();
                for _ in 0..(byte % 8) {
                    bytes.splice(at..at, slice.iter().copied());
                }
            }
            _ => {
                let token = TOKENS[usize::from(byte) % TOKENS.len()].as_bytes();
                bytes.splice(at..at, token.iter().copied());
            }
        }
    }
    bytes
}

/// One of `seeds`, mutated; or random bytes.
fn inputs(seeds: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    let count = seeds.len();
    prop_oneof![
        4 => (
            0..count,
            prop::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 0..12)
        )
            .prop_map(move |(which, edits)| mutate(&seeds[which], &edits)),
        1 => prop::collection::vec(any::<u8>(), 0..1024),
    ]
}

fn root(path: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn fixture(name: &str) -> Vec<u8> {
    root(&format!("tests/fixtures/{name}"))
}

fn lines_of(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

/// Read once: the layouts and the bus messages are checked against it at every case.
fn shipped_config() -> &'static vigie::config::Config {
    static CONFIG: std::sync::OnceLock<vigie::config::Config> = std::sync::OnceLock::new();
    CONFIG.get_or_init(|| {
        vigie::config::Config::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("config.toml"))
            .expect("the shipped config")
    })
}

fn shipped_brands() -> &'static [vigie::model::BrandInfo] {
    static BRANDS: std::sync::OnceLock<Vec<vigie::model::BrandInfo>> = std::sync::OnceLock::new();
    BRANDS.get_or_init(|| {
        vigie::analysis::Analyzer::new(&shipped_config().analysis_settings())
            .expect("analyzer")
            .brands()
            .to_vec()
    })
}

/// A bus message as a hub publishes it: a counted mention, a spike.
fn bus_messages() -> Vec<Vec<u8>> {
    use vigie::analysis::{Analyzer, Outcome};
    let mut analyzer = Analyzer::new(&shipped_config().analysis_settings()).expect("analyzer");
    let now = Utc::now();
    let mention: vigie::model::Mention = serde_json::from_str(&format!(
        r#"{{"id":"x:1","platform":"mastodon","author":{{"handle":"a"}},"text":"Petit Loup, déçue","created_at":"{}"}}"#,
        now.to_rfc3339()
    ))
    .expect("mention");
    let Outcome::Matched(enriched) = analyzer.process(mention, now) else {
        panic!("the mention names Petit Loup");
    };
    let event = vigie::store::StoreEvent::Analysis(vigie::model::AnalysisEvent::Counted(*enriched));
    vigie::bus::wire::Subjects::new("VIGIE")
        .messages(&event, analyzer.brands())
        .into_iter()
        .map(|m| m.body.into_bytes())
        .collect()
}

fn cases() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(2000),
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(cases())]

    #[test]
    fn config(text in inputs(vec![root("config.toml")])) {
        let text = String::from_utf8_lossy(&text);
        let _ = vigie::config::Config::parse(Path::new("fuzz.toml"), &text);
    }

    #[test]
    fn layouts(text in inputs(vec![
        root("layouts/warroom.toml"),
        root("layouts/lobby.toml"),
        root("layouts/single.toml"),
        root("layouts/laptop.toml"),
    ])) {
        let text = String::from_utf8_lossy(&text);
        let _ = vigie::layout::Layout::parse(Path::new("fuzz.toml"), &text, shipped_config());
    }

    #[test]
    fn feeds(body in inputs(vec![
        fixture("feeds/presse.rss"),
        fixture("feeds/blog.atom"),
        fixture("feeds/no-guid.rss"),
        fixture("feeds/userland.rss"),
    ])) {
        let _ = vigie::ingest::feeds::parse_feed(&body, "https://fuzz.example/rss", Utc::now());
    }

    #[test]
    fn reddit_and_hacker_news(body in inputs(vec![
        fixture("reddit/search.json"),
        fixture("hackernews/search.json"),
    ])) {
        let _ = vigie::ingest::reddit::parse_listing(&body);
        let _ = vigie::ingest::hackernews::parse_search(&body);
    }

    #[test]
    fn platforms_search_and_review_pages(body in inputs(vec![
        fixture("appstore/page1.json"),
        fixture("appstore/single.json"),
        fixture("discourse/search-1.json"),
        fixture("discourse/latest.json"),
        fixture("youtube/search-1.json"),
        fixture("youtube/comments.json"),
        fixture("youtube/channels.json"),
        fixture("threads/search-1.json"),
        fixture("bluesky/search-1.json"),
        fixture("news/search.rss"),
    ])) {
        let _ = vigie::ingest::appstore::parse_reviews(&body);
        let _ = vigie::ingest::discourse::parse_search(&body, "https://forum.example");
        let _ = vigie::ingest::discourse::parse_latest(&body, "https://forum.example");
        let _ = vigie::ingest::youtube::parse_search(&body);
        let _ = vigie::ingest::youtube::parse_comments(&body);
        let _ = vigie::ingest::youtube::parse_channels(&body);
        let _ = vigie::ingest::threads::parse_search(&body);
        let _ = vigie::ingest::bluesky::parse_search(&body);
        let _ = vigie::ingest::feeds::parse_feed_as(
            &body,
            "https://news.example/rss",
            Utc::now(),
            vigie::ingest::feeds::FeedStyle::Aggregator,
        );
    }

    #[test]
    fn x_stream_lines(line in inputs(lines_of(&fixture("x/stream.jsonl")))) {
        let _ = vigie::ingest::x::parse_line(&String::from_utf8_lossy(&line));
    }

    #[test]
    fn jetstream(line in inputs(lines_of(&fixture("jetstream/messages.jsonl")))) {
        let _ = vigie::ingest::bluesky::parse_message(&String::from_utf8_lossy(&line));
    }

    #[test]
    fn mastodon_statuses_and_html(json in inputs(vec![fixture("mastodon/status.json")])) {
        let text = String::from_utf8_lossy(&json);
        let _ = vigie::ingest::mastodon::parse_status(&text, "mastodon.example");
        let _ = vigie::ingest::web::html::html_to_text(&text);
    }

    #[test]
    fn server_sent_events(
        stream in inputs(vec![fixture("mastodon/stream.sse")]),
        cuts in prop::collection::vec(1usize..512, 1..16),
    ) {
        let mut parser = vigie::ingest::web::sse::SseParser::new(4096);
        let mut items = Vec::new();
        let mut rest = stream.as_slice();
        for cut in cuts.iter().cycle() {
            if rest.is_empty() {
                break;
            }
            let (chunk, tail) = rest.split_at((*cut).min(rest.len()));
            parser.push(chunk, &mut items);
            rest = tail;
        }
        // Bounded: no event beyond the limit is kept whole.
        for item in &items {
            if let vigie::ingest::web::sse::SseItem::Event(event) = item {
                prop_assert!(event.data.len() <= 4096);
            }
        }
    }

    #[test]
    fn webhook_batches(body in inputs(vec![fixture("webhook/batch.json")])) {
        let _ = vigie::ingest::webhook::parse_push(&body, Utc::now());
    }

    #[test]
    fn replay_lines(line in inputs(vec![
        br#"{"id":"r:1","platform":"mastodon","author":{"handle":"a"},"text":"Petit Loup","created_at":"2026-11-20T10:00:00Z","received_at":"2026-11-20T10:00:02Z"}"#.to_vec(),
        br#"{"event":"delete","id":"r:1"}"#.to_vec(),
        br#"{"event":"edit","id":"r:1","platform":"x","author":{"handle":"a"},"text":"t","created_at":"2026-11-20T10:00:00Z"}"#.to_vec(),
    ])) {
        if let Ok(line) = std::str::from_utf8(&line) {
            let _ = vigie::ingest::replay::parse_line(line);
        }
    }

    #[test]
    fn bus_messages_on_a_display(body in inputs(bus_messages())) {
        let _ = vigie::bus::wire::decode(&body, shipped_brands());
    }

    /// A lobby's text keeps its length (a mask replaces letters one for one), whatever the
    /// post holds: disguised words, stray symbols, invisible or combining characters.
    #[test]
    fn lobby_masks(post in inputs(vec![
        "Petit Loup c'est de la m3rdeeee #fdp @connard_du_93".as_bytes().to_vec(),
        "f.u.c.k :P :D s@le @r@be k1ll y0urs3lf".as_bytes().to_vec(),
        "p*te ｆｕｃｋ fu\u{200B}ck e\u{301}ncule\u{301} #PetitLoupFilsDePute".as_bytes().to_vec(),
    ])) {
        let text = String::from_utf8_lossy(&post);
        let verdict = lobby_filter().verdict(&text);
        if verdict.hidden.is_none() {
            prop_assert_eq!(verdict.text.chars().count(), text.chars().count());
        }
        let _ = lobby_filter().public_text(&text, &[]);
    }
}

fn lobby_filter() -> &'static vigie::privacy::LobbyFilter {
    static FILTER: std::sync::OnceLock<vigie::privacy::LobbyFilter> = std::sync::OnceLock::new();
    FILTER.get_or_init(vigie::privacy::LobbyFilter::shipped)
}
