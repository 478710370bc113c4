//! Small bundle builders shared by the tiles: a label, a tile panel, a coloured block, a tile of
//! rows.

use bevy::ecs::spawn::SpawnableList;
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

/// A tile with a title and a column of rows spread over its height (one per brand), `rows`
/// being what `Children::spawn` takes: `SpawnIter` of the rows, with a placeholder before them
/// where the tile has one.
pub fn rows_tile(
    panel: impl Bundle,
    title: impl Bundle,
    rows: impl SpawnableList<ChildOf> + Send + Sync + 'static,
) -> impl Bundle {
    (
        panel,
        children![
            title,
            (
                Node {
                    display: Display::Flex,
                    flex_direction: FlexDirection::Column,
                    justify_content: JustifyContent::SpaceEvenly,
                    flex_grow: 1.0,
                    row_gap: Val::Px(6.0),
                    ..default()
                },
                Children::spawn(rows),
            )
        ],
    )
}
