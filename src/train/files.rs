//! Files a user names, read without surprises: only regular files (a FIFO would block the
//! reader forever, a device such as `/dev/zero` never ends), opened without blocking, read up
//! to a size limit; and paths shown in messages with their control characters escaped, so a
//! file name cannot retitle or clear the terminal that prints it. Files are written whole or
//! not at all ([`write_atomic`]), and the binary ones end with an `fnv1a` checksum.

use super::error::{Error, Result};
use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// `text` with its control characters (C0, DEL, C1: ESC, BEL, newlines, CSI ...) written as
/// `\x1b`-style escapes; everything else as it is.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.push_str(&format!("\\x{:02x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// A path as messages show it: [`escape`]d (bytes that are not UTF-8 shown as U+FFFD).
pub fn show(path: &Path) -> String {
    escape(&path.display().to_string())
}

/// The error for a file that is there but cannot be used, with the reason.
pub(super) fn refused(path: &Path, reason: impl Into<String>) -> Error {
    Error::Kept {
        path: show(path),
        reason: reason.into(),
    }
}

/// Open `path` for reading if it is a regular file of at most `limit` bytes. The open does
/// not block (a FIFO is refused, not waited on); a symbolic link is followed to what it
/// names, which must be a regular file too.
pub fn open_regular(path: &Path, limit: u64) -> Result<std::fs::File> {
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(|source| Error::Io {
            path: show(path),
            source,
        })?;
    let meta = file.metadata().map_err(|source| Error::Io {
        path: show(path),
        source,
    })?;
    if !meta.is_file() {
        return Err(refused(
            path,
            "not a regular file (a pipe, device or directory is not read)",
        ));
    }
    if meta.len() > limit {
        return Err(refused(
            path,
            format!(
                "{} is larger than the {} read from such a file",
                super::config::show_bytes(meta.len()),
                super::config::show_bytes(limit)
            ),
        ));
    }
    Ok(file)
}

/// The bytes of a regular file of at most `limit` bytes ([`open_regular`]); a file that
/// grows past the limit while read is refused without reading more than the limit.
pub fn read_regular(path: &Path, limit: u64) -> Result<Vec<u8>> {
    let file = open_regular(path, limit)?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| Error::Io {
            path: show(path),
            source,
        })?;
    if bytes.len() as u64 > limit {
        return Err(refused(
            path,
            format!(
                "grew past the {} read from such a file",
                super::config::show_bytes(limit)
            ),
        ));
    }
    Ok(bytes)
}

/// Write `bytes` to `path` atomically: a temporary sibling, fsync, rename, fsync of the
/// directory (so the rename itself survives a power cut). Temporaries of `path` a killed
/// writer left are removed first.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let io = |source| Error::Io {
        path: show(path),
        source,
    };
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    remove_dead_temporaries(dir, &name);
    let tmp = dir.join(format!(".{name}.tmp.{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        sync_dir(dir)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(io)
}

/// Put a directory's entries (a rename, a new file) on disk. File systems that cannot sync a
/// directory (EINVAL) are let be.
pub fn sync_dir(dir: &Path) -> std::io::Result<()> {
    let d = std::fs::File::open(dir)?;
    match d.sync_all() {
        Err(e) if e.raw_os_error() == Some(libc::EINVAL) => Ok(()),
        other => other,
    }
}

/// FNV-1a 64: the checksum that ends every binary file a run keeps (checkpoint, frames),
/// and the digest of a run's identity.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    fnv1a_from(FNV_OFFSET, bytes)
}

