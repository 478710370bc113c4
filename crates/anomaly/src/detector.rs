//! A streaming anomaly detector for counts (or any non-negative measure) per time bucket.
//!
//! Each bucket gets a score in [0, 1] computed only from the buckets before it. Four pieces of
//! evidence are added, because each alone misses what the others catch:
//!
//! 1. **Rarity of the value**: how many of the last two weeks' buckets were at least as high.
//!    A value never seen in two weeks is rare whatever the hour.
//! 2. **Excess over the rhythm, against the largest one seen**: the bucket against its expected
//!    value for that time of day, on a weekday or on a weekend, learnt slowly so that slow growth
//!    becomes the new normal; the excess is divided by the largest excess seen so far (forgotten
//!    over months), so a series that is always bursty needs a bigger burst.
//! 3. **Sustained excess**: the excess summed over the last hours, and how rare that sum is in
//!    the last two weeks: a day that runs high for hours without one outstanding bucket (a
//!    conference, a slow-burning controversy) is news too.
//! 4. **Context**: the excess in units of the usual spread, a small weight that separates a high
//!    value at night from the same value at the daily peak.
//!
//! Values are compared on a log scale (counts are multiplicative: going from 10 to 30 is the
//! same news as from 100 to 300); a series that is not of counts is read in units of its own
//! level, so the detector does not depend on the unit it is written in. Rises and falls weigh
//! the same. A level that runs beyond two spreads on one side for most of 12 hours has shifted:
//! the expectation moves there at once, so a jump alarms once and becomes the new normal. An
//! alarm (evidence 2, a score of 2/3) then quiets the following day unless the evidence grows
//! further, so a storm that lasts raises one alarm, not one per bucket. Every row is scored in
//! the order it comes, whatever its timestamp (`clock_steps` counts those that go back).
//!
//! Measured with NAB's scoring (`examples/nab_loo.rs`), in-sample and with each series held out
//! of the choice of parameters and thresholds (`loo`): real Twitter volumes standard 85.8 / 83.0
//! held out, NAB's synthetic series with anomalies 84.2 / 81.3.

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
    /// Weight of the evidence of a fall (the same four pieces, mirrored) against that of a
    /// rise; 0 looks for rises only.
    pub weight_drops: f64,
    /// Half-life of the largest excess seen, in days: old storms fade, over months.
    pub record_half_life_days: f64,
    /// The span, in days, that the rarity of a value is judged against.
    pub rarity_span_days: f64,
    /// Also judge the rarity of the excess over the rhythm summed over the last
    /// `sustained_hours`: a day that runs high for hours without one outstanding bucket.
    pub sustained_hours: f64,
    pub weight_sustained: f64,
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
    /// A level shift is confirmed once the rows beyond `shift_spreads` on one side outnumber
    /// the others by `shift_majority` of `shift_hours` worth of rows; 0 hours disables it.
    pub shift_hours: f64,
    pub shift_spreads: f64,
    pub shift_majority: f64,
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
            weight_drops: 1.0,
            rarity_span_days: 14.0,
            sustained_hours: 6.0,
            weight_sustained: 0.9,
            weight_record: 1.0,
            weight_context: 0.3,
            context_full_at: 10.0,
            alarm_evidence: 2.0,
            quiet_days: 1.0,
            renewal_factor: 1.2,
            quiet_damping: 0.05,
            half_score_evidence: 1.0,
            weekly_rhythm: true,
            shift_hours: 12.0,
            shift_spreads: 2.0,
            shift_majority: 0.5,
        }
    }
}

impl Params {
    /// Sets one parameter by name, for research runs (`examples/nab_sweep.rs`).
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), String> {
        let number: f64 = value
            .parse()
            .map_err(|_| format!("{name}: not a number: {value}"))?;
        match name {
            "rhythm_rate" => self.rhythm_rate = number,
            "rhythm_smoothing" => self.rhythm_smoothing = number as usize,
            "learning_clip" => self.learning_clip = number,
            "spread_rate" => self.spread_rate = number,
            "warmup_buckets" => self.warmup_buckets = number as usize,
            "min_spread" => self.min_spread = number,
            "min_record_excess" => self.min_record_excess = number,
            "record_half_life_days" => self.record_half_life_days = number,
            "rarity_span_days" => self.rarity_span_days = number,
            "sustained_hours" => self.sustained_hours = number,
            "weight_sustained" => self.weight_sustained = number,
            "weight_drops" => self.weight_drops = number,
            "weight_record" => self.weight_record = number,
            "weight_context" => self.weight_context = number,
            "context_full_at" => self.context_full_at = number,
            "alarm_evidence" => self.alarm_evidence = number,
            "quiet_days" => self.quiet_days = number,
            "renewal_factor" => self.renewal_factor = number,
            "quiet_damping" => self.quiet_damping = number,
            "half_score_evidence" => self.half_score_evidence = number,
            "weekly_rhythm" => self.weekly_rhythm = number != 0.0,
            "shift_hours" => self.shift_hours = number,
            "shift_spreads" => self.shift_spreads = number,
            "shift_majority" => self.shift_majority = number,
            _ => return Err(format!("unknown parameter {name}")),
        }
        Ok(())
    }
}

