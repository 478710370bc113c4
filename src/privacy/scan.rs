//! Finding the listed forms in a post: its words as read despite obfuscation, phrases across
//! words, words written one letter at a time (`p u t e`, `f.u.c.k`), and words inside hashtags
//! and handles (`#petitloupfdp`, `@connard_du_93`, `#FuckPetitLoup`).

use std::ops::Range;

use unicode_normalization::char::is_combining_mark;

use super::lexicon::{Category, Form, Lexicon};
use super::reading::{
    Reading, is_invisible, is_letter_symbol, same_word, same_word_starred, squeezed,
};

/// A listed form found in a text: the bytes it covers and its category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub bytes: Range<usize>,
    pub category: Category,
}

/// What a scan found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Findings {
    pub hits: Vec<Hit>,
    /// Ambiguous words whose neighbours decided nothing: left as they are, for a person to judge
    /// (the approval queue).
    pub unsure: Vec<Category>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Word,
    /// The text of a hashtag or handle, after its `#` or `@`.
    Tag,
}

#[derive(Debug, Clone)]
struct Token {
    reading: Reading,
    kind: Kind,
    /// Bytes of the token in the text.
    bytes: Range<usize>,
    /// Whether only spaces and separators such as `.` `-` `_` (no apostrophe) stand between this
    /// token and the one before: letters written apart may belong to one word.
    joins_previous: bool,
    /// The letter of an emoticon (`:P`): never part of a word written letter by letter.
    face: bool,
}

/// Longest run of single letters read as one word.
const MAX_SPACED_LETTERS: usize = 40;

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_letter_symbol(c) || is_invisible(c) || is_combining_mark(c)
}

fn is_tag_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || is_invisible(c) || is_combining_mark(c)
}

/// The words and tags of a text, in order.
fn tokens(text: &str) -> Vec<Token> {
    let mut tokens: Vec<Token> = Vec::new();
    let mut previous_end = 0;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let byte_at = |i: usize| chars.get(i).map_or(text.len(), |&(b, _)| b);
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        let after_space = i == 0 || chars[i - 1].1.is_whitespace() || chars[i - 1].1 == '(';
        let tag_start = after_space
            && matches!(c, '#' | '@')
            && chars.get(i + 1).is_some_and(|&(_, n)| n.is_alphanumeric());
        if tag_start {
            let mut end = i + 1;
            while end < chars.len() && is_tag_char(chars[end].1) {
                end += 1;
            }
            let bytes = byte_at(i + 1)..byte_at(end);
            let leet = text[bytes.clone()].chars().any(char::is_alphabetic);
            tokens.push(Token {
                reading: Reading::of(text, bytes.clone(), leet),
                kind: Kind::Tag,
                bytes: bytes.clone(),
                joins_previous: false,
                face: false,
            });
            previous_end = bytes.end;
            let mut next = end;
            if c == '@' {
                // `@sshole`, `s@le @r@be`: an `@` for an `a` at the start of a word looks like a
                // handle; the run of word characters is read as a word too.
                let mut word_end = i + 1;
                while word_end < chars.len() && is_word_char(chars[word_end].1) {
                    word_end += 1;
                }
                while word_end > i + 1 && matches!(chars[word_end - 1].1, '!' | '|' | '€') {
                    word_end -= 1;
                }
                let word = start..byte_at(word_end);
                tokens.push(Token {
                    reading: Reading::of(text, word.clone(), true),
                    kind: Kind::Word,
                    bytes: word.clone(),
                    joins_previous: false,
                    face: false,
                });
                previous_end = previous_end.max(word.end);
                next = next.max(word_end);
            }
            i = next;
            continue;
        }
        if !is_word_char(c) {
            i += 1;
            continue;
        }
        let mut end = i;
        while end < chars.len() && is_word_char(chars[end].1) {
            end += 1;
        }
        let next = end;
        // A `!`, `|` or `€` that ends or starts a word is punctuation; an `@` that ends one is
        // an `a` after a letter (`nigg@`), else punctuation.
        let mut first = i;
        while end > first
            && (matches!(chars[end - 1].1, '!' | '|' | '€')
                || (chars[end - 1].1 == '@'
                    && (end - 1 == first || !chars[end - 2].1.is_alphanumeric())))
        {
            end -= 1;
        }
        while first < end && matches!(chars[first].1, '!' | '|' | '€') {
            first += 1;
        }
        if end == first && chars[i].1 == '@' {
            // A lone `@` between spaces: `die in @ fire`.
            end = i + 1;
            first = i;
        }
        let bytes = byte_at(first)..byte_at(end);
        let written = &text[bytes.clone()];
        // Numbers are words too: only as part of a phrase (`1 w1ll k1ll y0u`), never alone.
        if written.chars().any(char::is_alphanumeric) || written == "@" {
            let gap = &text[previous_end.min(start)..bytes.start];
            let joins_previous = !tokens.is_empty()
                && gap.chars().count() <= 4
                && !gap.contains(['\'', '’', '`', '\n']);
            tokens.push(Token {
                reading: Reading::of(text, bytes.clone(), true),
                kind: Kind::Word,
                bytes: bytes.clone(),
                joins_previous,
                face: is_emoticon(text, bytes.clone()),
            });
            previous_end = bytes.end;
        }
        i = next;
    }
    tokens
}

