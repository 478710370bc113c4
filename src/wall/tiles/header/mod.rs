//! The header: the room's title, three KPIs of the own brand (mentions in the last hour, net
//! sentiment, active alerts) and the clock of the data.

mod options;
pub use options::HeaderOptions;

use bevy::prelude::*;
use chrono::Local;

use super::kpi::{self, KpiValue};
use super::on_new_data;
use super::set_text;
use crate::layout::Metric;
use crate::wall::theme::{self, WallFonts};
use crate::wall::widgets::{block, label};
use crate::wall::{WallData, WallSettings};

#[derive(Component)]
pub struct ClockText;

#[derive(Component)]
pub struct DateText;

pub fn plugin(app: &mut App) {
    app.add_systems(Update, on_new_data(update_header));
}

pub fn widget(fonts: &WallFonts, settings: &WallSettings, title: Option<&str>) -> impl Bundle {
    let own = super::own_brand(settings);
    let kpis: Vec<_> = [
        Metric::MentionsLastHour,
        Metric::NetSentiment,
        Metric::ActiveAlerts,
    ]
    .into_iter()
    .map(|metric| {
        kpi::kpi_box(
            fonts,
            settings,
            KpiValue { metric, brand: own },
            Node {
                flex_basis: Val::Px(270.0),
                flex_shrink: 1.0,
                min_width: Val::Px(0.0),
                height: Val::Percent(100.0),
                overflow: Overflow::clip(),
                ..default()
            },
            theme::SIZE_HUGE,
        )
    })
    .collect();
    let clock = block(
        Node {
            display: Display::Flex,
            flex_direction: FlexDirection::Column,
            align_items: AlignItems::FlexEnd,
            justify_content: JustifyContent::Center,
            width: Val::Px(230.0),
            height: Val::Percent(100.0),
            padding: UiRect::right(Val::Px(8.0)),
            ..default()
        },
        Color::NONE,
    );
    (
        Name::new("header"),
        Node {
            display: Display::Flex,
            flex_direction: FlexDirection::Row,
            align_items: AlignItems::Center,
            column_gap: Val::Px(theme::GAP),
            ..default()
        },
        Children::spawn((
            // A long title is cut at the edge rather than wrapped over three lines when the
            // screen is narrow or read from far (large type).
            Spawn((
                Node {
                    flex_grow: 1.0,
                    flex_basis: Val::Px(0.0),
                    // The KPIs give way before the title is cut to a stub.
                    min_width: Val::Percent(24.0),
                    padding: UiRect::left(Val::Px(8.0)),
                    overflow: Overflow::clip(),
                    ..default()
                },
                children![(
                    label(
                        title.unwrap_or(&settings.title).to_string(),
                        &fonts.bold,
                        40.0,
                        theme::TEXT,
                    ),
                    TextLayout::new(Justify::Left, LineBreak::NoWrap),
                )],
            )),
            SpawnIter(kpis.into_iter()),
            Spawn((
                clock,
                children![
                    (ClockText, label("--:--", &fonts.bold, 72.0, theme::TEXT)),
                    (
                        DateText,
                        label("", &fonts.regular, theme::SIZE_LABEL, theme::MUTED),
                    ),
                ],
            )),
        )),
    )
}

fn update_header(
    data: Res<WallData>,
    settings: Res<WallSettings>,
    mut clock: Query<&mut Text, (With<ClockText>, Without<DateText>)>,
    mut date: Query<&mut Text, (With<DateText>, Without<ClockText>)>,
) {
    let Some(figures) = &data.figures else { return };
    let local = figures.now.with_timezone(&Local);
    for mut text in &mut clock {
        set_text(&mut text, &local.format("%H:%M").to_string());
    }
    for mut text in &mut date {
        let day = match settings.locale {
            crate::i18n::Locale::Fr => local.format("%d/%m/%Y").to_string(),
            crate::i18n::Locale::En => local.format("%Y-%m-%d").to_string(),
        };
        set_text(&mut text, &day);
    }
}

impl super::TileWidget for HeaderOptions {
    fn widget(&self, fonts: &WallFonts, settings: &WallSettings) -> impl Bundle {
        widget(fonts, settings, self.title.as_deref())
    }
}
