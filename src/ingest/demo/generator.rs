//! The deterministic demo day: minute by minute, Poisson arrivals for each brand shaped by a
//! daily rhythm, plus the scenario's extra posts. Same seed and same start, same mentions.

use std::collections::VecDeque;

use chrono::{DateTime, TimeDelta, Timelike, Utc};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Poisson, StandardNormal};

use super::scenario::{ANSWER_AFTER_MINUTES, ExtraKind, Scenario};
use super::texts::*;
use crate::model::{Author, Engagement, Mention, Platform};

/// Share of posts at each hour of the day (Paris time), relative to the busiest hour: quiet
/// nights, a lunch bump, and an evening peak when parents are on their phones.
const HOURLY_RHYTHM: [f64; 24] = [
    0.18, 0.1, 0.07, 0.05, 0.05, 0.08, 0.2, 0.45, 0.65, 0.75, 0.8, 0.85, 0.95, 0.9, 0.8, 0.8, 0.85,
    0.9, 0.95, 1.0, 1.0, 0.85, 0.6, 0.35,
];

/// The demo world lives in Paris; winter time is close enough for a rhythm.
const PARIS_OFFSET_HOURS: i64 = 1;

/// Where ordinary posts are published, with weights.
const PLATFORM_WEIGHTS: [(Platform, f64); 10] = [
    (Platform::X, 0.28),
    (Platform::Instagram, 0.2),
    (Platform::Facebook, 0.12),
    (Platform::Tiktok, 0.1),
    (Platform::Bluesky, 0.08),
    (Platform::Mastodon, 0.06),
    (Platform::Forum, 0.06),
    (Platform::Reddit, 0.04),
    (Platform::Youtube, 0.03),
    (Platform::Press, 0.03),
];

/// The platforms the demo's posts come from.
pub fn platforms() -> Vec<Platform> {
    PLATFORM_WEIGHTS
        .iter()
        .map(|(platform, _)| *platform)
        .collect()
}

/// The brand's own account, which answers in the crisis.
const BRAND_ACCOUNT: (&str, &str, u64) = ("petitloup", "Petit Loup (officiel)", 48_000);
/// The parenting influencer whose post starts the crisis.
const VIRAL_AUTHOR: (&str, &str, u64) = ("lucie.parentalite", "Lucie — parentalité", 182_000);

pub struct DemoGenerator {
    rng: ChaCha8Rng,
    seed: u64,
    scenario: Scenario,
    next_minute: DateTime<Utc>,
    incident_at: DateTime<Utc>,
    pending: VecDeque<Mention>,
    sequence: u64,
    /// Draws for the brand's customer-care answers, apart from `rng` so that adding them left
    /// the rest of the day as it was.
    care_rng: ChaCha8Rng,
    /// Answers of the brand's account, due in later minutes.
    answers_due: Vec<Mention>,
    /// The first minute generated: part of every id.
    started: DateTime<Utc>,
}

/// What an ordinary post says, for the brand's answer to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mood {
    Negative,
    Neutral,
    Positive,
}

/// Share of the own brand's ordinary posts its account answers, by mood.
const ANSWERED_SHARE: [(Mood, f64); 3] = [
    (Mood::Negative, 0.45),
    (Mood::Neutral, 0.3),
    (Mood::Positive, 0.12),
];
/// The care team's wait before answering: log-normal, median about 25 minutes in the day, with
/// the night and the busiest evenings taking longer.
const ANSWER_LOG_MEDIAN_MINUTES: f64 = 3.2;
const ANSWER_LOG_SPREAD: f64 = 0.7;

/// Followers of an ordinary author: log-normal, median about 250, with a long tail of bigger
/// accounts.
const REACH_LOG_MEDIAN: f64 = 5.5;
const REACH_LOG_SPREAD: f64 = 1.5;

impl DemoGenerator {
    /// Mentions start at `from`; the scenario's incident (the viral post) happens at
    /// `incident_at`.
    pub fn new(
        seed: u64,
        scenario: Scenario,
        from: DateTime<Utc>,
        incident_at: DateTime<Utc>,
    ) -> Self {
        let start_minute = from
            .with_second(0)
            .and_then(|t| t.with_nanosecond(0))
            .unwrap_or(from);
        Self {
            rng: ChaCha8Rng::seed_from_u64(seed),
            seed,
            scenario,
            next_minute: start_minute,
            incident_at,
            pending: VecDeque::new(),
            sequence: 0,
            care_rng: ChaCha8Rng::seed_from_u64(seed ^ 0x00C4_12E5),
            started: start_minute,
            answers_due: Vec::new(),
        }
    }

