//! Places the tiles on the screen. Issue #3 brings layout files; until then the wall has one
//! built-in layout designed for a 1080p screen read from five metres:
//!
//! ```text
//! header  header
//! stream  volume
//! stream  sov
//! status  status
//! ```
//! `UiScale` follows the window so the same layout fills a 4K screen with the same proportions.

use bevy::prelude::*;
use bevy::window::PrimaryWindow;

use super::theme::{self, WallFonts};
use super::{WallSettings, status, tiles};

#[derive(Component)]
pub struct WallRoot;

pub(super) fn plugin(app: &mut App) {
    // UiPlugin provides it in the real app; headless tests run without UiPlugin.
    app.init_resource::<UiScale>();
    app.add_systems(Startup, spawn_layout);
    app.add_systems(Update, scale_to_window);
}

fn spawn_layout(mut commands: Commands, fonts: Res<WallFonts>, settings: Res<WallSettings>) {
    commands.spawn((Name::new("camera"), Camera2d));
    let root = commands
        .spawn((
            Name::new("wall"),
            WallRoot,
            Node {
                width: Val::Percent(100.0),
                height: Val::Percent(100.0),
                display: Display::Grid,
                grid_template_columns: vec![GridTrack::fr(37.0), GridTrack::fr(63.0)],
                grid_template_rows: vec![
                    GridTrack::px(118.0),
                    GridTrack::fr(52.0),
                    GridTrack::fr(48.0),
                    GridTrack::px(40.0),
                ],
                row_gap: Val::Px(theme::GAP),
                column_gap: Val::Px(theme::GAP),
                padding: UiRect::all(Val::Px(theme::GAP)),
                ..default()
            },
            BackgroundColor(theme::BACKGROUND),
        ))
        .id();
    let header = tiles::header::spawn(&mut commands, &fonts, &settings);
    let stream = tiles::stream::spawn(&mut commands, &fonts, &settings);
    let volume = tiles::volume::spawn(&mut commands, &fonts, &settings);
    let sov = tiles::share_of_voice::spawn(&mut commands, &fonts, &settings);
    let status = status::spawn(&mut commands, &fonts);
    place(&mut commands, header, 1, 1, 1, 2);
    place(&mut commands, stream, 2, 2, 1, 1);
    place(&mut commands, volume, 2, 1, 2, 1);
    place(&mut commands, sov, 3, 1, 2, 1);
    place(&mut commands, status, 4, 1, 1, 2);
    commands
        .entity(root)
        .add_children(&[header, stream, volume, sov, status]);
}

/// Puts a tile in the grid: `row`/`column` are 1-based starts, spans count tracks.
fn place(
    commands: &mut Commands,
    tile: Entity,
    row: i16,
    row_span: u16,
    column: i16,
    column_span: u16,
) {
    commands
        .entity(tile)
        .entry::<Node>()
        .and_modify(move |mut node| {
            node.grid_row = GridPlacement::start_span(row, row_span);
            node.grid_column = GridPlacement::start_span(column, column_span);
        });
}

/// Keeps the layout's proportions at any resolution: logical pixels are those of a 1080-line
/// screen.
fn scale_to_window(
    windows: Query<&Window, (With<PrimaryWindow>, Changed<Window>)>,
    mut scale: ResMut<UiScale>,
) {
    let Ok(window) = windows.single() else { return };
    let by_height = window.height() / theme::DESIGN_HEIGHT;
    let by_width = window.width() / (theme::DESIGN_HEIGHT * 16.0 / 9.0);
    let wanted = by_height.min(by_width).max(0.25);
    if (scale.0 - wanted).abs() > 1e-3 {
        scale.0 = wanted;
    }
}
