//! App Store reviews: Apple's customer-review feed, in JSON
//! (`/{country}/rss/customerreviews/page={n}/id={app}/sortby=mostrecent/json`), newest first,
//! fifty a page, ten pages at most. No key; Apple publishes no rate, so the feed is polled
//! every few minutes at most. Each review keeps its stars (`im:rating`), which set its tone; a
//! review edited by its author comes back with a newer `updated` and goes out as an edit.
//!
//! The feed's odd cases, all met in the wild: one review is an object, not an array; no
//! review, no `entry` at all; the feed's older form begins with the app itself (no rating);
//! a page past the last is empty.

mod config;
pub use config::AppStoreConfig;

use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::web::http::{self, Limits};
use super::web::seen::{Novelty, SeenPosts};
use super::{Source, SourceContext, SourceEnd, SourceFuture};
use crate::model::{Author, Engagement, Mention, Platform, SourceEvent};

/// Apple serves ten pages of fifty reviews.
const MAX_PAGES: u32 = 10;
/// Reviews remembered to tell an edit from a new one: ten full pages and more.
const SEEN: usize = 2_000;

pub struct AppStoreSource {
    name: String,
    base_url: String,
    app: String,
    country: String,
    poll_every: Duration,
    /// `updated` of the newest review sent: where the next poll stops paging.
    newest: Option<DateTime<Utc>>,
    seen: SeenPosts,
    limits: Limits,
}

impl AppStoreSource {
    pub fn new(name: String, base_url: &str, app: &str, country: &str, poll_seconds: u64) -> Self {
        Self {
            name,
            base_url: base_url.trim_end_matches('/').to_string(),
            app: app.to_string(),
            country: country.to_lowercase(),
            poll_every: Duration::from_secs(poll_seconds.max(1)),
            newest: None,
            seen: SeenPosts::new(SEEN),
            limits: Limits::default(),
        }
    }

    /// Other waits and sizes than the defaults (tests use short ones).
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    fn page_url(&self, page: u32) -> String {
        format!(
            "{}/{}/rss/customerreviews/page={page}/id={}/sortby=mostrecent/json",
            self.base_url, self.country, self.app
        )
    }

    /// The app's page in the store: where a review is read (Apple gives none per review).
    fn app_url(&self) -> String {
        format!(
            "https://apps.apple.com/{}/app/id{}?see-all=reviews",
            self.country, self.app
        )
    }

    /// The reviews new since the last poll, oldest first; without a cursor, the first page.
    async fn poll(
        &mut self,
        client: &reqwest::Client,
        ctx: &SourceContext,
    ) -> anyhow::Result<Vec<Review>> {
        let since = self.newest;
        let mut reviews = Vec::new();
        for page in 1..=MAX_PAGES {
            let response = http::send(client.get(self.page_url(page)), &self.limits)
                .await
                .context("itunes.apple.com unreachable")?;
            let response = http::check(response, None)?;
            let body = http::read_body(response, &self.limits).await?;
            let page = match parse_reviews(&body) {
                Ok(page) => page,
                Err(error) => {
                    ctx.sink.malformed("app store reviews", &error.to_string());
                    break;
                }
            };
            let reached_known = page
                .reviews
                .iter()
                .any(|r| since.is_some_and(|since| r.updated <= since));
            let last = page.reviews.is_empty() || !page.has_next;
            reviews.extend(page.reviews);
            if since.is_none() || reached_known || last {
                break;
            }
        }
        reviews.sort_by_key(|r| r.updated);
        Ok(reviews)
    }

    /// What to send of `reviews`: each new one as a post, each changed one as an edit.
    fn events(&mut self, reviews: Vec<Review>) -> Vec<SourceEvent> {
        let since = self.newest;
        let app_url = self.app_url();
        let mut events = Vec::new();
        for review in reviews {
            let novelty = self.seen.note(&review.id, &review.updated.to_rfc3339());
            // Older than the cursor and unknown: sent before a restart.
            let sent_before = since.is_some_and(|since| review.updated < since);
            self.newest = self.newest.max(Some(review.updated));
            let mention = review.into_mention(&app_url);
            match novelty {
                Novelty::New if !sent_before => events.push(SourceEvent::Post(mention)),
                Novelty::Changed => events.push(SourceEvent::Edit(mention)),
                _ => {}
            }
        }
        events
    }
}

impl Source for AppStoreSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn resume_from(&mut self, cursor: &str) {
        if let Ok(at) = DateTime::parse_from_rfc3339(cursor) {
            self.newest = Some(at.with_timezone(&Utc));
        }
    }

    fn run<'a>(&'a mut self, mut ctx: SourceContext) -> SourceFuture<'a> {
        Box::pin(async move {
            let client = http::client()?;
            loop {
                let reviews = self.poll(&client, &ctx).await?;
                for event in self.events(reviews) {
                    if !ctx.sink.send_event(event, ctx.clock.now()).await {
                        return Ok(SourceEnd::Shutdown);
                    }
                }
                ctx.sink
                    .checkpoint(|| self.newest.map(|at| at.to_rfc3339()));
                if !ctx.sleep_or_shutdown(self.poll_every).await {
                    return Ok(SourceEnd::Shutdown);
                }
            }
        })
    }
}

