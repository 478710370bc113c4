//! `type = "threads"`: the keyword searches and the token.

use serde::Deserialize;

use super::{ThreadsSource, budget};
use crate::config::BrandConfig;
use crate::ingest::checks::{WEB, poll_problem, urls_problem};
use crate::ingest::{Source, SourceSettings, search_terms};
use crate::model::Platform;

/// Threads keyword search (Meta's Threads API), most recent first.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThreadsConfig {
    #[serde(default = "default_name")]
    pub name: String,
    /// The environment variable holding a user access token with `threads_keyword_search`.
    pub token_env: String,
    /// One search each (a keyword or a phrase); the brands' keywords when absent.
    #[serde(default)]
    pub queries: Vec<String>,
    #[serde(default = "default_poll")]
    pub poll_seconds: u64,
    #[serde(default = "default_url")]
    pub base_url: String,
}

fn default_name() -> String {
    "threads".into()
}
fn default_poll() -> u64 {
    300
}
fn default_url() -> String {
    "https://graph.threads.net".into()
}

impl ThreadsConfig {
    fn queries(&self, brands: &[BrandConfig]) -> Vec<String> {
        if self.queries.is_empty() {
            search_terms(brands)
        } else {
            self.queries.clone()
        }
    }
}

impl SourceSettings for ThreadsConfig {
    fn name(&self) -> &str {
        &self.name
    }

    fn platforms(&self) -> Vec<Platform> {
        vec![Platform::Threads]
    }

    fn token_env(&self) -> Option<&str> {
        Some(&self.token_env)
    }

    fn problem(&self) -> Option<String> {
        // With `queries` absent, the brands' keywords: counted as the queries given, or one.
        let least = budget::min_poll_seconds(self.queries.len().max(1));
        urls_problem(std::slice::from_ref(&self.base_url), &WEB, "base URL").or_else(|| {
            poll_problem(self.poll_seconds, least.max(60)).map(|problem| {
                format!("{problem} (Threads allows 2,200 searches a day, one per query a poll)")
            })
        })
    }

    fn build(&self, brands: &[BrandConfig]) -> anyhow::Result<Vec<Box<dyn Source>>> {
        let queries = self.queries(brands);
        // The brands' keywords may be more searches than the period allows: slow down to fit.
        let poll = self
            .poll_seconds
            .max(budget::min_poll_seconds(queries.len()));
        Ok(vec![Box::new(ThreadsSource::new(
            self.name.clone(),
            &self.base_url,
            self.token_env.clone(),
            queries,
            poll,
        ))])
    }
}
