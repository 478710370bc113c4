//! The message tile: a sentence, a line under it and the time, centred in large type. The time
//! keeps the screen visibly alive when nothing else on it moves.

mod options;
pub use options::MessageOptions;

use bevy::prelude::*;
use chrono::Local;

use super::{on_new_data, set_text};
use crate::wall::theme::{self, WallFonts};
use crate::wall::widgets::label;
use crate::wall::{WallData, WallSettings};

#[derive(Component)]
pub struct MessageClock;

pub fn plugin(app: &mut App) {
    app.add_systems(Update, on_new_data(update_clock));
}

fn update_clock(data: Res<WallData>, mut clocks: Query<&mut Text, With<MessageClock>>) {
    let Some(figures) = &data.figures else { return };
    let time = figures
        .now
        .with_timezone(&Local)
        .format("%H:%M")
        .to_string();
    for mut text in &mut clocks {
        set_text(&mut text, &time);
    }
}

impl super::TileWidget for MessageOptions {
    fn widget(&self, fonts: &WallFonts, settings: &WallSettings) -> impl Bundle {
        let text = self.text.clone().unwrap_or_else(|| settings.title.clone());
        let subtitle = self
            .subtitle
            .clone()
            .unwrap_or_else(|| settings.locale.labels().welcome.to_string());
        (
            Name::new("message"),
            Node {
                display: Display::Flex,
                flex_direction: FlexDirection::Column,
                align_items: AlignItems::Center,
                justify_content: JustifyContent::Center,
                row_gap: Val::Px(28.0),
                padding: UiRect::all(Val::Px(48.0)),
                overflow: Overflow::clip(),
                min_width: Val::Px(0.0),
                min_height: Val::Px(0.0),
                border_radius: BorderRadius::all(Val::Px(theme::RADIUS)),
                ..default()
            },
            BackgroundColor(theme::TILE),
            children![
                (
                    label(text, &fonts.bold, 96.0, theme::TEXT),
                    TextLayout::justify(Justify::Center),
                ),
                (
                    label(subtitle, &fonts.regular, 48.0, theme::MUTED),
                    TextLayout::justify(Justify::Center),
                ),
                (MessageClock, label("--:--", &fonts.bold, 72.0, theme::TEXT),),
            ],
        )
    }
}
