//! A streaming anomaly detector for counts (or any non-negative measure) per time bucket.
//!
//! Each bucket gets a score in [0, 1] computed only from the buckets before it. Three pieces of
//! evidence are added, because each alone misses what the others catch:
//!
//! 1. **Rarity of the value**: how many of the last two weeks' buckets were at least as high.
//!    A value never seen in two weeks is rare whatever the hour.
//! 2. **Excess over the rhythm**: the bucket against its expected value for that time of day,
//!    on a weekday or a weekend, learnt slowly so that slow growth becomes the new normal. The
//!    excess is compared with the largest excess seen so far (forgotten over months), so that a
//!    series that is always bursty needs a bigger burst.
//! 3. **Context**: the same excess in units of the usual spread, a small weight that separates a
//!    high value at night from the same value at the daily peak.
//!
//! Values are compared on a log scale (counts are multiplicative: going from 10 to 30 is the
//! same news as from 100 to 300). An alarm then quiets the following day unless the evidence
//! grows further, so a storm that lasts raises one alarm, not one per bucket.

use std::collections::VecDeque;

use crate::rank::RollingRank;

const DAY: i64 = 86_400;

/// One parameter set for every series: tuned on NAB's Twitter volumes, and expressed in time
/// (days), not in buckets, so that it means the same at 1 minute and at 1 hour per bucket.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    /// How much of a time-of-day slot's expectation one new day replaces.
    pub rhythm_rate: f64,
    /// Slots on each side averaged into an expectation (5-minute noise is not a rhythm).
    pub rhythm_smoothing: usize,
    /// A bucket teaches the rhythm and the spread at most this many spreads away: a spike must
    /// not become normal by being seen.
    pub learning_clip: f64,
    /// How fast the usual spread follows the data, per bucket, after the first `warmup` ones.
    pub spread_rate: f64,
    pub warmup_buckets: usize,
    /// Smallest spread, in natural-log units: 0.6 is a factor of 1.8, below which a change in a
    /// count is not news.
    pub min_spread: f64,
    /// Smallest excess a record is measured against, in log units.
    pub min_record_excess: f64,
    /// Half-life of the largest excess seen, in days: old storms fade, over months.
    pub record_half_life_days: f64,
    /// The span, in days, that the rarity of a value is judged against.
    pub rarity_span_days: f64,
    pub weight_record: f64,
    pub weight_context: f64,
    /// The context term reaches its full weight at this many spreads.
    pub context_full_at: f64,
    /// Evidence above which an alarm quiets what follows, for `quiet_days`.
    pub alarm_evidence: f64,
    pub quiet_days: f64,
    /// During the quiet period, a bucket is reported in full only if its evidence is this many
    /// times the alarm's; otherwise it is damped by `quiet_damping`.
    pub renewal_factor: f64,
    pub quiet_damping: f64,
    /// Evidence at which the score reaches one half.
    pub half_score_evidence: f64,
    /// Weekday and weekend rhythms are learnt apart.
    pub weekly_rhythm: bool,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            rhythm_rate: 0.1,
            rhythm_smoothing: 3,
            learning_clip: 3.0,
            spread_rate: 0.002,
            warmup_buckets: 300,
            min_spread: 0.6,
            min_record_excess: 0.5,
            record_half_life_days: 240.0,
            rarity_span_days: 14.0,
            weight_record: 1.0,
            weight_context: 0.3,
            context_full_at: 10.0,
            alarm_evidence: 1.5,
            quiet_days: 1.0,
            renewal_factor: 1.2,
            quiet_damping: 0.05,
            half_score_evidence: 1.0,
            weekly_rhythm: true,
        }
    }
}

/// What the detector knows once the bucket size is known (from the first two timestamps).
struct Rhythm {
    bucket_seconds: i64,
    slots_per_day: usize,
    /// Expected log value per slot: weekdays first, then weekends.
    expected: Vec<f64>,
    seen: Vec<bool>,
    rarity: RollingRank,
    record_decay: f64,
    quiet_buckets: usize,
}

