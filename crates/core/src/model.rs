//! The types that cross the whole program: what a source produces (`Mention`), what the analysis
//! adds to it (`EnrichedMention`), and what the wall receives (`WallUpdate`).
//!
//! Sources turn their wire format into `Mention` and nothing else does; the wall only ever sees
//! `WallUpdate`s. Keeping both ends on these types is what lets a replay and a test drive the
//! exact same code as a live wall.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where a mention was published. `Other` keeps unknown platforms from a push feed or an old
/// replay file instead of rejecting them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    X,
    Mastodon,
    Bluesky,
    Instagram,
    Tiktok,
    Facebook,
    Youtube,
    Reddit,
    Hackernews,
    Press,
    Forum,
    Threads,
    /// App store reviews (Apple's App Store), with their stars.
    Appstore,
    Other,
}

impl Platform {
    pub const ALL: [Platform; 14] = [
        Platform::X,
        Platform::Mastodon,
        Platform::Bluesky,
        Platform::Instagram,
        Platform::Tiktok,
        Platform::Facebook,
        Platform::Youtube,
        Platform::Reddit,
        Platform::Hackernews,
        Platform::Press,
        Platform::Forum,
        Platform::Threads,
        Platform::Appstore,
        Platform::Other,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    /// The name in files (layouts, the history, replay files), as serde writes it.
    pub fn name(self) -> &'static str {
        match self {
            Platform::X => "x",
            Platform::Mastodon => "mastodon",
            Platform::Bluesky => "bluesky",
            Platform::Instagram => "instagram",
            Platform::Tiktok => "tiktok",
            Platform::Facebook => "facebook",
            Platform::Youtube => "youtube",
            Platform::Reddit => "reddit",
            Platform::Hackernews => "hackernews",
            Platform::Press => "press",
            Platform::Forum => "forum",
            Platform::Threads => "threads",
            Platform::Appstore => "appstore",
            Platform::Other => "other",
        }
    }

    /// The platform of a name in a file, case ignored.
    pub fn from_name(name: &str) -> Option<Platform> {
        Platform::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(name))
    }

    /// Human name, identical in French and English (these are brand names).
    pub fn label(self) -> &'static str {
        match self {
            Platform::X => "X",
            Platform::Mastodon => "Mastodon",
            Platform::Bluesky => "Bluesky",
            Platform::Instagram => "Instagram",
            Platform::Tiktok => "TikTok",
            Platform::Facebook => "Facebook",
            Platform::Youtube => "YouTube",
            Platform::Reddit => "Reddit",
            Platform::Hackernews => "Hacker News",
            Platform::Press => "Presse",
            Platform::Forum => "Forum",
            Platform::Threads => "Threads",
            Platform::Appstore => "App Store",
            Platform::Other => "Web",
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Author {
    /// Platform handle, without the leading `@`.
    pub handle: String,
    #[serde(default)]
    pub display_name: String,
    /// Followers or subscribers: how many people may see what this author posts.
    #[serde(default)]
    pub reach: u64,
    /// The address of the author's picture, when the platform gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Engagement {
    #[serde(default)]
    pub likes: u64,
    #[serde(default)]
    pub shares: u64,
    #[serde(default)]
    pub replies: u64,
}

impl Engagement {
    pub fn total(&self) -> u64 {
        self.likes + self.shares + self.replies
    }
}

/// One public post, article or comment, normalised from its source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mention {
    /// Unique across sources: sources prefix their native id with their platform
    /// (`mastodon:1234`), so the dedupe stage can compare ids from any source.
    pub id: String,
    pub platform: Platform,
    pub author: Author,
    pub text: String,
    /// ISO 639-1 code when the source knows it (`fr`, `en`); otherwise detected by the analysis.
    #[serde(default)]
    pub lang: Option<String>,
    pub created_at: DateTime<Utc>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub engagement: Engagement,
    /// The `id` of the post this one answers, when the source says (a reply, a comment): how
    /// the response time of the brand's own accounts is measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<String>,
    /// The post's first picture (an attached photo, a video's thumbnail), when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picture: Option<Picture>,
    /// Stars out of five, for a review (an app store's): the reviewer's own verdict, which
    /// the analysis takes for the tone whatever the words say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<u8>,
}

