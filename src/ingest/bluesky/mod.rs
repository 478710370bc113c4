//! Bluesky through Jetstream: JSON messages over a WebSocket, one per repository event. Only
//! `app.bsky.feed.post` is asked for; posts are kept when they name a brand (the filter runs
//! here: the firehose carries the whole network). Each message's `time_us` is the cursor: after
//! a reconnect the stream resumes a second before the last message taken, so nothing is
//! missed, and the dedupe drops what is seen twice.

mod backfill;
mod config;
pub use backfill::{Backfill, parse_search};
pub use config::BlueskyConfig;

use std::num::NonZeroUsize;

use anyhow::Context;
use chrono::{DateTime, TimeDelta, Utc};
use futures_util::StreamExt;
use lru::LruCache;
use serde::Deserialize;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use super::web::http::{HttpFailure, Limits};
use super::{Source, SourceContext, SourceEnd, SourceFuture};
use crate::analysis::matching::BrandMatcher;
use crate::model::{Author, Engagement, Mention, Picture, Platform};

const POST_COLLECTION: &str = "app.bsky.feed.post";
/// A post record is under a few kilobytes; a larger message is refused by the WebSocket layer.
const MAX_MESSAGE_BYTES: usize = 1024 * 1024;
/// How far before the last message a resumed stream starts.
const RESUME_OVERLAP_US: i64 = 1_000_000;
/// Ids of posts sent, so that their deletion is passed on (and no other).
const REMEMBERED_POSTS: usize = 100_000;
/// Handles learnt from identity events, so cards show `@name.bsky.social` rather than a DID.
const REMEMBERED_HANDLES: usize = 100_000;

pub struct BlueskySource {
    name: String,
    url: String,
    matcher: BrandMatcher,
    /// `time_us` of the last message taken.
    cursor: Option<i64>,
    sent: LruCache<String, ()>,
    handles: LruCache<String, String>,
    /// The last hours read from search before the stream, once, for a wall with no cursor.
    backfill: Option<Backfill>,
    limits: Limits,
}

impl BlueskySource {
    /// Other waits and sizes than the defaults (tests use short ones).
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    pub fn new(name: String, url: String, matcher: BrandMatcher) -> Self {
        let size = |n| NonZeroUsize::new(n).unwrap_or(NonZeroUsize::MIN);
        Self {
            name,
            url,
            matcher,
            cursor: None,
            sent: LruCache::new(size(REMEMBERED_POSTS)),
            handles: LruCache::new(size(REMEMBERED_HANDLES)),
            backfill: None,
            limits: Limits::default(),
        }
    }

    /// Reads `backfill` before the stream when there is no cursor to resume from.
    pub fn with_backfill(mut self, backfill: Backfill) -> Self {
        self.backfill = Some(backfill);
        self
    }

    /// The brands' posts of the backfill's window, sent before the stream opens. A search
    /// that fails is logged and the stream opens all the same: a live wall matters more than
    /// its first hours.
    async fn read_backfill(&mut self, ctx: &SourceContext) -> bool {
        let Some(backfill) = self.backfill.take() else {
            return true;
        };
        if self.cursor.is_some() {
            return true;
        }
        let read = async {
            let client = super::web::http::client()?;
            backfill
                .read(&client, &self.limits, ctx.clock.now(), |why| {
                    ctx.sink.malformed("bluesky search", why)
                })
                .await
        };
        let posts = match read.await {
            Ok(posts) => posts,
            Err(error) => {
                tracing::warn!(source = %self.name, "backfill from search failed: {error:#}");
                return true;
            }
        };
        tracing::info!(source = %self.name, posts = posts.len(), "backfill read from search");
        for post in posts {
            if self.matcher.brands_in(&post.text).is_empty() {
                continue;
            }
            self.sent.put(post.id.clone(), ());
            if !ctx.sink.send(post, ctx.clock.now()).await {
                return false;
            }
        }
        true
    }

