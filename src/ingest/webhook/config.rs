//! `type = "webhook"`: where to listen, and the token senders present.

use serde::Deserialize;

use super::WebhookSource;
use crate::config::BrandConfig;
use crate::ingest::{Source, SourceSettings};

/// An HTTP endpoint (`POST /ingest`, a JSON mention or an array) for internal feeds.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    #[serde(default = "default_name")]
    pub name: String,
    #[serde(default = "default_listen")]
    pub listen: String,
    /// Environment variable holding the bearer token senders must present.
    pub token_env: String,
    #[serde(default = "default_body")]
    pub max_body_bytes: usize,
}

fn default_name() -> String {
    "webhook".into()
}
fn default_listen() -> String {
    "127.0.0.1:8787".into()
}
fn default_body() -> usize {
    1024 * 1024
}

impl SourceSettings for WebhookConfig {
    fn name(&self) -> &str {
        &self.name
    }

    fn token_env(&self) -> Option<&str> {
        Some(&self.token_env)
    }

    fn problem(&self) -> Option<String> {
        self.listen
            .parse::<std::net::SocketAddr>()
            .err()
            .map(|e| format!("listen = '{}' is not an address:port: {e}", self.listen))
            .or_else(|| {
                self.token_env
                    .trim()
                    .is_empty()
                    .then(|| "token_env must name an environment variable".to_string())
            })
            .or_else(|| {
                (self.max_body_bytes < 1024 || self.max_body_bytes > 64 * 1024 * 1024)
                    .then(|| "max_body_bytes must be between 1024 and 67108864".to_string())
            })
    }

    fn build(&self, _brands: &[BrandConfig]) -> anyhow::Result<Vec<Box<dyn Source>>> {
        Ok(vec![Box::new(WebhookSource::new(
            self.name.clone(),
            self.listen.clone(),
            self.token_env.clone(),
            self.max_body_bytes,
        ))])
    }
}
