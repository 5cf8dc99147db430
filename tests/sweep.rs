//! Sweeps: grids as data, sharding, resuming, reports, and bad input.

mod common;

use common::{assert_usage_error, grokscope, grokscope_ok};
use grokscope::sweep::{Grid, Shard};
use std::collections::HashSet;
use std::path::PathBuf;

fn tmp(name: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("grokscope-sweep-{}-{name}", std::process::id()));
    let _ = std::fs::remove_file(&p);
    p
}

/// A tiny parity grid: 2 × 2 × 2 = 8 runs of 300 steps.
const TINY: &str = r#"{
  "name": "tiny", "preset": "parity-l2", "every": 50,
  "base": {"steps": 300, "hidden": 8, "n_test": 200},
  "axes": [["weight_decay", [0.1, 1.0]], ["n_train", [100, 200]], ["seed", [0, 1]]]
}"#;

#[test]
fn builtin_grids_have_the_articles_shape() {
    let v4 = Grid::builtin("parity-v4", 20).unwrap().expand().unwrap();
    assert_eq!(v4.len(), 1125);
    let c = &v4[0].config;
    assert_eq!(
        (c.n_bits, c.k_bits, c.n_test, c.steps),
        (30, 3, 5000, 20_000)
    );
    assert_eq!((c.lr, c.beta1, c.beta2), (3e-3, 0.99, 0.98));
    assert_eq!(c.decay, grokscope::train::Decay::L2);
    let hidden: HashSet<usize> = v4.iter().map(|r| r.config.hidden).collect();
    assert_eq!(hidden, [16, 32, 64, 128, 258].into_iter().collect());
    let seeds = Grid::builtin("mod-add-seeds", 7).unwrap().expand().unwrap();
    assert_eq!(seeds.len(), 7);
    assert!(
        seeds
            .iter()
            .enumerate()
            .all(|(i, r)| r.config.seed == i as u64)
    );
    // The gallery's runs train to step 50,000 as the article's did (their key frequencies
    // read from the final weights); the phase diagram's settled groks may stop early.
    assert!(
        seeds
            .iter()
            .all(|r| !r.stop_early && r.config.steps == 50_000)
    );
    assert!(v4.iter().all(|r| r.stop_early));
    assert!(Grid::builtin("nope", 1).is_err());
}

/// Runs are built on demand from their index, in the order of nested loops over the axes
/// (the last fastest), each with the settings its point names.
#[test]
fn runs_are_built_on_demand_in_nested_axis_order() {
    let grid = Grid::parse(TINY).unwrap();
    let runs = grid.runs().unwrap();
    assert_eq!(runs.len(), 8);
    let mut k = 0;
    for wd in [0.1, 1.0] {
        for n_train in [100, 200] {
            for seed in [0, 1] {
                let r = runs.get(k).unwrap().unwrap();
                assert_eq!(r.index, k);
                assert_eq!(
                    (r.config.weight_decay, r.config.n_train, r.config.seed),
                    (wd, n_train, seed)
                );
                assert_eq!(r.point["seed"], serde_json::json!(seed));
                assert_eq!(r.config.steps, 300, "the base applies to every run");
                k += 1;
            }
        }
    }
    assert!(runs.get(8).is_none());
    // Filtering keeps grid indices and builds the same runs.
    let odd = runs.filter(|i| i % 2 == 1);
    assert_eq!(odd.indices().collect::<Vec<_>>(), [1, 3, 5, 7]);
    assert!(odd.contains(5) && !odd.contains(4));
    assert_eq!(odd.get(2).unwrap().unwrap(), runs.get(5).unwrap().unwrap());
    assert_eq!(
        grid.expand().unwrap(),
        runs.iter().collect::<Result<Vec<_>, _>>().unwrap()
    );
}

