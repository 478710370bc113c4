//! The layouts a room switches its wall to: by hand from the control page, by itself while an
//! alert rule with `takeover = "layouts/crise.toml"` has active alerts, or to the neutral one
//! when the room puts its lobby in safety. Read once at start, checked by `vigie check`.
//!
//! A layout shown instead of the room's own keeps the room's screens: each of the room's
//! screens shows the other layout's screen of the same name, or else its first one, on the
//! room's monitor. A war room of three screens switched to a one-screen crisis layout shows it
//! three times rather than leaving two monitors black.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{Layout, LayoutErrors};
use crate::config::{Config, ConfigError};

/// The neutral layout (`layouts/neutre.toml`, built in so it is always there).
pub const NEUTRAL: &str = include_str!("../../layouts/neutre.toml");

/// The name the room's own layout goes by on the control page.
pub const OWN: &str = "own";

impl Layout {
    /// The built-in neutral layout: the title, a welcome and the time.
    pub fn neutral(config: &Config) -> Layout {
        Layout::parse(Path::new("<built-in neutre.toml>"), NEUTRAL, config)
            .expect("the built-in neutral layout is checked by a test")
    }

    /// `other`, shown on this layout's screens and monitors. Lobby privacy stays on where
    /// either asks for it: a lobby switched to the crisis layout still names no one. The
    /// viewing distance is the room's (it is where the people stand).
    pub fn taken_over_by(&self, other: &Layout) -> Layout {
        let screens = self
            .screens
            .iter()
            .filter_map(|own| {
                let shown = other
                    .screens
                    .iter()
                    .find(|s| s.name == own.name)
                    .or_else(|| other.screens.first())?;
                let mut shown = shown.clone();
                shown.name.clone_from(&own.name);
                shown.monitor = own.monitor.clone();
                Some(shown)
            })
            .collect();
        Layout {
            path: other.path.clone(),
            name: other.name.clone(),
            lobby: match (self.lobby, other.lobby) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (own, _) => own,
            },
            alert_banner: other.alert_banner,
            // A room that approves what its lobby shows keeps doing so on any layout.
            approval: other.approval.clone().or_else(|| self.approval.clone()),
            theme: other.theme.or(self.theme),
            viewing_distance_m: self.viewing_distance_m,
            screens,
            preview: self.preview,
            files: self.files.clone(),
        }
    }
}

/// Every layout the room may switch to, by name.
#[derive(Debug, Clone)]
pub struct LayoutLibrary {
    /// By file name without `.toml`: `crise`, `warroom`…
    pub named: BTreeMap<String, Layout>,
    /// Alert rule → the name of the layout its active alerts show.
    pub takeovers: BTreeMap<String, String>,
    pub neutral: Layout,
}

impl LayoutLibrary {
    /// Reads the layouts in the `layouts` folder beside `config.toml` and beside the room's
    /// own layout file, and every rule's `takeover`. A file that does not read is left out and
    /// returned with its errors (a takeover's errors say which rule names it); the rest load.
    pub fn load(config: &Config, own: &Layout) -> (LayoutLibrary, Vec<LayoutErrors>) {
        let mut named = BTreeMap::new();
        let mut errors = Vec::new();
        let base = config.path.parent().unwrap_or(Path::new("")).to_path_buf();
        let mut folders = vec![base.join("layouts")];
        if let Some(folder) = own.path.parent().filter(|_| own.path.is_file()) {
            folders.push(folder.to_path_buf());
        }
        let mut seen: Vec<PathBuf> = Vec::new();
        for folder in folders {
            let Ok(entries) = std::fs::read_dir(&folder) else {
                continue;
            };
            let mut files: Vec<PathBuf> = entries
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|path| path.extension().is_some_and(|e| e == "toml"))
                .collect();
            files.sort();
            for path in files {
                let canonical = path.canonicalize().unwrap_or_else(|_| path.clone());
                if seen.contains(&canonical) {
                    continue;
                }
                seen.push(canonical);
                match Layout::load(&path, config) {
                    // A preview is for preparing a layout on a laptop, not for a room to show.
                    Ok(layout) if layout.preview => {}
                    Ok(layout) => {
                        named.entry(name_of(&path)).or_insert(layout);
                    }
                    Err(failed) => errors.push(failed),
                }
            }
        }
        let mut takeovers = BTreeMap::new();
        for (rule, path, read) in takeover_layouts(config) {
            match read {
                Ok(layout) => {
                    let name = name_of(&path);
                    named.entry(name.clone()).or_insert(layout);
                    takeovers.insert(rule, name);
                }
                Err(failed) => errors.push(failed),
            }
        }
        let library = LayoutLibrary {
            named,
            takeovers,
            neutral: Layout::neutral(config),
        };
        (library, errors)
    }

    /// The names the control page offers, in order.
    pub fn names(&self) -> Vec<String> {
        self.named.keys().cloned().collect()
    }
}

