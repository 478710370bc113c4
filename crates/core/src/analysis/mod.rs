//! The analysis: plain Rust, no Bevy, no I/O. Mentions come in; duplicates are dropped, brands
//! matched, sentiment scored, volume bucketed, spikes detected; figures go out. Time is event
//! time and "now" comes from the injected clock, so a replay and a test compute what live does.

pub mod aggregate;
pub mod dedupe;
pub mod influencers;
pub mod matching;
pub mod resident;
pub mod response;
pub mod spikes;
pub mod topics;
pub mod trending;

use chrono::{DateTime, TimeDelta, Utc};

use aggregate::{Contribution, MinuteRing, bar_grid, minute_key, minute_start};
use dedupe::{Counted, Ledger, Seen};
use matching::BrandMatcher;
use topics::TopicMatcher;
use trending::{TermExtractor, Terms, Trending};
pub use vigie_sentiment as sentiment;

use self::sentiment::{Lang, SentimentScorer, detect_language};
use spikes::SpikeDetector;

use crate::alerts::{AlertChange, AlertEngine};
use crate::limits::MAX_CHART_MINUTES;
use crate::model::{
    AnalysisEvent, BrandInfo, EnrichedMention, Figures, Mention, SourceEvent, SourceHealth, Spike,
    Tone, TopicInfo, VolumeChart, WindowTotals, WindowsWanted,
};
use crate::settings::{AnalysisSettings, BrandConfig};
use crate::text::Reading;

/// The volume chart has at most this many bars, whatever its window.
pub const MAX_CHART_BARS: i64 = 120;
/// Mentions dated this far in the future (clock skew between a source and us) are still taken.
const FUTURE_TOLERANCE: TimeDelta = TimeDelta::minutes(5);
/// A spike counts as an active alert for this long after its minute.
const ALERT_ACTIVE_FOR: TimeDelta = TimeDelta::minutes(10);

/// What became of one mention.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Matched(Box<EnrichedMention>),
    /// A new version of a mention already counted: its old contribution was taken back and the
    /// new one counted in its place.
    Edited(Box<EnrichedMention>),
    /// Deleted at its source and taken out of the figures; the id of its card.
    Retracted(String),
    Duplicate,
    /// About none of the configured brands.
    Unmatched,
    /// Older than the late tolerance or than the widest window.
    TooLate,
    /// Changed what the wall shows without a mention to show (an alert from the hub).
    Noted,
}

pub struct Analyzer {
    brands: Vec<BrandInfo>,
    matcher: BrandMatcher,
    topics: Vec<TopicInfo>,
    topic_matcher: TopicMatcher,
    terms: TermExtractor,
    /// The terms of the mention being counted (a buffer used again).
    term_buffer: Terms,
    /// The mention being counted, folded and split once (a buffer used again).
    reading: Reading,
    /// The trending terms it counted (a buffer used again).
    counted_terms: Vec<trending::TermKey>,
    trending: Trending,
    /// (window, brand) of each trending tile.
    trending_wanted: Vec<(u32, usize)>,
    influencers: influencers::Influencers,
    /// (window, brand) of each influencers tile.
    influencers_wanted: Vec<(u32, usize)>,
    response: response::ResponseTracker,
    scorer: SentimentScorer,
    ledger: Ledger,
    ring: MinuteRing,
    spikes: SpikeDetector,
    /// Windows of the volume charts, in minutes; the config's first.
    chart_windows: Vec<u32>,
    /// Windows of the per-brand totals (share of voice, sentiment); the config's first.
    share_windows: Vec<u32>,
    late_tolerance: TimeDelta,
    alerts: AlertEngine,
    /// A display's alerts: the hub's, as it raised them (`follows_hub`).
    remote_alerts: Option<crate::alerts::remote::RemoteAlerts>,
    processed: u64,
    duplicates: u64,
    unmatched: u64,
    too_late: u64,
    retracted: u64,
}

