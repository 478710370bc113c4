use crate::model::ShareBasis;
use std::path::Path;

use super::*;

fn config() -> Config {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config.toml");
    Config::load(&path).expect("the shipped config is valid")
}

fn parse(text: &str) -> Result<Layout, LayoutErrors> {
    Layout::parse(Path::new("room.toml"), text, &config())
}

fn errors(text: &str) -> Vec<String> {
    parse(text)
        .expect_err("the layout is wrong")
        .0
        .iter()
        .map(|e| e.to_string())
        .collect()
}

#[test]
fn every_shipped_layout_is_valid() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("layouts");
    let config = config();
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("layouts/ exists") {
        let path = entry.expect("readable").path();
        if path.extension().is_some_and(|e| e == "toml") {
            let layout = Layout::load(&path, &config)
                .unwrap_or_else(|e| panic!("{} does not parse:\n{e}", path.display()));
            assert!(!layout.screens.is_empty());
            seen += 1;
        }
    }
    assert!(seen >= 4, "single, warroom, lobby and laptop are shipped");
    let built_in = Layout::built_in(&config);
    assert_eq!(built_in.screens.len(), 1);
}

#[test]
fn the_war_room_has_three_screens_on_three_monitors() {
    let config = config();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("layouts/warroom.toml");
    let layout = Layout::load(&path, &config).expect("valid");
    let names: Vec<&str> = layout.screens.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["left", "centre", "right"]);
    assert_eq!(layout.screens[1].monitor, MonitorRef::Index(1));
    assert_eq!(layout.chart_windows(), vec![360, 1440]);
    assert_eq!(layout.share_windows(), vec![60]);
    let centre = &layout.screens[1];
    let today = centre
        .tiles
        .iter()
        .find(|(n, _)| n == "today")
        .expect("today");
    assert_eq!(
        today.1,
        TileSpec::Volume(crate::wall::tiles::volume::VolumeOptions {
            window_minutes: 360,
            brand: BrandRef::Own
        })
    );
}

#[test]
fn the_laptop_layout_previews_the_war_room() {
    let config = config();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("layouts");
    let layout = Layout::load(&dir.join("laptop.toml"), &config).expect("valid");
    assert!(layout.preview);
    assert_eq!(layout.screens.len(), 3);
    assert_eq!(
        layout.files,
        vec![dir.join("laptop.toml"), dir.join("warroom.toml")]
    );
}

#[test]
fn pages_rotate_in_the_pages_area_with_their_dwell() {
    let layout = parse(
        r#"
[[screen]]
name = "lobby"
areas = """
header
pages
"""
dwell = "20s"
[screen.tiles.header]
kind = "header"
[[screen.pages]]
name = "one"
areas = "volume"
[screen.pages.tiles.volume]
kind = "volume"
[[screen.pages]]
dwell = "45s"
areas = "sov"
[screen.pages.tiles.sov]
kind = "sov"
"#,
    )
    .expect("valid");
    let screen = &layout.screens[0];
    assert_eq!(screen.tiles.len(), 1, "only the header is pinned");
    assert_eq!(screen.pages.len(), 2);
    assert_eq!(screen.pages[0].dwell, Duration::from_secs(20));
    assert_eq!(screen.pages[1].dwell, Duration::from_secs(45));
    assert_eq!(screen.pages[1].name, "page 2");
    assert_eq!(
        screen.pages[1].tiles[0].1,
        TileSpec::ShareOfVoice(crate::wall::tiles::share_of_voice::ShareOfVoiceOptions {
            window_minutes: 60,
            by: ShareBasis::Volume,
            platform: None,
        })
    );
}

#[test]
fn an_unknown_kind_is_located_with_a_hint() {
    let found = errors(
        r#"
[[screen]]
name = "a"
areas = "volume"
[screen.tiles.volume]
kind = "volum"
"#,
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("room.toml:6:8: unknown tile kind 'volum' (did you mean 'volume'?)"),
        "{}",
        found[0]
    );
}

