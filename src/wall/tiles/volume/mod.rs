//! The volume chart: the own brand's mentions over the last hours, one bar per bucket, split by
//! tone (negative at the bottom, where the eye looks first), with a marker on each bar whose
//! minute the spike detector flagged, and the latest spike spelled out in the title row.

mod options;
pub use options::VolumeOptions;

use bevy::prelude::*;
use chrono::{Local, TimeDelta};

use std::collections::HashMap;

use super::on_new_data;
use super::{set_text, view_of};
use crate::alerts::Trigger;
use crate::analysis::MAX_CHART_BARS;
use crate::i18n::Locale;
use crate::model::{Figures, Spike, Tone, ToneCounts, VolumeChart};
use crate::privacy::{LobbyFilter, brand_handles};
use crate::wall::layout::WallLayout;
use crate::wall::theme::{self, WallFonts};
use crate::wall::tiles::stream::{Lobby, lobby_of};
use crate::wall::widgets::{block, label, tile_panel, tile_title};
use crate::wall::{WallData, WallSettings};

const BARS: usize = MAX_CHART_BARS as usize;
const AXIS_LABELS: usize = 7;
/// Bars use this share of the chart's height so spike markers fit above the tallest.
const HEADROOM: f32 = 0.88;

#[derive(Component)]
pub struct VolumeBar(pub usize);

#[derive(Component)]
pub struct BarSegment {
    pub bar: usize,
    pub tone: Tone,
}

#[derive(Component)]
pub struct SpikeMarker(pub usize);

#[derive(Component)]
pub struct AxisLabel(pub usize);

#[derive(Component)]
pub struct ScaleLabel;

/// The latest spike's headline, and (with `SpikeReason`) the line that says why.
#[derive(Component)]
pub struct SpikeNote;

/// The spike note that names its words, platform and most shared post.
#[derive(Component)]
pub struct SpikeReason;

pub fn plugin(app: &mut App) {
    app.add_systems(Update, on_new_data(update_volume));
}

/// The tile's own choices: which brand, over which window.
#[derive(Component, Debug, Clone, Copy)]
pub struct VolumeTile {
    pub window_minutes: u32,
    pub brand: usize,
}

pub fn widget(
    fonts: &WallFonts,
    settings: &WallSettings,
    window_minutes: u32,
    brand: usize,
) -> impl Bundle {
    let labels = settings.locale.labels();
    let brand_name = settings.brands.get(brand).map_or("", |b| b.name.as_str());
    let title = tile_title(
        format!(
            "{} · {} · {}",
            labels.volume_title,
            brand_name,
            labels.window(window_minutes)
        ),
        fonts,
    );
    let caption = |text: &str| {
        label(
            text.to_string(),
            &fonts.regular,
            theme::SIZE_LABEL,
            theme::MUTED,
        )
    };
    let bars: Vec<_> = (0..BARS).map(bar_column).collect();
    let ticks: Vec<_> = (0..AXIS_LABELS)
        .map(|index| {
            (
                AxisLabel(index),
                Node {
                    position_type: PositionType::Absolute,
                    left: Val::Percent(0.0),
                    ..default()
                },
                label("", &fonts.regular, theme::SIZE_LABEL, theme::MUTED),
                Visibility::Hidden,
            )
        })
        .collect();
    (
        tile_panel("volume"),
        VolumeTile {
            window_minutes,
            brand,
        },
        children![
            (
                Node {
                    display: Display::Flex,
                    flex_direction: FlexDirection::Row,
                    justify_content: JustifyContent::SpaceBetween,
                    align_items: AlignItems::Center,
                    ..default()
                },
                children![
                    title,
                    (
                        Node {
                            display: Display::Flex,
                            flex_direction: FlexDirection::Row,
                            align_items: AlignItems::Center,
                            column_gap: Val::Px(8.0),
                            ..default()
                        },
                        children![
                            swatch(Tone::Negative),
                            caption(labels.negative),
                            swatch(Tone::Neutral),
                            caption(labels.neutral),
                            swatch(Tone::Positive),
                            caption(labels.positive),
                        ],
                    ),
                ],
            ),
            (
                SpikeNote,
                label("", &fonts.bold, theme::SIZE_BODY, theme::ALERT),
                Visibility::Hidden,
            ),
            (
                SpikeNote,
                SpikeReason,
                label("", &fonts.regular, theme::SIZE_LABEL, theme::TEXT),
                Visibility::Hidden,
            ),
            (
                Name::new("chart"),
                Node {
                    display: Display::Flex,
                    flex_direction: FlexDirection::Row,
                    align_items: AlignItems::FlexEnd,
                    flex_grow: 1.0,
                    min_height: Val::Px(0.0),
                    column_gap: Val::Px(2.0),
                    border: UiRect::bottom(Val::Px(2.0)),
                    ..default()
                },
                BorderColor::all(theme::TRACK),
                Children::spawn((
                    Spawn((
                        ScaleLabel,
                        // Top left: the oldest bars are there and usually low, so the label
                        // and the newest (spiking) bars do not collide.
                        Node {
                            position_type: PositionType::Absolute,
                            top: Val::Px(0.0),
                            left: Val::Px(0.0),
                            ..default()
                        },
                        label("", &fonts.regular, theme::SIZE_LABEL, theme::MUTED),
                    )),
                    SpawnIter(bars.into_iter()),
                )),
            ),
            (
                Node {
                    height: Val::Px(30.0),
                    flex_shrink: 0.0,
                    ..default()
                },
                Children::spawn(SpawnIter(ticks.into_iter())),
            ),
        ],
    )
}

