//! The directory `run --out DIR` keeps a run in: its file names, claiming it (one run per
//! directory, one writer at a time) and writing into it (metrics, frames, checkpoints, the
//! summary), every file whole after a kill.

use super::Failure;
use super::metrics::{CSV_HEADER, Format};
use crate::train::Trainer;
use crate::train::checkpoint;
use crate::train::files::{self, Lock, Locked, show};
use crate::train::identity::{difference, same_run};
use crate::train::keep::{FrameWriter, RunFile};
use std::io::Write;
use std::path::{Path, PathBuf};

/// File names inside `--out` / `--resume` directories. The checkpoint (a safetensors file,
/// see [`crate::train::checkpoint`]).
pub const CHECKPOINT_FILE: &str = "checkpoint.safetensors";
/// The checkpoint of directories kept before checkpoints were safetensors files: still
/// resumed, and removed once the run has a checkpoint of its own again.
pub const OLD_CHECKPOINT_FILE: &str = "checkpoint.grok";
/// The run's settings, written when the directory is claimed: every file beside it belongs
/// to this run.
pub const RUN_FILE: &str = "run.json";
/// The weight frames (see [`crate::train::keep`]).
pub const FRAMES_FILE: &str = "frames.bin";
pub const SUMMARY_FILE: &str = "summary.json";
/// Held by the process writing into the directory (see [`lock`]).
pub const LOCK_FILE: &str = ".grokscope.lock";
/// The checkpoint note holding the digest of the metrics lines written up to its step.
pub const METRICS_NOTE: &str = "metrics_digest";
/// Largest summary read back: a line of JSON.
const MAX_SUMMARY: u64 = 1 << 20;

pub fn metrics_file(format: Format) -> &'static str {
    match format {
        Format::Jsonl => "metrics.jsonl",
        Format::Csv => "metrics.csv",
    }
}

/// The metrics file a run writes while it trains, renamed to [`metrics_file`] at its end.
pub fn partial_file(format: Format) -> String {
    format!(".{}.partial", metrics_file(format))
}

/// The checkpoint kept in `dir`: this build's, or one of before (when only that is there).
pub fn checkpoint_in(dir: &Path) -> Option<PathBuf> {
    [CHECKPOINT_FILE, OLD_CHECKPOINT_FILE]
        .into_iter()
        .map(|f| dir.join(f))
        .find(|p| files::present(p))
}

/// Whether two paths name the same directory.
pub fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// The files a run leaves in its directory.
fn run_files() -> Vec<String> {
    let mut files = vec![
        CHECKPOINT_FILE.to_string(),
        OLD_CHECKPOINT_FILE.to_string(),
        FRAMES_FILE.to_string(),
        SUMMARY_FILE.to_string(),
        RUN_FILE.to_string(),
    ];
    for f in [Format::Jsonl, Format::Csv] {
        files.push(metrics_file(f).to_string());
        files.push(partial_file(f));
    }
    files
}

/// The kept run's directory when `path` names one of the files a run keeps there (beside
/// its run.json), whether or not that file is there yet.
pub fn owner(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?.to_str()?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let kept = name == LOCK_FILE || run_files().iter().any(|f| f == name);
    (kept && files::present(&dir.join(RUN_FILE))).then(|| dir.to_path_buf())
}

/// Take the directory's writer lock (creating the directory): a second writer, whatever
/// it was asked (`--resume`, `--force`), is refused with the holder's PID. Held until the
/// returned lock drops, when the process ends at the latest.
pub fn lock(dir: &Path) -> Result<Lock, Failure> {
    std::fs::create_dir_all(dir).map_err(|e| Failure::usage(format!("{}: {e}", show(dir))))?;
    Lock::take(&dir.join(LOCK_FILE)).map_err(|e| match e {
        Locked::Held(pid) => Failure::usage(format!(
            "{} is being written by {}; wait for it to finish or stop it first",
            show(dir),
            pid.map_or("another process".into(), |p| format!("process {p}"))
        )),
        Locked::Io(e) => Failure::usage(format!("{}: cannot lock it: {e}", show(dir))),
    })
}

