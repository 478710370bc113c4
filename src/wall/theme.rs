//! Colours, type sizes and fonts of the wall. A dark room wall: deep background, tiles a step
//! lighter, strong signal colours for tone and alerts. Type sizes are a fixed set (glyph caches
//! are not evicted, so free-form sizes would grow memory on a wall that runs for months), in
//! logical pixels of a 1080-line screen; `UiScale` scales them to the real screen.

use bevy::prelude::*;

use crate::config::parse_hex_color;
use crate::model::Tone;

pub const BACKGROUND: Color = Color::srgb(0.043, 0.059, 0.090);
pub const TILE: Color = Color::srgb(0.078, 0.106, 0.149);
pub const TILE_RAISED: Color = Color::srgb(0.110, 0.145, 0.200);
pub const TRACK: Color = Color::srgb(0.16, 0.20, 0.26);
pub const TEXT: Color = Color::srgb(0.93, 0.95, 0.97);
pub const MUTED: Color = Color::srgb(0.60, 0.66, 0.74);
pub const NEGATIVE: Color = Color::srgb(1.0, 0.34, 0.34);
pub const NEUTRAL: Color = Color::srgb(0.55, 0.61, 0.69);
pub const POSITIVE: Color = Color::srgb(0.30, 0.85, 0.48);
pub const ALERT: Color = Color::srgb(1.0, 0.70, 0.0);

/// The height, in logical pixels, the layout is designed for.
pub const DESIGN_HEIGHT: f32 = 1080.0;

pub const SIZE_HUGE: f32 = 60.0;
pub const SIZE_TITLE: f32 = 30.0;
pub const SIZE_BODY: f32 = 26.0;
pub const SIZE_LABEL: f32 = 21.0;
pub const SIZE_SMALL: f32 = 19.0;

pub const GAP: f32 = 14.0;
pub const RADIUS: f32 = 12.0;

pub fn tone_color(tone: Tone) -> Color {
    match tone {
        Tone::Negative => NEGATIVE,
        Tone::Neutral => NEUTRAL,
        Tone::Positive => POSITIVE,
    }
}

/// A brand colour from the config; validated there, grey if it ever is not.
pub fn brand_color(hex: &str) -> Color {
    parse_hex_color(hex)
        .map(|(r, g, b)| Color::srgb_u8(r, g, b))
        .unwrap_or(NEUTRAL)
}

/// Net sentiment colour: red below -10, green above +10, grey between.
pub fn net_color(net: f32) -> Color {
    if net <= -10.0 {
        NEGATIVE
    } else if net >= 10.0 {
        POSITIVE
    } else {
        NEUTRAL
    }
}

#[derive(Resource, Clone, Default)]
pub struct WallFonts {
    pub regular: Handle<Font>,
    pub bold: Handle<Font>,
    pub emoji: Handle<Font>,
}

pub(super) fn plugin(app: &mut App) {
    app.insert_resource(ClearColor(BACKGROUND));
    app.init_resource::<WallFonts>();
    app.add_systems(PreStartup, load_fonts);
    app.add_systems(Update, map_emoji_family);
}

/// Tells the text layout that emoji come from the shipped colour emoji font, so a post's text
/// and its emoji share one span. The font registers a frame or two after it loads: retry until
/// it does, then lay out again the texts shaped before.
fn map_emoji_family(
    font_cx: Option<ResMut<bevy::text::FontCx>>,
    mut done: Local<bool>,
    mut texts: Query<&mut TextFont>,
) {
    if *done {
        return;
    }
    let Some(mut font_cx) = font_cx else { return };
    if font_cx.set_emoji_family("Noto Color Emoji").is_ok() {
        *done = true;
        for mut font in &mut texts {
            font.set_changed();
        }
    }
}

fn load_fonts(mut fonts: ResMut<WallFonts>, assets: Option<Res<AssetServer>>) {
    // Without an asset server (headless tests) the default handles stand in.
    if let Some(assets) = assets {
        *fonts = WallFonts {
            regular: assets.load("fonts/NotoSans-Regular.ttf"),
            bold: assets.load("fonts/NotoSans-Bold.ttf"),
            emoji: assets.load("fonts/NotoColorEmoji.ttf"),
        };
    }
}
