//! The sweep view's cursor, drill-down and threshold keys (insta snapshots in the top-level
//! `snapshots/`), from hand-made run records with made-up curves, so the frames do not depend
//! on training numerics.

mod common;

use common::sweep::*;
use common::{PLAIN, TRUE, key};
use crossterm::event::KeyCode;
use grokscope::app::action::Nudge;
use grokscope::app::grids::{FIT_RANGE, RATIO_RANGE, SweepState};
use grokscope::app::harness::{Harness, text};
use grokscope::app::keys::{self, Key};
use grokscope::app::watch::Watch;
use grokscope::sweep::{Cell, Class, Event, Grid, Move, Progress, RunState, Thresholds};
use grokscope::train::presets;
use grokscope::ui::sweep::fmt_threshold;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

/// The cell of hidden-size panel `panel`, weight decay row `decay`, training size `size`.
fn cell(panel: usize, decay: usize, size: usize) -> Cell {
    Cell { panel, decay, size }
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
    assert_eq!(s.cell, cell(0, 0, 4));
    s.move_cursor(Move::Right);
    assert_eq!(s.cell, cell(1, 0, 0));
    s.move_cursor(Move::Left);
    assert_eq!(s.cell, cell(0, 0, 4));
    // Down to the last weight decay, where it stops.
    for _ in 0..7 {
        s.move_cursor(Move::Down);
    }
    assert_eq!(s.cell.decay, 4);
    // At the last panel's last column it stays.
    for _ in 0..30 {
        s.move_cursor(Move::Right);
    }
    assert_eq!(s.cell, cell(4, 4, 4));
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

/// The threshold keys in `sweep --watch`: the thresholds on screen, the runs re-coloured,
/// the footer saying how many changed class.
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
}

/// The dashboard's sweep view takes the same threshold keys on the grid on screen, and its
/// drill-down cursor.
#[test]
fn the_dashboard_sweep_view_takes_the_threshold_keys() {
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
    assert_eq!(st.cell, cell(0, 0, 1));
    assert!(text(&h.render(120, 40, &PLAIN)).contains("wd 0.01 · n_train 1250"));
}
