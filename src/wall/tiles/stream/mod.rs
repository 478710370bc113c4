//! The mention stream: the newest mentions as cards, newest on top. Each card shows the
//! platform, the author, how long ago, the text, and its tone as a coloured stripe. The cards
//! are a fixed set of entities whose content changes.

mod options;
pub use options::StreamOptions;

use crate::layout::approval::Approval;
use bevy::prelude::*;
use chrono::Utc;

use std::collections::HashMap;

use super::on_new_data;
use super::{set_span, set_text, view_of};
use crate::control::RoomState;
use crate::model::EnrichedMention;
use crate::privacy::{LobbyFilter, brand_handles, neutral_author};
use crate::wall::media::{CardAvatarNode, CardPictureNode, CardPictures};
use crate::wall::room::RoomView;
use crate::wall::theme::{self, WallFonts};
use crate::wall::widgets::{block, label, span, tile_panel, tile_title};
use crate::wall::{WallData, WallLayout, WallSettings};

/// Cards on screen when the layout does not say: as many as fit a half-height tile at 1080p.
pub const CARDS: usize = 6;
/// Longest text shown on a card: about three lines at the card's size.
const MAX_CHARS: usize = 150;

/// The tile's choices: how many cards, and which brands' mentions (empty: all).
#[derive(Component, Debug, Clone)]
pub struct StreamTile {
    pub cards: usize,
    pub brands: Vec<usize>,
}

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

pub fn plugin(app: &mut App) {
    app.init_resource::<Lobby>();
    app.add_systems(Update, on_new_data(update_stream));
}

pub fn widget(
    fonts: &WallFonts,
    settings: &WallSettings,
    cards: usize,
    brands: Vec<usize>,
) -> impl Bundle {
    let labels = settings.locale.labels();
    let shown: Vec<_> = (0..cards).map(|index| card(fonts, index)).collect();
    (
        tile_panel("stream"),
        StreamTile { cards, brands },
        Children::spawn((
            Spawn(tile_title(labels.stream_title, fonts)),
            Spawn((
                StreamPlaceholder,
                label(
                    labels.waiting_for_data,
                    &fonts.regular,
                    theme::SIZE_BODY,
                    theme::MUTED,
                ),
            )),
            SpawnIter(shown.into_iter()),
        )),
    )
}

/// A card, hidden until it has a mention: the tone stripe, then the meta line over the text.
fn card(fonts: &WallFonts, index: usize) -> impl Bundle {
    (
        Name::new(format!("card {index}")),
        StreamCard(index),
        Node {
            display: Display::Flex,
            flex_direction: FlexDirection::Row,
            flex_grow: 1.0,
            flex_basis: Val::Px(0.0),
            min_height: Val::Px(0.0),
            column_gap: Val::Px(14.0),
            border: UiRect::all(Val::Px(3.0)),
            border_radius: BorderRadius::all(Val::Px(8.0)),
            overflow: Overflow::clip(),
            ..default()
        },
        BackgroundColor(theme::TILE_RAISED),
        BorderColor::all(theme::TILE_RAISED),
        Visibility::Hidden,
        CardPictures::default(),
        children![
            (
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
            ),
            // The author's avatar, round, when there is one.
            (
                CardAvatarNode,
                ImageNode::default(),
                Node {
                    display: Display::None,
                    width: Val::Px(AVATAR_PX),
                    height: Val::Px(AVATAR_PX),
                    flex_shrink: 0.0,
                    align_self: AlignSelf::Center,
                    border_radius: BorderRadius::MAX,
                    overflow: Overflow::clip(),
                    ..default()
                },
                BackgroundColor(theme::TRACK),
            ),
            (
                Node {
                    display: Display::Flex,
                    flex_direction: FlexDirection::Column,
                    flex_grow: 1.0,
                    min_width: Val::Px(0.0),
                    padding: UiRect::new(Val::Px(0.0), Val::Px(12.0), Val::Px(8.0), Val::Px(6.0)),
                    row_gap: Val::Px(4.0),
                    overflow: Overflow::clip(),
                    ..default()
                },
                children![
                    (
                        CardMeta(index),
                        label("", &fonts.bold, theme::SIZE_LABEL, theme::TEXT),
                        TextLayout::new(Justify::Left, LineBreak::NoWrap),
                        children![span("", &fonts.regular, theme::SIZE_LABEL, theme::MUTED)],
                    ),
                    (
                        CardBody(index),
                        label("", &fonts.regular, theme::SIZE_BODY, theme::TEXT),
                        TextLayout::new(Justify::Left, LineBreak::WordBoundary),
                    ),
                ],
            ),
            // The post's first picture, a square as high as the card, at its right end.
            (
                CardPictureNode,
                ImageNode::default(),
                Node {
                    display: Display::None,
                    height: Val::Percent(100.0),
                    aspect_ratio: Some(1.0),
                    flex_shrink: 0.0,
                    ..default()
                },
                BackgroundColor(theme::TRACK),
            ),
        ],
    )
}

/// An avatar's side on a card, in pixels at the wall's sizes.
const AVATAR_PX: f32 = 52.0;

