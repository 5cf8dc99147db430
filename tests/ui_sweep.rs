//! The sweep view (insta snapshots in the top-level `snapshots/`), from hand-made run records,
//! so the frames do not depend on training numerics; and the `w` key in the dashboard.

mod common;

use common::sweep::*;
use common::{PLAIN, TRUE, key};
use crossterm::event::KeyCode;
use grokscope::app::action::{Action, Command, Nudge};
use grokscope::app::grids::SweepState;
use grokscope::app::harness::{Harness, text};
use grokscope::app::session::Status;
use grokscope::app::watch::Watch;
use grokscope::sweep::{Class, Event, Grid, Move, Point, Progress};
use grokscope::train::presets;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::Color;
use std::time::Duration;

#[test]
fn quick_grid_empty_partly_filled_and_finished() {
    let empty = sweep("parity-quick", 0, 2);
    assert_eq!(empty.progress.total(), 18);
    snap("quick_empty", &empty, &TRUE);
    let partly = sweep("parity-quick", 7, 2);
    // 227 s for 7 runs, 11 left.
    assert_eq!(partly.read().eta().map(|d| d.as_secs()), Some(356));
    snap("quick_partly", &partly, &TRUE);
    let finished = sweep("parity-quick", 18, 0);
    assert_eq!(finished.progress.counts(), [6, 6, 2, 4]);
    snap("quick_finished", &finished, &TRUE);
}

#[test]
fn article_grid_partly_filled_and_without_colour() {
    let partly = sweep("parity-v4", 400, 2);
    snap("v4_partly", &partly, &TRUE);
    snap("v4_partly_no_color", &partly, &PLAIN);
    let mut paged = partly.clone();
    paged.turn_page(true);
    let t = text(&draw(&paged, 80, 24, &TRUE));
    assert!(t.contains("hidden 32") && !t.contains("hidden 16"), "{t}");
    assert!(t.contains("panels 2–"), "{t}");
}

#[test]
fn seed_grid_lists_its_runs() {
    let grid = Grid::builtin("mod-add-seeds", 6).unwrap();
    let runs = grid.expand().unwrap();
    let mut s = SweepState::new(&grid, Progress::new(runs.clone()), None, 2);
    for spec in &runs[..5] {
        s.apply(Event::Started { run: spec.index });
    }
    for (spec, keys) in runs[..3]
        .iter()
        .zip([vec![14, 22, 35], vec![], vec![4, 31]])
    {
        let class = if keys.is_empty() {
            Class::Memorize
        } else {
            Class::Grok
        };
        let mut r = record_as("mod-add-seeds", spec, class);
        r.key_freqs = Some(keys);
        s.apply(Event::Finished(Box::new(r)));
    }
    s.elapsed = Duration::from_secs(50);
    snap("seeds", &s, &TRUE);
}

/// Finished runs show their class by colour with colour on, by letter alone without.
#[test]
fn classes_are_coloured_and_lettered() {
    let s = sweep("parity-quick", 18, 0);
    let find = |buf: &Buffer, sym: &str| {
        let a = buf.area;
        (0..a.height)
            .flat_map(|y| (0..a.width).map(move |x| (x, y)))
            .find(|&(x, y)| buf[(x, y)].symbol() == sym && y > 3)
            .map(|p| buf[p].clone())
    };
    let colour = draw(&s, 120, 40, &TRUE);
    assert_eq!(find(&colour, "G").unwrap().bg, Color::Green);
    assert_eq!(find(&colour, "M").unwrap().bg, Color::LightRed);
    let plain = draw(&s, 120, 40, &PLAIN);
    let a = plain.area;
    for y in 0..a.height {
        for x in 0..a.width {
            let c = &plain[(x, y)];
            assert!(
                matches!(c.fg, Color::Reset) && matches!(c.bg, Color::Reset),
                "colour at {x},{y} without colour"
            );
        }
    }
    assert!(text(&plain).contains("GGGGG"));
}

/// At 80×24 the article's grid fills the screen and its legend row has room for the counts
/// only ("M 390  G 435 ..."): the row above it, free below the panels, says what the letters
/// mean. (A smaller grid leaves room for the classes panel, which names them.)
#[test]
fn the_letters_are_named_at_80x24() {
    let s = sweep("parity-v4", 1000, 2);
    for theme in [&TRUE, &PLAIN] {
        let t = text(&draw(&s, 80, 24, theme));
        let rows: Vec<&str> = t.lines().collect();
        let legend = rows.iter().rposition(|r| r.contains("▒ 2 ")).expect(&t);
        assert!(legend > 1, "the legend row, not the header: {t}");
        let names = rows[legend - 1];
        for name in [
            "M memorize",
            "G grok",
            "g generalize",
            "x fail",
            "▒ training",
            "· pending",
        ] {
            assert!(names.contains(name), "{name}:\n{t}");
        }
        // The same panels as before: the names row was free.
        assert!(
            t.contains("hidden 128") && t.contains("panels 1–4 of 5"),
            "{t}"
        );
    }
    let quick = text(&draw(&sweep("parity-quick", 5, 2), 80, 24, &TRUE));
    assert!(
        quick.contains("╭ classes") && quick.contains("M memorize"),
        "{quick}"
    );
}

