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
    /// Not yet fitting the training set, but test accuracy keeps pace with train accuracy
    /// (at least 90 % of it) well above chance: the model learns the rule, not a table (the
    /// five-neuron model does, from its first hundreds of steps).
    Generalizing,
    /// Training set fitted; the generalizing circuit is growing underneath (sparser spectrum,
    /// rising excluded loss, or for parity weight moving onto the informative digits).
    CircuitForming,
    /// Test accuracy climbing well above chance: the memorizing weights are being removed.
    CleaningUp,
    /// Test accuracy at least 99 %.
    Grokked,
    /// Reverse grokking: the training set stays fitted while the model falls back to
    /// memorizing: test loss at least twice its low and test accuracy below a peak that was
    /// more than halfway from chance to 1.
    FallingBack,
    /// The training set is not being fitted: train accuracy below 99 % while the training
    /// loss has stopped falling (less than 10 % below its value halfway through the run so
    /// far). The sweep's "fail" class (its lowest train loss above 1e-5), seen live.
    Failing,
    /// Not learning: the training set is still at chance while the training loss has grown
    /// past twice its starting value, or has not fallen by a tenth while the weights grew
    /// past ten times their starting norm (a learning rate too large, say).
    NotLearning,
}

impl Phase {
    pub fn label(self) -> &'static str {
        match self {
            Phase::Starting => "starting",
            Phase::Memorizing => "memorizing",
            Phase::Generalizing => "generalizing",
            Phase::CircuitForming => "circuit forming",
            Phase::CleaningUp => "cleaning up",
            Phase::Grokked => "grokked",
            Phase::NotLearning => "not learning",
            Phase::FallingBack => "falling back to memorizing",
            Phase::Failing => "fail: not fitting",
        }
    }
}

/// What the phase label compares against: the state when the training set was first fitted,
/// the extremes of the test metrics, and the training loss at each evaluation.
#[derive(Clone, Debug, Default)]
pub struct PhaseTracker {
    pub peak_test_loss: f64,
    pub peak_test_acc: f64,
    /// The lowest finite test loss seen (`None` before one).
    pub min_test_loss: Option<f64>,
    /// (step, training loss) at every evaluation, for "has the loss stopped falling".
    train_losses: Vec<(u64, f64)>,
    /// (restricted loss, gini, informative share) at the first fitted evaluation.
    pub fitted: Option<(f64, f64, f64)>,
    /// The first evaluation seen (normally step 0).
    pub first: Option<Metrics>,
}

/// Train accuracy this close to chance (as a share of the way to 1) counts as at chance.
const AT_CHANCE: f64 = 0.1;

/// A training loss less than this far below its value halfway through the run so far has
/// stopped falling.
const STALLED: f64 = 0.9;

/// Test accuracy at least this share of train accuracy keeps pace with it.
const KEEPS_PACE: f64 = 0.9;

/// Before this step no run counts as failing (memorization takes hundreds of steps).
const FAIL_AFTER: u64 = 2000;

/// `v >= limit`, a NaN `v` counting as past any limit.
fn at_least(v: f64, limit: f64) -> bool {
    v.partial_cmp(&limit).is_none_or(|o| o.is_ge())
}

/// (restricted loss, gini, informative share) of a frame, NaN where they do not apply.
fn readings(r: &Readings) -> (f64, f64, f64) {
    read_outs(&r.readout())
}

/// [`readings`] of a read-out (a metrics line read back).
fn read_outs(r: &super::Readout) -> (f64, f64, f64) {
    let value = |v: Option<f64>| v.unwrap_or(f64::NAN);
    (
        value(r.restricted_loss),
        value(r.gini),
        value(r.informative_share),
    )
}