impl Analyzer {
    pub fn new(config: &AnalysisSettings) -> anyhow::Result<Self> {
        let brands: Vec<BrandInfo> = config.brands.iter().map(BrandConfig::info).collect();
        // The ring covers the widest window a layout may ask for (so a layout reloaded with a
        // new window finds its history), plus the minute in progress and the future tolerance.
        let widest = TimeDelta::minutes(i64::from(MAX_CHART_MINUTES))
            .max(TimeDelta::minutes(i64::from(config.chart_hours) * 60))
            .max(TimeDelta::minutes(i64::from(
                config.spikes.baseline_minutes,
            )));
        let ring_minutes = (widest + FUTURE_TOLERANCE).num_minutes() as usize + 2;
        Ok(Self {
            matcher: BrandMatcher::new(&config.brands)?,
            topics: config.topics.iter().map(|t| t.info.clone()).collect(),
            topic_matcher: TopicMatcher::new(&config.topics)?,
            terms: TermExtractor::new(config.brands.iter().flat_map(|b| &b.keywords)),
            term_buffer: Terms::default(),
            reading: Reading::default(),
            counted_terms: Vec::new(),
            trending: Trending::new(),
            trending_wanted: Vec::new(),
            influencers: influencers::Influencers::new(),
            influencers_wanted: Vec::new(),
            response: response::ResponseTracker::new(&config.brands),
            scorer: SentimentScorer::new(),
            ledger: {
                let ledger = Ledger::new(config.analysis.dedupe_capacity);
                tracing::info!(
                    ids = config.analysis.dedupe_capacity,
                    megabytes = ledger.reserved_bytes() / 1_000_000,
                    "dedupe ledger reserved"
                );
                ledger
            },
            ring: MinuteRing::with_topics(ring_minutes, brands.len(), config.topics.len()),
            spikes: SpikeDetector::new(config.spikes.clone(), brands.len()),
            chart_windows: vec![config.chart_hours * 60],
            share_windows: vec![config.sov_window_minutes],
            late_tolerance: TimeDelta::minutes(i64::from(config.analysis.late_tolerance_minutes))
                .min(widest),
            alerts: AlertEngine::new(config.alerts.clone(), &config.brands, config.locale),
            remote_alerts: None,
            brands,
            processed: 0,
            duplicates: 0,
            unmatched: 0,
            too_late: 0,
            retracted: 0,
        })
    }

    pub fn brands(&self) -> &[BrandInfo] {
        &self.brands
    }

    /// Adds the windows the wall's tiles show to the config's defaults (which stay first).
    pub fn set_windows(&mut self, wanted: &WindowsWanted) {
        let merge = |defaults: &mut Vec<u32>, more: &[u32], max: u32| {
            defaults.truncate(1);
            for &w in more {
                if w > 0 && w <= max && !defaults.contains(&w) {
                    defaults.push(w);
                }
            }
        };
        merge(&mut self.chart_windows, &wanted.charts, MAX_CHART_MINUTES);
        merge(&mut self.share_windows, &wanted.shares, MAX_CHART_MINUTES);
        let mut trending_windows: Vec<u32> = wanted.trending.iter().map(|&(w, _)| w).collect();
        trending_windows.sort_unstable();
        trending_windows.dedup();
        self.trending.set_windows(&trending_windows);
        self.trending_wanted = wanted
            .trending
            .iter()
            .copied()
            .filter(|&(_, brand)| brand < self.brands.len())
            .collect();
        let mut influencer_windows: Vec<u32> = wanted.influencers.iter().map(|&(w, _)| w).collect();
        influencer_windows.sort_unstable();
        influencer_windows.dedup();
        self.influencers.set_windows(&influencer_windows);
        self.influencers_wanted = wanted
            .influencers
            .iter()
            .copied()
            .filter(|&(_, brand)| brand < self.brands.len())
            .collect();
    }

    /// Takes one event from a source at `now` (event time).
    pub fn handle(&mut self, event: SourceEvent, now: DateTime<Utc>) -> Outcome {
        match event {
            SourceEvent::Post(mention) => self.process(mention, now),
            SourceEvent::Edit(mention) => self.edit(mention, now),
            SourceEvent::Delete { id } => self.delete(id),
            // Its acknowledgement is the analysis thread's to pass on; here it is dropped.
            SourceEvent::Acked { event, .. } => self.handle(*event, now),
            // For the history (the analysis thread passes it on), not the figures.
            SourceEvent::Checkpoint(_) => Outcome::Noted,
        }
    }

