//! A run as the dashboard sees it: the trainer plus a recorder of metrics and weight frames,
//! and the plain [`Snapshot`] it publishes. Synchronous and thread-free, so tests can drive it
//! step by step and the worker thread can run it at full speed.

use crate::probe::Prober;
pub use crate::snapshot::{Clock, Snapshot, Status, WeightFrame};
use crate::train::trainer::Diverged;
use crate::train::{Config, Metrics, Run, Threads, Trainer};
use std::collections::VecDeque;
use std::sync::Arc;

/// At most this many weight frames are kept for scrubbing; when full, every other one is
/// dropped, so the frames always span the whole run.
pub const MAX_FRAMES: usize = 512;

/// Metrics interval for a run of `steps` steps: about 200 points over the run, every 20 to
/// 100 steps (evaluation costs about one step; at every 100 steps it takes ~1 % of the time).
pub fn eval_interval(cfg: &Config) -> u64 {
    (cfg.steps / 200).clamp(20, 100)
}

/// Records metrics and weight frames of a trainer at a fixed interval.
pub struct Session {
    run: Run,
    history: Vec<Metrics>,
    frames: VecDeque<Arc<WeightFrame>>,
    prober: Prober,
    /// Increments on every restart (see [`Snapshot::run`]).
    id: u64,
}

impl Session {
    pub fn new(cfg: Config, threads: Threads) -> crate::train::Result<Self> {
        let trainer = Trainer::new(cfg, threads)?;
        Ok(Self::from_trainer(trainer, 0))
    }

    pub fn from_trainer(trainer: Trainer, run: u64) -> Self {
        let every = eval_interval(trainer.config());
        let mut s = Session {
            prober: Prober::new(trainer.config(), trainer.data()),
            run: Run::new(trainer, every),
            history: Vec::new(),
            frames: VecDeque::new(),
            id: run,
        };
        if let Some(m) = s.run.evaluate() {
            s.record(m);
        }
        s
    }

    pub fn trainer(&self) -> &Trainer {
        self.run.trainer()
    }

    pub fn config(&self) -> &Config {
        self.trainer().config()
    }

    pub fn run(&self) -> u64 {
        self.id
    }

    pub fn step_count(&self) -> u64 {
        self.run.step_count()
    }

    pub fn finished(&self) -> bool {
        self.run.finished()
    }

    /// One training step, recording metrics and a frame when the interval comes round.
    pub fn step(&mut self) -> Result<(), Diverged> {
        if let Some(m) = self.run.step()? {
            self.record(m);
        }
        Ok(())
    }

    /// Up to `n` steps, stopping at the configured total.
    pub fn advance(&mut self, n: u64) -> Result<(), Diverged> {
        for _ in 0..n {
            if self.finished() {
                break;
            }
            self.step()?;
        }
        Ok(())
    }

    fn record(&mut self, metrics: Metrics) {
        self.history.push(metrics);
        let frame = self.frame(metrics);
        if self.frames.len() >= MAX_FRAMES {
            let kept: VecDeque<_> = self.frames.iter().step_by(2).cloned().collect();
            self.frames = kept;
        }
        self.frames.push_back(Arc::new(frame));
    }

    fn frame(&mut self, metrics: Metrics) -> WeightFrame {
        let weights = self.run.trainer().weights();
        let (every, last) = (self.run.every(), self.finished());
        let readings = self.prober.read_frame(&weights, metrics.step, every, last);
        let phase = self.prober.phase(&metrics, &readings);
        WeightFrame {
            metrics,
            weights: weights.for_frame(),
            readings,
            phase,
        }
    }

    /// The published view of this run.
    pub fn snapshot(&self, status: Status, clock: Clock, message: Option<String>) -> Snapshot {
        Snapshot {
            config: self.config().clone(),
            run: self.id,
            step: self.step_count(),
            history: self.history.clone(),
            frames: self.frames.iter().cloned().collect(),
            status,
            clock,
            message,
            compare: None,
        }
    }
}
