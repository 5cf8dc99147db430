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
//! circles, one pair's projections, where every pair's output lands).

use ndarray::Array2;

use super::AnalysisError;
use crate::train::Activation;

/// Two outputs count as tied for the maximum when they are within this fraction of the
/// largest |logit| over all pairs of each other. f64 round-off is ~1e-16·N of it (under
/// 5e-13 for the CLI's 4096 neurons); the smallest genuine margin of the `x²` construction
/// is `sin²(π/2M)·(1 − cos(2π/M))` of it, ~8e-10 at `M = 499` (the pair half a turn apart
/// but one, whose envelope is nearly zero), ~3e-7 at `M = 113`.
pub const TIE_RELATIVE_TOLERANCE: f64 = 1e-11;

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

fn validate(modulus: usize, neurons: usize) -> Result<(), AnalysisError> {
    if modulus < 2 {
        return Err(AnalysisError::ModulusTooSmall(modulus));
    }
    if neurons < 1 {
        return Err(AnalysisError::NoNeurons(neurons));
    }
    Ok(())
}

/// The factors `E` `[M × 2]`, `W_in` `[2 × N]`, `W_out` `[N × 2]`.
fn factors(modulus: usize, neurons: usize) -> (Array2<f64>, Array2<f64>, Array2<f64>) {
    use std::f64::consts::TAU;
    let omega = TAU / modulus as f64;
    let theta = TAU / neurons as f64;
    let e = Array2::from_shape_fn((modulus, 2), |(a, d)| {
        let angle = a as f64 * omega;
        if d == 0 { angle.cos() } else { angle.sin() }
    });
    let w_in = Array2::from_shape_fn((2, neurons), |(d, i)| {
        let angle = i as f64 * theta;
        if d == 0 { angle.cos() } else { angle.sin() }
    });
    // Reduce 2i mod N before scaling so the angle stays exact-ish for large i.
    let w_out = Array2::from_shape_fn((neurons, 2), |(i, d)| {
        let angle = ((2 * i) % neurons) as f64 * theta;
        if d == 0 { angle.cos() } else { angle.sin() }
    });
    (e, w_in, w_out)
}

/// The collapsed weights of the construction as the trainer's f32 matrices:
/// `W_input = E·W_in` `[M × N]` and `W_output = W_out·Eᵀ` `[N × M]`.
pub fn constructed_weights(
    modulus: usize,
    neurons: usize,
) -> Result<(Array2<f32>, Array2<f32>), AnalysisError> {
    validate(modulus, neurons)?;
    let (e, w_in, w_out) = factors(modulus, neurons);
    Ok((
        e.dot(&w_in).mapv(|v| v as f32),
        w_out.dot(&e.t()).mapv(|v| v as f32),
    ))
}

/// The construction's inputs to the logits: `W_input = E·W_in` `[M × N]` (row-major), the
/// embedding's columns `cos cω`, `sin cω` and `W_out`'s columns.
struct Parts {
    w_input: Array2<f64>,
    cos_c: Vec<f64>,
    sin_c: Vec<f64>,
    out_cos: Vec<f64>,
    out_sin: Vec<f64>,
}

impl Parts {
    fn new(modulus: usize, neurons: usize) -> Self {
        let (e, w_in, w_out) = factors(modulus, neurons);
        Parts {
            w_input: e.dot(&w_in),
            cos_c: e.column(0).to_vec(),
            sin_c: e.column(1).to_vec(),
            out_cos: w_out.column(0).to_vec(),
            out_sin: w_out.column(1).to_vec(),
        }
    }

    /// Every pair's output point `(x, y) = act(W_input[a] + W_input[b]) · W_out`, row
    /// `a·M + b`: the logits of the pair are `x·cos cω + y·sin cω`.
    fn points(&self, activation: Activation) -> Vec<[f64; 2]> {
        let (modulus, neurons) = self.w_input.dim();
        let w_input = self
            .w_input
            .as_slice()
            .expect("fresh product is contiguous");
        (0..modulus * modulus)
            .map(|row| {
                let (a, b) = (row / modulus, row % modulus);
                let ra = &w_input[a * neurons..(a + 1) * neurons];
                let rb = &w_input[b * neurons..(b + 1) * neurons];
                let (mut x, mut y) = (0.0, 0.0);
                for (((&u, &v), &oc), &os) in
                    ra.iter().zip(rb).zip(&self.out_cos).zip(&self.out_sin)
                {
                    let h = activation.apply(u + v);
                    x += h * oc;
                    y += h * os;
                }
                [x, y]
            })
            .collect()
    }

