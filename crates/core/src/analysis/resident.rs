//! Memory allocated and written at start-up, for the structures that fill anyway as the day
//! goes on: their pages are then resident from the start, and the wall's RSS does not climb
//! for hours as they fill (`vigie bench soak` checks it is flat).

use std::hash::Hash;

use rustc_hash::FxHashMap;

/// A slice of `len` copies of `value`, written now.
pub fn resident_slice<T: Clone>(len: usize, value: T) -> Box<[T]> {
    let mut out = Vec::with_capacity(len);
    out.resize(len, value);
    out.into_boxed_slice()
}

/// An empty map with room for `capacity` entries whose buckets are written now: filled once
/// with `capacity` distinct keys made by `key`, then cleared (which keeps the allocation).
pub fn resident_map<K: Eq + Hash, V: Default>(
    capacity: usize,
    key: impl Fn(u64) -> K,
) -> FxHashMap<K, V> {
    let mut map = FxHashMap::with_capacity_and_hasher(capacity, Default::default());
    for n in 0..capacity as u64 {
        map.insert(key(n), V::default());
    }
    map.clear();
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resident_map_is_empty_and_keeps_the_room_it_was_made_with() {
        let map: FxHashMap<u64, u32> = resident_map(3584, |n| n);
        assert!(map.is_empty());
        assert_eq!(map.capacity(), 3584);
        assert_eq!(&*resident_slice(3, 7u8), &[7, 7, 7]);
    }
}
