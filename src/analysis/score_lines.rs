//! `vigie sentiment`: one compound score per input line, in order, nothing else. Input is read
//! in blocks of whole lines; each block is scored on every core (the scorer is shared; its
//! scratch buffers are per thread) while the next block is read, then written in input order,
//! so millions of lines stream through in bounded memory and reading overlaps scoring.

use std::io::{self, Read, Write};

use super::sentiment::{SentimentScorer, detect_language};

/// Bytes of input per block: some 20,000 tweets, enough to keep every core busy, and a few MB
/// with the block being read and the scores written.
const BLOCK: usize = 1 << 20;

/// Scores every line of `input` into `output` (`%.4f` per line); the number of lines.
/// The language of each line is detected, so French and English may be mixed. Lines end at
/// `\n` or `\r\n`, as `BufRead::lines` reads them; input that is not UTF-8 is an error.
pub fn score_lines(mut input: impl Read, mut output: impl Write) -> io::Result<u64> {
    let scorer = SentimentScorer::new();
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut block: Vec<u8> = Vec::with_capacity(BLOCK);
    let mut next: Vec<u8> = Vec::with_capacity(BLOCK);
    let mut scored: Vec<String> = vec![String::new(); workers];
    let mut at_end = fill(&mut input, &mut block)?;
    let mut count = 0u64;
    while !block.is_empty() {
        // Whole lines only: what follows the last line end starts the next block.
        let cut = if at_end {
            block.len()
        } else {
            block
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |at| at + 1)
        };
        next.clear();
        next.extend_from_slice(&block[cut..]);
        let text = std::str::from_utf8(&block[..cut]).map_err(|error| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("standard input is not UTF-8 text: {error}"),
            )
        })?;
        let lines = lines_of(text);
        let per_worker = lines.len().div_ceil(workers).max(1);
        let read_next = std::thread::scope(|scope| {
            for (texts, out) in lines.chunks(per_worker).zip(scored.iter_mut()) {
                let scorer = &scorer;
                scope.spawn(move || {
                    out.clear();
                    for text in texts {
                        push_score(out, scorer.score(text, detect_language(text)));
                        out.push('\n');
                    }
                });
            }
            // While the workers score this block, the next one is read.
            if at_end {
                Ok(true)
            } else {
                fill(&mut input, &mut next)
            }
        });
        let used = lines.len().div_ceil(per_worker);
        for out in &scored[..used] {
            output.write_all(out.as_bytes())?;
        }
        count += lines.len() as u64;
        at_end = read_next?;
        // A line longer than a block is carried whole, and read on until it ends.
        std::mem::swap(&mut block, &mut next);
    }
    output.flush()?;
    Ok(count)
}

