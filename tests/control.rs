//! The control page's API against the real server on a loopback port: who may call what
//! (sessions, roles, CSRF tokens, the API token, the login limit), and what each action changes
//! on the wall, checked in the wall's own entities.

use std::path::Path;
use std::sync::Arc;

use bevy::prelude::*;
use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crossbeam_channel::Sender;
use vigie::alerts::sinks::SinkEvent;
use vigie::alerts::{Alert, Severity, Trigger};
use vigie::analysis::outputs::Output;
use vigie::config::Config;
use vigie::control::auth::hash_password;
use vigie::control::{ControlServer, ControlSetup, Journal, LiveTap, LiveView, Room};
use vigie::layout::Layout;
use vigie::layout::switch::LayoutLibrary;
use vigie::model::{AnalysisEvent, EnrichedMention, Figures, WallUpdate};
use vigie::wall::alert_banner::AlertBannerText;
use vigie::wall::layout::TileSlot;
use vigie::wall::pages::PageDeck;
use vigie::wall::room::{FrameCounter, MessageStrip, MessageText, RoomFeed};
use vigie::wall::switch::LayoutChoices;
use vigie::wall::tiles::stream::{CardBody, CardMeta, StreamCard};
use vigie::wall::{UpdateFeed, WallLayout, WallSettings};

const TOKEN: &str = "automation-token-0123456789";
const BLUESKY_ID: &str = "bluesky:at://did:plc:abc/app.bsky.feed.post/3lxyz";

fn shipped_config() -> Config {
    Config::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("config.toml"))
        .expect("the shipped config.toml is valid")
}

/// The shipped config with three users, each password their name reversed.
fn config() -> Config {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config.toml");
    let shipped = std::fs::read_to_string(&path).expect("config.toml");
    let mut text = shipped.replace("listen = \"127.0.0.1:8788\"", "listen = \"127.0.0.1:0\"");
    assert_ne!(
        text, shipped,
        "the shipped [control] section listens on 8788"
    );
    // The harness's alert comes from this rule, which puts every screen on the crisis layout.
    text.push_str(
        "\n[[alerts]]\nname = \"viral\"\nkind = \"viral_post\"\n\
         min_engagement_per_minute = 200\ntakeover = \"layouts/crise.toml\"\n",
    );
    text.push('\n');
    for (name, role) in [("camille", "operator"), ("léo", "viewer"), ("ana", "admin")] {
        let password: String = name.chars().rev().collect();
        text.push_str(&format!(
            "[[control.users]]\nname = \"{name}\"\nrole = \"{role}\"\npassword_hash = \"{}\"\n",
            hash_password(&password).expect("hash")
        ));
    }
    Config::parse(&path, &text).expect("config with users")
}

fn card(id: &str, handle: &str, text: &str, at: DateTime<Utc>) -> EnrichedMention {
    let mut card = vigie::model::test_card(id, text);
    card.mention.author.handle = handle.into();
    card.mention.created_at = at;
    card
}

fn alert(id: u64, at: DateTime<Utc>) -> Alert {
    Alert {
        id,
        rule: "viral".into(),
        severity: Severity::Critical,
        brand: Some("Petit Loup".into()),
        trigger: Trigger::Keyword {
            word: "boycott".into(),
        },
        summary: "Petit Loup : « boycott » cité près de la marque".into(),
        evidence: Vec::new(),
        started_at: at,
        updated_at: at,
        ended_at: None,
    }
}

/// A running server, its room and live view, and the posts and figures the analysis gave it.
struct Harness {
    config: Config,
    server: ControlServer,
    room: Arc<Room>,
    live: Arc<LiveView>,
    cards: Vec<EnrichedMention>,
    figures: Figures,
    http: reqwest::Client,
}

impl Harness {
    fn start() -> Harness {
        Harness::start_with(Utc::now(), None)
    }

    /// A server whose posts and alert date from `now`, keeping its actions and the room's
    /// decisions in the history in `journal` (and starting from those kept there).
    fn start_with(now: DateTime<Utc>, journal: Option<&Path>) -> Harness {
        Harness::start_telling(now, journal, None)
    }

    /// The same, telling `sinks` what the room does with alerts.
    fn start_telling(
        now: DateTime<Utc>,
        journal: Option<&Path>,
        sinks: Option<Sender<SinkEvent>>,
    ) -> Harness {
        let config = config();
        let journal = journal.map(|dir| Journal::open(dir).expect("the journal opens"));
        let room = Room::with_state(
            Default::default(),
            journal.as_ref().map(Journal::room).unwrap_or_default(),
        );
        let live = Arc::new(LiveView::default());
        // The oldest has a Bluesky id, with the slashes of its at:// URI.
        let cards: Vec<EnrichedMention> = std::iter::once(card(
            BLUESKY_ID,
            "lea",
            "Un post Bluesky sur Petit Loup",
            now - chrono::TimeDelta::seconds(120),
        ))
        .chain((0..8).map(|n| {
            card(
                &format!("post-{n}"),
                if n == 3 { "Troll_42" } else { "lea" },
                &format!("Message numéro {n} sur Petit Loup"),
                now - chrono::TimeDelta::seconds(60 - n),
            )
        }))
        .collect();
        let tap = LiveTap {
            view: live.clone(),
            room: Some(room.clone()),
        };
        for card in &cards {
            tap.analysis(&AnalysisEvent::Counted(card.clone()));
        }
        let figures = Figures {
            now,
            brands: WallSettings::from_config(&config).brands,
            alerts: vec![alert(7, now)],
            active_alerts: 1,
            processed: 9,
            ..Figures::default()
        };
        tap.figures(&figures);
        let server = vigie::control::server::start(ControlSetup {
            config: config.control.clone(),
            locale: config.locale,
            title: config.wall.title.clone(),
            token: Some(TOKEN.into()),
            room: room.clone(),
            live: live.clone(),
            journal,
            layouts: ["crise", "lobby", "neutre", "single", "warroom"]
                .map(String::from)
                .to_vec(),
            lobby: vigie::privacy::LobbyFilter::shipped(),
            sinks,
            remote: None,
            blind_spots: vigie::ingest::coverage::blind_spots(&vigie::ingest::coverage::listened(
                &config,
            )),
        })
        .expect("the server starts");
        Harness {
            config,
            server,
            room,
            live,
            cards,
            figures,
            http: reqwest::Client::new(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.server.address)
    }

    /// Logs in: the session cookie and the CSRF token.
    async fn login(&self, name: &str) -> (String, String) {
        let password: String = name.chars().rev().collect();
        let response = self
            .http
            .post(self.url("/api/login"))
            .json(&json!({ "name": name, "password": password }))
            .send()
            .await
            .expect("login");
        assert_eq!(response.status(), StatusCode::OK, "{name} logs in");
        let cookie = response
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .expect("a cookie")
            .to_string();
        for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
            assert!(cookie.contains(attribute), "{attribute} in {cookie}");
        }
        let session = cookie.split(';').next().expect("name=value").to_string();
        let body: Value = response.json().await.expect("json");
        let csrf = body["csrf"].as_str().expect("a csrf token").to_string();
        (session, csrf)
    }

