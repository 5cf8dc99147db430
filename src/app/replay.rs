//! `grokscope replay DIR`: the dashboard on a run `run --out` kept, without training. A
//! [`Replay`] reads the directory's weight frames, re-probes each with [`Prober`] (the task
//! data rebuilt from the saved settings and seed) exactly as the live session does, and
//! publishes the same [`Snapshot`] the trainer thread does, so every view works unchanged.
//! A run still being written is followed: new frames are read as they land.

use super::session::{Clock, MAX_FRAMES, Snapshot, Status, WeightFrame};
use super::state::Command;
use crate::probe::Prober;
use crate::train::keep::{FrameReader, RunFile, SavedFrame};
use crate::train::{Config, Metrics, Threads, Trainer};
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;
use tokio::sync::watch;

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
    pub message: Option<String>,
}

/// Why a directory cannot be replayed: one line.
pub fn open_error(dir: &Path, e: impl std::fmt::Display) -> super::Error {
    super::Error::Usage(format!("cannot replay {}: {e}", dir.display()))
}

impl Replay {
    /// Open `dir` and read the frames written so far. Refuses (with the reason) a directory
    /// without a run file or frames, or whose files this build cannot read.
    pub fn open(dir: &Path) -> Result<Self, super::Error> {
        let run_file = RunFile::read(&dir.join("run.json")).map_err(|e| open_error(dir, e))?;
        let frames = dir.join("frames.bin");
        if !frames.exists() {
            return Err(open_error(
                dir,
                "it keeps no weight frames (frames.bin; runs kept by an earlier grokscope have none)",
            ));
        }
        let reader = FrameReader::open(&frames).map_err(|e| super::Error::Usage(e.to_string()))?;
        // The frames file holds the settings the run started with; the run file the total
        // steps (a resumed run may be extended).
        let mut config = reader.info().config.clone();
        config.steps = run_file.config.steps;
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
            message: Some(format!("replaying {}", dir.display())),
        };
        r.poll()?;
        Ok(r)
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Read the frames written since the last look, and whether the run has ended (its
    /// summary); whether anything changed.
    pub fn poll(&mut self) -> Result<bool, super::Error> {
        if self.paused || !matches!(self.status, Status::Running) {
            return Ok(false);
        }
        let new = self
            .reader
            .read_new()
            .map_err(|e| super::Error::Failed(e.to_string()))?;
        let changed = !new.is_empty();
        for f in new {
            self.record(f);
        }
        if let Some(status) = self.ended() {
            self.status = status;
            return Ok(true);
        }
        Ok(changed)
    }

    /// The summary's status, once the run wrote one.
    fn ended(&self) -> Option<Status> {
        let text = std::fs::read_to_string(self.dir.join("summary.json")).ok()?;
        let v: serde_json::Value = serde_json::from_str(text.trim()).ok()?;
        Some(match v["stopped"].as_str() {
            Some("diverged") => Status::Diverged("the loss became NaN or infinite".into()),
            _ => Status::Finished,
        })
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
        self.history.push(m);
        self.elapsed = Duration::from_secs_f64(f.elapsed_s.max(0.0));
        if self.frames.len() >= MAX_FRAMES {
            self.frames = self.frames.iter().step_by(2).cloned().collect();
        }
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
                self.message = Some(format!(
                    "this run's checkpoint is {}",
                    self.dir.join("checkpoint.grok").display()
                ))
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
