//! Discourse forums: the brands' searches, newest first (`/search.json?q=… order:latest`,
//! page by page back to the newest post seen), and the forum's new topics (`/latest.json`),
//! for a brand's own community forum where people rarely name the brand. A topic's first post
//! and the topic itself are one mention (`forum:<host>/t<topic>`), so a topic found both ways
//! counts once. An API key (`Api-Key`, `Api-Username`) opens a private forum; public ones need
//! none. Discourse limits anonymous callers per address and answers 429 with `Retry-After`.

mod config;
pub use config::DiscourseConfig;

use std::collections::HashMap;
use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::web::host_of;
use super::web::html::html_to_text;
use super::web::http::{self, Limits};
use super::web::seen::{Novelty, SeenPosts};
use super::{Source, SourceContext, SourceEnd, SourceFuture};
use crate::model::{Author, Engagement, Mention, Platform};

/// Search pages read back at most in one poll (fifty posts each).
const MAX_PAGES: u32 = 5;
/// Posts and topics remembered as sent.
const SEEN: usize = 5_000;
/// The size asked of an avatar (`{size}` in Discourse's template).
const AVATAR_SIZE: &str = "96";

pub struct DiscourseSource {
    name: String,
    base_url: String,
    host: String,
    queries: Vec<String>,
    /// Whether the forum's new topics are read too (`/latest.json`).
    latest: bool,
    /// The variable holding an API key, for a private forum, and the user the key acts as.
    token_env: Option<String>,
    api_username: String,
    /// The key, read from `token_env` at each run.
    key: Option<String>,
    poll_every: Duration,
    /// `created_at` of the newest post or topic sent.
    newest: Option<DateTime<Utc>>,
    /// What was sent: a search read back to the cursor finds the newest posts again.
    seen: SeenPosts,
    limits: Limits,
}

impl DiscourseSource {
    pub fn new(
        name: String,
        base_url: &str,
        queries: Vec<String>,
        token_env: Option<String>,
        api_username: Option<String>,
        poll_seconds: u64,
    ) -> Self {
        let base_url = base_url.trim_end_matches('/').to_string();
        Self {
            name,
            host: host_of(&base_url),
            base_url,
            queries,
            latest: true,
            token_env,
            api_username: api_username.unwrap_or_else(|| "system".into()),
            key: None,
            poll_every: Duration::from_secs(poll_seconds.max(1)),
            newest: None,
            seen: SeenPosts::new(SEEN),
            limits: Limits::default(),
        }
    }

    /// Searches only, without the forum's new topics (a big forum where most are not about
    /// the brands).
    pub fn without_latest(mut self) -> Self {
        self.latest = false;
        self
    }

    /// Other waits and sizes than the defaults (tests use short ones).
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    async fn get(
        &self,
        client: &reqwest::Client,
        path: &str,
        query: &[(&str, String)],
    ) -> anyhow::Result<bytes::Bytes> {
        let mut request = client
            .get(format!("{}{path}", self.base_url))
            .query(query)
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(key) = &self.key {
            request = request
                .header("Api-Key", key)
                .header("Api-Username", &self.api_username);
        }
        let response = http::send(request, &self.limits)
            .await
            .with_context(|| format!("{} unreachable", self.host))?;
        let response = http::check(response, self.token_env.as_deref())?;
        http::read_body(response, &self.limits).await
    }

    /// The posts a search found since the cursor, page by page (the first page alone without
    /// a cursor).
    async fn search(
        &self,
        client: &reqwest::Client,
        query: &str,
        ctx: &SourceContext,
    ) -> anyhow::Result<Vec<Mention>> {
        let since = self.newest;
        let mut found = Vec::new();
        for page in 1..=MAX_PAGES {
            let body = self
                .get(
                    client,
                    "/search.json",
                    &[
                        ("q", format!("{query} order:latest")),
                        ("page", page.to_string()),
                    ],
                )
                .await?;
            let result = match parse_search(&body, &self.base_url) {
                Ok(result) => result,
                Err(error) => {
                    ctx.sink.malformed("discourse search", &error.to_string());
                    break;
                }
            };
            let reached_known = result
                .posts
                .iter()
                .any(|m| since.is_some_and(|since| m.created_at <= since));
            let empty = result.posts.is_empty();
            found.extend(result.posts);
            if since.is_none() || reached_known || empty || !result.more {
                break;
            }
        }
        Ok(found)
    }

