//! Turns the active `Layout` into UI: one root node per screen, a CSS-like grid from its named
//! areas, a tile in each area, and a deck of pages where the screen rotates. Tiles are spawned
//! when the layout is (at start and on each good reload) and only updated in between.
//!
//! Track sizes in px are logical pixels of a 1080-line screen: each screen's window scales
//! them (see `screens`), so a layout keeps its proportions from 1080p to 4K.

use bevy::prelude::*;
use crossbeam_channel::{Receiver, Sender};

use super::theme::{self, WallFonts};
use super::{WallSettings, WallSystems, pages, tiles};
use crate::layout::grid::{Grid, Track};
use crate::layout::reload::LayoutEvent;
use crate::layout::{Layout, PAGES_AREA, Screen, TileSpec};
use crate::model::WindowsWanted;

/// The layout on screen.
#[derive(Resource, Debug, Clone)]
pub struct WallLayout(pub Layout);

/// Why the last reload was refused, shown on a discreet strip until a good file comes.
#[derive(Resource, Debug, Default, Clone, PartialEq, Eq)]
pub struct LayoutProblem(pub Option<String>);

/// New versions of the layout file, from the watcher thread.
#[derive(Resource)]
pub struct LayoutFeed(pub Receiver<LayoutEvent>);

/// Tells the analysis which windows the tiles show.
#[derive(Resource)]
pub struct WindowsFeed(pub Sender<WindowsWanted>);

/// The root node of one screen.
#[derive(Component, Debug, Clone, PartialEq, Eq)]
pub struct ScreenRoot {
    pub index: usize,
    pub name: String,
}

/// The one node above all screen roots in preview mode.
#[derive(Component)]
pub struct PreviewRoot;

/// A tile and the area it fills.
#[derive(Component, Debug, Clone, PartialEq, Eq)]
pub struct TileSlot {
    pub screen: String,
    pub area: String,
    pub kind: &'static str,
}

#[derive(Component)]
pub struct ProblemStrip;

#[derive(Component)]
pub struct ProblemText;

/// Sent after the screens are (re)built, so the window side can attach them.
#[derive(Message, Debug, Clone, Copy)]
pub struct ScreensBuilt;

/// A screen is a 1920×1080 logical surface; each window scales it to its real size.
pub const SCREEN_WIDTH: f32 = 1920.0;
pub const SCREEN_HEIGHT: f32 = theme::DESIGN_HEIGHT;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<LayoutProblem>();
    app.add_message::<ScreensBuilt>();
    app.add_systems(Startup, spawn_screens);
    app.add_systems(
        Update,
        (
            apply_layout_events.in_set(WallSystems::Ingest),
            show_problem
                .in_set(WallSystems::UpdateTiles)
                .run_if(resource_changed::<LayoutProblem>),
        ),
    );
}

fn spawn_screens(
    mut commands: Commands,
    fonts: Res<WallFonts>,
    settings: Res<WallSettings>,
    layout: Res<WallLayout>,
    windows: Option<Res<WindowsFeed>>,
    mut built: MessageWriter<ScreensBuilt>,
) {
    build(&mut commands, &fonts, &settings, &layout.0);
    if let Some(feed) = windows {
        let _ = feed.0.send(windows_wanted(&layout.0));
    }
    built.write(ScreensBuilt);
}

pub fn windows_wanted(layout: &Layout) -> WindowsWanted {
    WindowsWanted {
        charts: layout.chart_windows(),
        shares: layout.share_windows(),
        // The config puts the own brand first.
        trending: layout.trending_lists(0),
        influencers: layout.influencer_lists(0),
    }
}

/// What replaces the screens with those of another layout.
#[derive(bevy::ecs::system::SystemParam)]
pub struct ScreenBuilder<'w, 's> {
    commands: Commands<'w, 's>,
    fonts: Res<'w, WallFonts>,
    settings: Res<'w, WallSettings>,
    layout: ResMut<'w, WallLayout>,
    roots: Query<'w, 's, Entity, Or<(With<ScreenRoot>, With<PreviewRoot>)>>,
    windows: Option<Res<'w, WindowsFeed>>,
    data: ResMut<'w, super::WallData>,
    built: MessageWriter<'w, ScreensBuilt>,
}

