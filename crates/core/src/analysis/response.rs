//! Response time of the brands' own accounts: how long a mention waits for its first answer
//! from one of the brand's accounts (`accounts` in `[[brands]]`), when the source says which
//! post a reply answers (`Mention::reply_to`). Customer care is judged on it, and so are
//! competitors' care teams.
//!
//! Memory is bounded: the mentions still waiting for an answer are an LRU (the oldest are
//! forgotten first), and each brand keeps its answers of the last day, at most `KEPT_ANSWERS`.

use std::collections::VecDeque;

use chrono::{DateTime, TimeDelta, Utc};
use rustc_hash::FxHashMap;

use super::dedupe::{IdLru, id_key, id_lru};
use crate::model::{Mention, ResponseTimes};
use crate::settings::BrandConfig;

/// Mentions remembered while they wait for an answer.
const AWAITING: usize = 50_000;
/// Answers remembered per brand.
const KEPT_ANSWERS: usize = 5_000;
/// The window the response time is measured over.
pub const RESPONSE_WINDOW: TimeDelta = TimeDelta::hours(24);

#[derive(Debug, Clone, Copy)]
struct Waiting {
    at: DateTime<Utc>,
    /// Brands the mention is about, as a bit set.
    brands: u64,
}

pub struct ResponseTracker {
    /// Own account handle (lower case) → brand.
    accounts: FxHashMap<String, usize>,
    waiting: IdLru<Waiting>,
    /// Per brand: (answered at, seconds waited), oldest first.
    answers: Vec<VecDeque<(DateTime<Utc>, i64)>>,
}

impl ResponseTracker {
    pub fn new(brands: &[BrandConfig]) -> Self {
        let accounts = brands
            .iter()
            .enumerate()
            .flat_map(|(index, b)| b.accounts.iter().map(move |a| (a.clone(), index)))
            .collect();
        Self {
            accounts,
            waiting: id_lru(AWAITING),
            answers: vec![VecDeque::new(); brands.len()],
        }
    }

    /// True when no brand names an account: nothing to do per mention.
    pub fn is_off(&self) -> bool {
        self.accounts.is_empty()
    }

    /// The brand whose own account wrote `mention`.
    fn own_brand(&self, mention: &Mention) -> Option<usize> {
        let handle = mention.author.handle.trim_start_matches('@');
        match self.accounts.get(handle) {
            Some(&brand) => Some(brand),
            // Accounts are kept in lower case: an ASCII handle without capitals is not looked
            // up again (a lower-case copy of every handle was a string a mention).
            None if !handle.is_ascii() || handle.bytes().any(|b| b.is_ascii_uppercase()) => {
                self.accounts.get(&handle.to_lowercase()).copied()
            }
            None => None,
        }
    }

    /// Looks at every new mention, matched to a brand or not (a brand's answer need not name
    /// it): an answer from a brand's account to a waiting mention about that brand is timed;
    /// a mention about brands (`brands`, empty when none) that no account of theirs wrote
    /// starts waiting.
    pub fn observe(&mut self, mention: &Mention, brands: &[usize]) {
        if self.is_off() {
            return;
        }
        if let Some(brand) = self.own_brand(mention) {
            let Some(parent) = &mention.reply_to else {
                return;
            };
            let parent = id_key(parent);
            let Some(waiting) = self.waiting.peek(&parent).copied() else {
                return;
            };
            if waiting.brands & (1 << brand) == 0 {
                return;
            }
            // The first answer counts; another brand may still answer the same post.
            let rest = waiting.brands & !(1 << brand);
            if rest == 0 {
                self.waiting.pop(&parent);
            } else if let Some(entry) = self.waiting.get_mut(&parent) {
                entry.brands = rest;
            }
            let waited = (mention.created_at - waiting.at).num_seconds().max(0);
            let answers = &mut self.answers[brand];
            if answers.len() == KEPT_ANSWERS {
                answers.pop_front();
            }
            answers.push_back((mention.created_at, waited));
            return;
        }
        let brands = brands
            .iter()
            .filter(|&&b| b < 64)
            .fold(0u64, |mask, &b| mask | 1 << b);
        if brands != 0 {
            self.waiting.put(
                id_key(&mention.id),
                Waiting {
                    at: mention.created_at,
                    brands,
                },
            );
        }
    }

