//! `type = "x"`: the token, the rules and the read cap.

use serde::Deserialize;

use super::{XSettings, XSource, rules};
use crate::config::BrandConfig;
use crate::ingest::checks::{WEB, urls_problem};
use crate::ingest::{Source, SourceSettings};
use crate::model::Platform;

/// X API v2 filtered stream (Pro tier and above).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct XConfig {
    #[serde(default = "default_name")]
    pub name: String,
    /// The environment variable holding the app's bearer token (required).
    pub token_env: String,
    /// Rules in X's syntax; one per brand (its keywords) when absent.
    #[serde(default)]
    pub rules: Vec<String>,
    /// Posts the subscription reads a month (Pro: 1,000,000, the default).
    #[serde(default = "default_cap")]
    pub monthly_cap: u64,
    /// The day of the month the cap is renewed (the subscription's).
    #[serde(default = "default_day")]
    pub renewal_day: u32,
    /// Minutes of posts asked again after a reconnection (0 to 5; Pro and Enterprise).
    #[serde(default)]
    pub backfill_minutes: u32,
    #[serde(default = "default_url")]
    pub base_url: String,
}

fn default_name() -> String {
    "x".into()
}
/// Pro's: the filtered stream needs Pro or Enterprise.
fn default_cap() -> u64 {
    1_000_000
}
fn default_day() -> u32 {
    1
}
fn default_url() -> String {
    "https://api.x.com".into()
}

impl XConfig {
    pub fn desired_rules(&self, brands: &[BrandConfig]) -> Vec<rules::Rule> {
        rules::desired(brands, &self.rules)
    }
}

impl SourceSettings for XConfig {
    fn name(&self) -> &str {
        &self.name
    }

    fn platforms(&self) -> Vec<Platform> {
        vec![Platform::X]
    }

    fn token_env(&self) -> Option<&str> {
        Some(&self.token_env)
    }

    fn problem(&self) -> Option<String> {
        if let Some(rule) = self
            .rules
            .iter()
            .find(|r| r.trim().is_empty() || r.chars().count() > rules::MAX_RULE_CHARS)
        {
            return Some(format!(
                "rule '{rule}': give 1 to {} characters",
                rules::MAX_RULE_CHARS
            ));
        }
        if !(1..=31).contains(&self.renewal_day) {
            return Some(format!(
                "renewal_day = {}: give a day, 1 to 31",
                self.renewal_day
            ));
        }
        if self.backfill_minutes > 5 {
            return Some(format!(
                "backfill_minutes = {}: X allows 0 to 5",
                self.backfill_minutes
            ));
        }
        if self.monthly_cap == 0 {
            return Some("monthly_cap = 0: the stream could read nothing".into());
        }
        urls_problem(std::slice::from_ref(&self.base_url), &WEB, "base URL")
    }

    fn build(&self, brands: &[BrandConfig]) -> anyhow::Result<Vec<Box<dyn Source>>> {
        Ok(vec![Box::new(XSource::new(XSettings {
            name: self.name.clone(),
            base_url: self.base_url.clone(),
            token_env: self.token_env.clone(),
            rules: self.desired_rules(brands),
            monthly_cap: self.monthly_cap,
            renewal_day: self.renewal_day,
            backfill_minutes: self.backfill_minutes,
        }))])
    }
}
