//! `grokscope replay DIR`: a kept run replayed shows what the live session showed at the same
//! steps (the same snapshot, frame for frame, and the same screen); a run killed while
//! writing replays up to its last whole frame; a truncated or foreign file is status 2 with
//! one line.

mod common;

use common::assert_usage_error;
use grokscope::app::harness::{Harness, text};
use grokscope::app::replay::Replay;
use grokscope::app::session::{Clock, Status};
use grokscope::app::state::App;
use grokscope::train::keep::{RunFile, read_frames};
use grokscope::ui::Theme;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

fn tmpdir(name: &str) -> PathBuf {
    common::tmpdir("replay", name)
}

fn kept(name: &str, args: &[&str]) -> PathBuf {
    common::kept_run("replay", name, args)
}

#[test]
fn a_replayed_run_shows_what_the_live_session_showed() {
    // 600 steps: the dashboard evaluates every 20 steps, and so do --every 20 and the frames.
    for (name, args) in [
        (
            "mod-add",
            &[
                "--preset",
                "mod-add",
                "--modulus",
                "11",
                "--hidden",
                "8",
                "--embed",
                "4",
                "--steps",
                "600",
                "--every",
                "20",
            ][..],
        ),
        (
            "parity",
            &[
                "--preset", "parity", "--hidden", "16", "--steps", "600", "--every", "20",
            ][..],
        ),
    ] {
        let dir = kept(name, args);
        let cfg = RunFile::read(&dir.join("run.json")).unwrap().config;
        let mut live = Harness::new(cfg).unwrap();
        live.train(600);
        let want = live.app.snapshot.clone();
        assert_eq!(want.status, Status::Finished);
        let replay = Replay::open(&dir).unwrap();
        let mut got = replay.snapshot(Some(Clock::default()));
        assert_eq!(got.status, Status::Finished, "{name}");
        assert_eq!(got.config, want.config, "{name}");
        assert_eq!(got.step, want.step, "{name}");
        assert_eq!(got.history, want.history, "{name}");
        assert_eq!(got.frames.len(), want.frames.len(), "{name}");
        assert_eq!(got.frames.len(), 31, "{name}: frames at 0, 20, ..., 600");
        for (g, w) in got.frames.iter().zip(&want.frames) {
            let at = g.step();
            assert_eq!(g.metrics, w.metrics, "{name} at {at}");
            assert!(g.weights == w.weights, "{name}: weights at {at}");
            assert_eq!(g.phase, w.phase, "{name}: phase at {at}");
            assert_eq!(
                format!("{:?}", g.readings),
                format!("{:?}", w.readings),
                "{name}: readings at {at}"
            );
        }
        // The same screen, at the end and scrubbed back to the same step.
        got.message = None;
        let theme = Theme::detect(true, "truecolor");
        let live_screen = text(&live.render(120, 40, &theme));
        let mut shown = Harness::new(live.app.snapshot.config.clone()).unwrap();
        shown.app = App::new(Arc::new(got));
        assert_eq!(text(&shown.render(120, 40, &theme)), live_screen, "{name}");
        for h in [&mut live, &mut shown] {
            for _ in 0..7 {
                h.app.update(grokscope::app::state::Action::ScrubBack);
            }
        }
        let scrubbed = text(&live.render(120, 40, &theme));
        assert!(scrubbed.contains("step 460"), "{name}: {scrubbed}");
        assert_eq!(
            text(&shown.render(120, 40, &theme)),
            scrubbed,
            "{name}: scrubbed"
        );
        std::fs::remove_dir_all(&dir).ok();
    }
}

