//! What every HTTP source shares: one client setup (timeouts, user agent), the reading of a
//! status into a reason the wall can show ("401: bad or missing token"), `Retry-After`, and
//! bodies read under a size limit and an idle timeout, so that a hostile or broken server can
//! neither fill memory nor hang a source.

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use reqwest::{Response, StatusCode};

/// Who we are, as the sources' rules ask (Reddit's most of all).
pub const USER_AGENT: &str = concat!(
    "vigie/",
    env!("CARGO_PKG_VERSION"),
    " (social room wall; +https://github.com/vigie-wall/vigie)"
);
/// Time to open a connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a source waits and how much it takes. The defaults suit real servers; tests
/// shorten the waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// A request whose answer (or the next part of its body) takes longer than this is
    /// abandoned: the server accepted and went silent.
    pub request_timeout: Duration,
    /// A stream silent this long is dead, even if the socket says otherwise (Mastodon sends a
    /// heartbeat every 15 s or so; Jetstream many messages a second).
    pub stream_idle: Duration,
    /// Largest body a poll accepts: feeds and search listings are far smaller.
    pub max_body: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            request_timeout: Duration::from_secs(30),
            stream_idle: Duration::from_secs(60),
            max_body: 8 * 1024 * 1024,
        }
    }
}
/// Longest wait honoured from a `Retry-After`.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);
/// `Retry-After` absent from a 429: wait this long.
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(60);

/// Why a request did not give us data. Its text is what the wall's source badge shows, so it
/// is short and says what to do.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HttpFailure {
    #[error("401: bad or missing token{}", env_hint(.token_env))]
    Unauthorized { token_env: Option<String> },
    #[error("403: access refused by the server")]
    Forbidden,
    #[error("{status}: {url}")]
    Status { status: u16, url: String },
    /// 429: the server asks us to slow down; the supervisor waits `retry_after`.
    #[error("429: rate limited, retry in {}s", .retry_after.as_secs())]
    RateLimited { retry_after: Duration },
    /// The platform's quota for its period is used up: nothing until it is renewed.
    #[error("quota spent, renewed in {}", hours_minutes(*.renewed_in))]
    QuotaSpent { renewed_in: Duration },
    #[error("body over {limit} bytes refused")]
    TooLarge { limit: usize },
    #[error("server silent for {}s", .0.as_secs())]
    Silent(Duration),
    #[error("cannot reach {host}: {why}")]
    Unreachable { host: String, why: String },
}

impl HttpFailure {
    pub fn kind(&self) -> crate::model::FailureKind {
        use crate::model::FailureKind;
        match self {
            HttpFailure::Unauthorized { .. } => FailureKind::Unauthorized,
            HttpFailure::Forbidden => FailureKind::Forbidden,
            HttpFailure::Status { status, .. } => FailureKind::HttpStatus(*status),
            HttpFailure::RateLimited { .. } => FailureKind::RateLimited,
            HttpFailure::QuotaSpent { .. } => FailureKind::QuotaSpent,
            HttpFailure::TooLarge { .. } => FailureKind::TooLarge,
            HttpFailure::Silent(_) => FailureKind::Silent,
            HttpFailure::Unreachable { .. } => FailureKind::Unreachable,
        }
    }
}

/// A connection that could not be made, said in a few words: the innermost cause
/// ("Connection refused (os error 111)", "failed to lookup address information: …").
pub fn unreachable(error: &reqwest::Error) -> Option<HttpFailure> {
    if !error.is_connect() {
        return None;
    }
    let mut innermost: &dyn std::error::Error = error;
    while let Some(source) = innermost.source() {
        innermost = source;
    }
    Some(HttpFailure::Unreachable {
        host: error
            .url()
            .and_then(|u| u.host_str())
            .unwrap_or("the server")
            .to_string(),
        why: innermost.to_string(),
    })
}

/// `5 h 12 min`, `12 min`: a long wait as a person reads it.
fn hours_minutes(wait: Duration) -> String {
    let minutes = wait.as_secs().div_ceil(60);
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, m) => format!("{h} h {m:02} min"),
    }
}

/// How long a wait the failure asks for, when the server or the platform said (a 429's
/// `Retry-After`, a quota's renewal), rather than the supervisor's backoff.
impl HttpFailure {
    pub fn asked_wait(&self) -> Option<Duration> {
        match self {
            HttpFailure::RateLimited { retry_after } => Some(*retry_after),
            HttpFailure::QuotaSpent { renewed_in } => Some(*renewed_in),
            _ => None,
        }
    }
}

fn env_hint(token_env: &Option<String>) -> String {
    token_env
        .as_ref()
        .map(|name| format!(" (env {name})"))
        .unwrap_or_default()
}

/// The client a source uses: connect timeout, no overall timeout (streams are long; each read
/// has its own), our user agent.
pub fn client() -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .connect_timeout(CONNECT_TIMEOUT)
        .build()
}

/// `client`, following no redirect: for requests that carry a token to a host that may send
/// them elsewhere (the caller follows, and decides whether the token goes along).
pub fn client_without_redirects() -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .connect_timeout(CONNECT_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
}

