//! Vigie's spike detector, kept in a crate of its own so that it builds in seconds: the detector
//! is tuned against the Numenta Anomaly Benchmark, and that loop has to be quick.
//!
//! - [`detector`]: the streaming detector, one anomaly score in [0, 1] per bucket, from the past only.
//! - [`rank`]: an exact rolling rank, how rare a value is among the recent ones.
//! - [`series`]: reading `timestamp,value` CSV with located errors.
//! - [`nab`]: the NAB scoring (windows, profiles, one threshold for a whole corpus).
//! - [`loo`]: leave-one-series-out: each series scored with parameters and thresholds chosen
//!   without it; [`loo_table`] prints it beside NAB's published detectors.

pub mod detector;
pub mod loo;
pub mod loo_table;
pub mod nab;
pub mod rank;
pub mod series;

pub use detector::{AnomalyDetector, Params};
