//! Sources and the machinery they share. Each source lives in its own folder (the source, its
//! settings in `config.rs`, its wire format's parsing) and turns its wire format into
//! `Mention`s; the supervisor runs them on a tokio runtime in a background
//! thread, restarts them with backoff, and keeps their health for the wall.

pub mod appstore;
pub mod bluesky;
mod checks;
pub mod coverage;
pub mod demo;
pub mod discourse;
pub mod feeds;
pub mod hackernews;
pub mod mastodon;
pub mod news;
pub mod reddit;
pub mod replay;
mod sink;
mod supervisor;
pub mod threads;
pub mod web;
pub mod webhook;
pub mod x;
pub mod youtube;

use std::future::Future;
use std::pin::Pin;

pub use sink::{HealthBoard, MentionSink, SourceStats};
pub use supervisor::{IngestHandle, start_ingest};

use crate::clock::SharedClock;
use serde::Deserialize;

use crate::config::{BrandConfig, Config};
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

/// A wait a source asks of the supervisor after a failure, by its platform's own rules (X's
/// separate schedules for network errors, HTTP errors and 429s), in place of the supervisor's
/// backoff. Put in the error's chain (`anyhow::Error::context`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryIn(pub std::time::Duration);

impl std::fmt::Display for RetryIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "reconnecting in {:.1}s", self.0.as_secs_f32())
    }
}

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

/// Every kind of source: its variant, its `type` in the config and its settings type, in its
/// folder. Adding a source is its folder and one line here.
macro_rules! source_types {
    ($($variant:ident = $type:literal ($settings:ty)),* $(,)?) => {
        /// One `[[sources]]` entry; `type` picks the source, as in `type = "demo"` (read by
        /// `SourceConfig::read`, which locates each field).
        #[derive(Debug, Clone, PartialEq)]
        pub enum SourceConfig {
            $($variant($settings)),*
        }

        impl SourceConfig {
            /// What every kind of source answers, whichever this one is.
            pub fn settings(&self) -> &dyn SourceSettings {
                match self {
                    $(SourceConfig::$variant(settings) => settings),*
                }
            }

            /// Its `type` in the config.
            pub fn type_name(&self) -> &'static str {
                match self {
                    $(SourceConfig::$variant(_) => $type),*
                }
            }

            /// Every `type`, in the order the error that lists them names them.
            pub const TYPES: &[&str] = &[$($type),*];

            /// Reads the settings of a source of type `type_name` from its table's other
            /// fields; `None` for a type that does not exist.
            pub fn read<'de>(
                type_name: &str,
                fields: toml::de::Deserializer<'de>,
            ) -> Option<Result<SourceConfig, toml::de::Error>> {
                match type_name {
                    $($type => Some(
                        <$settings as Deserialize>::deserialize(fields).map(SourceConfig::$variant)
                    ),)*
                    _ => None,
                }
            }
        }
    };
}

source_types! {
    Demo = "demo" (demo::DemoConfig),
    Replay = "replay" (replay::ReplayConfig),
    Mastodon = "mastodon" (mastodon::MastodonConfig),
    Bluesky = "bluesky" (bluesky::BlueskyConfig),
    Feed = "feed" (feeds::FeedConfig),
    News = "news" (news::NewsConfig),
    Appstore = "appstore" (appstore::AppStoreConfig),
    Discourse = "discourse" (discourse::DiscourseConfig),
    Youtube = "youtube" (youtube::YoutubeConfig),
    Threads = "threads" (threads::ThreadsConfig),
    X = "x" (x::XConfig),
    Reddit = "reddit" (reddit::RedditConfig),
    Hackernews = "hackernews" (hackernews::HackernewsConfig),
    Webhook = "webhook" (webhook::WebhookConfig),
}

/// A source's settings, as read from its `[[sources]]` table: its name, its secret, what is
/// wrong with its values, and the running sources it describes.
pub trait SourceSettings {
    fn name(&self) -> &str;

    /// The platforms it listens to; none for a source that carries whatever it is given (a
    /// webhook, a replay): the wall names the others as not listened to.
    fn platforms(&self) -> Vec<crate::model::Platform> {
        Vec::new()
    }

    /// The environment variable this source reads its secret from, if any.
    fn token_env(&self) -> Option<&str> {
        None
    }

    /// What is wrong with these values, if anything (reported at the entry's `[[sources]]`).
    fn problem(&self) -> Option<String> {
        None
    }

    /// The sources this entry describes: one, or one per instance, stream or feed.
    fn build(&self, brands: &[BrandConfig]) -> anyhow::Result<Vec<Box<dyn Source>>>;
}

impl SourceConfig {
    pub fn name(&self) -> &str {
        self.settings().name()
    }

    pub fn token_env(&self) -> Option<&str> {
        self.settings().token_env()
    }

    pub fn problem(&self) -> Option<String> {
        self.settings().problem()
    }
}

/// Every source of a config, in its order.
pub fn build_all(config: &Config) -> anyhow::Result<Vec<Box<dyn Source>>> {
    let mut sources = Vec::new();
    for source in &config.sources {
        sources.extend(source.settings().build(&config.brands)?);
    }
    Ok(sources)
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

/// One search per brand: its keywords as quoted phrases (without `@` or `#`) joined by `or`
/// (`" OR "` for Google News and X, `"|"` for YouTube), for the platforms that search by query.
pub fn brand_queries(brands: &[BrandConfig], or: &str) -> Vec<String> {
    brands
        .iter()
        .filter_map(|brand| {
            let mut phrases: Vec<String> = Vec::new();
            for keyword in &brand.keywords {
                let term = keyword.trim_start_matches(['@', '#']).trim().to_lowercase();
                let phrase = if term.contains(char::is_whitespace) {
                    format!("\"{term}\"")
                } else {
                    term
                };
                if !phrase.is_empty() && !phrases.contains(&phrase) {
                    phrases.push(phrase);
                }
            }
            (!phrases.is_empty()).then(|| phrases.join(or))
        })
        .collect()
}
