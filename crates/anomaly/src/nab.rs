//! The Numenta Anomaly Benchmark's scoring, written from its published rules:
//!
//! - each labelled anomaly has a window; a detection inside it scores by how early it comes,
//!   a scaled sigmoid of its position, from `tp` at the left edge down to 0 at the right edge;
//!   only the best (earliest) detection of a window counts;
//! - a detection outside every window costs `fp` times the same sigmoid of its distance past
//!   the previous window's end (so a late echo of an anomaly costs little), the full `fp` before
//!   the first window;
//! - a window without detection costs `fn`;
//! - the first 15 % of each file (at most 750 rows) is probation: not scored;
//! - a detection is a row whose score reaches the threshold, and one threshold is chosen for the
//!   whole corpus, the one that maximises the summed score;
//! - the sum is normalised so that a detector that never fires scores 0 and a perfect one 100.

use std::collections::HashMap;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use crate::series::{Row, SeriesError, parse_timestamp, read_csv};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Profile {
    pub name: &'static str,
    pub tp: f64,
    pub fp: f64,
    pub fn_: f64,
}

pub const PROFILES: [Profile; 3] = [
    Profile {
        name: "standard",
        tp: 1.0,
        fp: 0.11,
        fn_: 1.0,
    },
    Profile {
        name: "reward_low_FP_rate",
        tp: 1.0,
        fp: 0.22,
        fn_: 1.0,
    },
    Profile {
        name: "reward_low_FN_rate",
        tp: 1.0,
        fp: 0.11,
        fn_: 2.0,
    },
];

const PROBATION_SHARE: f64 = 0.15;
const PROBATION_MAX_ROWS: f64 = 750.0;

#[derive(Debug, thiserror::Error)]
pub enum NabError {
    #[error("{path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Series { path: PathBuf, source: SeriesError },
    #[error("{path}: not valid JSON: {source}")]
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("{path}: {message}")]
    Labels { path: PathBuf, message: String },
}

/// One data file with its anomaly windows, as row indices (inclusive).
#[derive(Debug, Clone)]
pub struct LabelledSeries {
    pub name: String,
    pub rows: Vec<Row>,
    pub windows: Vec<(usize, usize)>,
}

/// The result for one profile.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileScore {
    pub profile: Profile,
    /// Normalised: 0 for the null detector, 100 for the perfect one.
    pub score: f64,
    pub threshold: f64,
    pub raw: f64,
    pub windows: usize,
    pub windows_detected: usize,
    /// Detections outside windows (after probation) at the chosen threshold.
    pub false_positives: usize,
}

/// Reads `windows.json` in `dir` and every data file it names. A file is looked for at its
/// relative path under `dir` (NAB's `data/` layout) and then by its bare name.
pub fn load_corpus(dir: &Path) -> Result<Vec<LabelledSeries>, NabError> {
    let labels_path = dir.join("windows.json");
    let text = std::fs::read_to_string(&labels_path).map_err(|source| NabError::Read {
        path: labels_path.clone(),
        source,
    })?;
    let labels: HashMap<String, Vec<(String, String)>> =
        serde_json::from_str(&text).map_err(|source| NabError::Json {
            path: labels_path.clone(),
            source,
        })?;
    let mut keys: Vec<&String> = labels.keys().collect();
    keys.sort();
    let mut corpus = Vec::new();
    for key in keys {
        let path = data_path(dir, key);
        let file = File::open(&path).map_err(|source| NabError::Read {
            path: path.clone(),
            source,
        })?;
        let rows = read_csv(BufReader::new(file)).map_err(|source| NabError::Series {
            path: path.clone(),
            source,
        })?;
        let index: HashMap<i64, usize> = rows
            .iter()
            .enumerate()
            .map(|(i, row)| (row.seconds, i))
            .collect();
        let row_of = |stamp: &str| {
            parse_timestamp(stamp)
                .and_then(|seconds| index.get(&seconds).copied())
                .ok_or_else(|| NabError::Labels {
                    path: labels_path.clone(),
                    message: format!("{key}: window edge {stamp} is not a row of the file"),
                })
        };
        let mut windows = Vec::new();
        for (start, end) in &labels[key] {
            let (start, end) = (row_of(start)?, row_of(end)?);
            if end < start {
                return Err(NabError::Labels {
                    path: labels_path.clone(),
                    message: format!("{key}: a window ends before it starts"),
                });
            }
            windows.push((start, end));
        }
        windows.sort_unstable();
        corpus.push(LabelledSeries {
            name: key.clone(),
            rows,
            windows,
        });
    }
    Ok(corpus)
}

