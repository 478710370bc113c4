//! The analysis on the scripted demo day, driven by a hand-moved clock: the figures the room
//! would see, computed exactly as live.

use std::path::Path;

use chrono::{DateTime, TimeDelta, Utc};
use vigie::analysis::{Analyzer, Outcome};
use vigie::clock::{Clock, ManualClock};
use vigie::config::Config;
use vigie::ingest::demo::{DemoGenerator, Scenario, VIRAL_POST};
use vigie::model::{Figures, WindowsWanted};

fn shipped_config() -> Config {
    Config::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("config.toml"))
        .expect("the shipped config.toml is valid")
}

fn at(text: &str) -> DateTime<Utc> {
    text.parse().expect("valid timestamp")
}

/// Feeds the demo day from `from` until `until` and returns the figures at each checkpoint.
fn play(
    scenario: Scenario,
    from: DateTime<Utc>,
    incident: DateTime<Utc>,
    until: DateTime<Utc>,
    checkpoints: &[DateTime<Utc>],
) -> (Analyzer, Vec<Figures>) {
    play_for(
        &WindowsWanted::default(),
        scenario,
        from,
        incident,
        until,
        checkpoints,
    )
}

/// `play` for a wall whose tiles want `windows`.
fn play_for(
    windows: &WindowsWanted,
    scenario: Scenario,
    from: DateTime<Utc>,
    incident: DateTime<Utc>,
    until: DateTime<Utc>,
    checkpoints: &[DateTime<Utc>],
) -> (Analyzer, Vec<Figures>) {
    let config = shipped_config();
    let mut analyzer = Analyzer::new(&config.analysis_settings()).expect("analyzer builds");
    analyzer.set_windows(windows);
    let clock = ManualClock::new(from);
    let mut generator = DemoGenerator::new(42, scenario, from, incident);
    let mut figures = Vec::new();
    let mut pending = checkpoints.iter().peekable();
    loop {
        let created = generator.peek().created_at;
        while let Some(&&checkpoint) = pending.peek() {
            if created < checkpoint {
                break;
            }
            clock.set(checkpoint);
            analyzer.tick_alerts(clock.now(), &[]);
            figures.push(analyzer.figures(clock.now(), Vec::new()));
            pending.next();
        }
        if created > until {
            break;
        }
        let mention = generator.pop();
        clock.set(mention.created_at);
        analyzer.process(mention, clock.now());
        analyzer.tick_alerts(clock.now(), &[]);
    }
    (analyzer, figures)
}

