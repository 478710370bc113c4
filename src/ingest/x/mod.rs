//! X API v2 filtered stream (`/2/tweets/search/stream`): the brands' rules kept in sync
//! (`rules`), posts with their authors (followers as reach, avatar) and media expanded, one
//! JSON object a line with a blank keep-alive line every 20 seconds. Reconnection follows X's
//! schedules (`reconnect`), every post read is counted against the monthly read cap (`cap`),
//! and a bearer token (an app's, from the developer portal) comes from the environment.
//!
//! What the stream cannot give: deletions and edits (X sends them on its compliance streams,
//! another product), and the posts of a time the wall was down, except on the tiers that
//! allow `backfill_minutes` (up to five minutes, asked for at a reconnection when set).

mod cap;
mod config;
mod reconnect;
pub mod rules;

pub use cap::{MonthlyReads, next_renewal, period_start};
pub use config::XConfig;
pub use reconnect::{Lost, Reconnect};

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use self::rules::{Rule, RulesApi};
use super::web::http::{self, HttpFailure, Limits};
use super::web::seen::{Novelty, SeenPosts};
use super::{RetryIn, Source, SourceContext, SourceEnd, SourceFuture};
use crate::model::{Author, Engagement, Mention, Picture, Platform, Quota, QuotaPeriod};

const TWEET_FIELDS: &str = "created_at,lang,public_metrics,possibly_sensitive,referenced_tweets,\
                            attachments,author_id,note_tweet";
const USER_FIELDS: &str = "username,name,public_metrics,profile_image_url";
const MEDIA_FIELDS: &str = "url,preview_image_url,type";
const EXPANSIONS: &str = "author_id,attachments.media_keys";
/// A line longer than this is not a post: the connection is dropped.
const MAX_LINE: usize = 1024 * 1024;
const SEEN: usize = 20_000;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Cursor {
    #[serde(default)]
    reads: Option<MonthlyReads>,
    /// When the newest post read was written: how far back a reconnection's backfill goes.
    #[serde(default)]
    last: Option<DateTime<Utc>>,
}

pub struct XSettings {
    pub name: String,
    pub base_url: String,
    pub token_env: String,
    pub rules: Vec<Rule>,
    /// Posts a cap period allows (1,000,000 on Pro).
    pub monthly_cap: u64,
    /// The day of the month the cap is renewed.
    pub renewal_day: u32,
    /// Minutes of posts asked again at a reconnection (0 to 5; Pro and Enterprise only).
    pub backfill_minutes: u32,
}

pub struct XSource {
    settings: XSettings,
    token: String,
    cursor: Cursor,
    reconnect: Reconnect,
    seen: SeenPosts,
    limits: Limits,
    /// Whether the rules were synced in this process (once is enough; a restart does it again).
    rules_synced: bool,
}

