//! Which brands a text is about. Keyword queries from `config.toml` are matched on whole words,
//! ignoring case and accents ("bebe cargo" finds "Bébé Cargo"), and a brand's exclusions veto
//! it ("petit loup" in "le parc animalier" is a wolf cub, not the brand).

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use unicode_normalization::char::is_combining_mark;

use crate::config::BrandConfig;

#[derive(Debug, Clone, Copy)]
struct Pattern {
    group: usize,
    exclude: bool,
}

/// Keyword queries for up to 64 groups (brands, topics), each a list of phrases that mean it
/// and a list of phrases that veto it, found in one pass over the folded text.
pub struct PhraseMatcher {
    automaton: AhoCorasick,
    patterns: Vec<Pattern>,
}

/// Which groups a text names, as bit sets: bit `i` is group `i`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PhraseHits {
    pub named: u64,
    pub vetoed: u64,
}

impl PhraseHits {
    /// Named and not vetoed.
    pub fn kept(&self) -> u64 {
        self.named & !self.vetoed
    }
}

impl PhraseMatcher {
    /// One `(keywords, exclude)` pair per group, in group order; groups past 64 are ignored
    /// (the config refuses them first).
    pub fn new<'a>(
        groups: impl IntoIterator<Item = (&'a [String], &'a [String])>,
    ) -> Result<Self, aho_corasick::BuildError> {
        let mut phrases = Vec::new();
        let mut patterns = Vec::new();
        for (group, (keywords, exclude)) in groups.into_iter().enumerate().take(64) {
            let all = keywords
                .iter()
                .map(|k| (k, false))
                .chain(exclude.iter().map(|k| (k, true)));
            for (phrase, exclude) in all {
                let folded = fold(phrase);
                if !folded.is_empty() {
                    phrases.push(folded);
                    patterns.push(Pattern { group, exclude });
                }
            }
        }
        // A full DFA: the watch list is a few hundred short phrases, so its table is small,
        // and it reads a byte a step where the default NFA follows failure links.
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&phrases)?;
        Ok(Self {
            automaton,
            patterns,
        })
    }

    /// The groups named and vetoed in `folded` (a text passed through `fold`).
    pub fn scan(&self, folded: &str) -> PhraseHits {
        let mut hits = PhraseHits::default();
        // Overlapping search: an occurrence that fails the word-boundary test must not hide
        // a later one that passes.
        for found in self.automaton.find_overlapping_iter(folded) {
            if !is_whole_word(folded, found.start(), found.end()) {
                continue;
            }
            let pattern = self.patterns[found.pattern().as_usize()];
            let bit = 1u64 << pattern.group;
            if pattern.exclude {
                hits.vetoed |= bit;
            } else {
                hits.named |= bit;
            }
        }
        hits
    }
}

/// Which brands a text is about.
pub struct BrandMatcher {
    phrases: PhraseMatcher,
    brand_count: usize,
}

impl BrandMatcher {
    pub fn new(brands: &[BrandConfig]) -> Result<Self, aho_corasick::BuildError> {
        Ok(Self {
            phrases: PhraseMatcher::new(
                brands
                    .iter()
                    .map(|b| (b.keywords.as_slice(), b.exclude.as_slice())),
            )?,
            brand_count: brands.len().min(64),
        })
    }

    /// Indices of the brands the text is about, in brand order.
    pub fn brands_in(&self, text: &str) -> Vec<usize> {
        self.brands_in_folded(&fold(text))
    }

    /// `brands_in` for a text already folded, so that the analysis folds a mention once.
    pub fn brands_in_folded(&self, folded: &str) -> Vec<usize> {
        let kept = self.phrases.scan(folded).kept();
        (0..self.brand_count)
            .filter(|&b| kept & (1 << b) != 0)
            .collect()
    }
}

/// Lowercase, accents removed, runs of whitespace made one space: the form both keywords and
/// texts are compared in.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    fold_into(text, &mut out);
    out
}

