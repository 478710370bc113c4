//! Mastodon (server-sent events) and Bluesky Jetstream (WebSocket) against local servers that
//! speak their wire formats, with the fixtures of tests/fixtures/: normal flow, a disconnect
//! and its resume, malformed messages, 401 and 429, silent servers, a 10 MB message.

mod support;

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::RawQuery;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::StreamExt;
use futures_util::stream::{self, BoxStream};

use support::*;
use vigie::ingest::bluesky::BlueskySource;
use vigie::ingest::mastodon::MastodonSource;
use vigie::model::{HealthState, SourceEvent};

const WAIT: Duration = Duration::from_secs(15);

fn uri(user_host: &str, id: u64) -> String {
    let (user, host) = user_host.split_once('@').expect("user@host");
    format!("mastodon:https://{host}/users/{user}/statuses/1156120000000001{id:02}")
}

/// The stream transcript of the fixture, one event (with its blank line) per item.
fn transcript_events() -> Vec<String> {
    fixture("mastodon/stream.sse")
        .split_inclusive("\n\n")
        .map(str::to_string)
        .collect()
}

/// The `update` event of the fixture status with this id suffix.
fn update_event(id: u64) -> String {
    let needle = format!("\"id\": \"1156120000000001{id:02}\"");
    transcript_events()
        .into_iter()
        .find(|e| e.starts_with("event: update") && e.contains(&needle))
        .unwrap_or_else(|| panic!("no update {id} in the transcript"))
}

enum Tail {
    /// Heartbeats every 300 ms, for ever.
    Heartbeats,
    /// The server ends the response.
    Close,
    /// Nothing more, connection left open.
    Silence,
}

/// An SSE response: `text` cut into 97-byte chunks (so events straddle chunks), then `tail`.
fn sse(text: String, tail: Tail) -> Response {
    let bytes = text.into_bytes();
    // Small chunks cut events anywhere; a huge body goes in larger ones to keep the test quick.
    let size = if bytes.len() > 1_000_000 {
        64 * 1024
    } else {
        97
    };
    let chunks: Vec<Result<Bytes, Infallible>> = bytes
        .chunks(size)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    let head = stream::iter(chunks);
    let body: BoxStream<'static, Result<Bytes, Infallible>> = match tail {
        Tail::Close => head.boxed(),
        Tail::Silence => head.chain(stream::pending()).boxed(),
        Tail::Heartbeats => head
            .chain(stream::unfold((), |()| async {
                tokio::time::sleep(Duration::from_millis(300)).await;
                Some((Ok(Bytes::from_static(b":thump\n\n")), ()))
            }))
            .boxed(),
    };
    Response::builder()
        .header(header::CONTENT_TYPE, "text/event-stream")
        .body(Body::from_stream(body))
        .expect("response")
}

fn mastodon(server: &TestServer) -> MastodonSource {
    MastodonSource::all(
        "mastodon",
        &[server.url("")],
        &["public".to_string()],
        None,
        1,
    )
    .into_iter()
    .next()
    .expect("one source")
    .with_limits(test_limits())
}

/// The fixture timeline (newest first), keeping statuses newer than `min_id` when given.
fn timeline_after(query: Option<&str>) -> String {
    let all: Vec<serde_json::Value> =
        serde_json::from_str(&fixture("mastodon/timeline.json")).expect("fixture");
    let min_id = query.and_then(|q| {
        q.split('&')
            .find_map(|kv| kv.strip_prefix("min_id="))
            .map(str::to_string)
    });
    let kept: Vec<&serde_json::Value> = all
        .iter()
        .filter(|s| {
            let id = s["id"].as_str().unwrap_or_default();
            min_id.as_deref().is_none_or(|min| id > min)
        })
        .collect();
    serde_json::to_string(&kept).expect("json")
}