/// The pictures a card may show of `mention`: never a sensitive one; in a lobby, only where
/// every post shown was approved and the config allows it, and no avatar (a lobby names no
/// author).
pub fn card_pictures(
    mention: &EnrichedMention,
    lobby: bool,
    approved_only: bool,
    settings: &WallSettings,
) -> CardPictures {
    let m = &mention.mention;
    let picture_allowed = !lobby
        || (approved_only && settings.lobby_pictures == crate::config::LobbyPictures::Approved);
    CardPictures {
        picture: m
            .picture
            .as_ref()
            .filter(|p| !p.sensitive && picture_allowed)
            .map(|p| p.url.clone()),
        avatar: m.author.avatar.clone().filter(|_| !lobby),
    }
}

/// The card's first line: "X" in bold, then " Léa Martin @lea_12 · il y a 3 min" (in a lobby:
/// " un internaute · il y a 3 min").
pub fn card_meta(
    mention: &EnrichedMention,
    now: chrono::DateTime<chrono::Utc>,
    settings: &WallSettings,
    lobby: bool,
) -> (String, String) {
    let labels = settings.locale.labels();
    let m = &mention.mention;
    let age = labels.age((now - m.created_at).num_seconds().max(0));
    if lobby {
        return (
            m.platform.label().to_string(),
            format!("  {} · {age}", neutral_author(settings.locale)),
        );
    }
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

/// The mentions a stream tile shows, with whether each is pinned: the room's live pins of the
/// tile's brands first, newest pin first, then the newest mentions of its brands. Posts the room hid or
/// whose author it blocked are left out; in a lobby, toxic posts too, pinned or not; under
/// `approval`, posts neither the room nor its rules approved, pinned or not.
pub fn shown<'a>(
    data: &'a WallData,
    room: &'a RoomState,
    tile: &StreamTile,
    lobby: Option<&LobbyFilter>,
    approval: Option<&Approval>,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<(&'a EnrichedMention, bool)> {
    let public = |m: &EnrichedMention| {
        approval.is_none_or(|rules| room.approves(m, rules))
            && lobby.is_none_or(|filter| !filter.keeps_off(&m.mention.text))
    };
    let of_tile = |m: &EnrichedMention| {
        tile.brands.is_empty() || m.brands.iter().any(|b| tile.brands.contains(b))
    };
    let pins: Vec<&EnrichedMention> = room
        .live_pins(now)
        .map(|pin| &pin.mention)
        .filter(|m| of_tile(m) && room.shows(m) && public(m))
        .take(tile.cards)
        .collect();
    let pinned = |m: &EnrichedMention| pins.iter().any(|p| p.mention.id == m.mention.id);
    let rest: Vec<&EnrichedMention> = data
        .stream
        .iter()
        .filter(|m| of_tile(m) && room.shows(m) && public(m) && !pinned(m))
        .take(tile.cards - pins.len())
        .collect();
    pins.iter()
        .map(|m| (*m, true))
        .chain(rest.into_iter().map(|m| (m, false)))
        .collect()
}

/// The lobby filter when the layout (or, where it does not say, the config) is in lobby mode.
pub fn lobby_of<'a>(
    layout: &WallLayout,
    settings: &WallSettings,
    lobby: &'a Lobby,
) -> Option<&'a LobbyFilter> {
    is_lobby(&layout.0, settings).then_some(&lobby.0)
}

/// Whether `layout` is shown as a lobby: its own word, else the config's.
pub fn is_lobby(layout: &crate::layout::Layout, settings: &WallSettings) -> bool {
    layout.lobby.unwrap_or(settings.lobby)
}

/// The lists the lobby mode uses, built once.
#[derive(Resource)]
pub struct Lobby(pub LobbyFilter);

impl Default for Lobby {
    fn default() -> Self {
        Lobby(LobbyFilter::shipped())
    }
}

