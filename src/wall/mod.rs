//! The wall: a Bevy app that knows nothing of HTTP, SQL or sources. It receives `WallUpdate`s
//! through a channel and draws tiles. Each concern is a plugin in its own module; parents only
//! add their children's plugins.

pub mod alert_banner;
pub mod bridge;
pub mod care;
mod frame_stats;
mod kiosk;
pub mod layout;
pub mod media;
pub mod pages;
mod pictures;
pub mod probe;
pub mod room;
pub mod screens;
mod snapshot;
mod status;
pub mod switch;
pub mod theme;
pub mod tiles;
mod wake;
mod widgets;

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bevy::prelude::*;
use bevy::window::{CursorOptions, ExitCondition, PresentMode, WindowResolution};
use bevy::winit::{UpdateMode, WinitSettings};
use crossbeam_channel::{Receiver, Sender};

use crate::config::{BrandConfig, Config};
use crate::i18n::Locale;
use crate::layout::Layout;
use crate::layout::reload::LayoutEvent;
use crate::model::{BrandInfo, WallUpdate, WindowsWanted};

pub use bridge::{UpdateFeed, WallData};
pub use layout::{LayoutFeed, LayoutProblem, WallLayout, WindowsFeed};

/// Filled by the wall with a function that wakes its event loop; called by the analysis thread
/// after each update it sends.
pub type WakeSlot = Arc<OnceLock<Box<dyn Fn() + Send + Sync>>>;

#[derive(Debug, Clone, Default)]
pub struct WallOptions {
    /// Save a PNG of the wall here, then exit.
    pub snapshot: Option<PathBuf>,
    /// Exit (after the snapshot, if any) once this much time has passed.
    pub exit_after: Option<Duration>,
    /// Each screen borderless-fullscreen on its monitor.
    pub fullscreen: bool,
    /// Fullscreen, no cursor, no way out but the exit chord, screen saver held off.
    pub kiosk: bool,
    /// Log the frames drawn every ten seconds.
    pub frame_stats: bool,
    /// `vigie bench`: note when each card and frame reached the screen.
    pub probe: Option<probe::LatencyProbe>,
    /// Draw every frame, without waiting for data (frame times).
    pub continuous: bool,
}

/// What the wall receives from the rest of the process.
pub struct WallInputs {
    pub updates: Receiver<WallUpdate>,
    /// The cards, taken once a frame.
    pub cards: crate::mailbox::CardMailbox,
    /// New versions of the layout file, when it is watched.
    pub layout_events: Option<Receiver<LayoutEvent>>,
    /// Where to say which windows the tiles show.
    pub windows: Option<Sender<WindowsWanted>>,
    pub wake: WakeSlot,
    /// The control page's room and live view, when the page runs.
    pub control: Option<(Arc<crate::control::Room>, Arc<crate::control::LiveView>)>,
    /// The layouts the wall may switch to (the room's choice, alert takeovers, the neutral
    /// one); `None` for a preview.
    pub library: Option<crate::layout::switch::LayoutLibrary>,
    /// The room this wall is in (a hub's display).
    pub room_name: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WallExit {
    Success,
    Error(u8),
}

/// The order of the wall's work in a frame, declared once.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WallSystems {
    /// Drain the channel into `WallData`.
    Ingest,
    /// Change tile entities to match `WallData`.
    UpdateTiles,
    /// Anything that moves on its own.
    Animate,
}

/// What the tiles need to know of the configuration.
#[derive(Resource, Debug, Clone)]
pub struct WallSettings {
    pub locale: Locale,
    pub title: String,
    pub brands: Vec<BrandInfo>,
    /// Lobby privacy for layouts that do not say.
    pub lobby: bool,
    pub display: crate::config::DisplayConfig,
    /// The config's topics, each macro topic followed by its micro topics.
    pub topics: Vec<crate::model::TopicInfo>,
    /// The platforms the config's sources listen to (the sources tile names the others).
    pub listened: Vec<crate::model::Platform>,
    /// Which posts' pictures a lobby shows.
    pub lobby_pictures: crate::config::LobbyPictures,
}

impl WallSettings {
    /// The shipped config.toml's settings, for the wall's unit tests.
    #[cfg(test)]
    pub(crate) fn shipped() -> Self {
        let config = crate::config::Config::parse(
            std::path::Path::new("config.toml"),
            include_str!("../../config.toml"),
        )
        .expect("shipped config");
        Self::from_config(&config)
    }

    pub fn from_config(config: &Config) -> Self {
        Self {
            locale: config.locale,
            title: config.wall.title.clone(),
            brands: config.brands.iter().map(BrandConfig::info).collect(),
            lobby: config.privacy.lobby,
            display: config.display.clone(),
            topics: config.topics.iter().map(|t| t.info.clone()).collect(),
            listened: crate::ingest::coverage::listened(config),
            lobby_pictures: config.privacy.lobby_pictures,
        }
    }
}

/// Everything the wall draws, without windows or rendering: what the ECS tests load.
pub fn plugin(app: &mut App) {
    app.configure_sets(
        Update,
        (
            WallSystems::Ingest,
            WallSystems::UpdateTiles,
            WallSystems::Animate,
        )
            .chain(),
    );
    app.add_plugins((
        theme::plugin,
        bridge::plugin,
        layout::plugin,
        pages::plugin,
        care::plugin,
        tiles::plugin,
        status::plugin,
        alert_banner::plugin,
        room::plugin,
        switch::plugin,
        media::plugin,
    ));
}