/// A tone's colour in the legend, before its name.
fn swatch(tone: Tone) -> impl Bundle {
    block(
        Node {
            width: Val::Px(16.0),
            height: Val::Px(16.0),
            margin: UiRect::left(Val::Px(14.0)),
            border_radius: BorderRadius::all(Val::Px(3.0)),
            ..default()
        },
        theme::tone_color(tone),
    )
}

/// A bar of the chart, hidden until it has a bucket: its tone segments from the bottom, then
/// its spike marker.
fn bar_column(bar: usize) -> impl Bundle {
    let segments = [Tone::Negative, Tone::Neutral, Tone::Positive].map(|tone| {
        (
            BarSegment { bar, tone },
            block(
                Node {
                    width: Val::Percent(100.0),
                    height: Val::Percent(0.0),
                    flex_shrink: 0.0,
                    ..default()
                },
                theme::tone_color(tone),
            ),
        )
    });
    (
        VolumeBar(bar),
        Node {
            display: Display::None,
            flex_direction: FlexDirection::ColumnReverse,
            align_items: AlignItems::Center,
            flex_grow: 1.0,
            flex_basis: Val::Px(0.0),
            // Without this a bar is as wide as its marker and 120 of them overflow.
            min_width: Val::Px(0.0),
            height: Val::Percent(100.0),
            ..default()
        },
        Children::spawn((
            SpawnIter(segments.into_iter()),
            Spawn((
                SpikeMarker(bar),
                block(
                    Node {
                        width: Val::Percent(100.0),
                        height: Val::Px(12.0),
                        margin: UiRect::bottom(Val::Px(6.0)),
                        flex_shrink: 0.0,
                        border_radius: BorderRadius::all(Val::Px(4.0)),
                        ..default()
                    },
                    theme::ALERT,
                ),
                Visibility::Hidden,
            )),
        )),
    )
}

/// Height of each tone's segment, in percent of the chart, for one bar.
pub fn segment_heights(counts: ToneCounts, max: u32) -> [f32; 3] {
    if max == 0 {
        return [0.0; 3];
    }
    let scale = 100.0 * HEADROOM / max as f32;
    [
        counts.negative as f32 * scale,
        counts.neutral as f32 * scale,
        counts.positive as f32 * scale,
    ]
}

/// Bars of `brand` whose bucket holds a flagged minute.
pub fn spiking_bars(figures: &Figures, chart: &VolumeChart, brand: usize) -> Vec<usize> {
    let width = i64::from(chart.bucket_minutes.max(1));
    let mut bars: Vec<usize> = figures
        .spikes
        .iter()
        .filter(|s| s.brand == brand && s.minute >= chart.start)
        .map(|s| ((s.minute - chart.start).num_minutes() / width) as usize)
        .collect();
    bars.dedup();
    bars
}