#[test]
fn mastodon_stream_gives_posts_edits_and_deletions_as_plain_text() {
    let router = Router::new().route(
        "/api/v1/streaming/public",
        get(|| async { sse(fixture("mastodon/stream.sse"), Tail::Heartbeats) }),
    );
    let server = TestServer::start(router);
    let running = Running::start(Box::new(mastodon(&server)));
    let events = running.collect_until(WAIT, |e| {
        e.iter().any(|e| matches!(e, SourceEvent::Delete { .. }))
    });
    assert_eq!(
        described(&events),
        vec![
            format!("post {}", uri("camille@mastodon.social", 1)),
            format!("post {}", uri("dan@mastodon.online", 2)),
            format!("post {}", uri("lea@mastodon.social", 3)),
            format!("post {}", uri("tom@mastodon.social", 4)),
            format!("post {}", uri("ines@mastodon.social", 5)),
            // Sam's boost stands for Dan's post: the same id, counted once by the analysis.
            format!("post {}", uri("dan@mastodon.online", 2)),
            format!("edit {}", uri("camille@mastodon.social", 1)),
            format!("delete {}", uri("lea@mastodon.social", 3)),
        ]
    );
    let posts = posts(&events);
    assert_eq!(
        posts[0].text,
        "Franchement, les pyjamas #PetitLoup sont géniaux, ma fille les adore !"
    );
    assert_eq!(posts[0].author.handle, "camille@mastodon.social");
    assert_eq!(posts[0].author.reach, 412);
    assert_eq!(posts[0].lang.as_deref(), Some("fr"));
    assert_eq!(posts[1].author.handle, "dan@mastodon.online");
    assert_eq!(
        posts[2].text,
        "Quelqu'un connaît Mini Mousse ?\nLeurs bodies ont l'air bien."
    );
    assert_eq!(
        posts[4].text,
        "coup de gueule\nLivraison Petit Loup en retard, service client injoignable… example.fr/plainte"
    );
    let health = running.health();
    assert_eq!(health.malformed, 1, "the cut-off update is counted");
    assert_eq!(health.state, HealthState::Live);
}

#[test]
fn mastodon_reconnect_reads_the_gap_from_the_timeline_and_loses_nothing() {
    let connections = Arc::new(AtomicUsize::new(0));
    let timeline_queries = Arc::new(Mutex::new(Vec::<String>::new()));
    let conn = connections.clone();
    let queries = timeline_queries.clone();
    let router = Router::new()
        .route(
            "/api/v1/streaming/public",
            get(move || {
                let n = conn.fetch_add(1, Ordering::SeqCst);
                async move {
                    if n == 0 {
                        // Two statuses, then the connection drops.
                        sse(update_event(1) + &update_event(2), Tail::Close)
                    } else {
                        // Live again: 5 was posted as we reconnected, so it is both in the
                        // backfill and on the stream.
                        sse(update_event(5) + &update_event(6), Tail::Heartbeats)
                    }
                }
            }),
        )
        .route(
            "/api/v1/timelines/public",
            get(move |RawQuery(query): RawQuery| {
                let query = query.unwrap_or_default();
                queries.lock().expect("lock").push(query.clone());
                async move { timeline_after(Some(&query)) }
            }),
        );
    let server = TestServer::start(router);
    let running = Running::start(Box::new(mastodon(&server)));
    let events = running.collect_until(WAIT, |e| {
        posts(e)
            .iter()
            .any(|m| m.id == uri("dan@mastodon.online", 2) && m.author.handle.starts_with("dan"))
            && described(e).len() >= 7
    });
    let ids: Vec<String> = posts(&events).iter().map(|m| m.id.clone()).collect();
    let mut distinct = ids.clone();
    distinct.sort();
    distinct.dedup();
    let mut expected: Vec<String> = [
        ("camille@mastodon.social", 1),
        ("dan@mastodon.online", 2),
        ("lea@mastodon.social", 3),
        ("tom@mastodon.social", 4),
        ("ines@mastodon.social", 5),
    ]
    .iter()
    .map(|(who, id)| uri(who, *id))
    .collect();
    expected.sort();
    assert_eq!(
        distinct, expected,
        "no gap: every status, from stream or backfill"
    );
    let queries = timeline_queries.lock().expect("lock").clone();
    assert!(
        queries[0].contains("min_id=115612000000000102"),
        "the backfill starts after the last status seen: {queries:?}"
    );
    assert_eq!(connections.load(Ordering::SeqCst), 2);

    // What the source sends twice (the overlap, the boost) the analysis counts once.
    let config = vigie::config::Config::load(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/config.toml"
    )))
    .expect("config");
    let mut analyzer =
        vigie::analysis::Analyzer::new(&config.analysis_settings()).expect("analyzer");
    let now = "2026-11-25T12:00:00Z".parse().expect("time");
    let counted = events
        .into_iter()
        .filter(|e| {
            matches!(
                analyzer.handle(e.clone(), now),
                vigie::analysis::Outcome::Matched(_)
            )
        })
        .count();
    // Camille, Dan and Inès name Petit Loup; Léa names Mini Mousse; Tom names no brand.
    assert_eq!(counted, 4);
}

