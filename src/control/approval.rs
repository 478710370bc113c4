//! The lobby's approval queue: the recent posts a layout with `approval = true` would show once
//! approved, each with what the lobby's filter makes of it (`LobbyFilter::verdict`), for the
//! room to approve or reject on the control page.

use serde::Serialize;

use super::live::LiveView;
use super::room::RoomState;
use crate::layout::approval::Approval;
use crate::model::EnrichedMention;
use crate::privacy::{LobbyFilter, Verdict};

/// A post waiting for the room's word.
#[derive(Debug, Clone)]
pub struct Waiting {
    pub post: EnrichedMention,
    pub verdict: Verdict,
}

impl Waiting {
    pub fn to_json(&self) -> serde_json::Value {
        #[derive(Serialize)]
        struct Line<'a> {
            id: &'a str,
            platform: &'static str,
            author: &'a str,
            reach: u64,
            tone: crate::model::Tone,
            /// The text as the lobby would show it (masked words), empty when it keeps it off.
            shown_as: &'a str,
            /// The category that keeps it off the lobby whatever the room says.
            kept_off_by: Option<String>,
            flagged: Vec<String>,
        }
        serde_json::to_value(Line {
            id: &self.post.mention.id,
            platform: self.post.mention.platform.name(),
            author: &self.post.mention.author.handle,
            reach: self.post.mention.author.reach,
            tone: self.post.tone,
            shown_as: &self.verdict.text,
            kept_off_by: self.verdict.hidden.map(|c| c.name().to_string()),
            flagged: self
                .verdict
                .flagged
                .iter()
                .map(|c| c.name().to_string())
                .collect(),
        })
        .unwrap_or_default()
    }
}

/// The newest `limit` recent posts that wait for the room: not reviewed, not let through by a
/// rule, not hidden or blocked.
pub fn queue(
    live: &LiveView,
    room: &RoomState,
    rules: &Approval,
    filter: &LobbyFilter,
    limit: usize,
) -> Vec<Waiting> {
    live.recent_where(limit, |post| {
        !room.reviews.contains_key(&post.mention.id)
            && !rules.auto_approves(post)
            && room.shows(post)
    })
    .into_iter()
    .map(|post| Waiting {
        verdict: filter.verdict(&post.mention.text),
        post,
    })
    .collect()
}

/// The newest `limit` recent posts the room approved (to take one back).
pub fn approved(live: &LiveView, room: &RoomState, limit: usize) -> Vec<EnrichedMention> {
    live.recent_where(limit, |post| {
        room.reviews
            .get(&post.mention.id)
            .is_some_and(|review| review.approved)
    })
}
