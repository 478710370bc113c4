//! Google News: the RSS search feed (`/rss/search?q=…&hl=…&gl=…&ceid=…`) of each brand's
//! query, read by the feed source in its aggregator style (the publisher is the author). Google
//! News has no API, key or quota: the feed is public and polled like any publisher's.

mod config;
pub use config::NewsConfig;

use super::feeds::{FeedSource, FeedStyle};

/// The search feed's address for `query` in `language` (`fr`) and `country` (`FR`), as
/// Google News itself links it: `hl=fr&gl=FR&ceid=FR:fr`.
pub fn search_url(base_url: &str, query: &str, language: &str, country: &str) -> String {
    let base = base_url.trim_end_matches('/');
    let mut url = match reqwest::Url::parse(&format!("{base}/rss/search")) {
        Ok(url) => url,
        // `NewsConfig::problem` refuses a base URL that does not parse.
        Err(_) => return format!("{base}/rss/search"),
    };
    url.query_pairs_mut()
        .append_pair("q", query)
        .append_pair("hl", language)
        .append_pair("gl", country)
        .append_pair("ceid", &format!("{country}:{language}"));
    url.to_string()
}

/// One search: what the wall calls it (a brand's name, or the query itself) and the query.
pub struct NewsSearch {
    pub label: String,
    pub query: String,
}

/// One feed source per search, each with its own health, named after the source and the
/// search's label when there are several.
pub fn sources(
    name: &str,
    base_url: &str,
    searches: &[NewsSearch],
    language: &str,
    country: &str,
    poll_seconds: u64,
) -> Vec<FeedSource> {
    searches
        .iter()
        .map(|search| {
            let url = search_url(base_url, &search.query, language, country);
            let named = if searches.len() == 1 {
                name.to_string()
            } else {
                format!("{name} · {}", search.label)
            };
            FeedSource::all(&named, &[url], poll_seconds)
                .remove(0)
                .with_style(FeedStyle::Aggregator)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_search_url_is_the_one_google_news_links() {
        assert_eq!(
            search_url(
                "https://news.google.com/",
                "\"petit loup\" OR loupiot",
                "fr",
                "FR"
            ),
            "https://news.google.com/rss/search?q=%22petit+loup%22+OR+loupiot&hl=fr&gl=FR&ceid=FR%3Afr"
        );
    }
}
