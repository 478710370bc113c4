//! The wall's systems without a window: feed `WallUpdate`s through the channel, run a frame,
//! and check what the tile entities now hold.

use std::path::Path;

use bevy::prelude::*;
use chrono::{DateTime, TimeDelta, Utc};
use vigie::analysis::Analyzer;
use vigie::config::Config;
use vigie::ingest::demo::{DemoGenerator, Scenario};
use vigie::layout::{Layout, Metric};
use vigie::model::{EnrichedMention, Figures, WallUpdate};
use vigie::wall::tiles::kpi::KpiValue;
use vigie::wall::tiles::share_of_voice::{ShareBar, SharePercent};
use vigie::wall::tiles::stream::{CARDS, CardBody, StreamCard};
use vigie::wall::tiles::volume::{SpikeMarker, SpikeNote, SpikeReason, VolumeBar};
use vigie::wall::{UpdateFeed, WallLayout, WallSettings};

fn config() -> Config {
    Config::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("config.toml"))
        .expect("the shipped config.toml is valid")
}

/// A wall app with no renderer, and the sending end of its feed.
fn wall_app() -> (App, crossbeam_channel::Sender<WallUpdate>) {
    wall_app_with(Layout::built_in(&config()))
}

fn wall_app_with(layout: Layout) -> (App, crossbeam_channel::Sender<WallUpdate>) {
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

/// Real figures and cards from the demo crisis, 20 minutes in.
fn crisis() -> (Figures, Vec<EnrichedMention>) {
    crisis_for(&Layout::built_in(&config()))
}

/// `crisis` with the windows `layout`'s tiles ask for.
fn crisis_for(layout: &Layout) -> (Figures, Vec<EnrichedMention>) {
    let (mut analyzer, mut cards, until) =
        play_crisis(layout, TimeDelta::hours(6), TimeDelta::minutes(20), false);
    let newest = cards.split_off(cards.len() - 10);
    (analyzer.figures(until, Vec::new()), newest)
}

/// The demo's poster crisis from `history` before the incident to `after` it, through an
/// analysis with `layout`'s windows; with `tick_alerts`, the alert engine ticks every 10 s of
/// event time as the wall's analysis thread does. The analysis, its cards, and the end.
fn play_crisis(
    layout: &Layout,
    history: TimeDelta,
    after: TimeDelta,
    tick_alerts: bool,
) -> (Analyzer, Vec<EnrichedMention>, DateTime<Utc>) {
    let incident: DateTime<Utc> = "2026-11-20T10:00:20Z".parse().expect("valid");
    let mut analyzer = Analyzer::new(&config().analysis_settings()).expect("analyzer");
    analyzer.set_windows(&vigie::wall::layout::windows_wanted(layout));
    let mut generator =
        DemoGenerator::new(42, Scenario::PosterBacklash, incident - history, incident);
    let until = incident + after;
    let mut cards = Vec::new();
    let mut next_tick = incident - history;
    while generator.peek().created_at <= until {
        let mention = generator.pop();
        let now = mention.created_at;
        if let vigie::analysis::Outcome::Matched(m) = analyzer.process(mention, now) {
            cards.push(*m);
        }
        if tick_alerts && now >= next_tick {
            analyzer.tick_alerts(now, &[]);
            next_tick = now + TimeDelta::seconds(10);
        }
    }
    if tick_alerts {
        analyzer.tick_alerts(until, &[]);
    }
    (analyzer, cards, until)
}

/// The shipped war room: three screens, only the left one with a status line.
fn war_room() -> Layout {
    Layout::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("layouts/warroom.toml"),
        &config(),
    )
    .expect("the war room layout is valid")
}

fn texts_of<C: Component>(app: &mut App) -> Vec<(Entity, String)> {
    let mut query = app.world_mut().query_filtered::<(Entity, &Text), With<C>>();
    query
        .iter(app.world())
        .map(|(e, t)| (e, t.0.clone()))
        .collect()
}

