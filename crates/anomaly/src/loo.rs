//! Leave-one-series-out evaluation: how the detector scores on a series it was not fitted on.
//!
//! NAB's published figures choose the threshold on the very files they score (in-sample). A
//! detector whose parameters were also chosen on those files scores high there and can fall on
//! other series. Here each series is held out in turn: the parameter set (from a small list of
//! candidates) and each profile's threshold are chosen on every *other* series of the pool, all
//! groups together, and only then is the held-out series scored with them. A group's
//! leave-one-out score adds up the held-out contributions of its series and normalises them as
//! NAB does (0 = a detector that never fires, 100 = perfect).
//!
//! Choosing on a pool of several groups (real tweets, synthetic series) weights each group
//! equally: the objective is the mean of the groups' normalised scores, so the 33 windows of the
//! tweets do not drown the 6 of the synthetic series, and false positives on a group without
//! windows still cost.

use crate::detector::{Params, score_series};
use crate::nab::{LabelledSeries, PROFILES, Profile, row_worths};

/// The scores of one (sub)group under one profile.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// NAB-normalised: 0 never fires, 100 perfect. `None` for a group without windows, which
    /// has no scale to normalise by (see `raw` and `false_positives`).
    pub score: Option<f64>,
    /// The profile's sum: window worths, minus missed windows, minus false positives.
    pub raw: f64,
    pub windows_detected: usize,
    /// Detections outside windows, past probation.
    pub false_positives: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProfileReport {
    pub profile: Profile,
    /// Parameters `candidates[0]`, threshold chosen on this group's own series (as NAB's
    /// published per-group results are).
    pub in_sample: Outcome,
    pub in_sample_threshold: f64,
    /// Each series scored with the candidate and threshold chosen without it.
    pub leave_one_out: Outcome,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GroupReport {
    pub name: String,
    pub series: usize,
    pub windows: usize,
    /// In `nab::PROFILES` order.
    pub profiles: Vec<ProfileReport>,
    /// The group split by the folder of its series' names (`artificialWithAnomaly/…`,
    /// `artificialNoAnomaly/…`) when it has more than one; empty otherwise.
    pub subgroups: Vec<GroupReport>,
}

/// What one fold chose, per profile, without looking at its held-out series.
#[derive(Debug, Clone, PartialEq)]
pub struct Fold {
    pub held_out: String,
    pub group: String,
    /// Per profile, in `nab::PROFILES` order: (index into the candidates, threshold).
    pub choices: Vec<(usize, f64)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    pub groups: Vec<GroupReport>,
    pub folds: Vec<Fold>,
}

/// Scores every series with every candidate, then evaluates. `candidates[0]` is the parameter
/// set scored in-sample (the shipped default); the others are the alternatives each fold may
/// choose instead.
pub fn evaluate_groups(
    groups: &[(String, Vec<LabelledSeries>)],
    candidates: &[Params],
) -> Evaluation {
    let scores: Vec<Vec<Vec<f64>>> = candidates
        .iter()
        .map(|params| {
            groups
                .iter()
                .flat_map(|(_, series)| series)
                .map(|s| score_series(params, s.rows.iter().map(|r| (r.seconds, r.value))))
                .collect()
        })
        .collect();
    evaluate_scores(groups, &scores)
}

/// One scored row past probation: its score under a candidate and what detecting it is worth.
#[derive(Clone, Copy)]
struct Point {
    score: f64,
    worth: f64,
    /// Global window index, or `NONE`.
    window: usize,
    series: usize,
}

const NONE: usize = usize::MAX;

/// The pool flattened: series in group order, windows numbered across all series.
struct Pool<'a> {
    series: Vec<&'a LabelledSeries>,
    group_of: Vec<usize>,
    first_window: Vec<usize>,
    windows: usize,
    groups: usize,
}

