//! What a polled source has already sent, so that a listing read again (the same page at the
//! next poll, an overlap kept on purpose so that nothing falls between two polls) counts each
//! post once, and a post whose version changed (an edited review, an edited comment) goes out
//! as an edit.

use std::num::NonZeroUsize;

use lru::LruCache;

/// How a post read now compares with what was sent before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Novelty {
    New,
    /// Sent before, in another version: an edit.
    Changed,
    /// Sent before, as it is.
    Known,
}

/// The last `capacity` posts sent, by id, with their version (an update time, an edit count).
pub struct SeenPosts {
    versions: LruCache<String, String>,
}

impl SeenPosts {
    pub fn new(capacity: usize) -> Self {
        Self {
            versions: LruCache::new(
                NonZeroUsize::new(capacity.max(1)).unwrap_or(NonZeroUsize::MIN),
            ),
        }
    }

    /// Records `id` at `version` and says what it is to what was sent before.
    pub fn note(&mut self, id: &str, version: &str) -> Novelty {
        match self.versions.get_mut(id) {
            Some(seen) if seen == version => Novelty::Known,
            Some(seen) => {
                *seen = version.to_string();
                Novelty::Changed
            }
            None => {
                self.versions.put(id.to_string(), version.to_string());
                Novelty::New
            }
        }
    }

    /// Whether `id` was sent, in whatever version.
    pub fn contains(&self, id: &str) -> bool {
        self.versions.contains(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_post_is_new_once_then_known_and_changed_when_its_version_moves() {
        let mut seen = SeenPosts::new(2);
        assert_eq!(seen.note("a", "1"), Novelty::New);
        assert_eq!(seen.note("a", "1"), Novelty::Known);
        assert_eq!(seen.note("a", "2"), Novelty::Changed);
        assert_eq!(seen.note("a", "2"), Novelty::Known);
        seen.note("b", "1");
        seen.note("c", "1");
        assert!(!seen.contains("a"), "bounded: the oldest is forgotten");
    }
}
