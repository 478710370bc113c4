//! `type = "mastodon"`: instances and streams to follow.

use serde::Deserialize;

use super::{MastodonSource, StreamKind};
use crate::config::BrandConfig;
use crate::ingest::checks::{WEB, poll_problem, urls_problem};
use crate::ingest::{Source, SourceSettings};
use crate::model::Platform;

/// Mastodon's streaming API (server-sent events), one connection per instance and stream, with
/// a REST poll when streaming is refused.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MastodonConfig {
    #[serde(default = "default_name")]
    pub name: String,
    /// `https://mastodon.social`, … : several instances at once.
    pub instances: Vec<String>,
    /// `public`, `local`, or `#tag` (a hashtag stream).
    #[serde(default = "default_streams")]
    pub streams: Vec<String>,
    /// Environment variable holding an access token (read scope), when the instance asks for
    /// one.
    #[serde(default)]
    pub token_env: Option<String>,
    /// Seconds between polls when streaming is refused.
    #[serde(default = "default_poll")]
    pub poll_seconds: u64,
}

fn default_name() -> String {
    "mastodon".into()
}
fn default_streams() -> Vec<String> {
    vec!["public".into()]
}
fn default_poll() -> u64 {
    60
}

impl SourceSettings for MastodonConfig {
    fn name(&self) -> &str {
        &self.name
    }

    fn platforms(&self) -> Vec<Platform> {
        vec![Platform::Mastodon]
    }

    fn token_env(&self) -> Option<&str> {
        self.token_env.as_deref()
    }

    fn problem(&self) -> Option<String> {
        urls_problem(&self.instances, &WEB, "instance URL")
            .or_else(|| {
                self.streams.iter().find_map(|s| {
                    StreamKind::parse(s).is_none().then(|| {
                        format!("unknown stream '{s}': use \"public\", \"local\" or \"#tag\"")
                    })
                })
            })
            .or_else(|| {
                self.streams
                    .is_empty()
                    .then(|| "give at least one stream".to_string())
            })
            .or_else(|| poll_problem(self.poll_seconds, 10))
    }

    fn build(&self, _brands: &[BrandConfig]) -> anyhow::Result<Vec<Box<dyn Source>>> {
        Ok(MastodonSource::all(
            &self.name,
            &self.instances,
            &self.streams,
            self.token_env.as_deref(),
            self.poll_seconds,
        )
        .into_iter()
        .map(|s| Box::new(s) as Box<dyn Source>)
        .collect())
    }
}
