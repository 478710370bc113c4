//! `vigie bench webhook`: posts a second acknowledged over HTTP with durable commits. A wall
//! runs headless in a child process with the config's brands, one webhook source and a fresh
//! history (SQLite, WAL, synchronous FULL); senders post batches at once, each waiting for its
//! 202 (given only once the history committed the batch). At the end the child is killed -9
//! and the history is read back: every acknowledged post must be in it.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;

const TOKEN_ENV: &str = "VIGIE_BENCH_WEBHOOK_TOKEN";
const TOKEN: &str = "bench-webhook-token";

#[derive(Debug, Clone)]
pub struct WebhookSettings {
    pub posts: usize,
    /// Requests in flight at once.
    pub senders: usize,
    /// Posts in each request.
    pub batch: usize,
    pub config: PathBuf,
}

#[derive(Debug, Clone)]
pub struct WebhookReport {
    pub settings: WebhookSettings,
    pub acknowledged: usize,
    pub refused: usize,
    pub elapsed: Duration,
    /// Request latencies, sorted.
    pub latencies: Vec<Duration>,
    /// Acknowledged posts found in the history after the kill.
    pub stored: usize,
}

impl WebhookReport {
    pub fn per_second(&self) -> f64 {
        self.acknowledged as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    fn latency(&self, quantile: f64) -> Duration {
        let n = self.latencies.len();
        if n == 0 {
            return Duration::ZERO;
        }
        self.latencies[((n - 1) as f64 * quantile).round() as usize]
    }
}

/// The config's brands (the text of the first keyword of the first one goes in each post), a
/// webhook on `port`, the history in `data`, no other source.
fn bench_config(config: &Path, port: u16, data: &Path) -> anyhow::Result<(String, String)> {
    let text = crate::config::read_text(config, "config").map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut table: toml::Table =
        toml::from_str(&text).with_context(|| format!("{} is not TOML", config.display()))?;
    let keyword = table
        .get("brands")
        .and_then(|b| b.get(0))
        .and_then(|b| b.get("keywords"))
        .and_then(|k| k.get(0))
        .and_then(|k| k.as_str())
        .context("the config has no brand with a keyword")?
        .to_string();
    let source: toml::Table = toml::from_str(&format!(
        "type = \"webhook\"\nlisten = \"127.0.0.1:{port}\"\ntoken_env = \"{TOKEN_ENV}\"\n\
         max_body_bytes = 16777216"
    ))?;
    table.insert(
        "sources".into(),
        toml::Value::Array(vec![toml::Value::Table(source)]),
    );
    let mut store = toml::Table::new();
    store.insert("enabled".into(), true.into());
    store.insert("data_dir".into(), data.display().to_string().into());
    table.insert("store".into(), toml::Value::Table(store));
    // Sinks would post each alert the bench raises somewhere real.
    table.remove("alert_sinks");
    Ok((toml::to_string(&table)?, keyword))
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn run(settings: WebhookSettings) -> anyhow::Result<WebhookReport> {
    anyhow::ensure!(
        settings.senders > 0 && settings.batch > 0 && settings.posts > 0,
        "--posts, --senders and --batch above 0"
    );
    let dir = std::env::temp_dir().join(format!("vigie-bench-webhook-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let report = run_in(&dir, settings);
    let _ = std::fs::remove_dir_all(&dir);
    report
}

fn run_in(dir: &Path, settings: WebhookSettings) -> anyhow::Result<WebhookReport> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let data = dir.join("data");
    let (config_text, keyword) = bench_config(&settings.config, port, &data)?;
    let config_path = dir.join("config.toml");
    std::fs::write(&config_path, config_text)?;
    let child = Command::new(std::env::current_exe()?)
        .arg("--config")
        .arg(&config_path)
        .arg("--headless")
        .env(TOKEN_ENV, TOKEN)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .context("cannot start the wall")?;
    let wall = Killed(child);
    let runtime = tokio::runtime::Runtime::new()?;
    let (acknowledged, refused, elapsed, mut latencies, ids) =
        runtime.block_on(send_all(port, &settings, &keyword))?;
    drop(wall);
    latencies.sort();
    let stored = count_stored(&data, &ids)?;
    Ok(WebhookReport {
        settings,
        acknowledged,
        refused,
        elapsed,
        latencies,
        stored,
    })
}

type Sent = (usize, usize, Duration, Vec<Duration>, Vec<String>);

async fn send_all(port: u16, settings: &WebhookSettings, keyword: &str) -> anyhow::Result<Sent> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()?;
    let url = format!("http://127.0.0.1:{port}/ingest");
    let deadline = Instant::now() + Duration::from_secs(60);
    while client
        .get(format!("http://127.0.0.1:{port}/health"))
        .send()
        .await
        .is_err()
    {
        anyhow::ensure!(
            Instant::now() < deadline,
            "the wall's webhook never came up"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let requests = settings.posts.div_ceil(settings.batch);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let began = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..settings.senders {
        let (client, url, next) = (client.clone(), url.clone(), next.clone());
        let (batch, posts, keyword) = (settings.batch, settings.posts, keyword.to_string());
        tasks.push(tokio::spawn(async move {
            let mut mine = (0usize, 0usize, Vec::new(), Vec::new());
            loop {
                let request = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if request >= requests {
                    return mine;
                }
                let ids: Vec<String> = (request * batch..((request + 1) * batch).min(posts))
                    .map(|n| format!("bench:{n}"))
                    .collect();
                let body: Vec<serde_json::Value> = ids
                    .iter()
                    .map(|id| {
                        serde_json::json!({
                            "id": id,
                            "text": format!("{keyword} : commande {id} reçue, merci"),
                            "platform": "forum",
                        })
                    })
                    .collect();
                let sent = Instant::now();
                let answer = client
                    .post(&url)
                    .bearer_auth(TOKEN)
                    .json(&body)
                    .send()
                    .await;
                mine.2.push(sent.elapsed());
                match answer {
                    Ok(response) if response.status().as_u16() == 202 => {
                        mine.0 += ids.len();
                        mine.3.extend(ids);
                    }
                    _ => mine.1 += ids.len(),
                }
            }
        }));
    }
    let (mut acknowledged, mut refused, mut latencies, mut ids) = (0, 0, Vec::new(), Vec::new());
    for task in tasks {
        let (a, r, l, i) = task.await?;
        acknowledged += a;
        refused += r;
        latencies.extend(l);
        ids.extend(i);
    }
    Ok((acknowledged, refused, began.elapsed(), latencies, ids))
}

fn count_stored(data: &Path, ids: &[String]) -> anyhow::Result<usize> {
    let conn = rusqlite::Connection::open(data.join(crate::store::FILE_NAME))?;
    let mut stored = std::collections::HashSet::new();
    let mut select = conn.prepare("SELECT id FROM mentions")?;
    for id in select.query_map([], |row| row.get::<_, String>(0))? {
        stored.insert(id?);
    }
    Ok(ids.iter().filter(|id| stored.contains(*id)).count())
}

pub fn print(report: &WebhookReport) {
    let s = &report.settings;
    println!(
        "webhook: {} posts in requests of {}, {} senders at once, history synchronous=FULL",
        s.posts, s.batch, s.senders
    );
    println!(
        "  acknowledged (202 after commit): {} posts in {:.2} s = {:.0} posts/s; refused {}",
        report.acknowledged,
        report.elapsed.as_secs_f64(),
        report.per_second(),
        report.refused
    );
    println!(
        "  request latency: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        report.latency(0.5).as_secs_f64() * 1e3,
        report.latency(0.99).as_secs_f64() * 1e3,
        report.latency(1.0).as_secs_f64() * 1e3
    );
    println!(
        "  after kill -9: {} of {} acknowledged posts in the history",
        report.stored, report.acknowledged
    );
}