    /// Takes one new mention at `now` (event time).
    pub fn process(&mut self, mention: Mention, now: DateTime<Utc>) -> Outcome {
        self.processed += 1;
        if !self.ledger.first_time(&mention.id) {
            self.duplicates += 1;
            return Outcome::Duplicate;
        }
        let age = now - mention.created_at;
        if age > self.late_tolerance || age < -FUTURE_TOLERANCE {
            self.too_late += 1;
            self.ledger.record(&mention.id, Seen::Ignored);
            return Outcome::TooLate;
        }
        match self.count(mention, now) {
            Some(enriched) => {
                self.count_author(&enriched, now);
                Outcome::Matched(enriched)
            }
            None => {
                self.unmatched += 1;
                Outcome::Unmatched
            }
        }
    }

    /// A mention changed at its source: its old contribution leaves the figures and the new
    /// text is matched and scored again, in the same minute as before.
    fn edit(&mut self, mention: Mention, now: DateTime<Utc>) -> Outcome {
        match self.ledger.get(&mention.id) {
            None => self.process(mention, now),
            Some(Seen::Deleted) => Outcome::Duplicate,
            Some(Seen::Ignored) => {
                // A text edited to name a brand now counts.
                match self.count(mention, now) {
                    Some(enriched) => {
                        self.count_author(&enriched, now);
                        Outcome::Matched(enriched)
                    }
                    None => Outcome::Unmatched,
                }
            }
            Some(Seen::Counted(before)) => {
                self.uncount(&before);
                match self.count(mention.clone(), now) {
                    Some(enriched) => Outcome::Edited(enriched),
                    None => {
                        // Edited so that it names no brand any more: it leaves the wall.
                        self.ledger.record(&mention.id, Seen::Ignored);
                        Outcome::Retracted(mention.id)
                    }
                }
            }
        }
    }

    fn delete(&mut self, id: String) -> Outcome {
        match self.ledger.get(&id) {
            Some(Seen::Counted(before)) => {
                self.uncount(&before);
                self.ledger.record(&id, Seen::Deleted);
                self.retracted += 1;
                Outcome::Retracted(id)
            }
            Some(Seen::Deleted) => Outcome::Duplicate,
            // Remembered even when unseen: the post may still arrive late (a replayed
            // overlap after a reconnect) and must not be counted then.
            Some(Seen::Ignored) | None => {
                self.ledger.record(&id, Seen::Deleted);
                Outcome::Unmatched
            }
        }
    }

    /// Matches, scores and counts a mention; `None` when it is about no brand.
    fn count(&mut self, mention: Mention, now: DateTime<Utc>) -> Option<Box<EnrichedMention>> {
        // Read once: folded and split into words, for every stage below.
        self.reading.read(&mention.text);
        let brands = self.matcher.brands_in_folded(self.reading.folded());
        // Before the brand test: a brand's answer need not name the brand.
        self.response.observe(&mention, &brands);
        if brands.is_empty() {
            self.ledger.record(&mention.id, Seen::Ignored);
            return None;
        }
        let lang = match mention.lang.as_deref() {
            Some("fr") => Lang::Fr,
            Some("en") => Lang::En,
            _ => detect_language(&mention.text),
        };
        let sentiment = rated_sentiment(mention.rating)
            .unwrap_or_else(|| self.scorer.score(&mention.text, lang));
        let tone = Tone::from_score(sentiment);
        let key = minute_key(mention.created_at);
        let what = Contribution {
            tone,
            platform: mention.platform,
            engagement: mention.engagement.total(),
            reach: mention.author.reach,
            topics: self.topic_matcher.topics_in_folded(self.reading.folded()),
        };
        for &brand in &brands {
            self.ring.count(key, brand, &what);
            if let Some(spike) = self
                .spikes
                .observe(&self.ring, brand, key, mention.created_at)
            {
                tracing::info!(
                    brand = %self.brands[brand].name,
                    minute = %spike.minute,
                    count = spike.count,
                    baseline = spike.baseline,
                    "volume spike"
                );
            }
        }
        self.remember_counted(&mention.id, &mention.text, key, &brands, what, now);
        let enriched = Box::new(EnrichedMention {
            // A borrowed name: no string a post.
            lang: std::borrow::Cow::Borrowed(match lang {
                Lang::Fr => "fr",
                Lang::En => "en",
                Lang::Unknown => "",
            }),
            mention,
            brands,
            sentiment,
            tone,
        });
        self.alerts.on_mention(&enriched, &self.reading, now);
        Some(enriched)
    }