/// A post's picture as its platform links it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Picture {
    pub url: String,
    /// Marked sensitive by its author or platform (content warning, adult label): never shown.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sensitive: bool,
}

/// What a source hands to the analysis: a post, a new version of a post it sent before (an
/// edit), or the withdrawal of one (the author deleted it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "lowercase")]
pub enum SourceEvent {
    Post(Mention),
    Edit(Mention),
    /// `id` as the source gave it in `Mention::id` (`mastodon:…`, `bluesky:…`).
    Delete {
        id: String,
    },
    /// An event whose sender waits for it to be durable (the webhook): the analysis takes
    /// `event` and passes `ack` on to the history (`crate::ack`). Never on a wire.
    #[serde(skip)]
    Acked {
        event: Box<SourceEvent>,
        ack: crate::ack::Ack,
    },
    /// Where `source` resumes after a restart, once what it sent before this is in the
    /// history (committed with it, in order). Never on a wire.
    #[serde(skip)]
    Checkpoint(Checkpoint),
}

/// A source's resume point (Jetstream's `time_us`, Mastodon's newest status id), as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub source: String,
    pub cursor: String,
}

impl SourceEvent {
    /// The event itself and its acknowledgement, if its sender waits for one.
    pub fn split_ack(self) -> (SourceEvent, Option<crate::ack::Ack>) {
        match self {
            SourceEvent::Acked { event, ack } => (*event, Some(ack)),
            other => (other, None),
        }
    }
}

/// Sentiment class used for colours and splits; thresholds follow VADER's convention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Tone {
    Negative,
    Neutral,
    Positive,
}

impl Tone {
    pub fn from_score(score: f32) -> Tone {
        if score <= -0.05 {
            Tone::Negative
        } else if score >= 0.05 {
            Tone::Positive
        } else {
            Tone::Neutral
        }
    }
}

/// A mention after analysis: which brands it concerns and how it sounds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrichedMention {
    pub mention: Mention,
    /// Indices into `Figures::brands`.
    pub brands: Vec<usize>,
    pub sentiment: f32,
    pub tone: Tone,
    pub lang: std::borrow::Cow<'static, str>,
}

/// What the analysis did with one source event, as written by `--enriched-out` (one JSON
/// object per line) and, later, published to other walls.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "lowercase")]
pub enum AnalysisEvent {
    Counted(EnrichedMention),
    Edited(EnrichedMention),
    Retracted { id: String },
}

/// Why a source failed, in words the wall can translate. `Other` shows the logged reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FailureKind {
    /// 401: the token is missing or wrong.
    Unauthorized,
    /// 403.
    Forbidden,
    /// 429: waiting for the server's `Retry-After`.
    RateLimited,
    /// The platform's quota for the period is used up (YouTube's daily units): waiting for
    /// it to be renewed.
    QuotaSpent,
    /// Accepted and then nothing, for longer than the source's patience.
    Silent,
    /// A body over the source's limit.
    TooLarge,
    /// No connection: refused, unknown host, no route, TLS.
    Unreachable,
    /// Another HTTP status.
    HttpStatus(u16),
    Other,
}