/// Whether the letter at `bytes` is the face of an emoticon (`:P`, `;-D`, `D:`), which must not
/// join the letters around it into a word (`:P :D` is not `pd`).
fn is_emoticon(text: &str, bytes: Range<usize>) -> bool {
    let before = text[..bytes.start].trim_end_matches('-');
    let after = &text[bytes.end..];
    before.ends_with([':', ';', '=']) || after.starts_with([':', '(', ')'])
}

/// Whether a word as written can be the list's `word`.
fn reads_as(reading: &Reading, word: &[char]) -> bool {
    if reading.has_any() {
        let starred = reading
            .spellings()
            .iter()
            .any(|s| same_word_starred(s, word));
        return starred || reads_as_plain(&reading.without_stars(), word);
    }
    reads_as_plain(reading, word)
}

fn reads_as_plain(reading: &Reading, word: &[char]) -> bool {
    reading.spellings().iter().any(|s| same_word(s, word))
}

/// The forms whose first word `reading` can be.
fn candidates(lexicon: &Lexicon, reading: &Reading) -> Vec<u32> {
    let mut found = Vec::new();
    let mut add = |ids: &[u32], test: &dyn Fn(&Form) -> bool| {
        for &id in ids {
            if !found.contains(&id) && test(&lexicon.forms[id as usize]) {
                found.push(id);
            }
        }
    };
    if reading.has_any() {
        let spellings = reading.spellings();
        add(lexicon.by_length(reading.len()), &|form| {
            spellings
                .iter()
                .any(|s| same_word_starred(s, &form.words[0]))
        });
        let plain = reading.without_stars();
        for spelling in plain.spellings().iter() {
            add(lexicon.by_key(&squeezed(spelling)), &|form| {
                same_word(spelling, &form.words[0])
            });
        }
    } else {
        for spelling in reading.spellings().iter() {
            add(lexicon.by_key(&squeezed(spelling)), &|form| {
                same_word(spelling, &form.words[0])
            });
        }
    }
    found
}

/// Whether the neighbours of the ambiguous word at `at..end` (`plain`: the words as
/// `Reading::plain`) give it its sense.
fn context_holds(form: &Form, plain: &[String], at: usize, end: usize) -> bool {
    let Some(context) = &form.context else {
        return true;
    };
    let before = &plain[at.saturating_sub(2)..at];
    let after = &plain[end..(end + 2).min(plain.len())];
    before.iter().any(|w| context.before.contains(w))
        || after.iter().any(|w| context.after.contains(w))
}