    /// Counts a mention's trending terms and remembers in the ledger all it added, so that an
    /// edit or a deletion can take it back.
    fn remember_counted(
        &mut self,
        id: &str,
        text: &str,
        key: aggregate::MinuteKey,
        brands: &[usize],
        what: Contribution,
        now: DateTime<Utc>,
    ) {
        self.trending.advance(minute_key(now));
        // Most of a restored day is older than any trending window: its words are not read.
        self.counted_terms.clear();
        if self.trending.holds(key) {
            // `reading` is of `text`: `count` read it, and `count_as_analysed` reads it whole
            // when its words may trend.
            self.terms
                .terms_of(&self.reading, text, &mut self.term_buffer);
            self.trending
                .count(key, brands, &self.term_buffer, &mut self.counted_terms);
        }
        self.ledger
            .record_counted(id, key, Counted::mask(brands), what, &self.counted_terms);
    }

    /// Counts a newly counted mention's author among the window's influencers (an edit is not
    /// a new mention of its author).
    fn count_author(&mut self, enriched: &EnrichedMention, now: DateTime<Utc>) {
        self.influencers.advance(minute_key(now));
        self.influencers.count(
            minute_key(enriched.mention.created_at),
            &enriched.brands,
            &enriched.mention,
            enriched.tone,
        );
    }

    fn uncount(&mut self, counted: &Counted) {
        let brands: Vec<usize> = counted.brand_indices().collect();
        for &brand in &brands {
            self.ring.remove(counted.minute, brand, &counted.what);
        }
        self.trending
            .uncount(counted.minute, &brands, &counted.terms);
    }

    /// How far back the figures look: what a restart rebuilds from the history.
    pub fn history_span(&self) -> TimeDelta {
        TimeDelta::minutes(self.ring.capacity_minutes() as i64) - FUTURE_TOLERANCE
    }

    /// Counts a mention from the history as it was counted before a restart (its brands,
    /// sentiment and tone as stored: nothing is scored again), so that the wall comes back with
    /// the figures it had. False when it is already counted or out of the figures' reach.
    pub fn restore(&mut self, stored: &EnrichedMention, now: DateTime<Utc>) -> bool {
        if !self.ledger.first_time(&stored.mention.id) {
            return false;
        }
        self.count_as_analysed(stored, now)
    }

    /// A mention the hub analysed (a display): counted as the hub counted it, an edit in place
    /// of its earlier version, a retraction taken out. Idempotent, so that a message the hub
    /// published twice (around a reconnection) changes nothing.
    pub fn apply_analysed(&mut self, event: AnalysisEvent, now: DateTime<Utc>) -> Outcome {
        self.processed += 1;
        match event {
            AnalysisEvent::Counted(enriched) => {
                if !self.ledger.first_time(&enriched.mention.id) {
                    self.duplicates += 1;
                    return Outcome::Duplicate;
                }
                if self.count_as_analysed(&enriched, now) {
                    Outcome::Matched(Box::new(enriched))
                } else {
                    self.too_late += 1;
                    Outcome::TooLate
                }
            }
            AnalysisEvent::Edited(enriched) => match self.ledger.get(&enriched.mention.id) {
                Some(Seen::Deleted) => Outcome::Duplicate,
                Some(Seen::Counted(before)) => {
                    self.uncount(&before);
                    if self.count_as_analysed(&enriched, now) {
                        Outcome::Edited(Box::new(enriched))
                    } else {
                        Outcome::Retracted(enriched.mention.id)
                    }
                }
                Some(Seen::Ignored) | None => {
                    if self.count_as_analysed(&enriched, now) {
                        Outcome::Matched(Box::new(enriched))
                    } else {
                        Outcome::TooLate
                    }
                }
            },
            AnalysisEvent::Retracted { id } => self.delete(id),
        }
    }

