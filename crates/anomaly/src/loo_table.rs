//! The leave-one-series-out evaluation as a table, beside NAB's published detectors: what
//! `vigie eval nab` prints and what `examples/nab_loo.rs` prints.

use std::fmt::Write as _;

use crate::loo::{Evaluation, GroupReport, Outcome};
use crate::nab::LabelledSeries;

/// NAB's shipped results, threshold chosen per group (standard, low FP, low FN); NaN where
/// the figure is not published.
pub const PUBLISHED: [(&str, &str, [f64; 3]); 7] = [
    ("realTweets", "Twitter ADVec", [59.6, 35.8, 69.0]),
    ("realTweets", "Numenta HTM", [69.3, 63.5, 73.5]),
    ("realTweets", "CAD OSE", [74.5, 73.1, 76.9]),
    ("realTweets", "ARTime", [83.2, 74.6, 88.8]),
    (
        "artificialWithAnomaly",
        "Numenta HTM",
        [77.8, f64::NAN, f64::NAN],
    ),
    (
        "artificialWithAnomaly",
        "CAD OSE",
        [73.9, f64::NAN, f64::NAN],
    ),
    (
        "artificialWithAnomaly",
        "ARTime",
        [70.3, f64::NAN, f64::NAN],
    ),
];

/// A group's name from its series: the folder they share (`realTweets/…`), or `artificial`
/// for NAB's two synthetic folders together; `None` for an empty corpus.
pub fn group_name(corpus: &[LabelledSeries]) -> Option<String> {
    let first = corpus.first()?.name.split('/').next()?.to_string();
    if corpus
        .iter()
        .all(|s| s.name.starts_with(&format!("{first}/")))
    {
        Some(first)
    } else if first.starts_with("artificial") {
        Some("artificial".into())
    } else {
        Some(first)
    }
}

/// In-sample and held-out scores per group, subgroup and profile, with the published peers;
/// then what each fold chose.
pub fn table(evaluation: &Evaluation) -> String {
    let mut text = format!(
        "{:<34} {:<20} {:>9} {:>9}   published (in-sample)\n",
        "group (series, windows)", "profile", "in-sample", "held-out"
    );
    for group in &evaluation.groups {
        group_rows(&mut text, group, "");
        for sub in &group.subgroups {
            group_rows(&mut text, sub, "  ");
        }
    }
    text.push_str(
        "\nfolds: the candidate (index) and threshold each held-out series was scored with\n",
    );
    for fold in &evaluation.folds {
        let choices: Vec<String> = fold
            .choices
            .iter()
            .map(|(c, t)| format!("#{c} {t:.4}"))
            .collect();
        let _ = writeln!(text, "  {:<58} {}", fold.held_out, choices.join("  "));
    }
    text
}

fn group_rows(text: &mut String, group: &GroupReport, indent: &str) {
    for (p, report) in group.profiles.iter().enumerate() {
        let label = if p == 0 {
            format!(
                "{indent}{} ({}, {})",
                group.name, group.series, group.windows
            )
        } else {
            String::new()
        };
        let show = |o: &Outcome| match o.score {
            Some(score) => format!("{score:9.1}"),
            None => format!("{:>6} fp", o.false_positives),
        };
        let peers: Vec<String> = PUBLISHED
            .iter()
            .filter(|(g, _, s)| *g == group.name && !s[p].is_nan())
            .map(|(_, name, s)| format!("{name} {:.1}", s[p]))
            .collect();
        let _ = writeln!(
            text,
            "{label:<34} {:<20} {} {}   {}",
            report.profile.name,
            show(&report.in_sample),
            show(&report.leave_one_out),
            peers.join(", ")
        );
    }
}
