//! Trending terms and hashtags: per brand, the words said most over a window, ranked, with
//! their rank over the window before so the wall shows what rises and what falls.
//!
//! Memory is bounded for a wall that runs for months: per-minute counts live in a ring that
//! covers twice the widest trending window, each minute keeps at most `MAX_TERMS_PER_MINUTE`
//! distinct terms (the head of the distribution arrives early; only the tail of one-off words
//! is lost), terms are counted by a 58-bit hash, and their display form is kept in an LRU.
//! Every minute's table is allocated and written at start for its most terms, so the ring does
//! not grow while it fills during the first six hours: the wall's memory is flat from the start
//! instead of creeping up until the ring has come round once.
//! Window sums are kept up to date as mentions arrive and as minutes leave a window, so asking
//! for the ranking costs one pass over the window's distinct terms, not over its minutes.

use std::num::NonZeroUsize;

use lru::LruCache;
use rustc_hash::FxHashMap;

use super::aggregate::MinuteKey;
use super::resident::resident_map;
use crate::model::{TrendingList, TrendingTerm};
use crate::text::stopwords;
use crate::text::{Chunk, Reading, fold_into, folded_words};

/// The widest window a trending tile may show; the ring holds twice this.
pub const MAX_TRENDING_MINUTES: u32 = 3 * 60;
/// Distinct (brand, term) pairs one minute keeps: the most a table of 4,096 buckets holds
/// (hashbrown fills them to 7/8), so each of the ring's minutes is 68 KiB.
pub const MAX_TERMS_PER_MINUTE: usize = 3584;
/// Terms ranked and sent per list: more than a tile shows, so that a lobby wall that hides a
/// swear word still has enough to fill its rows.
pub const LISTED: usize = 15;
/// How deep the previous window's ranking is looked up for a rank change.
const PREVIOUS_DEPTH: usize = 100;
/// Display forms remembered.
const NAMES_KEPT: usize = 50_000;
/// Shorter words are too ambiguous to trend (hashtags keep their `#`).
const MIN_LETTERS: usize = 3;

/// A term's identity: the hash of its folded form, so "Qualité" and "qualite" are one term.
/// Only its low `TERM_BITS` bits are used, so that a (brand, term) pair fits in a `u64`.
pub type TermKey = u64;

/// Bits of a term key; the bits above hold the brand in a (brand, term) pair.
const TERM_BITS: u32 = 58;
const TERM_MASK: u64 = (1 << TERM_BITS) - 1;
const _: () = assert!(super::dedupe::MAX_BRANDS <= 1 << (64 - TERM_BITS));

/// A (brand, term) pair packed in one `u64`, the brand in the top bits: 16-byte table entries
/// where a `(u8, u64)` key made them 24, which is a third of the ring's memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct BrandTerm(u64);

impl BrandTerm {
    fn new(brand: usize, term: TermKey) -> Self {
        Self(((brand as u64) << TERM_BITS) | (term & TERM_MASK))
    }

    fn brand(self) -> usize {
        (self.0 >> TERM_BITS) as usize
    }

    fn term(self) -> TermKey {
        self.0 & TERM_MASK
    }
}

/// The distinct terms of a mention, in order of first appearance: their keys, and how each was
/// written. A buffer the analysis fills again for every mention, so a term's name becomes a
/// `String` only when the trending LRU has never seen it.
#[derive(Debug, Clone, Default)]
pub struct Terms {
    keys: Vec<TermKey>,
    /// The names, one after the other; `ends[i]` is where the name of `keys[i]` ends.
    names: String,
    ends: Vec<usize>,
    /// A hashtag being folded: a buffer kept with the terms so that reading a post allocates
    /// nothing once it has grown.
    folded: String,
}

/// Two lists of terms are equal when they hold the same terms, whatever their buffers hold.
impl PartialEq for Terms {
    fn eq(&self, other: &Terms) -> bool {
        self.keys == other.keys && self.names == other.names && self.ends == other.ends
    }
}

impl Eq for Terms {}

impl Terms {
    pub fn clear(&mut self) {
        self.keys.clear();
        self.names.clear();
        self.ends.clear();
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Each term's key and name.
    pub fn iter(&self) -> impl Iterator<Item = (TermKey, &str)> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        self.keys
            .iter()
            .zip(starts.zip(self.ends.iter().copied()))
            .map(|(&key, (start, end))| (key, &self.names[start..end]))
    }

