//! `grokscope export DIR --format npz|safetensors`: a kept run's weights as named tensors that
//! numpy (`numpy.load`) or the `safetensors` package read directly.
//!
//! Tensors: the final weights from the checkpoint under their own names (`w_input`,
//! `w_output`, and `embed`, `in_proj`, `out_proj` where the model has them; the untied
//! variants' `w_input_b`, `embed_out`, `in_proj_b`; parity's `w1`, `w2`) with `step`; the frames stacked along a first axis under `frames.NAME`, with
//! `frames.step` and the frames' metrics (`frames.train_loss`, ...).

use super::Failure;
use super::rundir::{FRAMES_FILE, RUN_FILE};
use crate::train::files::{self, show};
use crate::train::identity::{difference, same_run};
use crate::train::keep::{self, RunFile};
use crate::train::{Threads, checkpoint};
use clap::{Args, ValueEnum};
use ndarray::{ArrayD, IxDyn};
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// numpy's zip of .npy arrays: `numpy.load(FILE)`
    Npz,
    /// Hugging Face's safetensors: `safetensors.numpy.load_file(FILE)`
    Safetensors,
}

impl ExportFormat {
    fn extension(self) -> &'static str {
        match self {
            ExportFormat::Npz => "npz",
            ExportFormat::Safetensors => "safetensors",
        }
    }
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// A directory `run --out` kept
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// The file format
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// Where to write [default: DIR/weights.npz or DIR/weights.safetensors]
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// One named array.
pub(crate) enum Tensor {
    F32(ArrayD<f32>),
    F64(ArrayD<f64>),
    I64(ArrayD<i64>),
    U64(ArrayD<u64>),
}

/// A kept file that is not the run file's run.
fn mixed(
    dir: &Path,
    file: &str,
    theirs: &crate::train::Config,
    run: &crate::train::Config,
) -> Failure {
    Failure::usage(format!(
        "{}: {file} and {RUN_FILE} are of different runs ({}; the directory mixes runs)",
        show(dir),
        difference(theirs, run)
    ))
}

/// A failed write of the export: a place it may not write (read-only, no permission) is a
/// bad `--out`, status 2 as for `run --out`; anything else (a full disk) is status 1.
fn write_failure(e: crate::train::Error) -> Failure {
    use std::io::ErrorKind::{PermissionDenied, ReadOnlyFilesystem};
    match &e {
        crate::train::Error::Io { source, .. }
            if matches!(source.kind(), PermissionDenied | ReadOnlyFilesystem) =>
        {
            Failure::usage(e.to_string())
        }
        _ => Failure::failed(e.to_string()),
    }
}

/// The named tensors of a kept run, in a fixed order; with the run file's text for the
/// safetensors metadata.
pub(crate) fn tensors(dir: &Path) -> Result<(Vec<(String, Tensor)>, RunFile), Failure> {
    let run_file = RunFile::read(&dir.join(RUN_FILE))?;
    let frames_path = dir.join(FRAMES_FILE);
    let frames = if crate::train::files::present(&frames_path) {
        Some(keep::FrameReader::open(&frames_path)?)
    } else {
        None
    };
    // Every file is the run file's run, checked before anything is built from them.
    if let Some(f) = &frames
        && !same_run(&f.info().config, &run_file.config)
    {
        return Err(mixed(dir, FRAMES_FILE, &f.info().config, &run_file.config));
    }
    let Some(path) = super::rundir::checkpoint_in(dir) else {
        return Err(Failure::usage(format!(
            "{}: no checkpoint yet (the run stopped before its first); `grokscope run --resume \
             {0} --out {0}` trains it, then export",
            show(dir)
        )));
    };
    let trainer = checkpoint::load(&path, Threads(1))?;
    if !same_run(trainer.config(), &run_file.config) {
        return Err(mixed(
            dir,
            &path.file_name().unwrap_or_default().to_string_lossy(),
            trainer.config(),
            &run_file.config,
        ));
    }
    let mut out = Vec::new();
    let weights = trainer.weights();
    for (name, a) in keep::tensors(&weights) {
        out.push((
            name.to_string(),
            Tensor::F32(a.mapv(|x| x as f32).into_dyn()),
        ));
    }
    out.push((
        "step".into(),
        Tensor::I64(ArrayD::from_elem(IxDyn(&[1]), trainer.step_count() as i64)),
    ));
    // The run's identity, the 64-bit number run.json writes in hex.
    out.push((
        "identity".into(),
        Tensor::U64(ArrayD::from_elem(
            IxDyn(&[1]),
            crate::train::identity::identity_bits(trainer.config()),
        )),
    ));
    if let Some(reader) = frames {
        out.extend(frame_tensors(dir, &run_file, reader)?);
    }
    Ok((out, run_file))
}