#[test]
fn tiles_are_spawned_once_and_start_empty() {
    let (mut app, _tx) = wall_app();
    let mut cards = app.world_mut().query::<(&StreamCard, &Visibility)>();
    let cards: Vec<_> = cards.iter(app.world()).collect();
    assert_eq!(cards.len(), CARDS);
    assert!(cards.iter().all(|(_, v)| **v == Visibility::Hidden));
    let mut bars = app.world_mut().query::<&VolumeBar>();
    assert_eq!(
        bars.iter(app.world()).count(),
        vigie::analysis::MAX_CHART_BARS as usize
    );
    let mut shares = app.world_mut().query::<&ShareBar>();
    assert_eq!(shares.iter(app.world()).count(), 4);
}

#[test]
fn updates_fill_the_tiles() {
    let (mut app, tx) = wall_app();
    let entities_before = app.world().entities().len();
    let (figures, cards) = crisis();
    tx.send(WallUpdate::Mentions(cards.clone())).expect("send");
    tx.send(WallUpdate::Figures(Box::new(figures.clone())))
        .expect("send");
    app.update();

    // The stream shows the newest mentions first, one per card.
    let mut visible = app.world_mut().query::<(&StreamCard, &Visibility)>();
    let shown = visible
        .iter(app.world())
        .filter(|(_, v)| **v != Visibility::Hidden)
        .count();
    assert_eq!(shown, CARDS);
    let mut bodies = app.world_mut().query::<(&CardBody, &Text)>();
    let newest = bodies
        .iter(app.world())
        .find(|(c, _)| c.0 == 0)
        .map(|(_, t)| t.0.clone())
        .expect("first card");
    let expected = cards
        .last()
        .expect("cards")
        .mention
        .text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        expected.starts_with(newest.trim_end_matches('…')),
        "{newest} / {expected}"
    );

    // The header's KPI is the own brand's last hour.
    let mut kpis = app.world_mut().query::<(&KpiValue, &Text)>();
    let mentions = kpis
        .iter(app.world())
        .find(|(k, _)| k.metric == Metric::MentionsLastHour)
        .map(|(_, t)| t.0.replace('\u{202F}', ""))
        .expect("kpi");
    assert_eq!(mentions, figures.last_hour[0].total().to_string());
    let alerts = kpis
        .iter(app.world())
        .find(|(k, _)| k.metric == Metric::ActiveAlerts)
        .map(|(_, t)| t.0.clone())
        .expect("kpi");
    assert!(figures.active_alerts >= 1, "the storm is alerting");
    assert_eq!(alerts, figures.active_alerts.to_string());

    // Share of voice bars follow the figures.
    let sov = figures.share_of_voice();
    let total: u32 = sov.iter().sum();
    let mut bars = app.world_mut().query::<(&ShareBar, &Node)>();
    for (bar, node) in bars.iter(app.world()) {
        let expected = sov[bar.0] as f32 * 100.0 / total as f32;
        assert_eq!(node.width, Val::Percent(expected), "brand {}", bar.0);
    }
    let percents = texts_of::<SharePercent>(&mut app);
    assert!(percents.iter().all(|(_, t)| t.ends_with('%')));

    // The chart shows one bar per bucket and marks the storm.
    let mut bars = app.world_mut().query::<(&VolumeBar, &Node)>();
    let displayed = bars
        .iter(app.world())
        .filter(|(_, n)| n.display != Display::None)
        .count();
    assert_eq!(displayed, figures.charts[0].bars[0].len());
    let mut markers = app.world_mut().query::<(&SpikeMarker, &Visibility)>();
    let marked: Vec<usize> = markers
        .iter(app.world())
        .filter(|(_, v)| **v != Visibility::Hidden)
        .map(|(m, _)| m.0)
        .collect();
    assert!(!marked.is_empty(), "the spike is marked on the chart");
    let last_bar = figures.charts[0].bars[0].len() - 1;
    assert!(marked.iter().any(|&b| b + 8 >= last_bar), "{marked:?}");

    // Updating is changing entities, not spawning new ones.
    assert_eq!(app.world().entities().len(), entities_before);
}

