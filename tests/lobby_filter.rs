//! The shipped lobby lists, measured: every entry, in a sentence, in each disguise a poster uses
//! (case, accents, drawn-out, spaced, dotted or starred letters, `@` and digits for letters,
//! hashtags and handles that hold it) is masked or hidden; a clean corpus (the shared VADER
//! tweets, the demo's posts) is left as it is. `cargo test --test lobby_filter -- --nocapture`
//! prints the figures of the closing note.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use vigie::ingest::demo::{DemoGenerator, Scenario};
use vigie::privacy::{Category, LobbyFilter};
use vigie::text::fold;

const CATEGORIES: [(&str, Category); 4] = [
    ("profanity", Category::Profanity),
    ("sexual", Category::Sexual),
    ("slurs", Category::Slurs),
    ("threats", Category::Threats),
];

fn assets() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/privacy")
}

fn entries(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// An entry of a list: its words as written in the file, its category, and for an ambiguous
/// word, a neighbour that gives it its listed sense (`before` or `after` it).
struct Entry {
    words: Vec<String>,
    category: Category,
    neighbour: Option<(String, bool)>,
    file: String,
}

fn shipped_entries() -> Vec<Entry> {
    let mut all = Vec::new();
    for language in ["fr", "en"] {
        for (name, category) in CATEGORIES {
            let file = format!("{language}/{name}.txt");
            let text = std::fs::read_to_string(assets().join(&file)).expect("a shipped list");
            for entry in entries(&text) {
                all.push(Entry {
                    words: entry
                        .split(|c: char| c.is_whitespace() || c == '-' || c == '\'')
                        .filter(|w| !w.is_empty())
                        .map(str::to_string)
                        .collect(),
                    category,
                    neighbour: None,
                    file: file.clone(),
                });
            }
        }
        let file = format!("{language}/ambiguous.txt");
        let text = std::fs::read_to_string(assets().join(&file)).expect("a shipped list");
        for rule in entries(&text) {
            let parts: Vec<&str> = rule.split_whitespace().collect();
            let category = CATEGORIES
                .iter()
                .find(|(name, _)| *name == parts[0])
                .map(|(_, c)| *c)
                .expect("a category");
            let (before, after) = match parts.iter().position(|p| *p == "after:") {
                Some(at) => (&parts[2..at], &parts[at + 1..]),
                None => (&parts[2..], &[][..]),
            };
            let neighbour = match before.get(1) {
                Some(word) => (word.to_string(), true),
                None => (after.first().expect("a neighbour").to_string(), false),
            };
            all.push(Entry {
                words: vec![parts[1].to_string()],
                category,
                neighbour: Some(neighbour),
                file: file.clone(),
            });
        }
    }
    all
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn is_vowel(c: char) -> bool {
    "aeiouy".contains(c)
}

/// The entry in each disguise that applies to it, named.
fn disguises(entry: &Entry) -> Vec<(&'static str, String)> {
    let words = &entry.words;
    let phrase = words.join(" ");
    let joined: String = words.concat();
    let map_words = |f: &dyn Fn(&str) -> String| -> String {
        words.iter().map(|w| f(w)).collect::<Vec<_>>().join(" ")
    };
    let letters_with =
        |sep: &str| map_words(&|w: &str| w.chars().map(String::from).collect::<Vec<_>>().join(sep));
    let mut forms = vec![
        ("as listed", phrase.clone()),
        ("upper case", phrase.to_uppercase()),
        ("capitalised", capitalized(&phrase)),
        ("no accents", fold(&phrase)),
        ("drawn out", {
            let last = phrase.chars().last().unwrap_or('x');
            format!("{phrase}{}", last.to_string().repeat(4))
        }),
        ("leet", {
            phrase
                .chars()
                .map(|c| match c {
                    'a' => '4',
                    'e' => '3',
                    'i' => '1',
                    'o' => '0',
                    's' => '5',
                    _ => c,
                })
                .collect()
        }),
    ];
    // A word written wholly in digits (`455`) is a number, not a word: never read alone.
    forms.retain(|(_, written)| written.chars().any(char::is_alphabetic));
    if phrase.contains('a') {
        forms.push(("@ for a", phrase.replace('a', "@")));
    }
    // A star for one inner letter of the longest word (a word of two letters would be a guess).
    let longest = words.iter().max_by_key(|w| w.chars().count());
    if let Some(longest) = longest.filter(|w| w.chars().count() >= 3) {
        // A letter read as one (`œ` reads as two).
        let at = longest
            .chars()
            .enumerate()
            .skip(1)
            .find(|(_, c)| c.is_ascii_alphabetic())
            .map_or(1, |(i, _)| i);
        let starred: String = longest
            .chars()
            .enumerate()
            .map(|(i, c)| if i == at { '*' } else { c })
            .collect();
        let mut starred_words = words.clone();
        if let Some(at) = starred_words.iter().position(|w| w == longest) {
            starred_words[at] = starred;
        }
        forms.push(("a letter starred", starred_words.join(" ")));
    }
    if entry.neighbour.is_none() {
        forms.extend([
            ("spaced letters", letters_with(" ")),
            ("dotted letters", letters_with(".")),
            ("dashed letters", letters_with("-")),
            ("starred between letters", letters_with("*")),
            ("hashtag", format!("#{}", fold(&joined))),
            (
                "in a camel-case hashtag",
                format!(
                    "#PetitLoup{}",
                    words.iter().map(|w| capitalized(w)).collect::<String>()
                ),
            ),
            ("in a handle", format!("@{}_du_93", fold(&joined))),
        ]);
        let folded = fold(&joined);
        let n = folded.chars().count();
        if n >= 4 || (n == 3 && !folded.chars().any(is_vowel)) {
            // After letters, a listed word may end a clean one (`#petitlouparse` holds
            // `parse`): digits before it leave no doubt.
            forms.push(("inside a hashtag", format!("#PL2026{folded}")));
        }
    }
    forms
}

fn sentence(entry: &Entry, disguised: &str) -> String {
    match &entry.neighbour {
        Some((word, true)) => format!("Vu ce matin : {word} {disguised} ; voilà tout."),
        Some((word, false)) => format!("Vu ce matin : {disguised} {word} ; voilà tout."),
        None => format!("Vu ce matin : {disguised} ; voilà tout."),
    }
}

#[test]
fn every_entry_in_every_disguise_is_masked_or_hidden() {
    let filter = LobbyFilter::shipped();
    let policy = filter.policy();
    let mut cases = 0;
    let mut misses = Vec::new();
    let mut per_disguise: std::collections::BTreeMap<&str, (u32, u32)> = Default::default();
    let entries = shipped_entries();
    assert!(
        entries.len() > 500,
        "the shipped lists hold {} entries",
        entries.len()
    );
    for entry in &entries {
        for (disguise, written) in disguises(entry) {
            let text = sentence(entry, &written);
            let verdict = filter.verdict(&text);
            let caught = match policy.action(entry.category) {
                vigie::privacy::LobbyAction::Hide => verdict.hidden.is_some(),
                _ => verdict.hidden.is_some() || !verdict.text.contains(&written),
            };
            cases += 1;
            let tally = per_disguise.entry(disguise).or_default();
            tally.0 += 1;
            if caught {
                tally.1 += 1;
            } else {
                misses.push(format!(
                    "{} ({}): {disguise}: {text} -> {}",
                    entry.file,
                    entry.words.join(" "),
                    verdict.line()
                ));
            }
        }
    }
    for (disguise, (all, caught)) in &per_disguise {
        println!("{disguise:>24}: {caught:>5} of {all:>5} caught");
    }
    println!(
        "recall: {} of {cases} test sentences ({:.2} %)",
        cases - misses.len(),
        100.0 * (cases - misses.len()) as f64 / cases as f64
    );
    assert!(
        misses.is_empty(),
        "{} of {cases} slipped through:\n{}",
        misses.len(),
        misses.join("\n")
    );
}

/// A line of the clean corpus: where it comes from, its line in that file (0 for a demo
/// post), its text.
struct Line {
    source: &'static str,
    number: usize,
    text: String,
}

/// The clean corpus: the shared VADER tweets (human-rated, ordinary English tweets) and every
/// distinct post of a demo day.
fn clean_corpus() -> Vec<Line> {
    let path = std::env::var_os("VIGIE_SENTIMENT_TSV")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../shared/data/sentiment/vader-tweets-even.tsv")
        });
    let tweets = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (the shared data sits beside the repository, or VIGIE_SENTIMENT_TSV)",
            path.display()
        )
    });
    let mut corpus: Vec<Line> = tweets
        .lines()
        .enumerate()
        .filter_map(|(n, line)| {
            Some(Line {
                source: "vader",
                number: n + 1,
                text: line.split('\t').nth(2)?.trim_end_matches('\r').to_string(),
            })
        })
        .collect();
    assert!(corpus.len() > 2000, "{} tweets", corpus.len());
    let start = Utc
        .with_ymd_and_hms(2026, 3, 2, 0, 0, 0)
        .single()
        .expect("a date");
    let incident = start + chrono::Duration::hours(10);
    let mut generator = DemoGenerator::new(7, Scenario::PosterBacklash, start, incident);
    let mut seen = BTreeSet::new();
    for _ in 0..30_000 {
        let mention = generator.pop();
        if seen.insert(mention.text.clone()) {
            corpus.push(Line {
                source: "demo",
                number: 0,
                text: mention.text,
            });
        }
    }
    corpus
}