    async fn latest(
        &self,
        client: &reqwest::Client,
        ctx: &SourceContext,
    ) -> anyhow::Result<Vec<Mention>> {
        let body = self
            .get(client, "/latest.json", &[("order", "created".into())])
            .await?;
        match parse_latest(&body, &self.base_url) {
            Ok(topics) => Ok(topics),
            Err(error) => {
                ctx.sink.malformed("discourse latest", &error.to_string());
                Ok(Vec::new())
            }
        }
    }

    async fn poll(
        &mut self,
        client: &reqwest::Client,
        ctx: &SourceContext,
    ) -> anyhow::Result<Vec<Mention>> {
        let mut found = Vec::new();
        for query in &self.queries {
            found.extend(self.search(client, query, ctx).await?);
        }
        if self.latest {
            found.extend(self.latest(client, ctx).await?);
        }
        // Posts and topics are known by the forum's host; one found twice (a topic in a search
        // and in the latest) goes once.
        for mention in &mut found {
            mention.id = format!("forum:{}/{}", self.host, mention.id);
            if let Some(topic) = &mut mention.reply_to {
                *topic = format!("forum:{}/{topic}", self.host);
            }
        }
        found.sort_by(|a, b| {
            a.created_at
                .cmp(&b.created_at)
                .then_with(|| a.id.cmp(&b.id))
        });
        found.dedup_by(|a, b| a.id == b.id);
        let since = self.newest;
        // Older than the cursor: sent before (at the cursor itself, the analysis knows the id).
        found.retain(|m| since.is_none_or(|since| m.created_at >= since));
        found.retain(|m| self.seen.note(&m.id, "") == Novelty::New);
        if let Some(newest) = found.last() {
            self.newest = self.newest.max(Some(newest.created_at));
        }
        Ok(found)
    }
}

