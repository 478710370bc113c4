//! Lobby privacy: what a wall in a public place must not show. Author handles give way to the
//! platform and a neutral label, swear words are masked (French and English, after elisions
//! such as "d'", whatever the case and accents), and toxic posts (threats, calls to self-harm,
//! hate) are kept off the stream. Only the display changes: every post is still counted.
//!
//! The word lists are data, in `assets/privacy/`, compiled in so a lobby wall cannot lose them.

use std::collections::HashSet;

use aho_corasick::AhoCorasick;

use crate::analysis::matching::fold;
use crate::i18n::Locale;

const PROFANITY: &str = include_str!("../assets/privacy/profanity.txt");
const TOXIC: &str = include_str!("../assets/privacy/toxic.txt");

pub struct LobbyFilter {
    profanity: HashSet<String>,
    /// Toxic phrases, each padded with spaces so they match whole words of padded text.
    toxic: AhoCorasick,
}

fn entries(list: &str) -> impl Iterator<Item = &str> {
    list.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// Lower case, no accents, every run of non-letters one space, padded with a space each side.
fn words_only(text: &str) -> String {
    let folded = fold(text);
    let mut out = String::with_capacity(folded.len() + 2);
    out.push(' ');
    let mut gap = true;
    for c in folded.chars() {
        if c.is_alphanumeric() {
            out.push(c);
            gap = false;
        } else if !gap {
            out.push(' ');
            gap = true;
        }
    }
    if !gap {
        out.push(' ');
    }
    out
}

impl LobbyFilter {
    /// The shipped lists.
    pub fn shipped() -> LobbyFilter {
        LobbyFilter::new(PROFANITY, TOXIC)
    }

    pub fn new(profanity: &str, toxic: &str) -> LobbyFilter {
        let phrases: Vec<String> = entries(toxic).map(words_only).collect();
        LobbyFilter {
            profanity: entries(profanity).map(fold).collect(),
            // Plain patterns over a bounded list: building cannot fail.
            toxic: AhoCorasick::new(&phrases).unwrap_or_else(|_| {
                AhoCorasick::new(Vec::<String>::new()).expect("an empty automaton builds")
            }),
        }
    }

    /// The text with each swear word reduced to its first letter and asterisks.
    pub fn mask(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut word = String::new();
        let flush = |word: &mut String, out: &mut String| {
            if word.is_empty() {
                return;
            }
            if self.profanity.contains(&fold(word)) {
                let mut chars = word.chars();
                if let Some(first) = chars.next() {
                    out.push(first);
                }
                out.extend(chars.map(|_| '*'));
            } else {
                out.push_str(word);
            }
            word.clear();
        };
        for c in text.chars() {
            if c.is_alphanumeric() {
                word.push(c);
            } else {
                flush(&mut word, &mut out);
                out.push(c);
            }
        }
        flush(&mut word, &mut out);
        out
    }

    /// What a lobby may show of a text: swear words masked, @handles hidden but for `keep`
    /// (`brand_handles`).
    pub fn public_text(&self, text: &str, keep: &[String]) -> String {
        hide_handles(&self.mask(text), keep)
    }

    /// Whether the post threatens, calls for self-harm or spreads hate.
    pub fn is_toxic(&self, text: &str) -> bool {
        self.toxic.is_match(&words_only(text))
    }
}

/// What a lobby would show of each line of `input`, one line each on `output`, nothing else:
/// `[hidden: toxic]` for a post kept off the lobby, else the text with swear words masked and
/// @handles hidden (`vigie lobby-filter`). A line that is not UTF-8 is read as best it can be.
/// The lines read.
pub fn filter_lines(
    filter: &LobbyFilter,
    input: impl std::io::BufRead,
    mut output: impl std::io::Write,
) -> std::io::Result<u64> {
    let mut lines = 0;
    for line in input.split(b'\n') {
        let line = line?;
        let text = String::from_utf8_lossy(&line);
        let text = text.strip_suffix('\r').unwrap_or(&text);
        if filter.is_toxic(text) {
            writeln!(output, "[hidden: toxic]")?;
        } else {
            writeln!(output, "{}", filter.public_text(text, &[]))?;
        }
        lines += 1;
    }
    output.flush()?;
    Ok(lines)
}

/// The text with every @handle written as "@…", but for the handles in `keep` (folded, such as
/// the brands' own): a lobby must not show who posted, nor whom they answered.
pub fn hide_handles(text: &str, keep: &[String]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.char_indices().peekable();
    let mut previous: Option<char> = None;
    while let Some((start, c)) = chars.next() {
        let starts_handle = c == '@'
            && previous.is_none_or(|p| !p.is_alphanumeric())
            && chars
                .peek()
                .is_some_and(|(_, n)| n.is_alphanumeric() || *n == '_');
        if !starts_handle {
            out.push(c);
            previous = Some(c);
            continue;
        }
        let mut end = start + 1;
        while let Some(&(i, n)) = chars.peek() {
            // Handles hold letters, digits, `_`, `.` and `@domain`; a final dot ends a sentence.
            if n.is_alphanumeric() || matches!(n, '_' | '.' | '@' | '-') {
                end = i + n.len_utf8();
                chars.next();
            } else {
                break;
            }
        }
        let mut handle = &text[start + 1..end];
        let trailing = handle.len() - handle.trim_end_matches(['.', '-']).len();
        handle = &handle[..handle.len() - trailing];
        if keep.contains(&fold(handle)) {
            out.push('@');
            out.push_str(handle);
        } else {
            out.push_str("@…");
        }
        out.push_str(&text[end - trailing..end]);
        previous = text[..end].chars().next_back();
    }
    out
}

/// The handles a lobby keeps readable: the brands' names, folded and squashed ("Petit Loup"
/// keeps "@petitloup").
pub fn brand_handles<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    names
        .into_iter()
        .map(|name| fold(name).chars().filter(|c| c.is_alphanumeric()).collect())
        .collect()
}

