//! The file and stream contract: bounded reads of regular files only, outputs that
//! must be files, honest statuses when stdout fails, torn sweep lines, absurd checkpoints.

mod common;

use common::{assert_usage_error, grokscope, grokscope_ok};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn tmpdir(name: &str) -> PathBuf {
    common::scratch("files", name)
}

/// A one-run parity grid that trains in a moment.
const TINY_GRID: &str = r#"{"name": "tiny", "preset": "parity", "base": {"steps": 20, "hidden": 8, "n_train": 100, "n_test": 100}, "every": 10, "axes": [["seed", [0, 1]]]}"#;

#[test]
fn devices_and_pipes_are_refused_where_a_file_is_needed() {
    let t0 = Instant::now();
    assert_usage_error(&["sweep", "report", "/dev/zero"], "not a regular file");
    assert_usage_error(&["sweep", "--grid-file", "/dev/zero"], "not a regular file");
    assert_usage_error(
        &["sweep", "--grid", "parity-quick", "--out", "/dev/full"],
        "not a regular file",
    );
    assert_usage_error(&["sweep", "report", "/tmp"], "not a regular file");
    assert!(t0.elapsed() < Duration::from_secs(10), "nothing was read");
    // `--out /dev/stdout | cat`: refused at once instead of blocking on its own pipe.
    let out = Command::new(env!("CARGO_BIN_EXE_grokscope"))
        .args(["sweep", "--grid", "parity-quick", "--out", "/dev/stdout"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a regular file"));
}

#[test]
fn huge_grids_and_seed_counts_are_refused_before_anything_is_built() {
    let dir = tmpdir("huge");
    let axis: Vec<String> = (0..2_000_000).map(|i| i.to_string()).collect();
    let grid = format!(
        r#"{{"name": "big", "preset": "parity", "every": 10, "axes": [["seed", [{}]]]}}"#,
        axis.join(",")
    );
    let path = dir.join("big.json");
    std::fs::write(&path, grid).unwrap();
    let t0 = Instant::now();
    assert_usage_error(
        &["sweep", "--grid-file", path.to_str().unwrap()],
        "grid has 2000000 runs (limit 1000000)",
    );
    assert!(t0.elapsed() < Duration::from_secs(10), "{:?}", t0.elapsed());
    let cube = r#"{"name": "cube", "preset": "parity", "every": 10, "axes": [["seed", [0,1,2,3,4,5,6,7,8,9]], ["hidden", [1,2,3,4,5,6,7,8,9,10]], ["n_train", [1,2,3,4,5,6,7,8,9,10]], ["n_test", [1,2,3,4,5,6,7,8,9,10]], ["lr", [1,2,3,4,5,6,7,8,9,10]], ["steps", [1,2,3,4,5,6,7,8,9,10]], ["k_bits", [1,2,3,4,5,6,7,8,9,10]]]}"#;
    std::fs::write(&path, cube).unwrap();
    assert_usage_error(
        &["sweep", "--grid-file", path.to_str().unwrap()],
        "10000000 runs",
    );
    for seeds in ["1000000000", "18446744073709551615"] {
        assert_usage_error(
            &["sweep", "--grid", "mod-add-seeds", "--seeds", seeds],
            "--seeds must be in 1..=100000",
        );
    }
    assert_usage_error(
        &["sweep", "--grid", "mod-add-seeds", "--seeds", "-1"],
        "negative",
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_torn_last_line_is_dropped_and_the_sweep_continues() {
    let dir = tmpdir("torn");
    let grid = dir.join("grid.json");
    std::fs::write(&grid, TINY_GRID).unwrap();
    let out = dir.join("out.jsonl");
    let o = out.to_str().unwrap();
    grokscope_ok(&common::sweep_one_job(&grid, &out));
    let text = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2);
    // A kill while writing the second record: half of it, no newline.
    let torn = format!("{}\n{}", lines[0], &lines[1][..lines[1].len() / 2]);
    std::fs::write(&out, &torn).unwrap();
    let report = grokscope(&["sweep", "report", o]);
    let err = String::from_utf8_lossy(&report.stderr);
    assert!(report.status.success(), "{err}");
    assert!(
        err.contains("out.jsonl:2: dropped a torn last line"),
        "{err}"
    );
    grokscope_ok(&common::sweep_one_job(&grid, &out));
    let again = std::fs::read_to_string(&out).unwrap();
    assert_eq!(
        again.lines().count(),
        2,
        "the torn record was redone: {again}"
    );
    assert!(again.ends_with('\n'));
    for l in again.lines() {
        serde_json::from_str::<serde_json::Value>(l).unwrap();
    }
    // Corruption in the middle is still refused.
    std::fs::write(&out, format!("{{oops\n{}\n", lines[0])).unwrap();
    assert_usage_error(&["sweep", "report", o], "out.jsonl:1: not a sweep record");
    std::fs::remove_dir_all(&dir).ok();
}

/// A last line without its newline is taken for a torn record only when it is cut short:
/// whole JSON that is no record (a grid file given to `sweep report` or as `--out`, its last
/// line unterminated) is refused as not a record, never dropped as if torn.
#[test]
fn whole_json_without_a_newline_is_not_taken_for_a_torn_record() {
    let dir = tmpdir("not-torn");
    let grid = dir.join("grid.json");
    std::fs::write(&grid, TINY_GRID).unwrap();
    let out = dir.join("out.jsonl");
    grokscope_ok(&common::sweep_one_job(&grid, &out));
    let (o, g) = (out.to_str().unwrap(), grid.to_str().unwrap());
    assert_usage_error(
        &["sweep", "report", o, g],
        "grid.json:1: not a sweep record",
    );
    let foreign = dir.join("foreign.jsonl");
    std::fs::write(&foreign, TINY_GRID.trim_end()).unwrap();
    assert_usage_error(
        &common::sweep_one_job(&grid, &foreign),
        "foreign.jsonl:1: not a sweep record",
    );
    assert_eq!(
        std::fs::read_to_string(&foreign).unwrap(),
        TINY_GRID.trim_end(),
        "the foreign file is left as it was"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// `run` of a small parity model for `steps` steps, metrics every 10, then `more`.
fn parity_run<'a>(steps: &'a str, more: &[&'a str]) -> Vec<&'a str> {
    let run = [
        "run", "--preset", "parity", "--hidden", "8", "--steps", steps, "--every", "10",
    ];
    [&run[..], more].concat()
}

/// Run grokscope with stdout on /dev/full.
fn to_dev_full(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_grokscope"))
        .args(args)
        .stdout(
            std::fs::OpenOptions::new()
                .write(true)
                .open("/dev/full")
                .unwrap(),
        )
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

#[test]
fn a_full_stdout_is_status_1_and_out_still_gets_its_files() {
    for args in [parity_run("20", &[]), vec!["presets"]] {
        let out = to_dev_full(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(err.contains("writing to stdout"), "{err}");
    }
    let dir = tmpdir("full");
    let d = dir.join("run");
    let out = to_dev_full(&parity_run("20", &["--out", d.to_str().unwrap()]));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    for f in ["metrics.jsonl", "summary.json", "checkpoint.safetensors"] {
        assert!(d.join(f).exists(), "{f} in --out");
    }
    assert_eq!(
        std::fs::read_to_string(d.join("metrics.jsonl"))
            .unwrap()
            .lines()
            .count(),
        4
    );
    let grid = dir.join("grid.json");
    std::fs::write(&grid, TINY_GRID).unwrap();
    let sweep = to_dev_full(&[
        "sweep",
        "--grid-file",
        grid.to_str().unwrap(),
        "--jobs",
        "1",
    ]);
    assert_eq!(
        sweep.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&sweep.stderr)
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_checkpoint_with_a_valid_checksum_and_an_absurd_shape_is_refused() {
    let dir = tmpdir("shape");
    let d = dir.join("run");
    let ok = grokscope(&parity_run("10", &["--out", d.to_str().unwrap()]));
    assert!(ok.status.success());
    let path = d.join("checkpoint.safetensors");
    let real = std::fs::read(&path).unwrap();
    let resume_refused =
        |why: &str| assert_usage_error(&["run", "--resume", d.to_str().unwrap()], why);
    // An absurd shape (offsets left): the file no longer tiles its bytes, refused before
    // anything is allocated from it.
    for rows in [4_611_686_018_427_387_904u64, 3] {
        common::forge_checkpoint(&path, |h| h["w1"]["shape"][0] = serde_json::json!(rows));
        resume_refused("not a whole safetensors file");
        std::fs::write(&path, &real).unwrap();
    }
    // Other settings (a wider model) with the identity to match, checksum redone: the
    // tensors are not the model those settings build.
    common::forge_checkpoint(&path, |h| {
        let meta = &mut h["__metadata__"];
        let mut cfg: grokscope::train::Config =
            serde_json::from_str(meta["config"].as_str().unwrap()).unwrap();
        cfg.hidden = 4096;
        meta["config"] = serde_json::json!(serde_json::to_string(&cfg).unwrap());
        meta["identity"] = serde_json::json!(grokscope::train::identity::identity(&cfg));
    });
    resume_refused("tensors do not match the model");
    // The settings edited but not the identity: forged.
    std::fs::write(&path, &real).unwrap();
    common::forge_checkpoint(&path, |h| {
        let meta = &mut h["__metadata__"];
        let mut cfg: serde_json::Value =
            serde_json::from_str(meta["config"].as_str().unwrap()).unwrap();
        cfg["seed"] = serde_json::json!(7);
        meta["config"] = serde_json::json!(cfg.to_string());
    });
    resume_refused("is not its settings'");
    std::fs::remove_dir_all(&dir).ok();
}