/// What one volume tile shows, computed once per update and read by its entities.
struct VolumeView<'a> {
    series: &'a [ToneCounts],
    max: u32,
    bucket_minutes: u32,
    spiking: Vec<usize>,
    ticks: Vec<(f32, String)>,
    note: Option<String>,
    /// Why the latest spike happened, when its alert says.
    reason: Option<String>,
}

fn volume_view<'a>(
    figures: &'a Figures,
    tile: &VolumeTile,
    locale: Locale,
    lobby: Option<&LobbyFilter>,
) -> Option<VolumeView<'a>> {
    let labels = locale.labels();
    let chart = figures.chart(tile.window_minutes)?;
    let series = chart.bars.get(tile.brand)?;
    let max = series.iter().map(|c| c.total()).max().unwrap_or(0).max(1);
    // Hour ticks, spaced so that at most AXIS_LABELS fit.
    let bars_total = series.len().max(1) as i64;
    let span_minutes = bars_total * i64::from(chart.bucket_minutes);
    let step_hours = ((span_minutes / 60) / (AXIS_LABELS as i64 - 1)).max(1);
    let start = chart.start;
    let first_hour = start.with_timezone(&Local);
    let mut ticks = Vec::new();
    let mut tick =
        start + TimeDelta::minutes(60 - i64::from(chrono::Timelike::minute(&first_hour)));
    while (tick - start).num_minutes() < span_minutes && ticks.len() < AXIS_LABELS {
        let hour = chrono::Timelike::hour(&tick.with_timezone(&Local)) as i64;
        if hour % step_hours == 0 {
            let left = (tick - start).num_minutes() as f32 * 100.0 / span_minutes as f32;
            ticks.push((left, tick.with_timezone(&Local).format("%H:%M").to_string()));
        }
        tick += TimeDelta::hours(1);
    }
    let latest = figures
        .spikes
        .iter()
        .rev()
        .find(|s| s.brand == tile.brand && figures.now - s.minute <= TimeDelta::hours(1));
    let reason = latest.and_then(|spike| spike_reason(figures, tile.brand, spike, locale, lobby));
    let note = latest.map(|spike| {
        let at = spike.minute.with_timezone(&Local).format("%H:%M");
        let ratio = spike.count as f32 / spike.baseline.max(1.0);
        format!(
            "{} {at} · {} / min · ×{ratio:.0}",
            labels.spike.to_uppercase(),
            spike.count
        )
    });
    Some(VolumeView {
        series,
        max,
        bucket_minutes: chart.bucket_minutes,
        spiking: spiking_bars(figures, chart, tile.brand),
        ticks,
        note,
        reason,
    })
}

/// Why `spike` happened, from the volume-spike alert of its brand that covers it: the alert
/// engine (or the hub's, on a display) names the words, the platforms and the most shared
/// posts of the episode. `None` without such an alert rule. A lobby sees the words and the post
/// with swear words masked and handles hidden, no author, and no post at all when it is toxic.
pub fn spike_reason(
    figures: &Figures,
    brand: usize,
    spike: &Spike,
    locale: Locale,
    lobby: Option<&LobbyFilter>,
) -> Option<String> {
    let name = figures.brands.get(brand)?.name.as_str();
    let (drivers, post) = figures
        .alerts
        .iter()
        .filter(|a| a.brand.as_deref() == Some(name))
        .filter(|a| a.ended_at.is_none_or(|ended| ended >= spike.minute))
        .filter_map(|a| match &a.trigger {
            Trigger::VolumeSpike { drivers, .. } => {
                Some((a.updated_at, drivers, a.evidence.first()))
            }
            _ => None,
        })
        .max_by_key(|(updated, _, _)| *updated)
        .map(|(_, drivers, post)| (drivers, post))?;
    let Some(filter) = lobby else {
        return crate::i18n::spike_reason(locale, drivers, post);
    };
    let keep = brand_handles(figures.brands.iter().map(|b| b.name.as_str()));
    let mut public = drivers.clone();
    for term in &mut public.terms {
        *term = filter.public_text(term, &keep);
    }
    let post = post
        .filter(|p| !filter.keeps_off(&p.text))
        .map(|p| crate::alerts::EvidencePost {
            author: String::new(),
            text: filter.public_text(&p.text, &keep),
            ..p.clone()
        });
    crate::i18n::spike_reason(locale, &public, post.as_ref())
}

