//! The screens' pictures for the control page: when the page asks (`LiveView::ask_picture`),
//! the screen's window is captured at its next frame and encoded to PNG on a thread of its
//! own, so that the wall never waits for the encoder.

use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};
use bevy::window::RequestRedraw;

use super::room::FrameCounter;
use super::screens::ScreenWindow;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(
        Last,
        capture_asked_screens.run_if(resource_exists::<FrameCounter>),
    );
}

fn capture_asked_screens(
    mut commands: Commands,
    live: Res<FrameCounter>,
    windows: Query<(Entity, &ScreenWindow)>,
    mut redraw: MessageWriter<RequestRedraw>,
) {
    let asked = live.0.take_picture_requests();
    if asked.is_empty() {
        return;
    }
    for (window, screen) in &windows {
        if !asked.contains(&screen.screen) {
            continue;
        }
        let live = live.0.clone();
        let name = screen.screen.clone();
        commands
            .spawn(Screenshot::window(window))
            .observe(move |captured: On<ScreenshotCaptured>| {
                let image = captured.image.clone();
                let live = live.clone();
                let name = name.clone();
                let encoding = std::thread::Builder::new()
                    .name("vigie-picture".into())
                    .spawn(move || match encode(image) {
                        Ok(png) => live.store_picture(&name, png),
                        Err(error) => {
                            tracing::warn!(screen = %name, %error, "cannot encode the screen's picture")
                        }
                    });
                if let Err(error) = encoding {
                    tracing::warn!(%error, "cannot start the picture encoder");
                }
            });
    }
    // The capture comes with the next frame: ask for one, asleep or not.
    redraw.write(RequestRedraw);
}

fn encode(image: Image) -> Result<Vec<u8>, String> {
    let rgb = image
        .try_into_dynamic()
        .map_err(|e| e.to_string())?
        .to_rgb8();
    let mut png = Vec::with_capacity(512 * 1024);
    image::DynamicImage::ImageRgb8(rgb)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(|e| e.to_string())?;
    Ok(png)
}