/// The demo crisis with the alert engine ticking, so that its volume-spike alert names the
/// storm's words, platforms and posts.
fn crisis_with_alerts() -> Figures {
    let (mut analyzer, _, until) = play_crisis(
        &Layout::built_in(&config()),
        TimeDelta::hours(2),
        TimeDelta::minutes(8),
        true,
    );
    analyzer.figures(until, Vec::new())
}

#[test]
fn the_volume_tile_says_why_its_latest_spike_happened_in_french_and_english() {
    let figures = crisis_with_alerts();
    let drivers = figures
        .alerts
        .iter()
        .find_map(|a| match &a.trigger {
            vigie::alerts::Trigger::VolumeSpike { drivers, .. } => Some(drivers.clone()),
            _ => None,
        })
        .expect("the crisis raises a volume-spike alert");
    assert!(!drivers.terms.is_empty(), "{drivers:?}");
    for (locale, most_shared) in [
        (vigie::i18n::Locale::Fr, "le plus partagé :"),
        (vigie::i18n::Locale::En, "most shared:"),
    ] {
        let (mut app, tx) = wall_app();
        app.world_mut().resource_mut::<WallSettings>().locale = locale;
        tx.send(WallUpdate::Figures(Box::new(figures.clone())))
            .expect("send");
        app.update();
        let mut query = app
            .world_mut()
            .query_filtered::<(&Text, &Visibility, Has<SpikeReason>), With<SpikeNote>>();
        let notes: Vec<(String, bool, bool)> = query
            .iter(app.world())
            .map(|(t, v, r)| (t.0.clone(), *v != Visibility::Hidden, r))
            .collect();
        let headline = notes
            .iter()
            .find(|(_, shown, reason)| *shown && !reason)
            .map(|(t, _, _)| t.clone())
            .expect("the spike's headline is shown");
        let spike_word = if locale == vigie::i18n::Locale::Fr {
            "PIC"
        } else {
            "SPIKE"
        };
        assert!(headline.starts_with(spike_word), "{headline}");
        let reason = notes
            .iter()
            .find(|(_, shown, reason)| *shown && *reason)
            .map(|(t, _, _)| t.clone())
            .expect("the spike's reason is shown");
        assert!(reason.contains(&drivers.terms[0]), "{reason} / {drivers:?}");
        let (platform, percent) = drivers.platforms[0];
        assert!(
            reason.contains(&format!("{platform} {percent} %")),
            "{reason}"
        );
        assert!(reason.contains(most_shared), "{reason}");
    }
}

#[test]
fn a_frame_without_updates_changes_nothing() {
    let (mut app, tx) = wall_app();
    let (figures, cards) = crisis();
    tx.send(WallUpdate::Mentions(cards)).expect("send");
    tx.send(WallUpdate::Figures(Box::new(figures)))
        .expect("send");
    app.update();
    let before = app
        .world()
        .resource::<vigie::wall::WallData>()
        .figures
        .clone();
    let changed_at = app
        .world()
        .resource_ref::<vigie::wall::WallData>()
        .last_changed()
        .get();
    app.update();
    let data = app.world().resource_ref::<vigie::wall::WallData>();
    assert_eq!(
        data.last_changed().get(),
        changed_at,
        "no update, no change"
    );
    assert_eq!(data.figures, before);
}