#[test]
fn mastodon_refused_stream_is_polled_and_a_429_waits_its_retry_after() {
    let calls = Arc::new(Mutex::new(Vec::<Instant>::new()));
    let seen = calls.clone();
    let router = Router::new()
        .route(
            "/api/v1/streaming/public",
            get(|| async { (StatusCode::NOT_FOUND, "streaming disabled") }),
        )
        .route(
            "/api/v1/timelines/public",
            get(move |RawQuery(query): RawQuery| {
                let mut calls = seen.lock().expect("lock");
                calls.push(Instant::now());
                let first = calls.len() == 1;
                async move {
                    if first {
                        (
                            StatusCode::TOO_MANY_REQUESTS,
                            [(header::RETRY_AFTER, "2")],
                            String::new(),
                        )
                            .into_response()
                    } else {
                        timeline_after(query.as_deref()).into_response()
                    }
                }
            }),
        );
    let server = TestServer::start(router);
    let running = Running::start(Box::new(mastodon(&server)));
    let limited = running.wait_health(WAIT, |h| failed_reason(h).is_some());
    assert_eq!(
        failed_reason(&limited),
        Some("429: rate limited, retry in 2s")
    );
    let events = running.collect(5, WAIT);
    assert_eq!(posts(&events).len(), 5, "{:?}", described(&events));
    assert_eq!(
        running.health().state,
        HealthState::Live,
        "delivering again"
    );
    // Oldest first, as posted: the timeline comes newest first.
    assert!(
        posts(&events)
            .windows(2)
            .all(|w| w[0].created_at <= w[1].created_at)
    );
    let calls = calls.lock().expect("lock").clone();
    assert!(
        calls[1] - calls[0] >= Duration::from_secs(2),
        "the second poll waited for Retry-After: {:?}",
        calls[1] - calls[0]
    );
}

#[test]
fn mastodon_bad_token_reads_401_on_the_badge() {
    let router = Router::new()
        .route(
            "/api/v1/streaming/public",
            get(|| async {
                (
                    StatusCode::UNAUTHORIZED,
                    "{\"error\":\"The access token is invalid\"}",
                )
            }),
        )
        .route(
            "/api/v1/timelines/public",
            get(|| async {
                (
                    StatusCode::UNAUTHORIZED,
                    "{\"error\":\"The access token is invalid\"}",
                )
            }),
        );
    let server = TestServer::start(router);
    let running = Running::start(Box::new(mastodon(&server)));
    let health = running.wait_health(WAIT, |h| failed_reason(h).is_some());
    assert_eq!(failed_reason(&health), Some("401: bad or missing token"));
    assert!(running.rx.try_recv().is_err());
}

