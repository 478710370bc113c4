//! Remembers the mentions already taken, and what each one added to the figures: a reconnect
//! overlap, a replay restarted or a cross-post relayed twice counts once, and a post deleted or
//! edited at its source can be taken back out of the figures exactly. Memory is bounded: the
//! oldest ids are forgotten first.

use std::num::NonZeroUsize;

use lru::LruCache;

use super::aggregate::{Contribution, MinuteKey};
use super::resident::{resident_map, resident_slice};
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

/// A slot of the ledger's slab that holds no id yet.
const NONE: u32 = u32::MAX;

/// Trending terms kept per remembered id, on average: the term pool holds this many times the
/// ledger's capacity, shared, so a long post uses what short ones leave. Measured with the
/// term extractor: the 2,100 real tweets of `shared/data/sentiment` have 6.5 terms on average
/// (10.9 for those of 120 characters or more), demo posts 6.2, a 270-character French post 24.
const TERMS_PER_ID: usize = 16;

/// What the ledger keeps of an id, in place: a counted mention's terms are a span of the
/// term pool, not a heap allocation of their own.
#[derive(Debug, Clone, Copy)]
enum State {
    Ignored,
    Deleted,
    Counted {
        minute: MinuteKey,
        brands: u64,
        what: Contribution,
        terms: TermSpan,
    },
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    key: IdKey,
    /// The entry seen just after this one (towards the newest), and just before.
    newer: u32,
    older: u32,
    state: State,
}

impl Entry {
    const FREE: Entry = Entry {
        key: 0,
        newer: NONE,
        older: NONE,
        state: State::Ignored,
    };
}

/// Where a mention's terms lie in the pool: `len` keys from the absolute position `start`.
#[derive(Debug, Clone, Copy)]
struct TermSpan {
    start: u64,
    len: u32,
}

/// The terms of the counted mentions, written one after the other in a ring: the oldest are
/// overwritten first. A span still in the ring is read back exactly; one overwritten is known
/// to be (its start is more than a ring behind what was written).
struct TermPool {
    keys: Box<[TermKey]>,
    /// Keys written since the start, the position of the next one.
    written: u64,
}

impl TermPool {
    fn new(len: usize) -> Self {
        Self {
            keys: resident_slice(len.max(1), 0),
            written: 0,
        }
    }

    fn push(&mut self, terms: &[TermKey]) -> TermSpan {
        let terms = &terms[..terms.len().min(self.keys.len())];
        let start = self.written;
        let ring = self.keys.len() as u64;
        for (i, &key) in terms.iter().enumerate() {
            self.keys[((start + i as u64) % ring) as usize] = key;
        }
        self.written += terms.len() as u64;
        TermSpan {
            start,
            len: terms.len() as u32,
        }
    }

    /// The span's keys, or `None` when newer terms have overwritten them.
    fn read(&self, span: TermSpan) -> Option<Box<[TermKey]>> {
        let ring = self.keys.len() as u64;
        if self.written > span.start + ring {
            return None;
        }
        Some(
            (span.start..span.start + u64::from(span.len))
                .map(|at| self.keys[(at % ring) as usize])
                .collect(),
        )
    }
}

/// The ids seen lately, least recently seen forgotten first. Its memory is allocated and
/// written once, at start: a slab of entries in a recency list, an index from id key to slot
/// and a ring of trending terms; nothing is allocated per mention.
pub struct Ledger {
    index: rustc_hash::FxHashMap<IdKey, u32>,
    /// The index's capacity when made. `capacity()` then dips below it as deleted keys leave
    /// tombstones, until a rehash in place clears them; it is above it only if the map grew.
    index_capacity: usize,
    entries: Box<[Entry]>,
    /// Slots handed out so far; the slab is full when this reaches its length.
    used: u32,
    newest: u32,
    oldest: u32,
    terms: TermPool,
    /// Edits and deletions whose terms had been overwritten: they stayed in the trending counts.
    terms_lost: u64,
}

impl Ledger {
    pub fn new(capacity: usize) -> Self {
        Self::with_term_pool(capacity, capacity.saturating_mul(TERMS_PER_ID))
    }

