//! A post read once: its folded text, the spans of its words in it and in the post as written,
//! and what kind of whitespace-separated chunk each word stands in (a link, a handle, a
//! hashtag), written into buffers kept from post to post. Brand and topic matching read the
//! folded text; alert rules, spike explanations and trending terms read its words; none of them
//! folds or splits the text again, and no post allocates once the buffers have grown to the
//! longest post seen.

use std::ops::Range;

use unicode_normalization::char::is_combining_mark;

use super::fold::{Origin, fold_into, fold_tracked};
use super::words_in;

/// What a word stands in: the whitespace-separated chunk of the post that holds it, by how the
/// chunk begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chunk {
    Plain,
    /// `http…` or `www.…`.
    Link,
    /// `@…`
    Handle,
    /// `#…`
    Hashtag,
}

impl Chunk {
    fn of(folded_chunk: &str) -> Chunk {
        if folded_chunk.starts_with("http") || folded_chunk.starts_with("www.") {
            Chunk::Link
        } else if folded_chunk.starts_with('@') {
            Chunk::Handle
        } else if folded_chunk.starts_with('#') {
            Chunk::Hashtag
        } else {
            Chunk::Plain
        }
    }
}

#[derive(Debug, Default)]
pub struct Reading {
    folded: String,
    /// Byte ranges of the words in `folded`.
    words: Vec<(u32, u32)>,
    /// Byte ranges of the words in the text as written.
    sources: Vec<(u32, u32)>,
    /// For each word, its chunk's index in `chunks`.
    chunk_of: Vec<u32>,
    /// The chunks holding words: their kind and where they start in the text as written.
    chunks: Vec<(Chunk, u32)>,
    /// Where each piece of `folded` came from (scratch of `read`).
    origins: Vec<Origin>,
}

impl Reading {
    /// A reading of `text` (for a one-off; the analysis keeps one and calls `read`).
    pub fn of(text: &str) -> Reading {
        let mut reading = Reading::default();
        reading.read(text);
        reading
    }

    /// Reads `text`, replacing what was read before.
    pub fn read(&mut self, text: &str) {
        self.folded.clear();
        self.origins.clear();
        let origins = &mut self.origins;
        fold_tracked(text, &mut self.folded, |origin| origins.push(origin));
        self.words.clear();
        self.sources.clear();
        self.chunk_of.clear();
        self.chunks.clear();
        let folded = self.folded.as_str();
        let base = folded.as_ptr() as usize;
        // Words, chunks and origins are all in text order: one walk over each.
        let mut origin = 0usize;
        let mut chunk_origin = 0usize;
        let mut chunk_end = 0usize;
        for word in words_in(folded) {
            // Posts are far below 4 GB: a span fits in two u32.
            let start = word.as_ptr() as usize - base;
            let end = start + word.len();
            if self.chunks.is_empty() || start >= chunk_end {
                let chunk_start = folded[..start].rfind(' ').map_or(0, |at| at + 1);
                chunk_end = folded[start..]
                    .find(' ')
                    .map_or(folded.len(), |at| start + at);
                let kind = Chunk::of(&folded[chunk_start..chunk_end]);
                let (source_start, _) = source_of(
                    &self.origins,
                    &mut chunk_origin,
                    chunk_start,
                    chunk_start + 1,
                );
                self.chunks.push((kind, source_start as u32));
            }
            let (source_start, mut source_end) = source_of(&self.origins, &mut origin, start, end);
            // Marks after the word's last letter fold to nothing but belong to it.
            source_end += text[source_end..]
                .chars()
                .take_while(|&c| is_combining_mark(c))
                .map(char::len_utf8)
                .sum::<usize>();
            self.words.push((start as u32, end as u32));
            self.sources.push((source_start as u32, source_end as u32));
            self.chunk_of.push(self.chunks.len() as u32 - 1);
        }
    }

    /// Folds `text` without splitting it into words, for a reader of the folded text alone (a
    /// history rebuilt at start finds topics and nothing else in its mentions' words): the
    /// words read before are forgotten, not left for the next reader.
    pub fn fold_only(&mut self, text: &str) {
        self.folded.clear();
        fold_into(text, &mut self.folded);
        self.words.clear();
        self.sources.clear();
        self.chunk_of.clear();
        self.chunks.clear();
    }

    /// The text, folded (`text::fold`).
    pub fn folded(&self) -> &str {
        &self.folded
    }

    /// How many words the text has.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Word `i`, folded. Panics past `len()`, as a slice does.
    pub fn word(&self, i: usize) -> &str {
        let (start, end) = self.words[i];
        &self.folded[start as usize..end as usize]
    }

    /// Word `i` as bytes: for comparing and sorting, which need no character boundary checks
    /// (the order of `str` is the order of its bytes).
    pub fn word_bytes(&self, i: usize) -> &[u8] {
        let (start, end) = self.words[i];
        &self.folded.as_bytes()[start as usize..end as usize]
    }

