//! Hub and displays over NATS JetStream, as separate processes on loopback, each test with a
//! nats-server of its own (Debian's package; CI installs it): two displays show the figures
//! the hub computed, a display started an hour later shows the whole window, and a NATS
//! server stopped for ten seconds loses nothing (the hub spools to disk, everyone reconnects).

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use support::hubs::*;

#[test]
fn two_displays_and_a_late_one_show_the_figures_the_hub_computed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let nats = Nats::start(&dir.path().join("nats"));
    let replay = dir.path().join("crisis.jsonl");
    let (start, written) = write_crisis_hour(&replay);
    let config = write_config(dir.path(), &replay);
    let start = start.to_rfc3339();
    let out = |name: &str| dir.path().join(format!("{name}.json"));

    // The hour plays in 15 s (240x); the hub runs on a while, then stops.
    let hub = replay_hub(&config, &nats.url(), &start, "240", "24", &out("hub"));
    let display = |name: &str, after: &str| display(&config, &nats, after, &out(name));
    let first = display("first", "30");
    // The second display starts when the hub's clock is more than an hour past the first
    // mention: it must replay the whole window, not only what comes next.
    std::thread::sleep(Duration::from_secs(17));
    let late = display("late", "11");

    let hub_log = finish("hub", hub);
    let first_log = finish("first display", first);
    let late_log = finish("late display", late);

    let hub = figures(&out("hub"));
    let first = figures(&out("first"));
    let late = figures(&out("late"));
    let total = counted(&day_window(&hub));
    assert!(
        total as usize > written / 2,
        "the hub counted the hour: {total} of {written}\n{hub_log}"
    );
    assert_eq!(day_window(&first), day_window(&hub), "{first_log}");
    assert_eq!(day_window(&late), day_window(&hub), "{late_log}");
    assert!(
        late_log.contains("caught up with the hub"),
        "the late display replayed the stream:\n{late_log}"
    );
    // Alerts are raised once, by the hub: both displays show the hub's, the same ones.
    assert!(!hub.alerts.is_empty(), "the crisis raises alerts");
    assert_eq!(alert_keys(&first), alert_keys(&late));
    for key in alert_keys(&hub) {
        assert!(
            alert_keys(&first).contains(&key),
            "the displays show the hub's alert {key:?}"
        );
    }
    // Spikes are the hub's too: the same minutes, counts and scores, on the display that
    // followed live and on the one that joined late (from the state stream).
    assert!(
        !hub.spikes.is_empty(),
        "the crisis raises spikes:\n{hub_log}"
    );
    assert_eq!(first.spikes, hub.spikes, "{first_log}");
    assert_eq!(late.spikes, hub.spikes, "{late_log}");
    // The displays show the hub's sources on their status line, and their link to it.
    for display in [&first, &late] {
        assert!(display.sources.iter().any(|s| s.name == "crisis"));
        assert!(display.sources.iter().any(|s| s.name == "hub"));
    }
}

#[test]
fn nats_stopped_for_ten_seconds_loses_nothing_and_everyone_reconnects() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut nats = Nats::start(&dir.path().join("nats"));
    let replay = dir.path().join("crisis.jsonl");
    let (start, _) = write_crisis_hour(&replay);
    let config = write_config(dir.path(), &replay);
    let start = start.to_rfc3339();
    let out = |name: &str| dir.path().join(format!("{name}.json"));

    // The hour plays in 30 s (120x): NATS is away for ten of them, in the middle.
    let hub = replay_hub(&config, &nats.url(), &start, "120", "42", &out("hub"));
    let display = display(&config, &nats, "50", &out("display"));
    std::thread::sleep(Duration::from_secs(8));
    nats.kill();
    std::thread::sleep(Duration::from_secs(10));
    nats.restart();

    let hub_log = finish("hub", hub);
    let display_log = finish("display", display);
    assert!(
        hub_log.contains("spooling to disk") && hub_log.contains("the bus spool is published"),
        "the hub spooled while NATS was away, then published:\n{hub_log}"
    );
    assert!(
        display_log.contains("NATS unreachable") || display_log.contains("link to the hub broke"),
        "the display saw NATS go:\n{display_log}"
    );
    let hub = figures(&out("hub"));
    let display = figures(&out("display"));
    assert!(counted(&day_window(&hub)) > 1000);
    assert_eq!(
        day_window(&display),
        day_window(&hub),
        "hub:\n{hub_log}\ndisplay:\n{display_log}"
    );
    // The spikes raised while NATS was away reach the display once it is back.
    assert!(!hub.spikes.is_empty());
    assert_eq!(
        display.spikes, hub.spikes,
        "hub:\n{hub_log}\ndisplay:\n{display_log}"
    );
}

