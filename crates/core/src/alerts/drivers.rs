//! Why a spike happened: the words said far more than before it, the authors who posted most,
//! and the platforms it came from, from the recent posts of the brand.

use std::collections::{HashMap, VecDeque};

use rustc_hash::FxHashSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::Platform;
use crate::text::stopwords::is_stopword;
use crate::text::{Reading, folded_words};

/// Posts remembered per brand: the spike's own and enough before it to compare with.
const KEPT: usize = 3000;
const TOP: usize = 3;
/// A word must be in this many of the spike's posts, and in this share of them, to explain it.
const MIN_POSTS: usize = 3;
const MIN_SHARE: f64 = 0.1;

/// The words of a post that may explain a spike, whatever its brand: three letters or more,
/// not a number, not a function word (the shared stopword list, as trending terms skip); as indices of `reading`'s words, sorted by word and each
/// word once, written into `out` (a buffer kept from post to post).
pub fn candidate_words(reading: &Reading, out: &mut Vec<u32>) {
    out.clear();
    out.extend((0..reading.len() as u32).filter(|&i| {
        let w = reading.word(i as usize);
        w.len() >= 3
            && w.chars().count() >= 3
            && !w.bytes().all(|b| b.is_ascii_digit())
            && !is_stopword(w)
    }));
    out.sort_unstable_by(|&a, &b| {
        reading
            .word_bytes(a as usize)
            .cmp(reading.word_bytes(b as usize))
    });
    out.dedup_by(|a, b| reading.word_bytes(*a as usize) == reading.word_bytes(*b as usize));
}

/// What drove a spike.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SpikeDrivers {
    /// Words said far more in the spike than before it, strongest first.
    pub terms: Vec<String>,
    /// Authors with the most posts in the spike (then the most engagement).
    pub authors: Vec<String>,
    /// Platforms, with their share of the spike's posts in percent, biggest first.
    pub platforms: Vec<(Platform, u32)>,
    /// Posts the spike is made of (since its start).
    pub posts: usize,
}

struct Seen {
    at: DateTime<Utc>,
    /// Its distinct words, sorted, each followed by a space: one allocation a post, where a
    /// string per word made remembering posts the costliest step of a mention's analysis.
    words: String,
    author: String,
    platform: Platform,
    engagement: u64,
}

/// One brand's recent posts, as words.
pub struct PostHistory {
    posts: VecDeque<Seen>,
    /// The brand's own name and keywords: they explain nothing.
    ignored: FxHashSet<String>,
}

impl PostHistory {
    pub fn new(brand_keywords: &[String]) -> Self {
        let ignored = brand_keywords
            .iter()
            .flat_map(|k| folded_words(k))
            .collect();
        Self {
            posts: VecDeque::new(),
            ignored,
        }
    }

