//! Text folding and word splitting: the one form every text is compared in (lower case,
//! accents removed, whitespace runs made one space) and its words.

use unicode_normalization::char::is_combining_mark;

/// Lowercase, accents removed, runs of whitespace made one space: the form both keywords and
/// texts are compared in.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    fold_into(text, &mut out);
    out
}

/// `fold`, written at the end of `out` (a buffer used again, on the hot path).
pub fn fold_into(text: &str, out: &mut String) {
    fold_tracked(text, out, |_| {});
}

/// Where a piece of the folded text came from: `Run` for a run of ASCII bytes copied one for
/// one (folded byte `out + i` is source byte `source + i`), `Char` for the folded form of one
/// source character (`source..source_end`), which may be longer, shorter or empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    Run {
        out: u32,
        source: u32,
    },
    Char {
        out: u32,
        source: u32,
        source_end: u32,
    },
}

impl Origin {
    pub(crate) fn out(self) -> u32 {
        match self {
            Origin::Run { out, .. } | Origin::Char { out, .. } => out,
        }
    }
}

/// `fold_into`, telling `origin` where each piece of the folded text comes from in `text`, in
/// order: what lets a reader of the folded words find them in the post as written.
pub(crate) fn fold_tracked(text: &str, out: &mut String, mut origin: impl FnMut(Origin)) {
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
            // Case folding, not lower-casing: a final sigma is a sigma, so that "ΣΑΣ", whose
            // last letter lowers to σ on its own, and "σας" are one word.
            'ς' => out.push('σ'),
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
            origin(Origin::Run {
                out: at as u32,
                source: i as u32,
            });
            out.push_str(&text[i..run]);
            out[at..].make_ascii_lowercase();
            last_space = false;
            i = run;
            continue;
        }
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        origin(Origin::Char {
            out: out.len() as u32,
            source: i as u32,
            source_end: (i + c.len_utf8()) as u32,
        });
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
                'ς' => out.push('σ'),
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
        assert_eq!(fold("ΣΑΣ"), fold("σας"), "a final sigma folds as a sigma");
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
}
