//! The article's shipped runs (`sweep::article`): known answers read from the real files
//! (checked by hand against the CSV text), their places in the built-in grids, the loss
//! band, and a clear error (never a panic) for every kind of damage to a copy.

use grokscope::sweep::article::{self, Article, CURVES, GALLERY, PARITY, loss_band};
use grokscope::sweep::{Class, Grid, RunRecord};
use grokscope::train::presets;
use std::collections::BTreeMap;

const FILES_NAMES: [&str; 3] = [GALLERY.name, CURVES.name, PARITY.name];

fn shipped() -> &'static Article {
    Article::shipped().expect("the shipped data reads")
}

fn classes(records: &[RunRecord]) -> BTreeMap<Class, usize> {
    let mut c = BTreeMap::new();
    for r in records {
        *c.entry(r.class).or_default() += 1;
    }
    c
}

#[test]
fn row_counts() {
    assert_eq!(shipped().rows(), [450, 22_950, 1_125]);
    assert_eq!(shipped().gallery.len(), 450);
    assert_eq!(shipped().parity.len(), 1_125);
}

#[test]
fn gallery_rows_as_the_file_has_them() {
    let a = shipped();
    // Line 2: 1444988.0871439234,1.7457033909157246e-7,0.0000017257025298491944,0,…,0 16 22 14,5 5 5 6,3
    let r = &a.gallery[0];
    assert_eq!(r.index, 0);
    assert_eq!(r.trace.max_ratio, 1444988.0871439234);
    assert_eq!(r.trace.min_train_loss, 1.7457033909157246e-7);
    assert_eq!(r.trace.min_test_loss, 1.7257025298491944e-6);
    // Frequencies are counted from 0 in the file: k = value + 1.
    assert_eq!(r.key_freqs, vec![1, 17, 23, 15]);
    assert_eq!(
        (r.freq_neurons.clone(), r.other_neurons),
        (vec![5, 5, 5, 6], 3)
    );
    // The last line: …,449,…,17 20 24 7,6 5 6 6,1
    let last = &a.gallery[449];
    assert_eq!(last.index, 449);
    assert_eq!(last.key_freqs, vec![18, 21, 25, 8]);
    assert_eq!(last.trace.min_test_loss, 3.5198840989290627e-6);
    // Curves: run 0 at steps 0, 42 and 50 thousand; run 449's first and last.
    let p = |r: &article::GalleryRun, i: usize| {
        let p = r.curve[i];
        (p.step, p.train_loss, p.test_loss)
    };
    assert_eq!(p(r, 0), (0, 6.519e-2, 6.437e-2));
    assert_eq!(p(r, 42), (42_000, 2.208e-7, 3.131e-3));
    assert_eq!(p(r, 50), (50_000, 1.746e-7, 1.726e-6));
    assert_eq!(p(last, 0), (0, 6.487e-2, 6.464e-2));
    assert_eq!(p(last, 50), (50_000, 1.832e-7, 3.679e-6));
}

#[test]
fn gallery_matches_the_mod_add_model() {
    let a = shipped();
    let hidden = presets::find("mod-add").unwrap().config.hidden;
    let p = presets::find("mod-add").unwrap().config.modulus as f64;
    for r in &a.gallery {
        // Every neuron is in a frequency group or in none.
        assert_eq!(
            r.freq_neurons.iter().sum::<usize>() + r.other_neurons,
            hidden,
            "run {}",
            r.index
        );
        assert!(r.key_freqs.iter().all(|&k| (1..=33).contains(&k)));
        let steps: Vec<u64> = r.curve.iter().map(|p| p.step).collect();
        assert_eq!(steps, (0..=50).map(|s| s * 1000).collect::<Vec<_>>());
        // The losses are cross-entropy divided by P, as this engine logs them: before any
        // learning the usual cross-entropy is about ln P, so the logged loss about ln P / P
        // (0.0628), not ln P (4.2).
        let chance = p.ln() / p;
        for l in [r.curve[0].train_loss, r.curve[0].test_loss] {
            assert!((l / chance - 1.0).abs() < 0.06, "run {}: {l}", r.index);
        }
        // The lowest train loss logged is the curve's lowest (at its end), to the curve's
        // four digits.
        let lowest = r
            .curve
            .iter()
            .map(|p| p.train_loss)
            .fold(f64::MAX, f64::min);
        assert!((lowest / r.trace.min_train_loss - 1.0).abs() < 1e-3);
    }
}