    /// Remembers a post by its `candidate_words`, computed once for all its brands. The oldest
    /// post's buffers are used again once the history is full: no allocation a post then.
    pub fn add<'w>(
        &mut self,
        at: DateTime<Utc>,
        candidates: impl Iterator<Item = &'w str> + Clone,
        author: &str,
        platform: Platform,
        engagement: u64,
    ) {
        let (mut words, mut kept_author) = if self.posts.len() == KEPT {
            self.posts
                .pop_front()
                .map(|seen| (seen.words, seen.author))
                .unwrap_or_default()
        } else {
            Default::default()
        };
        words.clear();
        let kept = || candidates.clone().filter(|w| !self.ignored.contains(*w));
        words.reserve(kept().map(|w| w.len() + 1).sum());
        for word in kept() {
            words.push_str(word);
            words.push(' ');
        }
        kept_author.clear();
        kept_author.push_str(author);
        self.posts.push_back(Seen {
            at,
            words,
            author: kept_author,
            platform,
            engagement,
        });
    }

    /// The drivers of a spike that started at `since`, against the posts before it.
    pub fn explain(&self, since: DateTime<Utc>) -> SpikeDrivers {
        let (during, before): (Vec<&Seen>, Vec<&Seen>) =
            self.posts.iter().partition(|p| p.at >= since);
        if during.is_empty() {
            return SpikeDrivers::default();
        }
        fn count<'a>(posts: &[&'a Seen]) -> HashMap<&'a str, usize> {
            let mut counts: HashMap<&'a str, usize> = HashMap::new();
            for post in posts {
                for word in post.words.split_terminator(' ') {
                    *counts.entry(word).or_default() += 1;
                }
            }
            counts
        }
        let (in_spike, in_before) = (count(&during), count(&before));
        let n_spike = during.len() as f64;
        let n_before = before.len() as f64;
        let mut terms: Vec<(f64, &str)> = in_spike
            .iter()
            .filter(|&(_, &c)| c >= MIN_POSTS && c as f64 / n_spike >= MIN_SHARE)
            .map(|(&word, &c)| {
                let share = c as f64 / n_spike;
                let usual =
                    (in_before.get(word).copied().unwrap_or(0) as f64 + 1.0) / (n_before + 2.0);
                // How much more often, weighted by how many posts say it.
                (c as f64 * (share / usual).ln(), word)
            })
            .filter(|(score, _)| *score > 0.0)
            .collect();
        terms.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));

        let mut authors: HashMap<&str, (usize, u64)> = HashMap::new();
        let mut platforms: HashMap<Platform, u32> = HashMap::new();
        for post in &during {
            let entry = authors.entry(post.author.as_str()).or_default();
            entry.0 += 1;
            entry.1 += post.engagement;
            *platforms.entry(post.platform).or_default() += 1;
        }
        let mut authors: Vec<(&str, (usize, u64))> = authors.into_iter().collect();
        authors.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let mut platforms: Vec<(Platform, u32)> = platforms.into_iter().collect();
        platforms.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));

        SpikeDrivers {
            terms: terms
                .into_iter()
                .take(TOP)
                .map(|(_, w)| w.to_string())
                .collect(),
            authors: authors
                .into_iter()
                .filter(|(name, _)| !name.is_empty())
                .take(TOP)
                .map(|(name, _)| name.to_string())
                .collect(),
            platforms: platforms
                .into_iter()
                .take(TOP)
                .map(|(p, c)| (p, (100.0 * f64::from(c) / n_spike).round() as u32))
                .collect(),
            posts: during.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Reading;
    use chrono::TimeDelta;

    /// Remembers a post as the alert engine does: its candidate words, from its folded text.
    fn remember(
        history: &mut PostHistory,
        at: DateTime<Utc>,
        text: &str,
        author: &str,
        platform: Platform,
        engagement: u64,
    ) {
        let reading = Reading::of(text);
        let mut candidates = Vec::new();
        candidate_words(&reading, &mut candidates);
        let words = candidates.iter().map(|&i| reading.word(i as usize));
        history.add(at, words, author, platform, engagement);
    }

    #[test]
    fn the_words_of_the_storm_explain_it_not_the_usual_ones() {
        let start = DateTime::from_timestamp(1_763_632_800, 0).unwrap_or_default();
        let mut history = PostHistory::new(&["Petit Loup".to_string(), "#petitloup".to_string()]);
        for i in 0..200 {
            let text = [
                "J'adore la robe Petit Loup",
                "Livraison rapide chez Petit Loup",
                "Petit Loup soldes ce week-end ?",
            ][i % 3];
            remember(
                &mut history,
                start + TimeDelta::seconds(i as i64 * 30),
                text,
                &format!("user{i}"),
                Platform::Instagram,
                3,
            );
        }
        let spike = start + TimeDelta::hours(2);
        for i in 0..60 {
            let text = [
                "Ces affiches Petit Loup sont honteuses",
                "Les affiches #PetitLoup, des enfants trop maigres",
                "Boycott Petit Loup et ses affiches",
            ][i % 3];
            let author = if i % 4 == 0 {
                "lucie.parentalite"
            } else {
                "anon"
            };
            let platform = if i % 3 == 0 {
                Platform::Instagram
            } else {
                Platform::X
            };
            remember(
                &mut history,
                spike + TimeDelta::seconds(i as i64 * 5),
                text,
                author,
                platform,
                10,
            );
        }
        let drivers = history.explain(spike);
        assert_eq!(drivers.posts, 60);
        assert_eq!(
            drivers.terms.first().map(String::as_str),
            Some("affiches"),
            "{drivers:?}"
        );
        assert!(
            !drivers
                .terms
                .iter()
                .any(|t| t == "petit" || t == "loup" || t == "robe"),
            "{drivers:?}"
        );
        assert_eq!(drivers.authors.first().map(String::as_str), Some("anon"));
        assert_eq!(
            drivers.authors.get(1).map(String::as_str),
            Some("lucie.parentalite")
        );
        assert_eq!(
            drivers.platforms,
            vec![(Platform::X, 67), (Platform::Instagram, 33)]
        );
    }
}
