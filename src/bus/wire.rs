//! What travels on the bus: the subjects, the message ids JetStream deduplicates on, and the
//! JSON bodies. Brands travel by name, so that a display whose config lists them in another
//! order (or lacks one) still counts each mention for the right brand.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::alerts::AlertChange;
use crate::model::{AnalysisEvent, BrandInfo, EnrichedMention, Mention, SourceHealth, Spike, Tone};
use crate::store::StoreEvent;

/// A mention as the hub analysed it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireMention {
    pub mention: Mention,
    pub brands: Vec<String>,
    pub sentiment: f32,
    pub tone: Tone,
    pub lang: String,
}

/// The body of a message of the events stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WireEvent {
    Counted(WireMention),
    Edited(WireMention),
    Retracted { id: String },
    Alert { change: AlertChange },
    Spike { spike: WireSpike },
}

/// A spike as the hub raised it, its brand by name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireSpike {
    pub brand: String,
    pub minute: DateTime<Utc>,
    pub count: u32,
    pub baseline: f32,
    pub score: f32,
    pub detected_at: DateTime<Utc>,
}

/// The hub's heartbeat, kept as the last message of `<prefix>.state.hub`: its clock (which
/// the displays follow) and its sources (which they show on their status line).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HubState {
    /// The hub's event time when it sent this.
    pub event_now: DateTime<Utc>,
    pub speed: f64,
    /// Real time when it sent this, to know how old the heartbeat is.
    pub sent_at: DateTime<Utc>,
    /// When this hub run started, real time.
    pub started_at: DateTime<Utc>,
    /// And on the hub's clock: alerts an earlier run left active end there.
    pub run_started: DateTime<Utc>,
    pub sources: Vec<SourceHealth>,
    /// Events waiting in the hub's disk spool (NATS was away).
    #[serde(default)]
    pub spooled: u64,
}

/// A display's heartbeat, every few seconds, for the hub's control page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DisplayBeat {
    pub name: String,
    pub room: Option<String>,
    /// Vigie's version on the display.
    pub version: String,
    /// The layout it shows, and its screens.
    pub layout: String,
    pub screens: Vec<String>,
    pub frames_drawn: u64,
    /// Real time when it sent this.
    pub sent_at: DateTime<Utc>,
}

/// One message ready to publish: everything JetStream needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outgoing {
    pub subject: String,
    /// `Nats-Msg-Id`: the same event published twice is stored once.
    pub id: String,
    pub body: String,
}

/// A subject token from a name: folded, lowercase, `[a-z0-9_-]` only ("Bébé Cargo" →
/// "bebe_cargo"), since dots, spaces and wildcards have a meaning in NATS subjects.
pub fn token(name: &str) -> String {
    let folded = crate::text::fold(name);
    let token: String = folded
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if token.is_empty() {
        "_".to_string()
    } else {
        token
    }
}

/// The subjects of one deployment, under a prefix (the stream's name in lowercase), so that
/// several hubs can share one NATS server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subjects {
    prefix: String,
}

impl Subjects {
    pub fn new(stream: &str) -> Self {
        Self {
            prefix: stream.to_ascii_lowercase(),
        }
    }

    /// What the events stream holds.
    pub fn events(&self) -> Vec<String> {
        vec![
            format!("{}.mention.>", self.prefix),
            format!("{}.retract", self.prefix),
            format!("{}.alert.>", self.prefix),
        ]
    }

    /// What the state stream holds.
    pub fn state(&self) -> String {
        format!("{}.state.>", self.prefix)
    }

    pub fn hub_state(&self) -> String {
        format!("{}.state.hub", self.prefix)
    }

    /// The room's decisions (pins, hidden posts, layout…), as the hub's control page last set
    /// them: kept in the state stream, so a display started later reads them at once.
    pub fn room_state(&self) -> String {
        format!("{}.state.room", self.prefix)
    }

    /// A display's heartbeat (core NATS, not kept): `<prefix>.display.<name>`.
    pub fn display_beat(&self, name: &str) -> String {
        format!("{}.display.{}", self.prefix, token(name))
    }

    /// Where a display answers for a picture of one of its screens (request and reply).
    pub fn display_picture(&self, name: &str) -> String {
        format!("{}.display.{}.picture", self.prefix, token(name))
    }

    pub fn display_beats(&self) -> String {
        format!("{}.display.*", self.prefix)
    }

    fn mention(&self, brand: &str, platform: &str) -> String {
        format!("{}.mention.{}.{platform}", self.prefix, token(brand))
    }

