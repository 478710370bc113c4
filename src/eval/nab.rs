//! `vigie eval nab DIR [DIR …]`: runs the spike detector over NAB corpora (data files and
//! `windows.json`) and scores each with NAB's three profiles, in-sample as NAB publishes; then
//! leave-one-series-out over all of them together, the figure that says whether the one
//! parameter set holds on a series it was not chosen on.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context;
use vigie_anomaly::Params;
use vigie_anomaly::detector::{candidates, score_series};
use vigie_anomaly::loo::{Evaluation, evaluate_scores};
use vigie_anomaly::loo_table::{group_name, table};
use vigie_anomaly::nab::{LabelledSeries, ProfileScore, load_corpus, score_corpus};
use vigie_anomaly::series::{RESULT_HEADER, Scored};

/// One corpus scored in-sample.
pub struct CorpusReport {
    pub dir: PathBuf,
    pub files: usize,
    pub rows: usize,
    pub scores: Vec<ProfileScore>,
}

pub struct NabReport {
    pub corpora: Vec<CorpusReport>,
    pub leave_one_out: Evaluation,
}

/// Scores every file of each folder with every parameter candidate (one thread per core),
/// writes the default's NAB result files under `results` when given, then evaluates
/// leave-one-series-out over every folder together, on the same scores.
pub fn eval_nab(dirs: &[PathBuf], results: Option<&Path>) -> anyhow::Result<NabReport> {
    let candidates = candidates();
    let mut groups = Vec::new();
    for dir in dirs {
        let corpus = load_corpus(dir)?;
        let name = group_name(&corpus).unwrap_or_else(|| dir.display().to_string());
        groups.push((name, corpus));
    }
    // scores[c][k]: candidate c on the k-th series of the groups in order; the default first.
    let scores: Vec<Vec<Vec<f64>>> = candidates
        .iter()
        .map(|params| {
            groups
                .iter()
                .flat_map(|(_, corpus)| score_all(corpus, params))
                .collect()
        })
        .collect();
    let mut corpora = Vec::new();
    let mut defaults = scores[0].as_slice();
    for (dir, (_, corpus)) in dirs.iter().zip(&groups) {
        let (own, rest) = defaults.split_at(corpus.len());
        defaults = rest;
        if let Some(out) = results {
            write_results(out, corpus, own)?;
        }
        corpora.push(CorpusReport {
            dir: dir.clone(),
            files: corpus.len(),
            rows: corpus.iter().map(|s| s.rows.len()).sum(),
            scores: score_corpus(corpus, own),
        });
    }
    Ok(NabReport {
        corpora,
        leave_one_out: evaluate_scores(&groups, &scores),
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
        let mut text = String::new();
        for corpus in &self.corpora {
            let _ = writeln!(
                text,
                "NAB scores of {}, {} files, {} rows, one threshold per profile for all files",
                corpus.dir.display(),
                corpus.files,
                corpus.rows
            );
            let _ = writeln!(
                text,
                "{:<20} {:>6} {:>10} {:>9} {:>16}",
                "profile", "score", "threshold", "windows", "false positives"
            );
            for score in &corpus.scores {
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
            text.push('\n');
        }
        text.push_str(
            "Leave-one-series-out: each series scored with the parameter candidate and the \
             thresholds chosen on all the other series\n",
        );
        text.push_str(&table(&self.leave_one_out));
        text
    }
}
