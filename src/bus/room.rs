//! The room's decisions between a hub and its displays, and the displays' heartbeats. The
//! hub's control page changes the room (`control::Room`); the hub publishes its state to
//! `<prefix>.state.room` in the state stream whenever it changes, and each display's follower
//! reads it (the last one as it starts, then each change) into its own `Room`, which its wall
//! shows like a one-PC wall shows its own. Each display says every few seconds that it is alive
//! (`<prefix>.display.<name>`: version, layout, screens, frames drawn); the hub keeps the last
//! word of each for the page.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Context;
use async_nats::jetstream;
use futures_util::StreamExt;

use super::connect;
use super::wire::{DisplayBeat, Subjects};
use crate::config::BusConfig;
use crate::control::{LiveView, Room};

/// How often the hub looks for a change of the room, and a display sends its heartbeat.
const ROOM_POLL: Duration = Duration::from_millis(200);
pub const BEAT_EVERY: Duration = Duration::from_secs(5);
/// How long the hub waits for NATS to store the room's state.
const PUBLISH_TIMEOUT: Duration = Duration::from_secs(5);

/// The hub's way to ask its displays for pictures of their screens: the hub's NATS client,
/// once its room relay is connected.
#[derive(Clone, Default)]
pub struct RemoteDisplays {
    client: Arc<std::sync::OnceLock<async_nats::Client>>,
    subjects: Arc<std::sync::OnceLock<Subjects>>,
}

/// How long the hub waits for a display's picture.
const REMOTE_PICTURE_WAIT: Duration = Duration::from_secs(8);

impl RemoteDisplays {
    /// A picture of `display`'s screen `screen`, as PNG.
    pub async fn picture(&self, display: &str, screen: &str) -> Result<Vec<u8>, String> {
        let (Some(client), Some(subjects)) = (self.client.get(), self.subjects.get()) else {
            return Err("the hub is not connected to NATS".into());
        };
        let asked = client.request(subjects.display_picture(display), screen.to_string().into());
        match tokio::time::timeout(REMOTE_PICTURE_WAIT, asked).await {
            Ok(Ok(reply)) if !reply.payload.is_empty() => Ok(reply.payload.to_vec()),
            Ok(Ok(_)) => Err(format!("display {display} did not draw screen {screen}")),
            Ok(Err(error)) => Err(format!("display {display} does not answer: {error}")),
            Err(_) => Err(format!(
                "display {display} did not answer within {} s",
                REMOTE_PICTURE_WAIT.as_secs()
            )),
        }
    }
}

/// A thread of the hub or of a display, until `shutdown`.
pub struct RoomLink {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl RoomLink {
    fn start(
        name: &str,
        work: impl FnOnce(Arc<AtomicBool>) -> futures_util::future::BoxFuture<'static, ()>
        + Send
        + 'static,
    ) -> std::io::Result<RoomLink> {
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let thread = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || runtime.block_on(work(stopping)))?;
        Ok(RoomLink {
            stop,
            thread: Some(thread),
        })
    }

