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
            &[vigie::ingest::news::NewsSearch {
                label: "Petit Loup".into(),
                query: "\"petit loup\" OR loupiot".into(),
            }],
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

// ---------------------------------------------------------------------------------------------
// YouTube
// ---------------------------------------------------------------------------------------------

use vigie::ingest::youtube::{CommentFeed, YoutubeSettings, YoutubeSource};

fn youtube(
    server: &TestServer,
    queries: &[&str],
    feeds: Vec<CommentFeed>,
    quota: u64,
) -> YoutubeSource {
    YoutubeSource::new(YoutubeSettings {
        name: "youtube".into(),
        base_url: server.url(""),
        token_env: "VIGIE_YOUTUBE_KEY".into(),
        queries: queries.iter().map(|q| q.to_string()).collect(),
        feeds,
        comment_terms: None,
        region: Some("FR".into()),
        language: Some("fr".into()),
        poll_seconds: 1,
        daily_quota: quota,
    })
    .with_key("test-key")
    .with_limits(test_limits())
}

type Answers = fn(&str, &str, usize) -> axum::response::Response;

/// YouTube's three resources; `answer(resource, query, n)` for the n-th call of a resource.
fn youtube_server(answer: Answers) -> (TestServer, Calls) {
    use axum::extract::{Path, RawQuery};
    let calls: Calls = Default::default();
    let seen = calls.clone();
    let router = axum::Router::new().route(
        "/youtube/v3/{resource}",
        axum::routing::get(
            move |Path(resource): Path<String>, RawQuery(query): RawQuery| {
                let query = query.unwrap_or_default();
                let mut calls = seen.lock().expect("lock");
                let n = calls
                    .iter()
                    .filter(|(_, q, _)| q.starts_with(&format!("{resource}?")))
                    .count();
                calls.push((
                    std::time::Instant::now(),
                    format!("{resource}?{query}"),
                    Default::default(),
                ));
                drop(calls);
                let response = answer(&resource, &query, n);
                async move { response }
            },
        ),
    );
    (TestServer::start(router), calls)
}

fn youtube_error(status: u16, name: &str) -> axum::response::Response {
    (
        axum::http::StatusCode::from_u16(status).expect("status"),
        [("content-type", "application/json; charset=UTF-8")],
        fixture(&format!("youtube/{name}.json")),
    )
        .into_response()
}

fn youtube_normal(resource: &str, query: &str, n: usize) -> axum::response::Response {
    match resource {
        "search" if query.contains("pageToken=CDIQAA") => {
            fixture("youtube/search-2.json").into_response()
        }
        "search" => fixture("youtube/search-1.json").into_response(),
        "channels" => fixture("youtube/channels.json").into_response(),
        "commentThreads" if query.contains("allThreadsRelatedToChannelId") => {
            youtube_error(403, "comments-disabled")
        }
        "commentThreads" if n == 0 => fixture("youtube/comments.json").into_response(),
        "commentThreads" => fixture("youtube/comments-edited.json").into_response(),
        _ => axum::http::StatusCode::NOT_FOUND.into_response(),
    }
}

