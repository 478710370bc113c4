//! What the hub-and-display tests share: nats-server processes (plain, or with a JetStream
//! domain and leaf nodes for rooms), the crisis hour a hub replays, its config, and reading
//! the figures each process wrote.

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use vigie::ingest::demo::{DemoGenerator, Scenario};
use vigie::model::{Figures, WindowTotals};

/// A free TCP port of 127.0.0.1.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// A nats-server with JetStream on a free port of 127.0.0.1, its store in `store`.
pub struct Nats {
    pub port: u16,
    store: PathBuf,
    /// A config file, for what flags cannot say (a JetStream domain, leaf nodes).
    config: Option<PathBuf>,
    child: Option<Child>,
}

impl Nats {
    pub fn start(store: &Path) -> Nats {
        let port = free_port();
        let mut nats = Nats {
            port,
            store: store.to_path_buf(),
            config: None,
            child: None,
        };
        nats.restart();
        nats
    }

    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// A server with JetStream in `domain`, named `name`, its store in `store`, and `leaf`:
    /// the `leafnodes { … }` block (a hub's port for leaf nodes, or a room's remote).
    pub fn start_in_domain(store: &Path, name: &str, domain: &str, leaf: &str) -> Nats {
        let port = free_port();
        let config = store.with_extension("conf");
        std::fs::create_dir_all(store).expect("store folder");
        let text = format!(
            "listen: \"127.0.0.1:{port}\"\nserver_name: {name}\n\
             jetstream {{ store_dir: {:?}, domain: {domain} }}\nleafnodes {{ {leaf} }}\n",
            store.display().to_string()
        );
        std::fs::write(&config, text).expect("nats config written");
        let mut nats = Nats {
            port,
            store: store.to_path_buf(),
            config: Some(config),
            child: None,
        };
        nats.restart();
        nats
    }

    pub fn restart(&mut self) {
        let mut command = Command::new("nats-server");
        match &self.config {
            Some(config) => {
                command.arg("-c").arg(config);
            }
            None => {
                command
                    .args([
                        "-js",
                        "-a",
                        "127.0.0.1",
                        "-p",
                        &self.port.to_string(),
                        "-sd",
                    ])
                    .arg(&self.store);
            }
        }
        let child = command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nats-server runs (Debian: apt install nats-server; scripts/setup-debian.sh)");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "nats-server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// kill -9: nothing is flushed, connections are cut.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().expect("killed");
            child.wait().expect("reaped");
        }
    }
}

impl Drop for Nats {
    fn drop(&mut self) {
        self.kill();
    }
}

/// An hour of the demo's crisis, as a replay file: what the hub's source will play.
pub fn write_crisis_hour(path: &Path) -> (DateTime<Utc>, usize) {
    let incident: DateTime<Utc> = "2026-11-20T10:00:20Z".parse().expect("valid");
    let start = incident - TimeDelta::minutes(10);
    let mut generator = DemoGenerator::new(7, Scenario::PosterBacklash, start, incident);
    let until = start + TimeDelta::minutes(60);
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).expect("replay file"));
    let mut count = 0;
    while generator.peek().created_at <= until {
        let mention = generator.pop();
        serde_json::to_writer(&mut file, &mention).expect("written");
        file.write_all(b"\n").expect("written");
        count += 1;
    }
    file.flush().expect("flushed");
    (start, count)
}

/// The shipped config, its demo replaced by the replay file, a day-long share-of-voice window
/// (so that the figures compared do not move while the processes stop one after the other),
/// its history in `dir`.
pub fn write_config(dir: &Path, replay: &Path) -> PathBuf {
    let shipped = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config.toml"))
        .expect("shipped config");
    let demo = "type = \"demo\"\nname = \"demo\"";
    assert!(shipped.contains(demo));
    let text = shipped
        .replace(
            demo,
            &format!(
                "type = \"replay\"\nname = \"crisis\"\npath = {:?}",
                replay.display().to_string()
            ),
        )
        .replace("scenario = \"poster-backlash\"\n", "")
        .replace("seed = 42\n", "")
        .replace("history_hours = 6\n", "")
        .replace("sov_window_minutes = 60", "sov_window_minutes = 1440")
        .replace(
            "data_dir = \"data\"",
            &format!("data_dir = {:?}", dir.join("data").display().to_string()),
        );
    let path = dir.join("config.toml");
    std::fs::write(&path, text).expect("config written");
    path
}

pub fn vigie(config: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_vigie"));
    command
        .arg("--config")
        .arg(config)
        .args(args)
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    command
}

/// A hub on `url` replaying the config's source from `start` at `speed`, stopping after
/// `after` seconds and writing its figures to `out`.
pub fn replay_hub(
    config: &Path,
    url: &str,
    start: &str,
    speed: &str,
    after: &str,
    out: &Path,
) -> Child {
    vigie(
        config,
        &[
            "hub",
            "--nats",
            url,
            "--start",
            start,
            "--speed",
            speed,
            "--exit-after",
            after,
            "--figures-out",
            &out.display().to_string(),
        ],
    )
    .spawn()
    .expect("hub starts")
}

