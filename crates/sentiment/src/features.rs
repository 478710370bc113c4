//! What the learned layer sees of a text: a few dense features summarising the rule engine's
//! reading (its compound, positive/negative sums, negations, punctuation...) and hashed sparse
//! features of the normalised tokens (words, word pairs, negated words, word beginnings and
//! endings).
//!
//! They are computed in the rule engine's own pass over its tokens (no second tokenisation),
//! one 64-bit hash per token from which every family derives its bucket; only the families the
//! weight file names are computed. Training (`examples/train.rs`) and inference both go through
//! [`crate::SentimentScorer::features`]'s code path, so the tokenizer, the folding and the
//! hashing are the same on both sides: a weight file can only disagree with the scorer if the
//! format version, hash width or families change, which the loader checks.

use crate::{FxHasher, Info, Lang, NE, NEG, Punct, Tok, tail_u64};

/// Width of the hashed feature space: 2^16 buckets.
pub const HASH_BITS: u32 = 16;
/// Number of dense features (see [`DENSE_NAMES`]).
pub const DENSE: usize = 18;
/// What each dense feature is, in order (documentation and training reports).
pub const DENSE_NAMES: [&str; DENSE] = [
    "rule compound",
    "ln(1 + positive valence sum)",
    "ln(1 + negative valence sum)",
    "share of positive tokens",
    "share of negative tokens",
    "share of tokens without valence",
    "ln(1 + tokens)",
    "negators (capped at 3) / 3",
    "contrast conjunction",
    "exclamation mark",
    "question mark",
    "link",
    "share of all-caps words",
    "positive emoji/emoticons (capped at 3) / 3",
    "negative emoji/emoticons (capped at 3) / 3",
    "|rule compound|",
    "language is French",
    "language is English",
];

/// Families of hashed features, as bits of a mask: the weight file records which ones its model
/// was fitted on and the scorer computes exactly those (see `examples/train.rs` for how each
/// family was measured on the development data).
pub const WORDS: u8 = 1;
/// Word pairs (the previous token of the same clause, or a start marker, then this one).
pub const PAIRS: u8 = 1 << 1;
/// Words within three tokens after a negator, in the same clause.
pub const NEGATED_WORDS: u8 = 1 << 2;
/// The first four bytes of words of six bytes or more.
pub const BEGINNINGS: u8 = 1 << 3;
/// The last three bytes of words of six bytes or more.
pub const ENDINGS: u8 = 1 << 4;
/// Every family.
pub const ALL_FAMILIES: u8 = WORDS | PAIRS | NEGATED_WORDS | BEGINNINGS | ENDINGS;
/// Names of the families, bit by bit (training reports).
pub const FAMILY_NAMES: [(u8, &str); 5] = [
    (WORDS, "words"),
    (PAIRS, "word pairs"),
    (NEGATED_WORDS, "negated words"),
    (BEGINNINGS, "word beginnings"),
    (ENDINGS, "word endings"),
];

// Seeds of the hashed families, mixed into the hash so that a word and a pair never collide by
// construction.
const SEED_WORD: u64 = 0x9e37_79b9_7f4a_7c15;
const SEED_PAIR: u64 = 0xc2b2_ae3d_27d4_eb4f;
const SEED_NEGATED: u64 = 0x1656_67b1_9e37_79f9;
const SEED_BEGINNING: u64 = 0x85eb_ca77_c2b2_ae63;
const SEED_ENDING: u64 = 0x27d4_eb2f_1656_67c5;
/// Hash of the start-of-clause marker that precedes the first word of a pair.
const BOS_HASH: u64 = 0x0123_4567_89ab_cdef;
/// Affixes are taken from words of at least this many bytes.
const AFFIX_MIN: usize = 6;
const PREFIX_LEN: usize = 4;
const SUFFIX_LEN: usize = 3;

/// The feature vector of one text. Reused across texts: `hashed` keeps its capacity.
#[derive(Debug, Clone, Default)]
pub struct Features {
    pub dense: [f32; DENSE],
    /// Bucket indices in `0..1 << HASH_BITS`, one per feature occurrence (repeats count twice).
    pub hashed: Vec<u32>,
    /// The rule engine's compound score, before the learned layer.
    pub rule_compound: f32,
}

impl Features {
    pub(crate) fn clear(&mut self) {
        self.dense = [0.0; DENSE];
        self.hashed.clear();
        self.rule_compound = 0.0;
    }
}

/// 64-bit hash of a token's bytes, computed once per token; every family derives its bucket
/// from it, so no token is hashed twice.
#[inline]
fn word_hash(bytes: &[u8]) -> u64 {
    let mut h = FxHasher::default();
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut buf = [0u8; 8];
        buf.copy_from_slice(chunk);
        h.add(u64::from_le_bytes(buf));
    }
    // The length goes in with the tail so that "ab" and "ab\0" differ.
    h.add(tail_u64(chunks.remainder()) ^ ((bytes.len() as u64) << 56));
    h.hash
}

