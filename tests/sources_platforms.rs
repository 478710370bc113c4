//! The platforms' sources (Google News, App Store reviews, Discourse forums, YouTube, Threads,
//! X) against local servers that speak their wire formats, with fixtures built from each
//! platform's API reference in tests/fixtures/: normal flow, pagination, quota and rate
//! errors, 401, malformed bodies, resume. The poll trials are those of every polled source
//! (`support::poll`).

mod support;

use axum::response::IntoResponse;

use support::poll::*;
use support::*;
use vigie::ingest::Source;
use vigie::model::Platform;

// ---------------------------------------------------------------------------------------------
// Google News
// ---------------------------------------------------------------------------------------------

fn news_source(server: &TestServer) -> Box<dyn Source> {
    Box::new(
        vigie::ingest::news::sources(
            "google news",
            &server.url(""),
            &["\"petit loup\" OR loupiot".to_string()],
            "fr",
            "FR",
            1,
        )
        .remove(0)
        .with_limits(test_limits()),
    )
}

#[test]
fn google_news_gives_each_article_its_publisher_as_author_and_asks_for_the_edition() {
    let (server, calls) = scripted("/rss/search", |_| {
        fixture("news/search.rss").into_response()
    });
    let running = Running::start(news_source(&server));
    let events = running.collect(3, WAIT);
    let posts = posts(&events);
    assert_eq!(posts.len(), 3, "{:?}", described(&events));
    let publishers: Vec<&str> = posts.iter().map(|m| m.author.handle.as_str()).collect();
    assert_eq!(
        publishers,
        ["Elle", "Ouest-France", "Le Monde"],
        "oldest first"
    );
    assert_eq!(
        posts[1].text, "Mode enfant - Petit Loup : la marque s'excuse",
        "only the last dash is the publisher's, and the description (the title again) is left out"
    );
    assert_eq!(posts[2].platform, Platform::Press);
    assert_eq!(
        posts[2].id,
        "press:CBMihAFBVV95cUxPX2p0bGVtb25kZV9wZXRpdF9sb3Vw"
    );
    assert_eq!(posts[2].lang.as_deref(), Some("fr"));
    assert_eq!(
        posts[1].picture.as_ref().map(|p| p.url.as_str()),
        Some("https://lh3.googleusercontent.com/proxy/ouestfrance-petit-loup=s0-w300")
    );
    assert_eq!(posts[0].picture, None);
    let calls = calls.lock().expect("lock");
    assert_eq!(
        calls[0].1,
        "q=%22petit+loup%22+OR+loupiot&hl=fr&gl=FR&ceid=FR%3Afr"
    );
}

#[test]
fn google_news_survives_every_trial() {
    poll_trials("/rss/search", "news/search.rss", news_source, 3);
}

// ---------------------------------------------------------------------------------------------
// App Store reviews
// ---------------------------------------------------------------------------------------------

const REVIEWS_PAGE: &str = "/fr/rss/customerreviews/{page}/id=1234567890/sortby=mostrecent/json";

fn app_store(server: &TestServer) -> vigie::ingest::appstore::AppStoreSource {
    vigie::ingest::appstore::AppStoreSource::new(
        "app store".into(),
        &server.url(""),
        "1234567890",
        "FR",
        1,
    )
    .with_limits(test_limits())
}

/// A review store whose page `n` is `answer(page, call)`; the pages asked, in order.
fn review_server(
    answer: impl Fn(&str, usize) -> Option<&'static str> + Send + Sync + 'static,
) -> (TestServer, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use axum::extract::Path;
    let asked = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let log = asked.clone();
    let answer = std::sync::Arc::new(answer);
    let router = axum::Router::new().route(
        REVIEWS_PAGE,
        axum::routing::get(move |Path(page): Path<String>| {
            let mut log = log.lock().expect("lock");
            let call = log.len();
            log.push(page.clone());
            let body = answer(&page, call).map(fixture);
            drop(log);
            async move {
                match body {
                    Some(body) => body.into_response(),
                    None => fixture("appstore/empty.json").into_response(),
                }
            }
        }),
    );
    (TestServer::start(router), asked)
}

