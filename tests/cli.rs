//! The command-line contract: output shapes, --out/--resume, and bad input ending
//! in one line on stderr with exit status 2.

mod common;

use common::{assert_usage_error, grokscope, grokscope_ok, json_lines};
use std::path::PathBuf;

fn tmpdir(name: &str) -> PathBuf {
    common::tmpdir("cli", name)
}

/// A modular-addition run that memorizes, then generalizes within a few thousand steps.
const SMALL_GROKKING: [&str; 6] = ["--modulus", "31", "--embed", "64", "--train-frac", "0.7"];

#[test]
fn bad_input_exits_2_with_one_line() {
    assert_usage_error(&["run", "--preset", "nope"], "unknown preset 'nope'");
    assert_usage_error(&["run", "--modulus", "1"], "modulus");
    assert_usage_error(&["run", "--modulus", "-5"], "modulus");
    assert_usage_error(&["run", "--train-frac", "1.5"], "train fraction");
    assert_usage_error(&["run", "--train-frac", "0"], "train fraction");
    assert_usage_error(&["run", "--hidden", "0"], "hidden");
    assert_usage_error(&["run", "--lr", "-0.1"], "learning rate");
    assert_usage_error(&["run", "--weight-decay", "-1"], "weight decay");
    assert_usage_error(&["run", "--activation", "tanh"], "tanh");
    assert_usage_error(&["run", "--decay", "l3"], "l3");
    assert_usage_error(&["run", "--seed", "abc"], "seed");
    assert_usage_error(&["run", "--every", "0"], "every");
    assert_usage_error(&["run", "--until", "2"], "until");
    assert_usage_error(&["run", "--threads", "0"], "threads");
    assert_usage_error(
        &["run", "--preset", "parity", "--train-frac", "0.5"],
        "train-size",
    );
    assert_usage_error(&["bench", "--preset", "nope"], "unknown preset");
    assert_usage_error(&["bench", "--lr", "-1"], "learning rate");
    assert_usage_error(&["--preset", "nope"], "unknown preset");
    assert_usage_error(&["frobnicate"], "frobnicate");
}

#[test]
fn unreadable_checkpoints_exit_2_with_one_line() {
    let dir = common::scratch("cli", "badckpt");
    let d = dir.to_str().unwrap();
    assert_usage_error(&["run", "--resume", d], "checkpoint.safetensors");
    // A checkpoint of the format before safetensors, cut short.
    std::fs::write(dir.join("checkpoint.grok"), b"GROKSCOPE-CKPT\n\x01\x00").unwrap();
    assert_usage_error(&["run", "--resume", d], "truncated");
    std::fs::remove_file(dir.join("checkpoint.grok")).unwrap();
    std::fs::write(
        dir.join("checkpoint.safetensors"),
        b"not a checkpoint at all",
    )
    .unwrap();
    assert_usage_error(&["run", "--resume", d], "not a grokscope checkpoint");
    // A safetensors file that is not grokscope's.
    let mut other = 16u64.to_le_bytes().to_vec();
    other.extend_from_slice(b"{}              ");
    std::fs::write(dir.join("checkpoint.safetensors"), other).unwrap();
    assert_usage_error(&["run", "--resume", d], "without grokscope's metadata");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn run_prints_metrics_lines_and_a_summary() {
    let out = grokscope_ok(&[
        "run", "--preset", "mod-add", "--embed", "64", "--steps", "300", "--every", "100",
    ]);
    assert!(
        out.stderr.is_empty(),
        "no progress bar when stderr is not a terminal"
    );
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 5, "steps 0, 100, 200, 300 and the summary");
    for (i, l) in lines[..4].iter().enumerate() {
        assert_eq!(l["step"], (i * 100) as u64);
        for key in [
            "train_loss",
            "test_loss",
            "train_acc",
            "test_acc",
            "weight_norm",
            "elapsed_s",
        ] {
            assert!(l[key].is_number(), "{key} in {l}");
        }
    }
    let s = &lines[4];
    assert_eq!(s["summary"], true);
    assert_eq!(s["steps"], 300);
    assert!(s["steps_per_s"].as_f64().unwrap() > 0.0);
    assert!(s["grokked_at"].is_null());
    assert_eq!(s["test_acc"], lines[3]["test_acc"]);
}

