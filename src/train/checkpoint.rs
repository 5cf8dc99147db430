//! Checkpoints: a run's settings, step, parameters and Adam moments, so a resumed run
//! continues bit for bit.
//!
//! Checkpoints are written as safetensors files (`checkpoint/tensorfile.rs`): numpy reads them with
//! `safetensors.numpy.load_file`, and the settings and optimizer state are in the file's
//! metadata and tensors. Files of the format before it (version 1, `.grok`) still load:
//!
//! ```text
//! "GROKSCOPE-CKPT\n"  magic, 15 bytes
//! u32                 format version (1)
//! u64                 header length
//! header              JSON: {"config", "step", "tensors": [{"name", "rows", "cols"}]}
//! payload             for each tensor: weights, then m, then v, as f32
//! u64                 FNV-1a 64 checksum of every byte before it
//! ```
//!
//! Either is checked whole (a checksum), and its settings, step and tensor shapes against
//! each other, before anything is allocated from it. Files are written to a temporary name
//! in the same directory, synced and renamed into place, so a reader never sees a
//! half-written checkpoint.

use super::config::Config;
use super::error::{Error, Result};
use super::linalg::Threads;
use super::optim::AdamState;
use super::trainer::Trainer;
use ndarray::Array2;
use serde::{Deserialize, Serialize};
use std::path::Path;

mod tensorfile;

const MAGIC: &[u8; 15] = b"GROKSCOPE-CKPT\n";
/// The version of the format before safetensors (read, and written only by [`encode_v1`]).
pub const VERSION_V1: u32 = 1;
/// The version of the checkpoint format this build writes.
pub const VERSION: u32 = tensorfile::VERSION;
/// The file name's extension of a checkpoint this build writes.
pub const EXTENSION: &str = "safetensors";

#[derive(Serialize, Deserialize)]
struct Header {
    config: Config,
    step: u64,
    tensors: Vec<TensorInfo>,
}

#[derive(Serialize, Deserialize)]
struct TensorInfo {
    name: String,
    rows: usize,
    cols: usize,
}

use super::files::fnv1a;

/// The parameters a model of `cfg` trains, in the checkpoint's order (names and shapes),
/// worked out from the settings alone: a header is checked against them before anything is
/// allocated.
pub fn param_shapes(cfg: &Config) -> Vec<(&'static str, usize, usize)> {
    use super::config::{Arch, TaskKind};
    let (p, h) = (cfg.modulus, cfg.hidden);
    if cfg.task == TaskKind::Parity {
        return vec![("w1", cfg.parity_inputs(), h), ("w2", h, 1)];
    }
    let d = match cfg.arch {
        Arch::FixedCircle => 2,
        _ => cfg.embed,
    };
    let (in_f, out_f) = match cfg.arch {
        Arch::Collapsed => (false, false),
        Arch::CollapsedIn => (false, true),
        Arch::CollapsedOut | Arch::UntiedInCollapsedOut => (true, false),
        _ => (true, true),
    };
    let mut out = Vec::new();
    if in_f || out_f {
        out.push(("embed", p, d));
    }
    match (in_f, out_f) {
        (true, true) => out.push(("in_out_proj", d, 2 * h)),
        (true, false) => out.extend([("in_proj", d, h), ("w_output", p, h)]),
        (false, true) => out.extend([("out_proj", d, h), ("w_input", p, h)]),
        (false, false) => out.push(("w_input_output", p, 2 * h)),
    }
    if cfg.arch.untied_embed() {
        out.push(("embed_out", p, d));
    }
    if cfg.arch.untied_in() {
        out.push(("in_proj_b", d, h));
    }
    out
}

/// Serialise a trainer's state as this build writes it (safetensors).
pub fn encode(trainer: &Trainer) -> Vec<u8> {
    tensorfile::encode(trainer, &Notes::new())
}

/// Notes a caller keeps in a checkpoint's metadata beside the run (covered by its
/// checksum): `run --out` notes a digest of the metrics lines written up to the step.
pub type Notes = std::collections::BTreeMap<String, String>;

/// Serialise a trainer's state in the format before safetensors (version 1), which this
/// build still reads: for tests of old files and tools that want the old bytes.
pub fn encode_v1(trainer: &Trainer) -> Vec<u8> {
    let params = trainer.params();
    let state = trainer.adam_state();
    let header = Header {
        config: trainer.config().clone(),
        step: state.t,
        tensors: params
            .iter()
            .map(|p| TensorInfo {
                name: p.name.to_string(),
                rows: p.w.nrows(),
                cols: p.w.ncols(),
            })
            .collect(),
    };
    let header = serde_json::to_vec(&header).expect("header serialises");
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION_V1.to_le_bytes());
    out.extend_from_slice(&(header.len() as u64).to_le_bytes());
    out.extend_from_slice(&header);
    for (i, p) in params.iter().enumerate() {
        for a in [&p.w, &state.m[i], &state.v[i]] {
            for &x in a.iter() {
                out.extend_from_slice(&x.to_le_bytes());
            }
        }
    }
    let sum = fnv1a(&out);
    out.extend_from_slice(&sum.to_le_bytes());
    out
}