    /// One pair's logits over the `M` outputs, from its output point.
    fn logits(&self, [x, y]: [f64; 2], out: &mut [f64]) {
        for ((o, &c), &s) in out.iter_mut().zip(&self.cos_c).zip(&self.sin_c) {
            *o = x * c + y * s;
        }
    }
}

/// Logits of the construction for all `M²` pairs, `[M² × M]`, row `a·M + b`.
///
/// Computed in f64 through the rank-2 factoring `W_output = W_out·Eᵀ`:
/// `logits = (act(W_input[a] + W_input[b]) · W_out) · Eᵀ`. ([`construct`] and
/// [`Construction`] score the same logits a row at a time, without holding all `M³`.)
pub fn constructed_logits(
    modulus: usize,
    neurons: usize,
    activation: Activation,
) -> Result<Array2<f64>, AnalysisError> {
    validate(modulus, neurons)?;
    let parts = Parts::new(modulus, neurons);
    let points = parts.points(activation);
    let mut logits = Array2::<f64>::zeros((modulus * modulus, modulus));
    let rows = logits.as_slice_mut().expect("fresh array is contiguous");
    for (out, &p) in rows.chunks_exact_mut(modulus).zip(&points) {
        parts.logits(p, out);
    }
    Ok(logits)
}

/// The appendix's closed form `cos²((a − b)ω/2) · cos((a + b − c)ω)`, `ω = 2π/M`.
pub fn closed_form_logit(modulus: usize, a: usize, b: usize, c: usize) -> f64 {
    let omega = std::f64::consts::TAU / modulus as f64;
    let half = (a as f64 - b as f64) * omega / 2.0;
    let wave = ((a + b + modulus - c % modulus) % modulus) as f64 * omega;
    half.cos().powi(2) * wave.cos()
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

/// What the two passes over the logits find.
struct Scored {
    /// Largest |logit| over all pairs.
    scale: f64,
    answers: Vec<Option<u32>>,
    correct: usize,
    ties: usize,
    max_abs_error: f64,
}

/// One pair's row: the first output with the largest logit, that logit, the largest logit
/// of the other outputs, and the row's four partial sums of the fit (L, F, L·F, F²).
struct RowScan {
    top: u32,
    max: f64,
    second: f64,
    partial: [f64; 4],
}

/// `(max, min)` of `v` (`(−∞, ∞)` when empty), in four lanes so the loop vectorises: a
/// maximum or minimum is exact in any order.
fn extremes(v: &[f64]) -> (f64, f64) {
    let (mut hi, mut lo) = ([f64::NEG_INFINITY; 4], [f64::INFINITY; 4]);
    let chunks = v.chunks_exact(4);
    for &x in chunks.remainder() {
        hi[0] = hi[0].max(x);
        lo[0] = lo[0].min(x);
    }
    for c in chunks {
        for k in 0..4 {
            hi[k] = hi[k].max(c[k]);
            lo[k] = lo[k].min(c[k]);
        }
    }
    (
        hi.into_iter().fold(f64::NEG_INFINITY, f64::max),
        lo.into_iter().fold(f64::INFINITY, f64::min),
    )
}

/// Rows per thread below which scoring stays on one thread.
const ROWS_PER_THREAD: usize = 8192;

/// `f` over `0..rows` split into contiguous chunks, one per core (or one chunk when small),
/// the chunks' results in order.
fn chunked<T: Send>(rows: usize, f: impl Fn(std::ops::Range<usize>) -> T + Sync) -> Vec<T> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = cores.min(rows / ROWS_PER_THREAD).max(1);
    if threads == 1 {
        return vec![f(0..rows)];
    }
    let per = rows.div_ceil(threads);
    std::thread::scope(|scope| {
        let f = &f;
        let handles: Vec<_> = (0..threads)
            .map(|t| scope.spawn(move || f(t * per..((t + 1) * per).min(rows))))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a scoring thread panicked"))
            .collect()
    })
}

