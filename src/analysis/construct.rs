//! The article's hand-built circular solution (its Appendix A).
//!
//! Modulus `M`, `N` neurons, `ω = 2π/M`, `θ = 2π/N`:
//! * `E` `[M × 2]`, row `a` = `(cos aω, sin aω)`;
//! * `W_in` `[2 × N]`, column `i` = `(cos iθ, sin iθ)`;
//! * `W_out` `[N × 2]`, row `i` = `(cos 2iθ, sin 2iθ)` (twice the angle);
//! * `W_input = E·W_in` `[M × N]` (entry `cos(aω − iθ)`), `W_output = W_out·Eᵀ` `[N × M]`
//!   (entry `cos(cω − 2iθ)`), `logits(a, b) = act(W_input[a] + W_input[b]) · W_output`.
//!
//! With `act(x) = x²` and `N = 3` or `N ≥ 5` the logits are exactly
//! `N · cos²((a − b)ω/2) · cos((a + b − c)ω)`; with ReLU they only approximate that shape.
//! Everything here is computed in f64.
//!
//! [`Construction`] is the one read-out of an `(M, N, activation)`: the report
//! `grokscope construct` prints ([`construct`]) and everything the appendix view draws (the
//! circles, one pair's projections, where every pair's output lands). The construction's
//! arithmetic (its factors and logits) is `construct/logits.rs`; scoring all `M³` logits,
//! `construct/score.rs`.

use ndarray::Array2;

use super::AnalysisError;
use crate::train::Activation;

mod logits;
mod score;

use logits::{Parts, factors, validate};
pub use logits::{closed_form_logit, constructed_logits, constructed_weights};
pub use score::TIE_RELATIVE_TOLERANCE;
use score::score;

/// The largest modulus `grokscope construct` and the appendix view take, the article's
/// largest: scoring all `M²` pairs over `M` outputs is `M³` logits (regenerated a row at a
/// time, never held), about 0.3 s at `M = 500`.
pub const MAX_MODULUS: usize = 500;

/// What `grokscope construct` prints (as JSON).
///
/// * `accuracy`: fraction of all `M²` pairs `(a, b)` whose largest logit is at output
///   `(a + b) mod M` *alone*. A pair whose maximum is shared (within
///   [`TIE_RELATIVE_TOLERANCE`] · max |logit|) by several outputs is not correct, even if
///   the right output is among them.
/// * `ties`: the number of such pairs with a shared maximum.
/// * `max_abs_error`: distance from the appendix's closed form
///   `F[a, b, c] = cos²((a − b)ω/2) · cos((a + b − c)ω)`, whose values lie in `[−1, 1]`.
///   Let `L[a, b, c]` be the construction's logits over all `M²` pairs and `M` outputs.
///   Fit `L ≈ s·F + t` by least squares over all `M³` entries (`s` scale, `t` constant).
///   Then `max_abs_error = max over a, b, c of |(L − t)/s − F|`: the largest deviation in
///   units of the closed form's amplitude, independent of `N`. It is ~1e-15 for `x²` with
///   `N = 3` or `N ≥ 5`. If the fitted scale is not positive (the logits have no positive
///   component along the closed form) the error is infinite, which JSON prints as `null`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ConstructReport {
    /// `M`.
    pub modulus: usize,
    /// `N`.
    pub neurons: usize,
    /// The hidden activation used.
    pub activation: Activation,
    /// Fraction of the `M²` pairs classified correctly with a unique maximum.
    pub accuracy: f64,
    /// Largest deviation from the closed form after a fitted scale and constant.
    pub max_abs_error: f64,
    /// Pairs whose maximum logit is tied between several outputs.
    pub ties: usize,
}

