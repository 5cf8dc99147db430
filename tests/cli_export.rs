//! `grokscope export DIR --format npz|safetensors`: the kept run's final weights and frames as
//! named tensors, read back by the format's crate with exact values, and by numpy where
//! python3 with numpy is present.

mod common;

use common::{assert_usage_error, grokscope_ok};
use grokscope::train::keep::read_frames;
use grokscope::train::{Threads, Weights, checkpoint};
use std::path::{Path, PathBuf};

/// A kept run: five-neurons (factors in every frame) for 300 steps, a frame every 100.
fn kept(name: &str, args: &[&str]) -> PathBuf {
    common::kept_run("export", name, args)
}

const FIVE: [&str; 8] = [
    "--preset",
    "five-neurons",
    "--steps",
    "300",
    "--every",
    "100",
    "--frame-every",
    "100",
];

/// A tensor as expected: name, shape, f32 values.
type Expected = (String, Vec<usize>, Vec<f32>);

/// The values every export must hold: (name, shape, f32 values) for the weights, the steps.
fn expected(dir: &Path) -> (Vec<Expected>, Vec<i64>) {
    let t = checkpoint::load(&dir.join("checkpoint.safetensors"), Threads(1)).unwrap();
    let mut out = Vec::new();
    let push = |out: &mut Vec<_>, name: String, w: &Weights, prefix: Option<usize>| {
        for (n, a) in grokscope::train::keep::tensors(w) {
            let mut shape = vec![a.nrows(), a.ncols()];
            if let Some(f) = prefix {
                shape.insert(0, f);
            }
            out.push((
                format!("{name}{n}"),
                shape,
                a.iter().map(|&x| x as f32).collect::<Vec<_>>(),
            ));
        }
    };
    push(&mut out, String::new(), &t.weights(), None);
    let (_, frames) = read_frames(&dir.join("frames.bin")).unwrap();
    // Frames stacked: per tensor, frame after frame.
    let mut stacked: Vec<Expected> = Vec::new();
    for f in &frames {
        let mut one = Vec::new();
        push(&mut one, "frames.".into(), &f.weights, Some(frames.len()));
        if stacked.is_empty() {
            stacked = one;
        } else {
            for (s, o) in stacked.iter_mut().zip(one) {
                s.2.extend(o.2);
            }
        }
    }
    out.extend(stacked);
    (out, frames.iter().map(|f| f.metrics.step as i64).collect())
}