    pub fn shutdown(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for RoomLink {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// The hub's side: publishes the room's state on each change (again until NATS stores it) and
/// collects the displays' heartbeats into `live`.
pub fn start_hub_room(
    config: BusConfig,
    room: Arc<Room>,
    live: Arc<LiveView>,
    remote: RemoteDisplays,
) -> std::io::Result<RoomLink> {
    RoomLink::start("vigie-hub-room", move |stop| {
        Box::pin(async move {
            if let Err(error) = hub_room(config, room, live, remote, stop).await {
                tracing::error!(
                    error = format!("{error:#}"),
                    "the room is not relayed to the displays"
                );
            }
        })
    })
}

async fn hub_room(
    config: BusConfig,
    room: Arc<Room>,
    live: Arc<LiveView>,
    remote: RemoteDisplays,
    stop: Arc<AtomicBool>,
) -> anyhow::Result<()> {
    let subjects = Subjects::new(&config.stream);
    let client = connect(&config.url, "vigie hub room").await?;
    let _ = remote.client.set(client.clone());
    let _ = remote.subjects.set(subjects.clone());
    let js = jetstream::new(client.clone());
    let mut beats = client
        .subscribe(subjects.display_beats())
        .await
        .context("cannot hear the displays")?;
    let mut published: Option<u64> = None;
    let mut failing = false;
    let mut tick = tokio::time::interval(ROOM_POLL);
    while !stop.load(Ordering::Relaxed) {
        tokio::select! {
            _ = tick.tick() => {
                let version = room.version();
                if published == Some(version) {
                    continue;
                }
                let body = serde_json::to_vec(&room.snapshot())?;
                match publish(&js, subjects.room_state(), body).await {
                    Ok(()) => {
                        published = Some(version);
                        if failing {
                            tracing::info!("the room reaches the displays again");
                        }
                        failing = false;
                    }
                    Err(error) => {
                        if !failing {
                            tracing::warn!(error = format!("{error:#}"), "the room's decisions do not reach the displays yet: trying again");
                        }
                        failing = true;
                    }
                }
            }
            beat = beats.next() => {
                let Some(message) = beat else { break };
                match serde_json::from_slice::<DisplayBeat>(&message.payload) {
                    Ok(beat) => live.note_display(beat),
                    Err(error) => tracing::warn!(%error, subject = %message.subject, "malformed display heartbeat skipped"),
                }
            }
        }
    }
    Ok(())
}

async fn publish(js: &jetstream::Context, subject: String, body: Vec<u8>) -> anyhow::Result<()> {
    let ack = tokio::time::timeout(PUBLISH_TIMEOUT, async {
        js.publish(subject, body.into()).await?.await
    })
    .await
    .context("NATS did not answer")?;
    ack.context("NATS did not store it")?;
    Ok(())
}

/// What a display says of itself, and the room whose wall draws its pictures.
pub struct DisplaySelf {
    pub name: String,
    pub room: Option<String>,
    pub live: Arc<LiveView>,
    pub wall: Arc<Room>,
}

/// A display's side: its heartbeat every `BEAT_EVERY` (its room's state comes through its
/// follower).
pub fn start_display_beat(config: BusConfig, me: DisplaySelf) -> std::io::Result<RoomLink> {
    RoomLink::start("vigie-display-beat", move |stop| {
        Box::pin(async move {
            let subjects = Subjects::new(&config.stream);
            let client = match connect(&config.url, "vigie display beat").await {
                Ok(client) => client,
                Err(error) => {
                    tracing::error!(
                        error = format!("{error:#}"),
                        "this display cannot say it is alive"
                    );
                    return;
                }
            };
            let subject = subjects.display_beat(&me.name);
            let mut asked = match client.subscribe(subjects.display_picture(&me.name)).await {
                Ok(asked) => Some(asked),
                Err(error) => {
                    tracing::warn!(%error, "this display cannot show its screens to the hub");
                    None
                }
            };
            let me = Arc::new(me);
            let mut tick = tokio::time::interval(Duration::from_millis(100));
            let mut last: Option<tokio::time::Instant> = None;
            while !stop.load(Ordering::Relaxed) {
                let request = async {
                    match asked.as_mut() {
                        Some(asked) => asked.next().await,
                        None => std::future::pending().await,
                    }
                };
                tokio::select! {
                    _ = tick.tick() => {}
                    request = request => {
                        if let Some(request) = request {
                            tokio::spawn(answer_picture(client.clone(), me.clone(), request));
                        }
                        continue;
                    }
                }
                if last.is_some_and(|at| at.elapsed() < BEAT_EVERY) {
                    continue;
                }
                last = Some(tokio::time::Instant::now());
                let showing = me.live.showing();
                let beat = DisplayBeat {
                    name: me.name.clone(),
                    room: me.room.clone(),
                    version: env!("CARGO_PKG_VERSION").into(),
                    layout: showing.layout,
                    screens: showing.screens,
                    frames_drawn: me.live.frames(),
                    sent_at: chrono::Utc::now(),
                };
                match serde_json::to_vec(&beat) {
                    // Core NATS: a heartbeat lost while NATS is away is simply the next one.
                    Ok(body) => {
                        let _ = client.publish(subject.clone(), body.into()).await;
                    }
                    Err(error) => tracing::warn!(%error, "cannot write the heartbeat"),
                }
            }
        })
    })
}

/// Has the wall draw the screen asked for and answers with its PNG (empty: not drawn in time,
/// or too big for NATS).
async fn answer_picture(
    client: async_nats::Client,
    me: Arc<DisplaySelf>,
    request: async_nats::Message,
) {
    let Some(reply) = request.reply else { return };
    let screen = String::from_utf8_lossy(&request.payload).into_owned();
    let png = me
        .live
        .draw_picture(&screen, &me.wall, Duration::from_secs(5))
        .await
        .map(|picture| picture.png.as_ref().clone())
        .unwrap_or_default();
    let max = client.server_info().max_payload;
    let bytes = png.len();
    let png = fit_for_nats(png, max).unwrap_or_else(|| {
        tracing::warn!(
            screen,
            bytes,
            max,
            "the screen's picture is too big for NATS, even halved"
        );
        Vec::new()
    });
    let _ = client.publish(reply, png.into()).await;
}

/// `png` as it is when it fits in `max` bytes, else scaled down by half until it does (a 4K
/// screen, a busy one); `None` when it never does or cannot be read.
fn fit_for_nats(png: Vec<u8>, max: usize) -> Option<Vec<u8>> {
    if png.len() <= max {
        return Some(png);
    }
    let mut image = image::load_from_memory(&png).ok()?;
    for _ in 0..3 {
        image = image.thumbnail(image.width() / 2, image.height() / 2);
        let mut smaller = Vec::new();
        image
            .write_to(
                &mut std::io::Cursor::new(&mut smaller),
                image::ImageFormat::Png,
            )
            .ok()?;
        if smaller.len() <= max {
            return Some(smaller);
        }
    }
    None
}

/// This machine's name, for a display that was given none.
pub fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|name| name.trim().to_string())
        .filter(|name| !name.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "display".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_picture_too_big_for_nats_is_halved_until_it_fits() {
        // Noise does not compress: 400×300 RGB is about 360 KB of PNG.
        let mut seed = 7u32;
        let noise = image::RgbImage::from_fn(400, 300, |_, _| {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let [r, g, b, _] = seed.to_le_bytes();
            image::Rgb([r, g, b])
        });
        let mut png = Vec::new();
        image::DynamicImage::ImageRgb8(noise)
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .expect("encode");
        let full = png.len();
        assert_eq!(fit_for_nats(png.clone(), full), Some(png.clone()));
        let fitted = fit_for_nats(png.clone(), full / 3).expect("fits once halved");
        assert!(fitted.len() <= full / 3);
        let image = image::load_from_memory(&fitted).expect("a PNG");
        assert_eq!((image.width(), image.height()), (200, 150));
        assert_eq!(fit_for_nats(png, 100), None);
    }
}