    /// The next mention in event-time order; the demo never runs dry.
    pub fn peek(&mut self) -> &Mention {
        while self.pending.is_empty() {
            self.generate_minute();
        }
        &self.pending[0]
    }

    pub fn pop(&mut self) -> Mention {
        loop {
            if let Some(mention) = self.pending.pop_front() {
                return mention;
            }
            self.generate_minute();
        }
    }

    fn generate_minute(&mut self) {
        let minute = self.next_minute;
        self.next_minute += TimeDelta::minutes(1);
        let rhythm = hourly_rhythm(minute);
        let mut batch = Vec::new();

        for (index, brand) in BRANDS.iter().enumerate() {
            for _ in 0..self.poisson(brand.peak_rate * rhythm) {
                let (mention, mood) = self.ordinary_post(minute, index);
                if index == 0 {
                    self.maybe_answer(&mention, mood, rhythm);
                }
                batch.push(mention);
            }
        }
        for _ in 0..self.poisson(0.15 * rhythm) {
            let text = *LOOKALIKES.choose(&mut self.rng).unwrap_or(&LOOKALIKES[0]);
            let mention = self.post(minute, text.to_string(), "fr", Platform::Instagram, 1.0);
            batch.push(mention);
        }

        let minutes_since_incident = (minute - self.incident_at).num_seconds() as f64 / 60.0;
        for (kind, rate) in self.scenario.extra_rates(minutes_since_incident) {
            for _ in 0..self.poisson(rate) {
                let mention = self.extra_post(minute, kind);
                batch.push(mention);
            }
        }
        self.scripted_posts(minute, &mut batch);

        batch.sort_by_key(|m| m.created_at);
        let mut minute_posts = Vec::with_capacity(batch.len() + 2);
        for mention in batch {
            // About one post in a hundred arrives twice, as after a reconnect overlap: the
            // analysis must count it once.
            let duplicate = self.rng.random_bool(0.01).then(|| mention.clone());
            minute_posts.push(mention);
            minute_posts.extend(duplicate);
        }
        let next = minute + TimeDelta::minutes(1);
        let (due, later): (Vec<Mention>, Vec<Mention>) = std::mem::take(&mut self.answers_due)
            .into_iter()
            .partition(|m| m.created_at < next);
        self.answers_due = later;
        minute_posts.extend(due);
        // Stable: a duplicate stays right after its original.
        minute_posts.sort_by_key(|m| m.created_at);
        self.pending.extend(minute_posts);
    }

    /// Sometimes, the brand's account answers a post about it, a while later.
    fn maybe_answer(&mut self, post: &Mention, mood: Mood, rhythm: f64) {
        let share = ANSWERED_SHARE
            .iter()
            .find(|(m, _)| *m == mood)
            .map_or(0.0, |(_, share)| *share);
        // Drawn for every post, so that the answers do not depend on which posts go to press.
        if !self.care_rng.random_bool(share) || post.platform == Platform::Press {
            return;
        }
        let normal: f64 = StandardNormal.sample(&mut self.care_rng);
        // Slower at night, when the rhythm is low and the team is away.
        let minutes = ((ANSWER_LOG_MEDIAN_MINUTES + ANSWER_LOG_SPREAD * normal).exp()
            / rhythm.max(0.25))
        .clamp(2.0, 600.0);
        let english = post.lang.as_deref() == Some("en");
        let templates = match (mood, english) {
            (Mood::Positive, false) => CARE_THANKS_FR,
            (Mood::Positive, true) => CARE_THANKS_EN,
            (_, false) => CARE_HELP_FR,
            (_, true) => CARE_HELP_EN,
        };
        let template = *templates
            .choose(&mut self.care_rng)
            .unwrap_or(&templates[0]);
        let first = post
            .author
            .display_name
            .split_whitespace()
            .next()
            .unwrap_or("");
        self.sequence += 1;
        let id = self.next_id();
        let answer = Mention {
            url: Some(format!(
                "https://{}.example/{}/{}",
                platform_host(post.platform),
                BRAND_ACCOUNT.0,
                self.sequence
            )),
            id,
            platform: post.platform,
            author: author(BRAND_ACCOUNT),
            text: template
                .replace("{h}", &format!("@{}", post.author.handle))
                .replace("{n}", first),
            lang: post.lang.clone(),
            created_at: post.created_at + TimeDelta::seconds((minutes * 60.0) as i64),
            engagement: Engagement {
                likes: self.care_rng.random_range(0..12),
                shares: 0,
                replies: self.care_rng.random_range(0..3),
            },
            reply_to: Some(post.id.clone()),
            picture: None,
            rating: None,
        };
        self.answers_due.push(answer);
    }

