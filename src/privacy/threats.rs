//! Threats no list can hold: a violent verb aimed at a person and said as an intent, a wish or
//! an order, whatever the words between (`on va te flinguer`, `someone should stab the CEO`,
//! `Tuez-les tous`). The verbs, intents and objects are data
//! (`assets/privacy/threat-grammar.txt`); a phrase list cannot keep up with how threats are
//! worded, a grammar of three parts can.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use super::lexicon::entry_words;
use super::reading::{Reading, same_word, squeezed};

/// The parts of the grammar, each a set of words or phrases as read (folded, space-joined).
#[derive(Debug, Default)]
pub struct ThreatGrammar {
    /// The violent verbs (each its words, as read) and how each harms, by their first word
    /// with each run of a letter once.
    verbs: HashMap<String, Vec<(Vec<Vec<char>>, Verb)>>,
    places: HashSet<String>,
    intent: HashSet<String>,
    object_before: HashSet<String>,
    object_after: HashSet<String>,
    people: HashSet<String>,
    determiners: HashSet<String>,
}

/// The longest intent phrase, in words.
const INTENT_WORDS: usize = 3;
/// How far before the verb an intent may end, in words.
const INTENT_REACH: usize = 4;
/// Words that may stand between a determiner and the person or place it names ("the DPD
/// driver", "l'agence Orange").
const NOUN_REACH: usize = 3;

/// How a verb harms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verb {
    /// A person, with any pronoun.
    Kill,
    /// A person, with a pronoun that cannot be an article.
    Harm,
    /// A place or a person.
    Destroy,
}

