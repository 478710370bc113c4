//! Threads: Meta's keyword search (`graph.threads.net/v1.0/keyword_search`, `search_type=
//! RECENT`), one search per brand, from the newest post seen (`since`), page by page
//! (`after`). A user access token with `threads_keyword_search` (which Meta grants after app
//! review) from the environment. Threads allows 2,200 searches in any 24 hours: they are
//! counted (`budget`), shown on the wall, and the source waits rather than go past them.
//!
//! The odd cases: timestamps are written `2026-11-25T10:00:00+0000` (no colon in the
//! offset); errors are Graph API errors (`code` 190: the token; 4, 17, 32, 613: too many
//! calls), sent with a 400 as often as with a 401 or a 429.

mod budget;
mod config;
pub use budget::{DAILY_SEARCHES, SearchBudget};
pub use config::ThreadsConfig;

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::web::http::{self, HttpFailure, Limits};
use super::web::seen::{Novelty, SeenPosts};
use super::{Source, SourceContext, SourceEnd, SourceFuture};
use crate::model::{Author, Engagement, Mention, Picture, Platform, Quota, QuotaPeriod};

const MAX_PAGES: u32 = 3;
const SEEN: usize = 5_000;
const FIELDS: &str = "id,text,media_type,media_url,thumbnail_url,permalink,timestamp,username,\
                      is_reply,replied_to,is_quote_post";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Cursor {
    /// The newest post seen, by query (unix seconds).
    #[serde(default)]
    since: BTreeMap<String, i64>,
    #[serde(default)]
    budget: SearchBudget,
}

pub struct ThreadsSource {
    name: String,
    base_url: String,
    token_env: String,
    token: String,
    queries: Vec<String>,
    poll_every: Duration,
    cursor: Cursor,
    seen: SeenPosts,
    limits: Limits,
}

impl ThreadsSource {
    pub fn new(
        name: String,
        base_url: &str,
        token_env: String,
        queries: Vec<String>,
        poll_seconds: u64,
    ) -> Self {
        Self {
            name,
            base_url: base_url.trim_end_matches('/').to_string(),
            token_env,
            token: String::new(),
            queries,
            poll_every: Duration::from_secs(poll_seconds.max(1)),
            cursor: Cursor::default(),
            seen: SeenPosts::new(SEEN),
            limits: Limits::default(),
        }
    }

    /// The token itself rather than from `token_env` (`vigie check` and tests).
    pub fn with_token(mut self, token: &str) -> Self {
        self.token = token.to_string();
        self
    }

    /// Other waits and sizes than the defaults (tests use short ones).
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    fn report(&self, ctx: &SourceContext) {
        ctx.sink.quota(Quota {
            used: self.cursor.budget.used(Utc::now()),
            limit: DAILY_SEARCHES,
            period: QuotaPeriod::Day,
        });
    }

    async fn search(
        &mut self,
        client: &reqwest::Client,
        ctx: &SourceContext,
        query: &str,
    ) -> anyhow::Result<Vec<Mention>> {
        let since = self.cursor.since.get(query).copied();
        let mut found = Vec::new();
        let mut after: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let now = Utc::now();
            if !self.cursor.budget.spend(now) {
                self.report(ctx);
                let free_at = self.cursor.budget.free_at(now);
                return Err(HttpFailure::QuotaSpent {
                    renewed_in: (free_at - now).to_std().unwrap_or(Duration::from_secs(60)),
                }
                .into());
            }
            self.report(ctx);
            let mut params = vec![
                ("q", query.to_string()),
                ("search_type", "RECENT".to_string()),
                ("fields", FIELDS.to_string()),
                ("limit", "100".to_string()),
            ];
            if let Some(since) = since {
                params.push(("since", since.to_string()));
            }
            if let Some(after) = &after {
                params.push(("after", after.clone()));
            }
            let request = client
                .get(format!("{}/v1.0/keyword_search", self.base_url))
                .query(&params)
                .bearer_auth(&self.token);
            let response = http::send(request, &self.limits)
                .await
                .context("graph.threads.net unreachable")?;
            let status = response.status();
            if !status.is_success() {
                let headers = response.headers().clone();
                let body = http::read_body(response, &self.limits)
                    .await
                    .unwrap_or_default();
                return Err(
                    graph_failure(status.as_u16(), &body, &headers, &self.token_env).into(),
                );
            }
            let body = http::read_body(response, &self.limits).await?;
            match parse_search(&body) {
                Ok(page) => {
                    found.extend(page.posts);
                    after = page.after;
                }
                Err(error) => {
                    ctx.sink
                        .malformed("threads keyword search", &error.to_string());
                    break;
                }
            }
            // Without a cursor, the newest page is where to start from.
            if since.is_none() || after.is_none() {
                break;
            }
        }
        found.sort_by_key(|m| m.created_at);
        found.retain(|m| self.seen.note(&m.id, "") == Novelty::New);
        if let Some(newest) = found.last() {
            let newest = newest.created_at.timestamp().max(since.unwrap_or(0));
            self.cursor.since.insert(query.to_string(), newest);
        }
        Ok(found)
    }
}

