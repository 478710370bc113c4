//! A post read once: its folded text and the spans of its words, written into buffers kept
//! from post to post. Brand and topic matching read the folded text; alert rules and spike
//! explanations read its words; none of them folds or splits the text again, and no post
//! allocates once the buffers have grown to the longest post seen.

use super::{fold_into, words_in};

#[derive(Debug, Default)]
pub struct Reading {
    folded: String,
    /// Byte ranges of the words in `folded`.
    words: Vec<(u32, u32)>,
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
        fold_into(text, &mut self.folded);
        self.words.clear();
        let base = self.folded.as_ptr() as usize;
        for word in words_in(&self.folded) {
            // Posts are far below 4 GB: a span fits in two u32.
            let start = (word.as_ptr() as usize - base) as u32;
            self.words.push((start, start + word.len() as u32));
        }
    }

    /// Folds `text` without splitting it into words, for a reader of the folded text alone (a
    /// history rebuilt at start finds topics and nothing else in its mentions' words): the
    /// words read before are forgotten, not left for the next reader.
    pub fn fold_only(&mut self, text: &str) {
        self.folded.clear();
        fold_into(text, &mut self.folded);
        self.words.clear();
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
