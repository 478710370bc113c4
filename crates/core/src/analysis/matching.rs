//! Which brands a text is about. Keyword queries from `config.toml` are matched on whole words,
//! ignoring case and accents ("bebe cargo" finds "Bébé Cargo"), and a brand's exclusions veto
//! it ("petit loup" in "le parc animalier" is a wolf cub, not the brand).

use crate::settings::BrandConfig;
use crate::text::fold;
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

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