/// Builds the construction (in f64) and reports its accuracy, ties and distance from the
/// closed form: [`Construction::new`]'s report.
///
/// * `accuracy` = (pairs whose *unique* largest logit is at `(a + b) mod M`) / `M²`;
///   a maximum shared within [`TIE_RELATIVE_TOLERANCE`] · max |logit| is a tie, counted in
///   `ties` and never correct.
/// * `max_abs_error`: with `L[a, b, c]` the logits over all `M²` pairs and `M` outputs and
///   `F[a, b, c] = cos²((a − b)ω/2) · cos((a + b − c)ω)`, fit `L ≈ s·F + t` by least squares
///   over all `M³` entries; then `max_abs_error = max |(L − t)/s − F|`, the worst deviation
///   in units of the closed form's amplitude (`F ∈ [−1, 1]`). ~1e-15 for `x²` (`N = 3` or
///   `N ≥ 5`); about 0.2 for ReLU. Infinite (JSON `null`) if the fitted `s` is not positive.
///
/// Errors with one line when `modulus < 2` or `neurons < 1`.
pub fn construct(
    modulus: usize,
    neurons: usize,
    activation: Activation,
) -> Result<ConstructReport, AnalysisError> {
    Construction::new(modulus, neurons, activation).map(|c| c.report)
}

/// The construction for one `(M, N, activation)`, read out: everything the appendix view
/// draws, and the report `grokscope construct` prints (one implementation for both).
///
/// Memory is `O(M²)` (one output point and one answer per pair); the time is two passes over
/// the `M³` logits, regenerated a row at a time from the pair's point (about 0.3 s at
/// `M = 500` on one core, optimised).
#[derive(Clone, Debug, PartialEq)]
pub struct Construction {
    pub modulus: usize,
    pub neurons: usize,
    pub activation: Activation,
    /// `E`'s rows: number `a` sits at `(cos aω, sin aω)`.
    pub embed: Vec<[f64; 2]>,
    /// `W_in`'s columns: neuron `i`'s direction `(cos iθ, sin iθ)`.
    pub in_proj: Vec<[f64; 2]>,
    /// `W_out`'s rows: neuron `i`'s output direction `(cos 2iθ, sin 2iθ)`, twice the angle.
    pub out_proj: Vec<[f64; 2]>,
    /// Per pair (row `a·M + b`): the output point `act(W_input[a] + W_input[b]) · W_out`.
    points: Vec<[f64; 2]>,
    /// Per pair: the output with the unique largest logit, `None` for a tie.
    answers: Vec<Option<u32>>,
    /// Per pair: where the output point lands, as a number (its angle over `ω`) minus the
    /// target `(a + b) mod M`, wrapped into `[−M/2, M/2)`; NaN for a point at the origin.
    offsets: Vec<f32>,
    /// Accuracy, ties and distance from the closed form over all pairs.
    pub report: ConstructReport,
}

/// One pair `(a, b)` through the construction, as the appendix draws it: the mean of the
/// two embedded points, its projection on each neuron's direction, the activations, and
/// their sum along the doubled directions.
#[derive(Clone, Debug, PartialEq)]
pub struct PairReading {
    pub a: usize,
    pub b: usize,
    /// `(a + b) mod M`.
    pub target: usize,
    /// `(E[a] + E[b]) / 2`.
    pub mean: [f64; 2],
    /// `mean · W_in[:, i]`: half of neuron `i`'s pre-activation.
    pub projections: Vec<f64>,
    /// `act(projection)`.
    pub activations: Vec<f64>,
    /// `Σ_i act(projection_i) · W_out[i]`: the pair's output point up to a positive factor
    /// (the model's is 2× this for ReLU and 4× for `x²`), so it points at the same answer.
    pub output: [f64; 2],
    /// The output with the unique largest logit; `None` when the maximum is tied.
    pub answer: Option<usize>,
    /// Where the output lands minus the target, in numbers (see [`Construction::offset`]).
    pub offset: f32,
}

