//! Tile kinds and their options, as a layout file writes them. `docs/layouts.md` documents each
//! kind; `KINDS` is the one list both the parser and the hints read.

use std::time::Duration;

use toml::Value;

use crate::model::Platform;
pub use crate::model::ShareBasis;

/// Which brand a tile follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BrandRef {
    /// The brand the room works for.
    Own,
    /// Index into the config's brands (own first).
    Index(usize),
}

impl BrandRef {
    pub fn index(self, own: usize) -> usize {
        match self {
            BrandRef::Own => own,
            BrandRef::Index(i) => i,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    MentionsLastHour,
    NetSentiment,
    ActiveAlerts,
    ShareOfVoice,
    /// Likes, shares and replies per 100 people reached, over the last hour.
    EngagementRate,
    /// Likes, shares and replies over the last hour.
    Engagement,
    /// Median wait before the brand's own accounts answer a mention, over the last day.
    ResponseTime,
}

impl Metric {
    pub const NAMES: [&'static str; 7] = [
        "mentions_last_hour",
        "net_sentiment",
        "active_alerts",
        "share_of_voice",
        "engagement_rate",
        "engagement",
        "response_time",
    ];

    fn parse(name: &str) -> Option<Metric> {
        Some(match name {
            "mentions_last_hour" => Metric::MentionsLastHour,
            "net_sentiment" => Metric::NetSentiment,
            "active_alerts" => Metric::ActiveAlerts,
            "share_of_voice" => Metric::ShareOfVoice,
            "engagement_rate" => Metric::EngagementRate,
            "engagement" => Metric::Engagement,
            "response_time" => Metric::ResponseTime,
            _ => return None,
        })
    }
}

/// One tile and its options, resolved against the config (windows in minutes, brands as
/// indices).
#[derive(Debug, Clone, PartialEq)]
pub enum TileSpec {
    Header {
        title: Option<String>,
    },
    Stream {
        cards: usize,
        /// Empty: every brand.
        brands: Vec<usize>,
    },
    Volume {
        window_minutes: u32,
        brand: BrandRef,
    },
    ShareOfVoice {
        window_minutes: u32,
        /// What the share is measured on: mentions, engagement, positive or negative mentions.
        by: ShareBasis,
        /// Only the mentions of one platform (a share of volume).
        platform: Option<Platform>,
    },
    /// The thematic split of a brand's mentions: macro topics with their micro topics.
    Topics {
        window_minutes: u32,
        brand: BrandRef,
    },
    /// A brand's most said terms and hashtags, with their rank change.
    Trending {
        window_minutes: u32,
        brand: BrandRef,
        rows: usize,
    },
    Sentiment {
        window_minutes: u32,
    },
    Alerts {
        max: usize,
    },
    Kpi {
        metric: Metric,
        brand: BrandRef,
    },
    Status,
}

impl TileSpec {
    pub fn kind(&self) -> &'static str {
        match self {
            TileSpec::Header { .. } => "header",
            TileSpec::Stream { .. } => "stream",
            TileSpec::Volume { .. } => "volume",
            TileSpec::ShareOfVoice { .. } => "share_of_voice",
            TileSpec::Topics { .. } => "topics",
            TileSpec::Trending { .. } => "trending",
            TileSpec::Sentiment { .. } => "sentiment",
            TileSpec::Alerts { .. } => "alerts",
            TileSpec::Kpi { .. } => "kpi",
            TileSpec::Status => "status",
        }
    }
}

/// Every kind with the options it takes (besides `kind`).
pub const KINDS: &[(&str, &[&str])] = &[
    ("header", &["title"]),
    ("stream", &["cards", "brands"]),
    ("volume", &["window", "brand"]),
    ("share_of_voice", &["window", "by", "platform"]),
    ("topics", &["window", "brand"]),
    ("trending", &["window", "brand", "rows"]),
    ("sentiment", &["window"]),
    ("alerts", &["max"]),
    ("kpi", &["metric", "brand"]),
    ("status", &[]),
];

/// What a share of voice can be measured on, by its name in a layout file.
pub const SHARE_BASES: [(&str, ShareBasis); 4] = [
    ("volume", ShareBasis::Volume),
    ("engagement", ShareBasis::Engagement),
    ("positive", ShareBasis::Positive),
    ("negative", ShareBasis::Negative),
];

pub use vigie_core::limits::MAX_CHART_MINUTES;
/// Share of voice and sentiment windows.
pub const MAX_SHARE_MINUTES: u32 = 24 * 60;
pub use crate::analysis::trending::MAX_TRENDING_MINUTES;
pub const MAX_CARDS: usize = 12;
/// Rows of a trending tile.
pub const MAX_TRENDING_ROWS: usize = 10;

/// What the option checks need from the config.
pub struct TileContext<'a> {
    pub brands: &'a [String],
    pub default_chart_minutes: u32,
    pub default_share_minutes: u32,
}

