//! `[[alerts]]` in `config.toml`: one table per rule, its `kind` saying which condition it
//! watches and which fields apply. A field that does not apply to the kind is an error rather
//! than silently ignored: a room that writes `threshold` on a keyword rule expects it to matter.

use std::ops::Range;

use chrono::TimeDelta;
use serde::Deserialize;
use toml::Spanned;

use super::Severity;
use crate::settings::{BrandConfig, ConfigError, SourceText};
use crate::text::folded_words;

/// Every kind, for the error that lists them.
pub const KINDS: [&str; 6] = [
    "volume_spike",
    "negative_share",
    "keyword",
    "influential_negative",
    "viral_post",
    "source_down",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAlertRule {
    name: Spanned<String>,
    kind: Spanned<String>,
    severity: Option<Spanned<String>>,
    /// A brand's name: only that brand; absent: every brand.
    brand: Option<Spanned<String>>,
    cooldown_minutes: Option<Spanned<u32>>,
    threshold: Option<Spanned<f32>>,
    window_minutes: Option<Spanned<u32>>,
    min_mentions: Option<Spanned<u32>>,
    words: Option<Spanned<Vec<String>>>,
    within_words: Option<Spanned<usize>>,
    min_reach: Option<Spanned<u64>>,
    min_engagement_per_minute: Option<Spanned<f64>>,
    after_minutes: Option<Spanned<u32>>,
}

/// What a rule watches.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// A volume spike flagged by the detector.
    VolumeSpike,
    /// The negative share of a brand's mentions over the last `window_minutes` at or above
    /// `threshold`, once there are `min_mentions`. It ends below 90 % of the threshold.
    NegativeShare {
        threshold: f32,
        window_minutes: u32,
        min_mentions: u32,
    },
    /// One of `phrases` within `within_words` words of the brand's name; each phrase is its
    /// folded words (case and accents ignored), split once here rather than for every mention.
    Keyword {
        phrases: Vec<Vec<String>>,
        within_words: usize,
    },
    /// A negative post by an author followed by at least `min_reach` people.
    InfluentialNegative { min_reach: u64 },
    /// One post gaining likes, shares and replies at `min_per_minute` or more.
    ViralPost { min_per_minute: f64 },
    /// A source failed or silent for `after`.
    SourceDown { after: TimeDelta },
}

#[derive(Debug, Clone, PartialEq)]
pub struct AlertRule {
    pub name: String,
    pub severity: Severity,
    /// Index in `Config::brands`; `None`: every brand.
    pub brand: Option<usize>,
    pub cooldown: TimeDelta,
    pub condition: Condition,
}

const DEFAULT_COOLDOWN_MINUTES: u32 = 30;

pub fn validate_rules(
    source: &SourceText,
    raw: Vec<Spanned<RawAlertRule>>,
    brands: &[BrandConfig],
) -> Result<Vec<AlertRule>, ConfigError> {
    let mut rules: Vec<AlertRule> = Vec::new();
    for spanned in raw {
        let span = spanned.span();
        let rule = validate_rule(source, span.clone(), spanned.into_inner(), brands)?;
        if rules.iter().any(|r| r.name == rule.name) {
            return Err(source.error_at(
                Some(span),
                format!(
                    "two alerts are named '{}': give each a distinct name",
                    rule.name
                ),
            ));
        }
        rules.push(rule);
    }
    Ok(rules)
}

