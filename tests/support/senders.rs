//! Webhook senders for the acknowledgement tests: several at once, each one post a request at
//! a steady pace, keeping the ids answered 202; and what a history holds.

use std::collections::HashSet;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Senders at once, each one request of one post every `PACE`: 500 posts a second in all.
pub const SENDERS: usize = 10;
pub const PACE: Duration = Duration::from_millis(20);

/// Sends single posts from `SENDERS` tasks until `stop`; the ids answered 202, and how many
/// requests got another answer (a 503, or no answer: the process was killed).
pub async fn send_until(
    port: u16,
    token: &'static str,
    round: usize,
    stop: Arc<AtomicBool>,
    acked: Arc<Mutex<Vec<String>>>,
) -> usize {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .build()
        .expect("client");
    let url = format!("http://127.0.0.1:{port}/ingest");
    let mut tasks = Vec::new();
    for sender in 0..SENDERS {
        let (client, url, stop, acked) = (client.clone(), url.clone(), stop.clone(), acked.clone());
        tasks.push(tokio::spawn(async move {
            let mut refused = 0;
            let mut n = 0;
            let mut next = tokio::time::Instant::now();
            while !stop.load(Ordering::Relaxed) {
                let id = format!("ack:{round}-{sender}-{n}");
                n += 1;
                let body = serde_json::json!({
                    "id": id,
                    "text": format!("Petit Loup, commande {id} bien reçue, merci"),
                    "platform": "forum",
                });
                let answer = client
                    .post(&url)
                    .bearer_auth(token)
                    .json(&body)
                    .send()
                    .await;
                match answer {
                    Ok(response) if response.status().as_u16() == 202 => {
                        acked.lock().expect("ids").push(id);
                    }
                    Ok(response) => {
                        assert_eq!(response.status().as_u16(), 503, "only 202 or 503");
                        assert!(response.headers().contains_key("retry-after"));
                        refused += 1;
                    }
                    Err(_) => refused += 1,
                }
                next += PACE;
                tokio::time::sleep_until(next).await;
            }
            refused
        }));
    }
    let mut refused = 0;
    for task in tasks {
        refused += task.await.expect("sender");
    }
    refused
}

pub fn stored_ids(data: &Path) -> HashSet<String> {
    let conn = rusqlite::Connection::open(data.join(vigie::store::FILE_NAME)).expect("history");
    let mut select = conn.prepare("SELECT id FROM mentions").expect("query");
    select
        .query_map([], |row| row.get::<_, String>(0))
        .expect("rows")
        .map(|id| id.expect("an id"))
        .collect()
}

pub async fn wait_until_up(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let url = format!("http://127.0.0.1:{port}/health");
    while reqwest::get(&url).await.is_err() {
        assert!(Instant::now() < deadline, "the webhook never came up");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
