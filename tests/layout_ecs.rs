//! Layouts in the wall's ECS, without a window: screens and tiles spawned where the layout
//! says, placement at several resolutions, pages turning, and hot reload from a real file.

use std::path::Path;
use std::time::{Duration, Instant};

use bevy::prelude::*;
use bevy::time::TimeUpdateStrategy;
use vigie::config::Config;
use vigie::layout::grid::Rect;
use vigie::layout::reload::{LayoutEvent, LayoutWatcher};
use vigie::layout::{Layout, PAGES_AREA};
use vigie::wall::layout::{ScreenRoot, TileSlot};
use vigie::wall::pages::{PageDeck, PageOf};
use vigie::wall::screens::fit_scale;
use vigie::wall::{LayoutFeed, LayoutProblem, UpdateFeed, WallLayout, WallSettings};

fn config() -> Config {
    Config::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("config.toml"))
        .expect("the shipped config.toml is valid")
}

fn shipped(name: &str) -> Layout {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("layouts")
        .join(name);
    Layout::load(&path, &config()).expect("shipped layouts are valid")
}

fn wall_app(layout: Layout) -> App {
    wall_app_with_feed(layout).0
}

/// A wall app with no renderer, and the sending end of its update feed.
fn wall_app_with_feed(
    layout: Layout,
) -> (App, crossbeam_channel::Sender<vigie::model::WallUpdate>) {
    let config = config();
    let (tx, rx) = crossbeam_channel::bounded(16);
    let mut app = App::new();
    app.add_plugins(MinimalPlugins);
    app.insert_resource(WallSettings::from_config(&config));
    app.insert_resource(WallLayout(layout));
    app.insert_resource(UpdateFeed(rx));
    app.add_plugins(vigie::wall::plugin);
    app.update();
    (app, tx)
}

/// (screen, area, kind, grid row start/span, grid column start/span) of every tile.
fn slots(app: &mut App) -> Vec<(String, String, &'static str, GridPlacement, GridPlacement)> {
    let mut query = app.world_mut().query::<(&TileSlot, &Node)>();
    let mut found: Vec<_> = query
        .iter(app.world())
        .map(|(slot, node)| {
            (
                slot.screen.clone(),
                slot.area.clone(),
                slot.kind,
                node.grid_row,
                node.grid_column,
            )
        })
        .collect();
    found.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    found
}

#[test]
fn every_tile_of_the_war_room_sits_in_its_area() {
    let layout = shipped("warroom.toml");
    let mut app = wall_app(layout.clone());
    let mut roots = app.world_mut().query::<&ScreenRoot>();
    let mut names: Vec<String> = roots.iter(app.world()).map(|r| r.name.clone()).collect();
    names.sort();
    assert_eq!(names, ["centre", "left", "right"]);

    let found = slots(&mut app);
    // The screens' tiles, and their pages' (the right screen turns two pages in its corner).
    let expected: usize = layout
        .screens
        .iter()
        .map(|s| s.tiles.len() + s.pages.iter().map(|p| p.tiles.len()).sum::<usize>())
        .sum();
    assert_eq!(found.len(), expected);
    assert!(
        layout.screens.iter().any(|s| !s.pages.is_empty()),
        "the war room has pages"
    );
    for screen in &layout.screens {
        for (area_name, spec) in &screen.tiles {
            let area = screen.grid.area(area_name).expect("area");
            let (_, _, kind, row, column) = found
                .iter()
                .find(|(s, a, ..)| s == &screen.name && a == area_name)
                .unwrap_or_else(|| panic!("{}/{area_name} spawned", screen.name));
            assert_eq!(*kind, spec.kind());
            assert_eq!(
                *row,
                GridPlacement::start_span(area.row as i16 + 1, area.row_span as u16)
            );
            assert_eq!(
                *column,
                GridPlacement::start_span(area.column as i16 + 1, area.column_span as u16)
            );
        }
    }
}

/// Rectangles of a screen's areas in physical pixels of a `width` × `height` monitor.
fn placed(layout: &Layout, screen: usize, width: f32, height: f32) -> Vec<(String, Rect)> {
    let scale = fit_scale(width, height, 1, layout.viewing_distance_m);
    let grid = &layout.screens[screen].grid;
    grid.place(
        width / scale,
        height / scale,
        vigie::wall::theme::GAP,
        vigie::wall::theme::GAP,
    )
    .into_iter()
    .map(|(name, r)| {
        (
            name,
            Rect {
                x: r.x * scale,
                y: r.y * scale,
                width: r.width * scale,
                height: r.height * scale,
            },
        )
    })
    .collect()
}

