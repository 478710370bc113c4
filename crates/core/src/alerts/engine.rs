//! The alert lifecycle: each rule (`rules/<kind>.rs`) says what a post or a tick triggers;
//! the engine raises the alert, updates it while it lasts, ends it, and keeps it quiet for its
//! cooldown. It also keeps what rules read of past posts (recent posts, the words that explain
//! spikes, engagement speeds), computed only when a configured rule needs it. It never blocks
//! and owns no I/O: its changes are collected by the analysis thread, shown on the wall and
//! handed to the sinks.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};

use super::drivers::{PostHistory, SpikeDrivers, candidate_words};
use super::rules::{Key, Needs, Post, Tick, VelocityTracker};
use super::{Alert, AlertChange, AlertRule, Condition, EvidencePost, Severity, Trigger};
use crate::i18n::Locale;
use crate::model::{EnrichedMention, Platform, SourceHealth, Spike, Tone, ToneCounts};
use crate::settings::BrandConfig;
use crate::text::{Reading, folded_words};

/// An alert raised by a post (keyword, author, viral) ends this long after its last trigger.
const EVENT_ALERT_LASTS: TimeDelta = TimeDelta::minutes(15);
const MAX_EVIDENCE: usize = 5;
/// An evidence post keeps this many characters of its text.
const EVIDENCE_CHARS: usize = 280;
/// Ended alerts kept for the wall.
pub const MAX_ENDED_KEPT: usize = 20;
/// Recent posts kept per brand, to show what drove a spike or a negative share.
const RECENT_POSTS_PER_BRAND: usize = 300;

/// A recent post as the engine keeps it, for evidence that most posts never become: its strings
/// in one allocation shared by its brands, where an `EvidencePost` per brand was five.
#[derive(Clone)]
struct RecentPost {
    at: DateTime<Utc>,
    engagement: u64,
    tone: Tone,
    platform: Platform,
    /// The id, the author, the text (cut) and the link, one after the other.
    strings: Arc<str>,
    /// Where the id, the author and the text end in `strings`.
    ends: [usize; 3],
    has_url: bool,
}

impl RecentPost {
    fn new(enriched: &EnrichedMention, scratch: &mut String) -> Self {
        let mention = &enriched.mention;
        scratch.clear();
        let mut ends = [0; 3];
        for (end, part) in ends.iter_mut().zip([
            mention.id.as_str(),
            mention.author.handle.as_str(),
            first_chars(&mention.text, EVIDENCE_CHARS),
        ]) {
            scratch.push_str(part);
            *end = scratch.len();
        }
        scratch.push_str(mention.url.as_deref().unwrap_or_default());
        Self {
            at: mention.created_at,
            engagement: mention.engagement.total(),
            tone: enriched.tone,
            platform: mention.platform,
            strings: Arc::from(scratch.as_str()),
            ends,
            has_url: mention.url.is_some(),
        }
    }

    fn evidence(&self) -> EvidencePost {
        let [id, author, text] = self.ends;
        EvidencePost {
            id: self.strings[..id].to_string(),
            author: self.strings[id..author].to_string(),
            text: self.strings[author..text].to_string(),
            url: self.has_url.then(|| self.strings[text..].to_string()),
            platform: self.platform,
            engagement: self.engagement,
            tone: self.tone,
        }
    }
}

pub struct AlertEngine {
    /// What each rule watches, by rule index (`Key::rule`).
    conditions: Vec<Box<dyn Condition>>,
    book: Book,
    memory: Memory,
    /// What the configured rules need from each post; nothing else is computed for it.
    needs: Needs,
}

/// A rule as the lifecycle needs it.
struct Head {
    name: String,
    severity: Severity,
    brand: Option<usize>,
    cooldown: TimeDelta,
    ends_when_posts_stop: bool,
}

/// The alerts: active, quiet, ended, and the changes not yet collected.
struct Book {
    rules: Vec<Head>,
    brand_names: Vec<String>,
    locale: Locale,
    next_id: u64,
    active: HashMap<Key, Alert>,
    /// When each ended alert's cooldown ends.
    quiet_until: HashMap<Key, DateTime<Utc>>,
    ended: VecDeque<Alert>,
    changes: Vec<AlertChange>,
}