    fn alert_state(&self, change: &AlertChange) -> String {
        let alert = change.alert();
        format!(
            "{}.state.alert.{}.{}.{}",
            self.prefix,
            token(&alert.rule),
            token(alert.brand.as_deref().unwrap_or("_")),
            alert.started_at.timestamp_millis()
        )
    }

    /// Where a spike's latest state is kept: one subject per brand and minute, so that a
    /// display that joins late reads each spike once, as it is now.
    fn spike_state(&self, brand: &str, minute: DateTime<Utc>) -> String {
        format!(
            "{}.state.spike.{}.{}",
            self.prefix,
            token(brand),
            minute.timestamp_millis()
        )
    }

    /// The messages of one analysis event or alert change: a mention goes to
    /// `<prefix>.mention.<brand>.<platform>` (its first brand); a retraction to
    /// `<prefix>.retract`; an alert change to `<prefix>.alert.<rule>` and, as the alert's
    /// current state, to `<prefix>.state.alert.<rule>.<brand>.<start>`; a spike, as its
    /// current state only, to `<prefix>.state.spike.<brand>.<minute>`.
    pub fn messages(&self, event: &StoreEvent, brands: &[BrandInfo]) -> Vec<Outgoing> {
        match event {
            StoreEvent::Analysis(AnalysisEvent::Counted(enriched)) => {
                let wire = wire_mention(enriched, brands);
                let subject = self.subject_of(&wire);
                let id = format!("c/{}", wire.mention.id);
                vec![outgoing(subject, id, &WireEvent::Counted(wire))]
            }
            StoreEvent::Analysis(AnalysisEvent::Edited(enriched)) => {
                let wire = wire_mention(enriched, brands);
                let subject = self.subject_of(&wire);
                let body = to_json(&WireEvent::Edited(wire.clone()));
                // Each version of an edited post is its own message.
                let id = format!(
                    "e/{}/{:016x}",
                    wire.mention.id,
                    crate::fingerprint::fnv1a(body.as_bytes())
                );
                vec![Outgoing { subject, id, body }]
            }
            StoreEvent::Analysis(AnalysisEvent::Retracted { id }) => vec![outgoing(
                format!("{}.retract", self.prefix),
                format!("r/{id}"),
                &WireEvent::Retracted { id: id.clone() },
            )],
            StoreEvent::Alert(change) => {
                let alert = change.alert();
                let what = match change {
                    AlertChange::Raised(_) => "raised",
                    AlertChange::Updated(_) => "updated",
                    AlertChange::Ended(_) => "ended",
                };
                let id = format!(
                    "a/{}/{}/{}/{}/{what}",
                    alert.rule,
                    alert.brand.as_deref().unwrap_or(""),
                    alert.started_at.timestamp_millis(),
                    alert.updated_at.timestamp_millis()
                );
                let event = WireEvent::Alert {
                    change: change.clone(),
                };
                vec![
                    outgoing(
                        format!("{}.alert.{}", self.prefix, token(&alert.rule)),
                        id.clone(),
                        &event,
                    ),
                    outgoing(self.alert_state(change), format!("s{id}"), &event),
                ]
            }
            StoreEvent::Ack(_) | StoreEvent::Checkpoint(_) => Vec::new(),
            StoreEvent::Spike(spike) => {
                let Some(brand) = brands.get(spike.brand) else {
                    return Vec::new();
                };
                let id = format!(
                    "p/{}/{}/{}/{:08x}",
                    token(&brand.name),
                    spike.minute.timestamp_millis(),
                    spike.count,
                    spike.score.to_bits()
                );
                let event = WireEvent::Spike {
                    spike: WireSpike {
                        brand: brand.name.clone(),
                        minute: spike.minute,
                        count: spike.count,
                        baseline: spike.baseline,
                        score: spike.score,
                        detected_at: spike.detected_at,
                    },
                };
                vec![outgoing(
                    self.spike_state(&brand.name, spike.minute),
                    id,
                    &event,
                )]
            }
        }
    }

