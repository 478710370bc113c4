//! Alerts: rules from the config (`[[alerts]]`), evaluated by the analysis thread
//! (`engine`), shown on the wall and sent to the program's webhook sinks (`[[alert_sinks]]`).
//!
//! An alert has a severity, what triggered it, the evidence (posts and figures), a start, and
//! an end. While it lasts, new triggers update it instead of raising another; once it has
//! ended, the same rule for the same brand stays silent for its cooldown.

pub mod drivers;
pub mod engine;
pub mod remote;
pub mod rules;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{Platform, Tone};

pub use engine::AlertEngine;
pub use rules::{AlertRule, Condition, Takeover};

use crate::i18n::Locale;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Critical,
}

impl Severity {
    pub fn parse(text: &str) -> Option<Severity> {
        match text {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "critical" => Some(Severity::Critical),
            _ => None,
        }
    }
}

/// What fired, with the figures that made it fire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Trigger {
    VolumeSpike {
        /// Mentions in the abnormal minute, and what the detector expected.
        count: u32,
        expected: f32,
        /// What drove it: words, authors, platforms.
        #[serde(default)]
        drivers: drivers::SpikeDrivers,
    },
    NegativeShare {
        share: f32,
        threshold: f32,
        mentions: u32,
        window_minutes: u32,
    },
    Keyword {
        word: String,
    },
    InfluentialNegative {
        author: String,
        reach: u64,
    },
    ViralPost {
        /// Likes, shares and replies gained per minute.
        per_minute: f64,
        engagement: u64,
    },
    SourceDown {
        source: String,
        minutes: i64,
        reason: String,
    },
}

impl Trigger {
    /// The alert in one line, with its figures, in the wall's language: each kind of rule
    /// words its own (`rules/<kind>.rs`).
    pub fn summary(&self, locale: Locale, brand: Option<&str>) -> String {
        let brand = brand.unwrap_or("");
        match self {
            Trigger::VolumeSpike {
                count,
                expected,
                drivers,
            } => rules::volume_spike::summary(locale, brand, *count, *expected, drivers),
            Trigger::NegativeShare {
                share,
                threshold,
                mentions,
                window_minutes,
            } => rules::negative_share::summary(
                locale,
                brand,
                *share,
                *threshold,
                *mentions,
                *window_minutes,
            ),
            Trigger::Keyword { word } => rules::keyword::summary(locale, brand, word),
            Trigger::InfluentialNegative { author, reach } => {
                rules::influential_negative::summary(locale, brand, author, *reach)
            }
            Trigger::ViralPost {
                per_minute,
                engagement,
            } => rules::viral_post::summary(locale, brand, *per_minute, *engagement),
            Trigger::SourceDown {
                source,
                minutes,
                reason,
            } => rules::source_down::summary(locale, source, *minutes, reason),
        }
    }
}

/// A post behind an alert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidencePost {
    pub id: String,
    pub author: String,
    pub text: String,
    pub url: Option<String>,
    pub platform: Platform,
    pub engagement: u64,
    pub tone: Tone,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// Unique within a run, increasing.
    pub id: u64,
    /// The rule's name in the config.
    pub rule: String,
    pub severity: Severity,
    /// The brand concerned; `None` for a source going down.
    pub brand: Option<String>,
    pub trigger: Trigger,
    /// One line in the wall's language: what happened, with its figures.
    pub summary: String,
    /// The posts that triggered it or kept it going, most recent first (at most five).
    pub evidence: Vec<EvidencePost>,
    pub started_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
}

impl Alert {
    pub fn is_active(&self) -> bool {
        self.ended_at.is_none()
    }
}

/// What the engine tells the wall and the sinks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", content = "alert", rename_all = "lowercase")]
pub enum AlertChange {
    Raised(Alert),
    Updated(Alert),
    Ended(Alert),
}

impl AlertChange {
    pub fn alert(&self) -> &Alert {
        match self {
            AlertChange::Raised(a) | AlertChange::Updated(a) | AlertChange::Ended(a) => a,
        }
    }
}