    pub fn keys(&self) -> &[TermKey] {
        &self.keys
    }

    /// Adds a term unless the mention has it already.
    fn push(&mut self, folded: &str, name: impl FnOnce(&mut String)) {
        let key = key_of(folded);
        if self.keys.contains(&key) {
            return;
        }
        self.keys.push(key);
        name(&mut self.names);
        self.ends.push(self.names.len());
    }
}

/// Three letters or more, and not a number: a word that may trend.
fn long_enough_and_not_a_number(word: &str) -> bool {
    // Bytes first: a word of fewer than three bytes has fewer than three letters.
    word.len() >= MIN_LETTERS
        && word.chars().count() >= MIN_LETTERS
        && !word.chars().all(|c| c.is_numeric())
}

/// `word` in lower case, at the end of `out`.
fn push_lowercase(word: &str, out: &mut String) {
    if word.is_ascii() {
        let at = out.len();
        out.push_str(word);
        out[at..].make_ascii_lowercase();
    } else if word.contains('Σ') {
        // A final sigma lowers by its place in the word: `str::to_lowercase` knows.
        out.push_str(&word.to_lowercase());
    } else {
        // Character by character into the kept buffer: no string a word.
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
}

fn key_of(folded: &str) -> TermKey {
    // foldhash with a fixed seed: the same term has the same key in every run and process, at a
    // few nanoseconds a word where SipHash took most of the cost of extracting terms.
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0x7669_6769_6574_6572).hash_one(folded)
        >> (64 - TERM_BITS)
}

/// Splits posts into the terms worth ranking: words of three letters or more that are not
/// function words, numbers or the brands' own names, and hashtags. Links and @handles are
/// left out (a handle is a person, and a lobby wall must not show it).
pub struct TermExtractor {
    /// The brands' words: no hashtag of them trends.
    ignored: rustc_hash::FxHashSet<String>,
    /// The brands' words and the stopwords, in one set: one lookup a word.
    skipped: rustc_hash::FxHashSet<String>,
}

impl TermExtractor {
    /// `brand_phrases`: every keyword of every brand; their words never trend.
    pub fn new<'a>(brand_phrases: impl IntoIterator<Item = &'a String>) -> Self {
        let ignored: rustc_hash::FxHashSet<String> = brand_phrases
            .into_iter()
            .flat_map(|p| folded_words(p))
            .collect();
        let mut skipped = ignored.clone();
        skipped.extend(stopwords::all().map(str::to_string));
        Self { ignored, skipped }
    }

    /// The distinct terms of `text`, in order of first appearance.
    pub fn terms(&self, text: &str) -> Terms {
        let mut out = Terms::default();
        self.terms_of(&Reading::of(text), text, &mut out);
        out
    }

    /// The terms of a post already read (`reading` is of `text`), written into `out` (a buffer
    /// used again, on the hot path): its words as the reading split and folded them, the
    /// post as written giving only the names a term is shown by.
    pub fn terms_of(&self, reading: &Reading, text: &str, out: &mut Terms) {
        out.clear();
        let mut folded = std::mem::take(&mut out.folded);
        let mut last_hashtag = None;
        for i in 0..reading.len() {
            match reading.chunk(i) {
                Chunk::Link | Chunk::Handle => {}
                Chunk::Hashtag => {
                    // A hashtag is one term, whatever its words: read once, at its first.
                    let chunk = reading.chunk_number(i);
                    if last_hashtag == Some(chunk) {
                        continue;
                    }
                    last_hashtag = Some(chunk);
                    let after_sign = reading.chunk_source_start(i) + 1;
                    self.push_hashtag(text.get(after_sign..).unwrap_or(""), out, &mut folded);
                }
                Chunk::Plain => {
                    let word = &text[reading.source_span(i)];
                    if !long_enough_and_not_a_number(word) {
                        continue;
                    }
                    let key_form = reading.word(i);
                    if self.skipped.contains(key_form) {
                        continue;
                    }
                    out.push(key_form, |names| push_lowercase(word, names));
                }
            }
        }
        out.folded = folded;
    }

    /// The hashtag at the start of `tag` (what follows a `#`): letters, digits and `_`.
    fn push_hashtag(&self, tag: &str, out: &mut Terms, folded: &mut String) {
        let end = tag
            .char_indices()
            .find(|&(_, c)| !(c.is_alphanumeric() || c == '_'))
            .map_or(tag.len(), |(at, _)| at);
        let tag = &tag[..end];
        folded.clear();
        folded.push('#');
        fold_into(tag, folded);
        if folded[1..].chars().count() >= 2 && !self.ignored.contains(&folded[1..]) {
            out.push(folded, |names| {
                names.push('#');
                names.push_str(tag);
            });
        }
    }
}