/// Each alert rule's `takeover` layout, read: the rule's name, the file, the layout or its
/// errors (a file that cannot be read at all is reported at the rule's `takeover =`).
pub fn takeover_layouts(config: &Config) -> Vec<(String, PathBuf, Result<Layout, LayoutErrors>)> {
    let base = config.path.parent().unwrap_or(Path::new(""));
    config
        .alerts
        .iter()
        .filter_map(|rule| {
            let takeover = rule.takeover.as_ref()?;
            let path = base.join(&takeover.layout);
            let read = Layout::load(&path, config).map_err(|e| located(&takeover.place, e));
            Some((rule.name.clone(), path, read))
        })
        .collect()
}

fn name_of(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A takeover file that cannot be read at all (missing, unreadable) is reported at the rule's
/// `takeover =`; errors inside the file keep their own places.
fn located(place: &ConfigError, mut errors: LayoutErrors) -> LayoutErrors {
    for error in &mut errors.0 {
        if error.line == 0 {
            *error = ConfigError {
                message: format!("{}: {}", place.message, error),
                ..place.clone()
            };
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> Config {
        Config::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("config.toml"))
            .expect("the shipped config")
    }

    fn layout(config: &Config, name: &str) -> Layout {
        Layout::load(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("layouts/{name}.toml")),
            config,
        )
        .expect("a shipped layout")
    }

    #[test]
    fn a_one_screen_layout_fills_every_screen_of_the_room_on_the_rooms_monitors() {
        let config = shipped();
        let room = layout(&config, "warroom");
        let crisis = layout(&config, "crise");
        let shown = room.taken_over_by(&crisis);
        assert_eq!(shown.name, "Crise");
        let names: Vec<&str> = shown.screens.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["left", "centre", "right"]);
        for (shown, own) in shown.screens.iter().zip(&room.screens) {
            assert_eq!(shown.monitor, own.monitor);
            assert_eq!(shown.tiles, crisis.screens[0].tiles);
        }
    }

    #[test]
    fn a_screen_of_the_same_name_is_taken_and_a_lobby_stays_a_lobby() {
        let config = shipped();
        let lobby = layout(&config, "lobby");
        let warroom = layout(&config, "warroom");
        // The war room's screens on the lobby: the lobby's one screen is not named like any.
        let shown = lobby.taken_over_by(&warroom);
        assert_eq!(shown.screens.len(), 1);
        assert_eq!(shown.screens[0].name, "lobby");
        assert_eq!(shown.screens[0].tiles, warroom.screens[0].tiles);
        assert_eq!(shown.lobby, Some(true), "privacy never drops with a switch");
        assert_eq!(shown.viewing_distance_m, lobby.viewing_distance_m);
        // The war room shown on the war room is the war room.
        let same = warroom.taken_over_by(&warroom);
        assert_eq!(same.screens, warroom.screens);
    }

    #[test]
    fn the_shipped_layouts_and_the_neutral_one_are_in_the_library() {
        let config = shipped();
        let own = Layout::built_in(&config);
        let (library, errors) = LayoutLibrary::load(&config, &own);
        assert!(errors.is_empty(), "{errors:?}");
        // laptop.toml previews the war room: not a layout for a room to show.
        assert_eq!(
            library.names(),
            ["crise", "lobby", "neutre", "single", "warroom"]
        );
        let neutral = &library.neutral;
        assert_eq!(neutral.lobby, Some(true));
        let kinds: Vec<&str> = neutral.screens[0].all_tiles().map(|t| t.kind()).collect();
        assert_eq!(kinds, ["message"]);
    }

    #[test]
    fn a_takeover_that_cannot_be_read_is_reported_at_its_rule() {
        let folder = tempfile::tempdir().expect("temp dir");
        let path = folder.path().join("config.toml");
        let shipped =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("config.toml"))
                .expect("config.toml");
        let text = format!(
            "{shipped}\n[[alerts]]\nname = \"crise-auto\"\nkind = \"viral_post\"\n\
             takeover = \"layouts/absente.toml\"\n"
        );
        std::fs::write(&path, &text).expect("write");
        let config = Config::load(&path).expect("the config reads: the file is checked later");
        let (library, errors) = LayoutLibrary::load(&config, &Layout::built_in(&config));
        assert!(library.takeovers.is_empty());
        let message = errors
            .iter()
            .flat_map(|e| &e.0)
            .map(ToString::to_string)
            .find(|m| m.contains("absente"))
            .expect("the missing takeover is reported");
        let line = text
            .lines()
            .position(|l| l.starts_with("takeover"))
            .expect("line")
            + 1;
        assert!(
            message.contains(&format!("config.toml:{line}:")),
            "{message}"
        );
        assert!(
            message.contains("alert 'crise-auto': takeover"),
            "{message}"
        );
    }
}