/// Turns a refusal into an `HttpFailure`; passes 2xx and 304 through.
pub fn check(response: Response, token_env: Option<&str>) -> Result<Response, HttpFailure> {
    let status = response.status();
    if status.is_success() || status == StatusCode::NOT_MODIFIED {
        return Ok(response);
    }
    Err(match status {
        StatusCode::UNAUTHORIZED => HttpFailure::Unauthorized {
            token_env: token_env.map(str::to_string),
        },
        StatusCode::FORBIDDEN => HttpFailure::Forbidden,
        StatusCode::TOO_MANY_REQUESTS => HttpFailure::RateLimited {
            retry_after: retry_after(response.headers(), Utc::now()),
        },
        _ => HttpFailure::Status {
            status: status.as_u16(),
            url: response.url().path().to_string(),
        },
    })
}

/// `Retry-After` as seconds or as an HTTP date; a minute when absent or unreadable.
pub fn retry_after(headers: &reqwest::header::HeaderMap, now: DateTime<Utc>) -> Duration {
    let Some(value) = headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
    else {
        return DEFAULT_RETRY_AFTER;
    };
    let value = value.trim();
    let wait = if let Ok(seconds) = value.parse::<u64>() {
        Duration::from_secs(seconds)
    } else if let Ok(at) = DateTime::parse_from_rfc2822(value) {
        (at.with_timezone(&Utc) - now)
            .to_std()
            .unwrap_or(Duration::ZERO)
    } else {
        DEFAULT_RETRY_AFTER
    };
    wait.min(MAX_RETRY_AFTER)
}

/// Sends a request, waiting at most `limits.request_timeout` for the answer's head.
pub async fn send(request: reqwest::RequestBuilder, limits: &Limits) -> anyhow::Result<Response> {
    match tokio::time::timeout(limits.request_timeout, request.send()).await {
        Ok(Ok(response)) => Ok(response),
        Ok(Err(error)) => Err(match unreachable(&error) {
            Some(failure) => failure.into(),
            None => error.into(),
        }),
        Err(_) => Err(HttpFailure::Silent(limits.request_timeout).into()),
    }
}

/// Reads a whole body, refusing it past `limits.max_body` bytes (announced or received) and
/// giving up when the server stops sending for `limits.request_timeout`.
pub async fn read_body(response: Response, limits: &Limits) -> anyhow::Result<Bytes> {
    let limit = limits.max_body;
    if response
        .content_length()
        .is_some_and(|length| length > limit as u64)
    {
        return Err(HttpFailure::TooLarge { limit }.into());
    }
    let mut body = BytesMut::new();
    let mut chunks = response.bytes_stream();
    while let Some(chunk) = next_chunk(&mut chunks, limits.request_timeout).await? {
        if body.len() + chunk.len() > limit {
            return Err(HttpFailure::TooLarge { limit }.into());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// The next chunk of a streamed body; `None` at its end; an error after `idle` of silence.
pub async fn next_chunk<S>(chunks: &mut S, idle: Duration) -> anyhow::Result<Option<Bytes>>
where
    S: futures_util::Stream<Item = reqwest::Result<Bytes>> + Unpin,
{
    match tokio::time::timeout(idle, chunks.next()).await {
        Err(_) => Err(HttpFailure::Silent(idle).into()),
        Ok(None) => Ok(None),
        Ok(Some(chunk)) => Ok(Some(chunk?)),
    }
}

/// A token read from the environment variable a source names; never from the config file.
pub fn token_from_env(name: Option<&str>) -> anyhow::Result<Option<String>> {
    let Some(name) = name else { return Ok(None) };
    match std::env::var(name) {
        Ok(value) if !value.trim().is_empty() => Ok(Some(value.trim().to_string())),
        _ => Err(HttpFailure::Unauthorized {
            token_env: Some(name.to_string()),
        }
        .into()),
    }
}

/// The `HttpFailure` at the root of an error, if there is one.
pub fn failure_of(error: &anyhow::Error) -> Option<&HttpFailure> {
    error.chain().find_map(|cause| cause.downcast_ref())
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};

    #[test]
    fn retry_after_reads_seconds_and_dates_and_is_capped() {
        let now: DateTime<Utc> = "2026-11-25T12:00:00Z".parse().expect("valid");
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers, now), DEFAULT_RETRY_AFTER);
        headers.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&headers, now), Duration::from_secs(7));
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 25 Nov 2026 12:02:00 GMT"),
        );
        assert_eq!(retry_after(&headers, now), Duration::from_secs(120));
        headers.insert(RETRY_AFTER, HeaderValue::from_static("999999"));
        assert_eq!(retry_after(&headers, now), MAX_RETRY_AFTER);
    }

    #[test]
    fn failures_read_as_badges() {
        let failure = HttpFailure::Unauthorized {
            token_env: Some("VIGIE_MASTODON_TOKEN".into()),
        };
        assert_eq!(
            failure.to_string(),
            "401: bad or missing token (env VIGIE_MASTODON_TOKEN)"
        );
        let error = anyhow::Error::from(HttpFailure::Silent(Duration::from_secs(30)))
            .context("streaming mastodon.social");
        assert_eq!(
            failure_of(&error),
            Some(&HttpFailure::Silent(Duration::from_secs(30)))
        );
    }
}