/// What the rules read of past posts.
struct Memory {
    /// Per brand, its keywords as folded word sequences (for "near the brand").
    brand_words: Vec<Vec<Vec<String>>>,
    recent: Vec<VecDeque<RecentPost>>,
    /// Per brand, its recent posts as words, to explain its spikes.
    histories: Vec<PostHistory>,
    velocities: VelocityTracker,
    /// A buffer used again for each recent post's strings.
    scratch: String,
    /// The candidate words of the post being read, as indices of its words (used again).
    candidates: Vec<u32>,
}

impl AlertEngine {
    pub fn new(rules: Vec<AlertRule>, brands: &[BrandConfig], locale: Locale) -> Self {
        let brand_words = brands
            .iter()
            .map(|b| {
                b.keywords
                    .iter()
                    .map(|k| folded_words(k))
                    .filter(|w| !w.is_empty())
                    .collect()
            })
            .collect();
        let (heads, conditions): (Vec<Head>, Vec<Box<dyn Condition>>) = rules
            .into_iter()
            .map(|rule| {
                let head = Head {
                    name: rule.name,
                    severity: rule.severity,
                    brand: rule.brand,
                    cooldown: rule.cooldown,
                    ends_when_posts_stop: rule.condition.ends_when_posts_stop(),
                };
                (head, rule.condition)
            })
            .unzip();
        Self {
            needs: Needs::of(&conditions),
            conditions,
            book: Book {
                rules: heads,
                brand_names: brands.iter().map(|b| b.name.clone()).collect(),
                locale,
                next_id: 1,
                active: HashMap::new(),
                quiet_until: HashMap::new(),
                ended: VecDeque::new(),
                changes: Vec::new(),
            },
            memory: Memory {
                brand_words,
                recent: (0..brands.len()).map(|_| VecDeque::new()).collect(),
                histories: brands
                    .iter()
                    .map(|b| PostHistory::new(&b.keywords))
                    .collect(),
                velocities: VelocityTracker::default(),
                scratch: String::new(),
                candidates: Vec::new(),
            },
        }
    }

