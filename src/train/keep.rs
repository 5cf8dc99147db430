//! What `run --out DIR` keeps besides the checkpoint, in versioned formats a newer grokscope
//! reads or refuses with the reason:
//!
//! * the run file (`run.json`): the format name and version, the grokscope version that
//!   wrote it, the settings and the frame interval;
//! * the weight frames (`frames.bin`): an append-only file of whole frames, each with its
//!   own checksum, so a torn tail (a kill mid-write) is detected and dropped on read.
//!
//! Frames layout (integers little-endian):
//!
//! ```text
//! "GROKSCOPE-FRAMES\n"  magic, 17 bytes
//! u32                   format version (1)
//! u64                   header length
//! header                JSON: {"grokscope", "config", "every", "tensors": [{"name", "rows", "cols"}]}
//! u64                   FNV-1a 64 checksum of every byte before it
//! frame, repeated:      u64 step, f64 elapsed_s, f64 train_loss, test_loss, train_acc,
//!                       test_acc, weight_norm, each tensor as f32 (row-major),
//!                       u64 FNV-1a 64 checksum of the frame's bytes before it
//! ```
//!
//! A frame holds the weights a dashboard frame keeps ([`Weights::for_frame`]): the
//! article's matrices W_input and W_output always, the factors where the embedding is
//! narrow; parity's W1 and w2. Every value is an f32 widened exactly, so the f32 copy is
//! exact.

use super::config::Config;
use super::error::{Error, Result};
use super::files::{fnv1a, refused as bad};
use super::trainer::Metrics;
use super::weights::{ModularWeights, ParityWeights, Weights};
use ndarray::Array2;
use serde::{Deserialize, Serialize};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 17] = b"GROKSCOPE-FRAMES\n";

pub use super::runfile::{GROKSCOPE_VERSION, RUN_FORMAT, RunFile, VERSION};

fn io(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: super::files::show(path),
        source,
    }
}

/// One tensor of a frame: its name and shape.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TensorInfo {
    pub name: String,
    pub rows: usize,
    pub cols: usize,
}

#[derive(Serialize, Deserialize)]
struct Header {
    grokscope: String,
    config: Config,
    /// The run's identity ([`super::identity`]); absent in files of earlier versions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    identity: Option<String>,
    every: u64,
    tensors: Vec<TensorInfo>,
}

/// The named tensors of a frame's weights, in the file's order.
pub fn tensors(w: &Weights) -> Vec<(&'static str, &Array2<f64>)> {
    match w {
        Weights::Modular(m) => {
            let mut t = vec![("w_input", &m.w_input), ("w_output", &m.w_output)];
            for (name, a) in [
                ("embed", &m.embed),
                ("in_proj", &m.in_proj),
                ("out_proj", &m.out_proj),
                ("w_input_b", &m.w_input_b),
                ("embed_out", &m.embed_out),
                ("in_proj_b", &m.in_proj_b),
            ] {
                if let Some(a) = a {
                    t.push((name, a));
                }
            }
            t
        }
        Weights::Parity(p) => vec![("w1", &p.w1), ("w2", &p.w2)],
    }
}

fn infos(w: &Weights) -> Vec<TensorInfo> {
    tensors(w)
        .into_iter()
        .map(|(name, a)| TensorInfo {
            name: name.into(),
            rows: a.nrows(),
            cols: a.ncols(),
        })
        .collect()
}

/// A frame read back.
#[derive(Clone, Debug, PartialEq)]
pub struct SavedFrame {
    pub metrics: Metrics,
    pub elapsed_s: f64,
    pub weights: Weights,
}

/// What a frames file holds besides its frames.
#[derive(Clone, Debug, PartialEq)]
pub struct FramesInfo {
    pub grokscope: String,
    pub config: Config,
    pub every: u64,
    pub tensors: Vec<TensorInfo>,
}

impl FramesInfo {
    fn record_len(&self) -> usize {
        8 + 8
            + 5 * 8
            + self
                .tensors
                .iter()
                .map(|t| 4 * t.rows * t.cols)
                .sum::<usize>()
            + 8
    }
}

/// Bytes of one frame.
fn encode_frame(m: &Metrics, elapsed_s: f64, w: &Weights) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&m.step.to_le_bytes());
    for x in [
        elapsed_s,
        m.train_loss,
        m.test_loss,
        m.train_acc,
        m.test_acc,
        m.weight_norm,
    ] {
        out.extend_from_slice(&x.to_le_bytes());
    }
    for (_, a) in tensors(w) {
        for &x in a.iter() {
            out.extend_from_slice(&(x as f32).to_le_bytes());
        }
    }
    let sum = fnv1a(&out);
    out.extend_from_slice(&sum.to_le_bytes());
    out
}

