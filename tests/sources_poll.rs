//! The polled sources (RSS/Atom, Reddit, Hacker News) and the push webhook against local
//! servers and clients that speak their wire formats, with the fixtures of tests/fixtures/.
//! Each poll source goes through the same trials: normal flow, a body cut mid-way then a good
//! one (nothing lost, nothing twice), a malformed body, 401, 429 with Retry-After, a server that
//! never answers, and a 10 MB body.

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;

use support::poll::*;
use support::*;
use vigie::ingest::Source;
use vigie::ingest::feeds::FeedSource;
use vigie::ingest::hackernews::HackerNewsSource;
use vigie::ingest::reddit::RedditSource;
use vigie::ingest::webhook::WebhookSource;
use vigie::model::Platform;

fn feed_source(server: &TestServer) -> Box<dyn Source> {
    Box::new(
        FeedSource::all("press", &[server.url("/feed")], 1)
            .remove(0)
            .with_limits(test_limits()),
    )
}

fn reddit_source(server: &TestServer) -> Box<dyn Source> {
    Box::new(
        RedditSource::new(
            "reddit".into(),
            server.url(""),
            "\"petit loup\" OR \"mini mousse\"".into(),
            None,
            1,
        )
        .with_limits(test_limits()),
    )
}

fn hackernews_source(server: &TestServer) -> Box<dyn Source> {
    Box::new(
        HackerNewsSource::new(
            "hackernews".into(),
            server.url(""),
            vec!["petit loup".into()],
            1,
        )
        .with_limits(test_limits()),
    )
}

#[test]
fn feeds_read_rss_and_atom_and_ask_only_for_what_changed() {
    let (server, calls) = scripted("/feed", |n| match n {
        0 => ([(header::ETAG, "\"v1\"")], fixture("feeds/presse.rss")).into_response(),
        _ => StatusCode::NOT_MODIFIED.into_response(),
    });
    let running = Running::start(feed_source(&server));
    let events = running.collect(3, WAIT);
    let posts = posts(&events);
    assert_eq!(posts.len(), 3);
    // Oldest first.
    assert_eq!(
        posts[0].id,
        "press:https://www.journal-mode-enfant.fr/?p=48101"
    );
    let article = posts[2];
    assert_eq!(
        article.id,
        "press:https://www.journal-mode-enfant.fr/?p=48213"
    );
    assert_eq!(article.platform, Platform::Press);
    assert_eq!(
        article.text,
        "Petit Loup retire son affiche après la polémique\nFace à la colère des parents, la marque Petit Loup a retiré sa campagne jugée choquante et présente ses excuses."
    );
    assert_eq!(article.author.handle, "Le Journal de la Mode Enfant");
    assert_eq!(article.author.display_name, "Claire Martin");
    assert_eq!(article.lang.as_deref(), Some("fr"));
    assert_eq!(article.created_at.to_rfc3339(), "2026-11-25T11:57:30+00:00");
    // The next poll asks with the validator and gets a 304: nothing new is sent.
    let deadline = Instant::now() + WAIT;
    while calls.lock().expect("lock").len() < 3 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let calls = calls.lock().expect("lock");
    assert_eq!(
        calls[1]
            .2
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok()),
        Some("\"v1\"")
    );
    assert!(running.rx.try_recv().is_err());

    let atom = vigie::ingest::feeds::parse_feed(
        fixture("feeds/blog.atom").as_bytes(),
        "https://blog.example/atom",
        chrono::Utc::now(),
    )
    .expect("atom parses");
    assert_eq!(atom.len(), 2);
    assert_eq!(
        atom[0].text,
        "Koala & Co winter jackets: warm and affordable\nGreat jackets, we love them."
    );
    assert_eq!(
        atom[0].created_at.to_rfc3339(),
        "2026-11-25T11:30:00+00:00",
        "updated when not published"
    );
    assert_eq!(atom[1].lang.as_deref(), Some("en"));
    assert_eq!(atom[1].author.handle, "Parenting Gear Review");
}

