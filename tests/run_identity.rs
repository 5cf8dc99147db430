//! A kept run knows what it is: every file it keeps carries its identity (a digest of its
//! settings and seed, not of its length), and every reader that combines files (resume,
//! replay, export) refuses a directory whose files are of different runs, in one line
//! naming the file and the settings that differ.

mod common;

use common::{grokscope, grokscope_ok};
use std::path::Path;

const SMALL: [&str; 8] = [
    "--preset", "parity", "--hidden", "8", "--steps", "300", "--every", "50",
];

fn kept(name: &str, seed: &str) -> std::path::PathBuf {
    common::kept_run("identity", name, &[&SMALL[..], &["--seed", seed]].concat())
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The JSON header of a checkpoint (`magic` bytes long magic) or frames file.
fn header(path: &Path, magic: usize) -> serde_json::Value {
    let bytes = std::fs::read(path).unwrap();
    let at = magic + 4;
    let len = u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap()) as usize;
    serde_json::from_slice(&bytes[at + 8..at + 8 + len]).unwrap()
}

/// Status 2, one line mentioning every one of `words`.
fn refused(args: &[&str], words: &[&str]) {
    common::assert_refused(&grokscope(args), args, words);
}

#[test]
fn every_kept_file_carries_the_runs_identity() {
    let dir = kept("carries", "0");
    let d = dir.to_str().unwrap();
    let id = json(&dir.join("run.json"))["identity"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(id.len(), 16);
    assert_eq!(json(&dir.join("summary.json"))["identity"], id.as_str());
    // The checkpoint's metadata holds the settings and the identity.
    let ckpt = common::checkpoint_header(&dir.join("checkpoint.safetensors"));
    let meta = &ckpt["__metadata__"];
    let settings: serde_json::Value =
        serde_json::from_str(meta["config"].as_str().unwrap()).unwrap();
    assert_eq!(settings, json(&dir.join("run.json"))["config"]);
    assert_eq!(meta["identity"], id.as_str());
    assert_eq!(header(&dir.join("frames.bin"), 17)["identity"], id.as_str());
    let last = std::fs::read_to_string(dir.join("metrics.jsonl")).unwrap();
    let summary: serde_json::Value = serde_json::from_str(last.lines().last().unwrap()).unwrap();
    assert_eq!(summary["identity"], id.as_str());
    // Exports: a u64 tensor, and the safetensors metadata.
    let st = dir.join("w.safetensors");
    grokscope_ok(&[
        "export",
        d,
        "--format",
        "safetensors",
        "--out",
        st.to_str().unwrap(),
    ]);
    let bytes = std::fs::read(&st).unwrap();
    let (_, meta) = safetensors::SafeTensors::read_metadata(&bytes).unwrap();
    let meta = meta.metadata().as_ref().unwrap();
    assert_eq!(meta["identity"], id);
    let tensors = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let t = tensors.tensor("identity").unwrap();
    let bits = u64::from_le_bytes(t.data().try_into().unwrap());
    assert_eq!(format!("{bits:016x}"), id);
    // The same run extended keeps its identity; another seed has another.
    grokscope_ok(&["run", "--resume", d, "--out", d, "--steps", "400"]);
    assert_eq!(json(&dir.join("run.json"))["identity"], id.as_str());
    let other = kept("carries-other", "1");
    assert_ne!(json(&other.join("run.json"))["identity"], id.as_str());
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::remove_dir_all(&other).unwrap();
}

#[test]
fn files_of_another_run_are_refused_by_every_reader() {
    let a = kept("mixed-a", "0");
    let b = kept("mixed-b", "99");
    let d = a.to_str().unwrap();
    let resume = ["run", "--resume", d, "--out", d, "--steps", "400"];
    let export = ["export", d, "--format", "npz"];
    let swap = |file: &str, check: &dyn Fn()| {
        let theirs = |p: &Path| {
            std::fs::copy(b.join(file), p).unwrap();
        };
        common::swapped(&a, file, theirs, check);
    };
    // Another run's frames: replayed and exported beside this run's weights before.
    swap("frames.bin", &|| {
        refused(&["replay", d], &["different runs", "seed 99 against 0"]);
        refused(
            &export,
            &["frames.bin", "different runs", "seed 99 against 0"],
        );
        refused(
            &resume,
            &[
                "frames.bin",
                "not the checkpoint's run",
                "seed 99 against 0",
            ],
        );
    });
    swap("checkpoint.safetensors", &|| {
        refused(&export, &["checkpoint.safetensors", "different runs"]);
        refused(&resume, &["run.json", "not the checkpoint's run"]);
    });
    swap("summary.json", &|| {
        refused(&resume, &["summary.json", "not the checkpoint's run"]);
    });
    swap("metrics.jsonl", &|| {
        refused(&resume, &["metrics.jsonl", "the summary of another run"]);
    });
    // A run file edited to other settings labels nothing.
    let run = a.join("run.json");
    let kept_text = std::fs::read_to_string(&run).unwrap();
    let mut edited: serde_json::Value = serde_json::from_str(&kept_text).unwrap();
    edited["config"]["seed"] = 5.into();
    edited["config"]["weight_decay"] = 0.5.into();
    std::fs::write(&run, edited.to_string()).unwrap();
    refused(&["replay", d], &["different runs", "seed"]);
    refused(&export, &["different runs"]);
    refused(&resume, &["run.json", "not the checkpoint's run"]);
    std::fs::write(&run, kept_text).unwrap();
    // Whole again: every reader takes it.
    grokscope_ok(&export);
    grokscope_ok(&resume);
    std::fs::remove_dir_all(&a).unwrap();
    std::fs::remove_dir_all(&b).unwrap();
}
