//! Rows per second of the detector on one core: every series of the shared NAB data, scored
//! `ROUNDS` times in one thread (parsing and loading are not timed).
//!
//! CARGO_TARGET_DIR=... cargo run -p vigie-anomaly --release --example throughput -- DIR [DIR ...]

use std::path::PathBuf;
use std::time::Instant;

use vigie_anomaly::AnomalyDetector;
use vigie_anomaly::Params;
use vigie_anomaly::nab::load_corpus;

const ROUNDS: usize = 20;

fn main() -> Result<(), String> {
    let dirs: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    if dirs.is_empty() {
        return Err("usage: throughput DIR [DIR ...]".into());
    }
    let mut series = Vec::new();
    for dir in &dirs {
        for s in load_corpus(dir).map_err(|e| e.to_string())? {
            series.push(
                s.rows
                    .iter()
                    .map(|r| (r.seconds, r.value))
                    .collect::<Vec<_>>(),
            );
        }
    }
    let rows: usize = series.iter().map(Vec::len).sum();
    let params = Params::default();
    let mut checksum = 0.0;
    let start = Instant::now();
    for _ in 0..ROUNDS {
        for rows in &series {
            let mut detector = AnomalyDetector::new(params.clone());
            for &(seconds, value) in rows {
                checksum += detector.observe(seconds, value);
            }
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    let total = (rows * ROUNDS) as f64;
    println!(
        "{} series, {rows} rows x {ROUNDS} rounds in {seconds:.2} s: {:.0} rows/s (checksum {checksum:.1})",
        series.len(),
        total / seconds
    );
    Ok(())
}