/// Health of one source as the supervisor sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum HealthState {
    Starting,
    Live,
    /// Running but nothing received since this instant.
    Stale {
        since: DateTime<Utc>,
    },
    /// Failed and waiting for its next restart.
    Failed {
        /// The whole cause, as logged.
        reason: String,
        /// What kind of failure, for the wall to say in its language.
        kind: FailureKind,
        retry_at: DateTime<Utc>,
    },
    /// Ended for good (a replay file that reached its end).
    Finished,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceHealth {
    pub name: String,
    pub state: HealthState,
    pub received: u64,
    pub malformed: u64,
    /// Mentions this source could not hand over because the analysis channel was full.
    pub dropped: u64,
    /// When it last delivered (event time): its lag is the figures' `now` minus this. Absent
    /// from an older hub's heartbeat.
    #[serde(default)]
    pub last_received: Option<DateTime<Utc>>,
    /// When the newest post it delivered was written (the platform's time): a source that
    /// delivers only old posts is behind, whatever its connection says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub newest_post: Option<DateTime<Utc>>,
    /// Posts a minute it delivered, over the last ten minutes.
    #[serde(default)]
    pub per_minute: f32,
    /// How much of its platform's quota it has used, for a source that has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota: Option<Quota>,
}

/// A platform's allowance (YouTube's daily units, X's monthly reads, Threads' daily queries)
/// and what this source has used of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quota {
    pub used: u64,
    pub limit: u64,
    pub period: QuotaPeriod,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QuotaPeriod {
    Day,
    Month,
}

impl Quota {
    /// The share used, 0 to 1.
    pub fn fraction(&self) -> f32 {
        if self.limit == 0 {
            1.0
        } else {
            (self.used as f32 / self.limit as f32).min(1.0)
        }
    }
}

/// A brand as the wall shows it: the own brand comes first, then the competitors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BrandInfo {
    pub name: String,
    pub own: bool,
    /// `#rrggbb`
    pub color: String,
}

/// Per-bucket counts for one brand: volume split by tone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToneCounts {
    pub negative: u32,
    pub neutral: u32,
    pub positive: u32,
}

impl ToneCounts {
    pub fn total(&self) -> u32 {
        self.negative + self.neutral + self.positive
    }

    pub fn add(&mut self, tone: Tone) {
        match tone {
            Tone::Negative => self.negative += 1,
            Tone::Neutral => self.neutral += 1,
            Tone::Positive => self.positive += 1,
        }
    }

    /// Takes one back; never below zero.
    pub fn take(&mut self, tone: Tone) {
        let count = match tone {
            Tone::Negative => &mut self.negative,
            Tone::Neutral => &mut self.neutral,
            Tone::Positive => &mut self.positive,
        };
        *count = count.saturating_sub(1);
    }

    pub fn merge(&mut self, other: &ToneCounts) {
        self.negative += other.negative;
        self.neutral += other.neutral;
        self.positive += other.positive;
    }

    /// Net sentiment in percent: (positive - negative) / total.
    pub fn net_percent(&self) -> Option<f32> {
        let total = self.total();
        (total > 0).then(|| (self.positive as f32 - self.negative as f32) * 100.0 / total as f32)
    }

    pub fn negative_share(&self) -> Option<f32> {
        let total = self.total();
        (total > 0).then(|| self.negative as f32 / total as f32)
    }
}

/// A flagged abnormal peak in a brand's per-minute volume.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spike {
    pub brand: usize,
    /// Start of the minute bucket that was abnormal.
    pub minute: DateTime<Utc>,
    pub count: u32,
    /// What the detector expected for that minute.
    pub baseline: f32,
    /// Robust z-score of the count against the recent past.
    pub score: f32,
    /// When the detector raised it (event time of the mention that crossed the line).
    pub detected_at: DateTime<Utc>,
}