/// [`files::write_atomic`](super::files::write_atomic), under the name older callers use.
pub use super::files::write_atomic;

/// Save a trainer to `path` (atomic).
pub fn save(trainer: &Trainer, path: &Path) -> Result<()> {
    write_atomic(path, &encode(trainer))
}

/// Save a trainer to `path` (atomic) with `notes` in the metadata.
pub fn save_noted(trainer: &Trainer, path: &Path, notes: &Notes) -> Result<()> {
    write_atomic(path, &tensorfile::encode(trainer, notes))
}

/// The error for a checkpoint that cannot be used, `origin` naming it.
fn refusal(origin: &str) -> impl Fn(String) -> Error + '_ {
    move |reason| Error::Checkpoint {
        path: origin.to_string(),
        reason,
    }
}

/// The header of checkpoint bytes, once the magic, version, lengths and checksum are
/// checked; and where its payload starts and ends (before the checksum).
fn read_header(bytes: &[u8], origin: &str) -> Result<(Header, usize, usize)> {
    let bad = refusal(origin);
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        return Err(bad("not a grokscope checkpoint (bad magic bytes)".into()));
    }
    let mut pos = MAGIC.len();
    let take = |pos: &mut usize, n: usize| -> Result<&[u8]> {
        let end = pos.checked_add(n).filter(|&e| e <= bytes.len());
        match end {
            Some(e) => {
                let s = &bytes[*pos..e];
                *pos = e;
                Ok(s)
            }
            None => Err(bad(format!("truncated ({} bytes)", bytes.len()))),
        }
    };
    let version = u32::from_le_bytes(take(&mut pos, 4)?.try_into().expect("4 bytes"));
    if version != VERSION_V1 {
        return Err(bad(format!(
            "format version {version} is not supported (this build, grokscope {}, reads \
             {VERSION_V1} and safetensors checkpoints of version {VERSION})",
            super::keep::GROKSCOPE_VERSION
        )));
    }
    if bytes.len() < pos + 8 + 8 {
        return Err(bad(format!("truncated ({} bytes)", bytes.len())));
    }
    let body_end = bytes.len() - 8;
    let stored = u64::from_le_bytes(bytes[body_end..].try_into().expect("8 bytes"));
    let header_len = u64::from_le_bytes(take(&mut pos, 8)?.try_into().expect("8 bytes"));
    let header_len =
        usize::try_from(header_len).map_err(|_| bad("header length overflows".into()))?;
    if header_len > body_end.saturating_sub(pos) {
        return Err(bad(format!("truncated ({} bytes)", bytes.len())));
    }
    if fnv1a(&bytes[..body_end]) != stored {
        return Err(bad(
            "checksum mismatch (the file is corrupt or truncated)".into()
        ));
    }
    let header: Header = serde_json::from_slice(take(&mut pos, header_len)?)
        .map_err(|e| bad(format!("unreadable header: {e}")))?;
    Ok((header, pos, body_end))
}

/// The header's step and settings, and the tensors they make, checked before anything is
/// built from them.
fn check_header(header: &Header, origin: &str) -> Result<()> {
    let bad = refusal(origin);
    // A run stops at its planned steps: a step past them is not a checkpoint's.
    if header.step > header.config.steps {
        return Err(bad(format!(
            "step {} is past the run's planned {} steps (the file is forged or corrupt)",
            header.step, header.config.steps
        )));
    }
    header
        .config
        .validate()
        .map_err(|e| bad(format!("holds an invalid configuration: {e}")))?;
    let planned = param_shapes(&header.config);
    let announced: Vec<(&str, usize, usize)> = header
        .tensors
        .iter()
        .map(|t| (t.name.as_str(), t.rows, t.cols))
        .collect();
    if planned.iter().map(|(n, r, c)| (*n, *r, *c)).ne(announced) {
        return Err(bad(
            "tensors do not match the model its configuration builds".into(),
        ));
    }
    Ok(())
}

/// Rebuild a trainer from checkpoint bytes of either format; `origin` names the source in
/// errors.
pub fn decode(bytes: &[u8], origin: &str, threads: Threads) -> Result<Trainer> {
    decode_noted(bytes, origin, threads).map(|(t, _)| t)
}

