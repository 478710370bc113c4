//! Rule-and-lexicon sentiment scoring for French and English social posts, in the VADER tradition
//! (Hutto & Gilbert, 2014): a valence lexicon plus a handful of cheap syntactic rules (negation,
//! intensifiers, capitals, exclamation marks, contrastive conjunctions, idioms), summed and
//! normalised to a compound score in [-1, 1].
//!
//! The lexicons are plain `word<TAB>valence[<TAB>flags]` files embedded at compile time from
//! `assets/lexicon/` (ours for English, French and emoji, then VADER's own 7,500 human-rated
//! entries where ours are silent), so the binary needs no data at run time. Everything is built once in
//! [`SentimentScorer::new`]; scoring reuses per-thread scratch buffers, so a warm thread allocates
//! nothing per text.
//!
//! French lookups are accent-insensitive: lexicon entries stay accented in the files, but both
//! the keys and the tokens are folded ("déçu" and "decu" meet on "decu"), because tweets often
//! drop accents.

pub mod eval;
pub mod features;
pub mod learned;

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

const EN_TSV: &str = include_str!("../../../assets/lexicon/en.tsv");
const FR_TSV: &str = include_str!("../../../assets/lexicon/fr.tsv");
const EMOJI_TSV: &str = include_str!("../../../assets/lexicon/emoji.tsv");
/// VADER's own lexicon (MIT, `assets/lexicon/LICENSE-vaderSentiment.txt`): 7,500 entries, each
/// the mean of ten human ratings. `word<TAB>mean<TAB>sd<TAB>[ratings]`; listed forms only.
const VADER_TXT: &str = include_str!("../../../assets/lexicon/vader_lexicon.txt");

// The constants below are VADER's, empirically derived by its authors; keeping them makes our
// scores comparable with the reference implementation.
/// Intensity added (or removed) by a booster ("very", "très") before a sentiment word.
const B_INCR: f32 = 0.293;
/// Intensity removed by a dampener ("slightly", "un peu").
const B_DECR: f32 = -0.293;
/// Emphasis of an ALL-CAPS word in a mixed-case text.
const C_INCR: f32 = 0.733;
/// A negated word flips and loses about a quarter of its strength ("not good" < "bad").
const N_SCALAR: f32 = -0.74;
/// Normalisation constant of the compound score: x / sqrt(x² + ALPHA).
const ALPHA: f32 = 15.0;
// Three departures from VADER, each a reading of how people rate posts rather than a fit to
// single texts (measured on the even half of VADER's tweets, r 0.880 -> 0.892, each one alone
// worth about +0.003 and the scores flat around the chosen values):
/// A post that shares a link mostly relays the linked headline's words, not the author's feeling.
const LINK_SCALE: f32 = 0.7;
/// A question asks about a feeling more than it states one.
const QUESTION_SCALE: f32 = 0.7;
/// Readers judge how strong a post is, not how many feeling words it adds up: a long post with
/// three mild words is not three times as positive. Added to ALPHA per token.
const LENGTH_ALPHA: f32 = 1.0;
const EXCL_INCR: f32 = 0.292;
const MAX_EXCL: u32 = 4;
const QM_INCR: f32 = 0.18;
const QM_MAX: f32 = 0.96;
/// Words before a contrastive conjunction count half, words after it count 1.5 times.
const BEFORE_CONTRAST: f32 = 0.5;
const AFTER_CONTRAST: f32 = 1.5;

// Our own additions to VADER.
/// Bare French "peu" ("peu fiable") reads as a weak negation rather than a dampener.
const WEAK_N_SCALAR: f32 = -0.5;
/// Elongated words ("gooood", "nuuul") are emphatic, about as much as a booster.
const ELONG_INCR: f32 = 0.293;
/// "not at all" / "pas du tout" makes a negation firmer.
const AT_ALL_SCALAR: f32 = 1.25;
/// "never so good" / "jamais aussi bon" is emphasis, not negation.
const NEVER_SO_SCALAR: f32 = 1.25;
/// Valence of laughter tokens that are not in the lexicons ("ahahah", "hahahah").
const LAUGH_VALENCE: f32 = 1.8;
/// How many preceding tokens a negator or booster reaches (VADER's window).
const WINDOW: usize = 3;
/// Weight of a booster at distance 1, 2 and 3 from the word it modifies.
const BOOST_DECAY: [f32; WINDOW] = [1.0, 0.95, 0.9];

// Role flags carried by lexicon entries and tokens.
/// Negator in the backward window ("not", "pas", "jamais", "sans").
const NEG: u16 = 1;
/// French "ne"/"n'": negates on its own, and turns a following "plus" into a negator.
const NE: u16 = 1 << 1;
/// French "plus": a negator after "ne" ("ne ... plus"), a booster otherwise ("plus beau").
const NEG_AFTER_NE: u16 = 1 << 2;
/// French negation placed after the verb in colloquial speech ("j'aime pas").
const POST_NEG: u16 = 1 << 3;
/// French subject pronoun: marks the next word as a conjugated verb for `POST_NEG`.
const SUBJECT: u16 = 1 << 4;
/// French object clitic, allowed between subject and verb ("je l'aime pas").
const CLITIC: u16 = 1 << 5;
/// Contrastive conjunction ("but", "mais").
const CONTRAST: u16 = 1 << 6;
/// First token of at least one idiom.
const IDIOM: u16 = 1 << 7;
/// Word that makes a following "like" a verb ("I like", "don't like").
const LIKE_CUE: u16 = 1 << 8;
/// The ambiguous "like": a verb carries sentiment, a preposition or filler does not.
const LIKE: u16 = 1 << 9;
/// French bare "peu": a weak negator.
const WEAK_NEG: u16 = 1 << 10;
/// Idiom that contains its own negation ("pas mal"): no outside negation applies.
const INNER_NEG: u16 = 1 << 11;

/// Language of a text, as far as the scorer cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    Fr,
    En,
    /// No evidence either way: both lexicons are used.
    #[default]
    Unknown,
}

/// FxHash (rustc's hasher): the keys are short, trusted lexicon words, so a fast
/// non-cryptographic hash is worth it on the hot path and HashDoS is not a concern.
#[derive(Default, Clone, Copy)]
struct FxHasher {
    hash: u64,
}

const FX_SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(FX_SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut buf = [0u8; 8];
            buf.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(buf));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            self.add(tail_u64(rest));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// The 1 to 7 bytes left after the 8-byte chunks, as one integer, read with fixed-width loads
/// (unique for a given length). Copying a variable-length tail into a stack buffer and reading
/// it back as a u64 defeats store-to-load forwarding: that one stall was a measurable share of
/// the scorer's time, in the lexicon probes and the feature hashing alike.
#[inline]
fn tail_u64(b: &[u8]) -> u64 {
    let n = b.len();
    if n >= 4 {
        let mut lo = [0u8; 4];
        let mut hi = [0u8; 4];
        lo.copy_from_slice(&b[..4]);
        hi.copy_from_slice(&b[n - 4..]);
        u64::from(u32::from_le_bytes(lo)) | (u64::from(u32::from_le_bytes(hi)) << 32)
    } else if n > 0 {
        u64::from(b[0]) | (u64::from(b[n / 2]) << 8) | (u64::from(b[n - 1]) << 16)
    } else {
        0
    }
}

type FxBuild = BuildHasherDefault<FxHasher>;
type WordMap = HashMap<Box<str>, Entry, FxBuild>;

/// Everything known about one (folded) word: one hash probe per token gives it all.
#[derive(Debug, Clone, Copy, Default)]
struct Entry {
    valence: f32,
    booster: f32,
    flags: u16,
}

#[derive(Debug, Clone, Copy)]
struct Idiom {
    /// Number of tokens.
    len: usize,
    valence: f32,
    booster: f32,
    inner_neg: bool,
}

/// One token: a span of the normalised (lowercased, accent-folded) text.
#[derive(Debug, Clone, Copy)]
struct Tok {
    start: usize,
    end: usize,
    /// All letters upper case, at least two of them.
    caps: bool,
    /// At least two letters: counts towards the mixed-case test.
    cased: bool,
    /// A clause break (punctuation, emoji) precedes: negation and boosters stop there.
    brk: bool,
    /// Emoji or emoticon: scored as is, never negated or boosted.
    symbol: bool,
}

/// Per-token working state of the rules.
#[derive(Debug, Clone, Copy, Default)]
struct Info {
    val: f32,
    boost: f32,
    flags: u16,
    elongated: bool,
}

#[derive(Default)]
struct Scratch {
    decoded: String,
    norm: String,
    key: String,
    toks: Vec<Tok>,
    info: Vec<Info>,
    sent: Vec<f32>,
    feat: features::Features,
}