impl<'a> Pool<'a> {
    fn new(groups: &'a [(String, Vec<LabelledSeries>)]) -> Self {
        let mut pool = Pool {
            series: Vec::new(),
            group_of: Vec::new(),
            first_window: Vec::new(),
            windows: 0,
            groups: groups.len(),
        };
        for (g, (_, series)) in groups.iter().enumerate() {
            for s in series {
                pool.series.push(s);
                pool.group_of.push(g);
                pool.first_window.push(pool.windows);
                pool.windows += s.windows.len();
            }
        }
        pool
    }

    /// Every scored row of every series, highest score first.
    fn points(&self, scores: &[Vec<f64>], profile: Profile) -> Vec<Point> {
        let mut points = Vec::new();
        for (k, series) in self.series.iter().enumerate() {
            let scores = scores.get(k).map_or(&[][..], Vec::as_slice);
            for w in row_worths(series, profile) {
                points.push(Point {
                    score: scores.get(w.row).copied().unwrap_or(0.0),
                    worth: w.worth,
                    window: w.window.map_or(NONE, |i| self.first_window[k] + i),
                    series: k,
                });
            }
        }
        points.sort_by(|a, b| b.score.total_cmp(&a.score));
        points
    }
}

/// The threshold that maximises the weighted sum of the included series' outcomes, and that
/// sum's gain over never firing. `weight[k]` scales series `k` (0 leaves it out). Ties keep the
/// highest threshold; `f64::INFINITY` means never firing is best.
fn best_threshold(
    points: &[Point],
    weight: &[f64],
    windows: usize,
    profile: Profile,
) -> (f64, f64) {
    let mut window_worth = vec![-profile.fn_; windows];
    let mut gain = 0.0;
    let mut best = (f64::INFINITY, 0.0);
    let mut i = 0;
    while i < points.len() {
        let threshold = points[i].score;
        while i < points.len() && points[i].score == threshold {
            let p = points[i];
            i += 1;
            let w = weight[p.series];
            if w == 0.0 {
                continue;
            }
            if p.window == NONE {
                gain += w * p.worth;
            } else if p.worth > window_worth[p.window] {
                gain += w * (p.worth - window_worth[p.window]);
                window_worth[p.window] = p.worth;
            }
        }
        if gain > best.1 {
            best = (threshold, gain);
        }
    }
    best
}

/// One series' outcome at a threshold (its scores against its own windows).
fn series_outcome(
    series: &LabelledSeries,
    scores: &[f64],
    profile: Profile,
    threshold: f64,
) -> (f64, usize, usize) {
    let mut window_worth = vec![-profile.fn_; series.windows.len()];
    let (mut fp_sum, mut fps) = (0.0, 0);
    for w in row_worths(series, profile) {
        if scores.get(w.row).copied().unwrap_or(0.0) < threshold {
            continue;
        }
        match w.window {
            None => {
                fp_sum += w.worth;
                fps += 1;
            }
            Some(i) => window_worth[i] = window_worth[i].max(w.worth),
        }
    }
    let detected = window_worth.iter().filter(|&&v| v > -profile.fn_).count();
    (window_worth.iter().sum::<f64>() + fp_sum, detected, fps)
}

/// Adds up series outcomes into a group outcome, normalised over the group's windows.
fn outcome(parts: &[(f64, usize, usize)], windows: usize, profile: Profile) -> Outcome {
    let raw: f64 = parts.iter().map(|p| p.0).sum();
    let null = -profile.fn_ * windows as f64;
    let perfect = profile.tp * windows as f64;
    Outcome {
        score: (windows > 0).then(|| 100.0 * (raw - null) / (perfect - null)),
        raw,
        windows_detected: parts.iter().map(|p| p.1).sum(),
        false_positives: parts.iter().map(|p| p.2).sum(),
    }
}

/// Per-series weights that make the objective the mean of the groups' normalised scores over
/// the series kept (`keep`); a group left without windows weighs as one window.
fn weights(pool: &Pool, keep: impl Fn(usize) -> bool, profile: Profile) -> Vec<f64> {
    let mut windows = vec![0usize; pool.groups];
    for (k, s) in pool.series.iter().enumerate() {
        if keep(k) {
            windows[pool.group_of[k]] += s.windows.len();
        }
    }
    (0..pool.series.len())
        .map(|k| {
            if keep(k) {
                1.0 / ((profile.tp + profile.fn_) * windows[pool.group_of[k]].max(1) as f64)
            } else {
                0.0
            }
        })
        .collect()
}

