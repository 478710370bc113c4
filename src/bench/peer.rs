//! `vigie bench peer`: Vigie's sentiment scorer and the reference Python VADER
//! (`vaderSentiment` from PyPI, `bench/vader_peer.py`) on the same 100,000 texts, one after
//! the other on the same machine: both throughputs and their ratio.

use std::hint::black_box;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;

use crate::analysis::sentiment::{Lang, SentimentScorer, detect_language};

const PEER_SCRIPT: &str = include_str!("../../bench/vader_peer.py");
/// The VADER paper's tweets (`../shared/data`): English, as VADER expects.
const VADER_TWEETS: &str = "../shared/data/sentiment/vader-tweets-even.tsv";

#[derive(Debug, Clone)]
pub struct PeerReport {
    pub texts: usize,
    pub source: String,
    /// Language detected, then scored: `vigie sentiment`.
    pub vigie_per_second: f64,
    /// The language given, as the peer is: the scorer alone.
    pub vigie_scoring_per_second: f64,
    pub python_per_second: f64,
    pub python_mean: f64,
    pub vigie_mean: f64,
}

/// The texts: `file` (one per line, or the VADER tweets' TSV), else the VADER tweets beside
/// the repository, else demo posts; repeated to `count`.
fn texts(file: Option<&Path>, count: usize) -> anyhow::Result<(Vec<String>, String)> {
    let candidates: Vec<PathBuf> = match file {
        Some(path) => vec![path.to_path_buf()],
        None => vec![
            PathBuf::from(VADER_TWEETS),
            Path::new(env!("CARGO_MANIFEST_DIR")).join(VADER_TWEETS),
        ],
    };
    let found = candidates.iter().find(|p| p.is_file());
    let (base, source): (Vec<String>, String) = match found {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let lines = text
                .lines()
                .map(|line| match line.splitn(3, '\t').nth(2) {
                    Some(tweet) if path.extension().is_some_and(|e| e == "tsv") => tweet,
                    _ => line,
                })
                .filter(|t| !t.trim().is_empty())
                .map(str::to_string)
                .collect();
            (lines, path.display().to_string())
        }
        None if file.is_some() => anyhow::bail!("no such file: {:?}", file),
        None => (
            super::input::texts(10_000),
            "demo posts (French and English)".to_string(),
        ),
    };
    anyhow::ensure!(!base.is_empty(), "no texts in {source}");
    let texts = base.iter().cycle().take(count).cloned().collect();
    Ok((texts, source))
}

pub fn run(file: Option<&Path>, count: usize, python: &str) -> anyhow::Result<PeerReport> {
    let (texts, source) = texts(file, count)?;
    let dir = tempfile_dir()?;
    let texts_path = dir.join("texts.txt");
    let script_path = dir.join("vader_peer.py");
    std::fs::write(&script_path, PEER_SCRIPT)?;
    {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&texts_path)?);
        for text in &texts {
            // One text a line for both scorers: a line break inside a tweet becomes a space.
            writeln!(out, "{}", text.replace(['\n', '\r'], " "))?;
        }
    }

    // Vigie: as `vigie sentiment` scores a line (language detected, then scored).
    let scorer = SentimentScorer::new();
    let lines: Vec<String> = std::fs::read_to_string(&texts_path)?
        .lines()
        .map(str::to_string)
        .collect();
    let began = Instant::now();
    let mut total = 0.0f64;
    for line in &lines {
        total += f64::from(black_box(scorer.score(line, detect_language(line))));
    }
    let vigie_seconds = began.elapsed().as_secs_f64();
    // And as the peer does: the language given (English), scoring alone.
    let began = Instant::now();
    for line in &lines {
        black_box(scorer.score(line, Lang::En));
    }
    let scoring_seconds = began.elapsed().as_secs_f64();

    eprintln!("bench peer: running {python} {} …", script_path.display());
    let output = std::process::Command::new(python)
        .arg(&script_path)
        .arg(&texts_path)
        .output()
        .with_context(|| format!("cannot run {python}"))?;
    let _ = std::fs::remove_dir_all(&dir);
    if !output.status.success() {
        anyhow::bail!(
            "the Python VADER peer failed ({}): {}\n(install it with `pip install vaderSentiment`)",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let answer: serde_json::Value =
        serde_json::from_slice(&output.stdout).context("the Python peer printed no JSON line")?;
    let python_seconds = answer["seconds"].as_f64().unwrap_or(f64::NAN);
    let python_texts = answer["texts"].as_u64().unwrap_or(0) as usize;
    anyhow::ensure!(
        python_texts == lines.len(),
        "the Python peer scored {python_texts} texts, not {}",
        lines.len()
    );
    Ok(PeerReport {
        texts: lines.len(),
        source,
        vigie_per_second: lines.len() as f64 / vigie_seconds,
        vigie_scoring_per_second: lines.len() as f64 / scoring_seconds,
        python_per_second: lines.len() as f64 / python_seconds,
        python_mean: answer["mean"].as_f64().unwrap_or(f64::NAN),
        vigie_mean: total / lines.len().max(1) as f64,
    })
}

fn tempfile_dir() -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("vigie-bench-peer-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir)
}

pub fn print(report: &PeerReport) {
    println!(
        "peer: Vigie {:.0} texts/s (language detected, as `vigie sentiment`), {:.0} texts/s \
         (English given, as the peer); Python vaderSentiment {:.0} texts/s: Vigie {:.1}x ({} \
         texts from {}; mean compound {:.3} and {:.3})",
        report.vigie_per_second,
        report.vigie_scoring_per_second,
        report.python_per_second,
        report.vigie_per_second / report.python_per_second,
        report.texts,
        report.source,
        report.vigie_mean,
        report.python_mean,
    );
}
