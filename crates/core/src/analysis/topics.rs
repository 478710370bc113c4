//! Topics: what the conversation is about. `config.toml` names macro topics (`[[topics]]`) with
//! micro topics inside (`[[topics.micro]]`), each a keyword query matched like a brand's (whole
//! words, case and accents ignored, `exclude` vetoes). A mention is in a micro topic when its
//! phrases match, and in the macro topic when the macro's own phrases or any of its micro
//! topics' match; a macro's `exclude` vetoes the macro and everything inside it.
//!
//! Topics are flattened in file order, each macro followed by its micro topics, so that one bit
//! set per mention says all its topics and the figures index them the same way.

use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use super::matching::PhraseMatcher;
use crate::model::TopicInfo;
use crate::settings::{ConfigError, SourceText};

/// A mention remembers its topics as a bit set: the config allows at most this many, macro and
/// micro topics together.
pub const MAX_TOPICS: usize = 64;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTopic {
    name: Spanned<String>,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default)]
    micro: Vec<Spanned<RawMicroTopic>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMicroTopic {
    name: Spanned<String>,
    keywords: Spanned<Vec<String>>,
    #[serde(default)]
    exclude: Vec<String>,
}

/// A validated topic with its query.
#[derive(Debug, Clone, PartialEq)]
pub struct TopicConfig {
    pub info: TopicInfo,
    /// Phrases that put a mention in this topic.
    pub keywords: Vec<String>,
    /// Phrases that keep a mention out of it (and, for a macro, out of its micro topics).
    pub exclude: Vec<String>,
}

/// Checks `[[topics]]` and flattens them: each macro topic, then its micro topics.
pub fn validate_topics(
    source: &SourceText,
    raw: Vec<Spanned<RawTopic>>,
) -> Result<Vec<TopicConfig>, ConfigError> {
    let mut topics: Vec<TopicConfig> = Vec::new();
    let check_name = |topics: &[TopicConfig], name: &Spanned<String>| {
        let trimmed = name.get_ref().trim().to_string();
        if trimmed.is_empty() {
            return Err(source.error_at(Some(name.span()), "topic name is empty"));
        }
        if topics
            .iter()
            .any(|t| t.info.name.eq_ignore_ascii_case(&trimmed))
        {
            return Err(source.error_at(
                Some(name.span()),
                format!("two topics are named '{trimmed}': give each a distinct name"),
            ));
        }
        Ok(trimmed)
    };
    let too_many = |span: Range<usize>| {
        source.error_at(
            Some(span),
            format!(
                "too many topics: a wall follows at most {MAX_TOPICS}, macro and micro topics \
                 together"
            ),
        )
    };
    for spanned in raw {
        let span = spanned.span();
        let topic = spanned.into_inner();
        let name = check_name(&topics, &topic.name)?;
        let has_keywords = topic.keywords.iter().any(|k| !k.trim().is_empty());
        if !has_keywords && topic.micro.is_empty() {
            return Err(source.error_at(
                Some(topic.name.span()),
                format!(
                    "topic '{name}' has no keywords and no [[topics.micro]]: list the words \
                     that mean it"
                ),
            ));
        }
        if topics.len() == MAX_TOPICS {
            return Err(too_many(span));
        }
        let parent = topics.len();
        topics.push(TopicConfig {
            info: TopicInfo { name, parent: None },
            keywords: topic.keywords,
            exclude: topic.exclude,
        });
        for micro in topic.micro {
            let micro_span = micro.span();
            let micro = micro.into_inner();
            let name = check_name(&topics, &micro.name)?;
            if micro.keywords.get_ref().iter().all(|k| k.trim().is_empty()) {
                return Err(source.error_at(
                    Some(micro.keywords.span()),
                    format!("micro topic '{name}' has no keywords: list the words that mean it"),
                ));
            }
            if topics.len() == MAX_TOPICS {
                return Err(too_many(micro_span));
            }
            topics.push(TopicConfig {
                info: TopicInfo {
                    name,
                    parent: Some(parent),
                },
                keywords: micro.keywords.into_inner(),
                exclude: micro.exclude,
            });
        }
    }
    Ok(topics)
}

/// Finds the topics of a folded text.
pub struct TopicMatcher {
    phrases: PhraseMatcher,
    /// Per topic, its macro's bit (its own for a macro).
    macro_bit: Vec<u64>,
    /// Per macro topic's bit, the bits of the macro and all its micro topics.
    family: Vec<(u64, u64)>,
}

impl TopicMatcher {
    pub fn new(topics: &[TopicConfig]) -> Result<Self, aho_corasick::BuildError> {
        let topics = &topics[..topics.len().min(MAX_TOPICS)];
        let macro_of = |i: usize| topics[i].info.parent.unwrap_or(i);
        let macro_bit = (0..topics.len()).map(|i| 1u64 << macro_of(i)).collect();
        let family = (0..topics.len())
            .filter(|&i| topics[i].info.parent.is_none())
            .map(|m| {
                let members = (0..topics.len())
                    .filter(|&i| macro_of(i) == m)
                    .fold(0u64, |bits, i| bits | 1 << i);
                (1u64 << m, members)
            })
            .collect();
        Ok(Self {
            phrases: PhraseMatcher::new(
                topics
                    .iter()
                    .map(|t| (t.keywords.as_slice(), t.exclude.as_slice())),
            )?,
            macro_bit,
            family,
        })
    }

