//! Press and blogs: RSS 2.0 and Atom feeds (feed-rs reads both, and their many real-world
//! variants), polled with `If-None-Match` / `If-Modified-Since` so that an unchanged feed
//! costs the publisher a 304. One entry is one mention, of platform "press".

mod config;
pub use config::FeedConfig;

use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use reqwest::header::{ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};

use super::web::host_of;
use super::web::html::html_to_text;
use super::web::http::{self, Limits};
use super::{Source, SourceContext, SourceEnd, SourceFuture};
use crate::model::{Author, Engagement, Mention, Picture, Platform};

/// A card shows a few lines: the rest of a long article body is not needed for matching either.
const MAX_TEXT_CHARS: usize = 2000;

/// How a feed's entries read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedStyle {
    /// A publisher's own feed: the feed is the outlet, an entry its article.
    Publisher,
    /// A news aggregator's search (Google News): each entry's title ends with " - Publisher",
    /// which is its author, and its description only repeats the title.
    Aggregator,
}

pub struct FeedSource {
    name: String,
    url: String,
    style: FeedStyle,
    poll_every: Duration,
    etag: Option<String>,
    last_modified: Option<String>,
    limits: Limits,
}

impl FeedSource {
    /// Other waits and sizes than the defaults (tests use short ones).
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// One source per feed, named after its host when there are several, and after its host
    /// and path when several come from one host (a newsroom following several sections of
    /// one paper): each feed has its own health.
    pub fn all(name: &str, urls: &[String], poll_seconds: u64) -> Vec<FeedSource> {
        let same_host = |url: &str| urls.iter().filter(|u| host_of(u) == host_of(url)).count();
        urls.iter()
            .map(|url| FeedSource {
                name: match (urls.len(), same_host(url)) {
                    (1, _) => name.to_string(),
                    (_, 1) => format!("{name} {}", host_of(url)),
                    _ => format!("{name} {}", without_scheme(url)),
                },
                url: url.clone(),
                style: FeedStyle::Publisher,
                poll_every: Duration::from_secs(poll_seconds.max(1)),
                etag: None,
                last_modified: None,
                limits: Limits::default(),
            })
            .collect()
    }

    /// The entries are read as `style` says.
    pub fn with_style(mut self, style: FeedStyle) -> Self {
        self.style = style;
        self
    }

    /// One poll: the entries of the feed, or nothing when it has not changed.
    async fn fetch(&mut self, client: &reqwest::Client) -> anyhow::Result<Option<bytes::Bytes>> {
        let mut request = client.get(&self.url);
        if let Some(etag) = &self.etag {
            request = request.header(IF_NONE_MATCH, etag);
        }
        if let Some(modified) = &self.last_modified {
            request = request.header(IF_MODIFIED_SINCE, modified);
        }
        let response = http::send(request, &self.limits)
            .await
            .with_context(|| format!("{} unreachable", host_of(&self.url)))?;
        let response = http::check(response, None)?;
        if response.status() == StatusCode::NOT_MODIFIED {
            return Ok(None);
        }
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
                .map(str::to_string)
        };
        let etag = header(ETAG);
        let last_modified = header(LAST_MODIFIED);
        let body = http::read_body(response, &self.limits).await?;
        // Validators are kept only once the body is read: a failed read is fetched again whole.
        self.etag = etag;
        self.last_modified = last_modified;
        Ok(Some(body))
    }
}

impl Source for FeedSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn run<'a>(&'a mut self, mut ctx: SourceContext) -> SourceFuture<'a> {
        Box::pin(async move {
            let client = http::client()?;
            loop {
                if let Some(body) = self.fetch(&client).await? {
                    match parse_feed_as(&body, &self.url, ctx.clock.now(), self.style) {
                        Ok(mentions) => {
                            if !ctx.send_all(mentions).await {
                                return Ok(SourceEnd::Shutdown);
                            }
                        }
                        Err(error) => {
                            // A broken document: counted, and fetched whole next time.
                            self.etag = None;
                            self.last_modified = None;
                            ctx.sink.malformed(&self.url, &error.to_string());
                        }
                    }
                }
                if !ctx.sleep_or_shutdown(self.poll_every).await {
                    return Ok(SourceEnd::Shutdown);
                }
            }
        })
    }
}

/// `host/path?query` of a URL, the way a person reads it.
fn without_scheme(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.trim_end_matches('/').to_string()
}

/// The RSS 2.0 namespace of UserLand's drafts, still served by old publishing systems; feed-rs
/// reads no item under it.
const USERLAND_NAMESPACE: &[u8] = br#"xmlns="http://backend.userland.com/rss2""#;

/// An RSS or Atom document, its entries' ids as the publisher gave them (or made from their
/// link and title); an entry with neither id nor link keeps an empty id, for `parse_feed`.
fn parse_document(body: &[u8]) -> Result<feed_rs::model::Feed, feed_rs::parser::ParseFeedError> {
    feed_rs::parser::Builder::new()
        .id_generator(|links, title, _| match links.first() {
            Some(link) => feed_rs::parser::generate_id_from_link_and_title(link, title),
            // Not a random one (feed-rs's last resort): the same item would count at every poll.
            None => String::new(),
        })
        .build()
        .parse(body)
}

/// Whether a document has entries in its text, whatever a parser made of them.
fn has_entry_tags(body: &[u8]) -> bool {
    body.windows(6)
        .any(|w| w == b"<item>" || w == b"<item " || w == b"<entry")
}

