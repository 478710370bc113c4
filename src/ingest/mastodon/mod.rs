//! Mastodon: the streaming API over server-sent events (`update`, `status.update`, `delete`),
//! one connection per instance and stream. After a reconnect the REST timeline is read from the
//! last status seen, so a disconnect leaves no gap (the dedupe drops the overlap). An instance
//! that refuses streaming (401/403/404/410/501, typical of public streams closed to anonymous
//! clients) is polled through its REST timeline instead, and streaming is tried again later.
//!
//! Large instances (mastodon.social among them) serve streaming from another host, which they
//! name in `/api/v2/instance` (`configuration.urls.streaming`; `urls.streaming_api` in v1) and
//! redirect `/api/v1/streaming/*` to. The streaming host is read from there at the first
//! connection, and a redirect is followed by hand with the token (an HTTP client drops
//! `Authorization` on a redirect to another host, and streaming needs a token since 4.2).
//!
//! A status is known by its `uri`, identical on every instance, so a post seen through two
//! instances counts once. Deletions name the instance's local id, mapped back to the uri.

mod config;
pub use config::MastodonConfig;

use std::num::NonZeroUsize;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{DateTime, Utc};
use lru::LruCache;
use serde::Deserialize;

use super::web::html::html_to_text;
use super::web::http::{self, HttpFailure, Limits};
use super::web::sse::{SseItem, SseParser};
use super::web::{host_of, newer_id};
use super::{Source, SourceContext, SourceEnd, SourceFuture};
use crate::model::{Author, Engagement, Mention, Picture, Platform};

/// A status is a few kilobytes; anything past this is not one.
const MAX_EVENT_BYTES: usize = 512 * 1024;
/// REST pages read to fill a gap after a reconnect (40 statuses each).
const MAX_BACKFILL_PAGES: usize = 10;
/// How long a refused stream is polled before streaming is tried again.
const POLL_BEFORE_RETRY: Duration = Duration::from_secs(30 * 60);
/// Local ids remembered to map deletions back to their uri.
const REMEMBERED_IDS: usize = 50_000;

/// Which timeline a connection follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamKind {
    /// The federated timeline.
    Public,
    /// The instance's own posts.
    Local,
    Hashtag(String),
}

impl StreamKind {
    pub fn parse(text: &str) -> Option<StreamKind> {
        match text.trim() {
            "public" => Some(StreamKind::Public),
            "local" => Some(StreamKind::Local),
            tag => {
                let tag = tag.strip_prefix('#')?;
                (!tag.is_empty() && tag.chars().all(|c| c.is_alphanumeric() || c == '_'))
                    .then(|| StreamKind::Hashtag(tag.to_string()))
            }
        }
    }

