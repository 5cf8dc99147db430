//! What `run --resume DIR` continues from, whole or refused: the metrics lines up to the
//! checkpoint's step (none missing, torn or repeated) and the weight frames up to it. A
//! line a kill tore is dropped; anything else that would leave a hole is refused with one
//! line naming the file and the way forward.

use super::metrics::{CSV_HEADER, Format};
use super::rundir::{self, CHECKPOINT_FILE, FRAMES_FILE, metrics_file, partial_file};
use super::{Failure, train_args::TrainArgs};
use crate::probe::Readout;
use crate::train::files::{self, show};
use crate::train::identity::{difference, same_run};
use crate::train::keep::RunFile;
use crate::train::{Metrics, Trainer, checkpoint};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Largest metrics file read back: some three million lines.
const MAX_METRICS_BYTES: u64 = 1 << 30;

/// One metrics line read back: its text, as written, and what it says.
#[derive(Clone, Debug)]
pub struct Logged {
    pub text: String,
    pub metrics: Metrics,
    pub readout: Readout,
}

/// A JSON metrics line.
#[derive(Deserialize)]
struct JsonLine {
    #[serde(flatten)]
    metrics: Metrics,
    #[serde(flatten)]
    readout: Readout,
}

/// What one line of a metrics file is.
enum Parsed {
    Header,
    /// A summary line, with the settings it names.
    Summary(Option<Box<crate::train::Config>>),
    Line(Box<Logged>),
}

/// Parse one whole line of a metrics file in `format`; `None` when it is not a line this
/// build writes.
fn parse(text: &str, format: Format) -> Option<Parsed> {
    match format {
        Format::Jsonl => {
            let v: serde_json::Value = serde_json::from_str(text).ok()?;
            if v.get("summary").is_some() {
                let config = serde_json::from_value(v["config"].clone()).ok();
                return Some(Parsed::Summary(config.map(Box::new)));
            }
            let l: JsonLine = serde_json::from_value(v).ok()?;
            Some(Parsed::Line(Box::new(Logged {
                text: text.to_string(),
                metrics: l.metrics,
                readout: l.readout,
            })))
        }
        Format::Csv => {
            if text == CSV_HEADER {
                return Some(Parsed::Header);
            }
            let cells: Vec<&str> = text.split(',').collect();
            if cells.len() != CSV_HEADER.split(',').count() {
                return None;
            }
            let num = |i: usize| cells[i].parse::<f64>().ok();
            let opt = |i: usize| -> Option<Option<f64>> {
                match cells[i] {
                    "" => Some(None),
                    c => c.parse().ok().map(Some),
                }
            };
            let keys = match cells[8] {
                "" => None,
                c => Some(
                    c.split(' ')
                        .map(|k| k.parse().ok())
                        .collect::<Option<Vec<usize>>>()?,
                ),
            };
            let metrics = Metrics {
                step: cells[0].parse().ok()?,
                train_loss: num(1)?,
                test_loss: num(2)?,
                train_acc: num(3)?,
                test_acc: num(4)?,
                weight_norm: num(5)?,
            };
            num(6)?; // elapsed_s
            let readout = Readout {
                gini: opt(7)?,
                key_freqs: keys,
                restricted_loss: opt(9)?,
                excluded_loss: opt(10)?,
                informative_share: opt(11)?,
            };
            Some(Parsed::Line(Box::new(Logged {
                text: text.to_string(),
                metrics,
                readout,
            })))
        }
    }
}

/// The metrics file of the run in `dir`: the partial file of the latest session when there
/// is one (a session renames it into place when it ends, so it is newer than a finished
/// file an extension has not replaced yet), else the finished file; `None` when neither is.
fn metrics_path(dir: &Path, format: Format) -> Option<std::path::PathBuf> {
    [
        dir.join(partial_file(format)),
        dir.join(metrics_file(format)),
    ]
    .into_iter()
    .find(|p| files::present(p))
}

/// The format the metrics of the run in `dir` are in, when its files say.
pub fn kept_format(dir: &Path) -> Option<Format> {
    [Format::Jsonl, Format::Csv]
        .into_iter()
        .find(|&f| metrics_path(dir, f).is_some())
}

/// The step after `s` at which a run logging every `every` steps logs next.
fn next_due(s: u64, every: u64) -> u64 {
    (s / every).saturating_add(1).saturating_mul(every)
}

