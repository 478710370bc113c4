//! The alerts a display shows: those its hub raised, as they come over the bus. Alerts are
//! raised once, by the hub; a display only mirrors them, so every display shows the same list.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::engine::MAX_ENDED_KEPT;
use super::{Alert, AlertChange};

/// An alert's identity across hub restarts: its rule, its brand and when it started (the id a
/// hub gives starts again from 1 at each start).
type AlertKey = (String, Option<String>, DateTime<Utc>);

fn key_of(alert: &Alert) -> AlertKey {
    (alert.rule.clone(), alert.brand.clone(), alert.started_at)
}

#[derive(Debug, Default)]
pub struct RemoteAlerts {
    alerts: HashMap<AlertKey, Alert>,
    /// When the running hub started (event time): what an earlier hub left active was never
    /// ended by it, and the running one raises again whatever still holds.
    hub_started: Option<DateTime<Utc>>,
    /// The ids this display gives, unique for as long as it runs.
    next_id: u64,
}

impl RemoteAlerts {
    /// Takes a change in; one older than what is already known (a replay of the stream after
    /// the current state was read) changes nothing, and an ended alert stays ended.
    pub fn apply(&mut self, change: AlertChange) {
        let mut incoming = match change {
            AlertChange::Raised(alert)
            | AlertChange::Updated(alert)
            | AlertChange::Ended(alert) => alert,
        };
        if let Some(started) = self.hub_started
            && incoming.ended_at.is_none()
            && incoming.updated_at < started
        {
            incoming.ended_at = Some(started);
        }
        let key = key_of(&incoming);
        match self.alerts.get_mut(&key) {
            Some(known) => {
                let newer = (incoming.ended_at.is_some(), incoming.updated_at)
                    > (known.ended_at.is_some(), known.updated_at);
                if newer {
                    let id = known.id;
                    *known = Alert { id, ..incoming };
                }
            }
            None => {
                self.next_id += 1;
                let alert = Alert {
                    id: self.next_id,
                    ..incoming
                };
                self.alerts.insert(key, alert);
                self.forget_old_ended();
            }
        }
    }

    /// The hub (re)started at `at` (event time): alerts an earlier run left active end there.
    pub fn hub_started(&mut self, at: DateTime<Utc>) {
        if self.hub_started == Some(at) {
            return;
        }
        self.hub_started = Some(at);
        for alert in self.alerts.values_mut() {
            if alert.ended_at.is_none() && alert.updated_at < at {
                alert.ended_at = Some(at);
            }
        }
        self.forget_old_ended();
    }

    fn forget_old_ended(&mut self) {
        let mut ended: Vec<(DateTime<Utc>, AlertKey)> = self
            .alerts
            .iter()
            .filter_map(|(key, a)| a.ended_at.map(|at| (at, key.clone())))
            .collect();
        if ended.len() <= MAX_ENDED_KEPT {
            return;
        }
        ended.sort();
        for (_, key) in ended.iter().take(ended.len() - MAX_ENDED_KEPT) {
            self.alerts.remove(key);
        }
    }

    /// As the hub's engine lists them: active alerts, most severe and newest first, then the
    /// recently ended ones, newest first.
    pub fn alerts(&self) -> Vec<Alert> {
        let mut active: Vec<Alert> = self
            .alerts
            .values()
            .filter(|a| a.is_active())
            .cloned()
            .collect();
        active.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(b.started_at.cmp(&a.started_at))
        });
        let mut ended: Vec<Alert> = self
            .alerts
            .values()
            .filter(|a| !a.is_active())
            .cloned()
            .collect();
        ended.sort_by_key(|a| std::cmp::Reverse(a.ended_at));
        ended.truncate(MAX_ENDED_KEPT);
        active.extend(ended);
        active
    }

    pub fn active_count(&self) -> u32 {
        self.alerts.values().filter(|a| a.is_active()).count() as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::{Severity, Trigger};
    use chrono::TimeDelta;

    fn alert(rule: &str, started: DateTime<Utc>, updated: DateTime<Utc>, ended: bool) -> Alert {
        Alert {
            id: 7,
            rule: rule.into(),
            severity: Severity::Warning,
            brand: Some("Petit Loup".into()),
            trigger: Trigger::Keyword {
                word: "boycott".into(),
            },
            summary: format!("{rule} at {updated}"),
            evidence: Vec::new(),
            started_at: started,
            updated_at: updated,
            ended_at: ended.then_some(updated),
        }
    }

    #[test]
    fn an_older_change_read_after_the_current_state_changes_nothing() {
        let t0: DateTime<Utc> = "2026-11-20T10:00:00Z".parse().expect("time");
        let t1 = t0 + TimeDelta::minutes(5);
        let mut remote = RemoteAlerts::default();
        // The state stream gives the alert as it is now (ended), then the replay its raising.
        remote.apply(AlertChange::Ended(alert("boycott", t0, t1, true)));
        remote.apply(AlertChange::Raised(alert("boycott", t0, t0, false)));
        assert_eq!(remote.active_count(), 0);
        let listed = remote.alerts();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].ended_at, Some(t1));
    }

    #[test]
    fn the_same_rule_started_again_after_a_hub_restart_is_another_alert() {
        let t0: DateTime<Utc> = "2026-11-20T10:00:00Z".parse().expect("time");
        let mut remote = RemoteAlerts::default();
        remote.apply(AlertChange::Raised(alert("boycott", t0, t0, false)));
        let later = t0 + TimeDelta::hours(1);
        // Both carry id 7: the second hub run numbered its alerts from the start again.
        remote.apply(AlertChange::Raised(alert("boycott", later, later, false)));
        remote.apply(AlertChange::Updated(alert(
            "boycott",
            t0,
            t0 + TimeDelta::minutes(1),
            false,
        )));
        let listed = remote.alerts();
        assert_eq!(listed.len(), 2);
        assert_eq!(remote.active_count(), 2);
        assert_ne!(listed[0].id, listed[1].id);
        assert_eq!(listed[0].started_at, later, "newest first");
    }

    #[test]
    fn alerts_a_stopped_hub_left_active_end_when_the_next_one_starts() {
        let t0: DateTime<Utc> = "2026-11-20T10:00:00Z".parse().expect("time");
        let restart = t0 + TimeDelta::minutes(30);
        let mut remote = RemoteAlerts::default();
        remote.apply(AlertChange::Raised(alert("boycott", t0, t0, false)));
        remote.hub_started(restart);
        assert_eq!(remote.active_count(), 0);
        assert_eq!(remote.alerts()[0].ended_at, Some(restart));
        // Read again from the stream's replay, the old raising stays ended.
        remote.apply(AlertChange::Raised(alert("other", t0, t0, false)));
        assert_eq!(remote.active_count(), 0);
        // What the running hub raises is active.
        remote.apply(AlertChange::Raised(alert(
            "boycott", restart, restart, false,
        )));
        assert_eq!(remote.active_count(), 1);
    }

    #[test]
    fn only_the_most_recent_ended_alerts_are_kept() {
        let t0: DateTime<Utc> = "2026-11-20T10:00:00Z".parse().expect("time");
        let mut remote = RemoteAlerts::default();
        for i in 0..(MAX_ENDED_KEPT as i64 + 5) {
            let at = t0 + TimeDelta::minutes(i);
            remote.apply(AlertChange::Ended(alert("boycott", at, at, true)));
        }
        let listed = remote.alerts();
        assert_eq!(listed.len(), MAX_ENDED_KEPT);
        assert_eq!(
            listed[0].started_at,
            t0 + TimeDelta::minutes(MAX_ENDED_KEPT as i64 + 4)
        );
    }
}
