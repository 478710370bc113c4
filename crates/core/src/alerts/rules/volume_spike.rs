//! `kind = "volume_spike"`: a brand's volume spike, as the detector flags it, explained by the
//! words, authors and platforms that drove it. No option of its own.

use chrono::TimeDelta;
use serde::Deserialize;

use super::{Condition, Needs, OptionError, Options, RuleAlerts, Tick};
use crate::alerts::Trigger;
use crate::alerts::drivers::SpikeDrivers;
use crate::i18n::{Locale, spike_why};

/// A spike alert lasts while its brand had a flagged minute this recently.
const SPIKE_ALERT_LASTS: TimeDelta = TimeDelta::minutes(10);
/// Flagged minutes this recent belong to the spike being explained.
const EPISODE_VIEW: TimeDelta = TimeDelta::minutes(30);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VolumeSpikeOptions {}

#[derive(Debug, Clone, PartialEq)]
pub struct VolumeSpike;

pub(super) fn read(options: Options<'_>) -> Result<Box<dyn Condition>, OptionError> {
    let VolumeSpikeOptions {} = options.read()?;
    Ok(Box::new(VolumeSpike))
}

impl Condition for VolumeSpike {
    fn kind(&self) -> &'static str {
        "volume_spike"
    }

    fn needs(&self) -> Needs {
        Needs {
            history: true,
            recent: true,
            ..Needs::default()
        }
    }

    fn on_tick(&mut self, tick: &Tick<'_>, alerts: &mut RuleAlerts<'_>) {
        let now = tick.now;
        for brand in alerts.brands() {
            let Some(key) = alerts.for_brand(brand) else {
                continue;
            };
            let latest = tick
                .spikes
                .iter()
                .filter(|s| {
                    s.brand == brand && s.minute <= now && now - s.minute <= SPIKE_ALERT_LASTS
                })
                .max_by_key(|s| s.count);
            let Some(spike) = latest else {
                alerts.end(&key);
                continue;
            };
            let unchanged = matches!(
                alerts.current(&key),
                Some(Trigger::VolumeSpike { count, .. }) if *count == spike.count
            );
            if unchanged {
                // Explained already: the words are recounted only when the spike grows.
                continue;
            }
            // The storm started at its first flagged minute still in view.
            let since = tick
                .spikes
                .iter()
                .filter(|s| s.brand == brand && s.minute <= now && now - s.minute <= EPISODE_VIEW)
                .map(|s| s.minute)
                .min()
                .unwrap_or(spike.minute);
            let evidence = alerts.top_recent(brand, since, None);
            let trigger = Trigger::VolumeSpike {
                count: spike.count,
                expected: spike.baseline,
                drivers: alerts.explain(brand, since),
            };
            alerts.fire(key, trigger, evidence);
        }
    }
}

pub(crate) fn summary(
    locale: Locale,
    brand: &str,
    count: u32,
    expected: f32,
    drivers: &SpikeDrivers,
) -> String {
    match locale {
        Locale::Fr => format!(
            "Pic de volume pour {brand} : {count} mentions en une minute (habituel {expected:.0}){}",
            spike_why(drivers, "« ", " »")
        ),
        Locale::En => format!(
            "Volume spike for {brand}: {count} mentions in one minute (usual {expected:.0}){}",
            spike_why(drivers, "\"", "\"")
        ),
    }
}