    fn streaming_path(&self) -> (String, Vec<(&'static str, String)>) {
        match self {
            StreamKind::Public => ("/api/v1/streaming/public".into(), vec![]),
            StreamKind::Local => ("/api/v1/streaming/public/local".into(), vec![]),
            StreamKind::Hashtag(tag) => (
                "/api/v1/streaming/hashtag".into(),
                vec![("tag", tag.clone())],
            ),
        }
    }

    fn timeline_path(&self) -> (String, Vec<(&'static str, String)>) {
        match self {
            StreamKind::Public => ("/api/v1/timelines/public".into(), vec![]),
            StreamKind::Local => (
                "/api/v1/timelines/public".into(),
                vec![("local", "true".into())],
            ),
            StreamKind::Hashtag(tag) => (format!("/api/v1/timelines/tag/{tag}"), vec![]),
        }
    }

    fn label(&self) -> String {
        match self {
            StreamKind::Public => "public".into(),
            StreamKind::Local => "local".into(),
            StreamKind::Hashtag(tag) => format!("#{tag}"),
        }
    }
}

pub struct MastodonSource {
    name: String,
    instance: String,
    host: String,
    stream: StreamKind,
    token_env: Option<String>,
    poll_every: Duration,
    /// Newest status id seen (instance-local): where a backfill or a poll starts.
    cursor: Option<String>,
    local_ids: LruCache<String, String>,
    /// Streaming was refused: poll until then.
    polling_until: Option<Instant>,
    limits: Limits,
    /// Where streaming is served (`https://streaming.example`), once the instance said so.
    streaming_base: Option<String>,
    /// The token itself rather than from `token_env` (tests).
    token: Option<String>,
}

impl MastodonSource {
    /// Other waits and sizes than the defaults (tests use short ones).
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The token itself rather than from the environment (for embedding and tests).
    pub fn with_token(mut self, token: String) -> Self {
        self.token = Some(token);
        self
    }

    fn token(&self) -> anyhow::Result<Option<String>> {
        match &self.token {
            Some(token) => Ok(Some(token.clone())),
            None => Ok(http::token_from_env(self.token_env.as_deref())?),
        }
    }

    /// Where the instance serves streaming: its own host unless `/api/v2/instance` (or v1's
    /// `/api/v1/instance`) names another. Asked once: a redirect of the streaming path, seen
    /// later, says it too.
    async fn streaming_base(&mut self, client: &reqwest::Client, token: Option<&str>) -> String {
        if let Some(base) = &self.streaming_base {
            return base.clone();
        }
        let ask = |path: &'static str, pointer: &'static str| {
            let request = self.request(client, path, &[], token);
            let limits = &self.limits;
            async move {
                let response = http::check(http::send(request, limits).await.ok()?, None).ok()?;
                let body = http::read_body(response, limits).await.ok()?;
                let value: serde_json::Value = serde_json::from_slice(&body).ok()?;
                value.pointer(pointer)?.as_str().map(str::to_string)
            }
        };
        let named = match ask("/api/v2/instance", "/configuration/urls/streaming").await {
            Some(url) => Some(url),
            None => ask("/api/v1/instance", "/urls/streaming_api").await,
        };
        let base = named
            .as_deref()
            .and_then(http_base_of)
            .unwrap_or_else(|| self.instance.clone());
        if base != self.instance {
            tracing::info!(source = %self.name, streaming = %base, "streaming served by another host");
        }
        self.streaming_base = Some(base.clone());
        base
    }

    /// One source per instance and stream; named after both when there are several.
    pub fn all(
        name: &str,
        instances: &[String],
        streams: &[String],
        token_env: Option<&str>,
        poll_seconds: u64,
    ) -> Vec<MastodonSource> {
        let many = instances.len() * streams.len() > 1;
        let mut sources = Vec::new();
        for instance in instances {
            for stream in streams.iter().filter_map(|s| StreamKind::parse(s)) {
                let host = host_of(instance);
                let source_name = if many {
                    format!("{name} {host} {}", stream.label())
                } else {
                    name.to_string()
                };
                sources.push(MastodonSource {
                    name: source_name,
                    instance: instance.trim_end_matches('/').to_string(),
                    host,
                    stream,
                    token_env: token_env.map(str::to_string),
                    poll_every: Duration::from_secs(poll_seconds.max(1)),
                    cursor: None,
                    local_ids: LruCache::new(
                        NonZeroUsize::new(REMEMBERED_IDS).unwrap_or(NonZeroUsize::MIN),
                    ),
                    polling_until: None,
                    limits: Limits::default(),
                    streaming_base: None,
                    token: None,
                });
            }
        }
        sources
    }

    fn request(
        &self,
        client: &reqwest::Client,
        path: &str,
        query: &[(&str, String)],
        token: Option<&str>,
    ) -> reqwest::RequestBuilder {
        let mut request = client.get(format!("{}{path}", self.instance)).query(query);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request
    }

    /// Sends what a status says; remembers its id as the cursor.
    async fn take_status(
        &mut self,
        parsed: Result<ParsedStatus, serde_json::Error>,
        ctx: &SourceContext,
        edit: bool,
    ) -> bool {
        match parsed {
            Ok(mut status) => {
                // The instance names the answered status by its local id: one this source has
                // seen maps to its uri; an older one stays unknown.
                status.mention.reply_to = status
                    .in_reply_to_local_id
                    .as_ref()
                    .and_then(|local| self.local_ids.peek(local).cloned());
                if self
                    .cursor
                    .as_deref()
                    .is_none_or(|c| newer_id(&status.local_id, c))
                {
                    self.cursor = Some(status.local_id.clone());
                }
                if let Some(original) = &status.original_local_id {
                    self.local_ids
                        .put(original.clone(), status.mention.id.clone());
                }
                let now = ctx.clock.now();
                let alive = if edit {
                    ctx.sink.edit(status.mention, now).await
                } else {
                    ctx.sink.send(status.mention, now).await
                };
                // After what it sent: the history keeps the cursor with those posts.
                ctx.sink.checkpoint(|| self.cursor.clone());
                alive
            }
            Err(error) => {
                ctx.sink
                    .malformed(&format!("{} status", self.host), &error.to_string());
                true
            }
        }
    }

    /// Reads the REST timeline forward from the cursor (or its newest page without one).
    async fn read_timeline(
        &mut self,
        client: &reqwest::Client,
        token: Option<&str>,
        ctx: &SourceContext,
    ) -> anyhow::Result<bool> {
        let (path, base_query) = self.stream.timeline_path();
        for _ in 0..MAX_BACKFILL_PAGES {
            let mut query = base_query.clone();
            query.push(("limit", "40".into()));
            let had_cursor = self.cursor.clone();
            if let Some(cursor) = &had_cursor {
                query.push(("min_id", cursor.clone()));
            }
            let response =
                http::send(self.request(client, &path, &query, token), &self.limits).await?;
            let response = http::check(response, self.token_env.as_deref())?;
            let body = http::read_body(response, &self.limits).await?;
            let statuses: Vec<serde_json::Value> = match serde_json::from_slice(&body) {
                Ok(statuses) => statuses,
                Err(error) => {
                    ctx.sink
                        .malformed(&format!("{}{path}", self.host), &error.to_string());
                    return Ok(true);
                }
            };
            if statuses.is_empty() {
                break;
            }
            // Pages come newest first: send oldest first, as they were posted.
            let count = statuses.len();
            for status in statuses.into_iter().rev() {
                let parsed = serde_json::from_value(status).map(|raw| status_of(raw, &self.host));
                if !self.take_status(parsed, ctx, false).await {
                    return Ok(false);
                }
            }
            if had_cursor.is_none() || count < 40 {
                break;
            }
        }
        Ok(true)
    }

    /// Polls until it is time to try streaming again (`None`) or shutdown.
    async fn poll(&mut self, ctx: &mut SourceContext) -> anyhow::Result<Option<SourceEnd>> {
        let client = http::client()?;
        let token = self.token()?;
        while self
            .polling_until
            .is_some_and(|until| Instant::now() < until)
        {
            if !self.read_timeline(&client, token.as_deref(), ctx).await? {
                return Ok(Some(SourceEnd::Shutdown));
            }
            if !ctx.sleep_or_shutdown(self.poll_every).await {
                return Ok(Some(SourceEnd::Shutdown));
            }
        }
        self.polling_until = None;
        Ok(None)
    }

    /// Follows the stream; `None` when the instance refuses streaming.
    async fn stream(&mut self, ctx: &mut SourceContext) -> anyhow::Result<Option<SourceEnd>> {
        let client = http::client()?;
        let token = self.token()?;
        let (path, query) = self.stream.streaming_path();
        let base = self.streaming_base(&client, token.as_deref()).await;
        let mut url = format!("{base}{path}");
        let stream_client = http::client_without_redirects()?;
        let mut redirects = 0;
        let response = loop {
            let mut request = stream_client
                .get(&url)
                .query(&query)
                .header(reqwest::header::ACCEPT, "text/event-stream");
            if let Some(token) = &token {
                request = request.bearer_auth(token);
            }
            let response = http::send(request, &self.limits)
                .await
                .with_context(|| format!("{} unreachable", host_of(&url)))?;
            // Followed by hand, the token with it, a few times at most.
            let location = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .and_then(|l| response.url().join(l).ok());
            match location {
                Some(next) if response.status().is_redirection() && redirects < 3 => {
                    redirects += 1;
                    let mut next = next;
                    next.set_query(None);
                    tracing::info!(source = %self.name, to = %next, "streaming redirected");
                    if let Some(base) = http_base_of(next.as_str()) {
                        self.streaming_base = Some(base);
                    }
                    url = next.to_string();
                }
                _ => break response,
            }
        };
        let response = match http::check(response, self.token_env.as_deref()) {
            Ok(response) => response,
            Err(
                refusal @ (HttpFailure::Unauthorized { .. }
                | HttpFailure::Forbidden
                | HttpFailure::Status {
                    status: 404 | 410 | 501,
                    ..
                }),
            ) => {
                tracing::warn!(
                    source = %self.name,
                    "streaming refused ({refusal}): polling the timeline every {}s instead",
                    self.poll_every.as_secs()
                );
                self.polling_until = Some(Instant::now() + POLL_BEFORE_RETRY);
                return Ok(None);
            }
            Err(other) => return Err(other.into()),
        };
        // The stream is open and buffering: fill the gap since the last status seen.
        if self.cursor.is_some() && !self.read_timeline(&client, token.as_deref(), ctx).await? {
            return Ok(Some(SourceEnd::Shutdown));
        }
        let mut chunks = response.bytes_stream();
        let mut parser = SseParser::new(MAX_EVENT_BYTES);
        let mut items = Vec::new();
        loop {
            let chunk = tokio::select! {
                chunk = http::next_chunk(&mut chunks, self.limits.stream_idle) => chunk?,
                _ = ctx.shutdown.changed() => return Ok(Some(SourceEnd::Shutdown)),
            };
            let Some(chunk) = chunk else {
                anyhow::bail!("{} closed the stream", self.host);
            };
            parser.push(&chunk, &mut items);
            for item in items.drain(..) {
                let SseItem::Event(event) = item else {
                    if let SseItem::Oversized { bytes } = item {
                        ctx.sink.malformed(
                            &format!("{} stream", self.host),
                            &format!("event of {bytes} bytes skipped"),
                        );
                    }
                    continue;
                };
                let alive = match event.event.as_str() {
                    "update" => {
                        let parsed = parse_status(&event.data, &self.host);
                        self.take_status(parsed, ctx, false).await
                    }
                    "status.update" => {
                        let parsed = parse_status(&event.data, &self.host);
                        self.take_status(parsed, ctx, true).await
                    }
                    "delete" => match self.local_ids.pop(event.data.trim()) {
                        Some(id) => ctx.sink.delete(id, ctx.clock.now()).await,
                        // A status this wall never counted: nothing to take back.
                        None => true,
                    },
                    // notification, filters_changed, announcement…: not mentions.
                    _ => true,
                };
                if !alive {
                    return Ok(Some(SourceEnd::Shutdown));
                }
            }
        }
    }
}

/// `scheme://host[:port]` of a URL, `wss`/`ws` read as `https`/`http` (server-sent events
/// over HTTP, where the instance names its WebSocket endpoint).
fn http_base_of(url: &str) -> Option<String> {
    let mut parsed = reqwest::Url::parse(url).ok()?;
    let scheme = match parsed.scheme() {
        "wss" | "https" => "https",
        "ws" | "http" => "http",
        _ => return None,
    };
    parsed.set_scheme(scheme).ok()?;
    let host = parsed.host_str()?;
    Some(match parsed.port() {
        Some(port) => format!("{scheme}://{host}:{port}"),
        None => format!("{scheme}://{host}"),
    })
}

impl Source for MastodonSource {
    fn name(&self) -> &str {
        &self.name
    }

    /// The newest status id the history kept: the first connection reads the timeline
    /// forward from there (`min_id`), as after any reconnect.
    fn resume_from(&mut self, cursor: &str) {
        self.cursor = Some(cursor.to_string());
    }

    fn run<'a>(&'a mut self, mut ctx: SourceContext) -> SourceFuture<'a> {
        Box::pin(async move {
            loop {
                let end = if self.polling_until.is_some() {
                    self.poll(&mut ctx).await?
                } else {
                    self.stream(&mut ctx).await?
                };
                if let Some(end) = end {
                    return Ok(end);
                }
            }
        })
    }
}

