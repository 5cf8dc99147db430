//! The moments of a run worth marking on its charts (the tour's callouts): when the training
//! set is fitted, when test accuracy passes a level, parity's rise of the training loss
//! before it generalizes, when the distracting digits' weight fades, when the key
//! frequencies settle, when the test loss is at its lowest before it climbs back. Each is a
//! pure function of the run's logged curve (and, for the weights' moments, of one reading
//! per weight frame), so a live run, a replay and a recorded fixture place them alike.

use super::phenomenon::{Point, rise};

/// Train accuracy at or above this counts as the training set fitted.
pub const FIT_ACC: f64 = 0.99;
/// The key frequencies count as settled when the same few hold for this many steps (a span
/// of steps, not of frames, so that a run kept with fewer frames places it alike).
pub const SETTLED_STEPS: u64 = 1_000;
/// The key frequencies' rule picks at most this many (a dense, memorizing spectrum): a set
/// this large is not settled ([`crate::analysis::KeyFrequencyRule`]'s default cap).
pub const DENSE_KEYS: usize = 8;
/// A test loss this many times its lowest (with the training loss still falling) marks the
/// low as the turn of reverse grokking.
pub const CLIMB: f64 = 1.2;

/// A moment a run may reach.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Moment {
    /// Train accuracy first reaches `FIT_ACC`.
    TrainFit,
    /// Test accuracy first reaches this many percent.
    TestPasses(u8),
    /// After the training set is fitted (with test accuracy under 90 %) and before test
    /// accuracy reaches 99 %, the training loss first reaches 1.5 times its lowest since
    /// fitting: the rule of [`super::Phenomenon::TrainLossRise`], which also asks that test
    /// accuracy gets to 99 % afterwards.
    TrainLossRise,
    /// The distracting digits' share of the first layer's squared weight first falls below
    /// this many percent.
    DistractorsBelow(u8),
    /// The first frame from which the key frequencies stay the same few (fewer than
    /// `DENSE_KEYS`) for `SETTLED_STEPS` steps.
    KeyFrequencies,
    /// The lowest test loss, once the test loss has climbed to `CLIMB` times it while
    /// the training loss kept falling (reverse grokking's turn).
    TestLossLow,
}

/// What the moments are read from: the logged curve in step order, and per weight frame
/// (in step order) the distracting digits' weight share (parity) and the key frequencies
/// (modular tasks); a series a task does not have is empty.
#[derive(Clone, Copy, Debug, Default)]
pub struct Curves<'a> {
    pub points: &'a [Point],
    pub distractors: &'a [(u64, f64)],
    pub keys: &'a [(u64, Vec<usize>)],
}

impl Moment {
    /// The step the run reaches this moment, if it has.
    pub fn find(self, c: &Curves) -> Option<u64> {
        match self {
            Moment::TrainFit => first(c.points, |p| p.train_acc >= FIT_ACC),
            Moment::TestPasses(pct) => {
                let level = f64::from(pct) / 100.0;
                first(c.points, |p| p.test_acc >= level)
            }
            Moment::TrainLossRise => rise(c.points),
            Moment::DistractorsBelow(pct) => {
                let level = f64::from(pct) / 100.0;
                c.distractors
                    .iter()
                    .find(|&&(_, share)| share < level)
                    .map(|&(step, _)| step)
            }
            Moment::KeyFrequencies => keys_settled(c.keys),
            Moment::TestLossLow => test_loss_low(c.points),
        }
    }

    /// A short label for the chart and the tour's list.
    pub fn label(self) -> String {
        match self {
            Moment::TrainFit => "train set fitted".into(),
            Moment::TestPasses(pct) => format!("test {pct} %"),
            Moment::TrainLossRise => "train loss rises".into(),
            Moment::DistractorsBelow(pct) => format!("distractors < {pct} %"),
            Moment::KeyFrequencies => "key frequencies set".into(),
            Moment::TestLossLow => "test loss lowest".into(),
        }
    }
}

fn first(points: &[Point], at: impl Fn(&Point) -> bool) -> Option<u64> {
    points.iter().find(|p| at(p)).map(|p| p.step)
}

fn keys_settled(keys: &[(u64, Vec<usize>)]) -> Option<u64> {
    keys.iter().enumerate().find_map(|(i, (from, set))| {
        if set.is_empty() || set.len() >= DENSE_KEYS {
            return None;
        }
        // The frames after it, up to the first SETTLED_STEPS on: all the same set.
        for (step, k) in &keys[i + 1..] {
            if !same(k, set) {
                return None;
            }
            if *step >= from + SETTLED_STEPS {
                return Some(*from);
            }
        }
        None
    })
}

/// The same frequencies, in any order.
fn same(a: &[usize], b: &[usize]) -> bool {
    a.len() == b.len() && a.iter().all(|k| b.contains(k))
}

