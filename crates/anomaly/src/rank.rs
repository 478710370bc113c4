//! How rare a value is among the last N: an exact rolling rank over a sorted copy of the window.
//! N is a few thousand buckets, so the insert and the removal (a memmove of a few kilobytes)
//! cost microseconds, and the answer is exact where a sketch would be coarse in the very tail
//! that matters here.

use std::collections::VecDeque;

pub struct RollingRank {
    capacity: usize,
    arrival: VecDeque<f64>,
    sorted: Vec<f64>,
}

impl RollingRank {
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            arrival: VecDeque::new(),
            sorted: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.sorted.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sorted.is_empty()
    }

    /// The chance of a past value at least as high as `x`, with one pseudo-count so that a new
    /// record gets 1/(N+1), not zero.
    pub fn upper_tail(&self, x: f64) -> f64 {
        let at_least = self.sorted.len() - self.sorted.partition_point(|&v| v < x);
        (at_least as f64 + 1.0) / (self.sorted.len() as f64 + 1.0)
    }

    /// The chance of a past value at least as low as `x`, with one pseudo-count.
    pub fn lower_tail(&self, x: f64) -> f64 {
        let at_most = self.sorted.partition_point(|&v| v <= x);
        (at_most as f64 + 1.0) / (self.sorted.len() as f64 + 1.0)
    }

    /// The value below which a share `q` of the window lies (nearest rank); `None` when empty.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let last = self.sorted.len().checked_sub(1)?;
        let at = (q.clamp(0.0, 1.0) * last as f64).round() as usize;
        self.sorted.get(at).copied()
    }

    pub fn push(&mut self, x: f64) {
        if self.arrival.len() == self.capacity
            && let Some(oldest) = self.arrival.pop_front()
        {
            let at = self.sorted.partition_point(|&v| v < oldest);
            self.sorted.remove(at);
        }
        self.arrival.push_back(x);
        let at = self.sorted.partition_point(|&v| v < x);
        self.sorted.insert(at, x);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_gets_the_smallest_tail_and_old_values_leave() {
        let mut rank = RollingRank::new(4);
        for x in [5.0, 1.0, 3.0, 2.0] {
            rank.push(x);
        }
        assert_eq!(rank.upper_tail(6.0), 1.0 / 5.0);
        assert_eq!(rank.upper_tail(3.0), 3.0 / 5.0);
        assert_eq!(rank.upper_tail(0.0), 1.0);
        assert_eq!(rank.lower_tail(0.5), 1.0 / 5.0);
        assert_eq!(rank.lower_tail(2.0), 3.0 / 5.0);
        // 5 leaves the window: 4 becomes a record.
        rank.push(1.5);
        assert_eq!(rank.len(), 4);
        assert_eq!(rank.upper_tail(4.0), 1.0 / 5.0);
        assert_eq!(rank.quantile(0.0), Some(1.0));
        assert_eq!(rank.quantile(1.0), Some(3.0));
        assert_eq!(RollingRank::new(3).quantile(0.5), None);
    }

    #[test]
    fn ties_count_as_at_least_as_high() {
        let mut rank = RollingRank::new(10);
        for _ in 0..9 {
            rank.push(0.0);
        }
        assert_eq!(rank.upper_tail(0.0), 1.0);
        assert_eq!(rank.upper_tail(1.0), 0.1);
    }
}
