//! YouTube Data API v3: new videos by the brands' queries (`search.list`, type video, order
//! date, `publishedAfter` the newest seen) with their channels' audiences (`channels.list`),
//! and the comments on watched channels and videos (`commentThreads.list`, newest first,
//! optionally narrowed by `searchTerms`). An API key from the environment; every call's units
//! are counted against the daily quota (`quota`), searches are paced to fit the day, and the
//! units used are on the wall. The cursor (newest video per query, newest comment per feed,
//! the day's units) goes to the history, so a restart neither leaves a gap nor forgets what
//! it spent.
//!
//! YouTube's odd cases: errors are 403s told apart by their `reason` (`quotaExceeded`,
//! `commentsDisabled`, `rateLimitExceeded`), a bad key is a 400 (`keyInvalid`), titles in
//! search results are HTML-escaped, a deleted video's comments answer 404.

mod config;
pub mod quota;
pub use config::YoutubeConfig;

use std::collections::{BTreeMap, HashSet};
use std::num::NonZeroUsize;
use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use self::quota::{LIST_COST, QuotaDay, SEARCH_COST, renewal_after};
use super::web::html::decode_entities;
use super::web::http::{self, HttpFailure, Limits};
use super::web::seen::{Novelty, SeenPosts};
use super::{Source, SourceContext, SourceEnd, SourceFuture};
use crate::model::{
    Author, Engagement, Mention, Picture, Platform, Quota, QuotaPeriod, SourceEvent,
};

/// Pages read back at most per search or comment feed in one round.
const MAX_PAGES: u32 = 3;
/// A first search looks this far back.
const FIRST_LOOK_BACK: TimeDelta = TimeDelta::hours(24);
/// Channels whose audience is remembered (a day's worth of authors, and more).
const CHANNELS_KEPT: usize = 4_096;
const SEEN: usize = 10_000;

/// What comments are read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommentFeed {
    /// Every comment on a channel's videos (`allThreadsRelatedToChannelId`).
    Channel(String),
    /// The comments on one video.
    Video(String),
}

impl CommentFeed {
    fn key(&self) -> String {
        match self {
            CommentFeed::Channel(id) => format!("channel:{id}"),
            CommentFeed::Video(id) => format!("video:{id}"),
        }
    }

    fn param(&self) -> (&'static str, String) {
        match self {
            CommentFeed::Channel(id) => ("allThreadsRelatedToChannelId", id.clone()),
            CommentFeed::Video(id) => ("videoId", id.clone()),
        }
    }
}

/// Where the source resumes, as the history keeps it (JSON).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Cursor {
    /// The newest video seen, by query.
    #[serde(default)]
    videos: BTreeMap<String, DateTime<Utc>>,
    /// The newest comment seen, by feed (`channel:…`, `video:…`).
    #[serde(default)]
    comments: BTreeMap<String, DateTime<Utc>>,
    #[serde(default)]
    quota_day: Option<NaiveDate>,
    #[serde(default)]
    quota_used: u64,
}

pub struct YoutubeSource {
    name: String,
    base_url: String,
    token_env: String,
    key: String,
    queries: Vec<String>,
    feeds: Vec<CommentFeed>,
    comment_terms: Option<String>,
    region: Option<String>,
    language: Option<String>,
    poll_every: Duration,
    daily_quota: u64,
    cursor: Cursor,
    quota: QuotaDay,
    /// When the searches may run again (they cost a hundred times a page of comments).
    next_search: Option<tokio::time::Instant>,
    /// Feeds YouTube refuses for good (comments disabled, video deleted): not asked again.
    closed: HashSet<String>,
    seen: SeenPosts,
    audiences: lru::LruCache<String, u64>,
    limits: Limits,
}

/// What a call gave: the body, or a refusal that concerns one feed, not the source.
enum Answer {
    Body(Bytes),
    Refused(String),
}

pub struct YoutubeSettings {
    pub name: String,
    pub base_url: String,
    pub token_env: String,
    pub queries: Vec<String>,
    pub feeds: Vec<CommentFeed>,
    pub comment_terms: Option<String>,
    pub region: Option<String>,
    pub language: Option<String>,
    pub poll_seconds: u64,
    pub daily_quota: u64,
}