impl Scratch {
    /// Scratch buffers live as long as the thread: a pathological text must not pin megabytes.
    fn trim(&mut self) {
        const KEEP: usize = 1 << 16;
        if self.norm.capacity() > KEEP || self.decoded.capacity() > KEEP {
            *self = Scratch::default();
        }
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

#[derive(Debug, Default, Clone, Copy)]
struct Punct {
    excl: u32,
    quest: u32,
    links: u32,
}

/// A French + English sentiment scorer. Build it once and share it: `score` takes `&self`.
pub struct SentimentScorer {
    en: WordMap,
    fr: WordMap,
    both: WordMap,
    idioms: HashMap<Box<str>, Idiom, FxBuild>,
    /// Emoticons starting with ASCII punctuation, longest first.
    emoticons: Vec<Box<str>>,
    /// Indices into `emoticons`, bucketed by first byte, so most punctuation is rejected at once.
    emoticon_buckets: Vec<Vec<usize>>,
    /// The learned layer over the rules (`None`: rules only).
    model: Option<learned::Model>,
}

impl Default for SentimentScorer {
    fn default() -> Self {
        Self::new()
    }
}

// ---------------------------------------------------------------------------------------------
// Modifier lists. Boosters are (word, increment); a negative increment dampens.
// ---------------------------------------------------------------------------------------------

const EN_BOOSTERS: &[(&str, f32)] = &[
    ("absolutely", B_INCR),
    ("amazingly", B_INCR),
    ("awfully", B_INCR),
    ("bloody", B_INCR),
    ("completely", B_INCR),
    ("considerably", B_INCR),
    ("crazy", B_INCR),
    ("damn", B_INCR),
    ("decidedly", B_INCR),
    ("deeply", B_INCR),
    ("definitely", B_INCR),
    ("effing", B_INCR),
    ("enormously", B_INCR),
    ("entirely", B_INCR),
    ("especially", B_INCR),
    ("exceptionally", B_INCR),
    ("extremely", B_INCR),
    ("fabulously", B_INCR),
    ("flipping", B_INCR),
    ("freaking", B_INCR),
    ("frickin", B_INCR),
    ("fricking", B_INCR),
    ("friggin", B_INCR),
    ("frigging", B_INCR),
    ("fuckin", B_INCR),
    ("fucking", B_INCR),
    ("greatly", B_INCR),
    ("hella", B_INCR),
    ("highly", B_INCR),
    ("hugely", B_INCR),
    ("incredibly", B_INCR),
    ("insanely", B_INCR),
    ("intensely", B_INCR),
    ("majorly", B_INCR),
    ("more", B_INCR),
    ("most", B_INCR),
    ("much", B_INCR),
    ("particularly", B_INCR),
    ("pretty", 0.1),
    ("purely", B_INCR),
    ("quite", B_INCR),
    ("real", B_INCR),
    ("really", B_INCR),
    ("remarkably", B_INCR),
    ("ridiculously", B_INCR),
    ("seriously", B_INCR),
    ("so", B_INCR),
    ("substantially", B_INCR),
    ("super", B_INCR),
    ("terribly", B_INCR),
    ("thoroughly", B_INCR),
    ("too", B_INCR),
    ("totally", B_INCR),
    ("tremendously", B_INCR),
    ("truly", B_INCR),
    ("uber", B_INCR),
    ("unbelievably", B_INCR),
    ("unusually", B_INCR),
    ("utterly", B_INCR),
    ("very", B_INCR),
    ("way", B_INCR),
    ("wicked", B_INCR),
    ("almost", B_DECR),
    ("barely", B_DECR),
    ("bit", B_DECR),
    ("fairly", B_DECR),
    ("hardly", B_DECR),
    ("kinda", B_DECR),
    ("kindof", B_DECR),
    ("less", B_DECR),
    ("little", B_DECR),
    ("marginally", B_DECR),
    ("mildly", B_DECR),
    ("occasionally", B_DECR),
    ("partly", B_DECR),
    ("rather", B_DECR),
    ("scarcely", B_DECR),
    ("slightly", B_DECR),
    ("somewhat", B_DECR),
    ("sorta", B_DECR),
    ("sortof", B_DECR),
];

const FR_BOOSTERS: &[(&str, f32)] = &[
    ("absolument", B_INCR),
    ("bien", 0.2),
    ("carrément", B_INCR),
    ("complètement", B_INCR),
    ("drôlement", B_INCR),
    ("énormément", B_INCR),
    ("extrêmement", B_INCR),
    ("follement", B_INCR),
    ("franchement", B_INCR),
    ("giga", B_INCR),
    ("grave", B_INCR),
    ("hyper", B_INCR),
    ("incroyablement", B_INCR),
    ("max", B_INCR),
    ("méga", B_INCR),
    ("particulièrement", B_INCR),
    ("plus", 0.2),
    ("profondément", B_INCR),
    ("putain", B_INCR),
    ("sacrément", B_INCR),
    ("si", 0.25),
    ("super", B_INCR),
    ("tellement", B_INCR),
    ("terriblement", B_INCR),
    ("totalement", B_INCR),
    ("trop", B_INCR),
    ("très", B_INCR),
    ("ultra", B_INCR),
    ("vachement", B_INCR),
    ("vraiment", B_INCR),
    ("assez", -0.15),
    ("légèrement", B_DECR),
    ("moins", B_DECR),
    ("moyennement", B_DECR),
    ("plutôt", -0.15),
    ("presque", B_DECR),
    ("quasi", B_DECR),
    ("quasiment", B_DECR),
    ("relativement", B_DECR),
];

const EN_NEGATORS: &[&str] = &[
    "aint", "arent", "cannot", "cant", "couldnt", "darent", "didnt", "doesnt", "dont", "hadnt",
    "hasnt", "havent", "isnt", "mightnt", "mustnt", "neednt", "neither", "never", "no", "nobody",
    "none", "nope", "nor", "not", "nothing", "nowhere", "oughtnt", "rarely", "seldom", "shant",
    "shouldnt", "wasnt", "werent", "without", "wont", "wouldnt",
];

const FR_NEGATORS: &[&str] = &[
    "pas",
    "jamais",
    "rien",
    "aucun",
    "aucune",
    "aucuns",
    "aucunes",
    "sans",
    "ni",
    "non",
    "guère",
    "nullement",
];

const FR_NE: &[&str] = &["ne", "n'"];
const FR_POST_NEG: &[&str] = &["pas", "jamais", "rien"];
const FR_SUBJECTS: &[&str] = &[
    "je", "j'", "tu", "t'", "il", "elle", "on", "nous", "vous", "ils", "elles", "ça", "cela",
];
const FR_CLITICS: &[&str] = &[
    "me", "m'", "te", "t'", "se", "s'", "le", "la", "les", "l'", "lui", "leur", "y", "en", "nous",
    "vous",
];
const CONTRASTS: &[&str] = &[
    "but",
    "however",
    "mais",
    "cependant",
    "pourtant",
    "toutefois",
    "néanmoins",
];
const LIKE_CUES: &[&str] = &[
    "i",
    "you",
    "we",
    "they",
    "u",
    "ya",
    "he",
    "she",
    "people",
    "would",
    "i'd",
    "we'd",
    "you'd",
    "they'd",
    "do",
    "does",
    "did",
    "dont",
    "didnt",
    "doesnt",
    "really",
    "also",
    "still",
    "totally",
    "actually",
    "kinda",
    "def",
    "definitely",
    "to",
];

/// Multi-word expressions whose meaning is not the sum of their words:
/// (text, valence, booster, contains its own negation).
const IDIOMS: &[(&str, f32, f32, bool)] = &[
    // English
    ("the shit", 3.0, 0.0, false),
    ("the bomb", 3.0, 0.0, false),
    ("bad ass", 1.5, 0.0, false),
    ("yeah right", -2.0, 0.0, false),
    ("kiss of death", -1.5, 0.0, false),
    ("to die for", 3.0, 0.0, false),
    ("hell yeah", 2.5, 0.0, false),
    ("hell yes", 2.5, 0.0, false),
    ("what the hell", -2.0, 0.0, false),
    ("the hell", -1.5, 0.0, false),
    ("under the weather", -2.0, 0.0, false),
    ("on the ball", 2.0, 0.0, false),
    ("cut the mustard", 2.0, 0.0, false),
    ("break a leg", 2.0, 0.0, false),
    ("no doubt", 1.0, 0.0, true),
    ("without a doubt", 1.2, 0.0, true),
    ("no thanks", -0.8, 0.0, true),
    ("no thank you", -0.8, 0.0, true),
    ("never again", -2.5, 0.0, true),
    ("can't wait", 2.2, 0.0, true),
    ("cant wait", 2.2, 0.0, true),
    ("cannot wait", 2.2, 0.0, true),
    ("could be better", -1.0, 0.0, false),
    ("pretty much", 0.0, 0.0, false),
    ("kind of", 0.0, B_DECR, false),
    ("sort of", 0.0, B_DECR, false),
    ("a bit", 0.0, B_DECR, false),
    ("a little", 0.0, B_DECR, false),
    ("thank god", 1.8, 0.0, false),
    ("thank goodness", 1.8, 0.0, false),
    ("thank you", 2.0, 0.0, false),
    ("well done", 2.5, 0.0, false),
    ("waste of time", -2.5, 0.0, false),
    ("waste of money", -2.5, 0.0, false),
    ("rip off", -2.3, 0.0, false),
    ("ripped off", -2.5, 0.0, false),
    ("fed up", -2.2, 0.0, false),
    ("sick and tired", -2.5, 0.0, false),
    ("let down", -1.8, 0.0, false),
    ("screwed up", -2.2, 0.0, false),
    ("messed up", -2.0, 0.0, false),
    ("of course", 0.0, 0.0, false),
    // French
    ("pas mal", 1.5, 0.0, true),
    ("pas mal de", 0.0, 0.0, true),
    ("pas terrible", -1.6, 0.0, true),
    ("pas top", -1.5, 0.0, true),
    ("pas ouf", -1.5, 0.0, true),
    ("pas fou", -1.2, 0.0, true),
    ("pas génial", -1.8, 0.0, true),
    ("sans plus", -0.6, 0.0, true),
    ("sans doute", 0.0, 0.0, true),
    ("sans faute", 1.5, 0.0, true),
    ("la honte", -2.2, 0.0, false),
    ("au top", 2.8, 0.0, false),
    ("le top", 2.2, 0.0, false),
    ("top du top", 3.0, 0.0, false),
    ("aux anges", 3.0, 0.0, false),
    ("coup de cœur", 2.6, 0.0, false),
    ("coup de gueule", -1.5, 0.0, false),
    ("ras le bol", -2.4, 0.0, false),
    ("foutage de gueule", -3.0, 0.0, false),
    ("fout de la gueule", -2.5, 0.0, false),
    ("foutent de la gueule", -2.5, 0.0, false),
    ("ta gueule", -2.5, 0.0, false),
    ("fait la gueule", -1.8, 0.0, false),
    ("à chier", -3.0, 0.0, false),
    ("n'importe quoi", -1.8, 0.0, true),
    ("rien à redire", 2.0, 0.0, true),
    ("s'il vous plaît", 0.3, 0.0, false),
    ("s'il te plaît", 0.3, 0.0, false),
    ("bien sûr", 0.3, 0.0, false),
    ("bien joué", 2.4, 0.0, false),
    ("bon courage", 1.2, 0.0, false),
    ("tant pis", -0.6, 0.0, false),
    ("tant mieux", 1.5, 0.0, false),
    ("mort de rire", 2.0, 0.0, false),
    ("morte de rire", 2.0, 0.0, false),
    ("vaut le coup", 2.0, 0.0, false),
    ("vaut la peine", 1.8, 0.0, false),
    ("à peine", 0.0, B_DECR, false),
    ("un peu", 0.0, B_DECR, false),
    ("de ouf", 1.8, 0.0, false),
    ("hors de prix", -2.0, 0.0, false),
    ("bonne affaire", 2.0, 0.0, false),
    ("la classe", 2.3, 0.0, false),
    ("chef d'œuvre", 3.0, 0.0, false),
    ("plus jamais", -2.0, 0.0, true),
    ("service client", 0.0, 0.0, false),
];

/// French elided prefixes that are split off: "j'adore" -> "j'" + "adore".
fn is_elision_prefix(folded: &str) -> bool {
    matches!(
        folded,
        "l" | "d"
            | "j"
            | "n"
            | "qu"
            | "c"
            | "s"
            | "m"
            | "t"
            | "jusqu"
            | "lorsqu"
            | "puisqu"
            | "quoiqu"
    )
}

// ---------------------------------------------------------------------------------------------
// Character classes and folding.
// ---------------------------------------------------------------------------------------------

#[inline]
fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '`' | '\u{00B4}'
    )
}