fn update_stream(
    data: Res<WallData>,
    settings: Res<WallSettings>,
    layout: Res<WallLayout>,
    lobby_filter: Res<Lobby>,
    tiles: Query<(Entity, &StreamTile)>,
    parents: Query<&ChildOf>,
    room: Res<RoomView>,
    mut cards: Query<
        (
            Entity,
            &StreamCard,
            &mut Visibility,
            &mut BorderColor,
            &mut CardPictures,
        ),
        Without<StreamPlaceholder>,
    >,
    mut placeholder: Query<(Entity, &mut Node), (With<StreamPlaceholder>, Without<StreamCard>)>,
    mut stripes: Query<(Entity, &CardStripe, &mut BackgroundColor)>,
    mut metas: Query<(Entity, &CardMeta, &mut Text, &Children), Without<CardBody>>,
    mut bodies: Query<(Entity, &CardBody, &mut Text), Without<CardMeta>>,
    mut spans: Query<&mut TextSpan>,
) {
    let now = data
        .figures
        .as_ref()
        .map(|f| f.now)
        .or_else(|| data.stream.front().map(|m| m.mention.created_at))
        .unwrap_or_default();
    let lobby = lobby_of(&layout, &settings, &lobby_filter);
    let lists: HashMap<Entity, Vec<(&EnrichedMention, bool)>> = tiles
        .iter()
        .map(|(entity, tile)| {
            let approval = layout.0.approval.as_ref();
            (
                entity,
                shown(&data, &room.state, tile, lobby, approval, Utc::now()),
            )
        })
        .collect();
    let empty = Vec::new();
    let list = |part: Entity| view_of(&parents, &lists, part).unwrap_or(&empty);
    // The placeholder leaves the layout once cards arrive, so it takes no room above them.
    for (part, mut node) in &mut placeholder {
        let wanted = if list(part).is_empty() {
            Display::Flex
        } else {
            Display::None
        };
        if node.display != wanted {
            node.display = wanted;
        }
    }
    let approved_only = layout.0.approval.is_some();
    for (part, card, mut visibility, mut border, mut pictures) in &mut cards {
        let shown = list(part).get(card.0);
        let wanted = shown
            .map(|(mention, _)| card_pictures(mention, lobby.is_some(), approved_only, &settings))
            .unwrap_or_default();
        pictures.set_if_neq(wanted);
        let wanted = if shown.is_some() {
            Visibility::Inherited
        } else {
            Visibility::Hidden
        };
        visibility.set_if_neq(wanted);
        // A pinned card is framed in amber, so the room sees at once that it stays on purpose.
        let edge = match shown {
            Some((_, true)) => theme::ALERT,
            _ => theme::TILE_RAISED,
        };
        border.set_if_neq(BorderColor::all(edge));
    }
    for (part, stripe, mut color) in &mut stripes {
        if let Some((mention, _)) = list(part).get(stripe.0) {
            color.set_if_neq(BackgroundColor(theme::tone_color(mention.tone)));
        }
    }
    for (part, meta, mut text, children) in &mut metas {
        let Some((mention, pinned)) = list(part).get(meta.0) else {
            continue;
        };
        let (mut platform, rest) = card_meta(mention, now, &settings, lobby.is_some());
        if *pinned {
            platform = format!("{} · {platform}", settings.locale.labels().pinned);
        }
        set_text(&mut text, &platform);
        if let Some(mut span) = children.first().and_then(|c| spans.get_mut(*c).ok()) {
            set_span(&mut span, &rest);
        }
    }
    let keep = brand_handles(settings.brands.iter().map(|b| b.name.as_str()));
    for (part, body, mut text) in &mut bodies {
        let Some((mention, _)) = list(part).get(body.0) else {
            continue;
        };
        let body = card_body(&mention.mention.text);
        match lobby {
            Some(filter) => set_text(&mut text, &filter.public_text(&body, &keep)),
            None => set_text(&mut text, &body),
        }
    }
}

impl super::TileWidget for StreamOptions {
    fn widget(&self, fonts: &WallFonts, settings: &WallSettings) -> impl Bundle {
        widget(fonts, settings, self.cards, self.brands.clone())
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

    #[test]
    fn a_card_never_shows_a_sensitive_picture_and_a_lobby_only_approved_ones_without_avatars() {
        let mut settings = WallSettings::shipped();
        let mention = |url: &str, sensitive: bool| EnrichedMention {
            mention: crate::model::Mention {
                id: "x:1".into(),
                platform: crate::model::Platform::X,
                author: crate::model::Author {
                    handle: "lea".into(),
                    display_name: String::new(),
                    reach: 0,
                    avatar: Some("https://pbs.twimg.com/lea.jpg".into()),
                },
                text: "Petit Loup".into(),
                lang: None,
                created_at: Utc::now(),
                url: None,
                engagement: Default::default(),
                reply_to: None,
                picture: Some(crate::model::Picture {
                    url: url.into(),
                    sensitive,
                }),
                rating: None,
            },
            brands: vec![0],
            sentiment: 0.0,
            tone: crate::model::Tone::Neutral,
            lang: "fr".into(),
        };
        let plain = mention("https://pbs.twimg.com/a.jpg", false);
        let shown = card_pictures(&plain, false, false, &settings);
        assert_eq!(
            shown.picture.as_deref(),
            Some("https://pbs.twimg.com/a.jpg")
        );
        assert_eq!(
            shown.avatar.as_deref(),
            Some("https://pbs.twimg.com/lea.jpg")
        );
        let sensitive = mention("https://pbs.twimg.com/b.jpg", true);
        assert_eq!(
            card_pictures(&sensitive, false, false, &settings).picture,
            None
        );
        // A lobby: pictures only where every post shown was approved, and never an avatar.
        assert_eq!(
            card_pictures(&plain, true, false, &settings),
            CardPictures::default()
        );
        let approved = card_pictures(&plain, true, true, &settings);
        assert!(approved.picture.is_some() && approved.avatar.is_none());
        settings.lobby_pictures = crate::config::LobbyPictures::None;
        assert_eq!(
            card_pictures(&plain, true, true, &settings),
            CardPictures::default()
        );
        assert_eq!(
            card_pictures(&sensitive, true, true, &settings).picture,
            None
        );
    }
}