/// The evaluation from precomputed scores: `scores[c][k]` holds candidate `c`'s scores for the
/// `k`-th series of the groups taken in order. Candidate 0 is the one scored in-sample.
pub fn evaluate_scores(
    groups: &[(String, Vec<LabelledSeries>)],
    scores: &[Vec<Vec<f64>>],
) -> Evaluation {
    let pool = Pool::new(groups);
    let n = pool.series.len();
    let empty: Vec<Vec<f64>> = Vec::new();
    let scores_of = |c: usize| scores.get(c).unwrap_or(&empty);

    // points[c][p]: every row of the pool, sorted, for candidate c and profile p.
    let points: Vec<Vec<Vec<Point>>> = (0..scores.len().max(1))
        .map(|c| {
            PROFILES
                .iter()
                .map(|&p| pool.points(scores_of(c), p))
                .collect()
        })
        .collect();

    // Each fold: the best candidate and threshold on the other series, per profile.
    let mut folds = Vec::with_capacity(n);
    // held_out[p][k]: series k's outcome under the choice made without it.
    let mut held_out = vec![vec![(0.0, 0, 0); n]; PROFILES.len()];
    for k in 0..n {
        let mut choices = Vec::with_capacity(PROFILES.len());
        for (p, &profile) in PROFILES.iter().enumerate() {
            let weight = weights(&pool, |j| j != k, profile);
            let mut best = (0, f64::INFINITY, f64::NEG_INFINITY);
            for (c, by_profile) in points.iter().enumerate() {
                let (threshold, gain) =
                    best_threshold(&by_profile[p], &weight, pool.windows, profile);
                if gain > best.2 {
                    best = (c, threshold, gain);
                }
            }
            let (c, threshold, _) = best;
            let own = scores_of(c).get(k).map_or(&[][..], Vec::as_slice);
            held_out[p][k] = series_outcome(pool.series[k], own, profile, threshold);
            choices.push((c, threshold));
        }
        folds.push(Fold {
            held_out: pool.series[k].name.clone(),
            group: groups[pool.group_of[k]].0.clone(),
            choices,
        });
    }

    let mut reports = Vec::with_capacity(groups.len());
    let mut first = 0;
    for (name, series) in groups {
        let members: Vec<usize> = (first..first + series.len()).collect();
        first += series.len();
        let mut report = group_report(
            &pool,
            name,
            &members,
            &points[0],
            scores_of(0),
            &held_out,
            None,
        );
        let folders = subgroups(&pool, &members);
        if folders.len() > 1 {
            let parent: Vec<f64> = report
                .profiles
                .iter()
                .map(|p| p.in_sample_threshold)
                .collect();
            report.subgroups = folders
                .iter()
                .map(|(folder, members)| {
                    group_report(
                        &pool,
                        folder,
                        members,
                        &points[0],
                        scores_of(0),
                        &held_out,
                        Some(&parent),
                    )
                })
                .collect();
        }
        reports.push(report);
    }
    Evaluation {
        groups: reports,
        folds,
    }
}

/// The series of a group split by the folder part of their names, in first-seen order.
fn subgroups(pool: &Pool, members: &[usize]) -> Vec<(String, Vec<usize>)> {
    let mut folders: Vec<(String, Vec<usize>)> = Vec::new();
    for &k in members {
        let name = &pool.series[k].name;
        let folder = name.rsplit_once('/').map_or("", |(f, _)| f).to_string();
        match folders.iter_mut().find(|(f, _)| *f == folder) {
            Some((_, list)) => list.push(k),
            None => folders.push((folder, vec![k])),
        }
    }
    folders
}

