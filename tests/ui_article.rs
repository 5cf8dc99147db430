//! The article's published runs in the dashboard (`--article`): the gallery on its 450
//! mod-add runs and the sweep view on its 1,125-run parity diagram (insta snapshots in the
//! top-level `snapshots/`, drawn from the shipped data, so host-independent), the keys that
//! switch between the article's runs and yours, the marks where the two disagree, and
//! `--article`'s bad input.

mod common;

use common::assert_usage_error;
use common::{PLAIN, TRUE, key};
use crossterm::event::KeyCode;
use grokscope::app::action::{Action, Command, GalleryChange};
use grokscope::app::harness::{Harness, text};
use grokscope::app::opening::open_article;
use grokscope::app::views::gallery::{FileRuns, Gallery};
use grokscope::sweep::article::Article;
use grokscope::sweep::{Class, Event, Grid, RunRecord, Trace};
use grokscope::train::{Config, presets};
use std::path::PathBuf;

/// A cheap training run behind the views (nothing here trains it far).
fn short(preset: &str) -> Config {
    let mut c = presets::find(preset).unwrap().config;
    c.steps = 300;
    c
}

/// A dashboard opened on `view` as `--article` opens it.
fn on_article(view: &str) -> Harness {
    let mut h = Harness::new(short("mod-add")).unwrap();
    h.app.sweeps.jobs = 2;
    for c in open_article(&mut h.app, view).unwrap() {
        if matches!(c, Command::RunSweep { .. }) {
            panic!("the article's runs train nowhere: {c:?}");
        }
    }
    h
}

fn snap(name: &str, h: &Harness) {
    let settings = common::snapshot_settings();
    for (w, ht) in [(120, 40), (80, 24)] {
        let t = text(&h.render(w, ht, &TRUE));
        settings.bind(|| insta::assert_snapshot!(format!("article_{name}_{w}x{ht}"), t));
        let plain = text(&h.render(w, ht, &PLAIN));
        settings
            .bind(|| insta::assert_snapshot!(format!("article_{name}_no_color_{w}x{ht}"), plain));
    }
}

#[test]
fn the_gallery_opens_on_the_articles_450_runs() {
    let h = on_article("gallery");
    assert_eq!(h.app.view.name, "gallery");
    let t = text(&h.render(120, 40, &TRUE));
    assert!(t.contains("gallery mod-add-seeds · the article's"), "{t}");
    assert!(t.contains("450 runs, read-only"), "{t}");
    assert!(t.contains("page 1/15"), "30 charts a page at 120×40: {t}");
    assert!(!t.contains("space pause"), "nothing to pause: {t}");
    // The first run's title holds its key frequencies, as the shipped file counts them + 1.
    let shipped = Article::shipped().unwrap();
    let mut k = shipped.gallery[0].key_freqs.clone();
    k.sort_unstable();
    let ks: Vec<String> = k.iter().map(usize::to_string).collect();
    assert!(t.contains(&format!("s0 k {}", ks.join(" "))), "{t}");
    snap("gallery", &h);
}

#[test]
fn the_sweep_view_opens_on_the_articles_parity_diagram() {
    let mut h = on_article("sweep");
    assert_eq!(h.app.view.name, "sweep");
    let t = text(&h.render(120, 40, &PLAIN));
    assert!(t.contains("sweep parity-v4 · the article's (2/3)"), "{t}");
    assert!(
        t.contains("1,125 / 1,125 runs") && t.contains("■ finished"),
        "{t}"
    );
    assert!(!t.contains("space pause") && !t.contains("eta"), "{t}");
    snap("sweep", &h);

    // The drill-down shows what the article published of the cell's runs: no curves.
    h.press(key(KeyCode::Enter));
    let t = text(&h.render(120, 40, &PLAIN));
    assert!(t.contains("no curve published"), "{t}");
    assert!(t.contains("train 1.2e-7") && t.contains("ratio"), "{t}");
    assert!(t.contains("wd 0.01 · n_train 750 · hidden 16"), "{t}");
    common::snapshot_settings().bind(|| insta::assert_snapshot!("article_sweep_drill_120x40", t));

    // The threshold keys reclassify the article's runs too.
    let before = h
        .app
        .sweep
        .on_screen(&h.app.sweeps)
        .unwrap()
        .read()
        .counts();
    for _ in 0..4 {
        h.press(key(KeyCode::Char('R')));
    }
    let after = h
        .app
        .sweep
        .on_screen(&h.app.sweeps)
        .unwrap()
        .read()
        .counts();
    assert_ne!(before, after, "a higher grok ratio moves runs out of grok");
    let grok = |c: [usize; 4]| c[Class::ALL.iter().position(|&k| k == Class::Grok).unwrap()];
    assert!(grok(after) < grok(before));
}

