//! Per-minute buckets of volume, by brand, tone and platform, in a ring that covers the widest
//! window the wall shows. Memory is fixed at start: a wall that runs for months does not grow.

use chrono::{DateTime, TimeDelta, Utc};

use crate::model::{Platform, Tone, ToneCounts};

const PLATFORMS: usize = Platform::ALL.len();

/// Minutes since the Unix epoch: the key of a bucket.
pub type MinuteKey = i64;

pub fn minute_key(at: DateTime<Utc>) -> MinuteKey {
    at.timestamp().div_euclid(60)
}

pub fn minute_start(key: MinuteKey) -> DateTime<Utc> {
    DateTime::from_timestamp(key * 60, 0).unwrap_or_default()
}

#[derive(Clone)]
struct Bucket {
    key: MinuteKey,
    tones: Vec<ToneCounts>,
    platforms: Vec<[u32; PLATFORMS]>,
    /// Likes, shares and replies of the minute's mentions, as their sources reported them.
    engagement: Vec<u64>,
}

pub struct MinuteRing {
    buckets: Vec<Bucket>,
    brands: usize,
}

impl MinuteRing {
    pub fn new(minutes: usize, brands: usize) -> Self {
        let empty = Bucket {
            key: MinuteKey::MIN,
            tones: vec![ToneCounts::default(); brands],
            platforms: vec![[0; PLATFORMS]; brands],
            engagement: vec![0; brands],
        };
        Self {
            buckets: vec![empty; minutes.max(1)],
            brands,
        }
    }

    pub fn capacity_minutes(&self) -> usize {
        self.buckets.len()
    }

    fn slot(&self, key: MinuteKey) -> usize {
        key.rem_euclid(self.buckets.len() as i64) as usize
    }

    /// Adds one mention; the caller has checked that `key` is within the ring's reach of now.
    pub fn add(&mut self, key: MinuteKey, brand: usize, tone: Tone, platform: Platform) {
        self.add_engaged(key, brand, tone, platform, 0);
    }

    /// Adds one mention with its engagement.
    pub fn add_engaged(
        &mut self,
        key: MinuteKey,
        brand: usize,
        tone: Tone,
        platform: Platform,
        engagement: u64,
    ) {
        let slot = self.slot(key);
        let bucket = &mut self.buckets[slot];
        if bucket.key != key {
            // The slot held a minute that has left the window: reuse it.
            bucket.key = key;
            bucket
                .tones
                .iter_mut()
                .for_each(|t| *t = ToneCounts::default());
            bucket
                .platforms
                .iter_mut()
                .for_each(|p| *p = [0; PLATFORMS]);
            bucket.engagement.iter_mut().for_each(|e| *e = 0);
        }
        bucket.tones[brand].add(tone);
        bucket.platforms[brand][platform.index()] += 1;
        bucket.engagement[brand] += engagement;
    }

    /// Takes back one mention counted by `add` (deleted or edited at its source). A minute that
    /// has already left the ring has nothing to take back.
    pub fn remove(
        &mut self,
        key: MinuteKey,
        brand: usize,
        tone: Tone,
        platform: Platform,
        engagement: u64,
    ) {
        let slot = self.slot(key);
        let bucket = &mut self.buckets[slot];
        if bucket.key != key {
            return;
        }
        bucket.tones[brand].take(tone);
        bucket.engagement[brand] = bucket.engagement[brand].saturating_sub(engagement);
        let platform_count = &mut bucket.platforms[brand][platform.index()];
        *platform_count = platform_count.saturating_sub(1);
    }

    pub fn tones(&self, key: MinuteKey, brand: usize) -> ToneCounts {
        let bucket = &self.buckets[self.slot(key)];
        if bucket.key == key {
            bucket.tones[brand]
        } else {
            ToneCounts::default()
        }
    }

    pub fn total(&self, key: MinuteKey, brand: usize) -> u32 {
        self.tones(key, brand).total()
    }

    /// Sum over the minutes `[from, to)`, per brand.
    pub fn sum_tones(&self, from: MinuteKey, to: MinuteKey) -> Vec<ToneCounts> {
        let mut sums = vec![ToneCounts::default(); self.brands];
        for key in from..to {
            let bucket = &self.buckets[self.slot(key)];
            if bucket.key == key {
                for (sum, tones) in sums.iter_mut().zip(&bucket.tones) {
                    sum.merge(tones);
                }
            }
        }
        sums
    }

