//! One run of a sweep: its metric trace, its class (the article's four, `classify`) and the
//! JSON line it leaves.

use super::grid::RunSpec;
use super::phenomenon::{Phenomenon, Point};
use crate::probe::Prober;
use crate::train::{Control, Flow, Run, Stop, Threads, Trainer, drive};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Losses below this are float32 round-off: the article's logged losses bottom out here,
/// so both losses are floored at it before taking their ratio.
pub const LOSS_FLOOR: f64 = 1.192_092_9e-7;
/// A loss this low counts as fitted.
pub const FIT_LOSS: f64 = 1e-5;
/// test/train loss ratio at or above which a fitted run counts as grokking.
pub const GROK_RATIO: f64 = 5e4;

/// The article's four outcomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    /// Never fits the training set ("high train loss").
    Fail,
    /// Fits the training set, never the test set ("high test loss").
    Memorize,
    /// Train and test loss fall together.
    Generalize,
    /// Fits the training set long before the test set.
    Grok,
}

impl Class {
    pub const ALL: [Class; 4] = [Class::Fail, Class::Memorize, Class::Generalize, Class::Grok];
    pub fn name(self) -> &'static str {
        match self {
            Class::Fail => "fail",
            Class::Memorize => "memorize",
            Class::Generalize => "generalize",
            Class::Grok => "grok",
        }
    }
    /// One character for the phase diagram.
    pub fn glyph(self) -> char {
        match self {
            Class::Fail => 'x',
            Class::Memorize => 'M',
            Class::Generalize => 'g',
            Class::Grok => 'G',
        }
    }
}

/// The running summary of a run's logged metrics.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Trace {
    pub min_train_loss: f64,
    pub min_test_loss: f64,
    /// Max over logged points of floor(test) / floor(train).
    pub max_ratio: f64,
    pub train_acc_90: Option<u64>,
    pub train_acc_99: Option<u64>,
    pub test_acc_90: Option<u64>,
    pub test_acc_99: Option<u64>,
}

impl Default for Trace {
    fn default() -> Self {
        Trace {
            min_train_loss: f64::INFINITY,
            min_test_loss: f64::INFINITY,
            max_ratio: 0.0,
            train_acc_90: None,
            train_acc_99: None,
            test_acc_90: None,
            test_acc_99: None,
        }
    }
}

impl Trace {
    /// Record one logged point.
    pub fn push(
        &mut self,
        step: u64,
        train_loss: f64,
        test_loss: f64,
        train_acc: f64,
        test_acc: f64,
    ) {
        // NaN compares false everywhere: a diverged point never lowers a minimum.
        self.min_train_loss = self.min_train_loss.min(train_loss);
        self.min_test_loss = self.min_test_loss.min(test_loss);
        let ratio = test_loss.max(LOSS_FLOOR) / train_loss.max(LOSS_FLOOR);
        if ratio.is_finite() {
            self.max_ratio = self.max_ratio.max(ratio);
        }
        let first = |slot: &mut Option<u64>, hit: bool| {
            if hit && slot.is_none() {
                *slot = Some(step);
            }
        };
        first(&mut self.train_acc_90, train_acc >= 0.9);
        first(&mut self.train_acc_99, train_acc >= 0.99);
        first(&mut self.test_acc_90, test_acc >= 0.9);
        first(&mut self.test_acc_99, test_acc >= 0.99);
    }

    /// Whether further points can still change the class. Minima only fall and the maximum
    /// ratio only rises, so once both losses are fitted and the ratio has reached the grok
    /// threshold, rules 1–3 can never apply again: the run is a grok for good. No other
    /// class is final before the last step (a failing or memorizing run may still fit, and a
    /// generalizing run's ratio may still rise).
    pub fn settled(&self) -> bool {
        self.min_train_loss <= FIT_LOSS
            && self.min_test_loss <= FIT_LOSS
            && self.max_ratio >= GROK_RATIO
    }
}

/// The two numbers the classification turns on: the article's sliders ("Min Loss" and "Max
/// Test/Train Loss Ratio"). [`Default`] is the article's setting, the one `classify` uses
/// and the tables print.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Thresholds {
    /// A loss at or below this counts as fitted.
    pub fit_loss: f64,
    /// A fitted run whose test/train loss ratio reached this counts as grokking.
    pub grok_ratio: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            fit_loss: FIT_LOSS,
            grok_ratio: GROK_RATIO,
        }
    }
}

/// The article's classes, decided in this order: min train loss > 1e-5 → fail; min test
/// loss > 1e-5 → memorize; max test/train ratio < 5e4 → generalize; otherwise grok. The
/// ratio's losses are floored at float32's epsilon ([`LOSS_FLOOR`]), where the article's
/// stopped (docs/article-numbers.md, the sweep).
pub fn classify(t: &Trace) -> Class {
    classify_with(t, &Thresholds::default())
}

