//! `[[alerts]]` in `config.toml`: one table per rule, its `kind` saying which condition it
//! watches. Each kind is one file here: its options (read with their places in the file, a
//! field the kind does not take being an error rather than silently ignored), what it does with
//! each post and at each tick, and its one-line summary in each locale. The engine
//! (`../engine.rs`) keeps only the lifecycle: raise, update, end, cooldown.
//!
//! To add a kind: its file, and one line in `KINDS` below (plus its `Trigger` variant in
//! `../mod.rs`, which is what the history, the bus and the sinks carry).

pub(crate) mod influential_negative;
pub(crate) mod keyword;
pub(crate) mod negative_share;
pub(crate) mod source_down;
pub(crate) mod viral_post;
pub(crate) mod volume_spike;

use std::any::Any;
use std::fmt::Debug;
use std::ops::Range;

use chrono::{DateTime, TimeDelta, Utc};
use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::{Alert, Severity, Trigger};
use crate::model::{EnrichedMention, SourceHealth, Spike, ToneCounts};
use crate::settings::{BrandConfig, ConfigError, SourceText};
use crate::text::Reading;

pub use influential_negative::InfluentialNegative;
pub use keyword::Keyword;
pub use negative_share::NegativeShare;
pub use source_down::SourceDown;
pub use viral_post::{Velocity, VelocityTracker, ViralPost};
pub use volume_spike::VolumeSpike;

/// A kind of rule: its name in the config and how its options are read.
struct Kind {
    name: &'static str,
    read: fn(Options<'_>) -> Result<Box<dyn Condition>, OptionError>,
}

/// Every kind of rule, in the order the error that lists them names them.
const KINDS: &[Kind] = &[
    Kind {
        name: "volume_spike",
        read: volume_spike::read,
    },
    Kind {
        name: "negative_share",
        read: negative_share::read,
    },
    Kind {
        name: "keyword",
        read: keyword::read,
    },
    Kind {
        name: "influential_negative",
        read: influential_negative::read,
    },
    Kind {
        name: "viral_post",
        read: viral_post::read,
    },
    Kind {
        name: "source_down",
        read: source_down::read,
    },
];

/// The names of every kind, for documentation and errors.
pub fn kind_names() -> Vec<&'static str> {
    KINDS.iter().map(|k| k.name).collect()
}

/// A rule as the config gives it: the fields every kind shares, and its condition.
#[derive(Debug, Clone)]
pub struct AlertRule {
    pub name: String,
    pub severity: Severity,
    /// Index in `Config::brands`; `None`: every brand.
    pub brand: Option<usize>,
    pub cooldown: TimeDelta,
    pub condition: Box<dyn Condition>,
    /// The layout the wall switches to while this rule's alerts are active (`takeover =
    /// "layouts/crise.toml"`), as written, with its place for errors about the file: the core
    /// never reads it (`src/layout` does).
    pub takeover: Option<Takeover>,
}

/// A rule's `takeover`: a layout file, relative to the config's folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Takeover {
    pub layout: String,
    pub place: ConfigError,
}

// Written out: a derived comparison cannot compare boxed trait objects (rust-lang/rust#31740).
impl PartialEq for AlertRule {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.severity == other.severity
            && self.brand == other.brand
            && self.cooldown == other.cooldown
            && self.condition.same_as(other.condition.as_ref())
            && self.takeover == other.takeover
    }
}

/// What one kind of rule watches. Every method has a default that does nothing, so a kind
/// writes only what it watches: posts, ticks, or both.
pub trait Condition: ConditionClone + Debug + Send + Sync {
    /// Its name in the config.
    fn kind(&self) -> &'static str;

    /// What the engine must keep of every post for this rule.
    fn needs(&self) -> Needs {
        Needs::default()
    }

    /// A counted post, for one of its brands: what it triggers, if anything.
    fn on_post(&self, _post: &Post<'_>, _brand: usize) -> Option<Trigger> {
        None
    }

    /// Once per tick: raise, update or end this rule's alerts from the states.
    fn on_tick(&mut self, _tick: &Tick<'_>, _alerts: &mut RuleAlerts<'_>) {}

    /// Whether its alerts are raised by posts and end once those stop coming.
    fn ends_when_posts_stop(&self) -> bool {
        false
    }

    /// An alert of this rule kept by a previous run goes on: take back any state it implies.
    fn restore(&mut self, _alert: &Alert) {}

    /// Which alert a trigger of this rule is: per brand, or per subject (a source).
    fn subject(&self, _trigger: &Trigger) -> Option<String> {
        None
    }
}

/// Cloning and comparing boxed conditions, written once for every kind.
pub trait ConditionClone {
    fn clone_box(&self) -> Box<dyn Condition>;
    fn as_any(&self) -> &dyn Any;
    fn same_as(&self, other: &dyn Condition) -> bool;
}