    /// The subscription URL, resuming from the cursor when there is one.
    pub fn subscribe_url(&self) -> String {
        let separator = if self.url.contains('?') { '&' } else { '?' };
        let mut url = format!("{}{separator}wantedCollections={POST_COLLECTION}", self.url);
        if let Some(cursor) = self.cursor {
            url.push_str(&format!("&cursor={}", cursor - RESUME_OVERLAP_US));
        }
        url
    }

    async fn take(&mut self, text: &str, ctx: &SourceContext) -> bool {
        let event = match parse_message(text) {
            Ok(event) => event,
            Err(error) => {
                ctx.sink.malformed("jetstream message", &error.to_string());
                return true;
            }
        };
        self.cursor = Some(event.time_us.max(self.cursor.unwrap_or(i64::MIN)));
        let now = ctx.clock.now();
        match event.action {
            JetAction::Create(mention) => {
                // Kept: posts naming a brand, and answers to them (a brand's care team rarely
                // names itself in a reply; its answers give the response time).
                let answers_sent = mention
                    .reply_to
                    .as_ref()
                    .is_some_and(|parent| self.sent.contains(parent));
                if !answers_sent && self.matcher.brands_in(&mention.text).is_empty() {
                    return true;
                }
                let mention = self.with_handle(mention);
                self.sent.put(mention.id.clone(), ());
                ctx.sink.send(mention, now).await
            }
            // An edit matters when the post names a brand now, or did before (the analysis
            // then takes it back).
            JetAction::Update(mention) => {
                if self.matcher.brands_in(&mention.text).is_empty()
                    && !self.sent.contains(&mention.id)
                {
                    return true;
                }
                let mention = self.with_handle(mention);
                self.sent.put(mention.id.clone(), ());
                ctx.sink.edit(mention, now).await
            }
            JetAction::Delete(id) => {
                if self.sent.pop(&id).is_some() {
                    ctx.sink.delete(id, now).await
                } else {
                    true
                }
            }
            JetAction::Handle { did, handle } => {
                self.handles.put(did, handle);
                true
            }
            JetAction::Other => true,
        }
    }

    fn with_handle(&mut self, mut mention: Mention) -> Mention {
        if let Some(handle) = self.handles.get(&mention.author.handle) {
            mention.author.display_name = std::mem::take(&mut mention.author.handle);
            mention.author.handle = handle.clone();
        }
        mention
    }
}

impl Source for BlueskySource {
    fn name(&self) -> &str {
        &self.name
    }

    /// The `time_us` the history kept: the first connection replays from there, so a wall
    /// down for an hour misses nothing Jetstream still holds.
    fn resume_from(&mut self, cursor: &str) {
        match cursor.parse() {
            Ok(time_us) => self.cursor = Some(time_us),
            Err(_) => {
                tracing::warn!(source = %self.name, cursor, "stored cursor unreadable: live from now")
            }
        }
    }