impl YoutubeSource {
    pub fn new(settings: YoutubeSettings) -> Self {
        Self {
            name: settings.name,
            base_url: settings.base_url.trim_end_matches('/').to_string(),
            token_env: settings.token_env,
            key: String::new(),
            queries: settings.queries,
            feeds: settings.feeds,
            comment_terms: settings.comment_terms,
            region: settings.region,
            language: settings.language,
            poll_every: Duration::from_secs(settings.poll_seconds.max(1)),
            daily_quota: settings.daily_quota,
            cursor: Cursor::default(),
            quota: QuotaDay::new(Utc::now()),
            next_search: None,
            closed: HashSet::new(),
            seen: SeenPosts::new(SEEN),
            audiences: lru::LruCache::new(
                NonZeroUsize::new(CHANNELS_KEPT).unwrap_or(NonZeroUsize::MIN),
            ),
            limits: Limits::default(),
        }
    }

    /// The key itself rather than from `token_env` (`vigie check` and tests).
    pub fn with_key(mut self, key: &str) -> Self {
        self.key = key.to_string();
        self
    }

    /// Other waits and sizes than the defaults (tests use short ones).
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The searches' period: paced to the quota, never more often than the comments.
    fn search_every(&self) -> Duration {
        quota::search_interval(
            self.queries.len(),
            self.feeds.len(),
            self.poll_every,
            self.daily_quota,
        )
        .unwrap_or(Duration::from_secs(86_400))
    }

    fn report_quota(&mut self, ctx: &SourceContext) {
        let used = self.quota.used(Utc::now());
        ctx.sink.quota(Quota {
            used,
            limit: self.daily_quota,
            period: QuotaPeriod::Day,
        });
    }

    /// One call of `cost` units: refused before it is made when the day's quota would not
    /// cover it.
    async fn call(
        &mut self,
        client: &reqwest::Client,
        ctx: &SourceContext,
        resource: &str,
        params: &[(&str, String)],
        cost: u64,
    ) -> anyhow::Result<Answer> {
        let now = Utc::now();
        if !self.quota.spend(cost, self.daily_quota, now) {
            self.report_quota(ctx);
            return Err(quota_spent(now).into());
        }
        self.report_quota(ctx);
        let request = client
            .get(format!("{}/youtube/v3/{resource}", self.base_url))
            .query(params)
            .query(&[("key", self.key.as_str())]);
        let response = match http::send(request, &self.limits).await {
            Ok(response) => response,
            Err(error) => {
                // A request that never reached Google costs nothing.
                if matches!(
                    http::failure_of(&error),
                    Some(HttpFailure::Unreachable { .. })
                ) {
                    self.quota.refund(cost);
                    self.report_quota(ctx);
                }
                return Err(error.context("www.googleapis.com unreachable"));
            }
        };
        let status = response.status();
        if status.is_success() {
            return Ok(Answer::Body(http::read_body(response, &self.limits).await?));
        }
        if status == reqwest::StatusCode::TOO_MANY_REQUESTS {
            return Err(HttpFailure::RateLimited {
                retry_after: http::retry_after(response.headers(), now),
            }
            .into());
        }
        let body = http::read_body(response, &self.limits)
            .await
            .unwrap_or_default();
        let reason = error_reason(&body).unwrap_or_default();
        match (status.as_u16(), reason.as_str()) {
            (400, "keyInvalid") | (400, "badRequest") if mentions_key(&body) => {
                Err(unauthorized(&self.token_env).into())
            }
            (401, _) => Err(unauthorized(&self.token_env).into()),
            (403, "quotaExceeded" | "dailyLimitExceeded") => {
                self.quota.exhaust(self.daily_quota, now);
                self.report_quota(ctx);
                Err(quota_spent(now).into())
            }
            (403, "rateLimitExceeded" | "userRateLimitExceeded") => Err(HttpFailure::RateLimited {
                retry_after: Duration::from_secs(60),
            }
            .into()),
            (403, "commentsDisabled" | "forbidden") | (404, _) if resource == "commentThreads" => {
                Ok(Answer::Refused(if reason.is_empty() {
                    status.as_u16().to_string()
                } else {
                    reason
                }))
            }
            (403, _) => Err(HttpFailure::Forbidden.into()),
            (status, _) => Err(HttpFailure::Status {
                status,
                url: format!("/youtube/v3/{resource}"),
            }
            .into()),
        }
    }