/// `classify` with other thresholds, as the article's sliders move them.
pub fn classify_with(t: &Trace, th: &Thresholds) -> Class {
    // NaN (a run that diverged before logging anything finite) counts as not fitted.
    let fitted = |loss: f64| loss <= th.fit_loss;
    if !fitted(t.min_train_loss) {
        Class::Fail
    } else if !fitted(t.min_test_loss) {
        Class::Memorize
    } else if t.max_ratio < th.grok_ratio {
        Class::Generalize
    } else {
        Class::Grok
    }
}

/// The JSON line of one finished run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub grid: String,
    pub run: usize,
    pub point: BTreeMap<String, serde_json::Value>,
    pub class: Class,
    #[serde(flatten)]
    pub trace: Trace,
    /// Key frequencies at the last step (modular addition only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_freqs: Option<Vec<usize>>,
    /// Steps trained; fewer than planned when the class settled early.
    pub steps: u64,
    pub planned_steps: u64,
    /// The step whose training loss was not finite, when the run diverged (it then ended
    /// there; its trace keeps what was logged before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diverged_at: Option<u64>,
    pub elapsed_s: f64,
    pub settings: crate::train::Config,
    /// Every logged point, at the grid's metrics interval (absent in records of older
    /// versions).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub curve: Vec<Point>,
    /// The phenomena the curve shows ([`super::Phenomenon`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shows: Vec<Phenomenon>,
}

impl RunRecord {
    /// The trace its curve gives (every logged point pushed again).
    pub fn curve_trace(&self) -> Trace {
        let mut t = Trace::default();
        for p in &self.curve {
            t.push(p.step, p.train_loss, p.test_loss, p.train_acc, p.test_acc);
        }
        t
    }

    /// Where the record disagrees with its own numbers: a trace that is not its curve's, or
    /// a class that is not its trace's. `None` for a record that agrees.
    pub fn disagreement(&self) -> Option<String> {
        let trace = if self.curve.is_empty() {
            self.trace.clone()
        } else {
            self.curve_trace()
        };
        let class = classify(&trace);
        let wrong_trace = !self.curve.is_empty() && !same_trace(&trace, &self.trace);
        match (class != self.class, wrong_trace) {
            (false, false) => None,
            (true, _) => Some(format!(
                "recorded as {}, its numbers say {} (counted as {})",
                self.class.name(),
                class.name(),
                class.name()
            )),
            (false, true) => Some(format!(
                "its minimum losses and ratio are not its curve's (min train loss {:e} recorded, {:e} in its curve); the curve's are counted",
                self.trace.min_train_loss, trace.min_train_loss
            )),
        }
    }
}

/// Two traces equal, NaN equal to NaN (a diverged run's).
fn same_trace(a: &Trace, b: &Trace) -> bool {
    let same = |x: f64, y: f64| x == y || (x.is_nan() && y.is_nan());
    same(a.min_train_loss, b.min_train_loss)
        && same(a.min_test_loss, b.min_test_loss)
        && same(a.max_ratio, b.max_ratio)
        && (a.train_acc_90, a.train_acc_99, a.test_acc_90, a.test_acc_99)
            == (b.train_acc_90, b.train_acc_99, b.test_acc_90, b.test_acc_99)
}

