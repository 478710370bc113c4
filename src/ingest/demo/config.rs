//! `type = "demo"`: the built-in generator's settings.

use serde::Deserialize;

use super::{DemoSource, Scenario};
use crate::config::BrandConfig;
use crate::ingest::{Source, SourceSettings};
use crate::model::Platform;

/// The demo's generated history covers the widest chart at most.
const MAX_HISTORY_HOURS: u32 = 48;

/// The built-in generator: a day in the life of a kids' clothing brand and three competitors,
/// in French and English, with scripted scenarios.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoConfig {
    #[serde(default = "default_name")]
    pub name: String,
    /// `poster-backlash` (the viral crisis) or `quiet-day`.
    #[serde(default = "default_scenario")]
    pub scenario: String,
    /// Same seed, same day: mentions are identical from run to run.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Hours of history generated at start so the wall is full from the first frame.
    #[serde(default = "default_history_hours")]
    pub history_hours: u32,
}

fn default_name() -> String {
    "demo".into()
}
fn default_scenario() -> String {
    "poster-backlash".into()
}
fn default_seed() -> u64 {
    42
}
fn default_history_hours() -> u32 {
    6
}

impl SourceSettings for DemoConfig {
    fn name(&self) -> &str {
        &self.name
    }

    fn platforms(&self) -> Vec<Platform> {
        super::generator::platforms()
    }

    fn problem(&self) -> Option<String> {
        if Scenario::parse(&self.scenario).is_none() {
            Some(format!(
                "unknown demo scenario '{}': use one of {}",
                self.scenario,
                Scenario::NAMES.join(", ")
            ))
        } else if self.history_hours > MAX_HISTORY_HOURS {
            Some(format!(
                "history_hours = {} is out of range: use 0 to {MAX_HISTORY_HOURS} (the widest \
                 chart; the history is generated at start)",
                self.history_hours
            ))
        } else {
            None
        }
    }

    fn build(&self, _brands: &[BrandConfig]) -> anyhow::Result<Vec<Box<dyn Source>>> {
        Ok(vec![Box::new(DemoSource::new(
            self.name.clone(),
            Scenario::parse(&self.scenario).unwrap_or_default(),
            self.seed,
            self.history_hours,
        ))])
    }
}
