//! The thread that fetches and decodes pictures: the wall asks for an address and a size, and
//! takes what is ready at its next frame; four fetches at a time, decoding on tokio's blocking
//! pool, so that neither a slow server nor a large picture ever holds a frame up.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender};
use tokio::sync::mpsc;

use super::decode::Pixels;
use super::{FetchLimits, PictureFailure, decode, fetch};

/// Fetches at once: enough for a screen of cards, few enough for the servers.
const FETCHES_AT_ONCE: usize = 4;
/// Requests waiting at most; the wall asks again for what it could not queue.
const QUEUE: usize = 256;

/// A picture ready for the wall.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub url: String,
    pub pixels: Pixels,
}

/// What became of an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    Ready(Decoded),
    Failed { url: String, why: PictureFailure },
}

#[derive(Debug, Default)]
pub struct WorkerStats {
    pub fetched: AtomicU64,
    pub failed: AtomicU64,
    pub bytes_downloaded: AtomicU64,
}

pub struct PictureWorker {
    requests: Option<mpsc::Sender<(String, u32)>>,
    results: Receiver<Fetched>,
    thread: Option<JoinHandle<()>>,
    pub stats: Arc<WorkerStats>,
}

impl PictureWorker {
    /// `notify` is called each time a result is ready (the wall draws a frame).
    pub fn start(limits: FetchLimits, notify: Box<dyn Fn() + Send + Sync>) -> anyhow::Result<Self> {
        let (requests, asked) = mpsc::channel::<(String, u32)>(QUEUE);
        let (done, results) = crossbeam_channel::unbounded();
        let stats = Arc::new(WorkerStats::default());
        let counted = stats.clone();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .max_blocking_threads(2)
            .thread_name("vigie-pictures")
            .enable_all()
            .build()?;
        let client = reqwest::Client::builder()
            .user_agent(crate::ingest::web::http::USER_AGENT)
            .connect_timeout(limits.timeout)
            .build()?;
        let thread = std::thread::Builder::new()
            .name("vigie-pictures".into())
            .spawn(move || {
                runtime.block_on(serve(asked, done, client, limits, counted, notify.into()));
            })?;
        Ok(Self {
            requests: Some(requests),
            results,
            thread: Some(thread),
            stats,
        })
    }

    /// Asks for `url` scaled to fit `max_side`; `false` when the queue is full (ask later).
    pub fn ask(&self, url: &str, max_side: u32) -> bool {
        self.requests
            .as_ref()
            .is_some_and(|r| r.try_send((url.to_string(), max_side)).is_ok())
    }

    /// What is ready, without waiting.
    pub fn ready(&self) -> Vec<Fetched> {
        self.results.try_iter().collect()
    }

    /// Waits up to `timeout` for the next result (tests).
    pub fn next(&self, timeout: std::time::Duration) -> Option<Fetched> {
        self.results.recv_timeout(timeout).ok()
    }
}

impl Drop for PictureWorker {
    fn drop(&mut self) {
        // Closing the queue ends the thread once the fetches under way are done or timed out.
        self.requests.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn serve(
    mut asked: mpsc::Receiver<(String, u32)>,
    done: Sender<Fetched>,
    client: reqwest::Client,
    limits: FetchLimits,
    stats: Arc<WorkerStats>,
    notify: Arc<dyn Fn() + Send + Sync>,
) {
    let slots = Arc::new(tokio::sync::Semaphore::new(FETCHES_AT_ONCE));
    let mut tasks = tokio::task::JoinSet::new();
    loop {
        let Some((url, max_side)) = asked.recv().await else {
            break;
        };
        let Ok(slot) = slots.clone().acquire_owned().await else {
            break;
        };
        let (client, done, stats, notify) =
            (client.clone(), done.clone(), stats.clone(), notify.clone());
        tasks.spawn(async move {
            let result = one(&client, &url, max_side, limits, &stats).await;
            match &result {
                Ok(_) => stats.fetched.fetch_add(1, Ordering::Relaxed),
                Err(_) => stats.failed.fetch_add(1, Ordering::Relaxed),
            };
            let _ = done.send(match result {
                Ok(pixels) => Fetched::Ready(Decoded { url, pixels }),
                Err(why) => {
                    tracing::debug!(%url, "picture not shown: {why}");
                    Fetched::Failed { url, why }
                }
            });
            notify();
            drop(slot);
        });
        while tasks.try_join_next().is_some() {}
    }
    while tasks.join_next().await.is_some() {}
}

async fn one(
    client: &reqwest::Client,
    url: &str,
    max_side: u32,
    limits: FetchLimits,
    stats: &WorkerStats,
) -> Result<Pixels, PictureFailure> {
    let bytes = fetch(client, url, limits).await?;
    stats
        .bytes_downloaded
        .fetch_add(bytes.len() as u64, Ordering::Relaxed);
    tokio::task::spawn_blocking(move || decode(&bytes, max_side))
        .await
        .map_err(|e| PictureFailure::Corrupt(e.to_string()))?
}
