//! Checkpoints are safetensors files: numpy reads them with `safetensors.numpy.load_file`
//! (checked when a Python with the `safetensors` package is at hand, `GROKSCOPE_TEST_PYTHON`
//! or `python3`; the test says it skipped otherwise), their metadata holds the run's settings
//! and step; a damaged file is refused, never half read; and a run directory kept before
//! (a `checkpoint.grok` of the format before) still resumes, to the same bytes as a run never
//! stopped.

mod common;

use common::{grokscope, grokscope_ok, tmpdir};
use grokscope::train::{Threads, Trainer, checkpoint, presets};
use std::path::Path;
use std::process::Command;

fn trained(steps: usize) -> Trainer {
    let mut cfg = presets::find("parity").unwrap().config;
    cfg.hidden = 8;
    let mut t = Trainer::new(cfg, Threads(1)).unwrap();
    for _ in 0..steps {
        t.step().unwrap();
    }
    t
}

#[test]
fn a_checkpoint_is_a_safetensors_file_with_the_runs_settings_and_optimizer_state() {
    let t = trained(7);
    let bytes = checkpoint::encode(&t);
    let st = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let mut names = st.names();
    names.sort();
    assert_eq!(
        names,
        [
            "adam.m.w1",
            "adam.m.w2",
            "adam.v.w1",
            "adam.v.w2",
            "w1",
            "w2"
        ]
    );
    let (_, info) = safetensors::SafeTensors::read_metadata(&bytes).unwrap();
    let meta = info.metadata().clone().unwrap();
    assert_eq!(meta["format"], "grokscope-checkpoint");
    assert_eq!(meta["step"], "7");
    assert_eq!(meta["optimizer"], "adamw");
    let cfg: grokscope::train::Config = serde_json::from_str(&meta["config"]).unwrap();
    assert_eq!(&cfg, t.config());
    assert_eq!(meta["identity"], grokscope::train::identity::identity(&cfg));
    // The weights are the model's, value for value.
    let w1 = st.tensor("w1").unwrap();
    let model = &t.params()[0].w;
    assert_eq!(w1.shape(), [model.nrows(), model.ncols()]);
    let stored: Vec<f32> = w1
        .data()
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
        .collect();
    assert_eq!(stored, model.iter().copied().collect::<Vec<_>>());
    // The same state gives the same bytes, and loads back to it.
    let again = checkpoint::decode(&bytes, "mem", Threads(1)).unwrap();
    assert_eq!(again.step_count(), 7);
    assert!(checkpoint::encode(&again) == bytes);
}

/// Every damaged copy (bytes flipped at places drawn from a fixed-seed stream, or cut short)
/// is refused with a reason or, where the damage touched only the header's padding, loads
/// to the very same state. Nothing panics.
#[test]
fn damaged_checkpoints_are_refused_or_unchanged() {
    let t = trained(3);
    let bytes = checkpoint::encode(&t);
    let mut draw = common::splitmix_uniform(26);
    let (mut refused, mut same) = (0, 0);
    for i in 0..400 {
        let mut bad = bytes.clone();
        if i % 4 == 3 {
            bad.truncate((draw() * bytes.len() as f32) as usize);
        } else {
            let at = ((draw() * bytes.len() as f32) as usize).min(bytes.len() - 1);
            bad[at] ^= 1 << (i % 8);
        }
        match checkpoint::decode(&bad, "damaged", Threads(1)) {
            Err(e) => {
                assert!(!e.to_string().contains('\n'), "{e}");
                refused += 1;
            }
            Ok(back) => {
                assert!(
                    checkpoint::encode(&back) == bytes,
                    "damage {i} was taken in"
                );
                same += 1;
            }
        }
    }
    assert!(refused > 350, "{refused} refused, {same} unchanged");
}

/// Python's view of a checkpoint: tensor names and shapes, dtypes, metadata and w1's values.
const READ: &str = r#"
import json, sys
from safetensors import safe_open
from safetensors.numpy import load_file
t = load_file(sys.argv[1])
with safe_open(sys.argv[1], "np") as f:
    meta = f.metadata()
