//! End to end: a local Mastodon-like SSE server, a local Jetstream-like WebSocket server and a
//! local RSS server feed the `vigie` binary in all-in-one mode (headless, with
//! `--enriched-out`); the analysis output names the right brand, platform and sentiment for
//! each post, takes an edit, and takes back a deleted post. Then `vigie record` writes the same
//! sources to a file and `vigie replay` of that file gives the same counted mentions.

mod support;

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::Response;
use axum::routing::get;
use futures_util::{SinkExt, StreamExt};

use support::*;
use vigie::model::{AnalysisEvent, Platform, Tone};

fn vigie() -> Command {
    Command::new(env!("CARGO_BIN_EXE_vigie"))
}

/// The three servers; their addresses.
struct Sources {
    http: TestServer,
    jetstream: TestServer,
}

fn start_sources() -> Sources {
    let router = Router::new()
        .route(
            "/api/v1/streaming/public",
            get(|| async {
                let transcript = Bytes::from(fixture("mastodon/stream.sse"));
                let body = futures_util::stream::iter([Ok::<_, Infallible>(transcript)]).chain(
                    futures_util::stream::unfold((), |()| async {
                        tokio::time::sleep(Duration::from_millis(500)).await;
                        Some((Ok(Bytes::from_static(b":thump\n\n")), ()))
                    }),
                );
                Response::builder()
                    .header(header::CONTENT_TYPE, "text/event-stream")
                    .body(Body::from_stream(body))
                    .expect("response")
            }),
        )
        .route("/feed", get(|| async { fixture("feeds/presse.rss") }));
    let http = TestServer::start(router);

    let jetstream = TestServer::start(Router::new());
    let listener = jetstream
        .runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    jetstream.runtime.spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let Ok(mut socket) = tokio_tungstenite::accept_async(stream).await else {
                    return;
                };
                for line in fixture("jetstream/messages.jsonl").lines() {
                    let message = tokio_tungstenite::tungstenite::Message::text(line.to_string());
                    if socket.send(message).await.is_err() {
                        return;
                    }
                }
                while socket.next().await.is_some() {}
            });
        }
    });
    Sources {
        http,
        jetstream: TestServer { addr, ..jetstream },
    }
}

/// The shipped config's brands, with the three local sources.
fn write_config(dir: &Path, sources: &Sources) -> std::path::PathBuf {
    let shipped = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config.toml"))
        .expect("shipped config");
    let start = shipped.find("[[brands]]").expect("brands");
    let end = shipped.find("# Sources.").expect("sources comment");
    let config = format!(
        r#"locale = "fr"
{brands}
[[sources]]
type = "mastodon"
instances = ["{mastodon}"]

[[sources]]
type = "bluesky"
url = "ws://{jetstream}/subscribe"

[[sources]]
type = "feed"
urls = ["{feed}"]
poll_seconds = 60
"#,
        brands = &shipped[start..end],
        mastodon = sources.http.url(""),
        jetstream = sources.jetstream.addr,
        feed = sources.http.url("/feed"),
    );
    let path = dir.join("config.toml");
    std::fs::write(&path, config).expect("write config");
    path
}

