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
    /// Not learning: the training set is still at chance while the training loss has grown
    /// past twice its starting value or the weights past ten times their starting norm
    /// (a learning rate too large, say).
    NotLearning,
}

impl Phase {
    pub fn label(self) -> &'static str {
        match self {
            Phase::Starting => "starting",
            Phase::Memorizing => "memorizing",
            Phase::CircuitForming => "circuit forming",
            Phase::CleaningUp => "cleaning up",
            Phase::Grokked => "grokked",
            Phase::NotLearning => "not learning",
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
    /// The first evaluation seen (normally step 0).
    pub first: Option<Metrics>,
}

/// Train accuracy this close to chance (as a share of the way to 1) counts as at chance.
const AT_CHANCE: f64 = 0.1;

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
    /// * grokked at test accuracy ≥ 99 %;
    /// * not learning while the training set stays at chance (train accuracy within 10 % of
    ///   the way from chance to 1) and the training loss is above twice its first value or
    ///   the weight norm above ten times its first value.
    pub fn phase(&mut self, ctx: &Context, m: &Metrics, r: &Readings) -> Phase {
        if m.test_loss.is_finite() {
            self.peak_test_loss = self.peak_test_loss.max(m.test_loss);
        }
        let first = *self.first.get_or_insert(*m);
        if m.step == 0 {
            return Phase::Starting;
        }
        if m.test_acc >= 0.99 {
            return Phase::Grokked;
        }
        let chance = ctx.chance();
        let at_chance = m.train_acc < chance + AT_CHANCE * (1.0 - chance);
        // A NaN loss or norm counts as exploding.
        let within = |v: f64, limit: f64| v.partial_cmp(&limit).is_some_and(|o| o.is_le());
        let exploding = !within(m.train_loss, 2.0 * first.train_loss)
            || !within(m.weight_norm, 10.0 * first.weight_norm);
        if at_chance && exploding {
            return Phase::NotLearning;
        }
        if m.train_acc < 0.99 {
            return Phase::Memorizing;
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::{Threads, Trainer, presets};

    fn ctx(name: &str) -> Context {
        let t = Trainer::new(presets::find(name).unwrap().config, Threads(1)).unwrap();
        Context::new(t.config(), t.data())
    }

    fn m(step: u64, train_loss: f64, train_acc: f64, test_acc: f64, norm: f64) -> Metrics {
        Metrics {
            step,
            train_loss,
            test_loss: train_loss,
            train_acc,
            test_acc,
            weight_norm: norm,
        }
    }

    /// The labels of a hand-made trace.
    fn labels(name: &str, trace: &[Metrics]) -> Vec<Phase> {
        let ctx = ctx(name);
        let mut t = PhaseTracker::default();
        trace
            .iter()
            .map(|x| t.phase(&ctx, x, &Readings::default()))
            .collect()
    }

    #[test]
    fn a_run_at_chance_with_exploding_loss_or_weights_is_not_learning() {
        // parity --lr 1e3: loss and weights blow up, accuracy stays at a coin flip.
        let trace = [
            m(0, 0.69, 0.5, 0.5, 10.0),
            m(100, 1e5, 0.52, 0.5, 1e4),
            m(200, 1e5, 0.49, 0.5, 1e4),
        ];
        use Phase::*;
        assert_eq!(
            labels("parity", &trace),
            [Starting, NotLearning, NotLearning]
        );
        // Weights alone (loss steady), and a NaN loss, count too.
        let trace = [m(0, 0.69, 0.5, 0.5, 10.0), m(100, 0.7, 0.5, 0.5, 101.0)];
        assert_eq!(labels("parity", &trace)[1], NotLearning);
        let trace = [m(0, 0.69, 0.5, 0.5, 10.0), m(100, f64::NAN, 0.5, 0.5, 10.0)];
        assert_eq!(labels("parity", &trace)[1], NotLearning);
    }

    #[test]
    fn boundaries_of_not_learning() {
        use Phase::*;
        // Exactly twice the loss and ten times the norm are still learning.
        let trace = [m(0, 0.5, 0.5, 0.5, 10.0), m(100, 1.0, 0.5, 0.5, 100.0)];
        assert_eq!(labels("parity", &trace)[1], Memorizing);
        // Train accuracy off chance (0.5 + 0.1·0.5 = 0.55) is learning however the loss.
        let trace = [m(0, 0.5, 0.5, 0.5, 10.0), m(100, 5.0, 0.55, 0.5, 1e3)];
        assert_eq!(labels("parity", &trace)[1], Memorizing);
        let trace = [m(0, 0.5, 0.5, 0.5, 10.0), m(100, 5.0, 0.549, 0.5, 1e3)];
        assert_eq!(labels("parity", &trace)[1], NotLearning);
        // A normal start (loss falling, accuracy still low) memorizes.
        let trace = [
            m(0, 0.065, 0.015, 0.015, 37.0),
            m(100, 0.05, 0.03, 0.015, 37.5),
        ];
        assert_eq!(labels("mod-add", &trace)[1], Memorizing);
    }
}
