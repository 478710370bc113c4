//! Several rooms, as the README deploys them: the hub's NATS server with a JetStream domain
//! (`hq`), and a NATS server per room joined to it as a leaf node, with a JetStream domain of
//! its own. A room's displays read the room's mirrors of the hub's streams: the link between
//! the cities cut for 30 s while the hub publishes, then restored, and every display, in every
//! room, a late one too, shows the hub's figures, spikes and alerts: nothing lost, nothing
//! counted twice.

mod support;

use std::path::Path;
use std::process::Child;
use std::time::Duration;

use support::hubs::*;

/// A headless display in the room of `nats`, reading the hub's streams through the room's
/// mirrors.
fn room_display(config: &Path, nats: &Nats, after: &str, out: &Path) -> Child {
    display_with(config, nats, &["--hub-domain", "hq"], after, out)
}

#[test]
fn two_rooms_on_leaf_nodes_and_a_link_cut_for_thirty_seconds_show_the_hubs_figures() {
    let dir = tempfile::tempdir().expect("temp dir");
    let leaf_port = free_port();
    // The hub advertises a dead address for its leaf nodes: a room that learnt the real one
    // would reconnect to it directly, around the relay, and the cut would cut nothing.
    let hub_nats = Nats::start_in_domain(
        &dir.path().join("hub-nats"),
        "hub",
        "hq",
        &format!(
            "listen: \"127.0.0.1:{leaf_port}\", advertise: \"127.0.0.1:{}\"",
            free_port()
        ),
    );
    let room = |name: &str, relay: &Relay| {
        Nats::start_in_domain(
            &dir.path().join(name),
            name,
            name,
            &format!(
                "remotes: [ {{ url: \"nats-leaf://127.0.0.1:{}\" }} ]",
                relay.port
            ),
        )
    };
    let (link_a, link_b) = (Relay::start(leaf_port), Relay::start(leaf_port));
    let (room_a, room_b) = (room("room_a", &link_a), room("room_b", &link_b));

    let replay = dir.path().join("crisis.jsonl");
    let (start, written) = write_crisis_hour(&replay);
    let config = write_config(dir.path(), &replay);
    let out = |name: &str| dir.path().join(format!("{name}.json"));

    // The hour plays in 60 s (60x): the hub publishes before, during and after the cut.
    let hub = replay_hub(
        &config,
        &hub_nats.url(),
        &start.to_rfc3339(),
        "60",
        "70",
        &out("hub"),
    );
    let in_a = room_display(&config, &room_a, "95", &out("room_a"));
    let in_b = room_display(&config, &room_b, "95", &out("room_b"));

    std::thread::sleep(Duration::from_secs(15));
    assert!(hub_reachable_from(&room_a.url()), "room A reaches the hub");
    link_a.cut();
    std::thread::sleep(Duration::from_secs(2));
    assert!(
        !hub_reachable_from(&room_a.url()),
        "the link between room A and the hub is cut"
    );
    std::thread::sleep(Duration::from_secs(26));
    link_a.restore();
    // A display that starts in room B after the cut, when the hour is nearly over.
    std::thread::sleep(Duration::from_secs(5));
    let late_b = room_display(&config, &room_b, "45", &out("late_b"));

    let hub_log = finish("hub", hub);
    let a_log = finish("room A's display", in_a);
    let b_log = finish("room B's display", in_b);
    let late_log = finish("room B's late display", late_b);

    let hub = figures(&out("hub"));
    let total = counted(&day_window(&hub));
    assert!(
        total as usize > written / 2,
        "the hub counted the hour: {total} of {written}\n{hub_log}"
    );
    assert!(
        !hub.alerts.is_empty(),
        "the crisis raises alerts:\n{hub_log}"
    );
    assert!(
        !hub.spikes.is_empty(),
        "the crisis raises spikes:\n{hub_log}"
    );
    for (name, log) in [
        ("room_a", &a_log),
        ("room_b", &b_log),
        ("late_b", &late_log),
    ] {
        let shown = figures(&out(name));
        assert_eq!(day_window(&shown), day_window(&hub), "{name}:\n{log}");
        assert_eq!(shown.spikes, hub.spikes, "{name}:\n{log}");
        assert_eq!(alert_keys(&shown), alert_keys(&hub), "{name}:\n{log}");
    }
    assert!(
        a_log.contains("this room now mirrors the hub's stream")
            || b_log.contains("this room now mirrors the hub's stream"),
        "a display made its room's mirrors:\n{a_log}\n{b_log}"
    );
}

/// A display never creates the hub's streams: against a server that has none (the hub not
/// started yet, or the wrong server), it says so on the wall and keeps trying.
#[test]
fn a_display_says_which_hub_stream_is_missing_and_creates_none() {
    let dir = tempfile::tempdir().expect("temp dir");
    let nats = Nats::start(&dir.path().join("nats"));
    let replay = dir.path().join("crisis.jsonl");
    write_crisis_hour(&replay);
    let config = write_config(dir.path(), &replay);
    let out = dir.path().join("display.json");
    let log = finish("display", display(&config, &nats, "4", &out));
    let shown = figures(&out);
    let hub = shown
        .sources
        .iter()
        .find(|s| s.name == "hub")
        .expect("the link to the hub on the status line");
    let expected = format!("hub stream VIGIE not found on {}", nats.url());
    assert!(
        matches!(&hub.state, vigie::model::HealthState::Failed { reason, .. } if reason.contains(&expected)),
        "{:?}\n{log}",
        hub.state
    );
    // Nothing was created on the server: the hub's streams are the hub's to make.
    let streams = block_on(async {
        let client = async_nats::connect(nats.url()).await.expect("connects");
        let reply = client
            .request("$JS.API.STREAM.NAMES", "".into())
            .await
            .expect("JetStream answers");
        String::from_utf8_lossy(&reply.payload).into_owned()
    });
    assert!(!streams.contains("VIGIE"), "{streams}");
}
