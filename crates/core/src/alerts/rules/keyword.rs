//! `kind = "keyword"`: one of `words` said within `within_words` words of the brand's name
//! (case and accents ignored): «rappel», «intoxication», «boycott» near the brand.

use serde::Deserialize;
use toml::Spanned;

use super::{Condition, OptionError, Options, Post, in_range};
use crate::alerts::Trigger;
use crate::i18n::Locale;
use crate::text::{Reading, folded_words};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeywordOptions {
    words: Option<Spanned<Vec<String>>>,
    within_words: Option<Spanned<u32>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Keyword {
    /// Each phrase as its folded words, split once here rather than for every post.
    pub phrases: Vec<Vec<String>>,
    pub within_words: usize,
}

pub(super) fn read(options: Options<'_>) -> Result<Box<dyn Condition>, OptionError> {
    let whole = options.span();
    let raw: KeywordOptions = options.read()?;
    in_range(&raw.within_words, "within_words", (1, 100))?;
    let Some(words) = &raw.words else {
        return Err(OptionError::new(
            whole,
            "kind keyword needs `words = [\"…\"]`",
        ));
    };
    let phrases: Vec<Vec<String>> = words
        .get_ref()
        .iter()
        .map(|w| folded_words(w))
        .filter(|w| !w.is_empty())
        .collect();
    if phrases.is_empty() {
        return Err(OptionError::new(words.span(), "`words` is empty"));
    }
    Ok(Box::new(Keyword {
        phrases,
        within_words: raw.within_words.map_or(8, |w| w.into_inner() as usize),
    }))
}

impl Condition for Keyword {
    fn kind(&self) -> &'static str {
        "keyword"
    }

    fn on_post(&self, post: &Post<'_>, brand: usize) -> Option<Trigger> {
        let brand_words = &post.brand_words[brand];
        self.phrases
            .iter()
            .find(|phrase| near(post.reading, phrase, brand_words, self.within_words))
            .map(|phrase| Trigger::Keyword {
                word: phrase.join(" "),
            })
    }

    fn ends_when_posts_stop(&self) -> bool {
        true
    }
}

/// Whether the word sequence `watched` occurs within `within` words of one of `brand_keywords`.
fn near(
    words: &Reading,
    watched: &[String],
    brand_keywords: &[Vec<String>],
    within: usize,
) -> bool {
    let starts = |phrase: &[String]| -> Vec<usize> {
        if phrase.is_empty() || phrase.len() > words.len() {
            return Vec::new();
        }
        (0..=words.len() - phrase.len())
            .filter(|&i| {
                phrase
                    .iter()
                    .enumerate()
                    .all(|(at, part)| words.word_bytes(i + at) == part.as_bytes())
            })
            .collect()
    };
    let hits = starts(watched);
    if hits.is_empty() {
        return false;
    }
    brand_keywords.iter().any(|keyword| {
        starts(keyword)
            .iter()
            .any(|&b| hits.iter().any(|&h| h.abs_diff(b) <= within))
    })
}

pub(crate) fn summary(locale: Locale, brand: &str, word: &str) -> String {
    match locale {
        Locale::Fr => format!("{brand} : « {word} » cité près de la marque"),
        Locale::En => format!("{brand}: \"{word}\" said near the brand"),
    }
}
