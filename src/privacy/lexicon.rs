//! The lobby's word lists, read from their text form (`assets/privacy/`): one form a line in
//! a file per language and category, ambiguous words with the neighbours that decide them, and
//! the clean words that hashtags may contain.

use std::collections::{HashMap, HashSet};
use std::fmt;

use aho_corasick::{AhoCorasick, MatchKind};
use serde::Deserialize;

use super::reading::{is_vowel, read_entry, squeezed};
use super::threats::ThreatGrammar;

/// What kind of harm a listed form does; ordered from the mildest to the gravest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// Swear words and vulgar insults aimed at no group.
    Profanity,
    /// Explicit sexual content.
    Sexual,
    /// Slurs and hate aimed at a group.
    Slurs,
    /// Threats, calls to violence or to self-harm.
    Threats,
}

impl Category {
    pub const ALL: [Category; 4] = [
        Category::Profanity,
        Category::Sexual,
        Category::Slurs,
        Category::Threats,
    ];

    /// The name in lists, configs and `[hidden: …]`.
    pub fn name(self) -> &'static str {
        match self {
            Category::Profanity => "profanity",
            Category::Sexual => "sexual",
            Category::Slurs => "slurs",
            Category::Threats => "threats",
        }
    }

    fn from_name(name: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.name() == name)
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A listed word or phrase.
#[derive(Debug, Clone)]
pub struct Form {
    /// Each word as read (folded).
    pub words: Vec<Vec<char>>,
    pub category: Category,
    /// For an ambiguous word: the neighbours that make it count.
    pub context: Option<Context>,
}

/// The words that, next to an ambiguous word, give it its listed sense.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// Looked for among the two words before.
    pub before: HashSet<String>,
    /// Looked for among the two words after.
    pub after: HashSet<String>,
}

/// A list line that cannot be read, with where it is.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct ListError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

/// One list file: its name (for errors), its category, its text.
pub struct List<'a> {
    pub name: &'a str,
    pub category: Category,
    pub text: &'a str,
}

pub struct Lexicon {
    pub forms: Vec<Form>,
    /// Forms by their first word with each run of a letter written once.
    by_key: HashMap<String, Vec<u32>>,
    /// Forms by the length of their first word, for words written with `*`.
    by_length: HashMap<usize, Vec<u32>>,
    /// Single-word forms looked for inside hashtags and handles, and their categories.
    pub inside_tags: AhoCorasick,
    pub inside_tag_categories: Vec<Category>,
    /// Clean words taken out of a hashtag before looking inside it.
    pub allowed: AhoCorasick,
    /// The number of forms read per list file, in order.
    pub sizes: Vec<(String, usize)>,
    /// Threats told by their grammar rather than listed.
    pub threats: ThreatGrammar,
    /// Clean phrases that hold a listed word (`pique-nique`, `cul-de-sac`), by first word.
    clean_phrases: HashMap<String, Vec<Vec<String>>>,
}

fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(n, l)| (n + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
}

/// The words of an entry, read: hyphens and apostrophes separate words like spaces.
pub(super) fn entry_words(entry: &str) -> Vec<Vec<char>> {
    entry
        .split(|c: char| c.is_whitespace() || matches!(c, '-' | '\'' | '’'))
        .filter(|w| !w.is_empty())
        .map(read_entry)
        .filter(|w| !w.is_empty())
        .collect()
}

/// Whether a word is looked for inside hashtags: four letters or more, or an abbreviation with
/// no vowel (`fdp`, `ntm`); shorter words hide in too many clean ones (`con` in `#concours`).
fn fits_inside_tags(word: &[char]) -> bool {
    word.len() >= 4 || (word.len() == 3 && !word.iter().any(|&c| is_vowel(c)))
}

impl Lexicon {
    /// The lexicon of these lists, ambiguous-word rules and clean words (`allow`).
    pub fn parse(
        lists: &[List],
        ambiguous: &[(&str, &str)],
        allow: &str,
    ) -> Result<Lexicon, ListError> {
        let mut forms = Vec::new();
        let mut sizes = Vec::new();
        for list in lists {
            let before = forms.len();
            for (line, entry) in lines(list.text) {
                let words = entry_words(entry);
                if words.is_empty() {
                    return Err(ListError {
                        file: list.name.to_string(),
                        line,
                        message: format!("'{entry}' holds no letter"),
                    });
                }
                forms.push(Form {
                    words,
                    category: list.category,
                    context: None,
                });
            }
            sizes.push((list.name.to_string(), forms.len() - before));
        }
        for (name, text) in ambiguous {
            let before = forms.len();
            for (line, rule) in lines(text) {
                let form = parse_rule(rule).map_err(|message| ListError {
                    file: name.to_string(),
                    line,
                    message,
                })?;
                forms.push(form);
            }
            sizes.push((name.to_string(), forms.len() - before));
        }
        // A phrase is also written as one word, in hashtags above all (#filsdepute).
        let joined: Vec<Form> = forms
            .iter()
            .filter(|f| f.words.len() > 1)
            .map(|f| Form {
                words: vec![f.words.concat()],
                category: f.category,
                context: None,
            })
            .collect();
        forms.extend(joined);

        let mut by_key: HashMap<String, Vec<u32>> = HashMap::new();
        let mut by_length: HashMap<usize, Vec<u32>> = HashMap::new();
        let mut inside = Vec::new();
        let mut inside_tag_categories = Vec::new();
        for (id, form) in forms.iter().enumerate() {
            let id = u32::try_from(id).unwrap_or(u32::MAX);
            let first = &form.words[0];
            by_key.entry(squeezed(first)).or_default().push(id);
            by_length.entry(first.len()).or_default().push(id);
            if form.words.len() == 1 && form.context.is_none() && fits_inside_tags(first) {
                inside.push(first.iter().collect::<String>());
                inside_tag_categories.push(form.category);
            }
        }
        let allowed: Vec<String> = lines(allow)
            .map(|(_, w)| read_entry(w).into_iter().collect())
            .collect();
        let automaton = |patterns: &[String], kind| {
            AhoCorasick::builder()
                .match_kind(kind)
                .build(patterns)
                .map_err(|e| ListError {
                    file: "lists".to_string(),
                    line: 0,
                    message: e.to_string(),
                })
        };
        Ok(Lexicon {
            inside_tags: automaton(&inside, MatchKind::Standard)?,
            inside_tag_categories,
            allowed: automaton(&allowed, MatchKind::LeftmostLongest)?,
            forms,
            by_key,
            by_length,
            sizes,
            threats: ThreatGrammar::default(),
            clean_phrases: HashMap::new(),
        })
    }

