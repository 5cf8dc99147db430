//! The sweep view (insta snapshots in the top-level `snapshots/`), from hand-made run records,
//! so the frames do not depend on training numerics; and the `w` key in the dashboard.

mod common;

use common::{PLAIN, TRUE, key};
use crossterm::event::KeyCode;
use grokscope::app::action::{Action, Command, Nudge};
use grokscope::app::grids::{FIT_RANGE, RATIO_RANGE, SweepState};
use grokscope::app::harness::{Harness, text};
use grokscope::app::keys::{self, Key};
use grokscope::app::session::Status;
use grokscope::app::watch::Watch;
use grokscope::sweep::{
    Cell, Class, Event, Grid, Move, Point, Progress, RunRecord, RunSpec, RunState, Thresholds,
    Trace,
};
use grokscope::train::presets;
use grokscope::ui::Theme;
use grokscope::ui::sweep::fmt_threshold;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use std::time::Duration;

/// The article's pattern, by hand: weight decay 0.01 memorizes, 0.1 groks (generalizes
/// with the most data), 1 fails; other decays grok.
fn class_of(spec: &RunSpec) -> Class {
    let (wd, n) = (spec.config.weight_decay, spec.config.n_train);
    if wd < 0.02 {
        Class::Memorize
    } else if wd > 0.5 {
        Class::Fail
    } else if n >= 1750 {
        Class::Generalize
    } else {
        Class::Grok
    }
}

/// A finished run's record, made up (no training).
fn record(grid: &str, spec: &RunSpec) -> RunRecord {
    record_as(grid, spec, class_of(spec))
}

fn record_as(grid: &str, spec: &RunSpec, class: Class) -> RunRecord {
    let fitted = !matches!(class, Class::Fail);
    RunRecord {
        grid: grid.into(),
        run: spec.index,
        point: spec.point.clone(),
        class,
        trace: Trace {
            min_train_loss: if fitted { 1.2e-7 } else { 0.31 },
            min_test_loss: if matches!(class, Class::Grok | Class::Generalize) {
                3.4e-6
            } else {
                0.69
            },
            max_ratio: if class == Class::Grok { 2.5e5 } else { 40.0 },
            train_acc_90: Some(400),
            train_acc_99: fitted.then_some(1_200),
            test_acc_90: Some(7_900),
            test_acc_99: matches!(class, Class::Grok | Class::Generalize).then_some(8_400),
        },
        key_freqs: None,
        steps: if class == Class::Grok { 8_500 } else { 20_000 },
        planned_steps: 20_000,
        diverged_at: None,
        elapsed_s: 6.25,
        settings: spec.config.clone(),
        curve: Vec::new(),
        shows: Vec::new(),
    }
}

/// A sweep of a built-in grid with `done` runs finished and the next `training` started.
fn sweep(name: &str, done: usize, training: usize) -> SweepState {
    let grid = Grid::builtin(name, 20).unwrap();
    let runs = grid.expand().unwrap();
    let mut s = SweepState::new(&grid, Progress::new(runs.clone()), None, 2);
    s.note = "records → q.jsonl".into();
    for spec in &runs[..done + training] {
        s.apply(Event::Started { run: spec.index });
    }
    for spec in &runs[..done] {
        s.apply(Event::Finished(Box::new(record(name, spec))));
    }
    s.elapsed = Duration::from_secs(65 * done as u64 / 2);
    s
}

fn draw(s: &SweepState, w: u16, h: u16, theme: &Theme) -> Buffer {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    let watch = Watch::new(s.clone());
    t.draw(|f| watch.draw(f, theme)).unwrap();
    t.backend().buffer().clone()
}

fn snap(name: &str, s: &SweepState, theme: &Theme) {
    let settings = common::snapshot_settings();
    for (w, h) in [(120, 40), (80, 24)] {
        let t = text(&draw(s, w, h, theme));
        settings.bind(|| insta::assert_snapshot!(format!("sweep_{name}_{w}x{h}"), t));
    }
}

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
    let grid = Grid::builtin("parity-quick", 20).unwrap();
    let runs = grid.expand().unwrap();
    for spec in &runs[..3] {
        h.act(Action::SweepEvent(
            "parity-quick".into(),
            Event::Started { run: spec.index },
        ));
    }
    h.act(Action::SweepEvent(
        "parity-quick".into(),
        Event::Finished(Box::new(record("parity-quick", &runs[0]))),
    ));
    h.act(Action::SweepClock(
        "parity-quick".into(),
        Duration::from_secs(12),
    ));
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