#[test]
fn class_shares_at_the_articles_thresholds() {
    let a = shipped();
    let gallery = a.records("mod-add-seeds").unwrap();
    // The gallery is a selection of mostly grokking runs: 408 of 450.
    assert_eq!(
        classes(&gallery),
        BTreeMap::from([(Class::Memorize, 42), (Class::Grok, 408)])
    );
    let parity = a.records("parity-v4").unwrap();
    assert_eq!(
        classes(&parity),
        BTreeMap::from([
            (Class::Fail, 152),
            (Class::Memorize, 390),
            (Class::Generalize, 148),
            (Class::Grok, 435)
        ])
    );
}

#[test]
fn parity_runs_sit_at_their_grid_points() {
    let a = shipped();
    let specs = Grid::builtin("parity-v4", 1).unwrap().expand().unwrap();
    let records = a.records("parity-v4").unwrap();
    assert_eq!(records.len(), specs.len());
    for (r, s) in records.iter().zip(&specs) {
        assert_eq!(
            (r.run, &r.point, &r.settings),
            (s.index, &s.point, &s.config)
        );
        assert_eq!((r.steps, r.planned_steps), (20_000, 20_000));
        assert!(r.curve.is_empty() && r.key_freqs.is_none());
    }
    // The file's first line: 1750,128,0.01,8,…,3987820.5,1.1920928955078125e-7,0.10537341237068176
    // weight decay 0.01 (1st), hidden 128 (4th), 1750 (5th), seed 8: run (3·5 + 4)·9 + 8.
    let r = &records[179];
    let p = &a.parity.iter().find(|p| p.index == 179).unwrap();
    assert_eq!(
        (p.n_train, p.hidden, p.weight_decay, p.seed),
        (1750, 128, 0.01, 8)
    );
    assert_eq!(r.settings.n_train, 1750);
    assert_eq!(r.settings.hidden, 128);
    assert_eq!((r.settings.weight_decay, r.settings.seed), (0.01, 8));
    assert_eq!(r.trace.max_ratio, 3987820.5);
    assert_eq!(r.trace.min_test_loss, 0.10537341237068176);
    assert_eq!(r.class, Class::Memorize);
}

#[test]
fn gallery_runs_are_mod_add_seeds() {
    let records = shipped().records("mod-add-seeds").unwrap();
    let base = presets::find("mod-add").unwrap().config;
    for (i, r) in records.iter().enumerate() {
        assert_eq!(r.run, i);
        assert_eq!(r.point.get("seed"), Some(&serde_json::json!(i)));
        let mut cfg = base.clone();
        cfg.seed = i as u64;
        assert_eq!(r.settings, cfg);
        assert_eq!(r.curve.len(), 51);
        assert!(
            r.curve
                .iter()
                .all(|p| p.train_acc.is_nan() && p.test_acc.is_nan())
        );
        assert_eq!(r.key_freqs.as_ref(), Some(&shipped().gallery[i].key_freqs));
    }
}

#[test]
fn parity_quick_is_part_of_parity_v4() {
    // Same settings at every point but the seed, so `parity-quick` compares cell by cell.
    let v4 = Grid::builtin("parity-v4", 1).unwrap().expand().unwrap();
    for q in Grid::builtin("parity-quick", 1).unwrap().expand().unwrap() {
        let same = v4.iter().find(|s| s.point == q.point);
        assert_eq!(same.map(|s| &s.config), Some(&q.config), "{:?}", q.point);
    }
    assert_eq!(article::counterpart("parity-quick"), Some("parity-v4"));
    assert_eq!(article::counterpart("mod-add-arch"), None);
    let e = shipped().records("parity-quick").unwrap_err().to_string();
    assert!(e.contains("no runs of grid 'parity-quick'"), "{e}");
}