type Counts = FxHashMap<BrandTerm, u32>;

/// A minute's table, allocated for `MAX_TERMS_PER_MINUTE` pairs and written once, so that its
/// pages are resident from the start and `count`, which never goes past that, never grows it.
fn minute_counts() -> Counts {
    resident_map(MAX_TERMS_PER_MINUTE, BrandTerm)
}

struct Minute {
    key: MinuteKey,
    counts: Counts,
}

/// The running sums of one window and of the window before it.
struct WindowSums {
    minutes: u32,
    current: Counts,
    previous: Counts,
}

/// Which sum a minute is in, relative to the minute of "now".
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Current,
    Previous,
    Out,
}

impl WindowSums {
    fn part(&self, key: MinuteKey, now: MinuteKey) -> Part {
        let width = i64::from(self.minutes);
        if key > now - width {
            Part::Current
        } else if key > now - 2 * width {
            Part::Previous
        } else {
            Part::Out
        }
    }

    fn sum_mut(&mut self, part: Part) -> Option<&mut Counts> {
        match part {
            Part::Current => Some(&mut self.current),
            Part::Previous => Some(&mut self.previous),
            Part::Out => None,
        }
    }
}

fn add_to(counts: &mut Counts, key: BrandTerm, n: u32) {
    *counts.entry(key).or_insert(0) += n;
}

fn take_from(counts: &mut Counts, key: BrandTerm, n: u32) {
    if let Some(count) = counts.get_mut(&key) {
        *count = count.saturating_sub(n);
        if *count == 0 {
            counts.remove(&key);
        }
    }
}

pub struct Trending {
    ring: Vec<Minute>,
    windows: Vec<WindowSums>,
    names: LruCache<TermKey, String>,
    /// The minute of "now" the sums are kept for.
    now: MinuteKey,
    /// Terms a full minute could not keep, for the log and the tests.
    overflow: u64,
}

impl Default for Trending {
    fn default() -> Self {
        Self::new()
    }
}

impl Trending {
    pub fn new() -> Self {
        let minutes = 2 * MAX_TRENDING_MINUTES as usize + 6;
        Self {
            ring: (0..minutes)
                .map(|_| Minute {
                    key: MinuteKey::MIN,
                    counts: minute_counts(),
                })
                .collect(),
            windows: Vec::new(),
            names: LruCache::new(NonZeroUsize::new(NAMES_KEPT).unwrap_or(NonZeroUsize::MIN)),
            now: MinuteKey::MIN,
            overflow: 0,
        }
    }

    pub fn overflow(&self) -> u64 {
        self.overflow
    }

    fn slot(&self, key: MinuteKey) -> usize {
        Self::slot_in(self.ring.len(), key)
    }

    /// The windows tiles show; sums of a new window are built from the ring at once.
    pub fn set_windows(&mut self, wanted: &[u32]) {
        self.windows.retain(|w| wanted.contains(&w.minutes));
        for &minutes in wanted {
            if minutes == 0
                || minutes > MAX_TRENDING_MINUTES
                || self.windows.iter().any(|w| w.minutes == minutes)
            {
                continue;
            }
            let mut sums = WindowSums {
                minutes,
                current: Counts::default(),
                previous: Counts::default(),
            };
            if self.now != MinuteKey::MIN {
                for minute in &self.ring {
                    if minute.key == MinuteKey::MIN {
                        continue;
                    }
                    let part = sums.part(minute.key, self.now);
                    if let Some(sum) = sums.sum_mut(part) {
                        for (&key, &n) in &minute.counts {
                            add_to(sum, key, n);
                        }
                    }
                }
            }
            self.windows.push(sums);
        }
    }

