//! Remembers the mentions already taken, and what each one added to the figures: a reconnect
//! overlap, a replay restarted or a cross-post relayed twice counts once, and a post deleted or
//! edited at its source can be taken back out of the figures exactly. Memory is bounded: the
//! oldest ids are forgotten first.

use std::num::NonZeroUsize;

use lru::LruCache;

use super::aggregate::{Contribution, MinuteKey};
use super::trending::TermKey;

/// Brands are remembered as a bit set: the config allows at most this many.
pub const MAX_BRANDS: usize = 64;

/// What one mention added to the per-minute ring and to the trending terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counted {
    pub minute: MinuteKey,
    /// Bit `i` set: counted for brand `i`.
    pub brands: u64,
    pub what: Contribution,
    /// The trending terms it counted.
    pub terms: Box<[TermKey]>,
}

impl Counted {
    pub fn brand_indices(&self) -> impl Iterator<Item = usize> + '_ {
        (0..MAX_BRANDS).filter(|i| self.brands & (1 << i) != 0)
    }

    pub fn mask(brands: &[usize]) -> u64 {
        brands
            .iter()
            .filter(|&&b| b < MAX_BRANDS)
            .fold(0, |mask, &b| mask | (1 << b))
    }
}

/// What became of an id the ledger has seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    /// In the figures, with this contribution.
    Counted(Counted),
    /// Taken but not counted (about no brand, or too late).
    Ignored,
    /// Deleted at its source: a late copy must not bring it back.
    Deleted,
}

/// A post id as the ledgers keep it: its 64-bit SipHash-1-3 with fixed keys, computed once per
/// lookup instead of hashing and storing a string. Two of a day's ids share a key about once in
/// 10^9 days at Bluesky's whole rate, and ids are chosen by the platforms, not by posters.
pub type IdKey = u64;

pub fn id_key(id: &str) -> IdKey {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    id.hash(&mut hasher);
    hasher.finish()
}

/// An LRU keyed by `id_key`: the key is a hash already, so the map's own hash is one multiply.
pub type IdLru<V> = LruCache<IdKey, V, rustc_hash::FxBuildHasher>;

pub fn id_lru<V>(capacity: usize) -> IdLru<V> {
    let capacity = NonZeroUsize::new(capacity.max(1)).unwrap_or(NonZeroUsize::MIN);
    LruCache::with_hasher(capacity, rustc_hash::FxBuildHasher)
}

pub struct Ledger {
    seen: IdLru<Seen>,
}

impl Ledger {
    pub fn new(capacity: usize) -> Self {
        Self {
            seen: id_lru(capacity),
        }
    }

    /// True the first time an id is seen (within the remembered window).
    pub fn first_time(&mut self, id: &str) -> bool {
        self.seen.get(&id_key(id)).is_none()
    }

    /// Records what an id became.
    pub fn record(&mut self, id: &str, seen: Seen) {
        self.seen.put(id_key(id), seen);
    }

    pub fn get(&mut self, id: &str) -> Option<Seen> {
        self.seen.get(&id_key(id)).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Platform, Tone};

    #[test]
    fn an_id_counts_once() {
        let mut ledger = Ledger::new(10);
        assert!(ledger.first_time("mastodon:1"));
        ledger.record("mastodon:1", Seen::Ignored);
        assert!(!ledger.first_time("mastodon:1"));
        assert!(ledger.first_time("bluesky:1"));
    }

    #[test]
    fn memory_is_bounded_and_recent_ids_are_kept() {
        let mut ledger = Ledger::new(3);
        for id in ["a", "b", "c"] {
            assert!(ledger.first_time(id));
            ledger.record(id, Seen::Ignored);
        }
        // Seeing "a" again refreshes it, so "b" is the oldest and is forgotten by "d".
        assert!(!ledger.first_time("a"));
        ledger.record("d", Seen::Ignored);
        assert!(!ledger.first_time("a"));
        assert!(ledger.first_time("b"));
    }

    #[test]
    fn a_contribution_keeps_its_brands() {
        let counted = Counted {
            minute: 7,
            brands: Counted::mask(&[0, 3]),
            what: Contribution {
                engagement: 12,
                ..Contribution::plain(Tone::Negative, Platform::Bluesky)
            },
            terms: Box::new([]),
        };
        let mut ledger = Ledger::new(4);
        ledger.record("x", Seen::Counted(counted));
        let Some(Seen::Counted(back)) = ledger.get("x") else {
            panic!("recorded as counted");
        };
        assert_eq!(back.brand_indices().collect::<Vec<_>>(), vec![0, 3]);
    }
}
