//! The phase label: where a run is, read off its metrics and the other probes' readings.

use super::{Context, Readings};
use crate::train::Metrics;

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

/// What the phase label compares against: the state when the training set was first fitted,
/// and the highest test loss seen.
#[derive(Clone, Copy, Debug, Default)]
pub struct PhaseTracker {
    pub peak_test_loss: f64,
    /// (restricted loss, gini, informative share) at the first fitted evaluation.
    pub fitted: Option<(f64, f64, f64)>,
}

/// (restricted loss, gini, informative share) of a frame, NaN where they do not apply.
fn readings(r: &Readings) -> (f64, f64, f64) {
    let r = r.readout();
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
    pub fn phase(&mut self, ctx: &Context, m: &Metrics, r: &Readings) -> Phase {
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
        let chance = ctx.chance();
        if m.test_acc >= chance + 0.3 * (1.0 - chance) || m.test_loss < 0.3 * self.peak_test_loss {
            return Phase::CleaningUp;
        }
        let now = readings(r);
        let base = *self.fitted.get_or_insert(now);
        let forming = now.0 < 0.7 * base.0 || now.1 > base.1 + 0.05 || now.2 > 1.5 * base.2;
        if forming {
            Phase::CircuitForming
        } else {
            Phase::Memorizing
        }
    }
}
