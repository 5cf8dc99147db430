//! The construction's arithmetic in f64: its factors `E`, `W_in`, `W_out`, the collapsed
//! weights the trainer's matrices hold, every pair's output point and its logits, and the
//! appendix's closed form they are measured against.

use ndarray::Array2;

use crate::analysis::AnalysisError;
use crate::train::Activation;

pub(super) fn validate(modulus: usize, neurons: usize) -> Result<(), AnalysisError> {
    if modulus < 2 {
        return Err(AnalysisError::ModulusTooSmall(modulus));
    }
    if neurons < 1 {
        return Err(AnalysisError::NoNeurons(neurons));
    }
    Ok(())
}

/// The factors `E` `[M × 2]`, `W_in` `[2 × N]`, `W_out` `[N × 2]`.
pub(super) fn factors(modulus: usize, neurons: usize) -> (Array2<f64>, Array2<f64>, Array2<f64>) {
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
pub(super) struct Parts {
    pub(super) w_input: Array2<f64>,
    pub(super) cos_c: Vec<f64>,
    pub(super) sin_c: Vec<f64>,
    pub(super) out_cos: Vec<f64>,
    pub(super) out_sin: Vec<f64>,
}

impl Parts {
    pub(super) fn new(modulus: usize, neurons: usize) -> Self {
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
    pub(super) fn points(&self, activation: Activation) -> Vec<[f64; 2]> {
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
    pub(super) fn logits(&self, [x, y]: [f64; 2], out: &mut [f64]) {
        for ((o, &c), &s) in out.iter_mut().zip(&self.cos_c).zip(&self.sin_c) {
            *o = x * c + y * s;
        }
    }
}

/// Logits of the construction for all `M²` pairs, `[M² × M]`, row `a·M + b`.
///
/// Computed in f64 through the rank-2 factoring `W_output = W_out·Eᵀ`:
/// `logits = (act(W_input[a] + W_input[b]) · W_out) · Eᵀ`. ([`construct`](super::construct) and
/// [`Construction`](super::Construction) score the same logits a row at a time, without holding all `M³`.)
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

#[cfg(test)]
mod tests {
    use super::*;

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
