//! Colours, type sizes and fonts of the wall. A dark room wall: deep background, tiles a step
//! lighter, strong signal colours for tone and alerts. Type sizes are a fixed set (glyph caches
//! are not evicted, so free-form sizes would grow memory on a wall that runs for months), in
//! logical pixels of a 1080-line screen; `UiScale` scales them to the real screen.

use bevy::prelude::*;

use crate::config::parse_hex_color;
use crate::layout::ThemeName;
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
/// Around the screens of a preview window.
pub const PREVIEW_BACKGROUND: Color = Color::srgb(0.02, 0.02, 0.03);
/// The layout-error strip: dark amber, readable but not alarming.
pub const PROBLEM_FILL: Color = Color::srgba(0.16, 0.11, 0.0, 0.92);
/// The background of a box that is alerting.
pub const ALERT_FILL: Color = Color::srgb(0.22, 0.15, 0.02);
/// The room's own message over the wall: deep blue under white, apart from the alerts' reds
/// and ambers on every theme.
pub const MESSAGE_FILL: Color = Color::srgb(0.07, 0.22, 0.52);

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

/// An alert's colour: red when critical, amber for a warning, grey for information.
pub fn severity_colour(severity: crate::alerts::Severity) -> Color {
    match severity {
        crate::alerts::Severity::Critical => NEGATIVE,
        crate::alerts::Severity::Warning => ALERT,
        crate::alerts::Severity::Info => NEUTRAL,
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
    app.add_systems(PostUpdate, apply_theme);
}

/// The colours of a theme, role by role, in the order of `DARK_ROLES`.
type Palette = [Color; 11];

/// The tiles are written in the dark theme's colours; another theme swaps each for its own.
const DARK_ROLES: Palette = [
    BACKGROUND,
    TILE,
    TILE_RAISED,
    TRACK,
    TEXT,
    MUTED,
    NEGATIVE,
    NEUTRAL,
    POSITIVE,
    ALERT,
    ALERT_FILL,
];

/// For a bright lobby: dark ink on light tiles, signal colours deep enough to read on white.
const LIGHT: Palette = [
    Color::srgb(0.925, 0.937, 0.953),
    Color::srgb(1.0, 1.0, 1.0),
    Color::srgb(0.953, 0.961, 0.973),
    Color::srgb(0.835, 0.859, 0.890),
    Color::srgb(0.067, 0.094, 0.153),
    Color::srgb(0.294, 0.333, 0.388),
    Color::srgb(0.776, 0.157, 0.157),
    Color::srgb(0.420, 0.447, 0.502),
    Color::srgb(0.180, 0.490, 0.196),
    Color::srgb(0.698, 0.416, 0.0),
    Color::srgb(1.0, 0.957, 0.839),
];

/// For readers far away or with low vision: black ground, white ink, saturated signals.
const HIGH_CONTRAST: Palette = [
    Color::BLACK,
    Color::srgb(0.04, 0.04, 0.04),
    Color::srgb(0.12, 0.12, 0.12),
    Color::srgb(0.35, 0.35, 0.35),
    Color::WHITE,
    Color::srgb(0.88, 0.88, 0.88),
    Color::srgb(1.0, 0.25, 0.25),
    Color::srgb(0.80, 0.80, 0.80),
    Color::srgb(0.25, 1.0, 0.50),
    Color::srgb(1.0, 0.82, 0.0),
    Color::srgb(0.23, 0.18, 0.0),
];

/// The theme's colour for a colour the tiles wrote, or `None` when it is not a themed role
/// (a brand colour, an emoji).
pub fn themed(theme: ThemeName, color: Color) -> Option<Color> {
    let palette = match theme {
        ThemeName::Dark => return None,
        ThemeName::Light => &LIGHT,
        ThemeName::HighContrast => &HIGH_CONTRAST,
    };
    let alpha = color.alpha();
    DARK_ROLES
        .iter()
        .position(|role| role.with_alpha(alpha) == color)
        .map(|i| palette[i].with_alpha(alpha))
}

/// Repaints what changed this frame in the active theme's colours. The change is made without
/// marking the component changed again, so it runs once per change.
fn apply_theme(
    settings: Option<Res<super::WallSettings>>,
    layout: Option<Res<super::WallLayout>>,
    mut clear: ResMut<ClearColor>,
    mut texts: Query<&mut TextColor, Changed<TextColor>>,
    mut backgrounds: Query<&mut BackgroundColor, Changed<BackgroundColor>>,
    mut borders: Query<&mut BorderColor, Changed<BorderColor>>,
) {
    let (Some(settings), Some(layout)) = (settings, layout) else {
        return;
    };
    let theme = layout.0.theme.unwrap_or(settings.display.theme);
    let background = themed(theme, BACKGROUND).unwrap_or(BACKGROUND);
    if clear.0 != background {
        clear.0 = background;
    }
    if theme == ThemeName::Dark {
        return;
    }
    for mut color in &mut texts {
        if let Some(new) = themed(theme, color.0) {
            color.bypass_change_detection().0 = new;
        }
    }
    for mut color in &mut backgrounds {
        if let Some(new) = themed(theme, color.0) {
            color.bypass_change_detection().0 = new;
        }
    }
    for mut border in &mut borders {
        let border = border.bypass_change_detection();
        for side in [
            &mut border.top,
            &mut border.right,
            &mut border.bottom,
            &mut border.left,
        ] {
            if let Some(new) = themed(theme, *side) {
                *side = new;
            }
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn themes_swap_roles_and_leave_brand_colours() {
        assert_eq!(themed(ThemeName::Dark, TEXT), None);
        let light_text = themed(ThemeName::Light, TEXT).expect("a role");
        assert!(light_text.to_srgba().red < 0.2, "dark ink on a light wall");
        assert_eq!(
            themed(ThemeName::HighContrast, BACKGROUND),
            Some(Color::BLACK)
        );
        let brand = brand_color("#4FC3F7");
        assert_eq!(themed(ThemeName::Light, brand), None);
        // Translucent roles keep their alpha.
        let veiled = themed(ThemeName::Light, TILE.with_alpha(0.5)).expect("a role");
        assert_eq!(veiled.alpha(), 0.5);
    }
}
