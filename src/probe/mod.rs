//! Probes: pure read-outs of a [`Weights`] value (plus the run's settings and training
//! pairs), one file each, used alike by the dashboard's frames and `grokscope run`'s JSON
//! lines. A probe never sees the trainer: it reads the plain weights the engine hands out.
//!
//! * `spectrum`: W_input's Fourier spectrum, key frequencies, each neuron's frequency and
//!   the neuron order the heatmap uses (every frame).
//! * [`progress`]: restricted and excluded loss (addition only; costlier, so the dashboard
//!   refreshes it every [`progress::EVERY_FRAMES`] frames).
//! * `five`: the five-neuron model's angles (fixed-circle models).
//! * `parity`: weight per input digit, the informative share and the neuron order.
//! * `phase`: the phase label, from the metrics and the other read-outs.
//! * [`mechanism`]: both matrices' Fourier coefficients, the neurons grouped by frequency
//!   and each group's logits for a pair (the mechanism view's; computed when it draws, not
//!   a field of [`Readings`]).
//!
//! Each reading is a [`Reading`]: `None` where the probe does not apply to the task, an
//! error (shown as what it is) where it could not run.
//!
//! A new probe: copy `five.rs` (a read-out of weights that applies to some models), add its
//! field to [`Readings`] and fill it in [`Prober::read_all`] and [`Prober::read_frame`].

mod five;
pub mod mechanism;
pub(crate) mod parity;
mod phase;
pub mod progress;
pub(crate) mod spectrum;

use crate::analysis::AnalysisError;
use crate::train::task::Data;
use crate::train::{Config, Metrics, Op, TaskKind, Weights};
use serde::{Deserialize, Serialize};

pub use phase::{Phase, PhaseTracker};

/// A probe's result: `None` where it does not apply, `Some(Err)` where it could not run.
pub type Reading<T> = Option<Result<T, AnalysisError>>;

/// What the probes need besides the weights: the task and the training pairs.
pub struct Context {
    pub task: TaskKind,
    pub op: Op,
    pub modulus: usize,
    pub k_bits: usize,
    pub fourier: Option<Result<crate::analysis::Fourier, AnalysisError>>,
    pub train_pairs: Vec<(usize, usize)>,
}

impl Context {
    pub fn new(cfg: &Config, data: &Data) -> Self {
        let (fourier, train_pairs) = match data {
            Data::Modular { train, .. } => (
                Some(crate::analysis::Fourier::new(cfg.modulus)),
                train
                    .a
                    .iter()
                    .zip(&train.b)
                    .map(|(&a, &b)| (a as usize, b as usize))
                    .collect(),
            ),
            Data::Parity { .. } => (None, Vec::new()),
        };
        Context {
            task: cfg.task,
            op: cfg.op,
            modulus: cfg.modulus,
            k_bits: cfg.k_bits,
            fourier,
            train_pairs,
        }
    }

    /// Accuracy of guessing: 1/P for modular tasks, 1/2 for parity.
    pub fn chance(&self) -> f64 {
        match self.task {
            TaskKind::Modular => 1.0 / self.modulus as f64,
            TaskKind::Parity => 0.5,
        }
    }
}

/// Every probe's reading of one set of weights.
#[derive(Clone, Debug, Default)]
pub struct Readings {
    pub spectrum: Reading<spectrum::SpectrumReading>,
    pub progress: Reading<crate::analysis::ProgressMeasures>,
    pub five: Reading<crate::analysis::FiveNeuronReadout>,
    pub parity: Reading<parity::ParityReading>,
}

/// Every probe on `w`, the progress measures as `progress` gives them from the spectrum
/// (computed now, or carried from an earlier frame).
fn readings(
    ctx: &Context,
    w: &Weights,
    progress: impl FnOnce(
        Option<&Result<spectrum::SpectrumReading, AnalysisError>>,
    ) -> Reading<crate::analysis::ProgressMeasures>,
) -> Readings {
    let spectrum = spectrum::read(ctx, w);
    Readings {
        progress: progress(spectrum.as_ref()),
        spectrum,
        five: five::read(w),
        parity: parity::read(ctx, w),
    }
}

/// An `Ok` reading, if any.
fn ok<T>(r: &Reading<T>) -> Option<&T> {
    r.as_ref().and_then(|r| r.as_ref().ok())
}

impl Readings {
    pub fn spectrum(&self) -> Option<&spectrum::SpectrumReading> {
        ok(&self.spectrum)
    }
    pub fn progress(&self) -> Option<&crate::analysis::ProgressMeasures> {
        ok(&self.progress)
    }
    pub fn five(&self) -> Option<&crate::analysis::FiveNeuronReadout> {
        ok(&self.five)
    }
    pub fn parity(&self) -> Option<&parity::ParityReading> {
        ok(&self.parity)
    }

    /// The read-outs in `grokscope run`'s form.
    pub fn readout(&self) -> Readout {
        let s = self.spectrum().map(|s| &s.spectrum);
        let p = self.progress();
        Readout {
            gini: s.map(|s| s.gini),
            key_freqs: s.map(|s| s.key_frequencies.clone()),
            restricted_loss: p.map(|p| p.restricted_loss),
            excluded_loss: p.map(|p| p.excluded_loss),
            informative_share: self.parity().map(|r| r.readout.informative_share),
        }
    }
}

