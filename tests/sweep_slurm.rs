//! `sweep --slurm`: the array script, run task by task as Slurm runs it (bash, with the
//! array's variables set), merges into the records of a one-process sweep. scripts/test-slurm
//! does the same on a real one-node cluster.

mod common;

use common::{assert_usage_error, grokscope_ok};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A tiny parity grid: 2 × 2 × 2 = 8 runs of 300 steps.
const TINY: &str = r#"{
  "name": "tiny", "preset": "parity-l2", "every": 50,
  "base": {"steps": 300, "hidden": 8, "n_test": 200},
  "axes": [["weight_decay", [0.1, 1.0]], ["n_train", [100, 200]], ["seed", [0, 1]]]
}"#;

fn scratch(name: &str) -> PathBuf {
    common::scratch("sweep-slurm", name)
}

/// The records of JSON-lines files, by run, without the one field that differs between two
/// trainings of the same run (its wall-clock time).
fn records(files: &[&Path]) -> Vec<serde_json::Value> {
    let mut all: Vec<serde_json::Value> = files
        .iter()
        .flat_map(|f| common::read_json_lines(f))
        .collect();
    for r in &mut all {
        r.as_object_mut().unwrap().remove("elapsed_s");
    }
    all.sort_by_key(|r| r["run"].as_u64());
    all
}

#[test]
fn an_array_run_task_by_task_merges_into_the_one_process_sweep() {
    let dir = scratch("array");
    let grid = dir.join("tiny.json");
    std::fs::write(&grid, TINY).unwrap();
    let job = dir.join("job");
    let o = grokscope_ok(&[
        "sweep",
        "--grid-file",
        grid.to_str().unwrap(),
        "--slurm",
        "3",
        "--out",
        job.to_str().unwrap(),
    ]);
    let told = String::from_utf8(o.stdout).unwrap();
    let script = job.join("sweep.sbatch");
    assert!(
        told.contains(&format!("submit: sbatch {}", script.display())),
        "{told}"
    );
    assert!(
        told.contains("8 runs in 3 array tasks of 1 CPU each"),
        "{told}"
    );

    // Slurm runs the script once per task with the array's variables set; the array may
    // come in any order.
    for id in [3, 1, 2] {
        let o = Command::new("bash")
            .arg(&script)
            .env("SLURM_ARRAY_TASK_ID", id.to_string())
            .env("SLURM_ARRAY_TASK_MIN", "1")
            .env("SLURM_ARRAY_TASK_MAX", "3")
            .env("SLURM_ARRAY_TASK_COUNT", "3")
            .env("SLURM_ARRAY_TASK_STEP", "1")
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "task {id}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let shards: Vec<PathBuf> = (1..=3)
        .map(|k| job.join(format!("shard-{k}.jsonl")))
        .collect();
    let per_shard: Vec<usize> = shards.iter().map(|s| records(&[s]).len()).collect();
    assert_eq!(per_shard, [3, 3, 2], "runs 0,3,6 / 1,4,7 / 2,5");

    let whole = dir.join("whole.jsonl");
    grokscope_ok(&common::sweep_one_job(&grid, &whole));
    let merged = records(&shards.iter().map(PathBuf::as_path).collect::<Vec<_>>());
    assert_eq!(merged.len(), 8);
    assert_eq!(merged, records(&[&whole]), "same runs, classes and numbers");

    // The merge command it printed reports as the one-process sweep does.
    let merge = told
        .lines()
        .find_map(|l| l.strip_prefix("merge:  "))
        .unwrap();
    let o = Command::new("bash").args(["-c", merge]).output().unwrap();
    common::assert_ok(&o);
    assert_eq!(
        String::from_utf8(o.stdout).unwrap(),
        common::sweep_report(&[&whole])
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_slurm_input_exits_2_with_one_line() {
    let dir = scratch("bad");
    let out = dir.join("job");
    let o = out.to_str().unwrap();
    let cases: [(&[&str], &str); 7] = [
        (&["--slurm", "0", "--out", o], "--slurm must be at least 1"),
        (&["--slurm", "19", "--out", o], "exceeds the grid's 18 runs"),
        (&["--slurm", "x", "--out", o], "--slurm"),
        (&["--slurm", "2"], "--out"),
        (&["--slurm", "2", "--out", o, "--shard", "0/2"], "--shard"),
        (&["--slurm", "2", "--out", o, "--watch"], "--watch"),
        (&["--slurm", "2", "--out", o, "--jobs", "0"], "--jobs"),
    ];
    for (more, says) in cases {
        let mut args = vec!["sweep", "--grid", "parity-quick"];
        args.extend(more);
        assert_usage_error(&args, says);
    }
    assert!(!out.exists(), "no directory made for a refused job");
    // --out names a file: no directory can be made there.
    std::fs::write(&out, "").unwrap();
    assert_usage_error(
        &[
            "sweep",
            "--grid",
            "parity-quick",
            "--slurm",
            "2",
            "--out",
            o,
        ],
        "job",
    );
    // Outside an array task, --shard slurm says what is missing.
    let o = Command::new(env!("CARGO_BIN_EXE_grokscope"))
        .args(["sweep", "--grid", "parity-quick", "--shard", "slurm"])
        .env_remove("SLURM_ARRAY_TASK_ID")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        err.trim_end(),
        "grokscope: --shard slurm: SLURM_ARRAY_TASK_ID is not set: run it as a task of an array job (sbatch --array)"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
