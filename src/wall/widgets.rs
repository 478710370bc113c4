//! Small bundle builders shared by the tiles: a label, a tile panel, a coloured block.

use bevy::prelude::*;

use super::theme::{self, WallFonts};

/// A line of text in one of the wall's fixed sizes.
pub fn label(text: impl Into<String>, font: &Handle<Font>, size: f32, color: Color) -> impl Bundle {
    (
        Text::new(text),
        TextFont {
            font: font.clone().into(),
            font_size: FontSize::Px(size),
            ..default()
        },
        TextColor(color),
    )
}

/// A text span (child of a `Text`) in one of the wall's fixed sizes.
pub fn span(text: impl Into<String>, font: &Handle<Font>, size: f32, color: Color) -> impl Bundle {
    (
        TextSpan::new(text),
        TextFont {
            font: font.clone().into(),
            font_size: FontSize::Px(size),
            ..default()
        },
        TextColor(color),
    )
}

/// The rounded panel every tile sits in, with its title row.
pub fn tile_panel(name: &'static str) -> impl Bundle {
    (
        Name::new(name),
        Node {
            display: Display::Flex,
            flex_direction: FlexDirection::Column,
            padding: UiRect::all(Val::Px(18.0)),
            row_gap: Val::Px(10.0),
            border_radius: BorderRadius::all(Val::Px(theme::RADIUS)),
            overflow: Overflow::clip(),
            min_width: Val::Px(0.0),
            min_height: Val::Px(0.0),
            ..default()
        },
        BackgroundColor(theme::TILE),
    )
}

/// A tile's title in muted capitals-free bold.
pub fn tile_title(text: impl Into<String>, fonts: &WallFonts) -> impl Bundle {
    label(text, &fonts.bold, theme::SIZE_TITLE, theme::MUTED)
}

/// A plain coloured rectangle.
pub fn block(node: Node, color: Color) -> impl Bundle {
    (node, BackgroundColor(color))
}