/// An option's problem: which option (None: the tile itself) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionError {
    pub option: Option<String>,
    pub message: String,
}

fn option_error(option: &str, message: impl Into<String>) -> OptionError {
    OptionError {
        option: Some(option.to_string()),
        message: message.into(),
    }
}

/// Builds a tile from its kind and options; unknown options were refused before.
pub fn build(
    kind: &str,
    options: &[(String, Value)],
    context: &TileContext,
) -> Result<TileSpec, Vec<OptionError>> {
    let mut errors = Vec::new();
    let get = |name: &str| options.iter().find(|(k, _)| k == name).map(|(_, v)| v);
    let window = |name: &str, default: u32, max: u32, errors: &mut Vec<OptionError>| match get(name)
    {
        None => default,
        Some(value) => match parse_window(value, max) {
            Ok(minutes) => minutes,
            Err(message) => {
                errors.push(option_error(name, message));
                default
            }
        },
    };
    let spec = match kind {
        "header" => TileSpec::Header {
            title: match get("title") {
                None => None,
                Some(Value::String(s)) => Some(s.clone()),
                Some(_) => {
                    errors.push(option_error("title", "`title` must be a string"));
                    None
                }
            },
        },
        "stream" => TileSpec::Stream {
            cards: match get("cards") {
                None => 6,
                Some(Value::Integer(n)) if (1..=MAX_CARDS as i64).contains(n) => *n as usize,
                Some(_) => {
                    errors.push(option_error(
                        "cards",
                        format!("`cards` must be a whole number from 1 to {MAX_CARDS}"),
                    ));
                    6
                }
            },
            brands: match get("brands") {
                None => Vec::new(),
                Some(value) => match brand_list(value, context) {
                    Ok(list) => list,
                    Err(message) => {
                        errors.push(option_error("brands", message));
                        Vec::new()
                    }
                },
            },
        },
        "volume" => TileSpec::Volume {
            window_minutes: window(
                "window",
                context.default_chart_minutes,
                MAX_CHART_MINUTES,
                &mut errors,
            ),
            brand: brand_option(get("brand"), context, &mut errors),
        },
        "share_of_voice" => {
            let by = match get("by") {
                None => ShareBasis::Volume,
                Some(Value::String(name)) => match SHARE_BASES.iter().find(|(n, _)| n == name) {
                    Some((_, basis)) => *basis,
                    None => {
                        let names: Vec<&str> = SHARE_BASES.iter().map(|(n, _)| *n).collect();
                        errors.push(option_error(
                            "by",
                            format!(
                                "unknown basis '{name}'{}: use one of {}",
                                hint(name, &names),
                                names.join(", ")
                            ),
                        ));
                        ShareBasis::Volume
                    }
                },
                Some(_) => {
                    errors.push(option_error("by", "`by` must be a string"));
                    ShareBasis::Volume
                }
            };
            let platform = match get("platform") {
                None => None,
                Some(value) => match platform_option(value) {
                    Ok(_) if by != ShareBasis::Volume => {
                        errors.push(option_error(
                            "platform",
                            "a share per platform is a share of mentions: leave `by` out or \
                             write `by = \"volume\"`",
                        ));
                        None
                    }
                    Ok(platform) => Some(platform),
                    Err(message) => {
                        errors.push(option_error("platform", message));
                        None
                    }
                },
            };
            TileSpec::ShareOfVoice {
                window_minutes: window(
                    "window",
                    context.default_share_minutes,
                    MAX_SHARE_MINUTES,
                    &mut errors,
                ),
                by,
                platform,
            }
        }
        "topics" => TileSpec::Topics {
            window_minutes: window(
                "window",
                context.default_share_minutes,
                MAX_SHARE_MINUTES,
                &mut errors,
            ),
            brand: brand_option(get("brand"), context, &mut errors),
        },
        "trending" => TileSpec::Trending {
            window_minutes: window("window", 60, MAX_TRENDING_MINUTES, &mut errors),
            brand: brand_option(get("brand"), context, &mut errors),
            rows: match get("rows") {
                None => 8,
                Some(Value::Integer(n)) if (1..=MAX_TRENDING_ROWS as i64).contains(n) => {
                    *n as usize
                }
                Some(_) => {
                    errors.push(option_error(
                        "rows",
                        format!("`rows` must be a whole number from 1 to {MAX_TRENDING_ROWS}"),
                    ));
                    8
                }
            },
        },
        "sentiment" => TileSpec::Sentiment {
            window_minutes: window("window", 60, MAX_SHARE_MINUTES, &mut errors),
        },
        "alerts" => TileSpec::Alerts {
            max: match get("max") {
                None => 5,
                Some(Value::Integer(n)) if (1..=10).contains(n) => *n as usize,
                Some(_) => {
                    errors.push(option_error(
                        "max",
                        "`max` must be a whole number from 1 to 10",
                    ));
                    5
                }
            },
        },
        "kpi" => TileSpec::Kpi {
            metric: match get("metric") {
                Some(Value::String(name)) => match Metric::parse(name) {
                    Some(metric) => metric,
                    None => {
                        errors.push(option_error(
                            "metric",
                            format!(
                                "unknown metric '{name}'{}: use one of {}",
                                hint(name, &Metric::NAMES),
                                Metric::NAMES.join(", ")
                            ),
                        ));
                        Metric::MentionsLastHour
                    }
                },
                _ => {
                    errors.push(OptionError {
                        option: get("metric").map(|_| "metric".to_string()),
                        message: format!(
                            "a kpi tile needs `metric = \"…\"`, one of {}",
                            Metric::NAMES.join(", ")
                        ),
                    });
                    Metric::MentionsLastHour
                }
            },
            brand: brand_option(get("brand"), context, &mut errors),
        },
        "status" => TileSpec::Status,
        other => {
            return Err(vec![OptionError {
                option: None,
                message: format!("unknown tile kind '{other}'"),
            }]);
        }
    };
    if errors.is_empty() {
        Ok(spec)
    } else {
        Err(errors)
    }
}

