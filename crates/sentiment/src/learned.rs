//! The learned layer: a multinomial logistic model (negative / neutral / positive) over the
//! features of [`crate::features`], and the mapping of its decision back onto the compound
//! scale. The division of labour: the model says which class, the rules say how strong. When
//! the model's class is the rule compound's own (read at ±0.05), the rule compound is returned
//! unchanged; when the model says neutral, the rule compound is squashed monotonically into the
//! neutral band; when it says positive or negative against the rules, the compound takes the
//! model's sign and a small magnitude that grows with the model's margin.
//!
//! # Weight file (`assets/sentiment/model.bin`, little-endian)
//!
//! ```text
//! magic        4 bytes   "VGSM"
//! version      u32       FORMAT_VERSION
//! hash_bits    u32       must equal features::HASH_BITS
//! dense        u32       must equal features::DENSE
//! families     u32       hashed feature families the model reads (features::ALL_FAMILIES bits)
//! models       u32       1 (one model for every language) or 2 (French, then English)
//! polar_span   f32       growth with the model's margin of a polar decision against the rules
//! rule_trust   f32       |rule compound| from which the rules' polarity decides the class
//! then, per model:
//!   scale      f32       value of one step of a quantised hashed weight
//!   bias       3 × f32   per-class intercept
//!   offset     3 × f32   per-class decision offset (calibration), added before the argmax
//!   dense_w    DENSE × 3 × f32, feature-major
//!   hashed_w   2^hash_bits × 3 × i8, bucket-major (weight = i8 × scale)
//! ```
//!
//! Anything else (wrong magic, version, widths, size, a non-finite number) is a
//! [`ModelError`] at load time, never a wrong score later.

use std::fmt;

use crate::Lang;
use crate::eval::{NEUTRAL, class_of};
use crate::features::{ALL_FAMILIES, DENSE, Features, HASH_BITS};

pub const MAGIC: &[u8; 4] = b"VGSM";
pub const FORMAT_VERSION: u32 = 2;
const HEADER: usize = 4 + 5 * 4 + 2 * 4;
const BUCKETS: usize = 1 << HASH_BITS;

/// The weight file shipped with the crate.
pub(crate) const EMBEDDED: &[u8] = include_bytes!("../../../assets/sentiment/model.bin");

/// Smallest magnitude of a polar decision against the rules, safely past the ±0.05 band.
const MIN_POLAR: f32 = 0.06;
/// A neutral decision keeps the rule compound up to this magnitude...
const NEUTRAL_KNEE: f32 = 0.04;
/// ...and squashes larger ones towards this bound, strictly inside the ±0.05 band...
const MAX_NEUTRAL: f32 = 0.049;
/// ...with this softness (a rule compound of KNEE + SOFT lands three quarters of the way).
const NEUTRAL_SOFT: f32 = 0.2;

/// Why a weight file was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelError {
    BadMagic,
    Version(u32),
    HashBits(u32),
    Dense(u32),
    Families(u32),
    Models(u32),
    Size { expected: usize, found: usize },
    NotFinite,
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelError::BadMagic => write!(f, "not a Vigie sentiment model (bad magic)"),
            ModelError::Version(v) => {
                write!(
                    f,
                    "model format version {v}, this build reads {FORMAT_VERSION}"
                )
            }
            ModelError::HashBits(b) => {
                write!(
                    f,
                    "model hashes into 2^{b} buckets, this build into 2^{HASH_BITS}"
                )
            }
            ModelError::Dense(d) => {
                write!(
                    f,
                    "model has {d} dense features, this build computes {DENSE}"
                )
            }
            ModelError::Families(m) => {
                write!(
                    f,
                    "model reads feature families {m:#x}, this build knows {ALL_FAMILIES:#x}"
                )
            }
            ModelError::Models(m) => write!(f, "{m} models in the file; 1 or 2 expected"),
            ModelError::Size { expected, found } => {
                write!(
                    f,
                    "model file is {found} bytes, its header implies {expected}"
                )
            }
            ModelError::NotFinite => write!(f, "model holds a NaN or infinite weight"),
        }
    }
}

impl std::error::Error for ModelError {}

/// One language's (or every language's) weights.
#[derive(Debug, Clone, PartialEq)]
pub struct Weights {
    pub scale: f32,
    pub bias: [f32; 3],
    pub offset: [f32; 3],
    pub dense: Vec<[f32; 3]>,
    pub hashed: Vec<[i8; 3]>,
}