    fn scripted_posts(&mut self, minute: DateTime<Utc>, batch: &mut Vec<Mention>) {
        if self.scenario != Scenario::PosterBacklash {
            return;
        }
        let next = minute + TimeDelta::minutes(1);
        let answer_at = self.incident_at + TimeDelta::seconds((ANSWER_AFTER_MINUTES * 60.0) as i64);
        if (minute..next).contains(&self.incident_at) {
            let mut viral = self.post(minute, VIRAL_POST.to_string(), "fr", Platform::X, 1.0);
            viral.created_at = self.incident_at;
            viral.author = author(VIRAL_AUTHOR);
            viral.engagement = Engagement {
                likes: 41_200,
                shares: 12_800,
                replies: 3_900,
            };
            batch.push(viral);
        }
        if (minute..next).contains(&answer_at) {
            let mut answer = self.post(minute, BRAND_ANSWER.to_string(), "fr", Platform::X, 1.0);
            answer.created_at = answer_at;
            answer.author = author(BRAND_ACCOUNT);
            answer.engagement = Engagement {
                likes: 8_300,
                shares: 1_900,
                replies: 2_400,
            };
            batch.push(answer);
        }
    }

    fn ordinary_post(&mut self, minute: DateTime<Utc>, brand_index: usize) -> (Mention, Mood) {
        let brand = &BRANDS[brand_index];
        let english = self.rng.random_bool(0.25);
        let roll: f64 = self.rng.random();
        let mood = if roll < brand.negative {
            Mood::Negative
        } else if roll < brand.negative + brand.positive {
            Mood::Positive
        } else {
            Mood::Neutral
        };
        let templates = match (english, mood) {
            (false, Mood::Negative) => NEGATIVE_FR,
            (false, Mood::Positive) => POSITIVE_FR,
            (false, Mood::Neutral) => NEUTRAL_FR,
            (true, Mood::Negative) => NEGATIVE_EN,
            (true, Mood::Positive) => POSITIVE_EN,
            (true, Mood::Neutral) => NEUTRAL_EN,
        };
        let text = self.fill(templates, brand_index, english);
        let platform = self.platform();
        let post = self.post(
            minute,
            text,
            if english { "en" } else { "fr" },
            platform,
            1.0,
        );
        (post, mood)
    }

    fn extra_post(&mut self, minute: DateTime<Utc>, kind: ExtraKind) -> Mention {
        let english = kind == ExtraKind::Backlash && self.rng.random_bool(0.2);
        let (templates, platform, engagement) = match (kind, english) {
            (ExtraKind::Campaign, _) => (CAMPAIGN_FR, self.platform(), 1.0),
            (ExtraKind::Backlash, false) => (BACKLASH_FR, self.platform(), 3.0),
            (ExtraKind::Backlash, true) => (BACKLASH_EN, self.platform(), 3.0),
            (ExtraKind::Aftermath, _) => (AFTERMATH_FR, self.platform(), 1.5),
            (ExtraKind::Press, _) => (PRESS_FR, Platform::Press, 2.0),
        };
        let text = self.fill(templates, 0, english);
        let lang = if english { "en" } else { "fr" };
        let mut mention = self.post(minute, text, lang, platform, engagement);
        if platform == Platform::Press {
            let (handle, name) = *PRESS_OUTLETS
                .choose(&mut self.rng)
                .unwrap_or(&PRESS_OUTLETS[0]);
            mention.author = Author {
                handle: handle.into(),
                display_name: name.into(),
                reach: self.rng.random_range(80_000..900_000),
                avatar: None,
            };
            mention.url = Some(format!("https://{handle}.example/articles/{}", mention.id));
        }
        mention
    }