/// Scores all pairs, regenerating each pair's logits from its point (bit for bit the values
/// [`constructed_logits`] holds): pass one finds each row's maximum, the largest |logit| and
/// the least-squares sums; pass two the worst deviation from the fitted closed form.
///
/// A pair is correct when its maximum is at `(a + b) mod M` alone; it is tied when another
/// output is within [`TIE_RELATIVE_TOLERANCE`] · max |logit| of the maximum (the count of
/// outputs at the maximum is more than one exactly when the second largest is that close).
///
/// Rows are scored on every core; the result does not depend on how they are split (each
/// row's partial sums are added in row order, and a maximum is the same in any order).
fn score(parts: &Parts, points: &[[f64; 2]]) -> Scored {
    let m = parts.cos_c.len();
    let form = ClosedForm::new(m);
    let scans: Vec<(f64, Vec<RowScan>)> = chunked(points.len(), |rows| {
        let mut row = vec![0.0f64; m];
        let mut closed = vec![0.0f64; m];
        let mut scale = 0.0f64;
        let scans = rows
            .map(|i| {
                parts.logits(points[i], &mut row);
                form.row(i / m, i % m, &mut closed);
                let (max, min) = extremes(&row);
                scale = scale.max(max.abs()).max(min.abs());
                // The first output at the maximum, and the largest of the others.
                let top = row
                    .iter()
                    .position(|&v| v == max)
                    .expect("a row has a maximum");
                let second = extremes(&row[..top]).0.max(extremes(&row[top + 1..]).0);
                // Each sum in output order (one chain each): the result is bit for bit
                // that of summing the held logits.
                let mut partial = [0.0f64; 4];
                for (&lv, &fv) in row.iter().zip(&closed) {
                    partial[0] += lv;
                    partial[1] += fv;
                    partial[2] += lv * fv;
                    partial[3] += fv * fv;
                }
                RowScan {
                    top: top as u32,
                    max,
                    second,
                    partial,
                }
            })
            .collect();
        (scale, scans)
    });
    let scale = scans.iter().map(|(s, _)| *s).fold(0.0f64, f64::max);
    let tolerance = TIE_RELATIVE_TOLERANCE * scale;
    // The fit's four sums (L, F, L·F, F²). F has mean 0 over the outputs
    // (Σ_c cos((s − c)ω) = 0), so the moments lose nothing to cancellation.
    let mut sums: [CompensatedSum; 4] = Default::default();
    let (mut correct, mut ties) = (0, 0);
    let mut answers = Vec::with_capacity(points.len());
    for (i, r) in scans.iter().flat_map(|(_, rows)| rows).enumerate() {
        for (total, partial) in sums.iter_mut().zip(r.partial) {
            total.add(partial);
        }
        answers.push(if r.second >= r.max - tolerance {
            ties += 1;
            None
        } else {
            if r.top as usize == (i / m + i % m) % m {
                correct += 1;
            }
            Some(r.top)
        });
    }
    let count = (points.len() * m) as f64;
    let [sum_l, sum_f, sum_lf, sum_ff] = sums.map(|s| s.total());
    let (mean_l, mean_f) = (sum_l / count, sum_f / count);
    let fit_scale = (sum_lf - sum_l * mean_f) / (sum_ff - sum_f * mean_f);
    let max_abs_error = if fit_scale.is_nan() || fit_scale <= 0.0 {
        f64::INFINITY
    } else {
        let offset = mean_l - fit_scale * mean_f;
        max_deviation(parts, points, &form, offset, fit_scale)
    };
    Scored {
        scale,
        answers,
        correct,
        ties,
        max_abs_error,
    }
}

/// The largest |(logit − offset) / fit_scale − closed form| over every pair and output:
/// how far the logits are from the fitted closed form.
fn max_deviation(
    parts: &Parts,
    points: &[[f64; 2]],
    form: &ClosedForm,
    offset: f64,
    fit_scale: f64,
) -> f64 {
    let m = parts.cos_c.len();
    let deviation = |lv: f64, fv: f64| ((lv - offset) / fit_scale - fv).abs();
    chunked(points.len(), |rows| {
        let mut row = vec![0.0f64; m];
        let mut closed = vec![0.0f64; m];
        // Four running maxima, so the loop vectorises (a maximum is exact in any order).
        let mut lanes = [0.0f64; 4];
        for i in rows {
            parts.logits(points[i], &mut row);
            form.row(i / m, i % m, &mut closed);
            let (l4, f4) = (row.chunks_exact(4), closed.chunks_exact(4));
            let rest = l4.remainder().iter().zip(f4.remainder());
            for (l, f) in l4.zip(f4) {
                for k in 0..4 {
                    lanes[k] = lanes[k].max(deviation(l[k], f[k]));
                }
            }
            for (&lv, &fv) in rest {
                lanes[0] = lanes[0].max(deviation(lv, fv));
            }
        }
        lanes.into_iter().fold(0.0f64, f64::max)
    })
    .into_iter()
    .fold(0.0f64, f64::max)
}

