//! The detector measured on NAB's ten real Twitter-volume series (`../shared/data/nab-realtweets`
//! beside the repository, or `VIGIE_NAB_DIR`), with NAB's scoring and one threshold per profile
//! for all files. Floors sit just under the measured scores, so a change that makes the detector
//! worse fails here. `cargo test -p vigie-anomaly --release --test nab_realtweets -- --nocapture`
//! prints the figures.

use std::path::PathBuf;

use vigie_anomaly::Params;
use vigie_anomaly::detector::score_series;
use vigie_anomaly::nab::{load_corpus, score_corpus};

fn corpus_dir() -> PathBuf {
    std::env::var("VIGIE_NAB_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/nab-realtweets")
        })
}

#[test]
fn beats_the_published_floors_on_real_tweets() {
    let dir = corpus_dir();
    let corpus = load_corpus(&dir).unwrap_or_else(|e| {
        panic!(
            "the NAB realTweets data this detector is measured on ({}): {e}",
            dir.display()
        )
    });
    assert_eq!(corpus.len(), 10);
    let params = Params::default();
    let scores: Vec<Vec<f64>> = corpus
        .iter()
        .map(|s| score_series(&params, s.rows.iter().map(|r| (r.seconds, r.value))))
        .collect();
    let results = score_corpus(&corpus, &scores);
    for r in &results {
        println!(
            "{:<20} {:5.1}  threshold {:.4}  windows {}/{}  false positives {}",
            r.profile.name, r.score, r.threshold, r.windows_detected, r.windows, r.false_positives
        );
    }
    let floors = [85.0, 80.0, 89.0];
    for (r, floor) in results.iter().zip(floors) {
        assert!(
            r.score >= floor,
            "{}: {:.1} < {floor}",
            r.profile.name,
            r.score
        );
    }
}
