//! The analysis as the program runs it: `vigie_core::analysis` (re-exported whole, so that
//! `vigie::analysis::…` names what the core names) on its own thread, fed by the sources and
//! feeding the wall, the history and the bus; and the line filters behind `vigie sentiment` and
//! `vigie detect`.

pub use vigie_core::analysis::*;

pub mod detect_lines;
pub mod outputs;
pub mod score_lines;
mod thread;

pub use outputs::{HistoryLink, Output};
pub use thread::{AnalysisHandle, AnalysisInput, AnalysisLinks, Waker, start_analysis};