#[test]
fn the_viral_post_raises_a_spike_within_two_minutes_and_negative_share_rises() {
    let incident = at("2026-11-20T10:00:20Z");
    let before = incident - TimeDelta::seconds(1);
    let early = incident + TimeDelta::minutes(5);
    let after = incident + TimeDelta::minutes(40);
    let (_, figures) = play(
        Scenario::PosterBacklash,
        incident - TimeDelta::hours(6),
        incident,
        after,
        &[before, early, after],
    );
    let (before, early, after) = (&figures[0], &figures[1], &figures[2]);
    let own = 0;
    assert!(before.brands[own].own);

    // No alarm in the hour before the incident: the campaign launch three hours earlier is
    // allowed its own spike, the ordinary flow is not.
    let false_alarms: Vec<_> = before
        .spikes
        .iter()
        .filter(|s| s.brand == own && s.minute >= incident - TimeDelta::hours(1))
        .collect();
    assert!(false_alarms.is_empty(), "{false_alarms:?}");

    let first = after
        .spikes
        .iter()
        .filter(|s| s.brand == own && s.detected_at >= incident)
        .min_by_key(|s| s.detected_at)
        .expect("the storm is flagged");
    let delay = first.detected_at - incident;
    println!(
        "spike flagged {} s after the viral post ({} mentions in the minute, baseline {})",
        delay.num_seconds(),
        first.count,
        first.baseline
    );
    assert!(
        delay <= TimeDelta::minutes(2),
        "spike flagged {}s after the viral post",
        delay.num_seconds()
    );
    assert_eq!(before.active_alerts, 0, "{:#?}", before.alerts);
    let active_brands = |f: &Figures| -> Vec<Option<String>> {
        f.alerts
            .iter()
            .filter(|a| a.is_active())
            .map(|a| a.brand.clone())
            .collect()
    };
    assert!(early.active_alerts >= 2, "{:#?}", early.alerts);
    assert!(
        active_brands(early)
            .iter()
            .all(|b| b.as_deref() == Some("Petit Loup")),
        "only the own brand is alerting: {:?}",
        active_brands(early)
    );
    // Forty minutes into the storm the past hour is mostly storm: it is still an alert.
    assert!(
        after
            .alerts
            .iter()
            .any(|a| a.is_active() && a.rule == "part-negative"),
        "a lasting storm stays an alert: {:#?}",
        after.alerts
    );

    let share_before = before.last_hour[own].negative_share().expect("volume");
    let share_after = after.last_hour[own].negative_share().expect("volume");
    assert!(share_before < 0.3, "negative share before: {share_before}");
    assert!(share_after > 0.5, "negative share after: {share_after}");
    assert!(
        after.last_hour[own].total() > 3 * before.last_hour[own].total(),
        "volume before {} after {}",
        before.last_hour[own].total(),
        after.last_hour[own].total()
    );
    // The storm makes the brand the loudest in the room.
    let sov = &after.share_of_voice();
    assert!(sov[own] > sov[1..].iter().sum::<u32>(), "{sov:?}");
    // ...by volume and by engagement, up against the hour before the incident, and its share of
    // the room's negative mentions too.
    use vigie::model::ShareBasis;
    let window = after.windows.first().expect("the share-of-voice window");
    for basis in [
        ShareBasis::Volume,
        ShareBasis::Engagement,
        ShareBasis::Negative,
    ] {
        let (share, change) = window.shares(basis)[own];
        let change = change.expect("a previous window");
        assert!(
            share > 50.0 && change > 10.0,
            "{basis:?}: {share} % ({change:+} pts)"
        );
    }
    assert!(
        window.engagement[own] > 57_900,
        "the viral post's engagement counts"
    );
    let platforms: u32 = window.platforms[own].iter().sum();
    assert_eq!(platforms, window.tones[own].total());
}

#[test]
fn the_crisis_turns_the_campaign_topic_sour_and_its_words_climb_the_trending_terms() {
    let incident = at("2026-11-20T10:00:20Z");
    let before = incident - TimeDelta::minutes(1);
    let after = incident + TimeDelta::minutes(40);
    let windows = WindowsWanted {
        shares: vec![60],
        trending: vec![(60, 0)],
        ..WindowsWanted::default()
    };
    let (_, figures) = play_for(
        &windows,
        Scenario::PosterBacklash,
        incident - TimeDelta::hours(6),
        incident,
        after,
        &[before, after],
    );
    let (before, after) = (&figures[0], &figures[1]);
    let topic = |f: &Figures, name: &str| {
        let index = f
            .topics
            .iter()
            .position(|t| t.name == name)
            .expect("a topic of config.toml");
        f.totals(60).expect("hour window").topics[0][index]
    };

    // Before: the campaign is talked about, kindly. Forty minutes into the storm it is the
    // brand's first topic, and mostly negative, its silhouettes micro topic with it.
    let campaign_before = topic(before, "Campagne");
    assert!(campaign_before.total() > 20, "{campaign_before:?}");
    assert!(
        campaign_before.positive > 2 * campaign_before.negative,
        "{campaign_before:?}"
    );
    let campaign_after = topic(after, "Campagne");
    let silhouettes = topic(after, "Silhouettes");
    assert!(
        campaign_after.negative_share().expect("mentions") > 0.6,
        "{campaign_after:?}"
    );
    assert!(silhouettes.total() > 20, "{silhouettes:?}");
    let own_hour = after.totals(60).expect("hour window").tones[0].total();
    let macros: Vec<(&str, u32)> = after
        .topics
        .iter()
        .enumerate()
        .filter(|(_, t)| t.parent.is_none())
        .map(|(i, t)| {
            (
                t.name.as_str(),
                after.totals(60).expect("hour").topics[0][i].total(),
            )
        })
        .collect();
    let biggest = macros.iter().max_by_key(|(_, n)| *n).expect("macro topics");
    assert_eq!(biggest.0, "Campagne", "{macros:?} of {own_hour}");
    // A micro topic's mentions are in its macro topic.
    assert!(campaign_after.total() >= silhouettes.total());

    // Trending: the storm's words lead, new or climbing against the hour before.
    let trending = after.trending(60, 0).expect("the tile asked for it");
    let top: Vec<(&str, Option<u32>)> = trending
        .terms
        .iter()
        .take(8)
        .map(|t| (t.text.as_str(), t.previous_rank))
        .collect();
    println!("trending 40 min into the storm: {top:?}");
    assert_eq!(top[0].0, "affiches", "{top:?}");
    for storm_word in ["maigres", "enfants"] {
        let (rank, term) = trending
            .terms
            .iter()
            .enumerate()
            .find(|(_, t)| t.text == storm_word)
            .unwrap_or_else(|| panic!("'{storm_word}' trends: {top:?}"));
        assert!(
            term.previous_rank.is_none_or(|r| r as usize > rank + 1),
            "'{storm_word}' climbed: {term:?} now {}",
            rank + 1
        );
    }
    assert!(
        trending
            .terms
            .iter()
            .all(|t| !t.text.contains("petit") && !t.text.contains("loup")),
        "the brand's own name never trends: {top:?}"
    );
    // The counts are the brand's posts that said the word, at most once a post.
    assert!(trending.terms[0].count <= own_hour, "{top:?}");
}