    /// Counts an analysed mention with its brands, sentiment and tone as given; false (and
    /// remembered as ignored) when it is out of the figures' reach or about no brand of ours.
    fn count_as_analysed(&mut self, stored: &EnrichedMention, now: DateTime<Utc>) -> bool {
        let mention = &stored.mention;
        let age = now - mention.created_at;
        let brands: Vec<usize> = stored
            .brands
            .iter()
            .copied()
            .filter(|&b| b < self.brands.len())
            .collect();
        if age > self.history_span() || age < -FUTURE_TOLERANCE || brands.is_empty() {
            // Remembered all the same: the source may send it again after the restart.
            self.ledger.record(&mention.id, Seen::Ignored);
            return false;
        }
        let key = minute_key(mention.created_at);
        // The text is read only for what today's config needs of it: its words when they may
        // trend (most of a restored day is older than any trending window), else its fold when
        // there are topics to find (today's, which may differ from the stored run's).
        self.trending.advance(minute_key(now));
        if self.trending.holds(key) {
            self.reading.read(&mention.text);
        } else if !self.topic_matcher.is_empty() {
            self.reading.fold_only(&mention.text);
        }
        let what = Contribution {
            tone: stored.tone,
            platform: mention.platform,
            engagement: mention.engagement.total(),
            reach: mention.author.reach,
            topics: if self.topic_matcher.is_empty() {
                0
            } else {
                self.topic_matcher.topics_in_folded(self.reading.folded())
            },
        };
        for &brand in &brands {
            self.ring.count(key, brand, &what);
        }
        self.response.observe(mention, &brands);
        self.remember_counted(&mention.id, &mention.text, key, &brands, what, now);
        self.influencers.advance(minute_key(now));
        self.influencers.count(key, &brands, mention, stored.tone);
        true
    }

    /// The wall shows the alerts a hub raised instead of raising its own (a display): from now
    /// on its alert list and count are those of `adopt_alert`.
    pub fn follow_remote_alerts(&mut self) {
        self.remote_alerts = Some(crate::alerts::remote::RemoteAlerts::default());
    }

    /// A display: it shows the hub's alerts and spikes (`adopt_spike`) and raises none of its
    /// own, since two detectors fed the same posts at other moments would not flag the same
    /// minutes.
    fn follows_hub(&self) -> bool {
        self.remote_alerts.is_some()
    }

    /// A spike as the hub raised or last updated it (a display), or as the history kept it
    /// (a restart): shown on the charts, and left out of the baselines like one of ours.
    pub fn adopt_spike(&mut self, spike: Spike) -> Outcome {
        if spike.brand < self.brands.len() {
            self.spikes.adopt(spike);
        }
        Outcome::Noted
    }

    /// Spikes raised or changed since the last call (none on a display): for the history and
    /// the displays.
    pub fn take_spike_changes(&mut self) -> Vec<Spike> {
        if self.follows_hub() {
            return Vec::new();
        }
        self.spikes.take_changes()
    }

    /// The hub that raises the alerts (re)started at `at` (its clock).
    pub fn hub_started(&mut self, at: DateTime<Utc>) -> Outcome {
        self.remote_alerts
            .get_or_insert_with(Default::default)
            .hub_started(at);
        Outcome::Noted
    }

    /// The alerts a previous run of this wall kept in its history (`AlertEngine::restore`).
    pub fn restore_alerts(&mut self, alerts: Vec<crate::alerts::Alert>, now: DateTime<Utc>) {
        self.alerts.restore(alerts, now);
    }

    /// An alert raised, updated or ended by the hub.
    pub fn adopt_alert(&mut self, change: AlertChange) -> Outcome {
        self.remote_alerts
            .get_or_insert_with(Default::default)
            .apply(change);
        Outcome::Noted
    }

    /// Feeds the finished minutes to the rhythm spike detector, then checks the alert rules
    /// that watch states (negative share, spikes, sources) at `now`.
    pub fn tick_alerts(&mut self, now: DateTime<Utc>, sources: &[SourceHealth]) {
        if !self.follows_hub() {
            self.spikes.advance(&self.ring, now);
        }
        self.trending.advance(minute_key(now));
        let now_key = minute_key(now);
        let ring = &self.ring;
        let window_tones =
            |minutes: u32| ring.sum_tones(now_key - i64::from(minutes) + 1, now_key + 1);
        self.alerts
            .tick(now, window_tones, self.spikes.spikes(), sources);
    }

    /// Alerts raised, updated or ended since the last call.
    pub fn take_alert_changes(&mut self) -> Vec<AlertChange> {
        self.alerts.take_changes()
    }