impl Weights {
    /// Raw class scores (logits) for one text; the decision adds `offset`.
    #[inline]
    pub fn logits(&self, f: &Features) -> [f32; 3] {
        let mut acc = [0i32; 3];
        for &b in &f.hashed {
            // `b` comes from `features::bucket`, always below 2^HASH_BITS == hashed.len().
            if let Some(w) = self.hashed.get(b as usize) {
                for c in 0..3 {
                    acc[c] += i32::from(w[c]);
                }
            }
        }
        // Hashed features are weighted 1/sqrt(count), so a long text's words do not outvote the
        // rule summary just by being many (the same normalisation as in training).
        let norm = self.scale / (f.hashed.len().max(1) as f32).sqrt();
        let mut z = [0.0f32; 3];
        for c in 0..3 {
            z[c] = self.bias[c] + acc[c] as f32 * norm;
        }
        for (x, w) in f.dense.iter().zip(&self.dense) {
            for c in 0..3 {
                z[c] += x * w[c];
            }
        }
        z
    }
}

/// The learned layer as loaded from a weight file.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Hashed feature families the weights were fitted on (`features::WORDS`...): the scorer
    /// computes exactly these.
    pub families: u8,
    /// When the model says positive or negative and the rules do not, the compound's magnitude
    /// is `0.06 + polar_span × margin` (margin: the decided class's probability minus the other
    /// polar class's, 0..1).
    pub polar_span: f32,
    /// From this rule-compound magnitude on, the rules' polarity decides the class: the
    /// lexicon is reliable on strongly worded texts, and the model was fitted on one tweet
    /// corpus whose topic words should not overrule it.
    pub rule_trust: f32,
    /// One entry (all languages) or two (French, English).
    pub models: Vec<Weights>,
}

impl Model {
    /// Parses and checks a weight file (format in the module documentation).
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, ModelError> {
        if bytes.len() < HEADER || &bytes[..4] != MAGIC {
            return Err(ModelError::BadMagic);
        }
        let mut r = Reader { bytes, pos: 4 };
        let version = r.u32();
        if version != FORMAT_VERSION {
            return Err(ModelError::Version(version));
        }
        let hash_bits = r.u32();
        if hash_bits != HASH_BITS {
            return Err(ModelError::HashBits(hash_bits));
        }
        let dense = r.u32();
        if dense as usize != DENSE {
            return Err(ModelError::Dense(dense));
        }
        let families = r.u32();
        if families > u32::from(ALL_FAMILIES) {
            return Err(ModelError::Families(families));
        }
        let n_models = r.u32();
        if !(1..=2).contains(&n_models) {
            return Err(ModelError::Models(n_models));
        }
        let expected = HEADER + n_models as usize * Self::model_bytes();
        if bytes.len() != expected {
            return Err(ModelError::Size {
                expected,
                found: bytes.len(),
            });
        }
        let polar_span = r.f32();
        let rule_trust = r.f32();
        let mut models = Vec::new();
        for _ in 0..n_models {
            let scale = r.f32();
            let bias = [r.f32(), r.f32(), r.f32()];
            let offset = [r.f32(), r.f32(), r.f32()];
            let dense = (0..DENSE).map(|_| [r.f32(), r.f32(), r.f32()]).collect();
            let hashed = (0..BUCKETS).map(|_| [r.i8(), r.i8(), r.i8()]).collect();
            models.push(Weights {
                scale,
                bias,
                offset,
                dense,
                hashed,
            });
        }
        let model = Model {
            families: families as u8,
            polar_span,
            rule_trust,
            models,
        };
        if !model.is_finite() {
            return Err(ModelError::NotFinite);
        }
        Ok(model)
    }

    fn model_bytes() -> usize {
        4 + 6 * 4 + DENSE * 3 * 4 + BUCKETS * 3
    }

    fn is_finite(&self) -> bool {
        self.polar_span.is_finite()
            && !self.rule_trust.is_nan()
            && self.models.iter().all(|m| {
                m.scale.is_finite()
                    && m.bias.iter().chain(&m.offset).all(|x| x.is_finite())
                    && m.dense.iter().flatten().all(|x| x.is_finite())
            })
    }

