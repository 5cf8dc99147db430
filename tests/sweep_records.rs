//! Sweep records are keyed by what they ran: an edited grid file (or one borrowing a
//! built-in grid's name) retrains the runs whose settings changed and says so, and its
//! report counts the later records; a last record without its newline gets one before the
//! next is appended; `sweep report` counts a record by its own numbers and names any record
//! that disagrees with them.

mod common;

use common::grokscope;
use std::path::Path;

/// A grid of tiny parity runs (20 steps) with `extra` base settings and these seeds.
fn grid(name: &str, lr: f64, seeds: &[u64]) -> String {
    format!(
        r#"{{"name": "{name}", "preset": "parity", "base": {{"steps": 20, "hidden": 8, "n_train": 100, "n_test": 100, "lr": {lr}}}, "every": 10, "axes": [["seed", {seeds:?}]]}}"#
    )
}

/// `sweep --grid-file G --out O`: its stderr, after checking it succeeded.
fn sweep(dir: &Path, grid_text: &str) -> String {
    let g = dir.join("grid.json");
    std::fs::write(&g, grid_text).unwrap();
    let out = grokscope(&common::sweep_one_job(&g, &dir.join("out.jsonl")));
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{err}");
    err
}

fn records(dir: &Path) -> Vec<serde_json::Value> {
    common::read_json_lines(&dir.join("out.jsonl"))
}