/// The parameter sets leave-one-out chooses from: the default first, then a handful of
/// variants that each lean one way, reasoned rather than fitted (no grid): falls weigh half
/// (mentions, where a rise is the news), no change-point adaptation, a shorter quiet period,
/// a sharper rhythm (one neighbouring slot instead of three).
pub fn candidates() -> Vec<Params> {
    let base = Params::default();
    vec![
        base.clone(),
        Params {
            weight_drops: 0.5,
            ..base.clone()
        },
        Params {
            shift_hours: 0.0,
            ..base.clone()
        },
        Params {
            quiet_days: 0.5,
            ..base.clone()
        },
        Params {
            rhythm_smoothing: 1,
            ..base
        },
    ]
}

/// Timestamps closer than this are treated as this far apart for the rhythm: a stream with
/// sub-minute or jittered timestamps must not get a rhythm of 86,400 slots.
const MIN_BUCKET_SECONDS: i64 = 60;
/// Spans in days become row counts; this caps them so that very short buckets keep memory and
/// time per row bounded (2^15 rows: 22 days at one minute).
const MAX_SPAN_ROWS: usize = 1 << 15;
/// Rows kept before the bucket size is known (a stream whose timestamps never move on).
const MAX_EARLY_ROWS: usize = 1_024;

/// A value that is not a count is read as a count of this share of the series' typical
/// magnitude: a series of prices around 0.1 or of latencies around 300 ms then sits on the same
/// log scale as 50 mentions per bucket, where the count floors (a factor of 1.8) mean the same.
const UNITS_PER_LEVEL: f64 = 50.0;

/// How values are compared: on a log scale, where 10 → 30 is the same news as 100 → 300.
/// Counts (every value so far a non-negative integer: mentions, hits, bytes) as they are, where
/// a spread under `min_spread` is Poisson noise, not news. Anything else (a CPU share, a price,
/// a speed) in units of its own level, fixed at its first value that is not a count, so that
/// the detector does not depend on the unit a series is written in: on counts' scale a series
/// of prices around 0.1 would never move past the floors.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Scale {
    Counts,
    Continuous { unit: f64 },
}

impl Scale {
    fn is_count(value: f64) -> bool {
        value >= 0.0 && value.fract() == 0.0
    }

    fn transform(self, value: f64) -> f64 {
        match self {
            Scale::Counts => value.max(0.0).ln_1p(),
            Scale::Continuous { unit } => (value.max(0.0) / unit).ln_1p(),
        }
    }

    fn untransform(self, x: f64) -> f64 {
        match self {
            Scale::Counts => x.exp_m1(),
            Scale::Continuous { unit } => x.exp_m1() * unit,
        }
    }
}

/// What the detector knows once the bucket size is known (from the first forward step).
struct Rhythm {
    bucket_seconds: i64,
    slots_per_day: usize,
    /// Expected (transformed) value per slot, without the level shift: weekdays, then weekends.
    expected: Vec<f64>,
    seen: Vec<bool>,
    rarity: RollingRank,
    sustained_rarity: RollingRank,
    sustained_buckets: usize,
    sustained: VecDeque<f64>,
    sustained_sum: f64,
    record_decay: f64,
    quiet_buckets: usize,
    /// CUSUM trigger for a level shift, in spreads (0 disables).
    shift_trigger: f64,
}

