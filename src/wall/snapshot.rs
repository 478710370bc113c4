//! `--snapshot out.png` and `--exit-after N`: operators check a remote wall with them and the
//! tests use them. The snapshot is taken when the time is up (or, without `--exit-after`, once
//! data has arrived and the fonts are in), then the app exits.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};
use bevy::window::RequestRedraw;

use super::WallData;
use super::theme::WallFonts;

/// Without `--exit-after`, a snapshot waits this long after the first data for layout and glyphs.
const SETTLE: Duration = Duration::from_secs(3);
/// If the screenshot has not come back this long after it was asked for, rendering is broken.
const SCREENSHOT_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Resource)]
struct SnapshotPlan {
    path: Option<PathBuf>,
    exit_after: Option<Duration>,
    started: Instant,
    first_data: Option<Instant>,
    requested: Option<Instant>,
}

pub(super) fn plugin(options: super::WallOptions) -> impl Fn(&mut App) {
    move |app: &mut App| {
        if options.snapshot.is_none() && options.exit_after.is_none() {
            return;
        }
        app.insert_resource(SnapshotPlan {
            path: options.snapshot.clone(),
            exit_after: options.exit_after,
            started: Instant::now(),
            first_data: None,
            requested: None,
        });
        app.add_systems(Last, drive_snapshot);
    }
}

fn drive_snapshot(
    mut commands: Commands,
    mut plan: ResMut<SnapshotPlan>,
    data: Res<WallData>,
    fonts: Res<WallFonts>,
    assets: Res<AssetServer>,
    mut redraw: MessageWriter<RequestRedraw>,
    mut exit: MessageWriter<AppExit>,
) {
    let now = Instant::now();
    if plan.first_data.is_none() && data.figures.is_some() {
        plan.first_data = Some(now);
    }
    if let Some(asked) = plan.requested {
        if now - asked > SCREENSHOT_TIMEOUT {
            error!(
                "the screenshot did not come back in {SCREENSHOT_TIMEOUT:?}: rendering is stuck"
            );
            exit.write(AppExit::from_code(3));
        }
        // Keep frames coming until the capture is read back.
        redraw.write(RequestRedraw);
        return;
    }
    let fonts_ready = assets.is_loaded_with_dependencies(&fonts.regular)
        && assets.is_loaded_with_dependencies(&fonts.bold);
    let due = match plan.exit_after {
        Some(after) => now - plan.started >= after,
        None => plan.first_data.is_some_and(|t| now - t >= SETTLE) && fonts_ready,
    };
    if !due {
        return;
    }
    let Some(path) = plan.path.clone() else {
        info!("exit-after reached");
        exit.write(AppExit::Success);
        return;
    };
    if !fonts_ready {
        warn!("taking the snapshot before the fonts finished loading");
    }
    plan.requested = Some(now);
    commands.spawn(Screenshot::primary_window()).observe(
        move |captured: On<ScreenshotCaptured>, mut exit: MessageWriter<AppExit>| {
            let saved = captured
                .image
                .clone()
                .try_into_dynamic()
                .map_err(|e| e.to_string())
                .and_then(|image| image.to_rgb8().save(&path).map_err(|e| e.to_string()));
            match saved {
                Ok(()) => {
                    info!("snapshot written to {}", path.display());
                    exit.write(AppExit::Success);
                }
                Err(error) => {
                    error!("cannot write the snapshot {}: {error}", path.display());
                    exit.write(AppExit::from_code(4));
                }
            }
        },
    );
    redraw.write(RequestRedraw);
}
