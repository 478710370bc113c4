//! `type = "youtube"`: the searches, the watched channels and videos, the key and the quota.

use serde::Deserialize;

use super::{CommentFeed, YoutubeSettings, YoutubeSource, quota};
use crate::config::BrandConfig;
use crate::ingest::checks::{WEB, poll_problem, urls_problem};
use crate::ingest::{Source, SourceSettings, brand_queries};
use crate::model::Platform;

/// YouTube Data API v3: videos by query, comments on channels and videos.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YoutubeConfig {
    #[serde(default = "default_name")]
    pub name: String,
    /// The environment variable holding the API key (required).
    pub token_env: String,
    /// Video searches (YouTube syntax: `"petit loup"|petitloup`); one per brand when absent.
    #[serde(default)]
    pub queries: Option<Vec<String>>,
    /// Channels (`UC…`) whose videos' comments are read.
    #[serde(default)]
    pub channels: Vec<String>,
    /// Videos whose comments are read.
    #[serde(default)]
    pub videos: Vec<String>,
    /// Only the comments with these words (`searchTerms`); all of them when absent.
    #[serde(default)]
    pub comment_terms: Option<String>,
    /// Searches favour videos for this country (`regionCode`: `FR`) and language (`fr`).
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub language: Option<String>,
    /// The project's daily quota in units (10,000 unless Google granted more).
    #[serde(default = "default_quota")]
    pub daily_quota: u64,
    /// How often comments are read; searches are paced by the quota.
    #[serde(default = "default_poll")]
    pub poll_seconds: u64,
    #[serde(default = "default_url")]
    pub base_url: String,
}

fn default_name() -> String {
    "youtube".into()
}
fn default_quota() -> u64 {
    10_000
}
fn default_poll() -> u64 {
    300
}
fn default_url() -> String {
    "https://www.googleapis.com".into()
}

impl YoutubeConfig {
    fn queries(&self, brands: &[BrandConfig]) -> Vec<String> {
        self.queries
            .clone()
            .unwrap_or_else(|| brand_queries(brands, "|"))
    }

    fn feeds(&self) -> Vec<CommentFeed> {
        self.channels
            .iter()
            .map(|c| CommentFeed::Channel(c.clone()))
            .chain(self.videos.iter().map(|v| CommentFeed::Video(v.clone())))
            .collect()
    }
}

impl SourceSettings for YoutubeConfig {
    fn name(&self) -> &str {
        &self.name
    }

    fn platforms(&self) -> Vec<Platform> {
        vec![Platform::Youtube]
    }

    fn token_env(&self) -> Option<&str> {
        Some(&self.token_env)
    }

    fn problem(&self) -> Option<String> {
        if let Some(channel) = self.channels.iter().find(|c| !c.starts_with("UC")) {
            return Some(format!(
                "channel '{channel}': give the channel's id (UC…), as in youtube.com/channel/UC…"
            ));
        }
        if self.daily_quota < 100 {
            return Some(format!(
                "daily_quota = {}: a search alone costs 100 units",
                self.daily_quota
            ));
        }
        // The searches of an absent `queries` are the brands': at least one, counted as one.
        let queries = self.queries.as_ref().map_or(1, Vec::len);
        let poll = std::time::Duration::from_secs(self.poll_seconds.max(1));
        if quota::search_interval(queries, self.feeds().len(), poll, self.daily_quota).is_none() {
            return Some(format!(
                "{} comment feeds every {} s take the whole daily quota of {} units: poll less \
                 often or watch fewer",
                self.feeds().len(),
                self.poll_seconds,
                self.daily_quota
            ));
        }
        urls_problem(std::slice::from_ref(&self.base_url), &WEB, "base URL")
            .or_else(|| poll_problem(self.poll_seconds, 60))
    }

    fn build(&self, brands: &[BrandConfig]) -> anyhow::Result<Vec<Box<dyn Source>>> {
        Ok(vec![Box::new(YoutubeSource::new(YoutubeSettings {
            name: self.name.clone(),
            base_url: self.base_url.clone(),
            token_env: self.token_env.clone(),
            queries: self.queries(brands),
            feeds: self.feeds(),
            comment_terms: self.comment_terms.clone(),
            region: self.region.clone(),
            language: self.language.clone(),
            poll_seconds: self.poll_seconds,
            daily_quota: self.daily_quota,
        }))])
    }
}