    /// Moves the window sums to the minute of `now` (event time); minutes never go back.
    pub fn advance(&mut self, now: MinuteKey) {
        if self.now == MinuteKey::MIN || now <= self.now {
            self.now = self.now.max(now);
            return;
        }
        if now - self.now > self.ring.len() as i64 {
            // A long jump (a replay skipping ahead): everything has left every window.
            for window in &mut self.windows {
                window.current.clear();
                window.previous.clear();
            }
            self.now = now;
            return;
        }
        for step in self.now + 1..=now {
            for window in &mut self.windows {
                let width = i64::from(window.minutes);
                let leaving_current = &self.ring[Self::slot_in(self.ring.len(), step - width)];
                if leaving_current.key == step - width {
                    for (&key, &n) in &leaving_current.counts {
                        take_from(&mut window.current, key, n);
                        add_to(&mut window.previous, key, n);
                    }
                }
                let leaving_previous = &self.ring[Self::slot_in(self.ring.len(), step - 2 * width)];
                if leaving_previous.key == step - 2 * width {
                    for (&key, &n) in &leaving_previous.counts {
                        take_from(&mut window.previous, key, n);
                    }
                }
            }
        }
        self.now = now;
    }

    fn slot_in(len: usize, key: MinuteKey) -> usize {
        key.rem_euclid(len as i64) as usize
    }

    /// Whether a mention of `minute` can count: only minutes the ring holds without clashing,
    /// the two widest windows back and the few minutes of clock skew ahead that the analysis
    /// accepts. The caller can skip extracting the terms of a mention that cannot.
    pub fn holds(&self, minute: MinuteKey) -> bool {
        if self.now == MinuteKey::MIN {
            return true;
        }
        let oldest = self.now - 2 * i64::from(MAX_TRENDING_MINUTES);
        minute > oldest && minute <= oldest + self.ring.len() as i64
    }

    /// Counts a mention's terms for its brands, in its minute. Returns the keys counted, for
    /// taking them back if the post is deleted or edited.
    pub fn count(
        &mut self,
        minute: MinuteKey,
        brands: &[usize],
        terms: &Terms,
        kept: &mut Vec<TermKey>,
    ) {
        kept.clear();
        if self.now == MinuteKey::MIN {
            self.now = minute;
        }
        if !self.holds(minute) {
            return;
        }
        let slot = self.slot(minute);
        if self.ring[slot].key != minute {
            self.ring[slot].key = minute;
            self.ring[slot].counts.clear();
        }
        for (term, name) in terms.iter() {
            let mut counted = false;
            for &brand in brands {
                let key = BrandTerm::new(brand, term);
                let counts = &mut self.ring[slot].counts;
                if counts.len() >= MAX_TERMS_PER_MINUTE && !counts.contains_key(&key) {
                    self.overflow += 1;
                    continue;
                }
                add_to(counts, key, 1);
                counted = true;
                let now = self.now;
                for window in &mut self.windows {
                    let part = window.part(minute, now);
                    if let Some(sum) = window.sum_mut(part) {
                        add_to(sum, key, 1);
                    }
                }
            }
            if counted {
                // `get` refreshes a known name: a term still being said keeps its name.
                if self.names.get(&term).is_none() {
                    self.names.put(term, name.to_string());
                }
                kept.push(term);
            }
        }
    }

    /// Takes back what `count` returned.
    pub fn uncount(&mut self, minute: MinuteKey, brands: &[usize], keys: &[TermKey]) {
        let slot = self.slot(minute);
        if self.ring[slot].key != minute {
            return;
        }
        let now = self.now;
        for &term in keys {
            for &brand in brands {
                let key = BrandTerm::new(brand, term);
                let Some(&held) = self.ring[slot].counts.get(&key) else {
                    continue;
                };
                if held == 0 {
                    continue;
                }
                take_from(&mut self.ring[slot].counts, key, 1);
                for window in &mut self.windows {
                    let part = window.part(minute, now);
                    if let Some(sum) = window.sum_mut(part) {
                        take_from(sum, key, 1);
                    }
                }
            }
        }
    }

