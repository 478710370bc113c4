//! `type = "hackernews"`: the searches to poll.

use serde::Deserialize;

use super::HackerNewsSource;
use crate::config::BrandConfig;
use crate::ingest::checks::{WEB, poll_problem, urls_problem};
use crate::ingest::{Source, SourceSettings, search_terms};
use crate::model::Platform;

/// Hacker News through Algolia's search API: stories and comments.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HackernewsConfig {
    #[serde(default = "default_name")]
    pub name: String,
    /// One search per query; the brands' keywords when absent.
    #[serde(default)]
    pub queries: Vec<String>,
    #[serde(default = "default_url")]
    pub base_url: String,
    #[serde(default = "default_poll")]
    pub poll_seconds: u64,
}

fn default_name() -> String {
    "hackernews".into()
}
fn default_url() -> String {
    "https://hn.algolia.com".into()
}
fn default_poll() -> u64 {
    60
}

impl SourceSettings for HackernewsConfig {
    fn name(&self) -> &str {
        &self.name
    }

    fn platforms(&self) -> Vec<Platform> {
        vec![Platform::Hackernews]
    }

    fn problem(&self) -> Option<String> {
        urls_problem(std::slice::from_ref(&self.base_url), &WEB, "base URL")
            .or_else(|| poll_problem(self.poll_seconds, 10))
    }

    fn build(&self, brands: &[BrandConfig]) -> anyhow::Result<Vec<Box<dyn Source>>> {
        let queries = if self.queries.is_empty() {
            search_terms(brands)
        } else {
            self.queries.clone()
        };
        Ok(vec![Box::new(HackerNewsSource::new(
            self.name.clone(),
            self.base_url.clone(),
            queries,
            self.poll_seconds,
        ))])
    }
}