    fn with_term_pool(capacity: usize, term_pool: usize) -> Self {
        let capacity = capacity.clamp(1, NONE as usize - 1);
        // Twice the ids it holds: the map then always rehashes its tombstones in place rather
        // than growing, so it keeps the one allocation made here.
        let index: rustc_hash::FxHashMap<IdKey, u32> = resident_map(2 * capacity, |n| n);
        Self {
            index_capacity: index.capacity(),
            index,
            entries: resident_slice(capacity, Entry::FREE),
            used: 0,
            newest: NONE,
            oldest: NONE,
            terms: TermPool::new(term_pool),
            terms_lost: 0,
        }
    }

    /// True the first time an id is seen (within the remembered window). Seeing it again makes
    /// it the most recent.
    pub fn first_time(&mut self, id: &str) -> bool {
        self.find(id_key(id)).is_none()
    }

    /// Records what an id became.
    pub fn record(&mut self, id: &str, seen: Seen) {
        match seen {
            Seen::Ignored => self.set(id, State::Ignored),
            Seen::Deleted => self.set(id, State::Deleted),
            Seen::Counted(counted) => self.record_counted(
                id,
                counted.minute,
                counted.brands,
                counted.what,
                &counted.terms,
            ),
        }
    }

    /// Records that an id was counted, with what it added: `record` of a `Seen::Counted`
    /// without building one (no allocation for its terms, which go to the ledger's pool).
    pub fn record_counted(
        &mut self,
        id: &str,
        minute: MinuteKey,
        brands: u64,
        what: Contribution,
        terms: &[TermKey],
    ) {
        let terms = self.terms.push(terms);
        self.set(
            id,
            State::Counted {
                minute,
                brands,
                what,
                terms,
            },
        );
    }

    fn set(&mut self, id: &str, state: State) {
        let key = id_key(id);
        let slot = match self.find(key) {
            Some(slot) => slot,
            None => self.take_slot(key),
        };
        self.entries[slot as usize].state = state;
    }

    pub fn get(&mut self, id: &str) -> Option<Seen> {
        let slot = self.find(id_key(id))?;
        Some(match self.entries[slot as usize].state {
            State::Ignored => Seen::Ignored,
            State::Deleted => Seen::Deleted,
            State::Counted {
                minute,
                brands,
                what,
                terms,
            } => Seen::Counted(Counted {
                minute,
                brands,
                what,
                terms: self.terms.read(terms).unwrap_or_else(|| {
                    self.terms_lost += 1;
                    if crate::sparse_log::worth_logging(self.terms_lost) {
                        tracing::warn!(
                            lost = self.terms_lost,
                            "an edited or deleted post is older than the terms the ledger \
                             keeps: its words stay in the trending counts"
                        );
                    }
                    Box::new([])
                }),
            }),
        })
    }

    /// The memory the ledger holds, all of it allocated at start: for the log, and for the
    /// tests that check it never grows.
    pub fn reserved_bytes(&self) -> usize {
        use std::mem::size_of;
        // A hashbrown table has one control byte per bucket; 7/8 of its buckets are usable.
        let index_buckets = (self.index_capacity * 8 / 7).next_power_of_two();
        index_buckets * (size_of::<(IdKey, u32)>() + 1)
            + self.entries.len() * size_of::<Entry>()
            + self.terms.keys.len() * size_of::<TermKey>()
    }

    /// Edits and deletions that could not take their trending terms back out.
    pub fn terms_lost(&self) -> u64 {
        self.terms_lost
    }

    /// The id's slot, made the most recent.
    fn find(&mut self, key: IdKey) -> Option<u32> {
        let slot = *self.index.get(&key)?;
        self.unlink(slot);
        self.push_newest(slot);
        Some(slot)
    }

    /// A slot for a new id: a free one while there are, else the least recently seen one's.
    fn take_slot(&mut self, key: IdKey) -> u32 {
        let slot = if (self.used as usize) < self.entries.len() {
            self.used += 1;
            self.used - 1
        } else {
            let oldest = self.oldest;
            self.unlink(oldest);
            self.index.remove(&self.entries[oldest as usize].key);
            oldest
        };
        self.entries[slot as usize].key = key;
        self.index.insert(key, slot);
        self.push_newest(slot);
        slot
    }

