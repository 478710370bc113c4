//! The header: the room's title, three KPIs of the own brand (mentions in the last hour, net
//! sentiment, active alerts) and the clock of the data.

use bevy::prelude::*;
use chrono::Local;

use super::{group_thousands, set_text};
use crate::wall::theme::{self, WallFonts};
use crate::wall::widgets::{block, label};
use crate::wall::{WallData, WallSettings, WallSystems};

#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kpi {
    MentionsLastHour,
    NetSentiment,
    ActiveAlerts,
}

#[derive(Component)]
pub struct KpiValue(pub Kpi);

/// The box around a KPI: turns amber when alerts are active.
#[derive(Component)]
pub struct KpiBox(pub Kpi);

#[derive(Component)]
pub struct ClockText;

#[derive(Component)]
pub struct DateText;

pub(crate) fn plugin(app: &mut App) {
    app.add_systems(
        Update,
        update_header
            .in_set(WallSystems::UpdateTiles)
            .run_if(resource_changed::<WallData>),
    );
}

pub fn spawn(commands: &mut Commands, fonts: &WallFonts, settings: &WallSettings) -> Entity {
    let labels = settings.locale.labels();
    let header = commands
        .spawn((
            Name::new("header"),
            Node {
                display: Display::Flex,
                flex_direction: FlexDirection::Row,
                align_items: AlignItems::Center,
                column_gap: Val::Px(theme::GAP),
                ..default()
            },
        ))
        .id();
    let title = commands
        .spawn((
            Node {
                flex_grow: 1.0,
                flex_basis: Val::Px(0.0),
                padding: UiRect::left(Val::Px(8.0)),
                ..default()
            },
            label(&settings.title, &fonts.bold, 40.0, theme::TEXT),
        ))
        .id();
    commands.entity(header).add_child(title);
    for (kpi, caption) in [
        (Kpi::MentionsLastHour, labels.mentions_last_hour),
        (Kpi::NetSentiment, labels.net_sentiment),
        (Kpi::ActiveAlerts, labels.active_alerts),
    ] {
        let kpi_box = commands
            .spawn((
                Name::new("kpi"),
                KpiBox(kpi),
                Node {
                    display: Display::Flex,
                    flex_direction: FlexDirection::Column,
                    justify_content: JustifyContent::Center,
                    width: Val::Px(270.0),
                    height: Val::Percent(100.0),
                    padding: UiRect::axes(Val::Px(20.0), Val::Px(6.0)),
                    border: UiRect::all(Val::Px(3.0)),
                    border_radius: BorderRadius::all(Val::Px(theme::RADIUS)),
                    ..default()
                },
                BackgroundColor(theme::TILE),
                BorderColor::all(theme::TILE),
            ))
            .id();
        let value = commands
            .spawn((
                KpiValue(kpi),
                label("—", &fonts.bold, theme::SIZE_HUGE, theme::TEXT),
            ))
            .id();
        let caption = commands
            .spawn(label(
                caption,
                &fonts.regular,
                theme::SIZE_LABEL,
                theme::MUTED,
            ))
            .id();
        commands.entity(kpi_box).add_children(&[value, caption]);
        commands.entity(header).add_child(kpi_box);
    }
    let clock_box = commands
        .spawn(block(
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
        ))
        .id();
    let clock = commands
        .spawn((ClockText, label("--:--", &fonts.bold, 72.0, theme::TEXT)))
        .id();
    let date = commands
        .spawn((
            DateText,
            label("", &fonts.regular, theme::SIZE_LABEL, theme::MUTED),
        ))
        .id();
    commands.entity(clock_box).add_children(&[clock, date]);
    commands.entity(header).add_child(clock_box);
    header
}

fn update_header(
    data: Res<WallData>,
    settings: Res<WallSettings>,
    mut values: Query<
        (&KpiValue, &mut Text, &mut TextColor),
        (Without<ClockText>, Without<DateText>),
    >,
    mut boxes: Query<(&KpiBox, &mut BorderColor, &mut BackgroundColor)>,
    mut clock: Query<&mut Text, (With<ClockText>, Without<KpiValue>, Without<DateText>)>,
    mut date: Query<&mut Text, (With<DateText>, Without<KpiValue>, Without<ClockText>)>,
) {
    let Some(figures) = &data.figures else { return };
    let own = figures.brands.iter().position(|b| b.own).unwrap_or(0);
    let hour = figures.last_hour.get(own).copied().unwrap_or_default();
    for (kpi, mut text, mut color) in &mut values {
        let (value, tint) = match kpi.0 {
            Kpi::MentionsLastHour => (group_thousands(u64::from(hour.total())), theme::TEXT),
            Kpi::NetSentiment => match hour.net_percent() {
                Some(net) => (format!("{net:+.0}"), theme::net_color(net)),
                None => ("—".to_string(), theme::MUTED),
            },
            Kpi::ActiveAlerts => (
                figures.active_alerts.to_string(),
                if figures.active_alerts > 0 {
                    theme::ALERT
                } else {
                    theme::TEXT
                },
            ),
        };
        set_text(&mut text, &value);
        if color.0 != tint {
            color.0 = tint;
        }
    }
    for (kpi_box, mut border, mut background) in &mut boxes {
        let alerting = kpi_box.0 == Kpi::ActiveAlerts && figures.active_alerts > 0;
        let (edge, fill) = if alerting {
            (theme::ALERT, Color::srgb(0.22, 0.15, 0.02))
        } else {
            (theme::TILE, theme::TILE)
        };
        if *border != BorderColor::all(edge) {
            *border = BorderColor::all(edge);
        }
        if background.0 != fill {
            background.0 = fill;
        }
    }
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
