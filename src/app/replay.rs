//! `grokscope replay DIR`: the dashboard on a run `run --out` kept, without training. A
//! [`Replay`] reads the directory's weight frames, re-probes each with [`Prober`] (the task
//! data rebuilt from the saved settings and seed) exactly as the live session does, and
//! publishes the same [`Snapshot`] the trainer thread does, so every view works unchanged.
//! A run still being written is followed: new frames are read as they land. A second kept
//! run ([`Replay::compare`]) is followed the same way for its metrics, which the loss and
//! accuracy charts draw on the same axes.

use super::action::{Action, Command};
use super::keys::{Binding, DIGITS, Key, PLUS_MINUS, bind, concat};
use super::session::{Clock, Snapshot, Status, WeightFrame, frame_cap, thin, thin_history};
use crate::probe::Prober;
use crate::snapshot::Compared;
use crate::train::files::show;
use crate::train::identity::{difference, same_run};
use crate::train::keep::{FrameReader, RunFile, SavedFrame};
use crate::train::{Config, Metrics, Threads, Trainer};
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;
use tokio::sync::watch;

/// The keys that train a run (restart, presets, settings and their apply, save), bound
/// in a replay: nothing trains here, so each says so instead of doing nothing.
const REFUSED: [Key; 18] = concat(&[
    &[Key::char('r'), Key::char('s')],
    &PLUS_MINUS,
    &[
        Key::code(crossterm::event::KeyCode::Enter),
        Key::code(crossterm::event::KeyCode::Tab),
        Key::code(crossterm::event::KeyCode::BackTab),
    ],
    &DIGITS,
]);

/// Why a replay does not do what the refused keys do elsewhere.
pub const REFUSAL: &str =
    "a replay does not train: grokscope --preset NAME trains (r, Tab, + -, Enter, s act there)";

/// The replay's row of the training view's key table, where `applies` says the dashboard
/// shows a replay: the training keys, answered with [`REFUSAL`].
pub const fn refused<S>(applies: fn(&S) -> bool) -> Binding<S> {
    Binding {
        applies,
        ..bind(
            &REFUSED,
            |_| Action::NotHere(REFUSAL),
            "r s + - ⏎ Tab 1-9",
            "(a replay: these train or save a run, not here)",
            None,
        )
    }
}

/// How often a followed run's files are looked at again.
pub const POLL_EVERY: Duration = Duration::from_millis(500);

/// A kept run, read frame by frame.
pub struct Replay {
    dir: PathBuf,
    config: Config,
    reader: FrameReader,
    prober: Prober,
    every: u64,
    history: Vec<Metrics>,
    frames: VecDeque<Arc<WeightFrame>>,
    status: Status,
    /// Whether the user paused following.
    paused: bool,
    elapsed: Duration,
    /// Steps per second between the last two frames (a followed run's speed).
    rate: f64,
    /// The run drawn on the same axes, if any.
    compare: Option<Other>,
    pub message: Option<String>,
}

/// The compared run: its frames file, followed for its metrics.
struct Other {
    dir: PathBuf,
    reader: FrameReader,
    run: Arc<Compared>,
}

impl Other {
    /// Read its metrics written since the last look, and whether it has ended; whether
    /// anything changed.
    fn poll(&mut self) -> Result<bool, super::Error> {
        if !matches!(self.run.status, Status::Running) {
            return Ok(false);
        }
        let cannot = |e: &dyn std::fmt::Display| {
            super::Error::Usage(format!("cannot follow {}: {e}", show(&self.dir)))
        };
        let new = match self.reader.read_new() {
            Ok(new) => new,
            Err(e) => {
                // Rewound by a resumed run: its metrics read again from the start.
                let (reader, frames) =
                    reread(&self.dir, &self.run.config).ok_or_else(|| cannot(&e))?;
                self.reader = reader;
                Arc::make_mut(&mut self.run).history.clear();
                frames
            }
        };
        let ended = ended(&self.dir, &self.run.config);
        if new.is_empty() && ended.is_none() {
            return Ok(false);
        }
        let run = Arc::make_mut(&mut self.run);
        for f in new {
            super::session::thin_history(&mut run.history);
            run.history.push(f.metrics);
        }
        if let Some(status) = ended {
            run.status = status;
        }
        Ok(true)
    }
}