/// A made-up loss curve of a class, every 500 steps to `steps`: train and test falling
/// together (generalize), train alone (memorize: test rises), train long before test
/// (grok), neither (fail).
fn curve(class: Class, steps: u64) -> Vec<Point> {
    (0..=steps / 500)
        .map(|k| {
            let t = (k * 500) as f64 / 20_000.0;
            let fall = |from: f64, to: f64, at: f64| {
                if t <= at {
                    from * (to / from).powf(t / at)
                } else {
                    to
                }
            };
            let (train, test) = match class {
                Class::Generalize => (fall(0.7, 1.2e-7, 0.5), fall(0.7, 3e-7, 0.5)),
                Class::Memorize => (fall(0.7, 1.2e-7, 0.3), 0.7 + 2.0 * t),
                Class::Grok => (
                    fall(0.7, 1.2e-7, 0.1),
                    if t < 0.3 {
                        0.7 + t
                    } else {
                        fall(1.0, 1e-6, 0.42)
                    },
                ),
                Class::Fail => (0.69 - 0.3 * t, 0.7),
            };
            Point {
                step: k * 500,
                train_loss: train,
                test_loss: test,
                train_acc: 0.0,
                test_acc: 0.0,
            }
        })
        .collect()
}

/// `sweep` with each finished run's record carrying its class's curve (to the step it
/// stopped at).
fn sweep_with_curves(name: &str, done: usize, training: usize) -> SweepState {
    let mut s = sweep(name, done, training);
    for r in s.progress.records.values_mut() {
        r.curve = curve(r.class, r.steps);
    }
    s
}

#[test]
fn the_cursor_moves_over_cells_and_crosses_panels() {
    let mut s = sweep("parity-v4", 0, 0);
    let d = s.diagram.clone().unwrap();
    assert_eq!((d.panels.len(), d.decays.len(), d.sizes.len()), (5, 5, 5));
    // At the top left it stays put going left or up.
    for m in [Move::Left, Move::Up] {
        s.move_cursor(m);
        assert_eq!(s.cell, Cell::default(), "{m:?}");
    }
    // Right along the sizes, then into the next panel's first column.
    for _ in 0..4 {
        s.move_cursor(Move::Right);
    }
    assert_eq!(
        s.cell,
        Cell {
            panel: 0,
            decay: 0,
            size: 4
        }
    );
    s.move_cursor(Move::Right);
    assert_eq!(
        s.cell,
        Cell {
            panel: 1,
            decay: 0,
            size: 0
        }
    );
    s.move_cursor(Move::Left);
    assert_eq!(
        s.cell,
        Cell {
            panel: 0,
            decay: 0,
            size: 4
        }
    );
    // Down to the last weight decay, where it stops.
    for _ in 0..7 {
        s.move_cursor(Move::Down);
    }
    assert_eq!(s.cell.decay, 4);
    // At the last panel's last column it stays.
    for _ in 0..30 {
        s.move_cursor(Move::Right);
    }
    assert_eq!(
        s.cell,
        Cell {
            panel: 4,
            decay: 4,
            size: 4
        }
    );
    // The cell's runs are its nine seeds.
    assert_eq!(s.read().selected().len(), 9);
    // Drawn as brackets either side of the cell: light yellow with colour; without, its
    // runs reversed (the brackets alone would be easy to miss).
    let find = |buf: &Buffer, sym: &str| {
        let a = buf.area;
        (0..a.height)
            .flat_map(|y| (0..a.width).map(move |x| (x, y)))
            .find(|&(x, y)| buf[(x, y)].symbol() == sym)
    };
    let colour = draw(&s, 120, 40, &TRUE);
    let (x, y) = find(&colour, "[").unwrap();
    assert_eq!(colour[(x, y)].fg, Color::LightYellow);
    assert!(!colour[(x + 1, y)].modifier.contains(Modifier::REVERSED));
    let plain = draw(&s, 120, 40, &PLAIN);
    let (x, y) = find(&plain, "[").unwrap();
    assert!(plain[(x + 1, y)].modifier.contains(Modifier::REVERSED));
    assert!(!plain[(x - 1, y)].modifier.contains(Modifier::REVERSED));
    // The page follows: at 80×24 four panels fit, and the fifth (hidden 258) is shown.
    let t = text(&draw(&s, 80, 24, &PLAIN));
    assert!(t.contains("hidden 258") && t.contains("panels 2–5"), "{t}");
    // Back to the first panel: the page follows it back.
    for _ in 0..20 {
        s.move_cursor(Move::Left);
    }
    assert_eq!(s.cell.panel, 0);
    let t = text(&draw(&s, 80, 24, &PLAIN));
    assert!(t.contains("hidden 16") && t.contains("panels 1–4"), "{t}");
}