/// An entry's words, read and joined by single spaces.
fn phrase(entry: &str) -> String {
    entry_words(entry)
        .into_iter()
        .map(|word| word.into_iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

impl ThreatGrammar {
    /// The grammar of `text`, sections `[kill]`, `[harm]`, `[intent]`, `[object_before]`,
    /// `[object_after]`, `[people]`, `[determiners]`; an error names the line.
    pub fn parse(text: &str) -> Result<ThreatGrammar, (usize, String)> {
        let mut grammar = ThreatGrammar::default();
        let mut section = String::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = name.to_string();
                continue;
            }
            let entry = phrase(line);
            match section.as_str() {
                "kill" => grammar.add_verb(&entry, Verb::Kill),
                "harm" => grammar.add_verb(&entry, Verb::Harm),
                "destroy" => grammar.add_verb(&entry, Verb::Destroy),
                "places" => drop(grammar.places.insert(entry)),
                "intent" => drop(grammar.intent.insert(entry)),
                "object_before" => drop(grammar.object_before.insert(entry)),
                "object_after" => drop(grammar.object_after.insert(entry)),
                "people" => drop(grammar.people.insert(entry)),
                "determiners" => drop(grammar.determiners.insert(entry)),
                "" => return Err((n + 1, format!("'{line}' comes before any [section]"))),
                other => return Err((n + 1, format!("[{other}] is no section of the grammar"))),
            }
        }
        Ok(grammar)
    }

    fn add_verb(&mut self, entry: &str, verb: Verb) {
        let parts: Vec<Vec<char>> = entry.split(' ').map(|p| p.chars().collect()).collect();
        if let Some(first) = parts.first() {
            self.verbs
                .entry(squeezed(first))
                .or_default()
                .push((parts, verb));
        }
    }

    /// Where threats are in a post's words (`plain`: each as `Reading::plain`): the range of
    /// words each covers. `sentence_start` says which words open a sentence (an order: `Stab
    /// him.`).
    pub fn find(
        &self,
        words: &[&Reading],
        plain: &[String],
        sentence_start: &[bool],
    ) -> Vec<(usize, usize)> {
        let spellings: Vec<_> = words.iter().map(|w| w.spellings()).collect();
        let mut found = Vec::new();
        for at in 0..words.len() {
            let Some((verb_words, verb)) = self.verb_at(&spellings, at) else {
                continue;
            };
            let after = at + verb_words;
            let before_object = at
                .checked_sub(1)
                .filter(|&b| self.object_before.contains(&plain[b]))
                .filter(|&b| {
                    verb == Verb::Kill || !matches!(plain[b].as_str(), "le" | "la" | "l" | "lui")
                });
            let object_end = self.object_after(plain, after, verb);
            if before_object.is_none() && object_end.is_none() {
                continue;
            }
            let head = before_object.unwrap_or(at);
            let start = if sentence_start[head] {
                Some(head)
            } else {
                self.intent_before(plain, head)
            };
            if let Some(start) = start {
                found.push((start, object_end.unwrap_or(after)));
            }
        }
        found
    }

    /// A violent verb at `at`: how many words it takes, and how it harms. The longest verb
    /// wins ("burn down" over "burn"); between two of one length, the one that destroys.
    fn verb_at(&self, spellings: &[Cow<'_, [Vec<char>]>], at: usize) -> Option<(usize, Verb)> {
        let mut best: Option<(usize, Verb)> = None;
        for spelling in spellings[at].iter() {
            for (parts, verb) in self.verbs.get(&squeezed(spelling)).into_iter().flatten() {
                let fits = parts.len() <= spellings.len() - at
                    && parts
                        .iter()
                        .enumerate()
                        .all(|(i, part)| spellings[at + i].iter().any(|s| same_word(s, part)));
                let better = best.is_none_or(|(n, kind)| {
                    parts.len() > n
                        || (parts.len() == n && *verb == Verb::Destroy && kind != Verb::Destroy)
                });
                if fits && better {
                    best = Some((parts.len(), *verb));
                }
            }
        }
        best
    }

    /// The end of the person (or, for a verb that destroys, the place) the verb is aimed at,
    /// when words after `at` name one: a pronoun (`you`, `les`), or a determiner and, within
    /// three words, a word for people (`the CEO`, `the DPD driver`, `ces grévistes`). "Shoot
    /// you a DM" gives something, it does not harm.
    fn object_after(&self, plain: &[String], at: usize, verb: Verb) -> Option<usize> {
        let word = |i: usize| plain.get(i).map(String::as_str);
        let two = |i: usize| Some(format!("{} {}", word(i)?, word(i + 1)?));
        // `le`, `la`, `les` after a verb are articles ("tuer le temps") unless nothing, or
        // only `tous`, follows them ("Tuez-les", "tuez-les tous").
        let pronoun_ends = |w: &str| {
            !matches!(w, "le" | "la" | "les" | "lui" | "l")
                || word(at + 1).is_none_or(|next| matches!(next, "tous" | "toutes"))
        };
        let named =
            |w: &str| self.people.contains(w) || (verb == Verb::Destroy && self.places.contains(w));
        let end = if two(at).is_some_and(|p| self.object_after.contains(&p)) {
            at + 2
        } else if word(at).is_some_and(|w| self.object_after.contains(w) && pronoun_ends(w)) {
            at + 1
        } else if word(at).is_some_and(|w| self.determiners.contains(w)) {
            (at + 1..=at + NOUN_REACH).find(|&i| word(i).is_some_and(named))? + 1
        } else {
            return None;
        };
        if matches!(word(end), Some("a" | "an" | "some" | "the")) {
            return None;
        }
        Some(end)
    }

    /// Where an intent ends among the words just before `at`, if one does.
    fn intent_before(&self, plain: &[String], at: usize) -> Option<usize> {
        for end in (at.saturating_sub(INTENT_REACH)..at).rev() {
            for length in 1..=INTENT_WORDS.min(end + 1) {
                let start = end + 1 - length;
                if self.intent.contains(&plain[start..=end].join(" ")) {
                    return Some(start);
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GRAMMAR: &str = include_str!("../../assets/privacy/threat-grammar.txt");

    fn threatens(text: &str) -> bool {
        let grammar = ThreatGrammar::parse(GRAMMAR).expect("the grammar reads");
        let words: Vec<Reading> = text
            .split(|c: char| c.is_whitespace() || matches!(c, '\'' | '-' | ',' | '!'))
            .filter(|w| !w.is_empty())
            .map(|w| Reading::of(w, 0..w.len(), true))
            .collect();
        let refs: Vec<&Reading> = words.iter().collect();
        let plain: Vec<String> = words.iter().map(Reading::plain).collect();
        let mut starts = vec![false; refs.len()];
        if let Some(first) = starts.first_mut() {
            *first = true;
        }
        !grammar.find(&refs, &plain, &starts).is_empty()
    }

    #[test]
    fn a_violent_verb_aimed_at_a_person_with_an_intent_is_a_threat() {
        for threat in [
            "on va te flinguer à la sortie",
            "je vais le buter ce DRH",
            "Tuez-les tous",
            "someone should stab the CEO",
            "im gonna sh00t you",
            "we should burn them all",
            "il faudrait fusiller les grévistes",
            "j'vais t'égorger",
            "je vais l'étrangler",
            "I'm going to kill the DPD driver",
            "on va cramer l'agence Orange",
            "bomb the Ryanair HQ",
            "let's burn down the warehouse",
        ] {
            assert!(threatens(threat), "{threat}");
        }
    }

    #[test]
    fn violent_words_in_fun_news_or_work_are_not() {
        for benign in [
            "je vais tuer le temps au café",
            "this heat is killing me",
            "photo shoot for the new campaign tomorrow",
            "shoot me a DM",
            "I'm gonna kill it at the interview",
            "the suspect was shot by police",
            "on va brûler le vieux canapé",
            "I'll burn you a CD",
            "je vais le brûler ce ticket",
            "on va brûler le vieux canapé",
            "je vais tuer le temps",
            "on va brûler les calories",
            "let's burn the midnight oil",
            "the bomb squad cleared the station",
        ] {
            assert!(!threatens(benign), "{benign}");
        }
    }

    #[test]
    fn a_line_outside_a_section_is_located() {
        assert_eq!(
            ThreatGrammar::parse("# c\ntuer\n").err(),
            Some((2, "'tuer' comes before any [section]".to_string()))
        );
    }
}