    async fn post_as(
        &self,
        path: &str,
        session: Option<&(String, String)>,
        csrf: Option<&str>,
        body: Value,
    ) -> (StatusCode, Value) {
        let mut request = self.http.post(self.url(path)).json(&body);
        if let Some((cookie, _)) = session {
            request = request.header("cookie", cookie);
        }
        if let Some(csrf) = csrf {
            request = request.header("x-csrf-token", csrf);
        }
        let response = request.send().await.expect("request");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// A GET with the session's cookie, its JSON answer.
    async fn get_json(&self, path: &str, session: &(String, String)) -> Value {
        self.http
            .get(self.url(path))
            .header("cookie", &session.0)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"))
            .json()
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// The audit log's actions, newest first.
    async fn audit_actions(&self, session: &(String, String)) -> Vec<String> {
        self.get_json("/api/audit", session).await["audit"]
            .as_array()
            .expect("entries")
            .iter()
            .filter_map(|e| e["action"].as_str().map(String::from))
            .collect()
    }

    async fn act(&self, path: &str, session: &(String, String), body: Value) -> Value {
        let (status, answer) = self
            .post_as(path, Some(session), Some(&session.1), body)
            .await;
        assert_eq!(status, StatusCode::OK, "{path}: {answer}");
        answer
    }
}

/// Every route that reads or acts, with a body it accepts.
fn guarded_routes() -> Vec<(&'static str, &'static str, Value)> {
    vec![
        ("GET", "/api/state", Value::Null),
        ("GET", "/api/posts?q=numéro", Value::Null),
        ("GET", "/api/audit", Value::Null),
        ("POST", "/api/logout", json!({})),
        ("POST", "/api/alerts/7/acknowledge", json!({})),
        ("POST", "/api/alerts/7/resolve", json!({ "note": "fait" })),
        ("POST", "/api/posts/post-1/pin", json!({ "minutes": 10 })),
        ("POST", "/api/posts/post-1/unpin", json!({})),
        ("POST", "/api/posts/post-1/hide", json!({})),
        ("POST", "/api/posts/post-1/unhide", json!({})),
        ("POST", "/api/authors/block", json!({ "post": "post-3" })),
        (
            "POST",
            "/api/authors/unblock",
            json!({ "author": "bluesky:troll_42" }),
        ),
        (
            "POST",
            "/api/banner",
            json!({ "text": "Point de crise à 15 h" }),
        ),
        ("POST", "/api/layout", json!({ "layout": "crise" })),
        ("POST", "/api/lobby-safe", json!({ "on": true })),
        ("POST", "/api/rotation", json!({ "action": "pause" })),
        ("GET", "/api/approval", Value::Null),
        ("POST", "/api/posts/post-2/approve", json!({})),
        ("POST", "/api/posts/post-2/reject", json!({})),
    ]
}

#[tokio::test]
async fn every_route_refuses_a_missing_or_wrong_login_or_token() {
    let harness = Harness::start();
    let before = harness.room.snapshot();
    for (method, path, body) in guarded_routes() {
        for credentials in [
            None,
            Some(("authorization", "Bearer not-the-token".to_string())),
            Some(("authorization", format!("Bearer {TOKEN}x"))),
            Some(("authorization", format!("Basic {TOKEN}"))),
            Some(("cookie", format!("vigie_session={}", "0".repeat(64)))),
        ] {
            let mut request = match method {
                "GET" => harness.http.get(harness.url(path)),
                _ => harness.http.post(harness.url(path)).json(&body),
            };
            if let Some((name, value)) = &credentials {
                request = request.header(*name, value);
            }
            let response = request.send().await.expect("request");
            assert_eq!(
                response.status(),
                StatusCode::UNAUTHORIZED,
                "{method} {path} with {credentials:?}"
            );
        }
    }
    assert_eq!(harness.room.snapshot(), before, "nothing changed");
    // The right token opens every route, no CSRF token needed (no cookie to forge).
    for (method, path, body) in guarded_routes() {
        if path == "/api/logout" {
            continue;
        }
        let request = match method {
            "GET" => harness.http.get(harness.url(path)),
            _ => harness.http.post(harness.url(path)).json(&body),
        };
        let response = request.bearer_auth(TOKEN).send().await.expect("request");
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "{method} {path} with the token"
        );
    }
}

#[tokio::test]
async fn a_viewer_sees_the_room_but_cannot_act() {
    let harness = Harness::start();
    let viewer = harness.login("léo").await;
    let state = harness.get_json("/api/state", &viewer).await;
    assert_eq!(state["user"]["role"], "viewer");
    assert_eq!(state["alerts"][0]["id"], 7);
    for (method, path, body) in guarded_routes() {
        if method == "GET" || path == "/api/logout" {
            continue;
        }
        let (status, answer) = harness
            .post_as(path, Some(&viewer), Some(&viewer.1), body)
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {answer}");
    }
    assert_eq!(harness.room.snapshot(), Default::default());
}

#[tokio::test]
async fn a_write_without_its_csrf_token_is_refused() {
    let harness = Harness::start();
    let operator = harness.login("camille").await;
    let other = harness.login("ana").await;
    for csrf in [None, Some("wrong"), Some(other.1.as_str()), Some("")] {
        let (status, answer) = harness
            .post_as("/api/posts/post-1/hide", Some(&operator), csrf, json!({}))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "csrf {csrf:?}: {answer}");
    }
    assert!(harness.room.snapshot().hidden.is_empty());
    harness
        .act("/api/posts/post-1/hide", &operator, json!({}))
        .await;
    assert!(harness.room.snapshot().hidden.contains("post-1"));
}

