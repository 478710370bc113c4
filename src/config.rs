//! `config.toml`, read in two phases: the raw file (serde, with spans kept where a later check
//! may need to point at a line) and the validated `Config` that the rest of the program uses.
//! Every error names the file, the line and the column, and says what is wrong.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::alerts::AlertRule;
use crate::alerts::sinks::AlertSinkConfig;
use crate::analysis::topics::TopicConfig;
use crate::i18n::Locale;
pub use crate::ingest::SourceConfig;
use crate::layout::ThemeName;
use crate::privacy::{LobbyAction, LobbyPolicy};
pub use vigie_core::settings::{
    AnalysisConfig, AnalysisSettings, BrandConfig, ConfigError, SourceText, SpannedDocument,
    SpikeConfig, read_text,
};

// ---------------------------------------------------------------------------------------------
// Raw file
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    locale: Option<Spanned<String>>,
    #[serde(default)]
    wall: RawWall,
    #[serde(default, rename = "brands")]
    brands: Vec<Spanned<RawBrand>>,
    /// Read entry by entry from the document with every place kept (`read_sources`): each
    /// type takes its own fields.
    #[serde(default, rename = "sources")]
    _sources: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    analysis: RawAnalysis,
    #[serde(default)]
    spikes: RawSpikes,
    #[serde(default)]
    privacy: PrivacyConfig,
    #[serde(default)]
    display: RawDisplay,
    /// Read by the alert rules themselves, from the document with every place kept
    /// (`alerts::rules::read_rules`): each kind takes its own fields.
    #[serde(default, rename = "alerts")]
    _alerts: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    alert_sinks: Vec<Spanned<AlertSinkConfig>>,
    #[serde(default)]
    topics: Vec<Spanned<crate::analysis::topics::RawTopic>>,
    #[serde(default)]
    store: RawStore,
    #[serde(default)]
    bus: RawBus,
    #[serde(default)]
    control: crate::control::config::RawControl,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBus {
    url: Option<Spanned<String>>,
    stream: Option<Spanned<String>>,
    retention_hours: Option<Spanned<u32>>,
    hub_domain: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAnalysis {
    dedupe_capacity: Option<Spanned<usize>>,
    late_tolerance_minutes: Option<Spanned<u32>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSpikes {
    baseline_minutes: Option<Spanned<u32>>,
    threshold: Option<Spanned<f32>>,
    min_count: Option<Spanned<u32>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStore {
    enabled: Option<bool>,
    data_dir: Option<String>,
    retention_days: Option<Spanned<u32>>,
    min_free_mb: Option<Spanned<u64>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDisplay {
    theme: Option<Spanned<String>>,
    burn_in_shift: Option<bool>,
    night: Option<Spanned<String>>,
    night_mode: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWall {
    title: Option<String>,
    chart_hours: Option<Spanned<u32>>,
    sov_window_minutes: Option<Spanned<u32>>,
    width: Option<Spanned<u32>>,
    height: Option<Spanned<u32>>,
    fullscreen: Option<bool>,
    layout: Option<Spanned<String>>,
    picture_cache_mb: Option<Spanned<u32>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBrand {
    name: Spanned<String>,
    #[serde(default)]
    own: bool,
    color: Option<Spanned<String>>,
    keywords: Spanned<Vec<String>>,
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default)]
    accounts: Vec<Spanned<String>>,
}

// ---------------------------------------------------------------------------------------------
// Validated config
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub path: PathBuf,
    pub locale: Locale,
    pub wall: WallConfig,
    /// Own brand first, then competitors in file order.
    pub brands: Vec<BrandConfig>,
    pub sources: Vec<SourceConfig>,
    pub analysis: AnalysisConfig,
    pub spikes: SpikeConfig,
    pub privacy: PrivacyConfig,
    pub display: DisplayConfig,
    pub alerts: Vec<AlertRule>,
    pub alert_sinks: Vec<AlertSinkConfig>,
    /// Macro topics, each followed by its micro topics.
    pub topics: Vec<TopicConfig>,
    pub store: StoreConfig,
    pub bus: BusConfig,
    pub control: crate::control::ControlConfig,
}

/// Where a hub publishes and displays read: a NATS server with JetStream (`vigie hub`,
/// `vigie display`).
#[derive(Debug, Clone, PartialEq)]
pub struct BusConfig {
    /// `nats://host:port`; `--nats` overrides it.
    pub url: String,
    /// The JetStream stream of mentions and alerts; the hub's current state is in
    /// `<stream>_STATE`.
    pub stream: String,
    /// How long the stream keeps what the hub published: at least the widest window a display
    /// shows, so that a display started late finds it all.
    pub retention_hours: u32,
    /// The hub's JetStream domain, for a display in another room: its room's NATS server (a
    /// leaf node of the hub's, with a JetStream domain of its own) holds mirrors of the hub's
    /// streams, read from there. `None`: the display reads the hub's streams directly.
    pub hub_domain: Option<String>,
    /// A display's name in the hub's list of displays (`vigie display --name`; the machine's
    /// host name by default).
    pub display_name: Option<String>,
    /// The room a display belongs to (`vigie display --room`), for a layout switched in that
    /// room only.
    pub display_room: Option<String>,
}

/// Where and how long the history is kept.
#[derive(Debug, Clone, PartialEq)]
pub struct StoreConfig {
    /// No history at all when false (a throw-away wall, a test).
    pub enabled: bool,
    /// The folder of `vigie.sqlite3`, relative paths resolved against the config's folder.
    pub data_dir: PathBuf,
    /// Mentions, alerts and minutes older than this are removed in the background.
    pub retention_days: u32,
    /// Below this much free space on the history's disk, `vigie check` and the status line
    /// warn (the wall keeps running and counts what it cannot store).
    pub min_free_mb: u64,
}

/// What a wall in a public place hides.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrivacyConfig {
    /// Lobby mode on every layout that does not say otherwise.
    #[serde(default)]
    pub lobby: bool,
    /// What a lobby does with each category of listed words: `show`, `mask` or `hide`.
    #[serde(default = "LobbyAction::mask")]
    pub profanity: LobbyAction,
    #[serde(default = "LobbyAction::hide")]
    pub sexual: LobbyAction,
    #[serde(default = "LobbyAction::hide")]
    pub slurs: LobbyAction,
    #[serde(default = "LobbyAction::hide")]
    pub threats: LobbyAction,
    /// Pictures on a lobby: `approved` (only where the lobby asks for approval: every post it
    /// shows was approved) or `none`.
    #[serde(default)]
    pub lobby_pictures: LobbyPictures,
}

/// Which posts' pictures a lobby shows. Avatars never: a lobby names no author.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LobbyPictures {
    #[default]
    Approved,
    None,
}

impl Default for PrivacyConfig {
    fn default() -> Self {
        let policy = LobbyPolicy::default();
        PrivacyConfig {
            lobby: false,
            profanity: policy.profanity,
            sexual: policy.sexual,
            slurs: policy.slurs,
            threats: policy.threats,
            lobby_pictures: LobbyPictures::default(),
        }
    }
}

impl PrivacyConfig {
    pub fn policy(&self) -> LobbyPolicy {
        LobbyPolicy {
            profanity: self.profanity,
            sexual: self.sexual,
            slurs: self.slurs,
            threats: self.threats,
        }
    }
}

/// How the wall looks and how it protects its screens.
#[derive(Debug, Clone, PartialEq)]
pub struct DisplayConfig {
    pub theme: ThemeName,
    /// A slow shift of the whole wall by a few pixels, against burn-in.
    pub burn_in_shift: bool,
    pub night: Option<NightSchedule>,
}

/// Hours during which the wall dims or goes black (local time; may wrap past midnight).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NightSchedule {
    pub from: chrono::NaiveTime,
    pub to: chrono::NaiveTime,
    pub mode: NightMode,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NightMode {
    Dim,
    Blank,
}

impl NightSchedule {
    pub fn covers(&self, at: chrono::NaiveTime) -> bool {
        if self.from <= self.to {
            self.from <= at && at < self.to
        } else {
            at >= self.from || at < self.to
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct WallConfig {
    /// Shown in the header, left of the KPIs.
    pub title: String,
    /// How far back the volume chart looks.
    pub chart_hours: u32,
    /// Window over which share of voice is computed.
    pub sov_window_minutes: u32,
    pub width: u32,
    pub height: u32,
    pub fullscreen: bool,
    /// The layout file, relative paths resolved against the config's folder; the built-in
    /// single-screen layout when absent.
    pub layout: Option<PathBuf>,
    /// Where `layout = …` is written in the config: a layout file that cannot be read is an
    /// error there, not of a file nobody can open.
    pub layout_place: Option<ConfigError>,
    /// Megabytes of textures the posts' pictures and avatars may hold; 0: no pictures.
    pub picture_cache_mb: u32,
}

/// Ids the dedupe ledger may remember: below, a reconnect overlap is already forgotten; above,
/// the memory it reserves at start (about 250 bytes an id) passes a gigabyte.
const MIN_DEDUPE_CAPACITY: usize = 100;
const MAX_DEDUPE_CAPACITY: usize = 5_000_000;

const DEFAULT_COLORS: [&str; 6] = [
    "#4FC3F7", "#FFB74D", "#BA68C8", "#81C784", "#F06292", "#A1887F",
];

impl Config {
    /// What the analysis and the alert engine are built from.
    pub fn analysis_settings(&self) -> AnalysisSettings {
        AnalysisSettings {
            locale: self.locale,
            brands: self.brands.clone(),
            topics: self.topics.clone(),
            analysis: self.analysis.clone(),
            spikes: self.spikes.clone(),
            alerts: self.alerts.clone(),
            chart_hours: self.wall.chart_hours,
            sov_window_minutes: self.wall.sov_window_minutes,
        }
    }
}

impl Config {
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = read_text(path, "the config")?;
        Config::parse(path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let source = SourceText { file: path, text };
        let raw: RawConfig = toml::from_str(text)
            .map_err(|e| source.error_at(e.span(), e.message().trim().to_string()))?;

        // Every section is checked, whatever the others hold: the file's errors are reported
        // together.
        let mut problems = Problems::default();
        let locale = problems.check(match &raw.locale {
            None => Ok(Locale::Fr),
            Some(l) => Locale::parse(l.get_ref()).ok_or_else(|| {
                source.error_at(
                    Some(l.span()),
                    format!("unknown locale '{}': use \"fr\" or \"en\"", l.get_ref()),
                )
            }),
        });
        let wall = problems.check(validate_wall(&source, raw.wall));
        let brands = validate_brands(&source, raw.brands, &mut problems);
        // The lists whose fields depend on each entry's kind, from the file read again with
        // every place kept (its syntax was checked by the reading above).
        let mut document = SpannedDocument::parse(&source)?;
        let source_tables = document.take_tables(&source, "sources", &mut problems.0);
        let alert_tables = document
            .take_tables(&source, "alerts", &mut problems.0)
            .unwrap_or_default();
        let sources = read_sources(&source, source_tables, &mut problems);
        let analysis = problems.check(validate_analysis(&source, raw.analysis));
        let spikes = problems.check(validate_spikes(&source, raw.spikes));
        let display = problems.check(validate_display(&source, raw.display));
        let alerts = match &brands {
            Some(brands) => crate::alerts::rules::read_rules(&source, alert_tables, brands)
                .map_err(|errors| problems.0.extend(errors))
                .ok(),
            // Rules name brands: without them, they cannot be checked.
            None => None,
        };
        let alert_sinks = validate_alert_sinks(&source, raw.alert_sinks, &mut problems);
        let topics = problems.check(crate::analysis::topics::validate_topics(
            &source, raw.topics,
        ));
        let store = problems.check(validate_store(&source, path, raw.store));
        let bus = problems.check(validate_bus(&source, raw.bus));
        let control = crate::control::config::validate(&source, raw.control)
            .map_err(|errors| problems.0.extend(errors))
            .ok();
        if let Some(error) = ConfigError::all(problems.0) {
            return Err(error);
        }
        let (
            Some(locale),
            Some(wall),
            Some(brands),
            Some(analysis),
            Some(spikes),
            Some(display),
            Some(alerts),
            Some(topics),
            Some(store),
            Some(bus),
            Some(control),
        ) = (
            locale, wall, brands, analysis, spikes, display, alerts, topics, store, bus, control,
        )
        else {
            return Err(source.error_at(None, "the config could not be read"));
        };
        Ok(Config {
            path: path.to_path_buf(),
            locale,
            wall,
            brands,
            sources,
            analysis,
            spikes,
            privacy: raw.privacy,
            display,
            alerts,
            alert_sinks,
            topics,
            store,
            bus,
            control,
        })
    }
}

/// The errors found so far, each section's and each entry's.
#[derive(Default)]
struct Problems(Vec<ConfigError>);

impl Problems {
    fn check<T>(&mut self, result: Result<T, ConfigError>) -> Option<T> {
        result.map_err(|error| self.0.push(error)).ok()
    }
}

/// Every `[[sources]]` entry (`SpannedDocument::take_tables`), each read by its type from its
/// own fields, so that a field is located where it is written and every entry's errors are
/// reported.
/// `None`: `sources` was not a list, an error already reported.
fn read_sources(
    source: &SourceText,
    tables: Option<Vec<Spanned<DeTable<'_>>>>,
    problems: &mut Problems,
) -> Vec<SourceConfig> {
    let mut sources: Vec<SourceConfig> = Vec::new();
    let Some(tables) = tables else {
        return sources;
    };
    if tables.is_empty() {
        problems.0.push(source.error_at(
            None,
            "no [[sources]]: add at least one, for example `type = \"demo\"`",
        ));
    }
    let types = SourceConfig::TYPES.join(", ");
    for table in tables {
        let span = table.span();
        let table = table.into_inner();
        let (type_field, fields): (DeTable, DeTable) = table
            .into_iter()
            .partition(|(key, _)| key.get_ref() == "type");
        let Some((_, type_value)) = type_field.into_iter().next() else {
            problems.0.push(source.error_at(
                Some(span),
                format!("a source needs `type = \"…\"`: one of {types}"),
            ));
            continue;
        };
        let DeValue::String(type_name) = type_value.get_ref() else {
            problems.0.push(source.error_at(
                Some(type_value.span()),
                format!("`type` must be a string: one of {types}"),
            ));
            continue;
        };
        let fields = toml::de::Deserializer::from(Spanned::new(span.clone(), fields));
        let src = match SourceConfig::read(type_name, fields) {
            None => {
                problems.0.push(source.error_at(
                    Some(type_value.span()),
                    format!("unknown source type '{type_name}': use one of {types}"),
                ));
                continue;
            }
            Some(Err(e)) => {
                problems.0.push(source.error_at(
                    e.span().or(Some(span)),
                    format!("source of type {type_name}: {}", e.message().trim()),
                ));
                continue;
            }
            Some(Ok(src)) => src,
        };
        if sources.iter().any(|s| s.name() == src.name()) {
            problems.0.push(source.error_at(
                Some(span),
                format!(
                    "two sources are named '{}': give each a distinct `name`",
                    src.name()
                ),
            ));
        } else if let Some(problem) = src.problem() {
            problems
                .0
                .push(source.error_at(Some(span), format!("source '{}': {problem}", src.name())));
        } else {
            sources.push(src);
        }
    }
    sources
}

fn validate_alert_sinks(
    source: &SourceText,
    raw: Vec<Spanned<AlertSinkConfig>>,
    problems: &mut Problems,
) -> Vec<AlertSinkConfig> {
    let mut sinks: Vec<AlertSinkConfig> = Vec::new();
    for spanned in raw {
        let span = spanned.span();
        let sink = spanned.into_inner();
        if sinks.iter().any(|s| s.name == sink.name) {
            problems.0.push(source.error_at(
                Some(span),
                format!("two alert sinks are named '{}'", sink.name),
            ));
        } else if let Some(problem) = sink.problem() {
            problems.0.push(
                source.error_at(Some(span), format!("alert sink '{}': {problem}", sink.name)),
            );
        } else {
            sinks.push(sink);
        }
    }
    sinks
}

fn validate_display(source: &SourceText, raw: RawDisplay) -> Result<DisplayConfig, ConfigError> {
    let theme = match &raw.theme {
        None => ThemeName::Dark,
        Some(t) => ThemeName::parse(t.get_ref()).ok_or_else(|| {
            source.error_at(
                Some(t.span()),
                format!(
                    "unknown theme '{}': use one of {}",
                    t.get_ref(),
                    ThemeName::NAMES.join(", ")
                ),
            )
        })?,
    };
    let mode = match &raw.night_mode {
        None => NightMode::Dim,
        Some(m) => match m.get_ref().as_str() {
            "dim" => NightMode::Dim,
            "blank" => NightMode::Blank,
            other => {
                return Err(source.error_at(
                    Some(m.span()),
                    format!("unknown night_mode '{other}': use \"dim\" or \"blank\""),
                ));
            }
        },
    };
    let night = match &raw.night {
        None => None,
        Some(hours) => {
            let bad = || {
                source.error_at(
                    Some(hours.span()),
                    format!(
                        "night = \"{}\" is not a span of hours: write it as \"22:00-07:00\"",
                        hours.get_ref()
                    ),
                )
            };
            let (from, to) = hours.get_ref().split_once('-').ok_or_else(bad)?;
            let parse = |t: &str| chrono::NaiveTime::parse_from_str(t.trim(), "%H:%M");
            let (from, to) = (
                parse(from).map_err(|_| bad())?,
                parse(to).map_err(|_| bad())?,
            );
            if from == to {
                return Err(bad());
            }
            Some(NightSchedule { from, to, mode })
        }
    };
    Ok(DisplayConfig {
        theme,
        burn_in_shift: raw.burn_in_shift.unwrap_or(true),
        night,
    })
}

fn validate_wall(source: &SourceText, raw: RawWall) -> Result<WallConfig, ConfigError> {
    let base = source.file.parent().unwrap_or(Path::new(""));
    let layout_place = raw
        .layout
        .as_ref()
        .map(|l| source.error_at(Some(l.span()), "[wall] layout"));
    let layout = raw.layout.map(|l| base.join(l.into_inner()));
    let chart_hours = ranged(
        source,
        raw.chart_hours,
        6,
        1..=48,
        "[wall] chart_hours",
        "how far back the volume chart looks",
    )?;
    let sov_window_minutes = ranged(
        source,
        raw.sov_window_minutes,
        60,
        5..=24 * 60,
        "[wall] sov_window_minutes",
        "the window share of voice is computed over",
    )?;
    let width = ranged(
        source,
        raw.width,
        1920,
        320..=16_384,
        "[wall] width",
        "pixels of a window when not fullscreen",
    )?;
    let height = ranged(
        source,
        raw.height,
        1080,
        240..=16_384,
        "[wall] height",
        "pixels of a window when not fullscreen",
    )?;
    let picture_cache_mb = ranged(
        source,
        raw.picture_cache_mb,
        64,
        0..=1024,
        "[wall] picture_cache_mb",
        "megabytes of pictures the wall holds; 0 shows none",
    )?;
    Ok(WallConfig {
        picture_cache_mb,
        title: raw.title.unwrap_or_else(|| "Vigie".into()),
        chart_hours,
        sov_window_minutes,
        width,
        height,
        fullscreen: raw.fullscreen.unwrap_or(false),
        layout,
        layout_place,
    })
}

/// Days of history a store keeps at most: a year.
const MAX_RETENTION_DAYS: u32 = 366;

fn validate_analysis(source: &SourceText, raw: RawAnalysis) -> Result<AnalysisConfig, ConfigError> {
    let defaults = AnalysisConfig::default();
    let dedupe_capacity = ranged(
        source,
        raw.dedupe_capacity,
        defaults.dedupe_capacity,
        MIN_DEDUPE_CAPACITY..=MAX_DEDUPE_CAPACITY,
        "[analysis] dedupe_capacity",
        "the ledger reserves about 250 bytes an id at start",
    )?;
    Ok(AnalysisConfig {
        dedupe_capacity,
        late_tolerance_minutes: ranged(
            source,
            raw.late_tolerance_minutes,
            defaults.late_tolerance_minutes,
            0..=MAX_LATE_TOLERANCE_MINUTES,
            "[analysis] late_tolerance_minutes",
            "a mention older than the figures' widest window cannot land in it anyway",
        )?,
    })
}

/// Late mentions are taken up to two days back: the widest chart.
const MAX_LATE_TOLERANCE_MINUTES: u32 = 48 * 60;
/// The spike baseline looks back at most a day: the ring of minutes is sized to hold it.
const MAX_BASELINE_MINUTES: u32 = 24 * 60;

fn validate_spikes(source: &SourceText, raw: RawSpikes) -> Result<SpikeConfig, ConfigError> {
    let defaults = SpikeConfig::default();
    Ok(SpikeConfig {
        baseline_minutes: ranged(
            source,
            raw.baseline_minutes,
            defaults.baseline_minutes,
            5..=MAX_BASELINE_MINUTES,
            "[spikes] baseline_minutes",
            "the minutes of the past a minute is compared with; the wall keeps them in memory",
        )?,
        threshold: ranged(
            source,
            raw.threshold,
            defaults.threshold,
            0.5..=1000.0,
            "[spikes] threshold",
            "robust z-scores: 6 flags about one ordinary minute in a million",
        )?,
        min_count: ranged(
            source,
            raw.min_count,
            defaults.min_count,
            1..=1_000_000,
            "[spikes] min_count",
            "the fewest mentions in a minute that may be a spike",
        )?,
    })
}

/// `raw` when it lies in `range` (NaN never does), `default` when it is absent, else an error
/// at its place that gives the range and why there is one.
fn ranged<T>(
    source: &SourceText,
    raw: Option<Spanned<T>>,
    default: T,
    range: std::ops::RangeInclusive<T>,
    what: &str,
    why: &str,
) -> Result<T, ConfigError>
where
    T: PartialOrd + std::fmt::Display + Copy,
{
    match raw {
        None => Ok(default),
        Some(value) if range.contains(value.get_ref()) => Ok(value.into_inner()),
        Some(value) => Err(source.error_at(
            Some(value.span()),
            format!(
                "{what} = {} is out of range: use {} to {} ({why})",
                value.get_ref(),
                range.start(),
                range.end()
            ),
        )),
    }
}

fn validate_store(
    source: &SourceText,
    config_path: &Path,
    raw: RawStore,
) -> Result<StoreConfig, ConfigError> {
    let retention_days = ranged(
        source,
        raw.retention_days,
        30,
        1..=MAX_RETENTION_DAYS,
        "[store] retention_days",
        "days of history kept: a year at most",
    )?;
    let min_free_mb = ranged(
        source,
        raw.min_free_mb,
        500,
        0..=1_000_000,
        "[store] min_free_mb",
        "megabytes free under which the wall warns: 0 never warns",
    )?;
    let dir = PathBuf::from(raw.data_dir.unwrap_or_else(|| "data".to_string()));
    let data_dir = if dir.is_absolute() {
        dir
    } else {
        config_path
            .parent()
            .map_or_else(|| dir.clone(), |parent| parent.join(&dir))
    };
    Ok(StoreConfig {
        enabled: raw.enabled.unwrap_or(true),
        data_dir,
        retention_days,
        min_free_mb,
    })
}

/// Hours a bus stream keeps at most: a month (a display shows two days at most).
const MAX_BUS_RETENTION_HOURS: u32 = 24 * 31;

fn validate_bus(source: &SourceText, raw: RawBus) -> Result<BusConfig, ConfigError> {
    let url = match raw.url {
        None => "nats://127.0.0.1:4222".to_string(),
        Some(url) if url.get_ref().trim().is_empty() => {
            return Err(source.error_at(Some(url.span()), "[bus] url is empty"));
        }
        Some(url) => url.into_inner(),
    };
    let stream = match raw.stream {
        None => "VIGIE".to_string(),
        // JetStream's rule for stream names: no spaces, dots, wildcards or path separators.
        Some(name) if !is_nats_name(name.get_ref()) => {
            return Err(source.error_at(
                Some(name.span()),
                "[bus] stream must be letters, digits, '_' and '-' only",
            ));
        }
        Some(name) => name.into_inner(),
    };
    let retention_hours = ranged(
        source,
        raw.retention_hours,
        48,
        1..=MAX_BUS_RETENTION_HOURS,
        "[bus] retention_hours",
        "hours the streams keep what the hub published",
    )?;
    let hub_domain = match raw.hub_domain {
        None => None,
        Some(domain) if !is_nats_name(domain.get_ref()) => {
            return Err(source.error_at(
                Some(domain.span()),
                "[bus] hub_domain must be letters, digits, '_' and '-' only (the hub server's \
                 JetStream domain)",
            ));
        }
        Some(domain) => Some(domain.into_inner()),
    };
    Ok(BusConfig {
        url,
        stream,
        retention_hours,
        hub_domain,
        display_name: None,
        display_room: None,
    })
}

/// A name that fits in one subject token: a JetStream stream's or domain's
/// (`$JS.<domain>.API`), letters, digits, `_` and `-` only.
pub fn is_nats_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// The brands, own first. A brand with an error is still listed (the error reported), so that
/// the rules and topics naming it are checked too.
fn validate_brands(
    source: &SourceText,
    raw: Vec<Spanned<RawBrand>>,
    problems: &mut Problems,
) -> Option<Vec<BrandConfig>> {
    let mut fail = |error: ConfigError| problems.0.push(error);
    if raw.is_empty() {
        fail(source.error_at(
            None,
            "no [[brands]]: name at least the brand the room works for",
        ));
        return None;
    }
    if raw.len() > crate::analysis::dedupe::MAX_BRANDS {
        fail(source.error_at(
            Some(raw[crate::analysis::dedupe::MAX_BRANDS].span()),
            format!(
                "too many [[brands]]: a wall follows at most {}",
                crate::analysis::dedupe::MAX_BRANDS
            ),
        ));
        return None;
    }
    let mut own = Vec::new();
    let mut competitors = Vec::new();
    let mut own_span = None;
    for (index, spanned) in raw.into_iter().enumerate() {
        let span = spanned.span();
        let brand = spanned.into_inner();
        let name = brand.name.get_ref().trim().to_string();
        if name.is_empty() {
            fail(source.error_at(Some(brand.name.span()), "brand name is empty"));
        }
        if brand.keywords.get_ref().iter().all(|k| k.trim().is_empty()) {
            fail(source.error_at(
                Some(brand.keywords.span()),
                format!("brand '{name}' has no keywords: list the words that mean it"),
            ));
        }
        let color = match brand.color {
            None => DEFAULT_COLORS[index % DEFAULT_COLORS.len()].to_string(),
            Some(c) => {
                if parse_hex_color(c.get_ref()).is_none() {
                    fail(source.error_at(
                        Some(c.span()),
                        format!("colour '{}' is not a #rrggbb colour", c.get_ref()),
                    ));
                }
                c.into_inner()
            }
        };
        let mut accounts = Vec::new();
        for account in brand.accounts {
            let handle = account
                .get_ref()
                .trim()
                .trim_start_matches('@')
                .to_lowercase();
            if handle.is_empty() || handle.contains(char::is_whitespace) {
                fail(source.error_at(
                    Some(account.span()),
                    format!(
                        "'{}' is not an account handle: write it as \"@petitloup\" or \
                         \"petitloup@mastodon.social\"",
                        account.get_ref()
                    ),
                ));
            }
            accounts.push(handle);
        }
        let validated = BrandConfig {
            name,
            own: brand.own,
            color,
            keywords: brand.keywords.into_inner(),
            exclude: brand.exclude,
            accounts,
        };
        if validated.own {
            if own_span.is_some() {
                fail(source.error_at(
                    Some(span.clone()),
                    "two brands have `own = true`: the room works for one brand",
                ));
            }
            own_span = Some(span);
            own.push(validated);
        } else {
            competitors.push(validated);
        }
    }
    if own.is_empty() {
        // The first brand listed is the room's own when none says so.
        let mut first = competitors.remove(0);
        first.own = true;
        own.push(first);
    }
    own.extend(competitors);
    Some(own)
}

/// `#rrggbb` → (r, g, b).
pub fn parse_hex_color(text: &str) -> Option<(u8, u8, u8)> {
    let hex = text.strip_prefix('#')?;
    if hex.len() != 6 || !hex.is_ascii() {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some((byte(0)?, byte(2)?, byte(4)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(Path::new("config.toml"), text)
    }

    const GOOD: &str = r##"
locale = "en"
[wall]
title = "Room"
[[brands]]
name = "Rival"
keywords = ["rival"]
[[brands]]
name = "Petit Loup"
own = true
color = "#112233"
keywords = ["petit loup"]
[[sources]]
type = "demo"
"##;

    #[test]
    fn every_error_of_the_file_is_reported_in_file_order() {
        let text = GOOD
            .replace("locale = \"en\"", "locale = \"de\"")
            .replace("color = \"#112233\"", "color = \"bleu\"")
            + "[[sources]]\ntype = \"feed\"\nurls = []\n\
               [[sources]]\ntype = \"reddit\"\nname = \"r\"\nsubreddit = \"x\"\n\
               [[alerts]]\nname = \"a\"\nkind = \"keyword\"\nwords = [\"x\"]\nthreshold = 2\n\
               [bus]\nurl = \"nats://localhost\"\nstream = \"pas un nom\"\n";
        let err = parse(&text).expect_err("six errors");
        let found: Vec<(usize, &str)> = err
            .each()
            .map(|e| (e.line, e.message.split(' ').next().unwrap_or_default()))
            .collect();
        assert_eq!(found.len(), 6, "{err}");
        assert_eq!(
            found.iter().map(|(line, _)| *line).collect::<Vec<_>>(),
            vec![2, 11, 15, 21, 26, 29],
            "{err}"
        );
        assert!(err.message.contains("unknown locale 'de'"), "{err}");
        assert!(err.also[0].message.contains("colour 'bleu'"), "{err}");
        assert!(
            err.also[1].message.contains("give at least one feed URL"),
            "{err}"
        );
        assert!(err.also[2].message.contains("`subreddit`"), "{err}");
        assert!(
            err.also[3].message.contains("`threshold` does not apply"),
            "{err}"
        );
        assert!(err.also[4].message.contains("stream"), "{err}");
        assert_eq!(err.to_string().lines().count(), 6, "one line each: {err}");
    }

    #[test]
    fn the_shipped_config_is_valid() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config.toml");
        let config = Config::load(&path).expect("shipped config.toml must be valid");
        assert!(config.brands[0].own);
        assert!(config.brands.len() >= 4);
    }

    #[test]
    fn own_brand_comes_first_and_defaults_fill_in() {
        let config = parse(GOOD).expect("valid");
        assert_eq!(config.locale, Locale::En);
        assert_eq!(config.brands[0].name, "Petit Loup");
        assert!(config.brands[0].own);
        assert_eq!(config.brands[1].name, "Rival");
        assert_eq!(config.wall.chart_hours, 6);
        assert!(matches!(
            &config.sources[0],
            SourceConfig::Demo(demo) if demo.scenario == "poster-backlash" && demo.seed == 42
        ));
    }

    #[test]
    fn a_syntax_error_names_file_line_and_column() {
        let broken = GOOD.replace("title = \"Room\"", "title = \"Room");
        let err = parse(&broken).expect_err("unterminated string");
        assert_eq!(err.file, Path::new("config.toml"));
        assert_eq!(err.line, 4, "{err}");
        assert!(err.to_string().starts_with("config.toml:4:"), "{err}");
    }

    #[test]
    fn the_bus_has_defaults_and_its_errors_are_located() {
        let config = parse(GOOD).expect("valid");
        assert_eq!(config.bus.url, "nats://127.0.0.1:4222");
        assert_eq!(config.bus.stream, "VIGIE");
        assert_eq!(config.bus.retention_hours, 48);
        let bad_stream = format!("{GOOD}[bus]\nstream = \"vigie.main\"\n");
        let err = parse(&bad_stream).expect_err("a dot in a stream name");
        assert_eq!(err.line, 16, "{err}");
        assert!(err.message.contains("letters, digits"), "{err}");
        let bad_retention = format!("{GOOD}[bus]\nretention_hours = 0\n");
        let err = parse(&bad_retention).expect_err("no retention");
        assert_eq!(err.line, 16, "{err}");
        assert!(err.message.contains("retention_hours"), "{err}");
    }

    #[test]
    fn a_dedupe_capacity_out_of_range_is_located() {
        let config =
            parse(&format!("{GOOD}[analysis]\nlate_tolerance_minutes = 60\n")).expect("valid");
        assert_eq!(config.analysis.dedupe_capacity, 200_000);
        assert_eq!(config.analysis.late_tolerance_minutes, 60);
        for ids in [0, 50_000_000] {
            let text = format!("{GOOD}[analysis]\ndedupe_capacity = {ids}\n");
            let err = parse(&text).expect_err("out of range");
            assert_eq!(err.line, 16, "{err}");
            assert!(err.message.contains("dedupe_capacity"), "{err}");
        }
    }

    #[test]
    fn spike_and_late_figures_out_of_range_are_located_nan_included() {
        // The values that `vigie check` used to accept, then ate memory or never flagged.
        for (key, value) in [
            ("baseline_minutes", "4294967295"),
            ("baseline_minutes", "1000000"),
            ("baseline_minutes", "0"),
            ("threshold", "nan"),
            ("threshold", "inf"),
            ("threshold", "0"),
            ("threshold", "-3.0"),
            ("min_count", "0"),
        ] {
            let text = format!("{GOOD}[spikes]\n{key} = {value}\n");
            let err = parse(&text).expect_err(value);
            assert_eq!(err.line, 16, "{key} = {value}: {err}");
            assert!(err.message.contains(&format!("[spikes] {key}")), "{err}");
            assert!(err.message.contains("out of range"), "{err}");
        }
        let config = parse(&format!(
            "{GOOD}[spikes]\nbaseline_minutes = 1440\nthreshold = 4\nmin_count = 3\n"
        ))
        .expect("in range");
        assert_eq!(config.spikes.baseline_minutes, 1440);
        assert_eq!(config.spikes.threshold, 4.0);
        assert_eq!(config.spikes.min_count, 3);
        let err = parse(&format!(
            "{GOOD}[analysis]\nlate_tolerance_minutes = 4294967295\n"
        ))
        .expect_err("out of range");
        assert_eq!(err.line, 16, "{err}");
        assert!(err.message.contains("late_tolerance_minutes"), "{err}");
    }

    #[test]
    fn window_sizes_poll_periods_and_alert_minutes_out_of_range_are_located() {
        let wide = GOOD.replace("title = \"Room\"", "title = \"Room\"\nwidth = 4294967295");
        let err = parse(&wide).expect_err("a window four billion pixels wide");
        assert_eq!(err.line, 5, "{err}");
        assert!(err.message.contains("[wall] width"), "{err}");
        let rare = format!(
            "{GOOD}[[sources]]\ntype = \"feed\"\nurls = [\"https://x.example/rss\"]\n\
             poll_seconds = 18446744073709551615\n"
        );
        let err = parse(&rare).expect_err("a poll every 584 billion years");
        assert_eq!(err.line, 15, "the source's header: {err}");
        assert!(err.message.contains("poll_seconds"), "{err}");
        for (key, value, line) in [
            ("cooldown_minutes", "4294967295", 18),
            ("after_minutes", "0", 18),
            ("within_words", "1000000", 18),
        ] {
            let kind = if key == "after_minutes" {
                "source_down"
            } else {
                "keyword"
            };
            let text = format!(
                "{GOOD}[[alerts]]\nname = \"a\"\nkind = \"{kind}\"\n{key} = {value}\n\
                 {}",
                if kind == "keyword" {
                    "words = [\"rappel\"]\n"
                } else {
                    ""
                }
            );
            let err = parse(&text).expect_err(key);
            assert_eq!(err.line, line, "{key}: {err}");
            assert!(err.message.contains("out of range"), "{key}: {err}");
        }
    }

    #[test]
    fn a_demo_history_beyond_the_widest_chart_is_located() {
        // It used to panic the ingest thread (`DateTime - TimeDelta overflowed`) while the
        // process went on with a dead source and exited 0.
        let text = format!("{GOOD}history_hours = 4294967295\n");
        let err = parse(&text).expect_err("out of range");
        // The source's `[[sources]]` line, as every problem of a source's settings.
        assert_eq!(err.line, 13, "{err}");
        assert!(err.message.contains("history_hours = 4294967295"), "{err}");
        let config = parse(&format!("{GOOD}history_hours = 48\n")).expect("the widest chart");
        assert!(matches!(
            &config.sources[0],
            SourceConfig::Demo(demo) if demo.history_hours == 48
        ));
    }

    #[test]
    fn a_file_that_is_not_utf8_is_located_and_a_missing_one_has_no_line() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("config.toml");
        std::fs::write(&path, b"locale = \"fr\"\n# caf\xe9 du coin\n").expect("write");
        let err = Config::load(&path).expect_err("not UTF-8");
        assert_eq!((err.line, err.column), (2, 6), "{err}");
        assert!(err.to_string().ends_with(
            "config.toml:2:6: the config is not UTF-8 text (byte 0xe9): save it as UTF-8"
        ));
        let err = Config::load(&dir.path().join("missing.toml")).expect_err("missing");
        assert!(!err.to_string().contains(":0:0"), "{err}");
        assert!(
            err.to_string()
                .contains("missing.toml: cannot read the config"),
            "{err}"
        );
    }

    #[test]
    fn an_unknown_key_is_located() {
        let broken = GOOD.replace("own = true", "owner = true");
        let err = parse(&broken).expect_err("unknown field");
        assert_eq!(err.line, 10, "{err}");
        assert!(err.message.contains("owner"), "{err}");
    }

    #[test]
    fn what_a_lobby_does_with_each_category_is_read_and_a_wrong_action_located() {
        let config = parse(&format!(
            "{GOOD}\n[privacy]\nlobby = true\nprofanity = \"hide\"\n"
        ))
        .expect("valid");
        let policy = config.privacy.policy();
        assert_eq!(policy.profanity, LobbyAction::Hide);
        assert_eq!(policy.slurs, LobbyAction::Hide, "the default");
        assert_eq!(
            parse(GOOD).expect("valid").privacy.policy(),
            LobbyPolicy::default()
        );
        let err =
            parse(&format!("{GOOD}\n[privacy]\nslurs = \"blur\"\n")).expect_err("no such action");
        assert_eq!(err.line, 17, "{err}");
        assert!(err.message.contains("blur"), "{err}");
    }

    #[test]
    fn a_hub_domain_is_read_and_a_wrong_one_located() {
        let config = parse(&format!("{GOOD}\n[bus]\nhub_domain = \"hq\"\n")).expect("valid");
        assert_eq!(config.bus.hub_domain.as_deref(), Some("hq"));
        assert_eq!(parse(GOOD).expect("valid").bus.hub_domain, None);
        let err = parse(&format!("{GOOD}\n[bus]\nhub_domain = \"h.q\"\n")).expect_err("a dot");
        assert_eq!(err.line, 17, "{err}");
        assert!(err.message.contains("hub_domain"), "{err}");
    }

    #[test]
    fn a_bad_colour_is_located() {
        let broken = GOOD.replace("#112233", "#11223");
        let err = parse(&broken).expect_err("bad colour");
        assert_eq!(err.line, 11, "{err}");
        assert!(err.message.contains("#rrggbb"), "{err}");
    }

    #[test]
    fn every_live_source_documented_in_the_shipped_config_is_valid() {
        // The commented examples of config.toml, uncommented, must parse as they stand.
        let shipped = include_str!("../config.toml");
        let mut examples = String::new();
        let mut in_example = false;
        for line in shipped.lines() {
            if line == "# [[sources]]" {
                in_example = true;
            } else if !line.starts_with("# ") || line.starts_with("# Live sources") {
                in_example = false;
            }
            if in_example && let Some(code) = line.strip_prefix("# ") {
                let first = code.chars().next().unwrap_or(' ');
                if first == '[' || first.is_ascii_lowercase() {
                    examples.push_str(code);
                    examples.push('\n');
                }
            }
        }
        let text = format!("{GOOD}{examples}");
        let config = parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let kinds: Vec<&str> = config.sources.iter().map(SourceConfig::type_name).collect();
        assert_eq!(
            kinds,
            [
                "demo",
                "replay",
                "mastodon",
                "bluesky",
                "feed",
                "reddit",
                "hackernews",
                "webhook",
                "news",
                "appstore",
                "discourse",
                "youtube",
                "threads",
                "x"
            ]
        );
        assert_eq!(config.sources[2].token_env(), Some("VIGIE_MASTODON_TOKEN"));
    }

    #[test]
    fn bad_source_values_are_located_and_explained() {
        let cases = [
            (
                "[[sources]]\ntype = \"mastodon\"\ninstances = [\"ftp://example.org\"]\n",
                "use a https or http URL",
            ),
            (
                "[[sources]]\ntype = \"mastodon\"\ninstances = [\"https://a.b\"]\nstreams = [\"federated\"]\n",
                "unknown stream 'federated'",
            ),
            (
                "[[sources]]\ntype = \"feed\"\nurls = [\"https://a.b/rss\"]\npoll_seconds = 5\n",
                "at least 60",
            ),
            (
                "[[sources]]\ntype = \"webhook\"\nlisten = \"everywhere\"\ntoken_env = \"T\"\n",
                "is not an address:port",
            ),
            (
                "[[sources]]\ntype = \"bluesky\"\nurl = \"https://jetstream.example\"\n",
                "use a wss or ws URL",
            ),
            (
                "[[sources]]\ntype = \"feed\"\nurls = []\n",
                "at least one feed URL",
            ),
        ];
        for (extra, wanted) in cases {
            let err = parse(&format!("{GOOD}{extra}")).expect_err(extra);
            assert_eq!(err.line, 15, "{err}");
            assert!(err.message.contains(wanted), "{extra}: {err}");
        }
    }

    #[test]
    fn an_unknown_scenario_lists_the_known_ones() {
        let broken = format!("{GOOD}scenario = \"nope\"\n");
        let err = parse(&broken).expect_err("bad scenario");
        assert_eq!(err.line, 13, "{err}");
        assert!(err.message.contains("poster-backlash"), "{err}");
    }

    #[test]
    fn an_unknown_source_type_is_refused() {
        let broken = GOOD.replace("type = \"demo\"", "type = \"telepathy\"");
        let err = parse(&broken).expect_err("bad type");
        assert!(err.message.contains("telepathy"), "{err}");
        assert_eq!(err.line, 14, "{err}");
    }

    #[test]
    fn a_brand_without_keywords_is_refused() {
        let broken = GOOD.replace("keywords = [\"rival\"]", "keywords = []");
        let err = parse(&broken).expect_err("no keywords");
        assert_eq!(err.line, 7, "{err}");
    }

    #[test]
    fn hex_colours() {
        assert_eq!(parse_hex_color("#ff8000"), Some((255, 128, 0)));
        assert_eq!(parse_hex_color("ff8000"), None);
        assert_eq!(parse_hex_color("#ff80"), None);
        assert_eq!(parse_hex_color("#gg8000"), None);
    }

    #[test]
    fn the_control_page_needs_users_and_each_user_error_is_located() {
        let config = parse(GOOD).expect("valid");
        assert_eq!(config.control.listen.to_string(), "127.0.0.1:8788");
        assert!(config.control.why_off().is_some(), "no user, no page");
        let hash = crate::control::auth::hash_password("secret").expect("hash");
        let good = format!(
            "{GOOD}[control]\nlisten = \"0.0.0.0:9000\"\ntoken_env = \"VIGIE_TOKEN\"\n\
             [[control.users]]\nname = \"camille\"\nrole = \"operator\"\npassword_hash = \"{hash}\"\n"
        );
        let config = parse(&good).expect("valid");
        assert_eq!(config.control.why_off(), None);
        assert_eq!(config.control.users[0].role, crate::control::Role::Operator);
        assert_eq!(config.control.token_env.as_deref(), Some("VIGIE_TOKEN"));
        let lines_before = GOOD.lines().count();
        let broken = format!(
            "{GOOD}[control]\nlisten = \"localhost\"\n\
             [[control.users]]\nname = \"camille\"\nrole = \"boss\"\npassword_hash = \"{hash}\"\n\
             [[control.users]]\nname = \"léo\"\nrole = \"viewer\"\npassword_hash = \"hunter2\"\n"
        );
        let err = parse(&broken).expect_err("three errors");
        let lines: Vec<usize> = std::iter::once(err.line)
            .chain(err.also.iter().map(|e| e.line))
            .collect();
        assert_eq!(
            lines,
            [lines_before + 2, lines_before + 5, lines_before + 10],
            "{err}"
        );
        assert!(err.message.contains("not an address and port"), "{err}");
        assert!(err.also[0].message.contains("role 'boss'"), "{err}");
        assert!(err.also[1].message.contains("vigie passwd"), "{err}");
    }
}
