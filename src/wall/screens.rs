//! One window per screen of the layout, each on the monitor the layout names, each with its own
//! camera and its own scale. With fewer monitors than screens, the extra screens open as
//! windows and the log says so; a monitor plugged in later gets its screen.
//!
//! Every window presents without vsync: the wall draws only when something changed, so tearing
//! is not a risk worth the known stall of every window on X11 when one vsync window is hidden
//! or its monitor switched off.

use bevy::camera::RenderTarget;
use bevy::prelude::*;
use bevy::ui::UiTargetCamera;
use bevy::window::{
    Monitor, PresentMode, PrimaryWindow, WindowMode, WindowPosition, WindowRef, WindowResolution,
};

use super::layout::{
    PREVIEW_GAP, PreviewRoot, SCREEN_HEIGHT, SCREEN_WIDTH, ScreenRoot, ScreensBuilt, WallLayout,
};
use crate::layout::{DESIGN_DISTANCE_M, MonitorRef};

/// How the windows open.
#[derive(Resource, Debug, Clone)]
pub struct WindowPrefs {
    /// Borderless fullscreen on each screen's monitor.
    pub fullscreen: bool,
    pub decorations: bool,
    /// Size of a window that is not fullscreen.
    pub width: u32,
    pub height: u32,
    pub cursor_visible: bool,
    pub title: String,
}

/// The window that shows a screen (or, in preview, all of them).
#[derive(Component, Debug, Clone, PartialEq, Eq)]
pub struct ScreenWindow {
    pub screen: String,
    pub monitor: MonitorRef,
    /// How many 1080p screens side by side this window shows (more than one in preview).
    pub screens_across: usize,
}

#[derive(Component, Debug, Clone, Copy)]
pub struct ScreenCamera {
    pub window: Entity,
}

pub(super) fn plugin(app: &mut App) {
    app.add_systems(
        PostUpdate,
        (
            attach_screens.run_if(on_message::<ScreensBuilt>),
            place_on_monitors,
            fit_to_window,
        )
            .chain(),
    );
}

/// Gives each screen root a window and a camera: reuses the windows of screens that are still
/// there, opens the new ones, closes those of screens that are gone.
fn attach_screens(
    mut commands: Commands,
    layout: Res<WallLayout>,
    prefs: Res<WindowPrefs>,
    roots: Query<(Entity, &ScreenRoot)>,
    preview: Query<Entity, With<PreviewRoot>>,
    mut windows: Query<(
        Entity,
        &mut Window,
        Option<&ScreenWindow>,
        Has<PrimaryWindow>,
    )>,
    cameras: Query<(Entity, &ScreenCamera)>,
) {
    let layout = &layout.0;
    // The window each screen (or the one preview) needs.
    let wanted: Vec<ScreenWindow> = if layout.preview {
        vec![ScreenWindow {
            screen: "preview".into(),
            monitor: MonitorRef::Index(0),
            screens_across: layout.screens.len(),
        }]
    } else {
        layout
            .screens
            .iter()
            .map(|s| ScreenWindow {
                screen: s.name.clone(),
                monitor: s.monitor.clone(),
                screens_across: 1,
            })
            .collect()
    };
    let mut window_of: Vec<Entity> = Vec::new();
    for (position, screen) in wanted.iter().enumerate() {
        let existing = windows.iter().find_map(|(entity, _, tag, primary)| {
            let same = tag.is_some_and(|t| t.screen == screen.screen);
            (same || (position == 0 && primary)).then_some(entity)
        });
        let title = format!("{} — {}", prefs.title, screen.screen);
        let entity = match existing {
            Some(entity) => {
                if let Ok((_, mut window, _, _)) = windows.get_mut(entity)
                    && window.title != title
                {
                    window.title = title;
                }
                entity
            }
            None => commands
                .spawn((
                    Window {
                        title,
                        decorations: prefs.decorations,
                        resolution: WindowResolution::new(prefs.width, prefs.height)
                            .with_scale_factor_override(1.0),
                        // Side by side, so screens prepared on one big desktop do not overlap.
                        position: WindowPosition::At(IVec2::new(
                            (position as u32 * prefs.width) as i32,
                            0,
                        )),
                        present_mode: PresentMode::AutoNoVsync,
                        ..default()
                    },
                    bevy::window::CursorOptions {
                        visible: prefs.cursor_visible,
                        ..default()
                    },
                ))
                .id(),
        };
        commands.entity(entity).insert(screen.clone());
        window_of.push(entity);
    }
    // Windows of screens that left the layout close (never the primary one).
    for (entity, _, tag, primary) in &windows {
        if tag.is_some() && !primary && !window_of.contains(&entity) {
            commands.entity(entity).despawn();
        }
    }
    let mut camera_of = Vec::new();
    for (order, &window) in window_of.iter().enumerate() {
        let camera = cameras
            .iter()
            .find_map(|(entity, c)| (c.window == window).then_some(entity))
            .unwrap_or_else(|| {
                commands
                    .spawn((
                        Name::new("screen camera"),
                        Camera2d,
                        Camera {
                            order: order as isize,
                            ..default()
                        },
                        RenderTarget::Window(WindowRef::Entity(window)),
                        // The UI draws its own smooth edges: 4x multisampling (a Camera2d's
                        // default) only multiplied the pixels to fill and resolve, most of a
                        // frame's cost on a software renderer.
                        bevy::render::view::Msaa::Off,
                        ScreenCamera { window },
                    ))
                    .id()
            });
        camera_of.push(camera);
    }
    for (entity, camera) in &cameras {
        if !window_of.contains(&camera.window) {
            commands.entity(entity).despawn();
        }
    }
    if let Some(preview_root) = preview.iter().next() {
        if let Some(&camera) = camera_of.first() {
            commands.entity(preview_root).insert(UiTargetCamera(camera));
        }
    } else {
        for (entity, root) in &roots {
            if let Some(&camera) = camera_of.get(root.index) {
                commands.entity(entity).insert(UiTargetCamera(camera));
            }
        }
    }
}

