//! The architecture sweep: the `mod-add-arch` grid, joint grid axes, the per-architecture
//! table and the class bars (insta snapshots in the top-level `snapshots/`, from hand-made
//! run records, so the frames do not depend on training).

mod common;

use common::assert_usage_error;
use common::{PLAIN, TRUE};
use grokscope::app::grids::SweepState;
use grokscope::app::watch::Watch;
use grokscope::sweep::{
    Class, Event, Grid, Progress, RunRecord, RunSpec, Thresholds, Trace, arch_table,
};
use grokscope::train::{Arch, Decay};
use grokscope::ui::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;
use std::collections::BTreeSet;

#[test]
fn the_grid_crosses_eight_models_with_each_decay_at_its_own_strengths() {
    let grid = Grid::builtin("mod-add-arch", 20).unwrap();
    assert!(grid.stop_early);
    let runs = grid.expand().unwrap();
    assert_eq!(runs.len(), 8 * 4 * 3 * 9);
    let archs: BTreeSet<&str> = runs.iter().map(|r| r.config.arch.name()).collect();
    let sweep: BTreeSet<&str> = Arch::SWEEP.iter().map(|a| a.name()).collect();
    assert_eq!(archs, sweep);
    for r in &runs {
        let c = &r.config;
        assert_eq!(
            (c.preset.as_str(), c.modulus, c.hidden),
            ("mod-add", 67, 24)
        );
        // Each decay at strengths of its own: L2 as strong as mod-add's, L1 as the
        // article's (1e-7 … 1e-11).
        match c.decay {
            Decay::L2 => assert!(c.weight_decay >= 0.01, "{c:?}"),
            Decay::L1 => assert!(c.weight_decay <= 1e-7, "{c:?}"),
        }
        // The joint axis leaves each setting under its own key.
        assert_eq!(r.point["decay"], json!(c.decay.name()));
        assert_eq!(r.point["weight_decay"], json!(c.weight_decay));
        assert_eq!(r.point["arch"], json!(c.arch.name()));
        // Fewer steps where the classes are decided sooner; embed 128 only at lr 1e-2.
        match (c.lr, c.embed) {
            (0.01, 32 | 128) => assert_eq!(c.steps, 4_000),
            (0.001, 32) => assert_eq!(c.steps, 20_000),
            other => panic!("unplanned rate and embed {other:?}"),
        }
    }
    // Seed slowest, architecture fastest: the first ninth of the runs is seed 0 of every
    // architecture and setting.
    let first: Vec<&RunSpec> = runs.iter().take(runs.len() / 9).collect();
    assert!(first.iter().all(|r| r.config.seed == 0));
    let cells: BTreeSet<String> = first
        .iter()
        .map(|r| {
            format!(
                "{:?}",
                (
                    &r.point["arch"],
                    &r.point["lr"],
                    &r.point["embed"],
                    &r.point["weight_decay"]
                )
            )
        })
        .collect();
    assert_eq!(cells.len(), first.len());
    assert_eq!(runs[1].config.arch, Arch::SWEEP[1]);
}