impl ScreenBuilder<'_, '_> {
    /// Takes the screens down and builds those of `layout` in their place; the windows follow
    /// (`screens`), and the analysis hears which windows the new tiles show.
    pub fn show(&mut self, layout: Layout) {
        for root in &self.roots {
            self.commands.entity(root).despawn();
        }
        build(&mut self.commands, &self.fonts, &self.settings, &layout);
        if let Some(feed) = &self.windows {
            let _ = feed.0.send(windows_wanted(&layout));
        }
        self.layout.0 = layout;
        // New tiles fill from the data already here, on the next frame.
        self.data.set_changed();
        self.built.write(ScreensBuilt);
    }

    pub fn current(&self) -> &Layout {
        &self.layout.0
    }

    /// What the wall has received (the builder holds it, to refresh the new tiles from it).
    pub fn data(&self) -> &super::WallData {
        &self.data
    }
}

pub(super) fn apply_layout_events(
    feed: Option<Res<LayoutFeed>>,
    mut problem: ResMut<LayoutProblem>,
    choices: Option<ResMut<super::switch::LayoutChoices>>,
    mut screens: ScreenBuilder,
) {
    let Some(feed) = feed else { return };
    let Some(event) = feed.0.try_iter().last() else {
        return;
    };
    match event {
        LayoutEvent::Loaded(new_layout) => {
            problem.set_if_neq(LayoutProblem(None));
            match choices {
                // The room's own layout changed: shown now if it is what the room shows,
                // under what the room shows instead otherwise (`switch`).
                Some(mut choices) => choices.own_changed(*new_layout),
                None => screens.show(*new_layout),
            }
        }
        LayoutEvent::Failed(errors) => {
            let first = errors
                .0
                .first()
                .map(ToString::to_string)
                .unwrap_or_default();
            let more = errors.0.len().saturating_sub(1);
            let text = if more > 0 {
                format!("{first} (+{more})")
            } else {
                first
            };
            problem.set_if_neq(LayoutProblem(Some(text)));
        }
    }
}

/// Spawns every screen of `layout`; returns the screen roots in order.
pub fn build(
    commands: &mut Commands,
    fonts: &WallFonts,
    settings: &WallSettings,
    layout: &Layout,
) -> Vec<Entity> {
    let roots: Vec<Entity> = layout
        .screens
        .iter()
        .enumerate()
        .map(|(index, screen)| spawn_screen(commands, fonts, settings, index, screen))
        .collect();
    if layout.preview {
        // Every screen at its real 1080p proportions, side by side in one window.
        let preview = commands
            .spawn((
                Name::new("preview"),
                PreviewRoot,
                Node {
                    width: Val::Percent(100.0),
                    height: Val::Percent(100.0),
                    display: Display::Flex,
                    flex_direction: FlexDirection::Row,
                    align_items: AlignItems::Center,
                    column_gap: Val::Px(PREVIEW_GAP),
                    padding: UiRect::all(Val::Px(PREVIEW_GAP)),
                    ..default()
                },
                BackgroundColor(theme::PREVIEW_BACKGROUND),
            ))
            .id();
        for &root in &roots {
            commands
                .entity(root)
                .entry::<Node>()
                .and_modify(|mut node| {
                    node.width = Val::Px(SCREEN_WIDTH);
                    node.height = Val::Px(SCREEN_HEIGHT);
                    node.flex_shrink = 0.0;
                });
        }
        commands.entity(preview).add_children(&roots);
    }
    if let Some(&first) = roots.first() {
        commands.spawn((problem_strip(fonts, settings), ChildOf(first)));
    }
    roots
}

/// Space between screens in the preview window, in logical pixels.
pub const PREVIEW_GAP: f32 = 40.0;

fn grid_node(grid: &Grid) -> Node {
    Node {
        width: Val::Percent(100.0),
        height: Val::Percent(100.0),
        display: Display::Grid,
        grid_template_columns: grid.columns.iter().map(|t| track(t).into()).collect(),
        grid_template_rows: grid.rows.iter().map(|t| track(t).into()).collect(),
        row_gap: Val::Px(theme::GAP),
        column_gap: Val::Px(theme::GAP),
        ..default()
    }
}

/// `fr` tracks never grow past their share for long content (CSS `minmax(0, Nfr)`), so the
/// grid is exactly what the layout file says.
fn track(track: &Track) -> GridTrack {
    match *track {
        Track::Fr(f) => GridTrack::minmax(
            MinTrackSizingFunction::Px(0.0),
            MaxTrackSizingFunction::Fraction(f),
        ),
        Track::Px(px) => GridTrack::px(px),
        Track::Percent(p) => GridTrack::percent(p),
    }
}