#[test]
fn npz_holds_the_named_tensors_with_exact_values() {
    let dir = kept("npz", &FIVE);
    let file = dir.join("w.npz");
    grokscope_ok(&[
        "export",
        dir.to_str().unwrap(),
        "--format",
        "npz",
        "--out",
        file.to_str().unwrap(),
    ]);
    let (want, steps) = expected(&dir);
    assert_eq!(steps, [0, 100, 200, 300]);
    let names: Vec<&str> = want.iter().map(|w| w.0.as_str()).collect();
    for n in [
        "w_input",
        "w_output",
        "embed",
        "in_proj",
        "out_proj",
        "frames.in_proj",
    ] {
        assert!(names.contains(&n), "{n} in {names:?}");
    }
    let mut npz = ndarray_npy::NpzReader::new(std::fs::File::open(&file).unwrap()).unwrap();
    for (name, shape, values) in &want {
        let a: ndarray::ArrayD<f32> = npz.by_name(name).unwrap();
        assert_eq!(a.shape(), &shape[..], "{name}");
        assert_eq!(a.iter().copied().collect::<Vec<_>>(), *values, "{name}");
    }
    let s: ndarray::ArrayD<i64> = npz.by_name("frames.step").unwrap();
    assert_eq!(s.iter().copied().collect::<Vec<_>>(), steps);
    let s: ndarray::ArrayD<i64> = npz.by_name("step").unwrap();
    assert_eq!(s.iter().copied().collect::<Vec<_>>(), [300]);
    let acc: ndarray::ArrayD<f64> = npz.by_name("frames.test_acc").unwrap();
    let (_, frames) = read_frames(&dir.join("frames.bin")).unwrap();
    assert_eq!(
        acc.iter().copied().collect::<Vec<_>>(),
        frames
            .iter()
            .map(|f| f.metrics.test_acc)
            .collect::<Vec<_>>()
    );
    numpy_check(&file, &want, &steps);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn safetensors_holds_the_named_tensors_with_exact_values_and_the_run() {
    let dir = kept(
        "st",
        &[
            "--preset", "parity", "--hidden", "8", "--steps", "40", "--every", "10",
        ],
    );
    grokscope_ok(&["export", dir.to_str().unwrap(), "--format", "safetensors"]);
    let file = dir.join("weights.safetensors");
    let bytes = std::fs::read(&file).unwrap();
    let st = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let (want, steps) = expected(&dir);
    assert_eq!(steps, [0, 20, 40]);
    assert!(want.iter().any(|w| w.0 == "w1") && want.iter().any(|w| w.0 == "frames.w2"));
    for (name, shape, values) in &want {
        let t = st.tensor(name).unwrap();
        assert_eq!(t.dtype(), safetensors::Dtype::F32, "{name}");
        assert_eq!(t.shape(), &shape[..], "{name}");
        let got: Vec<f32> = t
            .data()
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
            .collect();
        assert_eq!(got, *values, "{name}");
    }
    let t = st.tensor("frames.step").unwrap();
    let got: Vec<i64> = t
        .data()
        .chunks_exact(8)
        .map(|c| i64::from_le_bytes(c.try_into().unwrap()))
        .collect();
    assert_eq!(got, steps);
    let (_, meta) = safetensors::SafeTensors::read_metadata(&bytes).unwrap();
    let meta = meta.metadata().as_ref().unwrap();
    assert_eq!(meta["grokscope"], env!("CARGO_PKG_VERSION"));
    let run: serde_json::Value = serde_json::from_str(&meta["run"]).unwrap();
    assert_eq!(run["config"]["hidden"], 8);
    numpy_check(&file, &want, &steps);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn export_refuses_what_is_not_a_kept_run() {
    let dir = common::scratch("export", "bad");
    let d = dir.to_str().unwrap();
    assert_usage_error(&["export", d, "--format", "npz"], "run.json");
    assert_usage_error(
        &["export", "/nonexistent-run", "--format", "npz"],
        "not a directory",
    );
    assert_usage_error(&["export", d, "--format", "hdf5"], "invalid value 'hdf5'");
    std::fs::remove_dir_all(&dir).ok();
}

/// `--out` naming a file the run keeps (its checkpoint, frames, run.json, metrics...) is
/// refused in one line, the file left as it was: the export must not replace the run. So is
/// a folder it may not write into (status 2, as `run --out` there; a full disk stays 1).
#[test]
fn export_never_writes_over_a_file_the_run_keeps_nor_where_it_may_not_write() {
    let dir = kept("own-files", &FIVE);
    for f in [
        "checkpoint.safetensors",
        "frames.bin",
        "run.json",
        "summary.json",
        "metrics.jsonl",
    ] {
        let p = dir.join(f);
        let before = std::fs::read(&p).unwrap();
        for format in ["npz", "safetensors"] {
            assert_usage_error(
                &[
                    "export",
                    dir.to_str().unwrap(),
                    "--format",
                    format,
                    "--out",
                    p.to_str().unwrap(),
                ],
                "keeps",
            );
        }
        assert_eq!(std::fs::read(&p).unwrap(), before, "{f} left as it was");
    }
    // A folder it may not write (sysfs refuses new files even to root): refused like
    // `run --out` there, status 2, nothing written.
    if Path::new("/sys").is_dir() {
        assert_usage_error(
            &[
                "export",
                dir.to_str().unwrap(),
                "--format",
                "npz",
                "--out",
                "/sys/weights.npz",
            ],
            "/sys/weights.npz",
        );
    }
    // Another name in the run's directory is fine (the default is one).
    grokscope_ok(&[
        "export",
        dir.to_str().unwrap(),
        "--format",
        "npz",
        "--out",
        dir.join("mine.npz").to_str().unwrap(),
    ]);
    std::fs::remove_dir_all(&dir).ok();
}

/// A run stopped before its first checkpoint: export says there is none yet and how to get
/// one, in one line (not the operating system's "No such file").
#[test]
fn export_of_a_run_without_a_checkpoint_names_the_way_forward() {
    let dir = kept("no-checkpoint", &FIVE);
    std::fs::remove_file(dir.join("checkpoint.safetensors")).unwrap();
    let d = dir.to_str().unwrap();
    assert_usage_error(&["export", d, "--format", "npz"], "no checkpoint yet");
    assert_usage_error(&["export", d, "--format", "npz"], "run --resume");
    std::fs::remove_dir_all(&dir).ok();
}

/// Where python3 with numpy is present, numpy reads the file (npz with `numpy.load`,
/// safetensors by its documented layout: an 8-byte header length, a JSON header, the data)
/// and prints each tensor's shape and little-endian bytes, compared with the expected ones.
fn numpy_check(file: &Path, want: &[Expected], steps: &[i64]) {
    let has_numpy = std::process::Command::new("python3")
        .args(["-c", "import numpy"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_numpy {
        eprintln!("skipped the numpy check: python3 with numpy is not present");
        return;
    }
    let script = r#"
import json, struct, sys
import numpy as np
path = sys.argv[1]
if path.endswith(".npz"):
    arrays = dict(np.load(path))
else:
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    types = {"F32": "<f4", "F64": "<f8", "I64": "<i8"}
    arrays = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        a, b = t["data_offsets"]
        arrays[name] = np.frombuffer(raw[8 + n + a:8 + n + b], dtype=types[t["dtype"]]).reshape(t["shape"])
for name in sorted(arrays):
    a = arrays[name]
    print(name, ",".join(map(str, a.shape)), a.dtype.str, a.tobytes().hex())
"#;
    let out = std::process::Command::new("python3")
        .args(["-c", script, file.to_str().unwrap()])
        .output()
        .unwrap();
    common::assert_ok(&out);
    let text = String::from_utf8(out.stdout).unwrap();
    let seen: std::collections::HashMap<&str, (&str, &str, &str)> = text
        .lines()
        .map(|l| {
            let p: Vec<&str> = l.split(' ').collect();
            (p[0], (p[1], p[2], p[3]))
        })
        .collect();
    for (name, shape, values) in want {
        let (s, dtype, hex) = seen[name.as_str()];
        let shape: Vec<String> = shape.iter().map(usize::to_string).collect();
        assert_eq!(s, shape.join(","), "numpy: {name}");
        assert_eq!(dtype, "<f4", "numpy: {name}");
        let bytes: String = values
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(hex, bytes, "numpy: {name}, exact values");
    }
    let bytes: String = steps
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(seen["frames.step"].2, bytes, "numpy: frames.step");
}
