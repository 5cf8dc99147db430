//! A run as the dashboard sees it: the trainer plus a recorder of metrics and weight frames,
//! and the plain [`Snapshot`] it publishes. Synchronous and thread-free, so tests can drive it
//! step by step and the worker thread can run it at full speed.

use crate::analysis::{
    FiveNeuronReadout, ParityReadout, ProgressMeasures, Spectrum, five_neuron_readout,
    order_by_frequency_phase,
};
use crate::readout::{self, Reader, Readout};
use crate::train::model::Model;
use crate::train::trainer::Diverged;
use crate::train::{Arch, Config, Metrics, Run, TaskKind, Threads, Trainer};
use ndarray::Array2;
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

/// At most this many weight frames are kept for scrubbing; when full, every other one is
/// dropped, so the frames always span the whole run.
pub const MAX_FRAMES: usize = 512;

/// Gini coefficient of the frequency norms above which the spectrum is taken as meaningful
/// (neurons are then ordered by frequency and phase in the heatmap).
pub const ORDER_GINI: f64 = 0.3;

/// Where a run is, read off its metrics and progress measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Nothing evaluated yet.
    Starting,
    /// Fitting the training set while the test set stays near chance.
    Memorizing,
    /// Training set fitted; the generalizing circuit is growing underneath (sparser spectrum,
    /// rising excluded loss, or for parity weight moving onto the informative digits).
    CircuitForming,
    /// Test accuracy climbing well above chance: the memorizing weights are being removed.
    CleaningUp,
    /// Test accuracy at least 99 %.
    Grokked,
}

impl Phase {
    pub fn label(self) -> &'static str {
        match self {
            Phase::Starting => "starting",
            Phase::Memorizing => "memorizing",
            Phase::CircuitForming => "circuit forming",
            Phase::CleaningUp => "cleaning up",
            Phase::Grokked => "grokked",
        }
    }
}

/// What the weight panels draw at one step. (One per frame, behind an `Arc`: the size
/// difference between the variants does not matter.)
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum WeightView {
    Modular {
        /// W_input transposed: one row per neuron (in `order`), one column per input 0..P.
        heat: Array2<f32>,
        /// Neuron index of each heat row.
        order: Vec<usize>,
        /// Whether `order` is by frequency and phase (the spectrum is meaningful).
        by_frequency: bool,
        /// Dominant frequency of each heat row's neuron.
        neuron_freq: Vec<usize>,
        spectrum: Option<Spectrum>,
        progress: Option<ProgressMeasures>,
        five: Option<FiveNeuronReadout>,
    },
    Parity {
        /// W1 transposed: one row per neuron, strongest first; one column per input
        /// (bits, then the bias).
        heat: Array2<f32>,
        readout: Option<ParityReadout>,
        k_bits: usize,
    },
}

/// Weights and their read-outs at one evaluated step.
#[derive(Clone, Debug)]
pub struct WeightFrame {
    pub metrics: Metrics,
    pub view: WeightView,
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
    /// The requested settings could not be trained (the old run stays on screen).
    Invalid(String),
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
}

impl Snapshot {
    pub fn latest(&self) -> Option<&Arc<WeightFrame>> {
        self.frames.last()
    }
}

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
    reader: Reader,
    /// Increments on every restart (see [`Snapshot::run`]).
    id: u64,
    /// The last progress measures and the step they were computed at: they cost about four
    /// training steps, so they are refreshed every `PROGRESS_EVERY` records only.
    progress: Option<(u64, ProgressMeasures)>,
    tracker: PhaseTracker,
}

/// Progress measures are recomputed every this many records (carried forward in between).
pub const PROGRESS_EVERY: u64 = 4;

/// What the phase label compares against: the state when the training set was first fitted,
/// and the highest test loss seen.
#[derive(Clone, Copy, Debug, Default)]
pub struct PhaseTracker {
    pub peak_test_loss: f64,
    /// (restricted loss, gini, informative share) at the first fitted evaluation.
    pub fitted: Option<(f64, f64, f64)>,
}

impl Session {
    pub fn new(cfg: Config, threads: Threads) -> crate::train::Result<Self> {
        let trainer = Trainer::new(cfg, threads)?;
        Ok(Self::from_trainer(trainer, 0))
    }

