//! `kind = "viral_post"`: one post gaining likes, shares and replies at
//! `min_engagement_per_minute` or more, and ten times faster than 999 recent posts in 1,000 —
//! viral, not merely popular.

use chrono::{DateTime, TimeDelta, Utc};
use serde::Deserialize;
use toml::Spanned;
use vigie_anomaly::rank::RollingRank;

use super::{Condition, Needs, OptionError, Options, Post};
use crate::alerts::Trigger;
use crate::analysis::dedupe::{IdLru, id_key, id_lru};
use crate::i18n::Locale;
use crate::model::EnrichedMention;

/// Engagement velocities of recent posts, to tell viral from merely popular.
const VELOCITY_SAMPLE: usize = 5000;
/// A viral post gains engagement this many times faster than 999 posts in 1,000.
const VIRAL_OVER_USUAL: f64 = 10.0;
const USUAL_VELOCITY_QUANTILE: f64 = 0.999;
/// A post's first sight counts its engagement as gained over at least this long, so a post seen
/// seconds after it was written does not read as infinitely fast.
const MIN_AGE_FOR_VELOCITY: TimeDelta = TimeDelta::minutes(5);
/// Previous sightings remembered for engagement growth between two sightings.
const SIGHTINGS_KEPT: usize = 10_000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ViralPostOptions {
    min_engagement_per_minute: Option<Spanned<f64>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ViralPost {
    pub min_per_minute: f64,
}

pub(super) fn read(options: Options<'_>) -> Result<Box<dyn Condition>, OptionError> {
    let whole = options.span();
    let raw: ViralPostOptions = options.read()?;
    let per_minute = raw
        .min_engagement_per_minute
        .as_ref()
        .map_or(200.0, |m| *m.get_ref());
    if !(per_minute.is_finite() && per_minute > 0.0) {
        let at = raw
            .min_engagement_per_minute
            .as_ref()
            .map_or(whole, Spanned::span);
        return Err(OptionError::new(
            at,
            "min_engagement_per_minute must be above 0",
        ));
    }
    Ok(Box::new(ViralPost {
        min_per_minute: per_minute,
    }))
}

impl Condition for ViralPost {
    fn kind(&self) -> &'static str {
        "viral_post"
    }

    fn needs(&self) -> Needs {
        Needs {
            velocity: true,
            ..Needs::default()
        }
    }

    fn on_post(&self, post: &Post<'_>, _brand: usize) -> Option<Trigger> {
        post.velocity
            .filter(|v| v.is_viral(self.min_per_minute))
            .map(|v| Trigger::ViralPost {
                per_minute: v.per_minute,
                engagement: post.enriched.mention.engagement.total(),
            })
    }

    fn ends_when_posts_stop(&self) -> bool {
        true
    }
}

/// How fast a post gains engagement, and how fast recent posts usually do.
#[derive(Debug, Clone, Copy)]
pub struct Velocity {
    pub per_minute: f64,
    /// What 999 posts in 1,000 stay under, among the recent ones; `None` before any.
    pub usual: Option<f64>,
}

impl Velocity {
    fn is_viral(&self, min_per_minute: f64) -> bool {
        self.per_minute >= min_per_minute
            && self
                .usual
                .is_none_or(|usual| self.per_minute >= VIRAL_OVER_USUAL * usual)
    }
}

/// The velocities of recent posts, and the last sighting of each, kept once for every viral
/// rule.
pub struct VelocityTracker {
    velocities: RollingRank,
    sightings: IdLru<(DateTime<Utc>, u64)>,
}

impl Default for VelocityTracker {
    fn default() -> Self {
        Self {
            velocities: RollingRank::new(VELOCITY_SAMPLE),
            sightings: id_lru(SIGHTINGS_KEPT),
        }
    }
}

impl VelocityTracker {
    /// Engagement gained per minute: since the last sighting of this post, or since it was
    /// written. Recorded in the sample of usual velocities.
    pub fn measure(&mut self, enriched: &EnrichedMention, now: DateTime<Utc>) -> Option<Velocity> {
        let mention = &enriched.mention;
        let engagement = mention.engagement.total();
        let per_minute = match self.sightings.put(id_key(&mention.id), (now, engagement)) {
            Some((seen_at, seen)) if now > seen_at => {
                let minutes = (now - seen_at).num_milliseconds() as f64 / 60_000.0;
                engagement.saturating_sub(seen) as f64 / minutes.max(1.0)
            }
            Some(_) => return None,
            None => {
                let age = (now - mention.created_at).max(MIN_AGE_FOR_VELOCITY);
                engagement as f64 / (age.num_milliseconds() as f64 / 60_000.0)
            }
        };
        let usual = self.velocities.quantile(USUAL_VELOCITY_QUANTILE);
        self.velocities.push(per_minute);
        Some(Velocity { per_minute, usual })
    }
}

pub(crate) fn summary(locale: Locale, brand: &str, per_minute: f64, engagement: u64) -> String {
    match locale {
        Locale::Fr => format!(
            "{brand} : un message devient viral, +{per_minute:.0} interactions/min ({engagement} au total)"
        ),
        Locale::En => format!(
            "{brand}: a post is going viral, +{per_minute:.0} interactions/min ({engagement} in all)"
        ),
    }
}