/// Closed form values via two lookup tables: `cos²(dω/2)` for `d = a − b` and `cos(rω)` for
/// `r = (a + b − c) mod M`.
struct ClosedForm {
    modulus: usize,
    envelope: Vec<f64>,
    /// `cos(rω)` backwards, twice round: entry `k` is `cos(((2M − k) mod M)·ω)`, so a row's
    /// `cos((s − c)ω)` for `c = 0, 1, …` is the contiguous run from `k = M − s`.
    backwards: Vec<f64>,
}

impl ClosedForm {
    fn new(modulus: usize) -> Self {
        let omega = std::f64::consts::TAU / modulus as f64;
        let wave: Vec<f64> = (0..modulus).map(|r| (r as f64 * omega).cos()).collect();
        Self {
            modulus,
            // d = (a − b) mod M; cos² has period M in d (cos²(x + π) = cos² x).
            envelope: (0..modulus)
                .map(|d| (d as f64 * omega / 2.0).cos().powi(2))
                .collect(),
            backwards: (0..2 * modulus)
                .map(|k| wave[(2 * modulus - k) % modulus])
                .collect(),
        }
    }

    /// `F`'s row for the pair `(a, b)` over the outputs `c`: `cos²((a − b)ω/2)` times
    /// `cos(rω)`, `r = (a + b − c) mod M`, read as one contiguous run of `backwards`.
    fn row(&self, a: usize, b: usize, out: &mut [f64]) {
        let m = self.modulus;
        let envelope = self.envelope[(a + m - b) % m];
        let start = m - (a + b) % m;
        for (f, &w) in out.iter_mut().zip(&self.backwards[start..start + m]) {
            *f = envelope * w;
        }
    }

    #[cfg(test)]
    fn at(&self, a: usize, b: usize, c: usize) -> f64 {
        let m = self.modulus;
        self.envelope[(a + m - b) % m] * self.backwards[m - (a + b) % m + c]
    }
}

/// Neumaier's compensated sum, fed with per-row partial sums: the fit sums up to 1.4 million
/// terms (`M = 113`) and a plain running sum loses ~1e-12 of relative precision, visible in
/// `max_abs_error` for `x²`.
#[derive(Default)]
struct CompensatedSum {
    sum: f64,
    compensation: f64,
}

impl CompensatedSum {
    fn add(&mut self, x: f64) {
        let t = self.sum + x;
        if self.sum.abs() >= x.abs() {
            self.compensation += (self.sum - t) + x;
        } else {
            self.compensation += (x - t) + self.sum;
        }
        self.sum = t;
    }

    fn total(&self) -> f64 {
        self.sum + self.compensation
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_form_table_matches_direct_formula() {
        for m in [2, 5, 8] {
            let form = ClosedForm::new(m);
            let mut row = vec![0.0; m];
            for a in 0..m {
                for b in 0..m {
                    form.row(a, b, &mut row);
                    for (c, &f) in row.iter().enumerate() {
                        let direct = closed_form_logit(m, a, b, c);
                        assert!((form.at(a, b, c) - direct).abs() < 1e-12);
                        assert_eq!(f, form.at(a, b, c), "M={m} ({a}, {b}) c={c}");
                    }
                }
            }
        }
    }

    #[test]
    fn collapsed_weights_are_cosines_of_angle_differences() {
        let (m, n) = (7, 5);
        let (w_input, w_output) = constructed_weights(m, n).unwrap();
        let (omega, theta) = (
            std::f64::consts::TAU / m as f64,
            std::f64::consts::TAU / n as f64,
        );
        for a in 0..m {
            for i in 0..n {
                let expected = (a as f64 * omega - i as f64 * theta).cos();
                assert!((f64::from(w_input[[a, i]]) - expected).abs() < 1e-6);
                let expected = (a as f64 * omega - 2.0 * i as f64 * theta).cos();
                assert!((f64::from(w_output[[i, a]]) - expected).abs() < 1e-6);
            }
        }
    }
}
