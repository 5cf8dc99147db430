//! `grokscope article` and `grokscope sweep report --against article`, on hand-made sweep
//! outputs whose agreement with the article's runs is known by construction.

mod common;

use common::{assert_usage_error, grokscope};
use grokscope::sweep::article::Article;
use grokscope::sweep::{Class, Grid, Point, RunRecord, RunSpec, Trace};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A trace of each class at the article's thresholds.
fn trace(class: Class) -> Trace {
    let (train, test, ratio) = match class {
        Class::Fail => (0.31, 0.69, 2.0),
        Class::Memorize => (1.2e-7, 0.5, 4e6),
        Class::Generalize => (1.2e-7, 3e-7, 40.0),
        Class::Grok => (1.2e-7, 2e-7, 4e6),
    };
    Trace {
        min_train_loss: train,
        min_test_loss: test,
        max_ratio: ratio,
        ..Trace::default()
    }
}

fn record(grid: &str, spec: &RunSpec, class: Class) -> RunRecord {
    RunRecord {
        grid: grid.into(),
        run: spec.index,
        point: spec.point.clone(),
        class,
        trace: trace(class),
        key_freqs: None,
        steps: spec.config.steps,
        planned_steps: spec.config.steps,
        diverged_at: None,
        elapsed_s: 1.5,
        settings: spec.config.clone(),
        curve: Vec::new(),
        shows: Vec::new(),
    }
}

/// The records as a sweep output file.
fn write(name: &str, records: &[RunRecord]) -> PathBuf {
    let dir = common::scratch("cli-article", name);
    let path = dir.join("out.jsonl");
    let lines: Vec<String> = records
        .iter()
        .map(|r| serde_json::to_string(r).unwrap())
        .collect();
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

/// `sweep report --against article FILE`.
fn against_article(path: &std::path::Path) -> [&str; 5] {
    [
        "sweep",
        "report",
        "--against",
        "article",
        path.to_str().unwrap(),
    ]
}

fn report(path: &std::path::Path) -> String {
    let out = grokscope(&against_article(path));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    String::from_utf8(out.stdout).unwrap()
}

/// The article's majority class of each parity-v4 cell (hidden, n_train, weight_decay).
fn article_majorities() -> BTreeMap<String, Class> {
    let mut cells: BTreeMap<String, BTreeMap<Class, usize>> = BTreeMap::new();
    for r in Article::shipped().unwrap().records("parity-v4").unwrap() {
        let mut p = r.point.clone();
        p.remove("seed");
        *cells
            .entry(serde_json::to_string(&p).unwrap())
            .or_default()
            .entry(r.class)
            .or_default() += 1;
    }
    cells
        .into_iter()
        .map(|(k, c)| {
            let top = *c.values().max().unwrap();
            let at_top: Vec<Class> = c.keys().copied().filter(|k| c[k] == top).collect();
            assert_eq!(
                at_top.len(),
                1,
                "the article's cell {k} has no single majority"
            );
            (k, at_top[0])
        })
        .collect()
}

fn cell_key(spec: &RunSpec) -> String {
    let mut p = spec.point.clone();
    p.remove("seed");
    serde_json::to_string(&p).unwrap()
}

/// Another class than `c`.
fn other(c: Class) -> Class {
    if c == Class::Grok {
        Class::Memorize
    } else {
        Class::Grok
    }
}

#[test]
fn parity_quick_against_the_article_cell_by_cell() {
    // parity-quick's 9 cells, 2 seeds each: the first 6 cells agree with the article's
    // majority, the next 2 disagree, the last ties (one seed each way).
    let majority = article_majorities();
    let specs = Grid::builtin("parity-quick", 1).unwrap().expand().unwrap();
    let mut cells: Vec<String> = specs.iter().map(cell_key).collect();
    cells.dedup();
    assert_eq!(cells.len(), 9);
    let records: Vec<RunRecord> = specs
        .iter()
        .map(|s| {
            let at = cells.iter().position(|c| *c == cell_key(s)).unwrap();
            let theirs = majority[&cell_key(s)];
            let seed = s.config.seed;
            let class = match at {
                0..=5 => theirs,
                6 | 7 => other(theirs),
                _ if seed == 0 => theirs,
                _ => other(theirs),
            };
            record("parity-quick", s, class)
        })
        .collect();
    let text = report(&write("quick", &records));
    assert!(
        text.contains(
            "majority class agrees in 6 of 8 cells (75 %); 1 more tie on one side or both"
        ),
        "{text}"
    );
    assert!(
        text.starts_with(
            "parity-quick: your 18 runs against the article's parity-v4, on 9 of its 125 cells \
             (the article's runs there: 81 of 1125)"
        ),
        "{text}"
    );
    // The shares: the article in your cells and in all, yours.
    assert!(text.contains("article, your cells"), "{text}");
    let runs = text
        .lines()
        .find(|l| l.trim_start().starts_with("runs"))
        .unwrap();
    assert_eq!(
        runs.split_whitespace().collect::<Vec<_>>(),
        ["runs", "81", "1125", "18"]
    );
    // Your 9 groks: 4 in the two agreeing grok cells, 4 in the two disagreeing cells, 1 in
    // the tie.
    let grok = text
        .lines()
        .find(|l| l.trim_start().starts_with("grok "))
        .unwrap();
    assert!(grok.ends_with("9  50.0 %"), "{text}");
    // One row per cell, the article's mix beside yours.
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("agree") || l.contains('≠') || l.ends_with("tie"))
        .collect();
    assert_eq!(rows.len(), 9 + 1, "{text}"); // and the summary line
    // hidden 32, 1750, 0.01: the article's 5 memorize, 3 grok, 1 generalize.
    assert!(
        text.lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>()
                == ["32", "1750", "0.01", "5M", "3G", "1g", "2M", "M", "agree"]),
        "{text}"
    );
}

