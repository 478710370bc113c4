//! Influencers: per brand, the authors of a window ranked by reach × mentions (an author
//! whose platform gives no audience counts as one reader), each with the tone of what they
//! wrote and their platform, so the room sees who carries the conversation.
//!
//! Bounded for a wall that runs for months: each minute keeps at most `AUTHORS_PER_MINUTE`
//! distinct (brand, author) pairs, minutes older than the widest window are dropped, and
//! authors' names live in an LRU. Each window's sums are kept up to date as mentions arrive and
//! as minutes leave it, so a ranking costs one pass over the window's distinct authors.
//! A deleted post's author stays counted until its minute leaves the window (the ledger keeps
//! no author); an edit that changes a post's tone is counted again.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::num::NonZeroUsize;

use lru::LruCache;
use rustc_hash::{FxHashMap, FxHasher};

use super::aggregate::MinuteKey;
use crate::model::{Influencer, InfluencerList, Mention, Platform, Tone, ToneCounts};

/// The widest window an influencers tile may show.
pub const MAX_INFLUENCER_MINUTES: u32 = 24 * 60;
/// Distinct (brand, author) pairs a minute keeps; more in one minute are a flood, whose
/// one-off authors are not counted (the first ones are, and the big accounts come back).
const AUTHORS_PER_MINUTE: usize = 2048;
/// Authors whose names are remembered.
const NAMES_KEPT: usize = 50_000;
/// Authors ranked and sent per list: more than a tile shows.
pub const LISTED: usize = 12;

/// Bits of an author's hash; the brand is in the bits above.
const AUTHOR_BITS: u32 = 58;
const AUTHOR_MASK: u64 = (1 << AUTHOR_BITS) - 1;

#[derive(Debug, Clone)]
struct AuthorInfo {
    handle: String,
    display_name: String,
    platform: Platform,
    reach: u64,
    avatar: Option<String>,
}

#[derive(Debug, Default)]
pub struct Influencers {
    /// The windows asked for, in minutes.
    windows: Vec<u32>,
    /// Per minute: (brand, author) → tones of their mentions.
    minutes: BTreeMap<MinuteKey, FxHashMap<u64, ToneCounts>>,
    /// Per window, the sums of the minutes inside it.
    sums: Vec<FxHashMap<u64, ToneCounts>>,
    names: Option<LruCache<u64, AuthorInfo>>,
    /// The minute the sums are as of.
    now: Option<MinuteKey>,
    /// Mentions not counted because their minute was full.
    pub dropped: u64,
}

fn author_key(mention: &Mention) -> u64 {
    let mut hasher = FxHasher::default();
    mention.platform.hash(&mut hasher);
    mention.author.handle.to_lowercase().hash(&mut hasher);
    hasher.finish() & AUTHOR_MASK
}

fn pair(brand: usize, author: u64) -> u64 {
    ((brand as u64) << AUTHOR_BITS) | author
}

fn add(into: &mut FxHashMap<u64, ToneCounts>, key: u64, counts: &ToneCounts) {
    let sum = into.entry(key).or_default();
    sum.negative += counts.negative;
    sum.neutral += counts.neutral;
    sum.positive += counts.positive;
}

fn subtract(from: &mut FxHashMap<u64, ToneCounts>, key: u64, counts: &ToneCounts) {
    if let Some(sum) = from.get_mut(&key) {
        sum.negative = sum.negative.saturating_sub(counts.negative);
        sum.neutral = sum.neutral.saturating_sub(counts.neutral);
        sum.positive = sum.positive.saturating_sub(counts.positive);
        if sum.total() == 0 {
            from.remove(&key);
        }
    }
}

impl Influencers {
    pub fn new() -> Self {
        Self::default()
    }

    /// The windows the tiles show; sums are rebuilt from the minutes held.
    pub fn set_windows(&mut self, windows: &[u32]) {
        let windows: Vec<u32> = windows
            .iter()
            .copied()
            .filter(|&w| w > 0 && w <= MAX_INFLUENCER_MINUTES)
            .collect();
        if windows == self.windows {
            return;
        }
        self.windows = windows;
        self.sums = vec![FxHashMap::default(); self.windows.len()];
        if let Some(now) = self.now {
            for (index, &window) in self.windows.iter().enumerate() {
                let from = now - i64::from(window) + 1;
                for (_, authors) in self.minutes.range(from..=now) {
                    for (&key, counts) in authors {
                        add(&mut self.sums[index], key, counts);
                    }
                }
            }
        }
    }

    fn widest(&self) -> Option<u32> {
        self.windows.iter().copied().max()
    }

    /// Moves the sums to `now`: the minutes that leave each window are taken out of its sum,
    /// and those older than the widest window forgotten.
    pub fn advance(&mut self, now: MinuteKey) {
        let Some(widest) = self.widest() else {
            self.now = Some(now);
            return;
        };
        let before = self.now.unwrap_or(now);
        if now <= before {
            self.now = Some(before);
            return;
        }
        for (index, &window) in self.windows.iter().enumerate() {
            let window = i64::from(window);
            // Minutes in (before - window, now - window] leave this window.
            let leaving = (before - window + 1)..=(now - window);
            for (_, authors) in self.minutes.range(leaving) {
                for (&key, counts) in authors {
                    subtract(&mut self.sums[index], key, counts);
                }
            }
        }
        let oldest = now - i64::from(widest) + 1;
        self.minutes = self.minutes.split_off(&oldest);
        self.now = Some(now);
    }