impl XSource {
    pub fn new(settings: XSettings) -> Self {
        Self {
            settings: XSettings {
                base_url: settings.base_url.trim_end_matches('/').to_string(),
                ..settings
            },
            token: String::new(),
            cursor: Cursor::default(),
            reconnect: Reconnect::default(),
            seen: SeenPosts::new(SEEN),
            limits: Limits {
                // X sends a keep-alive every 20 s and asks clients to reconnect after 90 s.
                stream_idle: Duration::from_secs(90),
                ..Limits::default()
            },
            rules_synced: false,
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

    fn reads(&mut self, now: DateTime<Utc>) -> &mut MonthlyReads {
        let day = self.settings.renewal_day;
        self.cursor
            .reads
            .get_or_insert_with(|| MonthlyReads::new(now, day))
    }

    fn report(&mut self, ctx: &SourceContext) {
        let now = Utc::now();
        let day = self.settings.renewal_day;
        let used = self.reads(now).used(now, day);
        ctx.sink.quota(Quota {
            used,
            limit: self.settings.monthly_cap,
            period: QuotaPeriod::Month,
        });
    }

    fn cap_reached(&mut self) -> Option<HttpFailure> {
        let now = Utc::now();
        let day = self.settings.renewal_day;
        (self.reads(now).used(now, day) >= self.settings.monthly_cap).then(|| {
            HttpFailure::QuotaSpent {
                renewed_in: (next_renewal(now, day) - now)
                    .to_std()
                    .unwrap_or(Duration::from_secs(3600)),
            }
        })
    }

    /// A failure, with the wait X's schedule for its kind asks.
    fn lost(&mut self, kind: Lost, failure: anyhow::Error) -> anyhow::Error {
        let asked = http::failure_of(&failure)
            .and_then(HttpFailure::asked_wait)
            .unwrap_or_default();
        let wait = self.reconnect.after(kind).max(asked);
        failure.context(RetryIn(wait))
    }

    fn stream_url(&self) -> String {
        format!("{}/2/tweets/search/stream", self.settings.base_url)
    }

    /// The stream's query: fields, expansions, and a backfill after a gap when allowed.
    fn stream_query(&self, now: DateTime<Utc>) -> Vec<(&'static str, String)> {
        let mut query = vec![
            ("tweet.fields", TWEET_FIELDS.to_string()),
            ("expansions", EXPANSIONS.to_string()),
            ("user.fields", USER_FIELDS.to_string()),
            ("media.fields", MEDIA_FIELDS.to_string()),
        ];
        if self.settings.backfill_minutes > 0
            && let Some(last) = self.cursor.last
        {
            let gap = (now - last).num_minutes() + 1;
            let minutes = gap.clamp(1, i64::from(self.settings.backfill_minutes.min(5)));
            query.push(("backfill_minutes", minutes.to_string()));
        }
        query
    }

    async fn sync_rules(&mut self, client: &reqwest::Client) -> anyhow::Result<()> {
        if self.rules_synced {
            return Ok(());
        }
        let api = RulesApi {
            client,
            base_url: &self.settings.base_url,
            token: &self.token,
            token_env: &self.settings.token_env,
            limits: &self.limits,
        };
        let refused = api.sync(&self.settings.rules).await?;
        for refusal in &refused {
            tracing::warn!(source = %self.settings.name, "X refused a rule: {refusal}");
        }
        anyhow::ensure!(
            refused.len() < self.settings.rules.len() || self.settings.rules.is_empty(),
            "X refused every rule: {}",
            refused.join(" · ")
        );
        self.rules_synced = true;
        Ok(())
    }

    /// One connection, read until it breaks.
    async fn stream(
        &mut self,
        client: &reqwest::Client,
        ctx: &mut SourceContext,
    ) -> anyhow::Result<SourceEnd> {
        let request = client
            .get(self.stream_url())
            .query(&self.stream_query(Utc::now()))
            .bearer_auth(&self.token);
        let response = match http::send(request, &self.limits).await {
            Ok(response) => response,
            Err(error) => return Err(self.lost(Lost::Network, error)),
        };
        let status = response.status();
        if status == reqwest::StatusCode::TOO_MANY_REQUESTS {
            let reset = reset_wait(response.headers(), Utc::now());
            let wait = self.reconnect.after(Lost::TooMany).max(reset);
            return Err(
                anyhow::Error::from(HttpFailure::RateLimited { retry_after: wait })
                    .context(RetryIn(wait)),
            );
        }
        if status.is_server_error() {
            let failure = HttpFailure::Status {
                status: status.as_u16(),
                url: "/2/tweets/search/stream".into(),
            };
            return Err(self.lost(Lost::Http, failure.into()));
        }
        let response = http::check(response, Some(&self.settings.token_env))?;
        let mut chunks = response.bytes_stream();
        let mut line: Vec<u8> = Vec::new();
        loop {
            let chunk = tokio::select! {
                chunk = http::next_chunk(&mut chunks, self.limits.stream_idle) => chunk,
                _ = ctx.shutdown.changed() => return Ok(SourceEnd::Shutdown),
            };
            let chunk = match chunk {
                Ok(Some(chunk)) => chunk,
                Ok(None) => {
                    return Err(self.lost(Lost::Network, anyhow::anyhow!("X closed the stream")));
                }
                Err(error) => return Err(self.lost(Lost::Network, error)),
            };
            for &byte in chunk.iter() {
                if byte != b'\n' {
                    line.push(byte);
                    if line.len() > MAX_LINE {
                        ctx.sink.malformed("x stream", "line over 1 MB");
                        return Err(self.lost(Lost::Network, anyhow::anyhow!("line over 1 MB")));
                    }
                    continue;
                }
                let text = std::mem::take(&mut line);
                let text = String::from_utf8_lossy(&text);
                let text = text.trim();
                // A blank line is X's keep-alive.
                if text.is_empty() {
                    continue;
                }
                match parse_line(text) {
                    Ok(StreamLine::Post(mention)) => {
                        self.reconnect.connected();
                        if !self.take(*mention, ctx).await {
                            return Ok(SourceEnd::Shutdown);
                        }
                        if let Some(spent) = self.cap_reached() {
                            return Err(spent.into());
                        }
                    }
                    Ok(StreamLine::Disconnect(why)) => {
                        return Err(self.lost(Lost::Http, anyhow::anyhow!("X disconnected: {why}")));
                    }
                    Ok(StreamLine::Other) => {}
                    Err(error) => ctx.sink.malformed("x stream", &error.to_string()),
                }
            }
        }
    }

    /// Counts a post against the cap and sends it, once.
    async fn take(&mut self, mention: Mention, ctx: &SourceContext) -> bool {
        let now = Utc::now();
        let day = self.settings.renewal_day;
        self.reads(now).count(now, day);
        self.report(ctx);
        self.cursor.last = self.cursor.last.max(Some(mention.created_at));
        // A backfill after a reconnection sends again what was read before it.
        if self.seen.note(&mention.id, "") != Novelty::New {
            return true;
        }
        let alive = ctx.sink.send(mention, ctx.clock.now()).await;
        // Serialised only when the sink takes a checkpoint (once a second at most).
        ctx.sink
            .checkpoint(|| serde_json::to_string(&self.cursor).ok());
        alive
    }
}

impl Source for XSource {
    fn name(&self) -> &str {
        &self.settings.name
    }

    fn resume_from(&mut self, cursor: &str) {
        if let Ok(cursor) = serde_json::from_str(cursor) {
            self.cursor = cursor;
        }
    }

    fn run<'a>(&'a mut self, mut ctx: SourceContext) -> SourceFuture<'a> {
        Box::pin(async move {
            if self.token.is_empty() {
                self.token =
                    http::token_from_env(Some(&self.settings.token_env))?.unwrap_or_default();
            }
            self.report(&ctx);
            if let Some(spent) = self.cap_reached() {
                return Err(spent.into());
            }
            let client = http::client()?;
            if let Err(error) = self.sync_rules(&client).await {
                // The rules endpoint fails as the stream does, and waits the same.
                return Err(match kind_of(&error) {
                    Some(kind) => self.lost(kind, error),
                    None => error,
                });
            }
            self.stream(&client, &mut ctx).await
        })
    }
}