#[test]
fn parity_v4_agreeing_everywhere() {
    // The article's own runs as a sweep output of the same grid agree in every cell.
    let records = Article::shipped().unwrap().records("parity-v4").unwrap();
    let text = report(&write("v4", &records));
    assert!(
        text.contains("majority class agrees in 125 of 125 cells (100 %)"),
        "{text}"
    );
    assert!(!text.contains("your cells"), "all cells are shared: {text}");
}

/// A mod-add-seeds record with a curve whose test loss first falls below 1e-3 at `below`
/// (to 1e-6: fitted, a grok), its trace the curve's (`sweep report` counts a record by its
/// own numbers).
fn gallery_record(spec: &RunSpec, class: Class, below: Option<u64>, keys: &[usize]) -> RunRecord {
    let mut r = record("mod-add-seeds", spec, class);
    r.curve = (0..=200)
        .map(|i| {
            let step = i * 100;
            let test = if below.is_some_and(|b| step >= b) {
                1e-6
            } else {
                0.06
            };
            Point {
                step,
                train_loss: 1e-6,
                test_loss: test,
                train_acc: 1.0,
                test_acc: 0.5,
            }
        })
        .collect();
    r.trace = r.curve_trace();
    assert_eq!(
        grokscope::sweep::classify_with(&r.trace, &Default::default()),
        class
    );
    r.key_freqs = Some(keys.to_vec());
    r
}