#[test]
fn feeds_survive_every_trial() {
    poll_trials("/feed", "feeds/presse.rss", feed_source, 3);
}

#[test]
fn reddit_reads_the_search_listing_and_waits_when_its_rate_limit_is_spent() {
    let (server, calls) = scripted("/search.json", |n| match n {
        0 => (
            [("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "3")],
            fixture("reddit/search.json"),
        )
            .into_response(),
        _ => fixture("reddit/search.json").into_response(),
    });
    let running = Running::start(reddit_source(&server));
    let events = running.collect(3, WAIT);
    let posts = posts(&events);
    assert_eq!(posts.len(), 3);
    let top = posts[2];
    assert_eq!(top.id, "reddit:t3_1h2x9ka");
    assert_eq!(top.platform, Platform::Reddit);
    assert_eq!(
        top.text,
        "Petit Loup poster: what were they thinking?\nHonestly shocked by the ad & the silence since."
    );
    assert_eq!(top.author.handle, "u/lyon_dad");
    assert_eq!(top.author.reach, 2_800_000);
    assert_eq!(top.engagement.likes, 152);
    assert_eq!(top.engagement.replies, 48);
    assert_eq!(
        top.picture.as_ref().map(|p| (p.url.as_str(), p.sensitive)),
        Some((
            "https://preview.redd.it/affiche-petit-loup.jpg?width=1080&format=pjpg&s=abc123",
            false
        )),
        "the preview's address, unescaped"
    );
    let nsfw = posts
        .iter()
        .find(|m| m.id == "reddit:t3_1h2x7qb")
        .expect("post");
    assert_eq!(nsfw.picture, None, "\"nsfw\" is no address");
    assert!(
        posts
            .iter()
            .all(|m| m.picture.as_ref().is_none_or(|p| !p.url.is_empty()))
    );
    let deadline = Instant::now() + WAIT;
    while calls.lock().expect("lock").len() < 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let calls = calls.lock().expect("lock");
    assert!(calls[0].1.contains("sort=new") && calls[0].1.contains("q=%22petit+loup%22"));
    assert!(
        calls[1].0 - calls[0].0 >= Duration::from_secs(3),
        "waited for X-Ratelimit-Reset"
    );
    assert!(
        calls[0]
            .2
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ua| ua.starts_with("vigie/")),
        "a descriptive User-Agent"
    );
}

#[test]
fn reddit_survives_every_trial() {
    poll_trials("/search.json", "reddit/search.json", reddit_source, 3);
}

#[test]
fn hackernews_reads_stories_and_comments_from_the_newest_seen() {
    let (server, calls) = scripted("/api/v1/search_by_date", |_| {
        fixture("hackernews/search.json").into_response()
    });
    let running = Running::start(hackernews_source(&server));
    let events = running.collect(3, WAIT);
    let posts = posts(&events);
    assert_eq!(posts.len(), 3);
    assert_eq!(
        posts[0].text,
        "Ask HN: Koala & Co sizing?\nAnyone tried their jackets?"
    );
    assert_eq!(
        posts[1].text,
        "Petit Loup's response to the backlash was excellent, credit where due.\n↳ Retail brand crisis playbooks"
    );
    assert_eq!(posts[2].id, "hackernews:46112300");
    assert_eq!(
        posts[2].url.as_deref(),
        Some("https://news.ycombinator.com/item?id=46112300")
    );
    assert_eq!(posts[2].engagement.likes, 12);
    let deadline = Instant::now() + WAIT;
    while calls.lock().expect("lock").len() < 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let calls = calls.lock().expect("lock");
    let newest = 1_795_607_920; // 2026-11-25T11:58:40Z
    assert!(
        calls[1]
            .1
            .contains(&format!("numericFilters=created_at_i%3E%3D{newest}")),
        "the next poll starts from the newest item: {}",
        calls[1].1
    );
    assert!(calls[0].1.contains("tags=%28story%2Ccomment%29"));
}

#[test]
fn hackernews_survives_every_trial() {
    poll_trials(
        "/api/v1/search_by_date",
        "hackernews/search.json",
        hackernews_source,
        3,
    );
}

// ---------------------------------------------------------------------------------------------
// Push webhook
// ---------------------------------------------------------------------------------------------

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A webhook on `port` of 127.0.0.1, token `s3cret-token`, bodies up to 1 MB.
fn crm_webhook(port: u16) -> WebhookSource {
    WebhookSource::new(
        "crm".into(),
        format!("127.0.0.1:{port}"),
        "UNUSED_ENV".into(),
        1024 * 1024,
    )
    .with_token("s3cret-token".into())
}

#[test]
fn webhook_takes_good_items_names_bad_ones_and_refuses_strangers_and_floods() {
    let port = free_port();
    let source = crm_webhook(port);
    let running = Running::start(Box::new(source));
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let client = reqwest::Client::new();
    let url = format!("http://127.0.0.1:{port}/ingest");
    let post = |body: Vec<u8>, token: Option<&str>| {
        let mut request = client.post(&url).body(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        runtime.block_on(async {
            let deadline = Instant::now() + WAIT;
            loop {
                match request.try_clone().expect("clonable").send().await {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        return (status, response.text().await.unwrap_or_default());
                    }
                    // The server may still be binding.
                    Err(_) if Instant::now() < deadline => {
                        tokio::time::sleep(Duration::from_millis(50)).await
                    }
                    Err(error) => panic!("webhook unreachable: {error}"),
                }
            }
        })
    };

    let batch = fixture("webhook/batch.json").into_bytes();
    let (status, body) = post(batch.clone(), Some("s3cret-token"));
    assert_eq!(status, 202, "{body}");
    let answer: serde_json::Value = serde_json::from_str(&body).expect("json answer");
    assert_eq!(answer["accepted"], 2);
    assert_eq!(answer["rejected"][0]["index"], 2);
    assert!(
        answer["rejected"][0]["error"]
            .as_str()
            .unwrap_or_default()
            .contains("fax")
    );
    let events = running.collect(2, WAIT);
    let posts = posts(&events);
    assert_eq!(posts[0].id, "crm:ticket-88121");
    assert_eq!(posts[0].platform, Platform::Forum);
    assert_eq!(posts[1].platform, Platform::Other, "no platform given");
    assert_eq!(running.health().malformed, 1);

    assert_eq!(post(batch.clone(), Some("wrong")).0, 401);
    assert_eq!(post(batch.clone(), None).0, 401);
    // A stranger is refused before its body is read: a flood from one is a 401, not a 413.
    assert_eq!(post(ten_megabytes().into_bytes(), Some("wrong")).0, 401);
    // The scheme is case-insensitive (RFC 7235).
    let lower_case = runtime.block_on(async {
        client
            .post(&url)
            .header("Authorization", "bearer s3cret-token")
            .body(r#"{"id":"crm:ticket-88125","text":"Petit Loup, rien reçu"}"#)
            .send()
            .await
            .map(|r| r.status().as_u16())
    });
    assert_eq!(lower_case.ok(), Some(202));
    assert_eq!(
        described(&running.collect(1, WAIT)),
        vec!["post crm:ticket-88125".to_string()]
    );
    let (status, body) = post(b"{\"id\": \"x\", \"text\": ".to_vec(), Some("s3cret-token"));
    assert_eq!(status, 400);
    assert!(body.contains("line 1 column"), "{body}");
    assert_eq!(
        post(ten_megabytes().into_bytes(), Some("s3cret-token")).0,
        413
    );

    // A client that connects and never sends, and one that sends half a body and leaves, do
    // not stop the next sender.
    let idle = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    {
        use std::io::Write;
        let mut half = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
        let _ = half.write_all(
            b"POST /ingest HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s3cret-token\r\nContent-Length: 500\r\n\r\n{\"id\":\"crm:half\",",
        );
    }
    let one = br#"{"id":"crm:ticket-88130","text":"Petit Loup, merci !"}"#.to_vec();
    assert_eq!(post(one, Some("s3cret-token")).0, 202);
    let events = running.collect(1, WAIT);
    assert_eq!(
        described(&events),
        vec!["post crm:ticket-88130".to_string()],
        "nothing from the rejected bodies, the new one arrives"
    );
    drop(idle);
    assert!(running.rx.try_recv().is_err());
}

#[test]
fn a_webhook_whose_posts_cannot_be_stored_answers_503_and_never_202() {
    let port = free_port();
    let source = crm_webhook(port);
    let running = Running::start_storing(Box::new(source), false);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let answer = runtime.block_on(async {
        let deadline = Instant::now() + WAIT;
        loop {
            let sent = reqwest::Client::new()
                .post(format!("http://127.0.0.1:{port}/ingest"))
                .bearer_auth("s3cret-token")
                .body(r#"[{"id":"crm:1","text":"Petit Loup"},{"id":"crm:2","text":"Petit Loup"}]"#)
                .send()
                .await;
            match sent {
                Ok(response) => break response,
                Err(_) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(50)).await
                }
                Err(error) => panic!("webhook unreachable: {error}"),
            }
        }
    });
    assert_eq!(answer.status().as_u16(), 503);
    assert_eq!(
        answer
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("5")
    );
    let body = runtime.block_on(answer.text()).unwrap_or_default();
    assert!(body.contains("send them again"), "{body}");
    // The analysis had them: the sender's retry will be taken as a duplicate, not twice.
    assert_eq!(running.collect(2, WAIT).len(), 2);
}

#[test]
fn half_sent_requests_are_closed_after_the_header_deadline_and_senders_get_back_in() {
    use std::io::{Read, Write};
    let port = free_port();
    let source = crm_webhook(port);
    let running = Running::start(Box::new(source));
    let deadline = Instant::now() + WAIT;
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the webhook never listened");
        std::thread::sleep(Duration::from_millis(50));
    }
    // More half-sent requests than a process has file descriptors by default (1,024).
    let mut held: Vec<std::net::TcpStream> = (0..1100)
        .map(|_| {
            let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
            let _ = stream.write_all(b"POST /ingest HTTP/1.1\r\nHost: x\r\n");
            stream
        })
        .collect();
    // A sender gets back in once the header deadline has closed them.
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client");
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        let sent = runtime.block_on(async {
            client
                .post(format!("http://127.0.0.1:{port}/ingest"))
                .bearer_auth("s3cret-token")
                .body(r#"{"id":"crm:after-the-flood","text":"Petit Loup"}"#)
                .send()
                .await
        });
        match sent {
            Ok(response) => break response.status().as_u16(),
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(200)),
            Err(error) => panic!("locked out for good: {error}"),
        }
    };
    assert_eq!(status, 202);
    assert_eq!(
        described(&running.collect(1, WAIT)),
        vec!["post crm:after-the-flood".to_string()]
    );
    // Every half-sent request was closed by the server.
    for stream in &mut held {
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .expect("timeout");
        let mut answer = Vec::new();
        // Closed: the end of the stream is reached (a reset says the same).
        match stream.read_to_end(&mut answer) {
            Ok(_) => {}
            Err(error) => assert!(
                error.kind() != std::io::ErrorKind::WouldBlock
                    && error.kind() != std::io::ErrorKind::TimedOut,
                "a half-sent request still held: {error}"
            ),
        }
    }
}

