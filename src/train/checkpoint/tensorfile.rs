//! The checkpoint format this build writes: a safetensors file (an 8-byte header length, a
//! JSON header, the tensors' bytes), which `safetensors.numpy.load_file` reads as it is.
//!
//! Tensors, all f32 and shaped as the model's parameters, in the model's order:
//!
//! * `NAME`: each parameter's weights (`embed`, `in_out_proj`, ...; parity's `w1`, `w2`);
//! * `adam.m.NAME`, `adam.v.NAME`: the optimizer's first and second moments.
//!
//! Metadata (strings, as safetensors keeps it): `format` (`grokscope-checkpoint`),
//! `version`, `grokscope` (the version that wrote it), `identity` (the run's, see
//! [`crate::train::identity`]), `step` (the optimizer's step count, Adam's t), `optimizer`
//! (`adamw`), `config` (the run's settings as JSON: its learning rate, betas, epsilon and
//! weight decay among them), and `checksum`: FNV-1a 64 in hex of the other metadata (as
//! sorted JSON) followed by each tensor's name and bytes in the order above. The header is
//! written with sorted keys, so the same state always gives the same bytes.

use super::super::config::Config;
use super::super::error::Result;
use super::super::files::{escape, fnv1a};
use super::super::linalg::Threads;
use super::super::trainer::Trainer;
use super::{Header, TensorInfo, check_header, f32_array, refusal, restored};
use ndarray::Array2;
use safetensors::SafeTensors;
use safetensors::tensor::Dtype;
use std::collections::BTreeMap;

/// The metadata's `format`.
const FORMAT: &str = "grokscope-checkpoint";
/// The metadata's `version`.
pub const VERSION: u32 = 2;

/// The names of a model's tensors in the file's order: weights, first moments, second
/// moments, each in the model's parameter order.
fn names(params: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = params.iter().map(|n| n.to_string()).collect();
    for moment in ["m", "v"] {
        out.extend(params.iter().map(|n| format!("adam.{moment}.{n}")));
    }
    out
}

/// The checksum of the metadata (without its checksum) and the named tensors' bytes.
fn checksum<'a>(
    meta: &BTreeMap<String, String>,
    tensors: impl Iterator<Item = (&'a str, &'a [u8])>,
) -> u64 {
    let mut bytes = serde_json::to_vec(meta).expect("metadata serialises");
    for (name, data) in tensors {
        bytes.extend_from_slice(name.as_bytes());
        bytes.extend_from_slice(data);
    }
    fnv1a(&bytes)
}

