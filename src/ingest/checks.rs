//! Checks every source's settings share: URLs and polling periods.

/// A source polled less often than daily is not a live source.
pub const MAX_POLL_SECONDS: u64 = 24 * 3600;

/// Web URLs.
pub const WEB: [&str; 2] = ["https", "http"];

/// What is wrong with a list of URLs: empty, not a URL, or another scheme than `schemes`.
pub fn urls_problem(urls: &[String], schemes: &[&str], what: &str) -> Option<String> {
    if urls.is_empty() {
        return Some(format!("give at least one {what}"));
    }
    urls.iter().find_map(|url| match reqwest::Url::parse(url) {
        Err(e) => Some(format!("'{url}' is not a URL: {e}")),
        Ok(u) if !schemes.contains(&u.scheme()) => {
            Some(format!("'{url}': use a {} URL", schemes.join(" or ")))
        }
        Ok(_) => None,
    })
}

/// What is wrong with a polling period: more often than the source allows (`min`), or less
/// often than daily.
pub fn poll_problem(seconds: u64, min: u64) -> Option<String> {
    if seconds < min {
        Some(format!(
            "poll_seconds = {seconds} is too often for this source: at least {min}"
        ))
    } else {
        (seconds > MAX_POLL_SECONDS).then(|| {
            format!(
                "poll_seconds = {seconds} is out of range: use {min} to \
                 {MAX_POLL_SECONDS} (a day: a source polled less often is not live)"
            )
        })
    }
}
