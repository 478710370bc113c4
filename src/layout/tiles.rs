//! What every tile kind's options share, as a layout file writes them: windows, brands,
//! platforms, counts, and the reader that collects their problems. Each kind's own options are
//! in its folder (`src/wall/tiles/<kind>/options.rs`); `wall::tiles::KINDS` is the one list of
//! kinds that the parser, the hints and the wall read. `docs/layouts.md` documents each kind.

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

    pub fn parse(name: &str) -> Option<Metric> {
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
pub use crate::analysis::influencers::MAX_INFLUENCER_MINUTES;
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

/// The options of one kind of tile, read from a layout file: Bevy-free, so that `vigie check`
/// and the layout's tests read them without a renderer. Each kind's own type is in its folder,
/// `src/wall/tiles/<kind>/options.rs`, beside its widget.
pub trait TileOptions: Sized {
    /// The options it takes, besides `kind`: any other is refused, with a hint.
    const OPTIONS: &'static [&'static str];

    /// Reads them; a wrong value is reported to `options` and replaced by its default, so that
    /// every option's problem is reported at once.
    fn read(options: &mut OptionReader<'_>) -> Self;

    /// The windows the analysis must keep for it.
    fn windows(&self, _own: usize) -> TileWindows {
        TileWindows::default()
    }
}

/// What a tile asks of the analysis.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TileWindows {
    /// A volume chart over this many minutes.
    pub chart: Option<u32>,
    /// Shares (of voice, of tone, of topics) over this many minutes.
    pub share: Option<u32>,
    /// Trending terms over this many minutes, for this brand.
    pub trending: Option<(u32, usize)>,
    /// Influencers over this many minutes, for this brand.
    pub influencers: Option<(u32, usize)>,
}

/// A tile's options as written, and the problems found reading them.
pub struct OptionReader<'a> {
    options: &'a [(String, Value)],
    context: &'a TileContext<'a>,
    errors: Vec<OptionError>,
}

impl<'a> OptionReader<'a> {
    pub fn new(options: &'a [(String, Value)], context: &'a TileContext<'a>) -> Self {
        Self {
            options,
            context,
            errors: Vec::new(),
        }
    }

    /// Reads a kind's options: the value, or every problem found.
    pub fn read<T: TileOptions>(mut self) -> Result<T, Vec<OptionError>> {
        let value = T::read(&mut self);
        if self.errors.is_empty() {
            Ok(value)
        } else {
            Err(self.errors)
        }
    }

    pub fn context(&self) -> &TileContext<'a> {
        self.context
    }

    /// The value of `name`, as written.
    pub fn get(&self, name: &str) -> Option<&'a Value> {
        self.options.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    /// A problem with `option` (`None`: with the tile itself).
    pub fn error(&mut self, option: Option<&str>, message: impl Into<String>) {
        self.errors.push(OptionError {
            option: option.map(str::to_string),
            message: message.into(),
        });
    }

    /// A window ("6h", "90m") of at most `max` minutes.
    pub fn window(&mut self, name: &str, default: u32, max: u32) -> u32 {
        match self.get(name) {
            None => default,
            Some(value) => parse_window(value, max).unwrap_or_else(|message| {
                self.error(Some(name), message);
                default
            }),
        }
    }

    /// A whole number from 1 to `max`.
    pub fn count(&mut self, name: &str, default: usize, max: usize) -> usize {
        match self.get(name) {
            None => default,
            Some(Value::Integer(n)) if (1..=max as i64).contains(n) => *n as usize,
            Some(_) => {
                self.error(
                    Some(name),
                    format!("`{name}` must be a whole number from 1 to {max}"),
                );
                default
            }
        }
    }

    /// A string, if given.
    pub fn text(&mut self, name: &str) -> Option<String> {
        match self.get(name) {
            None => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                self.error(Some(name), format!("`{name}` must be a string"));
                None
            }
        }
    }

    /// One brand by its name in config.toml, or "own" (the default).
    pub fn brand(&mut self, name: &str) -> BrandRef {
        match self.get(name) {
            None => BrandRef::Own,
            Some(Value::String(brand)) if brand == "own" => BrandRef::Own,
            Some(Value::String(brand)) => match find_brand(brand, self.context) {
                Ok(index) => BrandRef::Index(index),
                Err(message) => {
                    self.error(Some(name), message);
                    BrandRef::Own
                }
            },
            Some(_) => {
                self.error(
                    Some(name),
                    format!("`{name}` is a brand's name from config.toml, or \"own\""),
                );
                BrandRef::Own
            }
        }
    }

    /// A list of brands; empty: every brand (`["all"]`, or nothing written).
    pub fn brands(&mut self, name: &str) -> Vec<usize> {
        match self.get(name) {
            None => Vec::new(),
            Some(value) => brand_list(value, self.context).unwrap_or_else(|message| {
                self.error(Some(name), message);
                Vec::new()
            }),
        }
    }

    /// A platform by its name, if given.
    pub fn platform(&mut self, name: &str) -> Option<Platform> {
        let value = self.get(name)?;
        platform_option(value)
            .map_err(|message| self.error(Some(name), message))
            .ok()
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
    use crate::wall::tiles::TileSpec;
    use crate::wall::tiles::kpi::KpiOptions;
    use crate::wall::tiles::share_of_voice::ShareOfVoiceOptions;
    use crate::wall::tiles::topics::TopicsOptions;
    use crate::wall::tiles::trending::TrendingOptions;
    use crate::wall::tiles::volume::VolumeOptions;

    fn build(
        kind: &str,
        options: &[(String, Value)],
        context: &TileContext,
    ) -> Result<TileSpec, Vec<OptionError>> {
        TileSpec::build(kind, options, context)
    }

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
            Ok(TileSpec::ShareOfVoice(ShareOfVoiceOptions {
                window_minutes: 60,
                by: ShareBasis::Engagement,
                platform: None,
            }))
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
            Ok(TileSpec::ShareOfVoice(ShareOfVoiceOptions {
                window_minutes: 60,
                by: ShareBasis::Volume,
                platform: Some(Platform::Bluesky),
            }))
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
            Ok(TileSpec::Trending(TrendingOptions {
                window_minutes: 120,
                brand: BrandRef::Index(1),
                rows: 5
            }))
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
            Ok(TileSpec::Topics(TopicsOptions {
                window_minutes: 60,
                brand: BrandRef::Own
            }))
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
            Ok(TileSpec::Volume(VolumeOptions {
                window_minutes: 120,
                brand: BrandRef::Index(1)
            }))
        );
        let defaults = with(|c| build("share_of_voice", &[], c));
        assert_eq!(
            defaults,
            Ok(TileSpec::ShareOfVoice(ShareOfVoiceOptions {
                window_minutes: 60,
                by: ShareBasis::Volume,
                platform: None,
            }))
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
        assert_eq!(
            with(|c| build(
                "kpi",
                &[("metric".into(), Value::String("engagement".into()))],
                c
            )),
            Ok(TileSpec::Kpi(KpiOptions {
                metric: Metric::Engagement,
                brand: BrandRef::Own
            }))
        );
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