/// A change-point detector on the excess in spreads (two one-sided CUSUMs of signs): when the
/// series has run beyond `shift_spreads` on one side for most of about `shift_hours`, its level
/// has moved. Counting rows beyond, not summing spreads, keeps a few huge residuals (the edge
/// of a square wave, one burst) from passing for a shift. The
/// expectation then moves by the mean excess of that run at once, so a jump is reported once,
/// as it happens, and becomes the new normal instead of re-alarming daily while the rhythm
/// catches up slowly.
#[derive(Default)]
struct Shift {
    up: f64,
    down: f64,
    up_sum: f64,
    up_rows: usize,
    down_sum: f64,
    down_rows: usize,
    /// Added to every slot's expectation.
    level: f64,
}

impl Shift {
    /// Feeds one row; returns the level change when a shift is confirmed.
    fn push(&mut self, spreads: f64, excess: f64, beyond: f64, trigger: f64) -> Option<f64> {
        if trigger <= 0.0 {
            return None;
        }
        let vote = |side: f64| if side > beyond { 1.0 } else { -1.0 };
        self.up = (self.up + vote(spreads)).max(0.0);
        if self.up > 0.0 {
            self.up_sum += excess;
            self.up_rows += 1;
        } else {
            (self.up_sum, self.up_rows) = (0.0, 0);
        }
        self.down = (self.down + vote(-spreads)).max(0.0);
        if self.down > 0.0 {
            self.down_sum += excess;
            self.down_rows += 1;
        } else {
            (self.down_sum, self.down_rows) = (0.0, 0);
        }
        let moved = if self.up > trigger {
            Some(self.up_sum / self.up_rows.max(1) as f64)
        } else if self.down > trigger {
            Some(self.down_sum / self.down_rows.max(1) as f64)
        } else {
            None
        };
        if let Some(by) = moved {
            self.level += by;
            let level = self.level;
            *self = Shift {
                level,
                ..Shift::default()
            };
        }
        moved
    }
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
    scale: Scale,
    last_seconds: Option<i64>,
    clock_steps: u64,
    rhythm: Option<Rhythm>,
    /// Fallback expectation before a slot has been seen: a running mean of transformed values.
    mean: f64,
    /// Running mean of |value|: the level a series that is not of counts is measured against.
    magnitude: f64,
    observed: usize,
    spread: f64,
    largest_excess: f64,
    largest_drop: f64,
    shift: Shift,
    since_alarm: usize,
    alarm_evidence: f64,
    last: Evidence,
    /// Values seen before the bucket size is known, for the rarity window.
    early: VecDeque<f64>,
}

impl AnomalyDetector {
    pub fn new(params: Params) -> Self {
        Self {
            params,
            scale: Scale::Counts,
            last_seconds: None,
            clock_steps: 0,
            rhythm: None,
            mean: 0.0,
            magnitude: 0.0,
            observed: 0,
            spread: 0.0,
            largest_excess: 0.0,
            largest_drop: 0.0,
            shift: Shift::default(),
            since_alarm: usize::MAX,
            alarm_evidence: 0.0,
            last: Evidence::default(),
            early: VecDeque::new(),
        }
    }

    /// The evidence behind the last score.
    pub fn evidence(&self) -> Evidence {
        self.last
    }

    /// How many rows came with a timestamp at or before the previous row's (an hour repeated at
    /// a change of daylight-saving time, a clock stepped back): they are scored all the same, in
    /// the order they came.
    pub fn clock_steps(&self) -> u64 {
        self.clock_steps
    }

