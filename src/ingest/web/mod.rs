//! The pieces the web sources share: HTTP with limits, HTML to text, server-sent events, and
//! the ordering of the ids sources use as cursors.

pub mod html;
pub mod http;
pub mod seen;
pub mod sse;

/// Orders numeric ids given as strings (Mastodon's, Reddit's base 36 aside): longer is newer,
/// then by digits. Avoids parsing ids that may exceed `u64` on some servers.
pub fn newer_id(a: &str, b: &str) -> bool {
    (a.len(), a) > (b.len(), b)
}

/// The host of a URL, for naming a source on the wall ("mastodon.social").
pub fn host_of(url: &str) -> String {
    reqwest::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_order_by_length_then_digits() {
        assert!(newer_id("113456789012345678", "99999999999999999"));
        assert!(newer_id("1002", "1001"));
        assert!(!newer_id("1001", "1001"));
    }
}
