//! End-to-end acknowledgements: a post the webhook answered 202 is in the history, whatever
//! moment the process is killed at (kill -9 stands for a crash or a power cut of the process);
//! a post the wall cannot take is answered 503 with `Retry-After`, never 202.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::{Rng, SeedableRng};
use support::senders::{send_until, stored_ids, wait_until_up};

const TOKEN: &str = "acknowledgement-test-token";
const KILLS: usize = 20;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The shipped brands, a webhook on `port` and the history in `dir/data`; no other source.
fn write_config(dir: &Path, port: u16) -> PathBuf {
    let shipped = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config.toml"))
        .expect("shipped config");
    let brands_from = shipped.find("[[brands]]").expect("brands");
    let brands_to = shipped.find("[[topics]]").expect("topics");
    let text = format!(
        "locale = \"fr\"\n{}\n[[sources]]\ntype = \"webhook\"\nlisten = \"127.0.0.1:{port}\"\n\
         token_env = \"VIGIE_ACK_TEST_TOKEN\"\n\n[store]\ndata_dir = {:?}\n",
        &shipped[brands_from..brands_to],
        dir.join("data").display().to_string(),
    );
    let path = dir.join("config.toml");
    std::fs::write(&path, text).expect("config written");
    path
}

fn start_wall(config: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_vigie"))
        .arg("--config")
        .arg(config)
        .arg("--headless")
        .env("VIGIE_ACK_TEST_TOKEN", TOKEN)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("vigie starts")
}

#[test]
fn no_acknowledged_post_is_missing_after_kill_9_at_twenty_random_moments() {
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let config = write_config(dir.path(), port);
    let seed: u64 = std::env::var("VIGIE_KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| rand::rng().random());
    eprintln!("kill moments from seed {seed} (VIGIE_KILL_SEED to replay them)");
    let mut moments = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let acked = Arc::new(Mutex::new(Vec::new()));
    let mut refused = 0;
    for round in 0..KILLS {
        let mut wall = start_wall(&config);
        runtime.block_on(wait_until_up(port));
        let stop = Arc::new(AtomicBool::new(false));
        let senders = runtime.spawn(send_until(port, TOKEN, round, stop.clone(), acked.clone()));
        let moment = Duration::from_millis(moments.random_range(50..1500));
        std::thread::sleep(moment);
        wall.kill().expect("kill -9");
        wall.wait().expect("reaped");
        stop.store(true, Ordering::Relaxed);
        refused += runtime.block_on(senders).expect("senders");
    }
    let acked = acked.lock().expect("ids").clone();
    let stored = stored_ids(&dir.path().join("data"));
    let missing: Vec<&String> = acked.iter().filter(|id| !stored.contains(*id)).collect();
    eprintln!(
        "{KILLS} kills: {} posts acknowledged, {refused} refused or cut off, {} missing",
        acked.len(),
        missing.len()
    );
    assert!(
        acked.len() > KILLS * 50,
        "the senders were heard: {}",
        acked.len()
    );
    assert!(missing.is_empty(), "acknowledged, then lost: {missing:?}");

    // And a restart rebuilds from them: the wall takes a post it already stored as a duplicate,
    // which is acknowledged at once (a sender may send again what it was not sure of).
    let mut wall = start_wall(&config);
    runtime.block_on(async {
        wait_until_up(port).await;
        let again = reqwest::Client::new()
            .post(format!("http://127.0.0.1:{port}/ingest"))
            .bearer_auth(TOKEN)
            .json(&serde_json::json!({"id": acked[0], "text": "Petit Loup, encore"}))
            .send()
            .await
            .expect("answered");
        assert_eq!(again.status().as_u16(), 202);
    });
    wall.kill().expect("kill");
    wall.wait().expect("reaped");
    assert_eq!(stored_ids(&dir.path().join("data")).len(), stored.len());
}