/// "6h", "90m", "1h30m", "1d" → minutes, within 1 minute and `max`.
pub fn parse_window(value: &Value, max: u32) -> Result<u32, String> {
    let Value::String(text) = value else {
        return Err("a window is written as a string such as \"6h\" or \"90m\"".into());
    };
    let duration = humantime::parse_duration(text)
        .map_err(|e| format!("'{text}' is not a duration ({e}): write it as \"6h\" or \"90m\""))?;
    let minutes = duration.as_secs() / 60;
    if duration.as_secs() % 60 != 0 || minutes == 0 {
        return Err(format!(
            "window '{text}' must be a whole number of minutes, at least one"
        ));
    }
    if minutes > u64::from(max) {
        return Err(format!(
            "window '{text}' is longer than the {} the wall keeps",
            humantime::format_duration(Duration::from_secs(u64::from(max) * 60))
        ));
    }
    Ok(minutes as u32)
}

fn platform_option(value: &Value) -> Result<Platform, String> {
    let names: Vec<&str> = Platform::ALL.iter().map(|p| p.name()).collect();
    let Value::String(name) = value else {
        return Err(format!(
            "`platform` is a platform's name: one of {}",
            names.join(", ")
        ));
    };
    Platform::from_name(name).ok_or_else(|| {
        format!(
            "unknown platform '{name}'{}: use one of {}",
            hint(name, &names),
            names.join(", ")
        )
    })
}

