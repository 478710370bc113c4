//! `type = "bluesky"`: the Jetstream to read.

use serde::Deserialize;

use super::{Backfill, BlueskySource};
use crate::analysis::matching::BrandMatcher;
use crate::config::BrandConfig;
use crate::ingest::checks::{WEB, urls_problem};
use crate::ingest::{Source, SourceSettings, search_terms};
use crate::model::Platform;

/// Bluesky's Jetstream (JSON over WebSocket), posts kept when they name a brand.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlueskyConfig {
    #[serde(default = "default_name")]
    pub name: String,
    #[serde(default = "default_url")]
    pub url: String,
    /// Hours of the brands' posts read from search at a first start, before the stream (0:
    /// none). A wall restarted with a history resumes its stream instead.
    #[serde(default = "default_backfill")]
    pub backfill_hours: u64,
    /// The AppView that answers searches.
    #[serde(default = "default_search_url")]
    pub search_url: String,
    /// Environment variable holding an access token, for an AppView that asks for one.
    #[serde(default)]
    pub search_token_env: Option<String>,
}

fn default_name() -> String {
    "bluesky".into()
}
fn default_url() -> String {
    "wss://jetstream2.us-east.bsky.network/subscribe".into()
}
fn default_backfill() -> u64 {
    24
}
fn default_search_url() -> String {
    "https://public.api.bsky.app".into()
}

impl SourceSettings for BlueskyConfig {
    fn name(&self) -> &str {
        &self.name
    }

    fn platforms(&self) -> Vec<Platform> {
        vec![Platform::Bluesky]
    }

    fn token_env(&self) -> Option<&str> {
        self.search_token_env.as_deref()
    }

    fn problem(&self) -> Option<String> {
        if self.backfill_hours > 24 * 7 {
            return Some(format!(
                "backfill_hours = {}: a week (168) at most",
                self.backfill_hours
            ));
        }
        urls_problem(
            std::slice::from_ref(&self.url),
            &["wss", "ws"],
            "Jetstream URL",
        )
        .or_else(|| urls_problem(std::slice::from_ref(&self.search_url), &WEB, "search URL"))
    }

    fn build(&self, brands: &[BrandConfig]) -> anyhow::Result<Vec<Box<dyn Source>>> {
        let source = BlueskySource::new(
            self.name.clone(),
            self.url.clone(),
            BrandMatcher::new(brands)?,
        );
        let source = if self.backfill_hours == 0 {
            source
        } else {
            // The token is optional: absent or unset, the search goes without.
            let token = self
                .search_token_env
                .as_deref()
                .and_then(|name| std::env::var(name).ok())
                .filter(|t| !t.trim().is_empty());
            source.with_backfill(Backfill {
                base_url: self.search_url.clone(),
                terms: search_terms(brands)
                    .into_iter()
                    .map(|t| {
                        if t.contains(' ') {
                            format!("\"{t}\"")
                        } else {
                            t
                        }
                    })
                    .collect(),
                window: std::time::Duration::from_secs(self.backfill_hours * 3600),
                token,
            })
        };
        Ok(vec![Box::new(source)])
    }
}