#[derive(Deserialize)]
struct RawStatus {
    id: String,
    uri: String,
    created_at: DateTime<Utc>,
    #[serde(default)]
    content: String,
    #[serde(default)]
    spoiler_text: String,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    language: Option<String>,
    account: RawAccount,
    #[serde(default)]
    reblogs_count: u64,
    #[serde(default)]
    favourites_count: u64,
    #[serde(default)]
    replies_count: u64,
    #[serde(default)]
    reblog: Option<Box<RawStatus>>,
    /// The local id of the status this one answers.
    #[serde(default)]
    in_reply_to_id: Option<String>,
    /// Marked sensitive by its author (its media hidden behind a warning).
    #[serde(default)]
    sensitive: bool,
    #[serde(default)]
    media_attachments: Vec<RawAttachment>,
}

#[derive(Deserialize)]
struct RawAttachment {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    url: Option<String>,
    /// A smaller copy (about 400 pixels wide), or a video's poster frame: what a card needs.
    #[serde(default)]
    preview_url: Option<String>,
}

/// The picture of a status' first image, animation or video.
fn first_picture(attachments: &[RawAttachment], sensitive: bool) -> Option<Picture> {
    attachments
        .iter()
        .filter(|a| matches!(a.kind.as_str(), "image" | "gifv" | "video"))
        .find_map(|a| a.preview_url.clone().or_else(|| a.url.clone()))
        .map(|url| Picture { url, sensitive })
}

