//! Threads allows 2,200 keyword searches in any 24 hours. The source counts its searches by
//! hour over the last day, waits when the next one would go past the allowance, and keeps
//! the count in its cursor so that a restart does not forget what it spent.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Searches allowed in any 24 hours, per user.
pub const DAILY_SEARCHES: u64 = 2_200;
/// The share of it that polling plans to use: the rest is margin for the restarts.
const PLANNED_SHARE: f64 = 0.9;

/// Searches made, by hour, over the last 24 hours.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchBudget {
    /// `(unix hour, searches)`, oldest first.
    hours: Vec<(i64, u64)>,
}

impl SearchBudget {
    /// Searches in the 24 hours before `now` (the current hour included).
    pub fn used(&self, now: DateTime<Utc>) -> u64 {
        let hour = now.timestamp().div_euclid(3600);
        self.hours
            .iter()
            .filter(|(h, _)| *h > hour - 24)
            .map(|(_, n)| n)
            .sum()
    }

    /// Counts one search at `now`; `false` and nothing counted when the allowance is spent.
    pub fn spend(&mut self, now: DateTime<Utc>) -> bool {
        if self.used(now) >= DAILY_SEARCHES {
            return false;
        }
        let hour = now.timestamp().div_euclid(3600);
        self.hours.retain(|(h, _)| *h > hour - 24);
        match self.hours.last_mut() {
            Some((h, n)) if *h == hour => *n += 1,
            _ => self.hours.push((hour, 1)),
        }
        true
    }

    /// When a search is possible again: the end of the oldest counted hour.
    pub fn free_at(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        let hour = now.timestamp().div_euclid(3600);
        let oldest = self
            .hours
            .iter()
            .find(|(h, _)| *h > hour - 24)
            .map_or(hour, |(h, _)| *h);
        DateTime::from_timestamp((oldest + 24) * 3600, 0).unwrap_or(now)
    }
}

/// The shortest polling period for `queries` searches a round that fits the day.
pub fn min_poll_seconds(queries: usize) -> u64 {
    (queries as f64 * 86_400.0 / (DAILY_SEARCHES as f64 * PLANNED_SHARE)).ceil() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn searches_are_counted_over_a_rolling_day_and_refused_past_the_allowance() {
        let start: DateTime<Utc> = "2026-11-25T10:20:00Z".parse().expect("time");
        let mut budget = SearchBudget::default();
        for _ in 0..DAILY_SEARCHES {
            assert!(budget.spend(start));
        }
        assert!(!budget.spend(start + chrono::TimeDelta::hours(23)));
        assert_eq!(
            budget.free_at(start),
            "2026-11-26T10:00:00Z"
                .parse::<DateTime<Utc>>()
                .expect("time")
        );
        assert!(
            budget.spend(start + chrono::TimeDelta::hours(24)),
            "a day later"
        );
        assert_eq!(budget.used(start + chrono::TimeDelta::hours(24)), 1);
        assert_eq!(min_poll_seconds(2), 88);
    }
}
