//! Sweep-view fixtures made by hand (no training): run records of a class, their loss curves,
//! a sweep state of a built-in grid part way through, and its frames and snapshots.

use grokscope::app::grids::SweepState;
use grokscope::app::harness::text;
use grokscope::app::watch::Watch;
use grokscope::sweep::{Class, Event, Grid, Point, Progress, RunRecord, RunSpec, Trace};
use grokscope::ui::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use std::time::Duration;

/// The article's pattern, by hand: weight decay 0.01 memorizes, 0.1 groks (generalizes
/// with the most data), 1 fails; other decays grok.
pub fn class_of(spec: &RunSpec) -> Class {
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
pub fn record(grid: &str, spec: &RunSpec) -> RunRecord {
    record_as(grid, spec, class_of(spec))
}

pub fn record_as(grid: &str, spec: &RunSpec, class: Class) -> RunRecord {
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
pub fn sweep(name: &str, done: usize, training: usize) -> SweepState {
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

pub fn draw(s: &SweepState, w: u16, h: u16, theme: &Theme) -> Buffer {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    let watch = Watch::new(s.clone());
    t.draw(|f| watch.draw(f, theme)).unwrap();
    t.backend().buffer().clone()
}

pub fn snap(name: &str, s: &SweepState, theme: &Theme) {
    let settings = super::snapshot_settings();
    for (w, h) in [(120, 40), (80, 24)] {
        let t = text(&draw(s, w, h, theme));
        settings.bind(|| insta::assert_snapshot!(format!("sweep_{name}_{w}x{h}"), t));
    }
}

/// A made-up loss curve of a class, every 500 steps to `steps`: train and test falling
/// together (generalize), train alone (memorize: test rises), train long before test
/// (grok), neither (fail).
pub fn curve(class: Class, steps: u64) -> Vec<Point> {
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
pub fn sweep_with_curves(name: &str, done: usize, training: usize) -> SweepState {
    let mut s = sweep(name, done, training);
    for r in s.progress.records.values_mut() {
        r.curve = curve(r.class, r.steps);
    }
    s
}
