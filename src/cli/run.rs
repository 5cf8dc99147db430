//! `grokscope run`: train without a screen.

use super::metrics::{CSV_HEADER, Format, Line};
use super::resume::{self, Logged};
use super::rundir::{self, Begin, OutDir};
use super::{Failure, train_args::TrainArgs};
use crate::probe::{Phase, Prober};
use crate::train::files::Lock;
use crate::train::keep::RunFile;
use crate::train::{Control, Flow, Metrics, Run, Stop, Trainer, Weights, drive};
use clap::Args;
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
pub struct RunArgs {
    #[command(flatten)]
    pub train: TrainArgs,
    /// Metrics interval in steps [default: 100, or the resumed run's]
    #[arg(long, value_name = "N")]
    pub every: Option<u64>,
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
    /// Output format on stdout and in --out [default: jsonl, or the resumed run's]
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

/// Default checkpoint cadence: the first metrics line after each minute of training, so a
/// kill loses at most a minute (plus one metrics interval) of work.
const CHECKPOINT_WALL: std::time::Duration = std::time::Duration::from_secs(60);
/// Default metrics interval.
const EVERY: u64 = 100;

/// When `run --out` writes a checkpoint before the end.
#[derive(Clone, Copy)]
enum Cadence {
    Steps(u64),
    Wall(std::time::Duration),
}

/// The default frame interval: the dashboard's (about 200 frames a run, every 20 to 100
/// steps), rounded up to a multiple of the metrics interval, since frames are kept at
/// metrics lines.
fn default_frame_every(cfg: &crate::train::Config, every: u64) -> u64 {
    crate::app::session::eval_interval(cfg).div_ceil(every) * every
}

#[derive(Serialize)]
struct Summary {
    summary: bool,
    /// The grokscope version that wrote it and the run file's format version.
    grokscope: &'static str,
    run_format: u32,
    preset: String,
    /// The run's identity ([`crate::train::identity`]).
    identity: String,
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

/// How a run ended, for its summary.
pub(super) struct Ending {
    /// The step it started (or was resumed) from.
    pub start_step: u64,
    pub grokked_at: Option<u64>,
    /// The summary's word for why it ended: steps, until, diverged, signal, quit.
    pub stopped: &'static str,
    pub phase: Option<Phase>,
    /// It failed (diverged): its last finite evaluation stands.
    pub failed: bool,
}

/// The summary line of a run that ended: `run`'s last line, and the dashboard's kept runs'
/// (`grokscope --out`). It reuses the last evaluation when it is current.
pub(super) fn summary_json(run: &mut Run, e: Ending) -> String {
    let elapsed = run.elapsed().as_secs_f64();
    let steps_done = run.step_count() - e.start_step;
    let last = match run.last_metrics() {
        Some(m) if m.step == run.step_count() || e.failed => m,
        _ => run.evaluate_again(),
    };
    let trainer = run.trainer();
    let summary = Summary {
        summary: true,
        grokscope: crate::train::keep::GROKSCOPE_VERSION,
        run_format: crate::train::keep::VERSION,
        preset: trainer.config().preset.clone(),
        identity: crate::train::identity::identity(trainer.config()),
        steps: trainer.step_count(),
        steps_per_s: round(steps_done as f64 / elapsed.max(1e-9), 1),
        grokked_at: e.grokked_at,
        stopped: e.stopped,
        phase: e.phase.map(Phase::label),
        metrics: last,
        elapsed_s: round(elapsed, 4),
        config: trainer.config().clone(),
    };
    serde_json::to_string(&summary).expect("summary serialises")
}

pub(super) fn round(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

/// The metrics line of `run` at `m`, every read-out computed afresh from its weights by
/// `prober`, and the phase the prober places the run in from those readings; with the
/// weights, for the frame.
pub(super) fn read_line(prober: &mut Prober, run: &Run, m: &Metrics) -> (Line, Phase, Weights) {
    let weights = run.trainer().weights();
    let readings = prober.read_all(&weights);
    let line = Line {
        metrics: *m,
        elapsed_s: round(run.elapsed().as_secs_f64(), 4),
        readout: readings.readout(),
    };
    let phase = prober.phase(m, &readings);
    (line, phase, weights)
}

/// How a run logs.
struct Plan {
    /// Metrics interval and format (on stdout and in --out).
    every: u64,
    format: Format,
    /// The resumed directory's own, which its earlier lines are read back in.
    kept_every: u64,
    kept_format: Format,
    frame_every: u64,
    checkpoint: Cadence,
}

/// The metrics interval, format and frame interval: a resumed directory's own, which
/// --every, --format and --frame-every may not change where the run is written on (its
/// files would then mix them), else the command line's or the defaults.
fn plan(args: &RunArgs, start: &resume::Start) -> Result<Plan, Failure> {
    let kept = start.from.as_ref().and_then(|(_, f)| f.as_ref());
    let dir_format = start
        .from
        .as_ref()
        .and_then(|(d, _)| resume::kept_format(d));
    let kept_every = kept.and_then(|f| f.every).or(args.every).unwrap_or(EVERY);
    let kept_format = kept
        .and_then(|f| f.metrics.as_deref().and_then(Format::from_name))
        .or(dir_format)
        .or(args.format)
        .unwrap_or_default();
    let continued = start.continued().is_some();
    let pinned = continued && args.out.is_some();
    if let Some(e) = args.every.filter(|&e| pinned && e != kept_every) {
        return Err(Failure::usage(format!(
            "--every {e} cannot change a resumed run (it logs every {kept_every} steps)"
        )));
    }
    if let Some(f) = args.format.filter(|&f| pinned && f != kept_format) {
        return Err(Failure::usage(format!(
            "--format {} cannot change a resumed run (its metrics are {})",
            f.name(),
            kept_format.what()
        )));
    }
    let every = args.every.unwrap_or(kept_every);
    let kept_frames = kept.filter(|_| continued).and_then(|f| f.frame_every);
    let frame_every = match (&args.frame_every, kept_frames) {
        (Some(t), kept) => match (super::train_args::whole_flag("frame-every", t)?, kept) {
            (0, _) => return Err(Failure::usage("--frame-every must be at least 1")),
            (n, Some(k)) if n != k => {
                return Err(Failure::usage(format!(
                    "--frame-every cannot change a resumed run (it keeps a frame every {k} steps)"
                )));
            }
            (n, _) => n,
        },
        (None, Some(k)) => k,
        (None, None) => default_frame_every(start.trainer.config(), every),
    };
    let checkpoint = match &args.checkpoint_every {
        Some(t) => match super::train_args::whole_flag("checkpoint-every", t)? {
            0 => return Err(Failure::usage("--checkpoint-every must be at least 1")),
            n => Cadence::Steps(n),
        },
        None => Cadence::Wall(CHECKPOINT_WALL),
    };
    Ok(Plan {
        every,
        format: args.format.unwrap_or(kept_format),
        kept_every,
        kept_format,
        frame_every,
        checkpoint,
    })
}

/// `grokscope run`: open the run (fresh, or resumed from a checkpoint), open `--out`, train
/// while observing each metrics line, then finish (summary, files, status).
pub fn run(args: RunArgs) -> Result<(), Failure> {
    if args.every == Some(0) {
        return Err(Failure::usage("--every must be at least 1"));
    }
    if let Some(u) = args.until.filter(|u| !(0.0..=1.0).contains(u)) {
        return Err(Failure::usage(format!(
            "--until is a test accuracy in [0, 1] (got {u})"
        )));
    }
    let threads = args.train.threads()?;
    // One writer at a time: --out is locked before anything in it is read.
    let lock = args.out.as_deref().map(rundir::lock).transpose()?;
    let start = resume::open_start(&args.train, args.resume.as_deref(), threads)?;
    let plan = plan(&args, &start)?;
    let prior = match start.continued() {
        Some((dir, _)) => {
            let prior = resume::read_prior(dir, plan.kept_format, plan.kept_every, &start.trainer)?;
            let at = start.trainer.step_count();
            resume::check_noted(
                dir,
                plan.kept_format,
                &prior,
                start.noted_metrics.as_deref(),
                at,
            )?;
            prior
        }
        None => Vec::new(),
    };
    let out = match (&args.out, lock) {
        (Some(dir), Some(lock)) => Some(open_out(&args, dir, lock, &start, &plan, &prior)?),
        _ => None,
    };
    train(&args, start.trainer, &plan, &prior, out)
}

/// The `--out` directory the run writes: claimed (unless it is the directory resumed), its
/// run file written, the earlier lines and the frames that go on copied in.
fn open_out(
    args: &RunArgs,
    dir: &Path,
    lock: Lock,
    start: &resume::Start,
    plan: &Plan,
    prior: &[Logged],
) -> Result<OutDir, Failure> {
    let frames_from = resume::frames_to_continue(Some(dir), start, plan.frame_every, prior)?;
    let resuming_it = start
        .from
        .as_ref()
        .is_some_and(|(r, _)| rundir::same_dir(r, dir));
    if !resuming_it {
        rundir::claim(dir, args.force, start.trainer.config())?;
    }
    let texts: Vec<String> = prior.iter().map(|l| l.text.clone()).collect();
    let begin = Begin {
        format: plan.format,
        prior: &texts,
        trainer: &start.trainer,
        run_file: RunFile::new(
            start.trainer.config(),
            plan.frame_every,
            plan.every,
            plan.format.name(),
        ),
        frames_from: frames_from.as_deref(),
    };
    OutDir::create(dir, lock, begin)
}

/// A run being trained: where its lines go and what the summary needs.
struct Session<'a> {
    args: &'a RunArgs,
    plan: &'a Plan,
    stdout: Stdout,
    out: Option<OutDir>,
    prober: Prober,
    phase: Option<Phase>,
    grokked_at: Option<u64>,
    next_frame: u64,
    last_checkpoint: (u64, std::time::Instant),
}

impl Session<'_> {
    fn emit(&mut self, text: &str) -> Result<(), Failure> {
        self.stdout.line(text)?;
        if let Some(o) = self.out.as_mut() {
            o.write_line(text)?;
        }
        Ok(())
    }