    /// The lexicon, leaving the listed words inside these clean phrases alone (one a line).
    pub fn with_clean_phrases(mut self, text: &str) -> Lexicon {
        for (_, line) in lines(text) {
            let words: Vec<String> = entry_words(line)
                .into_iter()
                .map(|w| w.into_iter().collect())
                .collect();
            if let Some(first) = words.first() {
                self.clean_phrases
                    .entry(first.clone())
                    .or_default()
                    .push(words);
            }
        }
        self
    }

    /// The clean phrases that start with `word` (as read, folded).
    pub fn clean_phrases_from(&self, word: &str) -> &[Vec<String>] {
        self.clean_phrases.get(word).map_or(&[], Vec::as_slice)
    }

    /// The lexicon, telling threats by `grammar` too.
    pub fn with_threat_grammar(mut self, grammar: ThreatGrammar) -> Lexicon {
        self.threats = grammar;
        self
    }

    /// The forms whose first word is written `squeezed` (each run of a letter once).
    pub fn by_key(&self, squeezed: &str) -> &[u32] {
        self.by_key.get(squeezed).map_or(&[], Vec::as_slice)
    }

    /// The forms whose first word has `length` letters.
    pub fn by_length(&self, length: usize) -> &[u32] {
        self.by_length.get(&length).map_or(&[], Vec::as_slice)
    }
}

/// `<category> <word> before: <w>… after: <w>…`
fn parse_rule(rule: &str) -> Result<Form, String> {
    let mut parts = rule.split_whitespace();
    let category = parts.next().unwrap_or_default();
    let category = Category::from_name(category).ok_or_else(|| {
        format!("'{category}' is no category (profanity, sexual, slurs or threats)")
    })?;
    let word = parts
        .next()
        .ok_or_else(|| "a category, then the ambiguous word".to_string())?;
    let words = entry_words(word);
    if words.len() != 1 {
        return Err(format!("'{word}' must be one word"));
    }
    let mut context = Context::default();
    let mut side: Option<&mut HashSet<String>> = None;
    for part in parts {
        match part {
            "before:" => side = Some(&mut context.before),
            "after:" => side = Some(&mut context.after),
            _ => match side.as_mut() {
                Some(words) => {
                    for word in entry_words(part) {
                        words.insert(word.into_iter().collect());
                    }
                }
                None => return Err(format!("'{part}' comes before 'before:' or 'after:'")),
            },
        }
    }
    if context.before.is_empty() && context.after.is_empty() {
        return Err("no 'before:' nor 'after:' words: the word would never count".to_string());
    }
    Ok(Form {
        words,
        category,
        context: Some(context),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_line_is_named_with_its_file_and_line() {
        let error = Lexicon::parse(
            &[],
            &[(
                "fr/ambiguous.txt",
                "# a comment\nprofane con before: quel\n",
            )],
            "",
        )
        .err()
        .expect("an error");
        assert_eq!(error.file, "fr/ambiguous.txt");
        assert_eq!(error.line, 2);
        assert!(error.message.contains("'profane' is no category"));

        let error = Lexicon::parse(&[], &[("a", "profanity con")], "")
            .err()
            .expect("an error");
        assert!(error.to_string().starts_with("a:1: no 'before:'"));
    }

    #[test]
    fn phrases_are_also_read_as_one_word() {
        let lexicon = Lexicon::parse(
            &[List {
                name: "fr/profanity.txt",
                category: Category::Profanity,
                text: "fils de pute\nta gueule",
            }],
            &[],
            "",
        )
        .expect("lists read");
        let joined: Vec<String> = lexicon
            .forms
            .iter()
            .filter(|f| f.words.len() == 1)
            .map(|f| f.words[0].iter().collect())
            .collect();
        assert_eq!(joined, ["filsdepute", "tagueule"]);
        assert_eq!(lexicon.sizes, [("fr/profanity.txt".to_string(), 2)]);
    }
}
