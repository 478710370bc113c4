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

/// What one mention adds to its minute, for each of its brands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Contribution {
    pub tone: Tone,
    pub platform: Platform,
    /// Likes, shares and replies, as its source reported them.
    pub engagement: u64,
    /// Followers of its author: how many people it may have reached.
    pub reach: u64,
    /// Bit set of its topics (`topics::topic_indices`).
    pub topics: u64,
}

impl Contribution {
    /// A mention with nothing but a tone and a platform.
    pub fn plain(tone: Tone, platform: Platform) -> Self {
        Self {
            tone,
            platform,
            engagement: 0,
            reach: 0,
            topics: 0,
        }
    }
}

#[derive(Clone)]
struct Bucket {
    key: MinuteKey,
    tones: Vec<ToneCounts>,
    platforms: Vec<[u32; PLATFORMS]>,
    engagement: Vec<u64>,
    reach: Vec<u64>,
    /// `topics[brand * topic_count + topic]`, by tone.
    topics: Vec<ToneCounts>,
}

impl Bucket {
    fn clear(&mut self, key: MinuteKey) {
        self.key = key;
        self.tones.fill(ToneCounts::default());
        self.platforms.fill([0; PLATFORMS]);
        self.engagement.fill(0);
        self.reach.fill(0);
        self.topics.fill(ToneCounts::default());
    }
}

pub struct MinuteRing {
    buckets: Vec<Bucket>,
    brands: usize,
    topic_count: usize,
}

impl MinuteRing {
    pub fn new(minutes: usize, brands: usize) -> Self {
        Self::with_topics(minutes, brands, 0)
    }

