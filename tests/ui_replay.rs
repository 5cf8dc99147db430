//! `grokscope replay DIR`: a kept run replayed shows what the live session showed at the same
//! steps (the same snapshot, frame for frame, and the same screen); a run killed while
//! writing replays up to its last whole frame; a truncated or foreign file is status 2 with
//! one line; two kept runs on the same axes (their screens drawn from two runs kept in
//! `tests/fixtures/`, so the same on every machine).

mod common;

use common::assert_usage_error;
use grokscope::app::harness::{Harness, text};
use grokscope::app::replay::Replay;
use grokscope::app::session::{Clock, Status};
use grokscope::app::state::App;
use grokscope::train::Metrics;
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
        let want = live.app.shared.snapshot.clone();
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
        // The live session's notice (what to look at next, once it reached 99 %) is its
        // history, not the run's: the replay opens without it.
        live.app.shared.message = None;
        let theme = Theme::detect(true, "truecolor");
        let live_screen = text(&live.render(120, 40, &theme));
        let mut shown = Harness::new(live.app.shared.snapshot.config.clone()).unwrap();
        shown.app = App::new(Arc::new(got));
        assert_eq!(text(&shown.render(120, 40, &theme)), live_screen, "{name}");
        for h in [&mut live, &mut shown] {
            for _ in 0..7 {
                h.app.update(grokscope::app::action::Action::ScrubBack);
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

/// Two small mod-add runs ([`common::PAIR_RUN`]) kept side by side under one directory (so
/// that their names, the legend's, are the same on every machine): seeds 1 and 2, or the
/// given extra settings for the second.
fn kept_pair(name: &str, second: &[&str]) -> (PathBuf, PathBuf, PathBuf) {
    let parent = tmpdir(name);
    std::fs::create_dir_all(&parent).unwrap();
    let mut dirs = Vec::new();
    for (sub, extra) in [("seed-1", &["--seed", "1"][..]), ("seed-2", second)] {
        let dir = parent.join(sub);
        let out = common::grokscope(
            &[
                &["run"][..],
                &common::PAIR_RUN,
                extra,
                &["--out", dir.to_str().unwrap()],
            ]
            .concat(),
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        dirs.push(dir);
    }
    let b = dirs.pop().unwrap();
    let a = dirs.pop().unwrap();
    (parent, a, b)
}

/// The dashboard on `replay`'s snapshot (with a fixed clock), as the event loop starts it.
fn dashboard(replay: &Replay) -> Harness {
    let snap = replay.snapshot(Some(Clock::default()));
    let mut h = Harness::new(snap.config.clone()).unwrap();
    h.app = App::new(Arc::new(snap));
    h.app.shared.message = replay.message.clone();
    h.app.training.replay = true;
    h
}

/// The header of a replay says it is one, the step on screen of the steps kept and how the
/// run ended; no preset's place (1/9) for a run with settings of its own (600 steps, seed
/// 1), which is "from mod-add"; it gives no training rate and never says "running", even of a run with no
/// summary (killed, or still being written), whose snapshot is `Running`.
#[test]
fn a_replay_header_says_replay_not_running() {
    let dir = tmpdir("unfinished");
    std::fs::create_dir_all(&dir).unwrap();
    let fixture = common::fixture("replay-pair/seed-1");
    for file in ["run.json", "frames.bin"] {
        std::fs::copy(fixture.join(file), dir.join(file)).unwrap();
    }
    let plain = Theme::detect(true, "");
    let header = |h: &Harness, w: u16, hgt: u16| {
        let screen = text(&h.render(w, hgt, &plain));
        screen.lines().next().unwrap().trim_end().to_string()
    };
    for (path, ended) in [(&fixture, "finished"), (&dir, "unfinished")] {
        let replay = Replay::open(path).unwrap();
        let running = replay.snapshot(None).status == Status::Running;
        assert_eq!(running, ended == "unfinished", "{path:?}");
        let mut h = dashboard(&replay);
        let wide = header(&h, 120, 40);
        let narrow = header(&h, 80, 24);
        assert_eq!(
            wide,
            format!(
                "grokscope │ from mod-add │ step 600 of 600 kept │ {} replay of a{} {ended} run │ \
                 cleaning up",
                if running { "▷" } else { "■" },
                if running { "n" } else { "" },
            )
        );
        assert_eq!(
            narrow,
            format!(
                "from mod-add │ step 600/600 kept │ {} replay, {ended} │ cleaning up",
                if running { "▷" } else { "■" },
            )
        );
        // Scrubbed back: the step on screen of the steps kept, still no rate.
        for _ in 0..7 {
            h.app.update(grokscope::app::action::Action::ScrubBack);
        }
        let scrubbed = header(&h, 120, 40);
        assert!(scrubbed.contains("step 460 ▸ of 600 │"), "{scrubbed}");
        for screen in [&wide, &narrow, &scrubbed] {
            for live in ["steps/s", "0/s", "running", "0:00"] {
                assert!(!screen.contains(live), "{live}: {screen}");
            }
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// Press a key through the real dispatcher (without the harness's trainer, which would
/// publish its own run).
fn press(h: &mut Harness, c: char) {
    use grokscope::app::{keys::Key, state as views};
    let a = views::dispatch(&h.app, Key::char(c)).unwrap_or_else(|| panic!("{c} unbound"));
    h.app.update(a);
}

/// The two runs of `tests/fixtures/replay-pair` (kept_pair's, recorded once): their
/// directories and the first opened with the second compared.
fn pair() -> (std::path::PathBuf, Replay) {
    let (a, b) = (
        common::fixture("replay-pair/seed-1"),
        common::fixture("replay-pair/seed-2"),
    );
    let replay = Replay::open(&a).unwrap().compare(&b).unwrap();
    (a, replay)
}

/// The compared run's curves as it kept them, frame by frame.
fn compared_history() -> Vec<Metrics> {
    let b = common::fixture("replay-pair/seed-2");
    let (_, frames) = read_frames(&b.join("frames.bin")).unwrap();
    frames.iter().map(|f| f.metrics).collect()
}

#[test]
fn two_kept_runs_are_drawn_on_the_same_axes() {
    let (_, replay) = pair();
    let snap = replay.snapshot(Some(Clock::default()));
    let other = snap.compare.as_ref().expect("a compared run");
    assert_eq!(other.names, ("seed-1".into(), "seed-2".into()));
    assert_eq!(other.config.seed, 2);
    assert_eq!(other.status, Status::Finished);
    assert_eq!(other.history, compared_history());
    assert_ne!(other.history, snap.history, "another seed, other curves");

    let s = common::snapshot_settings();
    let color = Theme::detect(false, "truecolor");
    let plain = Theme::detect(true, "");
    let h = dashboard(&replay);
    let wide = text(&h.render(120, 40, &color));
    let narrow = text(&h.render(80, 24, &plain));
    for screen in [&wide, &narrow] {
        assert!(screen.contains("seed-1 (seed 1)"), "{screen}");
        assert!(screen.contains("seed-2 (seed 2)"), "{screen}");
    }
    assert!(
        narrow.contains("+x seed-2"),
        "marks without colour: {narrow}"
    );
    s.bind(|| insta::assert_snapshot!("replay_compare_120x40", wide));
    s.bind(|| insta::assert_snapshot!("replay_compare_no_color_80x24", narrow));
    // The compared run in its colours: train's and test's hues, darker.
    let buf = h.render(120, 40, &color);
    let fgs: std::collections::HashSet<_> = (0..120)
        .flat_map(|x| (2..13).map(move |y| (x, y)))
        .map(|p| buf[p].fg)
        .collect();
    for style in [color.train_compared(), color.test_compared()] {
        assert!(fgs.contains(&style.fg.unwrap()), "{style:?} drawn");
    }
}

/// The cursor's read-outs give both runs' values at its step.
#[test]
fn the_cursor_reads_out_both_kept_runs() {
    let (_, replay) = pair();
    let color = Theme::detect(false, "truecolor");
    let mut h = dashboard(&replay);
    for _ in 0..7 {
        h.app.update(grokscope::app::action::Action::ScrubBack);
    }
    let at = h.app.shared.frame().unwrap().metrics;
    assert_eq!(at.step, 460);
    let history = compared_history();
    let theirs = history.iter().find(|m| m.step == 460).unwrap();
    let scrubbed = text(&h.render(120, 40, &color));
    let pct = |v: f64| format!("{:.2}%", v * 100.0);
    let train_row = format!("train {} ━ {}", pct(at.train_acc), pct(theirs.train_acc));
    let test_row = format!("test {} ━ {}", pct(at.test_acc), pct(theirs.test_acc));
    assert!(scrubbed.contains(&train_row), "{train_row}: {scrubbed}");
    assert!(scrubbed.contains(&test_row), "{test_row}: {scrubbed}");
    let sci = grokscope::ui::spectrum::sci;
    let loss_row = format!(
        "{} / {}   ━━ {} / {}",
        sci(at.train_loss),
        sci(at.test_loss),
        sci(theirs.train_loss),
        sci(theirs.test_loss)
    );
    assert!(scrubbed.contains(&loss_row), "{loss_row}: {scrubbed}");
}

/// `c` hides the compared run (the screen is then the one replaying the first run alone)
/// and shows it again; without a compared run it says so and changes nothing else.
#[test]
fn c_hides_and_shows_the_compared_run() {
    let (a, replay) = pair();
    let color = Theme::detect(false, "truecolor");
    let mut h = dashboard(&replay);
    let wide = text(&h.render(120, 40, &color));
    press(&mut h, 'c');
    assert!(
        h.app
            .shared
            .message
            .as_deref()
            .unwrap()
            .contains("seed-2 hidden")
    );
    let hidden = text(&h.render(120, 40, &color));
    let mut alone = dashboard(&Replay::open(&a).unwrap());
    for d in [&mut h, &mut alone] {
        d.app.shared.message = None;
    }
    let body = |t: &str| t.lines().take(39).collect::<Vec<_>>().join("\n");
    assert!(!body(&hidden).contains("seed-2"), "{hidden}");
    // The heatmap's hysteresis remembers the frames drawn: compare from a fresh memory, as
    // the run alone is drawn.
    h.memo = Default::default();
    assert_eq!(
        text(&h.render(120, 40, &color)),
        text(&alone.render(120, 40, &color))
    );
    press(&mut h, 'c');
    assert_eq!(body(&text(&h.render(120, 40, &color))), body(&wide));
    let before = text(&alone.render(120, 40, &color));
    press(&mut alone, 'c');
    assert!(
        alone
            .app
            .shared
            .message
            .as_deref()
            .unwrap()
            .contains("no compared run")
    );
    alone.app.shared.message = None;
    assert_eq!(text(&alone.render(120, 40, &color)), before);
}

#[test]
fn a_compared_run_being_written_is_followed() {
    let (parent, a, b) = kept_pair("follow-pair", &["--seed", "2"]);
    // The second run as though still going: no summary, its last frame not yet written.
    let frames = b.join("frames.bin");
    let bytes = std::fs::read(&frames).unwrap();
    let (_, all) = read_frames(&frames).unwrap();
    let header = grokscope::train::keep::FrameReader::open(&frames)
        .unwrap()
        .end() as usize;
    let per = (bytes.len() - header) / all.len();
    std::fs::write(&frames, &bytes[..bytes.len() - per]).unwrap();
    let summary = std::fs::read(b.join("summary.json")).unwrap();
    std::fs::remove_file(b.join("summary.json")).unwrap();
    let mut replay = Replay::open(&a).unwrap().compare(&b).unwrap();
    let other = |r: &Replay| r.snapshot(None).compare.unwrap();
    assert_eq!(other(&replay).history.len(), all.len() - 1);
    assert_eq!(other(&replay).status, Status::Running);
    assert!(!replay.poll().unwrap(), "nothing new");
    std::fs::write(&frames, &bytes).unwrap();
    assert!(
        replay.poll().unwrap(),
        "the first run has ended; the second is followed"
    );
    assert_eq!(other(&replay).history.len(), all.len());
    std::fs::write(b.join("summary.json"), summary).unwrap();
    assert!(replay.poll().unwrap());
    assert_eq!(other(&replay).status, Status::Finished);
    std::fs::remove_dir_all(&parent).ok();
}

#[test]
fn runs_of_different_tasks_share_the_axes_and_the_legend_says_so() {
    let parent = tmpdir("tasks");
    let (m, p) = (parent.join("modular"), parent.join("parity"));
    for (dir, preset, hidden) in [(&m, "mod-add", "8"), (&p, "parity", "16")] {
        let out = common::grokscope(&[
            "run",
            "--preset",
            preset,
            "--hidden",
            hidden,
            "--steps",
            "400",
            "--every",
            "20",
            "--out",
            dir.to_str().unwrap(),
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // Loss (cross-entropy) and accuracy against steps mean the same for both; their chance
    // levels differ, and the legend names the tasks.
    let replay = Replay::open(&p).unwrap().compare(&m).unwrap();
    let h = dashboard(&replay);
    let screen = text(&h.render(120, 40, &Theme::detect(true, "")));
    assert!(screen.contains("parity (parity)"), "{screen}");
    assert!(screen.contains("modular (mod-add)"), "{screen}");
    std::fs::remove_dir_all(&parent).ok();
}

#[test]
fn a_bad_second_directory_is_refused_with_one_line() {
    let (parent, a, b) = kept_pair("bad-pair", &["--seed", "2"]);
    let (da, db) = (a.to_str().unwrap(), b.to_str().unwrap());
    // Both readable: only the terminal is missing (the tests have none).
    assert_usage_error(&["replay", da, db], "needs a terminal");
    assert_usage_error(&["--replay", da, "--replay", db], "needs a terminal");
    assert_usage_error(&["replay", da], "needs a terminal");
    assert_usage_error(
        &["replay", da, "/nonexistent-run"],
        "cannot compare with /nonexistent-run",
    );
    assert_usage_error(&["replay", da, da], "it is the run replayed");
    assert_usage_error(&["replay", da, db, db], "unexpected argument");
    assert_usage_error(
        &["--replay", da, "--replay", db, "--replay", db],
        "twice to compare two runs",
    );
    let frames = b.join("frames.bin");
    let bytes = std::fs::read(&frames).unwrap();
    std::fs::write(&frames, &bytes[..20]).unwrap();
    assert_usage_error(&["replay", da, db], "truncated header");
    let mut newer = bytes.clone();
    newer[17] = 9;
    std::fs::write(&frames, &newer).unwrap();
    assert_usage_error(
        &["--replay", da, "--replay", db],
        "frames format version 9 is not supported",
    );
    std::fs::remove_file(&frames).unwrap();
    assert_usage_error(&["replay", da, db], "keeps no weight frames");
    std::fs::remove_dir_all(&parent).ok();
}
