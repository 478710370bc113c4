//! How the lobby filter reads a word that someone wrote so as not to be read: lower case, no
//! accents, styled and full-width letters and look-alike Cyrillic or Greek letters brought back
//! to plain ones, digits and symbols read as the letters they stand for, invisible characters
//! dropped, and a `*` kept as "some letter". Each letter read remembers where it was written, so
//! that a mask lands on the original text.

use std::borrow::Cow;
use std::ops::Range;

use unicode_normalization::char::{decompose_compatible, is_combining_mark};

/// A `*` inside a word: it stands for a letter.
pub const ANY: char = '*';
/// A `1` inside a word: an `i` or an `l`.
pub const I_OR_L: char = '1';

/// The letters of a word as read, each with the bytes it was read from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reading {
    pub letters: Vec<char>,
    pub spans: Vec<Range<usize>>,
    /// Characters written (invisible ones aside): `œ` is one, read as two letters.
    pub written: usize,
    /// Of those, letters of an alphabet (not digits nor symbols): none for a number.
    pub alphabetic: usize,
}

impl Reading {
    /// `text[range]` read as one word. `leet`: digits and `@$€!|` stand for letters (a word
    /// that holds at least one letter); otherwise they are kept as written.
    pub fn of(text: &str, range: Range<usize>, leet: bool) -> Reading {
        let mut reading = Reading {
            letters: Vec::with_capacity(range.len()),
            spans: Vec::with_capacity(range.len()),
            written: 0,
            alphabetic: 0,
        };
        for (at, c) in text[range.clone()].char_indices() {
            let span = range.start + at..range.start + at + c.len_utf8();
            if !is_invisible(c) && !is_combining_mark(c) {
                reading.written += 1;
                reading.alphabetic += usize::from(c.is_alphabetic());
            }
            reading.push_char(c, span, leet);
        }
        reading
    }

    fn push_char(&mut self, c: char, span: Range<usize>, leet: bool) {
        let mut push = |letter: char| {
            self.letters.push(letter);
            self.spans.push(span.clone());
        };
        if is_invisible(c) {
            return;
        }
        if c == '*' {
            return push(ANY);
        }
        if leet && let Some(letter) = leet_letter(c) {
            return push(letter);
        }
        if c.is_ascii() {
            return push(c.to_ascii_lowercase());
        }
        decompose_compatible(c, |part| {
            if is_combining_mark(part) || is_invisible(part) {
                return;
            }
            match part {
                'œ' | 'Œ' => {
                    push('o');
                    push('e');
                }
                'æ' | 'Æ' => {
                    push('a');
                    push('e');
                }
                'ß' => {
                    push('s');
                    push('s');
                }
                _ => {
                    for lower in part.to_lowercase() {
                        push(look_alike(lower).unwrap_or(lower));
                    }
                }
            }
        });
    }

    pub fn len(&self) -> usize {
        self.letters.len()
    }

    pub fn is_empty(&self) -> bool {
        self.letters.is_empty()
    }

    /// The bytes of the whole reading.
    pub fn bytes(&self) -> Option<Range<usize>> {
        Some(self.spans.first()?.start..self.spans.last()?.end)
    }

    /// The letters from `from` to `to` (indices into `letters`), as one reading.
    /// Letters joined from several readings (a word written one letter at a time).
    pub fn join<'a>(parts: impl IntoIterator<Item = &'a Reading>) -> Reading {
        let mut joined = Reading::default();
        for part in parts {
            joined.letters.extend_from_slice(&part.letters);
            joined.spans.extend_from_slice(&part.spans);
            joined.written += part.written;
            joined.alphabetic += part.alphabetic;
        }
        joined
    }

    /// The word as one string, every `1` read as `i`: what neighbours, intents and clean
    /// phrases are compared with.
    pub fn plain(&self) -> String {
        self.letters
            .iter()
            .map(|&c| if c == I_OR_L { 'i' } else { c })
            .collect()
    }

    /// Whether a `*` stands for a letter somewhere in the word.
    pub fn has_any(&self) -> bool {
        self.letters.contains(&ANY)
    }

    /// The word with its `*` taken out (stars written between letters, `f*u*c*k`).
    pub fn without_stars(&self) -> Reading {
        let keep: Vec<usize> = (0..self.len())
            .filter(|&i| self.letters[i] != ANY)
            .collect();
        Reading {
            letters: keep.iter().map(|&i| self.letters[i]).collect(),
            spans: keep.iter().map(|&i| self.spans[i].clone()).collect(),
            written: keep.len(),
            alphabetic: self.alphabetic,
        }
    }

    /// The readings of the word with every `1` read as `i`, then as `l` (up to three of them;
    /// beyond, all as `i`).
    pub fn spellings(&self) -> Cow<'_, [Vec<char>]> {
        if !self.letters.contains(&I_OR_L) {
            // Most words: the letters as read, borrowed.
            return Cow::Borrowed(std::slice::from_ref(&self.letters));
        }
        let ones: Vec<usize> = (0..self.len())
            .filter(|&i| self.letters[i] == I_OR_L)
            .collect();
        if ones.len() > 3 {
            let all_i = self
                .letters
                .iter()
                .map(|&c| if c == I_OR_L { 'i' } else { c })
                .collect();
            return Cow::Owned(vec![all_i]);
        }
        Cow::Owned(
            (0..1u32 << ones.len())
                .map(|choice| {
                    let mut letters = self.letters.clone();
                    for (bit, &at) in ones.iter().enumerate() {
                        letters[at] = if choice & (1 << bit) == 0 { 'i' } else { 'l' };
                    }
                    letters
                })
                .collect(),
        )
    }
}