#[test]
fn youtube_finds_videos_with_their_audiences_and_comments_counting_every_unit() {
    let (server, calls) = youtube_server(youtube_normal);
    let feeds = vec![
        CommentFeed::Video("pl-video-1".into()),
        CommentFeed::Channel("UCcommentsoff".into()),
    ];
    // A large quota: searches every few seconds, so that the test sees one round of them.
    let running = Running::start(Box::new(youtube(
        &server,
        &["\"petit loup\"|petitloup"],
        feeds,
        1_000_000,
    )));
    let events = running.collect(7, WAIT);
    assert_eq!(
        described(&events),
        [
            "post youtube:comment:UgxKq1comment1",
            "post youtube:comment:UgxKq1comment2",
            "post youtube:video:Qq1Ww2Ee3Rr",
            "post youtube:video:Zz9Yy8Xx7Ww",
            "post youtube:video:aB3dE5fG7hI",
            "edit youtube:comment:UgxKq1comment2",
            "post youtube:comment:UgxKq1comment3",
        ],
        "comments then videos, oldest first; an upcoming live left out; then an edited comment \
         and a new one, in the order they were written"
    );
    let posts = posts(&events);
    let comment = posts[0];
    assert_eq!(comment.platform, Platform::Youtube);
    assert_eq!(comment.author.handle, "marc_b");
    assert_eq!(
        comment.text,
        "Honteuse cette affiche, je n'achète plus Petit Loup."
    );
    assert_eq!(comment.engagement.likes, 52);
    assert_eq!(
        comment.reply_to.as_deref(),
        Some("youtube:video:pl-video-1")
    );
    assert_eq!(
        comment.url.as_deref(),
        Some("https://www.youtube.com/watch?v=pl-video-1&lc=UgxKq1comment1")
    );
    assert!(
        comment
            .author
            .avatar
            .as_deref()
            .is_some_and(|a| a.starts_with("https://yt3.ggpht.com/"))
    );
    let video = posts[4];
    assert_eq!(
        video.text,
        "Petit Loup : j'ai testé la nouvelle collection & voilà…\nHaul d'hiver Petit Loup, mon avis honnête.",
        "search titles come HTML-escaped"
    );
    assert_eq!(video.author.reach, 184_000, "the channel's subscribers");
    assert_eq!(posts[2].author.reach, 0, "a hidden subscriber count");
    assert_eq!(
        video.picture.as_ref().map(|p| p.url.as_str()),
        Some("https://i.ytimg.com/vi/aB3dE5fG7hI/hqdefault.jpg")
    );
    let health = running.wait_health(WAIT, |h| h.quota.is_some_and(|q| q.used >= 104));
    let calls = calls.lock().expect("lock");
    let asked = |resource: &str| {
        calls
            .iter()
            .filter(|(_, q, _)| q.starts_with(resource))
            .count() as u64
    };
    // 100 a search, 1 a page of channels or comments; the channel with comments off once.
    let expected = 100 * asked("search?") + asked("channels?") + asked("commentThreads?");
    assert_eq!(
        health.quota.map(|q| (q.used, q.limit)),
        Some((expected, 1_000_000))
    );
    assert_eq!(
        calls
            .iter()
            .filter(|(_, q, _)| q.contains("allThreadsRelatedToChannelId"))
            .count(),
        1,
        "a feed with comments disabled is not asked again"
    );
    let search = &calls
        .iter()
        .find(|(_, q, _)| q.starts_with("search?"))
        .expect("searched")
        .1;
    for part in [
        "part=snippet",
        "q=%22petit+loup%22%7Cpetitloup",
        "type=video",
        "order=date",
        "publishedAfter=",
        "regionCode=FR",
        "relevanceLanguage=fr",
        "key=test-key",
    ] {
        assert!(search.contains(part), "{part} in {search}");
    }
    assert!(
        !search.contains("pageToken"),
        "a first search reads one page"
    );
}

#[test]
fn youtube_resumes_its_searches_and_its_day_s_units_from_the_history() {
    let (server, calls) = youtube_server(youtube_normal);
    let mut source = youtube(&server, &["petit loup"], Vec::new(), 1_000_000);
    let today = chrono::Utc::now();
    let day = vigie::ingest::youtube::quota::pacific_day(today);
    source.resume_from(&format!(
        r#"{{"videos": {{"petit loup": "2026-11-24T12:00:00Z"}}, "quota_day": "{day}", "quota_used": 5000}}"#
    ));
    let running = Running::start(Box::new(source));
    let events = running.collect(3, WAIT);
    assert_eq!(posts(&events).len(), 3, "{:?}", described(&events));
    let health = running.wait_health(WAIT, |h| h.quota.is_some_and(|q| q.used >= 5_201));
    assert_eq!(
        health.quota.map(|q| q.used),
        Some(5_000 + 2 * 100 + 1),
        "the day's units go on from the history's; two search pages, one of channels"
    );
    let calls = calls.lock().expect("lock");
    assert!(
        calls[0]
            .1
            .contains("publishedAfter=2026-11-24T12%3A00%3A00Z"),
        "{}",
        calls[0].1
    );
    assert!(
        calls[1].1.contains("pageToken=CDIQAA"),
        "with a cursor, the next page too"
    );
}