/// A kept run's settings (with the total steps its run file names: a resumed run may be
/// extended) and its frames file, opened; `bad` words why not.
fn open_kept(
    dir: &Path,
    bad: impl Fn(String) -> super::Error,
) -> Result<(Config, FrameReader), super::Error> {
    let run_file = RunFile::read(&dir.join("run.json")).map_err(|e| bad(e.to_string()))?;
    let frames = dir.join("frames.bin");
    if !crate::train::files::present(&frames) {
        return Err(bad(
            "it keeps no weight frames (frames.bin; runs kept by an earlier grokscope have none)"
                .into(),
        ));
    }
    let reader = FrameReader::open(&frames).map_err(|e| super::Error::Usage(e.to_string()))?;
    let mut config = reader.info().config.clone();
    config.steps = run_file.config.steps;
    // Checked before anything is built from the frames' settings.
    if !same_run(&config, &run_file.config) {
        return Err(bad(format!(
            "frames.bin and run.json are of different runs ({}; the directory mixes runs)",
            difference(&config, &run_file.config)
        )));
    }
    Ok((config, reader))
}

/// The frames file of `dir` read again from its start, when it is still the run of
/// `config`: after a resumed run cut it back to its checkpoint's step (frames written after
/// the checkpoint by the run a kill stopped are written again) or started it over (a run
/// stopped before its first checkpoint).
fn reread(dir: &Path, config: &Config) -> Option<(FrameReader, Vec<SavedFrame>)> {
    let mut reader = FrameReader::open(&dir.join("frames.bin")).ok()?;
    let frames = reader.read_new().ok()?;
    same_run(&reader.info().config, config).then_some((reader, frames))
}

/// The summary's status, once the run in `dir` (of `config`) wrote one; another run's
/// summary says nothing of it.
fn ended(dir: &Path, config: &Config) -> Option<Status> {
    let bytes = crate::train::files::read_regular(&dir.join("summary.json"), 1 << 20).ok()?;
    let v: serde_json::Value = serde_json::from_slice(bytes.trim_ascii()).ok()?;
    let theirs: Config = serde_json::from_value(v["config"].clone()).ok()?;
    if !same_run(&theirs, config) {
        return None;
    }
    Some(match v["stopped"].as_str() {
        Some("diverged") => Status::Diverged("the loss became NaN or infinite".into()),
        _ => Status::Finished,
    })
}

/// The legend's names of two runs: their directories' last components, or their last two
/// where those are the same (`a/out`, `b/out`).
fn names(a: &Path, b: &Path) -> (String, String) {
    let tail = |p: &Path, n: usize| {
        let parts: Vec<String> = p
            .components()
            .filter(|c| matches!(c, std::path::Component::Normal(_)))
            .map(|c| crate::train::files::escape(&c.as_os_str().to_string_lossy()))
            .collect();
        let name = parts[parts.len().saturating_sub(n)..].join("/");
        if name.is_empty() { show(p) } else { name }
    };
    let (x, y) = (tail(a, 1), tail(b, 1));
    if x == y {
        (tail(a, 2), tail(b, 2))
    } else {
        (x, y)
    }
}

/// Why a directory cannot be replayed: one line.
pub fn open_error(dir: &Path, e: impl std::fmt::Display) -> super::Error {
    super::Error::Usage(format!("cannot replay {}: {e}", show(dir)))
}