#[test]
fn the_care_team_answers_give_the_brand_a_response_time_and_competitors_none() {
    let from = at("2026-11-20T07:00:00Z");
    let until = from + TimeDelta::hours(8);
    let (_, figures) = play(Scenario::QuietDay, from, from, until, &[until]);
    let times = &figures[0].response_times;
    println!("response times over the day: {times:?}");
    assert!(times[0].answered > 40, "{:?}", times[0]);
    let median = times[0].median_seconds.expect("a median");
    // The demo's care team answers in about 25 minutes in the day, longer at night.
    assert!(
        (10 * 60..60 * 60).contains(&median),
        "median wait {median} s"
    );
    assert!(
        times[1..]
            .iter()
            .all(|t| t.answered == 0 && t.median_seconds.is_none()),
        "the competitors name no account: {times:?}"
    );
}

#[test]
fn an_ordinary_day_raises_no_spike_for_the_brand() {
    let from = at("2026-11-20T00:00:00Z");
    let end = from + TimeDelta::hours(24);
    let (analyzer, figures) = play(Scenario::QuietDay, from, from, end, &[end]);
    let spikes: Vec<_> = figures[0].spikes.iter().filter(|s| s.brand == 0).collect();
    assert!(spikes.is_empty(), "{spikes:?}");
    assert!(analyzer.brands().len() == 4);
}

#[test]
fn duplicates_lookalikes_and_late_mentions_are_counted_not_shown() {
    let from = at("2026-11-20T08:00:00Z");
    let config = shipped_config();
    let mut analyzer = Analyzer::new(&config.analysis_settings()).expect("analyzer builds");
    let mut generator = DemoGenerator::new(42, Scenario::QuietDay, from, from);
    let mut outcomes = (0, 0, 0);
    let mut viral_seen = false;
    for _ in 0..5000 {
        let mention = generator.pop();
        viral_seen |= mention.text == VIRAL_POST;
        let now = mention.created_at;
        match analyzer.process(mention, now) {
            Outcome::Matched(m) => {
                assert!(!m.brands.is_empty());
                assert!((-1.0..=1.0).contains(&m.sentiment));
                outcomes.0 += 1;
            }
            Outcome::Duplicate => outcomes.1 += 1,
            Outcome::Unmatched => outcomes.2 += 1,
            Outcome::TooLate => panic!("nothing is late in order"),
            other => panic!("a demo post is never an edit or a deletion: {other:?}"),
        }
    }
    assert!(!viral_seen, "the quiet day has no crisis");
    assert!(
        outcomes.1 > 10,
        "the demo resends about 1 % of posts: {outcomes:?}"
    );
    assert!(
        outcomes.2 > 5,
        "look-alike posts are not about a brand: {outcomes:?}"
    );

    // A mention from two days ago is beyond every window: counted as late, not bucketed.
    let mut old = generator.pop();
    old.id = "late:1".into();
    let now = old.created_at;
    old.created_at -= TimeDelta::hours(48);
    assert_eq!(analyzer.process(old, now), Outcome::TooLate);
    let figures = analyzer.figures(now, Vec::new());
    assert_eq!(figures.too_late, 1);
    assert_eq!(figures.duplicates, outcomes.1);
}

