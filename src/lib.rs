//! Vigie: a social command-center wall. See `DESIGN.md`-style overview in the README.
//!
//! The arrows go one way: `ingest` → `model` ← `analysis`; `wall` reads `model` and nothing of
//! `ingest`; `app` wires them for the command line.

pub mod ack;
pub mod alerts;
pub mod analysis;
pub mod app;
pub mod bench;
pub mod bus;
pub mod clock;
pub mod config;
pub mod disk;
pub mod eval;
pub mod export;
pub mod fingerprint;
pub mod i18n;
pub mod ingest;
pub mod jsonl;
pub mod layout;
pub mod mailbox;
pub mod model;
pub mod privacy;
pub mod store;
pub mod wall;
