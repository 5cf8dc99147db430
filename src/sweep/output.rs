//! A sweep's output file (`sweep --out FILE`): one sweep writes it at a time.

use crate::train::files::{Lock, Locked, show};
use std::path::{Path, PathBuf};

/// The lock file of output `path`: a hidden sibling, `.NAME.lock`.
fn lock_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.lock"))
}

/// Take the writer lock of output `path` for this sweep, held until the returned lock drops:
/// a second sweep appending to the same file (which would train and record every run
/// twice) is refused, naming the process that writes it.
pub fn lock_output(path: &Path) -> Result<Lock, String> {
    Lock::take(&lock_path(path)).map_err(|e| match e {
        Locked::Held(pid) => format!(
            "{} is being written by {} (another sweep); wait for it to finish or stop it first",
            show(path),
            pid.map_or("another process".into(), |p| format!("process {p}"))
        ),
        Locked::Io(e) => format!("{}: cannot lock it: {e}", show(path)),
    })
}