fn decode_frame(info: &FramesInfo, b: &[u8]) -> Option<SavedFrame> {
    let body = b.len() - 8;
    if fnv1a(&b[..body]) != u64::from_le_bytes(b[body..].try_into().ok()?) {
        return None;
    }
    let u = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"));
    let f = |i: usize| f64::from_bits(u(i));
    let metrics = Metrics {
        step: u(0),
        train_loss: f(16),
        test_loss: f(24),
        train_acc: f(32),
        test_acc: f(40),
        weight_norm: f(48),
    };
    let mut pos = 56;
    let mut arrays = Vec::new();
    for t in &info.tensors {
        let n = t.rows * t.cols;
        let v: Vec<f64> = b[pos..pos + 4 * n]
            .chunks_exact(4)
            .map(|c| f64::from(f32::from_le_bytes(c.try_into().expect("4 bytes"))))
            .collect();
        pos += 4 * n;
        arrays.push((
            t.name.as_str(),
            Array2::from_shape_vec((t.rows, t.cols), v).expect("length checked"),
        ));
    }
    let mut take = |name: &str| {
        arrays
            .iter()
            .position(|(n, _)| *n == name)
            .map(|i| arrays.remove(i).1)
    };
    let cfg = &info.config;
    let weights = match cfg.task {
        super::TaskKind::Modular => Weights::Modular(ModularWeights {
            arch: cfg.arch,
            activation: cfg.activation,
            w_input: take("w_input")?,
            w_output: take("w_output")?,
            embed: take("embed"),
            in_proj: take("in_proj"),
            out_proj: take("out_proj"),
            w_input_b: take("w_input_b"),
            embed_out: take("embed_out"),
            in_proj_b: take("in_proj_b"),
        }),
        super::TaskKind::Parity => Weights::Parity(ParityWeights {
            activation: cfg.activation,
            w1: take("w1")?,
            w2: take("w2")?,
        }),
    };
    Some(SavedFrame {
        metrics,
        elapsed_s: f(8),
        weights,
    })
}

/// Longest frames header read: the JSON of the settings and a few tensor shapes takes
/// under a kilobyte.
const MAX_HEADER: u64 = 1 << 20;

/// The tensors a frame of a run of `cfg` holds ([`Weights::for_frame`] of its model), worked
/// out from the settings alone, so a header can be checked before anything is allocated.
pub fn frame_tensors(cfg: &Config) -> Vec<TensorInfo> {
    use super::config::Arch;
    let t = |name: &str, rows: usize, cols: usize| TensorInfo {
        name: name.into(),
        rows,
        cols,
    };
    let (p, h) = (cfg.modulus, cfg.hidden);
    if cfg.task == super::TaskKind::Parity {
        return vec![t("w1", cfg.parity_inputs(), h), t("w2", h, 1)];
    }
    let mut out = vec![t("w_input", p, h), t("w_output", h, p)];
    let d = if cfg.arch == Arch::FixedCircle {
        2
    } else {
        cfg.embed
    };
    let (in_factored, out_factored) = match cfg.arch {
        Arch::Collapsed => (false, false),
        Arch::CollapsedIn => (false, true),
        Arch::CollapsedOut | Arch::UntiedInCollapsedOut => (true, false),
        _ => (true, true),
    };
    let factors = (in_factored || out_factored) && d <= super::weights::FRAME_EMBED_MAX;
    if factors {
        out.push(t("embed", p, d));
        if in_factored {
            out.push(t("in_proj", d, h));
        }
        if out_factored {
            out.push(t("out_proj", h, d));
        }
    }
    if cfg.arch.untied_in() {
        out.push(t("w_input_b", p, h));
    }
    if factors && cfg.arch.untied_embed() {
        out.push(t("embed_out", p, d));
    }
    if factors && cfg.arch.untied_in() {
        out.push(t("in_proj_b", d, h));
    }
    out
}

/// Reads a frames file, and goes on reading the frames appended since (a run still being
/// written).
pub struct FrameReader {
    path: PathBuf,
    info: FramesInfo,
    /// Where the next frame starts.
    offset: u64,
    /// The step of the last frame read.
    last: Option<u64>,
}

