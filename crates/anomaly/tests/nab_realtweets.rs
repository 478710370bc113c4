//! The detector measured on NAB's shared series (`../shared/data/nab-realtweets` and
//! `../shared/data/nab-artificial` beside the repository, or `VIGIE_NAB_DIR` and
//! `VIGIE_NAB_ARTIFICIAL_DIR`), with NAB's scoring. Floors sit just under the measured scores, so
//! a change that makes the detector worse fails here:
//!
//! - in-sample, one threshold per profile for each group (as NAB's published results);
//! - leave-one-series-out: each series scored with the parameter set and thresholds chosen on
//!   all the other series (`vigie_anomaly::loo`), the figure that says how it does on a series
//!   it was not fitted on.
//!
//! `cargo test -p vigie-anomaly --release --test nab_realtweets -- --nocapture` prints the figures.

use std::path::PathBuf;

use vigie_anomaly::Params;
use vigie_anomaly::detector::{candidates, score_series};
use vigie_anomaly::loo::{GroupReport, evaluate_groups};
use vigie_anomaly::nab::{LabelledSeries, load_corpus, score_corpus};

fn corpus(variable: &str, folder: &str) -> Vec<LabelledSeries> {
    let dir = std::env::var(variable)
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../../shared/data")
                .join(folder)
        });
    load_corpus(&dir).unwrap_or_else(|e| {
        panic!(
            "the NAB data this detector is measured on ({}): {e}",
            dir.display()
        )
    })
}

fn real_tweets() -> Vec<LabelledSeries> {
    corpus("VIGIE_NAB_DIR", "nab-realtweets")
}

fn artificial() -> Vec<LabelledSeries> {
    corpus("VIGIE_NAB_ARTIFICIAL_DIR", "nab-artificial")
}

/// In-sample scores of the default parameters, one threshold per profile for the corpus.
fn in_sample(corpus: &[LabelledSeries]) -> Vec<f64> {
    let params = Params::default();
    let scores: Vec<Vec<f64>> = corpus
        .iter()
        .map(|s| score_series(&params, s.rows.iter().map(|r| (r.seconds, r.value))))
        .collect();
    score_corpus(corpus, &scores)
        .iter()
        .map(|r| {
            println!(
                "{:<20} {:5.1}  threshold {:.4}  windows {}/{}  false positives {}",
                r.profile.name,
                r.score,
                r.threshold,
                r.windows_detected,
                r.windows,
                r.false_positives
            );
            r.score
        })
        .collect()
}

fn assert_floors(what: &str, scores: &[f64], floors: [f64; 3]) {
    for ((score, floor), profile) in scores
        .iter()
        .zip(floors)
        .zip(["standard", "low FP", "low FN"])
    {
        assert!(*score >= floor, "{what} {profile}: {score:.1} < {floor}");
    }
}

#[test]
fn beats_the_published_floors_on_real_tweets() {
    let corpus = real_tweets();
    assert_eq!(corpus.len(), 10);
    // Measured 85.8 / 77.8 / 90.5. Low FP was 80.5 before falls weighed as much as rises
    // (which series of other kinds need); ARTime's published figures are 83.2 / 74.6 / 88.8.
    assert_floors("realTweets", &in_sample(&corpus), [85.0, 77.0, 90.0]);
}

#[test]
fn scores_the_synthetic_series_in_sample() {
    let corpus = artificial();
    assert_eq!(corpus.len(), 11);
    let with: Vec<LabelledSeries> = corpus
        .iter()
        .filter(|s| s.name.starts_with("artificialWithAnomaly/"))
        .cloned()
        .collect();
    assert_eq!(with.len(), 6);
    // Measured 84.2 / 76.8 / 89.4 (was 59.6 / 55.9 / 61.9); published standard: Numenta HTM
    // 77.8, CAD OSE 73.9, ARTime 70.3.
    assert_floors(
        "artificialWithAnomaly",
        &in_sample(&with),
        [83.5, 76.0, 89.0],
    );
}

fn show(group: &GroupReport) -> Vec<f64> {
    group
        .profiles
        .iter()
        .map(|p| {
            println!(
                "{:<24} {:<20} in-sample {:>6.1}  held-out {:>6.1}  (false positives {} / {})",
                group.name,
                p.profile.name,
                p.in_sample.score.unwrap_or(f64::NAN),
                p.leave_one_out.score.unwrap_or(f64::NAN),
                p.in_sample.false_positives,
                p.leave_one_out.false_positives
            );
            p.leave_one_out.score.unwrap_or(f64::NAN)
        })
        .collect()
}

#[test]
fn holds_up_on_series_left_out_of_the_choice() {
    let groups = vec![
        ("realTweets".to_string(), real_tweets()),
        ("artificial".to_string(), artificial()),
    ];
    let evaluation = evaluate_groups(&groups, &candidates());
    assert_eq!(evaluation.folds.len(), 21);
    let tweets = &evaluation.groups[0];
    // Measured 83.0 / 77.0 / 87.6 held out (85.8 / 77.8 / 90.5 in-sample).
    assert_floors("realTweets held out", &show(tweets), [82.5, 76.5, 87.0]);
    let artificial = &evaluation.groups[1];
    show(artificial);
    let with = artificial
        .subgroups
        .iter()
        .find(|g| g.name == "artificialWithAnomaly")
        .expect("the artificial corpus has series with anomalies");
    // Measured 81.3 / 60.4 / 87.6 held out (84.2 / 76.8 / 89.4 in-sample).
    assert_floors(
        "artificialWithAnomaly held out",
        &show(with),
        [80.5, 60.0, 87.0],
    );
    let without = artificial
        .subgroups
        .iter()
        .find(|g| g.name == "artificialNoAnomaly")
        .expect("the artificial corpus has series without anomalies");
    show(without);
    // Every detection there is false: measured 1 held out, per profile.
    for p in &without.profiles {
        assert!(p.leave_one_out.false_positives <= 2, "{}", p.profile.name);
    }
}
