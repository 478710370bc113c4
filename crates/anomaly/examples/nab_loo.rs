//! The whole NAB table: in-sample and leave-one-series-out, per group and profile, next to
//! NAB's published detectors.
//!
//! CARGO_TARGET_DIR=... cargo run -p vigie-anomaly --release --example nab_loo -- \
//!     ../shared/data/nab-realtweets ../shared/data/nab-artificial [name=value ...]
//!
//! Each directory is one group (named after its series' folder, e.g. `realTweets`); the
//! artificial one is also reported per folder (with and without anomalies). `name=value`
//! changes the default (candidate 0, the one scored in-sample) for a research run.

use std::path::PathBuf;

use vigie_anomaly::loo::evaluate_groups;
use vigie_anomaly::loo_table::{group_name, table};
use vigie_anomaly::nab::{LabelledSeries, load_corpus};
use vigie_anomaly::{Params, detector};

fn main() -> Result<(), String> {
    let mut groups: Vec<(String, Vec<LabelledSeries>)> = Vec::new();
    let mut default = Params::default();
    for arg in std::env::args().skip(1) {
        if let Some((name, value)) = arg.split_once('=') {
            default.set(name, value)?;
            continue;
        }
        let corpus = load_corpus(&PathBuf::from(&arg)).map_err(|e| e.to_string())?;
        let name = group_name(&corpus).unwrap_or(arg);
        groups.push((name, corpus));
    }
    if groups.is_empty() {
        return Err("usage: nab_loo DIR [DIR ...] [name=value ...]".into());
    }
    let mut candidates = detector::candidates();
    candidates[0] = default;
    print!("{}", table(&evaluate_groups(&groups, &candidates)));
    Ok(())
}
