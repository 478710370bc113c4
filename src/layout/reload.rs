//! Watches the layout file and reads it again when it changes, so a room can rearrange its
//! wall without restarting it. A file that does not parse is reported and the last good layout
//! stays; nothing here touches the screen.
//!
//! Polling the modification time twice a second is enough for a file edited by hand or copied
//! in by a deploy script, needs no inotify limits, and works on network mounts.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

use crossbeam_channel::Sender;

use super::{Layout, LayoutErrors};
use crate::config::Config;

pub const POLL_EVERY: Duration = Duration::from_millis(500);

#[derive(Debug, Clone)]
pub enum LayoutEvent {
    /// The file changed and parsed: show it.
    Loaded(Box<Layout>),
    /// The file changed and does not parse: keep the last good one and say why.
    Failed(LayoutErrors),
}

/// What identifies a version of the file: its modification time and length (an editor that
/// saves twice in the same second still changes the length, or the next poll sees it).
fn stamp(path: &Path) -> Option<(SystemTime, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

pub struct LayoutWatcher {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl LayoutWatcher {
    /// Starts watching the files `current` was read from; `wake` is called after each event so
    /// a sleeping wall redraws.
    pub fn start(
        current: &Layout,
        config: Config,
        events: Sender<LayoutEvent>,
        wake: impl Fn() + Send + 'static,
    ) -> std::io::Result<LayoutWatcher> {
        let path = current.path.clone();
        let mut files = current.files.clone();
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let thread = std::thread::Builder::new()
            .name("layout-watch".into())
            .spawn(move || {
                let stamps = |files: &[PathBuf]| files.iter().map(|f| stamp(f)).collect::<Vec<_>>();
                let mut last = stamps(&files);
                while !stopping.load(Ordering::Relaxed) {
                    std::thread::sleep(POLL_EVERY);
                    let now = stamps(&files);
                    if now == last {
                        continue;
                    }
                    last = now;
                    let event = match Layout::load(&path, &config) {
                        Ok(layout) => {
                            tracing::info!(path = %path.display(), "layout reloaded");
                            if layout.files != files {
                                files = layout.files.clone();
                                last = stamps(&files);
                            }
                            LayoutEvent::Loaded(Box::new(layout))
                        }
                        Err(errors) => {
                            tracing::error!(
                                "layout not reloaded, the last good one stays:\n{errors}"
                            );
                            LayoutEvent::Failed(errors)
                        }
                    };
                    if events.send(event).is_err() {
                        return;
                    }
                    wake();
                }
            })?;
        Ok(LayoutWatcher {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for LayoutWatcher {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
