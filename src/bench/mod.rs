//! `vigie bench`: the wall's speed, latency, idle cost and memory, each figure printed with
//! the conditions it was measured under. `README.md` ("Benchmarks") has the figures of the
//! reference machine and the commands that produced them.

pub mod bus;
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

/// A folder of a benchmark's own under the system's temporary folder, removed when done.
pub(crate) struct Scratch(pub std::path::PathBuf);

impl Scratch {
    pub(crate) fn new(what: &str) -> anyhow::Result<Self> {
        let path = std::env::temp_dir().join(format!("vigie-bench-{what}-{}", std::process::id()));
        std::fs::create_dir_all(&path)?;
        Ok(Self(path))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // A folder left behind in the temporary folder harms nothing: the error is not worth
        // more than the report.
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
