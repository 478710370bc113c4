//! Alert sinks against local webhook receivers: retries with backoff until the receiver takes
//! the alert, both payload formats, and a dead receiver that does not hold anything up.

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::StatusCode;
use axum::routing::post;
use chrono::{TimeZone, Utc};

use support::TestServer;
use vigie::alerts::sinks::{AlertSinkConfig, Handled, Retry, SinkEvent, SinkFormat, start_sinks};
use vigie::alerts::{Alert, AlertChange, EvidencePost, Severity, Trigger};
use vigie::i18n::Locale;
use vigie::model::{Platform, Tone};

/// Records every body it receives and answers 500 to the first `failures` requests.
fn receiver(failures: usize) -> (TestServer, Arc<Mutex<Vec<(Instant, serde_json::Value)>>>) {
    let received: Arc<Mutex<Vec<(Instant, serde_json::Value)>>> = Arc::default();
    let log = received.clone();
    let router = Router::new().route(
        "/hook",
        post(move |body: axum::Json<serde_json::Value>| {
            let log = log.clone();
            async move {
                let mut log = log.lock().expect("log");
                log.push((Instant::now(), body.0));
                if log.len() <= failures {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::OK
                }
            }
        }),
    );
    (TestServer::start(router), received)
}

fn alert() -> Alert {
    let at = Utc
        .with_ymd_and_hms(2026, 11, 20, 10, 0, 20)
        .single()
        .expect("time");
    Alert {
        id: 7,
        rule: "post-viral".into(),
        severity: Severity::Critical,
        brand: Some("Petit Loup".into()),
        trigger: Trigger::ViralPost {
            per_minute: 11_580.0,
            engagement: 57_900,
        },
        summary: "Petit Loup : un message devient viral, +11580 interactions/min (57900 au total)"
            .into(),
        evidence: vec![EvidencePost {
            id: "x:1".into(),
            author: "lucie.parentalite".into(),
            text: "Les nouvelles affiches @petitloup en magasin…".into(),
            url: Some("https://x.example/lucie/1".into()),
            platform: Platform::X,
            engagement: 57_900,
            tone: Tone::Negative,
        }],
        started_at: at,
        updated_at: at,
        ended_at: None,
    }
}

fn sink(name: &str, url: String, format: SinkFormat) -> AlertSinkConfig {
    AlertSinkConfig {
        name: name.into(),
        format,
        url: Some(url),
        url_env: None,
        min_severity: Severity::Warning,
        send_updates: false,
    }
}

fn fast_retry() -> Retry {
    Retry {
        first_wait: Duration::from_millis(200),
        max_wait: Duration::from_secs(2),
        attempts: 6,
        timeout: Duration::from_secs(2),
    }
}

fn wait_for(received: &Mutex<Vec<(Instant, serde_json::Value)>>, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while received.lock().expect("log").len() < n && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_receiver_that_fails_twice_gets_the_alert_on_the_third_try() {
    let (server, received) = receiver(2);
    let (tx, rx) = crossbeam_channel::bounded(16);
    let sinks = start_sinks(
        vec![sink("astreinte", server.url("/hook"), SinkFormat::Json)],
        Locale::Fr,
        rx,
        fast_retry(),
    )
    .expect("sinks start");
    tx.send(AlertChange::Raised(alert()).into()).expect("send");
    wait_for(&received, 3);
    std::thread::sleep(Duration::from_millis(600));
    let log = received.lock().expect("log").clone();
    assert_eq!(
        log.len(),
        3,
        "exactly three tries, the third accepted: {log:?}"
    );
    // The same alert each time, as generic JSON.
    for (_, body) in &log {
        assert_eq!(body["event"], "raised");
        assert_eq!(body["alert"]["rule"], "post-viral");
        assert_eq!(body["alert"]["severity"], "critical");
        assert_eq!(body["alert"]["trigger"]["kind"], "viral_post");
        assert_eq!(body["alert"]["evidence"][0]["author"], "lucie.parentalite");
    }
    // Backoff: the second wait is about twice the first.
    let first = log[1].0 - log[0].0;
    let second = log[2].0 - log[1].0;
    assert!(first >= Duration::from_millis(180), "{first:?}");
    assert!(second >= Duration::from_millis(360), "{second:?}");
    drop(tx);
    sinks.finish(Duration::from_secs(5));
}

#[test]
fn slack_format_sends_text_and_a_dead_receiver_holds_nothing_up() {
    let (slack, received) = receiver(0);
    let (tx, rx) = crossbeam_channel::bounded(16);
    let dead = sink("mort", "http://127.0.0.1:9/hook".into(), SinkFormat::Json);
    let sinks = start_sinks(
        vec![dead, sink("slack", slack.url("/hook"), SinkFormat::Slack)],
        Locale::Fr,
        rx,
        fast_retry(),
    )
    .expect("sinks start");
    let started = Instant::now();
    tx.send(AlertChange::Raised(alert()).into()).expect("send");
    let mut updated = alert();
    updated.summary.push_str(" (bis)");
    // Updates are not sent by default; the end is.
    tx.send(AlertChange::Updated(updated.clone()).into())
        .expect("send");
    updated.ended_at = Some(updated.started_at);
    tx.send(AlertChange::Ended(updated).into()).expect("send");
    wait_for(&received, 2);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the dead sink held the others up"
    );
    let log = received.lock().expect("log").clone();
    assert_eq!(log.len(), 2, "{log:?}");
    let text = log[0].1["text"].as_str().expect("text");
    assert!(
        text.starts_with("🔴 *CRITIQUE* — Petit Loup : un message devient viral"),
        "{text}"
    );
    assert!(
        text.contains("\n> @lucie.parentalite (X): Les nouvelles affiches"),
        "{text}"
    );
    let ended = log[1].1["text"].as_str().expect("text");
    assert!(ended.contains("(terminée)"), "{ended}");
    drop(tx);
    // The dead sink is still retrying: finishing waits its grace, not its whole patience.
    let stopping = Instant::now();
    sinks.finish(Duration::from_millis(500));
    assert!(stopping.elapsed() < Duration::from_secs(2));
}