#[inline]
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || (!c.is_ascii() && is_combining_mark(c))
}

/// Invisible emoji modifiers (variation selectors, ZWJ, skin tones, tags): they carry no
/// sentiment and must not split or break anything.
#[inline]
fn is_ignorable(c: char) -> bool {
    matches!(c as u32,
        0xFE0E | 0xFE0F | 0x200B..=0x200D | 0x2060 | 0x20E3 | 0x1F3FB..=0x1F3FF | 0xE0020..=0xE007F)
}

#[inline]
fn is_emoji(c: char) -> bool {
    matches!(c as u32,
        0x2190..=0x21FF
            | 0x2300..=0x23FF
            | 0x25A0..=0x27BF
            | 0x2900..=0x297F
            | 0x2B00..=0x2BFF
            | 0x3030
            | 0x303D
            | 0x3297
            | 0x3299
            | 0x1F000..=0x1FAFF)
}

/// ASCII punctuation that ends a clause for negation and boosters. Quotes do not: "pas « top »"
/// is still a negation.
#[inline]
fn is_ascii_break(c: char) -> bool {
    matches!(
        c,
        '.' | ',' | ';' | ':' | '!' | '?' | '(' | ')' | '[' | ']' | '{' | '}' | '|' | '-'
    )
}

#[inline]
fn is_unicode_break(c: char) -> bool {
    matches!(
        c,
        '\u{2026}'
            | '\u{2013}'
            | '\u{2014}'
            | '\u{00A1}'
            | '\u{00BF}'
            | '\u{2022}'
            | '\u{00B7}'
            | '\u{3002}'
            | '\u{FF01}'
            | '\u{FF1F}'
    )
}

/// Appends `c` lowercased and without diacritics. The Latin-1 letters that French uses take a
/// fast path; anything else goes through Unicode decomposition.
#[inline]
fn fold_char(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    let base = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => 'a',
        'ç' | 'Ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => 'i',
        'ñ' | 'Ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => 'u',
        'ý' | 'ÿ' | 'Ý' | 'Ÿ' => 'y',
        'œ' | 'Œ' => {
            out.push_str("oe");
            return;
        }
        'æ' | 'Æ' => {
            out.push_str("ae");
            return;
        }
        'ß' => {
            out.push_str("ss");
            return;
        }
        _ if is_apostrophe(c) => '\'',
        _ => {
            for lower in c.to_lowercase() {
                for d in lower.nfd() {
                    if !is_combining_mark(d) {
                        out.push(d);
                    }
                }
            }
            return;
        }
    };
    out.push(base);
}

/// Folds a whole lexicon word (build time only).
fn fold_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        fold_char(c, &mut out);
    }
    out
}

