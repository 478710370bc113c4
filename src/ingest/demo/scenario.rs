//! Scripted scenarios: what happens to the room's brand on top of an ordinary day.

/// A scripted story for the demo day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scenario {
    /// The seed case: an in-store poster campaign is launched in the morning; a post criticising
    /// the posters as glorifying too-thin silhouettes goes viral; negative volume climbs; the
    /// brand answers and withdraws the posters; the storm calms down.
    #[default]
    PosterBacklash,
    /// An ordinary day, noise and daily rhythm only.
    QuietDay,
}

/// What kind of extra post a scenario adds to the own brand's ordinary flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtraKind {
    Campaign,
    Backlash,
    Aftermath,
    Press,
}

/// Minutes after the incident at which the brand answers.
pub const ANSWER_AFTER_MINUTES: f64 = 45.0;
/// Minutes before the incident at which the campaign was launched.
pub const CAMPAIGN_BEFORE_MINUTES: f64 = 180.0;

impl Scenario {
    pub const NAMES: [&'static str; 2] = ["poster-backlash", "quiet-day"];

    pub fn parse(name: &str) -> Option<Scenario> {
        match name {
            "poster-backlash" => Some(Scenario::PosterBacklash),
            "quiet-day" => Some(Scenario::QuietDay),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Scenario::PosterBacklash => "poster-backlash",
            Scenario::QuietDay => "quiet-day",
        }
    }

    /// Extra posts per minute about the own brand, `minutes` after the incident (negative
    /// before it).
    pub fn extra_rates(self, minutes: f64) -> Vec<(ExtraKind, f64)> {
        let mut rates = Vec::new();
        if self == Scenario::QuietDay {
            return rates;
        }
        if (-CAMPAIGN_BEFORE_MINUTES..0.0).contains(&minutes) {
            let since_launch = minutes + CAMPAIGN_BEFORE_MINUTES;
            rates.push((
                ExtraKind::Campaign,
                2.5 * (-since_launch / 50.0).exp() + 0.3,
            ));
        }
        if minutes >= 0.0 {
            // A big account reshares within the first minute: the jump is sudden, then the
            // storm keeps growing until the brand answers.
            let backlash = if minutes < ANSWER_AFTER_MINUTES {
                18.0 + 27.0 * (minutes / 15.0).min(1.0)
            } else {
                45.0 * (-(minutes - ANSWER_AFTER_MINUTES) / 25.0).exp()
            };
            if backlash > 0.05 {
                rates.push((ExtraKind::Backlash, backlash));
            }
            if minutes >= ANSWER_AFTER_MINUTES {
                let relief = 8.0 * (-(minutes - ANSWER_AFTER_MINUTES) / 40.0).exp();
                if relief > 0.05 {
                    rates.push((ExtraKind::Aftermath, relief));
                }
            }
            if (20.0..240.0).contains(&minutes) {
                rates.push((ExtraKind::Press, 0.15));
            }
        }
        rates
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(scenario: Scenario, minutes: f64, kind: ExtraKind) -> f64 {
        scenario
            .extra_rates(minutes)
            .into_iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, r)| r)
            .sum()
    }

    #[test]
    fn the_backlash_jumps_at_once_grows_then_calms_after_the_answer() {
        let s = Scenario::PosterBacklash;
        assert_eq!(rate(s, -1.0, ExtraKind::Backlash), 0.0);
        assert!(rate(s, 0.0, ExtraKind::Backlash) >= 15.0);
        assert!(rate(s, 30.0, ExtraKind::Backlash) > rate(s, 1.0, ExtraKind::Backlash));
        assert!(rate(s, 120.0, ExtraKind::Backlash) < 3.0);
        assert!(rate(s, 50.0, ExtraKind::Aftermath) > 0.0);
        assert!(Scenario::QuietDay.extra_rates(10.0).is_empty());
    }

    #[test]
    fn names_round_trip() {
        for name in Scenario::NAMES {
            assert_eq!(Scenario::parse(name).map(Scenario::name), Some(name));
        }
        assert_eq!(Scenario::parse("nope"), None);
    }
}