    /// New videos of one query, oldest first, with their channels' audiences.
    async fn search(
        &mut self,
        client: &reqwest::Client,
        ctx: &SourceContext,
        index: usize,
    ) -> anyhow::Result<Vec<Mention>> {
        let query = self.queries[index].clone();
        let since = self.cursor.videos.get(&query).copied();
        let after = since.unwrap_or_else(|| Utc::now() - FIRST_LOOK_BACK);
        let mut videos = Vec::new();
        let mut page_token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut params = vec![
                ("part", "snippet".to_string()),
                ("q", query.clone()),
                ("type", "video".to_string()),
                ("order", "date".to_string()),
                ("maxResults", "50".to_string()),
                (
                    "publishedAfter",
                    after.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                ),
            ];
            if let Some(region) = &self.region {
                params.push(("regionCode", region.clone()));
            }
            if let Some(language) = &self.language {
                params.push(("relevanceLanguage", language.clone()));
            }
            if let Some(token) = &page_token {
                params.push(("pageToken", token.clone()));
            }
            let Answer::Body(body) = self
                .call(client, ctx, "search", &params, SEARCH_COST)
                .await?
            else {
                break;
            };
            match parse_search(&body) {
                Ok(page) => {
                    videos.extend(page.videos);
                    page_token = page.next_page;
                }
                Err(error) => {
                    ctx.sink.malformed("youtube search", &error.to_string());
                    break;
                }
            }
            // Without a cursor, one page is where to start from.
            if since.is_none() || page_token.is_none() {
                break;
            }
        }
        self.add_audiences(client, ctx, &mut videos).await?;
        let mut videos: Vec<Mention> = videos.into_iter().map(|v| v.mention).collect();
        videos.sort_by_key(|m| m.created_at);
        // `publishedAfter` is inclusive: the newest of the last search comes again.
        videos.retain(|m| self.seen.note(&m.id, "") == Novelty::New);
        if let Some(newest) = videos.last() {
            let newest = newest.created_at.max(since.unwrap_or(newest.created_at));
            self.cursor.videos.insert(query, newest);
        }
        Ok(videos)
    }

    /// Each video's channel's subscribers as its reach: one `channels.list` page (1 unit) for
    /// the channels not known yet.
    async fn add_audiences(
        &mut self,
        client: &reqwest::Client,
        ctx: &SourceContext,
        videos: &mut [Video],
    ) -> anyhow::Result<()> {
        let mut unknown: Vec<String> = videos
            .iter()
            .map(|v| v.channel.clone())
            .filter(|c| !c.is_empty() && !self.audiences.contains(c))
            .collect();
        unknown.sort();
        unknown.dedup();
        for chunk in unknown.chunks(50) {
            let params = [
                ("part", "statistics".to_string()),
                ("id", chunk.join(",")),
                ("maxResults", "50".to_string()),
            ];
            if let Answer::Body(body) = self
                .call(client, ctx, "channels", &params, LIST_COST)
                .await?
            {
                match parse_channels(&body) {
                    Ok(channels) => {
                        for (id, subscribers) in channels {
                            self.audiences.put(id, subscribers);
                        }
                    }
                    Err(error) => ctx.sink.malformed("youtube channels", &error.to_string()),
                }
            }
        }
        for video in videos.iter_mut() {
            if let Some(subscribers) = self.audiences.get(&video.channel) {
                video.mention.author.reach = *subscribers;
            }
        }
        Ok(())
    }

    /// The comments of one feed since its newest seen, oldest first: new ones as posts,
    /// edited ones as edits.
    async fn comments(
        &mut self,
        client: &reqwest::Client,
        ctx: &SourceContext,
        index: usize,
    ) -> anyhow::Result<Vec<SourceEvent>> {
        let feed = self.feeds[index].clone();
        let key = feed.key();
        if self.closed.contains(&key) {
            return Ok(Vec::new());
        }
        let since = self.cursor.comments.get(&key).copied();
        let mut comments: Vec<(Mention, String)> = Vec::new();
        let mut page_token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut params = vec![
                ("part", "snippet".to_string()),
                feed.param(),
                ("order", "time".to_string()),
                ("maxResults", "100".to_string()),
                ("textFormat", "plainText".to_string()),
            ];
            if let Some(terms) = &self.comment_terms {
                params.push(("searchTerms", terms.clone()));
            }
            if let Some(token) = &page_token {
                params.push(("pageToken", token.clone()));
            }
            match self
                .call(client, ctx, "commentThreads", &params, LIST_COST)
                .await?
            {
                Answer::Refused(reason) => {
                    tracing::warn!(
                        source = %self.name,
                        feed = %key,
                        "YouTube refuses this feed's comments ({reason}): not asked again"
                    );
                    self.closed.insert(key);
                    return Ok(Vec::new());
                }
                Answer::Body(body) => match parse_comments(&body) {
                    Ok(page) => {
                        let reached = page
                            .comments
                            .iter()
                            .any(|(m, _)| since.is_some_and(|s| m.created_at <= s));
                        comments.extend(page.comments);
                        page_token = page.next_page;
                        if reached {
                            break;
                        }
                    }
                    Err(error) => {
                        ctx.sink.malformed("youtube comments", &error.to_string());
                        break;
                    }
                },
            }
            if since.is_none() || page_token.is_none() {
                break;
            }
        }
        comments.sort_by_key(|(m, _)| m.created_at);
        let mut events = Vec::new();
        for (comment, version) in comments {
            let before_cursor = since.is_some_and(|s| comment.created_at < s);
            let newest = self
                .cursor
                .comments
                .entry(key.clone())
                .or_insert(comment.created_at);
            *newest = (*newest).max(comment.created_at);
            match self.seen.note(&comment.id, &version) {
                Novelty::New if !before_cursor => events.push(SourceEvent::Post(comment)),
                Novelty::Changed => events.push(SourceEvent::Edit(comment)),
                _ => {}
            }
        }
        Ok(events)
    }

    fn checkpoint(&mut self, ctx: &SourceContext) {
        self.cursor.quota_day = Some(self.quota.day);
        self.cursor.quota_used = self.quota.used;
        // Serialised only when the sink takes a checkpoint (once a second at most).
        ctx.sink
            .checkpoint(|| serde_json::to_string(&self.cursor).ok());
    }

    async fn round(
        &mut self,
        client: &reqwest::Client,
        ctx: &SourceContext,
    ) -> anyhow::Result<bool> {
        for index in 0..self.feeds.len() {
            let events = self.comments(client, ctx, index).await?;
            for event in events {
                if !ctx.sink.send_event(event, ctx.clock.now()).await {
                    return Ok(false);
                }
            }
        }
        let due = self
            .next_search
            .is_none_or(|at| tokio::time::Instant::now() >= at);
        if due && !self.queries.is_empty() {
            self.next_search = Some(tokio::time::Instant::now() + self.search_every());
            for index in 0..self.queries.len() {
                let videos = self.search(client, ctx, index).await?;
                if !ctx.send_all(videos).await {
                    return Ok(false);
                }
            }
        }
        self.checkpoint(ctx);
        Ok(true)
    }
}