/// Canonical form of an emoji/emoticon key: modifiers dropped, ASCII lowercased.
fn normalize_symbol(s: &str) -> String {
    s.chars()
        .filter(|&c| !is_ignorable(c))
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// HTML entities (tweets from APIs arrive with &amp; &lt; &gt; &quot; &#39; ...).
// ---------------------------------------------------------------------------------------------

fn decode_entities(text: &str, out: &mut String) {
    out.clear();
    let mut rest = text;
    while let Some(pos) = rest.find('&') {
        out.push_str(&rest[..pos]);
        let tail = &rest[pos..];
        match parse_entity(tail) {
            Some((ch, len)) => {
                out.push(ch);
                rest = &tail[len..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
}

/// Parses an entity at the start of `s` (which starts with '&'); returns the character and the
/// entity's byte length.
fn parse_entity(s: &str) -> Option<(char, usize)> {
    let semi = s.bytes().take(10).position(|b| b == b';')?;
    // `semi` indexes an ASCII byte, so both slice ends are char boundaries.
    let name = &s[1..semi];
    let ch = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" | "rsquo" | "lsquo" => '\'',
        "nbsp" => ' ',
        "hellip" => '\u{2026}',
        "laquo" => '«',
        "raquo" => '»',
        _ => {
            let num = name.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse::<u32>().ok()?,
            };
            char::from_u32(code)?
        }
    };
    Some((ch, semi + 1))
}

// ---------------------------------------------------------------------------------------------
// Lexicon loading.
// ---------------------------------------------------------------------------------------------

struct LexLine<'a> {
    word: &'a str,
    valence: f32,
    /// '=': no generated inflections.
    exact: bool,
    /// 'x': left out of the merged map used when the language is unknown.
    no_merge: bool,
}

/// Parses `word<TAB>valence[<TAB>flags]` lines; comments, blanks and malformed lines are skipped
/// so a bad edit to a data file degrades one entry instead of panicking at start-up.
fn parse_tsv(data: &str) -> impl Iterator<Item = LexLine<'_>> {
    data.lines().filter_map(|line| {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            return None;
        }
        let mut parts = line.split('\t');
        let word = parts.next()?.trim();
        let valence: f32 = parts.next()?.trim().parse().ok()?;
        if word.is_empty() || !valence.is_finite() {
            return None;
        }
        let flags = parts.next().unwrap_or("");
        Some(LexLine {
            word,
            valence: valence.clamp(-4.0, 4.0),
            exact: flags.contains('='),
            no_merge: flags.contains('x'),
        })
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Inflect {
    En,
    Fr,
}

fn is_vowel(b: u8) -> bool {
    matches!(b, b'a' | b'e' | b'i' | b'o' | b'u')
}

/// Regular English inflections (-s, -ed, -ing), so the file can list base forms only. Over-
/// generation is harmless: a form that does not exist never matches a token, and explicit
/// entries always win over generated ones.
fn en_forms(w: &str, out: &mut Vec<String>) {
    let b = w.as_bytes();
    if b.len() < 3 || !b.iter().all(u8::is_ascii_lowercase) {
        return;
    }
    let n = b.len();
    let last = b[n - 1];
    let cons_y = last == b'y' && !is_vowel(b[n - 2]);
    let stem_y = &w[..n - 1];
    // Consonant-vowel-consonant endings double the consonant: "stop" -> "stopped".
    let cvc = !is_vowel(last)
        && !matches!(last, b'w' | b'x' | b'y')
        && is_vowel(b[n - 2])
        && !is_vowel(b[n - 3]);
    if w.ends_with(['s', 'x', 'z']) || w.ends_with("ch") || w.ends_with("sh") {
        out.push(format!("{w}es"));
    } else if cons_y {
        out.push(format!("{stem_y}ies"));
    } else {
        out.push(format!("{w}s"));
    }
    if last == b'e' {
        out.push(format!("{w}d"));
    } else if cons_y {
        out.push(format!("{stem_y}ied"));
    } else {
        out.push(format!("{w}ed"));
        if cvc {
            out.push(format!("{w}{}ed", char::from(last)));
        }
    }
    if last == b'e' && b[n - 2] != b'e' {
        out.push(format!("{}ing", &w[..n - 1]));
    } else {
        out.push(format!("{w}ing"));
        if cvc {
            out.push(format!("{w}{}ing", char::from(last)));
        }
    }
}

/// Regular French inflections: gender and number of adjectives and nouns, and the common forms
/// of -er and -ir verbs. Works on the accented word; the caller folds the results.
fn fr_forms(w: &str, out: &mut Vec<String>) {
    if w.chars().count() < 3 {
        return;
    }
    if w.contains(['-', '\'', '’']) {
        out.push(format!("{w}s"));
        return;
    }
    if let Some(stem) = w.strip_suffix("er") {
        for suf in [
            "e", "es", "ent", "ons", "ez", "é", "ée", "és", "ées", "ais", "ait", "aient", "ant",
            "ai", "a", "era", "erai", "eras", "erons", "erez", "eront", "erait", "eraient", "ions",
            "iez", "ère", "ères", "ers",
        ] {
            out.push(format!("{stem}{suf}"));
        }
    } else if let Some(stem) = w.strip_suffix("ir") {
        for suf in [
            "i", "is", "it", "ie", "ies", "issent", "issons", "issez", "issait", "issaient",
            "issant", "irai", "ira", "iront",
        ] {
            out.push(format!("{stem}{suf}"));
        }
    }
    if let Some(stem) = w.strip_suffix("eux") {
        out.push(format!("{stem}euse"));
        out.push(format!("{stem}euses"));
    } else if let Some(stem) = w.strip_suffix("eur") {
        for suf in ["eurs", "eure", "eures", "euse", "euses"] {
            out.push(format!("{stem}{suf}"));
        }
    } else if let Some(stem) = w.strip_suffix("if") {
        for suf in ["ifs", "ive", "ives"] {
            out.push(format!("{stem}{suf}"));
        }
    } else if w.ends_with("el") || w.ends_with("eil") {
        for suf in ["s", "le", "les"] {
            out.push(format!("{w}{suf}"));
        }
    } else if w.ends_with("en") || w.ends_with("on") || w.ends_with("et") {
        let last = w.chars().last().unwrap_or('n');
        for suf in ["s", "e", "es"] {
            out.push(format!("{w}{suf}"));
        }
        out.push(format!("{w}{last}e"));
        out.push(format!("{w}{last}es"));
    } else if let Some(stem) = w.strip_suffix("al") {
        for suf in ["aux", "ale", "ales", "als"] {
            out.push(format!("{stem}{suf}"));
        }
    } else if w.ends_with("eau") {
        out.push(format!("{w}x"));
    } else if w.ends_with(['x', 's', 'z']) {
        // Invariable in number.
    } else if w.ends_with('e') {
        out.push(format!("{w}s"));
    } else {
        for suf in ["e", "s", "es"] {
            out.push(format!("{w}{suf}"));
        }
    }
}

/// Loads a lexicon into `map`: explicit entries first, then generated inflections where the slot
/// is still free, so a listed form always keeps its own valence.
fn load_lexicon(map: &mut WordMap, data: &str, inflect: Inflect, merged: bool) {
    let lines: Vec<LexLine<'_>> = parse_tsv(data)
        .filter(|l| !(merged && l.no_merge))
        .collect();
    for l in &lines {
        map.entry(fold_str(l.word).into_boxed_str())
            .or_insert(Entry {
                valence: l.valence,
                ..Entry::default()
            });
    }
    let mut forms = Vec::new();
    for l in lines.iter().filter(|l| !l.exact) {
        forms.clear();
        match inflect {
            Inflect::En => en_forms(l.word, &mut forms),
            Inflect::Fr => fr_forms(l.word, &mut forms),
        }
        for form in &forms {
            map.entry(fold_str(form).into_boxed_str()).or_insert(Entry {
                valence: l.valence,
                ..Entry::default()
            });
        }
    }
}

/// Adds VADER's word entries (not its emoticons, which the emoticon table handles) where `map`
/// has no entry yet, leaving out the words `skip` names.
fn load_vader(map: &mut WordMap, skip: impl Fn(&str) -> bool) {
    for l in parse_tsv(VADER_TXT) {
        if !l.word.starts_with(|c: char| c.is_alphanumeric()) {
            continue;
        }
        let key = fold_str(l.word);
        if skip(&key) {
            continue;
        }
        map.entry(key.into_boxed_str()).or_insert(Entry {
            valence: l.valence,
            ..Entry::default()
        });
    }
}

fn add_flags(map: &mut WordMap, words: &[&str], flags: u16) {
    for w in words {
        map.entry(fold_str(w).into_boxed_str()).or_default().flags |= flags;
    }
}

fn add_boosters(map: &mut WordMap, boosters: &[(&str, f32)]) {
    for &(w, b) in boosters {
        map.entry(fold_str(w).into_boxed_str()).or_default().booster = b;
    }
}

fn add_english_modifiers(map: &mut WordMap) {
    add_boosters(map, EN_BOOSTERS);
    add_flags(map, EN_NEGATORS, NEG);
    add_flags(map, LIKE_CUES, LIKE_CUE);
    add_flags(map, &["like"], LIKE);
}

fn add_french_modifiers(map: &mut WordMap) {
    add_boosters(map, FR_BOOSTERS);
    add_flags(map, FR_NEGATORS, NEG);
    add_flags(map, FR_NE, NE);
    add_flags(map, &["plus"], NEG_AFTER_NE);
    add_flags(map, &["peu"], WEAK_NEG);
    add_flags(map, FR_POST_NEG, POST_NEG);
    add_flags(map, FR_SUBJECTS, SUBJECT);
    add_flags(map, FR_CLITICS, CLITIC);
}

// ---------------------------------------------------------------------------------------------
// Scorer.
// ---------------------------------------------------------------------------------------------

impl SentimentScorer {
    /// Builds the lexicons and loads the embedded learned layer (`assets/sentiment/model.bin`).
    ///
    /// # Panics
    /// Only if the weight file compiled into the binary is malformed, which the test
    /// `learned::tests::embedded_model_loads` rules out.
    pub fn new() -> Self {
        match learned::Model::from_bytes(learned::EMBEDDED) {
            Ok(model) => Self::with_model(Some(model)),
            Err(e) => panic!("embedded sentiment model assets/sentiment/model.bin: {e}"),
        }
    }

    /// A scorer with another weight file (see [`learned`] for the format); a malformed file is
    /// an error here rather than a wrong score later.
    pub fn from_model_bytes(bytes: &[u8]) -> Result<Self, learned::ModelError> {
        Ok(Self::with_model(Some(learned::Model::from_bytes(bytes)?)))
    }

    /// The rule engine alone, without the learned layer (the scorer before the model existed;
    /// kept for comparisons and for training the model on the rules' own features).
    pub fn rules_only() -> Self {
        Self::with_model(None)
    }

    /// Builds the lexicons (a few thousand entries; well under a millisecond in release).
    fn with_model(model: Option<learned::Model>) -> Self {
        let mut en = WordMap::default();
        let mut fr = WordMap::default();
        let mut both = WordMap::default();
        // Ours first: its entries carry flags and inflections, and were chosen for social
        // posts; VADER's human-rated words then fill every gap.
        load_lexicon(&mut en, EN_TSV, Inflect::En, false);
        load_vader(&mut en, |_| false);
        load_lexicon(&mut fr, FR_TSV, Inflect::Fr, false);
        // English first: when the language is unknown, a spelling shared by both languages is
        // more often English in the feeds we see (brands, hashtags, loanwords).
        load_lexicon(&mut both, EN_TSV, Inflect::En, true);
        load_lexicon(&mut both, FR_TSV, Inflect::Fr, true);
        // VADER's words where neither lexicon speaks, and never one that is French too.
        let english_only: Vec<Box<str>> = parse_tsv(EN_TSV)
            .filter(|l| l.no_merge)
            .map(|l| fold_str(l.word).into_boxed_str())
            .collect();
        load_vader(&mut both, |w| {
            fr.contains_key(w) || english_only.iter().any(|e| &**e == w)
        });

        let mut emoticons: Vec<Box<str>> = Vec::new();
        for l in parse_tsv(EMOJI_TSV) {
            let key = normalize_symbol(l.word);
            if key.is_empty() {
                continue;
            }
            let entry = Entry {
                valence: l.valence,
                ..Entry::default()
            };
            for map in [&mut en, &mut fr, &mut both] {
                map.insert(key.clone().into_boxed_str(), entry);
            }
            if key.as_bytes()[0].is_ascii_punctuation() {
                emoticons.push(key.into_boxed_str());
            }
        }
        // Longest first so ":-)" wins over ":-" prefixes and ">:(" over ":(".
        emoticons.sort_by_key(|e| std::cmp::Reverse(e.len()));
        let mut emoticon_buckets = vec![Vec::new(); 128];
        for (i, e) in emoticons.iter().enumerate() {
            emoticon_buckets[usize::from(e.as_bytes()[0])].push(i);
        }

        for map in [&mut en, &mut both] {
            add_english_modifiers(map);
        }
        for map in [&mut fr, &mut both] {
            add_french_modifiers(map);
        }
        for map in [&mut en, &mut fr, &mut both] {
            add_flags(map, CONTRASTS, CONTRAST);
        }

        let mut scorer = SentimentScorer {
            en,
            fr,
            both,
            idioms: HashMap::default(),
            emoticons,
            emoticon_buckets,
            model,
        };
        scorer.load_idioms();
        scorer
    }

    /// Tokenises each idiom with the real tokenizer, so its key matches runtime tokens exactly
    /// (elisions, folding), and marks its first word in every map.
    fn load_idioms(&mut self) {
        let mut norm = String::new();
        let mut toks = Vec::new();
        let mut idioms = HashMap::default();
        let mut heads = Vec::new();
        for &(text, valence, booster, inner_neg) in IDIOMS {
            self.tokenize(text, &self.both, &mut norm, &mut toks);
            if toks.len() < 2 {
                continue;
            }
            let key = toks
                .iter()
                .map(|t| &norm[t.start..t.end])
                .collect::<Vec<_>>()
                .join(" ");
            heads.push(norm[toks[0].start..toks[0].end].to_string());
            idioms.insert(
                key.into_boxed_str(),
                Idiom {
                    len: toks.len(),
                    valence,
                    booster,
                    inner_neg,
                },
            );
        }
        self.idioms = idioms;
        for head in heads {
            for map in [&mut self.en, &mut self.fr, &mut self.both] {
                map.entry(head.clone().into_boxed_str()).or_default().flags |= IDIOM;
            }
        }
    }

    fn map(&self, lang: Lang) -> &WordMap {
        match lang {
            Lang::En => &self.en,
            Lang::Fr => &self.fr,
            Lang::Unknown => &self.both,
        }
    }

    /// Compound sentiment of `text` in [-1, 1]: below -0.05 reads negative, above 0.05 positive.
    pub fn score(&self, text: &str, lang: Lang) -> f32 {
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut scratch) => {
                let score = self.score_with(text, lang, &mut scratch);
                scratch.trim();
                score
            }
            // Only reachable if scoring were re-entered on this thread; stay correct anyway.
            Err(_) => self.score_with(text, lang, &mut Scratch::default()),
        })
    }

    fn score_with(&self, text: &str, lang: Lang, s: &mut Scratch) -> f32 {
        let Some(model) = &self.model else {
            return self.analyse(text, lang, s, None);
        };
        let rule = self.analyse(text, lang, s, Some(model.families));
        if s.toks.is_empty() {
            // Nothing to read: neutral, whatever a bias might say.
            return rule;
        }
        model.compound(&s.feat, lang)
    }

    /// The features the learned layer reads for `text`, with the hashed feature families in
    /// `families` (`features::WORDS | ...`; what the training example fits on, the same code path
    /// as [`SentimentScorer::score`]). `out` is overwritten.
    pub fn features(&self, text: &str, lang: Lang, families: u8, out: &mut features::Features) {
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut scratch) => {
                self.analyse(text, lang, &mut scratch, Some(families));
                out.clone_from(&scratch.feat);
                scratch.trim();
            }
            Err(_) => {
                let mut scratch = Scratch::default();
                self.analyse(text, lang, &mut scratch, Some(families));
                out.clone_from(&scratch.feat);
            }
        })
    }

    /// Runs the rules and returns their compound; with `extract` (hashed feature families),
    /// also fills `s.feat`.
    fn analyse(&self, text: &str, lang: Lang, s: &mut Scratch, extract: Option<u8>) -> f32 {
        let map = self.map(lang);
        let mut decoded = std::mem::take(&mut s.decoded);
        let punct = {
            let src: &str = if text.contains('&') {
                decode_entities(text, &mut decoded);
                &decoded
            } else {
                text
            };
            self.tokenize(src, map, &mut s.norm, &mut s.toks)
        };
        s.decoded = decoded;
        if s.toks.is_empty() {
            s.feat.clear();
            return 0.0;
        }
        self.resolve(map, s);
        self.apply_context(s);
        let mut sum = self.valence_sum(s);
        if sum != 0.0 {
            sum += sum.signum() * punctuation_emphasis(punct);
        }
        if punct.links > 0 {
            sum *= LINK_SCALE;
        }
        if punct.quest > 0 {
            sum *= QUESTION_SCALE;
        }
        let compound = normalize(sum, s.toks.len());
        if let Some(families) = extract {
            features::extract(
                &s.toks,
                &s.info,
                &s.sent,
                &s.norm,
                punct,
                compound,
                lang,
                families,
                &mut s.feat,
            );
        }
        compound
    }

    // -----------------------------------------------------------------------------------------
    // Tokenizer.
    // -----------------------------------------------------------------------------------------

    /// Splits `src` into tokens whose text is written, lowercased and folded, into `norm`.
    /// URLs and @handles are dropped; emoji and emoticons become single tokens; French elisions
    /// are split ("j'adore" -> "j'", "adore"); a hyphenated word stays whole only if the lexicon
    /// knows it ("rip-off"). Returns the '!' and '?' counts.
    fn tokenize(&self, src: &str, map: &WordMap, norm: &mut String, toks: &mut Vec<Tok>) -> Punct {
        norm.clear();
        toks.clear();
        let bytes = src.as_bytes();
        let mut punct = Punct::default();
        let mut word = WordAcc::default();
        let mut in_word = false;
        let mut pending_break = false;
        let mut i = 0;
        while i < src.len() {
            let Some(c) = src[i..].chars().next() else {
                break;
            };
            let clen = c.len_utf8();
            if is_word_char(c) {
                if !in_word {
                    if matches!(c, 'h' | 'H' | 'w' | 'W') && starts_url(&bytes[i..]) {
                        punct.links += 1;
                        i = skip_non_space(src, i);
                        continue;
                    }
                    word = WordAcc {
                        start: norm.len(),
                        ..WordAcc::default()
                    };
                    in_word = true;
                }
                word.push(c, norm);
                i += clen;
                continue;
            }
            let next = src[i + clen..].chars().next();
            if in_word && is_apostrophe(c) && next.is_some_and(char::is_alphabetic) {
                if is_elision_prefix(&norm[word.start..]) {
                    norm.push('\'');
                    word.finish(norm, map, toks, &mut pending_break);
                    word = WordAcc {
                        start: norm.len(),
                        ..WordAcc::default()
                    };
                } else {
                    norm.push('\'');
                }
                i += clen;
                continue;
            }
            if in_word && c == '-' && next.is_some_and(is_word_char) {
                norm.push('-');
                word.hyphen = true;
                i += clen;
                continue;
            }
            if in_word {
                word.finish(norm, map, toks, &mut pending_break);
                in_word = false;
            }
            if c.is_whitespace() {
                i += clen;
                continue;
            }
            if c == '@' {
                // @handle: names carry no sentiment ("@LoveBrand").
                i += 1;
                while let Some(h) = src[i..].chars().next() {
                    if !is_word_char(h) {
                        break;
                    }
                    i += h.len_utf8();
                }
                continue;
            }
            if c.is_ascii() {
                match c {
                    '!' => punct.excl += 1,
                    '?' => punct.quest += 1,
                    _ => {}
                }
                if let Some((len, idx)) = self.match_emoticon(bytes, i) {
                    let start = norm.len();
                    norm.push_str(&self.emoticons[idx]);
                    toks.push(Tok {
                        start,
                        end: norm.len(),
                        caps: false,
                        cased: false,
                        brk: pending_break,
                        symbol: true,
                    });
                    pending_break = true;
                    i += len;
                    continue;
                }
                if is_ascii_break(c) {
                    pending_break = true;
                }
                i += 1;
                continue;
            }
            if is_ignorable(c) {
                i += clen;
                continue;
            }
            if is_emoji(c) {
                let start = norm.len();
                norm.push(c);
                toks.push(Tok {
                    start,
                    end: norm.len(),
                    caps: false,
                    cased: false,
                    brk: pending_break,
                    symbol: true,
                });
                // Emoji usually close a clause in tweets.
                pending_break = true;
                i += clen;
                continue;
            }
            if is_unicode_break(c) {
                pending_break = true;
            }
            i += clen;
        }
        if in_word {
            word.finish(norm, map, toks, &mut pending_break);
        }
        punct
    }

    /// Matches an emoticon starting at byte `i` (an ASCII punctuation character); returns its
    /// length in `bytes` (repeats like ":)))" included) and its index in `emoticons`.
    fn match_emoticon(&self, bytes: &[u8], i: usize) -> Option<(usize, usize)> {
        let rest = &bytes[i..];
        let bucket = self.emoticon_buckets.get(usize::from(*rest.first()?))?;
        for &idx in bucket {
            let e = self.emoticons[idx].as_bytes();
            if rest.len() < e.len() || !rest[..e.len()].eq_ignore_ascii_case(e) {
                continue;
            }
            let last = e[e.len() - 1];
            let mut end = e.len();
            while end < rest.len() && rest[end].eq_ignore_ascii_case(&last) {
                end += 1;
            }
            let next = rest.get(end).copied();
            // "10:30" is a time and ":Dear" a word, not ":3" or ":D".
            if last.is_ascii_alphanumeric() && next.is_some_and(|b| b.is_ascii_alphanumeric()) {
                continue;
            }
            // Brackets are ordinary punctuation unless the emoticon stands alone: "(see below):"
            if matches!(e[0], b'(' | b')') {
                let prev_ok = i == 0 || bytes[i - 1].is_ascii_whitespace();
                let next_ok = next.is_none_or(|b| b.is_ascii_whitespace());
                if !(prev_ok && next_ok) {
                    continue;
                }
            }
            return Some((end, idx));
        }
        None
    }

    // -----------------------------------------------------------------------------------------
    // Rules.
    // -----------------------------------------------------------------------------------------

    /// Looks every token up once.
    fn resolve(&self, map: &WordMap, s: &mut Scratch) {
        s.info.clear();
        for t in &s.toks {
            let key = &s.norm[t.start..t.end];
            let info = if t.symbol {
                map.get(key).map_or(Info::default(), |e| Info {
                    val: e.valence,
                    ..Info::default()
                })
            } else {
                lookup_word(map, key, &mut s.key)
            };
            s.info.push(info);
        }
    }

    /// Context rules that change what a token is before valences are combined: idioms, "plus"
    /// after "ne", "like" as a verb, dual-role boosters ("super" alone vs "super bien").
    fn apply_context(&self, s: &mut Scratch) {
        let n = s.toks.len();
        let (toks, info, norm) = (&s.toks, &mut s.info, &s.norm);
        let key = |i: usize| &norm[toks[i].start..toks[i].end];

        let mut i = 0;
        while i < n {
            if info[i].flags & IDIOM != 0
                && let Some(idiom) = self.match_idiom(i, toks, norm, &mut s.key)
            {
                info[i] = Info {
                    val: idiom.valence,
                    boost: idiom.booster,
                    flags: if idiom.inner_neg { INNER_NEG } else { 0 },
                    elongated: false,
                };
                for slot in &mut info[i + 1..i + idiom.len] {
                    *slot = Info::default();
                }
                i += idiom.len;
                continue;
            }
            i += 1;
        }

        for i in 0..n {
            let joined = i > 0 && !toks[i].brk;
            let flags = info[i].flags;
            if flags & NEG_AFTER_NE != 0 && ne_before(i, toks, info) {
                info[i].flags |= NEG;
                info[i].boost = 0.0;
            }
            if flags & LIKE != 0 && !(joined && info[i - 1].flags & LIKE_CUE != 0) {
                info[i].val = 0.0;
            }
            if joined && key(i) == "contre" && key(i - 1) == "par" {
                info[i].flags |= CONTRAST;
            }
        }

        // A word that is both a booster and a sentiment word boosts when a sentiment word (or
        // another booster) follows in the same clause, and counts on its own otherwise.
        for i in 0..n {
            if info[i].boost != 0.0 && info[i].val != 0.0 {
                let modifies_next = i + 1 < n
                    && !toks[i + 1].brk
                    && !toks[i + 1].symbol
                    && (info[i + 1].val != 0.0 || info[i + 1].boost != 0.0);
                if modifies_next {
                    info[i].val = 0.0;
                } else {
                    info[i].boost = 0.0;
                }
            }
        }
    }

    /// Longest idiom starting at token `i`, if any.
    fn match_idiom(&self, i: usize, toks: &[Tok], norm: &str, key: &mut String) -> Option<Idiom> {
        let max = (toks.len() - i).min(4);
        for len in (2..=max).rev() {
            if toks[i + 1..i + len].iter().any(|t| t.brk || t.symbol) {
                continue;
            }
            key.clear();
            for (k, t) in toks[i..i + len].iter().enumerate() {
                if k > 0 {
                    key.push(' ');
                }
                key.push_str(&norm[t.start..t.end]);
            }
            if let Some(idiom) = self.idioms.get(key.as_str()) {
                return Some(*idiom);
            }
        }
        None
    }

    /// Per-token valences after caps, boosters and negation, then the contrast shift; returns
    /// the sum.
    fn valence_sum(&self, s: &mut Scratch) -> f32 {
        let n = s.toks.len();
        let (toks, info, norm) = (&s.toks, &s.info, &s.norm);
        let key = |i: usize| &norm[toks[i].start..toks[i].end];
        let cased = toks.iter().filter(|t| t.cased).count();
        let caps = toks.iter().filter(|t| t.caps).count();
        // Capitals only emphasise when the rest of the text is not shouting too.
        let cap_diff = caps > 0 && caps < cased;

        s.sent.clear();
        for i in 0..n {
            let mut v = info[i].val;
            if v == 0.0 || toks[i].symbol {
                s.sent.push(v);
                continue;
            }
            let sign = v.signum();
            if cap_diff && toks[i].caps {
                v += sign * C_INCR;
            }
            if info[i].elongated {
                v += sign * ELONG_INCR;
            }

            // Boosters in the preceding window, fading with distance.
            let mut k = i;
            for decay in BOOST_DECAY {
                if k == 0 || toks[k].brk {
                    break;
                }
                k -= 1;
                let p = info[k];
                if p.boost != 0.0 && p.val == 0.0 {
                    let mut scalar = p.boost * sign;
                    if cap_diff && toks[k].caps {
                        scalar += sign * C_INCR;
                    }
                    v += scalar * decay;
                }
            }

            if info[i].flags & INNER_NEG == 0 {
                let mut scalar = 1.0;
                let mut k = i;
                for dist in 0..WINDOW {
                    if k == 0 || toks[k].brk {
                        break;
                    }
                    k -= 1;
                    let f = info[k].flags;
                    if f & (NEG | NE) != 0 {
                        let never_so = k + 1 < i
                            && matches!(key(k), "never" | "jamais")
                            && matches!(key(k + 1), "so" | "this" | "aussi" | "si");
                        scalar = if never_so { NEVER_SO_SCALAR } else { N_SCALAR };
                        break;
                    }
                    if f & WEAK_NEG != 0 {
                        scalar = WEAK_N_SCALAR;
                        break;
                    }
                    // "least good" is negative, "at least good" / "the very least" are not.
                    if dist == 0
                        && key(k) == "least"
                        && !(k > 0 && matches!(key(k - 1), "at" | "very"))
                    {
                        scalar = N_SCALAR;
                        break;
                    }
                }
                if scalar == 1.0 && post_negated(i, toks, info) {
                    scalar = N_SCALAR;
                }
                if scalar != 1.0 {
                    v *= scalar;
                    if scalar < 0.0 && at_all_near(i, toks, norm) {
                        v *= AT_ALL_SCALAR;
                    }
                }
            }
            s.sent.push(v);
        }

        if let Some(bi) = info.iter().position(|x| x.flags & CONTRAST != 0) {
            for v in &mut s.sent[..bi] {
                *v *= BEFORE_CONTRAST;
            }
            for v in &mut s.sent[bi + 1..] {
                *v *= AFTER_CONTRAST;
            }
        }
        s.sent.iter().sum()
    }
}