/// The VADER lines judged by hand to hold swearing, sexual content or a slur
/// (`tests/data/lobby-vader-judged.tsv`): their line numbers.
fn judged_offensive() -> BTreeSet<usize> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/lobby-vader-judged.tsv");
    let text = std::fs::read_to_string(path).expect("the judged lines");
    entries(&text)
        .filter_map(|line| {
            let mut fields = line.split('\t');
            let number = fields.next()?.parse().ok()?;
            (fields.next()? != "clean").then_some(number)
        })
        .collect()
}

/// The VADER tweets are ordinary tweets, not clean ones: 139 of 2,100 swear (judged by hand,
/// line by line). A change to one of those is the filter doing its job; a change anywhere
/// else, a demo post above all, is a false positive.
#[test]
fn a_clean_corpus_is_left_as_it_is() {
    let filter = LobbyFilter::shipped();
    let corpus = clean_corpus();
    let offensive = judged_offensive();
    let mut caught = 0;
    let mut false_positives = Vec::new();
    let mut missed = Vec::new();
    for line in &corpus {
        let shown = filter.verdict(&line.text).line().into_owned();
        let judged = line.source == "vader" && offensive.contains(&line.number);
        match (shown != line.text, judged) {
            (true, true) => caught += 1,
            (true, false) => false_positives.push(format!(
                "{} {}: {}\n    -> {shown}",
                line.source, line.number, line.text
            )),
            (false, true) => missed.push(format!("vader {}: {}", line.number, line.text)),
            (false, false) => {}
        }
    }
    let clean = corpus.len() - offensive.len();
    let unchanged = 1.0 - false_positives.len() as f64 / clean as f64;
    println!(
        "{} lines ({} demo posts), {} judged offensive: {caught} of them changed; {} false \
         positives ({:.2} % of the clean lines unchanged):\n{}",
        corpus.len(),
        corpus.iter().filter(|l| l.source == "demo").count(),
        offensive.len(),
        false_positives.len(),
        100.0 * unchanged,
        false_positives.join("\n")
    );
    assert!(
        unchanged >= 0.995,
        "{} false positives:\n{}",
        false_positives.len(),
        false_positives.join("\n")
    );
    assert!(
        missed.is_empty(),
        "judged offensive, now shown as written:\n{}",
        missed.join("\n")
    );
}