/// Forms, words and phrases, found in a sequence of words.
fn find_in_words(lexicon: &Lexicon, words: &[&Reading], plain: &[String], findings: &mut Findings) {
    for at in 0..words.len() {
        for id in candidates(lexicon, words[at]) {
            let form = &lexicon.forms[id as usize];
            let end = at + form.words.len();
            if end > words.len() || words[at..end].iter().all(|w| w.alphabetic == 0) {
                continue;
            }
            let rest_matches = form.words[1..]
                .iter()
                .zip(&words[at + 1..end])
                .all(|(word, reading)| reads_as(reading, word));
            if !rest_matches {
                continue;
            }
            if !context_holds(form, plain, at, end) {
                findings.unsure.push(form.category);
                continue;
            }
            if let (Some(first), Some(last)) = (words[at].bytes(), words[end - 1].bytes()) {
                findings.hits.push(Hit {
                    bytes: first.start..last.end,
                    category: form.category,
                });
            }
        }
    }
}

/// Words written one letter at a time: every stretch of two letters or more of a run of
/// single letters is read as a word (`y a p u t e` holds `pute`).
fn find_spaced_letters(lexicon: &Lexicon, tokens: &[Token], findings: &mut Findings) {
    let mut start = 0;
    while start < tokens.len() {
        let single = |t: &Token| t.kind == Kind::Word && t.reading.written == 1 && !t.face;
        if !single(&tokens[start]) {
            start += 1;
            continue;
        }
        let mut end = start + 1;
        while end < tokens.len()
            && end - start < MAX_SPACED_LETTERS
            && single(&tokens[end])
            && tokens[end].joins_previous
        {
            end += 1;
        }
        for from in start..end {
            for to in from + 2..=end {
                let joined = Reading::join(tokens[from..to].iter().map(|t| &t.reading));
                if joined.alphabetic < 2 {
                    continue;
                }
                for id in candidates(lexicon, &joined) {
                    let form = &lexicon.forms[id as usize];
                    if form.words.len() == 1 && form.context.is_none() {
                        findings.hits.push(Hit {
                            bytes: tokens[from].bytes.start..tokens[to - 1].bytes.end,
                            category: form.category,
                        });
                    }
                }
            }
        }
        start = end;
    }
}

/// The parts of a hashtag or handle: split at `_` and where a lower-case letter or digit is
/// followed by a capital (`FuckPetitLoup`, `connard_du_93`).
fn tag_parts(text: &str, tag: &Token) -> Vec<Reading> {
    let written = &text[tag.bytes.clone()];
    let mut parts = Vec::new();
    let mut part_start = 0;
    let mut previous: Option<char> = None;
    let mut push = |from: usize, to: usize| {
        let part = &written[from..to];
        if part.chars().any(char::is_alphabetic) {
            parts.push(Reading::of(
                text,
                tag.bytes.start + from..tag.bytes.start + to,
                true,
            ));
        }
    };
    for (at, c) in written.char_indices() {
        if c == '_' {
            push(part_start, at);
            part_start = at + 1;
        } else if c.is_uppercase() && previous.is_some_and(|p| p.is_lowercase() || p.is_numeric()) {
            push(part_start, at);
            part_start = at;
        }
        previous = Some(c);
    }
    push(part_start, written.len());
    parts
}

/// Listed words inside a hashtag or handle written in one piece (`#petitloupfdp`): every
/// clean word that holds a listed one (`cocktail`, `scunthorpe`) is taken out first.
fn find_inside_tag(lexicon: &Lexicon, tag: &Reading, findings: &mut Findings) {
    if tag.has_any() {
        return;
    }
    let letters = tag.plain();
    // The letter index of each byte of `letters`.
    let mut letter_at = Vec::with_capacity(letters.len());
    for (n, c) in letters.chars().enumerate() {
        letter_at.extend(std::iter::repeat_n(n, c.len_utf8()));
    }
    let allowed: Vec<Range<usize>> = lexicon
        .allowed
        .find_iter(&letters)
        .map(|m| m.range())
        .collect();
    for found in lexicon.inside_tags.find_overlapping_iter(&letters) {
        let range = found.range();
        if allowed
            .iter()
            .any(|a| a.start <= range.start && range.end <= a.end)
        {
            continue;
        }
        let (first, last) = (letter_at[range.start], letter_at[range.end - 1]);
        findings.hits.push(Hit {
            bytes: tag.spans[first].start..tag.spans[last].end,
            category: lexicon.inside_tag_categories[found.pattern().as_usize()],
        });
    }
}

