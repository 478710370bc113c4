//! Layout files (`layouts/*.toml`): which screens the wall has, on which monitor, and which
//! tiles each shows where, as named grid areas. Read in two phases like `config.toml`: the raw
//! file with spans, then a validated `Layout`. Unlike the config, every error of a file is
//! collected, so `vigie check` shows them all at once, each with its line, column and a hint.
//! No Bevy here.

pub mod approval;
pub mod grid;
pub mod reload;
pub mod switch;
pub mod tiles;

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::{Spanned, Value};

use crate::config::{Config, ConfigError, SourceText};
pub use crate::wall::tiles::{KINDS, TileSpec};
use grid::{Grid, Track, parse_areas};
pub use tiles::{BrandRef, Metric};
use tiles::{TileContext, hint};

/// The area of a screen in which its pages take turns.
pub const PAGES_AREA: &str = "pages";
/// Dwell time of a page when neither it nor its screen says.
pub const DEFAULT_DWELL: Duration = Duration::from_secs(30);
const MIN_DWELL: Duration = Duration::from_secs(5);
const MAX_DWELL: Duration = Duration::from_secs(3600);
/// The viewing distance the type sizes are designed for, in metres.
pub const DESIGN_DISTANCE_M: f32 = 5.0;
/// The layout used when neither the command line nor config.toml names one.
pub const BUILT_IN: &str = include_str!("../../layouts/single.toml");

#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub path: PathBuf,
    pub name: String,
    /// `Some(true)`: lobby privacy on every screen of this layout, whatever the config says.
    pub lobby: Option<bool>,
    /// The active alerts' banner and flashing frame over the screens (`alert_banner = false`:
    /// none, as on the neutral screen of a lobby in safety).
    pub alert_banner: bool,
    /// `approval = true`: streams show the posts the room approved (or its rules let through).
    pub approval: Option<approval::Approval>,
    pub theme: Option<ThemeName>,
    /// Metres from the screens to the people reading them: type grows with it.
    pub viewing_distance_m: f32,
    pub screens: Vec<Screen>,
    /// One window showing every screen side by side, scaled down (`preview_of`): for preparing
    /// a war room's layout on a laptop.
    pub preview: bool,
    /// The files this layout was read from (itself, and the previewed layout): the ones to
    /// watch for changes.
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThemeName {
    Dark,
    Light,
    HighContrast,
}