#[test]
fn a_switches_the_sweep_view_between_the_articles_runs_and_yours() {
    let mut h = on_article("sweep");
    h.press(key(KeyCode::Right));
    h.press(key(KeyCode::Down));
    h.press(key(KeyCode::Char('t')));
    assert!(h.sweep_commands.is_empty(), "nothing trains yet");

    h.press(key(KeyCode::Char('a')));
    assert!(!h.app.sweep.article);
    let trains = h.sweep_commands.iter().any(
        |c| matches!(c, Command::RunSweep { grid, runs, .. } if grid == "parity-v4" && runs.len() == 1125),
    );
    assert!(trains, "yours start training: {:?}", h.sweep_commands);
    let t = text(&h.render(120, 40, &PLAIN));
    assert!(
        t.contains("sweep parity-v4 (2/3)") && t.contains("0 / 1,125 runs"),
        "{t}"
    );
    // The cursor cell and the thresholds came across.
    let yours = h.app.sweeps.get("parity-v4").unwrap();
    let theirs = h.app.sweeps.article("parity-v4").unwrap();
    assert_eq!(yours.cell, theirs.cell);
    assert_eq!(yours.thresholds, theirs.thresholds);

    // parity-quick's cells are among parity-v4's: the article's beside it, the cursor on the
    // same cell where it has one.
    h.press(key(KeyCode::BackTab));
    assert_eq!(h.app.sweep.name(), "parity-quick");
    h.press(key(KeyCode::Char('a')));
    assert!(h.app.sweep.article);
    let t = text(&h.render(120, 40, &PLAIN));
    assert!(
        t.contains("parity-v4 · the article's, beside your parity-quick (1/3)"),
        "{t}"
    );
}

/// The article's `parity-v4` runs as yours, with the runs of one cell (hidden 16, weight
/// decay 0.01, n_train 750: the article's memorize there) turned to fail.
fn yours_mostly_alike() -> Vec<RunRecord> {
    let mut runs = Article::shipped().unwrap().records("parity-v4").unwrap();
    for r in runs.iter_mut().filter(|r| {
        r.point["hidden"] == 16 && r.point["n_train"] == 750 && r.point["weight_decay"] == 0.01
    }) {
        r.class = Class::Fail;
        r.trace = Trace {
            min_train_loss: 0.31,
            min_test_loss: 0.69,
            max_ratio: 2.0,
            ..Trace::default()
        };
    }
    runs
}

#[test]
fn d_marks_the_cells_where_yours_and_the_articles_disagree() {
    let mut h = on_article("sweep");
    h.press(key(KeyCode::Char('d')));
    let t = text(&h.render(120, 40, &PLAIN));
    assert!(t.contains("nothing compared: none of your runs"), "{t}");

    // Your runs arrive (as the pool reports them).
    h.press(key(KeyCode::Char('a')));
    for r in yours_mostly_alike() {
        h.act(Action::SweepEvent(
            "parity-v4".into(),
            Event::Finished(Box::new(r)),
        ));
    }
    let t = text(&h.render(120, 40, &PLAIN));
    assert!(
        t.contains("majority class differs from the article's")
            && t.contains("124 of 125 cells agree (99 %)"),
        "{t}"
    );
    // The one cell: hidden 16's first row and column, its nine runs flagged.
    let row = t.lines().find(|l| l.contains("0.01 ")).unwrap();
    assert!(row.contains("≠≠≠≠≠≠≠≠≠") || row.contains('≠'), "{row}");
    assert_eq!(
        t.matches('≠').count(),
        9 + 1,
        "nine runs and the legend: {t}"
    );
    common::snapshot_settings()
        .bind(|| insta::assert_snapshot!("article_marks_yours_no_color_120x40", t));

    // The article's diagram with the same marks, against yours.
    h.press(key(KeyCode::Char('a')));
    let t = text(&h.render(80, 24, &PLAIN));
    assert!(
        t.contains("124/125 agree") || t.contains("124 of 125"),
        "{t}"
    );
    common::snapshot_settings()
        .bind(|| insta::assert_snapshot!("article_marks_article_no_color_80x24", t));

    h.press(key(KeyCode::Char('d')));
    let t = text(&h.render(120, 40, &PLAIN));
    assert!(!t.contains('≠'), "d hides the marks: {t}");
}

