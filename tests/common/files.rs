//! Files for and from the tests: fresh scratch directories, swapping a kept file for a while,
//! and reading what a run keeps (JSON-lines files, metrics lines without their wall-clock
//! times, the state a checkpoint holds).

use std::path::{Path, PathBuf};

/// [`super::tmpdir`], made: an empty directory for the test to write into.
pub fn scratch(prefix: &str, name: &str) -> PathBuf {
    let d = super::tmpdir(prefix, name);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Put what `make` writes in place of `dir/file` (or nothing, if it writes nothing) while
/// `check` runs, then the real file back.
pub fn swapped(dir: &Path, file: &str, make: impl FnOnce(&Path), check: impl FnOnce()) {
    let path = dir.join(file);
    let aside = dir.join(format!("{file}.aside"));
    std::fs::rename(&path, &aside).unwrap();
    make(&path);
    check();
    if std::fs::symlink_metadata(&path).is_ok() {
        std::fs::remove_file(&path).unwrap();
    }
    std::fs::rename(&aside, &path).unwrap();
}

/// Every line of the file at `path`, each parsed as JSON.
pub fn read_json_lines(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// A JSON metrics line without its wall-clock fields (`elapsed_s`, `steps_per_s`), the ones
/// two trainings of the same run do not share.
pub fn without_wall_clock(line: &str) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
    let o = v.as_object_mut().unwrap();
    for k in ["elapsed_s", "steps_per_s"] {
        o.remove(k);
    }
    v
}

/// The lines of the run kept in `dir` (its `metrics.jsonl`), without their wall-clock fields.
pub fn metrics_lines(dir: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(dir.join("metrics.jsonl"))
        .unwrap()
        .lines()
        .map(without_wall_clock)
        .collect()
}

/// The training state of the checkpoint kept in `dir`, as the bytes it encodes to: equal for
/// two runs in the same state, whatever notes their files hold beside it.
pub fn checkpoint_state(dir: &Path) -> Vec<u8> {
    use grokscope::train::{Threads, checkpoint};
    let t = checkpoint::load(&dir.join("checkpoint.safetensors"), Threads(1)).unwrap();
    checkpoint::encode(&t)
}

/// A named pipe at `path` (reading one blocks until a writer comes).
pub fn mkfifo(path: &Path) {
    let made = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(made.success());
}