    /// Active alerts, most severe and newest first, then the recently ended ones, newest first.
    pub fn alerts(&self) -> Vec<Alert> {
        let mut active: Vec<Alert> = self.book.active.values().cloned().collect();
        active.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(b.started_at.cmp(&a.started_at))
                // Raised at the same instant: the newer id first, whatever the map's order.
                .then(b.id.cmp(&a.id))
        });
        active.extend(self.book.ended.iter().cloned());
        active
    }

    /// Alerts a previous run kept in the history, as they were: the active ones go on (a rule
    /// that still holds updates them rather than raising them again, and sinks are not told
    /// twice; one that no longer holds ends them at its next look), the ended ones are listed
    /// and keep their cooldown. Alerts of rules or brands no longer in the config are left out.
    pub fn restore(&mut self, mut alerts: Vec<Alert>, now: DateTime<Utc>) {
        let book = &mut self.book;
        // The ended ones are listed newest first.
        alerts.sort_by_key(|a| std::cmp::Reverse(a.ended_at));
        for alert in alerts {
            let Some(rule) = book.rules.iter().position(|r| r.name == alert.rule) else {
                continue;
            };
            let brand = match &alert.brand {
                Some(name) => match book.brand_names.iter().position(|b| b == name) {
                    Some(index) => Some(index),
                    None => continue,
                },
                None => None,
            };
            let condition = &mut self.conditions[rule];
            let key = Key {
                rule,
                brand,
                subject: condition.subject(&alert.trigger),
            };
            condition.restore(&alert);
            book.next_id = book.next_id.max(alert.id + 1);
            match alert.ended_at {
                None => {
                    book.active.insert(key, alert);
                }
                Some(ended) => {
                    let until = ended + book.rules[rule].cooldown;
                    if until > now {
                        book.quiet_until.insert(key, until);
                    }
                    if book.ended.len() < MAX_ENDED_KEPT {
                        book.ended.push_back(alert);
                    }
                }
            }
        }
    }

    /// Changes since the last call, in the order they happened.
    pub fn take_changes(&mut self) -> Vec<AlertChange> {
        std::mem::take(&mut self.book.changes)
    }

    /// A counted mention (or a new version of one): per-post rules. `reading` is its text as
    /// the analysis has already read it (folded, split into words).
    pub fn on_mention(
        &mut self,
        enriched: &EnrichedMention,
        reading: &Reading,
        now: DateTime<Utc>,
    ) {
        if self.conditions.is_empty() {
            return;
        }
        let velocity = if self.needs.velocity {
            self.memory.velocities.measure(enriched, now)
        } else {
            None
        };
        self.memory.remember(enriched, reading, self.needs);
        let post = Post {
            enriched,
            reading,
            velocity,
            brand_words: &self.memory.brand_words,
        };
        for (rule, condition) in self.conditions.iter().enumerate() {
            for &brand in &enriched.brands {
                if !self.book.watches(rule, brand) {
                    continue;
                }
                if let Some(trigger) = condition.on_post(&post, brand) {
                    let key = Key {
                        rule,
                        brand: Some(brand),
                        subject: None,
                    };
                    self.book.fire(key, trigger, vec![evidence(enriched)], now);
                }
            }
        }
    }

    /// States, once per tick: `window_tones(minutes)` gives each brand's tone counts over the
    /// last `minutes`.
    pub fn tick(
        &mut self,
        now: DateTime<Utc>,
        window_tones: impl Fn(u32) -> Vec<ToneCounts>,
        spikes: &[Spike],
        sources: &[SourceHealth],
    ) {
        let tick = Tick {
            now,
            window_tones: &window_tones,
            spikes,
            sources,
        };
        for (rule, condition) in self.conditions.iter_mut().enumerate() {
            let mut alerts = RuleAlerts {
                rule,
                book: &mut self.book,
                memory: &self.memory,
                now,
            };
            condition.on_tick(&tick, &mut alerts);
        }
        // Alerts raised by posts end once their posts stop coming, in the order they were
        // raised: the map's order is random, and sinks, the history and every display must
        // see the same sequence of changes.
        let book = &mut self.book;
        let mut stale: Vec<(u64, Key)> = book
            .active
            .iter()
            .filter(|(key, alert)| {
                book.rules[key.rule].ends_when_posts_stop
                    && now - alert.updated_at >= EVENT_ALERT_LASTS
            })
            .map(|(key, alert)| (alert.id, key.clone()))
            .collect();
        stale.sort_unstable_by_key(|(id, _)| *id);
        for (_, key) in stale {
            book.end(&key, now);
        }
    }

    pub fn has_rules(&self) -> bool {
        !self.conditions.is_empty()
    }

    pub fn active_count(&self) -> u32 {
        self.book.active.len() as u32
    }

    /// The most severe active alert, for the wall's banner and frame.
    pub fn most_severe(&self) -> Option<Severity> {
        self.book.active.values().map(|a| a.severity).max()
    }
}

impl Memory {
    /// Keeps what the rules will read of this post: its candidate words in its brands' spike
    /// histories, and the post among their recent ones.
    fn remember(&mut self, enriched: &EnrichedMention, reading: &Reading, needs: Needs) {
        let mention = &enriched.mention;
        // Built once and shared by the brands' recent posts; only when a rule keeps them.
        let post = needs
            .recent
            .then(|| RecentPost::new(enriched, &mut self.scratch));
        // The post was read once by the analysis: its words serve the spike explanations and
        // the keyword rules alike.
        if needs.history {
            candidate_words(reading, &mut self.candidates);
        }
        for &brand in &enriched.brands {
            if needs.history {
                let candidates = self.candidates.iter().map(|&i| reading.word(i as usize));
                self.histories[brand].add(
                    mention.created_at,
                    candidates,
                    &mention.author.handle,
                    mention.platform,
                    mention.engagement.total(),
                );
            }
            if let Some(post) = &post {
                let recent = &mut self.recent[brand];
                if recent.len() == RECENT_POSTS_PER_BRAND {
                    recent.pop_front();
                }
                recent.push_back(post.clone());
            }
        }
    }

    /// The most engaged recent posts of a brand since `from`, of a tone if given.
    fn top_recent(
        &self,
        brand: usize,
        from: DateTime<Utc>,
        tone: Option<Tone>,
    ) -> Vec<EvidencePost> {
        let mut posts: Vec<&RecentPost> = self.recent[brand]
            .iter()
            .filter(|r| r.at >= from && tone.is_none_or(|t| r.tone == t))
            .collect();
        posts.sort_by_key(|p| std::cmp::Reverse(p.engagement));
        posts
            .into_iter()
            .take(MAX_EVIDENCE)
            .map(RecentPost::evidence)
            .collect()
    }
}