impl FrameReader {
    /// Open `path` and check its header: the magic bytes, a version this build reads, a
    /// whole header with a valid checksum, tensors that are the model's for its settings.
    pub fn open(path: &Path) -> Result<Self> {
        let mut f = super::files::open_regular(path, u64::MAX)?;
        let mut head = [0u8; 17 + 4 + 8];
        let n = read_up_to(&mut f, &mut head).map_err(io(path))?;
        if n < MAGIC.len() || &head[..MAGIC.len()] != MAGIC {
            return Err(bad(path, "not a grokscope frames file (bad magic bytes)"));
        }
        if n < head.len() {
            return Err(bad(path, format!("truncated header ({n} bytes)")));
        }
        let version = u32::from_le_bytes(head[17..21].try_into().expect("4 bytes"));
        if version != VERSION {
            return Err(bad(
                path,
                format!(
                    "frames format version {version} is not supported (this build, grokscope \
                     {GROKSCOPE_VERSION}, reads {VERSION})"
                ),
            ));
        }
        let len = u64::from_le_bytes(head[21..29].try_into().expect("8 bytes"));
        let size = f.metadata().map_err(io(path))?.len();
        if len > MAX_HEADER {
            return Err(bad(
                path,
                format!("header length {len} is not a frames header's (the file is corrupt)"),
            ));
        }
        if len > size.saturating_sub(head.len() as u64 + 8) {
            return Err(bad(path, format!("truncated header ({size} bytes)")));
        }
        let mut rest = vec![0u8; len as usize + 8];
        f.read_exact(&mut rest).map_err(io(path))?;
        let mut all = head.to_vec();
        all.extend_from_slice(&rest[..len as usize]);
        let stored = u64::from_le_bytes(rest[len as usize..].try_into().expect("8 bytes"));
        if fnv1a(&all) != stored {
            return Err(bad(path, "header checksum mismatch (the file is corrupt)"));
        }
        let h: Header = serde_json::from_slice(&rest[..len as usize]).map_err(|e| {
            bad(
                path,
                format!("header this build cannot read (written by a newer grokscope?): {e}"),
            )
        })?;
        let info = FramesInfo {
            grokscope: h.grokscope,
            config: h.config,
            every: h.every,
            tensors: h.tensors,
        };
        // The settings must be valid (sizes within the memory limit) and the tensors the ones
        // their model keeps in a frame, checked before any size is taken from the header.
        info.config
            .validate()
            .map_err(|e| bad(path, format!("holds invalid settings: {e}")))?;
        if frame_tensors(&info.config) != info.tensors {
            return Err(bad(
                path,
                "tensors do not match the model its settings build",
            ));
        }
        if info.every == 0 {
            return Err(bad(path, "frame interval 0 (the file is corrupt)"));
        }
        Ok(FrameReader {
            path: path.to_path_buf(),
            info,
            offset: head.len() as u64 + len + 8,
            last: None,
        })
    }

    pub fn info(&self) -> &FramesInfo {
        &self.info
    }

    /// The whole frames written since the last call. A torn last frame (being written, or
    /// cut by a kill) is left for later; a bad frame with whole frames after it is
    /// corruption, an error.
    pub fn read_new(&mut self) -> Result<Vec<SavedFrame>> {
        let path = &self.path;
        let mut f = super::files::open_regular(path, u64::MAX)?;
        let size = f.metadata().map_err(io(path))?.len();
        if size < self.offset {
            return Err(bad(path, "shrank while read (another run overwrote it?)"));
        }
        f.seek(SeekFrom::Start(self.offset)).map_err(io(path))?;
        // Frame by frame: a huge or sparse file is never read whole into memory.
        let r = self.info.record_len();
        let whole = (size - self.offset) / r as u64;
        let mut buf = vec![0u8; r];
        let mut out = Vec::new();
        for i in 0..whole {
            f.read_exact(&mut buf).map_err(io(path))?;
            match decode_frame(&self.info, &buf) {
                // Steps only rise: a repeat or a step back is a second writer's frame.
                Some(fr) if self.last.is_some_and(|l| fr.metrics.step <= l) => {
                    return Err(bad(
                        path,
                        format!(
                            "frame of step {} follows step {} (two runs wrote to it)",
                            fr.metrics.step,
                            self.last.unwrap_or_default()
                        ),
                    ));
                }
                Some(fr) => {
                    self.last = Some(fr.metrics.step);
                    out.push(fr);
                }
                None if i + 1 == whole => break, // torn last frame
                None => {
                    let at = self.offset + i * r as u64;
                    return Err(bad(
                        path,
                        format!("frame at byte {at} fails its checksum (the file is corrupt)"),
                    ));
                }
            }
        }
        self.offset += (out.len() * r) as u64;
        Ok(out)
    }

