//! The benchmarks' input: the shipped config grown to 50 queries (brands, competitors and
//! topics), and demo mentions at a steady rate, with the share of repeats a reconnecting
//! source sends.

use std::path::Path;

use chrono::{DateTime, TimeDelta, Utc};

use crate::config::Config;
use crate::ingest::demo::{DemoGenerator, Scenario};
use crate::model::{Mention, SourceEvent};

/// Brands, competitors and topics the benchmark config matches: a busy room's watch list.
pub const QUERIES: usize = 50;
/// One event in this many is a repeat of an earlier one (a source's reconnect overlap).
const REPEAT_EVERY: usize = 50;

const SHIPPED_CONFIG: &str = include_str!("../../config.toml");

/// Competitors beyond the demo's, each with the keyword shapes a real query has.
const MORE_BRANDS: [&str; 16] = [
    "Lutin Malin",
    "Ourson Bleu",
    "Petit Navire",
    "Bulle de Coton",
    "Cocon Kids",
    "Tchoupi Mode",
    "Pomme d'Api",
    "Les Petits Pas",
    "Nuage Doux",
    "Zèbre & Cie",
    "Mini Pousse",
    "Chaton Chic",
    "Grain de Sable",
    "Doudou Land",
    "Bambin Store",
    "Lune Rousse",
];

/// Topics beyond the demo's, with French and English keywords.
const MORE_TOPICS: [(&str, &[&str]); 20] = [
    (
        "Sécurité",
        &["sécurité", "dangereux", "rappel produit", "safety"],
    ),
    (
        "Écologie",
        &["écologique", "bio", "recyclé", "durable", "eco-friendly"],
    ),
    (
        "Made in France",
        &["fabriqué en france", "made in france", "local"],
    ),
    (
        "Influence",
        &["influenceuse", "placement", "sponsorisé", "ad"],
    ),
    (
        "Rentrée",
        &["rentrée", "cartable", "école", "back to school"],
    ),
    ("Noël", &["noël", "cadeau", "sapin", "christmas", "gift"]),
    (
        "Black Friday",
        &["black friday", "promo", "réduction", "deal"],
    ),
    ("Application", &["appli", "application", "bug", "app"]),
    ("Site web", &["site", "panier", "paiement", "checkout"]),
    (
        "Fidélité",
        &["carte fidélité", "points", "avantages", "loyalty"],
    ),
    ("Recrutement", &["recrute", "emploi", "stage", "job"]),
    ("Bébé", &["bébé", "naissance", "maternité", "baby"]),
    ("Matières", &["coton", "laine", "polyester", "cotton"]),
    ("Couleurs", &["rose", "bleu", "pastel", "colour"]),
    ("Chaussures", &["chaussures", "baskets", "bottes", "shoes"]),
    ("Pyjamas", &["pyjama", "gigoteuse", "nuit", "pajamas"]),
    ("Accessoires", &["bonnet", "écharpe", "gants", "hat"]),
    ("Grossesse", &["enceinte", "grossesse", "pregnant"]),
    ("Parents", &["maman", "papa", "parents", "mum", "dad"]),
    ("Anniversaire", &["anniversaire", "fête", "birthday"]),
];

/// The shipped config with 50 queries: its 4 brands and 10 topics, 16 more competitors and
/// 20 more topics.
pub fn bench_config() -> anyhow::Result<Config> {
    let mut text = String::from(SHIPPED_CONFIG);
    for (n, name) in MORE_BRANDS.iter().enumerate() {
        let handle: String = crate::text::fold(name)
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect();
        text.push_str(&format!(
            "\n[[brands]]\nname = \"{name}\"\ncolor = \"#{:02X}{:02X}80\"\nkeywords = \
             [\"{}\", \"{handle}\", \"@{handle}\", \"#{handle}\"]\n",
            40 + n * 12,
            200 - n * 8,
            name.to_lowercase()
        ));
    }
    for (name, keywords) in MORE_TOPICS {
        let list: Vec<String> = keywords.iter().map(|k| format!("\"{k}\"")).collect();
        text.push_str(&format!(
            "\n[[topics]]\nname = \"{name}\"\nkeywords = [{}]\n",
            list.join(", ")
        ));
    }
    let config = Config::parse(Path::new("bench-config.toml"), &text)?;
    let topics: usize = config.topics.len();
    anyhow::ensure!(
        config.brands.len() + topics == QUERIES,
        "the benchmark config has {} brands and {topics} topics, not {QUERIES} queries",
        config.brands.len()
    );
    Ok(config)
}

/// `count` demo events from `start`, one every `step`, in time order; one in fifty repeats an
/// earlier post.
pub fn events(count: usize, start: DateTime<Utc>, step: TimeDelta) -> Vec<SourceEvent> {
    Events::new(start, step).take(count).collect()
}

/// Demo events, one every `step` from `start`, without end: a day is written out without
/// being held in memory.
pub struct Events {
    generator: DemoGenerator,
    start: DateTime<Utc>,
    step: TimeDelta,
    sent: usize,
    /// The last posts, for the repeats.
    recent: Vec<Mention>,
}

impl Events {
    pub fn new(start: DateTime<Utc>, step: TimeDelta) -> Self {
        Self {
            generator: DemoGenerator::new(11, Scenario::PosterBacklash, start, start),
            start,
            step,
            sent: 0,
            recent: Vec::with_capacity(1024),
        }
    }
}

impl Iterator for Events {
    type Item = SourceEvent;

    fn next(&mut self) -> Option<SourceEvent> {
        let n = self.sent;
        self.sent += 1;
        if n % REPEAT_EVERY == REPEAT_EVERY - 1
            && let Some(repeat) = self.recent.get(n % self.recent.len().max(1))
        {
            return Some(SourceEvent::Post(repeat.clone()));
        }
        let mut mention = self.generator.pop();
        mention.created_at = self.start + self.step * n as i32;
        if self.recent.len() < 1024 {
            self.recent.push(mention.clone());
        } else {
            self.recent[n % 1024] = mention.clone();
        }
        Some(SourceEvent::Post(mention))
    }
}

/// The texts of `count` demo mentions.
pub fn texts(count: usize) -> Vec<String> {
    let start: DateTime<Utc> = DateTime::UNIX_EPOCH + TimeDelta::days(20_000);
    let mut generator = DemoGenerator::new(13, Scenario::PosterBacklash, start, start);
    (0..count).map(|_| generator.pop().text).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bench_config_watches_fifty_queries() {
        let config = bench_config().expect("config");
        assert_eq!(config.brands.len(), 20);
        assert_eq!(config.topics.len(), 30);
    }

    #[test]
    fn events_are_steady_in_time_with_a_share_of_repeats() {
        let start: DateTime<Utc> = "2026-11-20T00:00:00Z".parse().expect("time");
        let events = events(5_000, start, TimeDelta::milliseconds(40));
        assert_eq!(events.len(), 5_000);
        let mut ids = std::collections::HashSet::new();
        let mut planted = 0;
        for (n, event) in events.iter().enumerate() {
            let SourceEvent::Post(mention) = event else {
                panic!("only posts")
            };
            let seen_before = !ids.insert(mention.id.clone());
            if n % REPEAT_EVERY == REPEAT_EVERY - 1 {
                assert!(seen_before, "event {n} repeats an earlier post");
                planted += 1;
            }
        }
        assert_eq!(planted, 5_000 / REPEAT_EVERY);
        let SourceEvent::Post(last) = &events[4_998] else {
            panic!()
        };
        assert_eq!(last.created_at, start + TimeDelta::milliseconds(40 * 4_998));
    }
}