#[derive(Deserialize)]
struct RawAccount {
    acct: String,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    followers_count: u64,
    /// Still, where `avatar` may be an animation.
    #[serde(default)]
    avatar_static: Option<String>,
}

/// A status as Vigie takes it.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedStatus {
    /// The id on this instance (of the boost, for a boost): the timeline cursor.
    pub local_id: String,
    /// The local id a deletion of the post itself would name; `None` for a boost, whose
    /// deletion un-boosts but deletes nothing.
    pub original_local_id: Option<String>,
    /// The local id of the status it answers; the source maps it to that status' `id`.
    pub in_reply_to_local_id: Option<String>,
    pub mention: Mention,
}

/// Parses one status (the `data` of an `update` event, or an element of a timeline). A boost
/// stands for the post it boosts.
pub fn parse_status(json: &str, host: &str) -> Result<ParsedStatus, serde_json::Error> {
    serde_json::from_str(json).map(|raw| status_of(raw, host))
}

/// What Vigie takes from a deserialised status (from a stream event or a timeline page).
fn status_of(raw: RawStatus, host: &str) -> ParsedStatus {
    let local_id = raw.id.clone();
    let (post, original_local_id) = match raw.reblog {
        Some(boosted) => (*boosted, None),
        None => (raw, Some(local_id.clone())),
    };
    let mut text = html_to_text(&post.content);
    if !post.spoiler_text.trim().is_empty() {
        text = format!("{}\n{text}", post.spoiler_text.trim());
    }
    // A local account's `acct` has no domain: add its home's (from its profile URL, else the
    // instance's) so that handles are unique across instances.
    let handle = if post.account.acct.contains('@') {
        post.account.acct
    } else {
        let home = post
            .account
            .url
            .as_deref()
            .map(host_of)
            .unwrap_or_else(|| host.to_string());
        format!("{}@{home}", post.account.acct)
    };
    ParsedStatus {
        local_id,
        original_local_id,
        in_reply_to_local_id: post.in_reply_to_id.clone(),
        mention: Mention {
            id: format!("mastodon:{}", post.uri),
            platform: Platform::Mastodon,
            author: Author {
                handle,
                display_name: post.account.display_name,
                reach: post.account.followers_count,
                // Mastodon's stand-in for an account without a picture is no picture.
                avatar: post
                    .account
                    .avatar_static
                    .filter(|a| !a.ends_with("/missing.png")),
            },
            text,
            lang: post.language.filter(|l| !l.is_empty()),
            created_at: post.created_at,
            url: post.url.or(Some(post.uri)),
            engagement: Engagement {
                likes: post.favourites_count,
                shares: post.reblogs_count,
                replies: post.replies_count,
            },
            reply_to: None,
            picture: first_picture(&post.media_attachments, post.sensitive),
            rating: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_s_first_picture_keeps_its_warning_and_a_missing_avatar_is_none() {
        let status = include_str!("../../../tests/fixtures/mastodon/status.json");
        let parsed = parse_status(status, "mastodon.social").expect("parses");
        let picture = parsed.mention.picture.expect("a picture");
        assert!(
            picture.url.ends_with("/small/affiche.png"),
            "the preview, not the original"
        );
        assert!(picture.sensitive, "the status is marked sensitive");
        assert_eq!(parsed.mention.author.avatar, None, "missing.png");
    }

    #[test]
    fn streams_parse_and_refuse_nonsense() {
        assert_eq!(StreamKind::parse("public"), Some(StreamKind::Public));
        assert_eq!(
            StreamKind::parse("#PetitLoup"),
            Some(StreamKind::Hashtag("PetitLoup".into()))
        );
        assert_eq!(StreamKind::parse("#"), None);
        assert_eq!(StreamKind::parse("federated"), None);
    }
}
