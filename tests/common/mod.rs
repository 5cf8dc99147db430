//! Helpers shared by the integration tests that run the `grokscope` binary.
#![allow(dead_code)] // each test crate uses its own subset

use std::process::{Command, Output};

pub fn grokscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_grokscope"))
        .args(args)
        .output()
        .expect("the binary runs")
}

pub fn json_lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect()
}

/// Status 2, exactly one non-empty line on stderr, nothing on stdout, no panic.
pub fn assert_usage_error(args: &[&str], mention: &str) {
    let out = grokscope(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "{args:?}: one line, got: {err}"
    );
    assert!(!err.contains("panicked"), "{args:?}: {err}");
    assert!(
        err.to_lowercase().contains(&mention.to_lowercase()),
        "{args:?}: '{err}' should mention '{mention}'"
    );
    assert!(out.stdout.is_empty(), "{args:?}: nothing on stdout");
}
