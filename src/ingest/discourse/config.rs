//! `type = "discourse"`: the forums to search and follow.

use serde::Deserialize;

use super::DiscourseSource;
use crate::config::BrandConfig;
use crate::ingest::checks::{WEB, poll_problem, urls_problem};
use crate::ingest::web::host_of;
use crate::ingest::{Source, SourceSettings, search_terms};
use crate::model::Platform;

/// Discourse forums: the brands' searches and each forum's new topics, one source a forum.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscourseConfig {
    #[serde(default = "default_name")]
    pub name: String,
    /// The forums' addresses (`https://forum.example.com`).
    pub forums: Vec<String>,
    /// Discourse search terms (words, "exact phrases"); the brands' keywords when absent.
    #[serde(default)]
    pub queries: Vec<String>,
    /// Environment variable holding an API key, for a private forum.
    #[serde(default)]
    pub token_env: Option<String>,
    /// The user the API key acts as (`system` when absent).
    #[serde(default)]
    pub api_username: Option<String>,
    /// Whether each forum's new topics are read too, not only the searches (for a brand's
    /// own community forum, where people rarely name the brand).
    #[serde(default = "default_latest")]
    pub latest: bool,
    #[serde(default = "default_poll")]
    pub poll_seconds: u64,
}

fn default_name() -> String {
    "forum".into()
}
fn default_latest() -> bool {
    true
}
fn default_poll() -> u64 {
    120
}

impl SourceSettings for DiscourseConfig {
    fn name(&self) -> &str {
        &self.name
    }

    fn platforms(&self) -> Vec<Platform> {
        vec![Platform::Forum]
    }

    fn token_env(&self) -> Option<&str> {
        self.token_env.as_deref()
    }

    fn problem(&self) -> Option<String> {
        if let Some(query) = self.queries.iter().find(|q| q.trim().chars().count() < 3) {
            return Some(format!(
                "query '{query}': Discourse searches three characters or more"
            ));
        }
        urls_problem(&self.forums, &WEB, "forum URL")
            .or_else(|| poll_problem(self.poll_seconds, 60))
    }

    fn build(&self, brands: &[BrandConfig]) -> anyhow::Result<Vec<Box<dyn Source>>> {
        let queries: Vec<String> = if self.queries.is_empty() {
            search_terms(brands)
                .into_iter()
                .filter(|t| t.chars().count() >= 3)
                .map(|t| {
                    if t.contains(' ') {
                        format!("\"{t}\"")
                    } else {
                        t
                    }
                })
                .collect()
        } else {
            self.queries.clone()
        };
        Ok(self
            .forums
            .iter()
            .map(|forum| {
                let name = if self.forums.len() == 1 {
                    self.name.clone()
                } else {
                    format!("{} {}", self.name, host_of(forum))
                };
                let source = DiscourseSource::new(
                    name,
                    forum,
                    queries.clone(),
                    self.token_env.clone(),
                    self.api_username.clone(),
                    self.poll_seconds,
                );
                let source = if self.latest {
                    source
                } else {
                    source.without_latest()
                };
                Box::new(source) as Box<dyn Source>
            })
            .collect())
    }
}
