//! `type = "feed"`: RSS and Atom feeds to poll.

use serde::Deserialize;

use super::FeedSource;
use crate::config::BrandConfig;
use crate::ingest::checks::{WEB, poll_problem, urls_problem};
use crate::ingest::{Source, SourceSettings};
use crate::model::Platform;

/// RSS 2.0 or Atom feeds (press, blogs), one mention per entry.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedConfig {
    #[serde(default = "default_name")]
    pub name: String,
    pub urls: Vec<String>,
    #[serde(default = "default_poll")]
    pub poll_seconds: u64,
}

fn default_name() -> String {
    "press".into()
}
fn default_poll() -> u64 {
    300
}

impl SourceSettings for FeedConfig {
    fn name(&self) -> &str {
        &self.name
    }

    fn platforms(&self) -> Vec<Platform> {
        vec![Platform::Press]
    }

    fn problem(&self) -> Option<String> {
        urls_problem(&self.urls, &WEB, "feed URL").or_else(|| poll_problem(self.poll_seconds, 60))
    }

    fn build(&self, _brands: &[BrandConfig]) -> anyhow::Result<Vec<Box<dyn Source>>> {
        Ok(FeedSource::all(&self.name, &self.urls, self.poll_seconds)
            .into_iter()
            .map(|s| Box::new(s) as Box<dyn Source>)
            .collect())
    }
}