#[test]
fn a_run_killed_while_writing_replays_up_to_its_last_whole_frame() {
    let dir = tmpdir("killed");
    let mut child = Command::new(env!("CARGO_BIN_EXE_grokscope"))
        .args([
            "run",
            "--preset",
            "parity",
            "--hidden",
            "16",
            "--steps",
            "100000",
            "--every",
            "10",
            "--frame-every",
            "10",
            "--out",
        ])
        .arg(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let frames = dir.join("frames.bin");
    let t0 = std::time::Instant::now();
    while std::fs::metadata(&frames).map_or(0, |m| m.len()) < 50_000 {
        assert!(t0.elapsed() < Duration::from_secs(60), "never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    // Half a frame more, as a kill in the middle of a write leaves.
    let bytes = std::fs::read(&frames).unwrap();
    let (_, whole) = read_frames(&frames).unwrap();
    let mut torn = bytes.clone();
    torn.extend_from_slice(&bytes[bytes.len() - 1000..]);
    std::fs::write(&frames, &torn).unwrap();
    let replay = Replay::open(&dir).unwrap();
    let snap = replay.snapshot(None);
    assert_eq!(snap.status, Status::Running, "no summary: still followed");
    assert!(whole.len() >= 20);
    assert_eq!(snap.frames.len(), whole.len());
    assert_eq!(snap.step, whole.last().unwrap().metrics.step);
    let steps: Vec<u64> = snap.frames.iter().map(|f| f.step()).collect();
    assert!(steps.iter().enumerate().all(|(i, &s)| s == 10 * i as u64));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_run_being_written_is_followed() {
    let dir = kept(
        "follow",
        &[
            "--preset", "parity", "--hidden", "8", "--steps", "40", "--every", "10",
        ],
    );
    // As though the run were still going: no summary yet, the last frame not yet written.
    let frames = dir.join("frames.bin");
    let bytes = std::fs::read(&frames).unwrap();
    let (_, all) = read_frames(&frames).unwrap();
    let per = 8 + 48 + 4 * (31 * 8 + 8) + 8;
    std::fs::write(&frames, &bytes[..bytes.len() - per]).unwrap();
    let summary = std::fs::read(dir.join("summary.json")).unwrap();
    std::fs::remove_file(dir.join("summary.json")).unwrap();
    let mut replay = Replay::open(&dir).unwrap();
    assert_eq!(replay.snapshot(None).frames.len(), all.len() - 1);
    assert!(!replay.poll().unwrap(), "nothing new");
    std::fs::write(&frames, &bytes).unwrap();
    assert!(replay.poll().unwrap());
    assert_eq!(replay.snapshot(None).frames.len(), all.len());
    assert_eq!(replay.snapshot(None).status, Status::Running);
    std::fs::write(dir.join("summary.json"), summary).unwrap();
    assert!(replay.poll().unwrap());
    assert_eq!(replay.snapshot(None).status, Status::Finished);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_truncated_or_foreign_directory_is_refused_with_one_line() {
    let dir = kept(
        "bad",
        &[
            "--preset", "parity", "--hidden", "8", "--steps", "40", "--every", "10",
        ],
    );
    let d = dir.to_str().unwrap();
    let frames = dir.join("frames.bin");
    let bytes = std::fs::read(&frames).unwrap();
    std::fs::write(&frames, &bytes[..20]).unwrap();
    assert_usage_error(&["replay", d], "truncated header");
    std::fs::write(&frames, b"PK\x03\x04 a zip, not frames").unwrap();
    assert_usage_error(&["replay", d], "not a grokscope frames file");
    let mut newer = bytes.clone();
    newer[17] = 9;
    std::fs::write(&frames, &newer).unwrap();
    assert_usage_error(&["--replay", d], "frames format version 9 is not supported");
    std::fs::remove_file(&frames).unwrap();
    assert_usage_error(&["replay", d], "keeps no weight frames");
    std::fs::write(dir.join("run.json"), "not json").unwrap();
    assert_usage_error(&["replay", d], "not a grokscope run file");
    assert_usage_error(&["replay", "/nonexistent-run"], "run.json");
    assert_usage_error(
        &["--replay", d, "--lr", "0.1"],
        "cannot change a replayed run",
    );
    std::fs::remove_dir_all(&dir).ok();
}