/// Train one run of a grid, logging every `every` steps; stop early once the class is
/// settled (see [`Trace::settled`]) or the loss diverges (the trace then keeps what was
/// logged: a diverged run that never fitted is a failure).
///
/// `control` is consulted before every step: while it is paused the run waits (the wait is
/// not counted in `elapsed_s`), and once it is cancelled the run returns `Ok(None)` within
/// one training step, leaving nothing to record.
pub fn run_one(
    grid: &str,
    spec: &RunSpec,
    every: u64,
    threads: Threads,
    control: &Control,
) -> crate::train::Result<Option<RunRecord>> {
    let mut run = Run::new(Trainer::new(spec.config.clone(), threads)?, every);
    let planned = spec.config.steps;
    let mut trace = Trace::default();
    let mut curve = Vec::new();
    let stop = drive(&mut run, control, |_, m| {
        trace.push(m.step, m.train_loss, m.test_loss, m.train_acc, m.test_acc);
        curve.push(Point {
            step: m.step,
            train_loss: m.train_loss,
            test_loss: m.test_loss,
            train_acc: m.train_acc,
            test_acc: m.test_acc,
        });
        Ok::<_, std::convert::Infallible>(if spec.stop_early && trace.settled() {
            Flow::Stop
        } else {
            Flow::Continue
        })
    });
    let diverged_at = match stop {
        Ok(Stop::Cancelled) => return Ok(None),
        Ok(Stop::Diverged(d)) => Some(d.step),
        _ => None,
    };
    let trainer = run.trainer();
    let key_freqs = (spec.config.task == crate::train::TaskKind::Modular)
        .then(|| {
            let prober = Prober::new(trainer.config(), trainer.data());
            crate::probe::spectrum::read(prober.context(), &trainer.weights())
        })
        .flatten()
        .and_then(Result::ok)
        .map(|s| s.spectrum.key_frequencies);
    Ok(Some(RunRecord {
        grid: grid.to_string(),
        run: spec.index,
        point: spec.point.clone(),
        class: classify(&trace),
        trace,
        key_freqs,
        steps: trainer.step_count(),
        planned_steps: planned,
        diverged_at,
        elapsed_s: (run.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
        settings: spec.config.clone(),
        shows: super::shown(&curve),
        curve,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trace(points: &[(f64, f64)]) -> Trace {
        let mut t = Trace::default();
        for (i, &(train, test)) in points.iter().enumerate() {
            t.push(i as u64 * 100, train, test, 0.0, 0.0);
        }
        t
    }

    #[test]
    fn one_trace_per_class() {
        // Never fits.
        assert_eq!(
            classify(&trace(&[(0.7, 0.7), (0.3, 0.8), (2e-5, 0.9)])),
            Class::Fail
        );
        // Fits train, never test.
        assert_eq!(
            classify(&trace(&[(0.7, 0.7), (1e-6, 2.0), (1.19e-7, 3.0)])),
            Class::Memorize
        );
        // Both fall together: the ratio stays below 5e4.
        assert_eq!(
            classify(&trace(&[
                (0.7, 0.7),
                (1e-3, 2e-3),
                (1e-6, 3e-6),
                (1.19e-7, 1.19e-7)
            ])),
            Class::Generalize
        );
        // Train fits while test is high, test fits much later.
        assert_eq!(
            classify(&trace(&[
                (0.7, 0.7),
                (1.19e-7, 0.5),
                (1.19e-7, 1e-2),
                (1.19e-7, 1e-6)
            ])),
            Class::Grok
        );
    }

    #[test]
    fn boundaries() {
        // Exactly 1e-5 counts as fitted (the rule is "> 1e-5 → fail").
        assert_eq!(classify(&trace(&[(1e-5, 1e-5)])), Class::Generalize);
        assert_eq!(classify(&trace(&[(1.0001e-5, 0.0)])), Class::Fail);
        assert_eq!(classify(&trace(&[(1e-6, 1.0001e-5)])), Class::Memorize);
        // Ratio exactly 5e4 is a grok; just below is generalize (2⁻¹⁷ keeps it exact).
        let train = 2f64.powi(-17);
        assert_eq!(
            classify(&trace(&[(train, train * 5e4), (train, train)])),
            Class::Grok
        );
        assert_eq!(
            classify(&trace(&[(train, train * 49_999.0), (train, train)])),
            Class::Generalize
        );
    }

    #[test]
    fn thresholds_move_the_classes() {
        // A grok at the article's thresholds: fitted at 1e-6, max ratio 0.5 / 1.19e-7.
        let t = trace(&[(0.7, 0.7), (1.19e-7, 0.5), (1.19e-7, 1e-6)]);
        let th = Thresholds::default();
        assert_eq!(classify_with(&t, &th), Class::Grok);
        assert_eq!(classify_with(&t, &th), classify(&t));
        // The ratio bar raised above its max ratio (≈ 4.2e6): train and test fell together.
        let high = Thresholds {
            grok_ratio: 1e7,
            ..th
        };
        assert_eq!(classify_with(&t, &high), Class::Generalize);
        // A stricter fit: the test loss (1e-6) no longer counts as fitted, the train loss does.
        let strict = Thresholds {
            fit_loss: 1e-7 * 1.5,
            ..th
        };
        assert_eq!(classify_with(&t, &strict), Class::Memorize);
        // Stricter still: nothing is fitted.
        let stricter = Thresholds {
            fit_loss: 1e-8,
            ..th
        };
        assert_eq!(classify_with(&t, &stricter), Class::Fail);
    }

    #[test]
    fn losses_are_floored_before_the_ratio() {
        // Train loss exactly 0 once fitted must not make every run a grok.
        let t = trace(&[(0.7, 0.7), (0.0, 1e-6), (0.0, 0.0)]);
        assert!((t.max_ratio - 1e-6 / LOSS_FLOOR).abs() < 1e-6);
        assert_eq!(classify(&t), Class::Generalize);
    }

    #[test]
    fn only_a_grok_settles_early() {
        let mut t = trace(&[(0.7, 0.7), (1e-7, 0.5)]);
        assert!(!t.settled(), "test loss not fitted yet");
        t.push(300, 1e-7, 1e-6, 1.0, 1.0);
        assert!(t.settled());
        assert_eq!(classify(&t), Class::Grok);
        let g = trace(&[(0.7, 0.7), (1e-6, 1e-6)]);
        assert!(!g.settled(), "a generalizing run may still change");
    }

    #[test]
    fn first_accuracy_steps() {
        let mut t = Trace::default();
        t.push(0, 1.0, 1.0, 0.5, 0.1);
        t.push(100, 1.0, 1.0, 0.95, 0.2);
        t.push(200, 1.0, 1.0, 1.0, 0.92);
        t.push(300, 1.0, 1.0, 1.0, 0.995);
        assert_eq!((t.train_acc_90, t.train_acc_99), (Some(100), Some(200)));
        assert_eq!((t.test_acc_90, t.test_acc_99), (Some(200), Some(300)));
    }
}