/// A finished run's frames end whole at its last step: a damaged or torn tail, or frames
/// missing at the end, are refused (a run still being written may have one in flight, and
/// a run stopped by a signal keeps none at its last step).
fn check_ended(
    dir: &Path,
    run_file: &RunFile,
    reader: &keep::FrameReader,
    last: Option<u64>,
) -> Result<(), Failure> {
    let Some(summary) = super::rundir::read_summary(dir)? else {
        return Ok(());
    };
    if let Ok(theirs) = serde_json::from_value::<crate::train::Config>(summary["config"].clone())
        && !same_run(&theirs, &run_file.config)
    {
        return Err(mixed(
            dir,
            super::rundir::SUMMARY_FILE,
            &theirs,
            &run_file.config,
        ));
    }
    if !matches!(summary["stopped"].as_str(), Some("steps" | "until")) {
        return Ok(());
    }
    let path = dir.join(FRAMES_FILE);
    let size = std::fs::metadata(&path).map_or(0, |m| m.len());
    let ended = summary["steps"].as_u64();
    let why = if size > reader.end() {
        format!(
            "{} bytes after its last whole frame (step {}) are no frame",
            size - reader.end(),
            last.map_or("none".into(), |s| s.to_string())
        )
    } else if ended.is_some() && last != ended {
        format!(
            "its last frame is step {}, but the run ended at step {}",
            last.map_or("none".into(), |s| s.to_string()),
            ended.unwrap_or_default()
        )
    } else {
        return Ok(());
    };
    Err(Failure::usage(format!(
        "{}: {why}, so the finished run's frames are not whole (the file is damaged)",
        show(&path)
    )))
}

/// The frames stacked along a first axis: `frames.step`, each tensor, the metrics.
fn frame_tensors(
    dir: &Path,
    run_file: &RunFile,
    mut reader: keep::FrameReader,
) -> Result<Vec<(String, Tensor)>, Failure> {
    let mut out = Vec::new();
    let frames = reader.read_new()?;
    check_ended(
        dir,
        run_file,
        &reader,
        frames.last().map(|f| f.metrics.step),
    )?;
    let info = reader.info();
    let n = frames.len();
    let column = |f: &dyn Fn(&keep::SavedFrame) -> f64| {
        Tensor::F64(
            ArrayD::from_shape_vec(IxDyn(&[n]), frames.iter().map(f).collect()).expect("n values"),
        )
    };
    out.push((
        "frames.step".into(),
        Tensor::I64(
            ArrayD::from_shape_vec(
                IxDyn(&[n]),
                frames.iter().map(|f| f.metrics.step as i64).collect(),
            )
            .expect("n values"),
        ),
    ));
    for (i, t) in info.tensors.iter().enumerate() {
        let mut values = Vec::with_capacity(n * t.rows * t.cols);
        for f in &frames {
            let (_, a) = keep::tensors(&f.weights)[i];
            values.extend(a.iter().map(|&x| x as f32));
        }
        let stacked = ArrayD::from_shape_vec(IxDyn(&[n, t.rows, t.cols]), values)
            .expect("frames share their shapes");
        out.push((format!("frames.{}", t.name), Tensor::F32(stacked)));
    }
    out.push((
        "frames.train_loss".into(),
        column(&|f| f.metrics.train_loss),
    ));
    out.push(("frames.test_loss".into(), column(&|f| f.metrics.test_loss)));
    out.push(("frames.train_acc".into(), column(&|f| f.metrics.train_acc)));
    out.push(("frames.test_acc".into(), column(&|f| f.metrics.test_acc)));
    Ok(out)
}

