//! The runs the article's presets are named for, as rules on a run's logged curve: regrok
//! (generalizes, memorizes, generalizes again), reverse grokking (test loss climbs back while
//! the training loss keeps falling) and parity's rise (memorizes, the training loss gets a
//! bit worse, then it generalizes). The seed searches that chose the presets' seeds count
//! runs by these rules (`grokscope sweep --grid regrok-seeds`, ...).

use serde::{Deserialize, Serialize};

/// One logged point of a run, kept in its record (`"curve"`: `[step, train loss, test loss,
/// train accuracy, test accuracy]`, a non-finite value as null).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(from = "RawPoint", into = "RawPoint")]
pub struct Point {
    pub step: u64,
    pub train_loss: f64,
    pub test_loss: f64,
    pub train_acc: f64,
    pub test_acc: f64,
}

type RawPoint = (u64, Option<f64>, Option<f64>, Option<f64>, Option<f64>);

impl From<RawPoint> for Point {
    fn from((step, a, b, c, d): RawPoint) -> Point {
        let v = |x: Option<f64>| x.unwrap_or(f64::NAN);
        Point {
            step,
            train_loss: v(a),
            test_loss: v(b),
            train_acc: v(c),
            test_acc: v(d),
        }
    }
}

impl From<Point> for RawPoint {
    fn from(p: Point) -> RawPoint {
        let v = |x: f64| x.is_finite().then_some(x);
        (
            p.step,
            v(p.train_loss),
            v(p.test_loss),
            v(p.train_acc),
            v(p.test_acc),
        )
    }
}

/// A phenomenon a run may show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phenomenon {
    /// Test accuracy reaches 90 %, then falls by at least 20 points while train accuracy
    /// stays at or above 99 % (from the peak to the dip), then climbs back to 95 %.
    Regrok,
    /// Test loss falls to a low at most half its first value, then rises to at least five
    /// times that low while the training loss is below its value at the low.
    ReverseGrok,
    /// Train accuracy reaches 99 % with test accuracy still under 90 %; later, before test
    /// accuracy reaches 99 %, the training loss rises to at least 1.5 times its lowest value
    /// since then; and then test accuracy reaches 99 %.
    TrainLossRise,
}

impl Phenomenon {
    pub const ALL: [Phenomenon; 3] = [
        Phenomenon::Regrok,
        Phenomenon::ReverseGrok,
        Phenomenon::TrainLossRise,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Phenomenon::Regrok => "regrok",
            Phenomenon::ReverseGrok => "reverse-grok",
            Phenomenon::TrainLossRise => "train-loss-rise",
        }
    }

    /// Whether `curve` (in step order) shows it.
    pub fn shown_by(self, curve: &[Point]) -> bool {
        match self {
            Phenomenon::Regrok => regrok(curve),
            Phenomenon::ReverseGrok => reverse_grok(curve),
            Phenomenon::TrainLossRise => train_loss_rise(curve),
        }
    }
}

/// The phenomena `curve` shows.
pub fn shown(curve: &[Point]) -> Vec<Phenomenon> {
    Phenomenon::ALL
        .into_iter()
        .filter(|p| p.shown_by(curve))
        .collect()
}

fn regrok(curve: &[Point]) -> bool {
    // The highest test accuracy since train accuracy last fell below 99 % (that point
    // included: a peak reached while train and test rise together counts).
    let mut peak = f64::NEG_INFINITY;
    let mut dipped = false;
    for p in curve {
        if dipped {
            if p.test_acc >= 0.95 {
                return true;
            }
            continue;
        }
        if p.train_acc >= 0.99 {
            if peak >= 0.90 && p.test_acc <= peak - 0.20 {
                dipped = true;
                continue;
            }
            peak = peak.max(p.test_acc);
        } else {
            peak = p.test_acc;
        }
    }
    false
}

fn reverse_grok(curve: &[Point]) -> bool {
    let Some(first) = curve.first() else {
        return false;
    };
    // The lowest test loss so far and the training loss at that step.
    let mut low: Option<(f64, f64)> = None;
    for p in curve {
        if let Some((test, train)) = low
            && test <= 0.5 * first.test_loss
            && p.test_loss >= 5.0 * test
            && p.train_loss < train
        {
            return true;
        }
        if low.is_none_or(|(test, _)| p.test_loss < test) {
            low = Some((p.test_loss, p.train_loss));
        }
    }
    false
}

fn train_loss_rise(curve: &[Point]) -> bool {
    rise(curve).is_some_and(|at| curve.iter().any(|p| p.step > at && p.test_acc >= 0.99))
}