/// Every grid renders at many sizes without panicking, and says so when too small.
#[test]
fn renders_at_any_size() {
    for s in [
        sweep("parity-quick", 5, 2),
        sweep("parity-v4", 1000, 2),
        sweep("mod-add-seeds", 3, 2),
    ] {
        for (w, h) in [(80, 24), (100, 30), (160, 50), (250, 70), (79, 24), (30, 8)] {
            let t = text(&draw(&s, w, h, &TRUE));
            if w < 80 || h < 24 {
                assert!(t.contains("terminal too small"), "{w}×{h}");
            } else {
                assert!(t.contains(&format!("sweep {}", s.grid)), "{w}×{h}:\n{t}");
            }
        }
    }
}

/// Reports of parity-quick's first `started` runs starting and its first `finished` ending
/// (made-up records), and 12 s on the sweep's clock.
fn report_started_and_finished(h: &mut Harness, started: usize, finished: usize) {
    let grid = Grid::builtin("parity-quick", 20).unwrap();
    let runs = grid.expand().unwrap();
    for spec in &runs[..started] {
        h.act(Action::SweepEvent(
            "parity-quick".into(),
            Event::Started { run: spec.index },
        ));
    }
    for spec in &runs[..finished] {
        h.act(Action::SweepEvent(
            "parity-quick".into(),
            Event::Finished(Box::new(record("parity-quick", spec))),
        ));
    }
    h.act(Action::SweepClock(
        "parity-quick".into(),
        Duration::from_secs(12),
    ));
}

#[test]
fn w_toggles_the_sweep_view_and_pauses_the_training_run_meanwhile() {
    let mut h = Harness::new(presets::find("parity").unwrap().config).unwrap();
    h.app.sweeps.jobs = 2;
    h.train(50);
    assert_eq!(h.runner.status, Status::Running);

    h.press(key(KeyCode::Char('w')));
    assert_eq!(h.app.view.name, "sweep");
    assert_eq!(h.runner.status, Status::Paused, "the sweep gets the cores");
    let started = h.sweep_commands.iter().find_map(|c| match c {
        Command::RunSweep { grid, runs, .. } => Some((grid.clone(), runs.len())),
        _ => None,
    });
    assert_eq!(started, Some(("parity-quick".to_string(), 18)));
    let step = h.runner.session.step_count();
    h.train(50);
    assert_eq!(
        h.runner.session.step_count(),
        step,
        "no training behind the view"
    );

    // Reports arrive; the view shows them.
    report_started_and_finished(&mut h, 3, 1);
    let t = text(&h.render(120, 40, &TRUE));
    assert!(
        t.contains("sweep parity-quick (1/3)") && t.contains("1 / 18 runs"),
        "{t}"
    );
    common::snapshot_settings().bind(|| insta::assert_snapshot!("sweep_dashboard_120x40", t));

    // Keys for the training run do nothing here; space pauses the sweep.
    let cfg = h.app.shared.draft.clone();
    h.press(key(KeyCode::Char('+')));
    assert_eq!(h.app.shared.draft, cfg);
    h.sweep_commands.clear();
    h.press(key(KeyCode::Char(' ')));
    assert_eq!(h.sweep_commands, [Command::PauseSweeps]);
    assert!(h.app.grid().unwrap().paused);
    assert_eq!(h.runner.status, Status::Paused);

    // Tab: the next grid starts, the first keeps its progress.
    h.press(key(KeyCode::Tab));
    assert_eq!(h.app.sweep.name(), "parity-v4");
    assert!(h.sweep_commands.iter().any(
        |c| matches!(c, Command::RunSweep { grid, runs, .. } if grid == "parity-v4" && runs.len() == 1125)
    ));
    h.press(key(KeyCode::BackTab));
    assert_eq!(h.app.grid().unwrap().progress.done(), 1);

    // w (or Esc) returns; the training run resumes where it was.
    h.press(key(KeyCode::Esc));
    assert_eq!(h.app.view.name, "training");
    assert!(!h.app.shared.quit);
    assert_eq!(h.sweep_commands.last(), Some(&Command::PauseSweeps));
    assert_eq!(h.runner.status, Status::Running);
    h.train(50);
    assert_eq!(h.runner.session.step_count(), step + 50);
    assert!(text(&h.render(120, 40, &TRUE)).contains("w sweep"));

    // A run paused by the user stays paused after a visit to the sweep view.
    h.press(key(KeyCode::Char(' ')));
    h.press(key(KeyCode::Char('w')));
    h.press(key(KeyCode::Char('w')));
    assert_eq!(h.runner.status, Status::Paused);
    assert!(h.app.shared.paused);
}