fn le_bytes(a: &Array2<f32>) -> Vec<u8> {
    a.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// The metadata keys the format itself uses; any other is a caller's note.
const RESERVED: [&str; 8] = [
    "format",
    "version",
    "grokscope",
    "identity",
    "step",
    "optimizer",
    "config",
    "checksum",
];

/// A trainer's state as safetensors bytes, with the caller's `notes` in the metadata
/// (covered by the checksum; a note under a key the format uses is left out).
pub fn encode(trainer: &Trainer, notes: &BTreeMap<String, String>) -> Vec<u8> {
    let params = trainer.params();
    let state = trainer.adam_state();
    let param_names: Vec<&str> = params.iter().map(|p| p.name).collect();
    let arrays: Vec<&Array2<f32>> = params
        .iter()
        .map(|p| &p.w)
        .chain(state.m.iter())
        .chain(state.v.iter())
        .collect();
    let data: Vec<Vec<u8>> = arrays.iter().map(|a| le_bytes(a)).collect();
    let names = names(&param_names);
    let cfg = trainer.config();
    let mut meta = BTreeMap::from([
        ("format".to_string(), FORMAT.to_string()),
        ("version".to_string(), VERSION.to_string()),
        (
            "grokscope".to_string(),
            super::super::keep::GROKSCOPE_VERSION.to_string(),
        ),
        (
            "identity".to_string(),
            super::super::identity::identity(cfg),
        ),
        ("step".to_string(), state.t.to_string()),
        ("optimizer".to_string(), "adamw".to_string()),
        (
            "config".to_string(),
            serde_json::to_string(cfg).expect("settings serialise"),
        ),
    ]);
    for (k, v) in notes {
        if !RESERVED.contains(&k.as_str()) {
            meta.insert(k.clone(), v.clone());
        }
    }
    let sum = checksum(
        &meta,
        names
            .iter()
            .map(String::as_str)
            .zip(data.iter().map(Vec::as_slice)),
    );
    meta.insert("checksum".into(), format!("{sum:016x}"));
    let mut header = serde_json::Map::new();
    header.insert(
        "__metadata__".into(),
        serde_json::to_value(&meta).expect("strings"),
    );
    let mut offset = 0usize;
    for ((name, a), d) in names.iter().zip(&arrays).zip(&data) {
        header.insert(
            name.clone(),
            serde_json::json!({
                "dtype": "F32",
                "shape": [a.nrows(), a.ncols()],
                "data_offsets": [offset, offset + d.len()],
            }),
        );
        offset += d.len();
    }
    let mut json = serde_json::to_vec(&header).expect("header serialises");
    // The data starts 8-byte aligned, as safetensors writes it: the header padded with spaces.
    json.resize(json.len().div_ceil(8) * 8, b' ');
    let mut out = Vec::with_capacity(8 + json.len() + offset);
    out.extend_from_slice(&(json.len() as u64).to_le_bytes());
    out.extend_from_slice(&json);
    for d in &data {
        out.extend_from_slice(d);
    }
    out
}

/// The metadata's settings and step, read and checked against each other and against the
/// tensors the file announces, before anything is allocated from them.
fn read_header(st: &SafeTensors, meta: &BTreeMap<String, String>, origin: &str) -> Result<Header> {
    let bad = refusal(origin);
    let get = |key: &str| {
        meta.get(key)
            .ok_or_else(|| bad(format!("its metadata has no {key} (the file is corrupt)")))
    };
    let config: Config = serde_json::from_str(get("config")?)
        .map_err(|e| bad(format!("settings this build cannot read: {e}")))?;
    let step_text = get("step")?;
    let step: u64 = step_text
        .parse()
        .map_err(|_| bad(format!("step {} is not a step count", escape(step_text))))?;
    let identity = super::super::identity::identity(&config);
    if get("identity")? != &identity {
        return Err(bad(format!(
            "identity {} is not its settings' ({identity}; the file is forged or corrupt)",
            escape(get("identity")?)
        )));
    }
    // The tensors must be exactly the model's: weights and both moments, F32, its shapes.
    let planned = super::param_shapes(&config);
    let param_names: Vec<&str> = planned.iter().map(|(n, _, _)| *n).collect();
    let shapes = planned.iter().map(|(_, r, c)| vec![*r, *c]);
    let expected: Vec<(String, Vec<usize>)> = names(&param_names)
        .into_iter()
        .zip(shapes.clone().chain(shapes.clone()).chain(shapes))
        .collect();
    let fits = st.len() == expected.len()
        && expected.iter().all(|(name, shape)| {
            st.tensor(name)
                .is_ok_and(|t| t.dtype() == Dtype::F32 && t.shape() == shape.as_slice())
        });
    let header = Header {
        config,
        step,
        tensors: if fits {
            planned
                .iter()
                .map(|(n, r, c)| TensorInfo {
                    name: n.to_string(),
                    rows: *r,
                    cols: *c,
                })
                .collect()
        } else {
            Vec::new()
        },
    };
    check_header(&header, origin)?;
    Ok(header)
}

/// The tensors' bytes as arrays, shaped as `tensors` (weights, m, v: the shapes repeat).
fn arrays(views: &[&[u8]], tensors: &[TensorInfo]) -> Vec<Array2<f32>> {
    views
        .iter()
        .zip(tensors.iter().cycle())
        .map(|(d, t)| f32_array(d, t))
        .collect()
}

/// Rebuild a trainer from safetensors bytes, with the notes saved beside it; `origin`
/// names the source in errors.
pub fn decode(
    bytes: &[u8],
    origin: &str,
    threads: Threads,
) -> Result<(Trainer, BTreeMap<String, String>)> {
    let bad = refusal(origin);
    // Parses only the header and checks that the tensors' offsets tile the data exactly.
    let unreadable = |e: safetensors::SafeTensorError| {
        bad(format!(
            "not a grokscope checkpoint (not a whole safetensors file: {})",
            escape(&e.to_string())
        ))
    };
    let st = SafeTensors::deserialize(bytes).map_err(unreadable)?;
    let (_, info) = SafeTensors::read_metadata(bytes).map_err(unreadable)?;
    let mut meta: BTreeMap<String, String> = info
        .metadata()
        .clone()
        .unwrap_or_default()
        .into_iter()
        .collect();
    match meta.get("format").map(String::as_str) {
        Some(FORMAT) => {}
        _ => {
            return Err(bad(
                "not a grokscope checkpoint (a safetensors file without grokscope's metadata)"
                    .into(),
            ));
        }
    }
    let version = meta.get("version").and_then(|v| v.parse::<u32>().ok());
    if version != Some(VERSION) {
        return Err(bad(format!(
            "checkpoint version {} is not supported (this build, grokscope {}, reads {VERSION})",
            escape(meta.get("version").map_or("(none)", String::as_str)),
            super::super::keep::GROKSCOPE_VERSION
        )));
    }
    let stored = meta.remove("checksum").unwrap_or_default();
    let header = read_header(&st, &meta, origin)?;
    let param_names: Vec<&str> = header.tensors.iter().map(|t| t.name.as_str()).collect();
    let names = names(&param_names);
    let views: Vec<&[u8]> = names
        .iter()
        .map(|n| st.tensor(n).expect("checked by read_header").data())
        .collect();
    let sum = checksum(
        &meta,
        names.iter().map(String::as_str).zip(views.iter().copied()),
    );
    if stored != format!("{sum:016x}") {
        return Err(bad(
            "checksum mismatch (the file is corrupt or was edited)".into()
        ));
    }
    let trainer = Trainer::new(header.config.clone(), threads)
        .map_err(|e| bad(format!("holds an invalid configuration: {e}")))?;
    let k = header.tensors.len();
    let arrays = arrays(&views, &header.tensors);
    let mut arrays = arrays.into_iter();
    let weights: Vec<_> = arrays.by_ref().take(k).collect();
    let m: Vec<_> = arrays.by_ref().take(k).collect();
    let v: Vec<_> = arrays.collect();
    let trainer = restored(trainer, header.step, [weights, m, v], origin)?;
    meta.retain(|k, _| !RESERVED.contains(&k.as_str()));
    Ok((trainer, meta))
}
