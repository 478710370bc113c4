//! Research loop for the detector: scores NAB with parameters changed from the command line.
//!
//! cargo run -p vigie-anomaly --release --example nab_sweep -- DIR [name=value ...]
//! e.g. `... -- ../shared/data/nab-realtweets weight_context=0.5 quiet_days=0.5`

use std::path::PathBuf;

use vigie_anomaly::Params;
use vigie_anomaly::detector::score_series;
use vigie_anomaly::nab::{load_corpus, score_corpus};

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().ok_or("usage: nab_sweep DIR [name=value ...]")?);
    let mut params = Params::default();
    let mut diagnose = false;
    for arg in args {
        if arg == "--diag" {
            diagnose = true;
            continue;
        }
        let (name, value) = arg
            .split_once('=')
            .ok_or(format!("expected name=value: {arg}"))?;
        params.set(name, value)?;
    }
    let corpus = load_corpus(&dir).map_err(|e| e.to_string())?;
    let scores: Vec<Vec<f64>> = corpus
        .iter()
        .map(|s| score_series(&params, s.rows.iter().map(|r| (r.seconds, r.value))))
        .collect();
    let results = score_corpus(&corpus, &scores);
    if diagnose {
        diag(&corpus, &scores, results[0].threshold);
    }
    for result in results {
        print!(
            "{} {:.1} (threshold {:.4}, {}/{} windows, {} fp)  ",
            result.profile.name,
            result.score,
            result.threshold,
            result.windows_detected,
            result.windows,
            result.false_positives
        );
    }
    println!();
    Ok(())
}

/// Where the standard threshold fires outside windows, and the windows it misses.
fn diag(corpus: &[vigie_anomaly::nab::LabelledSeries], scores: &[Vec<f64>], threshold: f64) {
    for (series, scores) in corpus.iter().zip(scores) {
        let probation = (0.15 * series.rows.len() as f64).floor().min(750.0) as usize;
        let inside = |i: usize| series.windows.iter().any(|&(a, b)| a <= i && i <= b);
        let fps: Vec<String> = (probation..scores.len())
            .filter(|&i| !inside(i) && scores[i] >= threshold)
            .map(|i| format!("{i}:{}({:.2})", series.rows[i].value, scores[i]))
            .collect();
        println!("{} fp {}: {}", series.name, fps.len(), fps.join(" "));
        for &(a, b) in &series.windows {
            let first = (a..=b).find(|&i| scores[i] >= threshold);
            let (best, at) = (a..=b)
                .map(|i| (scores[i], i))
                .fold((-1.0, a), |m, x| if x.0 > m.0 { x } else { m });
            match first {
                Some(i) => println!(
                    "    window {a}-{b}: found at {:.2} of it",
                    (i - a) as f64 / (b - a) as f64
                ),
                None => println!(
                    "    window {a}-{b}: MISSED, best {best:.3} at {at} ({:.2} of it) value {}",
                    (at - a) as f64 / (b - a) as f64,
                    series.rows[at].value
                ),
            }
        }
    }
}