fn test_loss_low(points: &[Point]) -> Option<u64> {
    // The lowest test loss so far, its step and the training loss there.
    let mut low: Option<(f64, u64, f64)> = None;
    for p in points {
        if let Some((test, step, train)) = low
            && p.test_loss >= CLIMB * test
            && p.train_loss < train
        {
            return Some(step);
        }
        if low.is_none_or(|(test, ..)| p.test_loss < test) {
            low = Some((p.test_loss, p.step, p.train_loss));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::phenomenon::tests::curve;

    fn find(m: Moment, points: &[Point]) -> Option<u64> {
        m.find(&Curves {
            points,
            ..Curves::default()
        })
    }

    #[test]
    fn accuracy_moments_are_the_first_step_at_the_level() {
        let c = curve(&[
            (1.0, 1.0, 0.2, 0.0),
            (0.1, 2.0, 0.989, 0.01),
            (0.01, 2.0, 0.99, 0.02),
            (0.01, 1.0, 1.0, 0.4999),
            (0.01, 0.5, 1.0, 0.5),
            (0.01, 0.1, 1.0, 0.98),
            (0.01, 0.01, 1.0, 0.99),
            (0.01, 0.5, 1.0, 0.2),
        ]);
        assert_eq!(find(Moment::TrainFit, &c), Some(200));
        assert_eq!(find(Moment::TestPasses(50), &c), Some(400));
        assert_eq!(find(Moment::TestPasses(99), &c), Some(600));
        assert_eq!(find(Moment::TestPasses(100), &c), None);
        assert_eq!(find(Moment::TrainFit, &c[..2]), None);
    }

    #[test]
    fn the_rise_is_after_fitting_and_before_generalizing() {
        let fit = (1e-4, 2.0, 1.0, 0.55);
        // Powers of two keep 1.5 times the lowest exact.
        let low = 2f64.powi(-15);
        let c = curve(&[
            (0.7, 0.7, 0.5, 0.5),
            fit,
            (low, 2.0, 1.0, 0.6),
            (1.49 * low, 1.5, 1.0, 0.7),
            (1.5 * low, 1.0, 1.0, 0.8),
            (1e-5, 0.01, 1.0, 0.995),
        ]);
        // 1.5 times the lowest since fitting is a rise; 1.49 times is not.
        assert_eq!(find(Moment::TrainLossRise, &c), Some(400));
        assert!(super::super::Phenomenon::TrainLossRise.shown_by(&c));
        // A rise only after test accuracy reached 99 % is no rise before generalizing.
        let late = curve(&[fit, (4e-5, 0.01, 1.0, 0.995), (1e-4, 0.01, 1.0, 0.995)]);
        assert_eq!(find(Moment::TrainLossRise, &late), None);
        // Not fitted with test accuracy under 90 %: no memorizing to rise from.
        let straight = curve(&[(1e-4, 0.1, 1.0, 0.95), (1e-3, 0.1, 1.0, 0.96)]);
        assert_eq!(find(Moment::TrainLossRise, &straight), None);
        // Found live, before it generalizes (the phenomenon waits for that).
        assert_eq!(find(Moment::TrainLossRise, &c[..5]), Some(400));
        assert!(!super::super::Phenomenon::TrainLossRise.shown_by(&c[..5]));
    }

    #[test]
    fn distractors_fade_below_a_share() {
        let share = [(0, 0.9), (40, 0.6), (80, 0.5), (120, 0.49), (160, 0.2)];
        let c = |pct| {
            Moment::DistractorsBelow(pct).find(&Curves {
                distractors: &share,
                ..Curves::default()
            })
        };
        assert_eq!(c(50), Some(120));
        assert_eq!(c(25), Some(160));
        assert_eq!(c(10), None);
    }

    #[test]
    fn key_frequencies_settle_when_the_same_few_hold() {
        let dense: Vec<usize> = (1..=8).collect();
        let mut keys: Vec<(u64, Vec<usize>)> = (0..5).map(|i| (i * 100, dense.clone())).collect();
        keys.push((500, vec![16, 12, 22, 5]));
        for i in 6..=16 {
            let set = if i % 2 == 0 {
                vec![16, 12, 22]
            } else {
                vec![22, 16, 12]
            };
            keys.push((i * 100, set));
        }
        let at = |k: &[(u64, Vec<usize>)]| {
            Moment::KeyFrequencies.find(&Curves {
                keys: k,
                ..Curves::default()
            })
        };
        // The dense set never counts, however long it holds; order does not matter.
        assert_eq!(at(&keys), Some(600));
        assert_eq!(
            at(&keys[..keys.len() - 1]),
            None,
            "one frame short of 1,000 steps"
        );
        assert_eq!(at(&keys[..5]), None);
        // Kept every 500 steps, the same run places it at a frame it kept.
        let mut long = keys.clone();
        long.push((2000, vec![12, 16, 22]));
        let sparse: Vec<_> = long.iter().filter(|(s, _)| s % 500 == 0).cloned().collect();
        assert_eq!(at(&sparse), Some(1000));
    }

    #[test]
    fn the_test_loss_low_is_marked_once_it_climbs_back() {
        let c = curve(&[
            (0.06, 0.06, 0.0, 0.0),
            (0.01, 0.02, 0.9, 0.6),
            (0.005, 0.0100, 0.98, 0.85),
            (0.004, 0.0110, 0.99, 0.85),
            (0.003, 0.0120, 1.0, 0.84),
        ]);
        assert_eq!(find(Moment::TestLossLow, &c), Some(200));
        assert_eq!(
            find(Moment::TestLossLow, &c[..4]),
            None,
            "1.1 times: not yet"
        );
        // The training loss climbing too is not reverse grokking.
        let both = curve(&[(0.01, 0.01, 0.9, 0.6), (0.02, 0.02, 0.9, 0.5)]);
        assert_eq!(find(Moment::TestLossLow, &both), None);
    }
}
