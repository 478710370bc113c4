//! Hacker News through Algolia's search API (`/api/v1/search_by_date`), stories and comments,
//! polled from the newest item seen (`numericFilters=created_at_i>=…`), page by page so a busy
//! minute leaves no gap. Algolia allows 10,000 requests an hour per address: one request per
//! query a minute is far below it, and a 429 waits for `Retry-After`.

mod config;
pub use config::HackernewsConfig;

use std::time::Duration;

use anyhow::Context;
use chrono::DateTime;
use serde::Deserialize;

use super::web::html::html_to_text;
use super::web::http::{self, Limits};
use super::{Source, SourceContext, SourceEnd, SourceFuture};
use crate::model::{Author, Engagement, Mention, Platform};

const MAX_PAGES: u32 = 5;

pub struct HackerNewsSource {
    name: String,
    base_url: String,
    queries: Vec<String>,
    poll_every: Duration,
    /// Per query, `created_at_i` of the newest item seen.
    newest: Vec<Option<i64>>,
    limits: Limits,
}

impl HackerNewsSource {
    /// Other waits and sizes than the defaults (tests use short ones).
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    pub fn new(name: String, base_url: String, queries: Vec<String>, poll_seconds: u64) -> Self {
        Self {
            name,
            base_url: base_url.trim_end_matches('/').to_string(),
            newest: vec![None; queries.len()],
            queries,
            poll_every: Duration::from_secs(poll_seconds.max(1)),
            limits: Limits::default(),
        }
    }

    async fn poll(
        &mut self,
        client: &reqwest::Client,
        index: usize,
        ctx: &SourceContext,
    ) -> anyhow::Result<Vec<Mention>> {
        let mut items = Vec::new();
        let since = self.newest[index];
        for page in 0..MAX_PAGES {
            let mut query = vec![
                ("query", self.queries[index].clone()),
                ("tags", "(story,comment)".to_string()),
                ("hitsPerPage", "100".to_string()),
                ("page", page.to_string()),
            ];
            if let Some(since) = since {
                query.push(("numericFilters", format!("created_at_i>={since}")));
            }
            let request = client
                .get(format!("{}/api/v1/search_by_date", self.base_url))
                .query(&query);
            let response = http::send(request, &self.limits)
                .await
                .context("hn.algolia.com unreachable")?;
            let response = http::check(response, None)?;
            let body = http::read_body(response, &self.limits).await?;
            let result = match parse_search(&body) {
                Ok(result) => result,
                Err(error) => {
                    ctx.sink.malformed("hacker news search", &error.to_string());
                    break;
                }
            };
            let last_page = result.page + 1 >= result.pages;
            items.extend(result.items);
            // Without a cursor, the newest page is enough to start from.
            if since.is_none() || last_page {
                break;
            }
        }
        items.sort_by_key(|(created, _)| *created);
        if let Some((newest, _)) = items.last() {
            self.newest[index] = Some(since.map_or(*newest, |s| s.max(*newest)));
        }
        Ok(items.into_iter().map(|(_, m)| m).collect())
    }
}

impl Source for HackerNewsSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn run<'a>(&'a mut self, mut ctx: SourceContext) -> SourceFuture<'a> {
        Box::pin(async move {
            let client = http::client()?;
            loop {
                for index in 0..self.queries.len() {
                    let items = self.poll(&client, index, &ctx).await?;
                    if !ctx.send_all(items).await {
                        return Ok(SourceEnd::Shutdown);
                    }
                }
                if !ctx.sleep_or_shutdown(self.poll_every).await {
                    return Ok(SourceEnd::Shutdown);
                }
            }
        })
    }
}

#[derive(Deserialize)]
struct RawSearch {
    hits: Vec<RawHit>,
    #[serde(default)]
    page: u32,
    #[serde(default, rename = "nbPages")]
    pages: u32,
}

#[derive(Deserialize)]
struct RawHit {
    #[serde(rename = "objectID")]
    object_id: String,
    created_at_i: i64,
    #[serde(default)]
    author: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    story_text: Option<String>,
    #[serde(default)]
    comment_text: Option<String>,
    #[serde(default)]
    story_title: Option<String>,
    #[serde(default)]
    points: Option<i64>,
    #[serde(default)]
    num_comments: Option<u64>,
    /// A comment's parent: the story or comment it answers (a number; tolerated as a string).
    #[serde(default)]
    parent_id: Option<serde_json::Value>,
}

pub struct SearchPage {
    /// `(created_at_i, mention)` per hit.
    pub items: Vec<(i64, Mention)>,
    pub page: u32,
    pub pages: u32,
}

pub fn parse_search(body: &[u8]) -> Result<SearchPage, serde_json::Error> {
    let raw: RawSearch = serde_json::from_slice(body)?;
    let items = raw
        .hits
        .into_iter()
        .filter_map(|hit| {
            let created_at = DateTime::from_timestamp(hit.created_at_i, 0)?;
            // A comment reads with the story it is about; a story with its text.
            let text = match (&hit.comment_text, &hit.title) {
                (Some(comment), _) => {
                    let comment = html_to_text(comment);
                    match &hit.story_title {
                        Some(story) => format!("{comment}\n↳ {story}"),
                        None => comment,
                    }
                }
                (None, Some(title)) => match hit.story_text.as_deref().map(html_to_text) {
                    Some(body) if !body.is_empty() => format!("{title}\n{body}"),
                    _ => title.clone(),
                },
                (None, None) => return None,
            };
            let mention = Mention {
                id: format!("hackernews:{}", hit.object_id),
                platform: Platform::Hackernews,
                author: Author {
                    handle: hit.author.unwrap_or_default(),
                    display_name: String::new(),
                    reach: 0,
                    avatar: None,
                },
                text,
                lang: None,
                created_at,
                url: Some(format!(
                    "https://news.ycombinator.com/item?id={}",
                    hit.object_id
                )),
                engagement: Engagement {
                    likes: hit.points.unwrap_or(0).max(0) as u64,
                    shares: 0,
                    replies: hit.num_comments.unwrap_or(0),
                },
                reply_to: hit.parent_id.as_ref().and_then(|parent| match parent {
                    serde_json::Value::Number(n) => Some(format!("hackernews:{n}")),
                    serde_json::Value::String(s) if !s.is_empty() => {
                        Some(format!("hackernews:{s}"))
                    }
                    _ => None,
                }),
                picture: None,
                rating: None,
            };
            Some((hit.created_at_i, mention))
        })
        .collect();
    Ok(SearchPage {
        items,
        page: raw.page,
        pages: raw.pages,
    })
}