impl Replay {
    /// Open `dir` and read the frames written so far. Refuses (with the reason) a directory
    /// without a run file or frames, or whose files this build cannot read.
    pub fn open(dir: &Path) -> Result<Self, super::Error> {
        let (config, reader) = open_kept(dir, |e| open_error(dir, e))?;
        let trainer = Trainer::new(config.clone(), Threads(1)).map_err(|e| open_error(dir, e))?;
        let mut r = Replay {
            dir: dir.to_path_buf(),
            every: reader.info().every,
            prober: Prober::new(&config, trainer.data()),
            config,
            reader,
            history: Vec::new(),
            frames: VecDeque::new(),
            status: Status::Running,
            paused: false,
            elapsed: Duration::ZERO,
            rate: 0.0,
            compare: None,
            message: Some(format!("replaying {}", show(dir))),
        };
        r.poll()?;
        Ok(r)
    }

    /// Draw the run kept in `other` on the same axes (`replay DIR DIR2`): its metrics, read
    /// as this run's frames are and followed while it is written. Refused as `open` refuses
    /// a directory, and when it is this same run.
    pub fn compare(mut self, other: &Path) -> Result<Self, super::Error> {
        let bad = |e: &dyn std::fmt::Display| {
            super::Error::Usage(format!("cannot compare with {}: {e}", show(other)))
        };
        let (config, reader) = open_kept(other, |e| bad(&e))?;
        let same = |d: &Path| std::fs::canonicalize(d).ok();
        if same(other).is_some() && same(other) == same(&self.dir) {
            return Err(bad(&"it is the run replayed (give another directory)"));
        }
        let names = names(&self.dir, other);
        self.message = Some(format!(
            "replaying {} against {} (c hides it)",
            names.0, names.1
        ));
        self.compare = Some(Other {
            dir: other.to_path_buf(),
            reader,
            run: Arc::new(Compared {
                names,
                config,
                history: Vec::new(),
                status: Status::Running,
            }),
        });
        self.poll()?;
        Ok(self)
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Read the frames written since the last look (this run's and the compared run's), and
    /// whether each has ended (its summary); whether anything changed. A compared run that
    /// cannot be followed further is left as it was, with the reason in the footer.
    pub fn poll(&mut self) -> Result<bool, super::Error> {
        if self.paused {
            return Ok(false);
        }
        let mut changed = false;
        if let Some(other) = &mut self.compare {
            match other.poll() {
                Ok(c) => changed |= c,
                Err(e) => {
                    let run = Arc::make_mut(&mut other.run);
                    run.status = Status::Diverged(e.to_string());
                    self.message = Some(e.to_string());
                    changed = true;
                }
            }
        }
        // A finished run is still looked at: `run --resume --steps` may extend it (its
        // summary goes while it trains, and new frames come).
        if !matches!(self.status, Status::Running | Status::Finished) {
            return Ok(changed);
        }
        let new = match self.reader.read_new() {
            Ok(new) => new,
            Err(e) => self.rewound(e)?,
        };
        let extended = !new.is_empty() || ended(&self.dir, &self.config).is_none();
        if self.status == Status::Finished && extended {
            self.status = Status::Running;
            changed = true;
        }
        if self.status == Status::Finished {
            return Ok(changed);
        }
        changed |= !new.is_empty();
        for f in new {
            self.record(f);
        }
        if let Some(status) = ended(&self.dir, &self.config) {
            self.status = status;
            return Ok(true);
        }
        Ok(changed)
    }

    /// The frames file could not be read on from where it was: when it was rewound by a
    /// resumed run (still this run's, whole from its start), every frame read again, as
    /// though opened anew; otherwise the error.
    fn rewound(&mut self, e: crate::train::Error) -> Result<Vec<SavedFrame>, super::Error> {
        let Some((reader, frames)) = reread(&self.dir, &self.config) else {
            return Err(super::Error::Usage(e.to_string()));
        };
        let trainer =
            Trainer::new(self.config.clone(), Threads(1)).map_err(|e| open_error(&self.dir, e))?;
        self.prober = Prober::new(&self.config, trainer.data());
        self.every = reader.info().every;
        self.reader = reader;
        self.history.clear();
        self.frames.clear();
        self.elapsed = Duration::ZERO;
        self.rate = 0.0;
        self.message = Some(format!(
            "{} was resumed from an earlier step: read again from its start",
            show(&self.dir)
        ));
        Ok(frames)
    }

    /// A frame as the live session records it: probed in step order, the progress measures
    /// refreshed on the same frames, the phase tracked through them.
    fn record(&mut self, f: SavedFrame) {
        let m = f.metrics;
        let last = m.step >= self.config.steps;
        let readings = self.prober.read_frame(&f.weights, m.step, self.every, last);
        let phase = self.prober.phase(&m, &readings);
        if let Some(prev) = self.history.last() {
            let dt = f.elapsed_s - self.elapsed.as_secs_f64();
            self.rate = if dt > 0.0 {
                m.step.saturating_sub(prev.step) as f64 / dt
            } else {
                0.0
            };
        }
        thin_history(&mut self.history);
        self.history.push(m);
        self.elapsed = Duration::from_secs_f64(f.elapsed_s.max(0.0));
        thin(&mut self.frames, frame_cap(&f.weights));
        self.frames.push_back(Arc::new(WeightFrame {
            metrics: m,
            weights: f.weights,
            readings,
            phase,
        }));
    }

    /// Apply a command; false when it asks to quit.
    pub fn handle(&mut self, cmd: Command) -> bool {
        match cmd {
            Command::Quit => return false,
            Command::RunSweep { .. } | Command::PauseSweeps => {}
            Command::Pause => self.paused = true,
            Command::Resume => self.paused = false,
            // A replay does not train: there is no step to pause at (its Restart says so).
            Command::PauseAt { .. } => {}
            Command::Restart(_) => {
                self.message = Some(
                    "a replay does not train: run grokscope with these settings to train them"
                        .into(),
                )
            }
            Command::Save(_) => {
                let kept = ["checkpoint.safetensors", "checkpoint.grok"]
                    .map(|f| self.dir.join(f))
                    .into_iter()
                    .find(|p| crate::train::files::present(p))
                    .unwrap_or(self.dir.join("checkpoint.safetensors"));
                self.message = Some(format!("this run's checkpoint is {}", show(&kept)))
            }
        }
        true
    }

    /// The published view: the trainer's [`Snapshot`], with the clock the run kept (or
    /// `clock` where given, for deterministic tests).
    pub fn snapshot(&self, clock: Option<Clock>) -> Snapshot {
        let status = match (&self.status, self.paused) {
            (Status::Running, true) => Status::Paused,
            (s, _) => s.clone(),
        };
        let running = status == Status::Running;
        Snapshot {
            config: self.config.clone(),
            run: 0,
            step: self.history.last().map_or(0, |m| m.step),
            history: self.history.clone(),
            frames: self.frames.iter().cloned().collect(),
            status,
            clock: clock.unwrap_or(Clock {
                elapsed: self.elapsed,
                steps_per_s: if running { self.rate } else { 0.0 },
            }),
            message: self.message.clone(),
            compare: self.compare.as_ref().map(|o| o.run.clone()),
        }
    }
}

/// Follow `replay` until `Quit` or until nobody listens: commands from `rx`, snapshots into
/// `tx` whenever something changed.
pub fn run(mut replay: Replay, rx: Receiver<Command>, tx: watch::Sender<Arc<Snapshot>>) {
    loop {
        let mut dirty = match rx.recv_timeout(POLL_EVERY) {
            Ok(cmd) => {
                if !replay.handle(cmd) {
                    return;
                }
                true
            }
            Err(RecvTimeoutError::Timeout) => false,
            Err(RecvTimeoutError::Disconnected) => return,
        };
        match replay.poll() {
            Ok(changed) => dirty |= changed,
            Err(e) => {
                replay.message = Some(e.to_string());
                replay.status = Status::Diverged(format!("cannot follow the run: {e}"));
                dirty = true;
            }
        }
        if dirty {
            if tx.send(Arc::new(replay.snapshot(None))).is_err() {
                return;
            }
            replay.message = None;
        } else if tx.is_closed() {
            return;
        }
    }
}