#[tokio::test]
async fn a_foreign_page_cannot_log_in_and_the_token_scheme_is_case_insensitive() {
    let harness = Harness::start();
    let login = json!({ "name": "camille", "password": "ellimac" });
    for (name, value) in [
        ("origin", "https://attacker.example"),
        ("sec-fetch-site", "cross-site"),
    ] {
        let response = harness
            .http
            .post(harness.url("/api/login"))
            .header(name, value)
            .json(&login)
            .send()
            .await
            .expect("login");
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{name}: {value}");
    }
    let response = harness
        .http
        .post(harness.url("/api/login"))
        .header("content-type", "text/plain")
        .body(login.to_string())
        .send()
        .await
        .expect("login");
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // The page's own origin logs in.
    let response = harness
        .http
        .post(harness.url("/api/login"))
        .header("origin", format!("http://{}", harness.server.address))
        .json(&login)
        .send()
        .await
        .expect("login");
    assert_eq!(response.status(), StatusCode::OK);
    let response = harness
        .http
        .get(harness.url("/api/state"))
        .header("authorization", format!("bearer {TOKEN}"))
        .send()
        .await
        .expect("state");
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn logins_are_limited_per_address_and_a_logout_ends_the_session() {
    let harness = Harness::start();
    for attempt in 0..5 {
        let (status, _) = harness
            .post_as(
                "/api/login",
                None,
                None,
                json!({ "name": "camille", "password": format!("guess {attempt}") }),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    let response = harness
        .http
        .post(harness.url("/api/login"))
        .json(&json!({ "name": "camille", "password": "ellimac" }))
        .send()
        .await
        .expect("login");
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After in seconds");
    assert!(retry > 800 && retry <= 900, "{retry}");
    // An unknown name is refused like a wrong password.
    let fresh = Harness::start();
    let (status, answer) = fresh
        .post_as(
            "/api/login",
            None,
            None,
            json!({ "name": "mallory", "password": "x" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer["error"], "wrong name or password");
    let session = fresh.login("camille").await;
    fresh.act("/api/logout", &session, json!({})).await;
    let (status, _) = fresh
        .post_as(
            "/api/posts/post-1/hide",
            Some(&session),
            Some(&session.1),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the session is over");
}

#[tokio::test]
async fn health_and_metrics_answer_without_login_and_show_counts_only() {
    let harness = Harness::start();
    let health: Value = harness
        .http
        .get(harness.url("/health"))
        .send()
        .await
        .expect("health")
        .json()
        .await
        .expect("json");
    assert_eq!(health["status"], "ok");
    assert_eq!(health["mentions_analysed"], 9);
    let metrics = harness
        .http
        .get(harness.url("/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        metrics.contains("vigie_mentions_analysed_total 9"),
        "{metrics}"
    );
    assert!(metrics.contains("vigie_alerts_active 1"), "{metrics}");
    for private in ["Message numéro", "boycott", "lea", "Troll"] {
        assert!(!metrics.contains(private), "{private} in /metrics");
        assert!(
            !health.to_string().contains(private),
            "{private} in /health"
        );
    }
}

/// A wall with no renderer showing the built-in layout, the room of the control page, and the
/// posts and figures the harness gave the page.
fn wall_of(harness: &Harness) -> App {
    let config = shipped_config();
    let (tx, rx) = crossbeam_channel::bounded(16);
    let mut app = App::new();
    app.add_plugins(MinimalPlugins);
    app.insert_resource(WallSettings::from_config(&config));
    app.insert_resource(WallLayout(Layout::built_in(&config)));
    app.insert_resource(UpdateFeed(rx));
    app.insert_resource(RoomFeed(harness.room.clone()));
    app.add_plugins(vigie::wall::plugin);
    app.update();
    tx.send(WallUpdate::Mentions(harness.cards.clone()))
        .expect("send");
    tx.send(WallUpdate::Figures(Box::new(harness.figures.clone())))
        .expect("send");
    app.update();
    app.update();
    app
}

/// A wall like `wall_of` that switches layouts as the room and the alerts ask (the layouts of
/// `layouts/`, the harness's alert rule taking over with `crise.toml`), showing `own` and the
/// harness's posts and `figures`; it tells the live view what it shows.
fn switching_wall(harness: &Harness, own: Layout, figures: &Figures) -> (App, Sender<WallUpdate>) {
    let (library, errors) = LayoutLibrary::load(&harness.config, &own);
    assert!(errors.is_empty(), "{errors:?}");
    let (tx, rx) = crossbeam_channel::bounded(16);
    let mut app = App::new();
    app.add_plugins(MinimalPlugins);
    app.insert_resource(WallSettings::from_config(&harness.config));
    app.insert_resource(LayoutChoices::new(own.clone(), library));
    app.insert_resource(WallLayout(own));
    app.insert_resource(UpdateFeed(rx));
    app.insert_resource(RoomFeed(harness.room.clone()));
    app.insert_resource(FrameCounter(harness.live.clone()));
    app.add_plugins(vigie::wall::plugin);
    app.update();
    tx.send(WallUpdate::Mentions(harness.cards.clone()))
        .expect("send");
    tx.send(WallUpdate::Figures(Box::new(figures.clone())))
        .expect("send");
    app.update();
    app.update();
    (app, tx)
}

/// The layout on the wall's screens: its name, its screens' names, its tiles' kinds.
fn layout_shown(app: &mut App) -> (String, Vec<String>, Vec<&'static str>) {
    let layout = &app.world().resource::<WallLayout>().0;
    let name = layout.name.clone();
    let screens = layout.screens.iter().map(|s| s.name.clone()).collect();
    let mut slots = app.world_mut().query::<&TileSlot>();
    let mut kinds: Vec<&'static str> = slots.iter(app.world()).map(|s| s.kind).collect();
    kinds.sort();
    kinds.dedup();
    (name, screens, kinds)
}

/// The stream's visible cards in order: their meta line and their text.
fn cards_shown(app: &mut App) -> Vec<(String, String)> {
    let mut cards = app.world_mut().query::<(&StreamCard, &Visibility)>();
    let mut visible: Vec<usize> = cards
        .iter(app.world())
        .filter(|(_, visibility)| **visibility != Visibility::Hidden)
        .map(|(card, _)| card.0)
        .collect();
    visible.sort();
    let mut metas = app.world_mut().query::<(&CardMeta, &Text)>();
    let metas: Vec<(usize, String)> = metas
        .iter(app.world())
        .map(|(meta, text)| (meta.0, text.0.clone()))
        .collect();
    let mut bodies = app.world_mut().query::<(&CardBody, &Text)>();
    let bodies: Vec<(usize, String)> = bodies
        .iter(app.world())
        .map(|(body, text)| (body.0, text.0.clone()))
        .collect();
    let text_of = |texts: &[(usize, String)], index: usize| {
        texts
            .iter()
            .find(|(i, _)| *i == index)
            .map(|(_, t)| t.clone())
            .unwrap_or_default()
    };
    visible
        .into_iter()
        .map(|index| (text_of(&metas, index), text_of(&bodies, index)))
        .collect()
}

/// The room's message on each screen where its strip shows.
fn messages_shown(app: &mut App) -> Vec<String> {
    let mut strips = app
        .world_mut()
        .query_filtered::<(&Node, &Children), With<MessageStrip>>();
    let shown: Vec<Entity> = strips
        .iter(app.world())
        .filter(|(node, _)| node.display != Display::None)
        .flat_map(|(_, children)| children.iter().collect::<Vec<_>>())
        .collect();
    let mut texts = app.world_mut().query_filtered::<&Text, With<MessageText>>();
    shown
        .into_iter()
        .filter_map(|entity| texts.get(app.world(), entity).ok())
        .map(|text| text.0.clone())
        .collect()
}

fn all_texts<C: Component>(app: &mut App) -> Vec<String> {
    let mut query = app.world_mut().query_filtered::<&Text, With<C>>();
    query.iter(app.world()).map(|t| t.0.clone()).collect()
}

#[tokio::test]
async fn each_action_changes_what_the_wall_shows() {
    let harness = Harness::start();
    let operator = harness.login("camille").await;
    let mut wall = wall_of(&harness);
    let bodies = |wall: &mut App| -> Vec<String> {
        cards_shown(wall)
            .into_iter()
            .map(|(_, body)| body)
            .collect()
    };
    let before = bodies(&mut wall);
    assert_eq!(
        before.first().map(String::as_str),
        Some("Message numéro 7 sur Petit Loup")
    );
    assert!(before.iter().any(|t| t.contains("numéro 3")));

    // Hide a post: it leaves the wall; the analysis still counts it (not the page's to undo).
    harness
        .act("/api/posts/post-6/hide", &operator, json!({}))
        .await;
    // Block an author through one of their posts.
    harness
        .act("/api/authors/block", &operator, json!({ "post": "post-3" }))
        .await;
    // Pin an older post: it goes to the top, framed and labelled.
    harness
        .act("/api/posts/post-0/pin", &operator, json!({ "minutes": 15 }))
        .await;
    // Take the alert in hand, and write a banner.
    harness
        .act("/api/alerts/7/acknowledge", &operator, json!({}))
        .await;
    harness
        .act(
            "/api/banner",
            &operator,
            json!({ "text": "Point de crise à 15 h", "minutes": 30 }),
        )
        .await;
    wall.update();
    let after = bodies(&mut wall);
    assert_eq!(
        after.first().map(String::as_str),
        Some("Message numéro 0 sur Petit Loup"),
        "the pinned post leads: {after:?}"
    );
    assert!(
        !after.iter().any(|t| t.contains("numéro 6")),
        "hidden: {after:?}"
    );
    assert!(
        !after.iter().any(|t| t.contains("numéro 3")),
        "blocked: {after:?}"
    );
    let shown = cards_shown(&mut wall);
    assert!(shown[0].0.starts_with("Épinglé · "), "{shown:?}");
    assert!(
        shown[1..].iter().all(|(meta, _)| !meta.contains("Épinglé")),
        "{shown:?}"
    );
    let banner = all_texts::<AlertBannerText>(&mut wall);
    assert!(
        banner
            .iter()
            .any(|t| t.contains("pris en charge · camille")),
        "{banner:?}"
    );
    assert!(!messages_shown(&mut wall).is_empty());
    assert!(
        messages_shown(&mut wall)
            .iter()
            .all(|m| m == "Point de crise à 15 h")
    );
    assert_eq!(
        harness.live.post("post-6").map(|p| p.mention.id),
        Some("post-6".into())
    );

    // Each is reversible.
    harness
        .act("/api/posts/post-6/unhide", &operator, json!({}))
        .await;
    harness
        .act(
            "/api/authors/unblock",
            &operator,
            json!({ "author": "bluesky:troll_42" }),
        )
        .await;
    harness
        .act("/api/posts/post-0/unpin", &operator, json!({}))
        .await;
    harness
        .act("/api/banner", &operator, json!({ "text": "" }))
        .await;
    wall.update();
    assert_eq!(bodies(&mut wall), before);
    assert!(messages_shown(&mut wall).is_empty());

    // Resolving keeps who took it in hand and says who resolved it; the audit log has it all.
    harness
        .act(
            "/api/alerts/7/resolve",
            &operator,
            json!({ "note": "affiches retirées" }),
        )
        .await;
    let state = harness.room.snapshot();
    let handled = &state.handled[&7];
    assert_eq!(handled.by, "camille");
    assert_eq!(
        handled.resolved.as_ref().map(|r| r.note.as_str()),
        Some("affiches retirées")
    );
    let actions = harness.audit_actions(&operator).await;
    assert_eq!(
        actions,
        [
            "resolve alert",
            "clear banner",
            "unpin post",
            "unblock author",
            "unhide post",
            "set banner",
            "acknowledge alert",
            "pin post",
            "block author",
            "hide post",
            "login",
        ]
    );
    let audit = harness.get_json("/api/audit", &operator).await;
    assert!(audit["audit"][0]["from"] == "127.0.0.1");
}

#[tokio::test]
async fn the_rooms_decisions_and_its_audit_log_outlive_a_restart() {
    let history = tempfile::tempdir().expect("temp dir");
    let now = Utc::now();
    let first = Harness::start_with(now, Some(history.path()));
    let operator = first.login("camille").await;
    for (path, body) in [
        ("/api/posts/post-6/hide", json!({})),
        ("/api/authors/block", json!({ "post": "post-3" })),
        ("/api/posts/post-0/pin", json!({ "minutes": 15 })),
        ("/api/alerts/7/acknowledge", json!({})),
        (
            "/api/banner",
            json!({ "text": "Point de crise à 15 h", "minutes": 30 }),
        ),
    ] {
        let answer = first.act(path, &operator, body).await;
        assert!(answer.get("warning").is_none(), "{path}: {answer}");
    }
    let before = first.room.snapshot();
    // The wall stops (a crash, a power cut: nothing is written at the stop).
    drop(first);

    let second = Harness::start_with(now, Some(history.path()));
    assert_eq!(second.room.snapshot(), before);
    let mut wall = wall_of(&second);
    let shown = cards_shown(&mut wall);
    assert!(shown[0].0.starts_with("Épinglé · "), "{shown:?}");
    assert_eq!(shown[0].1, "Message numéro 0 sur Petit Loup");
    assert!(
        shown
            .iter()
            .all(|(_, body)| !body.contains("numéro 6") && !body.contains("numéro 3")),
        "hidden and blocked stay off: {shown:?}"
    );
    let banner = all_texts::<AlertBannerText>(&mut wall);
    assert!(
        banner
            .iter()
            .any(|t| t.contains("pris en charge · camille")),
        "{banner:?}"
    );
    assert_eq!(messages_shown(&mut wall), ["Point de crise à 15 h"]);

    // The page's audit log goes on from the first run's; the history has every line.
    let operator = second.login("camille").await;
    second
        .act("/api/posts/post-6/unhide", &operator, json!({}))
        .await;
    let actions = second.audit_actions(&operator).await;
    assert_eq!(
        actions,
        [
            "unhide post",
            "login",
            "set banner",
            "acknowledge alert",
            "pin post",
            "block author",
            "hide post",
            "login",
        ]
    );
    drop(second);
    let store = vigie::store::Store::open(history.path()).expect("history");
    let mut csv = Vec::new();
    let rows = vigie::export::export(
        &store,
        vigie::export::ExportTable::Audit,
        vigie::export::ExportFormat::Csv,
        now - chrono::TimeDelta::hours(1),
        Utc::now() + chrono::TimeDelta::hours(1),
        &mut csv,
    )
    .expect("export");
    assert_eq!(rows, 8);
    let csv = String::from_utf8(csv).expect("utf-8");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "at,user,from,action,target,detail");
    assert!(lines[1].ends_with(",camille,127.0.0.1,login,,"), "{csv}");
    assert!(
        lines[3].ends_with(",camille,127.0.0.1,block author,bluesky:troll_42,"),
        "{csv}"
    );
    assert!(
        lines[4].ends_with(",camille,127.0.0.1,pin post,post-0,15 min"),
        "{csv}"
    );
    assert!(
        lines[6].ends_with(",set banner,,Point de crise à 15 h (30 min)"),
        "{csv}"
    );
    assert!(lines[8].ends_with(",unhide post,post-6,"), "{csv}");
}

#[tokio::test]
async fn the_room_switches_every_screen_and_an_alert_takes_over_until_it_ends() {
    let harness = Harness::start();
    let operator = harness.login("camille").await;
    let own = Layout::built_in(&harness.config);
    // The harness's alert has ended: the wall shows its own layout.
    let mut ended = harness.figures.clone();
    ended.alerts[0].ended_at = Some(ended.now);
    ended.active_alerts = 0;
    let (mut wall, updates) = switching_wall(&harness, own, &ended);
    let (name, screens, kinds) = layout_shown(&mut wall);
    assert_eq!(
        (name.as_str(), screens.clone()),
        ("Single screen", vec!["main".to_string()])
    );
    assert!(!kinds.contains(&"alerts"), "{kinds:?}");
    let showing = |harness: &Harness| serde_json::to_value(harness.live.showing()).expect("json");
    assert_eq!(showing(&harness)["because"]["kind"], "own");

    // The room switches to the crisis layout: on the wall's own screen, its tiles.
    harness
        .act("/api/layout", &operator, json!({ "layout": "crise" }))
        .await;
    wall.update();
    let (name, screens_now, kinds) = layout_shown(&mut wall);
    assert_eq!(name, "Crise");
    assert_eq!(screens_now, screens, "the room's screens, not the layout's");
    assert_eq!(
        kinds,
        ["alerts", "header", "status", "stream", "trending", "volume"]
    );
    assert_eq!(
        showing(&harness),
        json!({
            "layout": "Crise",
            "because": { "kind": "chosen", "name": "crise" },
            "pages": [],
            "screens": ["main"],
            "approval": null
        })
    );
    // A layout the room does not have is refused, and changes nothing.
    let (status, answer) = harness
        .post_as(
            "/api/layout",
            Some(&operator),
            Some(&operator.1),
            json!({ "layout": "../config" }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    assert_eq!(harness.room.snapshot().layout.as_deref(), Some("crise"));

    // And back.
    harness
        .act("/api/layout", &operator, json!({ "layout": null }))
        .await;
    wall.update();
    assert_eq!(layout_shown(&mut wall).0, "Single screen");

    // An alert of a rule with `takeover` switches every screen by itself, and back when it
    // ends.
    updates
        .send(WallUpdate::Figures(Box::new(harness.figures.clone())))
        .expect("send");
    wall.update();
    assert_eq!(layout_shown(&mut wall).0, "Crise");
    assert_eq!(
        showing(&harness)["because"],
        json!({ "kind": "takeover", "rule": "viral", "name": "crise" })
    );
    // The room's choice goes before the alert's.
    harness
        .act("/api/layout", &operator, json!({ "layout": "single" }))
        .await;
    wall.update();
    assert_eq!(layout_shown(&mut wall).0, "Single screen");
    harness
        .act("/api/layout", &operator, json!({ "layout": null }))
        .await;
    wall.update();
    assert_eq!(layout_shown(&mut wall).0, "Crise");
    updates
        .send(WallUpdate::Figures(Box::new(ended.clone())))
        .expect("send");
    wall.update();
    assert_eq!(layout_shown(&mut wall).0, "Single screen");

    // "Lobby safe" is for lobby screens: this wall is not one.
    harness
        .act("/api/lobby-safe", &operator, json!({ "on": true }))
        .await;
    wall.update();
    assert_eq!(layout_shown(&mut wall).0, "Single screen");
}

#[tokio::test]
async fn a_lobby_goes_neutral_at_once_and_its_pages_stop_or_show_the_one_asked() {
    let harness = Harness::start();
    let operator = harness.login("camille").await;
    let lobby = Layout::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("layouts/lobby.toml"),
        &harness.config,
    )
    .expect("lobby.toml");
    let mut ended = harness.figures.clone();
    ended.alerts[0].ended_at = Some(ended.now);
    let (mut wall, _updates) = switching_wall(&harness, lobby, &ended);
    assert_eq!(layout_shown(&mut wall).0, "Lobby");
    // The room's message is for the room, not for the lobby's visitors.
    harness
        .act(
            "/api/banner",
            &operator,
            json!({ "text": "Point de crise à 15 h", "minutes": 30 }),
        )
        .await;
    wall.update();
    assert_eq!(
        harness.room.snapshot().banner.map(|b| b.text),
        Some("Point de crise à 15 h".into())
    );
    assert!(messages_shown(&mut wall).is_empty());
    assert_eq!(harness.live.showing().pages, ["volume", "voices", "stream"]);

    // Show page 3, and it stays there.
    let deck = |wall: &mut App| -> (usize, Entity) {
        let mut decks = wall.world_mut().query::<(Entity, &PageDeck)>();
        let (entity, deck) = decks.single(wall.world()).expect("one deck");
        (deck.current, entity)
    };
    let make_due = |wall: &mut App, entity: Entity| {
        let mut deck = wall.world_mut().get_mut::<PageDeck>(entity).expect("deck");
        for dwell in &mut deck.dwell {
            *dwell = std::time::Duration::from_nanos(1);
        }
    };
    harness
        .act(
            "/api/rotation",
            &operator,
            json!({ "action": "page", "page": 3 }),
        )
        .await;
    wall.update();
    let (current, entity) = deck(&mut wall);
    assert_eq!(current, 2);
    make_due(&mut wall, entity);
    wall.update();
    wall.update();
    assert_eq!(deck(&mut wall).0, 2, "held on the page asked");
    // Resumed, the pages turn again; paused, they stop where they are.
    harness
        .act("/api/rotation", &operator, json!({ "action": "resume" }))
        .await;
    wall.update();
    assert_ne!(deck(&mut wall).0, 2, "turning again");
    harness
        .act("/api/rotation", &operator, json!({ "action": "pause" }))
        .await;
    wall.update();
    let held = deck(&mut wall).0;
    wall.update();
    wall.update();
    assert_eq!(deck(&mut wall).0, held);
    for (body, why) in [
        (json!({ "action": "page", "page": 4 }), "past the last page"),
        (json!({ "action": "page", "page": 0 }), "pages count from 1"),
        (json!({ "action": "spin" }), "no such action"),
        (json!({}), "no action"),
    ] {
        let (status, answer) = harness
            .post_as("/api/rotation", Some(&operator), Some(&operator.1), body)
            .await;
        assert!(status.is_client_error(), "{why}: {status} {answer}");
    }

    // Lobby safe: the neutral screen at once, whatever the alerts or the room's choice; then
    // the lobby again.
    harness
        .act("/api/layout", &operator, json!({ "layout": "crise" }))
        .await;
    harness
        .act("/api/lobby-safe", &operator, json!({ "on": true }))
        .await;
    wall.update();
    let (name, screens, kinds) = layout_shown(&mut wall);
    assert_eq!((name.as_str(), kinds), ("Neutre", vec!["message"]));
    assert_eq!(screens, ["lobby"]);
    assert_eq!(
        all_texts::<Text>(&mut wall)
            .iter()
            .filter(|t| t.contains("Bienvenue"))
            .count(),
        1
    );
    harness
        .act("/api/lobby-safe", &operator, json!({ "on": false }))
        .await;
    wall.update();
    // The room's choice again, still a lobby: the crisis layout names no one there.
    assert_eq!(layout_shown(&mut wall).0, "Crise");
    assert_eq!(wall.world().resource::<WallLayout>().0.lobby, Some(true));
}

/// The shipped lobby, asking for approval, with both auto-approve rules.
fn approving_lobby(config: &Config) -> Layout {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("layouts/lobby.toml");
    let text = std::fs::read_to_string(&path).expect("lobby.toml").replace(
        "viewing_distance = 8\n",
        "viewing_distance = 8\napproval = true\n\
         [auto_approve]\nown_accounts = true\npositive_from_followers = 10000\n",
    );
    Layout::parse(&path, &text, config).expect("a lobby asking for approval")
}

#[tokio::test]
async fn a_lobby_that_asks_for_approval_shows_what_the_room_or_its_rules_approved() {
    let harness = Harness::start();
    let operator = harness.login("camille").await;
    let now = Utc::now();
    // The brand's own account, a known author's praise, and a post the lobby's lists keep off.
    let tap = LiveTap {
        view: harness.live.clone(),
        room: Some(harness.room.clone()),
    };
    let mut own = card("own-1", "PetitLoup", "Nos nouvelles affiches arrivent", now);
    own.tone = vigie::model::Tone::Neutral;
    let mut praise = card("praise-1", "maman_blog", "J'adore Petit Loup", now);
    praise.tone = vigie::model::Tone::Positive;
    praise.mention.author.reach = 25_000;
    let toxic = card(
        "toxic-1",
        "anon",
        "Petit Loup, putain, suce ma bite, kys",
        now,
    );
    for extra in [&own, &praise, &toxic] {
        tap.analysis(&AnalysisEvent::Counted(extra.clone()));
    }
    let mut ended = harness.figures.clone();
    ended.alerts[0].ended_at = Some(ended.now);
    let (mut wall, updates) = switching_wall(&harness, approving_lobby(&harness.config), &ended);
    updates
        .send(WallUpdate::Mentions(vec![
            own.clone(),
            praise.clone(),
            toxic.clone(),
        ]))
        .expect("send");
    wall.update();
    wall.update();
    let bodies = |wall: &mut App| -> Vec<String> {
        cards_shown(wall)
            .into_iter()
            .map(|(_, body)| body)
            .collect()
    };
    assert_eq!(
        bodies(&mut wall),
        ["J'adore Petit Loup", "Nos nouvelles affiches arrivent"],
        "only what the rules let through"
    );

    // The queue: the posts waiting, newest first, each with what the lobby's filter says.
    let queue = harness.get_json("/api/approval", &operator).await;
    assert_eq!(queue["approval"]["positive_from_followers"], 10_000);
    let waiting = queue["queue"].as_array().expect("a queue");
    let ids: Vec<&str> = waiting.iter().filter_map(|w| w["id"].as_str()).collect();
    assert!(
        ids.contains(&"post-2") && ids.contains(&"toxic-1"),
        "{ids:?}"
    );
    assert!(
        !ids.contains(&"own-1") && !ids.contains(&"praise-1"),
        "{ids:?}"
    );
    let toxic_line = waiting
        .iter()
        .find(|w| w["id"] == "toxic-1")
        .expect("the toxic post waits");
    assert_eq!(toxic_line["kept_off_by"], "threats", "{toxic_line}");

    // Approve one: on the lobby. The toxic one cannot be approved. Reject the own account's:
    // the room's word beats the rule.
    harness
        .act("/api/posts/post-2/approve", &operator, json!({}))
        .await;
    let (status, answer) = harness
        .post_as(
            "/api/posts/toxic-1/approve",
            Some(&operator),
            Some(&operator.1),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    harness
        .act("/api/posts/own-1/reject", &operator, json!({}))
        .await;
    wall.update();
    assert_eq!(
        bodies(&mut wall),
        ["J'adore Petit Loup", "Message numéro 2 sur Petit Loup"]
    );
    // Taken back off the lobby.
    harness
        .act("/api/posts/post-2/reject", &operator, json!({}))
        .await;
    wall.update();
    assert_eq!(bodies(&mut wall), ["J'adore Petit Loup"]);
}

#[tokio::test]
async fn the_alert_sinks_hear_who_took_an_alert_in_hand_and_who_resolved_it() {
    let (tx, rx) = crossbeam_channel::bounded(16);
    let harness = Harness::start_telling(Utc::now(), None, Some(tx));
    let camille = harness.login("camille").await;
    let ana = harness.login("ana").await;
    harness
        .act("/api/alerts/7/acknowledge", &camille, json!({}))
        .await;
    // A second hand changes nothing, and the sinks hear nothing more.
    harness
        .act("/api/alerts/7/acknowledge", &ana, json!({}))
        .await;
    harness
        .act(
            "/api/alerts/7/resolve",
            &ana,
            json!({ "note": "affiches retirées" }),
        )
        .await;
    let told: Vec<SinkEvent> = rx.try_iter().collect();
    let bodies: Vec<Value> = told.iter().map(SinkEvent::to_json).collect();
    assert_eq!(bodies.len(), 2, "{bodies:?}");
    assert_eq!(bodies[0]["event"], "acknowledged");
    assert_eq!(bodies[0]["by"], "camille");
    assert_eq!(bodies[0]["alert"]["id"], 7);
    assert!(bodies[0].get("note").is_none());
    assert_eq!(bodies[1]["event"], "resolved");
    assert_eq!(bodies[1]["by"], "ana");
    assert_eq!(bodies[1]["note"], "affiches retirées");
    let slack = vigie::alerts::sinks::slack_text(&told[1], vigie::i18n::Locale::Fr);
    assert!(slack.starts_with("✅ *Résolue* par ana à "), "{slack}");
    assert!(
        slack.ends_with("Petit Loup : « boycott » cité près de la marque\n> affiches retirées"),
        "{slack}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_screens_picture_is_drawn_by_the_wall_on_request_and_at_most_a_second_old() {
    let harness = Harness::start();
    let viewer = harness.login("léo").await;
    harness.live.set_showing(vigie::control::Showing {
        layout: "Single screen".into(),
        screens: vec!["main".into()],
        ..Default::default()
    });
    let get = |path: &'static str, cookie: Option<String>| {
        let request = harness.http.get(harness.url(path));
        let request = match cookie {
            Some(cookie) => request.header("cookie", cookie),
            None => request,
        };
        async move { request.send().await.expect("request") }
    };
    assert_eq!(
        get("/api/screens/main.png", None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    for unknown in [
        "/api/screens/left.png",
        "/api/screens/main",
        "/api/screens/..%2Fmain.png",
    ] {
        assert_eq!(
            get(unknown, Some(viewer.0.clone())).await.status(),
            StatusCode::NOT_FOUND,
            "{unknown}"
        );
    }
    // No wall draws: the page hears that it is stuck rather than waiting for ever.
    let started = std::time::Instant::now();
    let stuck = get("/api/screens/main.png", Some(viewer.0.clone())).await;
    assert_eq!(stuck.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(started.elapsed() < std::time::Duration::from_secs(8));

    // A wall that captures each screen asked for, numbering its captures.
    let live = harness.live.clone();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let captures = Arc::new(std::sync::atomic::AtomicU32::new(0));
    let wall = {
        let (stop, captures) = (stop.clone(), captures.clone());
        std::thread::spawn(move || {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                for screen in live.take_picture_requests() {
                    let n = captures.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                    live.store_picture(&screen, format!("\u{89}PNG capture {n}").into_bytes());
                }
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
        })
    };
    let picture = |response: reqwest::Response| async move {
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "image/png");
        let age: u64 = response.headers()["x-vigie-picture-age-ms"]
            .to_str()
            .expect("text")
            .parse()
            .expect("ms");
        assert!(age <= 1_000, "{age} ms old");
        String::from_utf8_lossy(&response.bytes().await.expect("body")).into_owned()
    };
    let asked = std::time::Instant::now();
    let first = picture(get("/api/screens/main.png", Some(viewer.0.clone())).await).await;
    assert!(first.ends_with("capture 1"), "{first}");
    // Within the second, the same picture, without a new capture (on a machine so loaded that
    // the second request comes over a second later, a new capture is right).
    let again = picture(get("/api/screens/main.png", Some(viewer.0.clone())).await).await;
    if asked.elapsed() < std::time::Duration::from_millis(900) {
        assert_eq!(again, first);
    }
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let later = picture(get("/api/screens/main.png", Some(viewer.0.clone())).await).await;
    let expected = if again == first {
        "capture 2"
    } else {
        "capture 3"
    };
    assert!(later.ends_with(expected), "{later}");
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    wall.join().expect("the fake wall");
}

#[tokio::test]
async fn bad_requests_are_refused_with_a_reason() {
    let harness = Harness::start();
    let operator = harness.login("camille").await;
    for (path, body, status) in [
        (
            "/api/alerts/99/acknowledge",
            json!({}),
            StatusCode::NOT_FOUND,
        ),
        ("/api/posts/unknown/pin", json!({}), StatusCode::NOT_FOUND),
        (
            "/api/posts/post-1/pin",
            json!({ "minutes": 0 }),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/posts/post-1/pin",
            json!({ "minutes": 100000 }),
            StatusCode::BAD_REQUEST,
        ),
        ("/api/authors/block", json!({}), StatusCode::BAD_REQUEST),
        (
            "/api/banner",
            json!({ "text": "x".repeat(201) }),
            StatusCode::BAD_REQUEST,
        ),
    ] {
        let (got, answer) = harness
            .post_as(path, Some(&operator), Some(&operator.1), body)
            .await;
        assert_eq!(got, status, "{path}: {answer}");
        assert!(
            answer["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{answer}"
        );
    }
    let raw = |path: &str, kind: &str, body: &str| {
        harness
            .http
            .post(harness.url(path))
            .header("cookie", &operator.0)
            .header("x-csrf-token", &operator.1)
            .header("content-type", kind)
            .body(body.to_string())
    };
    let response = raw("/api/banner", "application/json", "{not json")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    // A body that does not say it is JSON, as a foreign page's form or no-cors fetch sends it.
    let response = raw("/api/banner", "text/plain", "{\"text\":\"piège\"}")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // An id with a line break would forge a line of the audit log.
    let response = raw(
        "/api/posts/a%0Acontrol%20action/hide",
        "application/json",
        "{}",
    )
    .send()
    .await
    .expect("request");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(harness.room.snapshot(), Default::default());
}

#[tokio::test]
async fn a_post_id_with_slashes_is_named_percent_encoded() {
    let harness = Harness::start();
    let operator = harness.login("camille").await;
    let encoded: String = BLUESKY_ID
        .bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect();
    harness
        .act(&format!("/api/posts/{encoded}/pin"), &operator, json!({}))
        .await;
    harness
        .act(&format!("/api/posts/{encoded}/hide"), &operator, json!({}))
        .await;
    let room = harness.room.snapshot();
    assert!(room.hidden.contains(BLUESKY_ID), "{:?}", room.hidden);
    assert!(room.pins.is_empty(), "hiding a pinned post unpins it");
    let found: Value = harness
        .http
        .get(harness.url("/api/posts?q=bluesky"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("posts")
        .json()
        .await
        .expect("json");
    assert_eq!(found["posts"][0]["id"], BLUESKY_ID);
    assert_eq!(found["posts"][0]["hidden"], true);
}

/// Debian's chromedriver on a free loopback port, stopped with the test.
struct Driver {
    child: std::process::Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_driver() -> Driver {
    let binary = Path::new("/usr/bin/chromedriver");
    assert!(
        binary.exists() && Path::new("/usr/bin/chromium").exists(),
        "the browser tests need Debian's chromium and chromium-driver: scripts/setup-debian.sh \
         installs them"
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = std::process::Command::new(binary)
        .arg(format!("--port={port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "chromedriver did not listen"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    Driver { child, port }
}

/// A headless Chromium as the machine's README says to run it here: no sandbox (root), no
/// background connections (this machine's network is closed), a fresh profile.
async fn browser(driver: &Driver, profile: &Path) -> fantoccini::Client {
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    fantoccini::ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a browser session")
}

/// Saves a screenshot of the page at `width`×`height` under target/control-screenshots and
/// checks it is a PNG of that size.
async fn screenshot(client: &fantoccini::Client, name: &str, width: u32, height: u32) {
    client
        .set_window_size(width, height)
        .await
        .expect("window size");
    client
        .execute("window.scrollTo(0, 0)", Vec::new())
        .await
        .expect("scroll");
    let png = client.screenshot().await.expect("screenshot");
    let decoder = png::Decoder::new(std::io::Cursor::new(png.as_slice()));
    let info = decoder.read_info().expect("a PNG");
    assert!(
        info.info().width > 0 && info.info().width <= width,
        "{name}"
    );
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("control-screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    std::fs::write(dir.join(format!("{name}.png")), &png).expect("screenshot written");
}

/// Saves a screenshot of the element `css` finds, beside the page's.
async fn section_screenshot(client: &fantoccini::Client, css: &str, name: &str) {
    let element = client
        .find(fantoccini::Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    let png = element.screenshot().await.expect("screenshot");
    png::Decoder::new(std::io::Cursor::new(png.as_slice()))
        .read_info()
        .expect("a PNG");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("control-screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    std::fs::write(dir.join(format!("{name}.png")), &png).expect("screenshot written");
}

/// Presses `button`, then waits for the reloaded page to show `then`, and returns it.
async fn press_then(
    client: &fantoccini::Client,
    button: &str,
    then: &str,
) -> fantoccini::elements::Element {
    press(client, button).await;
    client
        .wait()
        .at_most(std::time::Duration::from_secs(20))
        .for_element(fantoccini::Locator::Css(then))
        .await
        .unwrap_or_else(|e| panic!("{then} after pressing {button}: {e}"))
}

/// Clicks the element `css` finds, scrolled to the middle of the window first, as a person would
/// (the header stays on top of the page and may cover what the last reload left under it).
async fn press(client: &fantoccini::Client, css: &str) {
    let element = client
        .find(fantoccini::Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    client
        .execute(
            "arguments[0].scrollIntoView({block: 'center'})",
            vec![serde_json::to_value(&element).expect("element as JSON")],
        )
        .await
        .expect("scroll");
    element
        .click()
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_real_browser_an_operator_logs_in_pins_hides_and_takes_an_alert_in_hand() {
    use fantoccini::Locator;
    let harness = Harness::start();
    let mut wall = wall_of(&harness);
    let driver = start_driver();
    let profile = tempfile::tempdir().expect("profile folder");
    let client = browser(&driver, profile.path()).await;
    let wait = || client.wait().at_most(std::time::Duration::from_secs(20));

    // A wrong password is refused on the page, then the right one opens it.
    client.goto(&harness.url("/")).await.expect("page");
    assert!(
        client
            .current_url()
            .await
            .expect("url")
            .path()
            .ends_with("/login")
    );
    screenshot(&client, "login-phone", 390, 844).await;
    let field = |name: &'static str| client.find(Locator::Css(name));
    field("input[name=name]")
        .await
        .expect("name")
        .send_keys("camille")
        .await
        .expect("type");
    field("input[name=password]")
        .await
        .expect("password")
        .send_keys("wrong")
        .await
        .expect("type");
    field("form[data-login] button")
        .await
        .expect("button")
        .click()
        .await
        .expect("click");
    let problem = wait()
        .for_element(Locator::XPath(
            "//p[@id='problem' and normalize-space(.)!='']",
        ))
        .await
        .expect("the refusal is shown");
    assert_eq!(
        problem.text().await.expect("text"),
        "wrong name or password"
    );
    let password = field("input[name=password]").await.expect("password");
    password.clear().await.expect("clear");
    password.send_keys("ellimac").await.expect("type");
    field("form[data-login] button")
        .await
        .expect("button")
        .click()
        .await
        .expect("click");
    wait()
        .for_element(Locator::Css("section#alerts"))
        .await
        .expect("the page");
    screenshot(&client, "page-laptop", 1366, 900).await;
    screenshot(&client, "page-phone", 390, 844).await;
    client.set_window_size(1366, 900).await.expect("size");

    // Pin a post: it leads the wall's stream, labelled.
    press_then(
        &client,
        "article[data-post-id='post-0'] button[data-post$='/pin']",
        "article[data-post-id='post-0'].is-pinned",
    )
    .await;
    // Hide another.
    press_then(
        &client,
        "article[data-post-id='post-6'] button[data-post$='/hide']",
        "article[data-post-id='post-6'].is-hidden",
    )
    .await;
    // Take the alert in hand.
    let handled = press_then(
        &client,
        "article[data-alert='7'] button[data-post$='/acknowledge']",
        "article[data-alert='7'].handled .tag",
    )
    .await;
    assert!(
        handled
            .text()
            .await
            .expect("text")
            .starts_with("pris en charge · camille")
    );

    wall.update();
    let shown = cards_shown(&mut wall);
    assert!(shown[0].0.starts_with("Épinglé · "), "{shown:?}");
    assert_eq!(shown[0].1, "Message numéro 0 sur Petit Loup");
    assert!(
        !shown.iter().any(|(_, body)| body.contains("numéro 6")),
        "{shown:?}"
    );
    let banner = all_texts::<AlertBannerText>(&mut wall);
    assert!(
        banner
            .iter()
            .any(|t| t.contains("pris en charge · camille")),
        "{banner:?}"
    );

    // Undo from the page: the post comes back.
    press_then(
        &client,
        "article[data-post-id='post-6'] button[data-post$='/unhide']",
        "article[data-post-id='post-6']:not(.is-hidden)",
    )
    .await;
    wall.update();
    assert!(
        cards_shown(&mut wall)
            .iter()
            .any(|(_, body)| body.contains("numéro 6"))
    );
    client.close().await.expect("close");
}

/// Logs `name` in on the page (the password is the name reversed).
async fn browser_login(client: &fantoccini::Client, harness: &Harness, name: &str) {
    use fantoccini::Locator;
    client.goto(&harness.url("/login")).await.expect("page");
    let password: String = name.chars().rev().collect();
    for (field, value) in [
        ("input[name=name]", name),
        ("input[name=password]", &password),
    ] {
        client
            .find(Locator::Css(field))
            .await
            .expect(field)
            .send_keys(value)
            .await
            .expect("type");
    }
    press(client, "form[data-login] button").await;
    client
        .wait()
        .at_most(std::time::Duration::from_secs(20))
        .for_element(Locator::Css("section#screens"))
        .await
        .expect("the page");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_real_browser_the_room_switches_the_lobby_to_the_crisis_layout_and_approves_a_post() {
    use fantoccini::Locator;
    let harness = Harness::start();
    let lobby = approving_lobby(&harness.config);
    let mut ended = harness.figures.clone();
    ended.alerts[0].ended_at = Some(ended.now);
    let (mut wall, _updates) = switching_wall(&harness, lobby, &ended);
    let driver = start_driver();
    let profile = tempfile::tempdir().expect("profile folder");
    let client = browser(&driver, profile.path()).await;
    client.set_window_size(1366, 900).await.expect("size");
    browser_login(&client, &harness, "camille").await;
    let showing = || async {
        client
            .find(Locator::Css("#showing"))
            .await
            .expect("what the wall shows")
            .text()
            .await
            .expect("text")
    };
    assert!(showing().await.contains("Lobby"), "{}", showing().await);

    // "Switch to crise": the room's choice on the page, the crisis layout on the wall.
    press_then(
        &client,
        "button[data-layout='crise']",
        "button[data-layout='crise'].current",
    )
    .await;
    wall.update();
    assert_eq!(layout_shown(&mut wall).0, "Crise");
    client.refresh().await.expect("reload");
    assert!(
        showing().await.contains("Crise · choisie par la salle"),
        "{}",
        showing().await
    );
    screenshot(&client, "page-crisis-laptop", 1366, 900).await;
    client.set_window_size(1366, 900).await.expect("size");

    // Page 2 of the lobby's pages is asked for: the crisis layout has none, the button is gone;
    // back to the usual layout, then page 2.
    press_then(
        &client,
        "#back-to-own",
        "button[data-layout='crise']:not(.current)",
    )
    .await;
    wall.update();
    assert_eq!(layout_shown(&mut wall).0, "Lobby");
    client.refresh().await.expect("reload");
    press_then(
        &client,
        "button[data-body*='\"page\":2']",
        "button[data-body*='\"page\":2'].current",
    )
    .await;
    wall.update();
    let mut decks = wall.world_mut().query::<&PageDeck>();
    assert_eq!(decks.single(wall.world()).expect("one deck").current, 1);

    // The lobby's neutral screen, at once, and back.
    press_then(&client, "#lobby-safe", "#lobby-safe[data-body*='false']").await;
    wall.update();
    assert_eq!(layout_shown(&mut wall).0, "Neutre");
    press_then(&client, "#lobby-safe", "#lobby-safe[data-body*='true']").await;
    wall.update();
    assert_eq!(layout_shown(&mut wall).0, "Lobby");

    // The lobby shows approved posts only: none yet. Approve one from the queue.
    assert!(cards_shown(&mut wall).is_empty());
    client.refresh().await.expect("reload");
    client
        .find(Locator::Css(
            "section#approval article[data-waiting-id='post-2']",
        ))
        .await
        .expect("post-2 waits for the room");
    client.set_window_size(1366, 900).await.expect("size");
    section_screenshot(&client, "section#approval", "approval-section").await;
    press_then(
        &client,
        "article[data-waiting-id='post-2'] button[data-post$='/approve']",
        "article[data-approved-id='post-2']",
    )
    .await;
    wall.update();
    assert_eq!(
        cards_shown(&mut wall),
        // A lobby names no one: the platform only.
        [(
            "Bluesky".to_string(),
            "Message numéro 2 sur Petit Loup".to_string()
        )]
    );
    client.close().await.expect("close");
}