    /// `messages` (in publishing order) with each state subject's older messages left out: a
    /// state message published again after a newer one of its subject would become the
    /// subject's last (the state stream keeps one per subject, and a server restarted after a
    /// crash no longer knows the older message's id to drop it as a duplicate), so a grown
    /// spike would shrink back and an ended alert come back to life. Events are all kept.
    pub fn latest_states(&self, messages: Vec<Outgoing>) -> Vec<Outgoing> {
        let state = format!("{}.state.", self.prefix);
        let mut last_of: std::collections::HashMap<&str, usize> = Default::default();
        for (i, m) in messages.iter().enumerate() {
            if m.subject.starts_with(&state) {
                last_of.insert(&m.subject, i);
            }
        }
        let keep: Vec<bool> = messages
            .iter()
            .enumerate()
            .map(|(i, m)| {
                last_of
                    .get(m.subject.as_str())
                    .is_none_or(|&last| last == i)
            })
            .collect();
        messages
            .into_iter()
            .zip(keep)
            .filter_map(|(m, keep)| keep.then_some(m))
            .collect()
    }

    fn subject_of(&self, wire: &WireMention) -> String {
        let brand = wire.brands.first().map_or("_", String::as_str);
        self.mention(brand, wire.mention.platform.name())
    }
}

fn outgoing(subject: String, id: String, event: &WireEvent) -> Outgoing {
    Outgoing {
        subject,
        id,
        body: to_json(event),
    }
}

fn to_json(event: &WireEvent) -> String {
    // Plain data with string keys: serializing it cannot fail.
    serde_json::to_string(event).unwrap_or_default()
}

fn wire_mention(enriched: &EnrichedMention, brands: &[BrandInfo]) -> WireMention {
    WireMention {
        mention: enriched.mention.clone(),
        brands: enriched
            .brands
            .iter()
            .filter_map(|&b| brands.get(b).map(|info| info.name.clone()))
            .collect(),
        sentiment: enriched.sentiment,
        tone: enriched.tone,
        lang: enriched.lang.to_string(),
    }
}

/// What a display does with a message of the events stream.
#[derive(Debug, Clone, PartialEq)]
pub enum Received {
    Analysis(AnalysisEvent),
    Alert(AlertChange),
    /// A spike of one of this display's brands, with its index there.
    Spike(Spike),
    /// About none of this display's brands.
    NotOurs,
}