fn update_volume(
    data: Res<WallData>,
    settings: Res<WallSettings>,
    layout: Res<WallLayout>,
    lobby_filter: Res<Lobby>,
    tiles: Query<(Entity, &VolumeTile)>,
    parents: Query<&ChildOf>,
    mut bars: Query<(Entity, &VolumeBar, &mut Node), (Without<BarSegment>, Without<AxisLabel>)>,
    mut segments: Query<(Entity, &BarSegment, &mut Node), (Without<VolumeBar>, Without<AxisLabel>)>,
    mut markers: Query<
        (Entity, &SpikeMarker, &mut Visibility),
        (Without<AxisLabel>, Without<SpikeNote>),
    >,
    mut axis: Query<
        (Entity, &AxisLabel, &mut Node, &mut Text, &mut Visibility),
        (
            Without<VolumeBar>,
            Without<BarSegment>,
            Without<SpikeMarker>,
            Without<SpikeNote>,
        ),
    >,
    mut scale: Query<
        (Entity, &mut Text),
        (With<ScaleLabel>, Without<AxisLabel>, Without<SpikeNote>),
    >,
    mut note: Query<
        (Entity, &mut Text, &mut Visibility, Has<SpikeReason>),
        (
            With<SpikeNote>,
            Without<AxisLabel>,
            Without<ScaleLabel>,
            Without<SpikeMarker>,
        ),
    >,
) {
    let Some(figures) = &data.figures else { return };
    let lobby = lobby_of(&layout, &settings, &lobby_filter);
    let views: HashMap<Entity, VolumeView> = tiles
        .iter()
        .filter_map(|(entity, tile)| {
            Some((entity, volume_view(figures, tile, settings.locale, lobby)?))
        })
        .collect();
    for (part, bar, mut node) in &mut bars {
        let Some(view) = view_of(&parents, &views, part) else {
            continue;
        };
        let display = if bar.0 < view.series.len() {
            Display::Flex
        } else {
            Display::None
        };
        if node.display != display {
            node.display = display;
        }
    }
    for (part, segment, mut node) in &mut segments {
        let Some(view) = view_of(&parents, &views, part) else {
            continue;
        };
        let counts = view.series.get(segment.bar).copied().unwrap_or_default();
        let heights = segment_heights(counts, view.max);
        let height = match segment.tone {
            Tone::Negative => heights[0],
            Tone::Neutral => heights[1],
            Tone::Positive => heights[2],
        };
        if node.height != Val::Percent(height) {
            node.height = Val::Percent(height);
        }
    }
    for (part, marker, mut visibility) in &mut markers {
        let Some(view) = view_of(&parents, &views, part) else {
            continue;
        };
        let wanted = if view.spiking.contains(&marker.0) {
            Visibility::Inherited
        } else {
            Visibility::Hidden
        };
        visibility.set_if_neq(wanted);
    }
    for (part, mut text) in &mut scale {
        let Some(view) = view_of(&parents, &views, part) else {
            continue;
        };
        set_text(
            &mut text,
            &format!("max {} / {} min", view.max, view.bucket_minutes),
        );
    }
    for (part, label_ref, mut node, mut text, mut visibility) in &mut axis {
        let Some(view) = view_of(&parents, &views, part) else {
            continue;
        };
        match view.ticks.get(label_ref.0) {
            Some((left, caption)) => {
                // Centre the label on its tick (about 32 px half-width at this size).
                let wanted = Val::Percent(*left);
                if node.left != wanted {
                    node.left = wanted;
                    node.margin = UiRect::left(Val::Px(-30.0));
                }
                set_text(&mut text, caption);
                visibility.set_if_neq(Visibility::Inherited);
            }
            None => {
                visibility.set_if_neq(Visibility::Hidden);
            }
        }
    }
    for (part, mut text, mut visibility, is_reason) in &mut note {
        let Some(view) = view_of(&parents, &views, part) else {
            continue;
        };
        let caption = if is_reason { &view.reason } else { &view.note };
        match caption {
            Some(caption) => {
                set_text(&mut text, caption);
                visibility.set_if_neq(Visibility::Inherited);
            }
            None => {
                visibility.set_if_neq(Visibility::Hidden);
            }
        }
    }
}