fn validate_rule(
    source: &SourceText,
    span: Range<usize>,
    raw: RawAlertRule,
    brands: &[BrandConfig],
) -> Result<AlertRule, ConfigError> {
    let name = raw.name.get_ref().trim().to_string();
    if name.is_empty() {
        return Err(source.error_at(Some(raw.name.span()), "alert name is empty"));
    }
    let fail = |at: Range<usize>, message: String| {
        Err(source.error_at(Some(at), format!("alert '{name}': {message}")))
    };
    let severity = match &raw.severity {
        None => Severity::Warning,
        Some(s) => match Severity::parse(s.get_ref()) {
            Some(severity) => severity,
            None => {
                return fail(
                    s.span(),
                    format!(
                        "unknown severity '{}': use info, warning or critical",
                        s.get_ref()
                    ),
                );
            }
        },
    };
    let brand = match &raw.brand {
        None => None,
        Some(b) => match brands.iter().position(|c| c.name == *b.get_ref()) {
            Some(index) => Some(index),
            None => {
                let names: Vec<&str> = brands.iter().map(|c| c.name.as_str()).collect();
                return fail(
                    b.span(),
                    format!(
                        "no brand is named '{}' (brands: {})",
                        b.get_ref(),
                        names.join(", ")
                    ),
                );
            }
        },
    };

    // Which optional fields each kind takes; any other one given is an error.
    let given: [(&str, Option<Range<usize>>); 8] = [
        ("threshold", raw.threshold.as_ref().map(Spanned::span)),
        (
            "window_minutes",
            raw.window_minutes.as_ref().map(Spanned::span),
        ),
        ("min_mentions", raw.min_mentions.as_ref().map(Spanned::span)),
        ("words", raw.words.as_ref().map(Spanned::span)),
        ("within_words", raw.within_words.as_ref().map(Spanned::span)),
        ("min_reach", raw.min_reach.as_ref().map(Spanned::span)),
        (
            "min_engagement_per_minute",
            raw.min_engagement_per_minute.as_ref().map(Spanned::span),
        ),
        (
            "after_minutes",
            raw.after_minutes.as_ref().map(Spanned::span),
        ),
    ];
    let kind = raw.kind.get_ref().as_str();
    let takes: &[&str] = match kind {
        "volume_spike" => &[],
        "negative_share" => &["threshold", "window_minutes", "min_mentions"],
        "keyword" => &["words", "within_words"],
        "influential_negative" => &["min_reach"],
        "viral_post" => &["min_engagement_per_minute"],
        "source_down" => &["after_minutes"],
        other => {
            return fail(
                raw.kind.span(),
                format!("unknown kind '{other}': use one of {}", KINDS.join(", ")),
            );
        }
    };
    for (field, at) in &given {
        if let Some(at) = at
            && !takes.contains(field)
        {
            return fail(
                at.clone(),
                format!("`{field}` does not apply to kind {kind}"),
            );
        }
    }

    // Every number in range, located: a bound of years, or words a page apart, is a typo.
    let out_of_range = |value: Option<(u64, Range<usize>)>, what: &str, range: (u64, u64)| {
        value.and_then(|(v, at)| {
            (v < range.0 || v > range.1).then(|| {
                (
                    at,
                    format!(
                        "{what} = {v} is out of range: use {} to {}",
                        range.0, range.1
                    ),
                )
            })
        })
    };
    let week = 7 * 24 * 60;
    let checks = [
        out_of_range(
            raw.cooldown_minutes
                .as_ref()
                .map(|v| (u64::from(*v.get_ref()), v.span())),
            "cooldown_minutes",
            (0, week),
        ),
        out_of_range(
            raw.after_minutes
                .as_ref()
                .map(|v| (u64::from(*v.get_ref()), v.span())),
            "after_minutes",
            (1, week),
        ),
        out_of_range(
            raw.within_words
                .as_ref()
                .map(|v| (*v.get_ref() as u64, v.span())),
            "within_words",
            (1, 100),
        ),
    ];
    if let Some((at, message)) = checks.into_iter().flatten().next() {
        return fail(at, message);
    }
    let condition = match kind {
        "volume_spike" => Condition::VolumeSpike,
        "negative_share" => {
            let threshold = raw.threshold.as_ref().map_or(0.4, |t| *t.get_ref());
            if !(threshold > 0.0 && threshold < 1.0) {
                let at = raw.threshold.as_ref().map_or(span.clone(), Spanned::span);
                return fail(
                    at,
                    format!("threshold {threshold} must be a share between 0 and 1"),
                );
            }
            let window_minutes = raw.window_minutes.as_ref().map_or(60, |w| *w.get_ref());
            if window_minutes == 0 || window_minutes > 24 * 60 {
                let at = raw
                    .window_minutes
                    .as_ref()
                    .map_or(span.clone(), Spanned::span);
                return fail(at, "window_minutes must be between 1 and 1440".into());
            }
            Condition::NegativeShare {
                threshold,
                window_minutes,
                min_mentions: raw.min_mentions.as_ref().map_or(20, |m| *m.get_ref()),
            }
        }
        "keyword" => {
            let Some(words) = &raw.words else {
                return fail(span, "kind keyword needs `words = [\"…\"]`".into());
            };
            let phrases: Vec<Vec<String>> = words
                .get_ref()
                .iter()
                .map(|w| folded_words(w))
                .filter(|w| !w.is_empty())
                .collect();
            if phrases.is_empty() {
                return fail(words.span(), "`words` is empty".into());
            }
            Condition::Keyword {
                phrases,
                within_words: raw.within_words.as_ref().map_or(8, |w| *w.get_ref()),
            }
        }
        "influential_negative" => {
            let Some(min_reach) = &raw.min_reach else {
                return fail(span, "kind influential_negative needs `min_reach`".into());
            };
            Condition::InfluentialNegative {
                min_reach: *min_reach.get_ref(),
            }
        }
        "viral_post" => {
            let per_minute = raw
                .min_engagement_per_minute
                .as_ref()
                .map_or(200.0, |m| *m.get_ref());
            if !(per_minute.is_finite() && per_minute > 0.0) {
                let at = raw
                    .min_engagement_per_minute
                    .as_ref()
                    .map_or(span.clone(), Spanned::span);
                return fail(at, "min_engagement_per_minute must be above 0".into());
            }
            Condition::ViralPost {
                min_per_minute: per_minute,
            }
        }
        _ => Condition::SourceDown {
            after: TimeDelta::minutes(i64::from(
                raw.after_minutes.as_ref().map_or(10, |m| *m.get_ref()),
            )),
        },
    };
    Ok(AlertRule {
        name,
        severity,
        brand,
        cooldown: TimeDelta::minutes(i64::from(
            raw.cooldown_minutes
                .map_or(DEFAULT_COOLDOWN_MINUTES, Spanned::into_inner),
        )),
        condition,
    })
}