/// The evidence behind one bucket's score, for the wall's "why" and for tests.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Evidence {
    /// Expected value for this bucket (in the input's unit).
    pub expected: f64,
    /// Share of the recent buckets at least as high (1 = ordinary, 1/N = a record).
    pub rarity: f64,
    /// Excess over the expectation relative to the largest one seen (>1: a new record).
    pub record: f64,
    /// Excess in usual spreads.
    pub spreads: f64,
    /// The sum the score is made of, before quieting.
    pub total: f64,
}

pub struct AnomalyDetector {
    params: Params,
    first_seconds: Option<i64>,
    rhythm: Option<Rhythm>,
    /// Fallback expectation before a slot has been seen: a running mean of the log values.
    mean: f64,
    observed: usize,
    spread: f64,
    largest_excess: f64,
    since_alarm: usize,
    alarm_evidence: f64,
    last: Evidence,
    recent_logs: VecDeque<f64>,
}

impl AnomalyDetector {
    pub fn new(params: Params) -> Self {
        Self {
            params,
            first_seconds: None,
            rhythm: None,
            mean: 0.0,
            observed: 0,
            spread: 0.0,
            largest_excess: 0.0,
            since_alarm: usize::MAX,
            alarm_evidence: 0.0,
            last: Evidence::default(),
            recent_logs: VecDeque::new(),
        }
    }

    /// The evidence behind the last score.
    pub fn evidence(&self) -> Evidence {
        self.last
    }

    /// Scores the bucket that starts at `seconds` (Unix time) with `value`, then learns from it.
    /// Buckets must come in time order; negative values count as zero.
    pub fn observe(&mut self, seconds: i64, value: f64) -> f64 {
        let value = if value.is_finite() {
            value.max(0.0)
        } else {
            0.0
        };
        let log_value = value.ln_1p();
        self.observed += 1;
        let first = *self.first_seconds.get_or_insert(seconds);
        if self.rhythm.is_none() {
            if seconds <= first {
                self.mean = log_value;
                self.recent_logs.push_back(log_value);
                return 0.0;
            }
            self.rhythm = Some(self.rhythm_for(seconds - first));
        }
        let params = self.params.clone();
        let Some(rhythm) = self.rhythm.as_mut() else {
            return 0.0;
        };
        let slot = slot_of(rhythm, seconds, params.weekly_rhythm);
        let expected = expectation(rhythm, slot, params.rhythm_smoothing).unwrap_or(self.mean);
        let excess = log_value - expected;

        if self.spread <= 0.0 {
            self.spread = excess.abs().max(0.1);
        }
        let spreads = excess / self.spread.max(params.min_spread);
        let clipped = excess.clamp(
            -params.learning_clip * self.spread,
            params.learning_clip * self.spread,
        );
        let rate = if self.observed < params.warmup_buckets {
            1.0 / self.observed as f64
        } else {
            params.spread_rate
        };
        self.spread += rate * (clipped.abs() - self.spread);

        let learnt = expected + clipped;
        if rhythm.seen[slot] {
            rhythm.expected[slot] += params.rhythm_rate * (learnt - rhythm.expected[slot]);
        } else {
            rhythm.expected[slot] = learnt;
            rhythm.seen[slot] = true;
        }
        self.mean += (learnt - self.mean) / self.observed.min(2000) as f64;

        let record = excess / self.largest_excess.max(params.min_record_excess);
        self.largest_excess = (self.largest_excess * rhythm.record_decay).max(excess);
        // Normalised by the rarest possible tail, so a record is worth 1 whatever the span.
        let rarest = (rhythm.rarity.len() as f64).ln_1p();
        let rarity = rhythm.upper_tail_then_push(value);
        let warm = self.observed > rhythm.slots_per_day.max(12);

        let total = if warm {
            -rarity.ln() / rarest
                + params.weight_record * record.max(0.0)
                + params.weight_context * (spreads.max(0.0) / params.context_full_at).min(1.0)
        } else {
            0.0
        };
        self.last = Evidence {
            expected: expected.exp_m1(),
            rarity,
            record,
            spreads,
            total,
        };

        self.since_alarm = self.since_alarm.saturating_add(1);
        let quiet = self.since_alarm < rhythm.quiet_buckets
            && total <= self.alarm_evidence * params.renewal_factor;
        let reported = if quiet {
            total * params.quiet_damping
        } else {
            total
        };
        if !quiet && total > params.alarm_evidence {
            self.since_alarm = 0;
            self.alarm_evidence = total;
        }
        let reported = reported.max(0.0);
        reported / (reported + params.half_score_evidence)
    }

