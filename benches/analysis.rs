//! The analysis' hot functions, one by one, on demo posts: what `vigie bench pipeline` adds up.
//!
//! `cargo bench --bench analysis`

use std::hint::black_box;

use chrono::{DateTime, TimeDelta, Utc};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};

use vigie::analysis::Analyzer;
use vigie::analysis::matching::BrandMatcher;
use vigie::analysis::sentiment::{SentimentScorer, detect_language};
use vigie::bench::input;
use vigie::text::fold;

/// The allocator of the `vigie` binary, so that these figures are those it runs with.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const TEXTS: usize = 1_000;

fn analysis(c: &mut Criterion) {
    let config = input::bench_config().expect("bench config");
    let texts = input::texts(TEXTS);
    let mut group = c.benchmark_group("analysis");
    group.throughput(Throughput::Elements(TEXTS as u64));

    group.bench_function("fold", |b| {
        b.iter(|| {
            for text in &texts {
                black_box(fold(text));
            }
        })
    });
    let matcher = BrandMatcher::new(&config.brands).expect("matcher");
    let folded: Vec<String> = texts.iter().map(|t| fold(t)).collect();
    group.bench_function("brand_matching_20_brands", |b| {
        b.iter(|| {
            for text in &folded {
                black_box(matcher.brands_in_folded(text));
            }
        })
    });
    group.bench_function("detect_language", |b| {
        b.iter(|| {
            for text in &texts {
                black_box(detect_language(text));
            }
        })
    });
    let scorer = SentimentScorer::new();
    let langs: Vec<_> = texts.iter().map(|t| detect_language(t)).collect();
    group.bench_function("sentiment", |b| {
        b.iter(|| {
            for (text, lang) in texts.iter().zip(&langs) {
                black_box(scorer.score(text, *lang));
            }
        })
    });

    // The whole analysis of a mention, on a warm analyzer (ring, ledger and term tables
    // already holding an hour).
    let start: DateTime<Utc> = "2026-11-20T00:00:00Z".parse().expect("time");
    let step = TimeDelta::milliseconds(60);
    let mut events = input::Events::new(start, step);
    let mut analyzer = Analyzer::new(&config.analysis_settings()).expect("analyzer");
    for event in events.by_ref().take(60_000) {
        let now = start + step * 60_000;
        black_box(analyzer.handle(event, now));
    }
    group.bench_function("whole_analysis", |b| {
        b.iter_batched(
            || events.by_ref().take(TEXTS).collect::<Vec<_>>(),
            |batch| {
                for event in batch {
                    let now = match &event {
                        vigie::model::SourceEvent::Post(m) => m.created_at,
                        _ => start,
                    };
                    black_box(analyzer.handle(event, now));
                }
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, analysis);
criterion_main!(benches);