#[test]
fn joint_axes_take_a_list_per_value_and_say_so_otherwise() {
    let text = |axis: &str| {
        format!(
            r#"{{"name": "j", "preset": "mod-add", "every": 100, "axes": [{axis}, ["seed", [0, 1]]]}}"#
        )
    };
    let (g, runs) = Grid::parse_runs(&text(
        r#"["decay+weight_decay", [["l2", 0.5], ["l1", 1e-8]]]"#,
    ))
    .unwrap();
    assert_eq!(runs.len(), 4);
    let specs: Vec<RunSpec> = runs.iter().map(|r| r.unwrap()).collect();
    assert_eq!(specs[0].config.decay, Decay::L2);
    assert_eq!(specs[0].config.weight_decay, 0.5);
    assert_eq!(specs[3].config.decay, Decay::L1);
    assert_eq!(specs[3].config.weight_decay, 1e-8);
    let axes = runs.axis_values();
    let names: Vec<&str> = axes.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, ["decay", "seed", "weight_decay"]);
    assert_eq!(g.axes[0].0, "decay+weight_decay");
    for (axis, says) in [
        (
            r#"["decay+weight_decay", ["l2"]]"#,
            "each value must be a list of 2 values",
        ),
        (
            r#"["decay+weight_decay", [["l2", 0.1, 3]]]"#,
            "each value must be a list of 2 values",
        ),
        (r#"["decay+wd", [["l2", 0.1]]]"#, "unknown setting 'wd'"),
        (r#"["arch", ["untied-in-collapsed-in"]]"#, "is not a model"),
    ] {
        let e = Grid::parse(&text(axis)).unwrap_err().to_string();
        assert!(e.contains(says) && !e.contains('\n'), "{axis}: {e}");
    }
}

#[test]
fn a_grid_file_naming_no_model_is_a_usage_error() {
    let dir = common::tmpdir("arch", "bad");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("grid.json");
    std::fs::write(
        &path,
        r#"{"name": "bad", "preset": "mod-add", "every": 100, "axes": [["arch", ["untied-embed-collapsed-out"]]]}"#,
    )
    .unwrap();
    assert_usage_error(
        &["sweep", "--grid-file", path.to_str().unwrap()],
        "is not a model",
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// Made-up classes by architecture (no training): the factored ones grok, an untied
/// embedding generalizes with L2, collapsed inputs memorize, the fully collapsed fails, and
/// seed 8 of everything memorizes.
fn class_of(spec: &RunSpec) -> Class {
    let c = &spec.config;
    if c.seed == 8 {
        return Class::Memorize;
    }
    match c.arch {
        Arch::Collapsed => Class::Fail,
        Arch::CollapsedIn => Class::Memorize,
        Arch::UntiedEmbed | Arch::UntiedEmbedIn if c.decay == Decay::L2 => Class::Generalize,
        _ if c.lr < 5e-3 && c.decay == Decay::L1 => Class::Memorize,
        _ => Class::Grok,
    }
}

fn record(spec: &RunSpec, class: Class) -> RunRecord {
    let fitted = class != Class::Fail;
    let general = matches!(class, Class::Grok | Class::Generalize);
    RunRecord {
        grid: "mod-add-arch".into(),
        run: spec.index,
        point: spec.point.clone(),
        class,
        trace: Trace {
            min_train_loss: if fitted { 1.2e-7 } else { 0.31 },
            min_test_loss: if general { 3.4e-6 } else { 0.69 },
            // A grok's ratio is 2.5e5: a grok ratio threshold above it makes it generalize.
            max_ratio: if class == Class::Grok { 2.5e5 } else { 40.0 },
            train_acc_90: Some(400),
            train_acc_99: fitted.then_some(1_200),
            test_acc_90: general.then_some(3_000),
            test_acc_99: general.then_some(3_400),
        },
        key_freqs: None,
        steps: if class == Class::Grok { 3_500 } else { 10_000 },
        planned_steps: 10_000,
        diverged_at: None,
        elapsed_s: 3.5,
        settings: spec.config.clone(),
        curve: Vec::new(),
        shows: Vec::new(),
    }
}

/// The grid with its first `done` runs finished and the next `training` started.
fn sweep(done: usize, training: usize) -> SweepState {
    let grid = Grid::builtin("mod-add-arch", 20).unwrap();
    let runs = grid.expand().unwrap();
    let mut s = SweepState::new(&grid, Progress::new(runs.clone()), None, 2);
    s.note = "records → arch.jsonl".into();
    for spec in &runs[..done + training] {
        s.apply(Event::Started { run: spec.index });
    }
    for spec in &runs[..done] {
        s.apply(Event::Finished(Box::new(record(spec, class_of(spec)))));
    }
    s.elapsed = std::time::Duration::from_secs(done as u64 * 2);
    s
}

fn draw(s: &SweepState, w: u16, h: u16, theme: &Theme) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    let watch = Watch::new(s.clone());
    t.draw(|f| watch.draw(f, theme)).unwrap();
    grokscope::app::harness::text(t.backend().buffer())
}

#[test]
fn the_bars_fill_in_by_class_and_read_without_colour() {
    let settings = common::snapshot_settings();
    // Seeds 0–6 of everything finished, seed 7 partly, seed 8 to come.
    let s = sweep(96 * 7 + 40, 2);
    for (w, h) in [(120, 40), (80, 24)] {
        let t = draw(&s, w, h, &PLAIN);
        assert!(
            t.contains("L1 weight decay") && t.contains("L2 weight decay"),
            "{t}"
        );
        assert!(t.contains("untied E · untied in-proj"), "{t}");
        assert!(t.matches("n/a").count() >= 2 * 8, "{t}");
        settings.bind(|| insta::assert_snapshot!(format!("arch_bars_no_color_{w}x{h}"), t));
    }
    // The view's thresholds re-colour the bars: a grok ratio above the groks' 2.5e5
    // makes them generalize.
    let mut high = s.clone();
    high.thresholds.grok_ratio = 1e6;
    let (before, after) = (draw(&s, 80, 24, &PLAIN), draw(&high, 80, 24, &PLAIN));
    assert!(before.contains("GGGGGGGGG") && !before.contains("ggggggggggggg··· ggg"));
    assert!(
        !after.contains("GGGG") && after.contains("ggggggggggggg·· ggggggggggggg··"),
        "{after}"
    );
    // With colour the class letters stay on their segments.
    let t = draw(&s, 120, 40, &TRUE);
    settings.bind(|| insta::assert_snapshot!("arch_bars_120x40", t));
}

#[test]
fn tallies_follow_the_thresholds() {
    use grokscope::ui::sweep::arch::Bars;
    let s = sweep(96 * 9, 0);
    let th = Thresholds::default();
    let bars = Bars::of(&s.read(), &th).unwrap();
    let decays: Vec<Decay> = bars.decays.iter().map(|(d, _)| *d).collect();
    assert_eq!(decays, [Decay::L1, Decay::L2]);
    assert_eq!(bars.decays[0].1, [1e-9, 1e-7]);
    // Factored, L2: 8 seeds grok in each of the 3 × 2 settings, seed 8 memorizes.
    let t = bars.tally(Decay::L2, Arch::Factored);
    assert_eq!(t.classes, [0, 6, 48, 0]);
    assert_eq!(t.total(), 54);
    assert_eq!(
        bars.tally(Decay::L2, Arch::Collapsed).classes,
        [48, 6, 0, 0]
    );
    assert_eq!(
        bars.tally(Decay::L2, Arch::UntiedEmbed).classes,
        [0, 6, 0, 48]
    );
    // L1 at lr 1e-3 memorizes: a third of the factored model's settings.
    assert_eq!(
        bars.tally(Decay::L1, Arch::Factored).classes,
        [0, 22, 32, 0]
    );
    // The grok ratio raised above the groks' 2.5e5: they fell together after all.
    let high = Thresholds {
        grok_ratio: 1e6,
        ..th
    };
    let t = Bars::of(&s.read(), &high)
        .unwrap()
        .tally(Decay::L2, Arch::Factored);
    assert_eq!(t.classes, [0, 6, 0, 48]);
    // The fit threshold below the fitted losses: everything fails.
    let strict = Thresholds {
        fit_loss: 1e-8,
        ..th
    };
    let t = Bars::of(&s.read(), &strict)
        .unwrap()
        .tally(Decay::L2, Arch::Factored);
    assert_eq!(t.classes, [54, 0, 0, 0]);
}

#[test]
fn the_report_counts_each_architecture_under_each_decay() {
    let grid = Grid::builtin("mod-add-arch", 20).unwrap();
    let records: Vec<RunRecord> = grid
        .expand()
        .unwrap()
        .iter()
        .map(|spec| record(spec, class_of(spec)))
        .collect();
    let t = arch_table(&records).unwrap();
    let lines: Vec<&str> = t.lines().collect();
    assert_eq!(lines.len(), 1 + 8 * 2, "{t}");
    assert!(lines[0].contains("architecture") && lines[0].contains("generalize"));
    let row = |arch: &str, decay: &str| {
        let line = lines
            .iter()
            .find(|l| {
                let w: Vec<&str> = l.split_whitespace().collect();
                w[0] == arch && w[1] == decay
            })
            .unwrap_or_else(|| panic!("no row {arch} {decay} in\n{t}"));
        line.split_whitespace()
            .skip(2)
            .map(|n| n.parse::<usize>().unwrap())
            .collect::<Vec<_>>()
    };
    // runs, fail, memorize, generalize, grok (Class::ALL's order).
    assert_eq!(row("factored", "l2"), [54, 0, 6, 0, 48]);
    assert_eq!(row("factored", "l1"), [54, 0, 22, 0, 32]);
    assert_eq!(row("collapsed", "l2"), [54, 48, 6, 0, 0]);
    assert_eq!(row("untied-embed-in", "l2"), [54, 0, 6, 48, 0]);
    // Records of another grid make no such table.
    let plain: Vec<RunRecord> = records
        .into_iter()
        .map(|mut r| {
            r.point.remove("arch");
            r
        })
        .collect();
    assert!(arch_table(&plain).is_none());
}