#[test]
fn youtube_stops_for_the_day_before_google_refuses_and_when_it_does() {
    // A quota of 100: the page of comments (1 unit) leaves 99, short of a search.
    let (server, calls) = youtube_server(youtube_normal);
    let running = Running::start(Box::new(youtube(
        &server,
        &["petit loup"],
        vec![CommentFeed::Video("pl-video-1".into())],
        100,
    )));
    let health = running.wait_health(WAIT, |h| failed_reason(h).is_some());
    assert!(
        failed_reason(&health).is_some_and(|r| r.starts_with("quota spent, renewed in ")),
        "{health:?}"
    );
    assert!(matches!(
        health.state,
        vigie::model::HealthState::Failed {
            kind: vigie::model::FailureKind::QuotaSpent,
            ..
        }
    ));
    assert!(
        !calls
            .lock()
            .expect("lock")
            .iter()
            .any(|(_, q, _)| q.starts_with("search?")),
        "no search asked past the quota"
    );
    drop(running);

    // Google says the quota is spent (another program on the same project spent it).
    let (server, _) = youtube_server(|resource, _, _| match resource {
        "search" => youtube_error(403, "quota-exceeded"),
        _ => youtube_normal(resource, "", 0),
    });
    let running = Running::start(Box::new(youtube(
        &server,
        &["petit loup"],
        Vec::new(),
        10_000,
    )));
    let health = running.wait_health(WAIT, |h| failed_reason(h).is_some());
    assert!(
        failed_reason(&health).is_some_and(|r| r.starts_with("quota spent")),
        "{health:?}"
    );
    assert_eq!(
        health.quota.map(|q| q.used),
        Some(10_000),
        "the wall shows it all spent"
    );
}

#[test]
fn youtube_names_a_bad_key_as_a_token_problem() {
    let (server, _) = youtube_server(|_, _, _| youtube_error(400, "key-invalid"));
    let running = Running::start(Box::new(youtube(
        &server,
        &["petit loup"],
        Vec::new(),
        10_000,
    )));
    let health = running.wait_health(WAIT, |h| failed_reason(h).is_some());
    assert_eq!(
        failed_reason(&health),
        Some("401: bad or missing token (env VIGIE_YOUTUBE_KEY)")
    );
}

fn youtube_comments(server: &TestServer) -> Box<dyn Source> {
    Box::new(youtube(
        server,
        &[],
        vec![CommentFeed::Video("pl-video-1".into())],
        10_000,
    ))
}

#[test]
fn youtube_comments_survive_every_trial() {
    poll_trials(
        "/youtube/v3/commentThreads",
        "youtube/comments.json",
        youtube_comments,
        2,
    );
}

// ---------------------------------------------------------------------------------------------
// Threads
// ---------------------------------------------------------------------------------------------

use vigie::ingest::threads::ThreadsSource;

fn threads(server: &TestServer) -> ThreadsSource {
    ThreadsSource::new(
        "threads".into(),
        &server.url(""),
        "VIGIE_THREADS_TOKEN".into(),
        vec!["petit loup".into()],
        1,
    )
    .with_token("test-token")
    .with_limits(test_limits())
}

fn threads_boxed(server: &TestServer) -> Box<dyn Source> {
    Box::new(threads(server))
}

