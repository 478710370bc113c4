//! Research loop for the scorer: Pearson r and 3-class accuracy on human-rated tweets, and the
//! worst disagreements.
//!
//! cargo run -p vigie-sentiment --release --example vader_tweets -- FILE.tsv [--worst N] [--lang]
//! `--lang` scores each text in its detected language (what `vigie sentiment` does) instead of
//! English.

use vigie_sentiment::{Lang, SentimentScorer, detect_language};

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: vader_tweets FILE.tsv [--worst N] [--lang]")?;
    let mut worst = 0;
    let mut detect = false;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--worst" => {
                worst = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .ok_or("--worst N")?
            }
            "--lang" => detect = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    let scorer = SentimentScorer::new();
    let mut rows = Vec::new();
    for line in text.lines() {
        let mut parts = line.trim_end_matches('\r').splitn(3, '\t');
        let (Some(_), Some(rating), Some(text)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let Ok(rating) = rating.trim().parse::<f64>() else {
            continue;
        };
        let lang = if detect {
            detect_language(text)
        } else {
            Lang::En
        };
        rows.push((f64::from(scorer.score(text, lang)), rating, text));
    }
    let n = rows.len() as f64;
    let (mx, my) = rows
        .iter()
        .fold((0.0, 0.0), |(a, b), r| (a + r.0 / n, b + r.1 / n));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for r in &rows {
        sxy += (r.0 - mx) * (r.1 - my);
        sxx += (r.0 - mx).powi(2);
        syy += (r.1 - my).powi(2);
    }
    let class = |x: f64| {
        if x > 0.05 {
            1
        } else if x < -0.05 {
            -1
        } else {
            0
        }
    };
    let correct = rows
        .iter()
        .filter(|r| class(r.0) == class(r.1 / 4.0))
        .count();
    println!(
        "n {}  r {:.4}  accuracy {:.4}",
        rows.len(),
        sxy / (sxx * syy).sqrt(),
        correct as f64 / n
    );
    rows.sort_by(|a, b| (b.0 - b.1 / 4.0).abs().total_cmp(&(a.0 - a.1 / 4.0).abs()));
    for r in rows.iter().take(worst) {
        println!("{:+.3} human {:+.2}  {}", r.0, r.1 / 4.0, r.2);
    }
    Ok(())
}
