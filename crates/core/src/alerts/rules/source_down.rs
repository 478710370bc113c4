//! `kind = "source_down"`: a source failed, or silent, for `after_minutes`. One alert per
//! source, whatever the brand.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};
use serde::Deserialize;
use toml::Spanned;

use super::{Condition, OptionError, Options, RuleAlerts, Tick, WEEK_MINUTES, in_range};
use crate::alerts::{Alert, Trigger};
use crate::i18n::Locale;
use crate::model::HealthState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceDownOptions {
    after_minutes: Option<Spanned<u32>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SourceDown {
    pub after: TimeDelta,
    /// Since when each failed source has been failing (a silent one says it itself).
    down_since: HashMap<String, DateTime<Utc>>,
}

impl SourceDown {
    pub fn after(after: TimeDelta) -> Self {
        Self {
            after,
            down_since: HashMap::new(),
        }
    }
}

pub(super) fn read(options: Options<'_>) -> Result<Box<dyn Condition>, OptionError> {
    let raw: SourceDownOptions = options.read()?;
    in_range(&raw.after_minutes, "after_minutes", (1, WEEK_MINUTES))?;
    Ok(Box::new(SourceDown::after(TimeDelta::minutes(i64::from(
        raw.after_minutes.map_or(10, Spanned::into_inner),
    )))))
}

impl Condition for SourceDown {
    fn kind(&self) -> &'static str {
        "source_down"
    }

    fn on_tick(&mut self, tick: &Tick<'_>, alerts: &mut RuleAlerts<'_>) {
        let now = tick.now;
        for source in tick.sources {
            let key = alerts.for_subject(&source.name);
            let down = match &source.state {
                HealthState::Failed { reason, .. } => Some((
                    *self.down_since.entry(source.name.clone()).or_insert(now),
                    reason.clone(),
                )),
                HealthState::Stale { since } => Some((*since, String::new())),
                _ => None,
            };
            match down {
                Some((since, reason)) if now - since >= self.after => {
                    let trigger = Trigger::SourceDown {
                        source: source.name.clone(),
                        minutes: (now - since).num_minutes(),
                        reason,
                    };
                    alerts.fire(key, trigger, Vec::new());
                }
                Some(_) => {}
                None => {
                    self.down_since.remove(&source.name);
                    alerts.end(&key);
                }
            }
        }
    }

    fn restore(&mut self, alert: &Alert) {
        if alert.is_active()
            && let Trigger::SourceDown { source, .. } = &alert.trigger
        {
            self.down_since.insert(source.clone(), alert.started_at);
        }
    }

    fn subject(&self, trigger: &Trigger) -> Option<String> {
        match trigger {
            Trigger::SourceDown { source, .. } => Some(source.clone()),
            _ => None,
        }
    }
}

pub(crate) fn summary(locale: Locale, source: &str, minutes: i64, reason: &str) -> String {
    match (locale, reason.is_empty()) {
        (Locale::Fr, true) => format!("Source {source} muette depuis {minutes} min"),
        (Locale::Fr, false) => format!("Source {source} en panne depuis {minutes} min : {reason}"),
        (Locale::En, true) => format!("Source {source} silent for {minutes} min"),
        (Locale::En, false) => format!("Source {source} down for {minutes} min: {reason}"),
    }
}
