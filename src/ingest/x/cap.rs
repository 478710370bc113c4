//! X counts every post a stream delivers against the project's monthly read cap (a million
//! on Pro), renewed on the subscription's day of the month. The source counts
//! what it reads, shows it, keeps it in its cursor, and stops before X cuts it off.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The posts read in the current cap period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthlyReads {
    /// The first day of the period counted.
    pub since: NaiveDate,
    pub used: u64,
}

impl MonthlyReads {
    pub fn new(now: DateTime<Utc>, renewal_day: u32) -> Self {
        Self {
            since: period_start(now, renewal_day),
            used: 0,
        }
    }

    /// Posts read in the period of `now` (a new period starts from nothing).
    pub fn used(&mut self, now: DateTime<Utc>, renewal_day: u32) -> u64 {
        let start = period_start(now, renewal_day);
        if start != self.since {
            *self = MonthlyReads {
                since: start,
                used: 0,
            };
        }
        self.used
    }

    pub fn count(&mut self, now: DateTime<Utc>, renewal_day: u32) {
        self.used(now, renewal_day);
        self.used += 1;
    }
}

/// The day the period of `now` began: the last `renewal_day` (the month's last day in a
/// shorter month) on or before today.
pub fn period_start(now: DateTime<Utc>, renewal_day: u32) -> NaiveDate {
    let today = now.date_naive();
    let in_month = |year: i32, month: u32| {
        (1..=renewal_day.clamp(1, 31))
            .rev()
            .find_map(|day| NaiveDate::from_ymd_opt(year, month, day))
            .unwrap_or(today)
    };
    let this_month = in_month(today.year(), today.month());
    if this_month <= today {
        this_month
    } else if today.month() == 1 {
        in_month(today.year() - 1, 12)
    } else {
        in_month(today.year(), today.month() - 1)
    }
}

/// When the period of `now` ends.
pub fn next_renewal(now: DateTime<Utc>, renewal_day: u32) -> DateTime<Utc> {
    let start = period_start(now, renewal_day);
    // The start of the period that contains a day a month and a bit later.
    let probe = start + chrono::Days::new(32);
    let next = period_start(
        probe.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc(),
        renewal_day,
    );
    next.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().expect("time")
    }

    #[test]
    fn the_cap_period_runs_from_the_renewal_day_and_short_months_end_it_early() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("date");
        assert_eq!(
            period_start(at("2026-11-25T12:00:00Z"), 1),
            day(2026, 11, 1)
        );
        assert_eq!(
            period_start(at("2026-11-10T12:00:00Z"), 15),
            day(2026, 10, 15)
        );
        assert_eq!(
            period_start(at("2026-01-10T12:00:00Z"), 15),
            day(2025, 12, 15)
        );
        assert_eq!(
            period_start(at("2026-02-28T12:00:00Z"), 31),
            day(2026, 2, 28)
        );
        assert_eq!(
            next_renewal(at("2026-11-25T12:00:00Z"), 1),
            at("2026-12-01T00:00:00Z")
        );
        assert_eq!(
            next_renewal(at("2026-01-31T12:00:00Z"), 31),
            at("2026-02-28T00:00:00Z")
        );
        let mut reads = MonthlyReads::new(at("2026-11-30T23:00:00Z"), 1);
        reads.count(at("2026-11-30T23:00:00Z"), 1);
        assert_eq!(reads.used(at("2026-11-30T23:59:00Z"), 1), 1);
        assert_eq!(reads.used(at("2026-12-01T00:01:00Z"), 1), 0, "a new month");
    }
}