    fn fill(&mut self, templates: &[&str], brand_index: usize, english: bool) -> String {
        let brand = &BRANDS[brand_index];
        let template = *templates.choose(&mut self.rng).unwrap_or(&templates[0]);
        let written = match self.rng.random_range(0..10) {
            0..=5 => brand.name,
            6..=7 => brand.handle,
            _ => brand.hashtag,
        };
        let products = if english { PRODUCTS_EN } else { PRODUCTS_FR };
        let product = *products.choose(&mut self.rng).unwrap_or(&products[0]);
        let mut text = template.replace("{b}", written).replace("{p}", product);
        if let Some(first) = text.chars().next()
            && first.is_lowercase()
        {
            text = first.to_uppercase().collect::<String>() + &text[first.len_utf8()..];
        }
        text
    }

    fn platform(&mut self) -> Platform {
        PLATFORM_WEIGHTS
            .choose_weighted(&mut self.rng, |(_, w)| *w)
            .map(|(p, _)| *p)
            .unwrap_or(Platform::X)
    }

    fn post(
        &mut self,
        minute: DateTime<Utc>,
        text: String,
        lang: &str,
        platform: Platform,
        engagement_factor: f64,
    ) -> Mention {
        self.sequence += 1;
        let id = self.next_id();
        let second = self.rng.random_range(0..60_000);
        let created_at = minute + TimeDelta::milliseconds(second);
        let english = lang == "en";
        let first = if english {
            *FIRST_NAMES_EN.choose(&mut self.rng).unwrap_or(&"Emily")
        } else {
            *FIRST_NAMES_FR.choose(&mut self.rng).unwrap_or(&"Camille")
        };
        let last = *SURNAMES.choose(&mut self.rng).unwrap_or(&"Martin");
        let handle = format!(
            "{}{}{}",
            ascii_fold(first).to_lowercase(),
            ["", "_", "."][self.rng.random_range(0..3)],
            self.rng.random_range(1..999)
        );
        let normal: f64 = StandardNormal.sample(&mut self.rng);
        let reach = (REACH_LOG_MEDIAN + REACH_LOG_SPREAD * normal).exp().round() as u64;
        let likes = (reach as f64 * self.rng.random_range(0.002..0.04) * engagement_factor) as u64;
        let shares = (likes as f64 * self.rng.random_range(0.05..0.3)) as u64;
        let replies = (likes as f64 * self.rng.random_range(0.02..0.15)) as u64;
        Mention {
            url: Some(format!(
                "https://{}.example/{handle}/{}",
                platform_host(platform),
                self.sequence
            )),
            id,
            platform,
            author: Author {
                handle,
                display_name: format!("{first} {last}"),
                reach,
                avatar: None,
            },
            text,
            // Forums and press rarely say their language: the analysis detects it.
            lang: (!matches!(platform, Platform::Forum | Platform::Press)).then(|| lang.into()),
            created_at,
            engagement: Engagement {
                likes,
                shares,
                replies,
            },
            reply_to: None,
            picture: None,
            rating: None,
        }
    }

    /// A new id, unique across runs too: a restarted wall keeps its history, so the second
    /// run's first post must not pass for the first run's.
    fn next_id(&self) -> String {
        format!(
            "demo:{}:{}:{}",
            self.seed,
            self.started.timestamp(),
            self.sequence
        )
    }

    fn poisson(&mut self, rate: f64) -> u64 {
        if rate <= 0.0 {
            return 0;
        }
        Poisson::new(rate)
            .map(|p| p.sample(&mut self.rng) as u64)
            .unwrap_or(0)
    }
}

fn author((handle, name, reach): (&str, &str, u64)) -> Author {
    Author {
        handle: handle.into(),
        display_name: name.into(),
        reach,
        avatar: None,
    }
}

fn hourly_rhythm(at: DateTime<Utc>) -> f64 {
    let local = at + TimeDelta::hours(PARIS_OFFSET_HOURS);
    let hour = local.hour() as usize;
    let next = (hour + 1) % 24;
    let within = local.minute() as f64 / 60.0;
    HOURLY_RHYTHM[hour] * (1.0 - within) + HOURLY_RHYTHM[next] * within
}