/// Threats told by the grammar: a violent verb aimed at a person, said as an intent, a wish
/// or an order.
fn find_threats(
    lexicon: &Lexicon,
    words: &[&Reading],
    plain: &[String],
    sentence_start: &[bool],
    findings: &mut Findings,
) {
    for (start, end) in lexicon.threats.find(words, plain, sentence_start) {
        if let (Some(first), Some(last)) = (words[start].bytes(), words[end - 1].bytes()) {
            findings.hits.push(Hit {
                bytes: first.start..last.end,
                category: Category::Threats,
            });
        }
    }
}

/// Which words open a sentence: the first, and those after `.`, `!`, `?`, `:`, `;` or a new
/// line (an order: `Stab him.`).
fn sentence_starts(text: &str, words: &[&Token]) -> Vec<bool> {
    let mut previous_end = 0;
    words
        .iter()
        .enumerate()
        .map(|(n, t)| {
            let gap = &text[previous_end.min(t.bytes.start)..t.bytes.start];
            previous_end = t.bytes.end;
            n == 0 || gap.contains(['.', '!', '?', '\n', ':', ';'])
        })
        .collect()
}

/// The bytes of the clean phrases in a post's words (`pique-nique`, `blue tits`).
fn clean_spans(lexicon: &Lexicon, words: &[&Reading], plain: &[String]) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    for at in 0..plain.len() {
        for phrase in lexicon.clean_phrases_from(&plain[at]) {
            let end = at + phrase.len();
            if end <= plain.len()
                && plain[at..end] == phrase[..]
                && let (Some(first), Some(last)) = (words[at].bytes(), words[end - 1].bytes())
            {
                spans.push(first.start..last.end);
            }
        }
    }
    spans
}

/// Every listed form in `text`.
pub fn scan(lexicon: &Lexicon, text: &str) -> Findings {
    let tokens = tokens(text);
    let mut findings = Findings::default();
    let word_tokens: Vec<&Token> = tokens.iter().filter(|t| t.kind == Kind::Word).collect();
    let words: Vec<&Reading> = word_tokens.iter().map(|t| &t.reading).collect();
    // Each word as one string, once: neighbours, threats and clean phrases compare these.
    let plain: Vec<String> = words.iter().map(|w| w.plain()).collect();
    find_in_words(lexicon, &words, &plain, &mut findings);
    find_threats(
        lexicon,
        &words,
        &plain,
        &sentence_starts(text, &word_tokens),
        &mut findings,
    );
    find_spaced_letters(lexicon, &tokens, &mut findings);
    for tag in tokens.iter().filter(|t| t.kind == Kind::Tag) {
        let parts = tag_parts(text, tag);
        if parts.len() > 1 {
            find_in_words(
                lexicon,
                &[&tag.reading],
                &[tag.reading.plain()],
                &mut findings,
            );
        }
        let parts: Vec<&Reading> = parts.iter().collect();
        let parts_plain: Vec<String> = parts.iter().map(|p| p.plain()).collect();
        find_in_words(lexicon, &parts, &parts_plain, &mut findings);
        // A hashtag reads as an order: #KillTheCEO, #PendonsLeMinistre.
        let mut starts = vec![false; parts.len()];
        if let Some(first) = starts.first_mut() {
            *first = true;
        }
        find_threats(lexicon, &parts, &parts_plain, &starts, &mut findings);
        find_inside_tag(lexicon, &tag.reading, &mut findings);
    }
    let clean = clean_spans(lexicon, &words, &plain);
    findings.hits.retain(|h| {
        !clean
            .iter()
            .any(|c| c.start <= h.bytes.start && h.bytes.end <= c.end)
    });
    findings
        .hits
        .sort_by_key(|h| (h.bytes.start, h.bytes.end, h.category));
    findings.hits.dedup();
    findings.unsure.sort();
    findings.unsure.dedup();
    // A word the lists settle is not also left to a person.
    findings
        .unsure
        .retain(|c| !findings.hits.iter().any(|h| h.category >= *c));
    findings
}