#[test]
fn the_gallery_against_the_article() {
    let specs = Grid::builtin("mod-add-seeds", 4).unwrap().expand().unwrap();
    let mut no_curve = gallery_record(&specs[3], Class::Grok, Some(100), &[1, 2, 3]);
    no_curve.curve.clear();
    let records = vec![
        gallery_record(&specs[0], Class::Grok, Some(12_300), &[4, 5, 7]),
        gallery_record(&specs[1], Class::Grok, Some(20_000), &[4, 5, 7, 26]),
        gallery_record(&specs[2], Class::Memorize, None, &[1, 2, 3, 4, 5, 6, 7, 8]),
        no_curve,
    ];
    let text = report(&write("gallery", &records));
    assert!(
        text.contains("grok share: the article's 408 of 450 (91 %), yours 3 of 4 (75 %)"),
        "{text}"
    );
    // Yours: 3 runs with a curve, 2 fell below (12,300 → 13k, 20k), 1 never.
    assert!(
        text.contains("       yours      3      2      1   13.0k   14.8k   16.5k   18.2k   20.0k"),
        "{text}"
    );
    assert!(text.contains("1 runs kept no curve"), "{text}");
    // The article's: 445 of 450 fall below 1e-3 within 50,000 steps, 5 never; quartiles
    // worked out from the curves file.
    assert!(
        text.contains("     article    450    445      5    7.0k   20.0k   28.0k   37.0k   50.0k"),
        "{text}"
    );
    // Key-frequency counts: the article's 274 runs with 3 (264 of them groks), yours one of 3, one of 4.
    let row = |n: &str| {
        text.lines()
            .find(|l| l.split_whitespace().next() == Some(n))
            .unwrap_or_else(|| panic!("no row {n}: {text}"))
            .split_whitespace()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(row("3")[1..], ["274", "264", "2", "2"], "{text}");
    assert_eq!(row("8")[1..], ["0", "0", "1", "0"], "{text}");
    assert!(
        !text.contains("majority class"),
        "one cell, no cell table: {text}"
    );
}

#[test]
fn bad_comparisons_are_one_line_and_status_2() {
    let arch = Grid::builtin("mod-add-arch", 1).unwrap().expand().unwrap();
    let f = write("arch", &[record("mod-add-arch", &arch[0], Class::Grok)]);
    assert_usage_error(
        &against_article(&f),
        "the article has no runs of grid 'mod-add-arch'",
    );
    // Other settings than the article's grid at that point.
    let mut spec = Grid::builtin("parity-v4", 1).unwrap().expand().unwrap()[7].clone();
    spec.config.lr = 1e-3;
    let f = write("lr", &[record("parity-v4", &spec, Class::Grok)]);
    assert_usage_error(
        &against_article(&f),
        "other settings than the article's parity-v4 at its point: lr 0.001 (the article's grid: 0.003)",
    );
    // A point the article's grid does not have.
    let mut spec = Grid::builtin("parity-v4", 1).unwrap().expand().unwrap()[0].clone();
    spec.point.insert("hidden".into(), serde_json::json!(48));
    spec.config.hidden = 48;
    let f = write("off", &[record("parity-v4", &spec, Class::Grok)]);
    assert_usage_error(
        &against_article(&f),
        "lies off the article's parity-v4 grid (hidden 48, n_train 750, weight_decay 0.01)",
    );
    assert_usage_error(
        &["sweep", "report", "--against", "paper", f.to_str().unwrap()],
        "paper",
    );
    let empty = common::scratch("cli-article", "empty");
    std::fs::write(empty.join("e.jsonl"), "").unwrap();
    assert_usage_error(&against_article(&empty.join("e.jsonl")), "no sweep records");
}

#[test]
fn two_grids_two_sections() {
    let quick = Grid::builtin("parity-quick", 1).unwrap().expand().unwrap();
    let seeds = Grid::builtin("mod-add-seeds", 2).unwrap().expand().unwrap();
    let records = vec![
        record("parity-quick", &quick[0], Class::Memorize),
        gallery_record(&seeds[0], Class::Grok, Some(9_000), &[3, 4, 5]),
    ];
    let text = report(&write("two", &records));
    assert!(
        text.contains("mod-add-seeds: your 1 runs against the article's mod-add-seeds"),
        "{text}"
    );
    assert!(
        text.contains(
            "\nparity-quick: your 1 runs against the article's parity-v4, on 1 of its 125 cells"
        ),
        "{text}"
    );
    assert!(
        text.contains("majority class agrees in 1 of 1 cells (100 %)"),
        "{text}"
    );
}

#[test]
fn the_article_command() {
    let out = grokscope(&["article"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    for want in [
        "github.com/PAIR-code/ai-explorables, folder source/grokking",
        "Copyright 2023 Google LLC",
        "Apache License 2.0 (data/LICENSE, data/NOTICE)",
        "data/data__hypers_mlp_modular_addition_sweep.csv         450 rows",
        "data/data__allmetrics_mlp_modular_addition_sweep.csv  22,950 rows",
        "data/data__hypers_sparse_parity_v4.csv                 1,125 rows",
        "  parity-v4      1,125 runs",
        "weight_decay: 0.01 0.03 0.1 0.3 1",
        "hidden: 16 32 64 128 258",
        "classes: 152 fail, 390 memorize, 148 generalize, 435 grok",
        "  mod-add-seeds  450 runs",
        "seed: 0 … 449 (450 values)",
        "classes: 42 memorize, 408 grok",
    ] {
        assert!(text.contains(want), "missing '{want}' in:\n{text}");
    }
}

/// Records of a grid the article has no runs of are refused in one line, before any note on
/// records that disagree with their own numbers (which would be beside the point).
#[test]
fn a_foreign_grid_is_refused_in_one_line_before_any_note() {
    let quick = Grid::builtin("parity-quick", 1).unwrap().expand().unwrap();
    let mut r = record("mine", &quick[0], Class::Grok);
    r.trace = trace(Class::Fail);
    let f = write("foreign-noted", &[r]);
    assert_usage_error(&against_article(&f), "no runs of grid 'mine'");
}