    fn unlink(&mut self, slot: u32) {
        let Entry { newer, older, .. } = self.entries[slot as usize];
        match newer {
            NONE => self.newest = older,
            newer => self.entries[newer as usize].older = older,
        }
        match older {
            NONE => self.oldest = newer,
            older => self.entries[older as usize].newer = newer,
        }
    }

    fn push_newest(&mut self, slot: u32) {
        let entry = &mut self.entries[slot as usize];
        entry.newer = NONE;
        entry.older = self.newest;
        match self.newest {
            NONE => self.oldest = slot,
            newest => self.entries[newest as usize].newer = slot,
        }
        self.newest = slot;
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

    fn counted(terms: &[TermKey]) -> Seen {
        Seen::Counted(Counted {
            minute: 3,
            brands: 1,
            what: Contribution::plain(Tone::Positive, Platform::Mastodon),
            terms: terms.into(),
        })
    }

    /// The slab and its recency list behave as the `lru` crate's cache, over a long mix of
    /// sightings, records and lookups that wraps the slab many times.
    #[test]
    fn the_slab_forgets_exactly_what_an_lru_would() {
        let mut ledger = Ledger::new(50);
        let mut model: LruCache<String, Seen> = LruCache::new(NonZeroUsize::new(50).unwrap());
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for step in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let id = format!("post:{}", state % 120);
            match step % 3 {
                0 => assert_eq!(ledger.first_time(&id), model.get(&id).is_none(), "{step}"),
                1 => {
                    let seen = match state % 4 {
                        0 => Seen::Ignored,
                        1 => Seen::Deleted,
                        n => counted(&[n, state % 1000, step]),
                    };
                    ledger.record(&id, seen.clone());
                    model.put(id, seen);
                }
                _ => assert_eq!(ledger.get(&id), model.get(&id).cloned(), "{step}"),
            }
        }
        assert_eq!(ledger.terms_lost(), 0);
    }

    #[test]
    fn the_ledger_holds_the_memory_it_took_at_start_however_many_ids_pass() {
        let mut ledger = Ledger::new(1_000);
        let reserved = ledger.reserved_bytes();
        for n in 0..20_000u64 {
            let id = format!("post:{n}");
            assert!(ledger.first_time(&id));
            ledger.record(&id, counted(&[n, n + 1, n + 2, n + 3]));
            // Grown, the index would hold more than it was made for.
            assert!(ledger.index.capacity() <= ledger.index_capacity, "{n}");
        }
        assert_eq!(ledger.index.len(), 1_000);
        assert_eq!(ledger.reserved_bytes(), reserved);
        assert_eq!(
            ledger.get("post:19999"),
            Some(counted(&[19999, 20000, 20001, 20002]))
        );
        assert_eq!(ledger.terms_lost(), 0);
    }

    #[test]
    fn terms_come_back_until_newer_terms_overwrite_them() {
        let mut ledger = Ledger::with_term_pool(10, 8);
        ledger.record("old", counted(&[1, 2, 3]));
        ledger.record("new", counted(&[4, 5, 6, 7, 8]));
        assert_eq!(ledger.get("old"), Some(counted(&[1, 2, 3])));
        assert_eq!(ledger.get("new"), Some(counted(&[4, 5, 6, 7, 8])));
        // One more term wraps the ring over the oldest post's first term: the id is still
        // known, its terms are reported lost rather than read wrong.
        ledger.record("newer", counted(&[9]));
        assert_eq!(ledger.get("old"), Some(counted(&[])));
        assert_eq!(ledger.terms_lost(), 1);
        assert_eq!(ledger.get("new"), Some(counted(&[4, 5, 6, 7, 8])));
        assert_eq!(ledger.get("newer"), Some(counted(&[9])));
        // Recorded again (an edit), a post's terms are written anew.
        ledger.record("old", counted(&[10, 11]));
        assert_eq!(ledger.get("old"), Some(counted(&[10, 11])));
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