impl Construction {
    /// Build and score the construction. Errors with one line when `modulus < 2` or
    /// `neurons < 1`.
    pub fn new(
        modulus: usize,
        neurons: usize,
        activation: Activation,
    ) -> Result<Self, AnalysisError> {
        validate(modulus, neurons)?;
        let (e, w_in, w_out) = factors(modulus, neurons);
        let parts = Parts::new(modulus, neurons);
        let points = parts.points(activation);
        let scored = score(&parts, &points);
        let pairs = (modulus * modulus) as f64;
        let omega = std::f64::consts::TAU / modulus as f64;
        let tiny = TIE_RELATIVE_TOLERANCE * scored.scale;
        let offsets = points
            .iter()
            .enumerate()
            .map(|(row, &[x, y])| {
                if x.hypot(y) <= tiny {
                    return f32::NAN;
                }
                let target = ((row / modulus + row % modulus) % modulus) as f64;
                let at = y.atan2(x) / omega;
                let half = modulus as f64 / 2.0;
                ((at - target + half).rem_euclid(modulus as f64) - half) as f32
            })
            .collect();
        let pair = |m: &Array2<f64>, i: usize| [m[[i, 0]], m[[i, 1]]];
        Ok(Construction {
            modulus,
            neurons,
            activation,
            embed: (0..modulus).map(|a| pair(&e, a)).collect(),
            in_proj: (0..neurons).map(|i| [w_in[[0, i]], w_in[[1, i]]]).collect(),
            out_proj: (0..neurons).map(|i| pair(&w_out, i)).collect(),
            points,
            answers: scored.answers,
            offsets,
            report: ConstructReport {
                modulus,
                neurons,
                activation,
                accuracy: scored.correct as f64 / pairs,
                max_abs_error: scored.max_abs_error,
                ties: scored.ties,
            },
        })
    }

    /// The pair's row index, `a·M + b` (both reduced mod `M`).
    fn row(&self, a: usize, b: usize) -> usize {
        (a % self.modulus) * self.modulus + b % self.modulus
    }

    /// The output with the unique largest logit for `(a, b)`; `None` when tied.
    pub fn answer(&self, a: usize, b: usize) -> Option<usize> {
        self.answers[self.row(a, b)].map(|c| c as usize)
    }

    /// Where `(a, b)`'s output point lands on the output circle, as a number (its angle over
    /// `ω`), minus the target `(a + b) mod M`, wrapped into `[−M/2, M/2)`: the wrinkles.
    /// Within ±½ the nearest number is the target (the pair is classified right, unless
    /// tied); NaN where the point sits at the origin (every logit equal).
    pub fn offset(&self, a: usize, b: usize) -> f32 {
        self.offsets[self.row(a, b)]
    }

    /// `(target, offset)` of every pair, row by row (`a·M + b`).
    pub fn landings(&self) -> impl Iterator<Item = (usize, f32)> + '_ {
        let m = self.modulus;
        self.offsets
            .iter()
            .enumerate()
            .map(move |(row, &o)| ((row / m + row % m) % m, o))
    }

    /// The pairs `(a, b)` whose maximum logit is tied.
    pub fn tied_pairs(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        let m = self.modulus;
        self.answers
            .iter()
            .enumerate()
            .filter(|(_, a)| a.is_none())
            .map(move |(row, _)| (row / m, row % m))
    }

    /// Largest length of any pair's [`PairReading::output`] (for a fixed scale).
    pub fn max_output(&self) -> f64 {
        let factor = match self.activation {
            Activation::Relu => 2.0,
            Activation::Square => 4.0,
        };
        self.points
            .iter()
            .map(|p| p[0].hypot(p[1]))
            .fold(0.0, f64::max)
            / factor
    }

    /// One pair through the construction (`a`, `b` reduced mod `M`).
    pub fn pair(&self, a: usize, b: usize) -> PairReading {
        let (a, b) = (a % self.modulus, b % self.modulus);
        let (ea, eb) = (self.embed[a], self.embed[b]);
        let mean = [(ea[0] + eb[0]) / 2.0, (ea[1] + eb[1]) / 2.0];
        let projections: Vec<f64> = self
            .in_proj
            .iter()
            .map(|d| mean[0] * d[0] + mean[1] * d[1])
            .collect();
        let activations: Vec<f64> = projections
            .iter()
            .map(|&p| self.activation.apply(p))
            .collect();
        let mut output = [0.0, 0.0];
        for (&h, o) in activations.iter().zip(&self.out_proj) {
            output[0] += h * o[0];
            output[1] += h * o[1];
        }
        PairReading {
            a,
            b,
            target: (a + b) % self.modulus,
            mean,
            projections,
            activations,
            output,
            answer: self.answer(a, b),
            offset: self.offset(a, b),
        }
    }
}
