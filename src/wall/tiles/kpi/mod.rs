//! Key figures as big numbers in a box: mentions in the last hour, net sentiment, active alerts
//! and share of voice, each for one brand. The header shows three of them for the own brand; a
//! `kpi` tile shows one, as large as its area.

mod options;
pub use options::KpiOptions;

use bevy::prelude::*;

use super::on_new_data;
use super::{group_thousands, set_text};
use crate::i18n::Locale;
use crate::layout::Metric;
use crate::model::Figures;
use crate::wall::theme::{self, WallFonts};
use crate::wall::widgets::label;
use crate::wall::{WallData, WallSettings};

/// A KPI's value text.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct KpiValue {
    pub metric: Metric,
    pub brand: usize,
}

/// The box around a KPI: turns amber when alerts are active.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct KpiBox {
    pub metric: Metric,
}

pub fn plugin(app: &mut App) {
    app.add_systems(Update, on_new_data(update_kpis));
}

pub fn caption(metric: Metric, settings: &WallSettings) -> &'static str {
    let labels = settings.locale.labels();
    match metric {
        Metric::MentionsLastHour => labels.mentions_last_hour,
        Metric::NetSentiment => labels.net_sentiment,
        Metric::ActiveAlerts => labels.active_alerts,
        Metric::ShareOfVoice => labels.share_of_voice_title,
        Metric::EngagementRate => labels.engagement_rate,
        Metric::Engagement => labels.engagement,
        Metric::ResponseTime => labels.response_time,
    }
}

/// A KPI box: the value over its caption. `node` sizes it for where it sits.
pub fn kpi_box(
    fonts: &WallFonts,
    settings: &WallSettings,
    value: KpiValue,
    node: Node,
    value_size: f32,
) -> impl Bundle {
    let mut caption_text = caption(value.metric, settings).to_string();
    if let Some(brand) = settings.brands.get(value.brand).filter(|b| !b.own) {
        caption_text = format!("{caption_text} · {}", brand.name);
    }
    (
        Name::new("kpi"),
        KpiBox {
            metric: value.metric,
        },
        Node {
            display: Display::Flex,
            flex_direction: FlexDirection::Column,
            justify_content: JustifyContent::Center,
            padding: UiRect::axes(Val::Px(20.0), Val::Px(6.0)),
            border: UiRect::all(Val::Px(3.0)),
            border_radius: BorderRadius::all(Val::Px(theme::RADIUS)),
            ..node
        },
        BackgroundColor(theme::TILE),
        BorderColor::all(theme::TILE),
        children![
            (value, label("—", &fonts.bold, value_size, theme::TEXT)),
            (
                label(
                    caption_text,
                    &fonts.regular,
                    theme::SIZE_LABEL,
                    theme::MUTED,
                ),
                TextLayout::new(Justify::Left, LineBreak::NoWrap),
            ),
        ],
    )
}

/// A `kpi` tile: one KPI filling its area.
pub fn widget(
    fonts: &WallFonts,
    settings: &WallSettings,
    metric: Metric,
    brand: usize,
) -> impl Bundle {
    kpi_box(
        fonts,
        settings,
        KpiValue { metric, brand },
        Node {
            width: Val::Percent(100.0),
            height: Val::Percent(100.0),
            min_width: Val::Px(0.0),
            min_height: Val::Px(0.0),
            overflow: Overflow::clip(),
            ..default()
        },
        theme::SIZE_HUGE,
    )
}

/// The value as shown, and its colour.
pub fn kpi_text(figures: &Figures, value: KpiValue, locale: Locale) -> (String, Color) {
    let hour = figures
        .last_hour
        .get(value.brand)
        .copied()
        .unwrap_or_default();
    match value.metric {
        Metric::MentionsLastHour => (group_thousands(u64::from(hour.total())), theme::TEXT),
        Metric::NetSentiment => match hour.net_percent() {
            Some(net) => (format!("{net:+.0}"), theme::net_color(net)),
            None => ("—".to_string(), theme::MUTED),
        },
        Metric::ActiveAlerts => (
            figures.active_alerts.to_string(),
            if figures.active_alerts > 0 {
                theme::ALERT
            } else {
                theme::TEXT
            },
        ),
        Metric::Engagement => {
            let engagement = figures
                .engagement_last_hour
                .get(value.brand)
                .copied()
                .unwrap_or_default();
            (group_thousands(engagement), theme::TEXT)
        }
        Metric::ResponseTime => {
            let median = figures
                .response_times
                .get(value.brand)
                .and_then(|r| r.median_seconds);
            match median {
                Some(seconds) => (format_wait(seconds), theme::TEXT),
                None => ("—".to_string(), theme::MUTED),
            }
        }
        Metric::EngagementRate => {
            let engagement = figures.engagement_last_hour.get(value.brand).copied();
            let reach = figures.reach_last_hour.get(value.brand).copied();
            match engagement_rate(engagement.unwrap_or(0), reach.unwrap_or(0)) {
                Some(rate) => (format_rate(rate, locale), theme::TEXT),
                None => ("—".to_string(), theme::MUTED),
            }
        }
        Metric::ShareOfVoice => {
            let counts = figures.share_of_voice();
            let total: u32 = counts.iter().sum();
            match counts.get(value.brand) {
                Some(&mine) if total > 0 => (
                    format!("{:.0} %", f64::from(mine) * 100.0 / f64::from(total)),
                    theme::TEXT,
                ),
                _ => ("—".to_string(), theme::MUTED),
            }
        }
    }
}