#[test]
fn mastodon_silent_servers_time_out_and_the_source_reconnects() {
    // Accepts and never answers.
    let silent = SilentServer::start();
    let source = MastodonSource::all(
        "mastodon",
        &[format!("http://{}", silent.addr)],
        &["public".to_string()],
        None,
        1,
    )
    .remove(0)
    .with_limits(test_limits());
    let running = Running::start(Box::new(source));
    let health = running.wait_health(WAIT, |h| failed_reason(h).is_some());
    assert_eq!(failed_reason(&health), Some("server silent for 1s"));
    let deadline = Instant::now() + WAIT;
    while silent.accepted.load(Ordering::SeqCst) < 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        silent.accepted.load(Ordering::SeqCst) >= 2,
        "it tried again"
    );
    drop(running);

    // Answers, sends one status, then goes quiet without heartbeats.
    let connections = Arc::new(AtomicUsize::new(0));
    let conn = connections.clone();
    let router = Router::new().route(
        "/api/v1/streaming/public",
        get(move || {
            conn.fetch_add(1, Ordering::SeqCst);
            async { sse(update_event(1), Tail::Silence) }
        }),
    );
    let server = TestServer::start(router);
    let running = Running::start(Box::new(mastodon(&server)));
    let first = running.collect(1, WAIT);
    assert_eq!(posts(&first).len(), 1);
    let deadline = Instant::now() + WAIT;
    while connections.load(Ordering::SeqCst) < 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        connections.load(Ordering::SeqCst),
        2,
        "a silent stream is dropped and reopened"
    );
}

#[test]
fn mastodon_ten_megabytes_are_refused_cleanly() {
    // On the stream: the huge event is skipped and counted; the next one arrives.
    let huge = format!("event: update\ndata: {}\n\n", ten_megabytes());
    let router = Router::new().route(
        "/api/v1/streaming/public",
        get(move || {
            let body = huge.clone() + &update_event(1);
            async move { sse(body, Tail::Heartbeats) }
        }),
    );
    let server = TestServer::start(router);
    let running = Running::start(Box::new(mastodon(&server)));
    let events = running.collect(1, WAIT);
    assert_eq!(
        described(&events),
        vec![format!("post {}", uri("camille@mastodon.social", 1))]
    );
    assert_eq!(running.health().malformed, 1);
    drop(running);

    // As a timeline body: refused, named on the badge.
    let router = Router::new()
        .route(
            "/api/v1/streaming/public",
            get(|| async { StatusCode::NOT_FOUND }),
        )
        .route(
            "/api/v1/timelines/public",
            get(|| async { ten_megabytes() }),
        );
    let server = TestServer::start(router);
    let running = Running::start(Box::new(mastodon(&server)));
    let health = running.wait_health(WAIT, |h| failed_reason(h).is_some());
    assert_eq!(
        failed_reason(&health),
        Some("body over 1048576 bytes refused")
    );
}

// ---------------------------------------------------------------------------------------------
// Bluesky Jetstream
// ---------------------------------------------------------------------------------------------

/// What a Jetstream test server does on one connection.
enum Ws {
    Send(String),
    /// Sends a close frame and ends the connection.
    Close,
    /// Stays connected, sending nothing.
    Hang,
}

/// A WebSocket server; `script(connection, request_uri)` says what each connection gets.
fn jetstream_server(
    script: impl Fn(usize, &str) -> Vec<Ws> + Send + Sync + 'static,
) -> (TestServer, Arc<Mutex<Vec<String>>>) {
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::handshake::server::{Request, Response as WsResponse};
    let server = TestServer::start(Router::new());
    let uris = Arc::new(Mutex::new(Vec::new()));
    let seen = uris.clone();
    let listener = server
        .runtime()
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    let script = Arc::new(script);
    server.runtime().spawn(async move {
        let mut n = 0;
        while let Ok((stream, _)) = listener.accept().await {
            let seen = seen.clone();
            let script = script.clone();
            let index = n;
            n += 1;
            tokio::spawn(async move {
                let mut uri = String::new();
                // The callback's error type is tungstenite's, not ours to shrink.
                #[allow(clippy::result_large_err)]
                let callback = |request: &Request, response: WsResponse| {
                    uri = request.uri().to_string();
                    Ok(response)
                };
                let Ok(mut socket) = tokio_tungstenite::accept_hdr_async(stream, callback).await
                else {
                    return;
                };
                seen.lock().expect("lock").push(uri.clone());
                for action in script(index, &uri) {
                    match action {
                        Ws::Send(text) => {
                            if futures_util::SinkExt::send(&mut socket, Message::text(text))
                                .await
                                .is_err()
                            {
                                return;
                            }
                        }
                        Ws::Close => {
                            let _ = socket.close(None).await;
                            return;
                        }
                        Ws::Hang => std::future::pending::<()>().await,
                    }
                }
                // Then stay open, as Jetstream does between messages.
                while socket.next().await.is_some() {}
            });
        }
    });
    let server = TestServer { addr, ..server };
    (server, uris)
}

