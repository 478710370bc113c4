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
