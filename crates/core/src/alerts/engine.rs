//! Evaluates the alert rules. Mentions are checked as they are counted (keyword, influential
//! author, viral post); states are checked on each tick (negative share, volume spikes,
//! sources down). The engine never blocks and owns no I/O: its changes are collected by the
//! analysis thread, shown on the wall and handed to the sinks.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use vigie_anomaly::rank::RollingRank;

use super::drivers::{PostHistory, candidate_words};
use super::{Alert, AlertChange, AlertRule, Condition, EvidencePost, Severity, Trigger};
use crate::analysis::dedupe::{IdLru, id_key, id_lru};
use crate::i18n::{Locale, alert_summary};
use crate::model::{EnrichedMention, HealthState, Platform, SourceHealth, Spike, Tone, ToneCounts};
use crate::settings::BrandConfig;
use crate::text::{Reading, folded_words};

/// An alert raised by a post (keyword, author, viral) ends this long after its last trigger.
const EVENT_ALERT_LASTS: TimeDelta = TimeDelta::minutes(15);
/// A spike alert lasts while its brand had a flagged minute this recently.
const SPIKE_ALERT_LASTS: TimeDelta = TimeDelta::minutes(10);
/// Flagged minutes this recent belong to the spike being explained.
const EPISODE_VIEW: TimeDelta = TimeDelta::minutes(30);
/// A negative-share alert ends when the share falls below this part of its threshold, so a
/// share hovering at the threshold does not flap.
const NEGATIVE_SHARE_RELEASE: f32 = 0.9;
const MAX_EVIDENCE: usize = 5;
/// An evidence post keeps this many characters of its text.
const EVIDENCE_CHARS: usize = 280;
/// Ended alerts kept for the wall.
pub const MAX_ENDED_KEPT: usize = 20;
/// Recent posts kept per brand, to show what drove a spike or a negative share.
const RECENT_POSTS_PER_BRAND: usize = 300;
/// Engagement velocities of recent posts, to tell viral from merely popular.
const VELOCITY_SAMPLE: usize = 5000;
/// A viral post gains engagement this many times faster than 999 posts in 1,000.
const VIRAL_OVER_USUAL: f64 = 10.0;
const USUAL_VELOCITY_QUANTILE: f64 = 0.999;
/// A post's first sight counts its engagement as gained over at least this long, so a post seen
/// seconds after it was written does not read as infinitely fast.
const MIN_AGE_FOR_VELOCITY: TimeDelta = TimeDelta::minutes(5);
/// Previous sightings remembered for engagement growth between two sightings.
const SIGHTINGS_KEPT: usize = 10_000;

/// Which alert: a rule, a brand, and for sources the source's name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    rule: usize,
    brand: Option<usize>,
    subject: Option<String>,
}

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
    rules: Vec<AlertRule>,
    brand_names: Vec<String>,
    /// Per brand, its keywords as folded word sequences (for "near the brand").
    brand_words: Vec<Vec<Vec<String>>>,
    locale: Locale,
    next_id: u64,
    active: HashMap<Key, Alert>,
    /// When each ended alert's cooldown ends.
    quiet_until: HashMap<Key, DateTime<Utc>>,
    ended: VecDeque<Alert>,
    changes: Vec<AlertChange>,
    recent: Vec<VecDeque<RecentPost>>,
    /// Per brand, its recent posts as words, to explain its spikes.
    histories: Vec<PostHistory>,
    velocities: RollingRank,
    sightings: IdLru<(DateTime<Utc>, u64)>,
    down_since: HashMap<String, DateTime<Utc>>,
    /// What the configured rules need from each mention; nothing else is computed for it.
    needs: Needs,
    /// A buffer used again for each recent post's strings.
    scratch: String,
    /// The candidate words of the post being read, as indices of its words (used again).
    candidates: Vec<u32>,
}

/// The per-mention work the rules call for.
#[derive(Debug, Clone, Copy, Default)]
struct Needs {
    /// Engagement speed (viral posts).
    velocity: bool,
    /// The word history that explains spikes.
    history: bool,
    /// The recent posts that evidence spikes and negative shares.
    recent: bool,
}

