//! YouTube's daily quota: 10,000 units a project by default, renewed at midnight Pacific
//! time; a search costs 100, a page of comments or of channels 1. The source counts what it
//! spends, paces its searches so that a day's polling fits, and stops for the day before
//! Google refuses it.

use std::time::Duration;

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc, Weekday};

/// What each call costs, as YouTube's quota calculator gives it.
pub const SEARCH_COST: u64 = 100;
pub const LIST_COST: u64 = 1;

/// The share of the quota polling plans to use: the rest is margin for retries and for the
/// pages a busy hour needs beyond one.
const PLANNED_SHARE: f64 = 0.9;

/// The units spent on one Pacific day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaDay {
    pub day: NaiveDate,
    pub used: u64,
}

impl QuotaDay {
    pub fn new(now: DateTime<Utc>) -> Self {
        Self {
            day: pacific_day(now),
            used: 0,
        }
    }

    /// Counts `cost` units spent at `now` (a new Pacific day starts from nothing); `false`
    /// and nothing counted when they would go past `limit`.
    pub fn spend(&mut self, cost: u64, limit: u64, now: DateTime<Utc>) -> bool {
        self.roll(now);
        if self.used + cost > limit {
            return false;
        }
        self.used += cost;
        true
    }

    /// Gives back `cost` units counted for a call that never reached Google.
    pub fn refund(&mut self, cost: u64) {
        self.used = self.used.saturating_sub(cost);
    }

    /// The day's units as YouTube saw them: all spent (Google said `quotaExceeded`).
    pub fn exhaust(&mut self, limit: u64, now: DateTime<Utc>) {
        self.roll(now);
        self.used = self.used.max(limit);
    }

    pub fn used(&mut self, now: DateTime<Utc>) -> u64 {
        self.roll(now);
        self.used
    }

    fn roll(&mut self, now: DateTime<Utc>) {
        let today = pacific_day(now);
        if today != self.day {
            *self = QuotaDay {
                day: today,
                used: 0,
            };
        }
    }
}

/// How often the searches can run so that a day of them, with the comment pages polled every
/// `poll`, fits in `daily_quota`: `None` when the comments alone take the quota.
pub fn search_interval(
    queries: usize,
    comment_targets: usize,
    poll: Duration,
    daily_quota: u64,
) -> Option<Duration> {
    if queries == 0 {
        return Some(poll);
    }
    let day = 86_400.0;
    let polls_a_day = (day / poll.as_secs_f64().max(1.0)).ceil();
    let comments = comment_targets as f64 * polls_a_day * LIST_COST as f64;
    let budget = daily_quota as f64 * PLANNED_SHARE - comments;
    // A search and the page of channels that gives its authors' audiences.
    let per_round = queries as f64 * (SEARCH_COST + LIST_COST) as f64;
    if budget < per_round {
        return None;
    }
    Some(Duration::from_secs_f64(
        (day * per_round / budget).max(poll.as_secs_f64()),
    ))
}

/// The date in California, where YouTube's quota day begins and ends.
pub fn pacific_day(now: DateTime<Utc>) -> NaiveDate {
    (now + pacific_offset(now)).date_naive()
}

/// When the quota is renewed after `now`: the next Pacific midnight.
pub fn renewal_after(now: DateTime<Utc>) -> DateTime<Utc> {
    let next_day = pacific_day(now).succ_opt().unwrap_or(NaiveDate::MAX);
    let midnight = next_day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    // Midnight there is midnight minus the offset here; the offset of the moment itself.
    let guess = midnight - pacific_offset(midnight);
    midnight - pacific_offset(guess)
}

/// UTC−7 in daylight saving time (second Sunday of March, 2 am, to first Sunday of November,
/// 2 am), UTC−8 otherwise: the US rule since 2007. Written out rather than a time-zone
/// database for one zone.
fn pacific_offset(now: DateTime<Utc>) -> TimeDelta {
    let year = now.year();
    let start = nth_sunday(year, 3, 2).and_hms_opt(10, 0, 0); // 2 am PST = 10:00 UTC
    let end = nth_sunday(year, 11, 1).and_hms_opt(9, 0, 0); // 2 am PDT = 09:00 UTC
    match (start, end) {
        (Some(start), Some(end)) if now.naive_utc() >= start && now.naive_utc() < end => {
            TimeDelta::hours(-7)
        }
        _ => TimeDelta::hours(-8),
    }
}

fn nth_sunday(year: i32, month: u32, n: u8) -> NaiveDate {
    NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Sun, n).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().expect("time")
    }

    #[test]
    fn the_quota_day_is_california_s_and_is_renewed_at_its_midnight() {
        // 07:59 UTC on 25 November is 23:59 the day before in California (PST).
        assert_eq!(
            pacific_day(at("2026-11-25T07:59:00Z")),
            NaiveDate::from_ymd_opt(2026, 11, 24).expect("date")
        );
        assert_eq!(
            renewal_after(at("2026-11-25T07:59:00Z")),
            at("2026-11-25T08:00:00Z")
        );
        // In July (PDT) midnight there is 07:00 UTC.
        assert_eq!(
            renewal_after(at("2026-07-14T12:00:00Z")),
            at("2026-07-15T07:00:00Z")
        );
        let mut day = QuotaDay::new(at("2026-11-25T07:00:00Z"));
        assert!(day.spend(9_950, 10_000, at("2026-11-25T07:10:00Z")));
        assert!(
            !day.spend(100, 10_000, at("2026-11-25T07:20:00Z")),
            "past the quota"
        );
        assert!(
            day.spend(100, 10_000, at("2026-11-25T08:01:00Z")),
            "a new day"
        );
        assert_eq!(day.used(at("2026-11-25T08:02:00Z")), 100);
        day.refund(100);
        assert_eq!(
            day.used(at("2026-11-25T08:03:00Z")),
            0,
            "a call that never reached Google"
        );
    }

    #[test]
    fn searches_are_paced_to_fit_the_day_beside_the_comments() {
        let five_minutes = Duration::from_secs(300);
        // Two searches, two comment feeds polled every 5 min: 576 units of comments, 8,424
        // left for 202-unit rounds: one every 34 min 32 s.
        let interval = search_interval(2, 2, five_minutes, 10_000).expect("fits");
        assert_eq!(interval.as_secs(), 2_071);
        let rounds = 86_400 / interval.as_secs();
        assert!(
            rounds * 202 + 2 * 288 <= 9_000,
            "a day fits in the planned share"
        );
        assert_eq!(
            search_interval(0, 3, five_minutes, 10_000),
            Some(five_minutes)
        );
        assert_eq!(
            search_interval(1, 40, Duration::from_secs(60), 10_000),
            None,
            "forty comment feeds a minute take the whole quota"
        );
    }
}