#[test]
fn a_feed_item_without_guid_or_link_counts_once_however_often_it_is_polled() {
    // No validators: every poll gets the whole document again.
    let (server, calls) = scripted("/forum.rss", |_| ok(fixture("feeds/no-guid.rss")));
    let running = Running::start(Box::new(
        FeedSource::all("press", &[server.url("/forum.rss")], 1)
            .remove(0)
            .with_limits(test_limits()),
    ));
    let events = running.collect(4, WAIT);
    assert!(calls.lock().expect("lock").len() >= 2, "polled twice");
    let ids: Vec<String> = posts(&events).iter().map(|m| m.id.clone()).collect();
    assert_eq!(ids.len(), 4, "two items, two polls");
    assert_eq!(ids[..2], ids[2..], "the same ids at each poll");
    assert_ne!(ids[0], ids[1]);
    // The same item in another feed is another post.
    let elsewhere = vigie::ingest::feeds::parse_feed(
        fixture("feeds/no-guid.rss").as_bytes(),
        "https://other.example/rss",
        chrono::Utc::now(),
    )
    .expect("parses");
    assert!(elsewhere.iter().all(|m| !ids.contains(&m.id)));
}

#[test]
fn rss_in_the_userland_namespace_is_read_and_unreadable_items_are_a_problem() {
    let now = chrono::Utc::now();
    let userland = vigie::ingest::feeds::parse_feed(
        fixture("feeds/userland.rss").as_bytes(),
        "https://gazette.example/rss",
        now,
    )
    .expect("parses");
    let titles: Vec<&str> = userland.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(
        titles,
        vec![
            "Petit Loup ouvre une boutique rue de la République",
            "Mini Mousse rappelle un lot de gigoteuses"
        ]
    );
    // Items under a namespace nobody reads: an error (counted as malformed), not silence.
    let unknown = fixture("feeds/userland.rss").replace(
        "http://backend.userland.com/rss2",
        "http://unknown.example/rss",
    );
    let error = vigie::ingest::feeds::parse_feed(unknown.as_bytes(), "https://x.example/", now)
        .expect_err("items that cannot be read");
    assert!(error.to_string().contains("none could be read"), "{error}");
    let (server, _) = scripted("/feed", move |_| ok(unknown.clone()));
    let running = Running::start(feed_source(&server));
    let health = running.wait_health(WAIT, |h| h.malformed > 0);
    assert_eq!(health.malformed, 1);
}