/// The figures the wall draws, computed by the analysis thread at `now` (event time).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    pub now: DateTime<Utc>,
    pub brands: Vec<BrandInfo>,
    /// One volume chart per window a tile shows; the config's default window first.
    pub charts: Vec<VolumeChart>,
    /// Per-brand tone counts over each window a share-of-voice or sentiment tile shows; the
    /// config's share-of-voice window first.
    pub windows: Vec<WindowTotals>,
    /// Per brand, over the last hour.
    pub last_hour: Vec<ToneCounts>,
    /// Per brand, mentions per platform over the last hour, indexed by `Platform::index`.
    pub platforms_last_hour: Vec<[u32; Platform::ALL.len()]>,
    /// Per brand, likes, shares and replies over the last hour.
    #[serde(default)]
    pub engagement_last_hour: Vec<u64>,
    /// Per brand, the followers of the authors of the last hour's mentions, summed.
    #[serde(default)]
    pub reach_last_hour: Vec<u64>,
    /// The config's topics, each macro topic followed by its micro topics; `WindowTotals`
    /// index them the same way.
    #[serde(default)]
    pub topics: Vec<TopicInfo>,
    /// Trending terms per (window, brand) a tile shows.
    #[serde(default)]
    pub trending: Vec<TrendingList>,
    /// Each influencers tile's ranking.
    #[serde(default)]
    pub influencers: Vec<InfluencerList>,
    /// Per brand, how fast its own accounts answered mentions over the last day.
    #[serde(default)]
    pub response_times: Vec<ResponseTimes>,
    pub spikes: Vec<Spike>,
    /// Alerts in progress (without alert rules: brands with a spike in the last minutes).
    pub active_alerts: u32,
    /// Active alerts, most severe first, then the recently ended ones.
    pub alerts: Vec<crate::alerts::Alert>,
    pub sources: Vec<SourceHealth>,
    /// Totals since start, for the status line.
    pub processed: u64,
    pub duplicates: u64,
    pub unmatched: u64,
    pub too_late: u64,
    /// Mentions deleted at their source and taken back out of the figures.
    pub retracted: u64,
    /// WallUpdates the analysis could not hand to a busy wall.
    pub wall_dropped: u64,
    /// Events the history could not store (its writer busy, its disk failing).
    #[serde(default)]
    pub history_lost: u64,
    /// Why the history cannot be written now, when it cannot.
    #[serde(default)]
    pub history_problem: Option<String>,
}

/// One topic, macro or micro, as the analysis and the wall know it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicInfo {
    pub name: String,
    /// The macro topic this one is inside (an index into the same list); `None` for a macro.
    pub parent: Option<usize>,
}

/// How fast a brand's own accounts answer the mentions about it, over the last day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseTimes {
    /// Mentions answered.
    pub answered: u32,
    /// Median wait before the first answer.
    pub median_seconds: Option<i64>,
}

/// One ranked term.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrendingTerm {
    /// As first written (lower case, accents kept; hashtags with their `#` and case).
    pub text: String,
    pub count: u32,
    /// 1-based rank over the window before; `None`: not among its top terms (a new entry).
    pub previous_rank: Option<u32>,
}

/// A brand's ranking over one window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrendingList {
    pub minutes: u32,
    pub brand: usize,
    /// Most said first; ties by text.
    pub terms: Vec<TrendingTerm>,
}

/// A brand's most influential authors over a window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InfluencerList {
    pub minutes: u32,
    pub brand: usize,
    /// Most influential first: reach × mentions.
    pub authors: Vec<Influencer>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Influencer {
    pub handle: String,
    pub display_name: String,
    pub platform: Platform,
    /// Followers, as last seen; 0 where the platform does not say.
    pub reach: u64,
    pub avatar: Option<String>,
    pub mentions: u32,
    /// The tone of what they wrote.
    pub tones: ToneCounts,
}

impl Influencer {
    /// Reach × mentions; an author of unknown audience counts as one reader.
    pub fn score(&self) -> u64 {
        self.reach.max(1).saturating_mul(u64::from(self.mentions))
    }
}

/// A volume chart: per brand, mentions per bucket by tone, oldest bucket first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VolumeChart {
    pub window_minutes: u32,
    /// Start of the first bucket; buckets are `bucket_minutes` wide.
    pub start: DateTime<Utc>,
    pub bucket_minutes: u32,
    /// `bars[brand][bucket]`.
    pub bars: Vec<Vec<ToneCounts>>,
}

