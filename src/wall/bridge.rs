//! Drains the analysis channel once per frame into `WallData`, the one resource the tiles read.
//! `WallData` is marked changed only when an update arrived, so tiles redo their work only then.

use std::collections::VecDeque;

use bevy::prelude::*;
use crossbeam_channel::Receiver;

use super::WallSystems;
use crate::model::{EnrichedMention, Figures, WallUpdate};

/// Newest mentions kept for the stream tiles, newest first: enough for a tile that shows only a
/// competitor's mentions to fill its cards.
pub const STREAM_KEEP: usize = 64;

#[derive(Resource)]
pub struct UpdateFeed(pub Receiver<WallUpdate>);

#[derive(Resource, Default)]
pub struct WallData {
    pub figures: Option<Figures>,
    /// Newest first.
    pub stream: VecDeque<EnrichedMention>,
}

impl WallData {
    pub fn apply(&mut self, update: WallUpdate) {
        match update {
            WallUpdate::Mentions(batch) => {
                for mention in batch {
                    self.show(mention);
                }
                self.stream.truncate(STREAM_KEEP);
            }
            WallUpdate::Retracted(ids) => {
                self.stream.retain(|shown| !ids.contains(&shown.mention.id));
            }
            WallUpdate::Figures(figures) => self.figures = Some(*figures),
        }
    }
}

impl WallData {
    /// Cards from the mailbox, in the order they were posted.
    pub fn apply_cards(&mut self, changes: Vec<crate::mailbox::CardChange>) {
        for change in changes {
            match change {
                crate::mailbox::CardChange::Shown(mention) => self.show(*mention),
                crate::mailbox::CardChange::Retracted(id) => {
                    self.stream.retain(|shown| shown.mention.id != id);
                }
            }
        }
        self.stream.truncate(STREAM_KEEP);
    }

    /// A new mention goes on top; an edit replaces its card where it is.
    fn show(&mut self, mention: EnrichedMention) {
        match self
            .stream
            .iter_mut()
            .find(|shown| shown.mention.id == mention.mention.id)
        {
            Some(shown) => *shown = mention,
            None => self.stream.push_front(mention),
        }
    }
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<WallData>();
    app.add_systems(Update, drain_updates.in_set(WallSystems::Ingest));
}

/// The cards the analysis posted since the last frame.
#[derive(Resource)]
pub struct CardFeed(pub crate::mailbox::CardMailbox);

pub(super) fn drain_updates(
    feed: Option<Res<UpdateFeed>>,
    cards: Option<Res<CardFeed>>,
    mut data: ResMut<WallData>,
) {
    let mut any = false;
    // Cards first: a retraction in the channel may be of a card posted before it.
    if let Some(cards) = cards {
        let changes = cards.0.take();
        any |= !changes.is_empty();
        data.bypass_change_detection().apply_cards(changes);
    }
    if let Some(feed) = feed {
        for update in feed.0.try_iter() {
            data.bypass_change_detection().apply(update);
            any = true;
        }
    }
    if any {
        data.set_changed();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_card as card;

    #[test]
    fn an_edit_replaces_its_card_in_place_and_a_retraction_removes_it() {
        let mut data = WallData::default();
        data.apply(WallUpdate::Mentions(vec![
            card("a", "one"),
            card("b", "two"),
        ]));
        data.apply(WallUpdate::Mentions(vec![card("a", "one, edited")]));
        let texts: Vec<&str> = data
            .stream
            .iter()
            .map(|m| m.mention.text.as_str())
            .collect();
        assert_eq!(texts, ["two", "one, edited"]);
        data.apply(WallUpdate::Retracted(vec!["b".into()]));
        let ids: Vec<&str> = data.stream.iter().map(|m| m.mention.id.as_str()).collect();
        assert_eq!(ids, ["a"]);
    }
}