/// [`decode`], with the notes saved beside the run (none in files of version 1).
pub fn decode_noted(bytes: &[u8], origin: &str, threads: Threads) -> Result<(Trainer, Notes)> {
    if bytes.starts_with(MAGIC) {
        decode_v1(bytes, origin, threads).map(|t| (t, Notes::new()))
    } else {
        tensorfile::decode(bytes, origin, threads)
    }
}

/// Rebuild a trainer from version 1 bytes.
fn decode_v1(bytes: &[u8], origin: &str, threads: Threads) -> Result<Trainer> {
    let bad = refusal(origin);
    let (header, mut pos, body_end) = read_header(bytes, origin)?;
    check_header(&header, origin)?;
    let trainer = Trainer::new(header.config, threads)
        .map_err(|e| bad(format!("holds an invalid configuration: {e}")))?;
    // The header's tensors must be the model's, names and shapes, before any size is
    // computed from them: a valid checksum only says the bytes are the ones once written.
    let params = trainer.params();
    let shapes_match = params.len() == header.tensors.len()
        && params
            .iter()
            .zip(&header.tensors)
            .all(|(p, t)| p.name == t.name && p.w.dim() == (t.rows, t.cols));
    if !shapes_match {
        return Err(bad(
            "tensors do not match the model its configuration builds".into(),
        ));
    }
    let expected: usize = header.tensors.iter().map(|t| 3 * 4 * t.rows * t.cols).sum();
    if body_end - pos != expected {
        return Err(bad(format!(
            "payload is {} bytes, header announces {expected}",
            body_end - pos
        )));
    }
    let read = |pos: &mut usize, t: &TensorInfo| -> Array2<f32> {
        let n = 4 * t.rows * t.cols;
        *pos += n;
        f32_array(&bytes[*pos - n..*pos], t)
    };
    let mut weights = Vec::new();
    let mut m = Vec::new();
    let mut v = Vec::new();
    for t in &header.tensors {
        weights.push(read(&mut pos, t));
        m.push(read(&mut pos, t));
        v.push(read(&mut pos, t));
    }
    let names_match = trainer
        .params()
        .iter()
        .map(|p| p.name)
        .eq(header.tensors.iter().map(|t| t.name.as_str()));
    if !names_match {
        return Err(bad(
            "tensors do not match the model its configuration builds".into(),
        ));
    }
    restored(trainer, header.step, [weights, m, v], origin)
}

/// A tensor shaped as `t` from its bytes: `t.rows × t.cols` little-endian f32s, row by row
/// (the length checked before).
fn f32_array(bytes: &[u8], t: &TensorInfo) -> Array2<f32> {
    let v: Vec<f32> = bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes(c.try_into().expect("4 bytes")))
        .collect();
    Array2::from_shape_vec((t.rows, t.cols), v).expect("length checked")
}

/// `trainer` given a checkpoint's weights and Adam moments (each a tensor per parameter, in
/// the model's order) at optimizer step `step`; tensors it cannot take are the checkpoint's
/// fault, `origin` naming it.
fn restored(
    mut trainer: Trainer,
    step: u64,
    [weights, m, v]: [Vec<Array2<f32>>; 3],
    origin: &str,
) -> Result<Trainer> {
    trainer
        .restore(weights, AdamState { t: step, m, v })
        .map_err(refusal(origin))?;
    Ok(trainer)
}

/// Load a checkpoint file: a regular file no larger than a run's memory limit (no pipe,
/// device or runaway file is read).
pub fn load(path: &Path, threads: Threads) -> Result<Trainer> {
    load_noted(path, threads).map(|(t, _)| t)
}

/// [`load`], with the notes saved beside the run.
pub fn load_noted(path: &Path, threads: Threads) -> Result<(Trainer, Notes)> {
    let bytes = super::files::read_regular(path, super::config::MAX_BYTES)?;
    decode_noted(&bytes, &super::files::show(path), threads)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::{Arch, presets};

    /// The shapes worked out from the settings are the model's own parameters, for every
    /// preset and every modular architecture.
    #[test]
    fn param_shapes_are_the_models_own() {
        let mut configs: Vec<Config> = presets::all().into_iter().map(|p| p.config).collect();
        for arch in Arch::ALL {
            if matches!(arch, Arch::Mlp | Arch::FixedCircle) {
                continue;
            }
            let mut c = presets::find("mod-add").unwrap().config;
            (c.arch, c.embed, c.modulus, c.hidden) = (arch, 5, 11, 6);
            configs.push(c);
        }
        for c in configs {
            let built = Trainer::new(c.clone(), Threads(1)).unwrap();
            let own: Vec<(&str, usize, usize)> = built
                .params()
                .iter()
                .map(|p| (p.name, p.w.nrows(), p.w.ncols()))
                .collect();
            assert_eq!(param_shapes(&c), own, "{} {:?}", c.preset, c.arch);
        }
    }
}