fn npz(tensors: &[(String, Tensor)]) -> Result<Vec<u8>, String> {
    let mut w = ndarray_npy::NpzWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, t) in tensors {
        match t {
            Tensor::F32(a) => w.add_array(name.as_str(), a),
            Tensor::F64(a) => w.add_array(name.as_str(), a),
            Tensor::I64(a) => w.add_array(name.as_str(), a),
            Tensor::U64(a) => w.add_array(name.as_str(), a),
        }
        .map_err(|e| e.to_string())?;
    }
    Ok(w.finish().map_err(|e| e.to_string())?.into_inner())
}

fn safetensors(tensors: &[(String, Tensor)], run_file: &RunFile) -> Result<Vec<u8>, String> {
    use safetensors::tensor::{Dtype, TensorView};
    let bytes: Vec<(Dtype, Vec<usize>, Vec<u8>)> = tensors
        .iter()
        .map(|(_, t)| match t {
            Tensor::F32(a) => (
                Dtype::F32,
                a.shape().to_vec(),
                le_bytes(a, f32::to_le_bytes),
            ),
            Tensor::F64(a) => (
                Dtype::F64,
                a.shape().to_vec(),
                le_bytes(a, f64::to_le_bytes),
            ),
            Tensor::I64(a) => (
                Dtype::I64,
                a.shape().to_vec(),
                le_bytes(a, i64::to_le_bytes),
            ),
            Tensor::U64(a) => (
                Dtype::U64,
                a.shape().to_vec(),
                le_bytes(a, u64::to_le_bytes),
            ),
        })
        .collect();
    let views = tensors
        .iter()
        .zip(&bytes)
        .map(|((name, _), (dtype, shape, data))| {
            TensorView::new(*dtype, shape.clone(), data).map(|v| (name.clone(), v))
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    let metadata = std::collections::HashMap::from([
        ("grokscope".to_string(), keep::GROKSCOPE_VERSION.to_string()),
        ("run".to_string(), run_file.to_json().trim_end().to_string()),
        (
            "identity".to_string(),
            crate::train::identity::identity(&run_file.config),
        ),
    ]);
    safetensors::serialize(views, Some(metadata)).map_err(|e| e.to_string())
}

fn le_bytes<T: Copy, const N: usize>(a: &ArrayD<T>, f: fn(T) -> [u8; N]) -> Vec<u8> {
    a.iter().flat_map(|&x| f(x)).collect()
}

pub fn run(args: ExportArgs) -> Result<(), Failure> {
    if !args.dir.is_dir() {
        return Err(Failure::usage(format!(
            "{}: not a directory (export reads a directory `run --out` kept)",
            show(&args.dir)
        )));
    }
    let (tensors, run_file) = tensors(&args.dir)?;
    let out = args.out.clone().unwrap_or_else(|| {
        args.dir
            .join(format!("weights.{}", args.format.extension()))
    });
    super::check_output_file(&out)?;
    let folder = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !folder.is_dir() {
        return Err(Failure::usage(format!(
            "{}: no such folder to write {} into",
            show(folder),
            show(&out)
        )));
    }
    let bytes = match args.format {
        ExportFormat::Npz => npz(&tensors),
        ExportFormat::Safetensors => safetensors(&tensors, &run_file),
    }
    .map_err(|e| Failure::failed(format!("{}: {e}", show(&out))))?;
    files::write_atomic(&out, &bytes).map_err(write_failure)?;
    eprintln!(
        "wrote {} ({} tensors, {} bytes)",
        show(&out),
        tensors.len(),
        bytes.len()
    );
    Ok(())
}