/// A grid the dashboard could not open: the view says why, and the way back, above its
/// footer.
#[test]
fn a_grid_that_could_not_open_says_why() {
    let mut h = Harness::new(presets::find("parity").unwrap().config).unwrap();
    h.app.view = grokscope::app::state::find("sweep").unwrap();
    assert!(h.app.grid().is_none(), "never shown, never opened");
    h.app.shared.message = Some("cannot open parity-quick: no such grid".into());
    let t = text(&h.render(80, 24, &PLAIN));
    assert!(
        t.contains("cannot open parity-quick: no such grid · w returns to the training view"),
        "{t}"
    );
    assert!(t.contains("w training"), "the footer:\n{t}");
}

#[test]
fn a_finished_sweep_stays_finished() {
    let mut h = Harness::new(presets::find("parity").unwrap().config).unwrap();
    h.press(key(KeyCode::Char('w')));
    let runs = Grid::builtin("parity-quick", 20).unwrap().expand().unwrap();
    for spec in &runs {
        h.act(Action::SweepEvent(
            "parity-quick".into(),
            Event::Finished(Box::new(record("parity-quick", spec))),
        ));
    }
    let st = h.app.grid().unwrap();
    assert_eq!((st.progress.done(), st.progress.finished_now), (18, 18));
    // A repeated report does not count twice.
    h.act(Action::SweepEvent(
        "parity-quick".into(),
        Event::Finished(Box::new(record("parity-quick", &runs[0]))),
    ));
    assert_eq!(h.app.grid().unwrap().progress.finished_now, 18);
    h.sweep_commands.clear();
    h.press(key(KeyCode::Char(' ')));
    assert!(h.sweep_commands.is_empty());
    assert!(!h.app.grid().unwrap().paused);
    // Shown again, it asks for nothing to train.
    h.press(key(KeyCode::Char('w')));
    h.press(key(KeyCode::Char('w')));
    assert!(
        !h.sweep_commands
            .iter()
            .any(|c| matches!(c, Command::RunSweep { .. }))
    );
    assert!(text(&h.render(120, 40, &TRUE)).contains("■ finished"));
}

/// Render time of the sweep view at 160×50 (`cargo test --release --test ui_sweep render_time --
/// --ignored --nocapture`): `parity-v4` with 1,000 runs finished, each with a curve of 200
/// points (every 100 of 20,000 steps), medians of 51 frames: drill-down closed, open on a
/// cell of nine, and open with both thresholds moved (every run re-classified each frame).
#[test]
#[ignore]
fn render_time() {
    let mut s = sweep("parity-v4", 1000, 2);
    for r in s.progress.records.values_mut() {
        r.curve = curve(r.class, 20_000)
            .windows(2)
            .flat_map(|w| {
                (0..5).map(move |k| Point {
                    step: w[0].step + 100 * k,
                    ..w[0]
                })
            })
            .collect();
    }
    assert_eq!(s.progress.records[&0].curve.len(), 200);
    let time = |s: &SweepState| {
        let watch = Watch::new(s.clone());
        let mut t = Terminal::new(TestBackend::new(160, 50)).unwrap();
        let mut v: Vec<f64> = (0..51)
            .map(|_| {
                let start = std::time::Instant::now();
                t.draw(|f| watch.draw(f, &TRUE)).unwrap();
                start.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let closed = time(&s);
    s.drill = true;
    s.move_cursor(Move::Down);
    assert_eq!(s.read().selected().len(), 9);
    let open = time(&s);
    s.nudge(Nudge::RatioUp);
    s.nudge(Nudge::FitDown);
    let moved = time(&s);
    println!(
        "sweep view at 160×50, median of 51: drill-down closed {closed:.3} ms, open {open:.3} ms, \
         open with thresholds moved {moved:.3} ms"
    );
}

/// The last finished run's lines say when each accuracy reached 99 % as a step ("at step
/// 1,200"), or "never": never a bare "train acc 99 %" beside something that is not a step,
/// which read as the run's accuracy.
#[test]
fn the_run_lines_say_when_99_percent_was_reached() {
    let s = sweep("parity-quick", 9, 0);
    let t = text(&draw(&s, 120, 40, &PLAIN));
    let line = |label: &str| {
        t.lines()
            .find_map(|l| {
                l.split('│')
                    .find(|c| c.starts_with(label))
                    .map(str::to_string)
            })
            .unwrap_or_else(|| panic!("no {label}:\n{t}"))
    };
    // Run 8 (wd 0.1, n_train 750 in parity-quick) grokked: both reached at a step.
    assert!(line("train acc 99 %").contains("at step 1,200"), "{t}");
    assert!(line("test acc 99 %").contains("at step 8,400"), "{t}");
    let failed = sweep("parity-quick", 18, 0);
    let t = text(&draw(&failed, 80, 24, &PLAIN));
    assert!(t.contains("train acc 99 %  never"), "{t}");
}