#[test]
fn until_stops_at_the_first_metrics_line_reaching_the_accuracy() {
    let out = grokscope(
        &[
            &["run", "--preset", "mod-add"][..],
            &SMALL_GROKKING,
            &["--every", "50", "--until", "0.9"],
        ]
        .concat(),
    );
    assert!(out.status.success());
    let lines = json_lines(&out);
    let summary = lines.last().unwrap();
    assert_eq!(summary["stopped"], "until");
    let last = &lines[lines.len() - 2];
    assert!(last["test_acc"].as_f64().unwrap() >= 0.9);
    assert!(
        lines[..lines.len() - 2]
            .iter()
            .all(|l| l["test_acc"].as_f64().unwrap() < 0.9)
    );
    assert_eq!(summary["steps"], last["step"]);
}

#[test]
fn csv_format_has_a_header_and_rows() {
    let out = grokscope(&[
        "run", "--preset", "parity", "--hidden", "8", "--steps", "20", "--every", "10", "--format",
        "csv",
    ]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let rows: Vec<_> = text.lines().collect();
    assert!(
        rows[0].starts_with("step,train_loss,test_loss,train_acc,test_acc,weight_norm,elapsed_s")
    );
    assert_eq!(rows.len(), 4);
    assert!(rows[3].starts_with("20,"));
    let summary: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&out.stderr).trim()).unwrap();
    assert_eq!(summary["summary"], true);
}

#[test]
fn out_and_resume_continue_the_run_exactly() {
    let common = ["--preset", "mod-add", "--embed", "48", "--every", "20"];
    let whole = tmpdir("whole");
    let half = tmpdir("half");
    let mut a = vec!["run", "--steps", "80", "--out", whole.to_str().unwrap()];
    a.extend(common);
    assert!(grokscope(&a).status.success());
    let mut b = vec!["run", "--steps", "40", "--out", half.to_str().unwrap()];
    b.extend(common);
    assert!(grokscope(&b).status.success());
    assert!(half.join("checkpoint.safetensors").exists());
    assert!(half.join("summary.json").exists());
    grokscope_ok(&[
        "run",
        "--resume",
        half.to_str().unwrap(),
        "--steps",
        "80",
        "--every",
        "20",
        "--out",
        half.to_str().unwrap(),
    ]);
    let whole_lines = common::metrics_lines(&whole);
    let resumed_lines = common::metrics_lines(&half);
    // Same metrics at every step, bit for bit, in one whole file.
    assert_eq!(whole_lines.len(), 6);
    assert_eq!(whole_lines[..5], resumed_lines[..5]);
    assert_eq!(resumed_lines.last().unwrap()["summary"], true);
    // The final checkpoints hold the same state, byte for byte (beside it each notes a
    // digest of its metrics lines, which hold wall-clock times).
    assert!(
        common::checkpoint_state(&whole) == common::checkpoint_state(&half),
        "the final checkpoints are identical"
    );
    // Resuming cannot change the model.
    assert_usage_error(
        &["run", "--resume", half.to_str().unwrap(), "--lr", "0.1"],
        "--lr",
    );
    // No temporary files are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&half)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty());
    std::fs::remove_dir_all(&whole).ok();
    std::fs::remove_dir_all(&half).ok();
}

#[test]
fn divergence_stops_with_a_clear_message() {
    let out = grokscope(&[
        "run", "--preset", "parity", "--lr", "1e30", "--steps", "200", "--every", "10",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("diverged"), "{err}");
    assert!(!err.contains("panicked"));
}

#[test]
fn bench_prints_one_json_object() {
    let out = grokscope(&[
        "bench",
        "--preset",
        "five-neurons",
        "--steps",
        "50",
        "--repeats",
        "3",
    ]);
    assert!(out.status.success());
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1);
    let b = &lines[0];
    assert_eq!(b["preset"], "five-neurons");
    assert_eq!(b["steps"], 50);
    assert_eq!(b["threads"], 1);
    assert!(b["steps_per_s"].as_f64().unwrap() > 0.0);
}