/// FNV-1a 64's starting value: the digest of nothing.
pub(crate) const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a 64 of `bytes` continued from the digest `h` of the bytes before them.
pub(crate) fn fnv1a_from(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Remove the `.NAME.tmp.PID` files in `dir` whose writer (process PID) is gone: what an
/// atomic write of `NAME` killed midway left. A live writer's are left alone.
pub fn remove_dead_temporaries(dir: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let prefix = format!(".{name}.tmp.");
    for e in entries.flatten() {
        let file = e.file_name();
        let Some(pid) = file
            .to_str()
            .and_then(|f| f.strip_prefix(&prefix))
            .and_then(|p| p.parse::<libc::pid_t>().ok())
            .filter(|&p| p > 0)
        else {
            continue;
        };
        // SAFETY: kill(2) with signal 0 sends nothing; it only says whether the process
        // exists (ESRCH when not). `pid` is positive, so it names one process, not a group.
        let gone = unsafe { libc::kill(pid, 0) } != 0
            && std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH);
        if gone {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Whether anything (a file, a directory, a dangling link, a pipe) is at `path`.
pub fn present(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// One writer at a time: an advisory lock (`flock`) on a lock file, held while the value
/// lives. The file holds the holder's PID, so a second writer is told whose it is; it is
/// removed when the lock is let go.
#[derive(Debug)]
pub struct Lock {
    /// Held open: the lock lasts as long as this open file.
    _file: std::fs::File,
    path: std::path::PathBuf,
}

/// Why a lock could not be taken.
#[derive(Debug)]
pub enum Locked {
    /// Another process holds it: its PID, when it has written it yet.
    Held(Option<u32>),
    /// The lock file cannot be made or locked.
    Io(std::io::Error),
}

impl Lock {
    /// Take the lock at `path` (creating the file) without waiting: [`Locked::Held`] when
    /// another open file holds it, in this process or another.
    pub fn take(path: &Path) -> std::result::Result<Lock, Locked> {
        use std::io::Write;
        use std::os::unix::fs::MetadataExt;
        use std::os::unix::io::AsRawFd;
        loop {
            let mut file = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(path)
                .map_err(Locked::Io)?;
            // SAFETY: flock takes a file descriptor, which `file` owns and keeps open for
            // the call; it touches no memory of ours.
            let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
            if rc != 0 {
                let e = std::io::Error::last_os_error();
                if e.raw_os_error() != Some(libc::EWOULDBLOCK) {
                    return Err(Locked::Io(e));
                }
                let mut text = String::new();
                let _ = file.read_to_string(&mut text);
                return Err(Locked::Held(text.trim().parse().ok()));
            }
            // The holder before us may have removed the file between our open and our lock:
            // then we hold a file nobody else will see, and must lock the one at the path.
            let same = std::fs::metadata(path)
                .ok()
                .zip(file.metadata().ok())
                .is_some_and(|(at_path, ours)| {
                    at_path.dev() == ours.dev() && at_path.ino() == ours.ino()
                });
            if !same {
                continue;
            }
            file.set_len(0).map_err(Locked::Io)?;
            writeln!(file, "{}", std::process::id()).map_err(Locked::Io)?;
            return Ok(Lock {
                _file: file,
                path: path.to_path_buf(),
            });
        }
    }

    /// Where the lock file is.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still held, so no other process can lock this file afterwards
        // (one that opened it before is sent to the path again by its inode check).
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_in_paths_are_escaped() {
        let p = Path::new("runs/\x1b]0;owned\x07/a\nb\u{9b}2J");
        assert_eq!(show(p), "runs/\\x1b]0;owned\\x07/a\\x0ab\\x9b2J");
        assert_eq!(show(Path::new("runs/été")), "runs/été");
    }

    #[test]
    fn only_regular_files_are_read() {
        let dir = std::env::temp_dir().join(format!("grokscope-files-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let fifo = dir.join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            // Opening a FIFO for reading would wait for a writer: refused at once instead.
            let err = read_regular(&fifo, 10).unwrap_err().to_string();
            assert!(err.contains("not a regular file"), "{err}");
        }
        let link = dir.join("zero");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        let err = read_regular(&link, 10).unwrap_err().to_string();
        assert!(err.contains("not a regular file"), "{err}");
        let big = dir.join("big");
        std::fs::write(&big, [0u8; 11]).unwrap();
        let err = read_regular(&big, 10).unwrap_err().to_string();
        assert!(err.contains("larger than"), "{err}");
        assert_eq!(read_regular(&big, 11).unwrap().len(), 11);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_lock_is_held_by_one_writer_and_names_its_pid() {
        let dir = std::env::temp_dir().join(format!("grokscope-lock-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(".lock");
        let first = Lock::take(&path).unwrap();
        // flock locks belong to open files: a second open in this process is refused too.
        match Lock::take(&path) {
            Err(Locked::Held(pid)) => assert_eq!(pid, Some(std::process::id())),
            other => panic!("a second writer got {other:?}"),
        }
        drop(first);
        assert!(!path.exists(), "the lock file goes with the lock");
        let again = Lock::take(&path).unwrap();
        assert_eq!(again.path(), path);
        drop(again);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