#[test]
fn the_band_of_the_gallery() {
    let band = shipped().gallery_band();
    assert_eq!(band.len(), 51);
    assert!(band.iter().all(|b| b.runs == 450));
    let close = |a: f64, b: f64| (a / b - 1.0).abs() < 1e-9;
    // Quartiles by rank q·449 (112.25, 224.5, 336.75), worked out from the file.
    let b0 = band[0];
    assert_eq!(b0.step, 0);
    assert!(close(b0.train.q1, 0.0646) && close(b0.train.median, 0.06477));
    assert!(close(b0.train.q3, 0.06499) && close(b0.test.median, 0.06463));
    let b20 = band[20];
    assert_eq!(b20.step, 20_000);
    assert!(close(b20.train.median, 4.1255e-7));
    assert!(close(b20.test.q1, 8.88575e-5) && close(b20.test.median, 0.25305));
    assert!(close(b20.test.q3, 0.684325));
    let b50 = band[50];
    assert!(close(b50.test.median, 1.4765e-6) && close(b50.train.q3, 1.908e-7));
    for b in &band {
        assert!(b.train.q1 <= b.train.median && b.train.median <= b.train.q3);
        assert!(b.test.q1 <= b.test.median && b.test.median <= b.test.q3);
    }
    // The same as the band of the curves taken one by one.
    let curves: Vec<&[article::LossPoint]> = shipped()
        .gallery
        .iter()
        .map(|r| r.curve.as_slice())
        .collect();
    assert_eq!(loss_band(curves), band);
}

/// Parse with one file replaced; the error's text.
fn broken(gallery: &str, curves: &str, parity: &str) -> String {
    match Article::parse(gallery, curves, parity) {
        Ok(_) => panic!("a broken copy was accepted"),
        Err(e) => e.to_string(),
    }
}

/// The shipped text with line `n` (from 1) replaced by `with` (None: removed).
fn with_line(text: &str, n: usize, with: Option<&str>) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    match with {
        Some(w) => lines[n - 1] = w,
        None => {
            lines.remove(n - 1);
        }
    }
    lines.join("\n")
}

#[test]
fn a_damaged_gallery_row_names_file_line_and_column() {
    let (g, c, p) = (GALLERY.text, CURVES.text, PARITY.text);
    let line4 = g.lines().nth(3).unwrap();
    let bad = line4.replacen(",", ",x", 2).replacen(",x", ",", 1);
    assert_eq!(
        broken(&with_line(g, 4, Some(&bad)), c, p),
        format!(
            "{}:4: column 3 (minEvalLoss): 'x{}' is not a number",
            GALLERY.name,
            line4.split(',').nth(2).unwrap()
        )
    );
    let e = broken(&with_line(g, 4, None), c, p);
    assert!(
        e.starts_with(&format!(
            "{}:4: column 4 (modelIndex): run 3 where run 2",
            GALLERY.name
        )),
        "{e}"
    );
    let e = broken(&with_line(g, 2, Some("1,1e-7,1e-6,0,s,4 33,5 5,14")), c, p);
    assert_eq!(
        e,
        format!(
            "{}:2: column 6 (freqs): frequency 33 is beyond 0 to 32 (counted from 0)",
            GALLERY.name
        )
    );
    let e = broken(&with_line(g, 2, Some("1,1e-7,1e-6,0,s,4 3,5,14")), c, p);
    assert!(
        e.contains(":2: column 7 (freqs_neurons): 1 counts for 2 frequencies"),
        "{e}"
    );
    let e = broken(&with_line(g, 2, Some("1,-1e-7,1e-6,0,s,4,5,14")), c, p);
    assert!(
        e.contains(":2: column 2 (minTrainLoss): '-1e-7' is not a finite number"),
        "{e}"
    );
    let e = broken(&with_line(g, 2, Some("1,1e-7,1e-6,0,s,4,5")), c, p);
    assert!(e.contains(":2: 7 fields, the header has 8"), "{e}");
    let e = broken(&with_line(g, 1, Some("maxRatio,minTrainLoss")), c, p);
    assert!(
        e.contains(":1: the header lacks column 3 ('minEvalLoss')"),
        "{e}"
    );
    assert!(broken("", c, p).contains("header line is missing"));
    // The last run missing: the curves name it.
    let e = broken(&with_line(g, 451, None), c, p);
    assert!(
        e.contains(&format!(
            "column 1 (modelIndex): run 449 is not in {} (runs 0 to 448)",
            GALLERY.name
        )),
        "{e}"
    );
    let header_only = g.lines().next().unwrap();
    assert_eq!(
        broken(header_only, c, p),
        format!("{}: no runs", GALLERY.name)
    );
}