fn post(id: &str, text: &str, at_time: DateTime<Utc>) -> vigie::model::Mention {
    vigie::model::Mention {
        id: id.into(),
        platform: vigie::model::Platform::Mastodon,
        author: vigie::model::Author {
            handle: "a@b.c".into(),
            display_name: String::new(),
            reach: 10,
            avatar: None,
        },
        text: text.into(),
        lang: Some("fr".into()),
        created_at: at_time,
        url: None,
        engagement: Default::default(),
        reply_to: None,
        picture: None,
        rating: None,
    }
}

#[test]
fn a_deleted_post_leaves_the_figures_an_edit_is_scored_again_and_a_late_copy_is_not_counted() {
    use vigie::model::{SourceEvent, Tone};
    let mut analyzer =
        Analyzer::new(&shipped_config().analysis_settings()).expect("analyzer builds");
    let now = at("2026-11-25T12:00:30Z");
    let minute = at("2026-11-25T12:00:00Z");
    let totals = |analyzer: &mut Analyzer| analyzer.figures(now, Vec::new()).last_hour[0];

    let hate = post("mastodon:1", "Je déteste Petit Loup, c'est honteux", minute);
    let love = post("mastodon:2", "J'adore Petit Loup, merci !", minute);
    assert!(matches!(
        analyzer.handle(SourceEvent::Post(hate.clone()), now),
        Outcome::Matched(m) if m.tone == Tone::Negative
    ));
    analyzer.handle(SourceEvent::Post(love), now);
    assert_eq!(
        (
            totals(&mut analyzer).negative,
            totals(&mut analyzer).positive
        ),
        (1, 1)
    );

    // The author softens the post: the negative count goes, a positive one comes.
    let softened = post("mastodon:1", "Finalement j'adore Petit Loup, super", minute);
    assert!(matches!(
        analyzer.handle(SourceEvent::Edit(softened), now),
        Outcome::Edited(m) if m.tone == Tone::Positive
    ));
    assert_eq!(
        (
            totals(&mut analyzer).negative,
            totals(&mut analyzer).positive
        ),
        (0, 2)
    );

    // Deleted: out of the figures, and its card is named for the wall.
    assert_eq!(
        analyzer.handle(
            SourceEvent::Delete {
                id: "mastodon:1".into()
            },
            now
        ),
        Outcome::Retracted("mastodon:1".into())
    );
    assert_eq!(totals(&mut analyzer).total(), 1);
    assert_eq!(analyzer.figures(now, Vec::new()).retracted, 1);

    // A reconnect replays the original post: it stays out.
    assert_eq!(
        analyzer.handle(SourceEvent::Post(hate), now),
        Outcome::Duplicate
    );
    assert_eq!(totals(&mut analyzer).total(), 1);

    // A deletion that arrives before its post (a replay overlap) keeps the post out too.
    analyzer.handle(
        SourceEvent::Delete {
            id: "mastodon:3".into(),
        },
        now,
    );
    let early = post("mastodon:3", "Petit Loup encore", minute);
    assert_eq!(
        analyzer.handle(SourceEvent::Post(early), now),
        Outcome::Duplicate
    );
    assert_eq!(totals(&mut analyzer).total(), 1);
}

