//! `type = "reddit"`: the search to poll.

use serde::Deserialize;

use super::RedditSource;
use crate::config::BrandConfig;
use crate::ingest::checks::{WEB, poll_problem, urls_problem};
use crate::ingest::{Source, SourceSettings, search_terms};
use crate::model::Platform;

/// Reddit's search listing (JSON), newest first.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedditConfig {
    #[serde(default = "default_name")]
    pub name: String,
    /// Reddit search syntax; the brands' keywords joined with OR when absent.
    #[serde(default)]
    pub query: Option<String>,
    #[serde(default = "default_url")]
    pub base_url: String,
    #[serde(default = "default_poll")]
    pub poll_seconds: u64,
    /// Environment variable holding an OAuth bearer token (then use
    /// `base_url = "https://oauth.reddit.com"`).
    #[serde(default)]
    pub token_env: Option<String>,
}

fn default_name() -> String {
    "reddit".into()
}
fn default_url() -> String {
    "https://www.reddit.com".into()
}
fn default_poll() -> u64 {
    120
}

impl SourceSettings for RedditConfig {
    fn name(&self) -> &str {
        &self.name
    }

    fn platforms(&self) -> Vec<Platform> {
        vec![Platform::Reddit]
    }

    fn token_env(&self) -> Option<&str> {
        self.token_env.as_deref()
    }

    fn problem(&self) -> Option<String> {
        urls_problem(std::slice::from_ref(&self.base_url), &WEB, "base URL")
            .or_else(|| poll_problem(self.poll_seconds, 30))
    }

    fn build(&self, brands: &[BrandConfig]) -> anyhow::Result<Vec<Box<dyn Source>>> {
        let query = self.query.clone().unwrap_or_else(|| {
            search_terms(brands)
                .iter()
                .map(|t| format!("\"{t}\""))
                .collect::<Vec<_>>()
                .join(" OR ")
        });
        Ok(vec![Box::new(RedditSource::new(
            self.name.clone(),
            self.base_url.clone(),
            query,
            self.token_env.clone(),
            self.poll_seconds,
        ))])
    }
}
