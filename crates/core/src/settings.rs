//! The settings the core runs on (brands, topics, spikes, alert rules, analysis limits), built
//! by the program's config module from `config.toml`, and the located error every settings file
//! reports: the core owns these types so that the arrows run config → core, never back.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeString, DeTable, DeValue};

use crate::alerts::AlertRule;
use crate::analysis::topics::TopicConfig;
use crate::i18n::Locale;
use crate::model::BrandInfo;

/// Everything the analysis and the alert engine are built from.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisSettings {
    pub locale: Locale,
    /// Own brand first, then competitors.
    pub brands: Vec<BrandConfig>,
    /// Macro topics, each followed by its micro topics.
    pub topics: Vec<TopicConfig>,
    pub analysis: AnalysisConfig,
    pub spikes: SpikeConfig,
    pub alerts: Vec<AlertRule>,
    /// The default window of the volume chart, in hours.
    pub chart_hours: u32,
    /// The default window of share of voice, in minutes.
    pub sov_window_minutes: u32,
}

/// A configuration error located in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
    /// The file's other errors, after this one in file order: a room fixes them all in one
    /// go rather than one per start.
    pub also: Vec<ConfigError>,
}

impl ConfigError {
    /// Every error of a file as one, in file order; `None` when there is none.
    pub fn all(errors: Vec<ConfigError>) -> Option<ConfigError> {
        let mut errors: Vec<ConfigError> = errors
            .into_iter()
            .flat_map(|mut e| {
                let more = std::mem::take(&mut e.also);
                std::iter::once(e).chain(more)
            })
            .collect();
        errors.sort_by_key(|e| (e.line, e.column));
        let mut errors = errors.into_iter();
        let mut first = errors.next()?;
        first.also.extend(errors);
        Some(first)
    }

    /// This error and the ones after it.
    pub fn each(&self) -> impl Iterator<Item = &ConfigError> {
        std::iter::once(self).chain(self.also.iter())
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Line 0: the problem is the file as a whole (missing, unreadable), not a place in it.
        if self.line == 0 {
            return write!(f, "{}: {}", self.file.display(), self.message);
        }
        write!(
            f,
            "{}:{}:{}: {}",
            self.file.display(),
            self.line,
            self.column,
            self.message
        )?;
        for other in &self.also {
            write!(f, "\n{other}")?;
        }
        Ok(())
    }
}

/// The text of a config or layout file. A file that cannot be read is an error of the whole
/// file (line 0, printed without a place); one that is not UTF-8 is located at its first byte
/// that is not.
pub fn read_text(path: &Path, what: &str) -> Result<String, ConfigError> {
    let whole_file = |message: String| ConfigError {
        file: path.to_path_buf(),
        line: 0,
        column: 0,
        message,
        also: Vec::new(),
    };
    let bytes = std::fs::read(path).map_err(|e| whole_file(format!("cannot read {what}: {e}")))?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let before = String::from_utf8_lossy(&bytes[..valid]);
        ConfigError {
            file: path.to_path_buf(),
            line: before.matches('\n').count() + 1,
            column: before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1,
            message: format!(
                "{what} is not UTF-8 text (byte 0x{:02x}): save it as UTF-8",
                bytes.get(valid).copied().unwrap_or(0)
            ),
            also: Vec::new(),
        }
    })
}

impl std::error::Error for ConfigError {}

/// Locates spans inside one file's text.
pub struct SourceText<'a> {
    pub file: &'a Path,
    pub text: &'a str,
}

impl SourceText<'_> {
    pub fn error_at(&self, span: Option<Range<usize>>, message: impl Into<String>) -> ConfigError {
        let offset = span.map(|s| s.start).unwrap_or(0).min(self.text.len());
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        ConfigError {
            file: self.file.to_path_buf(),
            line,
            column,
            message: message.into(),
            also: Vec::new(),
        }
    }
}

/// A config file read with the place of every key and value kept (`toml::de::DeTable`), for
/// the lists of tables whose fields depend on their kind (`[[sources]]`, `[[alerts]]`): each
/// kind reads its own fields and locates its own errors.
pub struct SpannedDocument<'i> {
    /// The top-level keys and their values, each taken out once by its reader.
    entries: Vec<(Spanned<DeString<'i>>, Spanned<DeValue<'i>>)>,
}

impl<'i> SpannedDocument<'i> {
    pub fn parse(source: &SourceText<'i>) -> Result<Self, ConfigError> {
        DeTable::parse(source.text)
            .map(|document| Self {
                entries: document.into_inner().into_iter().collect(),
            })
            .map_err(|e| source.error_at(e.span(), e.message().trim().to_string()))
    }

    /// The tables of `[[key]]`, each with its place; none when the file has no `key`. A value
    /// that is not a list is an error, reported to `errors`, and gives `None`; an entry that is
    /// not a table is an error of its own, and the others are read.
    pub fn take_tables(
        &mut self,
        source: &SourceText,
        key: &str,
        errors: &mut Vec<ConfigError>,
    ) -> Option<Vec<Spanned<DeTable<'i>>>> {
        let Some(at) = self.entries.iter().position(|(k, _)| k.get_ref() == key) else {
            return Some(Vec::new());
        };
        let (_, value) = self.entries.swap_remove(at);
        let span = value.span();
        let DeValue::Array(items) = value.into_inner() else {
            errors.push(source.error_at(
                Some(span),
                format!("`{key}` must be tables: write each under [[{key}]]"),
            ));
            return None;
        };
        let mut tables = Vec::with_capacity(items.len());
        for item in items {
            let span = item.span();
            match item.into_inner() {
                DeValue::Table(table) => tables.push(Spanned::new(span, table)),
                _ => errors.push(source.error_at(
                    Some(span),
                    format!("each entry of `{key}` must be a table, under [[{key}]]"),
                )),
            }
        }
        Some(tables)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct BrandConfig {
    pub name: String,
    /// The brand the room works for; the others are competitors.
    pub own: bool,
    /// `#rrggbb`, used for the brand's bars and badges.
    pub color: String,
    /// Phrases that mean this brand (accent- and case-insensitive, whole words).
    pub keywords: Vec<String>,
    /// Phrases that, when present, mean the mention is not about this brand.
    pub exclude: Vec<String>,
    /// Handles of the brand's own accounts (without `@`, lower case): their replies to
    /// mentions give the brand's response time.
    pub accounts: Vec<String>,
}

impl BrandConfig {
    /// The brand as the figures and the wall name it.
    pub fn info(&self) -> BrandInfo {
        BrandInfo {
            name: self.name.clone(),
            own: self.own,
            color: self.color.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AnalysisConfig {
    /// How many recent mention ids are remembered to drop duplicates.
    pub dedupe_capacity: usize,
    /// Mentions older than this (event time) are counted as too late and not bucketed.
    pub late_tolerance_minutes: u32,
}

impl Default for AnalysisConfig {
    fn default() -> Self {
        Self {
            dedupe_capacity: 200_000,
            late_tolerance_minutes: 24 * 60,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SpikeConfig {
    /// Minutes of past volume the baseline is computed from.
    pub baseline_minutes: u32,
    /// Robust z-score (median / MAD) above which a minute is a spike.
    pub threshold: f32,
    /// A minute with fewer mentions than this is never a spike, however quiet the past.
    pub min_count: u32,
}

impl Default for SpikeConfig {
    fn default() -> Self {
        Self {
            baseline_minutes: 60,
            threshold: 6.0,
            min_count: 6,
        }
    }
}