#[test]
fn a_non_rectangular_area_points_at_its_row() {
    let found = errors(
        r#"[[screen]]
name = "a"
areas = """
stream volume
volume volume
"""
[screen.tiles.stream]
kind = "stream"
[screen.tiles.volume]
kind = "volume"
"#,
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with(
            "room.toml:4:1: area 'volume' is not a rectangle: row 1, column 1 holds 'stream'"
        ),
        "{}",
        found[0]
    );
}

#[test]
fn a_tile_in_no_area_and_an_area_without_tile_are_both_reported() {
    let found = errors(
        r#"[[screen]]
name = "a"
areas = """
stream volume
"""
[screen.tiles.stream]
kind = "stream"
[screen.tiles.volme]
kind = "volume"
"#,
    );
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found[0].starts_with(
            "room.toml:8:15: tile 'volme' is named in no area (did you mean 'volume'?)"
        ),
        "{}",
        found[0]
    );
    assert!(
        found[1].starts_with("room.toml:4:1: area 'volume' has no tile"),
        "{}",
        found[1]
    );
}

#[test]
fn unknown_options_and_bad_values_are_located() {
    let found = errors(
        r#"[[screen]]
name = "a"
areas = "volume stream"
columns = ["2fr", "1em"]
[screen.tiles.volume]
kind = "volume"
windw = "6h"
[screen.tiles.stream]
kind = "stream"
cards = 40
"#,
    );
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(
        found[0].starts_with("room.toml:4:19: '1em' is not a track size"),
        "{}",
        found[0]
    );
    assert!(
        found.iter().any(|e| e.starts_with(
            "room.toml:7:1: a volume tile has no option 'windw' (did you mean 'window'?)"
        )),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|e| e.starts_with("room.toml:10:9: `cards` must be a whole number")),
        "{found:?}"
    );
}

#[test]
fn ragged_rows_and_wrong_track_counts_are_refused() {
    let found = errors(
        r#"[[screen]]
name = "a"
areas = """
a b
c
"""
"#,
    );
    assert!(
        found[0].starts_with("room.toml:5:1: row 2 has 1 cells"),
        "{found:?}"
    );
    let found = errors(
        r#"[[screen]]
name = "a"
areas = "a b"
rows = ["1fr", "2fr"]
[screen.tiles.a]
kind = "status"
[screen.tiles.b]
kind = "status"
"#,
    );
    assert!(
        found[0].starts_with("room.toml:4:9: 2 sizes given for 1 rows"),
        "{found:?}"
    );
}

#[test]
fn screens_need_distinct_names_and_monitors() {
    let found = errors(
        r#"[[screen]]
name = "a"
areas = "s"
[screen.tiles.s]
kind = "status"
[[screen]]
name = "a"
monitor = 0
areas = "s"
[screen.tiles.s]
kind = "status"
"#,
    );
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].starts_with("room.toml:7:8: two screens are named 'a'"));
    assert!(found[1].starts_with("room.toml:8:11: screens 'a' and 'a' are both on monitor 0"));
}

#[test]
fn pages_need_a_pages_area_and_a_syntax_error_is_located() {
    let found = errors(
        r#"[[screen]]
name = "a"
areas = "s"
[screen.tiles.s]
kind = "status"
[[screen.pages]]
areas = "v"
[screen.pages.tiles.v]
kind = "volume"
"#,
    );
    assert!(
        found
            .iter()
            .any(|e| e.contains("has pages but no 'pages' area")),
        "{found:?}"
    );
    let found = errors("[[screen]]\nname = \"a\nareas = \"s\"\n");
    assert!(found[0].starts_with("room.toml:2:"), "{found:?}");
}

#[test]
fn unknown_brands_and_themes_get_hints() {
    let found = errors(
        r#"theme = "hight-contrast"
[[screen]]
name = "a"
areas = "v"
[screen.tiles.v]
kind = "volume"
brand = "Mini Mouse"
"#,
    );
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found[0].contains("did you mean 'high-contrast'?"),
        "{}",
        found[0]
    );
    assert!(
        found[1].contains("did you mean 'Mini Mousse'?"),
        "{}",
        found[1]
    );
}
