//! The trials every polled source goes through, against a scripted local server: normal
//! flow, a body cut mid-way then a good one (nothing lost, nothing twice), a malformed body,
//! 401, 429 with Retry-After, a server that never answers, and a 10 MB body.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::RawQuery;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::*;
use vigie::ingest::Source;

pub const WAIT: Duration = Duration::from_secs(15);

pub type MakeSource = fn(&TestServer) -> Box<dyn Source>;

/// What a scripted server was asked: when, the query string, the headers.
pub type Calls = Arc<Mutex<Vec<(Instant, String, HeaderMap)>>>;

/// A server for `path` whose n-th answer (from 0) is `answer(n)`; the queries it was asked.
pub fn scripted(
    path: &'static str,
    answer: impl Fn(usize) -> Response + Send + Sync + 'static,
) -> (TestServer, Calls) {
    let calls = Arc::new(Mutex::new(Vec::new()));
    let seen = calls.clone();
    let answer = Arc::new(answer);
    let router = Router::new().route(
        path,
        get(move |RawQuery(query): RawQuery, headers: HeaderMap| {
            let mut calls = seen.lock().expect("lock");
            let n = calls.len();
            calls.push((Instant::now(), query.unwrap_or_default(), headers));
            let response = answer(n);
            async move { response }
        }),
    );
    (TestServer::start(router), calls)
}

pub fn ok(body: String) -> Response {
    body.into_response()
}

/// Half the body, then the connection breaks.
pub fn cut(body: String) -> Response {
    let half = body.as_bytes()[..body.len() / 2].to_vec();
    let stream = futures_util::stream::iter(vec![
        Ok::<Bytes, std::io::Error>(Bytes::from(half)),
        Err(std::io::Error::other("connection reset")),
    ]);
    Response::builder()
        .header(header::CONTENT_LENGTH, body.len())
        .body(Body::from_stream(stream))
        .expect("response")
}

/// Every poll trial, for one source.
pub fn poll_trials(
    path: &'static str,
    good: &'static str,
    make: MakeSource,
    expected_posts: usize,
) {
    // A body cut mid-way, then a whole one: everything, once.
    let (server, _) = scripted(path, move |n| match n {
        0 => cut(fixture(good)),
        _ => ok(fixture(good)),
    });
    let running = Running::start(make(&server));
    let events = running.collect(expected_posts, WAIT);
    let mut ids: Vec<String> = posts(&events).iter().map(|m| m.id.clone()).collect();
    assert_eq!(
        ids.len(),
        expected_posts,
        "{path}: {:?}",
        described(&events)
    );
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), expected_posts, "{path}: nothing twice");
    drop(running);

    // A malformed body is counted, and the next poll goes on.
    let (server, _) = scripted(path, move |n| match n {
        0 => ok("{\"data\": [unclosed <rss".into()),
        _ => ok(fixture(good)),
    });
    let running = Running::start(make(&server));
    let events = running.collect(expected_posts, WAIT);
    assert_eq!(
        posts(&events).len(),
        expected_posts,
        "{path} after a malformed body"
    );
    assert_eq!(running.health().malformed, 1, "{path}");
    drop(running);

    // 401.
    let (server, _) = scripted(path, |_| (StatusCode::UNAUTHORIZED, "no").into_response());
    let running = Running::start(make(&server));
    let health = running.wait_health(WAIT, |h| failed_reason(h).is_some());
    assert!(
        failed_reason(&health).is_some_and(|r| r.starts_with("401: bad or missing token")),
        "{path}: {health:?}"
    );
    drop(running);

    // 429 with Retry-After: the next request waits for it.
    let (server, calls) = scripted(path, move |n| match n {
        0 => (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, "2")],
            "slow down",
        )
            .into_response(),
        _ => ok(fixture(good)),
    });
    let running = Running::start(make(&server));
    let health = running.wait_health(WAIT, |h| failed_reason(h).is_some());
    assert_eq!(
        failed_reason(&health),
        Some("429: rate limited, retry in 2s"),
        "{path}"
    );
    let events = running.collect(expected_posts, WAIT);
    assert_eq!(posts(&events).len(), expected_posts, "{path} after the 429");
    assert_eq!(
        running.health().state,
        vigie::model::HealthState::Live,
        "{path}: a source that delivers again is live, not failed for good"
    );
    let calls = calls.lock().expect("lock");
    assert!(
        calls[1].0 - calls[0].0 >= Duration::from_secs(2),
        "{path}: Retry-After honoured"
    );
    drop(calls);
    drop(running);

    // A server that accepts and never answers.
    let silent = SilentServer::start();
    let server = TestServer {
        addr: silent.addr,
        ..TestServer::start(Router::new())
    };
    let running = Running::start(make(&server));
    let health = running.wait_health(WAIT, |h| failed_reason(h).is_some());
    assert_eq!(
        failed_reason(&health),
        Some("server silent for 1s"),
        "{path}"
    );
    drop(running);

    // Ten megabytes.
    let (server, _) = scripted(path, |_| ok(ten_megabytes()));
    let running = Running::start(make(&server));
    let health = running.wait_health(WAIT, |h| failed_reason(h).is_some());
    assert_eq!(
        failed_reason(&health),
        Some("body over 1048576 bytes refused"),
        "{path}"
    );
    assert!(running.rx.try_recv().is_err());
}
