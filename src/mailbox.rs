//! Cards on their way from the analysis to the wall. A card is put here the moment it is
//! counted and the wall takes everything waiting at the start of its next frame, so that a
//! post reaches the screen in the first frame after it was counted, however busy the wall is.
//! A channel could not do that: a burst fills it with small batches the wall takes a frame
//! later, and a full channel drops the figures queued behind them.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

use crate::model::EnrichedMention;

/// The stream shows only the newest cards: older ones of a burst the wall has not yet taken
/// are counted in the figures but not shown.
pub const MAX_WAITING_CARDS: usize = 32;
/// Retractions waiting beyond this (a wall that stopped taking them) keep only the newest:
/// the wall's stream holds fewer cards than that.
const MAX_WAITING_RETRACTIONS: usize = 4096;

#[derive(Debug, Clone, PartialEq)]
pub enum CardChange {
    /// A new card, or the new version of one (an edit).
    Shown(Box<EnrichedMention>),
    /// The card of this mention id leaves the wall.
    Retracted(String),
}

#[derive(Debug, Clone, Default)]
pub struct CardMailbox(Arc<Mutex<VecDeque<CardChange>>>);

impl CardMailbox {
    fn with<T>(&self, work: impl FnOnce(&mut VecDeque<CardChange>) -> T) -> T {
        // A panic elsewhere while holding the lock leaves a queue that is still whole.
        let mut waiting = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        work(&mut waiting)
    }

    /// A card to show; an earlier version still waiting is replaced.
    pub fn post(&self, card: EnrichedMention) {
        self.with(|waiting| {
            waiting.retain(
                |change| !matches!(change, CardChange::Shown(c) if c.mention.id == card.mention.id),
            );
            let cards = waiting
                .iter()
                .filter(|c| matches!(c, CardChange::Shown(_)))
                .count();
            if cards >= MAX_WAITING_CARDS
                && let Some(oldest) = waiting
                    .iter()
                    .position(|c| matches!(c, CardChange::Shown(_)))
            {
                waiting.remove(oldest);
            }
            waiting.push_back(CardChange::Shown(Box::new(card)));
        });
    }

    /// A card to take off the wall; its version still waiting, if any, is not shown.
    pub fn retract(&self, id: String) {
        self.with(|waiting| {
            waiting.retain(|change| !matches!(change, CardChange::Shown(c) if c.mention.id == id));
            if waiting.len() >= MAX_WAITING_RETRACTIONS + MAX_WAITING_CARDS
                && let Some(oldest) = waiting
                    .iter()
                    .position(|c| matches!(c, CardChange::Retracted(_)))
            {
                waiting.remove(oldest);
            }
            waiting.push_back(CardChange::Retracted(id));
        });
    }

    /// Everything waiting, oldest first.
    pub fn take(&self) -> Vec<CardChange> {
        self.with(|waiting| waiting.drain(..).collect())
    }

    pub fn is_empty(&self) -> bool {
        self.with(|waiting| waiting.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_card as card;

    fn ids(changes: &[CardChange]) -> Vec<String> {
        changes
            .iter()
            .map(|c| match c {
                CardChange::Shown(card) => format!("+{}:{}", card.mention.id, card.mention.text),
                CardChange::Retracted(id) => format!("-{id}"),
            })
            .collect()
    }

    #[test]
    fn cards_wait_in_order_and_an_edit_replaces_its_waiting_version() {
        let mailbox = CardMailbox::default();
        mailbox.post(card("a", "one"));
        mailbox.post(card("b", "two"));
        mailbox.post(card("a", "one, edited"));
        mailbox.retract("c".into());
        assert_eq!(ids(&mailbox.take()), ["+b:two", "+a:one, edited", "-c"]);
        assert!(mailbox.is_empty());
    }

    #[test]
    fn a_retraction_removes_the_waiting_card_and_a_burst_keeps_the_newest() {
        let mailbox = CardMailbox::default();
        mailbox.post(card("gone", "x"));
        mailbox.retract("gone".into());
        assert_eq!(ids(&mailbox.take()), ["-gone"]);
        for n in 0..100 {
            mailbox.post(card(&n.to_string(), "t"));
        }
        let waiting = mailbox.take();
        assert_eq!(waiting.len(), MAX_WAITING_CARDS);
        assert_eq!(ids(&waiting)[0], "+68:t");
        assert_eq!(ids(&waiting)[MAX_WAITING_CARDS - 1], "+99:t");
    }
}