    fn rhythm_for(&mut self, bucket_seconds: i64) -> Rhythm {
        let params = &self.params;
        let slots_per_day = (DAY / bucket_seconds).max(1) as usize;
        let buckets_per_day = DAY as f64 / bucket_seconds as f64;
        let profiles = if params.weekly_rhythm { 2 } else { 1 };
        let mut rarity =
            RollingRank::new((params.rarity_span_days * buckets_per_day).round() as usize);
        for &log_value in &self.recent_logs {
            rarity.push(log_value.exp_m1());
        }
        self.recent_logs.clear();
        Rhythm {
            bucket_seconds,
            slots_per_day,
            expected: vec![0.0; slots_per_day * profiles],
            seen: vec![false; slots_per_day * profiles],
            rarity,
            record_decay: 0.5f64.powf(1.0 / (params.record_half_life_days * buckets_per_day)),
            quiet_buckets: (params.quiet_days * buckets_per_day).round() as usize,
        }
    }
}

impl Rhythm {
    fn upper_tail_then_push(&mut self, value: f64) -> f64 {
        let tail = self.rarity.upper_tail(value);
        self.rarity.push(value);
        tail
    }
}

/// The rhythm slot of a bucket: its time of day (UTC), on the weekend profile on Saturdays and
/// Sundays.
fn slot_of(rhythm: &Rhythm, seconds: i64, weekly: bool) -> usize {
    let time_of_day =
        (seconds.rem_euclid(DAY) / rhythm.bucket_seconds) as usize % rhythm.slots_per_day;
    // 1970-01-01 was a Thursday: day 0 is weekday 3 (Monday = 0).
    let weekday = (seconds.div_euclid(DAY) + 3).rem_euclid(7);
    if weekly && weekday >= 5 {
        time_of_day + rhythm.slots_per_day
    } else {
        time_of_day
    }
}

/// The expectation for a slot: its neighbours' average, from the same profile, or from the
/// weekday profile while the weekend one is still empty.
fn expectation(rhythm: &Rhythm, slot: usize, smoothing: usize) -> Option<f64> {
    let per_day = rhythm.slots_per_day;
    let profile_start = slot / per_day * per_day;
    let time_of_day = slot % per_day;
    let width = smoothing.min(per_day.saturating_sub(1) / 2);
    let mut sum = 0.0;
    let mut count = 0;
    for offset in 0..=2 * width {
        let neighbour = profile_start + (time_of_day + per_day + offset - width) % per_day;
        if rhythm.seen[neighbour] {
            sum += rhythm.expected[neighbour];
            count += 1;
        }
    }
    if count > 0 {
        Some(sum / count as f64)
    } else if profile_start > 0 {
        expectation(rhythm, time_of_day, smoothing)
    } else {
        None
    }
}

/// Scores a whole series in order: the output of `vigie detect`.
pub fn score_series(params: &Params, rows: impl IntoIterator<Item = (i64, f64)>) -> Vec<f64> {
    let mut detector = AnomalyDetector::new(params.clone());
    rows.into_iter()
        .map(|(seconds, value)| detector.observe(seconds, value))
        .collect()
}
