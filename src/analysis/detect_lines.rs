//! `vigie detect`: a `timestamp,value` CSV on one side, the same rows with an anomaly score on
//! the other, in NAB's result format. Streams: each row is scored and written before the next
//! is read, so it can sit at the end of a pipe that never closes.
//!
//! Real series have clocks that step back (an hour repeated when daylight saving ends, a clock
//! corrected): every row is scored in arrival order all the same, and the steps are counted
//! and said once on standard error, never an error.

use std::io::{BufRead, Write};

use vigie_anomaly::series::{RESULT_HEADER, Scored, SeriesError, check_header, parse_row};
use vigie_anomaly::{AnomalyDetector, Params};

#[derive(Debug, thiserror::Error)]
pub enum DetectError {
    #[error("standard input, {0}")]
    Input(#[from] SeriesError),
    #[error("writing: {0}")]
    Output(std::io::Error),
}

impl DetectError {
    /// The reader of our output went away (`vigie detect | head`): not a failure.
    pub fn is_closed_output(&self) -> bool {
        matches!(self, DetectError::Output(e) if e.kind() == std::io::ErrorKind::BrokenPipe)
    }
}

/// What a run read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DetectSummary {
    pub rows: usize,
    /// Rows whose timestamp was at or before the previous row's: scored in arrival order.
    pub clock_steps: usize,
}