    /// Serialises to the weight-file format (the training example writes the shipped file).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER + self.models.len() * Self::model_bytes());
        out.extend_from_slice(MAGIC);
        for v in [
            FORMAT_VERSION,
            HASH_BITS,
            DENSE as u32,
            u32::from(self.families),
            self.models.len() as u32,
        ] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&self.polar_span.to_le_bytes());
        out.extend_from_slice(&self.rule_trust.to_le_bytes());
        for m in &self.models {
            let floats = std::iter::once(m.scale)
                .chain(m.bias)
                .chain(m.offset)
                .chain(m.dense.iter().flatten().copied());
            for x in floats {
                out.extend_from_slice(&x.to_le_bytes());
            }
            out.extend(m.hashed.iter().flatten().map(|&w| w as u8));
        }
        out
    }

    /// The weights used for `lang`: the single model, or French / English. An unknown language
    /// uses the English model (the rule engine's merged lexicon also leans English).
    pub fn weights(&self, lang: Lang) -> &Weights {
        match (self.models.as_slice(), lang) {
            ([fr, _], Lang::Fr) => fr,
            ([.., last], _) => last,
            // `from_bytes` guarantees at least one model.
            ([], _) => unreachable!("a loaded model has at least one weight set"),
        }
    }

    /// The class the layer decides for a text (0 negative, 1 neutral, 2 positive) and the
    /// decision scores (logits plus calibration offsets) it was read from.
    #[inline]
    pub fn decide(&self, f: &Features, lang: Lang) -> (usize, [f32; 3]) {
        let w = self.weights(lang);
        let z = w.logits(f);
        let d = [z[0] + w.offset[0], z[1] + w.offset[1], z[2] + w.offset[2]];
        let rule = f.rule_compound;
        let class = if rule.abs() >= self.rule_trust {
            if rule > 0.0 { 2 } else { 0 }
        } else if d[0] > d[1] && d[0] >= d[2] {
            0
        } else if d[2] > d[1] {
            2
        } else {
            1
        };
        (class, d)
    }

    /// The compound score for a text: the model says which class, the rules say how strong
    /// (module documentation). Reading the result at ±0.05 always gives back the decided class.
    #[inline]
    pub fn compound(&self, f: &Features, lang: Lang) -> f32 {
        let (class, d) = self.decide(f, lang);
        let rule = f.rule_compound;
        if class == class_of(rule) {
            if class != NEUTRAL {
                return rule;
            }
        } else if class != NEUTRAL {
            let p = softmax(d);
            let sign = if class == 2 { 1.0 } else { -1.0 };
            let margin = (sign * (p[2] - p[0])).clamp(0.0, 1.0);
            return sign * (MIN_POLAR + self.polar_span * margin).min(1.0);
        }
        neutral_squash(rule)
    }
}

/// Maps a rule compound into the neutral band, monotonically: unchanged up to ±NEUTRAL_KNEE,
/// then squashed towards ±MAX_NEUTRAL, never reaching it.
#[inline]
pub fn neutral_squash(rule: f32) -> f32 {
    let m = rule.abs();
    if m <= NEUTRAL_KNEE {
        return rule;
    }
    let squashed =
        NEUTRAL_KNEE + (MAX_NEUTRAL - NEUTRAL_KNEE) * ((m - NEUTRAL_KNEE) / NEUTRAL_SOFT).tanh();
    squashed.min(MAX_NEUTRAL).copysign(rule)
}

#[inline]
pub fn softmax(z: [f32; 3]) -> [f32; 3] {
    let m = z[0].max(z[1]).max(z[2]);
    let e = [(z[0] - m).exp(), (z[1] - m).exp(), (z[2] - m).exp()];
    let s = e[0] + e[1] + e[2];
    [e[0] / s, e[1] / s, e[2] / s]
}

