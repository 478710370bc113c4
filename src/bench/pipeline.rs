//! `vigie bench pipeline`: mentions a second through the whole analysis (dedupe, matching of
//! 50 queries, language, sentiment, minute ring, spikes, trending terms, alert rules), one
//! thread, the input held in memory; then the cost of each stage alone on the same texts, to
//! say where the time goes.

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};

use super::input;
use crate::analysis::matching::BrandMatcher;
use crate::analysis::sentiment::{Lang, SentimentScorer, detect_language};
use crate::analysis::{Analyzer, Outcome};
use crate::model::SourceEvent;
use crate::text::fold;

/// The figures are computed this often (in mentions), as the analysis thread does five times
/// a second at the target rate.
const FIGURES_EVERY: usize = 250_000;

#[derive(Debug, Clone)]
pub struct PipelineReport {
    pub mentions: usize,
    pub elapsed: Duration,
    pub matched: usize,
    pub duplicates: usize,
    pub stages: Vec<(&'static str, Duration)>,
    pub stage_sample: usize,
}

impl PipelineReport {
    pub fn per_second(&self) -> f64 {
        self.mentions as f64 / self.elapsed.as_secs_f64()
    }
}

/// Builds `count` mentions (a day of event time), then times one analyzer over all of them.
pub fn run(count: usize) -> anyhow::Result<PipelineReport> {
    let config = input::bench_config()?;
    let start: DateTime<Utc> = "2026-11-20T00:00:00Z".parse()?;
    let step = TimeDelta::microseconds(86_400_000_000 / count.max(1) as i64);
    eprintln!("bench pipeline: generating {count} mentions…");
    let events = input::events(count, start, step);
    let mut analyzer = Analyzer::new(&config.analysis_settings())?;
    let mut matched = 0usize;
    let mut duplicates = 0usize;
    let began = Instant::now();
    for (n, event) in events.into_iter().enumerate() {
        let now = match &event {
            SourceEvent::Post(m) | SourceEvent::Edit(m) => m.created_at,
            SourceEvent::Delete { .. } | SourceEvent::Acked { .. } | SourceEvent::Checkpoint(_) => {
                start
            }
        };
        match analyzer.handle(event, now) {
            Outcome::Matched(enriched) => {
                matched += 1;
                black_box(enriched);
            }
            Outcome::Duplicate => duplicates += 1,
            _ => {}
        }
        if n % FIGURES_EVERY == FIGURES_EVERY - 1 {
            analyzer.tick_alerts(now, &[]);
            black_box(analyzer.figures(now, Vec::new()));
        }
    }
    let elapsed = began.elapsed();
    let sample = count.min(200_000);
    let stages = stages(&config, &input::texts(sample))?;
    Ok(PipelineReport {
        mentions: count,
        elapsed,
        matched,
        duplicates,
        stages,
        stage_sample: sample,
    })
}

/// Each stage alone over `texts`: where a mention's time goes.
fn stages(
    config: &crate::config::Config,
    texts: &[String],
) -> anyhow::Result<Vec<(&'static str, Duration)>> {
    let matcher = BrandMatcher::new(&config.brands)?;
    let scorer = SentimentScorer::new();
    // Each stage's input is prepared before it is timed: only the stage itself is measured.
    fn timed<T>(inputs: &[T], mut work: impl FnMut(&T)) -> Duration {
        let began = Instant::now();
        for input in inputs {
            work(input);
        }
        began.elapsed()
    }
    let folding = timed(texts, |t| {
        black_box(fold(t));
    });
    let folded: Vec<String> = texts.iter().map(|t| fold(t)).collect();
    let matching = timed(&folded, |t| {
        black_box(matcher.brands_in_folded(t));
    });
    let language = timed(texts, |t| {
        black_box(detect_language(t));
    });
    let with_langs: Vec<(&String, Lang)> = texts.iter().map(|t| (t, detect_language(t))).collect();
    let sentiment = timed(&with_langs, |(text, lang)| {
        black_box(scorer.score(text, *lang));
    });
    Ok(vec![
        ("fold (case, accents)", folding),
        ("brand matching", matching),
        ("language", language),
        ("sentiment", sentiment),
    ])
}

pub fn print(report: &PipelineReport) {
    println!(
        "pipeline: {:.0} mentions/s ({} mentions in {:.2} s, {} matched, {} duplicates, {} \
         queries, one thread)",
        report.per_second(),
        report.mentions,
        report.elapsed.as_secs_f64(),
        report.matched,
        report.duplicates,
        input::QUERIES,
    );
    let whole_ns = report.elapsed.as_nanos() as f64 / report.mentions.max(1) as f64;
    println!("  whole analysis: {whole_ns:.0} ns a mention");
    for (stage, took) in &report.stages {
        println!(
            "  {stage}: {:.0} ns a mention (alone, {} texts)",
            took.as_nanos() as f64 / report.stage_sample.max(1) as f64,
            report.stage_sample
        );
    }
}
