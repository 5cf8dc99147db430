//! The recorded runs under `tests/fixtures/` that the views' snapshots draw, so that no
//! snapshot depends on the arithmetic of the machine running the tests (a CPU's SIMD paths,
//! cache-sized blocking, a new engine): a recording played back shows exactly what the live
//! session showed; every fixture holds its preset's run to the step its tests draw; what
//! cannot be played is refused. Each fixture is a kept run's `run.json` and `frames.bin`
//! (`grokscope replay tests/fixtures/NAME` shows it).
//!
//! The fixtures are regenerated only on purpose, never to suit a machine: their numbers are
//! the ones the snapshots show, so new fixtures move snapshots, and each moved snapshot needs
//! its reason in the commit. To regenerate them (on the engine whose numbers the snapshots
//! should hold):
//!
//! ```text
//! cargo test --release --test fixtures -- --ignored record
//! ```
//!
//! Recording is deterministic: where the numbers did not change it writes the same bytes, so
//! `git diff --stat tests/fixtures` shows which runs moved.

mod common;

use common::key;
use crossterm::event::KeyCode;
use grokscope::app::harness::{Harness, text};
use grokscope::app::recorded::record;
use grokscope::train::keep::{FrameWriter, read_frames};
use grokscope::train::presets;
use grokscope::ui::{ColorMode, Theme};
use std::path::Path;

/// The fixtures of presets: each preset trained in the dashboard's session to the last step
/// its tests draw (they play it to that step or an earlier one).
const PRESETS: [(&str, u64); 9] = [
    ("mod-add", 1_000),
    ("mod-add-collapsed", 1_000),
    ("mod-add-collapsed-in", 1_000),
    ("mod-add-collapsed-out", 1_000),
    ("reverse-grok", 1_000),
    ("regrok", 1_000),
    ("five-neurons", 3_000),
    ("parity", 1_500),
    ("parity-l2", 600),
];

/// Two small mod-add runs kept by `grokscope run --out`, seeds 1 and 2, which the replay
/// tests draw on the same axes.
const PAIR: &str = "replay-pair";

/// Every part of what the two dashboards draw: the published snapshot, and the screens.
fn assert_same(live: &Harness, played: &Harness, what: &str) {
    let (a, b) = (&live.app.shared.snapshot, &played.app.shared.snapshot);
    assert_eq!(a.config, b.config, "{what}");
    assert_eq!(a.run, b.run, "{what}");
    assert_eq!(a.step, b.step, "{what}");
    assert_eq!(a.status, b.status, "{what}");
    assert_eq!(a.message, b.message, "{what}");
    assert_eq!(a.history, b.history, "{what}");
    assert_eq!(a.frames.len(), b.frames.len(), "{what}");
    for (f, g) in a.frames.iter().zip(&b.frames) {
        let at = format!("{what}, frame at {}", f.step());
        assert_eq!(f.metrics, g.metrics, "{at}");
        assert!(f.weights == g.weights, "{at}: weights");
        assert_eq!(f.phase, g.phase, "{at}");
        let r = |f: &grokscope::app::session::WeightFrame| format!("{:?}", f.readings);
        assert_eq!(r(f), r(g), "{at}: readings");
    }
    let theme = Theme::new(ColorMode::TrueColor);
    for (w, h) in [(120, 40), (80, 24)] {
        let (x, y) = (live.render(w, h, &theme), played.render(w, h, &theme));
        assert_eq!(text(&x), text(&y), "{what} at {w}×{h}");
        assert!(x == y, "{what} at {w}×{h}: the same styles");
    }
}