/// Reads a block more into `buffer` (after what it carries over), or to the end of the input;
/// true at the end.
fn fill(input: &mut impl Read, buffer: &mut Vec<u8>) -> io::Result<bool> {
    let mut chunk = [0u8; 64 * 1024];
    let target = buffer.len() + BLOCK;
    while buffer.len() < target {
        match input.read(&mut chunk) {
            Ok(0) => return Ok(true),
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(false)
}

/// The lines of `text` as `BufRead::lines` gives them: split at `\n`, a `\r` before it
/// dropped, no empty line after a final line end.
fn lines_of(text: &str) -> Vec<&str> {
    if text.is_empty() {
        return Vec::new();
    }
    let text = text.strip_suffix('\n').unwrap_or(text);
    text.split('\n')
        .map(|line| line.strip_suffix('\r').unwrap_or(line))
        .collect()
}

/// Writes `score` as `{:.4}` does (rounded half to even on its exact value, a sign on negative
/// zero), without the general float formatter, which took a tenth of the process's time.
fn push_score(out: &mut String, score: f32) {
    use std::fmt::Write as _;
    // An f32 has 24 significant bits and 10,000 needs 14: the product is exact in an f64.
    let scaled = (f64::from(score) * 10_000.0).round_ties_even();
    if !scaled.is_finite() || scaled.abs() >= 1e15 {
        let _ = write!(out, "{score:.4}");
        return;
    }
    if score.is_sign_negative() {
        out.push('-');
    }
    let units = scaled.abs() as u64;
    let _ = write!(out, "{}.", units / 10_000);
    let fraction = units % 10_000;
    for digit in [1000, 100, 10, 1] {
        out.push(char::from(b'0' + (fraction / digit % 10) as u8));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scores_of(input: &str) -> Vec<f32> {
        let mut out = Vec::new();
        let count = score_lines(input.as_bytes(), &mut out).expect("scores");
        let scores: Vec<f32> = String::from_utf8(out)
            .expect("utf-8")
            .lines()
            .map(|l| l.parse().expect("a number"))
            .collect();
        assert_eq!(count as usize, scores.len());
        scores
    }

    #[test]
    fn one_score_per_line_in_order_with_blank_lines_kept() {
        let scores = scores_of("I love it, great!\n\nC'est nul, je déteste.\nThe sky is blue\n");
        assert_eq!(scores.len(), 4);
        assert!(scores[0] > 0.5, "{scores:?}");
        assert_eq!(scores[1], 0.0);
        assert!(scores[2] < -0.5, "{scores:?}");
        assert!(scores[3].abs() < 0.05, "{scores:?}");
    }

    #[test]
    fn lines_are_read_as_buf_read_reads_them() {
        use std::io::BufRead;
        for input in [
            "",
            "\n",
            "a",
            "a\n",
            "a\r\nb",
            "a\n\n\nb\r\n",
            "\r\n\r\n",
            "x\ry\n",
        ] {
            let expected: Vec<String> = input
                .as_bytes()
                .lines()
                .map(|l| l.expect("utf-8"))
                .collect();
            assert_eq!(lines_of(input), expected, "{input:?}");
        }
    }

    #[test]
    fn blocks_keep_the_order_and_no_line_is_cut() {
        // Several blocks, lines of every length, and a line longer than a block.
        let mut input = String::new();
        let mut expected = Vec::new();
        for i in 0..60_000 {
            let positive = i % 3 != 0;
            let word = if positive { "great" } else { "awful" };
            input.push_str(&format!("{word} {}\r\n", "x".repeat(i % 41)));
            expected.push(positive);
        }
        input.push_str(&"terrible ".repeat(BLOCK / 4));
        input.push('\n');
        expected.push(false);
        input.push_str("wonderful");
        expected.push(true);
        let scores = scores_of(&input);
        assert_eq!(scores.len(), expected.len());
        for (i, (score, positive)) in scores.iter().zip(&expected).enumerate() {
            assert_eq!(*score > 0.0, *positive, "line {i}: {score}");
        }
    }

    #[test]
    fn input_that_is_not_utf8_is_an_error() {
        let mut out = Vec::new();
        let error = score_lines(&b"good\n\xff\xfe bad\n"[..], &mut out).expect_err("not UTF-8");
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
    }

    #[test]
    fn scores_are_written_as_the_float_formatter_writes_them() {
        let mut out = String::new();
        let mut check = |value: f32| {
            out.clear();
            push_score(&mut out, value);
            assert_eq!(out, format!("{value:.4}"), "{value:e}");
        };
        // Exact ties (1/32 is 312.5 ten-thousandths), negative zero, the bounds.
        for value in [
            0.0, -0.0, 1.0, -1.0, 0.03125, 0.09375, -0.03125, 5e-5, -4e-5, 0.99995,
        ] {
            check(value);
        }
        // Every 4,093rd float of [-1, 1]: some 520,000, from the smallest to 1.
        let mut bits = 0u32;
        while bits <= 1.0f32.to_bits() {
            check(f32::from_bits(bits));
            check(-f32::from_bits(bits));
            bits += 4093;
        }
        check(f32::NAN);
        check(f32::INFINITY);
    }
}
