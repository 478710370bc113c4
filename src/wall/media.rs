//! Pictures on the wall: the stream cards' post pictures and their authors' avatars. The
//! stream says which addresses each card wants (`CardPictures`); this asks the picture worker
//! for the ones not held, turns what comes back into textures (on the render thread only the
//! upload: fetching, decoding and scaling happened on the worker's), and keeps them in a cache
//! bounded in bytes, freeing the textures it evicts. A picture not ready yet, or failed, shows
//! a neutral placeholder; a sensitive one is never asked for.

use bevy::asset::RenderAssetUsages;
use bevy::image::Image;
use bevy::prelude::*;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat};

use crate::media::{FetchLimits, Fetched, PictureCache, PictureWorker, Slot};
use crate::wall::theme;

/// The side a post's picture is scaled to fit: a card's thumbnail at 1080p, with room to spare.
pub const PICTURE_SIDE: u32 = 320;
/// An avatar's.
pub const AVATAR_SIDE: u32 = 96;

/// The worker and what the wall holds.
#[derive(Resource)]
pub struct WallPictures {
    worker: Option<PictureWorker>,
    cache: PictureCache<Handle<Image>>,
    /// Addresses asked and not come back: not asked again meanwhile.
    asked: std::collections::HashSet<String>,
    /// Set when a picture arrived, so that the cards look again.
    pub arrived: bool,
}

impl WallPictures {
    /// `wake` draws a frame when a picture is ready (a reactive wall sleeps otherwise).
    pub fn new(limit_bytes: usize, wake: super::WakeSlot) -> Self {
        let notify = move || {
            if let Some(wake) = wake.get() {
                wake();
            }
        };
        let worker = match PictureWorker::start(FetchLimits::default(), Box::new(notify)) {
            Ok(worker) => Some(worker),
            Err(error) => {
                // The cards show their placeholders; the wall goes on.
                tracing::warn!("pictures off: cannot start their worker: {error:#}");
                None
            }
        };
        Self {
            worker,
            cache: PictureCache::new(limit_bytes),
            asked: Default::default(),
            arrived: false,
        }
    }

    /// The bytes of texture held, and the bound.
    pub fn bytes(&self) -> (usize, usize) {
        (self.cache.bytes(), self.cache.limit())
    }

    /// The texture of `url` when it is ready; asks for it when it is not held.
    pub fn picture(&mut self, url: &str, side: u32) -> Option<Handle<Image>> {
        match self.cache.get(url) {
            Some(Slot::Ready { value, .. }) => return Some(value.clone()),
            Some(Slot::Failed) | Some(Slot::Pending) => return None,
            None => {}
        }
        if !self.asked.contains(url)
            && let Some(worker) = &self.worker
            && worker.ask(url, side)
        {
            self.asked.insert(url.to_string());
        }
        None
    }
}

/// What a card wants shown: its post's picture and its author's avatar, where allowed.
#[derive(Component, Debug, Clone, Default, PartialEq, Eq)]
pub struct CardPictures {
    pub picture: Option<String>,
    pub avatar: Option<String>,
}

/// The image node of a card's picture.
#[derive(Component, Debug, Clone, Copy)]
pub struct CardPictureNode;

/// The image node of a card's avatar.
#[derive(Component, Debug, Clone, Copy)]
pub struct CardAvatarNode;

pub(super) fn plugin(app: &mut App) {
    // Only a wall that shows pictures (and so has textures) runs them.
    app.add_systems(
        Update,
        (receive_pictures, show_card_pictures, log_pictures)
            .chain()
            .run_if(resource_exists::<WallPictures>),
    );
}

