//! `type = "news"`: Google News searches, one per brand.

use serde::Deserialize;

use super::NewsSearch;
use crate::config::BrandConfig;
use crate::ingest::checks::{WEB, poll_problem, urls_problem};
use crate::ingest::{Source, SourceSettings, brand_queries};
use crate::model::Platform;

/// Press coverage found by Google News, by the brands' queries, in one language and country.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewsConfig {
    #[serde(default = "default_name")]
    pub name: String,
    /// One search each; when absent, one per brand (its keywords, `OR`-ed).
    #[serde(default)]
    pub queries: Vec<String>,
    /// The edition's language (`hl`): `fr`, `en`…
    #[serde(default = "default_language")]
    pub language: String,
    /// The edition's country (`gl`): `FR`, `BE`, `CA`…
    #[serde(default = "default_country")]
    pub country: String,
    #[serde(default = "default_url")]
    pub base_url: String,
    #[serde(default = "default_poll")]
    pub poll_seconds: u64,
}

fn default_name() -> String {
    "google news".into()
}
fn default_language() -> String {
    "fr".into()
}
fn default_country() -> String {
    "FR".into()
}
fn default_url() -> String {
    "https://news.google.com".into()
}
fn default_poll() -> u64 {
    600
}

impl NewsConfig {
    /// The searches: the `queries` given, or one per brand named after it.
    fn searches(&self, brands: &[BrandConfig]) -> Vec<NewsSearch> {
        if self.queries.is_empty() {
            brands
                .iter()
                .filter_map(|brand| {
                    let query = brand_queries(std::slice::from_ref(brand), " OR ").pop()?;
                    Some(NewsSearch {
                        label: brand.name.clone(),
                        query,
                    })
                })
                .collect()
        } else {
            self.queries
                .iter()
                .map(|query| NewsSearch {
                    label: query.clone(),
                    query: query.clone(),
                })
                .collect()
        }
    }
}

impl SourceSettings for NewsConfig {
    fn name(&self) -> &str {
        &self.name
    }

    fn platforms(&self) -> Vec<Platform> {
        vec![Platform::Press]
    }

    fn problem(&self) -> Option<String> {
        let code = |value: &str, what: &str| {
            (value.len() < 2 || value.len() > 3 || !value.chars().all(|c| c.is_ascii_alphabetic()))
                .then(|| format!("{what} = \"{value}\": give a two-letter code"))
        };
        urls_problem(std::slice::from_ref(&self.base_url), &WEB, "base URL")
            .or_else(|| code(&self.language, "language"))
            .or_else(|| code(&self.country, "country"))
            // Google News asks for no key but throttles fast pollers.
            .or_else(|| poll_problem(self.poll_seconds, 120))
    }

    fn build(&self, brands: &[BrandConfig]) -> anyhow::Result<Vec<Box<dyn Source>>> {
        Ok(super::sources(
            &self.name,
            &self.base_url,
            &self.searches(brands),
            &self.language,
            &self.country.to_uppercase(),
            self.poll_seconds,
        )
        .into_iter()
        .map(|s| Box::new(s) as Box<dyn Source>)
        .collect())
    }
}