fn jetstream_lines() -> Vec<String> {
    fixture("jetstream/messages.jsonl")
        .lines()
        .map(str::to_string)
        .collect()
}

fn bluesky(server: &TestServer) -> BlueskySource {
    let config = vigie::config::Config::load(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/config.toml"
    )))
    .expect("config");
    BlueskySource::new(
        "bluesky".into(),
        format!("ws://{}/subscribe", server.addr),
        vigie::analysis::matching::BrandMatcher::new(&config.brands).expect("matcher"),
    )
    .with_limits(test_limits())
}

const POST_A: &str =
    "bluesky:at://did:plc:ewvi7nxzyoun6zhxrhs64oiz/app.bsky.feed.post/3lbgsvd2chk2a";
const POST_B: &str =
    "bluesky:at://did:plc:q6gjnaw2blty4crticxkmujt/app.bsky.feed.post/3lbgsvf4p4s2b";
const POST_C: &str =
    "bluesky:at://did:plc:q6gjnaw2blty4crticxkmujt/app.bsky.feed.post/3lbgsvk2ouk2d";
const POST_D: &str =
    "bluesky:at://did:plc:ewvi7nxzyoun6zhxrhs64oiz/app.bsky.feed.post/3lbgsvn4ar22e";

#[test]
fn jetstream_keeps_brand_posts_passes_their_deletion_and_skips_malformed_messages() {
    let (server, uris) = jetstream_server(|_, _| {
        let mut actions: Vec<Ws> = Vec::new();
        let lines = jetstream_lines();
        actions.extend(lines[..3].iter().cloned().map(Ws::Send));
        actions.push(Ws::Send("{\"did\":\"did:plc:x\",\"time_us\":".into()));
        actions.extend(lines[3..].iter().cloned().map(Ws::Send));
        actions
    });
    let running = Running::start(Box::new(bluesky(&server)));
    let events = running.collect_until(WAIT, |e| {
        e.iter().any(|e| matches!(e, SourceEvent::Delete { .. }))
    });
    assert_eq!(
        described(&events),
        vec![
            format!("post {POST_A}"),
            format!("post {POST_B}"),
            // The weather post names no brand; the like and the account event are not posts.
            format!("post {POST_C}"),
            format!("post {POST_D}"),
            format!("delete {POST_B}"),
        ]
    );
    let first = posts(&events)[0];
    assert_eq!(
        first.author.handle, "maman-ours.bsky.social",
        "handle from the identity event"
    );
    assert_eq!(first.lang.as_deref(), Some("fr"));
    assert_eq!(
        first.url.as_deref(),
        Some("https://bsky.app/profile/did:plc:ewvi7nxzyoun6zhxrhs64oiz/post/3lbgsvd2chk2a")
    );
    assert_eq!(running.health().malformed, 1);
    assert!(uris.lock().expect("lock")[0].contains("wantedCollections=app.bsky.feed.post"));
}

