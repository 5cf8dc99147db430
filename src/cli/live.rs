//! `grokscope --out DIR`: the dashboard's runs kept as `run --out DIR` keeps one (run.json,
//! the metrics lines, weight frames, a checkpoint every minute and at the end, the summary),
//! through the same writer ([`OutDir`]), so `replay`, `export` and `run --resume` take them.
//! The first run goes into DIR; each restart inside the dashboard into a new directory
//! beside it, DIR-2, DIR-3, ..., so runs are never mixed.

use super::Failure;
use super::metrics::Format;
use super::run::{Ending, read_line, summary_json};
use super::rundir::{self, Begin, LOCK_FILE, OutDir};
use crate::app::session::{End, Keep, Keeper};
use crate::probe::{Phase, Prober};
use crate::train::files::{Lock, show};
use crate::train::keep::RunFile;
use crate::train::{Metrics, Run, Trainer};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A checkpoint at the first metrics point after every minute of training, as `run --out`.
const CHECKPOINT_WALL: Duration = Duration::from_secs(60);

/// What the dashboard's keeping leaves to say once it has closed: the directories written
/// and the failures met.
#[derive(Default)]
pub struct Kept {
    pub dirs: Vec<PathBuf>,
    pub failures: Vec<String>,
}

/// Whether `dir` holds nothing (a lock file a finished writer left aside) or does not exist.
fn empty(dir: &Path) -> bool {
    match std::fs::read_dir(dir) {
        Ok(entries) => entries.flatten().all(|e| e.file_name() == LOCK_FILE),
        Err(_) => !dir.exists(),
    }
}

/// Lock `dir` and make it this run's: it must be new or empty, since the dashboard starts
/// runs and never continues one (`run --resume DIR` does).
fn claim_empty(dir: &Path) -> Result<Lock, Failure> {
    if !empty(dir) {
        return Err(Failure::usage(format!(
            "{} is not empty: the dashboard keeps a new run in a new or empty directory \
             (`grokscope run --resume {}` continues a kept run)",
            show(dir),
            show(dir)
        )));
    }
    rundir::lock(dir)
}

/// The directory of the `n`-th run of the session (1: DIR itself; then DIR-2, DIR-3, ...,
/// skipping any that is not empty).
fn next_dir(base: &Path, n: &mut u32) -> PathBuf {
    loop {
        *n += 1;
        let mut name = base.as_os_str().to_os_string();
        name.push(format!("-{n}"));
        let dir = PathBuf::from(name);
        if empty(&dir) {
            return dir;
        }
    }
}

/// The keeper of `grokscope --out DIR`: DIR is claimed now (so a directory in use or not
/// empty is refused before the dashboard opens), the restarts' directories when they start.
/// `kept` gathers what to say after the dashboard closes.
pub fn keeper(base: &Path, kept: Arc<Mutex<Kept>>) -> Result<Keeper, Failure> {
    let mut first = Some(claim_empty(base)?);
    let base = base.to_path_buf();
    let mut n = 1;
    Ok(Box::new(move |trainer: &Trainer| {
        let (dir, lock) = match first.take() {
            Some(lock) => (base.clone(), lock),
            None => {
                let dir = next_dir(&base, &mut n);
                let lock = claim_empty(&dir).map_err(|f| f.message().to_string())?;
                (dir, lock)
            }
        };
        let run = KeptRun::open(&dir, lock, trainer, kept.clone())
            .map_err(|f| f.message().to_string())?;
        kept.lock()
            .unwrap_or_else(|p| p.into_inner())
            .dirs
            .push(dir);
        Ok(Box::new(run) as Box<dyn Keep>)
    }))
}

/// One run the dashboard keeps: its directory's writer and what its summary needs.
struct KeptRun {
    out: OutDir,
    dir: PathBuf,
    prober: Prober,
    phase: Option<Phase>,
    grokked_at: Option<u64>,
    last_checkpoint: Instant,
    kept: Arc<Mutex<Kept>>,
}

impl KeptRun {
    /// The run's directory begun as `run --out` begins one: run.json with the dashboard's
    /// metrics interval (about 200 points a run), a frame at every metrics point.
    fn open(
        dir: &Path,
        lock: Lock,
        trainer: &Trainer,
        kept: Arc<Mutex<Kept>>,
    ) -> Result<Self, Failure> {
        let every = crate::app::session::eval_interval(trainer.config());
        let begin = Begin {
            format: Format::Jsonl,
            prior: &[],
            trainer,
            run_file: RunFile::new(trainer.config(), every, every, Format::Jsonl.name()),
            frames_from: None,
        };
        Ok(KeptRun {
            out: OutDir::create(dir, lock, begin)?,
            dir: dir.to_path_buf(),
            prober: Prober::new(trainer.config(), trainer.data()),
            phase: None,
            grokked_at: None,
            last_checkpoint: Instant::now(),
            kept,
        })
    }
}

impl Keep for KeptRun {
    /// The metrics line `run` would write at this step (every read-out computed afresh), the
    /// frame, and a checkpoint after every minute of training.
    fn point(&mut self, run: &Run, m: &Metrics) -> Result<(), String> {
        let (line, phase, weights) = read_line(&mut self.prober, run, m);
        self.phase = Some(phase);
        if self.grokked_at.is_none() && m.test_acc >= 0.99 {
            self.grokked_at = Some(m.step);
        }
        let written = (|| {
            self.out.write_line(&line.render(Format::Jsonl))?;
            self.out.frame(m, line.elapsed_s, &weights.for_frame())?;
            if self.last_checkpoint.elapsed() >= CHECKPOINT_WALL && !run.finished() {
                self.out.checkpoint(run.trainer())?;
                self.last_checkpoint = Instant::now();
            }
            Ok::<_, Failure>(())
        })();
        written.map_err(|f| self.failed(f))
    }

    fn finish(self: Box<Self>, run: &mut Run, end: End) -> Result<(), String> {
        let KeptRun {
            out,
            dir,
            phase,
            grokked_at,
            kept,
            ..
        } = *self;
        let stopped = match end {
            End::Finished => "steps",
            End::Diverged => "diverged",
            End::Left => "quit",
        };
        let ending = Ending {
            start_step: 0,
            grokked_at,
            stopped,
            phase,
            failed: end == End::Diverged,
        };
        let summary = summary_json(run, ending);
        let trainer = (end != End::Diverged).then_some(run.trainer());
        out.finish(Some(&summary), &summary, trainer).map_err(|f| {
            let e = format!("{}: {}", show(&dir), f.message());
            kept.lock()
                .unwrap_or_else(|p| p.into_inner())
                .failures
                .push(e.clone());
            e
        })
    }

    fn place(&self) -> String {
        show(&self.dir)
    }
}

impl KeptRun {
    /// A write that failed: noted for after the dashboard, and said in its footer.
    fn failed(&self, f: Failure) -> String {
        let e = format!("{}: {}", show(&self.dir), f.message());
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        kept.failures.push(e.clone());
        e
    }
}
