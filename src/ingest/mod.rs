//! Sources and the machinery they share. Each source lives in its own folder and turns its
//! wire format into `Mention`s; the supervisor runs them on a tokio runtime in a background
//! thread, restarts them with backoff, and keeps their health for the wall.

pub mod bluesky;
pub mod demo;
pub mod feeds;
pub mod hackernews;
pub mod mastodon;
pub mod reddit;
pub mod replay;
mod sink;
mod supervisor;
pub mod web;
pub mod webhook;

use std::future::Future;
use std::pin::Pin;

pub use sink::{HealthBoard, MentionSink, SourceStats};
pub use supervisor::{IngestHandle, start_ingest};

use crate::clock::SharedClock;
use crate::config::{BrandConfig, Config, SourceConfig};
use crate::model::Mention;

/// How a source's run ended without an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceEnd {
    /// The shutdown signal was received.
    Shutdown,
    /// Nothing more will come (a replay file read to its end).
    Exhausted,
}

pub type SourceFuture<'a> =
    Pin<Box<dyn Future<Output = Result<SourceEnd, anyhow::Error>> + Send + 'a>>;

/// What a running source is given: where to send, what time it is, when to stop.
#[derive(Clone)]
pub struct SourceContext {
    pub sink: MentionSink,
    pub clock: SharedClock,
    pub shutdown: tokio::sync::watch::Receiver<bool>,
}

impl SourceContext {
    /// Hands mentions to the analysis in order, each stamped with the time it is sent; `false`
    /// when the analysis is gone (the program is stopping).
    pub async fn send_all(&self, mentions: impl IntoIterator<Item = Mention>) -> bool {
        for mention in mentions {
            if !self.sink.send(mention, self.clock.now()).await {
                return false;
            }
        }
        true
    }

    /// Sleeps for `duration`, returning `false` early if shutdown was asked for.
    pub async fn sleep_or_shutdown(&mut self, duration: std::time::Duration) -> bool {
        if *self.shutdown.borrow() {
            return false;
        }
        tokio::select! {
            _ = tokio::time::sleep(duration) => true,
            _ = self.shutdown.changed() => false,
        }
    }
}

/// A component that produces mentions. `run` is called again by the supervisor after an error,
/// so a source keeps whatever cursor it needs to resume in `self`.
pub trait Source: Send {
    fn name(&self) -> &str;
    fn run<'a>(&'a mut self, ctx: SourceContext) -> SourceFuture<'a>;

    /// Where to resume, as the history kept it (`MentionSink::checkpoint`); a source that
    /// reads only what is new ignores it.
    fn resume_from(&mut self, _cursor: &str) {}
}

/// Every source of a config, in its order.
pub fn build_all(config: &Config) -> anyhow::Result<Vec<Box<dyn Source>>> {
    let mut sources = Vec::new();
    for source in &config.sources {
        sources.extend(build_sources(source, &config.brands)?);
    }
    Ok(sources)
}

/// Builds the sources a config entry describes: one, or one per instance, stream or feed.
pub fn build_sources(
    config: &SourceConfig,
    brands: &[BrandConfig],
) -> anyhow::Result<Vec<Box<dyn Source>>> {
    let boxed = |source: Box<dyn Source>| Ok(vec![source]);
    match config {
        SourceConfig::Demo {
            name,
            scenario,
            seed,
            history_hours,
        } => boxed(Box::new(demo::DemoSource::new(
            name.clone(),
            demo::Scenario::parse(scenario).unwrap_or_default(),
            *seed,
            *history_hours,
        ))),
        SourceConfig::Replay { name, path } => boxed(Box::new(replay::ReplaySource::new(
            name.clone(),
            path.clone(),
        ))),
        SourceConfig::Mastodon {
            name,
            instances,
            streams,
            token_env,
            poll_seconds,
        } => Ok(mastodon::MastodonSource::all(
            name,
            instances,
            streams,
            token_env.as_deref(),
            *poll_seconds,
        )
        .into_iter()
        .map(|s| Box::new(s) as Box<dyn Source>)
        .collect()),
        SourceConfig::Bluesky { name, url } => boxed(Box::new(bluesky::BlueskySource::new(
            name.clone(),
            url.clone(),
            crate::analysis::matching::BrandMatcher::new(brands)?,
        ))),
        SourceConfig::Feed {
            name,
            urls,
            poll_seconds,
        } => Ok(feeds::FeedSource::all(name, urls, *poll_seconds)
            .into_iter()
            .map(|s| Box::new(s) as Box<dyn Source>)
            .collect()),
        SourceConfig::Reddit {
            name,
            query,
            base_url,
            poll_seconds,
            token_env,
        } => boxed(Box::new(reddit::RedditSource::new(
            name.clone(),
            base_url.clone(),
            query.clone().unwrap_or_else(|| {
                search_terms(brands)
                    .iter()
                    .map(|t| format!("\"{t}\""))
                    .collect::<Vec<_>>()
                    .join(" OR ")
            }),
            token_env.clone(),
            *poll_seconds,
        ))),
        SourceConfig::Hackernews {
            name,
            queries,
            base_url,
            poll_seconds,
        } => boxed(Box::new(hackernews::HackerNewsSource::new(
            name.clone(),
            base_url.clone(),
            if queries.is_empty() {
                search_terms(brands)
            } else {
                queries.clone()
            },
            *poll_seconds,
        ))),
        SourceConfig::Webhook {
            name,
            listen,
            token_env,
            max_body_bytes,
        } => boxed(Box::new(webhook::WebhookSource::new(
            name.clone(),
            listen.clone(),
            token_env.clone(),
            *max_body_bytes,
        ))),
    }
}

/// The brands' keywords as search terms: without `@` or `#`, each once.
pub fn search_terms(brands: &[BrandConfig]) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    for keyword in brands.iter().flat_map(|b| &b.keywords) {
        let term = keyword.trim_start_matches(['@', '#']).trim().to_lowercase();
        if !term.is_empty() && !terms.contains(&term) {
            terms.push(term);
        }
    }
    terms
}