#[test]
fn words_that_hold_a_listed_word_and_ambiguous_words_in_their_clean_sense_pass() {
    let filter = LobbyFilter::shipped();
    for clean in [
        "Scunthorpe won, a cocktail in the contact centre, culture and assessment",
        "#cocktailhour à #Scunthorpe avec #PetitLoup",
        "Les députés ont voté, une entreprise réputée, une dispute",
        "pros and cons of the new collection, a con artist, Comic Con",
        "Take a bite of the new cake, a snake bite",
        "On a fait la queue une heure devant Petit Loup",
        "Un baiser sur la joue, un doux baiser",
        "Ma chatte dort sur le canapé Petit Loup",
        "Un cul-de-sac près du magasin",
        "Analysis of the canal, the therapist said, grape juice",
        "Passion, compass, bass, grass, class, assist, embassy",
        "Je suis con... fiant pour la suite",
        "Pique-nique au parc avec Petit Loup, une tapette à mouches et un cul-de-sac",
        "A blue tit at the feeder; she graduated summa cum laude",
        "fdp offerts dès 50 €, fdp inclus",
    ] {
        assert_eq!(filter.verdict(clean).line(), clean, "{clean}");
    }
    // A clean phrase shields only itself.
    assert_eq!(
        filter.verdict("Pique-nique annulé, nique ta mère").line(),
        "Pique-nique annulé, n**** ** ****"
    );
}