#[test]
fn presets_lists_every_preset() {
    let out = grokscope(&["presets", "--json"]);
    assert!(out.status.success());
    let names: Vec<String> = json_lines(&out)
        .iter()
        .map(|v| v["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        names,
        [
            "mod-add",
            "mod-add-collapsed",
            "mod-add-collapsed-in",
            "mod-add-collapsed-out",
            "reverse-grok",
            "regrok",
            "five-neurons",
            "parity",
            "parity-l2"
        ]
    );
    let text = grokscope(&["presets"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("source:"));
    // Sources name files of the source tree (searches/): the listing says a binary lacks them.
    assert!(text.contains("searches/"));
    assert!(text.contains("an installed binary does not carry them"));
}

#[test]
fn metrics_lines_carry_the_progress_measures() {
    // The small grokking configuration: by the time it generalizes, the spectrum is sparse
    // (Gini up, few key frequencies), the logits restricted to the key frequencies score as
    // well as the full model, and removing them leaves the training loss high.
    let out = grokscope(
        &[
            &["run"][..],
            &SMALL_GROKKING,
            &["--every", "250", "--until", "0.99"],
        ]
        .concat(),
    );
    assert!(out.status.success());
    let lines = json_lines(&out);
    let first = &lines[0];
    let last = &lines[lines.len() - 2];
    let f = |v: &serde_json::Value, k: &str| v[k].as_f64().unwrap_or_else(|| panic!("{k} in {v}"));
    assert!(f(last, "test_acc") >= 0.99);
    assert!(f(last, "gini") > f(first, "gini") + 0.3, "{first} → {last}");
    let keys = last["key_freqs"].as_array().unwrap();
    assert!((1..=5).contains(&keys.len()), "{keys:?}");
    assert!(f(last, "restricted_loss") < 10.0 * f(last, "train_loss").max(1e-7));
    assert!(f(last, "excluded_loss") > 1e4 * f(last, "train_loss"));
    assert!(last.get("informative_share").is_none());

    let parity = grokscope(&[
        "run", "--preset", "parity", "--hidden", "16", "--steps", "10", "--every", "10",
    ]);
    let lines = json_lines(&parity);
    let share = lines[0]["informative_share"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&share));
    assert!(lines[0].get("gini").is_none());
}

#[test]
fn construct_reports_the_circle_and_rejects_bad_input() {
    // `construct --modulus 67 --neurons N --activation A`: its one JSON line.
    let report = |neurons: &str, activation: &str| {
        let args = [
            "construct",
            "--modulus",
            "67",
            "--neurons",
            neurons,
            "--activation",
            activation,
        ];
        json_lines(&grokscope_ok(&args)).remove(0)
    };
    let square = report("5", "square");
    assert_eq!(square["modulus"], 67);
    assert_eq!(square["neurons"], 5);
    assert_eq!(square["activation"], "square");
    assert_eq!(square["accuracy"], 1.0);
    assert!(square["max_abs_error"].as_f64().unwrap() < 1e-9);
    let relu5 = report("5", "relu");
    assert_eq!(relu5["accuracy"], 1.0);
    assert!(
        relu5["max_abs_error"].as_f64().unwrap() > 1e-3,
        "ReLU only approximates"
    );
    let relu6 = report("6", "relu");
    assert!(relu6["accuracy"].as_f64().unwrap() < 1.0);
    assert_usage_error(
        &["construct", "--modulus", "67", "--neurons", "0"],
        "neurons",
    );
    assert_usage_error(
        &["construct", "--modulus", "1", "--neurons", "5"],
        "modulus",
    );
    assert_usage_error(
        &["construct", "--modulus", "67", "--neurons", "-3"],
        "neurons",
    );
    assert_usage_error(
        &[
            "construct",
            "--modulus",
            "67",
            "--neurons",
            "5",
            "--activation",
            "tanh",
        ],
        "tanh",
    );
}

#[test]
fn a_reader_that_closes_the_pipe_early_ends_the_command_quietly() {
    use std::process::{Command, Stdio};
    // `grokscope presets | head -1`: the reader goes away before the output is written.
    let mut child = Command::new(env!("CARGO_BIN_EXE_grokscope"))
        .arg("presets")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn grokscope");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait for grokscope");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "status {:?}, stderr: {stderr}",
        out.status
    );
    assert!(stderr.is_empty(), "stderr: {stderr}");
}