    /// The brand's top terms over a window the tiles asked for.
    pub fn ranking(&self, minutes: u32, brand: usize) -> Option<TrendingList> {
        let window = self.windows.iter().find(|w| w.minutes == minutes)?;
        let names = &self.names;
        let top = |counts: &Counts, depth: usize| {
            let mut ranked: Vec<(u32, TermKey)> = counts
                .iter()
                .filter(|(pair, _)| pair.brand() == brand)
                .map(|(pair, &n)| (n, pair.term()))
                .collect();
            // Most said first; ties by text, so the order is the same in every run.
            let name = |term: &TermKey| names.peek(term).map(String::as_str).unwrap_or("");
            ranked.sort_unstable_by(|a, b| b.0.cmp(&a.0).then_with(|| name(&a.1).cmp(name(&b.1))));
            ranked.truncate(depth);
            ranked
        };
        let current = top(&window.current, LISTED);
        let previous = top(&window.previous, PREVIOUS_DEPTH);
        let terms = current
            .into_iter()
            .filter_map(|(count, term)| {
                let text = self.names.peek(&term)?.clone();
                let previous_rank = previous
                    .iter()
                    .position(|&(_, t)| t == term)
                    .map(|p| p as u32 + 1);
                Some(TrendingTerm {
                    text,
                    count,
                    previous_rank,
                })
            })
            .collect();
        Some(TrendingList {
            minutes,
            brand,
            terms,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extractor() -> TermExtractor {
        let brands = ["petit loup".to_string(), "#petitloup".to_string()];
        TermExtractor::new(brands.iter())
    }

    fn texts(terms: &Terms) -> Vec<&str> {
        terms.iter().map(|(_, name)| name).collect()
    }

    #[test]
    fn terms_are_content_words_and_hashtags_without_brands_links_or_handles() {
        let e = extractor();
        let terms = e.terms(
            "Les affiches @petitloup sont CHOQUANTES, choquantes ! #Boycott #PetitLoup \
             https://t.co/xyz 2026 ok",
        );
        assert_eq!(texts(&terms), vec!["affiches", "choquantes", "#Boycott"]);
        // Accents are kept for display and ignored for identity.
        let a = e.terms("qualité");
        let b = e.terms("QUALITE");
        assert_eq!(a.keys()[0], b.keys()[0]);
        assert_eq!(texts(&a), vec!["qualité"]);
        assert_eq!(texts(&e.terms("Petit Loup, j'adore")), vec!["adore"]);
        // A buffer filled again holds only the new text's terms.
        let mut buffer = e.terms("affiches choquantes");
        let text = "Élégance, #Noël2026 42 élégance";
        e.terms_of(&Reading::of(text), text, &mut buffer);
        assert_eq!(texts(&buffer), vec!["élégance", "#Noël2026"]);
        assert_eq!(buffer.len(), 2);
    }

    /// The terms as they were first defined: each whitespace chunk of the text lower-cased and
    /// split into words again (a hashtag and a word's checks are `terms_of`'s own).
    fn terms_by_chunks(e: &TermExtractor, text: &str, out: &mut Terms) {
        use crate::text::words_in;
        out.clear();
        let (mut lower, mut folded) = (String::new(), String::new());
        for chunk in text.split_whitespace() {
            lower.clear();
            push_lowercase(chunk, &mut lower);
            if lower.starts_with("http") || lower.starts_with("www.") || lower.starts_with('@') {
                continue;
            }
            if let Some(tag) = chunk.strip_prefix('#') {
                e.push_hashtag(tag, out, &mut folded);
                continue;
            }
            for word in words_in(&lower) {
                if !long_enough_and_not_a_number(word) {
                    continue;
                }
                folded.clear();
                fold_into(word, &mut folded);
                if e.skipped.contains(&folded) {
                    continue;
                }
                out.push(&folded, |names| names.push_str(word));
            }
        }
    }

    /// Terms read from the post's one reading are the terms of each chunk lower-cased and split
    /// again, as they were first defined: same keys, same names, same order.
    #[test]
    fn terms_from_the_reading_are_the_terms_read_chunk_by_chunk() {
        let e = extractor();
        let mut texts: Vec<String> = [
            "",
            "   ",
            "Les affiches @petitloup sont CHOQUANTES ! #Boycott #PetitLoup https://t.co/xyz 2026",
            "Élodie a ÉTÉ déçue par Bébé Cargo !!",
            "l’œuvre #PetitLoup @bebe_cargo https://x.y/z?a=b 42fois",
            "Cœur ÆTHER l’été, Ǆemal ß ΣΑΣ ΟΔΟΣ σας Ωμέγα",
            "#Noël2026 #a #__x_y #_tag! #élan-vital www.site.fr WWW.X.Y HTTPS://A.B/C @Nom:",
            "emoji 😡🔥 qualité😡top (parenthèses) «guillemets» — tirets—collés",
            "fin\tsans\nséparateur\u{a0}insécable\u{85}NEL mots123 123 ١٢٣٤ ½½½",
            "ﬁnale ﬂeur ＦＵＬＬ ｗｉｄｔｈ",
        ]
        .iter()
        .map(|t| t.to_string())
        .collect();
        // And posts as sources send them: the demo's words, mixed and cased every way.
        let words = [
            "Petit",
            "Loup",
            "affiches",
            "CHOQUANTES",
            "livraison",
            "rapide",
            "déçue",
            "été",
            "Bébé",
            "#PetitLoup",
            "@lea",
            "https://t.co/a",
            "2026",
            "qualité!",
            "l'œuvre",
            "SAV,",
            "(colis)",
            "très",
            "NUL",
            "génial.",
            "#Boycott!",
            "ça",
            "où",
        ];
        let mut seed = 7u64;
        for _ in 0..2_000 {
            let mut text = String::new();
            for _ in 0..12 {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                text.push_str(words[(seed >> 33) as usize % words.len()]);
                text.push_str([" ", "  ", "\n", ", ", " "][(seed >> 20) as usize % 5]);
            }
            texts.push(text);
        }
        let mut reading = Reading::default();
        let (mut new, mut old) = (Terms::default(), Terms::default());
        for text in &texts {
            reading.read(text);
            e.terms_of(&reading, text, &mut new);
            terms_by_chunks(&e, text, &mut old);
            assert_eq!(new, old, "{text:?}");
        }
        // Where they differ, the reading is right: a letter whose lower case has a combining
        // mark (İ lowers to i and a dot above) split the word in two when read chunk by chunk.
        let text = "İstanbul";
        e.terms_of(&Reading::of(text), text, &mut new);
        assert_eq!(
            new.iter().map(|(_, name)| name).collect::<Vec<_>>(),
            vec!["i\u{307}stanbul"]
        );
    }

    /// A post of `minute`, received in that minute (the analysis advances to "now" first).
    fn post(trending: &mut Trending, minute: MinuteKey, text: &str) -> Vec<TermKey> {
        trending.advance(minute);
        let terms = extractor().terms(text);
        let mut kept = Vec::new();
        trending.count(minute, &[0], &terms, &mut kept);
        kept
    }

    fn ranked(list: &TrendingList) -> Vec<(&str, u32, Option<u32>)> {
        list.terms
            .iter()
            .map(|t| (t.text.as_str(), t.count, t.previous_rank))
            .collect()
    }

    #[test]
    fn ranks_rise_and_fall_against_the_window_before() {
        let mut trending = Trending::new();
        trending.set_windows(&[10]);
        // The window before (minutes 1-10): livraison leads, affiches second.
        for minute in 1..=10 {
            post(&mut trending, minute, "livraison");
            if minute % 2 == 0 {
                post(&mut trending, minute, "affiches");
            }
            if minute % 3 == 0 {
                post(&mut trending, minute, "rapide");
            }
        }
        // This window (minutes 11-20): affiches everywhere, livraison fades, boycott is new.
        for minute in 11..=20 {
            post(&mut trending, minute, "affiches choquantes");
            post(&mut trending, minute, "affiches #boycott");
            if minute == 20 {
                post(&mut trending, minute, "livraison");
            }
        }
        trending.advance(20);
        let list = trending.ranking(10, 0).expect("window wanted");
        assert_eq!(
            ranked(&list)[..4],
            [
                ("affiches", 20, Some(2)),
                ("#boycott", 10, None),
                ("choquantes", 10, None),
                ("livraison", 1, Some(1)),
            ]
        );
        assert!(
            trending.ranking(60, 0).is_none(),
            "a window nobody asked for"
        );
        assert!(trending.ranking(10, 1).expect("brand 1").terms.is_empty());
    }

    #[test]
    fn minutes_leave_the_windows_as_time_passes_and_a_new_window_is_built_from_history() {
        let mut trending = Trending::new();
        trending.set_windows(&[5]);
        post(&mut trending, 100, "affiches");
        trending.advance(104);
        assert_eq!(trending.ranking(5, 0).expect("wanted").terms[0].count, 1);
        trending.advance(105);
        let list = trending.ranking(5, 0).expect("wanted");
        assert!(list.terms.is_empty(), "minute 100 left the window at 105");
        trending.set_windows(&[5, 10]);
        let wide = trending.ranking(10, 0).expect("built from the ring");
        assert_eq!(ranked(&wide), vec![("affiches", 1, None)]);
        trending.advance(110);
        // In the window before, then gone from both.
        assert!(trending.ranking(10, 0).expect("wanted").terms.is_empty());
        trending.advance(10_000);
        assert!(trending.ranking(10, 0).expect("wanted").terms.is_empty());
    }

    #[test]
    fn only_minutes_within_two_widest_windows_and_the_clock_skew_count() {
        let mut trending = Trending::new();
        trending.set_windows(&[MAX_TRENDING_MINUTES]);
        trending.advance(10_000);
        let widest = 2 * i64::from(MAX_TRENDING_MINUTES);
        assert!(trending.holds(10_000) && trending.holds(10_000 - widest + 1));
        assert!(!trending.holds(10_000 - widest), "older than both windows");
        assert!(
            trending.holds(10_006) && !trending.holds(10_007),
            "five minutes of skew"
        );
        assert!(post(&mut trending, 10_000 - widest, "affiches").is_empty());
        assert_eq!(post(&mut trending, 10_000, "affiches").len(), 1);
    }

    #[test]
    fn a_deleted_post_takes_its_terms_back() {
        let mut trending = Trending::new();
        trending.set_windows(&[60]);
        post(&mut trending, 50, "affiches choquantes");
        let keys = post(&mut trending, 50, "affiches");
        trending.uncount(50, &[0], &keys);
        let list = trending.ranking(60, 0).expect("wanted");
        assert_eq!(
            ranked(&list),
            vec![("affiches", 1, None), ("choquantes", 1, None)]
        );
    }

    #[test]
    fn a_minute_keeps_a_bounded_number_of_terms() {
        let mut trending = Trending::new();
        trending.set_windows(&[60]);
        // Every minute's table is sized for its most terms from the start, and stays so.
        let slot = trending.slot(7);
        assert_eq!(trending.ring[slot].counts.capacity(), MAX_TERMS_PER_MINUTE);
        assert!(trending.ring.iter().all(|m| m.counts.is_empty()));
        for i in 0..MAX_TERMS_PER_MINUTE + 100 {
            post(&mut trending, 7, &format!("mot{i}"));
        }
        assert_eq!(trending.overflow(), 100);
        assert_eq!(trending.ring[slot].counts.len(), MAX_TERMS_PER_MINUTE);
        assert_eq!(trending.ring[slot].counts.capacity(), MAX_TERMS_PER_MINUTE);
        // A term already held still counts in a full minute.
        post(&mut trending, 7, "mot1");
        assert_eq!(trending.overflow(), 100);
        let list = trending.ranking(60, 0).expect("wanted");
        assert_eq!(list.terms[0].text, "mot1");
        assert_eq!(list.terms[0].count, 2);
    }

    #[test]
    fn a_brand_and_a_term_come_back_out_of_their_pair() {
        let term = extractor().terms("affiches").keys()[0];
        assert!(term < 1 << TERM_BITS);
        for brand in [0, 1, 17, crate::analysis::dedupe::MAX_BRANDS - 1] {
            let pair = BrandTerm::new(brand, term);
            assert_eq!((pair.brand(), pair.term()), (brand, term));
        }
        assert_ne!(BrandTerm::new(0, term), BrandTerm::new(1, term));
    }
}
