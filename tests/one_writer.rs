//! One writer at a time: while `run --out DIR` trains, a second writer into DIR (`--resume`,
//! a rerun, `--force`) is refused in one line naming the first one's PID, and nothing of the
//! live run is touched; likewise a second sweep appending to the same `--out` file. Once
//! the first writer has ended (even killed, its lock file left behind), the directory or
//! file is free again.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(60);

/// Wait until `ready` holds (the first writer is under way).
fn wait_until(what: &str, ready: impl Fn() -> bool) {
    let start = Instant::now();
    while !ready() {
        assert!(start.elapsed() < TIMEOUT, "{what}: not within {TIMEOUT:?}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Status 2, one line naming the holder's PID.
fn refused_naming(args: &[&str], pid: u32) {
    let holder = format!("being written by process {pid}");
    common::assert_refused(&common::grokscope(args), args, &[&holder]);
}

/// SIGTERM `child` (a clean stop) and wait for it.
fn stop(mut child: Child) {
    let ok = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
    assert!(child.wait().unwrap().success());
}

fn size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

#[test]
fn a_second_writer_into_a_live_run_directory_is_refused() {
    let dir: PathBuf = common::tmpdir("writer", "run");
    let d = dir.to_str().unwrap();
    let run = [
        "run", "--preset", "parity", "--hidden", "16", "--steps", "200000",
    ];
    let first =
        common::start_quiet(&[&run[..], &["--out", d, "--checkpoint-every", "100"]].concat());
    let pid = first.id();
    wait_until("a checkpoint", || {
        dir.join("checkpoint.safetensors").exists()
    });
    let settings = std::fs::read(dir.join("run.json")).unwrap();
    refused_naming(&["run", "--resume", d, "--out", d], pid);
    refused_naming(&[&run[..], &["--out", d]].concat(), pid);
    refused_naming(
        &[&run[..], &["--seed", "1", "--out", d, "--force"]].concat(),
        pid,
    );
    // The live run's files are its own still, and it goes on writing them.
    assert_eq!(std::fs::read(dir.join("run.json")).unwrap(), settings);
    let frames = size(&dir.join("frames.bin"));
    wait_until("more frames", || size(&dir.join("frames.bin")) > frames);
    stop(first);
    assert!(
        !dir.join(".grokscope.lock").exists(),
        "the lock goes with its writer"
    );
    // Free again: resumed, one run, frames in rising order.
    let out = common::grokscope(&["run", "--resume", d, "--out", d, "--steps", "100"]);
    assert_eq!(out.status.code(), Some(2), "--steps below the run's step");
    let at: u64 = serde_json::from_slice::<serde_json::Value>(
        &std::fs::read(dir.join("summary.json")).unwrap(),
    )
    .unwrap()["steps"]
        .as_u64()
        .unwrap();
    let steps = (at + 500).to_string();
    common::grokscope_ok(&["run", "--resume", d, "--out", d, "--steps", &steps]);
    let (_, frames) = grokscope::train::keep::read_frames(&dir.join("frames.bin")).unwrap();
    assert!(
        frames
            .windows(2)
            .all(|w| w[0].metrics.step < w[1].metrics.step)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A grid whose two runs take long enough (parity, 200,000 steps) to race.
const SLOW_GRID: &str = r#"{"name": "slow", "preset": "parity", "base": {"steps": 200000, "hidden": 8, "n_train": 200, "n_test": 200}, "every": 100, "stop_early": false, "axes": [["seed", [0, 1]]]}"#;

#[test]
fn a_second_sweep_into_the_same_output_file_is_refused() {
    let dir = common::scratch("writer", "sweep");
    let grid = dir.join("slow.json");
    std::fs::write(&grid, SLOW_GRID).unwrap();
    let out = dir.join("out.jsonl");
    let args = common::sweep_one_job(&grid, &out);
    let mut first = common::start_quiet(&args);
    let lock = dir.join(".out.jsonl.lock");
    wait_until("the sweep's lock", || size(&lock) > 0);
    refused_naming(&args, first.id());
    // Killed, it leaves its lock file, but no lock: the next writer takes it.
    first.kill().unwrap();
    first.wait().unwrap();
    assert!(lock.exists());
    let again = grokscope::sweep::lock_output(&out).expect("free once its writer is gone");
    drop(again);
    assert!(!lock.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}