impl Book {
    fn watches(&self, rule: usize, brand: usize) -> bool {
        self.rules[rule].brand.is_none_or(|b| b == brand)
    }

    /// Raises an alert for `key`, or updates the one in progress; silent during a cooldown.
    fn fire(
        &mut self,
        key: Key,
        trigger: Trigger,
        evidence: Vec<EvidencePost>,
        now: DateTime<Utc>,
    ) {
        let rule = &self.rules[key.rule];
        let brand = key.brand.map(|b| self.brand_names[b].clone());
        let summary = trigger.summary(self.locale, brand.as_deref());
        if let Some(alert) = self.active.get_mut(&key) {
            let changed = alert.summary != summary;
            alert.trigger = trigger;
            alert.summary = summary;
            alert.updated_at = now;
            let mut added = false;
            for post in evidence.into_iter().rev() {
                if !alert.evidence.iter().any(|p| p.id == post.id) {
                    alert.evidence.insert(0, post);
                    added = true;
                }
            }
            alert.evidence.truncate(MAX_EVIDENCE);
            if changed || added {
                self.changes.push(AlertChange::Updated(alert.clone()));
            }
            return;
        }
        if self.quiet_until.get(&key).is_some_and(|until| now < *until) {
            return;
        }
        let alert = Alert {
            id: self.next_id,
            rule: rule.name.clone(),
            severity: rule.severity,
            brand,
            trigger,
            summary,
            evidence: evidence.into_iter().take(MAX_EVIDENCE).collect(),
            started_at: now,
            updated_at: now,
            ended_at: None,
        };
        self.next_id += 1;
        tracing::warn!(rule = %alert.rule, severity = ?alert.severity, "alert: {}", alert.summary);
        self.changes.push(AlertChange::Raised(alert.clone()));
        self.active.insert(key, alert);
    }

    fn end(&mut self, key: &Key, now: DateTime<Utc>) {
        let Some(mut alert) = self.active.remove(key) else {
            return;
        };
        alert.ended_at = Some(now);
        self.quiet_until
            .insert(key.clone(), now + self.rules[key.rule].cooldown);
        tracing::info!(rule = %alert.rule, "alert ended: {}", alert.summary);
        self.changes.push(AlertChange::Ended(alert.clone()));
        if self.ended.len() == MAX_ENDED_KEPT {
            self.ended.pop_back();
        }
        self.ended.push_front(alert);
    }
}

/// One rule's alerts at a tick, and the posts the engine remembers: what a rule's `on_tick`
/// may raise, update and end, and read.
pub struct RuleAlerts<'a> {
    rule: usize,
    book: &'a mut Book,
    memory: &'a Memory,
    now: DateTime<Utc>,
}

impl RuleAlerts<'_> {
    /// The brands this rule watches.
    pub fn brands(&self) -> impl Iterator<Item = usize> + use<> {
        let watched: Vec<usize> = (0..self.book.brand_names.len())
            .filter(|&b| self.book.watches(self.rule, b))
            .collect();
        watched.into_iter()
    }

    /// The alert of this rule for `brand`; `None` when the rule watches another brand.
    pub fn for_brand(&self, brand: usize) -> Option<Key> {
        self.book.watches(self.rule, brand).then_some(Key {
            rule: self.rule,
            brand: Some(brand),
            subject: None,
        })
    }

    /// The alert of this rule about `subject` (a source), whatever the brand.
    pub fn for_subject(&self, subject: &str) -> Key {
        Key {
            rule: self.rule,
            brand: None,
            subject: Some(subject.to_string()),
        }
    }

    /// Raises the alert of `key`, or updates the one in progress; silent during a cooldown.
    pub fn fire(&mut self, key: Key, trigger: Trigger, evidence: Vec<EvidencePost>) {
        self.book.fire(key, trigger, evidence, self.now);
    }

    pub fn end(&mut self, key: &Key) {
        self.book.end(key, self.now);
    }

    /// The trigger of the alert in progress for `key`.
    pub fn current(&self, key: &Key) -> Option<&Trigger> {
        self.book.active.get(key).map(|a| &a.trigger)
    }

    /// The most engaged recent posts of a brand since `from`, of a tone if given.
    pub fn top_recent(
        &self,
        brand: usize,
        from: DateTime<Utc>,
        tone: Option<Tone>,
    ) -> Vec<EvidencePost> {
        self.memory.top_recent(brand, from, tone)
    }

    /// What drove a brand's posts since `since`: words, authors, platforms.
    pub fn explain(&self, brand: usize, since: DateTime<Utc>) -> SpikeDrivers {
        self.memory.histories[brand].explain(since)
    }
}

