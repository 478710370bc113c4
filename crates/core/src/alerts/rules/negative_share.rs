//! `kind = "negative_share"`: the negative share of a brand's mentions over the last
//! `window_minutes` at or above `threshold`, once there are `min_mentions`. It ends below 90 %
//! of the threshold, so a share hovering at the threshold does not flap.

use chrono::TimeDelta;
use serde::Deserialize;
use toml::Spanned;

use super::{Condition, Needs, OptionError, Options, RuleAlerts, Tick};
use crate::alerts::Trigger;
use crate::i18n::{EN, FR, Locale};
use crate::model::Tone;

const RELEASE: f32 = 0.9;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NegativeShareOptions {
    threshold: Option<Spanned<f32>>,
    window_minutes: Option<Spanned<u32>>,
    min_mentions: Option<Spanned<u32>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NegativeShare {
    pub threshold: f32,
    pub window_minutes: u32,
    pub min_mentions: u32,
}

pub(super) fn read(options: Options<'_>) -> Result<Box<dyn Condition>, OptionError> {
    let whole = options.span();
    let raw: NegativeShareOptions = options.read()?;
    let threshold = raw.threshold.as_ref().map_or(0.4, |t| *t.get_ref());
    if !(threshold > 0.0 && threshold < 1.0) {
        let at = raw.threshold.as_ref().map_or(whole.clone(), Spanned::span);
        return Err(OptionError::new(
            at,
            format!("threshold {threshold} must be a share between 0 and 1"),
        ));
    }
    let window_minutes = raw.window_minutes.as_ref().map_or(60, |w| *w.get_ref());
    if window_minutes == 0 || window_minutes > 24 * 60 {
        let at = raw.window_minutes.as_ref().map_or(whole, Spanned::span);
        return Err(OptionError::new(
            at,
            "window_minutes must be between 1 and 1440",
        ));
    }
    Ok(Box::new(NegativeShare {
        threshold,
        window_minutes,
        min_mentions: raw.min_mentions.as_ref().map_or(20, |m| *m.get_ref()),
    }))
}

impl Condition for NegativeShare {
    fn kind(&self) -> &'static str {
        "negative_share"
    }

    fn needs(&self) -> Needs {
        Needs {
            recent: true,
            ..Needs::default()
        }
    }

    fn on_tick(&mut self, tick: &Tick<'_>, alerts: &mut RuleAlerts<'_>) {
        let tones = (tick.window_tones)(self.window_minutes);
        for (brand, counts) in tones.iter().enumerate() {
            let Some(key) = alerts.for_brand(brand) else {
                continue;
            };
            let mentions = counts.total();
            let share = counts.negative_share().unwrap_or(0.0);
            if mentions >= self.min_mentions && share >= self.threshold {
                let since = tick.now - TimeDelta::minutes(i64::from(self.window_minutes));
                let evidence = alerts.top_recent(brand, since, Some(Tone::Negative));
                let trigger = Trigger::NegativeShare {
                    share,
                    threshold: self.threshold,
                    mentions,
                    window_minutes: self.window_minutes,
                };
                alerts.fire(key, trigger, evidence);
            } else if share < self.threshold * RELEASE || mentions < self.min_mentions {
                alerts.end(&key);
            }
        }
    }
}

pub(crate) fn summary(
    locale: Locale,
    brand: &str,
    share: f32,
    threshold: f32,
    mentions: u32,
    window_minutes: u32,
) -> String {
    let percent = |share: f32| (share * 100.0).round() as u32;
    match locale {
        Locale::Fr => format!(
            "{brand} : {} % de mentions négatives sur les {} ({mentions} mentions, seuil {} %)",
            percent(share),
            FR.window(window_minutes),
            percent(threshold)
        ),
        Locale::En => format!(
            "{brand}: {}% negative mentions over the {} ({mentions} mentions, threshold {}%)",
            percent(share),
            EN.window(window_minutes),
            percent(threshold)
        ),
    }
}