/// Per brand, the mentions by tone over the last `minutes`, their engagement and platforms,
/// and the same over the `minutes` before (for the change against the previous window).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WindowTotals {
    pub minutes: u32,
    pub tones: Vec<ToneCounts>,
    /// Likes, shares and replies, per brand.
    #[serde(default)]
    pub engagement: Vec<u64>,
    /// Mentions per platform, per brand, indexed by `Platform::index`.
    #[serde(default)]
    pub platforms: Vec<[u32; Platform::ALL.len()]>,
    /// The window before this one.
    #[serde(default)]
    pub previous_tones: Vec<ToneCounts>,
    #[serde(default)]
    pub previous_engagement: Vec<u64>,
    #[serde(default)]
    pub previous_platforms: Vec<[u32; Platform::ALL.len()]>,
    /// `topics[brand][topic]`: the brand's mentions in each topic, by tone.
    #[serde(default)]
    pub topics: Vec<Vec<ToneCounts>>,
    #[serde(default)]
    pub previous_topics: Vec<Vec<ToneCounts>>,
}

/// What a share of voice is measured on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ShareBasis {
    /// Mentions.
    #[default]
    Volume,
    /// Likes, shares and replies of the mentions.
    Engagement,
    /// Positive mentions only.
    Positive,
    /// Negative mentions only.
    Negative,
}

impl WindowTotals {
    /// Each brand's measure on `basis`, over this window (`previous = false`) or the one before.
    pub fn measure(&self, basis: ShareBasis, previous: bool) -> Vec<u64> {
        let (tones, engagement) = if previous {
            (&self.previous_tones, &self.previous_engagement)
        } else {
            (&self.tones, &self.engagement)
        };
        match basis {
            ShareBasis::Volume => tones.iter().map(|t| u64::from(t.total())).collect(),
            ShareBasis::Positive => tones.iter().map(|t| u64::from(t.positive)).collect(),
            ShareBasis::Negative => tones.iter().map(|t| u64::from(t.negative)).collect(),
            ShareBasis::Engagement => engagement.clone(),
        }
    }

    /// Each brand's mentions on one platform, over this window or the one before.
    pub fn on_platform(&self, platform: Platform, previous: bool) -> Vec<u64> {
        let platforms = if previous {
            &self.previous_platforms
        } else {
            &self.platforms
        };
        platforms
            .iter()
            .map(|p| u64::from(p[platform.index()]))
            .collect()
    }

    /// Each brand's share in percent on `basis`, and its change in points against the previous
    /// window (`None` when the previous window had nothing to share).
    pub fn shares(&self, basis: ShareBasis) -> Vec<(f32, Option<f32>)> {
        self.shares_of(&self.measure(basis, false), &self.measure(basis, true))
    }

    /// Each brand's share of the mentions on one platform, with its change in points.
    pub fn platform_shares(&self, platform: Platform) -> Vec<(f32, Option<f32>)> {
        self.shares_of(
            &self.on_platform(platform, false),
            &self.on_platform(platform, true),
        )
    }

    fn shares_of(&self, now: &[u64], before: &[u64]) -> Vec<(f32, Option<f32>)> {
        let percent = |values: &[u64]| -> Option<Vec<f32>> {
            let total: u64 = values.iter().sum();
            (total > 0).then(|| {
                values
                    .iter()
                    .map(|&v| v as f32 * 100.0 / total as f32)
                    .collect()
            })
        };
        let now = percent(now).unwrap_or_else(|| vec![0.0; self.tones.len()]);
        let before = percent(before);
        now.iter()
            .enumerate()
            .map(|(i, &share)| {
                (
                    share,
                    before.as_ref().and_then(|b| b.get(i)).map(|b| share - b),
                )
            })
            .collect()
    }
}

impl Figures {
    /// The trending terms of `brand` over `minutes`, when a tile asked for them.
    pub fn influencers(&self, minutes: u32, brand: usize) -> Option<&InfluencerList> {
        self.influencers
            .iter()
            .find(|t| t.minutes == minutes && t.brand == brand)
    }

    pub fn trending(&self, minutes: u32, brand: usize) -> Option<&TrendingList> {
        self.trending
            .iter()
            .find(|t| t.minutes == minutes && t.brand == brand)
    }