/// One review, as the feed gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct Review {
    pub id: String,
    pub updated: DateTime<Utc>,
    pub stars: u8,
    pub title: String,
    pub body: String,
    pub author: String,
    /// The review's helpful votes, less its unhelpful ones.
    pub votes: i64,
}

impl Review {
    fn into_mention(self, app_url: &str) -> Mention {
        let text = match (self.title.is_empty(), self.body.is_empty()) {
            (false, false) => format!("{}\n{}", self.title, self.body),
            (false, true) => self.title,
            _ => self.body,
        };
        Mention {
            id: format!("appstore:{}", self.id),
            platform: Platform::Appstore,
            author: Author {
                handle: self.author,
                display_name: String::new(),
                reach: 0,
                avatar: None,
            },
            text,
            lang: None,
            created_at: self.updated,
            url: Some(app_url.to_string()),
            engagement: Engagement {
                likes: self.votes.max(0) as u64,
                shares: 0,
                replies: 0,
            },
            reply_to: None,
            picture: None,
            rating: Some(self.stars),
        }
    }
}

pub struct ReviewPage {
    pub reviews: Vec<Review>,
    /// Whether the feed links a next page.
    pub has_next: bool,
}

#[derive(Deserialize)]
struct Label {
    label: String,
}

#[derive(Deserialize)]
struct RawDocument {
    feed: RawFeed,
}

#[derive(Deserialize)]
struct RawFeed {
    #[serde(default, deserialize_with = "one_or_many")]
    entry: Vec<RawEntry>,
    #[serde(default, deserialize_with = "one_or_many")]
    link: Vec<RawLink>,
}

#[derive(Deserialize)]
struct RawLink {
    attributes: RawLinkAttributes,
}

#[derive(Deserialize)]
struct RawLinkAttributes {
    #[serde(default)]
    rel: String,
    #[serde(default)]
    href: String,
}

#[derive(Deserialize)]
struct RawEntry {
    id: Label,
    #[serde(default)]
    updated: Option<Label>,
    #[serde(default)]
    title: Option<Label>,
    #[serde(default)]
    content: Option<Label>,
    #[serde(default)]
    author: Option<RawAuthor>,
    #[serde(default, rename = "im:rating")]
    rating: Option<Label>,
    #[serde(default, rename = "im:voteSum")]
    vote_sum: Option<Label>,
}

#[derive(Deserialize)]
struct RawAuthor {
    name: Label,
}

/// A JSON array, or the one object Apple writes instead of an array of one.
fn one_or_many<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany<T> {
        Many(Vec<T>),
        One(T),
    }
    Ok(match OneOrMany::deserialize(deserializer)? {
        OneOrMany::Many(items) => items,
        OneOrMany::One(item) => vec![item],
    })
}

/// A page of the review feed. An entry without stars (the app itself, in the feed's older
/// form) is not a review and is left out; a review whose stars or date cannot be read is an
/// error, so that a change of format is noticed rather than read as silence.
pub fn parse_reviews(body: &[u8]) -> anyhow::Result<ReviewPage> {
    let raw: RawDocument = serde_json::from_slice(body)?;
    let mut reviews = Vec::new();
    for entry in raw.feed.entry {
        let Some(rating) = entry.rating else { continue };
        let stars: u8 = rating
            .label
            .trim()
            .parse()
            .ok()
            .filter(|s| (1..=5).contains(s))
            .with_context(|| format!("review {}: stars '{}'", entry.id.label, rating.label))?;
        let updated = entry
            .updated
            .as_ref()
            .and_then(|u| DateTime::parse_from_rfc3339(u.label.trim()).ok())
            .with_context(|| format!("review {}: no readable date", entry.id.label))?
            .with_timezone(&Utc);
        reviews.push(Review {
            id: entry.id.label,
            updated,
            stars,
            title: entry
                .title
                .map(|t| t.label.trim().to_string())
                .unwrap_or_default(),
            body: entry
                .content
                .map(|c| c.label.trim().to_string())
                .unwrap_or_default(),
            author: entry.author.map(|a| a.name.label).unwrap_or_default(),
            votes: entry
                .vote_sum
                .and_then(|v| v.label.trim().parse().ok())
                .unwrap_or(0),
        });
    }
    let link = |rel: &str| {
        raw.feed
            .link
            .iter()
            .find(|l| l.attributes.rel == rel)
            .map(|l| l.attributes.href.as_str())
    };
    // The last page links itself as `last`; Apple's `next` is there on every page.
    let has_next = link("next").is_some() && link("next") != link("self") && !reviews.is_empty();
    Ok(ReviewPage { reviews, has_next })
}
