//! The push webhook: `POST /ingest` with a JSON mention or an array of them, for internal
//! feeds, a CRM or a customer-care tool. Senders present `Authorization: Bearer <token>`; the
//! token comes from an environment variable. Bodies over the limit get 413, bad JSON a 400 that
//! says where, and a batch with some bad items takes the good ones and names the others: nothing
//! is silently lost. `GET /health` answers 200 for load balancers.

mod config;
pub use config::WebhookConfig;

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;

use super::sink::Handed;
use super::web::http::token_from_env;
use super::{Source, SourceContext, SourceEnd, SourceFuture};
use crate::ack::AckGroup;
use crate::model::{Author, Engagement, Mention, Picture, Platform};

pub struct WebhookSource {
    name: String,
    listen: String,
    token_env: String,
    /// Set by `with_token`; otherwise read from `token_env` at each start.
    token: Option<String>,
    max_body_bytes: usize,
}

impl WebhookSource {
    /// The token itself rather than from the environment (for embedding and tests).
    pub fn with_token(mut self, token: String) -> Self {
        self.token = Some(token);
        self
    }

    pub fn new(name: String, listen: String, token_env: String, max_body_bytes: usize) -> Self {
        Self {
            name,
            listen,
            token_env,
            token: None,
            max_body_bytes,
        }
    }
}

#[derive(Clone)]
struct Endpoint {
    ctx: SourceContext,
    token: Arc<str>,
}

impl Source for WebhookSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn run<'a>(&'a mut self, ctx: SourceContext) -> SourceFuture<'a> {
        Box::pin(async move {
            let token = match &self.token {
                Some(token) => token.clone(),
                None => token_from_env(Some(&self.token_env))?.unwrap_or_default(),
            };
            if token.is_empty() {
                anyhow::bail!("the webhook needs a token (env {})", self.token_env);
            }
            let address: SocketAddr = self
                .listen
                .parse()
                .with_context(|| format!("listen = '{}'", self.listen))?;
            let listener = tokio::net::TcpListener::bind(address)
                .await
                .with_context(|| format!("cannot listen on {address}"))?;
            tracing::info!(source = %self.name, %address, "webhook listening on POST /ingest");
            let mut shutdown = ctx.shutdown.clone();
            let endpoint = Endpoint {
                ctx,
                token: token.into(),
            };
            let app = Router::new()
                .route("/ingest", post(ingest))
                .route("/health", get(|| async { "ok" }))
                .layer(DefaultBodyLimit::max(self.max_body_bytes))
                .with_state(endpoint);
            let connections = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
            loop {
                let accepted = tokio::select! {
                    accepted = listener.accept() => accepted,
                    _ = shutdown.wait_for(|stop| *stop) => return Ok(SourceEnd::Shutdown),
                };
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(error) => {
                        // Out of file descriptors, most often: the ones held free up soon.
                        tracing::warn!(source = %self.name, %error, "webhook cannot accept");
                        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                        continue;
                    }
                };
                let Ok(permit) = connections.clone().try_acquire_owned() else {
                    // Closed at once: the sender retries, and senders already in are served.
                    tracing::warn!(
                        source = %self.name,
                        limit = MAX_CONNECTIONS,
                        "webhook connection refused: too many open"
                    );
                    continue;
                };
                // Its headers within `HEADER_DEADLINE`, its body within `BODY_DEADLINE`.
                tokio::spawn(crate::serve::serve_connection(
                    stream,
                    app.clone(),
                    permit,
                    HEADER_DEADLINE,
                    "webhook",
                ));
            }
        })
    }
}

async fn ingest(State(endpoint): State<Endpoint>, request: Request) -> Response {
    // The token first: a stranger's body is never read.
    if !authorized(request.headers(), &endpoint.token) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            axum::Json(json!({"error": "missing or wrong bearer token"})),
        )
            .into_response();
    }
    // Then the body, within its size limit (`DefaultBodyLimit`) and a deadline: a sender that
    // stops half-way must not hold its connection for ever.
    let body = match tokio::time::timeout(BODY_DEADLINE, Bytes::from_request(request, &())).await {
        Ok(Ok(body)) => body,
        Ok(Err(rejection)) => return rejection.into_response(),
        Err(_) => {
            return (
                StatusCode::REQUEST_TIMEOUT,
                axum::Json(json!({"error": "the body did not arrive in time"})),
            )
                .into_response();
        }
    };
    let now = endpoint.ctx.clock.now();
    let (items, rejected) = match parse_push(&body, now) {
        Ok(parsed) => parsed,
        Err(error) => {
            endpoint.ctx.sink.malformed("webhook body", &error);
            return (StatusCode::BAD_REQUEST, axum::Json(json!({"error": error}))).into_response();
        }
    };
    for (index, error) in &rejected {
        endpoint
            .ctx
            .sink
            .malformed(&format!("webhook item {index}"), error);
    }
    let mut accepted = 0;
    let (group, ack) = AckGroup::new();
    for mention in items {
        match endpoint.ctx.sink.offer(mention, ack.clone(), now).await {
            Handed::Taken => accepted += 1,
            // Never a 202 for a post the wall did not take: the sender sends the rest again.
            Handed::Dropped => {
                return (
                    StatusCode::SERVICE_UNAVAILABLE,
                    [(header::RETRY_AFTER, "5")],
                    axum::Json(json!({
                        "accepted": accepted,
                        "error": format!(
                            "the wall is overloaded after item {accepted}: send the whole \
                             request again (posts are deduplicated by id)"
                        ),
                    })),
                )
                    .into_response();
            }
            Handed::Gone => {
                return (StatusCode::SERVICE_UNAVAILABLE, "stopping").into_response();
            }
        }
    }
    ack.commit();
    // 202 only once the history has committed every post of the request.
    match tokio::time::timeout(ACK_DEADLINE, group.durable()).await {
        Ok(true) => {}
        outcome => {
            let why = if outcome.is_ok() {
                "the wall could not store these posts"
            } else {
                "the wall did not store these posts in time"
            };
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::RETRY_AFTER, "5")],
                axum::Json(json!({
                    "accepted": 0,
                    "error": format!("{why}: send them again (posts are deduplicated by id)"),
                })),
            )
                .into_response();
        }
    }
    let rejected: Vec<_> = rejected
        .into_iter()
        .map(|(index, error)| json!({"index": index, "error": error}))
        .collect();
    let status = if accepted == 0 && !rejected.is_empty() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::ACCEPTED
    };
    (
        status,
        axum::Json(json!({"accepted": accepted, "rejected": rejected})),
    )
        .into_response()
}

