//! `grokscope run`: train without a screen.

use super::{Failure, TrainArgs};
use crate::probe::{Phase, Prober, Readout};
use crate::train::checkpoint;
use crate::train::keep::{FrameWriter, RunFile};
use crate::train::{Control, Flow, Metrics, Run, Stop, Trainer, drive};
use clap::{Args, ValueEnum};
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    #[default]
    Jsonl,
    Csv,
}

#[derive(Args, Debug)]
pub struct RunArgs {
    #[command(flatten)]
    pub train: TrainArgs,
    /// Metrics interval in steps
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub every: u64,
    /// Stop once test accuracy reaches ACC (checked at each metrics line)
    #[arg(long, value_name = "ACC", allow_negative_numbers = true)]
    pub until: Option<f64>,
    /// Directory for the metrics file, a summary and the final checkpoint
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Continue the run saved in DIR (its latest checkpoint), or from a checkpoint FILE (one
    /// the dashboard saved with s); --steps sets the new total
    #[arg(long, value_name = "DIR|FILE")]
    pub resume: Option<PathBuf>,
    /// Write a checkpoint into --out at the first metrics line after every N steps
    /// [default: after every minute of training]
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub checkpoint_every: Option<String>,
    /// Keep a weight frame in --out at the first metrics line after every N steps (and at
    /// the last) [default: the dashboard's frame interval, about 200 frames a run, at most
    /// every 100 steps, rounded up to a multiple of --every]
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub frame_every: Option<String>,
    /// Overwrite an --out directory that holds another run
    #[arg(long)]
    pub force: bool,
    /// Output format on stdout and in --out
    #[arg(long, value_enum, default_value_t = Format::Jsonl)]
    pub format: Format,
}

/// File names inside `--out` / `--resume` directories.
pub const CHECKPOINT_FILE: &str = "checkpoint.grok";
/// The run's settings, written when the directory is claimed: every file beside it belongs
/// to this run.
pub const RUN_FILE: &str = "run.json";
/// The weight frames (see [`crate::train::keep`]).
pub const FRAMES_FILE: &str = "frames.bin";
/// Default checkpoint cadence: the first metrics line after each minute of training, so a
/// kill loses at most a minute (plus one metrics interval) of work.
const CHECKPOINT_WALL: std::time::Duration = std::time::Duration::from_secs(60);

/// When `run --out` writes a checkpoint before the end.
#[derive(Clone, Copy)]
enum Cadence {
    Steps(u64),
    Wall(std::time::Duration),
}

/// Whether two paths name the same directory.
fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// The files a run leaves in its directory.
fn run_files() -> [String; 7] {
    [
        CHECKPOINT_FILE.to_string(),
        FRAMES_FILE.to_string(),
        SUMMARY_FILE.to_string(),
        RUN_FILE.to_string(),
        metrics_file(Format::Jsonl).to_string(),
        metrics_file(Format::Csv).to_string(),
        format!(".{}.partial", metrics_file(Format::Jsonl)),
    ]
}

/// Make `dir` this run's: refuse (status 2) when it holds another run's files, unless
/// `force`, which removes them.
fn claim(dir: &Path, force: bool) -> Result<(), Failure> {
    let mut held: Vec<String> = run_files()
        .into_iter()
        .chain([format!(".{}.partial", metrics_file(Format::Csv))])
        .filter(|f| dir.join(f).exists())
        .collect();
    if held.is_empty() {
        return Ok(());
    }
    if !force {
        return Err(Failure::usage(format!(
            "{} holds another run ({}); --resume {} continues it, --force overwrites it",
            dir.display(),
            held.remove(0),
            dir.display()
        )));
    }
    for f in held {
        std::fs::remove_file(dir.join(&f))
            .map_err(|e| Failure::usage(format!("{}: {e}", dir.join(&f).display())))?;
    }
    Ok(())
}

/// Refuse to resume a directory whose files are not all of one run: its run.json (when
/// there is one) must hold the checkpoint's settings, and its summary the same preset. A
/// run file this build cannot read is refused with the reason. Returns the run file.
fn check_same_run(dir: &Path, config: &crate::train::Config) -> Result<Option<RunFile>, Failure> {
    let mixed = |what: &str| {
        Failure::usage(format!(
            "{}: {what} is not the checkpoint's run (the directory mixes runs)",
            dir.display()
        ))
    };
    let read = |name: &str| -> Option<serde_json::Value> {
        let text = std::fs::read_to_string(dir.join(name)).ok()?;
        serde_json::from_str(text.trim()).ok()
    };
    let run_file = if dir.join(RUN_FILE).exists() {
        let file = RunFile::read(&dir.join(RUN_FILE))?;
        let mut c = file.config.clone();
        c.steps = config.steps;
        if &c != config {
            return Err(mixed(RUN_FILE));
        }
        Some(file)
    } else {
        None
    };
    if let Some(summary) = read(SUMMARY_FILE)
        && summary["preset"].as_str() != Some(config.preset.as_str())
    {
        return Err(mixed(SUMMARY_FILE));
    }
    Ok(run_file)
}

/// The default frame interval: the dashboard's (about 200 frames a run, every 20 to 100
/// steps), rounded up to a multiple of the metrics interval, since frames are kept at
/// metrics lines.
fn default_frame_every(cfg: &crate::train::Config, every: u64) -> u64 {
    crate::app::session::eval_interval(cfg).div_ceil(every) * every
}

/// Remove the temporary files a killed run left (`.summary.json.tmp.PID`,
/// `.checkpoint.grok.tmp.PID`, a half-copied metrics file) before writing anew.
fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let ours = run_files()
            .iter()
            .chain([&format!(".{}.partial", metrics_file(Format::Csv))])
            .any(|f| {
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
pub const SUMMARY_FILE: &str = "summary.json";
pub fn metrics_file(format: Format) -> &'static str {
    match format {
        Format::Jsonl => "metrics.jsonl",
        Format::Csv => "metrics.csv",
    }
}

/// One metrics line.
#[derive(Serialize)]
struct Line {
    #[serde(flatten)]
    metrics: Metrics,
    elapsed_s: f64,
    #[serde(flatten)]
    readout: Readout,
}

const CSV_HEADER: &str = "step,train_loss,test_loss,train_acc,test_acc,weight_norm,elapsed_s,\
                          gini,key_freqs,restricted_loss,excluded_loss,informative_share";

/// A CSV cell for an optional value: empty when absent.
fn cell<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(T::to_string).unwrap_or_default()
}

impl Line {
    fn render(&self, format: Format) -> String {
        match format {
            Format::Jsonl => serde_json::to_string(self).expect("metrics serialise"),
            Format::Csv => {
                let m = &self.metrics;
                let r = &self.readout;
                // Key frequencies are space-separated inside their cell.
                let keys = r
                    .key_freqs
                    .as_ref()
                    .map(|k| k.iter().map(usize::to_string).collect::<Vec<_>>().join(" "));
                format!(
                    "{},{},{},{},{},{},{},{},{},{},{},{}",
                    m.step,
                    m.train_loss,
                    m.test_loss,
                    m.train_acc,
                    m.test_acc,
                    m.weight_norm,
                    self.elapsed_s,
                    cell(&r.gini),
                    cell(&keys),
                    cell(&r.restricted_loss),
                    cell(&r.excluded_loss),
                    cell(&r.informative_share),
                )
            }
        }
    }
}

#[derive(Serialize)]
struct Summary {
    summary: bool,
    /// The grokscope version that wrote it and the run file's format version.
    grokscope: &'static str,
    run_format: u32,
    preset: String,
    steps: u64,
    steps_per_s: f64,
    grokked_at: Option<u64>,
    stopped: &'static str,
    /// The phase label at the last metrics line (absent for a resumed run that logged none).
    #[serde(skip_serializing_if = "Option::is_none")]
    phase: Option<&'static str>,
    #[serde(flatten)]
    metrics: Metrics,
    elapsed_s: f64,
    /// The run's settings.
    config: crate::train::Config,
}

fn round(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

pub fn run(args: RunArgs) -> Result<(), Failure> {
    if args.every == 0 {
        return Err(Failure::usage("--every must be at least 1"));
    }
    if let Some(u) = args.until.filter(|u| !(0.0..=1.0).contains(u)) {
        return Err(Failure::usage(format!(
            "--until is a test accuracy in [0, 1] (got {u})"
        )));
    }
    let threads = args.train.threads()?;
    let (trainer, total_steps, prior_lines, saved) = match &args.resume {
        Some(dir) => {
            if let Some(flag) = args.train.overrides_model() {
                return Err(Failure::usage(format!(
                    "{flag} cannot change a resumed run (only --steps and --threads apply)"
                )));
            }
            let mut saved = None;
            let mut trainer = if dir.is_file() {
                // A checkpoint file (the dashboard's `s`): no metrics to continue.
                checkpoint::load(dir, threads)?
            } else {
                let t = checkpoint::load(&dir.join(CHECKPOINT_FILE), threads)?;
                saved = check_same_run(dir, t.config())?;
                t
            };
            let total = args.train.steps()?.unwrap_or(trainer.config().steps);
            trainer.set_planned_steps(total);
            let prior = if dir.is_file() {
                Vec::new()
            } else {
                read_prior_lines(dir, args.format, trainer.step_count())
            };
            (trainer, total, prior, saved)
        }
        None => {
            let cfg = args.train.config()?;
            let total = cfg.steps;
            (Trainer::new(cfg, threads)?, total, Vec::new(), None)
        }
    };
    let kept_every = saved.as_ref().and_then(|f| f.frame_every);
    let frame_every = match (&args.frame_every, kept_every) {
        (Some(t), kept) => match (super::whole_flag("frame-every", t)?, kept) {
            (0, _) => return Err(Failure::usage("--frame-every must be at least 1")),
            (n, Some(k)) if n != k => {
                return Err(Failure::usage(format!(
                    "--frame-every cannot change a resumed run (it keeps a frame every {k} steps)"
                )));
            }
            (n, _) => n,
        },
        (None, Some(k)) => k,
        (None, None) => default_frame_every(trainer.config(), args.every),
    };
    let checkpoint_every = match &args.checkpoint_every {
        Some(t) => match super::whole_flag("checkpoint-every", t)? {
            0 => return Err(Failure::usage("--checkpoint-every must be at least 1")),
            n => Cadence::Steps(n),
        },
        None => Cadence::Wall(CHECKPOINT_WALL),
    };
    let out = match &args.out {
        Some(dir) => {
            let resuming_it = args.resume.as_deref().is_some_and(|r| same_dir(r, dir));
            if !resuming_it {
                claim(dir, args.force)?;
            }
            // The frames continue from the resumed directory's (copied in when it is another).
            let frames_from = args
                .resume
                .as_deref()
                .map(|r| r.join(FRAMES_FILE))
                .filter(|f| f.is_file());
            Some(OutDir::create(
                dir,
                args.format,
                &prior_lines,
                &trainer,
                frame_every,
                frames_from.as_deref(),
            )?)
        }
        None => None,
    };
    let mut out = out;
    let mut next_frame = out
        .as_ref()
        .and_then(|o| o.frames.last_step())
        .map_or(0, |s| (s / frame_every + 1) * frame_every);
    let mut last_checkpoint = (trainer.step_count(), std::time::Instant::now());

    let progress = super::progress_bar(
        total_steps,
        trainer.step_count(),
        "{bar:40} {pos}/{len} steps  {per_sec}  eta {eta}",
    );
    let mut stdout = Stdout {
        lock: std::io::stdout().lock(),
        failure: None,
        has_out: out.is_some(),
    };
    let mut emit = |text: &str, out: &mut Option<OutDir>| -> Result<(), Failure> {
        stdout.line(text)?;
        if let Some(o) = out {
            o.write_line(text)?;
        }
        Ok(())
    };
    if args.format == Format::Csv && prior_lines.is_empty() {
        emit(CSV_HEADER, &mut None)?;
    }

    let start_step = trainer.step_count();
    // A resumed run that grokked before it stopped keeps that step.
    let mut grokked_at = first_grokked(&prior_lines, args.format);
    let mut prober = Prober::new(trainer.config(), trainer.data());
    let mut phase = None;
    let mut run = Run::new(trainer, args.every);
    // SIGINT, SIGTERM and SIGHUP (an SSH drop) end the loop within a step; the run then
    // finishes as any other: summary, final checkpoint and metrics in --out.
    let control = std::sync::Arc::new(Control::new());
    super::cancel_on_signals(control.clone());
    let stop = drive(&mut run, &control, |run, m| {
        let weights = run.trainer().weights();
        let readings = prober.read_all(&weights);
        let line = Line {
            metrics: *m,
            elapsed_s: round(run.elapsed().as_secs_f64(), 4),
            readout: readings.readout(),
        };
        phase = Some(prober.phase(m, &readings));
        emit(&line.render(args.format), &mut out)?;
        let stopping = args.until.is_some_and(|u| m.test_acc >= u);
        if let Some(o) = out.as_mut() {
            if m.step >= next_frame || run.finished() || stopping {
                o.frame(m, line.elapsed_s, &weights.for_frame())?;
                next_frame = (m.step / frame_every + 1) * frame_every;
            }
            let due = match checkpoint_every {
                Cadence::Steps(n) => m.step >= last_checkpoint.0 + n,
                Cadence::Wall(d) => last_checkpoint.1.elapsed() >= d,
            };
            if due && !run.finished() {
                o.checkpoint(run.trainer())?;
                last_checkpoint = (m.step, std::time::Instant::now());
            }
        }
        progress.set_position(m.step);
        if grokked_at.is_none() && m.test_acc >= 0.99 {
            grokked_at = Some(m.step);
        }
        Ok(if stopping { Flow::Stop } else { Flow::Continue })
    });
    progress.finish_and_clear();
    // The summary's word for why the run ended (its only observer stop is --until).
    let stopped = match &stop {
        Ok(Stop::Steps) | Err(_) => "steps",
        Ok(Stop::Observer) => "until",
        Ok(Stop::Diverged(_)) => "diverged",
        Ok(Stop::Cancelled) => "signal",
    };
    let result = match stop {
        Ok(Stop::Diverged(d)) => Err(Failure::failed(d)),
        Ok(_) => Ok(()),
        Err(e) => Err(e),
    };
    if result.as_ref().is_err_and(Failure::is_closed_pipe) {
        return Ok(()); // the reader closed stdout (`| head`): nothing left to say
    }
    let elapsed = run.elapsed().as_secs_f64();
    let steps_done = run.step_count() - start_step;
    // The summary reuses the last evaluation when it is current (a diverged run keeps its
    // last finite one).
    let last = match run.last_metrics() {
        Some(m) if m.step == run.step_count() || result.is_err() => m,
        _ => run.evaluate_again(),
    };
    let trainer = run.trainer();
    let summary = Summary {
        summary: true,
        grokscope: crate::train::keep::GROKSCOPE_VERSION,
        run_format: crate::train::keep::VERSION,
        preset: trainer.config().preset.clone(),
        steps: trainer.step_count(),
        steps_per_s: round(steps_done as f64 / elapsed.max(1e-9), 1),
        grokked_at,
        stopped,
        phase: phase.map(Phase::label),
        metrics: last,
        elapsed_s: round(elapsed, 4),
        config: trainer.config().clone(),
    };
    let summary_json = serde_json::to_string(&summary).expect("summary serialises");
    match args.format {
        Format::Jsonl => {
            let _ = stdout.line(&summary_json);
        }
        Format::Csv => eprintln!("{summary_json}"),
    }
    if let Some(o) = out {
        if args.format == Format::Jsonl {
            o.finish(
                Some(&summary_json),
                &summary_json,
                result.is_ok().then_some(trainer),
            )?;
        } else {
            o.finish(None, &summary_json, result.is_ok().then_some(trainer))?;
        }
    }
    result?;
    // stdout failed while --out kept the run: a closed pipe ends quietly, any other error
    // is the command's failure (status 1).
    match stdout.failure {
        Some(f) => Err(f),
        None => Ok(()),
    }
}

/// stdout of `run`: the lines go there until writing fails. Without --out the first failure
/// ends the run; with --out the run goes on into its files and the failure is reported at
/// the end.
struct Stdout {
    lock: std::io::StdoutLock<'static>,
    failure: Option<Failure>,
    has_out: bool,
}

impl Stdout {
    fn line(&mut self, text: &str) -> Result<(), Failure> {
        if self.failure.is_some() {
            return Ok(());
        }
        match writeln!(self.lock, "{text}").and_then(|()| self.lock.flush()) {
            Ok(()) => Ok(()),
            Err(e) if self.has_out => {
                self.failure = Some(Failure::stdout(e));
                Ok(())
            }
            Err(e) => Err(Failure::stdout(e)),
        }
    }
}

/// Lines of an earlier run's metrics file up to `step`, so a resumed run's file is whole.
fn read_prior_lines(dir: &Path, format: Format, step: u64) -> Vec<String> {
    // A finished run's file, else the lines a killed run had flushed.
    let text = std::fs::read_to_string(dir.join(metrics_file(format))).or_else(|_| {
        std::fs::read_to_string(dir.join(format!(".{}.partial", metrics_file(format))))
    });
    let Ok(text) = text else {
        return Vec::new();
    };
    text.lines()
        .filter(|l| match format {
            Format::Jsonl => serde_json::from_str::<serde_json::Value>(l)
                .ok()
                .filter(|v| v.get("summary").is_none())
                .and_then(|v| v.get("step").and_then(|s| s.as_u64()))
                .is_some_and(|s| s <= step),
            Format::Csv => l
                .split(',')
                .next()
                .and_then(|s| s.parse::<u64>().ok())
                .map_or(l.starts_with("step,"), |s| s <= step),
        })
        .map(str::to_owned)
        .collect()
}

/// The first step whose test accuracy reached 99 % among earlier metrics lines (JSON lines,
/// or CSV under its header).
fn first_grokked(lines: &[String], format: Format) -> Option<u64> {
    match format {
        Format::Jsonl => lines.iter().find_map(|l| {
            let v = serde_json::from_str::<serde_json::Value>(l).ok()?;
            let acc = v.get("test_acc")?.as_f64()?;
            (acc >= 0.99).then(|| v.get("step")?.as_u64()).flatten()
        }),
        Format::Csv => {
            let header = lines.iter().find(|l| l.starts_with("step,"))?;
            let col = header.split(',').position(|c| c == "test_acc")?;
            lines.iter().find_map(|l| {
                let cells: Vec<&str> = l.split(',').collect();
                let step = cells.first()?.parse::<u64>().ok()?;
                let acc = cells.get(col)?.parse::<f64>().ok()?;
                (acc >= 0.99).then_some(step)
            })
        }
    }
}

/// The `--out` directory: metrics are written to a hidden partial file and renamed into
/// place at the end, next to the summary and the final checkpoint.
struct OutDir {
    dir: PathBuf,
    format: Format,
    partial: PathBuf,
    file: std::io::BufWriter<std::fs::File>,
    frames: FrameWriter,
}

impl OutDir {
    /// `frames_from`: the frames file of the run being resumed, continued from the
    /// trainer's step.
    fn create(
        dir: &Path,
        format: Format,
        prior: &[String],
        trainer: &Trainer,
        frame_every: u64,
        frames_from: Option<&Path>,
    ) -> Result<Self, Failure> {
        let config = trainer.config();
        let io = |e: std::io::Error| Failure::usage(format!("{}: {e}", dir.display()));
        std::fs::create_dir_all(dir).map_err(io)?;
        remove_stale_temporaries(dir);
        let frames_path = dir.join(FRAMES_FILE);
        let frames = match frames_from {
            Some(from) => {
                if !same_dir(from, &frames_path) {
                    let copy = std::fs::read(from)
                        .map_err(|e| Failure::usage(format!("{}: {e}", from.display())))?;
                    checkpoint::write_atomic(&frames_path, &copy)?;
                }
                FrameWriter::resume(&frames_path, config, trainer.step_count())?
            }
            None => FrameWriter::create(
                &frames_path,
                config,
                frame_every,
                &trainer.weights().for_frame(),
            )?,
        };
        let partial = dir.join(format!(".{}.partial", metrics_file(format)));
        // Written aside and renamed, so a kill never leaves the prior lines half copied.
        let staged = dir.join(format!(".{}.partial.new", metrics_file(format)));
        let file = std::fs::File::create(&staged).map_err(io)?;
        checkpoint::write_atomic(
            &dir.join(RUN_FILE),
            RunFile::new(config, Some(frame_every)).to_json().as_bytes(),
        )
        .map_err(|e| Failure::failed(e.to_string()))?;
        let mut out = OutDir {
            dir: dir.to_path_buf(),
            format,
            partial,
            file: std::io::BufWriter::new(file),
            frames,
        };
        if format == Format::Csv && prior.is_empty() {
            out.write_line(CSV_HEADER)?;
        }
        for l in prior {
            out.write_line(l)?;
        }
        out.sync()?;
        std::fs::rename(&staged, &out.partial).map_err(io)?;
        Ok(out)
    }

    /// Flush the metrics and frames written so far to disk.
    fn sync(&mut self) -> Result<(), Failure> {
        let fail = |e: std::io::Error| Failure::failed(format!("{}: {e}", self.partial.display()));
        self.file.flush().map_err(fail)?;
        self.file.get_ref().sync_data().map_err(fail)?;
        self.frames
            .sync()
            .map_err(|e| Failure::failed(e.to_string()))
    }

    /// Keep the weight frame of step `m.step`.
    fn frame(
        &mut self,
        m: &Metrics,
        elapsed_s: f64,
        w: &crate::train::Weights,
    ) -> Result<(), Failure> {
        self.frames
            .append(m, elapsed_s, w)
            .map_err(|e| Failure::failed(e.to_string()))
    }

    /// A crash-safe checkpoint: the metrics up to this step on disk first, then the
    /// checkpoint renamed into place, so a resume finds every line up to its step.
    fn checkpoint(&mut self, trainer: &Trainer) -> Result<(), Failure> {
        self.sync()?;
        checkpoint::save(trainer, &self.dir.join(CHECKPOINT_FILE))
            .map_err(|e| Failure::failed(e.to_string()))
    }

    fn write_line(&mut self, text: &str) -> Result<(), Failure> {
        writeln!(self.file, "{text}")
            .map_err(|e| Failure::failed(format!("{}: {e}", self.partial.display())))
    }

    fn finish(
        mut self,
        last_line: Option<&str>,
        summary: &str,
        trainer: Option<&Trainer>,
    ) -> Result<(), Failure> {
        let fail = |e: String| Failure::failed(e);
        if let Some(l) = last_line {
            self.write_line(l)?;
        }
        self.file
            .flush()
            .map_err(|e| fail(format!("{}: {e}", self.partial.display())))?;
        self.file
            .get_ref()
            .sync_all()
            .map_err(|e| fail(format!("{}: {e}", self.partial.display())))?;
        self.frames.sync().map_err(|e| fail(e.to_string()))?;
        let target = self.dir.join(metrics_file(self.format));
        std::fs::rename(&self.partial, &target)
            .map_err(|e| fail(format!("{}: {e}", target.display())))?;
        checkpoint::write_atomic(
            &self.dir.join(SUMMARY_FILE),
            format!("{summary}\n").as_bytes(),
        )
        .map_err(|e| fail(e.to_string()))?;
        if let Some(t) = trainer {
            checkpoint::save(t, &self.dir.join(CHECKPOINT_FILE))
                .map_err(|e| fail(e.to_string()))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resumed_run_keeps_the_step_it_grokked_at() {
        let owned = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let json = owned(&[
            r#"{"step":0,"test_acc":0.5}"#,
            r#"{"step":100,"test_acc":0.989}"#,
            r#"{"step":200,"test_acc":0.99}"#,
            r#"{"step":300,"test_acc":1.0}"#,
        ]);
        assert_eq!(first_grokked(&json, Format::Jsonl), Some(200));
        assert_eq!(first_grokked(&json[..3], Format::Jsonl), Some(200));
        assert_eq!(first_grokked(&json[..2], Format::Jsonl), None);
        let csv = owned(&[
            CSV_HEADER,
            "0,0.7,0.7,0.5,0.5,1,0",
            "50,0.1,0.2,1,0.995,1,0",
        ]);
        assert_eq!(first_grokked(&csv, Format::Csv), Some(50));
        assert_eq!(first_grokked(&csv[..2], Format::Csv), None);
        assert_eq!(first_grokked(&[], Format::Csv), None);
    }
}
