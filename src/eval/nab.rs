//! `vigie eval nab DIR`: runs the spike detector over a NAB corpus (data files and
//! `windows.json`) and scores it with NAB's three profiles.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;
use vigie_anomaly::Params;
use vigie_anomaly::detector::score_series;
use vigie_anomaly::nab::{LabelledSeries, ProfileScore, load_corpus, score_corpus};
use vigie_anomaly::series::{RESULT_HEADER, Scored};

pub struct NabReport {
    pub files: usize,
    pub rows: usize,
    pub scores: Vec<ProfileScore>,
}

/// Scores every file (one thread per core), writes NAB result files under `results` when given.
pub fn eval_nab(dir: &Path, results: Option<&Path>) -> anyhow::Result<NabReport> {
    let corpus = load_corpus(dir)?;
    let params = Params::default();
    let scores = score_all(&corpus, &params);
    if let Some(out) = results {
        write_results(out, &corpus, &scores)?;
    }
    Ok(NabReport {
        files: corpus.len(),
        rows: corpus.iter().map(|s| s.rows.len()).sum(),
        scores: score_corpus(&corpus, &scores),
    })
}

fn score_all(corpus: &[LabelledSeries], params: &Params) -> Vec<Vec<f64>> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = corpus.len().div_ceil(workers).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = corpus
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|s| score_series(params, s.rows.iter().map(|r| (r.seconds, r.value))))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

fn write_results(out: &Path, corpus: &[LabelledSeries], scores: &[Vec<f64>]) -> anyhow::Result<()> {
    for (series, scores) in corpus.iter().zip(scores) {
        let path = out.join(&series.name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        let mut text = format!("{RESULT_HEADER}\n");
        for (row, &score) in series.rows.iter().zip(scores) {
            let _ = writeln!(text, "{}", Scored(row, score));
        }
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

impl NabReport {
    pub fn table(&self) -> String {
        let mut text = format!(
            "NAB scores, {} files, {} rows, one threshold per profile for all files\n",
            self.files, self.rows
        );
        let _ = writeln!(
            text,
            "{:<20} {:>6} {:>10} {:>9} {:>16}",
            "profile", "score", "threshold", "windows", "false positives"
        );
        for score in &self.scores {
            let _ = writeln!(
                text,
                "{:<20} {:>6.1} {:>10.4} {:>5}/{:<3} {:>16}",
                score.profile.name,
                score.score,
                score.threshold,
                score.windows_detected,
                score.windows,
                score.false_positives
            );
        }
        text
    }
}