#[test]
fn the_cursor_moves_over_a_list_of_runs() {
    let grid = Grid::builtin("mod-add-seeds", 6).unwrap();
    let runs = grid.expand().unwrap();
    let mut s = SweepState::new(&grid, Progress::new(runs.clone()), None, 2);
    for spec in &runs[..2] {
        s.apply(Event::Finished(Box::new(record("mod-add-seeds", spec))));
    }
    assert_eq!(s.row, None);
    assert_eq!(
        s.read().selected(),
        [runs[1].index],
        "the last finished, before a move"
    );
    // The first move lands on the first run not finished; then one by one, within the list.
    s.move_cursor(Move::Down);
    assert_eq!(s.row, Some(2));
    s.move_cursor(Move::Left);
    assert_eq!(
        s.row,
        Some(1),
        "← moves up a list (it has one column), → down"
    );
    s.move_cursor(Move::Right);
    assert_eq!(s.row, Some(2));
    for _ in 0..10 {
        s.move_cursor(Move::Down);
    }
    assert_eq!(s.row, Some(5));
    for _ in 0..10 {
        s.move_cursor(Move::Up);
    }
    assert_eq!(s.row, Some(0));
    assert_eq!(s.read().selected(), [runs[0].index]);
    let t = text(&draw(&s, 120, 40, &PLAIN));
    assert!(t.contains("▸   0"), "{t}");
}

/// The drill-down: the cursor's cell's runs as loss charts, titled with class and seed;
/// runs still to come say so, and records without a curve (from before curves were kept)
/// say that.
#[test]
fn drill_down_shows_the_cells_runs() {
    let mut s = sweep_with_curves("parity-quick", 9, 2);
    s.drill = true;
    // wd 0.1 × n_train 750: two groks.
    s.move_cursor(Move::Down);
    snap("drill_grok_no_color", &s, &PLAIN);
    let t = text(&draw(&s, 120, 40, &PLAIN));
    assert!(t.contains("wd 0.1 · n_train 750 · hidden 32"), "{t}");
    assert!(
        t.contains("G grok · seed 0") && t.contains("G grok · seed 1"),
        "{t}"
    );
    // The next cell: one finished (its record from before curves were kept), one training.
    s.move_cursor(Move::Right);
    assert_eq!(s.read().selected(), [8, 9]);
    s.progress.records.get_mut(&8).unwrap().curve.clear();
    snap("drill_pending_no_color", &s, &PLAIN);
    let t = text(&draw(&s, 80, 24, &PLAIN));
    assert!(
        t.contains("no curve kept") && t.contains("▒ training"),
        "{t}"
    );
    // The next: one training, one not started.
    s.move_cursor(Move::Right);
    let t = text(&draw(&s, 120, 40, &PLAIN));
    assert!(
        t.contains("· pending · seed 1") && t.contains("not started"),
        "{t}"
    );
    // Enter closes it again (the side column is back).
    s.drill = false;
    assert!(text(&draw(&s, 120, 40, &PLAIN)).contains("last finished"));
}

#[test]
fn drill_down_of_nine_seeds_and_of_a_list() {
    let mut s = sweep_with_curves("parity-v4", 400, 2);
    s.drill = true;
    s.move_cursor(Move::Down);
    let t = text(&draw(&s, 120, 40, &PLAIN));
    for seed in 0..9 {
        assert!(t.contains(&format!("seed {seed}")), "seed {seed}:\n{t}");
    }
    snap("drill_nine_no_color", &s, &PLAIN);
    // A list's drill-down: the run under the cursor, below the list.
    let grid = Grid::builtin("mod-add-seeds", 6).unwrap();
    let runs = grid.expand().unwrap();
    let mut s = SweepState::new(&grid, Progress::new(runs.clone()), None, 2);
    for spec in &runs[..3] {
        let mut r = record_as("mod-add-seeds", spec, Class::Grok);
        r.curve = curve(Class::Grok, r.steps);
        r.key_freqs = Some(vec![14, 22, 35]);
        s.apply(Event::Finished(Box::new(r)));
    }
    s.drill = true;
    s.move_cursor(Move::Down);
    s.move_cursor(Move::Up);
    snap("drill_list_no_color", &s, &PLAIN);
}