#[test]
fn a_hub_whose_nats_is_gone_still_stops_when_asked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let replay = dir.path().join("crisis.jsonl");
    let (start, _) = write_crisis_hour(&replay);
    let config = write_config(dir.path(), &replay);
    let start = start.to_rfc3339();
    // A port nobody listens on: NATS is not there, and never comes.
    let port = free_port();
    let url = format!("nats://127.0.0.1:{port}");
    let started = std::time::Instant::now();
    let mut hub = vigie(
        &config,
        &["hub", "--nats", &url, "--start", &start, "--speed", "240"],
    )
    .spawn()
    .expect("hub starts");
    std::thread::sleep(Duration::from_secs(3));
    let asked = Command::new("kill")
        .args(["-TERM", &hub.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(asked.success());
    let asked_at = Instant::now();
    // Asked to stop, it stops within 5 s whatever NATS does.
    let status = loop {
        if let Some(status) = hub.try_wait().expect("hub status") {
            break Some(status);
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = hub.kill();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let log = hub
        .wait_with_output()
        .map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
        .unwrap_or_default();
    let status = status.unwrap_or_else(|| panic!("the hub did not stop within a minute:\n{log}"));
    assert!(status.success(), "{log}");
    let took = asked_at.elapsed();
    assert!(
        took < Duration::from_secs(5),
        "stopped {took:?} after SIGTERM:\n{log}"
    );
    assert!(
        log.contains("they stay in the spool for the next start"),
        "what was not published is kept:\n{log}"
    );
}

/// The shipped config with a webhook on `port` instead of the demo, its history in `dir`.
fn write_webhook_config(dir: &Path, port: u16) -> PathBuf {
    let replay = dir.join("unused.jsonl");
    let path = write_config(dir, &replay);
    let text = std::fs::read_to_string(&path).expect("config");
    let replay_source = format!(
        "type = \"replay\"\nname = \"crisis\"\npath = {:?}",
        replay.display().to_string()
    );
    assert!(text.contains(&replay_source));
    let webhook = format!(
        "type = \"webhook\"\nlisten = \"127.0.0.1:{port}\"\ntoken_env = \"VIGIE_HUB_TEST_TOKEN\""
    );
    std::fs::write(&path, text.replace(&replay_source, &webhook)).expect("config written");
    path
}

#[test]
fn a_hub_killed_mid_ingest_and_its_displays_keep_every_acknowledged_post() {
    use std::sync::atomic::AtomicBool;
    use std::sync::{Arc, Mutex};
    use support::senders::{send_until, stored_ids, wait_until_up};
    const TOKEN: &str = "hub-kill-test-token";

    let dir = tempfile::tempdir().expect("temp dir");
    let nats = Nats::start(&dir.path().join("nats"));
    let port = free_port();
    let config = write_webhook_config(dir.path(), port);
    let out = |name: &str| dir.path().join(format!("{name}.json"));
    let path = |p: PathBuf| p.display().to_string();
    let display = display(&config, &nats, "30", &out("display"));
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let acked = Arc::new(Mutex::new(Vec::new()));
    let send_for = |round: usize, hub: &mut Child, kill: bool| {
        runtime.block_on(wait_until_up(port));
        let stop = Arc::new(AtomicBool::new(false));
        let senders = runtime.spawn(send_until(port, TOKEN, round, stop.clone(), acked.clone()));
        std::thread::sleep(Duration::from_millis(2500));
        if kill {
            hub.kill().expect("kill -9");
            hub.wait().expect("reaped");
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        runtime.block_on(senders).expect("senders")
    };

    // Killed -9 in the middle of a 500 posts/s ingest.
    let mut first = vigie(&config, &["hub", "--nats", &nats.url()])
        .env("VIGIE_HUB_TEST_TOKEN", TOKEN)
        .stderr(Stdio::null())
        .spawn()
        .expect("hub starts");
    send_for(0, &mut first, true);
    let before_restart = acked.lock().expect("ids").len();
    // Started again: it publishes its last stored minutes again, then takes new posts.
    let mut second = vigie(
        &config,
        &[
            "hub",
            "--nats",
            &nats.url(),
            "--exit-after",
            "8",
            "--figures-out",
            &path(out("hub")),
        ],
    )
    .env("VIGIE_HUB_TEST_TOKEN", TOKEN)
    .stderr(std::fs::File::create(dir.path().join("hub.log")).expect("log file"))
    .spawn()
    .expect("hub restarts");
    send_for(1, &mut second, false);
    eprintln!("sent; waiting for the hub");
    let status = second.wait().expect("hub ends");
    let hub_log = std::fs::read_to_string(dir.path().join("hub.log")).unwrap_or_default();
    assert!(status.success(), "{hub_log}");
    eprintln!("waiting for the display");
    let display_log = finish("display", display);

    let acked = acked.lock().expect("ids").clone();
    let stored = stored_ids(&dir.path().join("data"));
    let missing: Vec<&String> = acked.iter().filter(|id| !stored.contains(*id)).collect();
    eprintln!(
        "hub killed -9: {before_restart} posts acknowledged before the kill, {} in all, {} \
         in the history, {} missing",
        acked.len(),
        stored.len(),
        missing.len()
    );
    assert!(
        before_restart > 100,
        "heard before the kill: {before_restart}"
    );
    assert!(missing.is_empty(), "acknowledged, then lost: {missing:?}");
    let hub = figures(&out("hub"));
    let display = figures(&out("display"));
    assert_eq!(
        counted(&day_window(&hub)) as usize,
        stored.len(),
        "the restarted hub counts its whole history:\n{hub_log}"
    );
    assert_eq!(
        day_window(&display),
        day_window(&hub),
        "hub:\n{hub_log}\ndisplay:\n{display_log}"
    );
}

/// A burst far past what async-nats lets wait for acknowledgement at once (5,000): the hub
/// keeps a window of sends ahead of its acknowledgements and settles the oldest first, so the
/// burst goes out live, every message acknowledged, none spooled or lost. (Sending the whole
/// burst before awaiting any acknowledgement waited forever for a permit.)
#[test]
fn a_burst_of_twenty_thousand_is_published_live_and_every_message_acknowledged() {
    use std::sync::Arc;
    use vigie::bus::{PublisherSetup, start_publisher};
    use vigie::clock::{ScaledClock, SharedClock};
    use vigie::config::BusConfig;
    use vigie::ingest::HealthBoard;
    use vigie::model::{
        AnalysisEvent, Author, BrandInfo, Engagement, EnrichedMention, Mention, Platform, Tone,
    };
    use vigie::store::StoreEvent;

    const BURST: usize = 20_000;
    let dir = tempfile::tempdir().expect("temp dir");
    let nats = Nats::start(&dir.path().join("nats"));
    let now = chrono::Utc::now();
    let clock: SharedClock = Arc::new(ScaledClock::new(now, 1.0));
    let (publisher, link) = start_publisher(PublisherSetup {
        config: BusConfig {
            url: nats.url(),
            stream: "VIGIEBURST".into(),
            retention_hours: 24,
            hub_domain: None,
            display_name: None,
            display_room: None,
        },
        spool_dir: dir.path().join("spool"),
        brands: vec![BrandInfo {
            name: "Petit Loup".into(),
            own: true,
            color: "#3366cc".into(),
        }],
        clock,
        speed: 1.0,
        board: HealthBoard::default(),
    })
    .expect("publisher");
    let health = publisher.health();
    let connecting = Instant::now();
    while !health.connected() {
        assert!(
            connecting.elapsed() < Duration::from_secs(15),
            "never connected"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    for n in 0..BURST {
        let mention = EnrichedMention {
            mention: Mention {
                id: format!("burst-{n}"),
                platform: Platform::ALL[n % Platform::ALL.len()],
                author: Author {
                    handle: "lea_martin".into(),
                    display_name: "Léa Martin".into(),
                    reach: 120,
                    avatar: None,
                },
                text: format!("Petit Loup, message {n}"),
                lang: None,
                created_at: now,
                url: None,
                engagement: Engagement::default(),
                reply_to: None,
                picture: None,
                rating: None,
            },
            brands: vec![0],
            sentiment: 0.1,
            tone: Tone::Neutral,
            lang: "fr".into(),
        };
        assert!(link.send_waiting(StoreEvent::Analysis(AnalysisEvent::Counted(mention))));
    }
    let sent = Instant::now();
    while (health.published_count() as usize) < BURST {
        assert!(
            sent.elapsed() < Duration::from_secs(60),
            "NATS acknowledged {} of {BURST}, {} spooled",
            health.published_count(),
            health.spooled()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(health.lost(), 0);
    assert_eq!(
        health.spooled(),
        0,
        "a live burst does not go through the disk"
    );
    drop(link);
    publisher.finish();
}

/// The hub's control page decides, its displays show: the room's state reaches a display that
/// follows the hub, and one started later; each display's heartbeat reaches the hub's page.
#[test]
fn the_hubs_room_reaches_its_displays_and_their_heartbeats_reach_the_hub() {
    use std::sync::Arc;
    use vigie::bus::room::{DisplaySelf, start_display_beat, start_hub_room};
    use vigie::bus::{FollowerSetup, PublisherSetup, start_follower, start_publisher};
    use vigie::clock::{FollowedClock, ScaledClock, SharedClock};
    use vigie::config::BusConfig;
    use vigie::control::{LiveView, Room, RoomChange};
    use vigie::ingest::HealthBoard;
    use vigie::model::BrandInfo;

    let dir = tempfile::tempdir().expect("temp dir");
    let nats = Nats::start(&dir.path().join("nats"));
    let bus = BusConfig {
        url: nats.url(),
        stream: "VIGIEROOM".into(),
        retention_hours: 24,
        hub_domain: None,
        display_name: None,
        display_room: None,
    };
    let brands = vec![BrandInfo {
        name: "Petit Loup".into(),
        own: true,
        color: "#3366cc".into(),
    }];
    // The hub: its publisher makes the streams; its room and what its page reads.
    let clock: SharedClock = Arc::new(ScaledClock::new(chrono::Utc::now(), 1.0));
    let (publisher, link) = start_publisher(PublisherSetup {
        config: bus.clone(),
        spool_dir: dir.path().join("spool"),
        brands: brands.clone(),
        clock,
        speed: 1.0,
        board: HealthBoard::default(),
    })
    .expect("publisher");
    let hub_room = Room::new(Default::default());
    let hub_live = Arc::new(LiveView::default());
    let remote = vigie::bus::room::RemoteDisplays::default();
    let relay = start_hub_room(
        bus.clone(),
        hub_room.clone(),
        hub_live.clone(),
        remote.clone(),
    )
    .expect("relay");
    hub_room.change(RoomChange::Hide {
        id: "post-6".into(),
    });
    hub_room.change(RoomChange::Layout(Some("crise".into())));

    let display = |name: &str| {
        let room = Room::new(Default::default());
        let (events, _events_rx) = crossbeam_channel::bounded(1024);
        let follower = start_follower(FollowerSetup {
            config: bus.clone(),
            brands: brands.clone(),
            span: chrono::TimeDelta::hours(1),
            clock: Arc::new(FollowedClock::default()),
            board: HealthBoard::default(),
            events,
            room: Some(room.clone()),
        })
        .expect("follower");
        let live = Arc::new(LiveView::default());
        live.set_showing(vigie::control::Showing {
            layout: "War room".into(),
            screens: vec!["left".into(), "centre".into()],
            ..Default::default()
        });
        let beat = start_display_beat(
            BusConfig {
                display_name: Some(name.into()),
                ..bus.clone()
            },
            DisplaySelf {
                name: name.into(),
                room: Some("salle-a".into()),
                live: live.clone(),
                wall: room.clone(),
            },
        )
        .expect("heartbeat");
        (room, follower, beat, _events_rx, live)
    };
    let wait_until = |what: &str, done: &dyn Fn() -> bool| {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !done() {
            assert!(Instant::now() < deadline, "{what}");
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    let (first, first_follower, first_beat, _rx1, first_live) = display("mur-1");
    wait_until("the first display takes the hub's room", &|| {
        let state = first.snapshot();
        state.hidden.contains("post-6") && state.layout.as_deref() == Some("crise")
    });
    // A change reaches it live; a display started later reads the state as it is.
    hub_room.change(RoomChange::Unhide {
        id: "post-6".into(),
    });
    hub_room.change(RoomChange::LobbySafe(true));
    wait_until("the change reaches the display", &|| {
        let state = first.snapshot();
        !state.hidden.contains("post-6") && state.lobby_safe
    });
    let (late, late_follower, late_beat, _rx2, _late_live) = display("mur-2");
    wait_until("the late display reads the room as it is", &|| {
        late.snapshot() == hub_room.snapshot()
    });
    wait_until("both heartbeats reach the hub", &|| {
        hub_live.displays().len() == 2
    });
    let seen = hub_live.displays();
    assert_eq!(seen[0].beat.name, "mur-1");
    assert_eq!(seen[0].beat.room.as_deref(), Some("salle-a"));
    assert_eq!(seen[0].beat.screens, ["left", "centre"]);
    assert!(seen.iter().all(|d| d.alive));

    // The hub asks a display for a picture of its screen: the display's wall (here, a thread
    // standing in for it) draws it, and the PNG comes back over NATS.
    let drawing = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let painter = {
        let (live, drawing) = (first_live.clone(), drawing.clone());
        std::thread::spawn(move || {
            while drawing.load(std::sync::atomic::Ordering::Relaxed) {
                for screen in live.take_picture_requests() {
                    live.store_picture(&screen, format!("png of {screen}").into_bytes());
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        })
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let picture = runtime
        .block_on(remote.picture("mur-1", "centre"))
        .expect("a picture");
    assert_eq!(picture, b"png of centre");
    drawing.store(false, std::sync::atomic::Ordering::Relaxed);
    painter.join().expect("painter");
    let unanswered = runtime.block_on(remote.picture("mur-9", "centre"));
    assert!(unanswered.is_err(), "{unanswered:?}");

    for beat in [first_beat, late_beat] {
        beat.shutdown();
    }
    first_follower.shutdown();
    late_follower.shutdown();
    relay.shutdown();
    drop(link);
    publisher.finish();
}
