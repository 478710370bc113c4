//! Lobby safety and privacy: what a wall in a public place must not show. Listed words are found
//! whatever their disguise (case, accents, drawn-out or spaced letters, `*`, `@`, digits for
//! letters, inside hashtags and handles) and each category does what the config says: profanity
//! masked, slurs, sexual content and threats keep the post off the lobby. Authors give way to a
//! neutral label and @handles are hidden. Only the display changes: every post is still counted.
//!
//! The lists are data, in `assets/privacy/` (its README names their sources and licences),
//! compiled in so that a lobby wall cannot lose them.

mod handles;
pub mod lexicon;
pub mod reading;
pub mod scan;
pub mod threats;

use std::ops::Range;

use serde::Deserialize;

pub use handles::{brand_handles, hide_handles, neutral_author};
pub use lexicon::{Category, Lexicon, List, ListError};
pub use scan::{Findings, Hit};

/// The shipped lists: file name and category, then the text.
const LISTS: [(&str, Category, &str); 8] = [
    (
        "fr/profanity.txt",
        Category::Profanity,
        include_str!("../../assets/privacy/fr/profanity.txt"),
    ),
    (
        "fr/sexual.txt",
        Category::Sexual,
        include_str!("../../assets/privacy/fr/sexual.txt"),
    ),
    (
        "fr/slurs.txt",
        Category::Slurs,
        include_str!("../../assets/privacy/fr/slurs.txt"),
    ),
    (
        "fr/threats.txt",
        Category::Threats,
        include_str!("../../assets/privacy/fr/threats.txt"),
    ),
    (
        "en/profanity.txt",
        Category::Profanity,
        include_str!("../../assets/privacy/en/profanity.txt"),
    ),
    (
        "en/sexual.txt",
        Category::Sexual,
        include_str!("../../assets/privacy/en/sexual.txt"),
    ),
    (
        "en/slurs.txt",
        Category::Slurs,
        include_str!("../../assets/privacy/en/slurs.txt"),
    ),
    (
        "en/threats.txt",
        Category::Threats,
        include_str!("../../assets/privacy/en/threats.txt"),
    ),
];

const AMBIGUOUS: [(&str, &str); 2] = [
    (
        "fr/ambiguous.txt",
        include_str!("../../assets/privacy/fr/ambiguous.txt"),
    ),
    (
        "en/ambiguous.txt",
        include_str!("../../assets/privacy/en/ambiguous.txt"),
    ),
];

const ALLOW: &str = include_str!("../../assets/privacy/allow.txt");

const THREAT_GRAMMAR: &str = include_str!("../../assets/privacy/threat-grammar.txt");

const CLEAN_PHRASES: &str = include_str!("../../assets/privacy/clean-phrases.txt");

/// What a lobby does with a post that holds a word of a category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LobbyAction {
    /// The word is shown as written.
    Show,
    /// The word is shown as its first letter and stars.
    Mask,
    /// The post is kept off the lobby (still counted).
    Hide,
}

/// What a lobby does with each category (`[privacy]` in the config).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LobbyPolicy {
    pub profanity: LobbyAction,
    pub sexual: LobbyAction,
    pub slurs: LobbyAction,
    pub threats: LobbyAction,
}

impl Default for LobbyPolicy {
    fn default() -> Self {
        LobbyPolicy {
            profanity: LobbyAction::Mask,
            sexual: LobbyAction::Hide,
            slurs: LobbyAction::Hide,
            threats: LobbyAction::Hide,
        }
    }
}

impl LobbyAction {
    /// Defaults for the config's fields.
    pub fn mask() -> LobbyAction {
        LobbyAction::Mask
    }

    pub fn hide() -> LobbyAction {
        LobbyAction::Hide
    }
}

impl LobbyPolicy {
    pub fn action(&self, category: Category) -> LobbyAction {
        match category {
            Category::Profanity => self.profanity,
            Category::Sexual => self.sexual,
            Category::Slurs => self.slurs,
            Category::Threats => self.threats,
        }
    }
}

/// What a lobby shows of a post, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The gravest category that keeps the post off the lobby, if any.
    pub hidden: Option<Category>,
    /// The text with its masked words, when shown.
    pub text: String,
    /// Every category found, the gravest last (what the approval queue shows).
    pub flagged: Vec<Category>,
    /// Categories of ambiguous words that their neighbours did not decide.
    pub unsure: Vec<Category>,
}

impl Verdict {
    /// One line: `[hidden: <category>]` or the text as shown.
    pub fn line(&self) -> std::borrow::Cow<'_, str> {
        match self.hidden {
            Some(category) => format!("[hidden: {category}]").into(),
            None => self.text.as_str().into(),
        }
    }
}

pub struct LobbyFilter {
    lexicon: Lexicon,
    policy: LobbyPolicy,
}

impl LobbyFilter {
    /// The shipped lists, each category doing what `policy` says.
    pub fn shipped_with(policy: LobbyPolicy) -> LobbyFilter {
        let lists: Vec<List> = LISTS
            .iter()
            .map(|&(name, category, text)| List {
                name,
                category,
                text,
            })
            .collect();
        // The shipped lists are read by a test (`the_shipped_lists_read`); were they broken
        // all the same, a lobby must still hide what it can, so it runs on no list rather
        // than stop.
        let lexicon = Lexicon::parse(&lists, &AMBIGUOUS, ALLOW).unwrap_or_else(|error| {
            tracing::error!(%error, "the shipped lobby lists cannot be read");
            Lexicon::parse(&[], &[], "").expect("empty lists read")
        });
        let grammar = threats::ThreatGrammar::parse(THREAT_GRAMMAR).unwrap_or_else(|(line, e)| {
            tracing::error!("the shipped threat grammar, line {line}: {e}");
            threats::ThreatGrammar::default()
        });
        let lexicon = lexicon
            .with_threat_grammar(grammar)
            .with_clean_phrases(CLEAN_PHRASES);
        LobbyFilter { lexicon, policy }
    }