    /// The words, in order, folded (`text::words_in` of the folded text).
    pub fn words(&self) -> impl ExactSizeIterator<Item = &str> + Clone + '_ {
        self.words
            .iter()
            .map(|&(start, end)| &self.folded[start as usize..end as usize])
    }

    /// Where word `i` is in the text as written (the text given to `read`).
    pub fn source_span(&self, i: usize) -> Range<usize> {
        let (start, end) = self.sources[i];
        start as usize..end as usize
    }

    /// The kind of chunk word `i` stands in.
    pub fn chunk(&self, i: usize) -> Chunk {
        self.chunks[self.chunk_of[i] as usize].0
    }

    /// Which chunk word `i` stands in, counted from 0 among the chunks holding words: words of
    /// one chunk have the same number.
    pub fn chunk_number(&self, i: usize) -> usize {
        self.chunk_of[i] as usize
    }

    /// Where the chunk of word `i` starts in the text as written.
    pub fn chunk_source_start(&self, i: usize) -> usize {
        self.chunks[self.chunk_of[i] as usize].1 as usize
    }
}

/// The source range of the folded bytes `start..end` (not empty), from the origins of the
/// fold; `from` is where to look from among them, moved on for the next, later span.
fn source_of(origins: &[Origin], from: &mut usize, start: usize, end: usize) -> (usize, usize) {
    // The last origin at or before a folded byte is the piece that byte belongs to.
    let piece = |from: &mut usize, at: usize| {
        while *from + 1 < origins.len() && origins[*from + 1].out() as usize <= at {
            *from += 1;
        }
        origins[*from]
    };
    let source_start = match piece(from, start) {
        Origin::Run { out, source } => source as usize + (start - out as usize),
        Origin::Char { source, .. } => source as usize,
    };
    let mut ahead = *from;
    let source_end = match piece(&mut ahead, end - 1) {
        Origin::Run { out, source } => source as usize + (end - out as usize),
        Origin::Char { source_end, .. } => source_end as usize,
    };
    (source_start, source_end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fold_alone_is_the_reading_fold_and_forgets_the_words_before() {
        let mut reading = Reading::of("Bébé Cargo rappelle ses poussettes");
        reading.fold_only("Élodie   a ÉTÉ déçue");
        assert_eq!(reading.folded(), fold("Élodie   a ÉTÉ déçue"));
        assert!(reading.is_empty(), "no words left from the post before");
    }
    use crate::text::{fold, words_of_folded};

    #[test]
    fn each_word_is_found_in_the_post_as_written_with_the_kind_of_its_chunk() {
        let text = "  Élodie a ÉTÉ\tdéçue par l’œuvre!! #PetitLoup_2 @Bébé_Cargo https://x.y/été \
                    WWW.Site.fr 😡fin ﬁn\u{a0}e\u{301}te\u{301}";
        let reading = Reading::of(text);
        let found: Vec<(&str, Chunk)> = (0..reading.len())
            .map(|i| (&text[reading.source_span(i)], reading.chunk(i)))
            .collect();
        use Chunk::*;
        assert_eq!(
            found,
            vec![
                ("Élodie", Plain),
                ("a", Plain),
                ("ÉTÉ", Plain),
                ("déçue", Plain),
                ("par", Plain),
                ("l", Plain),
                ("œuvre", Plain),
                ("PetitLoup", Hashtag),
                ("2", Hashtag),
                ("Bébé", Handle),
                ("Cargo", Handle),
                ("https", Link),
                ("x", Link),
                ("y", Link),
                ("été", Link),
                ("WWW", Link),
                ("Site", Link),
                ("fr", Link),
                ("fin", Plain),
                ("ﬁn", Plain),
                ("e\u{301}te\u{301}", Plain),
            ]
        );
        for i in 0..reading.len() {
            assert_eq!(fold(&text[reading.source_span(i)]), reading.word(i));
        }
        let hashtag = (0..reading.len()).find(|&i| reading.chunk(i) == Hashtag);
        let start = reading.chunk_source_start(hashtag.expect("a hashtag"));
        assert!(text[start..].starts_with("#PetitLoup_2 "));
        assert_eq!(
            reading.chunk_number(7),
            reading.chunk_number(8),
            "one hashtag"
        );
        assert_ne!(reading.chunk_number(8), reading.chunk_number(9));
    }

    #[test]
    fn a_reading_is_the_fold_and_its_words_and_forgets_the_post_before() {
        let mut reading = Reading::default();
        for text in [
            "Élodie a ÉTÉ déçue par Bébé Cargo !!",
            "",
            "l’œuvre #PetitLoup @bebe_cargo https://x.y/z?a=b 42fois",
            "a",
        ] {
            reading.read(text);
            assert_eq!(reading.folded(), fold(text));
            let words: Vec<&str> = reading.words().collect();
            assert_eq!(words, words_of_folded(&fold(text)), "{text:?}");
            assert_eq!(reading.len(), words.len());
            for (i, word) in words.iter().enumerate() {
                assert_eq!(reading.word(i), *word);
                assert_eq!(reading.word_bytes(i), word.as_bytes());
            }
        }
    }
}