impl PhaseTracker {
    /// The phase label, after Nanda et al. (2023):
    /// * generalizing while the training set is not yet fitted but test accuracy is at least
    ///   10 % of the way from chance to 1 and at least 90 % of train accuracy;
    /// * memorizing until the training set is fitted (train accuracy ≥ 99 %) and the circuit
    ///   has not measurably started: restricted loss still above 70 % of its value when the
    ///   training set was first fitted, spectrum Gini within 0.05 of it (modular), or the share
    ///   of weight on the informative digits below 1.5× it (parity);
    /// * circuit forming once it has;
    /// * cleaning up once test accuracy is 30 % of the way from chance to 1, or the test loss
    ///   has fallen below 30 % of its peak;
    /// * grokked at test accuracy ≥ 99 %;
    /// * not learning while the training set stays at chance (train accuracy within 10 % of
    ///   the way from chance to 1) and the training loss is above twice its first value, or
    ///   not 10 % below it with the weight norm above ten times its first value;
    /// * fail ("not fitting") from step 2,000 while train accuracy is below 99 % and the
    ///   training loss is less than 10 % below its value at the last evaluation at or before
    ///   half the current step;
    /// * falling back to memorizing (reverse grokking) while the training set is fitted, test
    ///   accuracy has peaked more than halfway from chance to 1 and is now below that peak,
    ///   and the test loss is at least twice its lowest value.
    pub fn phase(&mut self, ctx: &Context, m: &Metrics, r: &Readings) -> Phase {
        self.observe(ctx, m, readings(r))
    }

    /// [`Self::phase`] from a metrics line's read-out, as `run` wrote it: a resumed run
    /// replays its earlier lines through it, so its phase is the uninterrupted run's.
    pub fn phase_of_line(&mut self, ctx: &Context, m: &Metrics, r: &super::Readout) -> Phase {
        self.observe(ctx, m, read_outs(r))
    }