    /// Scores the bucket that starts at `seconds` (Unix time) with `value`, then learns from it.
    /// Rows are scored in the order they come: a timestamp that repeats or goes back is counted
    /// (`clock_steps`) and scored in the time-of-day slot it names; a gap costs nothing. A value
    /// that is not finite counts as zero.
    pub fn observe(&mut self, seconds: i64, value: f64) -> f64 {
        let value = if value.is_finite() { value } else { 0.0 };
        self.observed += 1;
        self.magnitude += (value.abs() - self.magnitude) / self.observed.min(2000) as f64;
        if self.scale == Scale::Counts && !Scale::is_count(value) {
            self.become_continuous();
        }
        let x = self.scale.transform(value);
        let previous = self.last_seconds.replace(seconds);
        let step = previous.map(|last| seconds.saturating_sub(last));
        if step.is_some_and(|step| step <= 0) {
            self.clock_steps += 1;
        }
        if self.rhythm.is_none() {
            match step {
                Some(step) if step > 0 => self.rhythm = Some(self.rhythm_for(step)),
                _ => {
                    self.mean += (x - self.mean) / self.observed as f64;
                    if self.early.len() == MAX_EARLY_ROWS {
                        self.early.pop_front();
                    }
                    self.early.push_back(value);
                    return 0.0;
                }
            }
        }
        let params = &self.params;
        let Some(rhythm) = self.rhythm.as_mut() else {
            return 0.0;
        };
        let slot = slot_of(rhythm, seconds, params.weekly_rhythm);
        let expected = expectation(rhythm, slot, params.rhythm_smoothing)
            .map_or(self.mean, |e| e + self.shift.level);
        let excess = x - expected;

        let (spread_floor, record_floor) = (params.min_spread, params.min_record_excess);
        if self.spread <= 0.0 {
            self.spread = excess.abs().max(0.1);
        }
        let spreads = excess / self.spread.max(spread_floor);
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

        let learnt = expected + clipped - self.shift.level;
        if rhythm.seen[slot] {
            rhythm.expected[slot] += params.rhythm_rate * (learnt - rhythm.expected[slot]);
        } else {
            rhythm.expected[slot] = learnt;
            rhythm.seen[slot] = true;
        }
        self.mean += (expected + clipped - self.mean) / self.observed.min(2000) as f64;

        let record = excess / self.largest_excess.max(record_floor);
        self.largest_excess = (self.largest_excess * rhythm.record_decay).max(excess);
        let drop_record = -excess / self.largest_drop.max(record_floor);
        self.largest_drop = (self.largest_drop * rhythm.record_decay).max(-excess);
        // Normalised by the rarest possible tail, so a record is worth 1 whatever the span.
        let rarest = (rhythm.rarity.len() as f64).ln_1p();
        let (rarity, rarity_low) = rhythm.tails_then_push(value);
        let (sustained_tail, sustained_low) = rhythm.sustained_tails_then_push(excess);
        let warm = self.observed > rhythm.slots_per_day.max(12);
        // A confirmed level shift moves the expectation (and the rhythm's reference) at once.
        if let Some(by) =
            self.shift
                .push(spreads, excess, params.shift_spreads, rhythm.shift_trigger)
        {
            self.mean += by;
            // The sums of excess measured against the old level would read as a storm.
            rhythm.sustained.clear();
            rhythm.sustained_sum = 0.0;
        }

        let evidence = |tail: f64, record: f64, sustained: f64, spreads: f64| {
            -tail.ln() / rarest
                + params.weight_record * record.max(0.0)
                + params.weight_sustained * -sustained.ln() / rarest
                + params.weight_context * (spreads.max(0.0) / params.context_full_at).min(1.0)
        };
        let total = if warm {
            let rise = evidence(rarity, record, sustained_tail, spreads);
            let fall = evidence(rarity_low, drop_record, sustained_low, -spreads);
            rise.max(params.weight_drops * fall)
        } else {
            0.0
        };
        self.last = Evidence {
            expected: self.scale.untransform(expected),
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
        let reported = if reported.is_finite() {
            reported.max(0.0)
        } else {
            0.0
        };
        reported / (reported + params.half_score_evidence)
    }

    /// The first value that is not a count: the unit becomes a share of the magnitude seen so
    /// far (this value included), and what was learnt is carried over to it, once.
    fn become_continuous(&mut self) {
        let unit = (self.magnitude / UNITS_PER_LEVEL).max(f64::MIN_POSITIVE);
        let scale = Scale::Continuous { unit };
        let convert = |x: f64| scale.transform(Scale::Counts.untransform(x));
        if let Some(rhythm) = self.rhythm.as_mut() {
            for e in &mut rhythm.expected {
                *e = convert(*e + self.shift.level);
            }
            rhythm.sustained.clear();
            rhythm.sustained_sum = 0.0;
            rhythm.sustained_rarity = RollingRank::new(rhythm.sustained_rarity.capacity());
        }
        self.mean = convert(self.mean);
        self.shift = Shift::default();
        self.scale = scale;
    }

    fn rhythm_for(&mut self, step_seconds: i64) -> Rhythm {
        let params = &self.params;
        let bucket_seconds = step_seconds.clamp(MIN_BUCKET_SECONDS, DAY);
        let slots_per_day = (DAY / bucket_seconds).max(1) as usize;
        let buckets_per_day = DAY as f64 / bucket_seconds as f64;
        let rows = |days: f64| ((days * buckets_per_day).round() as usize).clamp(1, MAX_SPAN_ROWS);
        let profiles = if params.weekly_rhythm { 2 } else { 1 };
        let mut rarity = RollingRank::new(rows(params.rarity_span_days));
        for &value in &self.early {
            rarity.push(value);
        }
        self.early = VecDeque::new();
        let sustained_buckets = rows(params.sustained_hours / 24.0);
        let shift_rows = params.shift_hours * 3600.0 / bucket_seconds as f64;
        Rhythm {
            sustained_rarity: RollingRank::new(rows(params.rarity_span_days)),
            sustained_buckets,
            sustained: VecDeque::new(),
            sustained_sum: 0.0,
            bucket_seconds,
            slots_per_day,
            expected: vec![0.0; slots_per_day * profiles],
            seen: vec![false; slots_per_day * profiles],
            rarity,
            record_decay: 0.5f64.powf(1.0 / (params.record_half_life_days * buckets_per_day)),
            quiet_buckets: rows(params.quiet_days),
            shift_trigger: shift_rows.min(MAX_SPAN_ROWS as f64) * params.shift_majority,
        }
    }
}

impl Rhythm {
    /// How rare the excess summed over the sustained span is, above and below.
    fn sustained_tails_then_push(&mut self, excess: f64) -> (f64, f64) {
        self.sustained.push_back(excess);
        self.sustained_sum += excess;
        if self.sustained.len() > self.sustained_buckets {
            self.sustained_sum -= self.sustained.pop_front().unwrap_or(0.0);
        }
        let tails = (
            self.sustained_rarity.upper_tail(self.sustained_sum),
            self.sustained_rarity.lower_tail(self.sustained_sum),
        );
        self.sustained_rarity.push(self.sustained_sum);
        tails
    }