    /// The shipped lists with the default policy.
    pub fn shipped() -> LobbyFilter {
        LobbyFilter::shipped_with(LobbyPolicy::default())
    }

    /// A filter of these lists (tests, custom lists).
    pub fn new(lexicon: Lexicon, policy: LobbyPolicy) -> LobbyFilter {
        LobbyFilter { lexicon, policy }
    }

    pub fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }

    pub fn policy(&self) -> LobbyPolicy {
        self.policy
    }

    /// Every listed form in `text`.
    pub fn findings(&self, text: &str) -> Findings {
        scan::scan(&self.lexicon, text)
    }

    /// What a lobby shows of `text`, and why.
    pub fn verdict(&self, text: &str) -> Verdict {
        let findings = self.findings(text);
        let mut flagged: Vec<Category> = findings.hits.iter().map(|h| h.category).collect();
        flagged.sort();
        flagged.dedup();
        let hidden = self.gravest_hidden(&findings);
        let text = match hidden {
            Some(_) => String::new(),
            None => masked(text, &self.mask_ranges(&findings)),
        };
        Verdict {
            hidden,
            text,
            flagged,
            unsure: findings.unsure,
        }
    }

    /// The gravest category that keeps `text` off a lobby, if any.
    pub fn hidden_category(&self, text: &str) -> Option<Category> {
        self.gravest_hidden(&self.findings(text))
    }

    /// The gravest category found whose action is to hide the post.
    fn gravest_hidden(&self, findings: &Findings) -> Option<Category> {
        findings
            .hits
            .iter()
            .map(|h| h.category)
            .filter(|&c| self.policy.action(c) == LobbyAction::Hide)
            .max()
    }

    /// Whether a lobby leaves the post out.
    pub fn keeps_off(&self, text: &str) -> bool {
        self.hidden_category(text).is_some()
    }

    /// The text with every listed word masked but for the categories shown as written: for
    /// texts a lobby cannot leave out whole (a trending term, an alert's summary).
    pub fn mask(&self, text: &str) -> String {
        masked(text, &self.mask_ranges(&self.findings(text)))
    }

    fn mask_ranges(&self, findings: &Findings) -> Vec<Range<usize>> {
        findings
            .hits
            .iter()
            .filter(|h| self.policy.action(h.category) != LobbyAction::Show)
            .map(|h| h.bytes.clone())
            .collect()
    }

    /// What a lobby may show of a text it shows: @handles hidden but for `keep`
    /// (`brand_handles`), listed words masked.
    pub fn public_text(&self, text: &str, keep: &[String]) -> String {
        self.mask(&hide_handles(text, keep))
    }
}

/// `text` with each range written as its first character and stars (spaces kept).
fn masked(text: &str, ranges: &[Range<usize>]) -> String {
    if ranges.is_empty() {
        return text.to_string();
    }
    let mut ranges = ranges.to_vec();
    ranges.sort_by_key(|r| r.start);
    let mut out = String::with_capacity(text.len());
    let mut ranges = ranges.into_iter().peekable();
    // The range being masked, and whether its first letter has been kept.
    let mut current: Option<(Range<usize>, bool)> = None;
    for (at, c) in text.char_indices() {
        while let Some(next) = ranges.peek() {
            if next.start > at {
                break;
            }
            let next = ranges.next().unwrap_or_default();
            current = match current.take() {
                Some((range, kept)) if at < range.end => {
                    Some((range.start..range.end.max(next.end), kept))
                }
                _ => Some((next, false)),
            };
        }
        match &mut current {
            Some((range, kept)) if at < range.end => {
                if c.is_whitespace() {
                    out.push(c);
                } else if !*kept {
                    out.push(c);
                    *kept = true;
                } else {
                    out.push('*');
                }
            }
            _ => {
                current = None;
                out.push(c);
            }
        }
    }
    out
}

/// What a lobby would show of each line of `input`, one line each on `output`, nothing else:
/// `[hidden: <category>]` for a post kept off the lobby, else the text with its masks
/// (`vigie lobby-filter`); with `hide_handles`, @handles hidden as well. A line that is not
/// UTF-8 is read as best it can be. The lines read.
pub fn filter_lines(
    filter: &LobbyFilter,
    hide_handles_too: bool,
    input: impl std::io::BufRead,
    mut output: impl std::io::Write,
) -> std::io::Result<u64> {
    let mut lines = 0;
    for line in input.split(b'\n') {
        let line = line?;
        let text = String::from_utf8_lossy(&line);
        let text = text.strip_suffix('\r').unwrap_or(&text);
        let verdict = filter.verdict(text);
        match verdict.hidden {
            Some(category) => writeln!(output, "[hidden: {category}]")?,
            None if hide_handles_too => writeln!(output, "{}", filter.public_text(text, &[]))?,
            None => writeln!(output, "{}", verdict.text)?,
        }
        lines += 1;
    }
    output.flush()?;
    Ok(lines)
}

#[cfg(test)]
mod tests;