fn place(commands: &mut Commands, entity: Entity, area: &crate::layout::grid::Area) {
    let (row, row_span) = (area.row as i16 + 1, area.row_span as u16);
    let (column, column_span) = (area.column as i16 + 1, area.column_span as u16);
    commands
        .entity(entity)
        .entry::<Node>()
        .and_modify(move |mut node| {
            node.grid_row = GridPlacement::start_span(row, row_span);
            node.grid_column = GridPlacement::start_span(column, column_span);
            node.min_width = Val::Px(0.0);
            node.min_height = Val::Px(0.0);
        });
}

fn spawn_screen(
    commands: &mut Commands,
    fonts: &WallFonts,
    settings: &WallSettings,
    index: usize,
    screen: &Screen,
) -> Entity {
    let mut node = grid_node(&screen.grid);
    node.padding = UiRect::all(Val::Px(theme::GAP));
    let root = commands
        .spawn((
            Name::new(format!("screen {}", screen.name)),
            ScreenRoot {
                index,
                name: screen.name.clone(),
            },
            node,
            // No fill of its own: the camera clears to the same colour (`ClearColor`, themed),
            // and a full-screen fill is one more pass over every pixel of every frame.
        ))
        .id();
    let fill =
        |commands: &mut Commands, parent: Entity, grid: &Grid, tiles: &[(String, TileSpec)]| {
            for (area_name, spec) in tiles {
                let Some(area) = grid.area(area_name) else {
                    continue;
                };
                let tile = spawn_tile(commands, fonts, settings, spec);
                commands.entity(tile).insert(TileSlot {
                    screen: screen.name.clone(),
                    area: area_name.clone(),
                    kind: spec.kind(),
                });
                place(commands, tile, area);
                commands.entity(parent).add_child(tile);
            }
        };
    fill(commands, root, &screen.grid, &screen.tiles);
    if let Some(area) = screen
        .grid
        .area(PAGES_AREA)
        .filter(|_| !screen.pages.is_empty())
    {
        let deck = pages::spawn_deck(commands, screen, |commands, page_grid, page_tiles| {
            let page = commands.spawn(grid_node(page_grid)).id();
            fill(commands, page, page_grid, page_tiles);
            page
        });
        place(commands, deck, area);
        commands.entity(root).add_child(deck);
    }
    root
}

/// One tile of any kind, with its options.
pub fn spawn_tile(
    commands: &mut Commands,
    fonts: &WallFonts,
    settings: &WallSettings,
    spec: &TileSpec,
) -> Entity {
    spec.spawn(commands, fonts, settings)
}

/// The strip that says a layout file could not be read, hidden while there is no problem.
fn problem_strip(fonts: &WallFonts, settings: &WallSettings) -> impl Bundle {
    (
        Name::new("layout problem"),
        ProblemStrip,
        Node {
            position_type: PositionType::Absolute,
            left: Val::Px(theme::GAP),
            right: Val::Px(theme::GAP),
            bottom: Val::Px(2.0),
            padding: UiRect::axes(Val::Px(12.0), Val::Px(4.0)),
            border_radius: BorderRadius::all(Val::Px(6.0)),
            display: Display::None,
            ..default()
        },
        BackgroundColor(theme::PROBLEM_FILL),
        GlobalZIndex(10),
        children![(
            ProblemText,
            super::widgets::label(
                settings.locale.labels().layout_error,
                &fonts.regular,
                theme::SIZE_SMALL,
                theme::ALERT,
            ),
        )],
    )
}

fn show_problem(
    problem: Res<LayoutProblem>,
    settings: Res<WallSettings>,
    mut strips: Query<&mut Node, With<ProblemStrip>>,
    mut texts: Query<&mut Text, With<ProblemText>>,
) {
    let display = if problem.0.is_some() {
        Display::Flex
    } else {
        Display::None
    };
    for mut node in &mut strips {
        if node.display != display {
            node.display = display;
        }
    }
    if let Some(message) = &problem.0 {
        let line = format!("{} · {message}", settings.locale.labels().layout_error);
        for mut text in &mut texts {
            tiles::set_text(&mut text, &line);
        }
    }
}