#[test]
fn app_store_reviews_keep_their_stars_and_an_edited_review_comes_back_as_an_edit() {
    use vigie::model::SourceEvent;
    let (server, asked) = review_server(|page, call| match (page, call) {
        ("page=1", 0) => Some("appstore/page1.json"),
        ("page=1", _) => Some("appstore/edited.json"),
        ("page=2", _) => Some("appstore/page2.json"),
        _ => None,
    });
    let running = Running::start(Box::new(app_store(&server)));
    let events = running.collect(5, WAIT);
    assert_eq!(
        described(&events),
        [
            "post appstore:11223344549",
            "post appstore:11223344550",
            "post appstore:11223344551",
            "post appstore:11223344552",
            "edit appstore:11223344551",
        ],
        "oldest first, the app itself (no stars) left out, then the new review and the edit"
    );
    let first = posts(&events);
    assert_eq!(first[2].rating, Some(1));
    assert_eq!(first[2].platform, Platform::Appstore);
    assert_eq!(first[2].author.handle, "Mamandelyon");
    assert_eq!(
        first[2].text,
        "Super appli… jusqu'à la mise à jour\nGénial avant, maintenant l'appli Petit Loup plante à chaque paiement. Merci pour rien."
    );
    assert_eq!(first[2].engagement.likes, 3);
    assert_eq!(
        first[0].engagement.likes, 0,
        "a negative vote sum is no like"
    );
    assert_eq!(
        first[2].url.as_deref(),
        Some("https://apps.apple.com/fr/app/id1234567890?see-all=reviews")
    );
    assert_eq!(
        first[2].created_at,
        "2026-11-25T10:12:45Z"
            .parse::<chrono::DateTime<chrono::Utc>>()
            .expect("time")
    );
    match &events[4] {
        SourceEvent::Edit(m) => {
            assert_eq!(m.rating, Some(2));
            assert!(m.text.contains("4.2.1"), "{}", m.text);
        }
        other => panic!("an edit, not {other:?}"),
    }
    // A first poll reads one page; later ones stop at the first known review.
    assert_eq!(asked.lock().expect("lock")[..2], ["page=1", "page=1"]);
    assert!(!asked.lock().expect("lock").contains(&"page=2".to_string()));
}

#[test]
fn app_store_reviews_resume_from_their_cursor_reading_back_as_many_pages_as_the_gap_needs() {
    use vigie::ingest::Source;
    let (server, asked) = review_server(|page, _| match page {
        "page=1" => Some("appstore/page1.json"),
        "page=2" => Some("appstore/page2.json"),
        _ => None,
    });
    let mut source = app_store(&server);
    // Stopped after Nadia's review (page 2) was sent.
    source.resume_from("2026-11-25T03:00:00+00:00");
    let running = Running::start(Box::new(source));
    let events = running.collect(4, WAIT);
    assert_eq!(
        described(&events),
        [
            "post appstore:11223344548",
            "post appstore:11223344549",
            "post appstore:11223344550",
            "post appstore:11223344551",
        ]
    );
    std::thread::sleep(std::time::Duration::from_millis(300));
    let asked = asked.lock().expect("lock");
    assert_eq!(asked[..2], ["page=1", "page=2"]);
    assert!(
        !asked.contains(&"page=3".to_string()),
        "page 2 reached the cursor"
    );
}

#[test]
fn the_review_feed_s_odd_shapes_are_read() {
    use vigie::ingest::appstore::parse_reviews;
    let single = parse_reviews(fixture("appstore/single.json").as_bytes()).expect("one review");
    assert_eq!(
        single.reviews.len(),
        1,
        "one review is an object, not an array"
    );
    assert_eq!(single.reviews[0].stars, 5);
    let empty = parse_reviews(fixture("appstore/empty.json").as_bytes()).expect("no review");
    assert!(empty.reviews.is_empty() && !empty.has_next);
    let bad_stars =
        fixture("appstore/page2.json").replace("\"label\": \"2\"", "\"label\": \"deux\"");
    assert!(
        parse_reviews(bad_stars.as_bytes()).is_err(),
        "unreadable stars are an error"
    );
}

fn app_store_boxed(server: &TestServer) -> Box<dyn Source> {
    Box::new(app_store(server))
}

#[test]
fn app_store_reviews_survive_every_trial() {
    poll_trials(
        "/fr/rss/customerreviews/page=1/id=1234567890/sortby=mostrecent/json",
        "appstore/page1.json",
        app_store_boxed,
        3,
    );
}

// ---------------------------------------------------------------------------------------------
// Discourse forums
// ---------------------------------------------------------------------------------------------

