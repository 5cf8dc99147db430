//! The Fourier view of a modular-addition model, after the article and Nanda et al. (2023)
//! (docs/article-numbers.md, Fourier analysis).
//!
//! # Basis
//! For modulus `P` the orthonormal basis is `[P × P]`, one basis function per row, evaluated at
//! the residues `x = 0..P`:
//! * row 0: the constant `1/sqrt(P)`;
//! * rows `2k − 1` and `2k`: `cos(2πkx/P)` and `sin(2πkx/P)`, each scaled to unit norm
//!   (by `sqrt(2/P)`), for `k = 1..=(P − 1)/2`.
//!
//! **Even `P`.** Then `(P − 1)/2` frequencies and the constant only give `P − 1` rows. The
//! missing row is the Nyquist frequency `k = P/2`: `cos(πx) = (−1)^x`, scaled by `1/sqrt(P)`,
//! stored as the last row `P − 1`. Its sine `sin(πx)` is identically zero, so it has no row.
//! We keep the Nyquist frequency as an ordinary frequency `k = P/2` whose sine coefficient is
//! always 0: the basis stays complete and orthonormal (Parseval holds), and a neuron with
//! weights `(−1)^a` is read as frequency `P/2` instead of vanishing from the spectrum.
//! In both cases the frequencies are `k = 1..=P/2` (integer division): `n_frequencies(P) = P/2`.
//!
//! # Coefficients
//! The coefficients of a `[P × H]` matrix `W` (one column per neuron: `W_input`, or
//! `W_outputᵀ`) are `B · W`, computed with rustfft: with `X[k] = Σ_x W[x] e^{−2πikx/P}`,
//! constant `= X[0]/sqrt(P)`, cos `= Re X[k]·sqrt(2/P)`, sin `= −Im X[k]·sqrt(2/P)`, Nyquist cos
//! `= X[P/2]/sqrt(P)`.

use std::sync::Arc;

use ndarray::{Array2, ArrayView2};
use rustfft::num_complex::Complex;
use rustfft::{Fft, FftPlanner};

use super::AnalysisError;

/// Number of frequencies `k = 1..=P/2` of modulus `P` (including Nyquist when `P` is even).
pub fn n_frequencies(p: usize) -> usize {
    p / 2
}

/// Whether frequency `k` of modulus `p` is the Nyquist frequency (cos only, no sin).
fn is_nyquist(p: usize, k: usize) -> bool {
    p.is_multiple_of(2) && k == p / 2
}

/// Row of the basis holding `cos(2πkx/P)`.
fn cos_row(k: usize) -> usize {
    2 * k - 1
}

/// Row of the basis holding `sin(2πkx/P)` for a non-Nyquist frequency `k`.
fn sin_row_of(k: usize) -> usize {
    2 * k
}

/// Row of the basis holding `sin(2πkx/P)`, or `None` at the Nyquist frequency.
fn sin_row(p: usize, k: usize) -> Option<usize> {
    (!is_nyquist(p, k)).then_some(sin_row_of(k))
}

/// The explicit orthonormal basis `[P × P]` described in the module docs (rows are basis
/// functions): `B · W` is what [`Fourier::coefficients`] computes, and the reference it is
/// tested against.
pub fn fourier_basis(p: usize) -> Array2<f64> {
    let mut basis = Array2::<f64>::zeros((p, p));
    let pf = p as f64;
    for x in 0..p {
        basis[[0, x]] = 1.0 / pf.sqrt();
        for k in 1..=n_frequencies(p) {
            let angle = 2.0 * std::f64::consts::PI * (k * x % p) as f64 / pf;
            if is_nyquist(p, k) {
                basis[[cos_row(k), x]] = angle.cos() / pf.sqrt();
            } else {
                let scale = (2.0 / pf).sqrt();
                basis[[cos_row(k), x]] = angle.cos() * scale;
                basis[[sin_row_of(k), x]] = angle.sin() * scale;
            }
        }
    }
    basis
}

/// A planned Fourier transform for one modulus; cheap to keep and reuse (`Send + Sync`).
#[derive(Clone)]
pub struct Fourier {
    p: usize,
    fft: Arc<dyn Fft<f64>>,
}

impl std::fmt::Debug for Fourier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fourier").field("p", &self.p).finish()
    }
}

impl Fourier {
    /// Plans the transform for modulus `p` (at least 2).
    pub fn new(p: usize) -> Result<Self, AnalysisError> {
        if p < 2 {
            return Err(AnalysisError::ModulusTooSmall(p));
        }
        let fft = FftPlanner::<f64>::new().plan_fft_forward(p);
        Ok(Self { p, fft })
    }