fn data_path(dir: &Path, key: &str) -> PathBuf {
    let nested = dir.join(key);
    if nested.exists() {
        return nested;
    }
    let bare = Path::new(key)
        .file_name()
        .map(Path::new)
        .unwrap_or(Path::new(key));
    dir.join(bare)
}

fn scaled_sigmoid(position: f64) -> f64 {
    if position >= 3.0 {
        -1.0
    } else {
        2.0 / (1.0 + (5.0 * position).exp()) - 1.0
    }
}

/// What detecting one scored row (past probation) is worth under a profile, whatever its score:
/// the TP sigmoid inside a window, the (negative) FP cost outside. The leave-one-out evaluation
/// sweeps thresholds over these, so they are computed once per series and profile.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RowWorth {
    pub row: usize,
    pub worth: f64,
    /// The series' own window index (into `LabelledSeries::windows`).
    pub window: Option<usize>,
}

/// A scored row: its anomaly score, what detecting it is worth, and its window (global index).
struct Point {
    score: f64,
    worth: f64,
    window: Option<usize>,
}

pub fn probation_rows(rows: usize) -> usize {
    (PROBATION_SHARE * rows as f64)
        .floor()
        .min(PROBATION_MAX_ROWS) as usize
}

/// The worth of every row past probation, in row order.
pub fn row_worths(series: &LabelledSeries, profile: Profile) -> Vec<RowWorth> {
    let rows = series.rows.len();
    let probation = probation_rows(rows);
    let best_tp = scaled_sigmoid(-1.0);
    let mut windows = series.windows.iter().enumerate().peekable();
    let mut current: Option<(usize, usize, usize)> = None;
    let mut previous: Option<(usize, f64)> = None;
    let mut out = Vec::with_capacity(rows.saturating_sub(probation));
    for row in 0..rows {
        if current.is_none()
            && let Some(&(index, &(start, end))) = windows.peek()
            && start == row
        {
            current = Some((index, start, end));
            windows.next();
        }
        let (worth, window) = match current {
            Some((index, start, end)) => {
                let width = (end - start + 1) as f64;
                let position = -((end as f64 - row as f64 + 1.0) / width);
                (scaled_sigmoid(position) * profile.tp / best_tp, Some(index))
            }
            None => {
                let position = match previous {
                    None => 3.0,
                    Some((end, width)) => (row - end) as f64 / (width - 1.0).max(1.0),
                };
                (scaled_sigmoid(position) * profile.fp, None)
            }
        };
        if row >= probation {
            out.push(RowWorth { row, worth, window });
        }
        if let Some((_, start, end)) = current
            && row == end
        {
            previous = Some((end, (end - start + 1) as f64));
            current = None;
        }
    }
    out
}

fn points(
    series: &LabelledSeries,
    scores: &[f64],
    profile: Profile,
    first_window: usize,
    out: &mut Vec<Point>,
) {
    for w in row_worths(series, profile) {
        if let Some(&score) = scores.get(w.row) {
            out.push(Point {
                score,
                worth: w.worth,
                window: w.window.map(|i| first_window + i),
            });
        }
    }
}

/// Scores a corpus: `scores[i]` holds one anomaly score per row of `corpus[i]`.
pub fn score_corpus(corpus: &[LabelledSeries], scores: &[Vec<f64>]) -> Vec<ProfileScore> {
    PROFILES
        .iter()
        .map(|&profile| score_profile(corpus, scores, profile))
        .collect()
}

