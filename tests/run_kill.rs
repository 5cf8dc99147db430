//! `run --out` survives SIGKILL: periodic checkpoints (`--checkpoint-every`), and `--resume`
//! continuing from the latest whole one with metrics that match an uninterrupted run line for
//! line (no gap, no duplicate). Real child processes, killed at several moments.

mod common;

use common::{grokscope, grokscope_ok, metrics_lines};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

fn tmpdir(name: &str) -> PathBuf {
    common::tmpdir("kill", name)
}

const RUN: [&str; 10] = [
    "--preset", "parity", "--hidden", "16", "--steps", "6000", "--every", "50", "--format", "jsonl",
];

/// The uninterrupted run every interrupted one is compared with: its directory and lines.
fn uninterrupted(name: &str) -> (PathBuf, Vec<serde_json::Value>) {
    let whole = tmpdir(name);
    let out = grokscope(&[&["run"][..], &RUN, &["--out", whole.to_str().unwrap()]].concat());
    assert!(out.status.success(), "{out:?}");
    let lines = metrics_lines(&whole);
    (whole, lines)
}

/// The weight frames of `dir` are those of `whole`: the same steps (no gap, no duplicate),
/// metrics and weights bit for bit (the wall-clock field aside).
fn assert_same_frames(dir: &Path, whole: &Path, what: &str) {
    use grokscope::train::keep::read_frames;
    let (_, got) = read_frames(&dir.join("frames.bin")).unwrap();
    let (_, want) = read_frames(&whole.join("frames.bin")).unwrap();
    let steps = |f: &[grokscope::train::keep::SavedFrame]| {
        f.iter().map(|f| f.metrics.step).collect::<Vec<_>>()
    };
    assert_eq!(steps(&got), steps(&want), "{what}: frame steps");
    assert_eq!(want.len(), 121, "frames at every 50 steps from 0 to 6000");
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g.metrics, w.metrics, "{what}");
        assert!(
            g.weights == w.weights,
            "{what}: weights at {}",
            g.metrics.step
        );
    }
}

