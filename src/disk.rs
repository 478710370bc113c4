//! Free space on the disk that holds the history: a wall that runs for months fills a small
//! disk sooner or later, and says so before it happens (`vigie check`, the status line).

use std::path::Path;

/// Bytes free for this user on the file system of `path` (its nearest existing parent);
/// `None` where it cannot be told.
pub fn free_bytes(path: &Path) -> Option<u64> {
    let existing = path.ancestors().find(|p| p.exists())?;
    free_bytes_of(existing)
}

#[cfg(unix)]
fn free_bytes_of(path: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c_path = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    let mut stats = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: a NUL-terminated path and a buffer of the right type; read only on success.
    let stats = unsafe {
        if libc::statvfs(c_path.as_ptr(), stats.as_mut_ptr()) != 0 {
            return None;
        }
        stats.assume_init()
    };
    // Narrower than u64 on some targets.
    #[allow(clippy::useless_conversion)]
    let (blocks, size) = (u64::from(stats.f_bavail), u64::from(stats.f_frsize));
    Some(blocks.saturating_mul(size))
}

#[cfg(not(unix))]
fn free_bytes_of(_path: &Path) -> Option<u64> {
    None
}

/// The warning for `dir` when its disk has less than `min_free_mb` free; `None` otherwise.
pub fn low_space_warning(dir: &Path, min_free_mb: u64) -> Option<String> {
    let free = free_bytes(dir)?;
    let free_mb = free / 1_000_000;
    (free_mb < min_free_mb).then(|| {
        format!(
            "disk nearly full: {free_mb} MB free for the history in {} (under min_free_mb = {min_free_mb})",
            dir.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_free_space_of_a_real_folder_is_known_and_a_bound_above_it_warns() {
        let dir = tempfile::tempdir().expect("temp dir");
        let free = free_bytes(dir.path()).expect("statvfs answers");
        assert!(free > 0);
        // A folder not created yet is measured on its nearest parent.
        assert!(free_bytes(&dir.path().join("not/yet")).is_some());
        assert_eq!(low_space_warning(dir.path(), 0), None);
        let warning = low_space_warning(dir.path(), u64::MAX / 1_000_000).expect("warns");
        assert!(warning.starts_with("disk nearly full: "), "{warning}");
    }
}