    fn run<'a>(&'a mut self, mut ctx: SourceContext) -> SourceFuture<'a> {
        Box::pin(async move {
            if !self.read_backfill(&ctx).await {
                return Ok(SourceEnd::Shutdown);
            }
            let url = self.subscribe_url();
            let config = WebSocketConfig::default()
                .max_message_size(Some(MAX_MESSAGE_BYTES))
                .max_frame_size(Some(MAX_MESSAGE_BYTES));
            let connect =
                tokio_tungstenite::connect_async_with_config(url.as_str(), Some(config), false);
            let (mut socket, _) = tokio::time::timeout(self.limits.request_timeout, connect)
                .await
                .map_err(|_| HttpFailure::Silent(self.limits.request_timeout))?
                .map_err(refusal)
                .with_context(|| format!("cannot open {}", self.url))?;
            tracing::info!(source = %self.name, resume_from = ?self.cursor, "jetstream connected");
            loop {
                let message = tokio::select! {
                    message = tokio::time::timeout(self.limits.stream_idle, socket.next()) => message,
                    _ = ctx.shutdown.changed() => {
                        let _ = socket.close(None).await;
                        return Ok(SourceEnd::Shutdown);
                    }
                };
                let message = match message {
                    Err(_) => return Err(HttpFailure::Silent(self.limits.stream_idle).into()),
                    Ok(None) => anyhow::bail!("jetstream closed the connection"),
                    Ok(Some(Err(error))) => {
                        // A message over the size limit breaks the connection: count it, and
                        // let the supervisor reconnect from the cursor.
                        if matches!(error, tokio_tungstenite::tungstenite::Error::Capacity(_)) {
                            ctx.sink.malformed("jetstream message", &error.to_string());
                        }
                        return Err(error).context("jetstream connection lost");
                    }
                    Ok(Some(Ok(message))) => message,
                };
                let alive = match message {
                    Message::Text(text) => {
                        let alive = self.take(text.as_str(), &ctx).await;
                        // After what it sent: the history keeps the cursor with those posts.
                        ctx.sink.checkpoint(|| self.cursor.map(|c| c.to_string()));
                        alive
                    }
                    Message::Binary(_) => {
                        ctx.sink.malformed(
                            "jetstream message",
                            "binary frame (compression is not asked for)",
                        );
                        true
                    }
                    Message::Close(_) => anyhow::bail!("jetstream closed the connection"),
                    // Pings are answered by the WebSocket layer.
                    _ => true,
                };
                if !alive {
                    return Ok(SourceEnd::Shutdown);
                }
            }
        })
    }
}

/// A refused upgrade says its HTTP status, like the other sources.
fn refusal(error: tokio_tungstenite::tungstenite::Error) -> anyhow::Error {
    use tokio_tungstenite::tungstenite::Error;
    match error {
        Error::Http(response) => match response.status().as_u16() {
            401 => HttpFailure::Unauthorized { token_env: None }.into(),
            403 => HttpFailure::Forbidden.into(),
            429 => HttpFailure::RateLimited {
                retry_after: super::web::http::retry_after(response.headers(), Utc::now()),
            }
            .into(),
            status => HttpFailure::Status {
                status,
                url: "jetstream".into(),
            }
            .into(),
        },
        Error::Io(io) => HttpFailure::Unreachable {
            host: "jetstream".into(),
            why: io.to_string(),
        }
        .into(),
        other => other.into(),
    }
}

#[derive(Deserialize)]
struct RawMessage {
    did: String,
    time_us: i64,
    kind: String,
    #[serde(default)]
    commit: Option<RawCommit>,
    #[serde(default)]
    identity: Option<RawIdentity>,
}

#[derive(Deserialize)]
struct RawCommit {
    operation: String,
    collection: String,
    rkey: String,
    #[serde(default)]
    record: Option<RawPost>,
}

#[derive(Deserialize)]
struct RawPost {
    #[serde(default)]
    text: String,
    #[serde(rename = "createdAt", default)]
    created_at: Option<String>,
    #[serde(default)]
    langs: Vec<String>,
    /// Set on a reply: the post it answers (`parent`) and the thread's first (`root`).
    #[serde(default)]
    reply: Option<RawReply>,
    #[serde(default)]
    embed: Option<RawEmbed>,
    /// The author's own content labels (`sexual`, `graphic-media`…).
    #[serde(default)]
    labels: Option<RawSelfLabels>,
}

/// A post's attachment as its record holds it: pictures are blobs, known by their CID.
#[derive(Deserialize)]
struct RawEmbed {
    #[serde(default)]
    images: Vec<RawImage>,
    /// `recordWithMedia`: a quote with pictures.
    #[serde(default)]
    media: Option<Box<RawEmbed>>,
}

#[derive(Deserialize)]
struct RawImage {
    image: RawBlob,
}

#[derive(Deserialize)]
struct RawBlob {
    #[serde(rename = "ref")]
    reference: RawLink,
}

#[derive(Deserialize)]
struct RawLink {
    #[serde(rename = "$link")]
    link: String,
}