#[test]
fn tiles_keep_their_proportions_from_1080p_to_4k_and_fill_wide_screens() {
    let layout = shipped("warroom.toml");
    for screen in 0..layout.screens.len() {
        let hd = placed(&layout, screen, 1920.0, 1080.0);
        let uhd = placed(&layout, screen, 3840.0, 2160.0);
        for ((name, a), (_, b)) in hd.iter().zip(&uhd) {
            for (x, y) in [
                (a.x / 1920.0, b.x / 3840.0),
                (a.y / 1080.0, b.y / 2160.0),
                (a.width / 1920.0, b.width / 3840.0),
                (a.height / 1080.0, b.height / 2160.0),
            ] {
                assert!((x - y).abs() < 1e-4, "{name}: {a:?} vs {b:?}");
            }
        }
        // On any screen every area is inside it, and no two overlap.
        for (width, height) in [(1920.0, 1080.0), (2560.0, 1080.0), (1280.0, 1024.0)] {
            let rects = placed(&layout, screen, width, height);
            for (name, r) in &rects {
                assert!(r.width > 0.0 && r.height > 0.0, "{name} is empty");
                assert!(r.x >= 0.0 && r.y >= 0.0, "{name}");
                assert!(r.x + r.width <= width + 0.5, "{name} overflows {width}");
                assert!(r.y + r.height <= height + 0.5, "{name} overflows {height}");
            }
            for (i, (na, a)) in rects.iter().enumerate() {
                for (nb, b) in &rects[i + 1..] {
                    let apart = a.x + a.width <= b.x + 0.01
                        || b.x + b.width <= a.x + 0.01
                        || a.y + a.height <= b.y + 0.01
                        || b.y + b.height <= a.y + 0.01;
                    assert!(apart, "{na} and {nb} overlap at {width}x{height}");
                }
            }
        }
    }
    // The centre's volume takes the full width below the KPI row.
    let centre = placed(&layout, 1, 1920.0, 1080.0);
    let today = centre.iter().find(|(n, _)| n == "today").expect("today").1;
    assert!((today.width - (1920.0 - 2.0 * vigie::wall::theme::GAP)).abs() < 0.01);
}

#[test]
fn pages_take_turns_after_their_dwell() {
    let layout = shipped("lobby.toml");
    let screen = &layout.screens[0];
    assert!(screen.grid.area(PAGES_AREA).is_some());
    let first_dwell = screen.pages[0].dwell;
    let mut app = wall_app(layout.clone());
    app.insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_millis(
        250,
    )));
    let current = |app: &mut App| {
        let mut decks = app.world_mut().query::<&PageDeck>();
        decks.single(app.world()).expect("one deck").current
    };
    let shown = |app: &mut App| {
        let mut pages = app.world_mut().query::<(&PageOf, &Node)>();
        let mut shown: Vec<usize> = pages
            .iter(app.world())
            .filter(|(_, n)| n.display != Display::None)
            .map(|(p, _)| p.index)
            .collect();
        shown.sort_unstable();
        shown
    };
    app.update();
    assert_eq!(current(&mut app), 0);
    assert_eq!(shown(&mut app), vec![0]);
    // The header is pinned: a tile of the screen, not of a page.
    let mut pinned = app
        .world_mut()
        .query_filtered::<&TileSlot, Without<PageOf>>();
    assert!(pinned.iter(app.world()).any(|s| s.kind == "header"));

    let steps = (first_dwell.as_millis() / 250) as usize + 1;
    for _ in 0..steps {
        app.update();
    }
    assert_eq!(current(&mut app), 1, "the second page is in");
    assert_eq!(shown(&mut app), vec![0, 1], "both pages show while sliding");
    for _ in 0..4 {
        app.update();
    }
    assert_eq!(shown(&mut app), vec![1], "the slide is over");
}

