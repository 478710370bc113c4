//! Which brands a text is about. Keyword queries from `config.toml` are matched on whole words,
//! ignoring case and accents ("bebe cargo" finds "Bébé Cargo"), and a brand's exclusions veto
//! it ("petit loup" in "le parc animalier" is a wolf cub, not the brand).

use aho_corasick::{AhoCorasick, MatchKind};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::config::BrandConfig;

#[derive(Debug, Clone, Copy)]
struct Pattern {
    brand: usize,
    exclude: bool,
}

pub struct BrandMatcher {
    automaton: AhoCorasick,
    patterns: Vec<Pattern>,
    brand_count: usize,
}

impl BrandMatcher {
    pub fn new(brands: &[BrandConfig]) -> Result<Self, aho_corasick::BuildError> {
        let mut phrases = Vec::new();
        let mut patterns = Vec::new();
        for (brand, config) in brands.iter().enumerate() {
            let all = config
                .keywords
                .iter()
                .map(|k| (k, false))
                .chain(config.exclude.iter().map(|k| (k, true)));
            for (phrase, exclude) in all {
                let folded = fold(phrase);
                if !folded.is_empty() {
                    phrases.push(folded);
                    patterns.push(Pattern { brand, exclude });
                }
            }
        }
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&phrases)?;
        Ok(Self {
            automaton,
            patterns,
            brand_count: brands.len(),
        })
    }

    /// Indices of the brands the text is about, in brand order.
    pub fn brands_in(&self, text: &str) -> Vec<usize> {
        let folded = fold(text);
        let mut hit = vec![false; self.brand_count];
        let mut vetoed = vec![false; self.brand_count];
        // Overlapping search: an occurrence that fails the word-boundary test must not hide
        // a later one that passes.
        for found in self.automaton.find_overlapping_iter(&folded) {
            if !is_whole_word(&folded, found.start(), found.end()) {
                continue;
            }
            let pattern = self.patterns[found.pattern().as_usize()];
            if pattern.exclude {
                vetoed[pattern.brand] = true;
            } else {
                hit[pattern.brand] = true;
            }
        }
        (0..self.brand_count)
            .filter(|&b| hit[b] && !vetoed[b])
            .collect()
    }
}

/// Lowercase, accents removed, runs of whitespace made one space: the form both keywords and
/// texts are compared in.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
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

/// The words of `text`, folded: letters and digits, everything else separates. What alert
/// rules and spike explanations compare.
pub fn folded_words(text: &str) -> Vec<String> {
    fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
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