#[test]
fn the_war_room_shows_the_storm_in_its_topics_and_trending_tiles() {
    use vigie::wall::tiles::topics::{TopicField, TopicNode, TopicPart, TopicText};
    use vigie::wall::tiles::trending::{TrendField, TrendRow, TrendText};
    let layout = war_room();
    let (figures, cards) = crisis_for(&layout);
    let (mut app, tx) = wall_app_with(layout);
    tx.send(WallUpdate::Mentions(cards)).expect("send");
    tx.send(WallUpdate::Figures(Box::new(figures)))
        .expect("send");
    app.update();

    let mut texts = app.world_mut().query::<(&TopicText, &Text)>();
    let mut topic = |app: &App, slot, field| {
        texts
            .iter(app.world())
            .find(|(t, _)| t.slot == slot && t.field == field)
            .map(|(_, text)| text.0.clone())
            .expect("topic text")
    };
    assert_eq!(topic(&app, 0, TopicField::Name), "Campagne");
    let share = topic(&app, 0, TopicField::Percent);
    assert!(share.ends_with(" %"), "{share}");
    assert!(
        topic(&app, 0, TopicField::Micro).contains("Silhouettes"),
        "{}",
        topic(&app, 0, TopicField::Micro)
    );
    let mut nodes = app.world_mut().query::<(&TopicNode, &Node)>();
    let first_row_shown = nodes
        .iter(app.world())
        .any(|(n, node)| n.slot == 0 && n.part == TopicPart::Row && node.display == Display::Grid);
    assert!(first_row_shown);
    let red = nodes
        .iter(app.world())
        .find(|(n, _)| n.slot == 0 && n.part == TopicPart::Tone(vigie::model::Tone::Negative))
        .map(|(_, node)| node.width)
        .expect("negative part");
    assert!(
        matches!(red, Val::Percent(p) if p > 50.0),
        "the campaign topic is mostly negative: {red:?}"
    );

    let mut terms = app.world_mut().query::<(&TrendText, &Text)>();
    let mut term = |app: &App, row, field| {
        terms
            .iter(app.world())
            .find(|(t, _)| t.row == row && t.field == field)
            .map(|(_, text)| text.0.clone())
            .expect("trend text")
    };
    assert_eq!(term(&app, 0, TrendField::Term), "affiches");
    assert_eq!(term(&app, 0, TrendField::Rank), "1");
    let mut rows = app.world_mut().query::<(&TrendRow, &Node)>();
    let shown = rows
        .iter(app.world())
        .filter(|(_, node)| node.display == Display::Grid)
        .count();
    assert_eq!(
        shown, 6,
        "the war room's trending tile has six rows, all filled"
    );
}

#[test]
fn in_a_crisis_the_war_room_screens_without_a_status_line_make_room_for_the_banner() {
    use vigie::wall::alert_banner::{AlertBanner, BANNER_HEIGHT};
    use vigie::wall::layout::ScreenRoot;
    use vigie::wall::theme::GAP;
    let layout = war_room();
    let (mut figures, _) = crisis_for(&layout);
    assert!(
        figures.alerts.iter().any(|a| a.is_active()),
        "the storm is alerting"
    );
    let (mut app, tx) = wall_app_with(layout);
    let feet = |app: &mut App| {
        let mut roots = app.world_mut().query::<(&ScreenRoot, &Node)>();
        let mut feet: Vec<(String, Val)> = roots
            .iter(app.world())
            .map(|(root, node)| (root.name.clone(), node.padding.bottom))
            .collect();
        feet.sort_by(|a, b| a.0.cmp(&b.0));
        feet
    };
    let banners_shown = |app: &mut App| {
        let mut banners = app.world_mut().query_filtered::<&Node, With<AlertBanner>>();
        banners
            .iter(app.world())
            .filter(|node| node.display != Display::None)
            .count()
    };

    tx.send(WallUpdate::Figures(Box::new(figures.clone())))
        .expect("send");
    app.update();
    assert_eq!(banners_shown(&mut app), 3, "a banner on every screen");
    // The left screen's status line is where its banner goes; the others shrink their tiles.
    assert_eq!(
        feet(&mut app),
        vec![
            ("centre".to_string(), Val::Px(GAP + BANNER_HEIGHT)),
            ("left".to_string(), Val::Px(GAP)),
            ("right".to_string(), Val::Px(GAP + BANNER_HEIGHT)),
        ]
    );

    // Once the alerts end, the tiles take the whole screen again.
    figures.alerts.clear();
    tx.send(WallUpdate::Figures(Box::new(figures)))
        .expect("send");
    app.update();
    assert_eq!(banners_shown(&mut app), 0);
    assert!(
        feet(&mut app).iter().all(|(_, foot)| *foot == Val::Px(GAP)),
        "{:?}",
        feet(&mut app)
    );
}