fn data_lines(name: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(str::to_string)
        .collect()
}

/// Share of `lines` for which `caught` holds, printed with its name.
fn share(name: &str, lines: &[String], caught: impl Fn(&str) -> bool) -> f64 {
    let n = lines.iter().filter(|l| caught(l)).count();
    println!("{name}: {n} of {}", lines.len());
    n as f64 / lines.len() as f64
}

/// Sets written by helpers who never saw the lists, the grammar nor this file, to measure the
/// filter out of sample (`docs/lobby.md`, "Measured", says which were seen while the rules
/// were written). Floors sit just under the figures of 2026-12-05: they catch a regression,
/// they are not the aim.
#[test]
fn held_out_sets_stay_above_their_floors() {
    let filter = LobbyFilter::shipped();
    let hidden = |text: &str| filter.verdict(text).hidden.is_some();
    let changed = |text: &str| filter.verdict(text).line() != text;

    let hostile: Vec<(String, String)> = data_lines("lobby-heldout-hostile.txt")
        .into_iter()
        .filter_map(|l| {
            let (category, text) = l.split_once('\t')?;
            Some((category.to_string(), text.to_string()))
        })
        .collect();
    assert_eq!(hostile.len(), 200);
    let texts: Vec<String> = hostile.iter().map(|(_, t)| t.clone()).collect();
    let as_its_action = hostile
        .iter()
        .filter(|(category, text)| {
            if category == "profanity" {
                changed(text)
            } else {
                hidden(text)
            }
        })
        .count();
    println!("held-out 1, hostile, as its category's action: {as_its_action} of 200");
    let caught_1 = share("held-out 1, hostile, changed", &texts, changed);
    let clean_1 = share(
        "held-out 1, clean, changed",
        &data_lines("lobby-heldout-clean.txt"),
        changed,
    );
    let threats_2 = share(
        "held-out 2, threats, hidden",
        &data_lines("lobby-heldout2-threats.txt"),
        hidden,
    );
    let benign_2 = share(
        "held-out 2, benign, changed",
        &data_lines("lobby-heldout2-benign.txt"),
        changed,
    );
    let threats_3 = share(
        "held-out 3, threats, hidden",
        &data_lines("lobby-heldout3-threats.txt"),
        hidden,
    );
    let benign_3 = share(
        "held-out 3, benign, changed",
        &data_lines("lobby-heldout3-benign.txt"),
        changed,
    );
    assert!(caught_1 >= 0.75, "held-out 1 hostile {caught_1}");
    assert!(clean_1 <= 0.025, "held-out 1 clean {clean_1}");
    assert!(threats_2 >= 0.50, "held-out 2 threats {threats_2}");
    assert!(benign_2 <= 0.03, "held-out 2 benign {benign_2}");
    assert!(threats_3 >= 0.15, "held-out 3 threats {threats_3}");
    assert!(benign_3 <= 0.03, "held-out 3 benign {benign_3}");
}