/// A grid of the most runs allowed is checked and listed without building them all: its
/// last run is there, with its point, and a value one past the limit is refused.
#[test]
fn a_million_run_grid_is_checked_and_indexed_lazily() {
    let seeds: Vec<String> = (0..1_000_000).map(|i| i.to_string()).collect();
    let text = format!(
        r#"{{"name": "big", "preset": "parity-l2", "every": 100, "base": {{"steps": 200}},
            "axes": [["seed", [{}]]]}}"#,
        seeds.join(",")
    );
    let (grid, runs) = Grid::parse_runs(&text).unwrap();
    assert_eq!(runs.len(), 1_000_000);
    let last = runs.get(999_999).unwrap().unwrap();
    assert_eq!((last.index, last.config.seed), (999_999, 999_999));
    assert!(runs.contains(999_999) && !runs.contains(1_000_000));
    let mut bigger = grid.clone();
    bigger.axes.push((
        "hidden".into(),
        vec![serde_json::json!(8), serde_json::json!(16)],
    ));
    let err = bigger.runs().unwrap_err().to_string();
    assert!(err.contains("2000000 runs (limit 1000000)"), "{err}");
}

#[test]
fn shards_cover_every_run_exactly_once() {
    let runs = Grid::parse(TINY).unwrap().expand().unwrap();
    for n in 1..=5 {
        let mut seen = vec![0; runs.len()];
        for i in 0..n {
            let shard: Shard = format!("{i}/{n}").parse().unwrap();
            for r in runs.iter().filter(|r| shard.takes(r.index)) {
                seen[r.index] += 1;
            }
        }
        assert!(seen.iter().all(|&c| c == 1), "{n} shards: {seen:?}");
    }
    for bad in ["3/3", "1/0", "x/2", "1", "-1/2"] {
        assert!(bad.parse::<Shard>().is_err(), "{bad}");
    }
}

#[test]
fn sharded_sweeps_report_like_the_whole_and_resume_skips_recorded_runs() {
    let grid = tmp("tiny.json");
    std::fs::write(&grid, TINY).unwrap();
    let g = grid.to_str().unwrap();
    let whole = tmp("whole.jsonl");
    // Two jobs where the machine has two cores (more are refused), so the pool is shared.
    let jobs = std::thread::available_parallelism()
        .map_or(1, |n| n.get().min(2))
        .to_string();
    let out = grokscope_ok(&[
        "sweep",
        "--grid-file",
        g,
        "--jobs",
        &jobs,
        "--out",
        whole.to_str().unwrap(),
    ]);
    let lines = String::from_utf8_lossy(&out.stdout).lines().count();
    assert_eq!(lines, 8);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("weight_decay") && stderr.contains("wd \\ train"),
        "{stderr}"
    );

    let (s0, s1) = (tmp("s0.jsonl"), tmp("s1.jsonl"));
    for (i, f) in [(0, &s0), (1, &s1)] {
        let shard = format!("{i}/2");
        let o = grokscope(&[
            "sweep",
            "--grid-file",
            g,
            "--shard",
            &shard,
            "--out",
            f.to_str().unwrap(),
        ]);
        assert!(o.status.success());
    }
    let report = common::sweep_report;
    let merged = report(&[&s0, &s1]);
    assert_eq!(merged, report(&[&whole]), "shards report like the whole");
    assert!(merged.contains("runs"));

    // Resume: a sweep that lost its last three lines reruns exactly those.
    let text = std::fs::read_to_string(&whole).unwrap();
    let kept: Vec<&str> = text.lines().take(5).collect();
    std::fs::write(&whole, kept.join("\n") + "\n").unwrap();
    let again = grokscope(&["sweep", "--grid-file", g, "--out", whole.to_str().unwrap()]);
    assert!(again.status.success());
    assert_eq!(String::from_utf8_lossy(&again.stdout).lines().count(), 3);
    let runs: Vec<u64> = common::read_json_lines(&whole)
        .iter()
        .map(|r| r["run"].as_u64().unwrap())
        .collect();
    let unique: HashSet<_> = runs.iter().collect();
    assert_eq!((runs.len(), unique.len()), (8, 8), "each run recorded once");
    assert_eq!(report(&[&whole]), merged);

    // A corrupt line is reported with its line number.
    let mut text = std::fs::read_to_string(&whole).unwrap();
    text.push_str("{not json\n");
    std::fs::write(&whole, text).unwrap();
    assert_usage_error(&["sweep", "report", whole.to_str().unwrap()], ":9:");
    assert_usage_error(
        &["sweep", "--grid-file", g, "--out", whole.to_str().unwrap()],
        ":9:",
    );
    for f in [&grid, &whole, &s0, &s1] {
        let _ = std::fs::remove_file(f);
    }
}

