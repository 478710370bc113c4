//! `timestamp,value` CSV, the input of `vigie detect` and the format of NAB's data files.

use chrono::{DateTime, NaiveDateTime};
use std::io::BufRead;

#[derive(Debug, thiserror::Error)]
pub enum SeriesError {
    #[error("line {line}: {message}")]
    Line { line: usize, message: String },
    #[error("reading: {0}")]
    Io(#[from] std::io::Error),
}

/// One row, with its timestamp as written (it is printed back as is) and in Unix seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub stamp: String,
    pub seconds: i64,
    pub value: f64,
}

/// Reads `2015-02-26 21:42:53`, with an optional fraction, `T` separator, or RFC 3339 offset,
/// or plain Unix seconds.
pub fn parse_timestamp(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Some(seconds) = parse_plain(text.as_bytes()) {
        return Some(seconds);
    }
    if let Ok(seconds) = text.parse::<i64>() {
        return Some(seconds);
    }
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Some(time.timestamp());
    }
    [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
    .map(|time| time.and_utc().timestamp())
}

/// `2015-02-26 21:42:53` (or with a `T`), NAB's own form, read without chrono's format
/// parser, which was most of `vigie detect`'s time per row; anything else (and a leap second)
/// goes to the general parser.
fn parse_plain(b: &[u8]) -> Option<i64> {
    if b.len() != 19
        || b[4] != b'-'
        || b[7] != b'-'
        || !(b[10] == b' ' || b[10] == b'T')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        b[range].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let year = i32::try_from(number(0..4)?).ok()?;
    let (month, day) = (number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if second > 59 {
        return None;
    }
    let time =
        chrono::NaiveDate::from_ymd_opt(year, month, day)?.and_hms_opt(hour, minute, second)?;
    Some(time.and_utc().timestamp())
}

/// Parses one data line (1-based `line` for the error).
pub fn parse_row(text: &str, line: usize) -> Result<Row, SeriesError> {
    let located = |message: String| SeriesError::Line { line, message };
    let (stamp, value) = text
        .split_once(',')
        .ok_or_else(|| located(format!("expected `timestamp,value`, got {text:?}")))?;
    let seconds =
        parse_timestamp(stamp).ok_or_else(|| located(format!("unreadable timestamp {stamp:?}")))?;
    let value: f64 = value
        .trim()
        .parse()
        .map_err(|_| located(format!("unreadable value {:?}", value.trim())))?;
    if !value.is_finite() {
        return Err(located(format!("value {value} is not a finite number")));
    }
    Ok(Row {
        stamp: stamp.trim().to_string(),
        seconds,
        value,
    })
}

/// The header of a scored series: NAB's result files and `vigie detect`'s output.
pub const RESULT_HEADER: &str = "timestamp,value,anomaly_score";

/// Checks the first line of a series: `timestamp,value` (case, spaces and a byte-order mark
/// aside).
pub fn check_header(line: &str) -> Result<(), SeriesError> {
    let header = line.trim().trim_start_matches('\u{feff}').replace(' ', "");
    if header.eq_ignore_ascii_case("timestamp,value") {
        Ok(())
    } else {
        Err(SeriesError::Line {
            line: 1,
            message: format!("expected the header `timestamp,value`, got {line:?}"),
        })
    }
}

/// A row with its score, as a line of a result file (without the newline).
pub struct Scored<'a>(pub &'a Row, pub f64);

impl std::fmt::Display for Scored<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{},{},{:.6}", self.0.stamp, self.0.value, self.1)
    }
}

/// Reads a whole CSV with a `timestamp,value` header (the header is required: NAB files and
/// `vigie detect` both have it, and a missing one usually means the wrong file).
pub fn read_csv(input: impl BufRead) -> Result<Vec<Row>, SeriesError> {
    let mut rows = Vec::new();
    for (index, line) in input.lines().enumerate() {
        let line = line?;
        let number = index + 1;
        if number == 1 {
            check_header(&line)?;
            continue;
        }
        if line.trim().is_empty() {
            continue;
        }
        rows.push(parse_row(&line, number)?);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nab_rows_and_locates_errors() {
        let rows = read_csv(
            "timestamp,value\n2015-02-26 21:42:53,104\n2015-02-26 21:47:53,100.5\n".as_bytes(),
        )
        .expect("valid csv");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].stamp, "2015-02-26 21:42:53");
        assert_eq!(rows[1].seconds - rows[0].seconds, 300);
        assert_eq!(rows[1].value, 100.5);

        let error = read_csv(
            "timestamp,value\n2015-02-26 21:42:53,1\n2015-02-26 21:47:53,abc\n".as_bytes(),
        )
        .expect_err("bad value");
        assert_eq!(error.to_string(), "line 3: unreadable value \"abc\"");
        let error = read_csv("time,count\n".as_bytes()).expect_err("bad header");
        assert!(error.to_string().starts_with("line 1: expected the header"));
        let error = read_csv("timestamp,value\nyesterday,3\n".as_bytes()).expect_err("bad time");
        assert_eq!(
            error.to_string(),
            "line 2: unreadable timestamp \"yesterday\""
        );
    }

    #[test]
    fn the_plain_form_reads_as_the_general_parser_does() {
        let general = |t: &str| {
            NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S")
                .ok()
                .map(|time| time.and_utc().timestamp())
        };
        for text in [
            "2015-02-26 21:42:53",
            "1970-01-01 00:00:00",
            "2024-02-29 23:59:59",
            "2023-02-29 10:00:00",
            "2015-13-01 00:00:00",
            "2015-02-26 24:00:00",
            "2015-02-26 21:61:00",
        ] {
            assert_eq!(parse_timestamp(text), general(text), "{text}");
        }
        assert_eq!(
            parse_timestamp("2015-02-26T21:42:53"),
            general("2015-02-26 21:42:53")
        );
        // Not the plain form: the general parser decides.
        assert_eq!(parse_plain(b"2015-02-26 21:42:5x"), None);
        assert_eq!(parse_plain(b"2015-02-26 21:42:60"), None);
        assert_eq!(parse_plain(b"+015-02-26 21:42:53"), None);
    }

    #[test]
    fn timestamps_in_several_spellings() {
        let expected = parse_timestamp("2015-02-26 21:42:53");
        assert!(expected.is_some());
        assert_eq!(parse_timestamp("2015-02-26T21:42:53Z"), expected);
        assert_eq!(parse_timestamp("2015-02-26 21:42:53.000000"), expected);
        assert_eq!(parse_timestamp("1424986973"), expected);
    }
}