impl Source for YoutubeSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn resume_from(&mut self, cursor: &str) {
        if let Ok(cursor) = serde_json::from_str::<Cursor>(cursor) {
            if let Some(day) = cursor.quota_day {
                self.quota = QuotaDay {
                    day,
                    used: cursor.quota_used,
                };
            }
            self.cursor = cursor;
        }
    }

    fn run<'a>(&'a mut self, mut ctx: SourceContext) -> SourceFuture<'a> {
        Box::pin(async move {
            if self.key.is_empty() {
                self.key = http::token_from_env(Some(&self.token_env))?.unwrap_or_default();
            }
            let client = http::client()?;
            self.report_quota(&ctx);
            loop {
                if !self.round(&client, &ctx).await? {
                    return Ok(SourceEnd::Shutdown);
                }
                if !ctx.sleep_or_shutdown(self.poll_every).await {
                    return Ok(SourceEnd::Shutdown);
                }
            }
        })
    }
}

fn quota_spent(now: DateTime<Utc>) -> HttpFailure {
    HttpFailure::QuotaSpent {
        renewed_in: (renewal_after(now) - now)
            .to_std()
            .unwrap_or(Duration::from_secs(60)),
    }
}

fn unauthorized(token_env: &str) -> HttpFailure {
    HttpFailure::Unauthorized {
        token_env: Some(token_env.to_string()),
    }
}

