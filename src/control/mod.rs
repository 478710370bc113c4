//! The room acts on the wall: a control page and its JSON API (`server`), who may use them
//! (`auth`, users and roles from `[control]`, `config`), what the room decided (`room`: pins,
//! hidden posts, blocked authors, alerts taken in hand, the banner), what the page reads of the
//! running wall (`live`), the page itself (`page`, HTML rendered on the server) and the counters
//! for monitoring (`metrics`) and what is kept of it all in the history (`journal`: the audit
//! log, the decisions in force).

pub mod approval;
pub mod auth;
pub mod config;
pub mod journal;
pub mod live;
pub mod metrics;
pub mod page;
pub mod room;
pub mod server;

pub use config::{ControlConfig, Role};
pub use journal::Journal;
pub use live::{LiveTap, LiveView, Showing, ShownBecause};
pub use room::{Review, Room, RoomChange, RoomState, Rotation};
pub use server::{ControlServer, ControlSetup};

/// A lock on state shared by the page, the analysis and the wall, taken even after a thread
/// panicked holding it: that state is plain data, whole between two changes.
pub(crate) fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The API token from the variable `[control] token_env` names; `None` when it names none or
/// the variable is unset or empty (the API then takes sessions only).
pub fn token_from_env(config: &ControlConfig) -> Option<String> {
    let name = config.token_env.as_deref()?;
    match std::env::var(name) {
        Ok(token) if !token.trim().is_empty() => Some(token.trim().to_string()),
        _ => {
            tracing::warn!(
                variable = name,
                "[control] token_env names a variable that is not set: the API takes \
                 logged-in sessions only"
            );
            None
        }
    }
}