impl RawEmbed {
    fn first_blob(&self) -> Option<&str> {
        self.images
            .first()
            .map(|i| i.image.reference.link.as_str())
            .or_else(|| self.media.as_ref().and_then(|m| m.first_blob()))
    }
}

#[derive(Deserialize)]
struct RawSelfLabels {
    #[serde(default)]
    values: Vec<RawLabelValue>,
}

#[derive(Deserialize)]
struct RawLabelValue {
    val: String,
}

impl RawSelfLabels {
    fn sensitive(&self) -> bool {
        self.values.iter().any(|v| is_sensitive_label(&v.val))
    }
}

/// Bluesky's labels for what a wall in a room or a lobby must not show.
fn is_sensitive_label(value: &str) -> bool {
    matches!(
        value,
        "porn" | "sexual" | "nudity" | "graphic-media" | "gore" | "!warn" | "!hide"
    )
}

#[derive(Deserialize)]
struct RawReply {
    parent: RawStrongRef,
}

#[derive(Deserialize)]
struct RawStrongRef {
    uri: String,
}

#[derive(Deserialize)]
struct RawIdentity {
    #[serde(default)]
    handle: Option<String>,
}

/// One Jetstream message, understood.
#[derive(Debug, Clone, PartialEq)]
pub struct JetEvent {
    pub time_us: i64,
    pub action: JetAction,
}

#[derive(Debug, Clone, PartialEq)]
pub enum JetAction {
    Create(Mention),
    Update(Mention),
    /// The id (`bluesky:at://…`) of a deleted post.
    Delete(String),
    /// An identity event: the handle a DID now answers to.
    Handle {
        did: String,
        handle: String,
    },
    /// Accounts, other collections: nothing for the wall.
    Other,
}

/// Parses one Jetstream message.
pub fn parse_message(text: &str) -> Result<JetEvent, serde_json::Error> {
    let raw: RawMessage = serde_json::from_str(text)?;
    let action = match (raw.kind.as_str(), raw.commit, raw.identity) {
        ("commit", Some(commit), _) if commit.collection == POST_COLLECTION => {
            let id = format!("bluesky:at://{}/{POST_COLLECTION}/{}", raw.did, commit.rkey);
            match (commit.operation.as_str(), commit.record) {
                ("delete", _) => JetAction::Delete(id),
                (operation @ ("create" | "update"), Some(post)) => {
                    let mention = post_mention(id, &raw.did, &commit.rkey, raw.time_us, post);
                    if operation == "create" {
                        JetAction::Create(mention)
                    } else {
                        JetAction::Update(mention)
                    }
                }
                _ => {
                    return Err(serde::de::Error::custom(format!(
                        "commit '{}' without a record",
                        commit.operation
                    )));
                }
            }
        }
        (
            "identity",
            _,
            Some(RawIdentity {
                handle: Some(handle),
            }),
        ) => JetAction::Handle {
            did: raw.did,
            handle,
        },
        _ => JetAction::Other,
    };
    Ok(JetEvent {
        time_us: raw.time_us,
        action,
    })
}