print(json.dumps({
    "shapes": {k: list(v.shape) for k, v in t.items()},
    "dtypes": sorted({str(v.dtype) for v in t.values()}),
    "meta": meta,
    "w1": [float(x) for x in t["w1"].ravel()],
}))
"#;

/// The Python to read checkpoints with: `GROKSCOPE_TEST_PYTHON` when set (it must have the
/// packages: CI names one, so the check cannot quietly skip there), else `python3` if it
/// has them, else none.
fn python() -> Option<String> {
    let named = std::env::var("GROKSCOPE_TEST_PYTHON").ok();
    let py = named.clone().unwrap_or("python3".into());
    let has = Command::new(&py)
        .args(["-c", "import safetensors.numpy, numpy"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        has || named.is_none(),
        "GROKSCOPE_TEST_PYTHON={py} cannot import safetensors.numpy and numpy"
    );
    has.then_some(py)
}

#[test]
fn numpy_loads_a_checkpoint_with_safetensors() {
    let Some(py) = python() else {
        eprintln!(
            "skipped: no Python with the safetensors package (set GROKSCOPE_TEST_PYTHON to one)"
        );
        return;
    };
    let dir = common::scratch("st-python", "a");
    let path = dir.join("checkpoint.safetensors");
    let t = trained(5);
    checkpoint::save(&t, &path).unwrap();
    let out = Command::new(py)
        .args(["-c", READ, path.to_str().unwrap()])
        .output()
        .unwrap();
    common::assert_ok(&out);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let (h, k) = (t.config().hidden, t.config().parity_inputs());
    assert_eq!(v["shapes"]["w1"], serde_json::json!([k, h]));
    assert_eq!(v["shapes"]["adam.v.w2"], serde_json::json!([h, 1]));
    assert_eq!(v["shapes"].as_object().unwrap().len(), 6);
    assert_eq!(v["dtypes"], serde_json::json!(["float32"]));
    assert_eq!(v["meta"]["step"], "5");
    let cfg: grokscope::train::Config =
        serde_json::from_str(v["meta"]["config"].as_str().unwrap()).unwrap();
    assert_eq!(&cfg, t.config());
    let want: Vec<f64> = t.params()[0].w.iter().map(|&x| f64::from(x)).collect();
    let got: Vec<f64> = serde_json::from_value(v["w1"].clone()).unwrap();
    assert_eq!(got, want);
    std::fs::remove_dir_all(&dir).unwrap();
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

/// `tests/data/old-run` was kept by grokscope before checkpoints were safetensors files
/// (`run --preset five-neurons --steps 600 --every 100 --frame-every 200 --out DIR`).
#[test]
fn a_directory_kept_with_the_old_checkpoint_format_still_resumes() {
    let old = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/old-run");
    let dir = tmpdir("st-old", "run");
    copy_dir(&old, &dir);
    let d = dir.to_str().unwrap();
    grokscope_ok(&["run", "--resume", d, "--out", d, "--steps", "800"]);
    assert!(
        !dir.join("checkpoint.grok").exists(),
        "the old checkpoint is replaced"
    );
    let whole = tmpdir("st-old", "whole");
    let w = whole.to_str().unwrap();
    let fresh = grokscope(&[
        "run",
        "--preset",
        "five-neurons",
        "--steps",
        "800",
        "--every",
        "100",
        "--frame-every",
        "200",
        "--out",
        w,
    ]);
    assert!(fresh.status.success());
    assert_eq!(common::metrics_lines(&dir), common::metrics_lines(&whole));
    // The same state, byte for byte (the metrics lines' digest noted beside it differs:
    // the lines hold wall-clock times).
    assert!(
        common::checkpoint_state(&dir) == common::checkpoint_state(&whole),
        "the resumed run's checkpoint is the uninterrupted run's"
    );
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::remove_dir_all(&whole).unwrap();
}