/// How long a sender may take to send its request's headers (and a kept-alive connection may
/// stay idle).
const HEADER_DEADLINE: std::time::Duration = std::time::Duration::from_secs(10);
/// Connections served at once; beyond, new ones are closed at once. Well under the 1,024 file
/// descriptors a process gets by default (`LimitNOFILE` in packaging/vigie.service raises it).
const MAX_CONNECTIONS: usize = 512;

/// How long a request waits for its posts to be committed before it is answered 503.
const ACK_DEADLINE: std::time::Duration = std::time::Duration::from_secs(10);

/// How long a sender may take to send its body once its headers are in.
const BODY_DEADLINE: std::time::Duration = std::time::Duration::from_secs(10);

/// `Authorization: Bearer <token>`, the scheme in any case (RFC 7235: "bearer" is "Bearer").
/// Compares the whole token whatever its first differing byte, so timing tells nothing.
fn authorized(headers: &HeaderMap, token: &str) -> bool {
    let Some(given) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim_start().split_once(' '))
        .and_then(|(scheme, rest)| scheme.eq_ignore_ascii_case("bearer").then_some(rest))
    else {
        return false;
    };
    let (a, b) = (given.trim().as_bytes(), token.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A mention as a push feed sends it: only `id` and `text` are required.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PushMention {
    id: String,
    text: String,
    #[serde(default)]
    platform: Option<Platform>,
    #[serde(default)]
    author: Option<Author>,
    #[serde(default)]
    created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    lang: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    engagement: Engagement,
    /// The `id` of the mention this one answers (a care tool's reply).
    #[serde(default)]
    reply_to: Option<String>,
    /// Its first picture: `{"url": "https://…", "sensitive": false}`.
    #[serde(default)]
    picture: Option<Picture>,
    /// A review's stars, 1 to 5.
    #[serde(default)]
    rating: Option<u8>,
}

/// The mentions of a body, and `(index, reason)` for each item that is not one. An error when
/// the body is not JSON at all.
pub fn parse_push(
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<(Vec<Mention>, Vec<(usize, String)>), String> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    let (values, single) = match value {
        serde_json::Value::Array(values) => (values, false),
        other => (vec![other], true),
    };
    let mut mentions = Vec::with_capacity(values.len());
    let mut rejected = Vec::new();
    for (index, value) in values.into_iter().enumerate() {
        match serde_json::from_value::<PushMention>(value) {
            Ok(push) if push.id.trim().is_empty() => rejected.push((index, "empty id".into())),
            Ok(push) if push.rating.is_some_and(|stars| !(1..=5).contains(&stars)) => {
                rejected.push((index, "rating: give 1 to 5 stars".into()))
            }
            Ok(push) => mentions.push(Mention {
                id: push.id,
                platform: push.platform.unwrap_or(Platform::Other),
                author: push.author.unwrap_or(Author {
                    handle: String::new(),
                    display_name: String::new(),
                    reach: 0,
                    avatar: None,
                }),
                text: push.text,
                lang: push.lang,
                created_at: push.created_at.unwrap_or(now),
                url: push.url,
                engagement: push.engagement,
                reply_to: push.reply_to.filter(|r| !r.trim().is_empty()),
                picture: push
                    .picture
                    .filter(|p| p.url.starts_with("https://") || p.url.starts_with("http://")),
                rating: push.rating,
            }),
            Err(error) => rejected.push((index, error.to_string())),
        }
    }
    if single && let Some((_, error)) = rejected.first() {
        return Err(error.clone());
    }
    Ok((mentions, rejected))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pushed_mention_may_carry_its_picture_avatar_and_stars() {
        let body = br#"[
            {"id": "crm:1", "text": "Avis Petit Loup", "rating": 2,
             "author": {"handle": "lea", "avatar": "https://cdn.example/lea.png"},
             "picture": {"url": "https://cdn.example/p.jpg", "sensitive": true}},
            {"id": "crm:2", "text": "x", "rating": 9},
            {"id": "crm:3", "text": "y", "picture": {"url": "file:///etc/passwd"}}
        ]"#;
        let (mentions, rejected) = parse_push(body, Utc::now()).expect("JSON");
        assert_eq!(mentions[0].rating, Some(2));
        assert_eq!(
            mentions[0].author.avatar.as_deref(),
            Some("https://cdn.example/lea.png")
        );
        assert!(mentions[0].picture.as_ref().is_some_and(|p| p.sensitive));
        assert_eq!(rejected, [(1, "rating: give 1 to 5 stars".to_string())]);
        assert_eq!(mentions[1].picture, None, "only web addresses");
    }
}
