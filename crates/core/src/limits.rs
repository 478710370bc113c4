//! Bounds shared by the analysis and the layouts that ask it for windows.

/// The widest window a tile may show (volume chart, share of voice, trending), in minutes: 48 h.
pub const MAX_CHART_MINUTES: u32 = 48 * 60;