/// The metrics lines of the run in `dir` up to step `at` (its checkpoint's), logged every
/// `every` steps in `format`, whole: from step 0, no line missing (every step at `every`
/// up to `at` is there; the last step of an earlier session may sit between), none
/// repeated, and a line a kill tore (the last, without its newline) dropped. Anything else
/// is refused, naming the file.
/// A summary line of another run than `trainer`'s is refused.
pub fn read_prior(
    dir: &Path,
    format: Format,
    every: u64,
    trainer: &Trainer,
) -> Result<Vec<Logged>, Failure> {
    let at = trainer.step_count();
    let Some(path) = metrics_path(dir, format) else {
        if at == 0 {
            return Ok(Vec::new());
        }
        return Err(Failure::usage(format!(
            "{}: missing, so the run's metrics up to step {at} are lost; restore the file, or \
             start the run over with --force",
            show(&dir.join(metrics_file(format)))
        )));
    };
    let bytes = files::read_regular(&path, MAX_METRICS_BYTES)?;
    let refuse = |line: usize, why: String| {
        Failure::usage(format!(
            "{}:{line}: {why}, so its metrics cannot continue whole; restore the file, or \
             start the run over with --force",
            show(&path)
        ))
    };
    let mut lines: Vec<Logged> = Vec::new();
    let mut ended = false;
    for (i, raw) in bytes.split_inclusive(|&b| b == b'\n').enumerate() {
        // The last line without its newline was torn by a kill: dropped (lines up to a
        // checkpoint were on disk before it was written, so it is past the checkpoint).
        let Some(raw) = raw.strip_suffix(b"\n") else {
            break;
        };
        let n = i + 1;
        let text = std::str::from_utf8(raw).map_err(|_| refuse(n, "not text".into()))?;
        if ended {
            return Err(refuse(n, "a line after the run's summary".into()));
        }
        match parse(text, format) {
            None => return Err(refuse(n, "not a metrics line of this build".into())),
            Some(Parsed::Header) if i == 0 => {}
            Some(Parsed::Header) => return Err(refuse(n, "a header line inside the file".into())),
            Some(Parsed::Summary(Some(c))) if !same_run(&c, trainer.config()) => {
                let theirs = difference(&c, trainer.config());
                return Err(refuse(n, format!("the summary of another run ({theirs})")));
            }
            Some(Parsed::Summary(_)) => ended = true,
            Some(Parsed::Line(_)) if format == Format::Csv && i == 0 => {
                return Err(refuse(n, "no CSV header".into()));
            }
            Some(Parsed::Line(l)) if l.metrics.step > at => break, // retrained after the checkpoint
            Some(Parsed::Line(l)) => lines.push(*l),
        }
    }
    check_whole(&lines, every, at).map_err(|(i, why)| {
        let n = i + usize::from(format == Format::Csv) + 1;
        refuse(n, why)
    })?;
    Ok(lines)
}

/// Whether the lines read back (`prior`) are those written before the checkpoint: its note
/// `noted` is FNV-1a 64 of each with its newline (absent: an earlier or the dashboard's).
pub fn check_noted(
    dir: &Path,
    format: Format,
    prior: &[Logged],
    noted: Option<&str>,
    at: u64,
) -> Result<(), Failure> {
    let Some(noted) = noted else { return Ok(()) };
    let sum = prior.iter().fold(files::FNV_OFFSET, |h, l| {
        files::fnv1a_from(files::fnv1a_from(h, l.text.as_bytes()), b"\n")
    });
    if format!("{sum:016x}") == noted {
        return Ok(());
    }
    let path = metrics_path(dir, format).unwrap_or(dir.join(metrics_file(format)));
    Err(Failure::usage(format!(
        "{}: its lines up to step {at} are not the ones written before the checkpoint (the \
         file was changed since), so its metrics cannot continue whole; restore the file, or \
         start the run over with --force",
        show(&path)
    )))
}