/// Which of X's schedules a failure of a plain request follows; `None` for one that waiting
/// does not mend (a bad token, a refusal), left to the supervisor.
fn kind_of(error: &anyhow::Error) -> Option<Lost> {
    match http::failure_of(error)? {
        HttpFailure::Unreachable { .. } | HttpFailure::Silent(_) => Some(Lost::Network),
        HttpFailure::Status { status, .. } if *status >= 500 => Some(Lost::Http),
        HttpFailure::RateLimited { .. } => Some(Lost::TooMany),
        _ => None,
    }
}

/// The wait until `x-rate-limit-reset` (epoch seconds), when X sends it.
fn reset_wait(headers: &reqwest::header::HeaderMap, now: DateTime<Utc>) -> Duration {
    headers
        .get("x-rate-limit-reset")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok())
        .and_then(|reset| DateTime::from_timestamp(reset, 0))
        .and_then(|reset| (reset - now).to_std().ok())
        .unwrap_or(Duration::ZERO)
        .min(Duration::from_secs(3600))
}

/// One line of the stream, understood.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamLine {
    Post(Box<Mention>),
    /// X ends the connection (`operational-disconnect`): reconnect as after an HTTP error.
    Disconnect(String),
    /// An error about one post, a system message: nothing for the wall.
    Other,
}

#[derive(Deserialize)]
struct RawLine {
    #[serde(default)]
    data: Option<RawTweet>,
    #[serde(default)]
    includes: Option<RawIncludes>,
    #[serde(default)]
    errors: Vec<RawStreamError>,
}

#[derive(Deserialize)]
struct RawStreamError {
    #[serde(default)]
    title: String,
    #[serde(default)]
    detail: String,
    #[serde(default, rename = "type")]
    kind: String,
}

#[derive(Deserialize)]
struct RawTweet {
    id: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    author_id: Option<String>,
    created_at: DateTime<Utc>,
    #[serde(default)]
    lang: Option<String>,
    #[serde(default)]
    public_metrics: Option<RawMetrics>,
    #[serde(default)]
    possibly_sensitive: bool,
    #[serde(default)]
    referenced_tweets: Vec<RawReference>,
    #[serde(default)]
    attachments: Option<RawAttachments>,
    /// A post over 280 characters: its whole text (`text` is cut).
    #[serde(default)]
    note_tweet: Option<RawNote>,
}