/// Monitors in a stable order: left to right, then top to bottom, as a room sees them.
fn monitor_order(monitors: &Query<(Entity, &Monitor)>) -> Vec<(Entity, Option<String>)> {
    let mut list: Vec<(Entity, IVec2, Option<String>)> = monitors
        .iter()
        .map(|(e, m)| (e, m.physical_position, m.name.clone()))
        .collect();
    list.sort_by_key(|(_, p, _)| (p.x, p.y));
    list.into_iter().map(|(e, _, n)| (e, n)).collect()
}

/// Puts each screen's window fullscreen on its monitor when asked to and that monitor exists;
/// otherwise leaves it a window. Runs again when monitors come and go.
fn place_on_monitors(
    prefs: Res<WindowPrefs>,
    monitors: Query<(Entity, &Monitor)>,
    added: Query<(), Added<Monitor>>,
    mut removed: RemovedComponents<Monitor>,
    changed_windows: Query<(), Added<ScreenWindow>>,
    mut windows: Query<(&ScreenWindow, &mut Window)>,
) {
    let monitors_changed = !added.is_empty() || removed.read().count() > 0;
    if !monitors_changed && changed_windows.is_empty() {
        return;
    }
    let order = monitor_order(&monitors);
    if monitors_changed {
        // What a room needs to write `monitor = …` in its layout.
        for (index, (entity, name)) in order.iter().enumerate() {
            if let Ok((_, monitor)) = monitors.get(*entity) {
                info!(
                    "monitor {index}: {} ({}x{} at {},{})",
                    name.as_deref().unwrap_or("unnamed"),
                    monitor.physical_width,
                    monitor.physical_height,
                    monitor.physical_position.x,
                    monitor.physical_position.y
                );
            }
        }
    }
    if !prefs.fullscreen {
        return;
    }
    let mut without: Vec<String> = Vec::new();
    for (screen, mut window) in &mut windows {
        let monitor = match &screen.monitor {
            MonitorRef::Index(i) => order.get(*i).map(|(e, _)| *e),
            MonitorRef::Name(name) => order
                .iter()
                .find(|(_, n)| n.as_deref() == Some(name.as_str()))
                .map(|(e, _)| *e),
        };
        let mode = match monitor {
            Some(monitor) => WindowMode::BorderlessFullscreen(MonitorSelection::Entity(monitor)),
            None => {
                without.push(format!("'{}' ({})", screen.screen, screen.monitor));
                WindowMode::Windowed
            }
        };
        if window.mode != mode {
            window.mode = mode;
        }
    }
    if !without.is_empty() {
        warn!(
            "{} monitor(s) for more screens: {} open as windows until their monitor is plugged in",
            order.len(),
            without.join(", ")
        );
    }
}

/// The scale that makes a 1920×1080 logical screen (or `across` of them side by side) fill a
/// window of `width` × `height` physical pixels, with type grown for the viewing distance.
pub fn fit_scale(width: f32, height: f32, across: usize, viewing_distance_m: f32) -> f32 {
    let across = across.max(1) as f32;
    let logical_width = if across > 1.0 {
        across * SCREEN_WIDTH + (across + 1.0) * PREVIEW_GAP
    } else {
        SCREEN_WIDTH
    };
    let logical_height = if across > 1.0 {
        SCREEN_HEIGHT + 2.0 * PREVIEW_GAP
    } else {
        SCREEN_HEIGHT
    };
    let fit = (width / logical_width).min(height / logical_height);
    let distance = if across > 1.0 {
        1.0
    } else {
        viewing_distance_m / DESIGN_DISTANCE_M
    };
    (fit * distance).max(0.1)
}

/// Each window scales its screen to its own size: a 4K monitor beside a 1080p one shows the
/// same layout at the same proportions.
fn fit_to_window(
    layout: Res<WallLayout>,
    mut windows: Query<(&ScreenWindow, &mut Window), Or<(Changed<Window>, Added<ScreenWindow>)>>,
) {
    for (screen, mut window) in &mut windows {
        let (width, height) = (
            window.resolution.physical_width() as f32,
            window.resolution.physical_height() as f32,
        );
        if width < 1.0 || height < 1.0 {
            continue;
        }
        let wanted = fit_scale(
            width,
            height,
            screen.screens_across,
            layout.0.viewing_distance_m,
        );
        if (window.resolution.scale_factor() - wanted).abs() > 1e-3 {
            window.resolution.set_scale_factor_override(Some(wanted));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn screens_fit_their_window() {
        assert!((fit_scale(1920.0, 1080.0, 1, 5.0) - 1.0).abs() < 1e-6);
        assert!((fit_scale(3840.0, 2160.0, 1, 5.0) - 2.0).abs() < 1e-6);
        // A 16:10 monitor: the width decides, the layout keeps its shape.
        assert!((fit_scale(1920.0, 1200.0, 1, 5.0) - 1.0).abs() < 1e-6);
        // Read from 8 m, everything is 1.6 times larger.
        assert!((fit_scale(1920.0, 1080.0, 1, 8.0) - 1.6).abs() < 1e-6);
        // Three screens previewed in one 1920-wide window.
        let preview = fit_scale(1920.0, 1080.0, 3, 5.0);
        assert!(preview < 0.34 && preview > 0.3, "{preview}");
    }
}
