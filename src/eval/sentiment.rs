//! `vigie eval sentiment DIR`: the scorer's three classes against human labels, in the layout
//! of the UMSAB / XLM-T tweets (`{split}_text.txt`, `{split}_labels.txt`; 0 negative, 1
//! neutral, 2 positive): macro-F1, accuracy and the confusion matrix, for Vigie, for its rules
//! alone (what the learned layer adds), and for the Python VADER scorers from PyPI
//! (`vaderSentiment`, `vaderSentiment-fr`) when they are installed.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context;
use vigie_sentiment::eval::{ClassReport, EvalError, LangMode, class_of, evaluate, read_split};
use vigie_sentiment::{Lang, SentimentScorer};

const PEER_SCRIPT: &str = include_str!("../../bench/sentiment_peer.py");

/// The scorers compared, by name, each with its report or why it is missing.
pub struct SentimentEval {
    pub source: PathBuf,
    pub split: String,
    pub texts: usize,
    pub rows: Vec<(String, Result<ClassReport, String>)>,
}

/// Reads `dir/{split}_*`, scores every text in `lang` (or each in its detected language).
pub fn eval_sentiment(
    dir: &Path,
    split: &str,
    lang: Option<Lang>,
    python: &str,
) -> anyhow::Result<SentimentEval> {
    let (texts, labels) = read_split(dir, split).map_err(|e| match e {
        // The reader names the line; the file it is in is ours to say.
        EvalError::BadLabel { .. } | EvalError::LengthMismatch { .. } => {
            anyhow::anyhow!("{}: {e}", dir.join(format!("{split}_labels.txt")).display())
        }
        EvalError::Io(..) => anyhow::anyhow!("{e}"),
    })?;
    anyhow::ensure!(!texts.is_empty(), "{}: no texts in {split}", dir.display());
    let mode = lang.map_or(LangMode::Detect, LangMode::Fixed);
    let mut rows = vec![
        (
            "Vigie".to_string(),
            Ok(evaluate(&SentimentScorer::new(), &texts, &labels, mode)),
        ),
        (
            "Vigie, rules alone".to_string(),
            Ok(evaluate(
                &SentimentScorer::rules_only(),
                &texts,
                &labels,
                mode,
            )),
        ),
    ];
    for (name, compounds) in python_peers(python, &texts) {
        let report = compounds.map(|compounds| {
            ClassReport::from_pairs(
                labels
                    .iter()
                    .zip(compounds)
                    .map(|(&gold, compound)| (gold, class_of(compound))),
            )
        });
        rows.push((format!("{name} (Python)"), report));
    }
    Ok(SentimentEval {
        source: dir.to_path_buf(),
        split: split.to_string(),
        texts: texts.len(),
        rows,
    })
}

/// The Python scorers: the peer script's argument and the package's name.
const PEERS: [(&str, &str); 2] = [("en", "vaderSentiment"), ("fr", "vaderSentiment-fr")];

/// Each Python scorer's compounds, or why there are none (not installed, no Python).
fn python_peers(python: &str, texts: &[String]) -> Vec<(&'static str, Result<Vec<f32>, String>)> {
    let dir = std::env::temp_dir().join(format!("vigie-eval-sentiment-{}", std::process::id()));
    let written = (|| -> anyhow::Result<(PathBuf, PathBuf)> {
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let script = dir.join("sentiment_peer.py");
        let input = dir.join("texts.txt");
        std::fs::write(&script, PEER_SCRIPT)?;
        let mut out = std::io::BufWriter::new(std::fs::File::create(&input)?);
        for text in texts {
            writeln!(out, "{}", text.replace(['\n', '\r'], " "))?;
        }
        out.flush()?;
        Ok((script, input))
    })();
    let peers = PEERS
        .iter()
        .map(|&(code, name)| {
            let compounds = match &written {
                Ok((script, input)) => python_peer(python, script, code, input, texts.len()),
                Err(error) => Err(format!("{error:#}")),
            };
            (name, compounds)
        })
        .collect();
    let _ = std::fs::remove_dir_all(&dir);
    peers
}

/// One Python scorer's compounds for the `expected` texts of `input`.
fn python_peer(
    python: &str,
    script: &Path,
    code: &str,
    input: &Path,
    expected: usize,
) -> Result<Vec<f32>, String> {
    let output = Command::new(python)
        .arg(script)
        .arg(code)
        .arg(input)
        .output()
        .map_err(|error| format!("cannot run {python}: {error}"))?;
    if output.status.code() == Some(3) {
        return Err("not installed".into());
    }
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).trim().to_string());
    }
    let compounds: Vec<f32> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| l.trim().parse().unwrap_or(0.0))
        .collect();
    if compounds.len() != expected {
        return Err(format!("{} scores for {expected} texts", compounds.len()));
    }
    Ok(compounds)
}

impl SentimentEval {
    pub fn table(&self) -> String {
        let mut text = format!(
            "{} texts of {}/{}_text.txt, three classes (compound below -0.05 negative, above \
             0.05 positive)\n",
            self.texts,
            self.source.display(),
            self.split
        );
        let _ = writeln!(
            text,
            "{:<28} {:>8} {:>8} {:>7} {:>7} {:>7}   confusion (gold rows neg/neu/pos)",
            "scorer", "macro-F1", "accuracy", "F1 neg", "F1 neu", "F1 pos"
        );
        for (name, report) in &self.rows {
            match report {
                Ok(r) => {
                    let confusion: Vec<String> = r
                        .confusion
                        .iter()
                        .map(|row| format!("{} {} {}", row[0], row[1], row[2]))
                        .collect();
                    let _ = writeln!(
                        text,
                        "{name:<28} {:>8.3} {:>8.3} {:>7.3} {:>7.3} {:>7.3}   {}",
                        r.macro_f1(),
                        r.accuracy(),
                        r.f1(0),
                        r.f1(1),
                        r.f1(2),
                        confusion.join(" | ")
                    );
                }
                Err(why) => {
                    let _ = writeln!(text, "{name:<28} {:>8}   ({why})", "-");
                }
            }
        }
        text
    }
}