fn brand_option(
    value: Option<&Value>,
    context: &TileContext,
    errors: &mut Vec<OptionError>,
) -> BrandRef {
    match value {
        None => BrandRef::Own,
        Some(Value::String(name)) if name == "own" => BrandRef::Own,
        Some(Value::String(name)) => match find_brand(name, context) {
            Ok(index) => BrandRef::Index(index),
            Err(message) => {
                errors.push(option_error("brand", message));
                BrandRef::Own
            }
        },
        Some(_) => {
            errors.push(option_error(
                "brand",
                "`brand` is a brand's name from config.toml, or \"own\"",
            ));
            BrandRef::Own
        }
    }
}

fn brand_list(value: &Value, context: &TileContext) -> Result<Vec<usize>, String> {
    let Value::Array(items) = value else {
        return Err("`brands` is a list: [\"all\"] or brand names from config.toml".into());
    };
    let mut list = Vec::new();
    for item in items {
        let Value::String(name) = item else {
            return Err("`brands` holds brand names as strings".into());
        };
        if name == "all" {
            return Ok(Vec::new());
        }
        if name == "own" {
            list.push(0);
            continue;
        }
        list.push(find_brand(name, context)?);
    }
    Ok(list)
}

fn find_brand(name: &str, context: &TileContext) -> Result<usize, String> {
    context
        .brands
        .iter()
        .position(|b| b.eq_ignore_ascii_case(name))
        .ok_or_else(|| {
            let names: Vec<&str> = context.brands.iter().map(String::as_str).collect();
            format!(
                "no brand '{name}' in config.toml{}: the brands are {}",
                hint(name, &names),
                names.join(", ")
            )
        })
}