/// Accumulates one word while tokenising.
#[derive(Default)]
struct WordAcc {
    start: usize,
    upper: u16,
    lower: u16,
    letters: u16,
    hyphen: bool,
}

impl WordAcc {
    #[inline]
    fn push(&mut self, c: char, norm: &mut String) {
        // ASCII fast path (most of every text): the same counts and folding, inlined.
        if c.is_ascii() {
            if c.is_ascii_alphabetic() {
                self.letters = self.letters.saturating_add(1);
                if c.is_ascii_uppercase() {
                    self.upper = self.upper.saturating_add(1);
                } else {
                    self.lower = self.lower.saturating_add(1);
                }
            }
            norm.push(c.to_ascii_lowercase());
            return;
        }
        if c.is_alphabetic() {
            self.letters = self.letters.saturating_add(1);
            if c.is_uppercase() {
                self.upper = self.upper.saturating_add(1);
            } else if c.is_lowercase() {
                self.lower = self.lower.saturating_add(1);
            }
        }
        fold_char(c, norm);
    }

    fn finish(&self, norm: &str, map: &WordMap, toks: &mut Vec<Tok>, pending_break: &mut bool) {
        let text = &norm[self.start..];
        if text.is_empty() {
            return;
        }
        let tok = Tok {
            start: self.start,
            end: norm.len(),
            caps: self.letters >= 2 && self.lower == 0 && self.upper >= 2,
            cased: self.letters >= 2,
            brk: *pending_break,
            symbol: false,
        };
        *pending_break = false;
        if self.hyphen && !map.contains_key(text) {
            // Unknown compound: score its parts ("super-content" -> "super", "content").
            let mut start = self.start;
            let mut first = true;
            for part in text.split('-') {
                let end = start + part.len();
                if !part.is_empty() {
                    toks.push(Tok {
                        start,
                        end,
                        brk: tok.brk && first,
                        ..tok
                    });
                    first = false;
                }
                start = end + 1;
            }
        } else {
            toks.push(tok);
        }
    }
}

