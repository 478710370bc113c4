//! `/metrics`: the wall's counters in Prometheus's text format, for the IT team's monitoring.
//! Counts only: no post, author or alert text.

use std::fmt::Write;

use crate::model::{Figures, HealthState};

/// The exposition of `figures` (none yet: the analysis has not sent any), with the frames the
/// wall drew.
pub fn exposition(figures: Option<&Figures>, frames_drawn: u64) -> String {
    let mut out = String::with_capacity(2048);
    let mut metric = |name: &str, kind: &str, help: &str, samples: &[(String, f64)]| {
        let _ = writeln!(out, "# HELP vigie_{name} {help}");
        let _ = writeln!(out, "# TYPE vigie_{name} {kind}");
        for (labels, value) in samples {
            let _ = writeln!(out, "vigie_{name}{labels} {value}");
        }
    };
    metric(
        "frames_drawn_total",
        "counter",
        "Frames the wall has drawn.",
        &[(String::new(), frames_drawn as f64)],
    );
    let Some(figures) = figures else {
        return out;
    };
    let total = |value: u64| vec![(String::new(), value as f64)];
    metric(
        "mentions_analysed_total",
        "counter",
        "Mentions the analysis counted.",
        &total(figures.processed),
    );
    metric(
        "mentions_duplicate_total",
        "counter",
        "Mentions dropped as copies of one already counted.",
        &total(figures.duplicates),
    );
    metric(
        "mentions_unmatched_total",
        "counter",
        "Mentions about no configured brand.",
        &total(figures.unmatched),
    );
    metric(
        "mentions_too_late_total",
        "counter",
        "Mentions older than the analysis accepts.",
        &total(figures.too_late),
    );
    metric(
        "wall_dropped_total",
        "counter",
        "Updates a busy wall could not take.",
        &total(figures.wall_dropped),
    );
    metric(
        "history_lost_total",
        "counter",
        "Events the history could not store.",
        &total(figures.history_lost),
    );
    metric(
        "history_ok",
        "gauge",
        "1 while the history is written, 0 while it cannot be.",
        &total(u64::from(figures.history_problem.is_none())),
    );
    metric(
        "alerts_active",
        "gauge",
        "Alerts in progress.",
        &total(u64::from(figures.active_alerts)),
    );
    let per_source = |value: &dyn Fn(&crate::model::SourceHealth) -> f64| -> Vec<(String, f64)> {
        figures
            .sources
            .iter()
            .map(|s| (format!("{{source=\"{}\"}}", escape(&s.name)), value(s)))
            .collect()
    };
    metric(
        "source_received_total",
        "counter",
        "Mentions a source received.",
        &per_source(&|s| s.received as f64),
    );
    metric(
        "source_malformed_total",
        "counter",
        "Items a source could not read.",
        &per_source(&|s| s.malformed as f64),
    );
    metric(
        "source_dropped_total",
        "counter",
        "Mentions a source could not hand to a busy analysis.",
        &per_source(&|s| s.dropped as f64),
    );
    metric(
        "source_up",
        "gauge",
        "1 while a source is live, 0 while it is starting, stale, failed or finished.",
        &per_source(&|s| f64::from(u8::from(s.state == HealthState::Live))),
    );
    metric(
        "source_stale_seconds",
        "gauge",
        "Seconds since a stale source last received anything (0 when it is not stale).",
        &per_source(&|s| match s.state {
            HealthState::Stale { since } => (figures.now - since).num_seconds().max(0) as f64,
            _ => 0.0,
        }),
    );
    metric(
        "source_lag_seconds",
        "gauge",
        "Seconds since a source last delivered a mention, on the wall's clock (absent before its first).",
        &figures
            .sources
            .iter()
            .filter_map(|s| {
                let last = s.last_received?;
                Some((
                    format!("{{source=\"{}\"}}", escape(&s.name)),
                    (figures.now - last).num_seconds().max(0) as f64,
                ))
            })
            .collect::<Vec<_>>(),
    );
    out
}

/// A label value as the format wants it: backslash, quote and newline escaped.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SourceHealth;

    #[test]
    fn counters_and_sources_are_exposed_and_labels_escaped() {
        let now: chrono::DateTime<chrono::Utc> = "2026-12-06T14:00:00Z".parse().expect("time");
        let figures = Figures {
            now,
            processed: 1_234,
            active_alerts: 2,
            sources: vec![
                SourceHealth {
                    name: "mastodon \"fr\"".into(),
                    state: HealthState::Live,
                    received: 900,
                    malformed: 3,
                    dropped: 0,
                    last_received: Some(now - chrono::TimeDelta::seconds(12)),
                    newest_post: None,
                    per_minute: 0.0,
                    quota: None,
                },
                SourceHealth {
                    name: "rss".into(),
                    state: HealthState::Stale {
                        since: now - chrono::TimeDelta::minutes(5),
                    },
                    received: 12,
                    malformed: 0,
                    dropped: 0,
                    last_received: Some(now - chrono::TimeDelta::minutes(5)),
                    newest_post: None,
                    per_minute: 0.0,
                    quota: None,
                },
            ],
            ..Figures::default()
        };
        let text = exposition(Some(&figures), 42);
        for line in [
            "vigie_frames_drawn_total 42",
            "vigie_mentions_analysed_total 1234",
            "vigie_alerts_active 2",
            "vigie_source_received_total{source=\"mastodon \\\"fr\\\"\"} 900",
            "vigie_source_up{source=\"rss\"} 0",
            "vigie_source_stale_seconds{source=\"rss\"} 300",
            "vigie_source_lag_seconds{source=\"mastodon \\\"fr\\\"\"} 12",
            "vigie_source_lag_seconds{source=\"rss\"} 300",
            "# TYPE vigie_source_up gauge",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} missing in\n{text}");
        }
        assert!(!exposition(None, 0).contains("mentions_analysed"));
    }
}
