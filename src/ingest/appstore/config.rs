//! `type = "appstore"`: the apps whose reviews to read, and in which stores.

use serde::Deserialize;

use super::AppStoreSource;
use crate::config::BrandConfig;
use crate::ingest::checks::{WEB, poll_problem, urls_problem};
use crate::ingest::{Source, SourceSettings};
use crate::model::Platform;

/// Apple App Store reviews of the brands' apps, per app and country.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppStoreConfig {
    #[serde(default = "default_name")]
    pub name: String,
    /// The apps' numeric ids, as in their store address (`apps.apple.com/fr/app/id1234567890`).
    pub apps: Vec<String>,
    /// The stores, by two-letter country code: each has its own reviews.
    #[serde(default = "default_countries")]
    pub countries: Vec<String>,
    #[serde(default = "default_url")]
    pub base_url: String,
    #[serde(default = "default_poll")]
    pub poll_seconds: u64,
}

fn default_name() -> String {
    "app store".into()
}
fn default_countries() -> Vec<String> {
    vec!["fr".into()]
}
fn default_url() -> String {
    "https://itunes.apple.com".into()
}
fn default_poll() -> u64 {
    900
}

impl SourceSettings for AppStoreConfig {
    fn name(&self) -> &str {
        &self.name
    }

    fn platforms(&self) -> Vec<Platform> {
        vec![Platform::Appstore]
    }

    fn problem(&self) -> Option<String> {
        if self.apps.is_empty() {
            return Some("give at least one app id in `apps`".into());
        }
        if let Some(app) = self
            .apps
            .iter()
            .find(|a| a.is_empty() || !a.chars().all(|c| c.is_ascii_digit()))
        {
            return Some(format!(
                "app '{app}': give the app's numeric id, as in apps.apple.com/fr/app/id1234567890"
            ));
        }
        if self.countries.is_empty() {
            return Some("give at least one country in `countries`".into());
        }
        if let Some(country) = self
            .countries
            .iter()
            .find(|c| c.len() != 2 || !c.chars().all(|c| c.is_ascii_alphabetic()))
        {
            return Some(format!(
                "country '{country}': give a two-letter code (fr, be, ca)"
            ));
        }
        urls_problem(std::slice::from_ref(&self.base_url), &WEB, "base URL")
            .or_else(|| poll_problem(self.poll_seconds, 300))
    }

    fn build(&self, _brands: &[BrandConfig]) -> anyhow::Result<Vec<Box<dyn Source>>> {
        let several = self.apps.len() * self.countries.len() > 1;
        let mut sources: Vec<Box<dyn Source>> = Vec::new();
        for app in &self.apps {
            for country in &self.countries {
                let name = if several {
                    format!("{} {app} {}", self.name, country.to_lowercase())
                } else {
                    self.name.clone()
                };
                sources.push(Box::new(AppStoreSource::new(
                    name,
                    &self.base_url,
                    app,
                    country,
                    self.poll_seconds,
                )));
            }
        }
        Ok(sources)
    }
}