/// Progress measures of one step, as `grokscope run` prints them. Fields that do not apply
/// to the task (or could not be computed) are omitted.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Readout {
    /// Gini coefficient of W_input's Fourier frequency norms (modular tasks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gini: Option<f64>,
    /// Key frequencies, largest norm first (modular tasks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_freqs: Option<Vec<usize>>,
    /// Loss on all pairs with logits restricted to the key frequencies (addition).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restricted_loss: Option<f64>,
    /// Training loss with the key frequencies removed from the logits (addition).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excluded_loss: Option<f64>,
    /// Share of first-layer squared weight norm on the informative digits (parity).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub informative_share: Option<f64>,
}

/// Runs the probes over a run's weights, keeping what carries from one frame to the next:
/// the last progress measures (between refreshes) and the phase tracker.
pub struct Prober {
    ctx: Context,
    /// The step the progress measures were last computed at, and the measures.
    progress: Option<(u64, Reading<crate::analysis::ProgressMeasures>)>,
    tracker: PhaseTracker,
}

impl Prober {
    pub fn new(cfg: &Config, data: &Data) -> Self {
        Prober {
            ctx: Context::new(cfg, data),
            progress: None,
            tracker: PhaseTracker::default(),
        }
    }

    pub fn context(&self) -> &Context {
        &self.ctx
    }

    /// Every probe on `w`.
    pub fn read_all(&self, w: &Weights) -> Readings {
        readings(&self.ctx, w, |s| progress::read(&self.ctx, w, s))
    }

    /// The probes of one dashboard frame at step `step`: the progress measures are
    /// recomputed every [`progress::EVERY_FRAMES`] frames (and when `force`d, at a run's last
    /// step) and carried forward in between.
    pub fn read_frame(&mut self, w: &Weights, step: u64, every: u64, force: bool) -> Readings {
        let (ctx, kept) = (&self.ctx, &mut self.progress);
        readings(ctx, w, |s| {
            let due = kept
                .as_ref()
                .is_none_or(|(at, _)| step >= at + progress::EVERY_FRAMES * every || step < *at)
                || force;
            if due {
                *kept = Some((step, progress::read(ctx, w, s)));
            }
            kept.as_ref().and_then(|(_, p)| p.clone())
        })
    }

    /// The phase label of a frame (the tracker remembers the run's past).
    pub fn phase(&mut self, m: &Metrics, r: &Readings) -> Phase {
        self.tracker.phase(&self.ctx, m, r)
    }

    /// The phase after a metrics line read back (a resumed run's earlier lines).
    pub fn phase_of_line(&mut self, m: &Metrics, r: &Readout) -> Phase {
        self.tracker.phase_of_line(&self.ctx, m, r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::{Threads, Trainer, presets};

    fn readings(name: &str, edit: impl FnOnce(&mut Config)) -> Readings {
        let mut cfg = presets::find(name).unwrap().config;
        edit(&mut cfg);
        let t = Trainer::new(cfg, Threads(1)).unwrap();
        Prober::new(t.config(), t.data()).read_all(&t.weights())
    }

    #[test]
    fn each_probe_applies_where_its_model_does() {
        let r = readings("mod-add", |_| {});
        assert!(matches!(r.spectrum, Some(Ok(_))));
        assert!(matches!(r.progress, Some(Ok(_))));
        assert!(r.five.is_none() && r.parity.is_none());
        // The measures score (a + b) mod P: other operations get the spectrum only.
        let r = readings("mod-add", |c| c.op = Op::Mul);
        assert!(matches!(r.spectrum, Some(Ok(_))) && r.progress.is_none());
        let r = readings("five-neurons", |_| {});
        assert!(matches!(r.five, Some(Ok(_))));
        let r = readings("parity", |_| {});
        assert!(r.spectrum.is_none() && r.progress.is_none() && r.five.is_none());
        let p = r.parity().expect("parity reading");
        // The order is a permutation of the neurons.
        let mut o = p.order.clone();
        o.sort_unstable();
        assert_eq!(o, (0..o.len()).collect::<Vec<_>>());
        assert_eq!(o.len(), presets::find("parity").unwrap().config.hidden);
        assert!(r.readout().informative_share.is_some());
    }

    #[test]
    fn a_probe_that_cannot_run_says_why() {
        let mut ctx = {
            let cfg = presets::find("mod-add").unwrap().config;
            let t = Trainer::new(cfg, Threads(1)).unwrap();
            (Context::new(t.config(), t.data()), t.weights())
        };
        ctx.0.fourier = Some(crate::analysis::Fourier::new(1).map(|_| unreachable!()));
        let s = spectrum::read(&ctx.0, &ctx.1);
        let err = s.expect("applies").expect_err("no basis for P = 1");
        assert_eq!(err.to_string(), "modulus must be at least 2 (got 1)");
        // Measures that need the spectrum carry its reason rather than vanishing.
        let p = progress::read(&ctx.0, &ctx.1, Some(&Err(err.clone())));
        assert_eq!(p, Some(Err(err)));
    }
}
