//! `grokscope --out DIR`: the live dashboard keeps its run as `run --out` keeps one, so
//! `replay`, `export` and `run --resume` take it; a restart keeps its run beside it (DIR-2);
//! Esc never quits. The real binary on a pty (`common/pty.rs`).

mod common;
#[path = "common/pty.rs"]
mod pty;

use common::{grokscope, tmpdir};
use pty::{Pty, find};
use std::path::Path;
use std::time::{Duration, Instant};

/// Short mod-add runs: the dashboard's metrics interval for 600 steps is 20.
const SETTINGS: [&str; 8] = [
    "--steps",
    "600",
    "--seed",
    "10",
    "--fps",
    "5",
    "--threads",
    "1",
];

fn wait_file(pty: &mut Pty, path: &Path) {
    let start = Instant::now();
    while !path.exists() {
        if start.elapsed() > Duration::from_secs(120) {
            pty.fail(&format!("{} never appeared", path.display()));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn lines(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// A metrics or summary line without what depends on the machine's speed.
fn timeless(mut v: serde_json::Value) -> serde_json::Value {
    let o = v.as_object_mut().unwrap();
    for k in ["elapsed_s", "steps_per_s"] {
        o.remove(k);
    }
    v
}

/// The lines `grokscope run` prints for these settings and `steps`, every 20 steps.
fn headless(steps: &str) -> Vec<serde_json::Value> {
    let out = grokscope(&[
        "run",
        "--steps",
        steps,
        "--seed",
        "10",
        "--every",
        "20",
        "--threads",
        "1",
    ]);
    assert!(out.status.success());
    common::json_lines(&out).into_iter().map(timeless).collect()
}

fn exit_status(out: &str) -> &str {
    let line = out.lines().find(|l| l.starts_with(pty::MARK)).unwrap();
    line.split_whitespace().nth(1).unwrap()
}

#[test]
fn the_dashboard_keeps_its_runs_for_replay_export_and_resume() {
    let root = tmpdir("dashboard-out", "keep");
    std::fs::create_dir_all(&root).unwrap();
    let d = root.join("d");
    let d2 = root.join("d-2");
    let ds = d.to_str().unwrap();
    let mut pty = Pty::start(&[&["--out", ds][..], &SETTINGS].concat());
    pty.wait_drawn("mod-add");
    // The run trains its 600 steps and is kept whole: summary, final checkpoint.
    wait_file(&mut pty, &d.join("summary.json"));
    // r restarts: the new run goes beside it, never into d.
    pty.type_keys(b"r");
    wait_file(&mut pty, &d2.join("run.json"));
    // Esc on the training view does nothing: the dashboard is still there a second later.
    pty.type_keys(b"\x1b");
    std::thread::sleep(Duration::from_secs(1));
    assert!(
        find(&pty.output(), pty::MARK.as_bytes()).is_none(),
        "Esc quit the dashboard"
    );
    pty.type_keys(b"q");
    let out = pty.finish("q");
    assert_eq!(exit_status(&out), "exit=0", "{out}");
    assert!(
        out.contains("kept the runs in"),
        "where they are kept is said"
    );

    kept_as_run_keeps(&d);
    export_and_replay_take(&d);
    resumes_as_never_stopped(&d2);
    let _ = std::fs::remove_dir_all(&root);
}

/// The dashboard's first run kept as `run` keeps one: its files, its metrics line for line
/// (all but the clock), stopped at its last step.
fn kept_as_run_keeps(d: &Path) {
    for f in [
        "run.json",
        "metrics.jsonl",
        "frames.bin",
        "checkpoint.safetensors",
        "summary.json",
    ] {
        assert!(d.join(f).is_file(), "d/{f}");
    }
    let kept: Vec<_> = lines(&d.join("metrics.jsonl"))
        .into_iter()
        .map(timeless)
        .collect();
    assert_eq!(kept, headless("600"), "the kept metrics are run's");
    assert_eq!(lines(&d.join("summary.json"))[0]["stopped"], "steps");
}

/// `export` and `replay` take a kept dashboard run.
fn export_and_replay_take(d: &Path) {
    let ds = d.to_str().unwrap();
    let out = grokscope(&["export", ds, "--format", "npz"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(d.join("weights.npz").is_file());
    let mut replay = Pty::start(&["replay", ds, "--fps", "5"]);
    replay.wait_drawn("mod-add");
    replay.type_keys(b"q");
    assert_eq!(exit_status(&replay.finish("q")), "exit=0");
}

/// The restarted run, left at q or finished, resumes into the uninterrupted run.
fn resumes_as_never_stopped(d2: &Path) {
    let d2s = d2.to_str().unwrap();
    let stopped = lines(&d2.join("summary.json"))[0]["stopped"].clone();
    assert!(stopped == "quit" || stopped == "steps", "{stopped}");
    let out = grokscope(&["run", "--resume", d2s, "--steps", "700", "--out", d2s]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let resumed: Vec<_> = lines(&d2.join("metrics.jsonl"))
        .into_iter()
        .map(timeless)
        .filter(|l| l.get("summary").is_none())
        .collect();
    let whole: Vec<_> = headless("700")
        .into_iter()
        .filter(|l| l.get("summary").is_none())
        .collect();
    assert_eq!(
        resumed, whole,
        "resumed from the dashboard's run, as never stopped"
    );
}

#[test]
fn a_directory_holding_files_is_refused_before_the_dashboard_opens() {
    let root = tmpdir("dashboard-out", "refused");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(root.join("notes.txt"), "mine").unwrap();
    let pty = Pty::start(&["--out", root.to_str().unwrap(), "--fps", "5"]);
    let out = pty.finish("the refusal");
    assert_eq!(exit_status(&out), "exit=2", "{out}");
    assert!(out.contains("is not empty"), "{out}");
    assert!(
        find(out.as_bytes(), pty::ENTER_ALT).is_none(),
        "no dashboard opened"
    );
    assert_eq!(
        std::fs::read_dir(&root).unwrap().count(),
        1,
        "nothing written"
    );
    let _ = std::fs::remove_dir_all(&root);
}