fn platform_host(platform: Platform) -> &'static str {
    match platform {
        Platform::X => "x",
        Platform::Mastodon => "mastodon",
        Platform::Bluesky => "bsky",
        Platform::Instagram => "instagram",
        Platform::Tiktok => "tiktok",
        Platform::Facebook => "facebook",
        Platform::Youtube => "youtube",
        Platform::Reddit => "reddit",
        Platform::Hackernews => "news.ycombinator",
        Platform::Press => "press",
        Platform::Forum => "forum",
        Platform::Threads => "threads",
        Platform::Appstore => "apps.apple",
        Platform::Other => "web",
    }
}

/// Handles are ASCII: drop the accents of a first name.
fn ascii_fold(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    text.nfd().filter(char::is_ascii).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().expect("valid timestamp")
    }

    #[test]
    fn same_seed_same_day() {
        let from = at("2026-11-20T06:00:00Z");
        let incident = at("2026-11-20T10:00:00Z");
        let mut a = DemoGenerator::new(7, Scenario::PosterBacklash, from, incident);
        let mut b = DemoGenerator::new(7, Scenario::PosterBacklash, from, incident);
        for _ in 0..2000 {
            assert_eq!(a.pop(), b.pop());
        }
        let mut c = DemoGenerator::new(8, Scenario::PosterBacklash, from, incident);
        let differs = (0..50).any(|_| a.pop().text != c.pop().text);
        assert!(differs);
    }

    #[test]
    fn mentions_come_in_time_order_with_a_daily_rhythm() {
        let from = at("2026-11-20T00:00:00Z");
        let mut generator = DemoGenerator::new(1, Scenario::QuietDay, from, from);
        let mut last = from;
        let mut per_hour = [0u32; 24];
        loop {
            let m = generator.pop();
            if m.created_at >= from + TimeDelta::hours(24) {
                break;
            }
            assert!(m.created_at >= last, "out of order");
            last = m.created_at;
            per_hour[m.created_at.hour() as usize] += 1;
        }
        // 03:00 UTC is 04:00 in Paris (night); 19:00 UTC is the evening peak.
        assert!(per_hour[19] > 5 * per_hour[3], "{per_hour:?}");
        let fr_and_en = per_hour.iter().sum::<u32>();
        assert!(
            fr_and_en > 5000,
            "a believable day has thousands of mentions: {fr_and_en}"
        );
    }

    #[test]
    fn the_backlash_scenario_posts_the_viral_message_then_the_answer() {
        let from = at("2026-11-20T09:00:00Z");
        let incident = at("2026-11-20T10:00:30Z");
        let mut generator = DemoGenerator::new(3, Scenario::PosterBacklash, from, incident);
        let mut viral = None;
        let mut answer = None;
        while answer.is_none() {
            let m = generator.pop();
            if m.text == VIRAL_POST {
                viral = Some(m.created_at);
            } else if m.text == BRAND_ANSWER {
                answer = Some(m.created_at);
            }
        }
        assert_eq!(viral, Some(incident));
        assert_eq!(answer, Some(incident + TimeDelta::minutes(45)));
    }

    #[test]
    fn the_brand_account_answers_some_posts_about_it_later_and_in_order() {
        let from = at("2026-11-20T08:00:00Z");
        let mut generator = DemoGenerator::new(5, Scenario::QuietDay, from, from);
        let mut seen: std::collections::HashMap<String, DateTime<Utc>> = Default::default();
        let mut answers = 0;
        let mut last = from;
        while last < from + TimeDelta::hours(6) {
            let m = generator.pop();
            assert!(m.created_at >= last, "out of order");
            last = m.created_at;
            if let Some(parent) = &m.reply_to {
                assert_eq!(m.author.handle, BRAND_ACCOUNT.0);
                let asked = seen
                    .get(parent)
                    .copied()
                    .expect("answers a post already sent");
                let waited = m.created_at - asked;
                assert!(waited >= TimeDelta::minutes(2), "{waited}");
                assert!(m.text.contains("Petit Loup"), "{}", m.text);
                answers += 1;
            }
            seen.insert(m.id.clone(), m.created_at);
        }
        assert!(
            answers > 30,
            "a care team answers dozens of posts in 6 h: {answers}"
        );
    }
}