/// Whether `lines` hold every metrics step from 0 up to `at`: `Err((index, why))` where not.
fn check_whole(lines: &[Logged], every: u64, at: u64) -> Result<(), (usize, String)> {
    let steps: Vec<u64> = lines.iter().map(|l| l.metrics.step).collect();
    let Some(&first) = steps.first() else {
        return if at == 0 {
            Ok(())
        } else {
            Err((
                0,
                format!("no metrics line up to the checkpoint's step {at}"),
            ))
        };
    };
    if first != 0 {
        return Err((0, format!("the first line is step {first}, not step 0")));
    }
    for (i, w) in steps.windows(2).enumerate() {
        let (a, b) = (w[0], w[1]);
        if b <= a {
            return Err((i + 1, format!("step {b} follows step {a} (a repeat)")));
        }
        if b > next_due(a, every) {
            return Err((
                i + 1,
                format!(
                    "no line for step {} (it goes from step {a} to {b}, logging every {every})",
                    next_due(a, every)
                ),
            ));
        }
    }
    let last = *steps.last().expect("not empty");
    if next_due(last, every) <= at {
        return Err((
            steps.len() - 1,
            format!(
                "the last line is step {last}, but the checkpoint is at step {at} (logging \
                 every {every})"
            ),
        ));
    }
    Ok(())
}

/// Whether the frames kept (`frames`, their steps) are every frame the run took at the
/// metrics lines `lines`, `frame_every` apart: a frame at the first line at or after each
/// multiple of `frame_every` (or at a session's last line), counted from the first frame
/// (a run resumed from a lone checkpoint file starts its frames there).
pub fn check_frames(
    path: &Path,
    lines: &[Logged],
    frames: &[u64],
    frame_every: u64,
    at: u64,
) -> Result<(), Failure> {
    let refuse = |why: String| {
        Failure::usage(format!(
            "{}: {why}, so its frames cannot continue whole; restore it, continue into \
             another directory (--out) without them, or start the run over with --force",
            show(path)
        ))
    };
    let Some(&first) = frames.first() else {
        return match at {
            0 => Ok(()),
            _ => Err(refuse(format!("no frame up to the checkpoint's step {at}"))),
        };
    };
    let steps: Vec<u64> = lines.iter().map(|l| l.metrics.step).collect();
    if let Some(f) = frames.iter().find(|f| steps.binary_search(f).is_err()) {
        return Err(refuse(format!(
            "a frame at step {f}, where no metrics line is"
        )));
    }
    let mut kept = frames.iter().peekable();
    let mut next = first;
    for &s in steps.iter().filter(|&&s| s >= first) {
        if kept.peek() == Some(&&s) {
            kept.next();
            next = next_due(s, frame_every);
        } else if s >= next {
            return Err(refuse(format!("no frame at step {s}")));
        }
    }
    Ok(())
}

/// The first step whose test accuracy reached 99 % among earlier lines.
pub fn first_grokked(lines: &[Logged]) -> Option<u64> {
    lines
        .iter()
        .find(|l| l.metrics.test_acc >= 0.99)
        .map(|l| l.metrics.step)
}

/// Where a run starts.
pub struct Start {
    pub trainer: Trainer,
    /// The directory resumed and its run file (absent in directories of earlier versions).
    pub from: Option<(PathBuf, Option<RunFile>)>,
    /// The checkpoint's digest of the metrics lines written up to its step (a checkpoint
    /// `run --out` saved; none in others).
    pub noted_metrics: Option<String>,
    /// Started over from step 0: the resumed directory's run stopped before its first
    /// checkpoint.
    pub over: bool,
}

impl Start {
    /// The resumed directory's run file, when its run is continued (not started over).
    pub fn continued(&self) -> Option<(&Path, Option<&RunFile>)> {
        match &self.from {
            Some((dir, file)) if !self.over => Some((dir, file.as_ref())),
            _ => None,
        }
    }
}