    /// One metrics line: printed and written, a frame and a checkpoint when due.
    fn observe(&mut self, run: &Run, m: &Metrics) -> Result<Flow, Failure> {
        let (line, phase, weights) = read_line(&mut self.prober, run, m);
        self.phase = Some(phase);
        self.emit(&line.render(self.plan.format))?;
        let stopping = self.args.until.is_some_and(|u| m.test_acc >= u);
        if let Some(o) = self.out.as_mut() {
            if m.step >= self.next_frame || run.finished() || stopping {
                o.frame(m, line.elapsed_s, &weights.for_frame())?;
                self.next_frame = (m.step / self.plan.frame_every + 1) * self.plan.frame_every;
            }
            let due = match self.plan.checkpoint {
                Cadence::Steps(n) => m.step >= self.last_checkpoint.0 + n,
                Cadence::Wall(d) => self.last_checkpoint.1.elapsed() >= d,
            };
            if due && !run.finished() {
                o.checkpoint(run.trainer())?;
                self.last_checkpoint = (m.step, std::time::Instant::now());
            }
        }
        if self.grokked_at.is_none() && m.test_acc >= 0.99 {
            self.grokked_at = Some(m.step);
        }
        Ok(if stopping { Flow::Stop } else { Flow::Continue })
    }
}

/// Train to the end (or a signal, or --until), then the summary, the files and the status.
fn train(
    args: &RunArgs,
    trainer: Trainer,
    plan: &Plan,
    prior: &[Logged],
    out: Option<OutDir>,
) -> Result<(), Failure> {
    let mut prober = Prober::new(trainer.config(), trainer.data());
    // A resumed run's phase and grok step go on from its earlier lines, as if never stopped.
    let mut phase = None;
    for l in prior {
        phase = Some(prober.phase_of_line(&l.metrics, &l.readout));
    }
    let next_frame = out
        .as_ref()
        .and_then(|o| o.last_frame())
        .map_or(0, |s| (s / plan.frame_every + 1) * plan.frame_every);
    let start_step = trainer.step_count();
    let mut session = Session {
        args,
        plan,
        stdout: Stdout {
            lock: std::io::stdout().lock(),
            failure: None,
            has_out: out.is_some(),
        },
        out,
        prober,
        phase,
        grokked_at: resume::first_grokked(prior),
        next_frame,
        last_checkpoint: (start_step, std::time::Instant::now()),
    };
    if plan.format == Format::Csv && (prior.is_empty() || plan.format != plan.kept_format) {
        session.stdout.line(CSV_HEADER)?;
    }
    let progress = super::progress_bar(
        trainer.config().steps,
        start_step,
        "{bar:40} {pos}/{len} steps  {per_sec}  eta {eta}",
    );
    let mut run = Run::new(trainer, plan.every);
    // SIGINT, SIGTERM and SIGHUP (an SSH drop) end the loop within a step; the run then
    // finishes as any other: summary, final checkpoint and metrics in --out.
    let control = std::sync::Arc::new(Control::new());
    super::cancel_on_signals(control.clone());
    let stop = drive(&mut run, &control, |run, m| {
        progress.set_position(m.step);
        session.observe(run, m)
    });
    progress.finish_and_clear();
    finish(session, &mut run, stop, start_step)
}

/// The summary (on stdout, or stderr for CSV), the files of --out, and the status.
fn finish(
    session: Session,
    run: &mut Run,
    stop: Result<Stop, Failure>,
    start_step: u64,
) -> Result<(), Failure> {
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
    let ending = Ending {
        start_step,
        grokked_at: session.grokked_at,
        stopped,
        phase: session.phase,
        failed: result.is_err(),
    };
    let summary_json = summary_json(run, ending);
    let trainer = run.trainer();
    let Session {
        plan,
        mut stdout,
        out,
        ..
    } = session;
    let jsonl = plan.format == Format::Jsonl;
    if jsonl {
        let _ = stdout.line(&summary_json);
    } else {
        eprintln!("{summary_json}");
    }
    if let Some(o) = out {
        let last_line = jsonl.then_some(summary_json.as_str());
        o.finish(last_line, &summary_json, result.is_ok().then_some(trainer))?;
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