    /// Byte offset after the last whole frame read.
    pub fn end(&self) -> u64 {
        self.offset
    }
}

fn read_up_to(f: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// Every whole frame of a frames file, with its header.
pub fn read_frames(path: &Path) -> Result<(FramesInfo, Vec<SavedFrame>)> {
    let mut r = FrameReader::open(path)?;
    let frames = r.read_new()?;
    Ok((r.info, frames))
}

/// Appends frames to a frames file. Each frame goes out in one write; [`FrameWriter::sync`]
/// puts them on disk (at each checkpoint and at the end).
pub struct FrameWriter {
    path: PathBuf,
    file: std::fs::File,
    /// The step of the last frame written.
    last: Option<u64>,
}

impl FrameWriter {
    /// A new frames file for a run of `config` whose frames hold tensors shaped like `w`'s:
    /// the header is written aside and renamed into place.
    pub fn create(path: &Path, config: &Config, every: u64, w: &Weights) -> Result<Self> {
        let header = Header {
            grokscope: GROKSCOPE_VERSION.into(),
            config: config.clone(),
            identity: Some(super::identity::identity(config)),
            every,
            tensors: infos(w),
        };
        let json = serde_json::to_vec(&header).expect("header serialises");
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&VERSION.to_le_bytes());
        bytes.extend_from_slice(&(json.len() as u64).to_le_bytes());
        bytes.extend_from_slice(&json);
        let sum = fnv1a(&bytes);
        bytes.extend_from_slice(&sum.to_le_bytes());
        super::files::write_atomic(path, &bytes)?;
        let file = std::fs::OpenOptions::new()
            .append(true)
            .open(path)
            .map_err(io(path))?;
        Ok(FrameWriter {
            path: path.to_path_buf(),
            file,
            last: None,
        })
    }

    /// Continue the frames file of a run resumed at step `at`: its frames after `at` (written
    /// after the checkpoint a kill left) and a torn tail are cut, so the resumed run's frames
    /// follow without gap or duplicate. The file must be this run's (`config`, steps aside).
    /// Returns the writer and the steps of the frames kept.
    pub fn resume(path: &Path, config: &Config, at: u64) -> Result<(Self, Vec<u64>)> {
        let mut reader = FrameReader::open(path)?;
        if !super::identity::same_run(&reader.info.config, config) {
            return Err(bad(
                path,
                format!(
                    "not the checkpoint's run ({}; the directory mixes runs)",
                    super::identity::difference(&reader.info.config, config)
                ),
            ));
        }
        let frames = reader.read_new()?;
        let r = reader.info.record_len() as u64;
        let kept = frames.iter().take_while(|f| f.metrics.step <= at).count() as u64;
        let keep_len = reader.end() - (frames.len() as u64 - kept) * r;
        let file = std::fs::OpenOptions::new()
            .append(true)
            .open(path)
            .map_err(io(path))?;
        file.set_len(keep_len).map_err(io(path))?;
        file.sync_all().map_err(io(path))?;
        let steps: Vec<u64> = frames[..kept as usize]
            .iter()
            .map(|f| f.metrics.step)
            .collect();
        let writer = FrameWriter {
            path: path.to_path_buf(),
            file,
            last: steps.last().copied(),
        };
        Ok((writer, steps))
    }

    /// The step of the last frame in the file.
    pub fn last_step(&self) -> Option<u64> {
        self.last
    }

    /// Append the frame of step `m.step`.
    pub fn append(&mut self, m: &Metrics, elapsed_s: f64, w: &Weights) -> Result<()> {
        self.file
            .write_all(&encode_frame(m, elapsed_s, w))
            .map_err(io(&self.path))?;
        self.last = Some(m.step);
        Ok(())
    }

    /// Put the frames written so far on disk.
    pub fn sync(&mut self) -> Result<()> {
        self.file.sync_data().map_err(io(&self.path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::{Threads, Trainer, presets};

    /// The shapes worked out from the settings are the ones a model of those settings keeps
    /// in a frame, for every preset and every modular architecture, narrow and wide.
    #[test]
    fn frame_tensors_are_the_models_own() {
        for c in presets::every_shape() {
            let built = Trainer::new(c.clone(), Threads(1)).unwrap();
            assert_eq!(
                frame_tensors(&c),
                infos(&built.weights().for_frame()),
                "{} {:?} embed {}",
                c.preset,
                c.arch,
                c.embed
            );
        }
    }
}
