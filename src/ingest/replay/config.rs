//! `type = "replay"`: a JSON Lines file of mentions, replayed at their own pace.

use std::path::PathBuf;

use serde::Deserialize;

use super::ReplaySource;
use crate::config::BrandConfig;
use crate::ingest::{Source, SourceSettings};

/// JSON Lines of mentions (one `Mention` per line), replayed at their own pace times `--speed`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplayConfig {
    #[serde(default = "default_name")]
    pub name: String,
    pub path: PathBuf,
}

fn default_name() -> String {
    "replay".into()
}

impl SourceSettings for ReplayConfig {
    fn name(&self) -> &str {
        &self.name
    }

    fn build(&self, _brands: &[BrandConfig]) -> anyhow::Result<Vec<Box<dyn Source>>> {
        Ok(vec![Box::new(ReplaySource::new(
            self.name.clone(),
            self.path.clone(),
        ))])
    }
}