/// A word of a list, read the way text is (but with no obfuscation to undo).
pub fn read_entry(word: &str) -> Vec<char> {
    Reading::of(word, 0..word.len(), false).letters
}

/// Characters that show nothing: zero-width spaces and joiners, soft hyphens, byte-order marks.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}' | '\u{034F}' | '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}'
    )
}

/// The symbols that may stand for letters inside a word.
pub fn is_letter_symbol(c: char) -> bool {
    matches!(c, '*' | '@' | '$' | '€' | '!' | '|')
}

fn leet_letter(c: char) -> Option<char> {
    Some(match c {
        '0' => 'o',
        '1' => I_OR_L,
        '3' => 'e',
        '4' | '@' => 'a',
        '5' | '$' => 's',
        '7' => 't',
        '€' => 'e',
        '!' => 'i',
        '|' => 'l',
        _ => return None,
    })
}

/// Cyrillic and Greek letters that look like Latin ones, as their Latin twin.
fn look_alike(c: char) -> Option<char> {
    Some(match c {
        'а' | 'α' => 'a',
        'е' | 'ε' => 'e',
        'о' | 'ο' => 'o',
        'р' | 'ρ' => 'p',
        'с' | 'ς' => 'c',
        'у' => 'y',
        'х' | 'χ' => 'x',
        'і' | 'ι' => 'i',
        'ѕ' => 's',
        'ј' => 'j',
        'к' | 'κ' => 'k',
        'т' | 'τ' => 't',
        'ν' => 'v',
        'м' => 'm',
        'н' => 'h',
        'в' => 'b',
        'ԁ' => 'd',
        'ɡ' => 'g',
        _ => return None,
    })
}

pub fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y')
}

/// Runs of the same letter: `merdeeee` is `m e r d e×4`.
fn runs(letters: &[char]) -> impl Iterator<Item = (char, usize)> + '_ {
    let mut at = 0;
    std::iter::from_fn(move || {
        let c = *letters.get(at)?;
        let start = at;
        while letters.get(at) == Some(&c) {
            at += 1;
        }
        Some((c, at - start))
    })
}

/// The word with every run of a letter written once: what the index is keyed on.
pub fn squeezed(letters: &[char]) -> String {
    runs(letters).map(|(c, _)| c).collect()
}

/// Whether `written` (no `*`, no `1`) is the list's `word`, letters drawn out or not: a run may
/// be longer than the word's when it is drawn out for effect (three letters or more, or a
/// doubled vowel: `merdeeee`, `fuuck`), never shorter (`as` is not `ass`), and a consonant is
/// not merely doubled (`cull` is not `cul`).
pub fn same_word(written: &[char], word: &[char]) -> bool {
    let mut written_runs = runs(written);
    let mut word_runs = runs(word);
    loop {
        match (written_runs.next(), word_runs.next()) {
            (None, None) => return true,
            (Some((a, n)), Some((b, k))) => {
                if a != b || n < k || (n > k && n < 3 && !is_vowel(a)) {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

/// Whether `written`, with `*` for unknown letters, can be the list's `word`: the same length,
/// the same letters where known, and enough known letters to tell (two at least, and no more
/// stars than known letters plus two).
pub fn same_word_starred(written: &[char], word: &[char]) -> bool {
    let stars = written.iter().filter(|&&c| c == ANY).count();
    let known = written.len() - stars;
    written.len() == word.len()
        && known >= 2
        && stars <= known + 2
        && written.iter().zip(word).all(|(&w, &c)| w == ANY || w == c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn letters(text: &str, leet: bool) -> String {
        Reading::of(text, 0..text.len(), leet)
            .letters
            .into_iter()
            .collect()
    }

    #[test]
    fn obfuscated_letters_are_read_back() {
        assert_eq!(letters("EnCuLÉ", false), "encule");
        assert_eq!(letters("s@l0p3", true), "salope");
        assert_eq!(letters("$h!t", true), "shit");
        assert_eq!(letters("ｆｕｃｋ", false), "fuck");
        assert_eq!(letters("𝐟𝐮𝐜𝐤", false), "fuck");
        assert_eq!(letters("fu\u{200B}ck", false), "fuck");
        assert_eq!(letters("рutе", false), "pute", "Cyrillic р and е");
        assert_eq!(letters("p*te", true), "p*te");
        assert_eq!(letters("cœur", false), "coeur");
    }

    #[test]
    fn a_one_is_read_as_i_and_as_l() {
        let word = Reading::of("ki11", 0..4, true);
        let spellings: Vec<String> = word
            .spellings()
            .iter()
            .map(|w| w.iter().collect())
            .collect();
        assert!(spellings.contains(&"kill".to_string()));
        assert!(spellings.contains(&"kiii".to_string()));
    }

    #[test]
    fn drawn_out_letters_match_but_missing_or_doubled_consonants_do_not() {
        let word = |s: &str| s.chars().collect::<Vec<_>>();
        assert!(same_word(&word("merdeeee"), &word("merde")));
        assert!(same_word(&word("fuuck"), &word("fuck")));
        assert!(same_word(&word("fuckkkk"), &word("fuck")));
        assert!(same_word(&word("asss"), &word("ass")));
        assert!(!same_word(&word("as"), &word("ass")));
        assert!(!same_word(&word("cull"), &word("cul")));
        assert!(!same_word(&word("conard"), &word("connard")));
        assert!(same_word_starred(&word("p*te"), &word("pute")));
        assert!(same_word_starred(&word("n****r"), &word("nigger")));
        assert!(
            !same_word_starred(&word("f***"), &word("fuck")),
            "one letter tells nothing"
        );
        assert!(!same_word_starred(&word("p*tes"), &word("pute")));
    }
}