impl Source for ThreadsSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn resume_from(&mut self, cursor: &str) {
        if let Ok(cursor) = serde_json::from_str(cursor) {
            self.cursor = cursor;
        }
    }

    fn run<'a>(&'a mut self, mut ctx: SourceContext) -> SourceFuture<'a> {
        Box::pin(async move {
            if self.token.is_empty() {
                self.token = http::token_from_env(Some(&self.token_env))?.unwrap_or_default();
            }
            let client = http::client()?;
            self.report(&ctx);
            loop {
                for query in self.queries.clone() {
                    let found = self.search(&client, &ctx, &query).await?;
                    if !ctx.send_all(found).await {
                        return Ok(SourceEnd::Shutdown);
                    }
                }
                // Serialised only when the sink takes a checkpoint (once a second at most).
                ctx.sink
                    .checkpoint(|| serde_json::to_string(&self.cursor).ok());
                if !ctx.sleep_or_shutdown(self.poll_every).await {
                    return Ok(SourceEnd::Shutdown);
                }
            }
        })
    }
}

#[derive(Deserialize)]
struct RawGraphError {
    error: RawGraphErrorBody,
}

#[derive(Deserialize)]
struct RawGraphErrorBody {
    #[serde(default)]
    code: i64,
}

/// A Graph API refusal as the wall says it: the token (code 190, or a 401), too many calls
/// (codes 4, 17, 32, 613, or a 429), or the status.
fn graph_failure(
    status: u16,
    body: &[u8],
    headers: &reqwest::header::HeaderMap,
    token_env: &str,
) -> HttpFailure {
    let code = serde_json::from_slice::<RawGraphError>(body)
        .map(|e| e.error.code)
        .unwrap_or(0);
    match (status, code) {
        (401, _) | (_, 190) => HttpFailure::Unauthorized {
            token_env: Some(token_env.to_string()),
        },
        (429, _) | (_, 4 | 17 | 32 | 613) => HttpFailure::RateLimited {
            retry_after: http::retry_after(headers, Utc::now()),
        },
        (403, _) | (_, 10 | 200) => HttpFailure::Forbidden,
        (status, _) => HttpFailure::Status {
            status,
            url: "/v1.0/keyword_search".into(),
        },
    }
}

#[derive(Deserialize)]
struct RawSearch {
    #[serde(default)]
    data: Vec<RawPost>,
    #[serde(default)]
    paging: Option<RawPaging>,
}

#[derive(Deserialize)]
struct RawPaging {
    #[serde(default)]
    cursors: Option<RawCursors>,
    #[serde(default)]
    next: Option<String>,
}

#[derive(Deserialize)]
struct RawCursors {
    #[serde(default)]
    after: Option<String>,
}

#[derive(Deserialize)]
struct RawPost {
    id: String,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    media_type: Option<String>,
    #[serde(default)]
    media_url: Option<String>,
    #[serde(default)]
    thumbnail_url: Option<String>,
    #[serde(default)]
    permalink: Option<String>,
    timestamp: String,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    replied_to: Option<RawId>,
}

#[derive(Deserialize)]
struct RawId {
    id: String,
}

pub struct SearchPage {
    pub posts: Vec<Mention>,
    /// The cursor of the next page, when there is one.
    pub after: Option<String>,
}

/// Threads' timestamps: `2026-11-25T10:00:00+0000`, or RFC 3339 should it change.
fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%z")
        .or_else(|_| DateTime::parse_from_rfc3339(text))
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// A page of keyword search: each post a mention (`threads:<id>`); a post without text (a
/// picture alone) is kept with its picture, a post whose time cannot be read is skipped.
pub fn parse_search(body: &[u8]) -> anyhow::Result<SearchPage> {
    let raw: RawSearch = serde_json::from_slice(body)?;
    let posts = raw
        .data
        .into_iter()
        .filter_map(|post| {
            let created_at = parse_time(&post.timestamp)?;
            let picture = match post.media_type.as_deref() {
                Some("IMAGE") => post.media_url.clone(),
                Some("VIDEO") | Some("CAROUSEL_ALBUM") => {
                    post.thumbnail_url.clone().or(post.media_url.clone())
                }
                _ => None,
            }
            .map(|url| Picture {
                url,
                sensitive: false,
            });
            Some(Mention {
                id: format!("threads:{}", post.id),
                platform: Platform::Threads,
                author: Author {
                    handle: post.username.unwrap_or_default(),
                    display_name: String::new(),
                    reach: 0,
                    avatar: None,
                },
                text: post.text.unwrap_or_default(),
                lang: None,
                created_at,
                url: post.permalink,
                engagement: Engagement::default(),
                reply_to: post.replied_to.map(|r| format!("threads:{}", r.id)),
                picture,
                rating: None,
            })
        })
        .collect();
    let after = raw
        .paging
        .filter(|p| p.next.is_some())
        .and_then(|p| p.cursors)
        .and_then(|c| c.after);
    Ok(SearchPage { posts, after })
}
