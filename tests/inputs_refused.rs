//! Bad input files are one line and status 2, never a hang, an abort or a panic: kept files
//! that are pipes or devices, a frames header declaring a huge model (read under a 1 GB
//! address-space limit, so an allocation from it would abort), a sparse 6 GB frames file,
//! a run file with a frame interval of 0; paths holding escape sequences are shown escaped;
//! `export` into a missing folder is refused and a killed export's temporary goes on the next
//! write.

mod common;

use common::{mkfifo, swapped};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_grokscope");
const TIMEOUT: Duration = Duration::from_secs(30);

/// A small kept run (parity, 300 steps), in a fresh directory.
fn kept(name: &str) -> PathBuf {
    common::kept_run(
        "inputs",
        name,
        &[
            "--preset", "parity", "--hidden", "8", "--steps", "300", "--every", "50",
        ],
    )
}

/// `sh -c 'ulimit -v 1048576; grokscope ARGS'`, which must end within the timeout.
fn run_limited(args: &[&str]) -> Output {
    let mut sh = Command::new("sh");
    sh.arg("-c")
        .arg("ulimit -v 1048576; exec \"$0\" \"$@\"")
        .arg(BIN)
        .args(args);
    common::output_within(&mut sh, TIMEOUT, &format!("{args:?}"))
}

/// Status 2, one line naming `words`, no abort or panic, within the timeout.
fn refused(args: &[&str], words: &[&str]) -> String {
    let err = common::assert_refused(&run_limited(args), args, words);
    assert!(
        !err.contains("panicked") && !err.contains("memory allocation"),
        "{err}"
    );
    err
}

#[test]
fn kept_files_that_are_pipes_or_devices_are_refused_without_waiting() {
    let dir = kept("pipes");
    let d = dir.to_str().unwrap();
    let export = ["export", d, "--format", "npz"];
    for file in ["run.json", "checkpoint.safetensors", "frames.bin"] {
        swapped(&dir, file, mkfifo, || {
            refused(&export, &[file, "not a regular file"]);
        });
        swapped(
            &dir,
            file,
            |p| std::os::unix::fs::symlink("/dev/zero", p).unwrap(),
            || {
                refused(&export, &[file, "not a regular file"]);
            },
        );
    }
    // A replay opens its files before it asks for a terminal.
    for file in ["run.json", "frames.bin"] {
        swapped(&dir, file, mkfifo, || {
            refused(&["replay", d], &[file, "not a regular file"]);
        });
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The frames header's JSON, replaced by `edit`'s, with the header length and checksum
/// redone: a well-formed file that lies.
fn forge_frames_header(path: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let bytes = std::fs::read(path).unwrap();
    let len = u64::from_le_bytes(bytes[21..29].try_into().unwrap()) as usize;
    let mut header: serde_json::Value = serde_json::from_slice(&bytes[29..29 + len]).unwrap();
    edit(&mut header);
    let json = serde_json::to_vec(&header).unwrap();
    let mut out = bytes[..21].to_vec();
    out.extend_from_slice(&(json.len() as u64).to_le_bytes());
    out.extend_from_slice(&json);
    let sum = common::fnv1a(&out);
    out.extend_from_slice(&sum.to_le_bytes());
    out.extend_from_slice(&bytes[29 + len + 8..]);
    std::fs::write(path, out).unwrap();
}

#[test]
fn frames_headers_are_checked_before_anything_is_allocated_from_them() {
    let dir = kept("forged");
    let d = dir.to_str().unwrap();
    let frames = dir.join("frames.bin");
    let real = std::fs::read(&frames).unwrap();
    // A big model that fits the memory limit (about 0.9 GB of training buffers) but is not
    // the run.json's: refused before it is built, under a 1 GB address-space limit.
    forge_frames_header(&frames, |h| {
        h["config"]["hidden"] = 4000.into();
        h["config"]["n_train"] = 20000.into();
        h["tensors"][0]["cols"] = 4000.into();
        h["tensors"][1]["rows"] = 4000.into();
    });
    refused(&["replay", d], &["different runs"]);
    refused(&["export", d, "--format", "npz"], &["frames.bin"]);
    // Settings past the memory limit, and tensors that are not the settings' model.
    std::fs::write(&frames, &real).unwrap();
    forge_frames_header(&frames, |h| h["config"]["hidden"] = 60000.into());
    refused(&["replay", d], &["invalid settings", "of memory"]);
    std::fs::write(&frames, &real).unwrap();
    forge_frames_header(&frames, |h| h["tensors"][0]["rows"] = 1_000_000_000.into());
    refused(&["replay", d], &["tensors do not match"]);
    // A sparse 6 GB file: its zeroed frames fail their checksum; nothing is read whole.
    std::fs::write(&frames, &real).unwrap();
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(&frames)
        .unwrap();
    f.set_len(6 << 30).unwrap();
    refused(&["replay", d], &["fails its checksum"]);
    refused(&["export", d, "--format", "npz"], &["fails its checksum"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_run_file_with_a_zero_interval_is_refused() {
    let dir = kept("zero");
    let d = dir.to_str().unwrap();
    let path = dir.join("run.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["frame_every"] = 0.into();
    std::fs::write(&path, v.to_string()).unwrap();
    refused(
        &["run", "--resume", d, "--out", d, "--steps", "400"],
        &["frame_every is 0"],
    );
    refused(&["replay", d], &["frame_every is 0"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn paths_holding_escape_sequences_are_shown_escaped() {
    let base = common::scratch("inputs", "escapes");
    let evil = base.join("run\x1b]0;owned\x07\x1b[2J");
    let e = evil.to_str().unwrap();
    for args in [
        vec!["replay", e],
        vec!["run", "--resume", e],
        vec!["export", e, "--format", "npz"],
        vec!["sweep", "report", e],
        vec!["--preset", "\x1b[2Jx"],
    ] {
        let out = run_limited(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            !err.contains('\x1b') && !err.contains('\x07'),
            "{args:?}: raw: {err:?}"
        );
        assert!(err.contains("\\x1b"), "{args:?}: shown escaped: {err}");
    }
    std::fs::remove_dir_all(&base).unwrap();
}

#[test]
fn export_refuses_a_missing_folder_and_clears_a_killed_exports_temporary() {
    let dir = kept("export");
    let d = dir.to_str().unwrap();
    let missing = dir.join("no/such/folder/w.npz");
    refused(
        &[
            "export",
            d,
            "--format",
            "npz",
            "--out",
            missing.to_str().unwrap(),
        ],
        &["no such folder"],
    );
    // A temporary of a process that has ended (a killed export's) goes; one of a live
    // process (this test's) stays.
    let mut gone = Command::new("true").spawn().unwrap();
    let dead = gone.id();
    gone.wait().unwrap();
    let stale = dir.join(format!(".weights.npz.tmp.{dead}"));
    let live = dir.join(format!(".weights.npz.tmp.{}", std::process::id()));
    std::fs::write(&stale, vec![0u8; 1 << 20]).unwrap();
    std::fs::write(&live, b"in progress").unwrap();
    common::assert_ok(&run_limited(&["export", d, "--format", "npz"]));
    assert!(!stale.exists(), "a killed export's temporary is removed");
    assert!(live.exists(), "a live writer's is not");
    std::fs::remove_dir_all(&dir).unwrap();
}