/// Every grid with the drill-down open renders at many sizes without panicking.
#[test]
fn drill_down_renders_at_any_size() {
    for mut s in [
        sweep_with_curves("parity-quick", 5, 2),
        sweep_with_curves("parity-v4", 1000, 2),
        sweep_with_curves("mod-add-seeds", 3, 2),
    ] {
        s.drill = true;
        s.move_cursor(Move::Down);
        for (w, h) in [(80, 24), (100, 30), (160, 50), (250, 70), (30, 8)] {
            for theme in [&TRUE, &PLAIN] {
                let t = text(&draw(&s, w, h, theme));
                assert!(
                    t.contains(&format!("sweep {}", s.grid)) || t.contains("terminal too small"),
                    "{w}×{h}"
                );
            }
        }
    }
}

/// Moving a threshold re-classifies every run by its trace: the cells, the counts and the
/// drill-down's titles; the recorded classes (the tables') stay the article's.
#[test]
fn moving_a_threshold_reclassifies_the_runs() {
    let mut s = sweep("parity-quick", 18, 0);
    let article = [6, 6, 2, 4];
    assert_eq!(s.read().counts(), article);
    // Run 6 (wd 0.1, n_train 750) groks: fitted (train 1.2e-7, test 3.4e-6), ratio 2.5e5.
    assert_eq!(s.read().state_of(6), RunState::Done(Class::Grok));
    // The ratio threshold up past its ratio: 5e4 → 1.6e5 (still a grok) → 5e5 (generalize).
    s.nudge(Nudge::RatioUp);
    assert_eq!(fmt_threshold(s.thresholds.grok_ratio), "1.6e5");
    assert_eq!(s.read().state_of(6), RunState::Done(Class::Grok));
    s.nudge(Nudge::RatioUp);
    assert_eq!(s.thresholds.grok_ratio, 5e5);
    assert_eq!(s.read().state_of(6), RunState::Done(Class::Generalize));
    // Every grok is now a generalize: counts in Class::ALL order (fail, memorize, gen, grok).
    assert_eq!(s.read().counts(), [6, 6, 6, 0]);
    assert_eq!(s.read().reclassified(), 4);
    // The tables' classes do not move.
    assert_eq!(s.progress.counts(), article);
    assert_eq!(s.progress.records[&6].class, Class::Grok);
    s.nudge(Nudge::Reset);
    assert_eq!(s.thresholds, Thresholds::default());
    assert_eq!(s.read().counts(), article);

    // The fit threshold down past its test loss (3.4e-6): memorize; past its train loss
    // (1.2e-7): fail.
    s.nudge(Nudge::FitDown);
    assert_eq!(fmt_threshold(s.thresholds.fit_loss), "3.2e-6");
    assert_eq!(s.read().state_of(6), RunState::Done(Class::Memorize));
    for _ in 0..3 {
        s.nudge(Nudge::FitDown);
    }
    assert_eq!(fmt_threshold(s.thresholds.fit_loss), "1e-7");
    assert_eq!(s.read().state_of(6), RunState::Done(Class::Fail));
    // Up past the failing runs' train loss (0.31): fitted; their test loss 0.69 too.
    s.nudge(Nudge::Reset);
    for _ in 0..10 {
        s.nudge(Nudge::FitUp);
    }
    assert_eq!(s.thresholds.fit_loss, 1.0, "clamped at the article's top");
    assert_eq!(s.read().state_of(17), RunState::Done(Class::Generalize));
}