impl Needs {
    fn of(rules: &[AlertRule]) -> Self {
        let any = |f: fn(&Condition) -> bool| rules.iter().any(|r| f(&r.condition));
        let spikes = any(|c| matches!(c, Condition::VolumeSpike));
        Self {
            velocity: any(|c| matches!(c, Condition::ViralPost { .. })),
            history: spikes,
            recent: spikes || any(|c| matches!(c, Condition::NegativeShare { .. })),
        }
    }
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
        Self {
            brand_names: brands.iter().map(|b| b.name.clone()).collect(),
            brand_words,
            locale,
            next_id: 1,
            active: HashMap::new(),
            quiet_until: HashMap::new(),
            ended: VecDeque::new(),
            changes: Vec::new(),
            recent: (0..brands.len()).map(|_| VecDeque::new()).collect(),
            histories: brands
                .iter()
                .map(|b| PostHistory::new(&b.keywords))
                .collect(),
            velocities: RollingRank::new(VELOCITY_SAMPLE),
            sightings: id_lru(SIGHTINGS_KEPT),
            down_since: HashMap::new(),
            needs: Needs::of(&rules),
            scratch: String::new(),
            candidates: Vec::new(),
            rules,
        }
    }

    /// Active alerts, most severe and newest first, then the recently ended ones, newest first.
    pub fn alerts(&self) -> Vec<Alert> {
        let mut active: Vec<Alert> = self.active.values().cloned().collect();
        active.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(b.started_at.cmp(&a.started_at))
                // Raised at the same instant: the newer id first, whatever the map's order.
                .then(b.id.cmp(&a.id))
        });
        active.extend(self.ended.iter().cloned());
        active
    }

    /// Alerts a previous run kept in the history, as they were: the active ones go on (a rule
    /// that still holds updates them rather than raising them again, and sinks are not told
    /// twice; one that no longer holds ends them at its next look), the ended ones are listed
    /// and keep their cooldown. Alerts of rules or brands no longer in the config are left out.
    pub fn restore(&mut self, mut alerts: Vec<Alert>, now: DateTime<Utc>) {
        // The ended ones are listed newest first.
        alerts.sort_by_key(|a| std::cmp::Reverse(a.ended_at));
        for alert in alerts {
            let Some(rule) = self.rules.iter().position(|r| r.name == alert.rule) else {
                continue;
            };
            let brand = match &alert.brand {
                Some(name) => match self.brand_names.iter().position(|b| b == name) {
                    Some(index) => Some(index),
                    None => continue,
                },
                None => None,
            };
            let subject = match &alert.trigger {
                Trigger::SourceDown { source, .. } => Some(source.clone()),
                _ => None,
            };
            let key = Key {
                rule,
                brand,
                subject,
            };
            self.next_id = self.next_id.max(alert.id + 1);
            match alert.ended_at {
                None => {
                    if let Trigger::SourceDown { source, .. } = &alert.trigger {
                        self.down_since.insert(source.clone(), alert.started_at);
                    }
                    self.active.insert(key, alert);
                }
                Some(ended) => {
                    let until = ended + self.rules[rule].cooldown;
                    if until > now {
                        self.quiet_until.insert(key, until);
                    }
                    if self.ended.len() < MAX_ENDED_KEPT {
                        self.ended.push_back(alert);
                    }
                }
            }
        }
    }

    /// Changes since the last call, in the order they happened.
    pub fn take_changes(&mut self) -> Vec<AlertChange> {
        std::mem::take(&mut self.changes)
    }

    /// A counted mention (or a new version of one): per-post rules. `reading` is its text as
    /// the analysis has already read it (folded, split into words).
    pub fn on_mention(
        &mut self,
        enriched: &EnrichedMention,
        reading: &Reading,
        now: DateTime<Utc>,
    ) {
        if self.rules.is_empty() {
            return;
        }
        let mention = &enriched.mention;
        let velocity = if self.needs.velocity {
            self.velocity(enriched, now)
        } else {
            None
        };
        // Built once and shared by the brands' recent posts; only when a rule keeps them.
        let post = self
            .needs
            .recent
            .then(|| RecentPost::new(enriched, &mut self.scratch));
        // The post was read once by the analysis: its words serve the spike explanations and
        // the keyword rules alike.
        if self.needs.history {
            candidate_words(reading, &mut self.candidates);
        }
        for &brand in &enriched.brands {
            if self.needs.history {
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
        for rule in 0..self.rules.len() {
            for &brand in &enriched.brands {
                let Some(key) = self.brand_key(rule, brand) else {
                    continue;
                };
                let trigger = match &self.rules[rule].condition {
                    Condition::Keyword {
                        phrases,
                        within_words,
                    } => phrases
                        .iter()
                        .find(|phrase| {
                            near(reading, phrase, &self.brand_words[brand], *within_words)
                        })
                        .map(|phrase| Trigger::Keyword {
                            word: phrase.join(" "),
                        }),
                    Condition::InfluentialNegative { min_reach } => {
                        (enriched.tone == Tone::Negative && mention.author.reach >= *min_reach)
                            .then(|| Trigger::InfluentialNegative {
                                author: mention.author.handle.clone(),
                                reach: mention.author.reach,
                            })
                    }
                    Condition::ViralPost { min_per_minute } => velocity
                        .filter(|v| v.is_viral(*min_per_minute))
                        .map(|v| Trigger::ViralPost {
                            per_minute: v.per_minute,
                            engagement: mention.engagement.total(),
                        }),
                    _ => None,
                };
                if let Some(trigger) = trigger {
                    self.fire(key, trigger, vec![evidence(enriched)], now);
                }
            }
        }
    }

    /// Engagement gained per minute: since the last sighting of this post, or since it was
    /// written. Recorded in the sample of usual velocities.
    fn velocity(&mut self, enriched: &EnrichedMention, now: DateTime<Utc>) -> Option<Velocity> {
        let mention = &enriched.mention;
        let engagement = mention.engagement.total();
        let per_minute = match self.sightings.put(id_key(&mention.id), (now, engagement)) {
            Some((seen_at, seen)) if now > seen_at => {
                let minutes = (now - seen_at).num_milliseconds() as f64 / 60_000.0;
                engagement.saturating_sub(seen) as f64 / minutes.max(1.0)
            }
            Some(_) => return None,
            None => {
                let age = (now - mention.created_at).max(MIN_AGE_FOR_VELOCITY);
                engagement as f64 / (age.num_milliseconds() as f64 / 60_000.0)
            }
        };
        let usual = self.velocities.quantile(USUAL_VELOCITY_QUANTILE);
        self.velocities.push(per_minute);
        Some(Velocity { per_minute, usual })
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
        for rule in 0..self.rules.len() {
            match self.rules[rule].condition.clone() {
                Condition::NegativeShare {
                    threshold,
                    window_minutes,
                    min_mentions,
                } => {
                    let tones = window_tones(window_minutes);
                    for (brand, counts) in tones.iter().enumerate() {
                        let Some(key) = self.brand_key(rule, brand) else {
                            continue;
                        };
                        let mentions = counts.total();
                        let share = counts.negative_share().unwrap_or(0.0);
                        if mentions >= min_mentions && share >= threshold {
                            let evidence = self.top_recent(
                                brand,
                                now - TimeDelta::minutes(i64::from(window_minutes)),
                                Some(Tone::Negative),
                            );
                            let trigger = Trigger::NegativeShare {
                                share,
                                threshold,
                                mentions,
                                window_minutes,
                            };
                            self.fire(key, trigger, evidence, now);
                        } else if share < threshold * NEGATIVE_SHARE_RELEASE
                            || mentions < min_mentions
                        {
                            self.end(&key, now);
                        }
                    }
                }
                Condition::VolumeSpike => {
                    for brand in 0..self.brand_names.len() {
                        let Some(key) = self.brand_key(rule, brand) else {
                            continue;
                        };
                        let latest = spikes
                            .iter()
                            .filter(|s| {
                                s.brand == brand
                                    && s.minute <= now
                                    && now - s.minute <= SPIKE_ALERT_LASTS
                            })
                            .max_by_key(|s| s.count);
                        match latest {
                            Some(spike) => {
                                let unchanged = matches!(
                                    self.active.get(&key).map(|a| &a.trigger),
                                    Some(Trigger::VolumeSpike { count, .. }) if *count == spike.count
                                );
                                if unchanged {
                                    // Explained already: the words are recounted only when
                                    // the spike grows.
                                    continue;
                                }
                                // The storm started at its first flagged minute still in view.
                                let since = spikes
                                    .iter()
                                    .filter(|s| {
                                        s.brand == brand
                                            && s.minute <= now
                                            && now - s.minute <= EPISODE_VIEW
                                    })
                                    .map(|s| s.minute)
                                    .min()
                                    .unwrap_or(spike.minute);
                                let evidence = self.top_recent(brand, since, None);
                                let trigger = Trigger::VolumeSpike {
                                    count: spike.count,
                                    expected: spike.baseline,
                                    drivers: self.histories[brand].explain(since),
                                };
                                self.fire(key, trigger, evidence, now);
                            }
                            None => self.end(&key, now),
                        }
                    }
                }
                Condition::SourceDown { after } => {
                    for source in sources {
                        let key = Key {
                            rule,
                            brand: None,
                            subject: Some(source.name.clone()),
                        };
                        let down = match &source.state {
                            HealthState::Failed { reason, .. } => Some((
                                *self.down_since.entry(source.name.clone()).or_insert(now),
                                reason.clone(),
                            )),
                            HealthState::Stale { since } => Some((*since, String::new())),
                            _ => None,
                        };
                        match down {
                            Some((since, reason)) if now - since >= after => {
                                let trigger = Trigger::SourceDown {
                                    source: source.name.clone(),
                                    minutes: (now - since).num_minutes(),
                                    reason,
                                };
                                self.fire(key, trigger, Vec::new(), now);
                            }
                            Some(_) => {}
                            None => {
                                self.down_since.remove(&source.name);
                                self.end(&key, now);
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        // Alerts raised by posts end once their posts stop coming, in the order they were
        // raised: the map's order is random, and sinks, the history and every display must
        // see the same sequence of changes.
        let mut stale: Vec<(u64, Key)> = self
            .active
            .iter()
            .filter(|(key, alert)| {
                matches!(
                    self.rules[key.rule].condition,
                    Condition::Keyword { .. }
                        | Condition::InfluentialNegative { .. }
                        | Condition::ViralPost { .. }
                ) && now - alert.updated_at >= EVENT_ALERT_LASTS
            })
            .map(|(key, alert)| (alert.id, key.clone()))
            .collect();
        stale.sort_unstable_by_key(|(id, _)| *id);
        for (_, key) in stale {
            self.end(&key, now);
        }
    }

    /// The alert of `rule` for `brand`; `None` when the rule watches another brand.
    fn brand_key(&self, rule: usize, brand: usize) -> Option<Key> {
        if self.rules[rule].brand.is_some_and(|b| b != brand) {
            return None;
        }
        Some(Key {
            rule,
            brand: Some(brand),
            subject: None,
        })
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
        let summary = alert_summary(self.locale, brand.as_deref(), &trigger);
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

    pub fn has_rules(&self) -> bool {
        !self.rules.is_empty()
    }

    pub fn active_count(&self) -> u32 {
        self.active.len() as u32
    }

    /// The most severe active alert, for the wall's banner and frame.
    pub fn most_severe(&self) -> Option<Severity> {
        self.active.values().map(|a| a.severity).max()
    }
}

#[derive(Debug, Clone, Copy)]
struct Velocity {
    per_minute: f64,
    /// What 999 posts in 1,000 stay under, among the recent ones; `None` before any.
    usual: Option<f64>,
}

impl Velocity {
    fn is_viral(&self, min_per_minute: f64) -> bool {
        self.per_minute >= min_per_minute
            && self
                .usual
                .is_none_or(|usual| self.per_minute >= VIRAL_OVER_USUAL * usual)
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

/// Whether the word sequence `watched` occurs within `within` words of one of `brand_keywords`.
fn near(
    words: &Reading,
    watched: &[String],
    brand_keywords: &[Vec<String>],
    within: usize,
) -> bool {
    let starts = |phrase: &[String]| -> Vec<usize> {
        if phrase.is_empty() || phrase.len() > words.len() {
            return Vec::new();
        }
        (0..=words.len() - phrase.len())
            .filter(|&i| {
                phrase
                    .iter()
                    .enumerate()
                    .all(|(at, part)| words.word_bytes(i + at) == part.as_bytes())
            })
            .collect()
    };
    let hits = starts(watched);
    if hits.is_empty() {
        return false;
    }
    brand_keywords.iter().any(|keyword| {
        starts(keyword)
            .iter()
            .any(|&b| hits.iter().any(|&h| h.abs_diff(b) <= within))
    })
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
            condition: Condition::InfluentialNegative { min_reach: 1000 },
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