impl Source for DiscourseSource {
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
            self.key = http::token_from_env(self.token_env.as_deref())?;
            let client = http::client()?;
            loop {
                let found = self.poll(&client, &ctx).await?;
                if !ctx.send_all(found).await {
                    return Ok(SourceEnd::Shutdown);
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

#[derive(Deserialize)]
struct RawSearch {
    #[serde(default)]
    posts: Vec<RawPost>,
    #[serde(default)]
    topics: Vec<RawTopic>,
    #[serde(default)]
    grouped_search_result: Option<RawGrouped>,
}

#[derive(Deserialize)]
struct RawGrouped {
    #[serde(default)]
    more_full_page_results: Option<bool>,
}

#[derive(Deserialize)]
struct RawPost {
    id: u64,
    #[serde(default)]
    name: Option<String>,
    username: String,
    #[serde(default)]
    avatar_template: Option<String>,
    created_at: DateTime<Utc>,
    #[serde(default)]
    like_count: u64,
    #[serde(default)]
    blurb: String,
    #[serde(default = "first_post")]
    post_number: u64,
    topic_id: u64,
}

fn first_post() -> u64 {
    1
}

#[derive(Deserialize)]
struct RawTopic {
    id: u64,
    title: String,
    #[serde(default)]
    slug: Option<String>,
    #[serde(default)]
    created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    like_count: u64,
    #[serde(default)]
    reply_count: u64,
    #[serde(default)]
    posts_count: u64,
    #[serde(default)]
    excerpt: Option<String>,
    #[serde(default)]
    image_url: Option<String>,
    #[serde(default)]
    pinned: bool,
    #[serde(default)]
    posters: Vec<RawPoster>,
}

#[derive(Deserialize)]
struct RawPoster {
    #[serde(default)]
    description: String,
    user_id: i64,
}

#[derive(Deserialize)]
struct RawUser {
    id: i64,
    username: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    avatar_template: Option<String>,
}

#[derive(Deserialize)]
struct RawLatest {
    #[serde(default)]
    users: Vec<RawUser>,
    topic_list: RawTopicList,
}

#[derive(Deserialize)]
struct RawTopicList {
    #[serde(default)]
    topics: Vec<RawTopic>,
}

pub struct SearchResult {
    /// Ids are the forum's own (`t<topic>` for a topic's first post, `p<post>` for a reply);
    /// the source puts its host before them.
    pub posts: Vec<Mention>,
    /// Whether the search has another page.
    pub more: bool,
}

/// A forum address: absolute as given, or made absolute on the forum.
fn absolute(base_url: &str, url: &str) -> String {
    if url.starts_with("https://") || url.starts_with("http://") {
        url.to_string()
    } else if let Some(rest) = url.strip_prefix("//") {
        format!("https://{rest}")
    } else {
        format!("{base_url}/{}", url.trim_start_matches('/'))
    }
}

fn avatar(base_url: &str, template: Option<&str>) -> Option<String> {
    template
        .filter(|t| !t.is_empty())
        .map(|t| absolute(base_url, &t.replace("{size}", AVATAR_SIZE)))
}

fn topic_url(base_url: &str, slug: Option<&str>, topic: u64, post_number: u64) -> String {
    format!("{base_url}/t/{}/{topic}/{post_number}", slug.unwrap_or("-"))
}

pub fn parse_search(body: &[u8], base_url: &str) -> Result<SearchResult, serde_json::Error> {
    let raw: RawSearch = serde_json::from_slice(body)?;
    let topics: HashMap<u64, &RawTopic> = raw.topics.iter().map(|t| (t.id, t)).collect();
    let posts = raw
        .posts
        .iter()
        .map(|post| {
            let topic = topics.get(&post.topic_id);
            let title = topic.map(|t| html_to_text(&t.title)).unwrap_or_default();
            let blurb = html_to_text(&post.blurb);
            let opening = post.post_number <= 1;
            let text = match (opening, title.is_empty()) {
                (_, true) => blurb,
                (true, false) => format!("{title}\n{blurb}"),
                (false, false) => format!("{blurb}\n↳ {title}"),
            };
            Mention {
                id: if opening {
                    format!("t{}", post.topic_id)
                } else {
                    format!("p{}", post.id)
                },
                platform: Platform::Forum,
                author: Author {
                    handle: post.username.clone(),
                    display_name: post.name.clone().unwrap_or_default(),
                    reach: 0,
                    avatar: avatar(base_url, post.avatar_template.as_deref()),
                },
                text,
                lang: None,
                created_at: post.created_at,
                url: Some(topic_url(
                    base_url,
                    topic.and_then(|t| t.slug.as_deref()),
                    post.topic_id,
                    post.post_number,
                )),
                engagement: Engagement {
                    likes: post.like_count,
                    shares: 0,
                    replies: if opening {
                        topic.map_or(0, |t| t.reply_count.max(t.posts_count.saturating_sub(1)))
                    } else {
                        0
                    },
                },
                reply_to: (!opening).then(|| format!("t{}", post.topic_id)),
                picture: None,
                rating: None,
            }
        })
        .collect();
    let more = raw
        .grouped_search_result
        .and_then(|g| g.more_full_page_results)
        .unwrap_or(false);
    Ok(SearchResult { posts, more })
}

/// The latest topics of a forum, each as its first post (ids `t<topic>`); pinned topics (the
/// forum's notices, a category's "about") are left out.
pub fn parse_latest(body: &[u8], base_url: &str) -> Result<Vec<Mention>, serde_json::Error> {
    let raw: RawLatest = serde_json::from_slice(body)?;
    let users: HashMap<i64, &RawUser> = raw.users.iter().map(|u| (u.id, u)).collect();
    Ok(raw
        .topic_list
        .topics
        .iter()
        .filter_map(|topic| {
            if topic.pinned {
                return None;
            }
            let created_at = topic.created_at?;
            let poster = topic
                .posters
                .iter()
                .find(|p| p.description.contains("Original Poster"))
                .or(topic.posters.first())
                .and_then(|p| users.get(&p.user_id));
            let title = html_to_text(&topic.title);
            let text = match topic.excerpt.as_deref().map(html_to_text) {
                Some(excerpt) if !excerpt.is_empty() => format!("{title}\n{excerpt}"),
                _ => title,
            };
            Some(Mention {
                id: format!("t{}", topic.id),
                platform: Platform::Forum,
                author: Author {
                    handle: poster.map(|u| u.username.clone()).unwrap_or_default(),
                    display_name: poster.and_then(|u| u.name.clone()).unwrap_or_default(),
                    reach: 0,
                    avatar: poster.and_then(|u| avatar(base_url, u.avatar_template.as_deref())),
                },
                text,
                lang: None,
                created_at,
                url: Some(topic_url(base_url, topic.slug.as_deref(), topic.id, 1)),
                engagement: Engagement {
                    likes: topic.like_count,
                    shares: 0,
                    replies: topic.reply_count.max(topic.posts_count.saturating_sub(1)),
                },
                reply_to: None,
                picture: topic.image_url.as_deref().map(|url| crate::model::Picture {
                    url: absolute(base_url, url),
                    sensitive: false,
                }),
                rating: None,
            })
        })
        .collect())
}