/// Decodes a message body, with brands as indices into this display's `brands`.
pub fn decode(body: &[u8], brands: &[BrandInfo]) -> Result<Received, serde_json::Error> {
    // The history's mapping from names to this config's indices: one rule for both.
    let enriched = |wire: WireMention| {
        crate::store::StoredMention {
            mention: wire.mention,
            brands: wire.brands,
            sentiment: wire.sentiment,
            tone: wire.tone,
            lang: wire.lang,
        }
        .enriched(brands)
    };
    Ok(match serde_json::from_slice::<WireEvent>(body)? {
        WireEvent::Counted(wire) => enriched(wire).map_or(Received::NotOurs, |e| {
            Received::Analysis(AnalysisEvent::Counted(e))
        }),
        WireEvent::Edited(wire) => {
            let id = wire.mention.id.clone();
            match enriched(wire) {
                Some(e) => Received::Analysis(AnalysisEvent::Edited(e)),
                // Edited so that it names none of our brands any more.
                None => Received::Analysis(AnalysisEvent::Retracted { id }),
            }
        }
        WireEvent::Retracted { id } => Received::Analysis(AnalysisEvent::Retracted { id }),
        WireEvent::Alert { change } => Received::Alert(change),
        WireEvent::Spike { spike } => match brands.iter().position(|b| b.name == spike.brand) {
            Some(brand) => Received::Spike(Spike {
                brand,
                minute: spike.minute,
                count: spike.count,
                baseline: spike.baseline,
                score: spike.score,
                detected_at: spike.detected_at,
            }),
            None => Received::NotOurs,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Author, Engagement, Platform};

    fn brands() -> Vec<BrandInfo> {
        ["Petit Loup", "Bébé Cargo"]
            .iter()
            .map(|name| BrandInfo {
                name: (*name).into(),
                own: *name == "Petit Loup",
                color: "#ffffff".into(),
            })
            .collect()
    }

    fn enriched(id: &str, brands: Vec<usize>) -> EnrichedMention {
        EnrichedMention {
            mention: Mention {
                id: id.into(),
                platform: Platform::Bluesky,
                author: Author {
                    handle: "@a".into(),
                    display_name: "A".into(),
                    reach: 10,
                    avatar: None,
                },
                text: "Bébé Cargo et Petit Loup".into(),
                lang: Some("fr".into()),
                created_at: "2026-11-20T10:00:00Z".parse().expect("time"),
                url: None,
                engagement: Engagement::default(),
                reply_to: None,
                picture: None,
                rating: None,
            },
            brands,
            sentiment: 0.4,
            tone: Tone::Positive,
            lang: "fr".into(),
        }
    }

    #[test]
    fn a_mention_goes_to_its_first_brand_and_platform_and_comes_back_with_our_indices() {
        let subjects = Subjects::new("VIGIE");
        let event = StoreEvent::Analysis(AnalysisEvent::Counted(enriched("bsky:1", vec![1, 0])));
        let messages = subjects.messages(&event, &brands());
        assert_eq!(messages.len(), 1);
        assert_eq!(messages[0].subject, "vigie.mention.bebe_cargo.bluesky");
        assert_eq!(messages[0].id, "c/bsky:1");
        // A display that lists the brands the other way round.
        let mut theirs = brands();
        theirs.reverse();
        match decode(messages[0].body.as_bytes(), &theirs).expect("decodes") {
            Received::Analysis(AnalysisEvent::Counted(e)) => assert_eq!(e.brands, vec![0, 1]),
            other => panic!("{other:?}"),
        }
        // A display that follows neither brand.
        assert_eq!(
            decode(messages[0].body.as_bytes(), &[]).expect("decodes"),
            Received::NotOurs
        );
    }

    #[test]
    fn each_version_of_an_edited_post_has_its_own_message_id() {
        let subjects = Subjects::new("VIGIE");
        let first = enriched("bsky:1", vec![0]);
        let mut second = first.clone();
        second.mention.text.push_str(" (edited)");
        let id = |e: &EnrichedMention| {
            subjects.messages(
                &StoreEvent::Analysis(AnalysisEvent::Edited(e.clone())),
                &brands(),
            )[0]
            .id
            .clone()
        };
        assert_ne!(id(&first), id(&second));
        assert_eq!(
            id(&first),
            id(&first.clone()),
            "the same version, the same id"
        );
    }

    #[test]
    fn a_spike_is_kept_as_state_per_brand_and_minute_and_comes_back_with_our_index() {
        let subjects = Subjects::new("VIGIE");
        let minute: DateTime<Utc> = "2026-11-20T10:01:00Z".parse().expect("time");
        let spike = Spike {
            brand: 1,
            minute,
            count: 45,
            baseline: 3.0,
            score: 14.5,
            detected_at: minute + chrono::TimeDelta::seconds(20),
        };
        let messages = subjects.messages(&StoreEvent::Spike(spike.clone()), &brands());
        assert_eq!(messages.len(), 1);
        assert_eq!(
            messages[0].subject,
            format!("vigie.state.spike.bebe_cargo.{}", minute.timestamp_millis())
        );
        // A grown spike is a new message on the same subject.
        let grown = Spike {
            count: 60,
            ..spike.clone()
        };
        let again = subjects.messages(&StoreEvent::Spike(grown), &brands());
        assert_eq!(again[0].subject, messages[0].subject);
        assert_ne!(again[0].id, messages[0].id);
        let mut theirs = brands();
        theirs.reverse();
        assert_eq!(
            decode(messages[0].body.as_bytes(), &theirs).expect("decodes"),
            Received::Spike(Spike { brand: 0, ..spike })
        );
        assert_eq!(
            decode(messages[0].body.as_bytes(), &[]).expect("decodes"),
            Received::NotOurs
        );
    }

    #[test]
    fn published_again_each_state_keeps_only_its_latest_message() {
        let subjects = Subjects::new("VIGIE");
        let minute: DateTime<Utc> = "2026-11-20T10:01:00Z".parse().expect("time");
        let spike = |count: u32| {
            StoreEvent::Spike(Spike {
                brand: 0,
                minute,
                count,
                baseline: 2.0,
                score: count as f32,
                detected_at: minute,
            })
        };
        let mention = StoreEvent::Analysis(AnalysisEvent::Counted(enriched("bsky:1", vec![0])));
        let mut messages = Vec::new();
        for event in [spike(17), mention, spike(21), spike(24)] {
            messages.extend(subjects.messages(&event, &brands()));
        }
        let again = subjects.latest_states(messages.clone());
        assert_eq!(again.len(), 2);
        assert_eq!(again[0], messages[1], "events are all kept, in order");
        assert_eq!(again[1], messages[3], "the spike as it was last");
    }

    #[test]
    fn tokens_are_safe_subject_parts() {
        assert_eq!(token("Koala & Co"), "koala___co");
        assert_eq!(token("a.b*c>d"), "a_b_c_d");
        assert_eq!(token(""), "_");
    }
}
