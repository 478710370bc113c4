//! Every label on the wall, in French and English. The wall picks the table for the
//! configured `locale`; nothing on screen is written anywhere else.

use crate::model::FailureKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Locale {
    #[default]
    Fr,
    En,
}

impl Locale {
    pub fn parse(text: &str) -> Option<Locale> {
        match text.trim().to_ascii_lowercase().as_str() {
            "fr" | "fr-fr" | "français" | "francais" => Some(Locale::Fr),
            "en" | "en-gb" | "en-us" | "english" => Some(Locale::En),
            _ => None,
        }
    }

    pub fn labels(self) -> &'static Labels {
        match self {
            Locale::Fr => &FR,
            Locale::En => &EN,
        }
    }
}

/// The words of the wall. Functions take the numbers they need so word order can differ.
pub struct Labels {
    pub mentions_last_hour: &'static str,
    pub net_sentiment: &'static str,
    pub active_alerts: &'static str,
    pub stream_title: &'static str,
    pub volume_title: &'static str,
    pub share_of_voice_title: &'static str,
    /// What a share of voice is measured on, after its title; `None` for mentions.
    pub share_basis: fn(crate::model::ShareBasis) -> Option<&'static str>,
    /// Points of share gained or lost against the previous window: "+12 pts".
    pub points: &'static str,
    /// "sur Bluesky" / "on Bluesky", after a share-of-voice title.
    pub on_platform: fn(&str) -> String,
    pub engagement_rate: &'static str,
    /// The response-time KPI's caption.
    pub response_time: &'static str,
    pub engagement: &'static str,
    pub topics_title: &'static str,
    /// "Aucun thème repéré" / "No topic found", while a brand's window has none.
    pub no_topics: &'static str,
    /// When config.toml names no topic at all.
    pub topics_unset: &'static str,
    pub trending_title: &'static str,
    pub sources_title: &'static str,
    /// The sources tile's columns: source, state, newest post, posts a minute, quota.
    pub sources_columns: [&'static str; 5],
    /// Before the platforms no source listens to.
    pub not_connected: &'static str,
    /// A quota's period, after its figures: "aujourd'hui" / "today".
    pub quota_period: fn(crate::model::QuotaPeriod) -> &'static str,
    pub influencers_title: &'static str,
    /// The influencers tile's columns: author, platform, reach, mentions, tone.
    pub influencers_columns: [&'static str; 5],
    /// An author's handle where a lobby hides it: "Compte Instagram" / "Instagram account".
    pub hidden_author: fn(&str) -> String,
    pub no_influencers: &'static str,
    /// A term that was not in the previous window's ranking.
    pub new_entry: &'static str,
    pub no_terms: &'static str,
    /// Before the reason the history cannot be written.
    pub history_unavailable: &'static str,
    pub spike: &'static str,
    pub negative: &'static str,
    pub neutral: &'static str,
    pub positive: &'static str,
    pub waiting_for_data: &'static str,
    pub source_live: &'static str,
    pub source_starting: &'static str,
    pub source_finished: &'static str,
    pub source_stale_since: &'static str,
    pub source_failed: &'static str,
    /// "nouvel essai" / "retry", before a time.
    pub retry: &'static str,
    /// A failure in a few words; `None` for `Other` (the reason is shown).
    pub failure: fn(FailureKind) -> Option<String>,
    /// "+3 autres" / "+3 more", when the status line has no room for every source.
    pub more_sources: fn(usize) -> String,
    pub dropped: &'static str,
    pub malformed: &'static str,
    pub sentiment_title: &'static str,
    pub alerts_title: &'static str,
    pub no_alerts: &'static str,
    pub alert_active: &'static str,
    /// Before the time an alert ended: "terminée 14:32".
    pub alert_ended: &'static str,
    /// An alert someone took in hand: "pris en charge · Camille · 14:05".
    pub handled_by: fn(&str, &str) -> String,
    /// An alert someone resolved: "résolue · Léo · 14:25".
    pub resolved_by: fn(&str, &str) -> String,
    /// Before the platform of a card the room pinned.
    pub pinned: &'static str,
    /// "+2 alertes" / "+2 more alerts" on the banner.
    pub more_alerts: fn(usize) -> String,
    pub usual: &'static str,
    pub per_minute: &'static str,
    pub layout_error: &'static str,
    /// Under the title of a message tile that says nothing else.
    pub welcome: &'static str,
    pub now: &'static str,
    pub minutes_ago: fn(i64) -> String,
    pub hours_ago: fn(i64) -> String,
    pub last_minutes: fn(u32) -> String,
    pub last_hours: fn(u32) -> String,
}

pub static FR: Labels = Labels {
    mentions_last_hour: "Mentions / heure",
    net_sentiment: "Sentiment net",
    active_alerts: "Alertes actives",
    stream_title: "Flux des mentions",
    volume_title: "Volume",
    share_of_voice_title: "Part de voix",
    share_basis: |basis| match basis {
        crate::model::ShareBasis::Volume => None,
        crate::model::ShareBasis::Engagement => Some("engagement"),
        crate::model::ShareBasis::Positive => Some("mentions positives"),
        crate::model::ShareBasis::Negative => Some("mentions négatives"),
    },
    points: "pts",
    on_platform: |p| format!("sur {p}"),
    engagement_rate: "Taux d'engagement",
    response_time: "Temps de réponse · 24 h",
    engagement: "Engagement / heure",
    topics_title: "Thèmes",
    no_topics: "Aucun thème repéré sur la période",
    topics_unset: "Aucun thème dans config.toml ([[topics]])",
    trending_title: "Tendances",
    sources_title: "Sources",
    sources_columns: ["Source", "État", "Dernier post", "Posts / min", "Quota"],
    not_connected: "Plateformes non écoutées :",
    quota_period: |period| match period {
        crate::model::QuotaPeriod::Day => "aujourd'hui",
        crate::model::QuotaPeriod::Month => "ce mois",
    },
    influencers_title: "Influenceurs",
    influencers_columns: ["Auteur", "Plateforme", "Audience", "Mentions", "Ton"],
    hidden_author: |platform| format!("Compte {platform}"),
    no_influencers: "Pas encore d'auteur marquant",
    new_entry: "nouveau",
    no_terms: "Pas encore assez de mentions",
    history_unavailable: "historique indisponible :",
    spike: "pic",
    negative: "négatif",
    neutral: "neutre",
    positive: "positif",
    waiting_for_data: "En attente des premières mentions…",
    source_live: "en direct",
    source_starting: "démarrage",
    source_finished: "terminée",
    source_stale_since: "silencieuse depuis",
    source_failed: "en échec",
    retry: "nouvel essai",
    failure: |kind| {
        Some(match kind {
            FailureKind::Unauthorized => "jeton refusé (401)".into(),
            FailureKind::Forbidden => "accès refusé (403)".into(),
            FailureKind::RateLimited => "trop de requêtes (429)".into(),
            FailureKind::QuotaSpent => "quota épuisé".into(),
            FailureKind::Silent => "serveur muet".into(),
            FailureKind::TooLarge => "réponse trop grosse".into(),
            FailureKind::Unreachable => "injoignable".into(),
            FailureKind::HttpStatus(status) => format!("erreur HTTP {status}"),
            FailureKind::Other => return None,
        })
    },
    more_sources: |n| format!("+{n} autres"),
    dropped: "perdues",
    malformed: "illisibles",
    sentiment_title: "Sentiment par marque",
    alerts_title: "Alertes",
    no_alerts: "Aucune alerte : volume habituel pour toutes les marques.",
    alert_active: "EN COURS",
    alert_ended: "terminée",
    handled_by: |who, at| format!("pris en charge · {who} · {at}"),
    resolved_by: |who, at| format!("résolue · {who} · {at}"),
    pinned: "Épinglé",
    more_alerts: |n| format!("+{n} alerte{}", if n > 1 { "s" } else { "" }),
    usual: "habituel",
    per_minute: "/ min",
    layout_error: "Disposition non rechargée, la précédente reste affichée",
    welcome: "Bienvenue",
    now: "à l'instant",
    minutes_ago: |m| format!("il y a {m} min"),
    hours_ago: |h| format!("il y a {h} h"),
    last_minutes: |m| format!("{m} dernières minutes"),
    last_hours: |h| format!("{h} dernières heures"),
};

pub static EN: Labels = Labels {
    mentions_last_hour: "Mentions / hour",
    net_sentiment: "Net sentiment",
    active_alerts: "Active alerts",
    stream_title: "Mention stream",
    volume_title: "Volume",
    share_of_voice_title: "Share of voice",
    share_basis: |basis| match basis {
        crate::model::ShareBasis::Volume => None,
        crate::model::ShareBasis::Engagement => Some("engagement"),
        crate::model::ShareBasis::Positive => Some("positive mentions"),
        crate::model::ShareBasis::Negative => Some("negative mentions"),
    },
    points: "pts",
    on_platform: |p| format!("on {p}"),
    engagement_rate: "Engagement rate",
    response_time: "Response time · 24 h",
    engagement: "Engagement / hour",
    topics_title: "Topics",
    no_topics: "No topic found in this window",
    topics_unset: "No topics in config.toml ([[topics]])",
    trending_title: "Trending",
    sources_title: "Sources",
    sources_columns: ["Source", "State", "Newest post", "Posts / min", "Quota"],
    not_connected: "Platforms not listened to:",
    quota_period: |period| match period {
        crate::model::QuotaPeriod::Day => "today",
        crate::model::QuotaPeriod::Month => "this month",
    },
    influencers_title: "Influencers",
    influencers_columns: ["Author", "Platform", "Reach", "Mentions", "Tone"],
    hidden_author: |platform| format!("{platform} account"),
    no_influencers: "No standout author yet",
    new_entry: "new",
    no_terms: "Not enough mentions yet",
    history_unavailable: "history unavailable:",
    spike: "spike",
    negative: "negative",
    neutral: "neutral",
    positive: "positive",
    waiting_for_data: "Waiting for the first mentions…",
    source_live: "live",
    source_starting: "starting",
    source_finished: "finished",
    source_stale_since: "stale since",
    source_failed: "failed",
    retry: "retry",
    failure: |kind| {
        Some(match kind {
            FailureKind::Unauthorized => "token refused (401)".into(),
            FailureKind::Forbidden => "access refused (403)".into(),
            FailureKind::RateLimited => "rate limited (429)".into(),
            FailureKind::QuotaSpent => "quota spent".into(),
            FailureKind::Silent => "server silent".into(),
            FailureKind::TooLarge => "response too large".into(),
            FailureKind::Unreachable => "unreachable".into(),
            FailureKind::HttpStatus(status) => format!("HTTP error {status}"),
            FailureKind::Other => return None,
        })
    },
    more_sources: |n| format!("+{n} more"),
    dropped: "dropped",
    malformed: "malformed",
    sentiment_title: "Sentiment by brand",
    alerts_title: "Alerts",
    no_alerts: "No alerts: usual volume for every brand.",
    alert_active: "ONGOING",
    alert_ended: "ended",
    handled_by: |who, at| format!("handled · {who} · {at}"),
    resolved_by: |who, at| format!("resolved · {who} · {at}"),
    pinned: "Pinned",
    more_alerts: |n| format!("+{n} more alert{}", if n > 1 { "s" } else { "" }),
    usual: "usual",
    per_minute: "/ min",
    layout_error: "Layout not reloaded, the previous one stays on screen",
    welcome: "Welcome",
    now: "just now",
    minutes_ago: |m| format!("{m} min ago"),
    hours_ago: |h| format!("{h} h ago"),
    last_minutes: |m| format!("last {m} minutes"),
    last_hours: |h| format!("last {h} hours"),
};

impl Labels {
    /// "il y a 3 min" / "3 min ago" for an age in seconds.
    pub fn age(&self, seconds: i64) -> String {
        match seconds {
            s if s < 60 => self.now.to_string(),
            s if s < 3600 => (self.minutes_ago)(s / 60),
            s => (self.hours_ago)(s / 3600),
        }
    }

    pub fn window(&self, minutes: u32) -> String {
        if minutes >= 120 && minutes.is_multiple_of(60) {
            (self.last_hours)(minutes / 60)
        } else {
            (self.last_minutes)(minutes)
        }
    }
}

/// " · « affiches », « maigres » · X 62 %": what drove a spike, when known.
pub(crate) fn spike_why(
    drivers: &crate::alerts::drivers::SpikeDrivers,
    open: &str,
    close: &str,
) -> String {
    let mut why = String::new();
    if !drivers.terms.is_empty() {
        let terms: Vec<String> = drivers
            .terms
            .iter()
            .map(|t| format!("{open}{t}{close}"))
            .collect();
        why.push_str(&format!(" · {}", terms.join(", ")));
    }
    if let Some((platform, percent)) = drivers.platforms.first() {
        why.push_str(&format!(" · {platform} {percent} %"));
    }
    why
}

/// Why a spike happened, for the volume tile: its words, its main platform and its most
/// shared post ("« affiches », « maigres » · X 62 % · le plus partagé : @lea « Le… »");
/// `None` when nothing is known of it yet.
pub fn spike_reason(
    locale: Locale,
    drivers: &crate::alerts::drivers::SpikeDrivers,
    most_shared: Option<&crate::alerts::EvidencePost>,
) -> Option<String> {
    let (open, close, most_shared_label) = match locale {
        Locale::Fr => ("« ", " »", "le plus partagé :"),
        Locale::En => ("\"", "\"", "most shared:"),
    };
    let mut why = spike_why(drivers, open, close);
    if let Some(post) = most_shared {
        let text: String = post.text.split_whitespace().collect::<Vec<_>>().join(" ");
        let cut = crate::alerts::engine::first_chars(&text, SPIKE_POST_CHARS);
        let ellipsis = if cut.len() < text.len() { "…" } else { "" };
        // A lobby's post comes without its author.
        let author = if post.author.is_empty() {
            String::new()
        } else {
            format!("{} ", post.author)
        };
        why.push_str(&format!(
            " · {most_shared_label} {author}{open}{cut}{ellipsis}{close}"
        ));
    }
    let why = why.strip_prefix(" · ")?.to_string();
    Some(why)
}

/// A most shared post is quoted this far: the line must fit a tile read from across the room.
const SPIKE_POST_CHARS: usize = 70;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_naturally_in_both_languages() {
        assert_eq!(FR.age(20), "à l'instant");
        assert_eq!(FR.age(180), "il y a 3 min");
        assert_eq!(EN.age(7300), "2 h ago");
        assert_eq!(EN.window(60), "last 60 minutes");
        assert_eq!(FR.window(360), "6 dernières heures");
    }

    #[test]
    fn locales_parse() {
        assert_eq!(Locale::parse("FR"), Some(Locale::Fr));
        assert_eq!(Locale::parse("en-GB"), Some(Locale::En));
        assert_eq!(Locale::parse("de"), None);
    }
}