    /// Counts a mention of `brands` written in minute `key`, with its tone.
    pub fn count(&mut self, key: MinuteKey, brands: &[usize], mention: &Mention, tone: Tone) {
        let Some(widest) = self.widest() else { return };
        let now = self.now.unwrap_or(key);
        if key <= now - i64::from(widest) || key > now + 1 {
            return;
        }
        let author = author_key(mention);
        let minute = self.minutes.entry(key).or_default();
        let mut one = ToneCounts::default();
        one.add(tone);
        for &brand in brands {
            let pair = pair(brand, author);
            if !minute.contains_key(&pair) && minute.len() >= AUTHORS_PER_MINUTE {
                self.dropped += 1;
                continue;
            }
            add(minute, pair, &one);
            for (index, &window) in self.windows.iter().enumerate() {
                if key > now - i64::from(window) {
                    add(&mut self.sums[index], pair, &one);
                }
            }
        }
        let names = self.names.get_or_insert_with(|| {
            LruCache::new(NonZeroUsize::new(NAMES_KEPT).unwrap_or(NonZeroUsize::MIN))
        });
        let info = names.get_or_insert_mut(author, || AuthorInfo {
            handle: mention.author.handle.clone(),
            display_name: mention.author.display_name.clone(),
            platform: mention.platform,
            reach: 0,
            avatar: None,
        });
        // The audience as last seen (it grows in a crisis); a picture once one is known.
        if mention.author.reach > 0 {
            info.reach = mention.author.reach;
        }
        if mention.author.avatar.is_some() {
            info.avatar = mention.author.avatar.clone();
        }
        if !mention.author.display_name.is_empty() {
            info.display_name = mention.author.display_name.clone();
        }
    }

    /// The window's authors for `brand`, most influential first (reach × mentions, ties by
    /// mentions, then handle), at most `LISTED`.
    pub fn ranking(&mut self, minutes: u32, brand: usize) -> Option<InfluencerList> {
        let index = self.windows.iter().position(|&w| w == minutes)?;
        let names = self.names.as_ref()?;
        let mut authors: Vec<Influencer> = self.sums[index]
            .iter()
            .filter(|(key, _)| (*key >> AUTHOR_BITS) as usize == brand)
            .filter_map(|(key, tones)| {
                let info = names.peek(&(key & AUTHOR_MASK))?;
                Some(Influencer {
                    handle: info.handle.clone(),
                    display_name: info.display_name.clone(),
                    platform: info.platform,
                    reach: info.reach,
                    avatar: info.avatar.clone(),
                    mentions: tones.total(),
                    tones: *tones,
                })
            })
            .collect();
        authors.sort_by(|a, b| {
            b.score()
                .cmp(&a.score())
                .then(b.mentions.cmp(&a.mentions))
                .then_with(|| a.handle.cmp(&b.handle))
        });
        authors.truncate(LISTED);
        Some(InfluencerList {
            minutes,
            brand,
            authors,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Author, Engagement};
    use chrono::{DateTime, Utc};

    fn post(handle: &str, reach: u64, platform: Platform) -> Mention {
        Mention {
            id: format!("{handle}:1"),
            platform,
            author: Author {
                handle: handle.into(),
                display_name: String::new(),
                reach,
                avatar: None,
            },
            text: String::new(),
            lang: None,
            created_at: DateTime::<Utc>::default(),
            url: None,
            engagement: Engagement::default(),
            reply_to: None,
            picture: None,
            rating: None,
        }
    }

    #[test]
    fn authors_rank_by_reach_times_mentions_and_leave_with_their_minutes() {
        let mut influencers = Influencers::new();
        influencers.set_windows(&[60]);
        influencers.advance(1000);
        let lucie = post("lucie", 180_000, Platform::Instagram);
        let paul = post("paul", 50_000, Platform::X);
        let anon = post("anon", 0, Platform::Forum);
        influencers.count(990, &[0], &lucie, Tone::Negative);
        for _ in 0..5 {
            influencers.count(1000, &[0], &paul, Tone::Positive);
        }
        influencers.count(1000, &[0, 1], &anon, Tone::Neutral);
        let list = influencers.ranking(60, 0).expect("a list");
        let handles: Vec<&str> = list.authors.iter().map(|a| a.handle.as_str()).collect();
        assert_eq!(
            handles,
            ["paul", "lucie", "anon"],
            "250,000 against 180,000 against 1"
        );
        assert_eq!(list.authors[0].mentions, 5);
        assert_eq!(list.authors[1].tones.negative, 1);
        assert_eq!(
            influencers.ranking(60, 1).expect("a list").authors.len(),
            1,
            "per brand"
        );
        // Lucie's minute (990) leaves the window at 1050.
        influencers.advance(1050);
        let handles: Vec<String> = influencers
            .ranking(60, 0)
            .expect("a list")
            .authors
            .into_iter()
            .map(|a| a.handle)
            .collect();
        assert_eq!(handles, ["paul", "anon"]);
        influencers.advance(1100);
        assert!(
            influencers
                .ranking(60, 0)
                .expect("a list")
                .authors
                .is_empty()
        );
        assert!(influencers.minutes.is_empty(), "old minutes forgotten");
    }

    #[test]
    fn a_flood_of_one_off_authors_is_bounded() {
        let mut influencers = Influencers::new();
        influencers.set_windows(&[60]);
        influencers.advance(10);
        for i in 0..(AUTHORS_PER_MINUTE + 100) {
            influencers.count(
                10,
                &[0],
                &post(&format!("a{i}"), 1, Platform::X),
                Tone::Neutral,
            );
        }
        assert_eq!(influencers.dropped, 100);
        assert_eq!(influencers.minutes[&10].len(), AUTHORS_PER_MINUTE);
    }
}