/// Plays the demo from `from` to `until`, checking the alert rules every 15 simulated seconds
/// as the analysis thread does, and returns every alert change with when it happened.
fn play_alerts(
    scenario: Scenario,
    from: DateTime<Utc>,
    incident: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Vec<vigie::alerts::AlertChange> {
    let config = shipped_config();
    let mut analyzer = Analyzer::new(&config.analysis_settings()).expect("analyzer builds");
    let mut generator = DemoGenerator::new(7, scenario, from, incident);
    let mut next_tick = from;
    let mut changes = Vec::new();
    loop {
        let mention = generator.pop();
        while next_tick <= mention.created_at && next_tick <= until {
            analyzer.tick_alerts(next_tick, &[]);
            changes.extend(analyzer.take_alert_changes());
            next_tick += TimeDelta::seconds(15);
        }
        if mention.created_at > until {
            break;
        }
        let now = mention.created_at;
        analyzer.process(mention, now);
        changes.extend(analyzer.take_alert_changes());
    }
    changes
}

#[test]
fn the_viral_scenario_raises_the_viral_post_and_negative_share_alerts_once_each() {
    use vigie::alerts::{AlertChange, Severity, Trigger};
    let incident = at("2026-11-20T10:00:20Z");
    let changes = play_alerts(
        Scenario::PosterBacklash,
        incident - TimeDelta::hours(6),
        incident,
        incident + TimeDelta::hours(4),
    );
    let raised = |rule: &str| -> Vec<&vigie::alerts::Alert> {
        changes
            .iter()
            .filter_map(|c| match c {
                AlertChange::Raised(a) if a.rule == rule => Some(a),
                _ => None,
            })
            .collect()
    };

    let viral = raised("post-viral");
    assert_eq!(viral.len(), 1, "viral alerts: {viral:#?}");
    let viral = viral[0];
    assert_eq!(viral.brand.as_deref(), Some("Petit Loup"));
    assert_eq!(viral.severity, Severity::Critical);
    assert!(viral.started_at >= incident && viral.started_at - incident <= TimeDelta::minutes(2));
    assert!(matches!(viral.trigger, Trigger::ViralPost { per_minute, .. } if per_minute >= 200.0));
    assert!(
        viral.evidence.iter().any(|p| p.text == VIRAL_POST),
        "{:?}",
        viral.evidence
    );
    assert!(viral.summary.contains("viral"), "{}", viral.summary);

    let negative = raised("part-negative");
    assert_eq!(negative.len(), 1, "negative-share alerts: {negative:#?}");
    let negative = negative[0];
    assert!(
        negative.started_at > incident && negative.started_at - incident <= TimeDelta::minutes(45)
    );
    match negative.trigger {
        Trigger::NegativeShare {
            share, mentions, ..
        } => {
            assert!(share >= 0.4 && mentions >= 40, "{share} of {mentions}");
        }
        ref other => panic!("{other:?}"),
    }
    assert!(!negative.evidence.is_empty());
    assert!(
        negative
            .evidence
            .iter()
            .all(|p| p.tone == vigie::model::Tone::Negative)
    );
    // It ends once the brand has answered and the storm has passed, and is not raised again.
    let ended = changes
        .iter()
        .any(|c| matches!(c, AlertChange::Ended(a) if a.id == negative.id));
    assert!(ended, "the negative-share alert never ended");

    // The storm's spike says why: the posters, and where it comes from.
    let spike = changes
        .iter()
        .filter_map(|c| match c {
            AlertChange::Raised(a) if a.rule == "pic-de-volume" && a.started_at >= incident => {
                Some(a)
            }
            _ => None,
        })
        .find(|a| a.brand.as_deref() == Some("Petit Loup"))
        .expect("the storm raises a volume-spike alert");
    match &spike.trigger {
        Trigger::VolumeSpike { drivers, .. } => {
            // The storm's words, not the brand's usual ones (robes, soldes, livraison).
            let storm = [
                "affiches",
                "maigres",
                "minces",
                "silhouettes",
                "choquant",
                "honte",
            ];
            assert!(
                drivers.terms.iter().any(|t| storm.contains(&t.as_str())),
                "{drivers:?}"
            );
            assert!(
                spike.summary.contains(&format!("« {} »", drivers.terms[0])),
                "{}",
                spike.summary
            );
            assert!(
                !drivers.platforms.is_empty() && drivers.posts > 10,
                "{drivers:?}"
            );
            assert!(!drivers.authors.is_empty(), "{drivers:?}");
        }
        other => panic!("{other:?}"),
    }

    // Nothing critical in the calm hours before the incident.
    let early: Vec<_> = changes
        .iter()
        .filter(|c| c.alert().started_at < incident && c.alert().severity == Severity::Critical)
        .collect();
    assert!(early.is_empty(), "{early:#?}");
}

#[test]
fn a_quiet_day_raises_no_critical_alert() {
    use vigie::alerts::Severity;
    let incident = at("2026-11-20T10:00:20Z");
    let changes = play_alerts(
        Scenario::QuietDay,
        incident - TimeDelta::hours(6),
        incident,
        incident + TimeDelta::hours(6),
    );
    let critical: Vec<_> = changes
        .iter()
        .filter(|c| c.alert().severity == Severity::Critical)
        .collect();
    assert!(critical.is_empty(), "{critical:#?}");
}

/// A display counts what the hub analysed, and a restarted wall what its history holds: their
/// texts are read again only for what today's config needs. With no topics configured nothing
/// else reads a post before its trending terms: each post's terms must still be its own, not
/// those of the post read before it.
#[test]
fn posts_counted_as_analysed_trend_by_their_own_words_with_no_topics() {
    use vigie::model::{
        AnalysisEvent, Author, Engagement, EnrichedMention, Mention, Platform, Tone,
    };
    let config = Config::parse(
        Path::new("no-topics.toml"),
        "[[sources]]\ntype = \"demo\"\n\n[[brands]]\nname = \"Petit Loup\"\ncolor = \"#3366CC\"\n\
         keywords = [\"petit loup\"]\n",
    )
    .expect("a config with one brand and no topics");
    assert!(config.topics.is_empty());
    let mut analyzer = Analyzer::new(&config.analysis_settings()).expect("analyzer builds");
    analyzer.set_windows(&WindowsWanted {
        trending: vec![(60, 0)],
        ..WindowsWanted::default()
    });
    let now = at("2026-11-20T10:00:00Z");
    let analysed = |id: &str, text: &str| {
        AnalysisEvent::Counted(EnrichedMention {
            mention: Mention {
                id: id.into(),
                platform: Platform::ALL[0],
                author: Author {
                    handle: "lea_martin".into(),
                    display_name: "Léa Martin".into(),
                    reach: 120,
                    avatar: None,
                },
                text: text.into(),
                lang: None,
                created_at: now - TimeDelta::minutes(1),
                url: None,
                engagement: Engagement::default(),
                reply_to: None,
                picture: None,
                rating: None,
            },
            brands: vec![0],
            sentiment: 0.0,
            tone: Tone::Neutral,
            lang: "fr".into(),
        })
    };
    // A long post first, then a short one whose words sit elsewhere in its text.
    for (id, text) in [
        (
            "a",
            "Petit Loup : les nouvelles affiches choquantes de la campagne d'automne",
        ),
        ("b", "Livraison rapide, Petit Loup"),
    ] {
        let outcome = analyzer.apply_analysed(analysed(id, text), now);
        assert!(matches!(outcome, Outcome::Matched(_)), "{id}: {outcome:?}");
    }
    let figures = analyzer.figures(now, Vec::new());
    let trending = figures.trending(60, 0).expect("the tile asked for it");
    let mut terms: Vec<&str> = trending.terms.iter().map(|t| t.text.as_str()).collect();
    terms.sort_unstable();
    assert_eq!(
        terms,
        [
            "affiches",
            "automne",
            "campagne",
            "choquantes",
            "livraison",
            "nouvelles",
            "rapide"
        ]
    );
}

#[test]
fn a_review_is_read_by_its_stars_and_three_stars_leave_it_to_the_words() {
    use vigie::model::{SourceEvent, Tone};
    let mut analyzer =
        Analyzer::new(&shipped_config().analysis_settings()).expect("analyzer builds");
    let now = at("2026-11-25T12:00:30Z");
    let minute = at("2026-11-25T12:00:00Z");
    let review = |id: &str, text: &str, stars: Option<u8>| vigie::model::Mention {
        rating: stars,
        ..post(id, text, minute)
    };
    let tone_of = |analyzer: &mut Analyzer, m| match analyzer.handle(SourceEvent::Post(m), now) {
        Outcome::Matched(m) => Some(m.tone),
        _ => None,
    };
    let praise = "Petit Loup, super appli, génial, merci !";
    assert_eq!(
        tone_of(&mut analyzer, review("appstore:1", praise, None)),
        Some(Tone::Positive),
        "the words alone read as praise"
    );
    assert_eq!(
        tone_of(&mut analyzer, review("appstore:2", praise, Some(1))),
        Some(Tone::Negative),
        "one star is a complaint whatever the words say"
    );
    assert_eq!(
        tone_of(&mut analyzer, review("appstore:3", praise, Some(3))),
        Some(Tone::Positive),
        "three stars: the words decide"
    );
    assert_eq!(
        tone_of(
            &mut analyzer,
            review("appstore:4", "Petit Loup, appli nulle, honteux", Some(5))
        ),
        Some(Tone::Positive)
    );
}