/// Opens one window per screen of `layout` and runs the wall until the first one is closed or
/// `options` says to stop.
pub fn run(config: &Config, layout: Layout, options: WallOptions, inputs: WallInputs) -> WallExit {
    let mut app = App::new();
    let window = Window {
        title: format!("Vigie — {}", config.wall.title),
        decorations: !options.kiosk,
        resolution: WindowResolution::new(config.wall.width, config.wall.height)
            .with_scale_factor_override(1.0),
        present_mode: PresentMode::AutoNoVsync,
        ..default()
    };
    app.add_plugins(
        DefaultPlugins
            .set(WindowPlugin {
                primary_window: Some(window),
                primary_cursor_options: Some(CursorOptions {
                    visible: !(options.fullscreen || options.kiosk),
                    ..default()
                }),
                exit_condition: ExitCondition::OnPrimaryClosed,
                // A kiosk ignores Alt+F4 and close buttons: only the exit chord stops it.
                close_when_requested: !options.kiosk,
            })
            .set(AssetPlugin {
                file_path: assets_dir(&config.path).to_string_lossy().into_owned(),
                ..default()
            })
            // Vigie sets up its own log subscriber before any thread starts.
            .disable::<bevy::log::LogPlugin>()
            // A reactive wall draws a frame when a mention arrives: rendering it in the same
            // frame, not during the next one, puts it on screen a frame sooner (`vigie bench
            // latency`), and a wall that is mostly still gains nothing from the overlap.
            .disable::<bevy::render::pipelined_rendering::PipelinedRenderingPlugin>(),
    );
    // Reactive: a frame is drawn when data arrives (the analysis wakes the loop), when the
    // window changes, when a page is due, or once a minute at most otherwise. A still wall
    // costs almost nothing.
    let idle_wait = if options.snapshot.is_some() || options.exit_after.is_some() {
        Duration::from_millis(250)
    } else {
        Duration::from_secs(60)
    };
    app.insert_resource(WinitSettings {
        focused_mode: UpdateMode::reactive_low_power(idle_wait),
        unfocused_mode: UpdateMode::reactive_low_power(idle_wait),
    });
    // A continuous wall draws whatever the pages want: they need not set the wait.
    if !options.continuous {
        app.insert_resource(pages::IdleWait(idle_wait));
    }
    app.insert_resource(screens::WindowPrefs {
        fullscreen: options.fullscreen || options.kiosk,
        decorations: !options.kiosk,
        width: config.wall.width,
        height: config.wall.height,
        cursor_visible: !(options.fullscreen || options.kiosk),
        title: format!("Vigie — {}", config.wall.title),
    });
    app.insert_resource(WallSettings::from_config(config));
    if config.wall.picture_cache_mb > 0 {
        app.insert_resource(media::WallPictures::new(
            config.wall.picture_cache_mb as usize * 1024 * 1024,
            inputs.wake.clone(),
        ));
    }
    app.insert_resource(tiles::stream::Lobby(
        crate::privacy::LobbyFilter::shipped_with(config.privacy.policy()),
    ));
    if let Some(library) = inputs.library {
        app.insert_resource(
            switch::LayoutChoices::new(layout.clone(), library).in_room(inputs.room_name),
        );
    }
    app.insert_resource(WallLayout(layout));
    app.insert_resource(UpdateFeed(inputs.updates));
    app.insert_resource(bridge::CardFeed(inputs.cards));
    if let Some(events) = inputs.layout_events {
        app.insert_resource(LayoutFeed(events));
    }
    if let Some(windows) = inputs.windows {
        app.insert_resource(WindowsFeed(windows));
    }
    app.insert_resource(wake::WakeTarget(inputs.wake));
    if let Some((room, live)) = inputs.control {
        app.insert_resource(room::RoomFeed(room));
        app.insert_resource(room::FrameCounter(live));
    }
    if options.kiosk {
        app.add_plugins(kiosk::plugin);
    }
    if options.frame_stats {
        app.add_plugins(frame_stats::plugin);
    }
    if let Some(probe) = &options.probe {
        app.add_plugins(probe::plugin(probe.clone(), options.continuous));
    }
    app.add_plugins((
        plugin,
        screens::plugin,
        pictures::plugin,
        wake::plugin,
        snapshot::plugin(options),
    ));
    match app.run() {
        AppExit::Success => WallExit::Success,
        AppExit::Error(code) => WallExit::Error(code.get()),
    }
}

/// Where the fonts are: `VIGIE_ASSETS`, else `assets/` beside the config file, else beside the
/// executable, else the source tree the binary was built from.
fn assets_dir(config_path: &Path) -> PathBuf {
    if let Some(dir) = std::env::var_os("VIGIE_ASSETS") {
        return PathBuf::from(dir);
    }
    let beside_config = config_path
        .parent()
        .map(|p| {
            if p.as_os_str().is_empty() {
                Path::new(".")
            } else {
                p
            }
        })
        .map(|p| p.join("assets"));
    let beside_exe = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|p| p.join("assets")));
    let built_from = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets");
    [beside_config, beside_exe, Some(built_from.clone())]
        .into_iter()
        .flatten()
        .find(|dir| dir.join("fonts").is_dir())
        .map(|dir| std::path::absolute(&dir).unwrap_or(dir))
        .unwrap_or(built_from)
}
