//! Single-thread scoring throughput over the texts of a TSV (`id<TAB>rating<TAB>text`) or a
//! plain text file (one text a line), repeated to N texts.
//!
//! cargo run -p vigie-sentiment --release --example throughput -- FILE [N] [--detect] [--rules]
//!
//! `--rules`: the rule engine alone (`SentimentScorer::rules_only`), for comparison.

use std::time::Instant;

use vigie_sentiment::{Lang, SentimentScorer, detect_language};

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .first()
        .ok_or("usage: throughput FILE [N] [--detect] [--rules]")?;
    let n: usize = args
        .get(1)
        .filter(|a| !a.starts_with("--"))
        .map(|a| a.parse().map_err(|_| format!("bad N {a}")))
        .transpose()?
        .unwrap_or(1_000_000);
    let detect = args.iter().any(|a| a == "--detect");
    let rules = args.iter().any(|a| a == "--rules");
    let data = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let texts: Vec<&str> = data
        .lines()
        .map(|l| l.splitn(3, '\t').nth(2).unwrap_or(l))
        .filter(|t| !t.is_empty())
        .collect();
    if texts.is_empty() {
        return Err("no texts".into());
    }
    let scorer = if rules {
        SentimentScorer::rules_only()
    } else {
        SentimentScorer::new()
    };
    // Warm-up: builds the thread's scratch buffers and faults in the tables.
    let mut sink = 0.0f32;
    for t in &texts {
        sink += scorer.score(t, Lang::En);
    }
    let start = Instant::now();
    for t in texts.iter().cycle().take(n) {
        let lang = if detect { detect_language(t) } else { Lang::En };
        sink += scorer.score(t, lang);
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{n} texts in {secs:.3}s: {:.0} texts/s (single thread{}{}) [checksum {sink:.3}]",
        n as f64 / secs,
        if rules { ", rules only" } else { "" },
        if detect {
            ", with language detection"
        } else {
            ""
        }
    );
    Ok(())
}
