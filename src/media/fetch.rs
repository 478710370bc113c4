//! One picture over HTTP: refused past `max_bytes` (announced or received) or past `timeout`
//! in all, and when the server says it is not an image.

use std::time::Duration;

use futures_util::StreamExt;

use super::PictureFailure;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FetchLimits {
    /// A post's picture, scaled for a card, is far smaller; a larger file is not worth the
    /// wait or the memory.
    pub max_bytes: usize,
    /// For the whole answer: a slow server does not hold a fetch slot for long.
    pub timeout: Duration,
}

impl Default for FetchLimits {
    fn default() -> Self {
        Self {
            max_bytes: 5 * 1024 * 1024,
            timeout: Duration::from_secs(10),
        }
    }
}

/// The picture at `url` (http or https only).
pub async fn fetch(
    client: &reqwest::Client,
    url: &str,
    limits: FetchLimits,
) -> Result<Vec<u8>, PictureFailure> {
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(PictureFailure::NotAPicture("not a web address".into()));
    }
    let seconds = limits.timeout.as_secs();
    tokio::time::timeout(limits.timeout, fetch_whole(client, url, limits.max_bytes))
        .await
        .map_err(|_| PictureFailure::Slow(seconds))?
}

async fn fetch_whole(
    client: &reqwest::Client,
    url: &str,
    max_bytes: usize,
) -> Result<Vec<u8>, PictureFailure> {
    let response = client
        .get(url)
        .header(reqwest::header::ACCEPT, "image/*")
        .send()
        .await
        .map_err(|e| PictureFailure::Unreachable(innermost(&e)))?;
    let status = response.status();
    if !status.is_success() {
        return Err(PictureFailure::Status(status.as_u16()));
    }
    let kind = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    // Some CDNs say nothing or a generic type; a page (an expired link's "not found" page
    // served with a 200) says text/html.
    if kind.starts_with("text/") || kind.starts_with("application/json") {
        return Err(PictureFailure::NotAPicture(kind));
    }
    if response
        .content_length()
        .is_some_and(|length| length > max_bytes as u64)
    {
        return Err(PictureFailure::TooLarge(max_bytes));
    }
    let mut body = Vec::new();
    let mut chunks = response.bytes_stream();
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.map_err(|e| PictureFailure::Unreachable(innermost(&e)))?;
        if body.len() + chunk.len() > max_bytes {
            return Err(PictureFailure::TooLarge(max_bytes));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn innermost(error: &reqwest::Error) -> String {
    let mut innermost: &dyn std::error::Error = error;
    while let Some(source) = innermost.source() {
        innermost = source;
    }
    innermost.to_string()
}