/// Turns what the worker finished into textures.
fn receive_pictures(mut pictures: ResMut<WallPictures>, mut images: ResMut<Assets<Image>>) {
    let Some(worker) = &pictures.worker else {
        return;
    };
    let ready = worker.ready();
    if ready.is_empty() {
        return;
    }
    for fetched in ready {
        let (url, slot) = match fetched {
            Fetched::Ready(decoded) => {
                let bytes = decoded.pixels.rgba.len();
                let image = Image::new(
                    Extent3d {
                        width: decoded.pixels.width,
                        height: decoded.pixels.height,
                        depth_or_array_layers: 1,
                    },
                    TextureDimension::D2,
                    decoded.pixels.rgba,
                    TextureFormat::Rgba8UnormSrgb,
                    // Uploaded, then dropped from main memory: the cache counts the texture.
                    RenderAssetUsages::RENDER_WORLD,
                );
                let value = images.add(image);
                (decoded.url, Slot::Ready { value, bytes })
            }
            Fetched::Failed { url, .. } => (url, Slot::Failed),
        };
        pictures.asked.remove(&url);
        for evicted in pictures.cache.insert(&url, slot) {
            images.remove(&evicted);
        }
    }
    pictures.arrived = true;
}

/// What the pictures hold, in the log once a minute (`vigie bench soak` reads it).
fn log_pictures(pictures: Res<WallPictures>, mut last: Local<Option<std::time::Instant>>) {
    if last.is_some_and(|at| at.elapsed() < std::time::Duration::from_secs(60)) {
        return;
    }
    *last = Some(std::time::Instant::now());
    let (bytes, limit) = pictures.bytes();
    let (fetched, failed) = pictures.worker.as_ref().map_or((0, 0), |w| {
        (
            w.stats.fetched.load(std::sync::atomic::Ordering::Relaxed),
            w.stats.failed.load(std::sync::atomic::Ordering::Relaxed),
        )
    });
    tracing::info!(
        texture_bytes = bytes,
        limit_bytes = limit,
        held = pictures.cache.len(),
        fetched,
        failed,
        "pictures held"
    );
}

/// The square in the middle of a `width × height` picture, so that it fills a square box
/// without being stretched.
pub fn centre_square(width: u32, height: u32) -> Rect {
    let side = width.min(height) as f32;
    let x = (width as f32 - side) / 2.0;
    let y = (height as f32 - side) / 2.0;
    Rect::new(x, y, x + side, y + side)
}

#[allow(clippy::type_complexity)]
fn show_card_pictures(
    mut pictures: ResMut<WallPictures>,
    images: Res<Assets<Image>>,
    cards: Query<(Ref<CardPictures>, &Children)>,
    mut nodes: Query<
        (
            &mut ImageNode,
            &mut Node,
            &mut BackgroundColor,
            Has<CardAvatarNode>,
        ),
        Or<(With<CardPictureNode>, With<CardAvatarNode>)>,
    >,
    children: Query<&Children>,
) {
    let changed = cards.iter().any(|(wanted, _)| wanted.is_changed());
    if !changed && !pictures.arrived {
        return;
    }
    pictures.arrived = false;
    for (wanted, card_children) in &cards {
        // The picture and avatar nodes sit somewhere under the card.
        let mut stack: Vec<Entity> = card_children.iter().collect();
        while let Some(entity) = stack.pop() {
            if let Ok(grand) = children.get(entity) {
                stack.extend(grand.iter());
            }
            let Ok((mut image, mut node, mut background, is_avatar)) = nodes.get_mut(entity) else {
                continue;
            };
            let (url, side) = if is_avatar {
                (wanted.avatar.as_deref(), AVATAR_SIDE)
            } else {
                (wanted.picture.as_deref(), PICTURE_SIDE)
            };
            let Some(url) = url else {
                if node.display != Display::None {
                    node.display = Display::None;
                }
                continue;
            };
            if node.display != Display::Flex {
                node.display = Display::Flex;
            }
            match pictures.picture(url, side) {
                Some(handle) => {
                    if image.image != handle {
                        let size = images.get(&handle).map(|i| i.size());
                        image.image = handle;
                        image.rect = size.map(|s| centre_square(s.x, s.y));
                    }
                    image.color = Color::WHITE;
                    background.set_if_neq(BackgroundColor(Color::NONE));
                }
                None => {
                    // The placeholder: the box in the card's track colour, no image.
                    image.color = Color::NONE;
                    background.set_if_neq(BackgroundColor(theme::TRACK));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_picture_is_cropped_to_its_centre_square() {
        assert_eq!(centre_square(400, 200), Rect::new(100.0, 0.0, 300.0, 200.0));
        assert_eq!(centre_square(200, 300), Rect::new(0.0, 50.0, 200.0, 250.0));
    }
}