    /// The chart over `minutes`, or the default chart when that window is not computed (yet).
    pub fn chart(&self, minutes: u32) -> Option<&VolumeChart> {
        self.charts
            .iter()
            .find(|c| c.window_minutes == minutes)
            .or(self.charts.first())
    }

    /// The totals over `minutes`, or the default window's when that one is not computed (yet).
    pub fn totals(&self, minutes: u32) -> Option<&WindowTotals> {
        self.windows
            .iter()
            .find(|w| w.minutes == minutes)
            .or(self.windows.first())
    }

    /// Mentions per brand over the default share-of-voice window.
    pub fn share_of_voice(&self) -> Vec<u32> {
        self.windows
            .first()
            .map(|w| w.tones.iter().map(ToneCounts::total).collect())
            .unwrap_or_default()
    }
}

/// Which windows the wall's tiles show, sent to the analysis when the layout changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WindowsWanted {
    pub charts: Vec<u32>,
    /// Windows of per-brand totals: share of voice, sentiment, topics.
    pub shares: Vec<u32>,
    /// (window in minutes, brand) of each trending tile.
    pub trending: Vec<(u32, usize)>,
    /// (window in minutes, brand) of each influencers tile.
    pub influencers: Vec<(u32, usize)>,
}

/// What the analysis thread sends to the wall.
#[derive(Debug, Clone, PartialEq)]
pub enum WallUpdate {
    /// New mentions, oldest first, for the stream. A mention whose id is already shown is an
    /// edit and replaces its card in place.
    Mentions(Vec<EnrichedMention>),
    /// A fresh set of figures; replaces the previous one.
    Figures(Box<Figures>),
    /// Mentions deleted at their source: their cards leave the wall.
    Retracted(Vec<String>),
}

/// A neutral Bluesky card about brand 0, for the tests of whatever carries cards (here and in
/// the program's crate, whose tests cannot see this crate's `cfg(test)`).
#[doc(hidden)]
pub fn test_card(id: &str, text: &str) -> EnrichedMention {
    EnrichedMention {
        mention: Mention {
            id: id.into(),
            platform: Platform::Bluesky,
            author: Author {
                handle: "h".into(),
                display_name: String::new(),
                reach: 0,
                avatar: None,
            },
            text: text.into(),
            lang: None,
            created_at: Utc::now(),
            url: None,
            engagement: Engagement::default(),
            reply_to: None,
            picture: None,
            rating: None,
        },
        brands: vec![0],
        sentiment: 0.0,
        tone: Tone::Neutral,
        lang: "".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_names_are_the_ones_serde_writes() {
        for platform in Platform::ALL {
            let written = serde_json::to_value(platform).expect("serialises");
            assert_eq!(written.as_str(), Some(platform.name()));
            assert_eq!(Platform::from_name(platform.name()), Some(platform));
        }
        assert_eq!(Platform::from_name("Bluesky"), Some(Platform::Bluesky));
        assert_eq!(Platform::from_name("myspace"), None);
    }

    fn neutral(counts: &[u32]) -> Vec<ToneCounts> {
        counts
            .iter()
            .map(|&n| ToneCounts {
                neutral: n,
                ..ToneCounts::default()
            })
            .collect()
    }

    #[test]
    fn shares_sum_to_a_hundred_or_are_all_zero_and_change_against_the_window_before() {
        let totals = WindowTotals {
            minutes: 60,
            tones: neutral(&[30, 10, 60]),
            previous_tones: neutral(&[10, 10, 80]),
            ..WindowTotals::default()
        };
        assert_eq!(
            totals.shares(ShareBasis::Volume),
            vec![(30.0, Some(20.0)), (10.0, Some(0.0)), (60.0, Some(-20.0))]
        );
        let silent = WindowTotals {
            minutes: 60,
            tones: neutral(&[0, 0]),
            ..WindowTotals::default()
        };
        assert_eq!(
            silent.shares(ShareBasis::Volume),
            vec![(0.0, None), (0.0, None)]
        );
    }
}
