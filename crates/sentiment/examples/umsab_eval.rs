//! Three-class evaluation on a UMSAB-style folder (`{split}_text.txt`, `{split}_labels.txt`).
//!
//! cargo run -p vigie-sentiment --release --example umsab_eval -- DIR SPLIT [en|fr|detect]

use std::path::Path;

use vigie_sentiment::eval::{LangMode, evaluate, read_split};
use vigie_sentiment::{Lang, SentimentScorer};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, split, rest @ ..] = args.as_slice() else {
        return Err("usage: umsab_eval DIR SPLIT [en|fr|detect]".into());
    };
    let mode = match rest.first().map(String::as_str) {
        Some("en") => LangMode::Fixed(Lang::En),
        Some("fr") => LangMode::Fixed(Lang::Fr),
        None | Some("detect") => LangMode::Detect,
        Some(other) => return Err(format!("unknown language mode {other}").into()),
    };
    let (texts, labels) = read_split(Path::new(dir), split)?;
    let scorer = SentimentScorer::new();
    print!("{}", evaluate(&scorer, &texts, &labels, mode));
    Ok(())
}