#[test]
fn a_damaged_curve_names_file_line_and_column() {
    let (g, c, p) = (GALLERY.text, CURVES.text, PARITY.text);
    // Line 3 is run 0's step 1: without it, line 3 holds step 2.
    let e = broken(g, &with_line(c, 3, None), p);
    assert!(
        e.starts_with(&format!(
            "{}:3: column 2 (step): step 2 of run 0 where 1",
            CURVES.name
        )),
        "{e}"
    );
    let e = broken(g, &with_line(c, 3, Some("450,1,1e-6,1e-1")), p);
    assert!(
        e.contains(":3: column 1 (modelIndex): run 450 is not in"),
        "{e}"
    );
    let e = broken(g, &with_line(c, 3, Some("0,1,1e-6,NaN")), p);
    assert!(
        e.contains(":3: column 4 (eval_loss): 'NaN' is not a finite number"),
        "{e}"
    );
    // The last run cut short: found only once every row is read.
    let cut: Vec<&str> = c.lines().collect();
    let e = broken(g, &cut[..cut.len() - 1].join("\n"), p);
    assert_eq!(
        e,
        format!(
            "{}: run 449 has 50 points, expected 51 (steps 0 to 50,000)",
            CURVES.name
        )
    );
    // One point too many.
    let extra = format!("{c}\n449,51,1e-7,1e-6");
    assert!(broken(g, &extra, p).contains("already has its 51 points"));
}

#[test]
fn a_damaged_parity_row_names_file_line_and_column() {
    let (g, c, p) = (GALLERY.text, CURVES.text, PARITY.text);
    let line2 = p.lines().nth(1).unwrap();
    // Line 3 repeating line 2's point.
    let e = broken(g, c, &with_line(p, 3, Some(line2)));
    assert_eq!(
        e,
        format!("{}:3: the same point of the grid as line 2", PARITY.name)
    );
    let off = line2.replacen("0.01", "0.02", 1);
    let e = broken(g, c, &with_line(p, 2, Some(&off)));
    assert_eq!(
        e,
        format!(
            "{}:2: column 3 (weight_decay): 0.02 is not one of parity-v4's values (0.01, 0.03, 0.1, 0.3, 1.0)",
            PARITY.name
        )
    );
    let e = broken(
        g,
        c,
        &with_line(p, 2, Some(&line2.replacen("1750", "17x0", 1))),
    );
    assert!(
        e.contains(":2: column 1 (train_size): '17x0' is not a number"),
        "{e}"
    );
    let e = broken(g, c, &with_line(p, 2, None));
    assert_eq!(
        e,
        format!("{}: 1 of parity-v4's 1125 points have no run", PARITY.name)
    );
}

