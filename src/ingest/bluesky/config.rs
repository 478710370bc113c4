//! `type = "bluesky"`: the Jetstream to read.

use serde::Deserialize;

use super::BlueskySource;
use crate::analysis::matching::BrandMatcher;
use crate::config::BrandConfig;
use crate::ingest::checks::urls_problem;
use crate::ingest::{Source, SourceSettings};

/// Bluesky's Jetstream (JSON over WebSocket), posts kept when they name a brand.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlueskyConfig {
    #[serde(default = "default_name")]
    pub name: String,
    #[serde(default = "default_url")]
    pub url: String,
}

fn default_name() -> String {
    "bluesky".into()
}
fn default_url() -> String {
    "wss://jetstream2.us-east.bsky.network/subscribe".into()
}

impl SourceSettings for BlueskyConfig {
    fn name(&self) -> &str {
        &self.name
    }

    fn problem(&self) -> Option<String> {
        urls_problem(
            std::slice::from_ref(&self.url),
            &["wss", "ws"],
            "Jetstream URL",
        )
    }

    fn build(&self, brands: &[BrandConfig]) -> anyhow::Result<Vec<Box<dyn Source>>> {
        Ok(vec![Box::new(BlueskySource::new(
            self.name.clone(),
            self.url.clone(),
            BrandMatcher::new(brands)?,
        ))])
    }
}