#[test]
fn jetstream_resumes_from_its_cursor_after_a_disconnect_with_no_gap() {
    let time_us = |line: &str| -> i64 {
        serde_json::from_str::<serde_json::Value>(line).expect("json")["time_us"]
            .as_i64()
            .expect("time_us")
    };
    let (server, uris) = jetstream_server(move |n, uri| {
        let lines = jetstream_lines();
        if n == 0 {
            // The identity and the first post, then the connection drops.
            let mut actions: Vec<Ws> = lines[..2].iter().cloned().map(Ws::Send).collect();
            actions.push(Ws::Close);
            return actions;
        }
        // Replay from the cursor, as Jetstream does.
        let cursor: i64 = uri
            .split(['?', '&'])
            .find_map(|kv| kv.strip_prefix("cursor="))
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        lines
            .into_iter()
            .filter(|l| time_us(l) >= cursor)
            .map(Ws::Send)
            .collect()
    });
    let running = Running::start(Box::new(bluesky(&server)));
    let events = running.collect_until(WAIT, |e| {
        e.iter().any(|e| matches!(e, SourceEvent::Delete { .. }))
    });
    let mut ids: Vec<String> = posts(&events).iter().map(|m| m.id.clone()).collect();
    ids.sort();
    ids.dedup();
    let mut expected = vec![
        POST_A.to_string(),
        POST_B.into(),
        POST_C.into(),
        POST_D.into(),
    ];
    expected.sort();
    assert_eq!(ids, expected);
    assert_eq!(
        running.health().state,
        HealthState::Live,
        "after the reset, delivering again"
    );
    let uris = uris.lock().expect("lock").clone();
    let first_post_time = time_us(&jetstream_lines()[1]);
    assert!(
        uris[1].ends_with(&format!("cursor={}", first_post_time - 1_000_000)),
        "resumed a second before the last message taken: {uris:?}"
    );
}

/// A server that answers every WebSocket upgrade with this raw HTTP response.
fn refusing_server(response: &'static str) -> std::net::SocketAddr {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("address");
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut buffer = [0u8; 4096];
            let _ = stream.read(&mut buffer);
            let _ = stream.write_all(response.as_bytes());
        }
    });
    addr
}

fn bluesky_at(addr: std::net::SocketAddr) -> BlueskySource {
    BlueskySource::new(
        "bluesky".into(),
        format!("ws://{addr}/subscribe"),
        vigie::analysis::matching::BrandMatcher::new(&[]).expect("matcher"),
    )
    .with_limits(test_limits())
}

#[test]
fn jetstream_refusals_and_silence_read_on_the_badge() {
    let addr = refusing_server("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n");
    let running = Running::start(Box::new(bluesky_at(addr)));
    let health = running.wait_health(WAIT, |h| failed_reason(h).is_some());
    assert_eq!(failed_reason(&health), Some("401: bad or missing token"));
    drop(running);

    let addr = refusing_server(
        "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 3\r\nContent-Length: 0\r\n\r\n",
    );
    let running = Running::start(Box::new(bluesky_at(addr)));
    let health = running.wait_health(WAIT, |h| failed_reason(h).is_some());
    assert_eq!(
        failed_reason(&health),
        Some("429: rate limited, retry in 3s")
    );
    drop(running);

    let silent = SilentServer::start();
    let running = Running::start(Box::new(bluesky_at(silent.addr)));
    let health = running.wait_health(WAIT, |h| failed_reason(h).is_some());
    assert_eq!(failed_reason(&health), Some("server silent for 1s"));
    drop(running);

    // Connected, then nothing: the idle limit drops the connection and a new one is made.
    let (server, uris) = jetstream_server(|n, _| {
        if n == 0 {
            vec![Ws::Send(jetstream_lines()[1].clone()), Ws::Hang]
        } else {
            vec![]
        }
    });
    let running = Running::start(Box::new(bluesky(&server)));
    assert_eq!(posts(&running.collect(1, WAIT)).len(), 1);
    let deadline = Instant::now() + WAIT;
    while uris.lock().expect("lock").len() < 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(uris.lock().expect("lock").len(), 2);
}

#[test]
fn jetstream_ten_megabyte_message_is_refused_and_the_stream_goes_on() {
    let (server, _uris) = jetstream_server(|n, _| {
        let lines = jetstream_lines();
        if n == 0 {
            vec![Ws::Send(format!(
                "{{\"did\":\"did:plc:x\",\"time_us\":1,\"kind\":\"commit\",\"pad\":\"{}\"}}",
                ten_megabytes()
            ))]
        } else {
            vec![Ws::Send(lines[1].clone())]
        }
    });
    let running = Running::start(Box::new(bluesky(&server)));
    let events = running.collect(1, WAIT);
    assert_eq!(described(&events), vec![format!("post {POST_A}")]);
    assert_eq!(running.health().malformed, 1);
}