#[test]
fn any_cut_copy_is_an_error_never_a_panic() {
    // Files cut at many places (a truncated download, a bad merge): each read ends in a
    // DataError, since every file must be complete (all runs, all points).
    for file in 0..3 {
        let text = article::FILES[file].text;
        for k in 1..60 {
            let mut at = text.len() * k / 60;
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            let mut texts = [GALLERY.text, CURVES.text, PARITY.text];
            texts[file] = &text[..at];
            let e = Article::parse(texts[0], texts[1], texts[2]).err();
            let e =
                e.unwrap_or_else(|| panic!("{} cut at byte {at} was accepted", FILES_NAMES[file]));
            // A gallery cut between rows is found by the curves naming runs it lacks.
            assert!(FILES_NAMES.contains(&e.file.as_str()), "{e}");
        }
    }
}

/// `run` as a sweep's record of `grid` that fitted both losses with this test/train ratio.
fn fitted(grid: &str, spec: &grokscope::sweep::RunSpec, ratio: f64) -> RunRecord {
    let mut r = shipped().records("parity-v4").unwrap()[0].clone();
    r.grid = grid.into();
    r.run = spec.index;
    r.point = spec.point.clone();
    r.settings = spec.config.clone();
    r.trace.min_train_loss = 1.2e-7;
    r.trace.min_test_loss = 2e-7;
    r.trace.max_ratio = ratio;
    r
}

#[test]
fn cells_compared_at_a_views_thresholds() {
    use article::{Verdict, compare_cells};
    use grokscope::sweep::Thresholds;
    let theirs = shipped().records("parity-v4").unwrap();
    // parity-quick's 18 runs, every one grokking (ratio 4e6).
    let specs = Grid::builtin("parity-quick", 1).unwrap().expand().unwrap();
    let mine: Vec<RunRecord> = specs
        .iter()
        .map(|s| fitted("parity-quick", s, 4e6))
        .collect();
    let th = Thresholds::default();
    let cells = compare_cells(&theirs, &mine, &th).unwrap();
    assert_eq!(cells.len(), 9);
    let at = |c: &article::CellComparison| {
        let n = |k: &str| c.point[k].as_f64().unwrap();
        (n("hidden"), n("n_train"), n("weight_decay"))
    };
    // Cells in order: hidden, then n_train, then weight decay, ascending.
    assert_eq!(at(&cells[0]), (32.0, 750.0, 0.01));
    assert_eq!(at(&cells[2]), (32.0, 750.0, 1.0));
    assert_eq!(at(&cells[8]), (32.0, 1750.0, 1.0));
    assert!(!cells[0].point.contains_key("seed"));
    // Yours: 2 groks everywhere; the article's 9 memorize at 750, 0.01 and grok at 750, 0.1.
    assert_eq!(cells[0].yours, BTreeMap::from([(Class::Grok, 2)]));
    assert_eq!(cells[0].article, BTreeMap::from([(Class::Memorize, 9)]));
    assert_eq!(
        cells[0].verdict,
        Verdict::Differ {
            article: Class::Memorize,
            yours: Class::Grok
        }
    );
    assert_eq!(cells[1].verdict, Verdict::Agree(Class::Grok));
    // A grok ratio above every run's: the groks on both sides become generalizations, and
    // the cell still agrees.
    let high = Thresholds {
        grok_ratio: 1e12,
        ..th
    };
    let cells = compare_cells(&theirs, &mine, &high).unwrap();
    assert_eq!(cells[1].verdict, Verdict::Agree(Class::Generalize));
    assert_eq!(cells[1].article, BTreeMap::from([(Class::Generalize, 9)]));
    // A run off the article's grid is refused, naming it.
    let mut off = mine[0].clone();
    off.point.insert("hidden".into(), serde_json::json!(20));
    let e = compare_cells(&theirs, &[off], &th).unwrap_err().to_string();
    assert!(
        e.contains("run 0 of parity-quick lies off the article's parity-v4 grid"),
        "{e}"
    );
}