    /// The modulus `P`.
    pub fn modulus(&self) -> usize {
        self.p
    }

    /// Coefficients of every column of `w` (`[P × H]`) in the orthonormal basis.
    ///
    /// Use `w_input.view()` for `W_input` and `w_output.t()` for `W_outputᵀ`.
    /// Computed in f64 with one buffer of `P × H` complex numbers.
    pub fn coefficients(&self, w: ArrayView2<f32>) -> Result<FourierCoeffs, AnalysisError> {
        let (p, h) = w.dim();
        if p != self.p {
            return Err(AnalysisError::Shape(format!(
                "matrix has {p} rows but the Fourier transform is planned for modulus {}",
                self.p
            )));
        }
        let mut buffer: Vec<Complex<f64>> = Vec::with_capacity(p * h);
        for column in w.columns() {
            buffer.extend(column.iter().map(|&v| Complex::new(f64::from(v), 0.0)));
        }
        let mut scratch = vec![Complex::new(0.0, 0.0); self.fft.get_inplace_scratch_len()];
        if h > 0 {
            self.fft.process_with_scratch(&mut buffer, &mut scratch);
        }

        let pf = p as f64;
        let unit = 1.0 / pf.sqrt();
        let pair = (2.0 / pf).sqrt();
        let mut coeffs = Array2::<f32>::zeros((p, h));
        for (neuron, spectrum) in buffer.chunks_exact(p).enumerate() {
            coeffs[[0, neuron]] = (spectrum[0].re * unit) as f32;
            for k in 1..=n_frequencies(p) {
                if is_nyquist(p, k) {
                    coeffs[[cos_row(k), neuron]] = (spectrum[k].re * unit) as f32;
                } else {
                    coeffs[[cos_row(k), neuron]] = (spectrum[k].re * pair) as f32;
                    coeffs[[sin_row_of(k), neuron]] = (-spectrum[k].im * pair) as f32;
                }
            }
        }
        Ok(FourierCoeffs { p, coeffs })
    }

    /// Frequency norms, their Gini coefficient and the key frequencies (default rule) of `w`.
    pub fn spectrum(&self, w: ArrayView2<f32>) -> Result<Spectrum, AnalysisError> {
        let coeffs = self.coefficients(w)?;
        Ok(Spectrum::from_coefficients(
            &coeffs,
            KeyFrequencyRule::default(),
        ))
    }
}

/// Fourier coefficients of the `H` columns of a `[P × H]` matrix.
#[derive(Clone, Debug, PartialEq)]
pub struct FourierCoeffs {
    p: usize,
    /// `[P × H]`, rows in basis order (see the module docs).
    coeffs: Array2<f32>,
}

impl FourierCoeffs {
    /// The modulus `P`.
    pub fn modulus(&self) -> usize {
        self.p
    }

    /// Number of neurons (columns) `H`.
    pub fn n_neurons(&self) -> usize {
        self.coeffs.ncols()
    }

    /// Number of frequencies, `P/2`.
    pub fn n_frequencies(&self) -> usize {
        n_frequencies(self.p)
    }