/// The run file of a run stopped before its first checkpoint (no checkpoint, no summary, no
/// finished metrics): nothing of it can be resumed, and starting it over loses nothing.
pub fn stopped_before_checkpoint(dir: &Path) -> Option<RunFile> {
    let finished = [
        CHECKPOINT_FILE,
        OLD_CHECKPOINT_FILE,
        SUMMARY_FILE,
        metrics_file(Format::Jsonl),
        metrics_file(Format::Csv),
    ];
    if finished.iter().any(|f| files::present(&dir.join(f))) {
        return None;
    }
    RunFile::read(&dir.join(RUN_FILE)).ok()
}

/// Make `dir` (locked by this process) this run's: refuse (status 2) when it holds another
/// run's files. `force` removes them; so does a rerun of the same settings into a run
/// stopped before its first checkpoint (it starts over, saying so).
pub fn claim(dir: &Path, force: bool, config: &crate::train::Config) -> Result<(), Failure> {
    let held: Vec<String> = run_files()
        .into_iter()
        .filter(|f| files::present(&dir.join(f)))
        .collect();
    if held.is_empty() {
        return Ok(());
    }
    if !force {
        let Some(stopped) = stopped_before_checkpoint(dir) else {
            return Err(Failure::usage(format!(
                "{} holds another run ({}); --resume {} continues it, --force overwrites it",
                show(dir),
                held[0],
                show(dir)
            )));
        };
        if !same_run(&stopped.config, config) {
            return Err(Failure::usage(format!(
                "{} holds a run of other settings stopped before its first checkpoint \
                 (nothing of it can be resumed); --force replaces it",
                show(dir)
            )));
        }
        eprintln!(
            "grokscope: {}: starting over the run stopped there before its first checkpoint",
            show(dir)
        );
    }
    for f in held {
        std::fs::remove_file(dir.join(&f))
            .map_err(|e| Failure::usage(format!("{}: {e}", show(&dir.join(&f)))))?;
    }
    Ok(())
}

/// The summary of the run in `dir`, when it wrote one; one that is there but cannot be read
/// (not a regular file, not JSON) is refused with the reason, never taken for none.
pub fn read_summary(dir: &Path) -> Result<Option<serde_json::Value>, Failure> {
    let path = dir.join(SUMMARY_FILE);
    if !files::present(&path) {
        return Ok(None);
    }
    let bytes = files::read_regular(&path, MAX_SUMMARY)?;
    serde_json::from_slice(bytes.trim_ascii())
        .map(Some)
        .map_err(|_| {
            Failure::usage(format!(
                "{}: not a run's summary (not JSON); restore it, or remove it to resume the run",
                show(&path)
            ))
        })
}

/// Refuse to resume a directory whose files are not all of one run: its run.json (when
/// there is one) must hold the checkpoint's settings, and its summary the same preset. A
/// run file this build cannot read is refused with the reason. Returns the run file.
pub fn check_same_run(
    dir: &Path,
    config: &crate::train::Config,
) -> Result<Option<RunFile>, Failure> {
    let mixed = |what: &str, theirs: &crate::train::Config| {
        Failure::usage(format!(
            "{}: {what} is not the checkpoint's run ({}; the directory mixes runs)",
            show(dir),
            difference(theirs, config)
        ))
    };
    let run_file = if files::present(&dir.join(RUN_FILE)) {
        let file = RunFile::read(&dir.join(RUN_FILE))?;
        if !same_run(&file.config, config) {
            return Err(mixed(RUN_FILE, &file.config));
        }
        Some(file)
    } else {
        None
    };
    if let Some(summary) = read_summary(dir)? {
        let theirs = serde_json::from_value::<crate::train::Config>(summary["config"].clone());
        match theirs {
            Ok(c) if same_run(&c, config) => {}
            Ok(c) => return Err(mixed(SUMMARY_FILE, &c)),
            // A summary of before settings were kept in it: its preset at least.
            Err(_) if summary["preset"].as_str() == Some(config.preset.as_str()) => {}
            Err(_) => return Err(mixed(SUMMARY_FILE, config)),
        }
    }
    Ok(run_file)
}