impl ThemeName {
    pub const NAMES: [&'static str; 3] = ["dark", "light", "high-contrast"];

    pub fn parse(name: &str) -> Option<ThemeName> {
        Some(match name {
            "dark" => ThemeName::Dark,
            "light" => ThemeName::Light,
            "high-contrast" => ThemeName::HighContrast,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MonitorRef {
    /// 0-based, in the order the system lists monitors.
    Index(usize),
    /// The monitor's name as the system gives it ("DP-1", "HDMI-A-0").
    Name(String),
}

impl fmt::Display for MonitorRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MonitorRef::Index(i) => write!(f, "monitor {i}"),
            MonitorRef::Name(n) => write!(f, "monitor '{n}'"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Screen {
    pub name: String,
    pub monitor: MonitorRef,
    pub grid: Grid,
    /// The screen's own tiles, pinned across pages, by area name in area order.
    pub tiles: Vec<(String, TileSpec)>,
    /// Pages that take turns in the `pages` area; empty when the screen does not rotate.
    pub pages: Vec<Page>,
    pub transition: Transition,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub name: String,
    pub dwell: Duration,
    pub grid: Grid,
    pub tiles: Vec<(String, TileSpec)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// The next page slides in from the right.
    Slide,
    /// The next page appears at once.
    Cut,
}

impl Screen {
    /// Every tile of the screen, pinned and on pages.
    pub fn all_tiles(&self) -> impl Iterator<Item = &TileSpec> {
        self.tiles.iter().map(|(_, t)| t).chain(
            self.pages
                .iter()
                .flat_map(|p| p.tiles.iter().map(|(_, t)| t)),
        )
    }
}

impl Layout {
    /// Every window (in minutes) a volume tile of this layout shows.
    pub fn chart_windows(&self) -> Vec<u32> {
        self.windows(|t| t.windows(0).chart)
    }

    /// Every window (in minutes) a share-of-voice, sentiment or topics tile shows.
    pub fn share_windows(&self) -> Vec<u32> {
        self.windows(|t| t.windows(0).share)
    }

    /// (window, brand) of every trending tile, with the own brand at index `own`.
    pub fn trending_lists(&self, own: usize) -> Vec<(u32, usize)> {
        let mut lists: Vec<(u32, usize)> = self
            .screens
            .iter()
            .flat_map(|s| s.all_tiles())
            .filter_map(|t| t.windows(own).trending)
            .collect();
        lists.sort_unstable();
        lists.dedup();
        lists
    }

    /// (window, brand) of every influencers tile, with the own brand at index `own`.
    pub fn influencer_lists(&self, own: usize) -> Vec<(u32, usize)> {
        let mut lists: Vec<(u32, usize)> = self
            .screens
            .iter()
            .flat_map(|s| s.all_tiles())
            .filter_map(|t| t.windows(own).influencers)
            .collect();
        lists.sort_unstable();
        lists.dedup();
        lists
    }

    fn windows(&self, pick: impl Fn(&TileSpec) -> Option<u32>) -> Vec<u32> {
        let mut windows: Vec<u32> = self
            .screens
            .iter()
            .flat_map(|s| s.all_tiles())
            .filter_map(pick)
            .collect();
        windows.sort_unstable();
        windows.dedup();
        windows
    }
}

/// Every error of one layout file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayoutErrors(pub Vec<ConfigError>);

impl fmt::Display for LayoutErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LayoutErrors {}

// ---------------------------------------------------------------------------------------------
// Raw file
// ---------------------------------------------------------------------------------------------

type RawTiles = BTreeMap<Spanned<String>, Spanned<BTreeMap<Spanned<String>, Spanned<Value>>>>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLayout {
    name: Option<String>,
    preview_of: Option<Spanned<String>>,
    lobby: Option<bool>,
    alert_banner: Option<bool>,
    approval: Option<bool>,
    auto_approve: Option<Spanned<approval::RawAutoApprove>>,
    theme: Option<Spanned<String>>,
    viewing_distance: Option<Spanned<f64>>,
    #[serde(default)]
    screen: Vec<Spanned<RawScreen>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScreen {
    name: Spanned<String>,
    monitor: Option<Spanned<Value>>,
    areas: Spanned<String>,
    columns: Option<Vec<Spanned<String>>>,
    rows: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    tiles: RawTiles,
    #[serde(default)]
    pages: Vec<Spanned<RawPage>>,
    dwell: Option<Spanned<String>>,
    transition: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPage {
    name: Option<String>,
    dwell: Option<Spanned<String>>,
    areas: Spanned<String>,
    columns: Option<Vec<Spanned<String>>>,
    rows: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    tiles: RawTiles,
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

struct Checker<'a> {
    source: SourceText<'a>,
    context: TileContext<'a>,
    errors: Vec<ConfigError>,
}

impl Checker<'_> {
    fn error(&mut self, span: Option<Range<usize>>, message: impl Into<String>) {
        self.errors.push(self.source.error_at(span, message));
    }

    /// Points at the `row`-th non-empty line inside an areas string.
    fn areas_row_span(&self, areas: &Spanned<String>, row: usize) -> Range<usize> {
        let span = areas.span();
        let raw = &self.source.text[span.clone()];
        let body_start = raw.find(|c: char| c != '"' && c != '\'').unwrap_or(0);
        let mut offset = span.start + body_start;
        let mut seen = 0;
        for line in raw[body_start..].split_inclusive('\n') {
            let trimmed = line.trim_start();
            let cells = trimmed.trim_end_matches(['"', '\'']).trim();
            if !cells.is_empty() {
                if seen == row {
                    let at = offset + (line.len() - trimmed.len());
                    return at..at + 1;
                }
                seen += 1;
            }
            offset += line.len();
        }
        span
    }

    fn tracks(
        &mut self,
        given: &Option<Vec<Spanned<String>>>,
        count: usize,
        what: &str,
        at: Range<usize>,
    ) -> Vec<Track> {
        let Some(given) = given else {
            return vec![Track::Fr(1.0); count];
        };
        let mut tracks = Vec::new();
        for size in given {
            match Track::parse(size.get_ref()) {
                Ok(track) => tracks.push(track),
                Err(message) => {
                    self.error(Some(size.span()), message);
                    tracks.push(Track::Fr(1.0));
                }
            }
        }
        if tracks.len() != count {
            self.error(
                Some(given.first().map_or(at, |s| s.span())),
                format!(
                    "{} sizes given for {count} {what}: give one per {} of the areas",
                    tracks.len(),
                    what.trim_end_matches('s')
                ),
            );
            tracks.resize(count, Track::Fr(1.0));
        }
        tracks
    }

    /// The grid of a screen or a page: areas, then column and row sizes.
    fn grid(
        &mut self,
        areas: &Spanned<String>,
        columns: &Option<Vec<Spanned<String>>>,
        rows: &Option<Vec<Spanned<String>>>,
    ) -> Option<Grid> {
        match parse_areas(areas.get_ref()) {
            Ok((row_count, column_count, named)) => Some(Grid {
                columns: self.tracks(columns, column_count, "columns", areas.span()),
                rows: self.tracks(rows, row_count, "rows", areas.span()),
                areas: named,
            }),
            Err(error) => {
                let span = self.areas_row_span(areas, error.row);
                self.error(Some(span), error.message);
                None
            }
        }
    }

    /// The tiles of a grid: each has a known kind and known options, and each sits in an area;
    /// each area but `pages` (and `.`) has a tile.
    fn tiles(
        &mut self,
        raw: &RawTiles,
        grid: Option<&Grid>,
        areas: &Spanned<String>,
        reserved: Option<&str>,
    ) -> Vec<(String, TileSpec)> {
        let mut built: Vec<(String, TileSpec)> = Vec::new();
        // Even when the grid is not valid, the names it mentions tell a misplaced tile apart.
        let mut area_names: Vec<&str> = match grid {
            Some(g) => g.areas.iter().map(|a| a.name.as_str()).collect(),
            None => grid::area_rows(areas.get_ref())
                .into_iter()
                .flatten()
                .filter(|c| *c != ".")
                .collect(),
        };
        area_names.dedup();
        // Sets, not scans: a layout of many areas is checked (and reloaded) in linear time.
        let known: std::collections::HashSet<&str> = area_names.iter().copied().collect();
        let tiled: std::collections::HashSet<&str> =
            raw.keys().map(|k| k.get_ref().as_str()).collect();
        let mut untiled: Option<Vec<&str>> = None;
        for (name, table) in raw {
            let name_str = name.get_ref().as_str();
            if !known.contains(name_str) {
                let untiled = untiled.get_or_insert_with(|| {
                    area_names
                        .iter()
                        .copied()
                        .filter(|a| Some(*a) != reserved && !tiled.contains(a))
                        .collect()
                });
                self.error(
                    Some(name.span()),
                    format!(
                        "tile '{name_str}' is named in no area{}: add '{name_str}' to `areas`, or remove the tile",
                        hint(name_str, untiled)
                    ),
                );
                continue;
            }
            if let Some(spec) = self.tile(name, table) {
                built.push((name_str.to_string(), spec));
            }
        }
        if let Some(grid) = grid {
            for area in &grid.areas {
                if Some(area.name.as_str()) == reserved || tiled.contains(area.name.as_str()) {
                    continue;
                }
                let row_span = self.areas_row_span(areas, area.row);
                let extra = if area.name == PAGES_AREA {
                    ": a 'pages' area takes [[screen.pages]] entries"
                } else {
                    ""
                };
                self.error(
                    Some(row_span),
                    format!(
                        "area '{}' has no tile{extra}: add a [..tiles.{}] table with its `kind`",
                        area.name, area.name
                    ),
                );
            }
            // Area order, so placement and tests read top-left to bottom-right.
            let order: std::collections::HashMap<&str, usize> = grid
                .areas
                .iter()
                .enumerate()
                .map(|(i, a)| (a.name.as_str(), i))
                .collect();
            built.sort_by_key(|(name, _)| order.get(name.as_str()).copied());
        }
        built
    }

    fn tile(
        &mut self,
        name: &Spanned<String>,
        table: &Spanned<BTreeMap<Spanned<String>, Spanned<Value>>>,
    ) -> Option<TileSpec> {
        let Some((_, kind_value)) = table.get_ref().iter().find(|(k, _)| k.get_ref() == "kind")
        else {
            self.error(
                Some(name.span()),
                format!(
                    "tile '{}' has no `kind`: use one of {}",
                    name.get_ref(),
                    kind_names().join(", ")
                ),
            );
            return None;
        };
        let Value::String(kind) = kind_value.get_ref() else {
            self.error(Some(kind_value.span()), "`kind` must be a string");
            return None;
        };
        let kind = if kind == "sov" {
            "share_of_voice"
        } else {
            kind.as_str()
        };
        let Some((_, allowed)) = KINDS.iter().find(|(k, _)| *k == kind) else {
            self.error(
                Some(kind_value.span()),
                format!(
                    "unknown tile kind '{kind}'{}: use one of {}",
                    hint(kind, &kind_names()),
                    kind_names().join(", ")
                ),
            );
            return None;
        };
        let mut options = Vec::new();
        let mut bad = false;
        for (key, value) in table.get_ref() {
            let key_str = key.get_ref().as_str();
            if key_str == "kind" {
                continue;
            }
            if !allowed.contains(&key_str) {
                let takes = if allowed.is_empty() {
                    "it takes no options".to_string()
                } else {
                    format!("it takes {}", allowed.join(", "))
                };
                self.error(
                    Some(key.span()),
                    format!(
                        "a {kind} tile has no option '{key_str}'{}: {takes}",
                        hint(key_str, allowed)
                    ),
                );
                bad = true;
                continue;
            }
            options.push((key_str.to_string(), value.get_ref().clone()));
        }
        match TileSpec::build(kind, &options, &self.context) {
            Ok(spec) if !bad => Some(spec),
            Ok(_) => None,
            Err(errors) => {
                for error in errors {
                    let span = error
                        .option
                        .as_deref()
                        .and_then(|o| {
                            table
                                .get_ref()
                                .iter()
                                .find(|(k, _)| k.get_ref() == o)
                                .map(|(_, v)| v.span())
                        })
                        .unwrap_or(name.span());
                    self.error(Some(span), error.message);
                }
                None
            }
        }
    }

    fn dwell(&mut self, given: &Option<Spanned<String>>, default: Duration) -> Duration {
        let Some(text) = given else { return default };
        match humantime::parse_duration(text.get_ref()) {
            Ok(d) if (MIN_DWELL..=MAX_DWELL).contains(&d) => d,
            Ok(_) => {
                self.error(
                    Some(text.span()),
                    format!("dwell '{}' is out of range: from 5s to 1h", text.get_ref()),
                );
                default
            }
            Err(e) => {
                self.error(
                    Some(text.span()),
                    format!(
                        "'{}' is not a duration ({e}): write it as \"20s\" or \"1m\"",
                        text.get_ref()
                    ),
                );
                default
            }
        }
    }

    fn screen(&mut self, index: usize, raw: &Spanned<RawScreen>) -> Option<Screen> {
        let screen = raw.get_ref();
        let monitor = match screen.monitor.as_ref().map(|m| (m, m.get_ref())) {
            None => MonitorRef::Index(index),
            Some((_, Value::Integer(i))) if *i >= 0 => MonitorRef::Index(*i as usize),
            Some((_, Value::String(name))) if !name.trim().is_empty() => {
                MonitorRef::Name(name.clone())
            }
            Some((spanned, _)) => {
                self.error(
                    Some(spanned.span()),
                    "`monitor` is a monitor's index from 0 (monitor = 1) or its name (monitor = \"DP-1\")",
                );
                MonitorRef::Index(index)
            }
        };
        let transition = match &screen.transition {
            None => Transition::Slide,
            Some(t) => match t.get_ref().as_str() {
                "slide" => Transition::Slide,
                "cut" => Transition::Cut,
                other => {
                    self.error(
                        Some(t.span()),
                        format!(
                            "unknown transition '{other}'{}: use \"slide\" or \"cut\"",
                            hint(other, &["slide", "cut"])
                        ),
                    );
                    Transition::Slide
                }
            },
        };
        let grid = self.grid(&screen.areas, &screen.columns, &screen.rows);
        let has_pages_area = grid.as_ref().is_some_and(|g| g.area(PAGES_AREA).is_some());
        let reserved = (has_pages_area && !screen.pages.is_empty()).then_some(PAGES_AREA);
        let tiles = self.tiles(&screen.tiles, grid.as_ref(), &screen.areas, reserved);
        if !screen.pages.is_empty() && grid.is_some() && !has_pages_area {
            self.error(
                Some(screen.pages[0].span()),
                format!(
                    "screen '{}' has pages but no 'pages' area: add one to its `areas` where the pages take turns",
                    screen.name.get_ref()
                ),
            );
        }
        let screen_dwell = self.dwell(&screen.dwell, DEFAULT_DWELL);
        let mut pages = Vec::new();
        for (number, page) in screen.pages.iter().enumerate() {
            let raw_page = page.get_ref();
            let page_grid = self.grid(&raw_page.areas, &raw_page.columns, &raw_page.rows);
            let page_tiles = self.tiles(&raw_page.tiles, page_grid.as_ref(), &raw_page.areas, None);
            let dwell = self.dwell(&raw_page.dwell, screen_dwell);
            if let Some(page_grid) = page_grid {
                pages.push(Page {
                    name: raw_page
                        .name
                        .clone()
                        .unwrap_or_else(|| format!("page {}", number + 1)),
                    dwell,
                    grid: page_grid,
                    tiles: page_tiles,
                });
            }
        }
        Some(Screen {
            name: screen.name.get_ref().clone(),
            monitor,
            grid: grid?,
            tiles,
            pages,
            transition,
        })
    }
}

impl Checker<'_> {
    /// A layout that previews another: that layout's screens, in one window.
    fn preview(
        mut self,
        path: &Path,
        target: &Spanned<String>,
        has_screens: bool,
        config: &Config,
    ) -> Result<Layout, LayoutErrors> {
        if has_screens {
            self.error(
                Some(target.span()),
                "a layout with `preview_of` shows another layout's screens: remove its [[screen]] tables",
            );
            return Err(LayoutErrors(self.errors));
        }
        let base = path.parent().unwrap_or(Path::new("."));
        let target_path = base.join(target.get_ref());
        let text = match std::fs::read_to_string(&target_path) {
            Ok(text) => text,
            Err(e) => {
                self.error(
                    Some(target.span()),
                    format!("cannot read {}: {e}", target_path.display()),
                );
                return Err(LayoutErrors(self.errors));
            }
        };
        if toml::from_str::<RawLayout>(&text).is_ok_and(|raw| raw.preview_of.is_some()) {
            self.error(
                Some(target.span()),
                "the previewed layout is itself a preview: point `preview_of` at a layout with screens",
            );
            return Err(LayoutErrors(self.errors));
        }
        let mut layout = Layout::parse(&target_path, &text, config)?;
        if !self.errors.is_empty() {
            return Err(LayoutErrors(self.errors));
        }
        layout.preview = true;
        layout.files.insert(0, path.to_path_buf());
        layout.path = path.to_path_buf();
        Ok(layout)
    }
}

fn kind_names() -> Vec<&'static str> {
    KINDS.iter().map(|(k, _)| *k).collect()
}

impl Layout {
    pub fn load(path: &Path, config: &Config) -> Result<Layout, LayoutErrors> {
        let text =
            crate::config::read_text(path, "the layout").map_err(|e| LayoutErrors(vec![e]))?;
        Layout::parse(path, &text, config)
    }

    /// The layout shipped inside the binary, for a config that names none.
    pub fn built_in(config: &Config) -> Layout {
        Layout::parse(Path::new("<built-in single.toml>"), BUILT_IN, config)
            .expect("the built-in layout is checked by a test")
    }

    pub fn parse(path: &Path, text: &str, config: &Config) -> Result<Layout, LayoutErrors> {
        let source = SourceText { file: path, text };
        let raw: RawLayout = toml::from_str(text).map_err(|e| {
            LayoutErrors(vec![
                source.error_at(e.span(), e.message().trim().to_string()),
            ])
        })?;
        let brands: Vec<String> = config.brands.iter().map(|b| b.name.clone()).collect();
        let mut checker = Checker {
            source,
            context: TileContext {
                brands: &brands,
                default_chart_minutes: config.wall.chart_hours * 60,
                default_share_minutes: config.wall.sov_window_minutes,
            },
            errors: Vec::new(),
        };
        let theme = raw.theme.as_ref().and_then(|t| {
            let parsed = ThemeName::parse(t.get_ref());
            if parsed.is_none() {
                checker.error(
                    Some(t.span()),
                    format!(
                        "unknown theme '{}'{}: use one of {}",
                        t.get_ref(),
                        hint(t.get_ref(), &ThemeName::NAMES),
                        ThemeName::NAMES.join(", ")
                    ),
                );
            }
            parsed
        });
        let viewing_distance_m = match &raw.viewing_distance {
            None => DESIGN_DISTANCE_M,
            Some(d) if (1.0..=30.0).contains(d.get_ref()) => *d.get_ref() as f32,
            Some(d) => {
                checker.error(
                    Some(d.span()),
                    "`viewing_distance` is in metres, from 1 to 30",
                );
                DESIGN_DISTANCE_M
            }
        };
        let approval = approval::Approval::read(
            raw.approval,
            raw.auto_approve.as_ref(),
            config,
            |span, message| checker.error(span, message),
        );
        if let Some(target) = &raw.preview_of {
            return checker.preview(path, target, !raw.screen.is_empty(), config);
        }
        if raw.screen.is_empty() {
            checker.error(
                None,
                "no [[screen]]: a layout needs at least one, with its `name` and `areas`",
            );
        }
        let mut screens: Vec<Screen> = Vec::new();
        for (index, raw_screen) in raw.screen.iter().enumerate() {
            let name = raw_screen.get_ref().name.get_ref();
            if raw.screen[..index]
                .iter()
                .any(|s| s.get_ref().name.get_ref() == name)
            {
                checker.error(
                    Some(raw_screen.get_ref().name.span()),
                    format!("two screens are named '{name}': give each a distinct `name`"),
                );
            }
            if let Some(screen) = checker.screen(index, raw_screen) {
                if let Some(other) = screens.iter().find(|s| s.monitor == screen.monitor) {
                    let at = raw_screen
                        .get_ref()
                        .monitor
                        .as_ref()
                        .map_or(raw_screen.span(), |m| m.span());
                    checker.error(
                        Some(at),
                        format!(
                            "screens '{}' and '{}' are both on {}: give each its own `monitor`",
                            other.name, screen.name, screen.monitor
                        ),
                    );
                }
                screens.push(screen);
            }
        }
        if !checker.errors.is_empty() {
            return Err(LayoutErrors(checker.errors));
        }
        Ok(Layout {
            path: path.to_path_buf(),
            name: raw.name.unwrap_or_else(|| {
                path.file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default()
            }),
            lobby: raw.lobby,
            alert_banner: raw.alert_banner.unwrap_or(true),
            approval,
            theme,
            viewing_distance_m,
            screens,
            preview: false,
            files: vec![path.to_path_buf()],
        })
    }
}

#[cfg(test)]
mod tests;