fn starts_url(rest: &[u8]) -> bool {
    let starts = |p: &[u8]| rest.len() >= p.len() && rest[..p.len()].eq_ignore_ascii_case(p);
    starts(b"http://") || starts(b"https://") || starts(b"www.")
}

fn skip_non_space(src: &str, mut i: usize) -> usize {
    while let Some(c) = src[i..].chars().next() {
        if c.is_whitespace() {
            break;
        }
        i += c.len_utf8();
    }
    i
}

/// Lexicon lookup with the fallbacks that keep the lexicon small: "don't"-style negations,
/// elongations ("gooood"), possessives ("brand's") and laughter ("ahahah").
fn lookup_word(map: &WordMap, key: &str, buf: &mut String) -> Info {
    let from = |e: &Entry| Info {
        val: e.valence,
        boost: e.booster,
        flags: e.flags,
        elongated: false,
    };
    if let Some(e) = map.get(key) {
        return from(e);
    }
    if key.ends_with("n't") {
        return Info {
            flags: NEG | LIKE_CUE,
            ..Info::default()
        };
    }
    if has_run(key, 3) {
        for keep in [2, 1] {
            collapse_runs(key, keep, buf);
            if let Some(e) = map.get(buf.as_str()) {
                return Info {
                    elongated: true,
                    ..from(e)
                };
            }
        }
    }
    if let Some(e) = key.strip_suffix("'s").and_then(|stem| map.get(stem)) {
        return from(e);
    }
    if is_laughter(key) {
        return Info {
            val: LAUGH_VALENCE,
            ..Info::default()
        };
    }
    Info::default()
}

/// True if some character repeats `n` times in a row.
fn has_run(s: &str, n: usize) -> bool {
    let mut prev = None;
    let mut run = 0;
    for c in s.chars() {
        if Some(c) == prev {
            run += 1;
            if run >= n {
                return true;
            }
        } else {
            prev = Some(c);
            run = 1;
        }
    }
    false
}

/// Writes `s` into `out` with every run of a repeated character cut to `keep` characters.
fn collapse_runs(s: &str, keep: usize, out: &mut String) {
    out.clear();
    let mut prev = None;
    let mut run = 0;
    for c in s.chars() {
        if Some(c) == prev {
            run += 1;
        } else {
            prev = Some(c);
            run = 1;
        }
        if run <= keep {
            out.push(c);
        }
    }
}

/// "hahaha", "ahahah", "hihihi", "héhé": only h plus one vowel, both repeated.
fn is_laughter(s: &str) -> bool {
    if s.len() < 4 || !s.is_ascii() {
        return false;
    }
    let b = s.as_bytes();
    let Some(&vowel) = b.iter().find(|&&c| c != b'h') else {
        return false;
    };
    if !matches!(vowel, b'a' | b'e' | b'i') {
        return false;
    }
    let hs = b.iter().filter(|&&c| c == b'h').count();
    let vs = b.iter().filter(|&&c| c == vowel).count();
    hs + vs == b.len() && hs >= 2 && vs >= 2
}

/// "ne"/"n'" in the three tokens before `i`, within the clause.
fn ne_before(i: usize, toks: &[Tok], info: &[Info]) -> bool {
    let mut k = i;
    for _ in 0..WINDOW {
        if k == 0 || toks[k].brk {
            return false;
        }
        k -= 1;
        if info[k].flags & NE != 0 {
            return true;
        }
    }
    false
}

/// Colloquial French negation after the verb: "j'aime pas", "je l'aime vraiment pas". Requires a
/// subject pronoun (possibly through object clitics) right before the word, so that an adjective
/// followed by "pas" ("top, pas cher") is not negated.
fn post_negated(i: usize, toks: &[Tok], info: &[Info]) -> bool {
    let n = toks.len();
    let mut j = i + 1;
    if j < n && !toks[j].brk && info[j].boost != 0.0 && info[j].val == 0.0 {
        j += 1;
    }
    if j >= n || toks[j].brk || info[j].flags & POST_NEG == 0 {
        return false;
    }
    let mut k = i;
    for _ in 0..WINDOW {
        if k == 0 || toks[k].brk {
            return false;
        }
        k -= 1;
        let f = info[k].flags;
        if f & SUBJECT != 0 {
            return true;
        }
        if f & CLITIC == 0 {
            return false;
        }
    }
    false
}

/// "at all" / "du tout" within four tokens of `i`.
fn at_all_near(i: usize, toks: &[Tok], norm: &str) -> bool {
    let lo = i.saturating_sub(4);
    let hi = (i + 5).min(toks.len());
    (lo..hi.saturating_sub(1)).any(|k| {
        let a = &norm[toks[k].start..toks[k].end];
        let b = &norm[toks[k + 1].start..toks[k + 1].end];
        !toks[k + 1].brk && matches!((a, b), ("at", "all") | ("du", "tout"))
    })
}

/// VADER's punctuation emphasis: each '!' (up to four) adds intensity; two or more '?' too.
fn punctuation_emphasis(p: Punct) -> f32 {
    let excl = p.excl.min(MAX_EXCL) as f32 * EXCL_INCR;
    let quest = match p.quest {
        0 | 1 => 0.0,
        2 | 3 => p.quest as f32 * QM_INCR,
        _ => QM_MAX,
    };
    excl + quest
}

fn normalize(sum: f32, tokens: usize) -> f32 {
    let score = sum / (sum * sum + ALPHA + LENGTH_ALPHA * tokens as f32).sqrt();
    if score.is_finite() {
        score.clamp(-1.0, 1.0)
    } else {
        // Only a NaN/inf sum gets here; an infinite sum means "extremely" in its sign.
        if sum.is_nan() { 0.0 } else { sum.signum() }
    }
}

// ---------------------------------------------------------------------------------------------
// Language detection.
// ---------------------------------------------------------------------------------------------

/// Stopword-count language guess, good enough for tweets: French function words, elisions and
/// accented letters against English function words and contractions. `Unknown` when there is no
/// evidence or a tie.
pub fn detect_language(text: &str) -> Lang {
    let mut counts = LangCounts::default();
    let mut word = GuessWord::default();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        // ASCII, most of most posts, without decoding a character.
        if b.is_ascii() {
            i += 1;
            if b.is_ascii_alphabetic() {
                word.push(b.to_ascii_lowercase(), false);
            } else if (b == b'\'' || b == b'`') && word.len > 0 {
                word.push(b'\'', false);
            } else {
                word.end(&mut counts);
            }
            continue;
        }
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        i += c.len_utf8();
        let c = if is_apostrophe(c) { '\'' } else { c };
        if c.is_alphabetic() || (c == '\'' && word.len > 0) {
            match fold_latin(c) {
                Some((folded, accent)) => {
                    for b in folded.bytes() {
                        word.push(b, accent);
                    }
                }
                None => word.overflow = true,
            }
        } else {
            word.end(&mut counts);
        }
    }
    word.end(&mut counts);
    match counts.fr.cmp(&counts.en) {
        std::cmp::Ordering::Greater => Lang::Fr,
        std::cmp::Ordering::Less => Lang::En,
        std::cmp::Ordering::Equal => Lang::Unknown,
    }
}