#[derive(Deserialize)]
struct RawNote {
    text: String,
}

#[derive(Deserialize)]
struct RawMetrics {
    #[serde(default)]
    retweet_count: u64,
    #[serde(default)]
    reply_count: u64,
    #[serde(default)]
    like_count: u64,
    #[serde(default)]
    quote_count: u64,
}

#[derive(Deserialize)]
struct RawReference {
    #[serde(rename = "type")]
    kind: String,
    id: String,
}

#[derive(Deserialize)]
struct RawAttachments {
    #[serde(default)]
    media_keys: Vec<String>,
}

#[derive(Deserialize)]
struct RawIncludes {
    #[serde(default)]
    users: Vec<RawUser>,
    #[serde(default)]
    media: Vec<RawMedia>,
}

#[derive(Deserialize)]
struct RawUser {
    id: String,
    username: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    profile_image_url: Option<String>,
    #[serde(default)]
    public_metrics: Option<RawUserMetrics>,
}

#[derive(Deserialize)]
struct RawUserMetrics {
    #[serde(default)]
    followers_count: u64,
}

#[derive(Deserialize)]
struct RawMedia {
    media_key: String,
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    preview_image_url: Option<String>,
}

/// Parses one line of the filtered stream.
pub fn parse_line(text: &str) -> Result<StreamLine, serde_json::Error> {
    let raw: RawLine = serde_json::from_str(text)?;
    let Some(tweet) = raw.data else {
        return Ok(match raw.errors.first() {
            Some(error) if error.kind.ends_with("operational-disconnect") => {
                StreamLine::Disconnect(if error.detail.is_empty() {
                    error.title.clone()
                } else {
                    error.detail.clone()
                })
            }
            _ => StreamLine::Other,
        });
    };
    let includes = raw.includes.unwrap_or(RawIncludes {
        users: Vec::new(),
        media: Vec::new(),
    });
    let users: HashMap<&str, &RawUser> =
        includes.users.iter().map(|u| (u.id.as_str(), u)).collect();
    let author = tweet.author_id.as_deref().and_then(|id| users.get(id));
    let handle = author.map(|u| u.username.clone()).unwrap_or_default();
    let picture = tweet.attachments.as_ref().and_then(|a| {
        a.media_keys.iter().find_map(|key| {
            let media = includes.media.iter().find(|m| &m.media_key == key)?;
            match media.kind.as_str() {
                "photo" => media.url.clone(),
                _ => media.preview_image_url.clone(),
            }
        })
    });
    let metrics = tweet.public_metrics.unwrap_or(RawMetrics {
        retweet_count: 0,
        reply_count: 0,
        like_count: 0,
        quote_count: 0,
    });
    Ok(StreamLine::Post(Box::new(Mention {
        id: format!("x:{}", tweet.id),
        platform: Platform::X,
        url: Some(if handle.is_empty() {
            format!("https://x.com/i/web/status/{}", tweet.id)
        } else {
            format!("https://x.com/{handle}/status/{}", tweet.id)
        }),
        author: Author {
            handle,
            display_name: author.map(|u| u.name.clone()).unwrap_or_default(),
            reach: author
                .and_then(|u| u.public_metrics.as_ref())
                .map_or(0, |m| m.followers_count),
            avatar: author.and_then(|u| u.profile_image_url.clone()),
        },
        text: tweet.note_tweet.map_or(tweet.text, |note| note.text),
        lang: tweet
            .lang
            .filter(|l| l.len() == 2 && l.chars().all(|c| c.is_ascii_lowercase())),
        created_at: tweet.created_at,
        engagement: Engagement {
            likes: metrics.like_count,
            shares: metrics.retweet_count + metrics.quote_count,
            replies: metrics.reply_count,
        },
        reply_to: tweet
            .referenced_tweets
            .iter()
            .find(|r| r.kind == "replied_to")
            .map(|r| format!("x:{}", r.id)),
        picture: picture.map(|url| Picture {
            url,
            sensitive: tweet.possibly_sensitive,
        }),
        rating: None,
    })))
}

/// What `vigie check` says of the rules: X's verdict on each, with `dry_run`.
pub async fn check_rules(
    base_url: &str,
    token: &str,
    token_env: &str,
    rules: &[Rule],
) -> anyhow::Result<Vec<String>> {
    let client = http::client()?;
    let limits = Limits::default();
    let api = RulesApi {
        client: &client,
        base_url: base_url.trim_end_matches('/'),
        token,
        token_env,
        limits: &limits,
    };
    api.add(rules, true).await
}