    /// True when the config names no topic.
    pub fn is_empty(&self) -> bool {
        self.macro_bit.is_empty()
    }

    /// The topics of `folded` (a text passed through `text::fold`) as a bit set.
    pub fn topics_in_folded(&self, folded: &str) -> u64 {
        if self.is_empty() {
            return 0;
        }
        let hits = self.phrases.scan(folded);
        let mut topics = hits.kept();
        // A micro topic puts its mention in its macro topic too.
        for (i, &macro_bit) in self.macro_bit.iter().enumerate() {
            if topics & (1 << i) != 0 {
                topics |= macro_bit;
            }
        }
        // A macro's veto keeps the whole family out.
        for &(macro_bit, members) in &self.family {
            if hits.vetoed & macro_bit != 0 {
                topics &= !members;
            }
        }
        topics
    }
}

/// The indices set in a topic bit set, lowest first.
pub fn topic_indices(bits: u64) -> impl Iterator<Item = usize> {
    (0..MAX_TOPICS).filter(move |i| bits & (1 << i) != 0)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::text::fold;

    fn validate(text: &str) -> Result<Vec<TopicConfig>, ConfigError> {
        #[derive(Deserialize)]
        struct File {
            topics: Vec<Spanned<RawTopic>>,
        }
        let file: File = toml::from_str(text).expect("toml");
        validate_topics(
            &SourceText {
                file: Path::new("config.toml"),
                text,
            },
            file.topics,
        )
    }

    const TOPICS: &str = r#"
[[topics]]
name = "Produit"
keywords = ["collection"]
exclude = ["collection de timbres"]
[[topics.micro]]
name = "Qualité"
keywords = ["qualité", "trouée", "quality"]
[[topics.micro]]
name = "Taille"
keywords = ["taille", "size"]

[[topics]]
name = "Livraison"
keywords = ["livraison", "commande", "delivery"]
"#;

    fn matcher() -> (Vec<TopicConfig>, TopicMatcher) {
        let topics = validate(TOPICS).expect("valid topics");
        let matcher = TopicMatcher::new(&topics).expect("patterns build");
        (topics, matcher)
    }

    fn names(topics: &[TopicConfig], bits: u64) -> Vec<&str> {
        topic_indices(bits)
            .map(|i| topics[i].info.name.as_str())
            .collect()
    }

    #[test]
    fn topics_are_flattened_macro_then_its_micro_topics() {
        let (topics, _) = matcher();
        let flat: Vec<(&str, Option<usize>)> = topics
            .iter()
            .map(|t| (t.info.name.as_str(), t.info.parent))
            .collect();
        assert_eq!(
            flat,
            vec![
                ("Produit", None),
                ("Qualité", Some(0)),
                ("Taille", Some(0)),
                ("Livraison", None)
            ]
        );
    }

    #[test]
    fn a_micro_topic_puts_its_mention_in_its_macro_topic() {
        let (topics, m) = matcher();
        let of = |text: &str| names(&topics, m.topics_in_folded(&fold(text)));
        assert_eq!(of("La QUALITE est nulle"), vec!["Produit", "Qualité"]);
        assert_eq!(
            of("wrong size and the delivery was late"),
            vec!["Produit", "Taille", "Livraison"]
        );
        assert_eq!(of("la nouvelle collection"), vec!["Produit"]);
        assert!(of("rien à voir").is_empty());
        // Whole words only, as for brands.
        assert!(of("une commandeuse").is_empty());
    }

    #[test]
    fn a_macro_exclusion_vetoes_its_micro_topics_too() {
        let (topics, m) = matcher();
        let of = |text: &str| names(&topics, m.topics_in_folded(&fold(text)));
        assert_eq!(
            of("ma collection de timbres, belle qualité, livraison rapide"),
            vec!["Livraison"]
        );
    }

    #[test]
    fn bad_topics_are_located() {
        let duplicate = validate(&TOPICS.replace("name = \"Taille\"", "name = \"qualité\""))
            .expect_err("two topics with one name");
        assert!(duplicate.message.contains("two topics"), "{duplicate}");
        assert_eq!(duplicate.line, 10, "{duplicate}");
        let empty = validate("[[topics]]\nname = \"Vide\"\n").expect_err("no keywords");
        assert!(empty.message.contains("no keywords"), "{empty}");
        assert_eq!(empty.line, 2);
        let micro = validate(
            "[[topics]]\nname = \"A\"\n[[topics.micro]]\nname = \"B\"\nkeywords = [\" \"]\n",
        )
        .expect_err("blank micro keywords");
        assert_eq!(micro.line, 5, "{micro}");
        let many: String = (0..65)
            .map(|i| format!("[[topics]]\nname = \"t{i}\"\nkeywords = [\"w{i}\"]\n"))
            .collect();
        let err = validate(&many).expect_err("65 topics");
        assert!(err.message.contains("at most 64"), "{err}");
    }
}