/// A fresh run of the command line's settings, or `--resume`'s checkpoint: a lone file (the
/// dashboard's `s`), or a directory's, checked to hold one run. A directory whose run
/// stopped before its first checkpoint starts over from step 0, saying so.
pub fn open_start(
    train: &TrainArgs,
    resume: Option<&Path>,
    threads: crate::train::Threads,
) -> Result<Start, Failure> {
    let Some(from) = resume else {
        let trainer = Trainer::new(train.config()?, threads)?;
        return Ok(Start {
            trainer,
            from: None,
            noted_metrics: None,
            over: false,
        });
    };
    if let Some(flag) = train.overrides_model() {
        return Err(Failure::usage(format!(
            "{flag} cannot change a resumed run (only --steps and --threads apply)"
        )));
    }
    let steps = train.steps()?;
    if !files::present(from) {
        return Err(Failure::usage(format!(
            "{}: no such run directory or checkpoint file",
            show(from)
        )));
    }
    let mut noted_metrics = None;
    let (mut trainer, kept, over) = if !from.is_dir() {
        (checkpoint::load(from, threads)?, None, false)
    } else if let Some(kept) = rundir::checkpoint_in(from) {
        let (t, mut notes) = checkpoint::load_noted(&kept, threads)?;
        noted_metrics = notes.remove(rundir::METRICS_NOTE);
        let kept = rundir::check_same_run(from, t.config())?;
        (t, Some((from.to_path_buf(), kept)), false)
    } else if let Some(stopped) = rundir::stopped_before_checkpoint(from) {
        eprintln!(
            "grokscope: {}: stopped before its first checkpoint; starting the run over from \
             step 0",
            show(from)
        );
        let t = Trainer::new(stopped.config.clone(), threads)?;
        (t, Some((from.to_path_buf(), Some(stopped))), true)
    } else {
        return Err(Failure::usage(format!(
            "{}: missing, so the run cannot be resumed; --force starts it over",
            show(&from.join(CHECKPOINT_FILE))
        )));
    };
    let at = trainer.step_count();
    let total = steps.unwrap_or(trainer.config().steps);
    if total < at {
        return Err(Failure::usage(format!(
            "--steps {total} is below the step the run is at ({at})"
        )));
    }
    trainer.set_planned_steps(total);
    Ok(Start {
        trainer,
        from: kept,
        noted_metrics,
        over,
    })
}

/// The frames file `--out` continues: the resumed directory's, checked to hold every frame
/// up to the checkpoint. Where it is missing or has a hole, a run written on in its own
/// directory is refused; one continued into another directory starts its frames afresh
/// (saying so).
pub fn frames_to_continue(
    out: Option<&Path>,
    start: &Start,
    frame_every: u64,
    prior: &[Logged],
) -> Result<Option<PathBuf>, Failure> {
    let (Some(out), Some((dir, kept))) = (out, start.continued()) else {
        return Ok(None);
    };
    let path = dir.join(FRAMES_FILE);
    let at = start.trainer.step_count();
    let whole = if files::present(&path) {
        let read = crate::train::keep::read_frames(&path).map_err(Failure::from);
        if let Ok((info, f)) = &read
            && same_run(&info.config, start.trainer.config())
        {
            numbers_agree(&path, prior, f, at)?;
        }
        read.and_then(|(info, f)| {
            let ours = start.trainer.config();
            if !same_run(&info.config, ours) {
                return Err(Failure::usage(format!(
                    "{}: not the checkpoint's run ({}; the directory mixes runs)",
                    show(&path),
                    difference(&info.config, ours)
                )));
            }
            let steps: Vec<u64> = f
                .iter()
                .map(|f| f.metrics.step)
                .filter(|&s| s <= at)
                .collect();
            check_frames(&path, prior, &steps, frame_every, at)
        })
    } else if kept.is_some_and(|k| k.frame_every.is_some()) && at > 0 {
        Err(Failure::usage(format!(
            "{}: missing, so its frames up to step {at} are lost; continue into another \
             directory (--out) without them, or start the run over with --force",
            show(&path)
        )))
    } else {
        return Ok(None);
    };
    match whole {
        Ok(()) => Ok(Some(path)),
        Err(e) if rundir::same_dir(dir, out) => Err(e),
        Err(e) => {
            eprintln!(
                "grokscope: {}; the frames in {} start after step {at}",
                e.message(),
                show(out)
            );
            Ok(None)
        }
    }
}