#[derive(Default)]
struct LangCounts {
    fr: u32,
    en: u32,
}

/// The word being read by the language guess: folded ASCII bytes, whether it had a French
/// accent, and whether it was too long (or not Latin) to be a function word.
#[derive(Default)]
struct GuessWord {
    buf: [u8; 24],
    len: usize,
    overflow: bool,
    accented: bool,
}

impl GuessWord {
    #[inline]
    fn push(&mut self, b: u8, accent: bool) {
        self.accented |= accent;
        if self.len < self.buf.len() {
            self.buf[self.len] = b;
            self.len += 1;
        } else {
            self.overflow = true;
        }
    }

    #[inline]
    fn end(&mut self, counts: &mut LangCounts) {
        if self.len > 0 && !self.overflow {
            classify_word(
                &self.buf[..self.len],
                self.accented,
                &mut counts.fr,
                &mut counts.en,
            );
        }
        self.len = 0;
        self.overflow = false;
        self.accented = false;
    }
}

/// Lowercase ASCII spelling of a Latin letter and whether it carried a French-looking accent.
fn fold_latin(c: char) -> Option<(&'static str, bool)> {
    if c.is_ascii() {
        const ASCII: &str = "abcdefghijklmnopqrstuvwxyz";
        let lower = c.to_ascii_lowercase();
        return match lower {
            'a'..='z' => {
                let i = (lower as u8 - b'a') as usize;
                Some((&ASCII[i..=i], false))
            }
            '\'' => Some(("'", false)),
            _ => None,
        };
    }
    let folded = match c {
        'à' | 'â' | 'À' | 'Â' => "a",
        'ç' | 'Ç' => "c",
        'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => "e",
        'î' | 'ï' | 'Î' | 'Ï' => "i",
        'ô' | 'Ô' => "o",
        'ù' | 'û' | 'Ù' | 'Û' => "u",
        'œ' | 'Œ' => "oe",
        _ => return None,
    };
    Some((folded, true))
}

fn classify_word(word: &[u8], accented: bool, fr: &mut u32, en: &mut u32) {
    // Bytes, not a string: the word is folded ASCII already.
    let mut w = word;
    while let [rest @ .., b'\''] = w {
        w = rest;
    }
    if let Some(at) = w.iter().position(|&b| b == b'\'') {
        let (prefix, rest) = (&w[..at], &w[at + 1..]);
        let prefix = std::str::from_utf8(prefix).unwrap_or("");
        if is_elision_prefix(prefix) && !rest.is_empty() {
            *fr += 1;
            classify_word(rest, accented, fr, en);
        } else if matches!(rest, b"s" | b"m" | b"re" | b"ve" | b"ll" | b"d" | b"t") {
            *en += 1;
        }
        return;
    }
    if accented {
        *fr += 1;
        return;
    }
    match stopword_language(w) {
        Some(Lang::Fr) => *fr += 1,
        Some(Lang::En) => *en += 1,
        _ => {}
    }
}

const FR_STOPWORDS: &str = "le la les des du un une et est je tu il elle nous vous ils elles ce cette ces cet que qui \
     quoi pas pour dans sur avec mais tres trop ca au aux mon ma mes ton ta tes sa ses leur \
     leurs notre nos votre vos ne sont suis etait fait chez par comme tout tous toute bien \
     aussi donc car quand ou ai avez avons ont sommes moins encore deja merci bonjour en se lui \
     moi toi rien jamais oui non vraiment tellement alors sans vers depuis parce comment \
     pourquoi quel quelle voila ici mdr ptdr";

/// Which language a function word is a sign of. One map for both lists, built once, with the
/// crate's fast hash, keyed by the folded bytes: two SipHash sets of strings, looked up one
/// after the other for every word, were a third of the language guess.
fn stopword_language(w: &[u8]) -> Option<Lang> {
    static MAP: std::sync::OnceLock<HashMap<&'static [u8], Lang, FxBuild>> =
        std::sync::OnceLock::new();
    MAP.get_or_init(|| {
        let mut map = HashMap::default();
        // French last: a word on both lists counts as French, as it did.
        for (list, lang) in [(EN_STOPWORDS, Lang::En), (FR_STOPWORDS, Lang::Fr)] {
            for w in list.split_ascii_whitespace() {
                map.insert(w.as_bytes(), lang);
            }
        }
        map
    })
    .get(w)
    .copied()
}

const EN_STOPWORDS: &str = "the an and is are was were be been being i you he she it we they my your his her its our \
     their this that these those of to in for with at by from about not but or if so just have \
     has had do does did will would can could should what when where who why how all there here \
     up out get got really very too like im dont cant thats u ur today tonight much some any no \
     yes";

#[cfg(test)]
mod tests {
    use super::*;

