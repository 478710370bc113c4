//! Spikes in a brand's per-minute volume, from two detectors:
//!
//! - the minute in progress against the past hour: its count against the median of the
//!   previous minutes, in units of their median absolute deviation (floored by the Poisson
//!   spread of the median, so a quiet night does not turn two posts into a spike). It is tested
//!   as the minute fills, so a storm is flagged before its first minute ends, and it works from
//!   a cold start. Minutes already flagged are left out of the baseline, so a storm that lasts
//!   does not become the new normal within the hour; the baseline looks back at most
//!   `LOOKBACK_FACTOR` windows for ordinary minutes, so a lasting change of level is accepted
//!   after a few hours.
//! - each finished minute against the daily and weekly rhythm, with `vigie detect`'s detector
//!   (`crates/anomaly`, measured on NAB): after a day of history it also sees a slow surge, a
//!   rise at an hour that is usually quiet, and a collapse.

use chrono::{DateTime, Utc};
use rustc_hash::FxHashMap;
use vigie_anomaly::{AnomalyDetector, Params};

use super::aggregate::{MinuteKey, MinuteRing, minute_key, minute_start};
use crate::model::Spike;
use crate::settings::SpikeConfig;

/// How many spikes are remembered for the chart.
const MAX_SPIKES: usize = 256;
/// How many baseline windows back the detector searches for unflagged minutes.
pub const LOOKBACK_FACTOR: usize = 3;

#[derive(Debug, Clone, Copy)]
struct Baseline {
    key: MinuteKey,
    median: f32,
    spread: f32,
}

/// The rhythm-aware detector of `crates/anomaly` alarms at this score (evidence 2).
const RHYTHM_ALARM: f64 = 2.0 / 3.0;

/// One brand's rhythm-aware detector, fed each finished minute.
struct RhythmWatch {
    detector: AnomalyDetector,
    /// The last minute fed; `None` until the first `advance`.
    fed: Option<MinuteKey>,
}

pub struct SpikeDetector {
    config: SpikeConfig,
    /// Per brand: the detector that knows the daily and weekly rhythm (`vigie detect`'s). It
    /// scores finished minutes only and needs a day of history before it speaks, so the
    /// median/MAD test of the minute in progress stays: it catches a storm within seconds from
    /// a cold start; the rhythm detector catches what a one-hour baseline cannot see (a slow
    /// surge, a rise at an hour that is usually quiet, a collapse).
    rhythm: Vec<RhythmWatch>,
    /// Per brand, the baseline of the minute last tested: computed once per minute.
    baselines: Vec<Option<Baseline>>,
    spikes: Vec<Spike>,
    /// Per (brand, minute), the count and score last handed out by `take_changes`: a hub
    /// publishes a spike again only when it moved.
    handed_out: FxHashMap<(usize, DateTime<Utc>), (u32, u32)>,
}

impl SpikeDetector {
    pub fn new(config: SpikeConfig, brands: usize) -> Self {
        Self {
            config,
            rhythm: (0..brands)
                .map(|_| RhythmWatch {
                    detector: AnomalyDetector::new(Params::default()),
                    fed: None,
                })
                .collect(),
            baselines: vec![None; brands],
            spikes: Vec::new(),
            handed_out: FxHashMap::default(),
        }
    }

    pub fn spikes(&self) -> &[Spike] {
        &self.spikes
    }

    /// Spikes raised or changed since the last call, oldest first: what a hub publishes to
    /// its displays and what the history keeps. Called a few times a second, so the spikes
    /// (at most `MAX_SPIKES`) are compared with what was handed out rather than each mention
    /// of a storm marking its spike.
    pub fn take_changes(&mut self) -> Vec<Spike> {
        let mut changed = Vec::new();
        let mut handed_out =
            FxHashMap::with_capacity_and_hasher(self.spikes.len(), Default::default());
        for spike in &self.spikes {
            let key = (spike.brand, spike.minute);
            let state = (spike.count, spike.score.to_bits());
            if self.handed_out.get(&key) != Some(&state) {
                changed.push(spike.clone());
            }
            handed_out.insert(key, state);
        }
        self.handed_out = handed_out;
        changed
    }