/// Each tile carrying `T`, with the texts of its `C` parts in the order they are laid out.
fn texts_by_tile<T: Component + Clone, C: Component>(app: &mut App) -> Vec<(T, Vec<String>)> {
    let mut tiles = app.world_mut().query::<(Entity, &T)>();
    let tiles: Vec<(Entity, T)> = tiles
        .iter(app.world())
        .map(|(entity, tile)| (entity, tile.clone()))
        .collect();
    let mut parts = app.world_mut().query_filtered::<&Text, With<C>>();
    let world = app.world();
    tiles
        .into_iter()
        .map(|(entity, tile)| {
            // Depth first, children in order: the order the tile lays its parts out.
            let mut texts = Vec::new();
            let mut stack = vec![entity];
            while let Some(next) = stack.pop() {
                if let Ok(text) = parts.get(world, next) {
                    texts.push(text.0.clone());
                }
                if let Some(children) = world.get::<Children>(next) {
                    stack.extend(children.iter().rev());
                }
            }
            (tile, texts)
        })
        .collect()
}

#[test]
fn two_tiles_of_one_kind_each_show_what_their_own_options_ask() {
    use vigie::wall::tiles::stream::StreamTile;
    use vigie::wall::tiles::tone_bar::TotalsWindow;
    let text = r#"
name = "Two of each"
[[screen]]
name = "main"
areas = """
own  rival
short long
"""
[screen.tiles.own]
kind = "stream"
brands = ["Petit Loup"]
[screen.tiles.rival]
kind = "stream"
brands = ["Mini Mousse"]
[screen.tiles.short]
kind = "share_of_voice"
window = "15m"
[screen.tiles.long]
kind = "share_of_voice"
window = "6h"
"#;
    let layout = Layout::parse(Path::new("two.toml"), text, &config()).expect("valid layout");
    let (mut analyzer, mut cards, until) =
        play_crisis(&layout, TimeDelta::hours(6), TimeDelta::minutes(20), false);
    let figures = analyzer.figures(until, Vec::new());
    let newest = cards.split_off(cards.len().saturating_sub(64));
    let (mut app, tx) = wall_app_with(layout);
    tx.send(WallUpdate::Mentions(newest.clone())).expect("send");
    tx.send(WallUpdate::Figures(Box::new(figures.clone())))
        .expect("send");
    app.update();

    // Each stream shows the newest mentions of its own brand, and only those.
    let newest_of = |brand: usize| -> Vec<String> {
        newest
            .iter()
            .rev()
            .filter(|m| m.brands.contains(&brand))
            .take(CARDS)
            .map(|m| vigie::wall::tiles::stream::card_body(&m.mention.text))
            .collect()
    };
    let mut streams = texts_by_tile::<StreamTile, CardBody>(&mut app);
    streams.sort_by_key(|(tile, _)| tile.brands.clone());
    // Cards without a mention are hidden, and empty.
    for (_, texts) in &mut streams {
        texts.retain(|text| !text.is_empty());
    }
    assert_eq!(streams.len(), 2);
    assert_eq!(streams[0].0.brands, vec![0]);
    assert_eq!(streams[0].1, newest_of(0), "the own brand's stream");
    assert_eq!(streams[1].1, newest_of(1), "the competitor's stream");
    assert!(streams[1].1.len() >= 3, "{:?}", streams[1].1);
    assert_ne!(streams[0].1, streams[1].1);

    // Each share of voice reads its own window.
    let shares_of = |minutes: u32| -> Vec<String> {
        let totals = figures.totals(minutes).expect("the window was asked for");
        totals
            .shares(vigie::model::ShareBasis::Volume)
            .iter()
            .map(|(share, _)| format!("{share:.0} %"))
            .collect()
    };
    let mut shares = texts_by_tile::<TotalsWindow, SharePercent>(&mut app);
    shares.sort_by_key(|(window, _)| window.0);
    let shown: Vec<(u32, Vec<String>)> =
        shares.into_iter().map(|(w, texts)| (w.0, texts)).collect();
    assert_eq!(shown, vec![(15, shares_of(15)), (360, shares_of(360))]);
    assert_ne!(
        shown[0].1, shown[1].1,
        "a crisis moves the short window's shares"
    );
}
