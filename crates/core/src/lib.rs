//! Vigie's core: what a mention is, how its text is read, what the analysis counts and when an
//! alert fires. Plain Rust: no renderer, no async runtime, no network, no database. Time comes
//! from an injected clock, so a replay, a test and a live wall compute the same figures.
//!
//! The arrows run one way: the program's config builds `settings`, its sources produce `model`
//! mentions, its runtime feeds them to `analysis::Analyzer` and carries the figures and alert
//! changes out. Nothing here knows about any of those (ARCHITECTURE.md).

pub mod ack;
pub mod alerts;
pub mod analysis;
pub mod clock;
pub mod fingerprint;
pub mod i18n;
pub mod limits;
pub mod model;
pub mod settings;
pub mod sparse_log;
pub mod text;

pub use vigie_sentiment as sentiment;
