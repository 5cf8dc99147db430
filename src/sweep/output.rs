//! A sweep's output file (`sweep --out FILE`): one sweep writes it at a time, each record
//! on a line of its own; records merged by run, and checked against their own numbers.

use super::RunRecord;
use crate::train::files::{Lock, Locked, escape, show};
use std::collections::BTreeMap;
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

/// Open output `path` to append records: a torn last line (`torn`: where the whole lines
/// end) cut, and a last record that lacks its newline given one, so the next record starts
/// a line of its own (it was glued onto the last, and the file then refused).
pub fn open_append(path: &Path, torn: Option<u64>) -> std::io::Result<std::fs::File> {
    use std::io::{Read, Seek, SeekFrom, Write};
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .read(true)
        .append(true)
        .open(path)?;
    if let Some(len) = torn {
        f.set_len(len)?;
    }
    let len = f.metadata()?.len();
    if len > 0 {
        let mut last = [0u8];
        f.seek(SeekFrom::Start(len - 1))?;
        f.read_exact(&mut last)?;
        if last[0] != b'\n' {
            f.write_all(b"\n")?;
        }
    }
    Ok(f)
}

/// Records keyed by (grid, run). The same run recorded twice with the same settings is one
/// run (a resumed sweep), unless its classes differ (an error); recorded again with other
/// settings (its grid file was edited), the later record stands, with a note.
pub fn merge(records: Vec<RunRecord>) -> Result<(Vec<RunRecord>, Vec<String>), String> {
    let mut by_run: BTreeMap<(String, usize), RunRecord> = BTreeMap::new();
    let mut replaced = 0;
    for r in records {
        let key = (r.grid.clone(), r.run);
        match by_run.get(&key) {
            Some(prev) if prev.settings != r.settings => {
                replaced += 1;
                by_run.insert(key, r);
            }
            Some(prev) if prev.class != r.class => {
                return Err(format!(
                    "run {} of grid {} is recorded twice with different classes ({} and {})",
                    r.run,
                    escape(&r.grid),
                    prev.class.name(),
                    r.class.name()
                ));
            }
            Some(_) => {}
            None => {
                by_run.insert(key, r);
            }
        }
    }
    let notes = (replaced > 0)
        .then(|| {
            format!(
                "{replaced} runs are recorded again with other settings (an edited grid): the \
                 later records are counted"
            )
        })
        .into_iter()
        .collect();
    Ok((by_run.into_values().collect(), notes))
}

/// Records as their own numbers classify them: each record's trace is rebuilt from its
/// curve (where it keeps one) and classified again; a record whose class or trace disagrees
/// with its numbers is counted by its numbers, and named in a note.
pub fn audit(records: Vec<RunRecord>) -> (Vec<RunRecord>, Vec<String>) {
    let mut notes = Vec::new();
    let audited = records
        .into_iter()
        .map(|mut r| {
            if let Some(why) = r.disagreement() {
                notes.push(format!("run {} of grid {}: {why}", r.run, escape(&r.grid)));
                if !r.curve.is_empty() {
                    r.trace = r.curve_trace();
                }
                r.class = super::classify_with(&r.trace, &Default::default());
            }
            r
        })
        .collect();
    (audited, notes)
}