pub fn score_profile(
    corpus: &[LabelledSeries],
    scores: &[Vec<f64>],
    profile: Profile,
) -> ProfileScore {
    let windows: usize = corpus.iter().map(|s| s.windows.len()).sum();
    let mut all = Vec::new();
    let mut first_window = 0;
    for (series, scores) in corpus.iter().zip(scores) {
        points(series, scores, profile, first_window, &mut all);
        first_window += series.windows.len();
    }
    all.sort_by(|a, b| b.score.total_cmp(&a.score));

    let mut window_worth = vec![-profile.fn_; windows];
    let mut window_sum = -profile.fn_ * windows as f64;
    let mut fp_sum = 0.0;
    let (mut detected, mut false_positives) = (0, 0);
    let mut best = (window_sum, f64::INFINITY, 0, 0);
    let mut i = 0;
    while i < all.len() {
        let threshold = all[i].score;
        while i < all.len() && all[i].score == threshold {
            let point = &all[i];
            match point.window {
                None => {
                    fp_sum += point.worth;
                    false_positives += 1;
                }
                Some(w) if point.worth > window_worth[w] => {
                    if window_worth[w] == -profile.fn_ {
                        detected += 1;
                    }
                    window_sum += point.worth - window_worth[w];
                    window_worth[w] = point.worth;
                }
                Some(_) => {}
            }
            i += 1;
        }
        if window_sum + fp_sum > best.0 {
            best = (window_sum + fp_sum, threshold, detected, false_positives);
        }
    }
    let null = -profile.fn_ * windows as f64;
    let perfect = profile.tp * windows as f64;
    let (raw, threshold, windows_detected, false_positives) = best;
    ProfileScore {
        profile,
        score: if perfect > null {
            100.0 * (raw - null) / (perfect - null)
        } else {
            0.0
        },
        threshold,
        raw,
        windows,
        windows_detected,
        false_positives,
    }
}

/// For the tests of this crate: a flat series of `rows` rows, 5 minutes apart (probation: the
/// first 15 %), with the given windows.
#[cfg(test)]
pub(crate) fn flat_series(name: &str, rows: usize, windows: Vec<(usize, usize)>) -> LabelledSeries {
    LabelledSeries {
        name: name.into(),
        rows: (0..rows)
            .map(|i| Row {
                stamp: i.to_string(),
                seconds: i as i64 * 300,
                value: 0.0,
            })
            .collect(),
        windows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(rows: usize, windows: Vec<(usize, usize)>) -> LabelledSeries {
        flat_series("test.csv", rows, windows)
    }

    #[test]
    fn null_scores_zero_and_perfect_scores_one_hundred() {
        let corpus = vec![series(2000, vec![(800, 899), (1500, 1599)])];
        let null = score_corpus(&corpus, &[vec![0.5; 2000]]);
        for result in &null {
            assert!(result.score.abs() < 1e-9, "{result:?}");
        }
        let mut perfect = vec![0.0; 2000];
        perfect[800] = 1.0;
        perfect[1500] = 1.0;
        for result in score_corpus(&corpus, &[perfect]) {
            assert!((result.score - 100.0).abs() < 1e-9, "{result:?}");
            assert_eq!(result.windows_detected, 2);
            assert_eq!(result.false_positives, 0);
        }
    }

    #[test]
    fn late_detections_are_worth_less_and_false_positives_cost() {
        let corpus = vec![series(2000, vec![(800, 899)])];
        let standard = PROFILES[0];
        let at = |row: usize| {
            let mut scores = vec![0.0; 2000];
            scores[row] = 1.0;
            score_profile(&corpus, &[scores], standard).raw
        };
        // Half-way in the window: 2*sigmoid(2.5)-1 over the best, about 0.86.
        let middle = at(849);
        assert!((middle - 0.8483 / 0.9866).abs() < 0.01, "{middle}");
        assert!(at(800) > at(849) && at(849) > at(899));
        // Two detections in the same window count once.
        let mut twice = vec![0.0; 2000];
        twice[800] = 1.0;
        twice[849] = 1.0;
        assert!((score_profile(&corpus, &[twice], standard).raw - 1.0).abs() < 1e-9);
        // A detection before any window costs the full fp weight (on top of the window found).
        let mut early_fp = vec![0.0; 2000];
        early_fp[800] = 1.0;
        early_fp[760] = 1.0;
        let result = score_profile(&corpus, &[early_fp], standard);
        assert!((result.raw - (1.0 - 0.11)).abs() < 1e-9, "{result:?}");
        // Probation rows (the first 15 %, here 300) are not scored.
        let mut in_probation = vec![0.0; 2000];
        in_probation[10] = 1.0;
        in_probation[800] = 1.0;
        assert!((score_profile(&corpus, &[in_probation], standard).raw - 1.0).abs() < 1e-9);
    }

    #[test]
    fn a_false_positive_just_after_a_window_costs_little() {
        let corpus = vec![series(3000, vec![(800, 899)])];
        let standard = PROFILES[0];
        let with_fp = |row: usize| {
            let mut scores = vec![0.0; 3000];
            scores[800] = 1.0;
            scores[row] = 1.0;
            1.0 - score_profile(&corpus, &[scores], standard).raw
        };
        assert!(with_fp(905) < 0.11 * 0.3);
        assert!((with_fp(2500) - 0.11).abs() < 1e-9);
    }
}