#[test]
fn tab_switches_the_gallery_between_the_articles_runs_and_yours() {
    let mut h = on_article("gallery");
    h.press(key(KeyCode::End));
    assert_eq!(h.app.gallery.cursor, 449);
    h.press(key(KeyCode::Tab));
    assert!(!h.app.gallery.article);
    let trains = h.sweep_commands.iter().any(
        |c| matches!(c, Command::RunSweep { grid, runs, .. } if grid == "mod-add-seeds" && runs.len() == 20),
    );
    assert!(
        trains,
        "your 20 seeds start training: {:?}",
        h.sweep_commands
    );
    assert_eq!(h.app.gallery.cursor, 19, "the selection stays within yours");
    let t = text(&h.render(120, 40, &PLAIN));
    let head = t.lines().next().unwrap();
    assert!(
        head.contains("0 / 20 runs") && !head.contains("the article's"),
        "{t}"
    );
    h.press(key(KeyCode::Tab));
    assert!(h.app.gallery.article);
    let t = text(&h.render(120, 40, &PLAIN));
    assert!(t.contains("450 runs, read-only"), "{t}");

    // Yours from a file: Tab switches without training anything.
    let mut h = Harness::new(short("mod-add")).unwrap();
    let mut mine = Article::shipped()
        .unwrap()
        .records("mod-add-seeds")
        .unwrap();
    mine.truncate(3);
    h.app.gallery = Gallery::from_file(FileRuns {
        path: PathBuf::from("mine.jsonl"),
        records: mine,
    });
    open_article(&mut h.app, "gallery").unwrap();
    h.press(key(KeyCode::Tab));
    let t = text(&h.render(120, 40, &PLAIN));
    assert!(t.contains("mine.jsonl") && t.contains("3 runs"), "{t}");
    assert!(h.sweep_commands.is_empty(), "{:?}", h.sweep_commands);
}

#[test]
fn enter_trains_the_articles_seed_number_here_and_says_it_is_another_draw() {
    let mut h = on_article("gallery");
    h.press(key(KeyCode::Right));
    h.press(key(KeyCode::Right));
    let cmds = h.app.update(Action::Gallery(GalleryChange::Open));
    let restart = cmds.iter().find_map(|c| match c {
        Command::Restart(cfg) => Some(cfg.clone()),
        _ => None,
    });
    let grid = Grid::builtin("mod-add-seeds", 450).unwrap().runs().unwrap();
    let expected = grid.get(2).unwrap().unwrap().config;
    assert_eq!(
        restart.as_deref(),
        Some(&expected),
        "the grid's settings at seed 2"
    );
    let say = cmds
        .iter()
        .find_map(|c| match c {
            Command::PauseAt { say, .. } => Some(say.clone()),
            _ => None,
        })
        .unwrap();
    assert!(say.contains("JAX key") && say.contains("seed 2"), "{say}");
    assert_eq!(h.app.shared.show, None);
    assert_eq!(h.app.view.name, "training", "Enter opens the training view");
}

#[test]
fn article_with_a_view_or_file_the_article_has_no_grid_of_is_status_2() {
    for view in ["training", "mechanism", "appendix"] {
        assert_usage_error(
            &["--view", view, "--article"],
            "the sweep view (parity-v4) or the gallery (mod-add-seeds)",
        );
    }
    // A sweep output of a grid the article has no runs of.
    let dir = common::tmpdir("ui-article", "arch");
    std::fs::create_dir_all(&dir).unwrap();
    let spec = Grid::builtin("mod-add-arch", 1)
        .unwrap()
        .runs()
        .unwrap()
        .get(0)
        .unwrap()
        .unwrap();
    let mut r = Article::shipped()
        .unwrap()
        .records("mod-add-seeds")
        .unwrap()[0]
        .clone();
    r.grid = "mod-add-arch".into();
    r.point = spec.point.clone();
    r.settings = spec.config.clone();
    let path = dir.join("arch.jsonl");
    std::fs::write(&path, serde_json::to_string(&r).unwrap() + "\n").unwrap();
    let p = path.to_str().unwrap();
    assert_usage_error(
        &["--view", "gallery", "--article", "--sweep-file", p],
        "which the article has no runs of",
    );
    // Without --article the same file opens (as far as a terminal allows here).
    let out = common::grokscope(&["--view", "gallery", "--sweep-file", p]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("needs a terminal"), "{err}");
}