impl super::TileWidget for VolumeOptions {
    fn widget(&self, fonts: &WallFonts, settings: &WallSettings) -> impl Bundle {
        widget(
            fonts,
            settings,
            self.window_minutes,
            self.brand.index(super::own_brand(settings)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::drivers::SpikeDrivers;
    use crate::alerts::{Alert, EvidencePost, Severity};
    use crate::model::{BrandInfo, Platform};

    fn with_alert(post_text: &str) -> (Figures, Spike) {
        let minute: chrono::DateTime<chrono::Utc> = "2026-11-20T10:01:00Z".parse().expect("time");
        let spike = Spike {
            brand: 0,
            minute,
            count: 45,
            baseline: 3.0,
            score: 14.0,
            detected_at: minute,
        };
        let alert = Alert {
            id: 1,
            rule: "spike".into(),
            severity: Severity::Warning,
            brand: Some("Petit Loup".into()),
            trigger: Trigger::VolumeSpike {
                count: 45,
                expected: 3.0,
                drivers: SpikeDrivers {
                    terms: vec!["affiches".into(), "merde".into()],
                    authors: vec!["lea_12".into()],
                    platforms: vec![(Platform::Instagram, 62)],
                    posts: 40,
                },
            },
            summary: String::new(),
            evidence: vec![EvidencePost {
                id: "p1".into(),
                author: "lea_12".into(),
                text: post_text.into(),
                url: None,
                platform: Platform::Instagram,
                engagement: 900,
                tone: crate::model::Tone::Negative,
            }],
            started_at: minute,
            updated_at: minute,
            ended_at: None,
        };
        let figures = Figures {
            brands: vec![BrandInfo {
                name: "Petit Loup".into(),
                own: true,
                color: "#ffffff".into(),
            }],
            spikes: vec![spike.clone()],
            alerts: vec![alert],
            ..Default::default()
        };
        (figures, spike)
    }

    #[test]
    fn a_spike_reason_names_words_platform_and_most_shared_post() {
        let (figures, spike) = with_alert("Ces affiches @marc_b, quelle honte");
        let reason = spike_reason(&figures, 0, &spike, Locale::Fr, None).expect("a reason");
        assert_eq!(
            reason,
            "« affiches », « merde » · Instagram 62 % · le plus partagé : lea_12 « Ces affiches \
             @marc_b, quelle honte »"
        );
        let reason = spike_reason(&figures, 0, &spike, Locale::En, None).expect("a reason");
        assert!(reason.contains("most shared: lea_12"), "{reason}");
        // No volume-spike alert for another brand: nothing to say.
        assert_eq!(spike_reason(&figures, 1, &spike, Locale::Fr, None), None);
    }

    #[test]
    fn a_lobby_sees_no_author_no_handle_no_swear_word_and_no_toxic_post() {
        let lobby = LobbyFilter::shipped();
        let (figures, spike) = with_alert("Ces affiches @marc_b, quelle honte");
        let reason = spike_reason(&figures, 0, &spike, Locale::Fr, Some(&lobby)).expect("reason");
        assert!(!reason.contains("lea_12"), "{reason}");
        assert!(!reason.contains("marc_b"), "{reason}");
        assert!(!reason.contains("merde"), "{reason}");
        assert!(
            reason.contains("le plus partagé : « Ces affiches"),
            "{reason}"
        );
        let (figures, spike) = with_alert("je vais te tuer avec ces affiches");
        let reason = spike_reason(&figures, 0, &spike, Locale::Fr, Some(&lobby)).expect("reason");
        assert!(!reason.contains("le plus partagé"), "{reason}");
        assert!(!reason.contains("tuer"), "{reason}");
    }
}