/// Remove the temporary files a killed run left (`.summary.json.tmp.PID`,
/// `.checkpoint.safetensors.tmp.PID`, a half-copied metrics file) before writing anew.
fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let ours = run_files().iter().any(|f| {
            let base = f.trim_start_matches('.');
            name.starts_with(&format!(".{base}.tmp."))
                || name == format!(".{base}.new")
                || name == format!(".{base}.partial.new")
        });
        if ours {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// The `--out` directory: metrics are written to a hidden partial file and renamed into
/// place at the end, next to the summary and the final checkpoint.
pub struct OutDir {
    dir: PathBuf,
    format: Format,
    partial: PathBuf,
    file: std::io::BufWriter<std::fs::File>,
    frames: FrameWriter,
    /// FNV-1a 64 of the metrics lines written so far (each with its newline; no CSV header,
    /// no summary), noted in every checkpoint so a resume can tell the lines are unchanged.
    digest: u64,
    /// The directory's writer lock, let go when the run's files are complete.
    _lock: Lock,
}

/// What an [`OutDir`] starts from.
pub struct Begin<'a> {
    pub format: Format,
    /// The metrics lines before the trainer's step (a resumed run's), CSV header aside.
    pub prior: &'a [String],
    pub trainer: &'a Trainer,
    pub run_file: RunFile,
    /// The frames file of the run being resumed, continued from the trainer's step.
    pub frames_from: Option<&'a Path>,
}

impl OutDir {
    pub fn create(dir: &Path, lock: Lock, begin: Begin) -> Result<Self, Failure> {
        let Begin {
            format,
            prior,
            trainer,
            run_file,
            frames_from,
        } = begin;
        let config = trainer.config();
        let io = |e: std::io::Error| Failure::usage(format!("{}: {e}", show(dir)));
        remove_stale_temporaries(dir);
        let frames_path = dir.join(FRAMES_FILE);
        let frames = match frames_from {
            Some(from) => {
                if !same_dir(from, &frames_path) {
                    let copy = files::read_regular(from, u64::MAX)?;
                    files::write_atomic(&frames_path, &copy)?;
                }
                FrameWriter::resume(&frames_path, config, trainer.step_count())?.0
            }
            None => FrameWriter::create(
                &frames_path,
                config,
                run_file.frame_every.unwrap_or(1),
                &trainer.weights().for_frame(),
            )?,
        };
        let partial = dir.join(partial_file(format));
        // Written aside and renamed, so a kill never leaves the prior lines half copied.
        let staged = dir.join(format!("{}.new", partial_file(format)));
        let file = std::fs::File::create(&staged).map_err(io)?;
        files::write_atomic(&dir.join(RUN_FILE), run_file.to_json().as_bytes())
            .map_err(|e| Failure::failed(e.to_string()))?;
        let mut out = OutDir {
            dir: dir.to_path_buf(),
            format,
            partial,
            file: std::io::BufWriter::new(file),
            frames,
            digest: files::FNV_OFFSET,
            _lock: lock,
        };
        if format == Format::Csv {
            out.write_raw(CSV_HEADER)?;
        }
        for l in prior {
            out.write_line(l)?;
        }
        out.sync()?;
        std::fs::rename(&staged, &out.partial)
            .and_then(|()| files::sync_dir(dir))
            .map_err(io)?;
        // The run is under way again: a finished run's summary and metrics file (which the
        // partial file now continues) would say otherwise.
        for stale in [SUMMARY_FILE, metrics_file(format)] {
            let path = dir.join(stale);
            if files::present(&path) {
                std::fs::remove_file(&path).map_err(io)?;
            }
        }
        Ok(out)
    }