/// ", did you mean 'x'?" when one candidate is close to what was written.
pub fn hint(written: &str, candidates: &[&str]) -> String {
    let written_lower = written.to_lowercase();
    candidates
        .iter()
        .map(|c| {
            (
                strsim::damerau_levenshtein(&written_lower, &c.to_lowercase()),
                c,
            )
        })
        .filter(|(distance, c)| *distance <= (c.chars().count() / 3).max(2))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, c)| format!(" (did you mean '{c}'?)"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> (Vec<String>, u32, u32) {
        (vec!["Petit Loup".into(), "Mini Mousse".into()], 360, 60)
    }

    fn with<T>(f: impl FnOnce(&TileContext) -> T) -> T {
        let (brands, chart, share) = context();
        f(&TileContext {
            brands: &brands,
            default_chart_minutes: chart,
            default_share_minutes: share,
        })
    }

    #[test]
    fn windows_are_durations() {
        let v = |s: &str| Value::String(s.into());
        assert_eq!(parse_window(&v("6h"), MAX_CHART_MINUTES), Ok(360));
        assert_eq!(parse_window(&v("1h 30m"), MAX_CHART_MINUTES), Ok(90));
        assert!(parse_window(&v("3d"), MAX_CHART_MINUTES).is_err());
        assert!(parse_window(&v("30s"), MAX_CHART_MINUTES).is_err());
        assert!(parse_window(&Value::Integer(6), MAX_CHART_MINUTES).is_err());
    }

    #[test]
    fn share_of_voice_is_measured_on_a_named_basis() {
        let by = |name: &str| {
            with(|c| {
                build(
                    "share_of_voice",
                    &[("by".into(), Value::String(name.into()))],
                    c,
                )
            })
        };
        assert_eq!(
            by("engagement"),
            Ok(TileSpec::ShareOfVoice {
                window_minutes: 60,
                by: ShareBasis::Engagement,
                platform: None,
            })
        );
        let errors = by("engagment").expect_err("a misspelt basis");
        assert_eq!(errors[0].option.as_deref(), Some("by"));
        assert!(
            errors[0].message.contains("did you mean 'engagement'"),
            "{:?}",
            errors[0]
        );
    }

    #[test]
    fn share_of_voice_can_be_of_one_platform_of_mentions_only() {
        let build_with = |options: &[(&str, &str)]| {
            let options: Vec<(String, Value)> = options
                .iter()
                .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
                .collect();
            with(|c| build("share_of_voice", &options, c))
        };
        assert_eq!(
            build_with(&[("platform", "Bluesky")]),
            Ok(TileSpec::ShareOfVoice {
                window_minutes: 60,
                by: ShareBasis::Volume,
                platform: Some(Platform::Bluesky),
            })
        );
        let misspelt = build_with(&[("platform", "mastodn")]).expect_err("no such platform");
        assert!(
            misspelt[0].message.contains("did you mean 'mastodon'"),
            "{misspelt:?}"
        );
        let mixed = build_with(&[("platform", "x"), ("by", "engagement")])
            .expect_err("platform with engagement");
        assert_eq!(mixed[0].option.as_deref(), Some("platform"));
    }

    #[test]
    fn topics_and_trending_tiles_take_a_window_and_a_brand() {
        let trending = with(|c| {
            build(
                "trending",
                &[
                    ("window".into(), Value::String("2h".into())),
                    ("brand".into(), Value::String("Mini Mousse".into())),
                    ("rows".into(), Value::Integer(5)),
                ],
                c,
            )
        });
        assert_eq!(
            trending,
            Ok(TileSpec::Trending {
                window_minutes: 120,
                brand: BrandRef::Index(1),
                rows: 5
            })
        );
        let too_long = with(|c| {
            build(
                "trending",
                &[("window".into(), Value::String("6h".into()))],
                c,
            )
        })
        .expect_err("longer than the trending ring");
        assert!(too_long[0].message.contains("longer than"), "{too_long:?}");
        assert_eq!(
            with(|c| build("topics", &[], c)),
            Ok(TileSpec::Topics {
                window_minutes: 60,
                brand: BrandRef::Own
            })
        );
    }

    #[test]
    fn options_resolve_against_the_config() {
        let spec = with(|c| {
            build(
                "volume",
                &[
                    ("window".into(), Value::String("2h".into())),
                    ("brand".into(), Value::String("mini mousse".into())),
                ],
                c,
            )
        });
        assert_eq!(
            spec,
            Ok(TileSpec::Volume {
                window_minutes: 120,
                brand: BrandRef::Index(1)
            })
        );
        let defaults = with(|c| build("share_of_voice", &[], c));
        assert_eq!(
            defaults,
            Ok(TileSpec::ShareOfVoice {
                window_minutes: 60,
                by: ShareBasis::Volume,
                platform: None,
            })
        );
    }

    #[test]
    fn a_misspelt_brand_gets_a_hint() {
        let errors = with(|c| {
            build(
                "volume",
                &[("brand".into(), Value::String("Petit Lou".into()))],
                c,
            )
        })
        .expect_err("no such brand");
        assert_eq!(errors[0].option.as_deref(), Some("brand"));
        assert!(
            errors[0].message.contains("did you mean 'Petit Loup'"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn a_kpi_needs_a_known_metric() {
        let errors = with(|c| {
            build(
                "kpi",
                &[("metric".into(), Value::String("net_sentimnt".into()))],
                c,
            )
        })
        .expect_err("unknown metric");
        assert!(errors[0].message.contains("did you mean 'net_sentiment'"));
        assert!(with(|c| build("kpi", &[], c)).is_err());
    }

    #[test]
    fn hints_only_for_close_words() {
        assert_eq!(
            hint("volum", &["volume", "stream"]),
            " (did you mean 'volume'?)"
        );
        assert_eq!(hint("zzz", &["volume", "stream"]), "");
    }
}
