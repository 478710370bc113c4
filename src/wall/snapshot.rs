//! `--snapshot out.png` and `--exit-after N`: operators check a remote wall with them and the
//! tests use them. With several screens, each is saved beside the name given: `out-left.png`,
//! `out-centre.png`, …. The snapshot is taken when the time is up (or, without `--exit-after`, once
//! data has arrived and the fonts are in), then the app exits.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};
use bevy::window::RequestRedraw;

use super::WallData;
use super::screens::ScreenWindow;
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
    windows: Query<(Entity, &ScreenWindow)>,
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
    let mut targets: Vec<(Entity, String)> = windows
        .iter()
        .map(|(entity, screen)| (entity, screen.screen.clone()))
        .collect();
    targets.sort_by(|a, b| a.1.cmp(&b.1));
    let single = targets.len() <= 1;
    let shots: Vec<(Option<Entity>, PathBuf)> = if targets.is_empty() {
        vec![(None, path)]
    } else {
        targets
            .into_iter()
            .map(|(entity, screen)| {
                let file = if single {
                    path.clone()
                } else {
                    per_screen(&path, &screen)
                };
                (Some(entity), file)
            })
            .collect()
    };
    let pending = Arc::new(AtomicUsize::new(shots.len()));
    let failed = Arc::new(AtomicBool::new(false));
    for (window, file) in shots {
        let screenshot = match window {
            Some(entity) => Screenshot::window(entity),
            None => Screenshot::primary_window(),
        };
        let pending = pending.clone();
        let failed = failed.clone();
        commands.spawn(screenshot).observe(
            move |captured: On<ScreenshotCaptured>, mut exit: MessageWriter<AppExit>| {
                let saved = captured
                    .image
                    .clone()
                    .try_into_dynamic()
                    .map_err(|e| e.to_string())
                    .and_then(|image| image.to_rgb8().save(&file).map_err(|e| e.to_string()));
                match saved {
                    Ok(()) => info!("snapshot written to {}", file.display()),
                    Err(error) => {
                        error!("cannot write the snapshot {}: {error}", file.display());
                        failed.store(true, Ordering::Relaxed);
                    }
                }
                if pending.fetch_sub(1, Ordering::AcqRel) == 1 {
                    exit.write(if failed.load(Ordering::Relaxed) {
                        AppExit::from_code(4)
                    } else {
                        AppExit::Success
                    });
                }
            },
        );
    }
    redraw.write(RequestRedraw);
}

/// `out.png` and screen `centre` → `out-centre.png`.
pub fn per_screen(path: &Path, screen: &str) -> PathBuf {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "snapshot".into());
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_else(|| "png".into());
    path.with_file_name(format!("{stem}-{screen}.{extension}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_file_per_screen_beside_the_asked_one() {
        assert_eq!(
            per_screen(Path::new("/tmp/out.png"), "centre"),
            PathBuf::from("/tmp/out-centre.png")
        );
    }
}