fn wait_for(app: &mut App, what: &str, done: impl Fn(&mut App) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        app.update();
        if done(app) {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("timed out waiting for {what}");
}

#[test]
fn a_changed_layout_file_is_shown_and_a_broken_one_is_reported() {
    let config = config();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("room.toml");
    let one_tile = "[[screen]]\nname = \"main\"\nareas = \"stream\"\n[screen.tiles.stream]\nkind = \"stream\"\n";
    std::fs::write(&path, one_tile).expect("write");
    let layout = Layout::load(&path, &config).expect("valid");
    let (tx, rx) = crossbeam_channel::bounded::<LayoutEvent>(8);
    let _watcher = LayoutWatcher::start(&layout, config.clone(), tx, || {}).expect("watcher");
    let mut app = wall_app(layout);
    app.insert_resource(LayoutFeed(rx));
    assert_eq!(slots(&mut app).len(), 1);

    // A good file: the new tile set within a second or so.
    std::thread::sleep(Duration::from_millis(1100));
    std::fs::write(
        &path,
        "[[screen]]\nname = \"main\"\nareas = \"stream volume\"\n\
         [screen.tiles.stream]\nkind = \"stream\"\n\
         [screen.tiles.volume]\nkind = \"volume\"\nwindow = \"2h\"\n",
    )
    .expect("write");
    let started = Instant::now();
    wait_for(&mut app, "the new layout", |app| slots(app).len() == 2);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let kinds: Vec<&str> = slots(&mut app).iter().map(|s| s.2).collect();
    assert_eq!(kinds, ["stream", "volume"]);
    assert_eq!(app.world().resource::<LayoutProblem>().0, None);

    // A broken file: the last good layout stays, the located error is reported.
    std::thread::sleep(Duration::from_millis(1100));
    std::fs::write(
        &path,
        "[[screen]]\nname = \"main\"\nareas = \"stream volume\"\n\
         [screen.tiles.stream]\nkind = \"stream\"\n\
         [screen.tiles.volume]\nkind = \"volum\"\n",
    )
    .expect("write");
    wait_for(&mut app, "the error", |app| {
        app.world().resource::<LayoutProblem>().0.is_some()
    });
    let problem = app
        .world()
        .resource::<LayoutProblem>()
        .0
        .clone()
        .expect("problem");
    assert!(
        problem.contains("room.toml:7:8: unknown tile kind 'volum' (did you mean 'volume'?)"),
        "{problem}"
    );
    assert_eq!(slots(&mut app).len(), 2, "the last good layout stays");
}

fn mention(id: &str, text: &str) -> vigie::model::EnrichedMention {
    use vigie::model::{Author, Engagement, EnrichedMention, Mention, Platform, Tone};
    EnrichedMention {
        mention: Mention {
            id: id.into(),
            platform: Platform::ALL[0],
            author: Author {
                handle: "lea_martin".into(),
                display_name: "Léa Martin".into(),
                reach: 120,
                avatar: None,
            },
            text: text.into(),
            lang: None,
            created_at: "2026-11-20T10:00:00Z".parse().expect("date"),
            url: None,
            engagement: Engagement::default(),
            reply_to: None,
            picture: None,
            rating: None,
        },
        brands: vec![0],
        sentiment: -0.6,
        tone: Tone::Negative,
        lang: "fr".into(),
    }
}

#[test]
fn a_lobby_hides_authors_masks_swearing_and_keeps_threats_slurs_and_sex_off_the_stream() {
    use vigie::model::WallUpdate;
    use vigie::wall::tiles::stream::{CardBody, CardMeta, StreamCard};

    let (mut app, tx) = wall_app_with_feed(shipped("lobby.toml"));
    // Oldest first: the newest three (a threat, a slur, sexual content) are kept off.
    tx.send(WallUpdate::Mentions(vec![
        mention(
            "a",
            "Cette affiche Petit Loup est une merde, quelle bande d'enfoirés",
        ),
        mention("b", "What the fuck is this Petit Loup poster"),
        mention("c", "Petit Loup on sait où tu habites"),
        mention("d", "Petit Loup sale b0ugn0ule"),
        mention("e", "#PetitLoup suce ma b1te"),
    ]))
    .expect("send");
    app.update();

    let mut cards = app.world_mut().query::<(&StreamCard, &Visibility)>();
    let visible = cards
        .iter(app.world())
        .filter(|(_, v)| **v != Visibility::Hidden)
        .count();
    assert_eq!(
        visible, 2,
        "the threat, the slur and the sexual post are not shown"
    );
    let mut bodies = app.world_mut().query::<(&CardBody, &Text)>();
    let mut texts: Vec<(usize, String)> = bodies
        .iter(app.world())
        .map(|(c, t)| (c.0, t.0.clone()))
        .filter(|(_, t)| !t.is_empty())
        .collect();
    texts.sort();
    assert_eq!(
        texts,
        vec![
            (0, "What the f*** is this Petit Loup poster".to_string()),
            (
                1,
                "Cette affiche Petit Loup est une m****, quelle bande d'e*******".to_string()
            ),
        ]
    );
    let mut metas = app.world_mut().query::<(&CardMeta, &Children)>();
    let spans: Vec<Entity> = metas
        .iter(app.world())
        .filter_map(|(_, children)| children.first().copied())
        .collect();
    for span in spans {
        let text = &app.world().get::<TextSpan>(span).expect("span").0;
        assert!(
            !text.contains("lea_martin") && !text.contains("Léa"),
            "{text}"
        );
    }
}

#[test]
fn a_layout_theme_repaints_the_wall() {
    use vigie::layout::ThemeName;
    use vigie::wall::theme::{self, themed};

    let mut layout = shipped("single.toml");
    layout.theme = Some(ThemeName::Light);
    let mut app = wall_app(layout);
    app.update();
    let light_background = themed(ThemeName::Light, theme::BACKGROUND).expect("a role");
    assert_eq!(app.world().resource::<ClearColor>().0, light_background);
    let mut texts = app.world_mut().query::<&TextColor>();
    let colours: Vec<Color> = texts.iter(app.world()).map(|c| c.0).collect();
    assert!(!colours.is_empty());
    assert!(
        colours
            .iter()
            .all(|c| *c != theme::TEXT && *c != theme::MUTED),
        "no dark-theme ink is left on a light wall"
    );
    let mut panels = app.world_mut().query::<(&Name, &BackgroundColor)>();
    let stream = panels
        .iter(app.world())
        .find(|(n, _)| n.as_str() == "stream")
        .map(|(_, c)| c.0)
        .expect("stream panel");
    assert_eq!(Some(stream), themed(ThemeName::Light, theme::TILE));
}
