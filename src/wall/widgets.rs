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

/// A tile with a title and a column of rows spread over its height (one per brand): returns
/// the tile and the rows' parent.
pub fn rows_tile(
    commands: &mut Commands,
    fonts: &WallFonts,
    panel: impl Bundle,
    title: String,
) -> (Entity, Entity) {
    let tile = commands.spawn(panel).id();
    let title = commands.spawn(tile_title(title, fonts)).id();
    let rows = commands
        .spawn(Node {
            display: Display::Flex,
            flex_direction: FlexDirection::Column,
            justify_content: JustifyContent::SpaceEvenly,
            flex_grow: 1.0,
            row_gap: Val::Px(6.0),
            ..default()
        })
        .id();
    commands.entity(tile).add_children(&[title, rows]);
    (tile, rows)
}