/// Little-endian cursor over a buffer whose length was checked up front.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> [u8; N] {
        let mut buf = [0u8; N];
        // In bounds: `from_bytes` checked the total length before reading anything past the
        // header; a short read would leave zeros, never panic.
        if let Some(src) = self.bytes.get(self.pos..self.pos + N) {
            buf.copy_from_slice(src);
        }
        self.pos += N;
        buf
    }
    fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.take())
    }
    fn f32(&mut self) -> f32 {
        f32::from_le_bytes(self.take())
    }
    fn i8(&mut self) -> i8 {
        i8::from_le_bytes(self.take())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny(n_models: usize) -> Model {
        let w = Weights {
            scale: 0.01,
            bias: [0.1, 0.2, -0.3],
            offset: [0.0, -0.1, 0.0],
            dense: vec![[0.5, -1.0, 0.25]; DENSE],
            hashed: vec![[1, -2, 3]; BUCKETS],
        };
        Model {
            families: ALL_FAMILIES,
            polar_span: 0.2,
            rule_trust: 2.0,
            models: vec![w; n_models],
        }
    }

    #[test]
    fn embedded_model_loads() {
        let m = Model::from_bytes(EMBEDDED).expect("assets/sentiment/model.bin must load");
        assert!(!m.models.is_empty());
        assert!(EMBEDDED.len() <= 2 * 1024 * 1024, "weight file over 2 MB");
    }

    #[test]
    fn round_trips_through_bytes() {
        for n in [1, 2] {
            let m = tiny(n);
            assert_eq!(Model::from_bytes(&m.to_bytes()), Ok(m));
        }
    }

    #[test]
    fn refuses_bad_files_with_a_clear_error() {
        let good = tiny(1).to_bytes();
        assert_eq!(Model::from_bytes(b"nope"), Err(ModelError::BadMagic));
        let mut v = good.clone();
        v[4] = 99;
        assert_eq!(Model::from_bytes(&v), Err(ModelError::Version(99)));
        let mut v = good.clone();
        v[8] = 12;
        assert_eq!(Model::from_bytes(&v), Err(ModelError::HashBits(12)));
        let mut v = good.clone();
        v[12] = 3;
        assert_eq!(Model::from_bytes(&v), Err(ModelError::Dense(3)));
        let mut v = good.clone();
        v[16] = 0x40;
        assert_eq!(Model::from_bytes(&v), Err(ModelError::Families(0x40)));
        let mut v = good.clone();
        v[20] = 3;
        assert_eq!(Model::from_bytes(&v), Err(ModelError::Models(3)));
        let truncated = &good[..good.len() - 1];
        assert!(matches!(
            Model::from_bytes(truncated),
            Err(ModelError::Size { .. })
        ));
        let mut v = good.clone();
        v[28..32].copy_from_slice(&f32::NAN.to_le_bytes());
        assert_eq!(Model::from_bytes(&v), Err(ModelError::NotFinite));
        assert!(ModelError::Version(2).to_string().contains("version 2"));
    }

    #[test]
    fn the_model_picks_the_class_and_the_rules_the_strength() {
        let mut m = tiny(1);
        m.models[0].dense = vec![[0.0; 3]; DENSE];
        m.models[0].hashed = vec![[0; 3]; BUCKETS];
        let mut f = Features::default();
        let mut at = |bias: [f32; 3], rule: f32| {
            m.models[0].bias = bias;
            f.rule_compound = rule;
            m.compound(&f, Lang::En)
        };
        // Agreement: the rule compound, unchanged.
        assert_eq!(at([0.0, 0.0, 5.0], 0.73), 0.73);
        assert_eq!(at([5.0, 0.0, 0.0], -0.2), -0.2);
        assert_eq!(at([0.0, 5.0, 0.0], 0.03), 0.03);
        // Neutral decision: monotone in the rule compound, strictly inside the band.
        let squashed: Vec<f32> = [-0.99, -0.5, -0.1, 0.0, 0.1, 0.5, 0.99]
            .iter()
            .map(|&r| at([0.0, 5.0, 0.0], r))
            .collect();
        assert!(squashed.windows(2).all(|w| w[0] < w[1]), "{squashed:?}");
        assert!(squashed.iter().all(|c| c.abs() < 0.05), "{squashed:?}");
        // Polar decision against the rules: the model's sign, past the band, more so when the
        // model is surer.
        let weak = at([0.0, 0.0, 0.5], -0.3);
        let sure = at([0.0, 0.0, 5.0], -0.3);
        // tiny() has polar_span 0.2: at most 0.06 + 0.2.
        assert!(weak > 0.05 && sure > weak && sure <= 0.26, "{weak} {sure}");
    }

    #[test]
    fn compound_lands_in_the_decided_band() {
        let mut m = tiny(1);
        let mut f = Features::default();
        for (bias, lo, hi) in [
            ([5.0, 0.0, 0.0], -1.0, -0.05),
            ([0.0, 5.0, 0.0], -0.05, 0.05),
            ([0.0, 0.0, 5.0], 0.05, 1.0),
        ] {
            m.models[0].bias = bias;
            m.models[0].dense = vec![[0.0; 3]; DENSE];
            m.models[0].hashed = vec![[0; 3]; BUCKETS];
            for rule in [-0.9, -0.2, 0.0, 0.3, 0.95] {
                f.rule_compound = rule;
                let c = m.compound(&f, Lang::En);
                let inside = if lo < 0.0 && hi > 0.0 {
                    (lo..=hi).contains(&c)
                } else {
                    c > lo.min(hi) && c <= hi.max(lo) && c.abs() > 0.05
                };
                assert!(inside, "bias {bias:?} rule {rule}: {c}");
            }
        }
    }
}
