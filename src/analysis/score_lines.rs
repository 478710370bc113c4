//! `vigie sentiment`: one compound score per input line, in order, nothing else. Lines are read
//! in batches and each batch is scored on every core (the scorer is shared; its scratch
//! buffers are per thread), then written in input order, so millions of lines stream through
//! in bounded memory.

use std::io::{self, BufRead, Write};

use super::sentiment::{SentimentScorer, detect_language};

/// Lines per batch: large enough to keep every core busy, small enough to stay a few MB.
const BATCH: usize = 16_384;

/// Scores every line of `input` into `output` (`%.4f` per line); the number of lines.
/// The language of each line is detected, so French and English may be mixed.
pub fn score_lines(input: impl BufRead, mut output: impl Write) -> io::Result<u64> {
    let scorer = SentimentScorer::new();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut lines = input.lines();
    let mut batch: Vec<String> = Vec::with_capacity(BATCH);
    let mut scores: Vec<f32> = Vec::with_capacity(BATCH);
    let mut count = 0u64;
    loop {
        batch.clear();
        for line in lines.by_ref().take(BATCH) {
            batch.push(line?);
        }
        if batch.is_empty() {
            break;
        }
        scores.clear();
        scores.resize(batch.len(), 0.0);
        let per_thread = batch.len().div_ceil(threads);
        std::thread::scope(|scope| {
            for (texts, out) in batch.chunks(per_thread).zip(scores.chunks_mut(per_thread)) {
                let scorer = &scorer;
                scope.spawn(move || {
                    for (text, score) in texts.iter().zip(out) {
                        *score = scorer.score(text, detect_language(text));
                    }
                });
            }
        });
        for score in &scores {
            writeln!(output, "{score:.4}")?;
        }
        count += batch.len() as u64;
    }
    output.flush()?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_score_per_line_in_order_with_blank_lines_kept() {
        let input = "I love it, great!\n\nC'est nul, je déteste.\nThe sky is blue\n";
        let mut out = Vec::new();
        assert_eq!(score_lines(input.as_bytes(), &mut out).expect("scores"), 4);
        let scores: Vec<f32> = String::from_utf8(out)
            .expect("utf-8")
            .lines()
            .map(|l| l.parse().expect("a number"))
            .collect();
        assert_eq!(scores.len(), 4);
        assert!(scores[0] > 0.5, "{scores:?}");
        assert_eq!(scores[1], 0.0);
        assert!(scores[2] < -0.5, "{scores:?}");
        assert!(scores[3].abs() < 0.05, "{scores:?}");
    }

    #[test]
    fn batches_keep_the_order() {
        let input: String = (0..BATCH * 2 + 7)
            .map(|i| if i % 2 == 0 { "great\n" } else { "awful\n" })
            .collect();
        let mut out = Vec::new();
        score_lines(input.as_bytes(), &mut out).expect("scores");
        let text = String::from_utf8(out).expect("utf-8");
        assert_eq!(text.lines().count(), BATCH * 2 + 7);
        assert!(text.lines().enumerate().all(|(i, l)| {
            let v: f32 = l.parse().unwrap_or(0.0);
            if i % 2 == 0 { v > 0.0 } else { v < 0.0 }
        }));
    }
}
