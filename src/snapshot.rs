//! What the dashboard draws from: the plain data the trainer thread publishes (a
//! [`Snapshot`] of the run, its metrics history and its [`WeightFrame`]s). Below both the
//! app, which records and publishes it, and the ui, which renders it, so that neither
//! imports the other for it.

use crate::probe::{Phase, Readings};
use crate::train::{Config, Metrics, Weights};
use std::sync::Arc;
use std::time::Duration;

/// Weights and their read-outs at one evaluated step.
#[derive(Clone, Debug)]
pub struct WeightFrame {
    pub metrics: Metrics,
    /// The weights at this step (trimmed for keeping, see [`Weights::for_frame`]).
    pub weights: Weights,
    pub readings: Readings,
    pub phase: Phase,
}

impl WeightFrame {
    pub fn step(&self) -> u64 {
        self.metrics.step
    }
}

/// Whether the trainer is working.
#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    Running,
    Paused,
    /// Reached the configured number of steps.
    Finished,
    /// The loss became NaN or infinite.
    Diverged(String),
}

/// Wall-clock readings, injected so that rendered frames can be deterministic in tests.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Clock {
    pub elapsed: Duration,
    pub steps_per_s: f64,
}

/// Everything the renderer reads: plain data, cheap to share behind an `Arc`.
#[derive(Clone, Debug)]
pub struct Snapshot {
    pub config: Config,
    /// Increments on every restart, so the app can tell a new run from an update.
    pub run: u64,
    pub step: u64,
    pub history: Vec<Metrics>,
    pub frames: Vec<Arc<WeightFrame>>,
    pub status: Status,
    pub clock: Clock,
    /// A one-line notice (checkpoint saved, restart refused, ...).
    pub message: Option<String>,
    /// A second run drawn on the same axes (`grokscope replay DIR DIR2`).
    pub compare: Option<Arc<Compared>>,
}

/// A second kept run, drawn beside the one on screen on the loss and accuracy charts'
/// axes: its settings and metrics only (no weights, no read-outs).
#[derive(Clone, Debug)]
pub struct Compared {
    /// What the legend calls the run on screen and this one: their directories' names.
    pub names: (String, String),
    pub config: Config,
    pub history: Vec<Metrics>,
    pub status: Status,
}

impl Compared {
    /// The last step it recorded.
    pub fn step(&self) -> u64 {
        self.history.last().map_or(0, |m| m.step)
    }

    /// Its metrics at `step`, as a cursor there reads them: the last recorded at or before
    /// it; `None` before its first, and past its last once it has ended (it never got there).
    pub fn at(&self, step: u64) -> Option<Metrics> {
        let i = self.history.partition_point(|m| m.step <= step);
        let m = *self.history.get(i.checked_sub(1)?)?;
        let ended = !matches!(self.status, Status::Running | Status::Paused);
        (m.step == step || !ended || i < self.history.len()).then_some(m)
    }
}

impl Snapshot {
    pub fn latest(&self) -> Option<&Arc<WeightFrame>> {
        self.frames.last()
    }
}