/// What a lobby card shows instead of the author: a neutral label.
pub fn neutral_author(locale: Locale) -> &'static str {
    match locale {
        Locale::Fr => "un internaute",
        Locale::En => "a member of the public",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_hidden_but_the_brands_and_emails_are_not_handles() {
        let keep = vec!["petitloup".to_string()];
        assert_eq!(
            hide_handles("@lea_12 Bonjour Léa, merci ! @PetitLoup", &keep),
            "@… Bonjour Léa, merci ! @PetitLoup"
        );
        assert_eq!(hide_handles("vu par @lou@piaille.fr.", &keep), "vu par @….",);
        assert_eq!(
            hide_handles("écrire à service@petitloup.fr ou @ bientôt", &keep),
            "écrire à service@petitloup.fr ou @ bientôt"
        );
    }

    #[test]
    fn french_swear_words_are_masked_with_accents_case_and_elision() {
        let filter = LobbyFilter::shipped();
        assert_eq!(
            filter.mask("Cette affiche est une MERDE, bande d'enfoirés !"),
            "Cette affiche est une M****, bande d'e******* !"
        );
        assert_eq!(
            filter.mask("Putain, Petit Loup, sérieux ?"),
            "P*****, Petit Loup, sérieux ?"
        );
        assert_eq!(filter.mask("Quel connard 😡"), "Quel c****** 😡");
    }

    #[test]
    fn english_swear_words_are_masked_and_clean_words_kept() {
        let filter = LobbyFilter::shipped();
        assert_eq!(
            filter.mask("What the fuck is this shitty poster @petitloup"),
            "What the f*** is this s***** poster @petitloup"
        );
        // Words that merely contain a swear word are left alone.
        let clean = "Scunthorpe class assessment: a passing grade, shitake mushrooms";
        assert_eq!(filter.mask(clean), clean);
        assert_eq!(
            filter.mask("J'adore la nouvelle collection"),
            "J'adore la nouvelle collection"
        );
    }

    #[test]
    fn threats_and_hate_are_toxic_and_criticism_is_not() {
        let filter = LobbyFilter::shipped();
        assert!(filter.is_toxic("@petitloup on sait où tu habites, fais gaffe"));
        assert!(filter.is_toxic("Va crever avec tes affiches"));
        assert!(filter.is_toxic("whoever designed this should KILL YOURSELF"));
        assert!(filter.is_toxic("Tue-toi Petit Loup"));
        assert!(!filter.is_toxic("Cette affiche est honteuse, je boycotte Petit Loup"));
        assert!(!filter.is_toxic("This poster is a disgrace, boycott Petit Loup"));
        assert!(
            !filter.is_toxic("the skill you showed"),
            "'kill' inside a word"
        );
    }

    #[test]
    fn each_line_in_gives_one_line_out_as_a_lobby_would_show_it() {
        let input = "Putain, Petit Loup\nVa crever avec tes affiches\r\n\nJ'adore @lucie\n";
        let mut out = Vec::new();
        let read =
            filter_lines(&LobbyFilter::shipped(), input.as_bytes(), &mut out).expect("filtered");
        assert_eq!(read, 4);
        assert_eq!(
            String::from_utf8(out).expect("text"),
            "P*****, Petit Loup\n[hidden: toxic]\n\nJ'adore @…\n"
        );
    }
}
