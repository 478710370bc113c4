//! The mention stream: the newest mentions as cards, newest on top. Each card shows the
//! platform, the author, how long ago, the text, and its tone as a coloured stripe. The cards
//! are a fixed set of entities whose content changes.

use bevy::prelude::*;

use super::{set_span, set_text};
use crate::model::EnrichedMention;
use crate::wall::theme::{self, WallFonts};
use crate::wall::widgets::{block, label, span, tile_panel, tile_title};
use crate::wall::{WallData, WallSettings, WallSystems};

/// Cards on screen: as many as fit, two lines of text each, at 1080p.
pub const CARDS: usize = 6;
/// Longest text shown on a card: about three lines at the card's size.
const MAX_CHARS: usize = 150;

#[derive(Component)]
pub struct StreamCard(pub usize);

#[derive(Component)]
pub struct CardStripe(pub usize);

/// The first line: platform (a span) then author and age (spans).
#[derive(Component)]
pub struct CardMeta(pub usize);

#[derive(Component)]
pub struct CardBody(pub usize);

#[derive(Component)]
pub struct StreamPlaceholder;

pub(crate) fn plugin(app: &mut App) {
    app.add_systems(
        Update,
        update_stream
            .in_set(WallSystems::UpdateTiles)
            .run_if(resource_changed::<WallData>),
    );
}

pub fn spawn(commands: &mut Commands, fonts: &WallFonts, settings: &WallSettings) -> Entity {
    let labels = settings.locale.labels();
    let tile = commands.spawn(tile_panel("stream")).id();
    let title = commands.spawn(tile_title(labels.stream_title, fonts)).id();
    let placeholder = commands
        .spawn((
            StreamPlaceholder,
            label(
                labels.waiting_for_data,
                &fonts.regular,
                theme::SIZE_BODY,
                theme::MUTED,
            ),
        ))
        .id();
    commands.entity(tile).add_children(&[title, placeholder]);
    for index in 0..CARDS {
        let card = commands
            .spawn((
                Name::new(format!("card {index}")),
                StreamCard(index),
                Node {
                    display: Display::Flex,
                    flex_direction: FlexDirection::Row,
                    flex_grow: 1.0,
                    flex_basis: Val::Px(0.0),
                    min_height: Val::Px(0.0),
                    column_gap: Val::Px(14.0),
                    border_radius: BorderRadius::all(Val::Px(8.0)),
                    overflow: Overflow::clip(),
                    ..default()
                },
                BackgroundColor(theme::TILE_RAISED),
                Visibility::Hidden,
            ))
            .id();
        let stripe = commands
            .spawn((
                CardStripe(index),
                block(
                    Node {
                        width: Val::Px(8.0),
                        height: Val::Percent(100.0),
                        flex_shrink: 0.0,
                        ..default()
                    },
                    theme::NEUTRAL,
                ),
            ))
            .id();
        let content = commands
            .spawn(Node {
                display: Display::Flex,
                flex_direction: FlexDirection::Column,
                flex_grow: 1.0,
                min_width: Val::Px(0.0),
                padding: UiRect::new(Val::Px(0.0), Val::Px(12.0), Val::Px(8.0), Val::Px(6.0)),
                row_gap: Val::Px(4.0),
                overflow: Overflow::clip(),
                ..default()
            })
            .id();
        let meta = commands
            .spawn((
                CardMeta(index),
                label("", &fonts.bold, theme::SIZE_LABEL, theme::TEXT),
                TextLayout::new(Justify::Left, LineBreak::NoWrap),
            ))
            .with_children(|meta| {
                meta.spawn(span("", &fonts.regular, theme::SIZE_LABEL, theme::MUTED));
            })
            .id();
        let body = commands
            .spawn((
                CardBody(index),
                label("", &fonts.regular, theme::SIZE_BODY, theme::TEXT),
                TextLayout::new(Justify::Left, LineBreak::WordBoundary),
            ))
            .id();
        commands.entity(content).add_children(&[meta, body]);
        commands.entity(card).add_children(&[stripe, content]);
        commands.entity(tile).add_child(card);
    }
    tile
}

/// The card's first line: "X" in bold, then " Léa Martin @lea_12 · il y a 3 min".
pub fn card_meta(
    mention: &EnrichedMention,
    now: chrono::DateTime<chrono::Utc>,
    settings: &WallSettings,
) -> (String, String) {
    let labels = settings.locale.labels();
    let m = &mention.mention;
    let age = labels.age((now - m.created_at).num_seconds().max(0));
    let name = if m.author.display_name.is_empty() {
        String::new()
    } else {
        format!("{} ", m.author.display_name)
    };
    (
        m.platform.label().to_string(),
        format!("  {name}@{} · {age}", m.author.handle),
    )
}

/// The card's text, cut at a word boundary with an ellipsis when it is too long.
pub fn card_body(text: &str) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= MAX_CHARS {
        return flat;
    }
    let cut: String = flat.chars().take(MAX_CHARS).collect();
    let end = cut.rfind(' ').unwrap_or(cut.len());
    format!("{}…", cut[..end].trim_end())
}

fn update_stream(
    data: Res<WallData>,
    settings: Res<WallSettings>,
    mut cards: Query<(&StreamCard, &mut Visibility), Without<StreamPlaceholder>>,
    mut placeholder: Query<&mut Node, (With<StreamPlaceholder>, Without<StreamCard>)>,
    mut stripes: Query<(&CardStripe, &mut BackgroundColor)>,
    mut metas: Query<(&CardMeta, &mut Text, &Children), Without<CardBody>>,
    mut bodies: Query<(&CardBody, &mut Text), Without<CardMeta>>,
    mut spans: Query<&mut TextSpan>,
) {
    let now = data
        .figures
        .as_ref()
        .map(|f| f.now)
        .or_else(|| data.stream.front().map(|m| m.mention.created_at))
        .unwrap_or_default();
    // The placeholder leaves the layout once cards arrive, so it takes no room above them.
    for mut node in &mut placeholder {
        let wanted = if data.stream.is_empty() {
            Display::Flex
        } else {
            Display::None
        };
        if node.display != wanted {
            node.display = wanted;
        }
    }
    for (card, mut visibility) in &mut cards {
        let wanted = if card.0 < data.stream.len() {
            Visibility::Inherited
        } else {
            Visibility::Hidden
        };
        visibility.set_if_neq(wanted);
    }
    for (stripe, mut color) in &mut stripes {
        if let Some(mention) = data.stream.get(stripe.0) {
            color.set_if_neq(BackgroundColor(theme::tone_color(mention.tone)));
        }
    }
    for (meta, mut text, children) in &mut metas {
        let Some(mention) = data.stream.get(meta.0) else {
            continue;
        };
        let (platform, rest) = card_meta(mention, now, &settings);
        set_text(&mut text, &platform);
        if let Some(mut span) = children.first().and_then(|c| spans.get_mut(*c).ok()) {
            set_span(&mut span, &rest);
        }
    }
    for (body, mut text) in &mut bodies {
        let Some(mention) = data.stream.get(body.0) else {
            continue;
        };
        set_text(&mut text, &card_body(&mention.mention.text));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_texts_are_cut_at_a_word_with_an_ellipsis() {
        let long = "mot ".repeat(100);
        let body = card_body(&long);
        assert!(body.ends_with("mot…"), "{body}");
        assert!(body.chars().count() <= MAX_CHARS + 1);
        assert_eq!(card_body("deux\n  lignes"), "deux lignes");
    }
}
