//! Pictures of posts and of their authors, for the wall's cards: fetched in the background
//! with a size and a time limit (`fetch`), decoded and scaled to the card off the render thread
//! (`decode`), by a thread of their own (`worker`); what the wall holds is bounded in bytes
//! (`cache`). A link that has expired, a server that fails or a file that is not a picture
//! leaves a neutral placeholder, never a broken card.

pub mod cache;
pub mod decode;
pub mod fetch;
pub mod worker;

pub use cache::{PictureCache, Slot};
pub use decode::decode;
pub use fetch::{FetchLimits, fetch};
pub use worker::{Decoded, Fetched, PictureWorker};

/// Why a picture is not shown. Short: the log says it with the address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PictureFailure {
    #[error("HTTP {0}")]
    Status(u16),
    #[error("over {0} bytes")]
    TooLarge(usize),
    #[error("no answer within {0} s")]
    Slow(u64),
    #[error("not a picture ({0})")]
    NotAPicture(String),
    #[error("unreadable picture: {0}")]
    Corrupt(String),
    #[error("cannot reach the server: {0}")]
    Unreachable(String),
}
