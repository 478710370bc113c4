//! Reddit: the search listing (`/search.json?q=…&sort=new`), polled. Reddit asks for a
//! descriptive User-Agent and for clients to follow its rate-limit headers: when
//! `X-Ratelimit-Remaining` runs out the next poll waits for `X-Ratelimit-Reset`, and a 429 waits
//! for `Retry-After`. Pages are followed back to the last post seen, so a busy interval leaves
//! no gap.

mod config;
pub use config::RedditConfig;

use std::time::Duration;

use anyhow::Context;
use chrono::DateTime;
use serde::Deserialize;

use super::web::html::decode_entities;
use super::web::http::{self, Limits};
use super::{Source, SourceContext, SourceEnd, SourceFuture};
use crate::model::{Author, Engagement, Mention, Picture, Platform};

/// Pages (of 100) read back to the last post seen.
const MAX_PAGES: usize = 5;

pub struct RedditSource {
    name: String,
    base_url: String,
    query: String,
    token_env: Option<String>,
    poll_every: Duration,
    /// `created_utc` of the newest post seen.
    newest: Option<f64>,
    limits: Limits,
}

impl RedditSource {
    /// Other waits and sizes than the defaults (tests use short ones).
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    pub fn new(
        name: String,
        base_url: String,
        query: String,
        token_env: Option<String>,
        poll_seconds: u64,
    ) -> Self {
        Self {
            name,
            base_url: base_url.trim_end_matches('/').to_string(),
            query,
            token_env,
            poll_every: Duration::from_secs(poll_seconds.max(1)),
            newest: None,
            limits: Limits::default(),
        }
    }

    /// One poll: the posts since the last one seen, oldest first, and how long to wait before
    /// the next poll if the rate limit says so.
    async fn poll(
        &mut self,
        client: &reqwest::Client,
        token: Option<&str>,
        ctx: &SourceContext,
    ) -> anyhow::Result<(Vec<Mention>, Option<Duration>)> {
        let mut posts = Vec::new();
        let mut after: Option<String> = None;
        let mut wait = None;
        for _ in 0..MAX_PAGES {
            let mut query = vec![
                ("q", self.query.clone()),
                ("sort", "new".to_string()),
                ("limit", "100".to_string()),
                ("raw_json", "1".to_string()),
            ];
            if let Some(after) = &after {
                query.push(("after", after.clone()));
            }
            let mut request = client
                .get(format!("{}/search.json", self.base_url))
                .query(&query);
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let response = http::send(request, &self.limits)
                .await
                .context("reddit unreachable")?;
            let response = http::check(response, self.token_env.as_deref())?;
            wait = rate_limit_wait(response.headers());
            let body = http::read_body(response, &self.limits).await?;
            let page = match parse_listing(&body) {
                Ok(page) => page,
                Err(error) => {
                    ctx.sink.malformed("reddit listing", &error.to_string());
                    break;
                }
            };
            let reached_known = self
                .newest
                .is_none_or(|newest| page.posts.iter().any(|(created, _)| *created <= newest));
            posts.extend(
                page.posts
                    .into_iter()
                    .filter(|(created, _)| self.newest.is_none_or(|newest| *created >= newest)),
            );
            after = page.after;
            if reached_known || after.is_none() || wait.is_some() {
                break;
            }
        }
        posts.sort_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((newest, _)) = posts.last() {
            self.newest = Some(self.newest.map_or(*newest, |n| n.max(*newest)));
        }
        Ok((posts.into_iter().map(|(_, m)| m).collect(), wait))
    }
}

impl Source for RedditSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn run<'a>(&'a mut self, mut ctx: SourceContext) -> SourceFuture<'a> {
        Box::pin(async move {
            let client = http::client()?;
            let token = http::token_from_env(self.token_env.as_deref())?;
            loop {
                let (posts, wait) = self.poll(&client, token.as_deref(), &ctx).await?;
                if !ctx.send_all(posts).await {
                    return Ok(SourceEnd::Shutdown);
                }
                let pause = wait.map_or(self.poll_every, |w| w.max(self.poll_every));
                if !ctx.sleep_or_shutdown(pause).await {
                    return Ok(SourceEnd::Shutdown);
                }
            }
        })
    }
}

