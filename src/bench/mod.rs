//! `vigie bench`: the wall's speed, latency, idle cost and memory, each figure printed with
//! the conditions it was measured under. `README.md` ("Benchmarks") has the figures of the
//! reference machine and the commands that produced them.

pub mod conditions;
pub mod input;
pub mod lobby;
pub mod parse;
pub mod peer;
pub mod pipeline;
pub mod rebuild;
pub mod soak;
pub mod wall;
pub mod webhook;

pub use conditions::Conditions;