fn post_mention(id: String, did: &str, rkey: &str, time_us: i64, post: RawPost) -> Mention {
    let seen_at = DateTime::from_timestamp_micros(time_us).unwrap_or_default();
    // `createdAt` is written by the client and may be anything: trust it only near the time
    // the relay saw the post.
    let created_at = post
        .created_at
        .as_deref()
        .and_then(|at| DateTime::parse_from_rfc3339(at).ok())
        .map(|at| at.with_timezone(&Utc))
        .filter(|at| (*at - seen_at).abs() < TimeDelta::minutes(10))
        .unwrap_or(seen_at);
    Mention {
        id,
        platform: Platform::Bluesky,
        author: Author {
            handle: did.to_string(),
            display_name: String::new(),
            reach: 0,
            avatar: None,
        },
        text: post.text,
        lang: post
            .langs
            .first()
            .map(|l| l.split('-').next().unwrap_or(l).to_ascii_lowercase()),
        created_at,
        url: Some(format!("https://bsky.app/profile/{did}/post/{rkey}")),
        engagement: Engagement::default(),
        reply_to: post
            .reply
            .map(|reply| format!("bluesky:{}", reply.parent.uri)),
        // Bluesky's image service serves a blob by its author and CID.
        picture: post
            .embed
            .as_ref()
            .and_then(RawEmbed::first_blob)
            .map(|cid| Picture {
                url: format!("https://cdn.bsky.app/img/feed_thumbnail/plain/{did}/{cid}@jpeg"),
                sensitive: post.labels.as_ref().is_some_and(RawSelfLabels::sensitive),
            }),
        rating: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_post_a_delete_and_an_identity_read_as_such() {
        let create = r#"{"did":"did:plc:abc","time_us":1764072000000000,"kind":"commit","commit":{"rev":"3l","operation":"create","collection":"app.bsky.feed.post","rkey":"3lxyz","record":{"$type":"app.bsky.feed.post","createdAt":"2025-11-25T12:00:00.500Z","langs":["fr-FR"],"text":"Petit Loup c'est top"},"cid":"bafy"}}"#;
        let event = parse_message(create).expect("parses");
        let JetAction::Create(mention) = event.action else {
            panic!("a create");
        };
        assert_eq!(
            mention.id,
            "bluesky:at://did:plc:abc/app.bsky.feed.post/3lxyz"
        );
        assert_eq!(mention.lang.as_deref(), Some("fr"));
        assert_eq!(
            mention.created_at.to_rfc3339(),
            "2025-11-25T12:00:00.500+00:00"
        );
        let delete = r#"{"did":"did:plc:abc","time_us":1764072001000000,"kind":"commit","commit":{"rev":"3m","operation":"delete","collection":"app.bsky.feed.post","rkey":"3lxyz"}}"#;
        assert_eq!(
            parse_message(delete).expect("parses").action,
            JetAction::Delete("bluesky:at://did:plc:abc/app.bsky.feed.post/3lxyz".into())
        );
        let identity = r#"{"did":"did:plc:abc","time_us":1764072002000000,"kind":"identity","identity":{"did":"did:plc:abc","handle":"lou.bsky.social","seq":1,"time":"2025-11-25T12:00:02Z"}}"#;
        assert!(
            matches!(parse_message(identity).expect("parses").action, JetAction::Handle { handle, .. } if handle == "lou.bsky.social")
        );
        assert!(parse_message(r#"{"did":"x","kind":"commit"}"#).is_err());
    }

    #[test]
    fn a_post_s_first_picture_is_its_blob_on_bluesky_s_image_service_and_self_labels_hide_it() {
        let with_images = r#"{"did":"did:plc:abc","time_us":1764072000000000,"kind":"commit","commit":{"rev":"3l","operation":"create","collection":"app.bsky.feed.post","rkey":"3lpic","record":{"$type":"app.bsky.feed.post","createdAt":"2025-11-25T12:00:00Z","text":"Petit Loup","embed":{"$type":"app.bsky.embed.images","images":[{"alt":"","image":{"$type":"blob","ref":{"$link":"bafkreiabc"},"mimeType":"image/jpeg","size":91234},"aspectRatio":{"height":1,"width":1}}]}},"cid":"bafy"}}"#;
        let JetAction::Create(mention) = parse_message(with_images).expect("parses").action else {
            panic!("a create");
        };
        assert_eq!(
            mention.picture,
            Some(Picture {
                url: "https://cdn.bsky.app/img/feed_thumbnail/plain/did:plc:abc/bafkreiabc@jpeg"
                    .into(),
                sensitive: false
            })
        );
        let labelled = with_images.replace(
            r#""text":"Petit Loup","#,
            r#""text":"Petit Loup","labels":{"$type":"com.atproto.label.defs#selfLabels","values":[{"val":"nudity"}]},"#,
        );
        let JetAction::Create(mention) = parse_message(&labelled).expect("parses").action else {
            panic!("a create");
        };
        assert!(mention.picture.is_some_and(|p| p.sensitive));
    }
}