impl<T: Condition + Clone + PartialEq + 'static> ConditionClone for T {
    fn clone_box(&self) -> Box<dyn Condition> {
        Box::new(self.clone())
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn same_as(&self, other: &dyn Condition) -> bool {
        other.as_any().downcast_ref::<T>() == Some(self)
    }
}

impl Clone for Box<dyn Condition> {
    fn clone(&self) -> Self {
        self.clone_box()
    }
}

impl PartialEq for dyn Condition {
    fn eq(&self, other: &Self) -> bool {
        self.same_as(other)
    }
}

/// The per-post work the rules call for; nothing else is computed for a post.
#[derive(Debug, Clone, Copy, Default)]
pub struct Needs {
    /// Engagement speed (viral posts).
    pub velocity: bool,
    /// The word history that explains spikes.
    pub history: bool,
    /// The recent posts that evidence spikes and negative shares.
    pub recent: bool,
}

impl Needs {
    pub fn of(conditions: &[Box<dyn Condition>]) -> Self {
        conditions.iter().fold(Needs::default(), |all, c| {
            let one = c.needs();
            Needs {
                velocity: all.velocity || one.velocity,
                history: all.history || one.history,
                recent: all.recent || one.recent,
            }
        })
    }
}

/// A counted post as the rules see it.
pub struct Post<'a> {
    pub enriched: &'a EnrichedMention,
    /// Its text as the analysis read it (folded, split into words).
    pub reading: &'a Reading,
    /// Its engagement speed, when a rule needs it.
    pub velocity: Option<Velocity>,
    /// Per brand, its keywords as folded word sequences (for "near the brand").
    pub brand_words: &'a [Vec<Vec<String>>],
}

/// The states a tick looks at.
pub struct Tick<'a> {
    pub now: DateTime<Utc>,
    /// Each brand's tone counts over the last `minutes`.
    pub window_tones: &'a dyn Fn(u32) -> Vec<ToneCounts>,
    pub spikes: &'a [Spike],
    pub sources: &'a [SourceHealth],
}

/// Which alert: a rule, a brand, and for sources the source's name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    pub(crate) rule: usize,
    pub(crate) brand: Option<usize>,
    pub(crate) subject: Option<String>,
}

/// One rule's alerts at a tick, as the engine lends them (`engine::RuleAlerts`).
pub use super::engine::RuleAlerts;

// ---------------------------------------------------------------------------------------------
// Reading `[[alerts]]`
// ---------------------------------------------------------------------------------------------

/// The fields every kind shares.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Common {
    name: Spanned<String>,
    kind: Spanned<String>,
    severity: Option<Spanned<String>>,
    /// A brand's name: only that brand; absent: every brand.
    brand: Option<Spanned<String>>,
    cooldown_minutes: Option<Spanned<u32>>,
    /// A layout file the wall shows while the rule's alerts are active.
    takeover: Option<Spanned<String>>,
}

const COMMON_FIELDS: [&str; 6] = [
    "name",
    "kind",
    "severity",
    "brand",
    "cooldown_minutes",
    "takeover",
];

/// A rule's own fields, for its kind to read, with the rule's place in the file for the errors
/// of a field that is missing.
pub struct Options<'i> {
    kind: &'static str,
    table: Spanned<DeTable<'i>>,
}

/// An option that cannot be read: where, and why.
pub struct OptionError {
    at: Range<usize>,
    message: String,
}

impl OptionError {
    pub fn new(at: Range<usize>, message: impl Into<String>) -> Self {
        Self {
            at,
            message: message.into(),
        }
    }
}

impl<'i> Options<'i> {
    /// The fields into the kind's own type, which lists them with `deny_unknown_fields`: a
    /// field that the kind does not take is located and named.
    pub fn read<T: Deserialize<'i>>(self) -> Result<T, OptionError> {
        let whole = self.table.span();
        let kind = self.kind;
        T::deserialize(toml::de::Deserializer::from(self.table)).map_err(|e| {
            let message = e.message().trim();
            // serde's "unknown field `threshold`, expected one of `words`, `within_words`".
            let message = match message.strip_prefix("unknown field ") {
                Some(rest) => {
                    let (field, takes) = rest.split_once(", ").unwrap_or((rest, ""));
                    format!("{field} does not apply to kind {kind} ({takes})").replace(" ()", "")
                }
                None => message.to_string(),
            };
            OptionError::new(e.span().unwrap_or(whole), message)
        })
    }

    /// Where the rule is, for an error about a field it lacks.
    pub fn span(&self) -> Range<usize> {
        self.table.span()
    }
}

/// A number outside `range`, located: a bound of years, or words a page apart, is a typo.
pub fn in_range<T: Into<u64> + Copy>(
    value: &Option<Spanned<T>>,
    what: &str,
    range: (u64, u64),
) -> Result<(), OptionError> {
    match value {
        Some(v) if !(range.0..=range.1).contains(&(*v.get_ref()).into()) => Err(OptionError::new(
            v.span(),
            format!(
                "{what} = {} is out of range: use {} to {}",
                (*v.get_ref()).into(),
                range.0,
                range.1
            ),
        )),
        _ => Ok(()),
    }
}