fn forum(server: &TestServer) -> vigie::ingest::discourse::DiscourseSource {
    vigie::ingest::discourse::DiscourseSource::new(
        "forum".into(),
        &server.url(""),
        vec!["\"petit loup\"".into()],
        None,
        None,
        1,
    )
    .with_limits(test_limits())
}

/// A forum: its search (page 1 then 2) and its latest topics; the queries it was asked.
fn forum_server() -> (TestServer, Calls) {
    use axum::extract::RawQuery;
    let calls: Calls = Default::default();
    let seen = calls.clone();
    let router = axum::Router::new()
        .route(
            "/search.json",
            axum::routing::get(move |RawQuery(query): RawQuery| {
                let query = query.unwrap_or_default();
                seen.lock().expect("lock").push((
                    std::time::Instant::now(),
                    query.clone(),
                    Default::default(),
                ));
                let page = if query.contains("page=2") { 2 } else { 1 };
                async move { fixture(&format!("discourse/search-{page}.json")).into_response() }
            }),
        )
        .route(
            "/latest.json",
            axum::routing::get(|| async { fixture("discourse/latest.json").into_response() }),
        );
    (TestServer::start(router), calls)
}

#[test]
fn discourse_reads_searches_back_to_the_cursor_and_new_topics_each_post_once() {
    let (server, calls) = forum_server();
    let mut source = forum(&server);
    source.resume_from("2026-11-24T12:00:00+00:00");
    let running = Running::start(Box::new(source));
    let events = running.collect(5, WAIT);
    let host = "forum:127.0.0.1";
    assert_eq!(
        described(&events),
        [
            format!("post {host}/t290"),
            format!("post {host}/p8990"),
            format!("post {host}/t315"),
            format!("post {host}/p9012"),
            format!("post {host}/t316"),
        ],
        "oldest first; the topic found by search and in the latest once; the pinned notice and \
         the post older than the cursor left out"
    );
    let posts = posts(&events);
    let reply = posts[3];
    assert_eq!(reply.platform, Platform::Forum);
    assert_eq!(
        reply.text,
        "La taille 4 ans de Petit Loup taille vraiment petit, prenez au-dessus.\n↳ Tailles des marques enfant"
    );
    assert_eq!(reply.reply_to.as_deref(), Some("forum:127.0.0.1/t311"));
    assert_eq!(reply.author.display_name, "Maëlle");
    assert_eq!(
        reply.author.avatar.as_deref(),
        Some(
            server
                .url("/user_avatar/forum.example/maelle/96/4_2.png")
                .as_str()
        )
    );
    assert_eq!(
        reply.url.as_deref(),
        Some(server.url("/t/tailles-des-marques-enfant/311/3").as_str())
    );
    let topic = posts[4];
    assert_eq!(topic.text, "Appli Petit Loup : paiement refusé");
    assert_eq!(topic.author.handle, "ines");
    assert_eq!(
        topic.picture.as_ref().map(|p| p.url.clone()),
        Some(server.url("/uploads/default/optimized/2X/a/a1b2c3_2_690x388.png"))
    );
    // The next polls find the same pages: nothing again.
    let again = running.collect_until(std::time::Duration::from_millis(2500), |_| false);
    assert!(support::posts(&again).is_empty(), "{:?}", described(&again));
    let calls = calls.lock().expect("lock");
    assert_eq!(calls[0].1, "q=%22petit+loup%22+order%3Alatest&page=1");
    assert_eq!(calls[1].1, "q=%22petit+loup%22+order%3Alatest&page=2");
    assert!(
        calls.len() >= 3 && calls[2].1.ends_with("page=1"),
        "page 2 reached the cursor; the next poll starts again at page 1"
    );
}

fn forum_search(server: &TestServer) -> Box<dyn Source> {
    Box::new(forum(server).without_latest())
}

fn forum_latest(server: &TestServer) -> Box<dyn Source> {
    Box::new(
        vigie::ingest::discourse::DiscourseSource::new(
            "forum".into(),
            &server.url(""),
            Vec::new(),
            None,
            None,
            1,
        )
        .with_limits(test_limits()),
    )
}

#[test]
fn discourse_search_survives_every_trial() {
    poll_trials("/search.json", "discourse/search-1.json", forum_search, 3);
}

#[test]
fn discourse_latest_survives_every_trial() {
    poll_trials("/latest.json", "discourse/latest.json", forum_latest, 2);
}