    pub fn from_trainer(trainer: Trainer, run: u64) -> Self {
        let every = eval_interval(trainer.config());
        let mut s = Session {
            reader: Reader::new(&trainer),
            run: Run::new(trainer, every),
            history: Vec::new(),
            frames: VecDeque::new(),
            id: run,
            progress: None,
            tracker: PhaseTracker::default(),
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
        let finished = self.finished();
        let every = self.run.every();
        let trainer = self.run.trainer();
        let cfg = trainer.config();
        let view = match trainer.model() {
            Model::Modular(m) => {
                let w_input = m.w_input();
                let coeffs = self.reader.coefficients(trainer);
                let spectrum = coeffs.as_ref().map(readout::spectrum);
                let neurons = coeffs.as_ref().map(|c| c.neuron_frequencies());
                let hidden = w_input.ncols();
                let by_frequency = spectrum.as_ref().is_some_and(|s| s.gini >= ORDER_GINI);
                let order: Vec<usize> = match (&neurons, by_frequency) {
                    (Some(n), true) => order_by_frequency_phase(n),
                    _ => (0..hidden).collect(),
                };
                let neuron_freq = order
                    .iter()
                    .map(|&i| neurons.as_ref().map_or(0, |n| n[i].frequency))
                    .collect();
                let heat = Array2::from_shape_fn((hidden, w_input.nrows()), |(r, c)| {
                    w_input[[c, order[r]]]
                });
                let due = self.progress.as_ref().is_none_or(|(at, _)| {
                    metrics.step >= at + PROGRESS_EVERY * every || metrics.step < *at
                }) || finished;
                if due {
                    self.progress = spectrum.as_ref().and_then(|s| {
                        let p = self.reader.progress(trainer, &s.key_frequencies)?;
                        Some((metrics.step, p))
                    });
                }
                let progress = self.progress.as_ref().map(|(_, p)| p.clone());
                let five = match (cfg.arch, m.projections()) {
                    (Arch::FixedCircle, Some((w_in, w_out))) => {
                        five_neuron_readout(w_in, w_out).ok()
                    }
                    _ => None,
                };
                WeightView::Modular {
                    heat,
                    order,
                    by_frequency,
                    neuron_freq,
                    spectrum,
                    progress,
                    five,
                }
            }
            Model::Parity(m) => {
                let w1 = m.w1();
                let (inputs, hidden) = w1.dim();
                let norms: Vec<f32> = (0..hidden)
                    .map(|j| w1.column(j).iter().map(|v| v * v).sum::<f32>())
                    .collect();
                let mut order: Vec<usize> = (0..hidden).collect();
                order.sort_by(|&a, &b| norms[b].total_cmp(&norms[a]).then(a.cmp(&b)));
                let heat = Array2::from_shape_fn((hidden, inputs), |(r, c)| w1[[c, order[r]]]);
                WeightView::Parity {
                    heat,
                    readout: self.reader.parity(trainer),
                    k_bits: cfg.k_bits,
                }
            }
        };
        let phase = self.tracker.phase(cfg, &metrics, &view);
        WeightFrame {
            metrics,
            view,
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
        }
    }
}

impl WeightView {
    /// The read-outs of this frame in `grokscope run`'s form (the progress measures as last
    /// refreshed, see [`PROGRESS_EVERY`]).
    pub fn readout(&self) -> Readout {
        match self {
            WeightView::Modular {
                spectrum, progress, ..
            } => Readout::from_parts(spectrum.as_ref(), progress.as_ref(), None),
            WeightView::Parity { readout, .. } => Readout::from_parts(None, None, readout.as_ref()),
        }
    }
}

/// (restricted loss, gini, informative share) of a frame, NaN where they do not apply.
fn readings(view: &WeightView) -> (f64, f64, f64) {
    let r = view.readout();
    let value = |v: Option<f64>| v.unwrap_or(f64::NAN);
    (
        value(r.restricted_loss),
        value(r.gini),
        value(r.informative_share),
    )
}

impl PhaseTracker {
    /// The phase label, after Nanda et al. (2023):
    /// * memorizing until the training set is fitted (train accuracy ≥ 99 %) and the circuit
    ///   has not measurably started: restricted loss still above 70 % of its value when the
    ///   training set was first fitted, spectrum Gini within 0.05 of it (modular), or the share
    ///   of weight on the informative digits below 1.5× it (parity);
    /// * circuit forming once it has;
    /// * cleaning up once test accuracy is 30 % of the way from chance to 1, or the test loss
    ///   has fallen below 30 % of its peak;
    /// * grokked at test accuracy ≥ 99 %.
    pub fn phase(&mut self, cfg: &Config, m: &Metrics, view: &WeightView) -> Phase {
        if m.test_loss.is_finite() {
            self.peak_test_loss = self.peak_test_loss.max(m.test_loss);
        }
        if m.step == 0 {
            return Phase::Starting;
        }
        if m.test_acc >= 0.99 {
            return Phase::Grokked;
        }
        if m.train_acc < 0.99 {
            return Phase::Memorizing;
        }
        let chance = match cfg.task {
            TaskKind::Modular => 1.0 / cfg.modulus as f64,
            TaskKind::Parity => 0.5,
        };
        if m.test_acc >= chance + 0.3 * (1.0 - chance) || m.test_loss < 0.3 * self.peak_test_loss {
            return Phase::CleaningUp;
        }
        let now = readings(view);
        let base = *self.fitted.get_or_insert(now);
        let forming = now.0 < 0.7 * base.0 || now.1 > base.1 + 0.05 || now.2 > 1.5 * base.2;
        if forming {
            Phase::CircuitForming
        } else {
            Phase::Memorizing
        }
    }
}