    /// All coefficients `[P × H]` in basis row order (row 0 constant, `2k − 1` cos, `2k` sin,
    /// and for even `P` the Nyquist cos in the last row). This is `B · W`.
    pub fn matrix(&self) -> ArrayView2<'_, f32> {
        self.coeffs.view()
    }

    /// Constant coefficient of `neuron`.
    pub fn constant(&self, neuron: usize) -> f32 {
        self.coeffs[[0, neuron]]
    }

    /// Cosine coefficient of frequency `k` (`1..=P/2`) of `neuron`.
    pub fn cos(&self, k: usize, neuron: usize) -> f32 {
        self.coeffs[[cos_row(k), neuron]]
    }

    /// Sine coefficient of frequency `k` (`1..=P/2`) of `neuron`; always 0 at Nyquist.
    pub fn sin(&self, k: usize, neuron: usize) -> f32 {
        sin_row(self.p, k).map_or(0.0, |row| self.coeffs[[row, neuron]])
    }

    /// Squared magnitude `cos² + sin²` of frequency `k` in `neuron`.
    fn power(&self, k: usize, neuron: usize) -> f32 {
        let (c, s) = (self.cos(k, neuron), self.sin(k, neuron));
        c * c + s * s
    }

    /// Frequency norms: entry `k − 1` is the L2 norm of frequency `k`'s cos and sin rows
    /// across all neurons, `sqrt(Σ_neurons cos_k² + sin_k²)`. The bar chart's data.
    pub fn frequency_norms(&self) -> Vec<f32> {
        (1..=self.n_frequencies())
            .map(|k| {
                (0..self.n_neurons())
                    .map(|n| self.power(k, n))
                    .sum::<f32>()
                    .sqrt()
            })
            .collect()
    }

    /// Each neuron's dominant frequency and phase.
    ///
    /// A neuron's frequency is the `k` with the largest magnitude `sqrt(cos_k² + sin_k²)`,
    /// the constant excluded; this is the phase-independent reading of "largest |coefficient|"
    /// (it agrees with it whenever one frequency dominates). Ties go to the lower `k`.
    /// Phase is `atan2(sin, cos)` of that frequency, in `(−π, π]`.
    pub fn neuron_frequencies(&self) -> Vec<NeuronFrequency> {
        (0..self.n_neurons())
            .map(|neuron| {
                let mut best_k = 1;
                let mut best_power = -1.0f32;
                let mut total = 0.0f32;
                for k in 1..=self.n_frequencies() {
                    let power = self.power(k, neuron);
                    total += power;
                    if power > best_power {
                        best_power = power;
                        best_k = k;
                    }
                }
                let best_power = best_power.max(0.0);
                NeuronFrequency {
                    neuron,
                    frequency: best_k,
                    phase: self.sin(best_k, neuron).atan2(self.cos(best_k, neuron)),
                    magnitude: best_power.sqrt(),
                    share: if total > 0.0 { best_power / total } else { 0.0 },
                }
            })
            .collect()
    }
}

/// One neuron's dominant frequency.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct NeuronFrequency {
    /// Column index of the neuron.
    pub neuron: usize,
    /// Dominant frequency `k` in `1..=P/2`.
    pub frequency: usize,
    /// `atan2(sin_k, cos_k)` in `(−π, π]`.
    pub phase: f32,
    /// `sqrt(cos_k² + sin_k²)` of the dominant frequency.
    pub magnitude: f32,
    /// Share of the neuron's non-constant squared norm in that frequency (0 for a dead neuron).
    pub share: f32,
}

/// Neuron indices ordered by (frequency, phase), the article's re-indexing of neurons.
pub fn order_by_frequency_phase(neurons: &[NeuronFrequency]) -> Vec<usize> {
    let mut sorted: Vec<&NeuronFrequency> = neurons.iter().collect();
    sorted.sort_by(|x, y| {
        x.frequency
            .cmp(&y.frequency)
            .then(x.phase.total_cmp(&y.phase))
            .then(x.neuron.cmp(&y.neuron))
    });
    sorted.into_iter().map(|n| n.neuron).collect()
}

/// Gini coefficient of non-negative values (negative inputs are treated by absolute value):
/// `G = Σ_i (2i − n − 1)·x_(i) / (n·Σ x)` with `x_(i)` sorted ascending, `i = 1..=n`.
/// 0 when all values are equal, `(n − 1)/n` (→ 1) when a single value is non-zero,
/// and 0 for an empty or all-zero input.
pub fn gini(values: &[f32]) -> f64 {
    let n = values.len();
    let mut sorted: Vec<f64> = values.iter().map(|v| f64::from(v.abs())).collect();
    let total: f64 = sorted.iter().sum();
    if n == 0 || total <= 0.0 {
        return 0.0;
    }
    sorted.sort_by(f64::total_cmp);
    let weighted: f64 = sorted
        .iter()
        .enumerate()
        .map(|(i, x)| (2.0 * (i + 1) as f64 - n as f64 - 1.0) * x)
        .sum();
    weighted / (n as f64 * total)
}

/// The rule picking the key frequencies from the frequency norms.
///
/// Frequencies are ranked by norm, largest first (ties: lower `k` first); the key
/// frequencies are the shortest prefix of that ranking whose squared norms add up to at least
/// `fraction` of the total squared norm over all frequencies, cut at `max` frequencies.
/// Zero-norm frequencies are never key; an all-zero spectrum has no key frequencies.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KeyFrequencyRule {
    /// Share of the total squared frequency norm the key frequencies must hold.
    pub fraction: f64,
    /// At most this many key frequencies.
    pub max: usize,
}

impl Default for KeyFrequencyRule {
    /// 90% of the squared norm, at most 8 frequencies: a generalizing `P = 67` model
    /// typically needs 3 to 5, and the cap keeps a dense (memorizing) spectrum from making
    /// the restricted loss use a quarter of all frequencies or more.
    fn default() -> Self {
        Self {
            fraction: 0.9,
            max: 8,
        }
    }
}

