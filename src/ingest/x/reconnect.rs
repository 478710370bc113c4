//! Reconnection as X documents it for its streams, one schedule per kind of failure: a network
//! error waits 250 ms more at each try (up to 16 s), an HTTP error 5 s doubling (up to 320 s),
//! a 429 one minute doubling (or until `x-rate-limit-reset`, whichever is later). A
//! connection that delivered for a while starts the schedules over.

use std::time::Duration;

/// Why the stream was lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lost {
    /// TCP or TLS: refused, reset, silent past the keep-alives.
    Network,
    /// An HTTP error other than 429 (5xx, a 503 "service unavailable", an operational
    /// disconnect sent in the stream).
    Http,
    /// 429: too many connections, or the rate limit.
    TooMany,
}

/// How many times in a row each kind has failed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reconnect {
    network: u32,
    http: u32,
    too_many: u32,
}

impl Reconnect {
    /// The wait before the next try after a failure of `kind`, counted.
    pub fn after(&mut self, kind: Lost) -> Duration {
        match kind {
            Lost::Network => {
                self.network += 1;
                Duration::from_millis(250 * u64::from(self.network)).min(Duration::from_secs(16))
            }
            Lost::Http => {
                self.http += 1;
                doubling(Duration::from_secs(5), self.http, Duration::from_secs(320))
            }
            Lost::TooMany => {
                self.too_many += 1;
                // X gives no ceiling; an hour is where waiting longer stops making sense.
                doubling(
                    Duration::from_secs(60),
                    self.too_many,
                    Duration::from_secs(3600),
                )
            }
        }
    }

    /// The stream delivered: the next failure starts its schedule over.
    pub fn connected(&mut self) {
        *self = Reconnect::default();
    }
}

fn doubling(first: Duration, attempt: u32, cap: Duration) -> Duration {
    first
        .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
        .min(cap)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_failure_has_the_schedule_x_documents() {
        let mut reconnect = Reconnect::default();
        let network: Vec<u64> = (0..3)
            .map(|_| reconnect.after(Lost::Network).as_millis() as u64)
            .collect();
        assert_eq!(network, [250, 500, 750]);
        let http: Vec<u64> = (0..8)
            .map(|_| reconnect.after(Lost::Http).as_secs())
            .collect();
        assert_eq!(http, [5, 10, 20, 40, 80, 160, 320, 320]);
        let too_many: Vec<u64> = (0..3)
            .map(|_| reconnect.after(Lost::TooMany).as_secs())
            .collect();
        assert_eq!(too_many, [60, 120, 240]);
        for _ in 0..100 {
            reconnect.after(Lost::Network);
        }
        assert_eq!(reconnect.after(Lost::Network), Duration::from_secs(16));
        reconnect.connected();
        assert_eq!(
            reconnect.after(Lost::Http),
            Duration::from_secs(5),
            "starts over"
        );
    }
}