/// A week, in minutes: the widest bound a rule's durations take.
pub const WEEK_MINUTES: u64 = 7 * 24 * 60;
const DEFAULT_COOLDOWN_MINUTES: u32 = 30;

/// Reads the `[[alerts]]` tables (`SpannedDocument::take_tables`). Every rule's errors are
/// reported, not only the first one's.
pub fn read_rules(
    source: &SourceText,
    tables: Vec<Spanned<DeTable<'_>>>,
    brands: &[BrandConfig],
) -> Result<Vec<AlertRule>, Vec<ConfigError>> {
    let mut rules: Vec<AlertRule> = Vec::new();
    let mut errors = Vec::new();
    // Names of every rule, read or not: a broken rule's name still taken.
    let mut names: Vec<String> = Vec::new();
    for table in tables {
        let name = table
            .get_ref()
            .iter()
            .find(|(key, _)| key.get_ref() == "name")
            .and_then(|(_, value)| match value.get_ref() {
                DeValue::String(name) => Some(name.trim().to_string()),
                _ => None,
            });
        if let Some(name) = name {
            if names.contains(&name) {
                errors.push(source.error_at(
                    Some(table.span()),
                    format!("two alerts are named '{name}': give each a distinct name"),
                ));
                continue;
            }
            names.push(name);
        }
        match read_rule(source, table, brands) {
            Ok(rule) => rules.push(rule),
            Err(error) => errors.push(error),
        }
    }
    if errors.is_empty() {
        Ok(rules)
    } else {
        Err(errors)
    }
}

fn read_rule(
    source: &SourceText,
    table: Spanned<DeTable<'_>>,
    brands: &[BrandConfig],
) -> Result<AlertRule, ConfigError> {
    let span = table.span();
    let (common, own): (DeTable, DeTable) = table
        .into_inner()
        .into_iter()
        .partition(|(key, _)| COMMON_FIELDS.contains(&key.get_ref().as_ref()));
    let common = Common::deserialize(toml::de::Deserializer::from(Spanned::new(
        span.clone(),
        common,
    )))
    .map_err(|e| source.error_at(e.span().or(Some(span.clone())), e.message().trim()))?;
    let name = common.name.get_ref().trim().to_string();
    if name.is_empty() {
        return Err(source.error_at(Some(common.name.span()), "alert name is empty"));
    }
    let fail = |at: Range<usize>, message: String| {
        source.error_at(Some(at), format!("alert '{name}': {message}"))
    };
    let severity = match &common.severity {
        None => Severity::Warning,
        Some(s) => Severity::parse(s.get_ref()).ok_or_else(|| {
            fail(
                s.span(),
                format!(
                    "unknown severity '{}': use info, warning or critical",
                    s.get_ref()
                ),
            )
        })?,
    };
    let brand = match &common.brand {
        None => None,
        Some(b) => Some(
            brands
                .iter()
                .position(|c| c.name == *b.get_ref())
                .ok_or_else(|| {
                    let names: Vec<&str> = brands.iter().map(|c| c.name.as_str()).collect();
                    fail(
                        b.span(),
                        format!(
                            "no brand is named '{}' (brands: {})",
                            b.get_ref(),
                            names.join(", ")
                        ),
                    )
                })?,
        ),
    };
    in_range(
        &common.cooldown_minutes,
        "cooldown_minutes",
        (0, WEEK_MINUTES),
    )
    .map_err(|e| fail(e.at, e.message))?;
    let takeover = match &common.takeover {
        Some(layout) if layout.get_ref().trim().is_empty() => {
            return Err(fail(
                layout.span(),
                "takeover is empty: name a layout file (takeover = \"layouts/crise.toml\")".into(),
            ));
        }
        Some(layout) => Some(Takeover {
            layout: layout.get_ref().trim().to_string(),
            place: fail(layout.span(), "takeover".into()),
        }),
        None => None,
    };
    let kind_name = common.kind.get_ref().as_str();
    let Some(kind) = KINDS.iter().find(|k| k.name == kind_name) else {
        return Err(fail(
            common.kind.span(),
            format!(
                "unknown kind '{kind_name}': use one of {}",
                kind_names().join(", ")
            ),
        ));
    };
    let condition = (kind.read)(Options {
        kind: kind.name,
        table: Spanned::new(span, own),
    })
    .map_err(|e| {
        let message = if e.message.contains("kind ") {
            e.message
        } else {
            format!("{} (kind {kind_name})", e.message)
        };
        fail(e.at, message)
    })?;
    Ok(AlertRule {
        name,
        severity,
        brand,
        cooldown: TimeDelta::minutes(i64::from(
            common
                .cooldown_minutes
                .map_or(DEFAULT_COOLDOWN_MINUTES, Spanned::into_inner),
        )),
        condition,
        takeover,
    })
}

#[cfg(test)]
mod tests;
