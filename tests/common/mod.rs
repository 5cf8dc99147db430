//! Helpers shared by the integration tests: running the `grokscope` binary, deterministic
//! test weights, where insta keeps the snapshots and where the recorded runs they draw are.
#![allow(dead_code)] // each test crate uses its own subset

use std::process::{Command, Output};

pub mod dashboard;
mod files;
pub mod mechanism;
mod process;
pub mod sweep;
#[allow(unused_imports)] // each test crate uses its own subset
pub use {files::*, process::*};

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

/// SplitMix64 → uniform f32 in [−1, 1): deterministic test weights without a dependency.
pub fn splitmix_uniform(seed: u64) -> impl FnMut() -> f32 {
    let mut state = seed;
    move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0
    }
}

/// A rows × cols matrix of `splitmix_uniform(seed)` draws, row by row.
pub fn random_matrix(rows: usize, cols: usize, seed: u64) -> ndarray::Array2<f32> {
    let mut uniform = splitmix_uniform(seed);
    ndarray::Array2::from_shape_fn((rows, cols), |_| uniform())
}

/// insta settings that keep snapshots in the top-level `snapshots/` directory under their
/// own names.
pub fn snapshot_settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"));
    s.set_prepend_module_to_snapshot(false);
    s
}

/// A fresh (removed if present) directory under the temp dir, named after the test file's
/// `prefix`, this process and `name`.
pub fn tmpdir(prefix: &str, name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("grokscope-{prefix}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// `grokscope run ARGS --out DIR` into a fresh directory, which it returns; the run must
/// succeed.
pub fn kept_run(prefix: &str, name: &str, args: &[&str]) -> std::path::PathBuf {
    let dir = tmpdir(prefix, name);
    let out = grokscope(&[&["run"][..], args, &["--out", dir.to_str().unwrap()]].concat());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

/// The recorded run `tests/fixtures/NAME` (see tests/fixtures.rs), which the views' snapshots
/// draw instead of training on the machine running the tests.
pub fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures")).join(name)
}

/// A dashboard playing the recorded run `tests/fixtures/NAME`, at its step 0.
pub fn played(name: &str) -> grokscope::app::harness::Harness {
    grokscope::app::harness::Harness::from_fixture(&fixture(name))
        .unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

/// The settings of the two small mod-add runs `replay DIR DIR2` draws on the same axes: quick,
/// yet seed 2 generalizes more than seed 1 (`--seed` follows).
pub const PAIR_RUN: [&str; 16] = [
    "--preset",
    "mod-add",
    "--modulus",
    "23",
    "--hidden",
    "32",
    "--embed",
    "8",
    "--train-frac",
    "0.6",
    "--lr",
    "0.01",
    "--steps",
    "600",
    "--every",
    "20",
];

/// FNV-1a 64, the checksum grokscope's kept files use.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The JSON header of a safetensors checkpoint.
pub fn checkpoint_header(path: &std::path::Path) -> serde_json::Value {
    let bytes = std::fs::read(path).unwrap();
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    serde_json::from_slice(&bytes[8..8 + n]).unwrap()
}

/// Rewrite the safetensors checkpoint at `path` with its header edited by `edit`, the
/// checksum redone as grokscope computes it (the other metadata as sorted JSON, then each
/// tensor's name and bytes in file order): a well-formed file that lies.
pub fn forge_checkpoint(path: &std::path::Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let bytes = std::fs::read(path).unwrap();
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let mut header: serde_json::Value = serde_json::from_slice(&bytes[8..8 + n]).unwrap();
    let data = &bytes[8 + n..];
    edit(&mut header);
    let obj = header.as_object_mut().unwrap();
    let mut meta: std::collections::BTreeMap<String, String> =
        serde_json::from_value(obj["__metadata__"].clone()).unwrap();
    meta.remove("checksum");
    let mut tensors: Vec<(String, usize, usize)> = obj
        .iter()
        .filter(|(k, _)| k.as_str() != "__metadata__")
        .map(|(k, v)| {
            let o = &v["data_offsets"];
            (
                k.clone(),
                o[0].as_u64().unwrap() as usize,
                o[1].as_u64().unwrap() as usize,
            )
        })
        .collect();
    tensors.sort_by_key(|t| t.1);
    let mut summed = serde_json::to_vec(&meta).unwrap();
    for (name, a, b) in &tensors {
        summed.extend_from_slice(name.as_bytes());
        summed.extend_from_slice(&data[(*a).min(data.len())..(*b).min(data.len())]);
    }
    meta.insert("checksum".into(), format!("{:016x}", fnv1a(&summed)));
    obj.insert("__metadata__".into(), serde_json::to_value(&meta).unwrap());
    let mut json = serde_json::to_vec(&header).unwrap();
    json.resize(json.len().div_ceil(8) * 8, b' ');
    let mut out = (json.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(&json);
    out.extend_from_slice(data);
    std::fs::write(path, out).unwrap();
}

/// The colour modes the views' tests draw in: 24-bit colour, and none (`NO_COLOR`).
pub const TRUE: grokscope::ui::Theme = grokscope::ui::Theme {
    mode: grokscope::ui::ColorMode::TrueColor,
};
pub const PLAIN: grokscope::ui::Theme = grokscope::ui::Theme {
    mode: grokscope::ui::ColorMode::None,
};

/// A key press without modifiers.
pub fn key(c: crossterm::event::KeyCode) -> crossterm::event::KeyEvent {
    crossterm::event::KeyEvent::new(c, crossterm::event::KeyModifiers::NONE)
}
