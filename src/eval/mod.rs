//! `vigie eval`: the analysis measured against labelled public data, printed as tables.

pub mod nab;
pub mod sentiment;
