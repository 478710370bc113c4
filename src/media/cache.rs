//! What the wall holds of pictures, bounded in bytes (64 MB by default): each address is being
//! fetched, ready (its texture and its size in bytes), or failed (a placeholder is shown). The
//! least recently shown ready pictures go first when a new one would pass the bound; the
//! caller frees what is evicted (the wall, its textures).

use lru::LruCache;

/// A failed address costs this much in the bound: its entry, not a picture.
const FAILED_BYTES: usize = 256;

#[derive(Debug, Clone, PartialEq)]
pub enum Slot<V> {
    Pending,
    Ready { value: V, bytes: usize },
    Failed,
}

impl<V> Slot<V> {
    fn bytes(&self) -> usize {
        match self {
            Slot::Ready { bytes, .. } => *bytes,
            Slot::Pending | Slot::Failed => FAILED_BYTES,
        }
    }
}

pub struct PictureCache<V> {
    slots: LruCache<String, Slot<V>>,
    bytes: usize,
    limit: usize,
}

impl<V> PictureCache<V> {
    pub fn new(limit: usize) -> Self {
        Self {
            slots: LruCache::unbounded(),
            bytes: 0,
            limit,
        }
    }

    /// The bytes held, always at most the bound once `insert` has returned.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    pub fn limit(&self) -> usize {
        self.limit
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The address's slot, marked as just shown.
    pub fn get(&mut self, url: &str) -> Option<&Slot<V>> {
        self.slots.get(url)
    }

    /// Puts `slot` at `url` (replacing what was there); the values evicted to stay within the
    /// bound, for the caller to free. A picture larger than the whole bound is not kept: it
    /// is failed, and comes back evicted.
    pub fn insert(&mut self, url: &str, slot: Slot<V>) -> Vec<V> {
        let mut evicted = Vec::new();
        if let Some(old) = self.slots.pop(url) {
            self.bytes -= old.bytes();
            if let Slot::Ready { value, .. } = old {
                evicted.push(value);
            }
        }
        let slot = match slot {
            Slot::Ready { value, bytes } if bytes > self.limit => {
                evicted.push(value);
                Slot::Failed
            }
            slot => slot,
        };
        let needed = slot.bytes();
        while self.bytes + needed > self.limit {
            let Some((_, old)) = self.slots.pop_lru() else {
                break;
            };
            self.bytes -= old.bytes();
            if let Slot::Ready { value, .. } = old {
                evicted.push(value);
            }
        }
        self.bytes += needed;
        self.slots.put(url.to_string(), slot);
        evicted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_never_holds_more_bytes_than_its_bound() {
        let mut cache: PictureCache<u32> = PictureCache::new(1_000_000);
        assert!(
            cache
                .insert(
                    "a",
                    Slot::Ready {
                        value: 1,
                        bytes: 400_000
                    }
                )
                .is_empty()
        );
        assert!(
            cache
                .insert(
                    "b",
                    Slot::Ready {
                        value: 2,
                        bytes: 400_000
                    }
                )
                .is_empty()
        );
        // "a" shown again: "b" is now the least recently shown.
        assert!(cache.get("a").is_some());
        let evicted = cache.insert(
            "c",
            Slot::Ready {
                value: 3,
                bytes: 400_000,
            },
        );
        assert_eq!(evicted, [2]);
        assert!(cache.bytes() <= cache.limit());
        assert_eq!(cache.get("b"), None);
        // Larger than the whole bound: refused, and given back to be freed.
        assert_eq!(
            cache.insert(
                "huge",
                Slot::Ready {
                    value: 4,
                    bytes: 2_000_000
                }
            ),
            [4]
        );
        assert_eq!(cache.get("huge"), Some(&Slot::Failed));
        for i in 0..10_000 {
            cache.insert(
                &format!("x{i}"),
                Slot::Ready {
                    value: 9,
                    bytes: 90_000,
                },
            );
            assert!(cache.bytes() <= cache.limit());
        }
        assert!(cache.len() <= 12);
    }
}