/// A headless display of `config` on `nats`, stopping after `after` seconds and writing its
/// figures to `out`.
pub fn display(config: &Path, nats: &Nats, after: &str, out: &Path) -> Child {
    display_with(config, nats, &[], after, out)
}

/// `display`, with more arguments (`--hub-domain hq` for a display in another room).
pub fn display_with(config: &Path, nats: &Nats, more: &[&str], after: &str, out: &Path) -> Child {
    let url = nats.url();
    let out = out.display().to_string();
    let mut args = vec!["display", "--nats", &url, "--headless"];
    args.extend_from_slice(more);
    args.extend_from_slice(&["--exit-after", after, "--figures-out", &out]);
    vigie(config, &args).spawn().expect("display starts")
}

/// Waits for a process and returns its log; it must have succeeded.
pub fn finish(name: &str, child: Child) -> String {
    let out = child.wait_with_output().expect("process ends");
    let log = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{name} failed:\n{log}");
    log
}

pub fn figures(path: &Path) -> Figures {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("no figures in {}: {e}", path.display()));
    serde_json::from_str(&text).expect("figures parse")
}

/// The day-long window: every mention of the hour, whatever the exact moment each process
/// stopped.
pub fn day_window(figures: &Figures) -> WindowTotals {
    figures
        .windows
        .iter()
        .find(|w| w.minutes == 1440)
        .cloned()
        .expect("the config's 1440-minute window")
}

pub fn counted(window: &WindowTotals) -> u32 {
    window.tones.iter().map(|t| t.total()).sum()
}

/// The alerts as (rule, brand, start, ended): what two displays must agree on (each numbers
/// them in the order it heard of them).
pub fn alert_keys(figures: &Figures) -> Vec<(String, Option<String>, DateTime<Utc>, bool)> {
    let mut keys: Vec<_> = figures
        .alerts
        .iter()
        .map(|a| {
            (
                a.rule.clone(),
                a.brand.clone(),
                a.started_at,
                a.ended_at.is_some(),
            )
        })
        .collect();
    keys.sort();
    keys
}

/// A TCP relay from a port of its own to `target` on 127.0.0.1: a room server's leaf link goes
/// through it, so that a test can cut the link between two cities and restore it.
pub struct Relay {
    pub port: u16,
    open: std::sync::Arc<std::sync::atomic::AtomicBool>,
    links: std::sync::Arc<std::sync::Mutex<Vec<TcpStream>>>,
}

impl Relay {
    pub fn start(target: u16) -> Relay {
        use std::sync::atomic::Ordering;
        let listener = TcpListener::bind("127.0.0.1:0").expect("a relay port");
        let port = listener.local_addr().expect("an address").port();
        let open = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let links = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let (accepting, kept) = (open.clone(), links.clone());
        std::thread::spawn(move || {
            for incoming in listener.incoming() {
                let Ok(incoming) = incoming else { continue };
                if !accepting.load(Ordering::SeqCst) {
                    let _ = incoming.shutdown(std::net::Shutdown::Both);
                    continue;
                }
                let Ok(outgoing) = TcpStream::connect(("127.0.0.1", target)) else {
                    continue;
                };
                let pipe = |mut from: TcpStream, mut to: TcpStream| {
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut from, &mut to);
                        let _ = to.shutdown(std::net::Shutdown::Both);
                    });
                };
                let clones = (
                    incoming.try_clone(),
                    outgoing.try_clone(),
                    incoming.try_clone(),
                    outgoing.try_clone(),
                );
                let (Ok(incoming_back), Ok(outgoing_to), Ok(kept_in), Ok(kept_out)) = clones else {
                    continue;
                };
                if let Ok(mut kept) = kept.lock() {
                    kept.push(kept_in);
                    kept.push(kept_out);
                }
                pipe(incoming, outgoing_to);
                pipe(outgoing, incoming_back);
            }
        });
        Relay { port, open, links }
    }

    /// Cuts every connection and refuses new ones.
    pub fn cut(&self) {
        self.open.store(false, std::sync::atomic::Ordering::SeqCst);
        if let Ok(mut links) = self.links.lock() {
            for link in links.drain(..) {
                let _ = link.shutdown(std::net::Shutdown::Both);
            }
        }
    }

    pub fn restore(&self) {
        self.open.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Whether the hub's JetStream (domain `hq`) answers through the NATS server at `url`: what a
/// room sees of the link between the cities.
pub fn hub_reachable_from(url: &str) -> bool {
    block_on(async {
        let Ok(client) = async_nats::connect(url).await else {
            return false;
        };
        let asked = client.request("$JS.hq.API.INFO", "".into());
        matches!(
            tokio::time::timeout(Duration::from_secs(2), asked).await,
            Ok(Ok(_))
        )
    })
}

/// Runs `future` to its end on a runtime of its own: the tests that ask NATS something.
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(future)
}
