//! Drops mentions already seen: a reconnect overlap, a replay restarted, a cross-post relayed
//! twice. Memory is bounded: the oldest ids are forgotten first.

use std::num::NonZeroUsize;

use lru::LruCache;

pub struct Deduper {
    seen: LruCache<String, ()>,
}

impl Deduper {
    pub fn new(capacity: usize) -> Self {
        let capacity = NonZeroUsize::new(capacity.max(1)).unwrap_or(NonZeroUsize::MIN);
        Self {
            seen: LruCache::new(capacity),
        }
    }

    /// True the first time an id is seen (within the remembered window).
    pub fn first_time(&mut self, id: &str) -> bool {
        if self.seen.get(id).is_some() {
            return false;
        }
        self.seen.put(id.to_string(), ());
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_counts_once() {
        let mut dedupe = Deduper::new(10);
        assert!(dedupe.first_time("mastodon:1"));
        assert!(!dedupe.first_time("mastodon:1"));
        assert!(dedupe.first_time("bluesky:1"));
    }

    #[test]
    fn memory_is_bounded_and_recent_ids_are_kept() {
        let mut dedupe = Deduper::new(3);
        for id in ["a", "b", "c"] {
            assert!(dedupe.first_time(id));
        }
        // Seeing "a" again refreshes it, so "b" is the oldest and is forgotten by "d".
        assert!(!dedupe.first_time("a"));
        assert!(dedupe.first_time("d"));
        assert!(!dedupe.first_time("a"));
        assert!(dedupe.first_time("b"));
    }
}
