//! How rare a value is among the last N: an exact rolling rank over a sorted copy of the window.
//! The copy is cut into sorted blocks of at most `2 * BLOCK` values, so an insert and a removal
//! move a few hundred bytes instead of half the window (a memmove of tens of kilobytes a post
//! for the alert engine's 5,000 velocities), and the answer stays exact where a sketch would be
//! coarse in the very tail that matters here.

use std::collections::VecDeque;

/// A block is split above twice this many values and merged into a neighbour below a quarter.
const BLOCK: usize = 128;

pub struct RollingRank {
    capacity: usize,
    arrival: VecDeque<f64>,
    /// Sorted blocks, each sorted, every value of a block at most every value of the next.
    blocks: Vec<Vec<f64>>,
    len: usize,
}

impl RollingRank {
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            arrival: VecDeque::new(),
            blocks: Vec::new(),
            len: 0,
        }
    }

    /// The most values the window holds.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The chance of a past value at least as high as `x`, with one pseudo-count so that a new
    /// record gets 1/(N+1), not zero.
    pub fn upper_tail(&self, x: f64) -> f64 {
        let at_least = self.len - self.count_where(|v| v < x);
        (at_least as f64 + 1.0) / (self.len as f64 + 1.0)
    }

    /// The chance of a past value at least as low as `x`, with one pseudo-count.
    pub fn lower_tail(&self, x: f64) -> f64 {
        let at_most = self.count_where(|v| v <= x);
        (at_most as f64 + 1.0) / (self.len as f64 + 1.0)
    }

    /// The value below which a share `q` of the window lies (nearest rank); `None` when empty.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let last = self.len.checked_sub(1)?;
        let mut at = (q.clamp(0.0, 1.0) * last as f64).round() as usize;
        for block in &self.blocks {
            if at < block.len() {
                return Some(block[at]);
            }
            at -= block.len();
        }
        None
    }

    pub fn push(&mut self, x: f64) {
        if self.arrival.len() == self.capacity
            && let Some(oldest) = self.arrival.pop_front()
        {
            self.remove(oldest);
        }
        self.arrival.push_back(x);
        self.insert(x);
    }

    /// How many values `below` holds for, `below` being true for a prefix of the sorted values.
    fn count_where(&self, below: impl Fn(f64) -> bool) -> usize {
        let block = self
            .blocks
            .partition_point(|b| b.last().is_some_and(|&v| below(v)));
        let before: usize = self.blocks[..block].iter().map(Vec::len).sum();
        before
            + self
                .blocks
                .get(block)
                .map_or(0, |b| b.partition_point(|&v| below(v)))
    }

    /// The block where `x` belongs: the first whose last value is not below it, else the last.
    fn block_for(&self, x: f64) -> usize {
        self.blocks
            .partition_point(|b| b.last().is_some_and(|&v| v < x))
            .min(self.blocks.len().saturating_sub(1))
    }

    fn insert(&mut self, x: f64) {
        self.len += 1;
        if self.blocks.is_empty() {
            self.blocks.push(vec![x]);
            return;
        }
        let index = self.block_for(x);
        let block = &mut self.blocks[index];
        let at = block.partition_point(|&v| v < x);
        block.insert(at, x);
        if block.len() > 2 * BLOCK {
            let upper = block.split_off(BLOCK);
            self.blocks.insert(index + 1, upper);
        }
    }

    fn remove(&mut self, x: f64) {
        if self.blocks.is_empty() {
            return;
        }
        // The first block whose last value is not below `x` holds `x`: a copy in a later block
        // would make that last value both at least and at most `x`.
        let index = self.block_for(x);
        let block = &mut self.blocks[index];
        let at = block.partition_point(|&v| v < x);
        if at == block.len() {
            return;
        }
        block.remove(at);
        self.len -= 1;
        if block.len() < BLOCK / 4 && self.blocks.len() > 1 {
            let small = self.blocks.remove(index);
            // Into the neighbour on its left when there is one: order is kept either way.
            let into = index.saturating_sub(1).min(self.blocks.len() - 1);
            let neighbour = &mut self.blocks[into];
            if into < index {
                neighbour.extend(small);
            } else {
                neighbour.splice(0..0, small);
            }
            if neighbour.len() > 2 * BLOCK {
                let upper = neighbour.split_off(neighbour.len() / 2);
                self.blocks.insert(into + 1, upper);
            }
        }
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

    /// The same window kept as one sorted vector: the definition the blocks must agree with.
    struct Plain {
        capacity: usize,
        arrival: VecDeque<f64>,
        sorted: Vec<f64>,
    }

    impl Plain {
        fn push(&mut self, x: f64) {
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

    #[test]
    fn the_blocks_answer_as_one_sorted_window_would() {
        // Few distinct values (many ties across blocks), then many; a window far wider than a
        // block so that blocks split and merge.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for (capacity, distinct) in [(1, 3), (5, 2), (2_000, 7), (3_000, 1_000_000)] {
            let mut blocks = RollingRank::new(capacity);
            let mut plain = Plain {
                capacity,
                arrival: VecDeque::new(),
                sorted: Vec::new(),
            };
            for step in 0..12_000 {
                // A drifting level, so old values leave from one end of the order.
                let x = (next() % distinct) as f64 + (step / 3_000) as f64 * 0.5;
                blocks.push(x);
                plain.push(x);
                assert_eq!(blocks.len(), plain.sorted.len());
                if step % 97 == 0 {
                    let probe = (next() % (distinct + 4)) as f64;
                    let n = plain.sorted.len() as f64 + 1.0;
                    let at_least =
                        plain.sorted.len() - plain.sorted.partition_point(|&v| v < probe);
                    let at_most = plain.sorted.partition_point(|&v| v <= probe);
                    assert_eq!(blocks.upper_tail(probe), (at_least as f64 + 1.0) / n);
                    assert_eq!(blocks.lower_tail(probe), (at_most as f64 + 1.0) / n);
                    for q in [0.0, 0.25, 0.5, 0.999, 1.0] {
                        let last = plain.sorted.len() - 1;
                        let at = (q * last as f64).round() as usize;
                        assert_eq!(blocks.quantile(q), Some(plain.sorted[at]), "q {q}");
                    }
                }
            }
        }
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