    /// How rare the value is among the recent ones, above and below.
    fn tails_then_push(&mut self, value: f64) -> (f64, f64) {
        let tails = (self.rarity.upper_tail(value), self.rarity.lower_tail(value));
        self.rarity.push(value);
        tails
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

#[cfg(test)]
mod tests {
    use super::*;

    const START: i64 = 1_425_168_000; // Sunday 2015-03-01 00:00 UTC

    /// A deterministic noisy daily rhythm: `base` at night, three times more in the afternoon,
    /// with weekends at half volume.
    fn rhythm(buckets: usize, bucket_seconds: i64, base: f64) -> Vec<(i64, f64)> {
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        (0..buckets)
            .map(|i| {
                let t = START + i as i64 * bucket_seconds;
                let hour = (t.rem_euclid(DAY)) as f64 / 3600.0;
                let weekday = (t.div_euclid(DAY) + 3).rem_euclid(7);
                let weekend = if weekday >= 5 { 0.5 } else { 1.0 };
                let mean = base * weekend * (2.0 - (hour / 24.0 * std::f64::consts::TAU).cos());
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                let noise = ((seed >> 33) as f64 / (1u64 << 31) as f64 - 0.5) * 2.0 * mean.sqrt();
                (t, (mean + noise).round().max(0.0))
            })
            .collect()
    }

    fn scores(rows: &[(i64, f64)]) -> Vec<f64> {
        score_series(&Params::default(), rows.iter().copied())
    }

    const ALARM: f64 = 2.0 / 3.0;

    #[test]
    fn an_ordinary_rhythm_raises_nothing_after_its_first_week() {
        let rows = rhythm(288 * 28, 300, 20.0);
        let scores = scores(&rows);
        let week = 288 * 7;
        let alarms = scores[week..].iter().filter(|&&s| s >= ALARM).count();
        assert_eq!(
            alarms,
            0,
            "max {:?}",
            scores[week..].iter().cloned().fold(0.0, f64::max)
        );
        assert!(scores.iter().all(|s| (0.0..=1.0).contains(s)));
    }

    #[test]
    fn a_burst_alarms_once_and_the_storm_that_follows_is_quiet() {
        let mut rows = rhythm(288 * 22, 300, 20.0);
        let at = 288 * 20 + 100;
        for (k, factor) in [8.0, 12.0, 9.0, 6.0, 4.0, 3.0].iter().enumerate() {
            rows[at + k].1 *= factor;
        }
        let scores = scores(&rows);
        assert!(scores[at] >= ALARM, "burst scored {}", scores[at]);
        let echoes = scores[at + 1..at + 288]
            .iter()
            .filter(|&&s| s >= ALARM)
            .count();
        assert!(echoes <= 1, "{echoes} more alarms in the day after");
    }

    #[test]
    fn slow_growth_becomes_the_new_normal() {
        // Volume doubles over eight weeks, 1.2 % a day.
        let rows: Vec<(i64, f64)> = rhythm(288 * 56, 300, 20.0)
            .into_iter()
            .enumerate()
            .map(|(i, (t, v))| (t, (v * 2f64.powf(i as f64 / (288.0 * 56.0))).round()))
            .collect();
        let scores = scores(&rows);
        let alarms = scores[288 * 7..].iter().filter(|&&s| s >= ALARM).count();
        assert_eq!(alarms, 0);
    }

    #[test]
    fn hours_running_at_twice_the_usual_alarm_without_one_outstanding_bucket() {
        let mut rows = rhythm(288 * 21, 300, 20.0);
        let from = 288 * 20 + 96; // 08:00 on a weekday
        for row in &mut rows[from..from + 96] {
            row.1 *= 2.2;
        }
        let scores = scores(&rows);
        let first = (from..from + 96).find(|&i| scores[i] >= ALARM);
        assert!(
            first.is_some(),
            "max {}",
            scores[from..from + 96].iter().cloned().fold(0.0, f64::max)
        );
    }

    #[test]
    fn a_collapse_of_the_volume_alarms_too() {
        // A busy weekday afternoon goes silent for two hours (an outage, a blocked account).
        let mut rows = rhythm(288 * 21, 300, 40.0);
        let from = 288 * 20 + 168; // 14:00
        for row in &mut rows[from..from + 24] {
            row.1 = 0.0;
        }
        let scores = scores(&rows);
        assert!(
            (from..from + 24).any(|i| scores[i] >= ALARM),
            "max {}",
            scores[from..from + 24].iter().cloned().fold(0.0, f64::max)
        );
    }

    #[test]
    fn the_bucket_size_is_read_from_the_timestamps() {
        // Hourly buckets: the same burst stands out, the rhythm does not.
        let mut rows = rhythm(24 * 35, 3600, 200.0);
        let at = 24 * 30 + 15;
        rows[at].1 *= 6.0;
        let scores = scores(&rows);
        assert!(scores[at] >= ALARM, "{}", scores[at]);
        assert_eq!(
            scores[24 * 7..at].iter().filter(|&&s| s >= ALARM).count(),
            0
        );
    }

    #[test]
    fn scores_use_only_the_past() {
        let rows = rhythm(288 * 10, 300, 5.0);
        let whole = scores(&rows);
        let head = scores(&rows[..288 * 6]);
        assert_eq!(whole[..288 * 6], head[..]);
    }

    #[test]
    fn odd_values_do_not_break_it() {
        let mut rows = rhythm(288 * 3, 300, 5.0);
        rows[500].1 = f64::NAN;
        rows[501].1 = f64::INFINITY;
        rows[502].1 = -40.0;
        let scores = scores(&rows);
        assert!(
            scores
                .iter()
                .all(|s| s.is_finite() && (0.0..=1.0).contains(s))
        );
        // One row only, and a repeated timestamp, score zero rather than fail.
        assert_eq!(score_series(&Params::default(), [(START, 3.0)]), vec![0.0]);
        assert_eq!(
            score_series(&Params::default(), [(START, 3.0), (START, 4.0)]),
            vec![0.0, 0.0]
        );
    }

    #[test]
    fn rows_whose_clock_repeats_or_steps_back_are_scored_and_counted() {
        // Three weeks of 5-minute rows; on day 15 the 01:00 hour is repeated (a change of
        // daylight-saving time written in local time), on day 18 the clock is set back a day
        // (the day's rows then come again, with new values), and a clear burst follows.
        let mut rows = rhythm(288 * 21, 300, 20.0);
        let dst = 288 * 15 + 24; // 02:00: the clock goes back to 01:00
        for row in &mut rows[dst..] {
            row.0 -= 3600;
        }
        let back = 288 * 18;
        for row in &mut rows[back..] {
            row.0 -= DAY;
        }
        let burst = 288 * 20 + 150;
        rows[burst].1 *= 8.0;
        let mut detector = AnomalyDetector::new(Params::default());
        let scores: Vec<f64> = rows.iter().map(|&(t, v)| detector.observe(t, v)).collect();
        assert_eq!(scores.len(), rows.len());
        assert!(
            scores
                .iter()
                .all(|s| s.is_finite() && (0.0..=1.0).contains(s))
        );
        assert_eq!(detector.clock_steps(), 2);
        assert!(
            scores[burst] >= ALARM,
            "burst after the steps scored {}",
            scores[burst]
        );
        // The repeated hour itself is ordinary.
        assert!(scores[dst..dst + 12].iter().all(|&s| s < ALARM));
    }

    #[test]
    fn repeated_timestamps_and_a_year_long_gap_cost_nothing() {
        let mut detector = AnomalyDetector::new(Params::default());
        // The same timestamp many times before any step: scored, counted, memory bounded.
        for i in 0..5_000 {
            let score = detector.observe(START, f64::from(i % 7));
            assert!((0.0..=1.0).contains(&score));
        }
        assert_eq!(detector.clock_steps(), 4_999);
        assert!(detector.early.len() <= MAX_EARLY_ROWS);
        // One second apart: the rhythm is of minutes, not 86,400 slots, and the rarity window
        // holds 14 days of minutes.
        detector.observe(START + 1, 3.0);
        let rhythm = detector
            .rhythm
            .as_ref()
            .map(|r| (r.expected.len(), r.rarity.capacity()));
        assert_eq!(rhythm, Some((2 * 1440, 14 * 1440)));
        // A gap of a year and rows far in the future or past: finite scores, no error.
        for (k, t) in [
            START + 400 * DAY,
            START + 400 * DAY + 60,
            i64::MAX,
            i64::MIN,
            0,
        ]
        .into_iter()
        .enumerate()
        {
            let score = detector.observe(t, k as f64);
            assert!(
                score.is_finite() && (0.0..=1.0).contains(&score),
                "{t}: {score}"
            );
        }
    }

    /// A price-like series around `level`: a daily rhythm of ±20 % and ±2 % noise, never an
    /// integer.
    fn prices(days: usize, level: f64) -> Vec<(i64, f64)> {
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        (0..288 * days)
            .map(|i| {
                let t = START + i as i64 * 300;
                let hour = t.rem_euclid(DAY) as f64 / 3600.0;
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                let noise = ((seed >> 33) as f64 / (1u64 << 31) as f64 - 0.5) * 0.04;
                let daily = 1.0 + 0.2 * (hour / 24.0 * std::f64::consts::TAU).sin();
                (t, level * (daily + noise) + level * 1e-7)
            })
            .collect()
    }

    #[test]
    fn values_that_are_not_counts_are_judged_on_their_own_scale() {
        // Around 0.1, a doubling is invisible on counts' scale (0.1 → 0.2 is 0.09 in ln(1 + x),
        // far under the 0.6 floor); in units of the series' own level it is a factor of 2.
        let mut rows = prices(21, 0.1);
        let at = 288 * 20 + 100;
        rows[at].1 *= 2.0;
        let small = scores(&rows);
        assert!(small[at] >= ALARM, "doubling scored {}", small[at]);
        assert_eq!(
            small[288 * 7..at].iter().filter(|&&s| s >= ALARM).count(),
            0
        );
        // And the scale does not matter: the same series in other units scores the same.
        let large: Vec<(i64, f64)> = rows.iter().map(|&(t, v)| (t, v * 1000.0)).collect();
        let large = scores(&large);
        for (a, b) in small.iter().zip(&large) {
            assert!((a - b).abs() < 1e-6, "{a} {b}");
        }
    }

    #[test]
    fn a_level_shift_is_reported_once_and_becomes_the_new_normal() {
        // A service's latency quadruples for good (a deploy, a new region).
        let mut rows = prices(28, 50.0);
        let at = 288 * 14 + 100;
        for row in &mut rows[at..] {
            row.1 *= 4.0;
        }
        let with_shift = scores(&rows);
        assert!(with_shift[at..at + 12].iter().any(|&s| s >= ALARM));
        let later = |scores: &[f64]| scores[at + 288..].iter().filter(|&&s| s >= ALARM).count();
        assert_eq!(later(&with_shift), 0, "alarms after the first day");
        // Without the change-point adaptation the rhythm takes days to follow, alarming daily.
        let without = score_series(
            &Params {
                shift_hours: 0.0,
                ..Params::default()
            },
            rows.iter().copied(),
        );
        assert!(later(&without) > 0);
    }
}