fn threads_answer(n: usize, query: &str) -> axum::response::Response {
    match (n, query.contains("after=")) {
        (_, true) => fixture("threads/search-2.json").into_response(),
        _ => fixture("threads/search-1.json").into_response(),
    }
}

#[test]
fn threads_reads_recent_posts_from_the_newest_seen_and_counts_its_searches() {
    use axum::extract::RawQuery;
    use axum::http::HeaderMap;
    let calls: Calls = Default::default();
    let seen = calls.clone();
    let router = axum::Router::new().route(
        "/v1.0/keyword_search",
        axum::routing::get(move |RawQuery(query): RawQuery, headers: HeaderMap| {
            let query = query.unwrap_or_default();
            let mut calls = seen.lock().expect("lock");
            let n = calls.len();
            calls.push((std::time::Instant::now(), query.clone(), headers));
            drop(calls);
            let response = threads_answer(n, &query);
            async move { response }
        }),
    );
    let server = TestServer::start(router);
    let running = Running::start(Box::new(threads(&server)));
    let events = running.collect(3, WAIT);
    assert_eq!(
        described(&events),
        [
            "post threads:18049901234567712",
            "post threads:18049901234567801",
            "post threads:18049901234567890",
        ],
        "oldest first; a post whose time cannot be read left out"
    );
    let posts = posts(&events);
    assert_eq!(posts[0].platform, Platform::Threads);
    assert_eq!(
        posts[0].created_at,
        "2026-11-25T10:05:00Z"
            .parse::<chrono::DateTime<chrono::Utc>>()
            .expect("time"),
        "`+0000`, without a colon"
    );
    assert_eq!(
        posts[0].reply_to.as_deref(),
        Some("threads:18049901234500000")
    );
    assert_eq!(posts[1].author.handle, "jules_mode");
    assert!(
        posts[1]
            .picture
            .as_ref()
            .is_some_and(|p| p.url.contains("468_manteau.jpg"))
    );
    assert_eq!(
        posts[2].url.as_deref(),
        Some("https://www.threads.net/@camille.lyon/post/C567890")
    );
    // The next poll asks from the newest post, and follows `after` to the next page.
    let more = running.collect(1, WAIT);
    let video = posts_owned(&more);
    assert_eq!(video, ["threads:18049901234567500"]);
    let health = running.wait_health(WAIT, |h| h.quota.is_some_and(|q| q.used >= 3));
    assert_eq!(
        health.quota.map(|q| q.limit),
        Some(vigie::ingest::threads::DAILY_SEARCHES)
    );
    let calls = calls.lock().expect("lock");
    assert!(calls[0].1.contains("search_type=RECENT") && calls[0].1.contains("q=petit+loup"));
    assert!(
        !calls[0].1.contains("since="),
        "a first search has no lower bound"
    );
    assert!(calls[1].1.contains("since=1795607282"), "{}", calls[1].1); // 11:48:02
    assert!(calls[2].1.contains("after=QVFIUmRfZA"), "{}", calls[2].1);
    assert_eq!(
        calls[0]
            .2
            .get("authorization")
            .and_then(|v| v.to_str().ok()),
        Some("Bearer test-token")
    );
    assert!(
        !calls[0].1.contains("test-token"),
        "the token is never in the address"
    );
    assert_eq!(
        health.quota.map(|q| q.used),
        Some(calls.len() as u64),
        "every search counted"
    );
}

fn posts_owned(events: &[vigie::model::SourceEvent]) -> Vec<String> {
    posts(events).iter().map(|m| m.id.clone()).collect()
}

