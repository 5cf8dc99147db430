//! The article's hand-built circular solution (SPEC §6, the article's Appendix A).
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

use ndarray::Array2;

use super::AnalysisError;
use crate::train::Activation;

/// Two outputs count as tied for the maximum when they are within this fraction of the
/// largest |logit| over all pairs of each other (f64 round-off is ~1e-16 of it; the
/// smallest genuine margin of the `x²` construction, `M = 113`, is ~1e-6 of it).
pub const TIE_RELATIVE_TOLERANCE: f64 = 1e-9;

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

/// Logits of the construction for all `M²` pairs, `[M² × M]`, row `a·M + b`.
///
/// Computed in f64 through the rank-2 factoring `W_output = W_out·Eᵀ`:
/// `logits = (act(W_input[a] + W_input[b]) · W_out) · Eᵀ`.
pub fn constructed_logits(
    modulus: usize,
    neurons: usize,
    activation: Activation,
) -> Result<Array2<f64>, AnalysisError> {
    validate(modulus, neurons)?;
    let (e, w_in, w_out) = factors(modulus, neurons);
    let w_input = e.dot(&w_in);
    let w_input = w_input.as_slice().expect("fresh product is contiguous");
    let (cos_c, sin_c) = (e.column(0).to_vec(), e.column(1).to_vec());
    let (out_cos, out_sin) = (w_out.column(0).to_vec(), w_out.column(1).to_vec());
    let mut logits = Array2::<f64>::zeros((modulus * modulus, modulus));
    let rows = logits.as_slice_mut().expect("fresh array is contiguous");
    for (row, out) in rows.chunks_exact_mut(modulus).enumerate() {
        let (a, b) = (row / modulus, row % modulus);
        let ra = &w_input[a * neurons..(a + 1) * neurons];
        let rb = &w_input[b * neurons..(b + 1) * neurons];
        // (x, y) = act(W_input[a] + W_input[b]) · W_out, then logits = x·cos cω + y·sin cω.
        let (mut x, mut y) = (0.0, 0.0);
        for (((&u, &v), &oc), &os) in ra.iter().zip(rb).zip(&out_cos).zip(&out_sin) {
            let h = activation.apply(u + v);
            x += h * oc;
            y += h * os;
        }
        for ((o, &c), &s) in out.iter_mut().zip(&cos_c).zip(&sin_c) {
            *o = x * c + y * s;
        }
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
/// closed form.
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
    let logits = constructed_logits(modulus, neurons, activation)?;
    let (correct, ties) = classify(&logits, modulus);
    Ok(ConstructReport {
        modulus,
        neurons,
        activation,
        accuracy: correct as f64 / (modulus * modulus) as f64,
        max_abs_error: closed_form_error(&logits, modulus),
        ties,
    })
}

/// `(correct, ties)` over all pairs: correct means a unique maximum at `(a + b) mod M`.
fn classify(logits: &Array2<f64>, modulus: usize) -> (usize, usize) {
    let scale = logits.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let tolerance = TIE_RELATIVE_TOLERANCE * scale;
    let (mut correct, mut ties) = (0, 0);
    for (row, l) in logits.rows().into_iter().enumerate() {
        let label = (row / modulus + row % modulus) % modulus;
        let (top, max) = l
            .iter()
            .enumerate()
            .fold((0, f64::NEG_INFINITY), |(bi, bv), (i, &v)| {
                if v > bv { (i, v) } else { (bi, bv) }
            });
        let at_max = l.iter().filter(|&&v| v >= max - tolerance).count();
        if at_max > 1 {
            ties += 1;
        } else if top == label {
            correct += 1;
        }
    }
    (correct, ties)
}

/// Closed form values via two lookup tables: `cos²(dω/2)` for `d = a − b` and `cos(rω)` for
/// `r = (a + b − c) mod M`.
struct ClosedForm {
    modulus: usize,
    envelope: Vec<f64>,
    wave: Vec<f64>,
}

impl ClosedForm {
    fn new(modulus: usize) -> Self {
        let omega = std::f64::consts::TAU / modulus as f64;
        Self {
            modulus,
            // d = (a − b) mod M; cos² has period M in d (cos²(x + π) = cos² x).
            envelope: (0..modulus)
                .map(|d| (d as f64 * omega / 2.0).cos().powi(2))
                .collect(),
            wave: (0..modulus).map(|r| (r as f64 * omega).cos()).collect(),
        }
    }

    #[cfg(test)]
    fn at(&self, a: usize, b: usize, c: usize) -> f64 {
        let m = self.modulus;
        self.envelope[(a + m - b) % m] * self.wave[(a + b + m - c) % m]
    }
}

/// Calls `visit(row of L, row of F)` for every pair `(a, b)`; `F`'s row is written into a
/// reused buffer, walking `r = (a + b − c) mod M` down the row instead of dividing per entry.
fn for_each_row(logits: &Array2<f64>, form: &ClosedForm, mut visit: impl FnMut(&[f64], &[f64])) {
    let m = form.modulus;
    let mut closed = vec![0.0f64; m];
    for (row, l) in logits.rows().into_iter().enumerate() {
        let (a, b) = (row / m, row % m);
        let envelope = form.envelope[(a + m - b) % m];
        let mut r = (a + b) % m;
        for f in closed.iter_mut() {
            *f = envelope * form.wave[r];
            r = if r == 0 { m - 1 } else { r - 1 };
        }
        visit(l.as_slice().expect("standard layout"), &closed);
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

/// `max |(L − t)/s − F|` after the least-squares fit `L ≈ s·F + t` (see [`ConstructReport`]).
fn closed_form_error(logits: &Array2<f64>, modulus: usize) -> f64 {
    let form = ClosedForm::new(modulus);
    let count = logits.len() as f64;
    // One pass for the four sums. F has mean 0 over the outputs (Σ_c cos((s − c)ω) = 0), so
    // the moments below lose nothing to cancellation.
    let mut sums: [CompensatedSum; 4] = Default::default(); // L, F, L·F, F²
    for_each_row(logits, &form, |l, f| {
        let mut row = [0.0f64; 4];
        for (&lv, &fv) in l.iter().zip(f) {
            row[0] += lv;
            row[1] += fv;
            row[2] += lv * fv;
            row[3] += fv * fv;
        }
        for (total, partial) in sums.iter_mut().zip(row) {
            total.add(partial);
        }
    });
    let [sum_l, sum_f, sum_lf, sum_ff] = sums.map(|s| s.total());
    let (mean_l, mean_f) = (sum_l / count, sum_f / count);
    let scale = (sum_lf - sum_l * mean_f) / (sum_ff - sum_f * mean_f);
    if scale.is_nan() || scale <= 0.0 {
        return f64::INFINITY;
    }
    let offset = mean_l - scale * mean_f;
    let mut worst = 0.0f64;
    for_each_row(logits, &form, |l, f| {
        for (&lv, &fv) in l.iter().zip(f) {
            worst = worst.max(((lv - offset) / scale - fv).abs());
        }
    });
    worst
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_form_table_matches_direct_formula() {
        for m in [2, 5, 8] {
            let form = ClosedForm::new(m);
            for a in 0..m {
                for b in 0..m {
                    for c in 0..m {
                        let direct = closed_form_logit(m, a, b, c);
                        assert!((form.at(a, b, c) - direct).abs() < 1e-12);
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