/// When `X-Ratelimit-Remaining` is spent, the seconds until `X-Ratelimit-Reset`.
fn rate_limit_wait(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let number = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<f64>().ok())
    };
    let remaining = number("x-ratelimit-remaining")?;
    (remaining < 1.0).then(|| {
        Duration::from_secs_f64(
            number("x-ratelimit-reset")
                .unwrap_or(60.0)
                .clamp(0.0, 3600.0),
        )
    })
}

#[derive(Deserialize)]
struct RawListing {
    data: RawListingData,
}

#[derive(Deserialize)]
struct RawListingData {
    #[serde(default)]
    after: Option<String>,
    children: Vec<RawChild>,
}

#[derive(Deserialize)]
struct RawChild {
    kind: String,
    data: RawPost,
}

#[derive(Deserialize)]
struct RawPost {
    name: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    selftext: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    author: String,
    #[serde(default)]
    subreddit: String,
    #[serde(default)]
    subreddit_subscribers: u64,
    created_utc: f64,
    #[serde(default)]
    permalink: String,
    #[serde(default)]
    score: i64,
    #[serde(default)]
    num_comments: u64,
    /// "NSFW": never shown.
    #[serde(default)]
    over_18: bool,
    #[serde(default)]
    spoiler: bool,
    /// A link post's small picture; `self`, `default`, `nsfw` or `spoiler` when there is none.
    #[serde(default)]
    thumbnail: Option<String>,
    #[serde(default)]
    preview: Option<RawPreview>,
}

#[derive(Deserialize)]
struct RawPreview {
    #[serde(default)]
    images: Vec<RawPreviewImage>,
}

#[derive(Deserialize)]
struct RawPreviewImage {
    source: RawImageSource,
}

#[derive(Deserialize)]
struct RawImageSource {
    url: String,
}

impl RawPost {
    /// The preview's image (its address HTML-escaped, as Reddit writes it), else the
    /// thumbnail when it is an address.
    fn picture(&self) -> Option<Picture> {
        let url = self
            .preview
            .as_ref()
            .and_then(|p| p.images.first())
            .map(|i| decode_entities(&i.source.url))
            .or_else(|| {
                self.thumbnail
                    .clone()
                    .filter(|t| t.starts_with("https://") || t.starts_with("http://"))
            })?;
        Some(Picture {
            url,
            sensitive: self.over_18 || self.spoiler,
        })
    }
}

/// One page of a listing: `(created_utc, mention)` per post, and the next page's token.
pub struct ListingPage {
    pub posts: Vec<(f64, Mention)>,
    pub after: Option<String>,
}

pub fn parse_listing(body: &[u8]) -> Result<ListingPage, serde_json::Error> {
    let raw: RawListing = serde_json::from_slice(body)?;
    let posts = raw
        .data
        .children
        .into_iter()
        .filter(|child| child.kind == "t3" || child.kind == "t1")
        .filter_map(|child| {
            let post = child.data;
            let created_at = DateTime::from_timestamp_millis((post.created_utc * 1000.0) as i64)?;
            let text = [
                post.title.as_str(),
                post.selftext.as_str(),
                post.body.as_str(),
            ]
            .iter()
            .map(|part| decode_entities(part.trim()))
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join("\n");
            let picture = post.picture();
            let mention = Mention {
                id: format!("reddit:{}", post.name),
                platform: Platform::Reddit,
                author: Author {
                    handle: format!("u/{}", post.author),
                    display_name: format!("r/{}", post.subreddit),
                    // The subreddit's audience is who may see the post.
                    reach: post.subreddit_subscribers,
                    avatar: None,
                },
                text,
                lang: None,
                created_at,
                url: (!post.permalink.is_empty())
                    .then(|| format!("https://www.reddit.com{}", post.permalink)),
                engagement: Engagement {
                    likes: post.score.max(0) as u64,
                    shares: 0,
                    replies: post.num_comments,
                },
                // The search lists posts, which answer nothing.
                reply_to: None,
                picture,
                rating: None,
            };
            Some((post.created_utc, mention))
        })
        .collect();
    Ok(ListingPage {
        posts,
        after: raw.data.after,
    })
}
