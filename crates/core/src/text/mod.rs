//! Text: the folded form every comparison uses, its words, and the one stopword list.

mod fold;
mod reading;
pub mod stopwords;

pub use fold::{WordsIn, fold, fold_into, folded_words, words_in, words_of_folded};
pub use reading::{Chunk, Reading};
