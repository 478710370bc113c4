//! Press and blogs: RSS 2.0 and Atom feeds (feed-rs reads both, and their many real-world
//! variants), polled with `If-None-Match` / `If-Modified-Since` so that an unchanged feed
//! costs the publisher a 304. One entry is one mention, of platform "press".

use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use reqwest::header::{ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};

use super::web::host_of;
use super::web::html::html_to_text;
use super::web::http::{self, Limits};
use super::{Source, SourceContext, SourceEnd, SourceFuture};
use crate::model::{Author, Engagement, Mention, Platform};

/// A card shows a few lines: the rest of a long article body is not needed for matching either.
const MAX_TEXT_CHARS: usize = 2000;

pub struct FeedSource {
    name: String,
    url: String,
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

    /// One source per feed, named after its host when there are several.
    pub fn all(name: &str, urls: &[String], poll_seconds: u64) -> Vec<FeedSource> {
        urls.iter()
            .map(|url| FeedSource {
                name: if urls.len() > 1 {
                    format!("{name} {}", host_of(url))
                } else {
                    name.to_string()
                },
                url: url.clone(),
                poll_every: Duration::from_secs(poll_seconds.max(1)),
                etag: None,
                last_modified: None,
                limits: Limits::default(),
            })
            .collect()
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
                    match parse_feed(&body, ctx.clock.now()) {
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

/// The entries of an RSS or Atom document, oldest first. An entry without a date is dated
/// `now`, when it was first seen.
pub fn parse_feed(
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<Vec<Mention>, feed_rs::parser::ParseFeedError> {
    let feed = feed_rs::parser::parse(body)?;
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
            let title = entry
                .title
                .as_ref()
                .map(|t| html_to_text(&t.content))
                .unwrap_or_default();
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
            Mention {
                id: format!("press:{}", entry.id),
                platform: Platform::Press,
                author: Author {
                    handle: if outlet.is_empty() {
                        author.clone().unwrap_or_default()
                    } else {
                        outlet.clone()
                    },
                    display_name: author.unwrap_or_default(),
                    reach: 0,
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