/// The step of parity's rise: after train accuracy reaches 99 % with test accuracy still
/// under 90 %, and before test accuracy reaches 99 %, the first point where the training
/// loss is at least 1.5 times its lowest since then (the tour marks it too).
pub(super) fn rise(curve: &[Point]) -> Option<u64> {
    let fit = curve
        .iter()
        .position(|p| p.train_acc >= 0.99 && p.test_acc < 0.90)?;
    let mut lowest = f64::INFINITY;
    for p in &curve[fit..] {
        if p.test_acc >= 0.99 {
            return None;
        }
        if p.train_loss >= 1.5 * lowest {
            return Some(p.step);
        }
        lowest = lowest.min(p.train_loss);
    }
    None
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Points 100 steps apart from (train loss, test loss, train acc, test acc).
    pub(crate) fn curve(points: &[(f64, f64, f64, f64)]) -> Vec<Point> {
        points
            .iter()
            .enumerate()
            .map(|(i, &(a, b, c, d))| Point {
                step: i as u64 * 100,
                train_loss: a,
                test_loss: b,
                train_acc: c,
                test_acc: d,
            })
            .collect()
    }

    #[test]
    fn regrok_needs_the_rise_the_fall_with_the_training_set_fitted_and_the_return() {
        let up = (1e-3, 1e-3, 0.99, 0.92);
        let down = (1e-4, 0.1, 1.0, 0.72);
        let back = (1e-5, 1e-4, 1.0, 0.95);
        assert!(regrok(&curve(&[(0.1, 0.1, 0.1, 0.0), up, down, back])));
        // Short of each threshold by a hair: no.
        assert!(!regrok(&curve(&[
            (0.1, 0.1, 0.1, 0.0),
            (1e-3, 1e-3, 0.99, 0.8999),
            down,
            back
        ])));
        assert!(!regrok(&curve(&[up, (1e-4, 0.1, 1.0, 0.7201), back])));
        assert!(!regrok(&curve(&[up, down, (1e-5, 1e-4, 1.0, 0.9499)])));
        // The fall while train accuracy is below 99 % is not memorizing.
        assert!(!regrok(&curve(&[up, (1e-2, 0.1, 0.98, 0.72), back])));
        // A peak reached while train accuracy is still rising counts.
        assert!(regrok(&curve(&[(1e-2, 1e-2, 0.95, 0.93), down, back])));
        // regrok as measured on seed 78: train and test rise together, no fall.
        assert!(!regrok(&curve(&[
            (0.0628, 0.0628, 0.015, 0.018),
            (2.5e-3, 4.3e-3, 0.994, 0.939),
            (1.6e-8, 5e-4, 1.0, 0.991),
        ])));
    }

    #[test]
    fn reverse_grok_needs_a_real_low_then_five_times_it_while_train_loss_falls() {
        // reverse-grok as measured: low 7.84e-3 at step 4,000, ×8.7 by 20,000.
        let measured = curve(&[
            (6.28e-2, 6.28e-2, 0.01, 0.02),
            (1.79e-3, 7.84e-3, 0.986, 0.855),
            (1.08e-4, 1.74e-2, 1.0, 0.833),
            (8.3e-9, 6.82e-2, 1.0, 0.799),
        ]);
        assert!(reverse_grok(&measured));
        assert!(!reverse_grok(&measured[..3]), "×2.2 is not enough");
        let low = (1e-2, 0.01, 1.0, 0.8);
        assert!(reverse_grok(&curve(&[
            (0.1, 0.02, 0.0, 0.0),
            low,
            (1e-3, 0.05, 1.0, 0.7)
        ])));
        assert!(!reverse_grok(&curve(&[
            (0.1, 0.02, 0.0, 0.0),
            low,
            (1e-3, 0.0499, 1.0, 0.7)
        ])));
        // The training loss rising with it is not reverse grokking.
        assert!(!reverse_grok(&curve(&[
            (0.1, 0.02, 0.0, 0.0),
            low,
            (1e-2, 0.05, 1.0, 0.7)
        ])));
        // A low barely under the start (memorization's rise from step 0) does not count.
        assert!(!reverse_grok(&curve(&[
            (0.1, 0.02, 0.0, 0.0),
            (0.05, 0.0199, 0.5, 0.0),
            (1e-3, 0.2, 1.0, 0.0)
        ])));
        assert!(reverse_grok(&curve(&[
            (0.1, 0.02, 0.0, 0.0),
            (0.05, 0.01, 0.5, 0.0),
            (1e-3, 0.2, 1.0, 0.0)
        ])));
    }

    #[test]
    fn train_loss_rise_needs_memorizing_then_a_rise_then_generalizing() {
        let fit = (1e-3, 0.9, 1.0, 0.5);
        let rise = (1.5e-3, 0.5, 1.0, 0.7);
        let general = (1e-4, 1e-3, 1.0, 0.99);
        assert!(train_loss_rise(&curve(&[
            (0.7, 0.7, 0.5, 0.5),
            fit,
            rise,
            general
        ])));
        assert!(!train_loss_rise(&curve(&[
            fit,
            (1.49e-3, 0.5, 1.0, 0.7),
            general
        ])));
        assert!(!train_loss_rise(&curve(&[fit, rise])), "never generalizes");
        // Falling monotonically through generalization (parity with L1, as measured): no.
        assert!(!train_loss_rise(&curve(&[
            (0.72, 0.72, 0.5, 0.49),
            (1.8e-2, 0.92, 1.0, 0.66),
            (9.3e-4, 2e-2, 1.0, 0.996),
        ])));
        // A rise after test accuracy reached 99 % is not before generalizing.
        assert!(!train_loss_rise(&curve(&[
            fit,
            general,
            (1e-2, 1e-3, 1.0, 0.99)
        ])));
    }

    #[test]
    fn points_round_trip_with_non_finite_values_as_null() {
        let p = Point {
            step: 300,
            train_loss: 0.25,
            test_loss: f64::INFINITY,
            train_acc: 1.0,
            test_acc: f64::NAN,
        };
        let text = serde_json::to_string(&p).unwrap();
        assert_eq!(text, "[300,0.25,null,1.0,null]");
        let back: Point = serde_json::from_str(&text).unwrap();
        assert_eq!(
            (back.step, back.train_loss, back.train_acc),
            (300, 0.25, 1.0)
        );
        assert!(back.test_loss.is_nan() && back.test_acc.is_nan());
    }
}