    /// The step of the last frame kept.
    pub fn last_frame(&self) -> Option<u64> {
        self.frames.last_step()
    }

    /// Flush the metrics and frames written so far to disk.
    fn sync(&mut self) -> Result<(), Failure> {
        let fail = |e: std::io::Error| Failure::failed(format!("{}: {e}", show(&self.partial)));
        self.file.flush().map_err(fail)?;
        self.file.get_ref().sync_data().map_err(fail)?;
        self.frames
            .sync()
            .map_err(|e| Failure::failed(e.to_string()))
    }

    /// Keep the weight frame of step `m.step`.
    pub fn frame(
        &mut self,
        m: &crate::train::Metrics,
        elapsed_s: f64,
        w: &crate::train::Weights,
    ) -> Result<(), Failure> {
        self.frames
            .append(m, elapsed_s, w)
            .map_err(|e| Failure::failed(e.to_string()))
    }

    /// A crash-safe checkpoint: the metrics up to this step on disk first, then the
    /// checkpoint renamed into place, so a resume finds every line up to its step.
    pub fn checkpoint(&mut self, trainer: &Trainer) -> Result<(), Failure> {
        self.sync()?;
        self.save(trainer)
    }

    /// Save the checkpoint (synced, renamed into place, the directory synced); one of the
    /// format before, which it replaces, is then removed.
    fn save(&self, trainer: &Trainer) -> Result<(), Failure> {
        let notes =
            checkpoint::Notes::from([(METRICS_NOTE.to_string(), format!("{:016x}", self.digest))]);
        checkpoint::save_noted(trainer, &self.dir.join(CHECKPOINT_FILE), &notes)
            .map_err(|e| Failure::failed(e.to_string()))?;
        let old = self.dir.join(OLD_CHECKPOINT_FILE);
        if files::present(&old) {
            std::fs::remove_file(&old)
                .map_err(|e| Failure::failed(format!("{}: {e}", show(&old))))?;
        }
        Ok(())
    }

    /// Write a metrics line.
    pub fn write_line(&mut self, text: &str) -> Result<(), Failure> {
        self.digest = files::fnv1a_from(files::fnv1a_from(self.digest, text.as_bytes()), b"\n");
        self.write_raw(text)
    }

    /// Write a line that is no metrics line (the CSV header, the summary).
    fn write_raw(&mut self, text: &str) -> Result<(), Failure> {
        writeln!(self.file, "{text}")
            .map_err(|e| Failure::failed(format!("{}: {e}", show(&self.partial))))
    }

    /// The last line (the summary, for JSON lines), the metrics file renamed into place, the
    /// summary, and the final checkpoint (of a run that did not fail).
    pub fn finish(
        mut self,
        last_line: Option<&str>,
        summary: &str,
        trainer: Option<&Trainer>,
    ) -> Result<(), Failure> {
        let fail = |e: String| Failure::failed(e);
        if let Some(l) = last_line {
            self.write_raw(l)?;
        }
        self.file
            .flush()
            .map_err(|e| fail(format!("{}: {e}", show(&self.partial))))?;
        self.file
            .get_ref()
            .sync_all()
            .map_err(|e| fail(format!("{}: {e}", show(&self.partial))))?;
        self.frames.sync().map_err(|e| fail(e.to_string()))?;
        let target = self.dir.join(metrics_file(self.format));
        std::fs::rename(&self.partial, &target)
            .and_then(|()| files::sync_dir(&self.dir))
            .map_err(|e| fail(format!("{}: {e}", show(&target))))?;
        files::write_atomic(
            &self.dir.join(SUMMARY_FILE),
            format!("{summary}\n").as_bytes(),
        )
        .map_err(|e| fail(e.to_string()))?;
        if let Some(t) = trainer {
            self.save(t)?;
        }
        Ok(())
    }
}