fn mentions_key(body: &[u8]) -> bool {
    String::from_utf8_lossy(body).contains("API key")
}

#[derive(Deserialize)]
struct RawError {
    error: RawErrorBody,
}

#[derive(Deserialize)]
struct RawErrorBody {
    #[serde(default)]
    errors: Vec<RawErrorItem>,
}

#[derive(Deserialize)]
struct RawErrorItem {
    #[serde(default)]
    reason: String,
}

/// The `reason` of a YouTube error body (`quotaExceeded`, `commentsDisabled`…).
fn error_reason(body: &[u8]) -> Option<String> {
    let raw: RawError = serde_json::from_slice(body).ok()?;
    raw.error.errors.into_iter().next().map(|e| e.reason)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawSearch {
    #[serde(default)]
    next_page_token: Option<String>,
    #[serde(default)]
    items: Vec<RawSearchItem>,
}

#[derive(Deserialize)]
struct RawSearchItem {
    id: RawVideoId,
    snippet: RawVideoSnippet,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawVideoId {
    #[serde(default)]
    video_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawVideoSnippet {
    published_at: DateTime<Utc>,
    #[serde(default)]
    channel_id: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    channel_title: String,
    #[serde(default)]
    thumbnails: BTreeMap<String, RawThumbnail>,
    #[serde(default)]
    live_broadcast_content: Option<String>,
}

#[derive(Deserialize)]
struct RawThumbnail {
    url: String,
    #[serde(default)]
    width: u32,
}

/// A video found by a search, and the channel that published it (whose audience is its reach).
pub struct Video {
    pub mention: Mention,
    pub channel: String,
}

pub struct VideoPage {
    pub videos: Vec<Video>,
    pub next_page: Option<String>,
}

/// A page of `search.list`: each video a mention (`youtube:video:<id>`), its title and
/// description decoded (YouTube escapes them), its largest thumbnail as its picture.
pub fn parse_search(body: &[u8]) -> Result<VideoPage, serde_json::Error> {
    let raw: RawSearch = serde_json::from_slice(body)?;
    let videos = raw
        .items
        .into_iter()
        .filter_map(|item| {
            let id = item.id.video_id?;
            let snippet = item.snippet;
            // An upcoming live's "video" is an announcement with no content yet.
            if snippet.live_broadcast_content.as_deref() == Some("upcoming") {
                return None;
            }
            let title = decode_entities(&snippet.title);
            let description = decode_entities(&snippet.description);
            let picture = snippet
                .thumbnails
                .values()
                .max_by_key(|t| t.width)
                .map(|t| Picture {
                    url: t.url.clone(),
                    sensitive: false,
                });
            let mention = Mention {
                id: format!("youtube:video:{id}"),
                platform: Platform::Youtube,
                author: Author {
                    handle: snippet.channel_title.clone(),
                    display_name: snippet.channel_title,
                    reach: 0,
                    avatar: None,
                },
                text: if description.is_empty() {
                    title
                } else {
                    format!("{title}\n{description}")
                },
                lang: None,
                created_at: snippet.published_at,
                url: Some(format!("https://www.youtube.com/watch?v={id}")),
                engagement: Engagement::default(),
                reply_to: None,
                picture,
                rating: None,
            };
            Some(Video {
                mention,
                channel: snippet.channel_id,
            })
        })
        .collect();
    Ok(VideoPage {
        videos,
        next_page: raw.next_page_token,
    })
}

#[derive(Deserialize)]
struct RawChannels {
    #[serde(default)]
    items: Vec<RawChannel>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawChannel {
    id: String,
    #[serde(default)]
    statistics: Option<RawStatistics>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawStatistics {
    /// A string of digits in YouTube's JSON; absent when the channel hides it.
    #[serde(default)]
    subscriber_count: Option<String>,
    #[serde(default)]
    hidden_subscriber_count: bool,
}

/// Each channel's subscribers, from `channels.list` (`part=statistics`); a hidden count is 0.
pub fn parse_channels(body: &[u8]) -> Result<Vec<(String, u64)>, serde_json::Error> {
    let raw: RawChannels = serde_json::from_slice(body)?;
    Ok(raw
        .items
        .into_iter()
        .map(|channel| {
            let subscribers = channel
                .statistics
                .filter(|s| !s.hidden_subscriber_count)
                .and_then(|s| s.subscriber_count)
                .and_then(|count| count.parse().ok())
                .unwrap_or(0);
            (channel.id, subscribers)
        })
        .collect())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawThreads {
    #[serde(default)]
    next_page_token: Option<String>,
    #[serde(default)]
    items: Vec<RawThread>,
}

#[derive(Deserialize)]
struct RawThread {
    snippet: RawThreadSnippet,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawThreadSnippet {
    #[serde(default)]
    video_id: Option<String>,
    top_level_comment: RawComment,
    #[serde(default)]
    total_reply_count: u64,
}

#[derive(Deserialize)]
struct RawComment {
    id: String,
    snippet: RawCommentSnippet,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawCommentSnippet {
    #[serde(default)]
    video_id: Option<String>,
    #[serde(default)]
    text_original: Option<String>,
    #[serde(default)]
    text_display: String,
    #[serde(default)]
    author_display_name: String,
    #[serde(default)]
    author_profile_image_url: Option<String>,
    #[serde(default)]
    like_count: u64,
    published_at: DateTime<Utc>,
    #[serde(default)]
    updated_at: Option<DateTime<Utc>>,
}

pub struct CommentPage {
    /// Each comment with its version (its `updatedAt`): a new version is an edit.
    pub comments: Vec<(Mention, String)>,
    pub next_page: Option<String>,
}

/// A page of `commentThreads.list`: each thread's top comment (`youtube:comment:<id>`),
/// answering its video (`youtube:video:<id>`).
pub fn parse_comments(body: &[u8]) -> Result<CommentPage, serde_json::Error> {
    let raw: RawThreads = serde_json::from_slice(body)?;
    let comments = raw
        .items
        .into_iter()
        .map(|thread| {
            let comment = thread.snippet.top_level_comment;
            let snippet = comment.snippet;
            let video = snippet
                .video_id
                .or(thread.snippet.video_id)
                .unwrap_or_default();
            let text = snippet
                .text_original
                .unwrap_or_else(|| decode_entities(&snippet.text_display));
            let version = snippet
                .updated_at
                .unwrap_or(snippet.published_at)
                .to_rfc3339();
            let handle = snippet
                .author_display_name
                .trim_start_matches('@')
                .to_string();
            let mention = Mention {
                id: format!("youtube:comment:{}", comment.id),
                platform: Platform::Youtube,
                author: Author {
                    display_name: snippet.author_display_name,
                    handle,
                    reach: 0,
                    avatar: snippet.author_profile_image_url,
                },
                text,
                lang: None,
                created_at: snippet.published_at,
                url: Some(format!(
                    "https://www.youtube.com/watch?v={video}&lc={}",
                    comment.id
                )),
                engagement: Engagement {
                    likes: snippet.like_count,
                    shares: 0,
                    replies: thread.snippet.total_reply_count,
                },
                reply_to: (!video.is_empty()).then(|| format!("youtube:video:{video}")),
                picture: None,
                rating: None,
            };
            (mention, version)
        })
        .collect();
    Ok(CommentPage {
        comments,
        next_page: raw.next_page_token,
    })
}