/// Whether the metrics lines up to step `at` say what the run's frames say at their steps
/// (a frame keeps its step's metrics, bit for bit): metrics lines of another run, or numbers
/// changed since, are refused however whole their steps look.
fn numbers_agree(
    path: &Path,
    prior: &[Logged],
    frames: &[crate::train::keep::SavedFrame],
    at: u64,
) -> Result<(), Failure> {
    let numbers = |m: &Metrics| {
        [
            ("train loss", m.train_loss),
            ("test loss", m.test_loss),
            ("train accuracy", m.train_acc),
            ("test accuracy", m.test_acc),
            ("weight norm", m.weight_norm),
        ]
    };
    for f in frames.iter().filter(|f| f.metrics.step <= at) {
        // A frame where no line is: check_frames says so.
        let Some(l) = prior.iter().find(|l| l.metrics.step == f.metrics.step) else {
            continue;
        };
        let pairs = numbers(&l.metrics).into_iter().zip(numbers(&f.metrics));
        if let Some(((what, line), (_, frame))) = pairs
            .into_iter()
            .find(|((_, a), (_, b))| a.to_bits() != b.to_bits())
        {
            return Err(Failure::usage(format!(
                "{}: the metrics line of step {} says {what} {line}, the frame of that step \
                 {frame}, so the metrics are not this run's; restore them, or start the run \
                 over with --force",
                show(path),
                f.metrics.step,
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(step: u64, test_acc: f64) -> Logged {
        Logged {
            text: String::new(),
            metrics: Metrics {
                step,
                test_acc,
                ..Metrics::default()
            },
            readout: Readout::default(),
        }
    }

    fn steps(s: &[u64]) -> Vec<Logged> {
        s.iter().map(|&s| line(s, 0.0)).collect()
    }

    #[test]
    fn a_resumed_run_keeps_the_step_it_grokked_at() {
        let lines = [
            line(0, 0.5),
            line(100, 0.989),
            line(200, 0.99),
            line(300, 1.0),
        ];
        assert_eq!(first_grokked(&lines), Some(200));
        assert_eq!(first_grokked(&lines[..2]), None);
        assert_eq!(first_grokked(&[]), None);
    }

    #[test]
    fn metrics_with_a_hole_before_the_checkpoint_are_not_whole() {
        // Every 100 steps, an earlier session's last step (250) between.
        assert!(check_whole(&steps(&[0, 100, 200, 250, 300, 400]), 100, 450).is_ok());
        assert!(check_whole(&steps(&[]), 100, 0).is_ok());
        // Killed at 450 by a signal: the checkpoint sits between two lines.
        assert!(check_whole(&steps(&[0, 100, 200, 300, 400]), 100, 450).is_ok());
        let err = |s: &[u64], at| check_whole(&steps(s), 100, at).unwrap_err();
        assert_eq!(err(&[0, 100, 400], 400).0, 2, "a gap");
        assert!(err(&[0, 100, 400], 400).1.contains("no line for step 200"));
        assert!(
            err(&[0, 100, 200], 600)
                .1
                .contains("checkpoint is at step 600")
        );
        assert!(err(&[0, 100, 100, 200], 200).1.contains("a repeat"));
        assert!(err(&[100, 200], 200).1.contains("not step 0"));
        assert!(err(&[], 100).1.contains("no metrics line"));
        assert!(err(&[0, 100], u64::MAX).1.contains("checkpoint is at step"));
    }

    #[test]
    fn frames_with_a_hole_before_the_checkpoint_are_not_whole() {
        let p = Path::new("frames.bin");
        let lines = steps(&[0, 50, 100, 150, 200, 250, 300]);
        assert!(check_frames(p, &lines, &[0, 100, 200, 300], 100, 300).is_ok());
        // Frames from a resumed checkpoint file's step on.
        assert!(check_frames(p, &lines, &[200, 300], 100, 300).is_ok());
        let err = check_frames(p, &lines, &[0, 100, 300], 100, 300).unwrap_err();
        assert!(err.message().contains("no frame at step 200"), "{err:?}");
        let err = check_frames(p, &lines, &[], 100, 300).unwrap_err();
        assert!(err.message().contains("no frame up to"), "{err:?}");
        let err = check_frames(p, &lines, &[0, 100, 120], 100, 300).unwrap_err();
        assert!(err.message().contains("frame at step 120"), "{err:?}");
    }

    #[test]
    fn csv_lines_read_back_whole_or_not_at_all() {
        let full = "3200,0.1,0.2,1,0.5,12.5,3.25,0.4,4 7,0.01,0.9,";
        let Some(Parsed::Line(l)) = parse(full, Format::Csv) else {
            panic!("a whole line parses");
        };
        assert_eq!(l.metrics.step, 3200);
        assert_eq!(l.readout.key_freqs, Some(vec![4, 7]));
        assert_eq!(l.readout.informative_share, None);
        // A torn first cell or a short line is not a line.
        assert!(parse("32", Format::Csv).is_none());
        assert!(parse("3200,0.1,0.2", Format::Csv).is_none());
        assert!(matches!(
            parse(CSV_HEADER, Format::Csv),
            Some(Parsed::Header)
        ));
    }
}