fn read_events(path: &Path) -> Vec<AnalysisEvent> {
    std::fs::read_to_string(path)
        .expect("enriched output")
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

/// Per text prefix: (brands, platform, tone) of what was counted and not retracted, last
/// version of each.
fn standing(events: &[AnalysisEvent]) -> BTreeMap<String, (Vec<usize>, Platform, Tone, String)> {
    let mut by_id = BTreeMap::new();
    for event in events {
        match event {
            AnalysisEvent::Counted(m) | AnalysisEvent::Edited(m) => {
                by_id.insert(
                    m.mention.id.clone(),
                    (
                        m.brands.clone(),
                        m.mention.platform,
                        m.tone,
                        m.mention.text.clone(),
                    ),
                );
            }
            AnalysisEvent::Retracted { id } => {
                by_id.remove(id);
            }
        }
    }
    by_id
        .into_values()
        .map(|(brands, platform, tone, text)| {
            let key: String = text.chars().take(24).collect();
            (key, (brands, platform, tone, text))
        })
        .collect()
}

#[test]
fn live_sources_reach_the_analysis_with_brand_platform_and_sentiment() {
    let sources = start_sources();
    let dir = tempfile::tempdir().expect("temp dir");
    let config = write_config(dir.path(), &sources);
    let out = dir.path().join("enriched.jsonl");
    let run = vigie()
        .arg("--config")
        .arg(&config)
        .args([
            "--headless",
            "--exit-after",
            "6",
            "--start",
            "2026-11-25T11:59:00Z",
        ])
        .arg("--enriched-out")
        .arg(&out)
        .output()
        .expect("vigie runs");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let events = read_events(&out);
    let standing = standing(&events);
    let expect = |prefix: &str, brands: &[usize], platform: Platform, tone: Tone| {
        let (got_brands, got_platform, got_tone, text) = standing
            .get(prefix)
            .unwrap_or_else(|| panic!("'{prefix}' not in {:#?}", standing.keys()));
        assert_eq!(got_brands, brands, "{text}");
        assert_eq!(*got_platform, platform, "{text}");
        assert_eq!(*got_tone, tone, "{text}");
    };
    // Brands: 0 Petit Loup, 1 Mini Mousse, 2 Bébé Cargo, 3 Koala & Co.
    expect(
        "Franchement, les pyjamas",
        &[0],
        Platform::Mastodon,
        Tone::Positive,
    );
    expect(
        "The new Petit Loup poste",
        &[0],
        Platform::Mastodon,
        Tone::Negative,
    );
    expect(
        "Je déteste la nouvelle a",
        &[0],
        Platform::Bluesky,
        Tone::Negative,
    );
    expect(
        "Koala & Co a enfin des t",
        &[3],
        Platform::Bluesky,
        Tone::Positive,
    );
    expect(
        "Petit Loup répond enfin,",
        &[0],
        Platform::Bluesky,
        Tone::Positive,
    );
    expect(
        "Petit Loup retire son af",
        &[0],
        Platform::Press,
        Tone::Negative,
    );
    expect(
        "Mini Mousse ouvre trois ",
        &[1],
        Platform::Press,
        Tone::Positive,
    );
    assert!(standing.contains_key("coup de gueule\nLivraison"));
    // Léa's Mini Mousse post and the Bébé Cargo post were deleted at their source.
    assert!(!standing.keys().any(|k| k.starts_with("Quelqu'un connaît")));
    assert!(
        !standing
            .keys()
            .any(|k| k.starts_with("Bébé Cargo strollers"))
    );
    let retracted = events
        .iter()
        .filter(|e| matches!(e, AnalysisEvent::Retracted { .. }))
        .count();
    assert_eq!(retracted, 2);
    // Camille's edit replaced her post; the boost of Dan's post was not counted again.
    assert!(
        standing["Franchement, les pyjamas"]
            .3
            .ends_with("(et ils lavent bien)")
    );
    let counted_dan = events
        .iter()
        .filter(|e| matches!(e, AnalysisEvent::Counted(m) if m.mention.text.starts_with("The new Petit Loup")))
        .count();
    assert_eq!(counted_dan, 1);
    assert_eq!(standing.len(), 8, "{:#?}", standing.keys());
}

#[test]
fn a_recorded_session_replays_to_the_same_figures() {
    let sources = start_sources();
    let dir = tempfile::tempdir().expect("temp dir");
    let config = write_config(dir.path(), &sources);
    let recording = dir.path().join("day.jsonl");
    let run = vigie()
        .arg("--config")
        .arg(&config)
        .args(["record", "--exit-after", "5", "--out"])
        .arg(&recording)
        .output()
        .expect("vigie record runs");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let lines = std::fs::read_to_string(&recording).expect("recording");
    // Mastodon: 6 posts (the cut-off one is not one), an edit and a deletion; Jetstream: 4
    // brand posts and a deletion; the feed: 3 entries.
    assert_eq!(lines.lines().count(), 8 + 5 + 3, "{lines}");
    assert!(
        lines
            .lines()
            .any(|l| l.starts_with("{\"event\":\"delete\""))
    );

    // The fixtures are dated 2026-11-25 and `record` stamps the real reception time: moved
    // back to the fixtures' day, keeping their gaps, the replay's clock (the reception times)
    // finds them as fresh as they were live, whatever day the test runs.
    let first_received = lines
        .lines()
        .find_map(received_at)
        .expect("recorded lines carry received_at");
    let fixture_day: chrono::DateTime<chrono::Utc> =
        "2026-11-25T11:59:00Z".parse().expect("valid timestamp");
    let shift = first_received - fixture_day;
    let moved: Vec<String> = lines
        .lines()
        .map(|line| {
            let mut value: serde_json::Value = serde_json::from_str(line).expect("JSON line");
            if let Some(at) = received_at(line) {
                value["received_at"] = serde_json::json!(at - shift);
            }
            value.to_string()
        })
        .collect();
    std::fs::write(&recording, moved.join("\n") + "\n").expect("rewrite the recording");

    let out = dir.path().join("replayed.jsonl");
    let run = vigie()
        .arg("--config")
        .arg(&config)
        .arg("replay")
        .arg(&recording)
        .args([
            "--headless",
            "--speed",
            "600",
            "--exit-after",
            "4",
            "--enriched-out",
        ])
        .arg(&out)
        .output()
        .expect("vigie replay runs");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let replayed = standing(&read_events(&out));
    assert_eq!(replayed.len(), 8, "{:#?}", replayed.keys());
}

fn received_at(line: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let value: serde_json::Value = serde_json::from_str(line).ok()?;
    value.get("received_at")?.as_str()?.parse().ok()
}

#[test]
fn a_restarted_wall_resumes_its_streams_where_the_history_says_they_stopped() {
    let sources = start_sources();
    let dir = tempfile::tempdir().expect("temp dir");
    let config = write_config(dir.path(), &sources);
    let run = |seconds: &str| {
        let out = vigie()
            .arg("--config")
            .arg(&config)
            .args(["--headless", "--exit-after", seconds])
            .env("NO_COLOR", "1")
            .output()
            .expect("vigie runs");
        let log = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "{log}");
        log
    };
    run("4");
    // The cursors went to the history with the posts they follow.
    let store = vigie::store::Store::open(&dir.path().join("data")).expect("history");
    let checkpoints = store.checkpoints().expect("checkpoints");
    drop(store);
    // A message's time (at most one a second is kept: a restart may read a second again, and
    // the dedupe drops it).
    let times: Vec<String> = fixture("jetstream/messages.jsonl")
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["time_us"].as_i64())
        .map(|t| t.to_string())
        .collect();
    let cursor = checkpoints.get("bluesky").expect("a Jetstream cursor");
    assert!(times.contains(cursor), "{cursor} not in {times:?}");
    assert!(checkpoints.contains_key("mastodon"), "{checkpoints:?}");
    // The next start goes on from there.
    let log = run("2");
    assert!(
        log.contains(&format!(
            "resuming where it stopped source=\"bluesky\" cursor=\"{cursor}\""
        )),
        "{log}"
    );
    assert!(
        log.contains(&format!("resume_from=Some({cursor})")),
        "{log}"
    );
}
