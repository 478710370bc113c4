//! The presenter: the wall, or, headless, a wait for the end of the run.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use anyhow::Context;

use super::RunOptions;
use crate::analysis::Waker;
use crate::config::Config;
use crate::layout::Layout;
use crate::layout::reload::{LayoutEvent, LayoutWatcher};
use crate::mailbox::CardMailbox;
use crate::model::{WallUpdate, WindowsWanted};
use crate::wall::{WakeSlot, WallExit, WallInputs, WallOptions};

/// The wall fills the slot once its event loop exists; until then wake-ups are not needed.
pub(super) fn wake_slot() -> (WakeSlot, Waker) {
    wake_slot_with(Arc::new(OnceLock::new()))
}

/// The same around a slot made before (a display's room wakes its wall through it).
pub(super) fn wake_slot_with(wake_slot: WakeSlot) -> (WakeSlot, Waker) {
    let slot = wake_slot.clone();
    let waker: Waker = Arc::new(move || {
        if let Some(wake) = slot.get() {
            wake();
        }
    });
    (wake_slot, waker)
}

/// Shows the wall, or, headless, waits for the end of the run (and writes the last figures
/// where `--figures-out` says).
pub(super) fn present(
    config: &Config,
    layout: Layout,
    options: RunOptions,
    links: WallLinks,
) -> anyhow::Result<WallExit> {
    if !options.headless {
        return show_wall(config, layout, options.wall, links);
    }
    tracing::info!("headless: no window");
    let mut last = None;
    wait_for_stop(options.wall.exit_after, || {
        // Nobody draws: keep the channel empty so the analysis never counts drops.
        for update in links.updates.try_iter() {
            if let WallUpdate::Figures(figures) = update {
                last = Some(figures);
            }
        }
    })?;
    if let (Some(path), Some(figures)) = (&options.figures_out, last) {
        let json = serde_json::to_vec_pretty(&figures)?;
        std::fs::write(path, json).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(WallExit::Success)
}

/// The control page's room and live view, for the wall to show and count into.
pub(super) type ControlLinks = (Arc<crate::control::Room>, Arc<crate::control::LiveView>);

/// What the wall is handed by the rest of the run.
pub(super) struct WallLinks {
    pub updates: crossbeam_channel::Receiver<WallUpdate>,
    pub cards: CardMailbox,
    pub windows: crossbeam_channel::Sender<WindowsWanted>,
    pub wake: WakeSlot,
    pub waker: Waker,
    pub control: Option<ControlLinks>,
    pub library: Option<crate::layout::switch::LayoutLibrary>,
    /// A display's room (`vigie display --room`), for a layout chosen for it only.
    pub room_name: Option<String>,
}

/// Runs the wall (and the layout watcher, when the layout is a file) until it closes.
fn show_wall(
    config: &Config,
    layout: Layout,
    options: WallOptions,
    links: WallLinks,
) -> anyhow::Result<WallExit> {
    let WallLinks {
        updates,
        cards,
        windows,
        wake,
        waker,
        control,
        library,
        room_name,
    } = links;
    let (layout_tx, layout_rx) = crossbeam_channel::bounded::<LayoutEvent>(8);
    let watcher = if layout.files.iter().all(|f| f.is_file()) {
        Some(
            LayoutWatcher::start(&layout, config.clone(), layout_tx, move || waker())
                .context("cannot start the layout watcher")?,
        )
    } else {
        None
    };

    let inputs = WallInputs {
        updates,
        cards,
        layout_events: watcher.as_ref().map(|_| layout_rx),
        windows: Some(windows),
        wake,
        control,
        library,
        room_name,
    };
    let exit = crate::wall::run(config, layout, options, inputs);
    drop(watcher);
    Ok(exit)
}

/// Blocks until `after` has passed or the process is asked to stop (Ctrl+C, SIGTERM), calling
/// `tick` a few times a second meanwhile.
pub(crate) fn wait_for_stop(after: Option<Duration>, mut tick: impl FnMut()) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the signal runtime")?;
    runtime.block_on(async {
        let deadline = after.map(|after| tokio::time::Instant::now() + after);
        #[cfg(unix)]
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        loop {
            #[cfg(unix)]
            let terminated = terminate.recv();
            #[cfg(not(unix))]
            let terminated = std::future::pending::<Option<()>>();
            tokio::select! {
                _ = tokio::signal::ctrl_c() => break,
                _ = terminated => break,
                _ = tokio::time::sleep(Duration::from_millis(200)) => {
                    tick();
                    if deadline.is_some_and(|d| tokio::time::Instant::now() >= d) {
                        break;
                    }
                }
            }
        }
        Ok::<(), std::io::Error>(())
    })?;
    Ok(())
}