/// Bucket of a feature: a family seed and a value, finished with MurmurHash3's 64-bit mixer so
/// that every bit of the input reaches the top bits the bucket is taken from.
#[inline]
fn bucket(seed: u64, value: u64) -> u32 {
    let mut x = seed ^ value;
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^= x >> 33;
    (x >> (64 - HASH_BITS)) as u32
}

/// A short byte string (an affix) as one integer, its length in the top byte.
#[inline]
fn small(bytes: &[u8]) -> u64 {
    tail_u64(&bytes[..bytes.len().min(7)]) ^ ((bytes.len() as u64) << 56)
}

#[inline]
fn pair(prev: u64, word: u64) -> u64 {
    prev.rotate_left(23).wrapping_mul(0x2545_f491_4f6c_dd1d) ^ word
}

/// Fills `out` from the rule engine's working state for one text.
#[allow(clippy::too_many_arguments)]
pub(crate) fn extract(
    toks: &[Tok],
    info: &[Info],
    sent: &[f32],
    norm: &str,
    punct: Punct,
    compound: f32,
    lang: Lang,
    families: u8,
    out: &mut Features,
) {
    out.clear();
    out.rule_compound = compound;
    let n = toks.len().max(1) as f32;
    let (mut pos, mut neg, mut n_pos, mut n_neg, mut n_zero) = (0.0f32, 0.0f32, 0, 0, 0);
    let (mut negators, mut contrast, mut caps, mut sym_pos, mut sym_neg) = (0, false, 0, 0, 0);
    let mut cased = 0usize;
    let bytes = norm.as_bytes();
    let mut prev = BOS_HASH;
    // Tokens left in the scope of the last negator (same clause, VADER's window of three).
    let mut neg_scope = 0usize;
    for (i, t) in toks.iter().enumerate() {
        let v = sent.get(i).copied().unwrap_or(0.0);
        let flags = info.get(i).map_or(0, |x| x.flags);
        if v > 0.0 {
            pos += v;
            n_pos += 1;
        } else if v < 0.0 {
            neg -= v;
            n_neg += 1;
        } else {
            n_zero += 1;
        }
        if t.symbol {
            if v > 0.0 {
                sym_pos += 1;
            } else if v < 0.0 {
                sym_neg += 1;
            }
        }
        if flags & crate::CONTRAST != 0 {
            contrast = true;
        }
        if t.caps {
            caps += 1;
        }
        if t.cased {
            cased += 1;
        }
        if t.brk {
            neg_scope = 0;
            prev = BOS_HASH;
        }
        let word = bytes.get(t.start..t.end).unwrap_or_default();
        let h = word_hash(word);
        if families & WORDS != 0 {
            out.hashed.push(bucket(SEED_WORD, h));
        }
        if families & PAIRS != 0 {
            out.hashed.push(bucket(SEED_PAIR, pair(prev, h)));
        }
        if neg_scope > 0 {
            if families & NEGATED_WORDS != 0 {
                out.hashed.push(bucket(SEED_NEGATED, h));
            }
            neg_scope -= 1;
        }
        if flags & (NEG | NE) != 0 {
            negators += 1;
            neg_scope = 3;
        }
        if !t.symbol && word.len() >= AFFIX_MIN {
            if families & BEGINNINGS != 0 {
                out.hashed
                    .push(bucket(SEED_BEGINNING, small(&word[..PREFIX_LEN])));
            }
            if families & ENDINGS != 0 {
                out.hashed
                    .push(bucket(SEED_ENDING, small(&word[word.len() - SUFFIX_LEN..])));
            }
        }
        prev = h;
    }
    let cased = cased.max(1) as f32;
    let cap3 = |c: usize| c.min(3) as f32 / 3.0;
    let flag = |b: bool| if b { 1.0 } else { 0.0 };
    out.dense = [
        compound,
        pos.ln_1p(),
        neg.ln_1p(),
        n_pos as f32 / n,
        n_neg as f32 / n,
        n_zero as f32 / n,
        (toks.len() as f32).ln_1p(),
        cap3(negators),
        flag(contrast),
        flag(punct.excl > 0),
        flag(punct.quest > 0),
        flag(punct.links > 0),
        caps as f32 / cased,
        cap3(sym_pos),
        cap3(sym_neg),
        compound.abs(),
        flag(lang == Lang::Fr),
        flag(lang == Lang::En),
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_stable_and_in_range() {
        // Pinned values: a change here silently invalidates every shipped weight file.
        let good = word_hash(b"good");
        let a = bucket(SEED_WORD, good);
        assert_eq!(a, bucket(SEED_WORD, word_hash(b"good")));
        assert_ne!(a, bucket(SEED_NEGATED, good));
        assert_ne!(word_hash(b"ab"), word_hash(b"ab\0"));
        assert_ne!(pair(good, word_hash(b"not")), pair(word_hash(b"not"), good));
        assert!(a < 1 << HASH_BITS);
        assert_eq!(
            [a, bucket(SEED_PAIR, pair(word_hash(b"not"), good))],
            PINNED_BUCKETS,
            "the feature hash changed: retrain the model and bump the format version"
        );
    }

    const PINNED_BUCKETS: [u32; 2] = [27064, 55342];
}