/// The entries of an RSS or Atom document fetched from `feed_url`, oldest first. An entry
/// without a date is dated `now`, when it was first seen. An entry with neither id nor link
/// gets a stable one, from the feed's URL, its title, its text and its date, so that it counts
/// once however often it is polled. A document with items of which none could be read is an
/// error, not an empty feed.
pub fn parse_feed(body: &[u8], feed_url: &str, now: DateTime<Utc>) -> anyhow::Result<Vec<Mention>> {
    parse_feed_as(body, feed_url, now, FeedStyle::Publisher)
}

/// `parse_feed`, the entries read as `style` says.
pub fn parse_feed_as(
    body: &[u8],
    feed_url: &str,
    now: DateTime<Utc>,
    style: FeedStyle,
) -> anyhow::Result<Vec<Mention>> {
    let mut feed = parse_document(body)?;
    if feed.entries.is_empty() && has_entry_tags(body) {
        // UserLand's namespace: read again as plain RSS 2.0.
        if let Some(at) = body
            .windows(USERLAND_NAMESPACE.len())
            .position(|w| w == USERLAND_NAMESPACE)
        {
            let mut plain = body.to_vec();
            plain.drain(at..at + USERLAND_NAMESPACE.len());
            feed = parse_document(&plain)?;
        }
        anyhow::ensure!(
            !feed.entries.is_empty(),
            "the document has items but none could be read (an unknown RSS or Atom variant)"
        );
    }
    let outlet = feed
        .title
        .as_ref()
        .map(|t| html_to_text(&t.content))
        .unwrap_or_default();
    let feed_lang = feed.language.as_deref().map(short_lang);
    let mut mentions: Vec<Mention> = feed
        .entries
        .into_iter()
        .map(|entry| {
            let mut title = entry
                .title
                .as_ref()
                .map(|t| html_to_text(&t.content))
                .unwrap_or_default();
            let publisher = match style {
                FeedStyle::Aggregator => split_publisher(&mut title),
                FeedStyle::Publisher => None,
            };
            let summary = entry
                .summary
                .as_ref()
                .map(|t| html_to_text(&t.content))
                .or_else(|| {
                    entry
                        .content
                        .as_ref()
                        .and_then(|c| c.body.as_deref())
                        .map(html_to_text)
                })
                .unwrap_or_default();
            let summary = if publisher.is_some() {
                String::new()
            } else {
                summary
            };
            let picture = first_image(&entry);
            let id = if entry.id.is_empty() {
                let date = entry.published.or(entry.updated).map(|d| d.to_rfc3339());
                let parts = [feed_url, &title, &summary, date.as_deref().unwrap_or("")];
                format!("{:016x}", crate::fingerprint::fnv1a_parts(&parts))
            } else {
                entry.id
            };
            let mut text = match (title.is_empty(), summary.is_empty()) {
                (false, false) => format!("{title}\n{summary}"),
                (false, true) => title,
                _ => summary,
            };
            if let Some((cut, _)) = text.char_indices().nth(MAX_TEXT_CHARS) {
                text.truncate(cut);
            }
            let author = entry
                .authors
                .first()
                .map(|a| a.name.clone())
                .filter(|n| !n.is_empty());
            let outlet = publisher.unwrap_or_else(|| outlet.clone());
            Mention {
                id: format!("press:{id}"),
                platform: Platform::Press,
                author: Author {
                    handle: if outlet.is_empty() {
                        author.clone().unwrap_or_default()
                    } else {
                        outlet
                    },
                    display_name: author.unwrap_or_default(),
                    reach: 0,
                    avatar: None,
                },
                text,
                lang: entry
                    .language
                    .as_deref()
                    .map(short_lang)
                    .or(feed_lang.clone()),
                created_at: entry.published.or(entry.updated).unwrap_or(now),
                url: entry.links.first().map(|l| l.href.clone()),
                engagement: Engagement::default(),
                reply_to: None,
                picture,
                rating: None,
            }
        })
        .collect();
    mentions.sort_by_key(|m| m.created_at);
    Ok(mentions)
}

/// `fr-FR` → `fr`.
fn short_lang(lang: &str) -> String {
    lang.split(['-', '_'])
        .next()
        .unwrap_or(lang)
        .to_ascii_lowercase()
}

/// Takes " - Publisher" off an aggregator's title and returns the publisher. Only the last
/// dash counts: a headline may have its own ("Petit Loup - la polémique - Le Monde").
fn split_publisher(title: &mut String) -> Option<String> {
    let (headline, publisher) = title.rsplit_once(" - ")?;
    let publisher = publisher.trim().to_string();
    if publisher.is_empty() || headline.trim().is_empty() {
        return None;
    }
    let headline = headline.trim_end().to_string();
    *title = headline;
    Some(publisher)
}

/// The entry's picture: a Media RSS thumbnail or image (`media:thumbnail`, `media:content`),
/// else an image enclosure.
fn first_image(entry: &feed_rs::model::Entry) -> Option<Picture> {
    let is_image =
        |content_type: Option<&str>| content_type.is_none_or(|t| t.starts_with("image/"));
    let from_media = entry.media.iter().find_map(|media| {
        media
            .thumbnails
            .first()
            .map(|t| t.image.uri.clone())
            .or_else(|| {
                media.content.iter().find_map(|content| {
                    let url = content.url.as_ref()?;
                    is_image(content.content_type.as_ref().map(|t| t.as_str()))
                        .then(|| url.to_string())
                })
            })
    });
    let from_enclosure = || {
        entry.links.iter().find_map(|link| {
            (link.rel.as_deref() == Some("enclosure")
                && link
                    .media_type
                    .as_deref()
                    .is_some_and(|t| t.starts_with("image/")))
            .then(|| link.href.clone())
        })
    };
    let url = from_media.or_else(from_enclosure)?;
    (url.starts_with("https://") || url.starts_with("http://")).then_some(Picture {
        url,
        sensitive: false,
    })
}