#[test]
fn a_killed_run_resumes_from_its_latest_checkpoint_without_gap_or_duplicate() {
    let (whole, expected) = uninterrupted("whole");
    let mut resumed = 0;
    // Kill at moments measured from the first checkpoint (step 200), not from the start, so
    // a slow machine or kernel moves every kill along with the run instead of losing it.
    for (i, ms) in [0u64, 100, 300, 700].into_iter().enumerate() {
        let dir = tmpdir(&format!("killed-{i}"));
        let d = dir.to_str().unwrap();
        let mut child = common::start_quiet(
            &[
                &["run"][..],
                &RUN,
                &["--out", d, "--checkpoint-every", "200"],
            ]
            .concat(),
        );
        let t0 = std::time::Instant::now();
        while !dir.join("checkpoint.safetensors").exists() {
            assert!(
                t0.elapsed() < Duration::from_secs(300) && child.try_wait().unwrap().is_none(),
                "moment {ms} ms: no first checkpoint"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
        std::thread::sleep(Duration::from_millis(ms));
        let _ = child.kill(); // SIGKILL (the run may have finished by now: resumed all the same)
        child.wait().unwrap();
        // Rerunning into it without --resume is refused: it holds a run.
        let again = grokscope(&[&["run"][..], &RUN, &["--out", d]].concat());
        assert_eq!(again.status.code(), Some(2));
        grokscope_ok(&["run", "--resume", d, "--out", d, "--every", "50"]);
        let got = metrics_lines(&dir);
        assert_eq!(got.len(), expected.len(), "moment {ms} ms");
        assert_eq!(got, expected, "moment {ms} ms: the same lines, bit for bit");
        assert_same_frames(&dir, &whole, &format!("moment {ms} ms"));
        let leftovers: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
        resumed += 1;
        std::fs::remove_dir_all(&dir).ok();
    }
    assert_eq!(
        resumed, 4,
        "every kill landed after a checkpoint and was resumed"
    );
    std::fs::remove_dir_all(&whole).ok();
}

#[test]
fn resume_takes_a_checkpoint_file_and_refuses_mixed_directories() {
    let a = tmpdir("a");
    let b = tmpdir("b");
    let small = [
        "--preset", "parity", "--hidden", "8", "--steps", "40", "--every", "10",
    ];
    assert!(
        grokscope(&[&["run"][..], &small, &["--out", a.to_str().unwrap()]].concat())
            .status
            .success()
    );
    // A checkpoint file, as the dashboard's s saves one.
    let file = a.join("checkpoint.safetensors");
    let out = grokscope_ok(&[
        "run",
        "--resume",
        file.to_str().unwrap(),
        "--steps",
        "60",
        "--every",
        "10",
    ]);
    let lines = common::json_lines(&out);
    assert_eq!(lines[0]["step"], 50);
    assert_eq!(lines.last().unwrap()["steps"], 60);
    // Another seed's checkpoint copied in: the directory no longer holds one run.
    assert!(
        grokscope(
            &[
                &["run", "--seed", "5"][..],
                &small,
                &["--out", b.to_str().unwrap()]
            ]
            .concat()
        )
        .status
        .success()
    );
    std::fs::copy(
        b.join("checkpoint.safetensors"),
        a.join("checkpoint.safetensors"),
    )
    .unwrap();
    common::assert_usage_error(&["run", "--resume", a.to_str().unwrap()], "mixes runs");
    // --force overwrites a directory that holds a run; stale temporaries go.
    std::fs::write(a.join(".summary.json.tmp.4242"), b"half").unwrap();
    assert!(
        grokscope(
            &[
                &["run"][..],
                &small,
                &["--out", a.to_str().unwrap(), "--force"]
            ]
            .concat()
        )
        .status
        .success()
    );
    assert!(!a.join(".summary.json.tmp.4242").exists());
    std::fs::remove_dir_all(&a).ok();
    std::fs::remove_dir_all(&b).ok();
}

/// SIGINT, SIGTERM and SIGHUP end `run --out` cleanly: status 0, a summary saying it was
/// stopped by a signal, the final checkpoint at the step it stopped, and `--resume`
/// continuing from there into an uninterrupted run's remaining lines.
#[test]
fn a_signal_finishes_the_run_with_a_checkpoint_and_summary() {
    let (whole, expected) = uninterrupted("sig-whole");
    for sig in ["INT", "TERM", "HUP"] {
        let dir = tmpdir(&format!("sig-{sig}"));
        let d = dir.to_str().unwrap();
        let mut child = common::start_quiet(&[&["run"][..], &RUN, &["--out", d]].concat());
        // Wait until it trains (its partial metrics file has lines), then signal it.
        let partial = dir.join(".metrics.jsonl.partial");
        let t0 = std::time::Instant::now();
        while std::fs::metadata(&partial).map_or(0, |m| m.len()) < 200 {
            assert!(
                t0.elapsed() < Duration::from_secs(60),
                "{sig}: never started"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        let killed = Command::new("kill")
            .args(["-s", sig, &child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let status = child.wait().unwrap();
        assert!(status.success(), "{sig}: {status:?}");
        let summary: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap())
                .unwrap();
        assert_eq!(summary["stopped"], "signal", "{sig}: {summary}");
        let stopped_at = summary["steps"].as_u64().unwrap();
        assert!(stopped_at < 6000, "{sig}: stopped early");
        assert!(dir.join("checkpoint.safetensors").exists(), "{sig}");
        let out = grokscope(&["run", "--resume", d, "--out", d, "--every", "50"]);
        assert!(
            out.status.success(),
            "{sig}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            metrics_lines(&dir),
            expected,
            "{sig}: resumed lines match bit for bit"
        );
        assert_same_frames(&dir, &whole, sig);
        std::fs::remove_dir_all(&dir).ok();
    }
    std::fs::remove_dir_all(&whole).ok();
}

/// A frames file whose last frame was torn (a kill mid-write) reads up to the last whole
/// frame; `--resume` cuts the torn bytes and goes on without gap or duplicate. A frame that
/// fails its checksum with whole frames after it is corruption: status 2, one line.
#[test]
fn a_torn_frames_tail_is_dropped_and_resumed_over() {
    use grokscope::train::keep::read_frames;
    let (whole, _) = uninterrupted("torn-whole");
    let dir = tmpdir("torn");
    let d = dir.to_str().unwrap();
    // Stopped at step 3000 by --steps (its final checkpoint there).
    let mut short = RUN;
    short[5] = "3000";
    grokscope_ok(&[&["run"][..], &short, &["--out", d]].concat());
    let path = dir.join("frames.bin");
    let (_, frames) = read_frames(&path).unwrap();
    assert_eq!(frames.last().unwrap().metrics.step, 3000);
    // A kill while the frame after the checkpoint was written: half a frame at the end.
    let bytes = std::fs::read(&path).unwrap();
    let record = 8 + 48 + 4 * (31 * 16 + 16) + 8;
    let mut torn = bytes.clone();
    torn.extend_from_slice(&bytes[bytes.len() - record..bytes.len() - record / 2]);
    std::fs::write(&path, &torn).unwrap();
    let (_, read) = read_frames(&path).unwrap();
    assert_eq!(read.len(), frames.len(), "the torn frame is dropped");
    assert_eq!(read.last().unwrap().metrics.step, 3000);
    grokscope_ok(&[
        "run", "--resume", d, "--out", d, "--steps", "6000", "--every", "50",
    ]);
    assert_same_frames(&dir, &whole, "torn");
    // A flipped byte in an early frame: refused, not silently cut.
    let mut bytes = std::fs::read(&path).unwrap();
    let n = bytes.len();
    bytes[n / 3] ^= 0x40;
    std::fs::write(&path, &bytes).unwrap();
    let err = read_frames(&path).unwrap_err().to_string();
    assert!(err.contains("fails its checksum"), "{err}");
    common::assert_usage_error(
        &["run", "--resume", d, "--out", d, "--steps", "6100"],
        "fails its checksum",
    );
    std::fs::remove_dir_all(&dir).ok();
    std::fs::remove_dir_all(&whole).ok();
}