/// The thresholds step by half decades within the article's ranges, and back onto the
/// steps from a clamped end.
#[test]
fn thresholds_step_by_half_decades_within_the_articles_ranges() {
    let mut s = sweep("parity-quick", 0, 0);
    let mut seen = Vec::new();
    for _ in 0..12 {
        s.nudge(Nudge::RatioDown);
        seen.push(fmt_threshold(s.thresholds.grok_ratio));
    }
    assert_eq!(
        seen,
        [
            "1.6e4", "5e3", "1.6e3", "5e2", "1.6e2", "5e1", "1.6e1", "5e0", "1.6e0", "1e0", "1e0",
            "1e0"
        ]
    );
    assert_eq!(s.thresholds.grok_ratio, RATIO_RANGE.0);
    s.nudge(Nudge::RatioUp);
    assert_eq!(
        fmt_threshold(s.thresholds.grok_ratio),
        "1.6e0",
        "back onto the steps"
    );
    for _ in 0..30 {
        s.nudge(Nudge::RatioUp);
    }
    assert_eq!(s.thresholds.grok_ratio, RATIO_RANGE.1);
    s.nudge(Nudge::RatioDown);
    assert_eq!(s.thresholds.grok_ratio, 5e7);
    for _ in 0..30 {
        s.nudge(Nudge::FitDown);
    }
    assert_eq!(s.thresholds.fit_loss, FIT_RANGE.0);
    s.nudge(Nudge::Reset);
    s.nudge(Nudge::FitUp);
    s.nudge(Nudge::FitDown);
    assert_eq!(
        s.thresholds,
        Thresholds::default(),
        "up and down is back exactly"
    );
}

/// The threshold keys in `sweep --watch` and the dashboard's sweep view: the thresholds on
/// screen, the runs re-coloured, the footer saying how many changed class.
#[test]
fn threshold_keys_recolour_the_view() {
    let mut w = Watch::new(sweep_with_curves("parity-quick", 18, 0));
    let press = |w: &mut Watch, c: char| {
        let a = keys::lookup(&grokscope::app::watch::KEYS, w, Key::char(c)).unwrap();
        w.update(a, None);
    };
    w.state.drill = true;
    press(&mut w, 'j');
    press(&mut w, 'R');
    press(&mut w, 'R');
    assert_eq!(
        w.message.as_deref(),
        Some("fit ≤ 1e-5 · grok ≥ 5e5: 4 runs change class · 0 resets")
    );
    let frame = |w: &Watch, width, height| {
        let mut t = Terminal::new(TestBackend::new(width, height)).unwrap();
        t.draw(|f| w.draw(f, &PLAIN)).unwrap();
        text(t.backend().buffer())
    };
    let settings = common::snapshot_settings();
    for (width, height) in [(120, 40), (80, 24)] {
        let t = frame(&w, width, height);
        assert!(t.contains("g generalize · seed 0"), "{t}");
        assert!(t.contains("grok: test/train ≥ 5e5"), "{t}");
        settings.bind(|| {
            insta::assert_snapshot!(
                format!("sweep_thresholds_drill_no_color_{width}x{height}"),
                t
            )
        });
    }
    // Closed: the classes panel (or the legend row) shows them.
    let enter = keys::lookup(&grokscope::app::watch::KEYS, &w, Key::code(KeyCode::Enter)).unwrap();
    w.update(enter, None);
    assert!(!w.state.drill);
    press(&mut w, 't');
    for (width, height) in [(120, 40), (80, 24)] {
        let t = frame(&w, width, height);
        settings.bind(|| {
            insta::assert_snapshot!(format!("sweep_thresholds_no_color_{width}x{height}"), t)
        });
    }
    let t = frame(&w, 120, 40);
    assert!(
        t.contains("loss ≤ 3.2e-6") && t.contains("test/train ≥ 5e5"),
        "{t}"
    );
    press(&mut w, '0');
    assert_eq!(w.state.thresholds, Thresholds::default());
    assert_eq!(
        w.message.as_deref(),
        Some("fit ≤ 1e-5 · grok ≥ 5e4: the article's")
    );

    // The dashboard's sweep view: the same keys on the grid on screen.
    let mut h = Harness::new(presets::find("parity").unwrap().config).unwrap();
    h.press(key(KeyCode::Char('w')));
    h.press(key(KeyCode::Char('r')));
    let st = h.app.grid().unwrap();
    assert_eq!(fmt_threshold(st.thresholds.grok_ratio), "1.6e4");
    assert!(
        h.app
            .shared
            .message
            .as_deref()
            .unwrap()
            .starts_with("fit ≤ 1e-5 · grok ≥ 1.6e4")
    );
    h.press(key(KeyCode::Enter));
    h.press(key(KeyCode::Char('l')));
    let st = h.app.grid().unwrap();
    assert!(st.drill);
    assert_eq!(
        st.cell,
        Cell {
            panel: 0,
            decay: 0,
            size: 1
        }
    );
    assert!(text(&h.render(120, 40, &PLAIN)).contains("wd 0.01 · n_train 1250"));
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