#[test]
fn threads_tells_an_expired_token_from_too_many_calls() {
    let (server, _) = scripted("/v1.0/keyword_search", |_| {
        (
            axum::http::StatusCode::BAD_REQUEST,
            fixture("threads/token-expired.json"),
        )
            .into_response()
    });
    let running = Running::start(threads_boxed(&server));
    let health = running.wait_health(WAIT, |h| failed_reason(h).is_some());
    assert_eq!(
        failed_reason(&health),
        Some("401: bad or missing token (env VIGIE_THREADS_TOKEN)")
    );
    drop(running);
    let (server, _) = scripted("/v1.0/keyword_search", |_| {
        (
            axum::http::StatusCode::BAD_REQUEST,
            [("retry-after", "5")],
            fixture("threads/rate-limit.json"),
        )
            .into_response()
    });
    let running = Running::start(threads_boxed(&server));
    let health = running.wait_health(WAIT, |h| failed_reason(h).is_some());
    assert_eq!(
        failed_reason(&health),
        Some("429: rate limited, retry in 5s")
    );
}

#[test]
fn threads_waits_when_its_day_of_searches_is_spent() {
    let (server, calls) = scripted("/v1.0/keyword_search", |_| {
        fixture("threads/search-2.json").into_response()
    });
    let mut source = threads(&server);
    let hour = chrono::Utc::now().timestamp().div_euclid(3600);
    source.resume_from(&format!(r#"{{"budget": {{"hours": [[{hour}, 2200]]}}}}"#));
    let running = Running::start(Box::new(source));
    let health = running.wait_health(WAIT, |h| failed_reason(h).is_some());
    assert!(
        failed_reason(&health).is_some_and(|r| r.starts_with("quota spent, renewed in 2")),
        "{health:?}"
    );
    assert!(
        calls.lock().expect("lock").is_empty(),
        "nothing asked past the allowance"
    );
}

#[test]
fn threads_survives_every_trial() {
    poll_trials(
        "/v1.0/keyword_search",
        "threads/search-1.json",
        threads_boxed,
        3,
    );
}

// ---------------------------------------------------------------------------------------------
// X filtered stream
// ---------------------------------------------------------------------------------------------

use vigie::ingest::x::rules::Rule;
use vigie::ingest::x::{XSettings, XSource};

fn x_rules() -> Vec<Rule> {
    vec![
        Rule {
            value: "(\"petit loup\" OR #petitloup OR petitloup) -is:retweet".into(),
            tag: "vigie:Petit Loup".into(),
        },
        Rule {
            value: "(\"mini mousse\" OR minimousse) -is:retweet".into(),
            tag: "vigie:Mini Mousse".into(),
        },
    ]
}

fn x_source(server: &TestServer, cap: u64, backfill_minutes: u32) -> XSource {
    XSource::new(XSettings {
        name: "x".into(),
        base_url: server.url(""),
        token_env: "VIGIE_X_TOKEN".into(),
        rules: x_rules(),
        monthly_cap: cap,
        renewal_day: 1,
        backfill_minutes,
    })
    .with_token("test-bearer")
    .with_limits(test_limits())
}

/// A stream body: `lines` (each ended by `\r\n`, as X ends them), then held open with
/// keep-alives, as X does between posts.
fn x_stream_body(lines: Vec<String>) -> axum::response::Response {
    use futures_util::StreamExt;
    let chunks: Vec<Result<bytes::Bytes, std::io::Error>> = lines
        .into_iter()
        .map(|line| Ok(bytes::Bytes::from(format!("{line}\r\n"))))
        .collect();
    let keep_alive = futures_util::stream::unfold((), |()| async {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        Some((
            Ok::<_, std::io::Error>(bytes::Bytes::from_static(b"\r\n")),
            (),
        ))
    });
    let body = futures_util::stream::iter(chunks).chain(keep_alive);
    axum::response::Response::builder()
        .header("content-type", "application/json")
        .body(axum::body::Body::from_stream(body))
        .expect("response")
}

type XScript = fn(usize) -> axum::response::Response;

/// X: its rules (held, then changed) and its stream, whose n-th connection answers
/// `stream(n)`; the rule changes asked (query and body) and the stream connections' queries.
fn x_server(stream: XScript) -> (TestServer, Arc<Mutex<Vec<(String, String)>>>, Calls) {
    use axum::extract::RawQuery;
    let changes = Arc::new(Mutex::new(Vec::<(String, String)>::new()));
    let logged = changes.clone();
    let connections: Calls = Default::default();
    let connected = connections.clone();
    let router = axum::Router::new()
        .route(
            "/2/tweets/search/stream/rules",
            axum::routing::get(|| async { fixture("x/rules.json").into_response() }).post(
                move |RawQuery(query): RawQuery, body: String| {
                    let query = query.unwrap_or_default();
                    logged
                        .lock()
                        .expect("lock")
                        .push((query.clone(), body.clone()));
                    async move {
                        if body.contains("\"delete\"") {
                            fixture("x/rules-deleted.json").into_response()
                        } else if body.contains("(petit loup OR)") {
                            (
                                axum::http::StatusCode::BAD_REQUEST,
                                fixture("x/rules-invalid.json"),
                            )
                                .into_response()
                        } else {
                            fixture("x/rules-added.json").into_response()
                        }
                    }
                },
            ),
        )
        .route(
            "/2/tweets/search/stream",
            axum::routing::get(
                move |RawQuery(query): RawQuery, headers: axum::http::HeaderMap| {
                    let mut calls = connected.lock().expect("lock");
                    let n = calls.len();
                    calls.push((
                        std::time::Instant::now(),
                        query.unwrap_or_default(),
                        headers,
                    ));
                    drop(calls);
                    let response = stream(n);
                    async move { response }
                },
            ),
        );
    (TestServer::start(router), changes, connections)
}

fn x_lines() -> Vec<String> {
    fixture("x/stream.jsonl")
        .lines()
        .map(str::to_string)
        .collect()
}

use std::sync::{Arc, Mutex};

#[test]
fn x_syncs_only_its_own_rules_then_reads_posts_with_their_authors_and_media() {
    let (server, changes, connections) = x_server(|_| x_stream_body(x_lines()));
    let running = Running::start(Box::new(x_source(&server, 10_000, 0)));
    let events = running.collect(3, WAIT);
    assert_eq!(
        described(&events),
        [
            "post x:1866012345678902001",
            "post x:1866012345678902002",
            "post x:1866012345678902003",
        ],
        "keep-alives and an error about another post skipped"
    );
    let posts = posts(&events);
    let first = posts[0];
    assert_eq!(first.platform, Platform::X);
    assert_eq!(first.author.handle, "claire_m");
    assert_eq!(first.author.display_name, "Claire Martin");
    assert_eq!(first.author.reach, 48_210);
    assert!(
        first
            .author
            .avatar
            .as_deref()
            .is_some_and(|a| a.contains("pbs.twimg.com/profile_images"))
    );
    assert_eq!(
        first
            .picture
            .as_ref()
            .map(|p| (p.url.as_str(), p.sensitive)),
        Some(("https://pbs.twimg.com/media/GdAffichePL.jpg", false))
    );
    assert_eq!(
        (
            first.engagement.likes,
            first.engagement.shares,
            first.engagement.replies
        ),
        (31, 5, 2)
    );
    assert_eq!(
        first.url.as_deref(),
        Some("https://x.com/claire_m/status/1866012345678902001")
    );
    let long = posts[1];
    assert!(
        long.text.ends_with("le retrait de son affiche."),
        "a long post's whole text: {}",
        long.text
    );
    assert!(
        long.picture
            .as_ref()
            .is_some_and(|p| p.url.contains("thumb.jpg") && p.sensitive)
    );
    assert_eq!(posts[2].reply_to.as_deref(), Some("x:1866012345678901999"));
    let health = running.wait_health(WAIT, |h| h.quota.is_some_and(|q| q.used >= 3));
    assert_eq!(
        health.quota.map(|q| (q.used, q.limit, q.period)),
        Some((3, 10_000, vigie::model::QuotaPeriod::Month))
    );
    let changes = changes.lock().expect("lock");
    assert_eq!(changes.len(), 2, "{changes:?}");
    assert_eq!(
        changes[0].1, r#"{"delete":{"ids":["1866012345678901002"]}}"#,
        "ours, outdated"
    );
    assert!(
        changes[1].1.contains("minimousse") && !changes[1].1.contains("#petitloup"),
        "only the rule X lacks is added: {}",
        changes[1].1
    );
    assert!(
        !changes
            .iter()
            .any(|(_, body)| body.contains("1866012345678901003")),
        "another tool's rule kept"
    );
    let connections = connections.lock().expect("lock");
    let query = &connections[0].1;
    for part in [
        "expansions=author_id%2Cattachments.media_keys",
        "user.fields=",
        "media.fields=",
        "note_tweet",
    ] {
        assert!(query.contains(part), "{part} in {query}");
    }
    assert!(!query.contains("backfill_minutes"));
    assert_eq!(
        connections[0]
            .2
            .get("authorization")
            .and_then(|v| v.to_str().ok()),
        Some("Bearer test-bearer")
    );
}

/// The wait the source's health announces before its next try, in seconds.
fn announced_wait(running: &Running) -> (String, f64) {
    let health = running.wait_health(WAIT, |h| failed_reason(h).is_some());
    match health.state {
        vigie::model::HealthState::Failed {
            reason, retry_at, ..
        } => (
            reason,
            (retry_at - chrono::Utc::now()).num_milliseconds() as f64 / 1000.0,
        ),
        other => panic!("failed, not {other:?}"),
    }
}

#[test]
fn x_reconnects_on_its_own_schedule_for_each_kind_of_failure() {
    // A 503: five seconds (X's first wait for an HTTP error), not the supervisor's backoff.
    let (server, _, _) = x_server(|_| axum::http::StatusCode::SERVICE_UNAVAILABLE.into_response());
    let running = Running::start(Box::new(x_source(&server, 10_000, 0)));
    let (reason, wait) = announced_wait(&running);
    assert_eq!(reason, "503: /2/tweets/search/stream");
    assert!((4.0..=6.0).contains(&wait), "{wait}");
    drop(running);

    // A 429 whose reset is two minutes away: until then, not the first minute's wait.
    let (server, _, _) = x_server(|_| {
        let reset = chrono::Utc::now().timestamp() + 120;
        (
            axum::http::StatusCode::TOO_MANY_REQUESTS,
            [("x-rate-limit-reset", reset.to_string())],
            "{\"title\":\"Too Many Requests\"}",
        )
            .into_response()
    });
    let running = Running::start(Box::new(x_source(&server, 10_000, 0)));
    let (reason, wait) = announced_wait(&running);
    assert!(reason.starts_with("429: rate limited"), "{reason}");
    assert!((115.0..=135.0).contains(&wait), "{wait}");
    drop(running);

    // An operational disconnect sent in the stream: as an HTTP error; and then back.
    let (server, _, connections) = x_server(|n| match n {
        0 => x_stream_body(vec![
            x_lines()[0].clone(),
            fixture("x/disconnect.json").trim().to_string(),
        ]),
        _ => x_stream_body(x_lines()),
    });
    let running = Running::start(Box::new(x_source(&server, 10_000, 0)));
    let (reason, wait) = announced_wait(&running);
    assert!(reason.contains("disconnected upstream"), "{reason}");
    assert!((4.0..=6.0).contains(&wait), "{wait}");
    let events = running.collect(3, WAIT);
    assert_eq!(
        described(&events),
        [
            "post x:1866012345678902001",
            "post x:1866012345678902002",
            "post x:1866012345678902003"
        ],
        "the post read before the disconnect is not sent twice"
    );
    assert_eq!(connections.lock().expect("lock").len(), 2);
    drop(running);

    // Nobody listening: a network error, a quarter of a second.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = closed.local_addr().expect("address");
    drop(closed);
    let nowhere = TestServer {
        addr: address,
        ..TestServer::start(axum::Router::new())
    };
    let running = Running::start(Box::new(x_source(&nowhere, 10_000, 0)));
    let (reason, wait) = announced_wait(&running);
    assert!(
        reason.starts_with("cannot reach") || reason.contains("refused"),
        "{reason}"
    );
    assert!(wait <= 1.0, "{wait}");
}

#[test]
fn x_stops_at_its_monthly_cap_and_asks_for_the_minutes_it_missed() {
    let (server, _, connections) = x_server(|_| x_stream_body(x_lines()));
    let mut source = x_source(&server, 10_000, 5);
    let now = chrono::Utc::now();
    let since = vigie::ingest::x::period_start(now, 1);
    let last = (now - chrono::TimeDelta::seconds(150)).to_rfc3339();
    vigie::ingest::Source::resume_from(
        &mut source,
        &format!(r#"{{"reads": {{"since": "{since}", "used": 9999}}, "last": "{last}"}}"#),
    );
    let running = Running::start(Box::new(source));
    let events = running.collect(1, WAIT);
    assert_eq!(described(&events), ["post x:1866012345678902001"]);
    let health = running.wait_health(WAIT, |h| failed_reason(h).is_some());
    assert!(
        failed_reason(&health).is_some_and(|r| r.starts_with("quota spent, renewed in")),
        "{health:?}"
    );
    assert_eq!(health.quota.map(|q| q.used), Some(10_000));
    let more = running.collect(1, std::time::Duration::from_secs(2));
    assert!(posts(&more).is_empty(), "nothing read past the cap");
    let connections = connections.lock().expect("lock");
    assert_eq!(connections.len(), 1, "no reconnection past the cap");
    assert!(
        connections[0].1.contains("backfill_minutes=3"),
        "two and a half minutes missed: three asked, {}",
        connections[0].1
    );
}

#[test]
fn vigie_check_asks_x_about_the_rules_with_a_dry_run() {
    let (server, changes, _) = x_server(|_| x_stream_body(Vec::new()));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let good = runtime
        .block_on(vigie::ingest::x::check_rules(
            &server.url(""),
            "test-bearer",
            "VIGIE_X_TOKEN",
            &x_rules(),
        ))
        .expect("asked");
    assert!(good.is_empty(), "{good:?}");
    let bad = vec![Rule {
        value: "(petit loup OR) -is:retweet".into(),
        tag: "vigie:Petit Loup".into(),
    }];
    let refused = runtime
        .block_on(vigie::ingest::x::check_rules(
            &server.url(""),
            "test-bearer",
            "VIGIE_X_TOKEN",
            &bad,
        ))
        .expect("asked");
    assert_eq!(refused.len(), 1);
    assert!(
        refused[0].starts_with("rule '(petit loup OR) -is:retweet': There were errors"),
        "{}",
        refused[0]
    );
    assert!(
        changes
            .lock()
            .expect("lock")
            .iter()
            .all(|(query, _)| query == "dry_run=true")
    );
}

#[test]
fn x_stream_lines_of_every_shape_are_read_or_refused_without_panicking() {
    use vigie::ingest::x::{StreamLine, parse_line};
    assert!(matches!(parse_line(&x_lines()[0]), Ok(StreamLine::Post(_))));
    assert!(matches!(parse_line(&x_lines()[3]), Ok(StreamLine::Other)));
    assert!(matches!(
        parse_line(fixture("x/disconnect.json").trim()),
        Ok(StreamLine::Disconnect(_))
    ));
    assert!(parse_line("{\"data\": {\"id\": 12}}").is_err());
    assert!(parse_line("{\"data\": {\"id\": \"1\", \"text\": \"t\", \"created_at\": \"2026-11-25T11:51:10.000Z\"}}").is_ok());
}
