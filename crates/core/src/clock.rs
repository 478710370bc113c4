//! Time as the analysis and the sources see it. Everything that asks "what time is it" goes
//! through a `Clock`, so that a replay at 100x and a test with a hand-moved clock compute the
//! same figures as a live wall.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;

    /// How long, in real time, until event time reaches `at`. Used by sources that pace
    /// scripted or recorded mentions.
    fn real_delay_until(&self, at: DateTime<Utc>) -> Duration;

    /// The event time `real` from now: when a source waiting `real` will try again, as the
    /// wall's clock will read then.
    fn event_time_after(&self, real: Duration) -> DateTime<Utc> {
        self.now() + TimeDelta::from_std(real).unwrap_or(TimeDelta::MAX)
    }
}

pub type SharedClock = Arc<dyn Clock>;

/// Event time that starts at `origin` and runs `speed` times faster than the real clock.
/// With `speed = 1` and `origin = Utc::now()` this is the ordinary wall clock.
#[derive(Debug, Clone)]
pub struct ScaledClock {
    origin: DateTime<Utc>,
    started: Instant,
    speed: f64,
}

impl ScaledClock {
    pub fn new(origin: DateTime<Utc>, speed: f64) -> Self {
        Self {
            origin,
            started: Instant::now(),
            speed: speed.max(f64::MIN_POSITIVE),
        }
    }

    pub fn realtime() -> Self {
        Self::new(Utc::now(), 1.0)
    }
}

impl Clock for ScaledClock {
    fn now(&self) -> DateTime<Utc> {
        let elapsed = self.started.elapsed().as_secs_f64() * self.speed;
        self.origin + TimeDelta::microseconds((elapsed * 1e6) as i64)
    }

    fn event_time_after(&self, real: Duration) -> DateTime<Utc> {
        let event = real.as_secs_f64() * self.speed;
        self.now() + TimeDelta::microseconds((event * 1e6).min(i64::MAX as f64) as i64)
    }

    fn real_delay_until(&self, at: DateTime<Utc>) -> Duration {
        let ahead = (at - self.now()).num_microseconds().unwrap_or(i64::MAX);
        if ahead <= 0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(ahead as f64 / 1e6 / self.speed)
        }
    }
}

/// A clock that only moves when told to: tests and the fast-forward of recorded history.
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<Mutex<DateTime<Utc>>>,
}

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        Self {
            now: Arc::new(Mutex::new(start)),
        }
    }

    pub fn set(&self, at: DateTime<Utc>) {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner) = at;
    }

    pub fn advance(&self, by: TimeDelta) {
        let mut now = self.now.lock().unwrap_or_else(PoisonError::into_inner);
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn real_delay_until(&self, _at: DateTime<Utc>) -> Duration {
        Duration::ZERO
    }
}

/// A display's clock: the hub's event time, taken from the hub's heartbeats, so that every
/// display computes its windows at the hub's "now" whatever its own clock and `--speed` say.
/// Until the first heartbeat it is the real clock.
#[derive(Debug)]
pub struct FollowedClock {
    inner: Mutex<ScaledClock>,
}

impl Default for FollowedClock {
    fn default() -> Self {
        Self {
            inner: Mutex::new(ScaledClock::realtime()),
        }
    }
}

impl FollowedClock {
    /// The hub's event time was `event_now` `age` ago (real time) and runs at `speed`. Small
    /// drifts are left alone: jumping back and forth by a few milliseconds at every heartbeat
    /// would move nothing on the wall but could move a minute boundary to and fro.
    pub fn follow(&self, event_now: DateTime<Utc>, speed: f64, age: Duration) {
        let speed = speed.max(f64::MIN_POSITIVE);
        let event_age = TimeDelta::microseconds((age.as_secs_f64() * speed * 1e6) as i64);
        let target = event_now + event_age;
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let drift = (inner.now() - target).abs();
        // A quarter second of real time, whatever the speed.
        let tolerated = TimeDelta::microseconds((0.25 * speed * 1e6) as i64);
        if inner.speed != speed || drift > tolerated {
            *inner = ScaledClock::new(target, speed);
        }
    }

    pub fn speed(&self) -> f64 {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .speed
    }
}

impl Clock for FollowedClock {
    fn now(&self) -> DateTime<Utc> {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .now()
    }

    fn real_delay_until(&self, at: DateTime<Utc>) -> Duration {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .real_delay_until(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaled_clock_runs_faster_and_paces_accordingly() {
        let origin = Utc::now();
        let clock = ScaledClock::new(origin, 600.0);
        std::thread::sleep(Duration::from_millis(20));
        let ran = clock.now() - origin;
        // 20 ms of real time at 600x is at least 12 s of event time.
        assert!(ran >= TimeDelta::seconds(12), "ran {ran}");
        let delay = clock.real_delay_until(clock.now() + TimeDelta::seconds(60));
        assert!(delay <= Duration::from_millis(101), "delay {delay:?}");
        assert!(delay >= Duration::from_millis(90), "delay {delay:?}");
    }

    #[test]
    fn a_followed_clock_takes_the_hubs_time_and_speed() {
        let clock = FollowedClock::default();
        let hub_now: DateTime<Utc> = "2026-11-20T10:00:00Z".parse().expect("time");
        // The heartbeat is half a second old: at 60x the hub is 30 s further on.
        clock.follow(hub_now, 60.0, Duration::from_millis(500));
        let now = clock.now();
        assert!(now >= hub_now + TimeDelta::seconds(30), "{now}");
        assert!(now < hub_now + TimeDelta::seconds(35), "{now}");
        assert_eq!(clock.speed(), 60.0);
        // A heartbeat within a quarter second of real time changes nothing.
        let before = clock.now();
        clock.follow(before + TimeDelta::seconds(5), 60.0, Duration::ZERO);
        assert!(clock.now() - before < TimeDelta::seconds(5));
        // A hub restarted on another day is followed at once.
        let other_day = hub_now + TimeDelta::days(1);
        clock.follow(other_day, 1.0, Duration::ZERO);
        assert!((clock.now() - other_day).abs() < TimeDelta::seconds(1));
    }

    #[test]
    fn manual_clock_moves_only_when_told() {
        let start = Utc::now();
        let clock = ManualClock::new(start);
        assert_eq!(clock.now(), start);
        clock.advance(TimeDelta::minutes(3));
        assert_eq!(clock.now(), start + TimeDelta::minutes(3));
    }
}
