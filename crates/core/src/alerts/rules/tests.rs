use std::path::Path;

use super::*;
use crate::settings::SpannedDocument;

fn brands() -> Vec<BrandConfig> {
    vec![BrandConfig {
        name: "Petit Loup".into(),
        own: true,
        color: "#4FC3F7".into(),
        keywords: vec!["petit loup".into()],
        exclude: Vec::new(),
        accounts: Vec::new(),
    }]
}

fn read(text: &str) -> Result<Vec<AlertRule>, Vec<ConfigError>> {
    let source = SourceText {
        file: Path::new("config.toml"),
        text,
    };
    let mut document = SpannedDocument::parse(&source).map_err(|e| vec![e])?;
    let mut errors = Vec::new();
    let tables = document
        .take_tables(&source, "alerts", &mut errors)
        .unwrap_or_default();
    let rules = read_rules(&source, tables, &brands());
    if errors.is_empty() {
        rules
    } else {
        Err(errors)
    }
}

#[test]
fn every_kind_is_read_with_its_defaults() {
    let text = [
        "volume_spike",
        "negative_share",
        "keyword\nwords = [\"Rappel produit\"]",
        "influential_negative\nmin_reach = 5000",
        "viral_post",
        "source_down",
    ]
    .iter()
    .enumerate()
    .map(|(n, kind)| format!("[[alerts]]\nname = \"r{n}\"\nkind = \"{kind}\n"))
    .collect::<String>()
    .replace("\nwords", "\"\nwords")
    .replace("\nmin_reach", "\"\nmin_reach")
    .replace("spike\n", "spike\"\n")
    .replace("share\n", "share\"\n")
    .replace("post\n", "post\"\n")
    .replace("down\n", "down\"\n");
    let rules = read(&text).unwrap_or_else(|e| panic!("{e:?}\n{text}"));
    let kinds: Vec<&str> = rules.iter().map(|r| r.condition.kind()).collect();
    assert_eq!(kinds, kind_names());
    assert!(rules.iter().all(|r| r.cooldown == TimeDelta::minutes(30)));
    assert!(rules.iter().all(|r| r.severity == Severity::Warning));
    let keyword = rules[2].condition.as_any().downcast_ref::<Keyword>();
    assert_eq!(
        keyword,
        Some(&Keyword {
            phrases: vec![vec!["rappel".into(), "produit".into()]],
            within_words: 8,
        })
    );
    let share = rules[1].condition.as_any().downcast_ref::<NegativeShare>();
    assert_eq!(
        share,
        Some(&NegativeShare {
            threshold: 0.4,
            window_minutes: 60,
            min_mentions: 20,
        })
    );
}

#[test]
fn a_field_of_another_kind_is_located_and_named() {
    let text = "[[alerts]]\nname = \"k\"\nkind = \"keyword\"\nwords = [\"rappel\"]\n\
                threshold = 0.5\n";
    let errors = read(text).expect_err("threshold on a keyword rule");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].line, 5, "{}", errors[0]);
    assert!(errors[0].message.contains("`threshold`"), "{}", errors[0]);
    assert!(errors[0].message.contains("kind keyword"), "{}", errors[0]);
}

#[test]
fn every_broken_rule_is_reported_not_only_the_first() {
    let text = "[[alerts]]\nname = \"a\"\nkind = \"volume_spik\"\n\n\
                [[alerts]]\nname = \"b\"\nkind = \"negative_share\"\nthreshold = 1.5\n\n\
                [[alerts]]\nname = \"c\"\nkind = \"keyword\"\n\n\
                [[alerts]]\nname = \"d\"\nkind = \"viral_post\"\nseverity = \"grave\"\n\n\
                [[alerts]]\nname = \"d\"\nkind = \"volume_spike\"\n";
    let errors = read(text).expect_err("five broken rules");
    assert_eq!(
        errors.iter().map(|e| e.line).collect::<Vec<_>>(),
        vec![3, 8, 10, 17, 19],
        "{errors:?}"
    );
    assert!(errors[0].message.contains("unknown kind 'volume_spik'"));
    assert!(errors[1].message.contains("between 0 and 1"));
    assert!(errors[2].message.contains("needs `words"));
    assert!(errors[3].message.contains("unknown severity 'grave'"));
    assert!(errors[4].message.contains("two alerts are named 'd'"));
}

#[test]
fn a_missing_name_and_an_unknown_brand_are_located() {
    let errors = read("[[alerts]]\nkind = \"volume_spike\"\n").expect_err("no name");
    assert!(errors[0].message.contains("name"), "{}", errors[0]);
    assert_eq!(errors[0].line, 1);
    let errors = read("[[alerts]]\nname = \"x\"\nkind = \"volume_spike\"\nbrand = \"Loup\"\n")
        .expect_err("no such brand");
    assert_eq!(errors[0].line, 4);
    assert!(
        errors[0].message.contains("brands: Petit Loup"),
        "{}",
        errors[0]
    );
}

#[test]
fn boxed_conditions_compare_by_kind_and_value() {
    let a: Box<dyn Condition> = Box::new(InfluentialNegative { min_reach: 10 });
    let b: Box<dyn Condition> = Box::new(InfluentialNegative { min_reach: 10 });
    let c: Box<dyn Condition> = Box::new(InfluentialNegative { min_reach: 11 });
    let d: Box<dyn Condition> = Box::new(VolumeSpike);
    assert!(a == b);
    assert!(a != c);
    assert!(a != d);
    assert!(a.clone() == a);
}