    /// A ring that also counts `topic_count` topics per brand.
    pub fn with_topics(minutes: usize, brands: usize, topic_count: usize) -> Self {
        let empty = Bucket {
            key: MinuteKey::MIN,
            tones: vec![ToneCounts::default(); brands],
            platforms: vec![[0; PLATFORMS]; brands],
            engagement: vec![0; brands],
            reach: vec![0; brands],
            topics: vec![ToneCounts::default(); brands * topic_count],
        };
        Self {
            buckets: vec![empty; minutes.max(1)],
            brands,
            topic_count,
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
        self.count(key, brand, &Contribution::plain(tone, platform));
    }

    /// Adds one mention with all it brings.
    pub fn count(&mut self, key: MinuteKey, brand: usize, what: &Contribution) {
        let slot = self.slot(key);
        let topic_count = self.topic_count;
        let bucket = &mut self.buckets[slot];
        if bucket.key != key {
            // The slot held a minute that has left the window: reuse it.
            bucket.clear(key);
        }
        bucket.tones[brand].add(what.tone);
        bucket.platforms[brand][what.platform.index()] += 1;
        bucket.engagement[brand] += what.engagement;
        bucket.reach[brand] += what.reach;
        for topic in super::topics::topic_indices(what.topics).take_while(|&t| t < topic_count) {
            bucket.topics[brand * topic_count + topic].add(what.tone);
        }
    }

    /// Takes back one mention counted by `count` (deleted or edited at its source). A minute
    /// that has already left the ring has nothing to take back.
    pub fn remove(&mut self, key: MinuteKey, brand: usize, what: &Contribution) {
        let slot = self.slot(key);
        let topic_count = self.topic_count;
        let bucket = &mut self.buckets[slot];
        if bucket.key != key {
            return;
        }
        bucket.tones[brand].take(what.tone);
        bucket.engagement[brand] = bucket.engagement[brand].saturating_sub(what.engagement);
        bucket.reach[brand] = bucket.reach[brand].saturating_sub(what.reach);
        let platform_count = &mut bucket.platforms[brand][what.platform.index()];
        *platform_count = platform_count.saturating_sub(1);
        for topic in super::topics::topic_indices(what.topics).take_while(|&t| t < topic_count) {
            bucket.topics[brand * topic_count + topic].take(what.tone);
        }
    }

    /// The buckets of the minutes `[from, to)` that hold those minutes.
    fn minutes(&self, from: MinuteKey, to: MinuteKey) -> impl Iterator<Item = &Bucket> {
        // A slot holds one key: a range wider than the ring still counts each minute once.
        (from..to).filter_map(move |key| {
            let bucket = &self.buckets[self.slot(key)];
            (bucket.key == key).then_some(bucket)
        })
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
        for bucket in self.minutes(from, to) {
            for (sum, tones) in sums.iter_mut().zip(&bucket.tones) {
                sum.merge(tones);
            }
        }
        sums
    }

    /// Engagement over the minutes `[from, to)`, per brand.
    pub fn sum_engagement(&self, from: MinuteKey, to: MinuteKey) -> Vec<u64> {
        self.sum_per_brand(from, to, |bucket| &bucket.engagement)
    }

    /// Reach (authors' followers, summed over mentions) over `[from, to)`, per brand.
    pub fn sum_reach(&self, from: MinuteKey, to: MinuteKey) -> Vec<u64> {
        self.sum_per_brand(from, to, |bucket| &bucket.reach)
    }

    fn sum_per_brand(
        &self,
        from: MinuteKey,
        to: MinuteKey,
        field: impl Fn(&Bucket) -> &Vec<u64>,
    ) -> Vec<u64> {
        let mut sums = vec![0; self.brands];
        for bucket in self.minutes(from, to) {
            for (sum, value) in sums.iter_mut().zip(field(bucket)) {
                *sum += value;
            }
        }
        sums
    }

    pub fn sum_platforms(&self, from: MinuteKey, to: MinuteKey) -> Vec<[u32; PLATFORMS]> {
        let mut sums = vec![[0; PLATFORMS]; self.brands];
        for bucket in self.minutes(from, to) {
            for (sum, platforms) in sums.iter_mut().zip(&bucket.platforms) {
                for (s, p) in sum.iter_mut().zip(platforms) {
                    *s += p;
                }
            }
        }
        sums
    }

    /// Per brand, per topic, the mentions by tone over `[from, to)`.
    pub fn sum_topics(&self, from: MinuteKey, to: MinuteKey) -> Vec<Vec<ToneCounts>> {
        let mut sums = vec![vec![ToneCounts::default(); self.topic_count]; self.brands];
        if self.topic_count == 0 {
            return sums;
        }
        for bucket in self.minutes(from, to) {
            for (sum, topics) in sums.iter_mut().zip(bucket.topics.chunks(self.topic_count)) {
                for (s, t) in sum.iter_mut().zip(topics) {
                    s.merge(t);
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
        let engaged = Contribution {
            engagement: 40,
            ..Contribution::plain(Tone::Positive, Platform::Mastodon)
        };
        ring.count(100, 0, &engaged);
        ring.remove(
            100,
            0,
            &Contribution::plain(Tone::Negative, Platform::Mastodon),
        );
        assert_eq!(ring.sum_engagement(100, 101), vec![40]);
        ring.remove(100, 0, &engaged);
        assert_eq!(ring.sum_engagement(99, 102), vec![0]);
        assert_eq!(ring.tones(100, 0).negative, 1);
        assert_eq!(
            ring.sum_platforms(100, 101)[0][Platform::Mastodon.index()],
            0
        );
        ring.add(110, 0, Tone::Positive, Platform::X);
        ring.remove(100, 0, &Contribution::plain(Tone::Positive, Platform::X));
        assert_eq!(ring.tones(110, 0).positive, 1);
    }

    #[test]
    fn topics_and_reach_are_counted_per_brand_and_taken_back() {
        let mut ring = MinuteRing::with_topics(10, 2, 3);
        let post = Contribution {
            reach: 500,
            topics: 0b101,
            ..Contribution::plain(Tone::Negative, Platform::X)
        };
        ring.count(100, 1, &post);
        ring.count(
            101,
            1,
            &Contribution {
                topics: 0b001,
                ..post
            },
        );
        let topics = ring.sum_topics(100, 102);
        assert_eq!(topics[0], vec![ToneCounts::default(); 3]);
        let counts: Vec<u32> = topics[1].iter().map(|t| t.negative).collect();
        assert_eq!(counts, vec![2, 0, 1]);
        assert_eq!(ring.sum_reach(100, 102), vec![0, 1000]);
        ring.remove(100, 1, &post);
        let counts: Vec<u32> = ring.sum_topics(100, 102)[1]
            .iter()
            .map(|t| t.total())
            .collect();
        assert_eq!(counts, vec![1, 0, 0]);
        assert_eq!(ring.sum_reach(100, 102), vec![0, 500]);
    }

    #[test]
    fn a_range_wider_than_the_ring_counts_each_minute_once() {
        let mut ring = MinuteRing::new(10, 1);
        ring.add(105, 0, Tone::Neutral, Platform::X);
        assert_eq!(ring.sum_tones(50, 110)[0].total(), 1);
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