pub fn detect_lines(
    mut input: impl BufRead,
    mut output: impl Write,
) -> Result<DetectSummary, DetectError> {
    let mut detector = AnomalyDetector::new(Params::default());
    let mut previous: Option<i64> = None;
    let mut summary = DetectSummary::default();
    writeln!(output, "{RESULT_HEADER}").map_err(DetectError::Output)?;
    // One buffer for every line, not a new string per row.
    let mut line = String::new();
    let mut number = 0;
    loop {
        line.clear();
        let read = input
            .read_line(&mut line)
            .map_err(|e| DetectError::Input(SeriesError::Io(e)))?;
        if read == 0 {
            break;
        }
        number += 1;
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        if number == 1 {
            check_header(&line)?;
            continue;
        }
        let row = parse_row(trimmed, number)?;
        if previous.is_some_and(|p| row.seconds <= p) {
            summary.clock_steps += 1;
            if summary.clock_steps == 1 {
                tracing::warn!(
                    line = number,
                    timestamp = %row.stamp,
                    "timestamp repeats or goes back: rows are scored in arrival order"
                );
            }
        }
        previous = Some(row.seconds);
        let score = detector.observe(row.seconds, row.value);
        writeln!(output, "{}", Scored(&row, score)).map_err(DetectError::Output)?;
        summary.rows += 1;
    }
    output.flush().map_err(DetectError::Output)?;
    if summary.clock_steps > 0 {
        tracing::warn!(
            rows = summary.rows,
            clock_steps = summary.clock_steps,
            "rows whose timestamp repeated or went back, scored in arrival order"
        );
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(values: &[f64]) -> String {
        let mut text = String::from("timestamp,value\n");
        for (i, v) in values.iter().enumerate() {
            let time = chrono::DateTime::from_timestamp(1_425_000_000 + i as i64 * 300, 0)
                .expect("valid time")
                .format("%Y-%m-%d %H:%M:%S");
            text.push_str(&format!("{time},{v}\n"));
        }
        text
    }

    fn scores(output: &[u8]) -> Vec<f64> {
        let text = String::from_utf8(output.to_vec()).expect("utf-8");
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("timestamp,value,anomaly_score"));
        lines
            .map(|l| {
                l.rsplit(',')
                    .next()
                    .and_then(|s| s.parse().ok())
                    .expect("score")
            })
            .collect()
    }

    #[test]
    fn every_row_comes_back_in_order_and_a_burst_stands_out() {
        // Two quiet weeks of a daily rhythm, then a burst at ten times the usual.
        let mut values: Vec<f64> = (0..4032)
            .map(|i| {
                let hour = (i % 288) as f64 / 12.0;
                (20.0 + 15.0 * (hour / 24.0 * std::f64::consts::TAU).sin() + (i % 7) as f64).round()
            })
            .collect();
        let burst_at = values.len();
        values.extend([300.0, 280.0, 150.0, 40.0, 30.0]);
        let mut output = Vec::new();
        let summary = detect_lines(csv(&values).as_bytes(), &mut output).expect("detects");
        assert_eq!(summary.rows, values.len());
        assert_eq!(summary.clock_steps, 0);
        let scores = scores(&output);
        assert_eq!(scores.len(), values.len());
        assert!(scores.iter().all(|s| (0.0..=1.0).contains(s)));
        let ordinary_max = scores[2016..burst_at].iter().cloned().fold(0.0, f64::max);
        // The detector's alarm level is an evidence of 2, a score of 2/3.
        assert!(
            scores[burst_at] > 2.0 / 3.0,
            "burst scored {}",
            scores[burst_at]
        );
        assert!(
            ordinary_max < 2.0 / 3.0,
            "ordinary days reached {ordinary_max}"
        );
        // One alarm for the storm, not one per bucket.
        assert!(scores[burst_at + 1] < scores[burst_at] / 2.0);
    }

    #[test]
    fn the_score_of_a_row_does_not_depend_on_later_rows() {
        let values: Vec<f64> = (0..600).map(|i| ((i * 37) % 23) as f64).collect();
        let mut whole = Vec::new();
        detect_lines(csv(&values).as_bytes(), &mut whole).expect("detects");
        let mut head = Vec::new();
        detect_lines(csv(&values[..400]).as_bytes(), &mut head).expect("detects");
        assert_eq!(scores(&whole)[..400], scores(&head)[..]);
    }

    #[test]
    fn bad_rows_are_located() {
        let error = detect_lines(
            "timestamp,value\n2015-03-01 00:00:00,3\n2015-03-01 00:05:00,x\n".as_bytes(),
            Vec::new(),
        )
        .expect_err("bad value");
        assert_eq!(
            error.to_string(),
            "standard input, line 3: unreadable value \"x\""
        );
    }

    #[test]
    fn rows_whose_clock_repeats_or_steps_back_are_scored_in_arrival_order() {
        // Two weeks of a daily rhythm at 5 minutes; the clock then repeats an hour (daylight
        // saving ends), later steps back a whole day, and a burst comes after both.
        let base = 1_425_000_000;
        let mut stamps: Vec<i64> = (0..4032).map(|i| base + i * 300).collect();
        let last = *stamps.last().expect("rows");
        stamps.extend((1..=12).map(|i| last - 3600 + i * 300));
        let last = *stamps.last().expect("rows");
        stamps.extend((1..=288).map(|i| last - 86_400 + i * 300));
        let mut values: Vec<f64> = (0..stamps.len())
            .map(|i| {
                let hour = (i % 288) as f64 / 12.0;
                (20.0 + 15.0 * (hour / 24.0 * std::f64::consts::TAU).sin() + (i % 7) as f64).round()
            })
            .collect();
        let burst_at = values.len();
        let last = *stamps.last().expect("rows");
        stamps.extend((1..=3).map(|i| last + i * 300));
        values.extend([300.0, 280.0, 150.0]);
        let mut text = String::from("timestamp,value\n");
        for (stamp, value) in stamps.iter().zip(&values) {
            let time = chrono::DateTime::from_timestamp(*stamp, 0)
                .expect("valid time")
                .format("%Y-%m-%d %H:%M:%S");
            text.push_str(&format!("{time},{value}\n"));
        }
        let mut output = Vec::new();
        let summary = detect_lines(text.as_bytes(), &mut output).expect("never an error");
        assert_eq!(summary.rows, values.len());
        // The first row of each step goes back; the rest of the repeated hour and day
        // move forward again from there.
        assert_eq!(summary.clock_steps, 2);
        let scores = scores(&output);
        assert_eq!(scores.len(), values.len(), "every row scored");
        assert!(scores.iter().all(|s| (0.0..=1.0).contains(s)));
        assert!(
            scores[burst_at] > 2.0 / 3.0,
            "the burst after the steps scored {}",
            scores[burst_at]
        );
    }
}