/// A (sub)group's in-sample and leave-one-out outcomes. In-sample, the threshold is chosen on
/// the group's own series; a group without windows (nothing to choose on) takes its parent's.
fn group_report(
    pool: &Pool,
    name: &str,
    members: &[usize],
    points: &[Vec<Point>],
    scores: &[Vec<f64>],
    held_out: &[Vec<(f64, usize, usize)>],
    parent_thresholds: Option<&[f64]>,
) -> GroupReport {
    let windows: usize = members.iter().map(|&k| pool.series[k].windows.len()).sum();
    let profiles = PROFILES
        .iter()
        .enumerate()
        .map(|(p, &profile)| {
            let threshold = match parent_thresholds {
                Some(parent) if windows == 0 => parent.get(p).copied().unwrap_or(f64::INFINITY),
                _ => {
                    let weight: Vec<f64> = (0..pool.series.len())
                        .map(|k| if members.contains(&k) { 1.0 } else { 0.0 })
                        .collect();
                    best_threshold(&points[p], &weight, pool.windows, profile).0
                }
            };
            let in_sample: Vec<_> = members
                .iter()
                .map(|&k| {
                    let own = scores.get(k).map_or(&[][..], Vec::as_slice);
                    series_outcome(pool.series[k], own, profile, threshold)
                })
                .collect();
            let loo: Vec<_> = members.iter().map(|&k| held_out[p][k]).collect();
            ProfileReport {
                profile,
                in_sample: outcome(&in_sample, windows, profile),
                in_sample_threshold: threshold,
                leave_one_out: outcome(&loo, windows, profile),
            }
        })
        .collect();
    GroupReport {
        name: name.to_string(),
        series: members.len(),
        windows,
        profiles,
        subgroups: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nab::flat_series as series;

    fn spikes(rows: usize, at: &[(usize, f64)]) -> Vec<f64> {
        let mut scores = vec![0.0; rows];
        for &(row, score) in at {
            scores[row] = score;
        }
        scores
    }

    fn group(name: &str, series: Vec<LabelledSeries>) -> (String, Vec<LabelledSeries>) {
        (name.to_string(), series)
    }

    const STANDARD: usize = 0;

    #[test]
    fn a_threshold_learnt_elsewhere_misses_a_weaker_spike_that_in_sample_would_catch() {
        // Three series with one window each; a and b peak at 0.9 at their window's start, c at
        // 0.6 only. In-sample, one threshold of 0.6 catches all three. Held out, c gets the
        // threshold chosen on a and b (0.9) and misses; a and b, held out, get 0.6 (chosen on
        // the other two, c among them) and are caught.
        let groups = vec![group(
            "g",
            vec![
                series("g/a", 200, vec![(100, 119)]),
                series("g/b", 200, vec![(100, 119)]),
                series("g/c", 200, vec![(100, 119)]),
            ],
        )];
        let scores = vec![vec![
            spikes(200, &[(100, 0.9)]),
            spikes(200, &[(100, 0.9)]),
            spikes(200, &[(100, 0.6)]),
        ]];
        let eval = evaluate_scores(&groups, &scores);
        let standard = &eval.groups[0].profiles[STANDARD];
        assert_eq!(standard.in_sample_threshold, 0.6);
        assert_eq!(standard.in_sample.windows_detected, 3);
        assert_eq!(standard.in_sample.score, Some(100.0));
        assert_eq!(eval.folds[0].choices[STANDARD], (0, 0.6));
        assert_eq!(eval.folds[2].choices[STANDARD], (0, 0.9));
        assert_eq!(standard.leave_one_out.windows_detected, 2);
        assert_eq!(standard.leave_one_out.false_positives, 0);
        // Two windows found at their start (+1 each), one missed (-1): 4 of the 6 between the
        // null detector (-3) and the perfect one (+3).
        let loo = standard.leave_one_out.score.unwrap_or(f64::NAN);
        assert!((loo - 100.0 * 4.0 / 6.0).abs() < 1e-9, "{loo}");
    }

    #[test]
    fn the_held_out_series_never_influences_its_own_choice() {
        let build = |c_windows: Vec<(usize, usize)>| {
            vec![group(
                "g",
                vec![
                    series("g/a", 200, vec![(100, 119)]),
                    series("g/b", 200, vec![(60, 79)]),
                    series("g/c", 200, c_windows),
                ],
            )]
        };
        // Two candidates that tie on a and b (the first is kept), each firing once in c.
        let scores = vec![
            vec![
                spikes(200, &[(100, 0.8)]),
                spikes(200, &[(60, 0.5), (150, 0.9)]),
                spikes(200, &[(40, 0.7)]),
            ],
            vec![
                spikes(200, &[(100, 0.8), (40, 0.85)]),
                spikes(200, &[(60, 0.6)]),
                spikes(200, &[(130, 0.95)]),
            ],
        ];
        let before = evaluate_scores(&build(vec![(40, 59)]), &scores);
        let after = evaluate_scores(&build(vec![(125, 140), (170, 180)]), &scores);
        // c's labels changed: its own fold chooses exactly the same, its outcome changes.
        assert_eq!(before.folds[2], after.folds[2]);
        let c = |e: &Evaluation| e.folds[2].choices[STANDARD];
        assert_ne!(c(&before).1, f64::INFINITY);
        // The other folds see c's labels, so they may choose differently: that is the point.
        assert_ne!(before.groups[0].profiles, after.groups[0].profiles);
    }

    #[test]
    fn groups_weigh_equally_and_a_group_without_windows_still_costs() {
        // Group "big" has 4 windows caught at 0.5; group "quiet" has none and fires at 0.5.
        // Held out, each big series is scored at the threshold chosen on the three others and
        // quiet, the groups weighing equally: quiet's false positive (0.11 on a one-window
        // scale) costs less than three windows (each a sixth of big's range) bring: 0.5.
        let groups = vec![
            group(
                "big",
                (0..4)
                    .map(|i| series(&format!("big/{i}"), 200, vec![(100, 119)]))
                    .collect(),
            ),
            group("quiet", vec![series("quiet/q", 200, vec![])]),
        ];
        let mut scores: Vec<Vec<f64>> = (0..4).map(|_| spikes(200, &[(100, 0.5)])).collect();
        scores.push(spikes(200, &[(180, 0.5), (50, 0.3)]));
        let eval = evaluate_scores(&groups, &[scores]);
        let quiet = &eval.groups[1].profiles[STANDARD];
        assert_eq!(quiet.leave_one_out.score, None);
        assert_eq!(quiet.leave_one_out.false_positives, 1);
        assert!((quiet.leave_one_out.raw + 0.11).abs() < 1e-9);
        // In-sample the quiet group alone would never fire; it is scored as it is.
        assert_eq!(quiet.in_sample_threshold, f64::INFINITY);
        let big = &eval.groups[0].profiles[STANDARD];
        assert_eq!(big.leave_one_out.windows_detected, 4);
    }

    #[test]
    fn a_group_of_two_folders_is_reported_per_folder_too() {
        let groups = vec![group(
            "art",
            vec![
                series("with/a", 200, vec![(100, 119)]),
                series("with/b", 200, vec![(100, 119)]),
                series("none/c", 200, vec![]),
            ],
        )];
        let scores = vec![vec![
            spikes(200, &[(100, 0.9)]),
            spikes(200, &[(100, 0.9)]),
            spikes(200, &[(50, 0.95)]),
        ]];
        let eval = evaluate_scores(&groups, &scores);
        let names: Vec<&str> = eval.groups[0]
            .subgroups
            .iter()
            .map(|g| g.name.as_str())
            .collect();
        assert_eq!(names, ["with", "none"]);
        let none = &eval.groups[0].subgroups[1].profiles[STANDARD];
        // The parent's in-sample threshold (0.9) applies to the folder without windows: c's
        // 0.95 is a false positive there, and costs the full weight (before any window).
        assert_eq!(none.in_sample_threshold, 0.9);
        assert_eq!(none.in_sample.false_positives, 1);
        assert!((none.in_sample.raw + 0.11).abs() < 1e-9);
        let with = &eval.groups[0].subgroups[0].profiles[STANDARD];
        assert_eq!(with.in_sample.score, Some(100.0));
    }
}
