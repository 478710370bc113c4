//! Vigie: a social command-center wall. The core (model, text, analysis, alert engine) is the
//! `vigie-core` crate, re-exported here under the same names; this crate adds what touches the
//! world: config files, sources, the history, the bus, the wall and the command line.
//! ARCHITECTURE.md is the map.

pub mod ack;
pub mod alerts;
pub mod analysis;
pub mod app;
pub mod bench;
pub mod bus;
pub mod config;
pub mod control;
pub mod disk;
pub mod eval;
pub mod export;
pub mod ingest;
pub mod jsonl;
pub mod layout;
pub mod mailbox;
pub mod media;
pub mod pipeline;
pub mod privacy;
pub mod serve;
pub mod store;
pub mod wall;

pub use vigie_core::{clock, fingerprint, i18n, limits, model, settings, sparse_log, text};
