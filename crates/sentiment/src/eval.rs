//! Three-class evaluation of the scorer on labelled text, in the layout of the UMSAB / XLM-T
//! sentiment data: a folder holding `{split}_text.txt` and `{split}_labels.txt`, one text and one
//! label per line, labels `0` negative, `1` neutral, `2` positive.
//!
//! A compound score is read as VADER reads it: below -0.05 negative, above 0.05 positive,
//! neutral in between. The report gives accuracy, per-class precision/recall/F1, macro-F1 (the
//! unweighted mean of the three F1s, UMSAB's headline figure) and the confusion matrix.

use std::fmt;
use std::path::Path;

use crate::{Lang, SentimentScorer, detect_language};

/// Class index of the three-way reading: 0 negative, 1 neutral, 2 positive.
pub const NEGATIVE: usize = 0;
pub const NEUTRAL: usize = 1;
pub const POSITIVE: usize = 2;
const NAMES: [&str; 3] = ["negative", "neutral", "positive"];

/// The class a compound score reads as (VADER's ±0.05 thresholds).
pub fn class_of(compound: f32) -> usize {
    if compound < -0.05 {
        NEGATIVE
    } else if compound > 0.05 {
        POSITIVE
    } else {
        NEUTRAL
    }
}

/// How each text's language is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LangMode {
    /// Every text in this language.
    Fixed(Lang),
    /// Each text in the language [`detect_language`] guesses (what `vigie sentiment` does).
    Detect,
}

/// Three-class results: `confusion[gold][predicted]` counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClassReport {
    pub confusion: [[u64; 3]; 3],
}

impl ClassReport {
    /// Builds a report from parallel gold and predicted classes (each 0, 1 or 2).
    pub fn from_pairs(pairs: impl IntoIterator<Item = (usize, usize)>) -> Self {
        let mut report = ClassReport::default();
        for (gold, pred) in pairs {
            report.add(gold, pred);
        }
        report
    }

    /// Counts one example; classes outside 0..3 are ignored rather than panicking.
    pub fn add(&mut self, gold: usize, pred: usize) {
        if gold < 3 && pred < 3 {
            self.confusion[gold][pred] += 1;
        }
    }

    pub fn total(&self) -> u64 {
        self.confusion.iter().flatten().sum()
    }

    pub fn accuracy(&self) -> f64 {
        let correct: u64 = (0..3).map(|k| self.confusion[k][k]).sum();
        ratio(correct, self.total())
    }

    /// Of the texts predicted as `class`, the share that are.
    pub fn precision(&self, class: usize) -> f64 {
        let predicted: u64 = (0..3).map(|g| self.confusion[g][class]).sum();
        ratio(self.confusion[class][class], predicted)
    }

    /// Of the texts that are `class`, the share predicted as such.
    pub fn recall(&self, class: usize) -> f64 {
        let actual: u64 = self.confusion[class].iter().sum();
        ratio(self.confusion[class][class], actual)
    }

    /// Harmonic mean of precision and recall; 0 when both are 0.
    pub fn f1(&self, class: usize) -> f64 {
        let (p, r) = (self.precision(class), self.recall(class));
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }

    /// Unweighted mean of the three per-class F1 scores.
    pub fn macro_f1(&self) -> f64 {
        (0..3).map(|k| self.f1(k)).sum::<f64>() / 3.0
    }
}

fn ratio(num: u64, den: u64) -> f64 {
    if den == 0 {
        0.0
    } else {
        num as f64 / den as f64
    }
}

impl fmt::Display for ClassReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "texts {}  accuracy {:.3}  macro-F1 {:.3}",
            self.total(),
            self.accuracy(),
            self.macro_f1()
        )?;
        writeln!(
            f,
            "{:>10} {:>9} {:>9} {:>9}",
            "", "precision", "recall", "F1"
        )?;
        for (k, name) in NAMES.iter().enumerate() {
            writeln!(
                f,
                "{name:>10} {:>9.3} {:>9.3} {:>9.3}",
                self.precision(k),
                self.recall(k),
                self.f1(k)
            )?;
        }
        writeln!(f, "confusion (rows gold, columns predicted: neg neu pos)")?;
        for (k, name) in NAMES.iter().enumerate() {
            let row = self.confusion[k];
            writeln!(f, "{name:>10} {:>6} {:>6} {:>6}", row[0], row[1], row[2])?;
        }
        Ok(())
    }
}

/// Scores every text and compares its class with the gold label. `texts` and `labels` are
/// paired by position; extra items on either side are ignored.
pub fn evaluate(
    scorer: &SentimentScorer,
    texts: &[String],
    labels: &[usize],
    mode: LangMode,
) -> ClassReport {
    ClassReport::from_pairs(texts.iter().zip(labels).map(|(text, &gold)| {
        let lang = match mode {
            LangMode::Fixed(lang) => lang,
            LangMode::Detect => detect_language(text),
        };
        (gold, class_of(scorer.score(text, lang)))
    }))
}

/// Errors reading a labelled split.
#[derive(Debug)]
pub enum EvalError {
    Io(std::path::PathBuf, std::io::Error),
    BadLabel { line: usize, value: String },
    LengthMismatch { texts: usize, labels: usize },
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvalError::Io(path, e) => write!(f, "{}: {e}", path.display()),
            EvalError::BadLabel { line, value } => write!(
                f,
                "labels line {line}: {value:?} is not 0 (negative), 1 (neutral) or 2 (positive)"
            ),
            EvalError::LengthMismatch { texts, labels } => {
                write!(f, "{texts} texts but {labels} labels")
            }
        }
    }
}

impl std::error::Error for EvalError {}

