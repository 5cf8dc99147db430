//! One run, two verdicts, and the reason on screen (issue 21): a run the sweep classes
//! memorize or fail by its lowest losses can still reach 99 % test accuracy, which the
//! training view's phase label reads; the sweep view's drill-down then says so beside the
//! class. From hand-made run records (no training).

mod common;

use common::{PLAIN, TRUE};
use grokscope::app::grids::SweepState;
use grokscope::app::harness::text;
use grokscope::app::watch::Watch;
use grokscope::sweep::{Class, Event, Grid, Move, Point, Progress, RunRecord, RunSpec, Trace};
use grokscope::ui::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// A finished run: `class` by its losses, and the step its test accuracy reached 99 %.
fn record(spec: &RunSpec, class: Class, test_99: Option<u64>) -> RunRecord {
    let fitted = class != Class::Fail;
    let curve = (0..=40)
        .map(|k| Point {
            step: k * 500,
            train_loss: if fitted {
                0.7 * 0.5f64.powi(k as i32)
            } else {
                0.1
            },
            test_loss: 0.05,
            train_acc: 1.0,
            test_acc: if test_99.is_some_and(|s| k * 500 >= s) {
                1.0
            } else {
                0.6
            },
        })
        .collect();
    RunRecord {
        grid: "parity-quick".into(),
        run: spec.index,
        point: spec.point.clone(),
        class,
        trace: Trace {
            min_train_loss: if fitted { 1e-9 } else { 0.04 },
            min_test_loss: 1.7e-5,
            max_ratio: 40.0,
            train_acc_90: Some(300),
            train_acc_99: Some(500),
            test_acc_90: test_99,
            test_acc_99: test_99,
        },
        key_freqs: None,
        steps: 20_000,
        planned_steps: 20_000,
        diverged_at: None,
        elapsed_s: 1.0,
        settings: spec.config.clone(),
        curve,
        shows: Vec::new(),
    }
}

/// parity-quick with every run done: weight decay 0.01 memorizes (the n_train 1750 runs
/// reach 99 % test accuracy at step 1,500 all the same), 0.1 groks, 1 fails (the n_train
/// 1750 runs at 99 % test accuracy by step 2,500).
fn sweep() -> SweepState {
    let grid = Grid::builtin("parity-quick", 20).unwrap();
    let runs = grid.expand().unwrap();
    let mut s = SweepState::new(&grid, Progress::new(runs.clone()), None, 1);
    for spec in &runs {
        let (wd, n) = (spec.config.weight_decay, spec.config.n_train);
        let (class, at) = if wd < 0.02 {
            (Class::Memorize, (n >= 1750).then_some(1_500))
        } else if wd > 0.5 {
            (Class::Fail, (n >= 1750).then_some(2_500))
        } else {
            (Class::Grok, Some(9_000))
        };
        s.apply(Event::Started { run: spec.index });
        s.apply(Event::Finished(Box::new(record(spec, class, at))));
    }
    s
}

fn screen(s: &SweepState, w: u16, h: u16, theme: &Theme) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    let watch = Watch::new(s.clone());
    t.draw(|f| watch.draw(f, theme)).unwrap();
    text(t.backend().buffer())
}

#[test]
fn the_drill_down_says_why_a_run_at_99_percent_is_classed_memorize_or_fail() {
    let mut s = sweep();
    s.drill = true;
    // wd 0.01 × n_train 1750: memorize by loss, 99 % test accuracy by step 1,500.
    s.move_cursor(Move::Right);
    s.move_cursor(Move::Right);
    for theme in [&TRUE, &PLAIN] {
        let t = screen(&s, 200, 60, theme);
        assert!(t.contains("wd 0.01 · n_train 1750"), "{t}");
        assert!(
            t.contains("memorize · seed 0 · test acc 99 % at 1.5k, test loss above fit"),
            "{t}"
        );
        // Narrower: the short form, never cut mid-word.
        let t = screen(&s, 120, 40, theme);
        assert!(
            t.contains("memorize · seed 0 · test acc 99 % at 1.5k"),
            "{t}"
        );
        let t = screen(&s, 80, 24, theme);
        assert!(t.contains("memorize · seed 0 · test 99 %"), "{t}");
        // The panel's title keeps whole parts: "hidden 32" goes rather than be cut.
        assert!(t.contains("╭ wd 0.01 · n_train 1750 ─"), "{t}");
        assert!(!t.contains("hidden 3╮"), "{t}");
    }
    // wd 1 × n_train 1750: fail by its train loss, 99 % test accuracy by step 2,500.
    s.move_cursor(Move::Down);
    s.move_cursor(Move::Down);
    let t = screen(&s, 200, 60, &TRUE);
    assert!(
        t.contains("fail · seed 1 · test acc 99 % at 2.5k, train loss above fit"),
        "{t}"
    );
    // A memorizing run that never reached 99 % says nothing more; nor does a grok.
    s.move_cursor(Move::Up);
    s.move_cursor(Move::Up);
    s.move_cursor(Move::Left);
    s.move_cursor(Move::Left);
    let t = screen(&s, 120, 40, &TRUE);
    assert!(t.contains("wd 0.01 · n_train 750"), "{t}");
    assert!(
        t.contains("memorize · seed 0") && !t.contains("99 %"),
        "{t}"
    );
    s.move_cursor(Move::Down);
    let t = screen(&s, 120, 40, &TRUE);
    assert!(t.contains("grok · seed 0") && !t.contains("99 %"), "{t}");
}

#[test]
fn the_last_finished_run_says_which_loss_decided_its_class() {
    let mut s = sweep();
    // The last run recorded: wd 1 × n_train 1750, fail by loss, 99 % test accuracy.
    let t = screen(&s, 120, 40, &TRUE);
    assert!(t.contains("last finished"), "{t}");
    assert!(t.contains("train loss never reached fit"), "{t}");
    // A grok says nothing of the kind.
    let last = *s.progress.records.keys().last().unwrap();
    s.progress.records.get_mut(&last).unwrap().trace.test_acc_99 = None;
    let t = screen(&s, 120, 40, &TRUE);
    assert!(!t.contains("never reached fit"), "{t}");
}