    /// Takes a spike as another detector raised it (the hub's, on a display) or as the
    /// history kept it (after a restart): it replaces the one of the same brand and minute,
    /// and it is known as handed out already.
    pub fn adopt(&mut self, spike: Spike) {
        self.handed_out.insert(
            (spike.brand, spike.minute),
            (spike.count, spike.score.to_bits()),
        );
        if let Some(existing) = self
            .spikes
            .iter_mut()
            .find(|s| s.brand == spike.brand && s.minute == spike.minute)
        {
            *existing = spike;
            return;
        }
        if self.spikes.len() == MAX_SPIKES {
            self.spikes.remove(0);
        }
        // In minute order, as the detector raises them: a late or replayed one goes in place.
        let at = self.spikes.partition_point(|s| s.minute <= spike.minute);
        self.spikes.insert(at, spike);
    }

    /// Tests `brand`'s minute `key` after a mention landed in it. Returns the new spike when this
    /// mention made the minute abnormal.
    pub fn observe(
        &mut self,
        ring: &MinuteRing,
        brand: usize,
        key: MinuteKey,
        event_time: DateTime<Utc>,
    ) -> Option<&Spike> {
        let baseline = self.baseline(ring, brand, key);
        let count = ring.total(key, brand);
        let score = (count as f32 - baseline.median) / baseline.spread;
        // Once, not for every spike compared: a date computation per comparison was most of
        // this function's time.
        let minute = minute_start(key);
        let existing = self
            .spikes
            .iter()
            .rposition(|s| s.brand == brand && s.minute == minute);
        if let Some(index) = existing {
            let spike = &mut self.spikes[index];
            spike.count = count;
            spike.score = score;
            return None;
        }
        if count < self.config.min_count || score < self.config.threshold {
            return None;
        }
        if self.spikes.len() == MAX_SPIKES {
            self.spikes.remove(0);
        }
        self.spikes.push(Spike {
            brand,
            minute: minute_start(key),
            count,
            baseline: baseline.median,
            score,
            detected_at: event_time,
        });
        self.spikes.last()
    }

    /// Feeds every minute finished before `now` to the rhythm detectors (from the first call
    /// on: minutes before it are not known to be empty). A minute they find abnormal becomes a
    /// spike unless it is one already. Returns how many spikes were added.
    pub fn advance(&mut self, ring: &MinuteRing, now: DateTime<Utc>) -> usize {
        let finished = minute_key(now) - 1;
        let mut added = 0;
        for brand in 0..self.rhythm.len() {
            let from = match self.rhythm[brand].fed {
                Some(fed) => fed + 1,
                None => {
                    self.rhythm[brand].fed = Some(finished);
                    continue;
                }
            };
            // After a long pause (a laptop asleep), only what the ring still holds.
            let from = from.max(finished - ring.capacity_minutes() as i64 + 2);
            for key in from..=finished {
                let count = ring.total(key, brand);
                let watch = &mut self.rhythm[brand];
                let score = watch.detector.observe(key * 60, f64::from(count));
                watch.fed = Some(key);
                let minute = minute_start(key);
                let flagged = self
                    .spikes
                    .iter()
                    .any(|s| s.brand == brand && s.minute == minute);
                let evidence = watch.detector.evidence();
                // The detector also alarms on collapses (for `vigie detect`'s server metrics);
                // on the wall a spike is a peak of conversation, and a source gone quiet is the
                // status line's news.
                let rise = f64::from(count) > evidence.expected;
                if score >= RHYTHM_ALARM && rise && !flagged {
                    if self.spikes.len() == MAX_SPIKES {
                        self.spikes.remove(0);
                    }
                    self.spikes.push(Spike {
                        brand,
                        minute,
                        count,
                        baseline: evidence.expected as f32,
                        score: evidence.total as f32,
                        detected_at: now,
                    });
                    added += 1;
                }
            }
        }
        added
    }