#[test]
fn sinks_below_their_severity_are_skipped() {
    let (server, received) = receiver(0);
    let (tx, rx) = crossbeam_channel::bounded(16);
    let mut only_critical = sink("crise", server.url("/hook"), SinkFormat::Json);
    only_critical.min_severity = Severity::Critical;
    let sinks =
        start_sinks(vec![only_critical], Locale::En, rx, fast_retry()).expect("sinks start");
    let mut warning = alert();
    warning.severity = Severity::Warning;
    tx.send(AlertChange::Raised(warning).into()).expect("send");
    tx.send(AlertChange::Raised(alert()).into()).expect("send");
    wait_for(&received, 1);
    std::thread::sleep(Duration::from_millis(300));
    let log = received.lock().expect("log").clone();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].1["alert"]["severity"], "critical");
    drop(tx);
    sinks.finish(Duration::from_secs(5));
}

#[test]
fn a_sink_hears_when_the_room_takes_an_alert_in_hand_and_resolves_it() {
    let (server, received) = receiver(0);
    let (slack, slack_received) = receiver(0);
    let (tx, rx) = crossbeam_channel::bounded(16);
    let sinks = start_sinks(
        vec![
            sink("astreinte", server.url("/hook"), SinkFormat::Json),
            sink("slack", slack.url("/hook"), SinkFormat::Slack),
        ],
        Locale::En,
        rx,
        fast_retry(),
    )
    .expect("sinks start");
    let at = alert().started_at + chrono::TimeDelta::minutes(3);
    for resolved in [None, Some("posters taken down".to_string())] {
        tx.send(SinkEvent::Handled(Handled {
            alert: alert(),
            by: "camille".into(),
            at,
            resolved,
        }))
        .expect("send");
    }
    wait_for(&received, 2);
    wait_for(&slack_received, 2);
    let log = received.lock().expect("log").clone();
    let json: Vec<&serde_json::Value> = log.iter().map(|(_, body)| body).collect();
    assert_eq!(json.len(), 2, "{log:?}");
    assert_eq!(json[0]["event"], "acknowledged");
    assert_eq!(json[0]["by"], "camille");
    assert_eq!(json[0]["alert"]["rule"], "post-viral");
    assert_eq!(json[1]["event"], "resolved");
    assert_eq!(json[1]["note"], "posters taken down");
    let slack_log = slack_received.lock().expect("log").clone();
    let texts: Vec<&str> = slack_log
        .iter()
        .filter_map(|(_, body)| body["text"].as_str())
        .collect();
    assert_eq!(texts.len(), 2, "{log:?}");
    assert!(
        texts[0].starts_with("👀 *Handled* by camille at "),
        "{}",
        texts[0]
    );
    assert!(texts[1].ends_with("\n> posters taken down"), "{}", texts[1]);
    drop(tx);
    sinks.finish(Duration::from_secs(5));
}