/// A streaming host that wants the token, as mastodon.social's has since 4.2.
fn streaming_host() -> TestServer {
    TestServer::start(Router::new().route(
        "/api/v1/streaming/public",
        get(|headers: axum::http::HeaderMap| async move {
            let authorized = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                == Some("Bearer streaming-token");
            if authorized {
                sse(fixture("mastodon/stream.sse"), Tail::Heartbeats)
            } else {
                (
                    StatusCode::UNAUTHORIZED,
                    "{\"error\":\"Missing access token\"}",
                )
                    .into_response()
            }
        }),
    ))
}

fn mastodon_with_token(server: &TestServer) -> MastodonSource {
    mastodon(server).with_token("streaming-token".into())
}

#[test]
fn mastodon_streams_from_the_host_its_instance_names_or_redirects_to() {
    // The instance names its streaming host (ws://…, as instances do) and redirects to it.
    let streaming = streaming_host();
    let named = streaming.url("").replacen("http://", "ws://", 1);
    let to = streaming.url("/api/v1/streaming/public");
    let instance = TestServer::start(
        Router::new()
            .route(
                "/api/v2/instance",
                get(move || {
                    let named = named.clone();
                    async move {
                        axum::Json(serde_json::json!({
                            "domain": "mastodon.example",
                            "configuration": {"urls": {"streaming": named}}
                        }))
                    }
                }),
            )
            .route(
                "/api/v1/streaming/public",
                get(move || {
                    let to = to.clone();
                    async move { axum::response::Redirect::temporary(&to) }
                }),
            ),
    );
    let running = Running::start(Box::new(mastodon_with_token(&instance)));
    let events = running.collect(3, WAIT);
    assert_eq!(posts(&events).len(), 3, "streamed: {:?}", running.health());
    assert_eq!(running.health().state, HealthState::Live);
    drop(running);

    // An instance that only redirects (no instance API): the redirect is followed with the
    // token, where an HTTP client would drop it on the way to another host.
    let to = streaming.url("/api/v1/streaming/public");
    let redirecting = TestServer::start(Router::new().route(
        "/api/v1/streaming/public",
        get(move || {
            let to = to.clone();
            async move { axum::response::Redirect::permanent(&to) }
        }),
    ));
    let running = Running::start(Box::new(mastodon_with_token(&redirecting)));
    let events = running.collect(3, WAIT);
    assert_eq!(posts(&events).len(), 3, "streamed: {:?}", running.health());
}

// ---------------------------------------------------------------------------------------------
// Bluesky backfill from search
// ---------------------------------------------------------------------------------------------

/// Bluesky's search, page 1 then page 2 (by `cursor`); the queries it was asked.
fn bluesky_search(status: StatusCode) -> (TestServer, Arc<Mutex<Vec<String>>>) {
    let asked = Arc::new(Mutex::new(Vec::new()));
    let log = asked.clone();
    let router = axum::Router::new().route(
        "/xrpc/app.bsky.feed.searchPosts",
        axum::routing::get(move |RawQuery(query): RawQuery| {
            let query = query.unwrap_or_default();
            log.lock().expect("lock").push(query.clone());
            let page = if query.contains("cursor=100") { 2 } else { 1 };
            async move {
                if status.is_success() {
                    fixture(&format!("bluesky/search-{page}.json")).into_response()
                } else {
                    (status, "{\"error\":\"InternalServerError\"}").into_response()
                }
            }
        }),
    );
    (TestServer::start(router), asked)
}

fn backfill_from(search: &TestServer) -> vigie::ingest::bluesky::Backfill {
    vigie::ingest::bluesky::Backfill {
        base_url: search.url(""),
        terms: vec!["\"petit loup\"".into()],
        // The fixtures' posts are of 25 November 2026: a window that reaches them.
        window: Duration::from_secs(3 * 365 * 86_400),
        token: None,
    }
}