/// Recorded here and played back: the same snapshots and screens as the live session at every
/// step played to (between frames too), paused, scrubbed and with a setting edited; a restart
/// trains the new run live, in both. Holds on any machine (both sides train on this one).
#[test]
fn a_recorded_run_plays_as_the_live_session_showed_it() {
    // mod-add keeps W_input and W_output only (its embedding is wide); parity and the
    // fixed circle keep all their tensors.
    for (name, steps) in [("mod-add", 300), ("parity", 200), ("five-neurons", 225)] {
        let cfg = presets::find(name).unwrap().config;
        let dir = common::tmpdir("fixtures", name);
        let mut whole = Harness::new(cfg.clone()).unwrap();
        whole.train(steps);
        record(&whole.app.shared.snapshot, &dir).unwrap();

        let mut live = Harness::new(cfg).unwrap();
        let mut played = Harness::from_fixture(&dir).unwrap();
        assert_same(&live, &played, &format!("{name} at step 0"));
        for n in [37, steps / 2 - 37, steps - steps / 2] {
            live.train(n);
            played.train(n);
            assert_same(
                &live,
                &played,
                &format!("{name} at step {}", live.app.shared.snapshot.step),
            );
        }
        assert_eq!(played.app.shared.snapshot.step, steps);
        for k in [
            key(KeyCode::Char(' ')),
            key(KeyCode::Left),
            key(KeyCode::Left),
            key(KeyCode::Char('j')),
            key(KeyCode::Char('+')),
        ] {
            live.press(k);
            played.press(k);
            live.train(20);
            played.train(20);
            assert_same(&live, &played, &format!("{name} after {k:?}"));
        }
        assert_eq!(played.app.shared.snapshot.step, steps, "{name}: paused");
        live.press(key(KeyCode::Enter));
        played.press(key(KeyCode::Enter));
        assert!(
            played.recorded.is_none(),
            "{name}: the runner trains the new run"
        );
        live.train(40);
        played.train(40);
        assert_same(&live, &played, &format!("{name} restarted"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

/// Each preset's fixture holds the preset's settings as they are now (a changed preset
/// needs its fixture recorded again, on purpose) and plays to the step its tests draw.
#[test]
fn every_fixture_holds_its_presets_run_to_the_step_its_tests_draw() {
    assert_eq!(PRESETS.len(), presets::all().len(), "a fixture per preset");
    for (name, steps) in PRESETS {
        let mut h = common::played(name);
        assert_eq!(
            h.app.shared.snapshot.config,
            presets::find(name).unwrap().config
        );
        assert_eq!(h.app.shared.snapshot.step, 0);
        h.train(steps);
        assert_eq!(h.app.shared.snapshot.step, steps, "{name}");
        let last = h.app.shared.snapshot.frames.last().unwrap().metrics;
        assert!(last.train_loss.is_finite() && last.test_loss.is_finite());
    }
    for seed in ["seed-1", "seed-2"] {
        let h = common::played(&format!("{PAIR}/{seed}"));
        assert_eq!(h.recorded.as_ref().unwrap().config().steps, 600);
    }
}

/// A kept run whose frames are not the dashboard's (another interval) is refused with the
/// reason; playing past a recording's end stops the test with the step it lacks.
#[test]
fn what_the_live_session_would_not_show_is_refused() {
    let dir = common::kept_run(
        "fixtures",
        "every-7",
        &["--preset", "parity", "--steps", "40", "--every", "7"],
    );
    let err = Harness::from_fixture(&dir).err().unwrap().to_string();
    assert!(
        err.contains("where the dashboard evaluates step 20 (every 20)"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();

    let mut h = common::played("parity-l2");
    h.train(639);
    let past = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| h.train(1)));
    let msg = *past.unwrap_err().downcast::<String>().unwrap();
    assert!(
        msg.contains("ends at step 639; step 640 needs a longer one"),
        "{msg}"
    );
}

/// Keep the files of the kept run `from` that `replay` reads in `to`, with its wall-clock
/// times zeroed (the frames' and the summary's), so that recording again gives the same bytes
/// unless the numbers changed.
fn keep_pair_run(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    std::fs::copy(from.join("run.json"), to.join("run.json")).unwrap();
    let (info, frames) = read_frames(&from.join("frames.bin")).unwrap();
    let path = to.join("frames.bin");
    let mut w = FrameWriter::create(&path, &info.config, info.every, &frames[0].weights).unwrap();
    for f in &frames {
        w.append(&f.metrics, 0.0, &f.weights).unwrap();
    }
    w.sync().unwrap();
    let mut summary = std::fs::read_to_string(from.join("summary.json")).unwrap();
    for timing in ["\"steps_per_s\":", "\"elapsed_s\":"] {
        let at = summary.find(timing).expect("a timing in the summary") + timing.len();
        let len = summary[at..].find([',', '}']).unwrap();
        summary.replace_range(at..at + len, "0");
    }
    std::fs::write(to.join("summary.json"), summary).unwrap();
}

/// Regenerates every fixture (see the header: only on purpose).
#[test]
#[ignore = "regenerates tests/fixtures/, which the snapshots draw: only on purpose"]
fn record_fixtures() {
    for (name, steps) in PRESETS {
        let mut h = Harness::new(presets::find(name).unwrap().config).unwrap();
        h.train(steps);
        record(&h.app.shared.snapshot, &common::fixture(name)).unwrap();
    }
    for seed in ["1", "2"] {
        let run = [&common::PAIR_RUN[..], &["--seed", seed]].concat();
        let kept = common::kept_run("fixtures", &format!("seed-{seed}"), &run);
        let to = common::fixture(&format!("{PAIR}/seed-{seed}"));
        let _ = std::fs::remove_dir_all(&to);
        keep_pair_run(&kept, &to);
        std::fs::remove_dir_all(&kept).unwrap();
    }
}