    fn scorer() -> &'static SentimentScorer {
        static SCORER: std::sync::OnceLock<SentimentScorer> = std::sync::OnceLock::new();
        SCORER.get_or_init(SentimentScorer::new)
    }

    /// The rule engine alone (comparisons, and the rules' own quality figures).
    fn rules() -> &'static SentimentScorer {
        static RULES: std::sync::OnceLock<SentimentScorer> = std::sync::OnceLock::new();
        RULES.get_or_init(SentimentScorer::rules_only)
    }

    // The behaviour tests below pin the rules (negation, boosters, contrast...) through the
    // default scorer: where the learned layer agrees with the rules' class it returns the rule
    // compound unchanged, so these hold on the full scorer.
    fn en(text: &str) -> f32 {
        scorer().score(text, Lang::En)
    }

    fn fr(text: &str) -> f32 {
        scorer().score(text, Lang::Fr)
    }

    /// The model says which class, the rules say how strong.
    #[test]
    fn the_model_decides_the_class_and_the_rules_the_strength() {
        let (s, r) = (scorer(), rules());
        // A plain announcement: the lexicon reads "improve" as positive, the model (fitted on
        // tweets labelled by people) reads the whole as neutral.
        let text = NEUTRAL_BY_MODEL;
        assert_eq!(eval::class_of(r.score(text, Lang::En)), eval::POSITIVE);
        assert_eq!(eval::class_of(s.score(text, Lang::En)), eval::NEUTRAL);
        assert!(
            s.score(text, Lang::En) > 0.0,
            "the squash keeps the rules' sign"
        );
        // Where both agree, the compound is the rule compound, to the bit.
        for t in [
            "I love this brand",
            "Worst customer service ever, I want a refund",
        ] {
            assert_eq!(s.score(t, Lang::En), r.score(t, Lang::En), "{t:?}");
        }
    }

    const NEUTRAL_BY_MODEL: &str = "New post on the blog: how to improve your garden";

    #[test]
    fn learned_layer_reads_clear_cases() {
        let s = scorer();
        let class = |t: &str, l| eval::class_of(s.score(t, l));
        for (text, lang, want) in [
            (
                "I love this brand so much, thank you!",
                Lang::En,
                eval::POSITIVE,
            ),
            (
                "Worst customer service ever, I want a refund",
                Lang::En,
                eval::NEGATIVE,
            ),
            (
                "J'adore la nouvelle collection 😍",
                Lang::Fr,
                eval::POSITIVE,
            ),
            ("Arnaque totale, remboursez-moi", Lang::Fr, eval::NEGATIVE),
            ("", Lang::En, eval::NEUTRAL),
        ] {
            assert_eq!(class(text, lang), want, "{text:?}");
        }
        // Intensity comes from the rules.
        assert!(
            s.score("This is absolutely amazing!!!", Lang::En) > s.score("This is ok", Lang::En)
        );
    }

    #[test]
    fn a_bad_weight_file_is_refused_at_construction() {
        assert!(matches!(
            SentimentScorer::from_model_bytes(b"VGSM\x02\0\0\0"),
            Err(learned::ModelError::BadMagic | learned::ModelError::Version(_))
        ));
        let mut bytes = learned::EMBEDDED.to_vec();
        bytes.pop();
        assert!(matches!(
            SentimentScorer::from_model_bytes(&bytes),
            Err(learned::ModelError::Size { .. })
        ));
        assert!(SentimentScorer::from_model_bytes(learned::EMBEDDED).is_ok());
    }

    #[test]
    fn lexicons_are_large_enough() {
        let count = |data: &str| parse_tsv(data).count();
        assert!(count(EN_TSV) >= 600, "en: {}", count(EN_TSV));
        assert!(count(FR_TSV) >= 600, "fr: {}", count(FR_TSV));
        assert!(count(EMOJI_TSV) >= 60);
    }

    #[test]
    fn english_basics() {
        assert!(en("I love this brand") > 0.5);
        assert!(en("I don't love this brand") < 0.0);
        assert!(en("I do not love this brand") < 0.0);
        assert!(en("This is not bad") > en("This is bad"));
        assert!(en("This is bad") < -0.3);
        assert!(en("VERY GOOD!!!") > en("very good"));
        assert!(en("very good") > en("good"));
        assert!(en("good") > en("slightly good"));
        assert!(en("The product is GREAT, thanks") > en("The product is great, thanks"));
        assert!(en("Worst customer service ever, I want a refund") < -0.5);
        assert!(en("This is a scam, the phone arrived broken") < -0.5);
        assert!(en("So disappointed with my order") < -0.3);
        assert!(en("I highly recommend them") > 0.3);
        assert!(en("lol this is lit") > 0.3);
        assert!(en("wtf this sucks") < -0.3);
        assert!(en("meh") < 0.0);
        assert!(en("omg I looove it") > 0.5);
        assert!(en("The food was good but the service was awful") < 0.0);
        assert!(en("The food was awful but the service was good") > 0.0);
        assert!(en("Nothing wrong with it") > 0.0);
        assert!(en("The store opens at 9am") == 0.0);
        assert!(en("It looks like rain") == 0.0);
        assert!(en("I don't like it at all") < en("I don't like it"));
    }

    #[test]
    fn english_symbols_and_entities() {
        assert!(en("new phone :)") > 0.3);
        assert!(en("new phone :(") < -0.3);
        assert!(en("new phone :D") > 0.3);
        assert!(en("new phone &lt;3") > 0.3);
        assert!(en("Tom &amp; Jerry &quot;rocks&quot;") > 0.0);
        assert!(en("xD") > 0.0);
        assert!(en("meeting at 10:30 today") == 0.0);
        assert!(en("(see below): nothing") == 0.0);
        assert!(en("launch day 🔥🔥") > 0.3);
        assert!(en("delivery late again 😡") < -0.3);
        assert!(en("👍🏽") > 0.0);
        assert!(en("❤️") > 0.0);
    }

    #[test]
    fn urls_and_handles_are_ignored() {
        assert_eq!(en("@LoveBrand http://great.example.com/awesome"), 0.0);
        assert!(en("@HateCorp thanks, great help") > 0.3);
    }

    #[test]
    fn french_basics() {
        assert!(fr("Je n'aime pas du tout ces affiches") < -0.3);
        assert!(fr("J'adore la nouvelle collection 😍") > 0.5);
        assert!(fr("Ces affiches sont scandaleuses et honteuses") < -0.5);
        assert!(fr("C'est pas mal") > 0.0);
        assert!(fr("La qualité est bonne mais le service est nul") < 0.0);
        assert!(fr("Franchement décevant") < 0.0);
        assert!(fr("Franchement décevant") < fr("décevant"));
        assert!(fr("Je suis decue") < 0.0);
        assert!(fr("Je suis déçue") < 0.0);
        assert!(fr("trop bien") > fr("bien"));
        assert!(fr("C'est pas terrible") < 0.0);
        assert!(fr("C'est la honte") < -0.3);
        assert!(fr("mdr") > 0.0);
        assert!(fr("ptdr trop drôle") > 0.3);
        assert!(fr("J'aime pas cette pub") < 0.0);
        assert!(fr("Je ne suis plus satisfait") < 0.0);
        assert!(fr("plus beau que jamais") > 0.0);
        assert!(fr("Je n'ai jamais été déçu") > 0.0);
        assert!(fr("Top, pas cher") > 0.0);
        assert!(fr("Arnaque totale, remboursez-moi") < -0.5);
        assert!(fr("un peu déçu") > fr("déçu"));
        assert!(fr("c'est super") > 0.3);
        assert!(fr("super nul") < fr("nul"));
        assert!(fr("Magnifique !!!") > fr("Magnifique"));
        assert!(fr("C'est bof") < 0.0);
        assert!(fr("Produit pourri, honteux") < -0.5);
        assert!(fr("Service client au top, merci !") > 0.5);
        assert!(fr("Je recommande vivement") > 0.3);
        assert!(fr("peu fiable") < 0.0);
        assert!(fr("Le magasin ouvre à 9h") == 0.0);
        // Two negation idioms the rules read right but too mildly (under the 0.4 from which they
        // keep the class) and the French model (fitted on 324 tweets) overrules: pinned on the
        // rules alone, and listed in docs/analysis.md.
        let rules_fr = |t: &str| rules().score(t, Lang::Fr);
        assert!(rules_fr("Ce n'est pas mal du tout") > 0.0);
        assert!(rules_fr("Aucun problème avec la livraison") > 0.0);
    }

    #[test]
    fn unknown_language_uses_both_lexicons() {
        let s = scorer();
        assert!(s.score("génial", Lang::Unknown) > 0.3);
        assert!(s.score("awesome", Lang::Unknown) > 0.3);
        assert!(s.score("nul", Lang::Unknown) < -0.3);
        // Lexicon scoping is a property of the rules (the French model may read an English word).
        assert!(rules().score("awesome", Lang::Fr) == 0.0);
    }

    #[test]
    fn every_function_word_is_found_with_its_language() {
        for w in EN_STOPWORDS.split_ascii_whitespace() {
            let expected = if FR_STOPWORDS.split_ascii_whitespace().any(|f| f == w) {
                Lang::Fr
            } else {
                Lang::En
            };
            assert_eq!(stopword_language(w.as_bytes()), Some(expected), "{w}");
        }
        for w in FR_STOPWORDS.split_ascii_whitespace() {
            assert_eq!(stopword_language(w.as_bytes()), Some(Lang::Fr), "{w}");
        }
        for w in [
            "affiches",
            "boycott",
            "x",
            "é",
            "",
            "tellementtellement",
            "Le",
        ] {
            assert_eq!(stopword_language(w.as_bytes()), None, "{w}");
        }
    }

    #[test]
    fn language_detection() {
        assert_eq!(
            detect_language("Je n'aime pas du tout ces affiches"),
            Lang::Fr
        );
        assert_eq!(
            detect_language("J'adore la nouvelle collection, elle est top"),
            Lang::Fr
        );
        assert_eq!(detect_language("Très déçue par la livraison"), Lang::Fr);
        assert_eq!(detect_language("I love this brand so much"), Lang::En);
        assert_eq!(
            detect_language("The delivery was late and the box was broken"),
            Lang::En
        );
        assert_eq!(detect_language("I don't like it"), Lang::En);
        assert_eq!(detect_language("😍😍"), Lang::Unknown);
        assert_eq!(detect_language(""), Lang::Unknown);
        assert_eq!(detect_language("Nike"), Lang::Unknown);
    }

    #[test]
    fn scores_stay_in_range() {
        let texts = [
            "",
            "   ",
            "!!!!!!!!!!!!",
            "?????",
            "LOVE LOVE LOVE LOVE LOVE LOVE LOVE LOVE!!!!!!",
            "hate hate hate hate hate hate hate hate hate hate hate",
            "😍😍😍😍😍😍😍😍😍😍😍😍😍😍😍😍😍😍😍😍",
            "🤬🤬🤬🤬🤬🤬🤬🤬🤬🤬🤬🤬🤬🤬🤬🤬",
            "not not not not not good",
            "&amp;&lt;&gt;&#39;&#x1F600;&#99999999;&bogus;&",
            "a\u{0301}b\u{0301} e\u{0301}norme",
            "'''---...,,,",
            "très très très très très très très bien",
            "x",
            ":",
            "http://",
            "@",
        ];
        for s in [scorer(), rules()] {
            for t in texts {
                for lang in [Lang::En, Lang::Fr, Lang::Unknown] {
                    let v = s.score(t, lang);
                    assert!((-1.0..=1.0).contains(&v) && v.is_finite(), "{t:?}: {v}");
                }
            }
        }
        let s = scorer();
        // Every 3-char combination of a small alphabet, as a cheap fuzz for slicing bugs.
        let alphabet = ['a', '\'', '-', ':', ')', '&', '😍', 'é', ' ', '!', 'N', '#'];
        for a in alphabet {
            for b in alphabet {
                for c in alphabet {
                    let t: String = [a, b, c, a, b].iter().collect();
                    let v = s.score(&t, Lang::Unknown);
                    assert!((-1.0..=1.0).contains(&v), "{t:?}: {v}");
                }
            }
        }
    }

    fn dataset_path() -> Option<std::path::PathBuf> {
        let candidates = [
            std::env::var("VIGIE_SENTIMENT_TSV").ok().map(Into::into),
            Some(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../../../shared/data/sentiment/vader-tweets-even.tsv"),
            ),
        ];
        candidates.into_iter().flatten().find(|p| p.is_file())
    }

    fn load_dataset() -> Option<Vec<(f32, String)>> {
        let data = std::fs::read_to_string(dataset_path()?).ok()?;
        let rows = data
            .lines()
            .filter_map(|line| {
                let mut parts = line.trim_end_matches('\r').splitn(3, '\t');
                let _id = parts.next()?;
                let rating: f32 = parts.next()?.trim().parse().ok()?;
                Some((rating, parts.next()?.to_string()))
            })
            .collect();
        Some(rows)
    }

    /// Pearson r and three-class accuracy of `s` on the rated tweets.
    fn vader_figures(s: &SentimentScorer, rows: &[(f32, String)]) -> (f64, f64) {
        let pairs: Vec<(f64, f64)> = rows
            .iter()
            .map(|(rating, text)| (f64::from(s.score(text, Lang::En)), f64::from(*rating)))
            .collect();
        let n = pairs.len() as f64;
        let (mx, my) = pairs
            .iter()
            .fold((0.0, 0.0), |(a, b), (x, y)| (a + x / n, b + y / n));
        let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
        for (x, y) in &pairs {
            sxy += (x - mx) * (y - my);
            sxx += (x - mx) * (x - mx);
            syy += (y - my) * (y - my);
        }
        let r = sxy / (sxx.sqrt() * syy.sqrt());
        let class = |v: f64| {
            if v < -0.05 {
                -1
            } else if v > 0.05 {
                1
            } else {
                0
            }
        };
        let correct = pairs
            .iter()
            .filter(|(x, y)| class(*x) == class(*y / 4.0))
            .count();
        (r, correct as f64 / n)
    }

    fn vader_rows() -> Vec<(f32, String)> {
        load_dataset().expect(
            "../shared/data/sentiment/vader-tweets-even.tsv beside the repository \
             (or VIGIE_SENTIMENT_TSV): the human-rated tweets this scorer is measured on",
        )
    }

    /// Quality of the rule engine against human ratings of English tweets (VADER's gold
    /// standard, even ids): `cargo test --lib vader_tweets -- --nocapture` prints the figures.
    #[test]
    fn vader_tweets_quality() {
        let rows = vader_rows();
        let (r, accuracy) = vader_figures(&SentimentScorer::rules_only(), &rows);
        let detected_en = rows
            .iter()
            .filter(|(_, t)| detect_language(t) == Lang::En)
            .count();
        println!(
            "rules: tweets {}  pearson r: {r:.4}  3-class accuracy: {accuracy:.4}  detected as En: {detected_en}",
            rows.len()
        );
        // Guards against regressions: measured 0.867 / 0.821 when written.
        // Measured 0.892 and 0.871; Python VADER reaches about 0.87.
        assert!(r > 0.885, "pearson r {r}");
        assert!(accuracy > 0.86, "3-class accuracy {accuracy}");
    }

    /// The same tweets through the full scorer (rules + learned layer). The learned layer is
    /// fitted on UMSAB tweets, where a third are neutral; VADER's raters call far fewer tweets
    /// neutral, and a neutral decision squashes the rule compound into ±0.05, so both figures
    /// sit below the rules' (measured r 0.878, accuracy 0.777 when the model was trained; the
    /// floors are set just under; see docs/analysis.md).
    #[test]
    fn vader_tweets_quality_learned() {
        let rows = vader_rows();
        let (r, accuracy) = vader_figures(scorer(), &rows);
        println!("rules + model: pearson r: {r:.4}  3-class accuracy: {accuracy:.4}");
        assert!(r > 0.875, "pearson r {r}");
        assert!(accuracy > 0.77, "3-class accuracy {accuracy}");
    }
}
