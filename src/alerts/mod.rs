//! Alerts: the rules and the engine are the core's (`vigie_core::alerts`, re-exported whole);
//! here are the webhook sinks that carry alert changes out of the program (`[[alert_sinks]]`).

pub use vigie_core::alerts::*;

pub mod sinks;