/// A post as evidence, when a rule fires on it: as it would be kept among the recent posts.
fn evidence(enriched: &EnrichedMention) -> EvidencePost {
    RecentPost::new(enriched, &mut String::new()).evidence()
}

/// The first `n` characters of `text`.
pub fn first_chars(text: &str, n: usize) -> &str {
    if text.len() <= n {
        // No more bytes than `n`, so no more characters.
        return text;
    }
    text.char_indices()
        .nth(n)
        .map_or(text, |(at, _)| &text[..at])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recent_post_gives_back_its_evidence() {
        let mut enriched = crate::model::test_card("bluesky:42", "");
        enriched.mention.author.handle = "lucie".into();
        enriched.mention.text = format!("Été  chez Petit Loup {}", "é".repeat(300));
        enriched.mention.engagement.likes = 3;
        enriched.mention.engagement.shares = 1;
        enriched.tone = Tone::Negative;
        let cut = format!("Été  chez Petit Loup {}", "é".repeat(280 - 21));
        for url in [Some("https://bsky.app/p/42".to_string()), None] {
            enriched.mention.url = url.clone();
            let kept = RecentPost::new(&enriched, &mut String::from("old"));
            assert_eq!(
                kept.evidence(),
                EvidencePost {
                    id: "bluesky:42".into(),
                    author: "lucie".into(),
                    text: cut.clone(),
                    url,
                    platform: Platform::Bluesky,
                    engagement: 4,
                    tone: Tone::Negative,
                }
            );
        }
    }

    #[test]
    fn evidence_text_is_cut_at_a_character_count_not_a_byte() {
        assert_eq!(first_chars("court", 280), "court");
        assert_eq!(first_chars("ééééé", 3), "ééé");
        assert_eq!(first_chars("abc", 3), "abc");
        assert_eq!(first_chars("été", 4), "été", "6 bytes, 3 characters");
        assert_eq!(first_chars("", 0), "");
    }

    /// Twelve brands' alerts raised by one post each, at the same instant, end at the same
    /// tick: they must end in the order they were raised, as every display and sink sees them
    /// (the active alerts are a hash map, whose order changes from run to run).
    #[test]
    fn alerts_ending_together_end_in_the_order_they_were_raised() {
        let brands: Vec<BrandConfig> = (0..12)
            .map(|n| BrandConfig {
                name: format!("Marque {n}"),
                own: n == 0,
                color: "#4FC3F7".into(),
                keywords: vec![format!("marque{n}")],
                exclude: Vec::new(),
                accounts: Vec::new(),
            })
            .collect();
        let rule = AlertRule {
            name: "influenceur-negatif".into(),
            severity: Severity::Warning,
            brand: None,
            cooldown: TimeDelta::minutes(30),
            condition: Box::new(super::super::rules::InfluentialNegative { min_reach: 1000 }),
            takeover: None,
        };
        let mut engine = AlertEngine::new(vec![rule], &brands, Locale::Fr);
        let at = DateTime::from_timestamp(1_763_632_800, 0).unwrap_or_default();
        for brand in 0..brands.len() {
            let mut card = crate::model::test_card(&format!("x:{brand}"), "horrible");
            card.brands = vec![brand];
            card.tone = Tone::Negative;
            card.mention.author.reach = 50_000;
            card.mention.created_at = at;
            engine.on_mention(&card, &Reading::of("horrible"), at);
        }
        let raised: Vec<u64> = engine.take_changes().iter().map(|c| c.alert().id).collect();
        assert_eq!(raised.len(), brands.len());
        engine.tick(at + EVENT_ALERT_LASTS, |_| Vec::new(), &[], &[]);
        let ended: Vec<u64> = engine
            .take_changes()
            .iter()
            .filter(|c| matches!(c, AlertChange::Ended(_)))
            .map(|c| c.alert().id)
            .collect();
        assert_eq!(ended, raised);
        let listed: Vec<u64> = engine.alerts().iter().map(|a| a.id).collect();
        let mut newest_first = raised.clone();
        newest_first.reverse();
        assert_eq!(listed, newest_first);
    }
}