    /// Per brand, the answers of the last day before `now` and their median wait.
    pub fn times(&self, now: DateTime<Utc>) -> Vec<ResponseTimes> {
        self.answers
            .iter()
            .map(|answers| {
                let mut waits: Vec<i64> = answers
                    .iter()
                    .filter(|(at, _)| *at <= now && now - *at <= RESPONSE_WINDOW)
                    .map(|&(_, waited)| waited)
                    .collect();
                waits.sort_unstable();
                let median_seconds = match waits.len() {
                    0 => None,
                    n if n % 2 == 1 => Some(waits[n / 2]),
                    n => Some((waits[n / 2 - 1] + waits[n / 2]) / 2),
                };
                ResponseTimes {
                    answered: waits.len() as u32,
                    median_seconds,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Author, Engagement, Platform};

    fn brand(name: &str, accounts: &[&str]) -> BrandConfig {
        BrandConfig {
            name: name.into(),
            own: false,
            color: "#ffffff".into(),
            keywords: vec![name.to_lowercase()],
            exclude: Vec::new(),
            accounts: accounts.iter().map(|a| a.to_string()).collect(),
        }
    }

    fn at(minute: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_764_000_000 + minute * 60, 0).unwrap_or_default()
    }

    fn post(id: &str, handle: &str, minute: i64, reply_to: Option<&str>) -> Mention {
        Mention {
            id: id.into(),
            platform: Platform::X,
            author: Author {
                handle: handle.into(),
                display_name: String::new(),
                reach: 0,
                avatar: None,
            },
            text: String::new(),
            lang: None,
            created_at: at(minute),
            url: None,
            engagement: Engagement::default(),
            reply_to: reply_to.map(str::to_string),
            picture: None,
            rating: None,
        }
    }

    #[test]
    fn the_first_answer_of_the_brand_account_is_timed_and_the_median_is_over_a_day() {
        let mut tracker = ResponseTracker::new(&[
            brand("Petit Loup", &["petitloup"]),
            brand("Mini Mousse", &["minimousse"]),
        ]);
        tracker.observe(&post("a", "lea", 0, None), &[0]);
        tracker.observe(&post("b", "hugo", 10, None), &[0, 1]);
        tracker.observe(&post("c", "sarah", 20, None), &[0]);
        // Answers: a after 30 min, b after 10 min by Petit Loup and 50 by Mini Mousse; a second
        // answer to a is not timed again; an answer to an unknown post is ignored.
        tracker.observe(&post("r1", "PetitLoup", 30, Some("a")), &[]);
        tracker.observe(&post("r2", "petitloup", 20, Some("b")), &[0]);
        tracker.observe(&post("r3", "minimousse", 60, Some("b")), &[]);
        tracker.observe(&post("r4", "petitloup", 40, Some("a")), &[]);
        tracker.observe(&post("r5", "petitloup", 40, Some("zzz")), &[]);
        // Mini Mousse answering a post about Petit Loup only is not its response.
        tracker.observe(&post("r6", "minimousse", 45, Some("c")), &[]);
        let times = tracker.times(at(61));
        assert_eq!(times[0].answered, 2);
        assert_eq!(times[0].median_seconds, Some(20 * 60));
        assert_eq!(times[1].answered, 1);
        assert_eq!(times[1].median_seconds, Some(50 * 60));
        // A day later the answers have left the window.
        let later = tracker.times(at(61 + 24 * 60));
        assert_eq!(later[0].answered, 0);
        assert_eq!(later[0].median_seconds, None);
    }

    #[test]
    fn without_accounts_nothing_is_remembered() {
        let mut tracker = ResponseTracker::new(&[brand("Petit Loup", &[])]);
        assert!(tracker.is_off());
        tracker.observe(&post("a", "lea", 0, None), &[0]);
        assert_eq!(tracker.waiting.len(), 0);
    }
}