    /// Engagement over the minutes `[from, to)`, per brand.
    pub fn sum_engagement(&self, from: MinuteKey, to: MinuteKey) -> Vec<u64> {
        let mut sums = vec![0; self.brands];
        for key in from..to {
            let bucket = &self.buckets[self.slot(key)];
            if bucket.key == key {
                for (sum, engagement) in sums.iter_mut().zip(&bucket.engagement) {
                    *sum += engagement;
                }
            }
        }
        sums
    }

    pub fn sum_platforms(&self, from: MinuteKey, to: MinuteKey) -> Vec<[u32; PLATFORMS]> {
        let mut sums = vec![[0; PLATFORMS]; self.brands];
        for key in from..to {
            let bucket = &self.buckets[self.slot(key)];
            if bucket.key == key {
                for (sum, platforms) in sums.iter_mut().zip(&bucket.platforms) {
                    for (s, p) in sum.iter_mut().zip(platforms) {
                        *s += p;
                    }
                }
            }
        }
        sums
    }
}

/// Splits `[now - window, now]` into at most `max_bars` bars aligned on multiples of their
/// width, so that bars do not shift as time passes. Returns (first bar's key, bar width, bars).
pub fn bar_grid(now: DateTime<Utc>, window: TimeDelta, max_bars: i64) -> (MinuteKey, i64, i64) {
    let minutes = window.num_minutes().max(1);
    let width = (minutes + max_bars - 1) / max_bars;
    let last_bar = minute_key(now).div_euclid(width) * width;
    let bars = (minutes + width - 1) / width;
    (last_bar - (bars - 1) * width, width, bars)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_reused_once_their_minute_leaves_the_ring() {
        let mut ring = MinuteRing::new(10, 2);
        ring.add(100, 0, Tone::Negative, Platform::X);
        ring.add(100, 0, Tone::Positive, Platform::X);
        ring.add(101, 1, Tone::Neutral, Platform::Press);
        assert_eq!(ring.total(100, 0), 2);
        assert_eq!(ring.tones(100, 0).negative, 1);
        // Minute 110 lands in minute 100's slot and clears it.
        ring.add(110, 1, Tone::Neutral, Platform::X);
        assert_eq!(ring.total(100, 0), 0);
        assert_eq!(ring.total(110, 1), 1);
        let sums = ring.sum_tones(100, 112);
        assert_eq!(sums[1].neutral, 2);
        let platforms = ring.sum_platforms(100, 112);
        assert_eq!(platforms[1][Platform::Press.index()], 1);
    }

    #[test]
    fn a_removed_mention_leaves_its_minute_and_an_expired_minute_is_left_alone() {
        let mut ring = MinuteRing::new(10, 1);
        ring.add(100, 0, Tone::Negative, Platform::Mastodon);
        ring.add(100, 0, Tone::Negative, Platform::X);
        ring.add_engaged(100, 0, Tone::Positive, Platform::Mastodon, 40);
        ring.remove(100, 0, Tone::Negative, Platform::Mastodon, 0);
        assert_eq!(ring.sum_engagement(100, 101), vec![40]);
        ring.remove(100, 0, Tone::Positive, Platform::Mastodon, 40);
        assert_eq!(ring.sum_engagement(99, 102), vec![0]);
        assert_eq!(ring.tones(100, 0).negative, 1);
        assert_eq!(
            ring.sum_platforms(100, 101)[0][Platform::Mastodon.index()],
            0
        );
        ring.add(110, 0, Tone::Positive, Platform::X);
        ring.remove(100, 0, Tone::Positive, Platform::X, 0);
        assert_eq!(ring.tones(110, 0).positive, 1);
    }

    #[test]
    fn the_bar_grid_is_aligned_and_covers_the_window() {
        let now: DateTime<Utc> = "2026-11-20T10:07:30Z".parse().expect("valid");
        let (first, width, bars) = bar_grid(now, TimeDelta::hours(6), 120);
        assert_eq!(width, 3);
        assert_eq!(bars, 120);
        assert_eq!(first % 3, 0);
        let last = first + (bars - 1) * width;
        assert!(last <= minute_key(now) && minute_key(now) < last + width);
    }
}