    fn observe(&mut self, ctx: &Context, m: &Metrics, now: (f64, f64, f64)) -> Phase {
        if m.test_loss.is_finite() {
            self.peak_test_loss = self.peak_test_loss.max(m.test_loss);
            self.min_test_loss = Some(
                self.min_test_loss
                    .map_or(m.test_loss, |l| l.min(m.test_loss)),
            );
        }
        if m.test_acc.is_finite() {
            self.peak_test_acc = self.peak_test_acc.max(m.test_acc);
        }
        let halfway = self
            .train_losses
            .iter()
            .rev()
            .find(|(s, _)| *s <= m.step / 2)
            .map(|&(_, l)| l);
        self.train_losses.push((m.step, m.train_loss));
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
        // Weights that grow while the loss falls (by a tenth or more) are learning:
        // five-neurons starts small. parity --lr 1e3's loss drifts 5 % while its weights
        // grow 10⁵-fold.
        let falling = m.train_loss < 0.9 * first.train_loss;
        let exploding = !within(m.train_loss, 2.0 * first.train_loss)
            || (!falling && !within(m.weight_norm, 10.0 * first.weight_norm));
        if at_chance && exploding {
            return Phase::NotLearning;
        }
        if m.train_acc < 0.99 {
            let stalled = halfway.is_some_and(|h| at_least(m.train_loss, STALLED * h));
            // Test accuracy off chance (a tenth of the way to 1) and at least 90 % of train
            // accuracy: five-neurons at step 975, train 17 % and test 18 %, learns the rule
            // (before, 30 % of the way was asked, and such steps read "memorizing").
            let keeps_pace = m.test_acc >= chance + AT_CHANCE * (1.0 - chance)
                && m.test_acc >= KEEPS_PACE * m.train_acc;
            return if m.step >= FAIL_AFTER && stalled {
                Phase::Failing
            } else if keeps_pace {
                Phase::Generalizing
            } else {
                Phase::Memorizing
            };
        }
        let generalized = self.peak_test_acc > chance + 0.5 * (1.0 - chance);
        let rising = self
            .min_test_loss
            .is_some_and(|low| at_least(m.test_loss, 2.0 * low));
        if generalized && m.test_acc < self.peak_test_acc && rising {
            return Phase::FallingBack;
        }
        if m.test_acc >= chance + 0.3 * (1.0 - chance) || m.test_loss < 0.3 * self.peak_test_loss {
            return Phase::CleaningUp;
        }
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
        // Weights growing from a small start while the loss falls are learning
        // (five-neurons at step 600: norm ×11, loss 6.28e-2 → 5.36e-2).
        let trace = [
            m(0, 0.0628, 0.016, 0.014, 1.0),
            m(600, 0.0536, 0.053, 0.052, 11.0),
        ];
        assert_eq!(labels("mod-add", &trace)[1], Memorizing);
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

    /// A metrics point with both losses and accuracies given.
    fn pt(step: u64, train: (f64, f64), test: (f64, f64)) -> Metrics {
        Metrics {
            step,
            train_loss: train.0,
            test_loss: test.0,
            train_acc: train.1,
            test_acc: test.1,
            weight_norm: 30.0,
        }
    }

    #[test]
    fn a_run_whose_training_loss_stops_falling_short_of_fitting_fails() {
        use Phase::*;
        // mod-add-collapsed, as measured: train accuracy creeps to 80 % and stalls there.
        let trace = [
            pt(0, (0.0647, 0.011), (0.0649, 0.018)),
            pt(1000, (0.045, 0.25), (0.09, 0.004)),
            pt(2000, (0.0359, 0.395), (0.094, 0.004)),
            pt(4000, (0.0292, 0.54), (0.093, 0.006)),
            pt(18000, (0.0211, 0.78), (0.065, 0.073)),
            pt(20000, (0.02035, 0.785), (0.064, 0.078)),
            pt(36000, (0.01939, 0.801), (0.061, 0.10)),
            pt(40000, (0.0194, 0.800), (0.061, 0.10)),
        ];
        assert_eq!(
            labels("mod-add", &trace),
            [
                Starting, Memorizing, Memorizing, Memorizing, Memorizing, Memorizing, Failing,
                Failing
            ]
        );
    }

    #[test]
    fn boundaries_of_failing() {
        use Phase::*;
        let two = |early: (u64, f64), late: (u64, f64), acc: f64| {
            let trace = [
                pt(0, (1.0, 0.0), (1.0, 0.0)),
                pt(early.0, (early.1, acc), (1.0, 0.0)),
                pt(late.0, (late.1, acc), (1.0, 0.0)),
            ];
            labels("mod-add", &trace)[2]
        };
        // Exactly 10 % lower than halfway is still falling; a hair less has stalled.
        assert_eq!(two((2000, 0.5), (4000, 0.45 * 0.999), 0.5), Memorizing);
        assert_eq!(two((2000, 0.5), (4000, 0.5 * 0.9), 0.5), Failing);
        // Not before step 2,000, however flat.
        assert_eq!(two((900, 0.5), (1999, 0.5), 0.5), Memorizing);
        assert_eq!(two((1000, 0.5), (2000, 0.5), 0.5), Failing);
        // The halfway point is the last evaluation at or before half the step: 2,001 / 2
        // is 1,000.
        assert_eq!(two((1001, 0.5), (2001, 0.5), 0.5), Memorizing);
        // A fitted training set never fails, however flat its loss.
        assert_eq!(two((2000, 0.5), (4000, 0.5), 0.99), Memorizing);
        // A NaN loss has stopped falling.
        assert_eq!(two((2000, 0.5), (4000, f64::NAN), 0.5), Failing);
    }

    #[test]
    fn a_fitted_run_whose_test_loss_climbs_back_is_falling_back() {
        use Phase::*;
        // reverse-grok, as measured: test accuracy peaks at 85.5 % at step 4,000, then test
        // loss climbs ×8.7 while train loss falls to 8e-9 and test accuracy slips to 80 %.
        let trace = [
            pt(0, (0.0628, 0.011), (0.0628, 0.018)),
            pt(2400, (9.3e-3, 0.866), (1.47e-2, 0.665)),
            pt(4000, (1.79e-3, 0.986), (7.84e-3, 0.855)),
            pt(4800, (9.1e-4, 0.996), (9.16e-3, 0.849)),
            pt(7200, (1.08e-4, 1.0), (1.74e-2, 0.833)),
            pt(20000, (8.3e-9, 1.0), (6.82e-2, 0.799)),
        ];
        assert_eq!(
            labels("mod-add", &trace),
            [
                Starting,
                Memorizing,
                Memorizing,
                CleaningUp,
                FallingBack,
                FallingBack
            ]
        );
    }

    #[test]
    fn boundaries_of_falling_back() {
        use Phase::*;
        let chance = 1.0 / 67.0;
        let halfway = chance + 0.5 * (1.0 - chance);
        let after = |peak: f64, now: (f64, f64)| {
            let trace = [
                pt(0, (1.0, 0.0), (1.0, 0.0)),
                pt(1000, (1e-3, 1.0), (0.01, peak)),
                pt(2000, (1e-4, 1.0), now),
            ];
            labels("mod-add", &trace)[2]
        };
        assert_eq!(
            after(0.9, (0.02, 0.89)),
            FallingBack,
            "twice the low, below the peak"
        );
        assert_eq!(
            after(0.9, (0.0199, 0.89)),
            CleaningUp,
            "less than twice the low"
        );
        assert_eq!(after(0.9, (0.05, 0.9)), CleaningUp, "still at its peak");
        assert_eq!(
            after(halfway, (0.05, 0.4)),
            CleaningUp,
            "never more than halfway"
        );
        assert_eq!(after(halfway + 1e-9, (0.05, 0.4)), FallingBack);
    }

    #[test]
    fn a_run_whose_test_accuracy_keeps_pace_with_train_is_generalizing() {
        use Phase::*;
        // five-neurons seed 0, as recorded: test accuracy equals train from step 975 on,
        // neither fitted until 99 %.
        let trace = [
            pt(0, (0.0628, 0.016), (0.0628, 0.014)),
            pt(600, (0.0536, 0.40), (0.0536, 0.39)),
            pt(975, (0.03, 0.86), (0.03, 0.86)),
            pt(9000, (0.01, 0.98), (0.01, 0.98)),
            pt(12000, (0.007, 1.0), (0.007, 0.995)),
        ];
        assert_eq!(
            labels("mod-add", &trace),
            [Starting, Generalizing, Generalizing, Generalizing, Grokked]
        );
        // Just under 90 % of train accuracy is still memorizing; so is a test accuracy
        // equal to train but under 10 % of the way from chance.
        let one = |train: f64, test: f64| {
            labels(
                "mod-add",
                &[
                    pt(0, (1.0, 0.0), (1.0, 0.0)),
                    pt(500, (0.5, train), (0.5, test)),
                ],
            )[1]
        };
        assert_eq!(one(0.8, 0.721), Generalizing);
        assert_eq!(one(0.8, 0.719), Memorizing);
        let chance = 1.0 / 67.0;
        let low = chance + 0.1 * (1.0 - chance);
        assert_eq!(one(low, low), Generalizing);
        assert_eq!(one(low - 1e-6, low - 1e-6), Memorizing);
        // five-neurons' recorded run (tests/fixtures) at step 975: train 16.8 %, test
        // 18.4 %, both rising together; it read "memorizing" under the old 30 % rule.
        assert_eq!(one(0.1684, 0.1837), Generalizing);
        // Parity (chance 50 %): a test accuracy of 54 % is still at chance.
        let parity = |train: f64, test: f64| {
            labels(
                "parity",
                &[
                    pt(0, (1.0, 0.5), (1.0, 0.5)),
                    pt(500, (0.5, train), (0.5, test)),
                ],
            )[1]
        };
        assert_eq!(parity(0.58, 0.54), Memorizing);
        assert_eq!(parity(0.58, 0.56), Generalizing);
    }

    /// A grokking run as the article draws it never reads as failing or falling back.
    #[test]
    fn a_grokking_run_is_neither_failing_nor_falling_back() {
        use Phase::*;
        let trace = [
            pt(0, (0.065, 0.015), (0.065, 0.015)),
            pt(500, (1e-3, 1.0), (0.2, 0.01)),
            pt(5000, (1e-4, 1.0), (0.4, 0.02)),
            pt(9000, (2e-4, 1.0), (0.1, 0.6)),
            pt(10000, (1e-4, 1.0), (0.01, 0.995)),
        ];
        let got = labels("mod-add", &trace);
        assert_eq!(got[4], Grokked);
        assert!(
            !got.iter().any(|p| matches!(p, Failing | FallingBack)),
            "{got:?}"
        );
    }
}