    /// The figures the wall draws, as of `now`.
    pub fn figures(&mut self, now: DateTime<Utc>, sources: Vec<SourceHealth>) -> Figures {
        self.trending.advance(minute_key(now));
        let trending = self
            .trending_wanted
            .iter()
            .filter_map(|&(minutes, brand)| self.trending.ranking(minutes, brand))
            .collect();
        self.influencers.advance(minute_key(now));
        let influencers = self
            .influencers_wanted
            .iter()
            .filter_map(|&(minutes, brand)| self.influencers.ranking(minutes, brand))
            .collect();
        let now_key = minute_key(now);
        let charts: Vec<VolumeChart> = self
            .chart_windows
            .iter()
            .map(|&minutes| self.chart(now, minutes))
            .collect();
        let windows = self
            .share_windows
            .iter()
            .map(|&minutes| {
                let (from, to) = (now_key - i64::from(minutes) + 1, now_key + 1);
                let before = from - i64::from(minutes);
                WindowTotals {
                    minutes,
                    tones: self.ring.sum_tones(from, to),
                    engagement: self.ring.sum_engagement(from, to),
                    platforms: self.ring.sum_platforms(from, to),
                    topics: self.ring.sum_topics(from, to),
                    previous_tones: self.ring.sum_tones(before, from),
                    previous_engagement: self.ring.sum_engagement(before, from),
                    previous_platforms: self.ring.sum_platforms(before, from),
                    previous_topics: self.ring.sum_topics(before, from),
                }
            })
            .collect();
        let earliest_chart = charts.iter().map(|c| c.start).min().unwrap_or(now);
        let hour_from = now_key - 59;
        Figures {
            now,
            brands: self.brands.clone(),
            charts,
            windows,
            last_hour: self.ring.sum_tones(hour_from, now_key + 1),
            platforms_last_hour: self.ring.sum_platforms(hour_from, now_key + 1),
            engagement_last_hour: self.ring.sum_engagement(hour_from, now_key + 1),
            reach_last_hour: self.ring.sum_reach(hour_from, now_key + 1),
            topics: self.topics.clone(),
            trending,
            influencers,
            response_times: self.response.times(now),
            spikes: {
                // In minute order, then brand: a display adopts the hub's spikes in the order
                // it hears of them, and must show the same list.
                let mut spikes: Vec<Spike> = self
                    .spikes
                    .spikes()
                    .iter()
                    .filter(|s| s.minute >= earliest_chart)
                    .cloned()
                    .collect();
                spikes.sort_by_key(|s| (s.minute, s.brand));
                spikes
            },
            active_alerts: match &self.remote_alerts {
                Some(remote) => remote.active_count(),
                None if self.alerts.has_rules() => self.alerts.active_count(),
                None => self.active_alert_count(now),
            },
            alerts: match &self.remote_alerts {
                Some(remote) => remote.alerts(),
                None => self.alerts.alerts(),
            },
            sources,
            processed: self.processed,
            duplicates: self.duplicates,
            unmatched: self.unmatched,
            too_late: self.too_late,
            retracted: self.retracted,
            wall_dropped: 0,
            history_lost: 0,
            history_problem: None,
        }
    }

    fn chart(&self, now: DateTime<Utc>, minutes: u32) -> VolumeChart {
        let (first_bar, width, bars) =
            bar_grid(now, TimeDelta::minutes(i64::from(minutes)), MAX_CHART_BARS);
        let bars = (0..self.brands.len())
            .map(|brand| {
                (0..bars)
                    .map(|bar| {
                        let from = first_bar + bar * width;
                        let mut sum = crate::model::ToneCounts::default();
                        for key in from..from + width {
                            sum.merge(&self.ring.tones(key, brand));
                        }
                        sum
                    })
                    .collect()
            })
            .collect();
        VolumeChart {
            window_minutes: minutes,
            start: minute_start(first_bar),
            bucket_minutes: width as u32,
            bars,
        }
    }

    /// Brands with a spike in the last few minutes: each is one alert the room must look at.
    fn active_alert_count(&self, now: DateTime<Utc>) -> u32 {
        let mut brands: Vec<usize> = self
            .spikes
            .spikes()
            .iter()
            .filter(|s| now - s.minute <= ALERT_ACTIVE_FOR && s.minute <= now)
            .map(|s| s.brand)
            .collect();
        brands.sort_unstable();
        brands.dedup();
        brands.len() as u32
    }
}

/// A review's stars as a score: the reviewer's own verdict outweighs what a lexicon reads in
/// the words ("great, it crashes every time" with one star is a complaint). Three stars say
/// "mixed": the words decide.
fn rated_sentiment(rating: Option<u8>) -> Option<f32> {
    match rating? {
        1 => Some(-0.8),
        2 => Some(-0.5),
        4 => Some(0.5),
        5 => Some(0.8),
        _ => None,
    }
}