/// `sweep report FILE`: (stdout, stderr), after checking it succeeded.
fn report(file: &Path) -> (String, String) {
    let out = grokscope(&["sweep", "report", file.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{err}");
    (String::from_utf8_lossy(&out.stdout).into_owned(), err)
}

/// The counts of the report's first row: runs, fail, memorize, generalize, grok.
fn all_row(report: &str) -> Vec<u64> {
    report
        .lines()
        .nth(1)
        .unwrap()
        .split_whitespace()
        .map(|c| c.parse().unwrap())
        .collect()
}

#[test]
fn an_edited_grid_retrains_what_changed_and_says_so() {
    let dir = common::scratch("records", "edited");
    sweep(&dir, &grid("mine", 0.002, &[0, 1]));
    assert_eq!(records(&dir).len(), 2);
    // Same name and output, another seed for run 1: run 0 stands, run 1 is trained again.
    let err = sweep(&dir, &grid("mine", 0.002, &[0, 2]));
    assert!(
        err.contains("1 runs were recorded with other settings"),
        "{err}"
    );
    let r = records(&dir);
    assert_eq!(r.len(), 3);
    assert_eq!(
        (r[2]["run"].as_u64(), r[2]["settings"]["seed"].as_u64()),
        (Some(1), Some(2))
    );
    // Another learning rate: every run.
    let err = sweep(&dir, &grid("mine", 0.004, &[0, 2]));
    assert!(
        err.contains("2 runs were recorded with other settings"),
        "{err}"
    );
    assert_eq!(records(&dir).len(), 5);
    // Nothing changed: nothing trained.
    let err = sweep(&dir, &grid("mine", 0.004, &[0, 2]));
    assert!(!err.contains("training them again"), "{err}");
    assert_eq!(records(&dir).len(), 5);
    // The report counts the grid as it is now: two runs, the later records.
    let (tables, notes) = report(&dir.join("out.jsonl"));
    assert_eq!(all_row(&tables)[0], 2, "{tables}");
    assert!(
        notes.contains("recorded again with other settings"),
        "{notes}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_grid_file_named_like_a_built_in_grid_does_not_take_its_records() {
    let dir = common::scratch("records", "borrowed");
    sweep(&dir, &grid("parity-quick", 0.002, &[0, 1]));
    // The same lines as the built-in grid's runs 0 and 1 would be: its settings.
    let builtin = grokscope::sweep::Grid::builtin("parity-quick", 20)
        .unwrap()
        .expand()
        .unwrap();
    let lines: Vec<String> = records(&dir)
        .into_iter()
        .map(|mut r| {
            let i = r["run"].as_u64().unwrap() as usize;
            r["settings"] = serde_json::to_value(&builtin[i].config).unwrap();
            r.to_string()
        })
        .collect();
    std::fs::write(dir.join("out.jsonl"), lines.join("\n") + "\n").unwrap();
    let err = sweep(&dir, &grid("parity-quick", 0.002, &[0, 1]));
    assert!(
        err.contains("2 runs were recorded with other settings"),
        "{err}"
    );
    assert_eq!(records(&dir).len(), 4);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_last_record_without_its_newline_gets_one_before_the_next() {
    let dir = common::scratch("records", "newline");
    sweep(&dir, &grid("mine", 0.002, &[0, 1]));
    let out = dir.join("out.jsonl");
    let text = std::fs::read_to_string(&out).unwrap();
    std::fs::write(&out, text.trim_end()).unwrap();
    sweep(&dir, &grid("mine", 0.002, &[0, 1, 2]));
    assert_eq!(records(&dir).len(), 3, "three whole lines");
    assert_eq!(all_row(&report(&out).0)[0], 3);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn sweep_report_counts_a_record_by_its_own_numbers() {
    let dir = common::scratch("records", "audit");
    sweep(&dir, &grid("mine", 0.002, &[0, 1, 2]));
    let mut r = records(&dir);
    assert!(
        r.iter().all(|r| r["class"] == "fail"),
        "20 steps fit nothing"
    );
    // Run 0 claims a grok its minimum losses deny; run 1's minimum train loss was edited
    // below its curve's (which says fail).
    r[0]["class"] = "grok".into();
    r[1]["min_train_loss"] = 1e-9.into();
    let lines: Vec<String> = r.iter().map(|r| r.to_string()).collect();
    let out = dir.join("out.jsonl");
    std::fs::write(&out, lines.join("\n") + "\n").unwrap();
    let (tables, notes) = report(&out);
    assert_eq!(
        all_row(&tables),
        [3, 3, 0, 0, 0],
        "counted by their numbers: {tables}"
    );
    assert!(
        notes.contains("recorded as grok, its numbers say fail"),
        "{notes}"
    );
    assert!(notes.contains("not its curve's"), "{notes}");
    assert_eq!(notes.lines().count(), 2, "{notes}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A record whose minimum train loss was edited to 1e308 is named in one short line: the
/// numbers written compactly (not 309 digits), no run of blanks inside the sentence.
#[test]
fn a_record_note_names_a_huge_number_in_a_short_line() {
    let dir = common::scratch("records", "huge");
    sweep(&dir, &grid("mine", 0.002, &[0]));
    let mut r = records(&dir);
    r[0]["min_train_loss"] = 1e308.into();
    let out = dir.join("out.jsonl");
    std::fs::write(&out, r[0].to_string() + "\n").unwrap();
    let (_, notes) = report(&out);
    assert_eq!(notes.lines().count(), 1, "{notes}");
    assert!(notes.contains("1e308"), "{notes}");
    assert!(notes.trim_end().len() < 200, "{notes}");
    assert!(!notes.contains("  "), "{notes}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `sweep report` on files that hold no record (an empty shard, blank lines) says so in
/// one line, status 2, rather than printing tables of nothing.
#[test]
fn sweep_report_of_no_records_is_refused() {
    let dir = common::scratch("records", "none");
    let empty = dir.join("empty.jsonl");
    let blank = dir.join("blank.jsonl");
    std::fs::write(&empty, "").unwrap();
    std::fs::write(&blank, "\n\n").unwrap();
    let (e, b) = (empty.to_str().unwrap(), blank.to_str().unwrap());
    common::assert_usage_error(&["sweep", "report", e], "no sweep records");
    common::assert_usage_error(&["sweep", "report", e, b], "no sweep records");
    std::fs::remove_dir_all(&dir).unwrap();
}