impl KeyFrequencyRule {
    /// Key frequencies (values of `k`, entry `k − 1` of `norms`), ranked by norm, largest first.
    pub fn select(&self, norms: &[f32]) -> Vec<usize> {
        let squares: Vec<f64> = norms.iter().map(|&v| f64::from(v) * f64::from(v)).collect();
        let total: f64 = squares.iter().sum();
        let mut ranked: Vec<usize> = (0..norms.len()).filter(|&i| squares[i] > 0.0).collect();
        ranked.sort_by(|&i, &j| squares[j].total_cmp(&squares[i]).then(i.cmp(&j)));
        let mut keys = Vec::new();
        let mut held = 0.0;
        for i in ranked {
            if keys.len() >= self.max || held >= self.fraction * total {
                break;
            }
            held += squares[i];
            keys.push(i + 1);
        }
        keys
    }
}

/// Key frequencies of `norms` under the default [`KeyFrequencyRule`] (90%, at most 8).
pub fn key_frequencies(norms: &[f32]) -> Vec<usize> {
    KeyFrequencyRule::default().select(norms)
}

/// What the dashboard needs from one matrix's spectrum.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Spectrum {
    /// Frequency norms, entry `k − 1` for frequency `k`.
    pub norms: Vec<f32>,
    /// Gini coefficient of `norms`.
    pub gini: f64,
    /// Key frequencies of `norms` under the rule used, largest norm first.
    pub key_frequencies: Vec<usize>,
}

impl Spectrum {
    /// Norms, Gini and key frequencies (under `rule`) of already computed coefficients.
    pub fn from_coefficients(coeffs: &FourierCoeffs, rule: KeyFrequencyRule) -> Self {
        let norms = coeffs.frequency_norms();
        Self {
            gini: gini(&norms),
            key_frequencies: rule.select(&norms),
            norms,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basis_is_orthonormal_for_odd_and_even_moduli() {
        for p in [2, 3, 6, 7, 10, 67] {
            let b = fourier_basis(p);
            let gram = b.dot(&b.t());
            for i in 0..p {
                for j in 0..p {
                    let expected = if i == j { 1.0 } else { 0.0 };
                    assert!(
                        (gram[[i, j]] - expected).abs() < 1e-12,
                        "p={p} gram[{i},{j}]={}",
                        gram[[i, j]]
                    );
                }
            }
        }
    }

    #[test]
    fn gini_known_values() {
        assert_eq!(gini(&[2.0; 10]), 0.0);
        assert!((gini(&[0.0, 0.0, 0.0, 5.0]) - 0.75).abs() < 1e-12);
        assert!((gini(&[0.0, 0.0, 1.0, 1.0]) - 0.5).abs() < 1e-12);
        assert!((gini(&[1.0, 0.0, 1.0, 0.0]) - 0.5).abs() < 1e-12);
        assert_eq!(gini(&[]), 0.0);
        assert_eq!(gini(&[0.0, 0.0]), 0.0);
    }

    #[test]
    fn key_frequency_rule() {
        // Squares 0.5, 0.3, 0.15, 0.05 at k = 4, 2, 1, 3.
        let norms = [0.15f32.sqrt(), 0.3f32.sqrt(), 0.05f32.sqrt(), 0.5f32.sqrt()];
        assert_eq!(key_frequencies(&norms), vec![4, 2, 1]);
        let loose = KeyFrequencyRule {
            fraction: 0.75,
            max: 8,
        };
        assert_eq!(loose.select(&norms), vec![4, 2]);
        let capped = KeyFrequencyRule {
            fraction: 1.0,
            max: 2,
        };
        assert_eq!(capped.select(&norms), vec![4, 2]);
        // A single frequency holds everything.
        assert_eq!(key_frequencies(&[0.0, 0.0, 3.0, 0.0]), vec![3]);
        // Flat spectrum: the cap decides; ties go to lower k.
        assert_eq!(key_frequencies(&[1.0; 33]), (1..=8).collect::<Vec<_>>());
        // Nothing there: no key frequencies.
        assert!(key_frequencies(&[0.0; 5]).is_empty());
    }

    #[test]
    fn order_by_frequency_then_phase() {
        let n = |neuron, frequency, phase| NeuronFrequency {
            neuron,
            frequency,
            phase,
            magnitude: 1.0,
            share: 1.0,
        };
        let neurons = [n(0, 3, 0.5), n(1, 1, 2.0), n(2, 3, -1.0), n(3, 1, -0.1)];
        assert_eq!(order_by_frequency_phase(&neurons), vec![3, 1, 2, 0]);
    }
}