/// Likes, shares and replies per 100 people the mentions may have reached (their authors'
/// followers); `None` before anyone with followers has posted.
pub fn engagement_rate(engagement: u64, reach: u64) -> Option<f64> {
    (reach > 0).then(|| engagement as f64 * 100.0 / reach as f64)
}

/// A rate needs a decimal below 10 % to say anything ("2,4 %" in French, "2.4 %" in
/// English); above, whole points read better.
pub fn format_rate(rate: f64, locale: Locale) -> String {
    if rate >= 10.0 {
        return format!("{rate:.0} %");
    }
    let text = format!("{rate:.1} %");
    match locale {
        Locale::Fr => text.replace('.', ","),
        Locale::En => text,
    }
}

/// "45 s", "18 min", "2 h 05": a wait as the room reads it.
pub fn format_wait(seconds: i64) -> String {
    match seconds.max(0) {
        s if s < 60 => format!("{s} s"),
        s if s < 3600 => format!("{} min", (s + 30) / 60),
        s => {
            let minutes = (s + 30) / 60;
            format!("{} h {:02}", minutes / 60, minutes % 60)
        }
    }
}

fn update_kpis(
    data: Res<WallData>,
    settings: Res<WallSettings>,
    mut values: Query<(&KpiValue, &mut Text, &mut TextColor)>,
    mut boxes: Query<(&KpiBox, &mut BorderColor, &mut BackgroundColor)>,
) {
    let Some(figures) = &data.figures else { return };
    for (value, mut text, mut color) in &mut values {
        let (shown, tint) = kpi_text(figures, *value, settings.locale);
        set_text(&mut text, &shown);
        if color.0 != tint {
            color.0 = tint;
        }
    }
    for (kpi_box, mut border, mut background) in &mut boxes {
        let alerting = kpi_box.metric == Metric::ActiveAlerts && figures.active_alerts > 0;
        let (edge, fill) = if alerting {
            (theme::ALERT, theme::ALERT_FILL)
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
}

impl super::TileWidget for KpiOptions {
    fn widget(&self, fonts: &WallFonts, settings: &WallSettings) -> impl Bundle {
        widget(
            fonts,
            settings,
            self.metric,
            self.brand.index(super::own_brand(settings)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engagement_rate_is_engagement_per_hundred_people_reached() {
        assert_eq!(engagement_rate(30, 1_000), Some(3.0));
        assert_eq!(engagement_rate(30, 0), None);
        assert_eq!(format_rate(2.44, Locale::En), "2.4 %");
        assert_eq!(format_rate(2.44, Locale::Fr), "2,4 %");
        assert_eq!(format_rate(31.6, Locale::Fr), "32 %");
        let figures = Figures {
            engagement_last_hour: vec![120, 5],
            reach_last_hour: vec![4_000, 0],
            ..Figures::default()
        };
        let shown = |metric, brand| kpi_text(&figures, KpiValue { metric, brand }, Locale::En).0;
        assert_eq!(shown(Metric::EngagementRate, 0), "3.0 %");
        assert_eq!(shown(Metric::EngagementRate, 1), "—");
        assert_eq!(shown(Metric::Engagement, 0), "120");
    }

    #[test]
    fn waits_read_in_seconds_minutes_or_hours() {
        assert_eq!(format_wait(42), "42 s");
        assert_eq!(format_wait(18 * 60 + 10), "18 min");
        assert_eq!(format_wait(2 * 3600 + 5 * 60), "2 h 05");
        let figures = Figures {
            response_times: vec![crate::model::ResponseTimes {
                answered: 3,
                median_seconds: Some(1500),
            }],
            ..Figures::default()
        };
        let value = KpiValue {
            metric: Metric::ResponseTime,
            brand: 0,
        };
        assert_eq!(kpi_text(&figures, value, Locale::Fr).0, "25 min");
        let other = KpiValue { brand: 1, ..value };
        assert_eq!(kpi_text(&figures, other, Locale::Fr).0, "—");
    }
}