/// `fold`, written at the end of `out` (a buffer used again, on the hot path).
pub fn fold_into(text: &str, out: &mut String) {
    let start = out.len();
    let mut last_space = true;
    fn push(c: char, out: &mut String, last_space: &mut bool) {
        if is_combining_mark(c) {
            return;
        }
        if c.is_whitespace() {
            if !*last_space {
                out.push(' ');
                *last_space = true;
            }
            return;
        }
        *last_space = false;
        match c {
            'œ' | 'Œ' => out.push_str("oe"),
            'æ' | 'Æ' => out.push_str("ae"),
            '’' => out.push('\''),
            _ if c.is_ascii() => out.push(c.to_ascii_lowercase()),
            _ => out.extend(c.to_lowercase()),
        }
    }
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii() && !is_ascii_space(bytes[i]) {
            // Most of a post is runs of ASCII word bytes: copied and lowercased in place, with
            // no per-character table lookup.
            let run = bytes[i..]
                .iter()
                .position(|&b| !b.is_ascii() || is_ascii_space(b))
                .map_or(bytes.len(), |n| i + n);
            let at = out.len();
            out.push_str(&text[i..run]);
            out[at..].make_ascii_lowercase();
            last_space = false;
            i = run;
            continue;
        }
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        i += c.len_utf8();
        if c.is_ascii() {
            push(c, out, &mut last_space);
        } else {
            // Canonical decomposition char by char is the string's NFD but for the order of
            // combining marks, which are dropped anyway.
            unicode_normalization::char::decompose_canonical(c, |part| {
                push(part, out, &mut last_space)
            });
        }
    }
    if out.len() > start && out.ends_with(' ') {
        out.pop();
    }
}

/// The ASCII bytes `char::is_whitespace` is true for (tab, line feed, vertical tab, form feed,
/// carriage return, space).
fn is_ascii_space(b: u8) -> bool {
    matches!(b, b'\t'..=b'\r' | b' ')
}

/// The words of `text`, folded: letters and digits, everything else separates. What alert
/// rules and spike explanations compare.
pub fn folded_words(text: &str) -> Vec<String> {
    words_of_folded(&fold(text))
}

/// `folded_words` of a text already folded.
pub fn words_of_folded(folded: &str) -> Vec<String> {
    words_in(folded).map(str::to_string).collect()
}

/// The words of `text`, borrowed from it: runs of letters and digits, as splitting it at every
/// other character gives them, without the empty ones.
pub fn words_in(text: &str) -> WordsIn<'_> {
    WordsIn { text, at: 0 }
}

/// Iterator of `words_in`. Bytes are read as bytes while they are ASCII, which most of a post
/// is: a per-character Unicode test on every byte was most of the cost of splitting.
pub struct WordsIn<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> WordsIn<'a> {
    /// The length of the character at `at`, and whether it is a letter or a digit.
    fn char_at(&self, at: usize) -> (usize, bool) {
        let byte = self.text.as_bytes()[at];
        if byte.is_ascii() {
            return (1, byte.is_ascii_alphanumeric());
        }
        self.text[at..]
            .chars()
            .next()
            .map_or((1, false), |c| (c.len_utf8(), c.is_alphanumeric()))
    }
}

impl<'a> Iterator for WordsIn<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let len = self.text.len();
        let mut start = None;
        while self.at < len {
            let (width, in_word) = self.char_at(self.at);
            match (in_word, start) {
                (true, None) => start = Some(self.at),
                (false, Some(from)) => return Some(&self.text[from..self.at]),
                _ => {}
            }
            self.at += width;
        }
        start.map(|from| &self.text[from..])
    }
}