#[test]
fn a_new_wall_reads_the_last_hours_from_bluesky_search_before_the_stream() {
    let (server, _) = jetstream_server(|_, _| {
        jetstream_lines()[..2]
            .iter()
            .cloned()
            .map(Ws::Send)
            .collect()
    });
    let (search, asked) = bluesky_search(StatusCode::OK);
    let running = Running::start(Box::new(
        bluesky(&server).with_backfill(backfill_from(&search)),
    ));
    let events = running.collect(4, WAIT);
    assert_eq!(
        described(&events),
        vec![
            "post bluesky:at://did:plc:q6gjnaw2blty4crticxkmujt/app.bsky.feed.post/3lbgsaaa3"
                .to_string(),
            "post bluesky:at://did:plc:k3a/app.bsky.feed.post/3lbgsaaa2".into(),
            "post bluesky:at://did:plc:ewvi7nxzyoun6zhxrhs64oiz/app.bsky.feed.post/3lbgsaaa1"
                .into(),
            format!("post {POST_A}"),
        ],
        "the search's posts oldest first (the one naming no brand left out), then the stream's"
    );
    let posts = posts(&events);
    let poster = posts[2];
    assert_eq!(poster.author.handle, "maman-ours.bsky.social");
    assert_eq!(poster.author.display_name, "Maman Ours");
    assert!(
        poster
            .author
            .avatar
            .as_deref()
            .is_some_and(|a| a.contains("/img/avatar/"))
    );
    assert_eq!(
        (
            poster.engagement.likes,
            poster.engagement.shares,
            poster.engagement.replies
        ),
        (48, 15, 9),
        "reposts and quotes are shares"
    );
    let picture = poster.picture.as_ref().expect("a picture");
    assert!(picture.url.ends_with("/bafkreiaffiche@jpeg") && !picture.sensitive);
    let quote = posts[1].picture.as_ref().expect("the quote's picture");
    assert!(
        quote.url.contains("bafkreiquote") && quote.sensitive,
        "labelled graphic-media"
    );
    assert_eq!(
        posts[0].reply_to.as_deref(),
        Some("bluesky:at://did:plc:petitloup/app.bsky.feed.post/3lofficial")
    );
    let asked = asked.lock().expect("lock");
    assert_eq!(asked.len(), 2, "two pages");
    assert!(asked[0].contains("q=%22petit+loup%22") && asked[0].contains("sort=latest"));
    assert!(asked[0].contains("since="), "{}", asked[0]);
}

#[test]
fn a_wall_with_a_cursor_resumes_its_stream_and_a_failed_search_never_keeps_it_from_going_live() {
    let (server, _) = jetstream_server(|_, _| {
        jetstream_lines()[..2]
            .iter()
            .cloned()
            .map(Ws::Send)
            .collect()
    });
    let (search, asked) = bluesky_search(StatusCode::OK);
    let mut source = bluesky(&server).with_backfill(backfill_from(&search));
    vigie::ingest::Source::resume_from(&mut source, "1795607800000000");
    let running = Running::start(Box::new(source));
    let events = running.collect(1, WAIT);
    assert_eq!(described(&events), vec![format!("post {POST_A}")]);
    assert!(
        asked.lock().expect("lock").is_empty(),
        "the history covers the gap"
    );
    drop(running);

    let (server, _) = jetstream_server(|_, _| {
        jetstream_lines()[..2]
            .iter()
            .cloned()
            .map(Ws::Send)
            .collect()
    });
    let (search, asked) = bluesky_search(StatusCode::INTERNAL_SERVER_ERROR);
    let running = Running::start(Box::new(
        bluesky(&server).with_backfill(backfill_from(&search)),
    ));
    let events = running.collect(1, WAIT);
    assert_eq!(described(&events), vec![format!("post {POST_A}")]);
    assert_eq!(asked.lock().expect("lock").len(), 1);
}
