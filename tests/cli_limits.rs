//! Bounds on the command line: settings that would exhaust memory, values that do
//! not survive the engine's f32 precision, negative and oversized numbers, thread counts and
//! repeats beyond what helps. Each ends with status 2 and one line naming what is wrong.

mod common;

use common::{assert_usage_error, grokscope, grokscope_ok};

#[test]
fn runs_too_large_to_allocate_are_refused_with_the_estimate() {
    // Each of these aborted with "memory allocation of N bytes failed" before.
    for args in [
        &["run", "--modulus", "2000"][..],
        &["run", "--embed", "65536", "--hidden", "65536"],
        &[
            "run",
            "--preset",
            "parity",
            "--train-size",
            "1000000",
            "--hidden",
            "65536",
        ],
        &["bench", "--modulus", "2000"],
    ] {
        assert_usage_error(args, "of memory (limit 2.0 GB)");
    }
    let out = grokscope(&["run", "--modulus", "2000"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("would need about 23.2 GB"), "{err}");
}

#[test]
fn values_the_engine_cannot_hold_in_f32_are_refused() {
    assert_usage_error(&["run", "--lr", "1e-320"], "rounds to 0");
    assert_usage_error(&["run", "--lr", "1e39"], "overflows");
    assert_usage_error(&["run", "--weight-decay", "1e-50"], "rounds to 0");
    assert_usage_error(&["run", "--lr", "1e400"], "finite");
}

#[test]
fn negative_and_oversized_numbers_are_values_with_a_reason() {
    assert_usage_error(&["run", "--steps", "-5"], "--steps must not be negative");
    assert_usage_error(&["run", "--seed", "-1"], "--seed must not be negative");
    assert_usage_error(
        &["run", "--weight-decay", "-inf"],
        "weight decay must be a finite",
    );
    assert_usage_error(
        &["run", "--lr", "-1e-3"],
        "learning rate must be a finite number >= 0",
    );
    assert_usage_error(
        &["run", "--seed", "18446744073709551616"],
        "--seed must be at most 18446744073709551615",
    );
    assert_usage_error(
        &["run", "--hidden", "ten"],
        "--hidden must be a whole number",
    );
}

#[test]
fn tiny_values_print_in_exponent_form() {
    let out = grokscope(&["run", "--train-frac", "1e-300"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("train fraction 1e-300 leaves"), "{err}");
    assert!(err.len() < 120, "one short line: {err}");
}

#[test]
fn threads_and_repeats_beyond_what_helps_are_refused() {
    assert_usage_error(&["run", "--threads", "1000000"], "exceeds this machine's");
    assert_usage_error(
        &["bench", "--threads", "-2"],
        "--threads must not be negative",
    );
    assert_usage_error(
        &["bench", "--repeats", "1000000000"],
        "--repeats must be in 1..=1000",
    );
    assert_usage_error(
        &["bench", "--repeats", "18446744073709551615"],
        "--repeats must be in 1..=1000",
    );
    assert_usage_error(&["bench", "--repeats", "0"], "--repeats");
    assert_usage_error(
        &["sweep", "--grid", "parity-quick", "--jobs", "1000000"],
        "--jobs 1000000 exceeds this machine's",
    );
}

#[test]
fn missing_required_arguments_are_named() {
    assert_usage_error(&["sweep", "report"], "not provided: <FILES>");
    assert_usage_error(&["construct"], "not provided: --modulus <M>, --neurons <N>");
    assert_usage_error(
        &["construct", "--modulus", "7"],
        "not provided: --neurons <N>",
    );
}

#[test]
fn construct_takes_moduli_up_to_500_and_refuses_one_more() {
    assert_usage_error(
        &["construct", "--modulus", "501", "--neurons", "5"],
        "modulus must be in 2..=500 (got 501)",
    );
    assert_usage_error(
        &["construct", "--modulus", "67", "--neurons", "4097"],
        "number of neurons must be in 1..=4096 (got 4097)",
    );
    let out = grokscope_ok(&["construct", "--modulus", "500", "--neurons", "5"]);
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // x² at even M: every pair but the M half a turn apart, whose logits all tie.
    assert_eq!(line["modulus"], 500);
    assert_eq!(line["ties"], 500);
    assert_eq!(line["accuracy"], 0.998);
}