#[test]
fn several_feeds_of_one_host_each_have_their_own_health() {
    let router = Router::new()
        .route(
            "/{section}/rss",
            get(|| async { fixture("feeds/presse.rss") }),
        )
        .route(
            "/sport/rss",
            get(|| async { (StatusCode::NOT_FOUND, "gone") }),
        );
    let server = TestServer::start(router);
    let sections = ["economie", "societe", "mode", "enfants", "sport"];
    let urls: Vec<String> = sections
        .iter()
        .map(|s| server.url(&format!("/{s}/rss")))
        .collect();
    let (tx, rx) = crossbeam_channel::bounded(1000);
    let sources: Vec<Box<dyn Source>> = FeedSource::all("press", &urls, 1)
        .into_iter()
        .map(|s| Box::new(s.with_limits(test_limits())) as Box<dyn Source>)
        .collect();
    let clock: vigie::clock::SharedClock = Arc::new(vigie::clock::ScaledClock::realtime());
    let ingest = vigie::ingest::start_ingest(sources, clock, tx).expect("ingest starts");
    let deadline = Instant::now() + WAIT;
    let health = loop {
        let health = ingest
            .board
            .snapshot(chrono::Utc::now(), chrono::TimeDelta::minutes(5));
        let settled = health
            .iter()
            .all(|h| !matches!(h.state, vigie::model::HealthState::Starting));
        if settled || Instant::now() > deadline {
            break health;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let names: Vec<&str> = health.iter().map(|h| h.name.as_str()).collect();
    assert_eq!(names.len(), 5);
    let mut unique = names.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 5, "one entry a feed: {names:?}");
    assert!(names[0].ends_with("/economie/rss"), "{names:?}");
    for h in &health {
        let failed = failed_reason(h).is_some();
        assert_eq!(
            failed,
            h.name.contains("/sport/"),
            "only the broken feed shows failed: {health:?}"
        );
    }
    assert!(rx.try_iter().count() >= 12, "four feeds delivering");
    ingest.shutdown();
}