    fn baseline(&mut self, ring: &MinuteRing, brand: usize, key: MinuteKey) -> Baseline {
        if let Some(cached) = self.baselines[brand]
            && cached.key == key
        {
            return cached;
        }
        let minutes = (self.config.baseline_minutes as usize).clamp(5, ring.capacity_minutes() - 1);
        let reach = (minutes * LOOKBACK_FACTOR).min(ring.capacity_minutes() - 1) as i64;
        // Only the flagged minutes within reach: a long crisis keeps hundreds of spikes, and
        // each minute of the look-back is checked against these.
        let flagged: Vec<MinuteKey> = self
            .spikes
            .iter()
            .filter(|s| s.brand == brand)
            .map(|s| minute_key(s.minute))
            .filter(|&k| k < key && k >= key - reach)
            .collect();
        let mut past: Vec<f32> = (1..=reach)
            .map(|back| key - back)
            .filter(|k| !flagged.contains(k))
            .take(minutes)
            .map(|k| ring.total(k, brand) as f32)
            .collect();
        if past.len() < minutes / 2 {
            // The storm has lasted beyond the look-back: it is the new normal.
            past = (1..=minutes as i64)
                .map(|back| ring.total(key - back, brand) as f32)
                .collect();
        }
        let median = median_of(&mut past);
        let mut deviations: Vec<f32> = past.iter().map(|v| (v - median).abs()).collect();
        let mad = median_of(&mut deviations);
        // 1.4826 makes the MAD a standard deviation for normal data; sqrt(median) is the
        // Poisson spread, and 1 the floor for an almost silent brand.
        let spread = (1.4826 * mad).max(median.sqrt()).max(1.0);
        let baseline = Baseline {
            key,
            median,
            spread,
        };
        self.baselines[brand] = Some(baseline);
        baseline
    }
}