fn is_whole_word(text: &str, start: usize, end: usize) -> bool {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let before_ok = text[..start]
        .chars()
        .next_back()
        .is_none_or(|c| !is_word(c));
    let after_ok = text[end..].chars().next().is_none_or(|c| !is_word(c));
    before_ok && after_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition `fold` was first written as: NFD of the whole text, marks dropped.
    fn fold_by_nfd(text: &str) -> String {
        use unicode_normalization::UnicodeNormalization;
        let mut out = String::new();
        let mut last_space = true;
        for c in text.nfd() {
            if is_combining_mark(c) {
                continue;
            }
            if c.is_whitespace() {
                if !last_space {
                    out.push(' ');
                    last_space = true;
                }
                continue;
            }
            last_space = false;
            match c {
                'œ' | 'Œ' => out.push_str("oe"),
                'æ' | 'Æ' => out.push_str("ae"),
                '’' => out.push('\''),
                _ => out.extend(c.to_lowercase()),
            }
        }
        if out.ends_with(' ') {
            out.pop();
        }
        out
    }

    #[test]
    fn the_fast_fold_is_the_nfd_fold() {
        for text in [
            "",
            "   ",
            "Petit Loup",
            "  Élodie  a ÉTÉ déçue\tpar   Bébé Cargo ! ",
            "Cœur ÆTHER l’été",
            "e\u{301}te\u{301} combining marks",
            "Ǆemal İstanbul ß ΣΑΣ Ωμέγα",
            "emoji 😡🔥 and #PetitLoup @bebecargo https://x.y/z?a=b",
            "Ḝ ḝ ǘ Å Å ﬁ",
            "a\u{b}b\u{c}c\r\nd\u{1c}e\u{85}f\u{a0}g  MiXeD-Case_42 ",
            "ÉTÉ\tÉTÉ\n\nAscii then é then ASCII",
        ] {
            assert_eq!(fold(text), fold_by_nfd(text), "{text:?}");
        }
        let mut buffer = String::from("kept ");
        fold_into("Été  ", &mut buffer);
        assert_eq!(buffer, "kept ete");
    }

    #[test]
    fn words_are_runs_of_letters_and_digits() {
        for text in [
            "",
            "  ,;  ",
            "petit loup, c'est top!! 42fois",
            "l'ete a ete doux: 😡🔥 ωμεγα-ß #tag @nom https://x.y/z?a=b",
            "fin sans séparateur",
            "\u{301}marque isolée",
        ] {
            let expected: Vec<&str> = text
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .collect();
            assert_eq!(words_in(text).collect::<Vec<_>>(), expected, "{text:?}");
        }
    }

    fn brand(name: &str, keywords: &[&str], exclude: &[&str]) -> BrandConfig {
        BrandConfig {
            name: name.into(),
            own: false,
            color: "#ffffff".into(),
            keywords: keywords.iter().map(|s| s.to_string()).collect(),
            exclude: exclude.iter().map(|s| s.to_string()).collect(),
            accounts: Vec::new(),
        }
    }

    fn matcher() -> BrandMatcher {
        BrandMatcher::new(&[
            brand(
                "Petit Loup",
                &["petit loup", "petitloup", "@petitloup", "#petitloup"],
                &["parc animalier"],
            ),
            brand("Bébé Cargo", &["bébé cargo", "bebecargo"], &[]),
            brand("Koala & Co", &["koala & co", "koalaandco"], &[]),
        ])
        .expect("patterns build")
    }

    #[test]
    fn case_and_accents_do_not_matter() {
        let m = matcher();
        assert_eq!(m.brands_in("J'adore PETIT LOUP"), vec![0]);
        assert_eq!(m.brands_in("commande chez bebe cargo"), vec![1]);
        assert_eq!(m.brands_in("Commande chez BÉBÉ CARGO"), vec![1]);
        assert_eq!(m.brands_in("Bébé   Cargo\nlivre vite"), vec![1]);
    }

    #[test]
    fn only_whole_words_match() {
        let m = matcher();
        assert!(m.brands_in("le petit louplou").is_empty());
        assert!(m.brands_in("unpetit loup").is_empty());
        assert!(m.brands_in("superpetitloup").is_empty());
        // A failing occurrence does not hide a good one later in the text.
        assert_eq!(m.brands_in("petitloupe et petit loup"), vec![0]);
    }

    #[test]
    fn handles_and_hashtags_match() {
        let m = matcher();
        assert_eq!(m.brands_in("merci @petitloup !"), vec![0]);
        assert_eq!(m.brands_in("#PetitLoup #BebeCargo"), vec![0, 1]);
        assert_eq!(m.brands_in("Koala & Co, Petit Loup"), vec![0, 2]);
        assert!(m.brands_in("koala and coffee").is_empty());
    }

    #[test]
    fn exclusions_veto_their_brand_only() {
        let m = matcher();
        assert!(
            m.brands_in("Au parc animalier un petit loup dormait")
                .is_empty()
        );
        assert_eq!(
            m.brands_in("Au Parc Animalier avec mon pyjama Bébé Cargo et un petit loup"),
            vec![1]
        );
    }

    #[test]
    fn fold_removes_accents_and_ligatures() {
        assert_eq!(fold("  Élodie  aime l’Œuvre "), "elodie aime l'oeuvre");
    }
}
