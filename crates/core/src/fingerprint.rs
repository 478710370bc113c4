//! Stable fingerprints, for ids that outlive a process: std's hasher may change between Rust
//! releases, and a hub restarted on a newer build, or a feed polled again after an upgrade,
//! must give the same ids.

/// FNV-1a, 64 bits.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// FNV-1a of several parts, each ended by a zero byte so that ("ab", "c") and ("a", "bc")
/// differ.
pub fn fnv1a_parts(parts: &[&str]) -> u64 {
    let mut bytes = Vec::with_capacity(parts.iter().map(|p| p.len() + 1).sum());
    for part in parts {
        bytes.extend_from_slice(part.as_bytes());
        bytes.push(0);
    }
    fnv1a(&bytes)
}
