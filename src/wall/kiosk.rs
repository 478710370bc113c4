//! `--kiosk`: the wall owns the screens. Every screen fullscreen, no cursor, no decorations,
//! window-close requests (Alt+F4, a window manager's close button) ignored, the X screen saver
//! and display power saving held off, and one documented way out: Ctrl+Alt+Shift+Q.

use bevy::prelude::*;

/// The exit chord, as the README documents it.
pub const EXIT_CHORD: &str = "Ctrl+Alt+Shift+Q";

pub(super) fn plugin(app: &mut App) {
    app.add_systems(Update, exit_on_chord);
    app.add_systems(Startup, hold_off_screen_saver);
}

fn exit_on_chord(keys: Option<Res<ButtonInput<KeyCode>>>, mut exit: MessageWriter<AppExit>) {
    let Some(keys) = keys else { return };
    // A modifier counts if it is down, or went down or up in this frame: a fast chord (or a
    // remote-control tool typing it) may press and release everything between two frames.
    let down = |k: KeyCode| keys.pressed(k) || keys.just_pressed(k) || keys.just_released(k);
    let held = |a: KeyCode, b: KeyCode| down(a) || down(b);
    if held(KeyCode::ControlLeft, KeyCode::ControlRight)
        && held(KeyCode::AltLeft, KeyCode::AltRight)
        && held(KeyCode::ShiftLeft, KeyCode::ShiftRight)
        && keys.just_pressed(KeyCode::KeyQ)
    {
        info!("kiosk exit chord pressed: closing the wall");
        exit.write(AppExit::Success);
    }
}

/// Turns off the X screen saver, its blanking and DPMS for this X session, so the wall is never
/// blanked by the system (the night schedule is the wall's own). Says so when it cannot.
fn hold_off_screen_saver() {
    info!("kiosk mode: {EXIT_CHORD} closes the wall");
    if std::env::var_os("DISPLAY").is_none() {
        return;
    }
    match std::process::Command::new("xset")
        .args(["s", "off", "s", "noblank", "-dpms"])
        .status()
    {
        Ok(status) if status.success() => info!("kiosk: X screen saver and DPMS held off"),
        Ok(status) => warn!("kiosk: `xset s off -dpms` failed ({status}): the screens may blank"),
        Err(error) => warn!(
            "kiosk: cannot run xset ({error}): install x11-xserver-utils or the screens may blank"
        ),
    }
}