#[test]
fn bad_sweep_input_exits_2_with_one_line() {
    assert_usage_error(&["sweep", "--grid", "nope"], "unknown grid 'nope'");
    assert_usage_error(
        &["sweep", "--grid", "parity-quick", "--shard", "2/2"],
        "shard",
    );
    assert_usage_error(&["sweep", "--grid", "parity-quick", "--jobs", "0"], "jobs");
    assert_usage_error(&["sweep"], "--grid");
    let bad = tmp("bad.json");
    std::fs::write(&bad, "{\"name\": 3}").unwrap();
    assert_usage_error(
        &["sweep", "--grid-file", bad.to_str().unwrap()],
        "malformed grid file",
    );
    std::fs::write(&bad, TINY.replace("n_train", "n_trains")).unwrap();
    assert_usage_error(
        &["sweep", "--grid-file", bad.to_str().unwrap()],
        "unknown setting 'n_trains'",
    );
    std::fs::write(&bad, TINY.replace("[0.1, 1.0]", "[-0.1, 1.0]")).unwrap();
    assert_usage_error(
        &["sweep", "--grid-file", bad.to_str().unwrap()],
        "weight decay",
    );
    assert_usage_error(
        &["sweep", "--grid-file", "/nonexistent/grid.json"],
        "/nonexistent/grid.json",
    );
    let _ = std::fs::remove_file(&bad);
}

#[test]
fn watch_without_a_terminal_prints_like_a_plain_sweep() {
    // stdout is a pipe here: --watch falls back to JSON lines and the tables.
    let grid = tmp("watch.json");
    std::fs::write(&grid, TINY.replace("[0, 1]", "[0]")).unwrap();
    let out = grokscope_ok(&["sweep", "--grid-file", grid.to_str().unwrap(), "--watch"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 4);
    assert!(String::from_utf8_lossy(&out.stderr).contains("wd \\ train"));
    let _ = std::fs::remove_file(&grid);
}

/// Run the grid file `grid` (written as `name`) on one job; its first record.
fn first_record(name: &str, grid: &str) -> serde_json::Value {
    let g = tmp(name);
    std::fs::write(&g, grid).unwrap();
    let out = grokscope(&["sweep", "--grid-file", g.to_str().unwrap(), "--jobs", "1"]);
    assert!(out.status.success(), "{out:?}");
    let line = String::from_utf8(out.stdout).unwrap();
    serde_json::from_str(line.lines().next().unwrap()).unwrap()
}

/// The reverse-grok preset shows what it is named for, in the real engine: its seed's curve
/// passes sweep::Phenomenon's reverse-grok rule (test loss ×8.7 from its low while the
/// training loss keeps falling) and no other.
#[test]
fn the_reverse_grok_preset_shows_reverse_grokking() {
    let record = first_record(
        "reverse.json",
        r#"{"name": "rg", "preset": "reverse-grok", "every": 200, "stop_early": false,
            "axes": [["seed", [68]]]}"#,
    );
    assert_eq!(
        record["shows"],
        serde_json::json!(["reverse-grok"]),
        "{record}"
    );
    assert_eq!(record["steps"], 20_000, "trained to the end");
    assert_eq!(record["curve"].as_array().unwrap().len(), 101);
}

/// The parity preset shows the article's "train loss gets a bit worse" in the real engine:
/// its seed memorizes (training set fitted at test accuracy near chance), its training loss
/// then rises from its low (×2.4 here), and it generalizes (sweep::Phenomenon's
/// train-loss-rise rule); 2,000 of its 8,000 steps are enough to see it.
#[test]
fn the_parity_preset_shows_the_train_loss_rise() {
    let record = first_record(
        "parity-rise.json",
        r#"{"name": "pr", "preset": "parity", "every": 100, "stop_early": false,
            "base": {"steps": 2000}, "axes": [["seed", [1]]]}"#,
    );
    assert_eq!(
        record["shows"],
        serde_json::json!(["train-loss-rise"]),
        "{record}"
    );
    assert_eq!(record["settings"]["decay"], "l1");
    assert!(record["test_acc_99"].as_u64().unwrap() <= 1500, "{record}");
}
