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
    fn manual_clock_moves_only_when_told() {
        let start = Utc::now();
        let clock = ManualClock::new(start);
        assert_eq!(clock.now(), start);
        clock.advance(TimeDelta::minutes(3));
        assert_eq!(clock.now(), start + TimeDelta::minutes(3));
    }
}