fn median_of(values: &mut [f32]) -> f32 {
    if values.is_empty() {
        return 0.0;
    }
    let mid = values.len() / 2;
    let (_, m, _) = values.select_nth_unstable_by(mid, f32::total_cmp);
    *m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Platform, Tone};

    fn config() -> SpikeConfig {
        SpikeConfig {
            baseline_minutes: 30,
            threshold: 6.0,
            min_count: 6,
        }
    }

    #[test]
    fn a_storm_is_flagged_while_its_minute_fills_and_only_once() {
        let mut ring = MinuteRing::new(120, 1);
        let mut detector = SpikeDetector::new(config(), 1);
        let t0 = DateTime::from_timestamp(0, 0).unwrap_or_default();
        // An hour of 3 or 4 mentions a minute.
        for key in 0..60 {
            for _ in 0..(3 + key % 2) {
                ring.add(key, 0, Tone::Neutral, Platform::X);
                assert!(
                    detector.observe(&ring, 0, key, t0).is_none(),
                    "minute {key}"
                );
            }
        }
        let mut flagged_at = None;
        for n in 1..=30 {
            ring.add(60, 0, Tone::Negative, Platform::X);
            if detector.observe(&ring, 0, 60, t0).is_some() {
                assert!(flagged_at.is_none(), "flagged twice");
                flagged_at = Some(n);
            }
        }
        // Median 3 or 4, spread 2: about 16 mentions in the minute cross six spreads.
        let n = flagged_at.expect("the storm is flagged");
        assert!((14..=18).contains(&n), "flagged at {n}");
        assert_eq!(detector.spikes().len(), 1);
        assert_eq!(detector.spikes()[0].count, 30);
    }

    #[test]
    fn changes_are_handed_out_once_each_and_adopted_spikes_are_not_handed_out_again() {
        let mut ring = MinuteRing::new(120, 2);
        let mut detector = SpikeDetector::new(config(), 2);
        let t0 = DateTime::from_timestamp(0, 0).unwrap_or_default();
        for key in 0..60 {
            ring.add(key, 0, Tone::Neutral, Platform::X);
            detector.observe(&ring, 0, key, t0);
        }
        assert!(detector.take_changes().is_empty());
        for _ in 0..20 {
            ring.add(60, 0, Tone::Negative, Platform::X);
            detector.observe(&ring, 0, 60, t0);
        }
        let raised = detector.take_changes();
        assert_eq!(raised.len(), 1);
        assert_eq!(raised[0].count, 20);
        assert!(detector.take_changes().is_empty(), "nothing moved since");
        ring.add(60, 0, Tone::Negative, Platform::X);
        detector.observe(&ring, 0, 60, t0);
        let grown = detector.take_changes();
        assert_eq!(grown.len(), 1);
        assert_eq!(grown[0].count, 21);

        // Another detector's spike (the hub's, or the history's) is shown, not handed out.
        let theirs = Spike {
            brand: 1,
            minute: minute_start(30),
            count: 9,
            baseline: 1.0,
            score: 8.0,
            detected_at: t0,
        };
        detector.adopt(theirs.clone());
        assert!(detector.take_changes().is_empty());
        assert_eq!(detector.spikes()[0], theirs, "in minute order");
        // Adopted again with a new count: replaced, not added.
        detector.adopt(Spike {
            count: 12,
            ..theirs
        });
        assert_eq!(detector.spikes().len(), 2);
        assert_eq!(detector.spikes()[0].count, 12);
    }

    #[test]
    fn a_wall_clock_stepped_back_is_waited_out_not_fed_twice() {
        let mut ring = MinuteRing::new(400, 1);
        let mut detector = SpikeDetector::new(config(), 1);
        let at = |key: i64| minute_start(key);
        for key in 0..200 {
            ring.add(key, 0, Tone::Neutral, Platform::X);
        }
        detector.advance(&ring, at(100));
        detector.advance(&ring, at(150));
        // The clock goes back an hour (a correction): nothing is fed again, nothing breaks.
        assert_eq!(detector.advance(&ring, at(90)), 0);
        assert_eq!(detector.rhythm[0].fed, Some(149));
        // Once it is past where it was, the minutes after go on from there.
        detector.advance(&ring, at(160));
        assert_eq!(detector.rhythm[0].fed, Some(159));
    }

    #[test]
    fn a_lasting_storm_stays_abnormal_but_a_new_level_is_accepted_in_the_end() {
        let mut ring = MinuteRing::new(400, 1);
        let mut detector = SpikeDetector::new(config(), 1);
        let t0 = DateTime::from_timestamp(0, 0).unwrap_or_default();
        let mut flagged_minutes = Vec::new();
        for key in 0..330 {
            let count = if key < 60 { 3 } else { 30 };
            for _ in 0..count {
                ring.add(key, 0, Tone::Negative, Platform::X);
                if detector.observe(&ring, 0, key, t0).is_some() {
                    flagged_minutes.push(key);
                }
            }
        }
        // With a 30-minute baseline the detector looks back 90 minutes for ordinary ones: the
        // storm's first hour and more is flagged, minute after minute...
        assert!(
            (60..130).all(|k| flagged_minutes.contains(&k)),
            "{flagged_minutes:?}"
        );
        // ...and once the ordinary minutes are out of reach the new level is the baseline.
        assert!(!flagged_minutes.contains(&329), "{flagged_minutes:?}");
    }

    #[test]
    fn a_slow_surge_after_a_day_of_rhythm_is_flagged_by_the_rhythm_detector() {
        let days = 3;
        let mut ring = MinuteRing::new(days * 1440 + 10, 1);
        let mut detector = SpikeDetector::new(config(), 1);
        let start: MinuteKey = 29_400_000; // a Monday, 00:00 UTC
        let at = |key: MinuteKey| minute_start(key);
        detector.advance(&ring, at(start));
        let mut seed: u64 = 17;
        let surge_from = start + 2 * 1440 + 14 * 60;
        for key in start..start + days as i64 * 1440 {
            let hour = ((key - start) % 1440) as f64 / 60.0;
            let usual = 6.0 + 5.0 * (-(hour - 14.0).powi(2) / 18.0).exp();
            // The third afternoon climbs to three times the usual over half an hour, and stays.
            let surge = if key >= surge_from {
                1.0 + 2.0 * ((key - surge_from) as f64 / 30.0).min(1.0)
            } else {
                1.0
            };
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1442695040888963407);
            let noise = (seed >> 61) as f64 - 3.5;
            let count = (usual * surge + noise).round().max(0.0) as u32;
            for _ in 0..count {
                ring.add(key, 0, Tone::Neutral, Platform::X);
                detector.observe(&ring, 0, key, at(key));
            }
            detector.advance(&ring, at(key + 1));
        }
        let before: Vec<_> = detector
            .spikes()
            .iter()
            .filter(|s| minute_key(s.minute) < surge_from)
            .collect();
        let during: Vec<_> = detector
            .spikes()
            .iter()
            .filter(|s| (surge_from..surge_from + 180).contains(&minute_key(s.minute)))
            .collect();
        assert!(!during.is_empty(), "the surge is flagged");
        assert!(
            before.iter().all(|s| minute_key(s.minute) < start + 1440),
            "{before:?}"
        );
    }

    #[test]
    fn a_quiet_brand_needs_the_minimum_count() {
        let mut ring = MinuteRing::new(120, 1);
        let mut detector = SpikeDetector::new(config(), 1);
        let t0 = DateTime::from_timestamp(0, 0).unwrap_or_default();
        for _ in 0..5 {
            ring.add(60, 0, Tone::Neutral, Platform::X);
            assert!(detector.observe(&ring, 0, 60, t0).is_none());
        }
        ring.add(60, 0, Tone::Neutral, Platform::X);
        assert!(detector.observe(&ring, 0, 60, t0).is_some());
    }
}