/// Reads `dir/{split}_text.txt` and `dir/{split}_labels.txt` (one item per line; a final empty
/// line is not an item).
pub fn read_split(dir: &Path, split: &str) -> Result<(Vec<String>, Vec<usize>), EvalError> {
    let read = |name: String| {
        let path = dir.join(name);
        std::fs::read_to_string(&path).map_err(|e| EvalError::Io(path, e))
    };
    let texts: Vec<String> = lines(&read(format!("{split}_text.txt"))?)
        .map(str::to_string)
        .collect();
    let labels = parse_labels(&read(format!("{split}_labels.txt"))?)?;
    if texts.len() != labels.len() {
        return Err(EvalError::LengthMismatch {
            texts: texts.len(),
            labels: labels.len(),
        });
    }
    Ok((texts, labels))
}

fn lines(data: &str) -> impl Iterator<Item = &str> {
    data.strip_suffix('\n')
        .unwrap_or(data)
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .filter(move |_| !data.is_empty())
}

/// Parses one label per line.
pub fn parse_labels(data: &str) -> Result<Vec<usize>, EvalError> {
    lines(data)
        .enumerate()
        .map(|(i, l)| match l.trim() {
            "0" => Ok(NEGATIVE),
            "1" => Ok(NEUTRAL),
            "2" => Ok(POSITIVE),
            other => Err(EvalError::BadLabel {
                line: i + 1,
                value: other.to_string(),
            }),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ten hand-made examples whose figures were worked out on paper:
    /// gold    0 0 0 0 1 1 1 2 2 2
    /// pred    0 0 1 2 1 1 0 2 2 1
    /// negative: tp 2, predicted 3, actual 4 -> P 2/3, R 1/2, F1 4/7
    /// neutral:  tp 2, predicted 4, actual 3 -> P 1/2, R 2/3, F1 4/7
    /// positive: tp 2, predicted 3, actual 3 -> P 2/3, R 2/3, F1 2/3
    fn example() -> ClassReport {
        let gold = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2];
        let pred = [0, 0, 1, 2, 1, 1, 0, 2, 2, 1];
        ClassReport::from_pairs(gold.into_iter().zip(pred))
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn metrics_on_a_hand_made_example() {
        let r = example();
        assert_eq!(r.confusion, [[2, 1, 1], [1, 2, 0], [0, 1, 2]]);
        assert_eq!(r.total(), 10);
        assert!(close(r.accuracy(), 0.6));
        assert!(close(r.precision(NEGATIVE), 2.0 / 3.0));
        assert!(close(r.recall(NEGATIVE), 0.5));
        assert!(close(r.f1(NEGATIVE), 4.0 / 7.0));
        assert!(close(r.f1(NEUTRAL), 4.0 / 7.0));
        assert!(close(r.f1(POSITIVE), 2.0 / 3.0));
        assert!(close(r.macro_f1(), (8.0 / 7.0 + 2.0 / 3.0) / 3.0));
    }

    #[test]
    fn empty_and_degenerate_reports_do_not_divide_by_zero() {
        let r = ClassReport::default();
        assert_eq!(r.accuracy(), 0.0);
        assert_eq!(r.macro_f1(), 0.0);
        // Everything predicted neutral: the other classes score 0, neutral's F1 is 2·(1/3)/(4/3).
        let r = ClassReport::from_pairs([(0, 1), (1, 1), (2, 1)]);
        assert!(close(r.f1(NEUTRAL), 0.5));
        assert!(close(r.macro_f1(), 0.5 / 3.0));
        assert!(r.to_string().contains("macro-F1 0.167"));
    }

    #[test]
    fn compound_thresholds_match_vader() {
        assert_eq!(class_of(-0.051), NEGATIVE);
        assert_eq!(class_of(-0.05), NEUTRAL);
        assert_eq!(class_of(0.0), NEUTRAL);
        assert_eq!(class_of(0.05), NEUTRAL);
        assert_eq!(class_of(0.051), POSITIVE);
    }

    #[test]
    fn labels_parse_and_reject_garbage() {
        assert_eq!(parse_labels("0\n1\n2\n").unwrap(), vec![0, 1, 2]);
        assert_eq!(parse_labels("2\r\n0").unwrap(), vec![2, 0]);
        assert!(parse_labels("").unwrap().is_empty());
        assert!(matches!(
            parse_labels("0\n3\n"),
            Err(EvalError::BadLabel { line: 2, .. })
        ));
    }

    #[test]
    fn reads_a_split_folder() {
        let dir = std::env::temp_dir().join(format!("vigie-eval-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("val_text.txt"),
            "I love it\nmeh it is a chair\nawful\n",
        )
        .unwrap();
        std::fs::write(dir.join("val_labels.txt"), "2\n1\n0\n").unwrap();
        std::fs::write(dir.join("bad_text.txt"), "a\nb\n").unwrap();
        std::fs::write(dir.join("bad_labels.txt"), "1\n").unwrap();
        let (texts, labels) = read_split(&dir, "val").unwrap();
        assert_eq!(texts.len(), 3);
        assert_eq!(labels, vec![2, 1, 0]);
        assert!(matches!(
            read_split(&dir, "bad"),
            Err(EvalError::LengthMismatch {
                texts: 2,
                labels: 1
            })
        ));
        assert!(matches!(
            read_split(&dir, "missing"),
            Err(EvalError::Io(..))
        ));
        let scorer = SentimentScorer::new();
        let report = evaluate(&scorer, &texts, &labels, LangMode::Fixed(Lang::En));
        assert_eq!(report.total(), 3);
        std::fs::remove_dir_all(&dir).ok();
    }
}
