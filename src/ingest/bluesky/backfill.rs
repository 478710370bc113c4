//! A new wall is not empty: before Jetstream (which carries only what happens from now), the
//! brands' posts of the last hours are read from Bluesky's search (`app.bsky.feed.searchPosts`,
//! `sort=latest`, `since`), page by page. Done once, when the history has no cursor to resume
//! from (a wall restarted after an hour resumes its stream instead).

use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{POST_COLLECTION, is_sensitive_label};
use crate::ingest::web::http::{self, Limits};
use crate::model::{Author, Engagement, Mention, Picture, Platform};

/// Pages of 100 read back at most per search.
const MAX_PAGES: u32 = 10;

/// What the backfill reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Backfill {
    /// The AppView that answers searches (`https://public.api.bsky.app`).
    pub base_url: String,
    /// One search per term.
    pub terms: Vec<String>,
    /// How far back.
    pub window: Duration,
    /// An access token, for an AppView that asks for one.
    pub token: Option<String>,
}

impl Backfill {
    /// The posts of the window, oldest first, each once.
    pub async fn read(
        &self,
        client: &reqwest::Client,
        limits: &Limits,
        now: DateTime<Utc>,
        mut malformed: impl FnMut(&str),
    ) -> anyhow::Result<Vec<Mention>> {
        let since = now - chrono::TimeDelta::from_std(self.window).unwrap_or_default();
        let mut posts: Vec<Mention> = Vec::new();
        for term in &self.terms {
            let mut cursor: Option<String> = None;
            for _ in 0..MAX_PAGES {
                let mut query = vec![
                    ("q", term.clone()),
                    ("sort", "latest".to_string()),
                    (
                        "since",
                        since.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                    ),
                    ("limit", "100".to_string()),
                ];
                if let Some(cursor) = &cursor {
                    query.push(("cursor", cursor.clone()));
                }
                let mut request = client
                    .get(format!(
                        "{}/xrpc/app.bsky.feed.searchPosts",
                        self.base_url.trim_end_matches('/')
                    ))
                    .query(&query);
                if let Some(token) = &self.token {
                    request = request.bearer_auth(token);
                }
                let response = http::send(request, limits)
                    .await
                    .context("bluesky search unreachable")?;
                let response = http::check(response, None)?;
                let body = http::read_body(response, limits).await?;
                match parse_search(&body) {
                    Ok(page) => {
                        let empty = page.posts.is_empty();
                        posts.extend(page.posts);
                        cursor = page.cursor;
                        if empty {
                            break;
                        }
                    }
                    Err(error) => {
                        malformed(&error.to_string());
                        break;
                    }
                }
                if cursor.is_none() {
                    break;
                }
            }
        }
        posts.retain(|m| m.created_at >= since);
        posts.sort_by(|a, b| {
            a.created_at
                .cmp(&b.created_at)
                .then_with(|| a.id.cmp(&b.id))
        });
        posts.dedup_by(|a, b| a.id == b.id);
        Ok(posts)
    }
}

#[derive(Deserialize)]
struct RawSearch {
    #[serde(default)]
    cursor: Option<String>,
    #[serde(default)]
    posts: Vec<RawPostView>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawPostView {
    uri: String,
    author: RawProfile,
    record: RawRecord,
    #[serde(default)]
    embed: Option<RawEmbedView>,
    #[serde(default)]
    reply_count: u64,
    #[serde(default)]
    repost_count: u64,
    #[serde(default)]
    like_count: u64,
    #[serde(default)]
    quote_count: u64,
    #[serde(default)]
    labels: Vec<RawLabel>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawProfile {
    did: String,
    #[serde(default)]
    handle: String,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    avatar: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRecord {
    #[serde(default)]
    text: String,
    #[serde(default)]
    created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    langs: Vec<String>,
    #[serde(default)]
    reply: Option<super::RawReply>,
    #[serde(default)]
    labels: Option<super::RawSelfLabels>,
}

#[derive(Deserialize)]
struct RawEmbedView {
    #[serde(default)]
    images: Vec<RawImageView>,
    /// `recordWithMedia#view`: the pictures are under `media`.
    #[serde(default)]
    media: Option<Box<RawEmbedView>>,
    /// `video#view`: its poster frame.
    #[serde(default)]
    thumbnail: Option<String>,
}

#[derive(Deserialize)]
struct RawImageView {
    #[serde(default)]
    thumb: Option<String>,
    #[serde(default)]
    fullsize: Option<String>,
}

#[derive(Deserialize)]
struct RawLabel {
    val: String,
}

impl RawEmbedView {
    fn first_picture(&self) -> Option<String> {
        self.images
            .iter()
            .find_map(|i| i.fullsize.clone().or_else(|| i.thumb.clone()))
            .or_else(|| self.thumbnail.clone())
            .or_else(|| self.media.as_ref().and_then(|m| m.first_picture()))
    }
}

pub struct SearchPage {
    pub posts: Vec<Mention>,
    pub cursor: Option<String>,
}

/// A page of `searchPosts`: each post with the id Jetstream gives it (`bluesky:at://…`), its
/// author's handle, name and avatar, its counts, its first picture (sensitive when the post
/// or its author's labels say so).
pub fn parse_search(body: &[u8]) -> Result<SearchPage, serde_json::Error> {
    let raw: RawSearch = serde_json::from_slice(body)?;
    let posts = raw
        .posts
        .into_iter()
        .filter(|post| post.uri.contains(POST_COLLECTION))
        .filter_map(|post| {
            let created_at = post.record.created_at?;
            let rkey = post.uri.rsplit('/').next().unwrap_or_default().to_string();
            let sensitive = post.labels.iter().any(|l| is_sensitive_label(&l.val))
                || post
                    .record
                    .labels
                    .as_ref()
                    .is_some_and(super::RawSelfLabels::sensitive);
            Some(Mention {
                id: format!("bluesky:{}", post.uri),
                platform: Platform::Bluesky,
                author: Author {
                    handle: post.author.handle.clone(),
                    display_name: post.author.display_name.unwrap_or_default(),
                    reach: 0,
                    avatar: post.author.avatar,
                },
                text: post.record.text,
                lang: post
                    .record
                    .langs
                    .first()
                    .map(|l| l.split('-').next().unwrap_or(l).to_ascii_lowercase()),
                created_at,
                url: Some(format!(
                    "https://bsky.app/profile/{}/post/{rkey}",
                    if post.author.handle.is_empty() {
                        &post.author.did
                    } else {
                        &post.author.handle
                    }
                )),
                engagement: Engagement {
                    likes: post.like_count,
                    shares: post.repost_count + post.quote_count,
                    replies: post.reply_count,
                },
                reply_to: post
                    .record
                    .reply
                    .map(|reply| format!("bluesky:{}", reply.parent.uri)),
                picture: post
                    .embed
                    .as_ref()
                    .and_then(RawEmbedView::first_picture)
                    .map(|url| Picture { url, sensitive }),
                rating: None,
            })
        })
        .collect();
    Ok(SearchPage {
        posts,
        cursor: raw.cursor,
    })
}
