//! Progress measures after Nanda et al. (2023), "Progress measures for grokking via
//! mechanistic interpretability", for the one-hidden-layer modular-addition model
//! `logits(a, b) = act(W_input[a] + W_input[b]) · W_output`.
//!
//! # The directions
//! Stack the logits of all `P²` inputs into a tensor `L[a, b, c]` (`c` the output). For a
//! frequency `k` with `w = 2πk/P`, the generalizing algorithm writes its logits as
//! `cos(w(a + b − c)) = cos(w(a+b))·cos(wc) + sin(w(a+b))·sin(wc)`. Following Nanda et al.,
//! the key-frequency *directions* live in the `(a, b)` input plane: they are the two
//! functions `u_k(a, b) = cos(w(a + b))` and `v_k(a, b) = sin(w(a + b))` in `R^{P²}`. Every
//! output column `L[·, ·, c]` is projected onto them separately; the output axis `c` is left
//! free, so a projected logit is `α_c·cos(w(a+b)) + β_c·sin(w(a+b))`, which is exactly
//! `A·cos(w(a + b − c) + φ)` once the model has learnt `α_c ∝ cos(wc)`, `β_c ∝ sin(wc)`.
//! The constant direction (the mean over all pairs, per output) is the `k = 0` term.
//! For even `P` the Nyquist frequency `k = P/2` contributes `cos(π(a+b))` only (its sine is 0).
//!
//! These directions depend on `(a, b)` only through `s = (a + b) mod P`, and they are
//! orthogonal over the `P²` pairs (each `s` occurs exactly `P` times). So projecting `L` on
//! them equals projecting `Ḡ[s, c]` — the mean of `L[a, b, c]` over the `P` pairs with
//! `a + b ≡ s` — onto the 1-D Fourier basis in `s`. That is how it is computed: `Ḡ` needs
//! one pass over the `P²` hidden activations and a `[P × H]·[H × P]` product, never the full
//! `P³` logit tensor.
//!
//! # The measures
//! * **Restricted loss**: logits replaced by their projection onto the span of the constant
//!   and `u_k, v_k` for the key frequencies; scored on *all* `P²` pairs. The projected logits
//!   depend only on `s`, so this is the mean cross-entropy of `P` rows, each weighing `P` pairs.
//! * **Excluded loss**: logits minus their projection onto `u_k, v_k` for the key frequencies
//!   (the constant is kept); scored on the *training* pairs.
//!
//! All losses are the spec's: mean over all `N × P` entries of `−onehot(y)·log_softmax`, i.e.
//! cross-entropy divided by `P`, with label `(a + b) mod P`.

use ndarray::{Array2, ArrayView2, Axis};

use super::AnalysisError;
use super::fourier::{NeuronFrequency, n_frequencies};
use crate::train::Activation;
use crate::train::linalg::fast_exp;

/// Progress measures of one model state.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ProgressMeasures {
    /// The key frequencies the measures used (deduplicated, in the order given).
    pub key_frequencies: Vec<usize>,
    /// Loss of the logits restricted to the constant and the key-frequency directions,
    /// on all `P²` pairs.
    pub restricted_loss: f64,
    /// Loss of the logits with the key-frequency directions removed, on the training pairs.
    pub excluded_loss: f64,
    /// Loss of the unmodified logits on the training pairs (the excluded loss's baseline).
    pub train_loss: f64,
}

/// Checks `w_input` is `[P × H]` and `w_output` is `[H × P]` with `P ≥ 2`; returns `(P, H)`.
fn model_shape(
    w_input: ArrayView2<f32>,
    w_output: ArrayView2<f32>,
) -> Result<(usize, usize), AnalysisError> {
    let (p, h) = w_input.dim();
    if w_output.dim() != (h, p) {
        return Err(AnalysisError::Shape(format!(
            "W_input is [{p} × {h}] so W_output must be [{h} × {p}], got [{} × {}]",
            w_output.nrows(),
            w_output.ncols()
        )));
    }
    if p < 2 {
        return Err(AnalysisError::ModulusTooSmall(p));
    }
    Ok((p, h))
}

/// Checks every pair lies in `0..p × 0..p`.
fn check_pairs(pairs: &[(usize, usize)], p: usize) -> Result<(), AnalysisError> {
    match pairs.iter().find(|&&(a, b)| a >= p || b >= p) {
        Some((a, b)) => Err(AnalysisError::OutOfRange(format!(
            "pair ({a}, {b}) is outside 0..{p}"
        ))),
        None => Ok(()),
    }
}

/// All `P²` pairs `(a, b)`, `a` major.
pub fn all_pairs(p: usize) -> Vec<(usize, usize)> {
    (0..p).flat_map(|a| (0..p).map(move |b| (a, b))).collect()
}

/// `Σ e^{v − max}` over `values` (all `≤ max`), in eight lanes so the loop vectorizes.
fn sum_exp_below(values: &[f32], max: f32) -> f32 {
    let mut lanes = [0.0f32; 8];
    let chunks = values.chunks_exact(8);
    let tail = chunks.remainder();
    for chunk in chunks {
        for (lane, &v) in lanes.iter_mut().zip(chunk) {
            *lane += fast_exp(v - max);
        }
    }
    lanes.iter().sum::<f32>() + tail.iter().map(|&v| fast_exp(v - max)).sum::<f32>()
}

/// `−log_softmax(logits)[label]`, computed stably as
/// `(max − l_y) + ln_1p(Σ_{c ≠ argmax} e^{l_c − max})`: leaving the arg-max term out of the sum
/// keeps the relative precision of losses down to ~1e-38.
fn cross_entropy(logits: &[f32], label: usize) -> f64 {
    let max = max_of(logits);
    let top = logits.iter().position(|&v| v == max).unwrap_or(0);
    let rest = sum_exp_below(&logits[..top], max) + sum_exp_below(&logits[top + 1..], max);
    f64::from(max - logits[label]) + f64::from(rest).ln_1p()
}

/// Largest value of a non-empty slice (NaN-free input), in eight lanes so it vectorizes.
fn max_of(values: &[f32]) -> f32 {
    let mut lanes = [f32::NEG_INFINITY; 8];
    let chunks = values.chunks_exact(8);
    let tail = chunks.remainder();
    for chunk in chunks {
        for (lane, &v) in lanes.iter_mut().zip(chunk) {
            *lane = lane.max(v);
        }
    }
    lanes
        .iter()
        .chain(tail)
        .fold(f32::NEG_INFINITY, |m, &v| m.max(v))
}

/// Hidden activations `act(W_input[a] + W_input[b])` of the given pairs, `[n × H]`.
fn hidden(w_input: ArrayView2<f32>, act: Activation, pairs: &[(usize, usize)]) -> Array2<f32> {
    let h = w_input.ncols();
    let w_in = w_input.as_standard_layout();
    let w_in = w_in.as_slice().expect("standard layout is contiguous");
    let mut out = Array2::<f32>::zeros((pairs.len(), h));
    let rows = out.as_slice_mut().expect("fresh array is contiguous");
    let mut pre = vec![0.0f32; h];
    for (row, &(a, b)) in rows.chunks_exact_mut(h.max(1)).zip(pairs) {
        sum_rows(w_in, h, a, b, &mut pre);
        act.forward(&pre, row);
    }
    out
}

/// Logits `act(W_input[a] + W_input[b]) · W_output` of every pair, `[n × P]`.
fn logits_of(
    w_input: ArrayView2<f32>,
    w_output: ArrayView2<f32>,
    act: Activation,
    pairs: &[(usize, usize)],
) -> Array2<f32> {
    hidden(w_input, act, pairs).dot(&w_output)
}

/// The `P` logits of one pair `(a, b)`.
pub fn pair_logits(
    w_input: ArrayView2<f32>,
    w_output: ArrayView2<f32>,
    act: Activation,
    a: usize,
    b: usize,
) -> Result<Vec<f32>, AnalysisError> {
    let all: Vec<usize> = (0..w_input.ncols()).collect();
    masked_logits(w_input, w_output, act, &all, a, b)
}

/// Logits of `(a, b)` from a subset of hidden neurons: the hidden activations of all other
/// neurons are set to 0 before multiplying by `W_output`. With the neurons of one frequency
/// group ([`frequency_group`]) this is the article's per-frequency logit wave over `c`.
pub fn masked_logits(
    w_input: ArrayView2<f32>,
    w_output: ArrayView2<f32>,
    act: Activation,
    neurons: &[usize],
    a: usize,
    b: usize,
) -> Result<Vec<f32>, AnalysisError> {
    let (p, h) = model_shape(w_input, w_output)?;
    check_pairs(&[(a, b)], p)?;
    if let Some(&bad) = neurons.iter().find(|&&j| j >= h) {
        return Err(AnalysisError::OutOfRange(format!(
            "neuron {bad} is outside 0..{h}"
        )));
    }
    let mut out = vec![0.0f32; p];
    for &j in neurons {
        let activation = act.apply(w_input[[a, j]] + w_input[[b, j]]);
        for (o, &w) in out.iter_mut().zip(w_output.row(j)) {
            *o += activation * w;
        }
    }
    Ok(out)
}

/// Indices of the neurons whose dominant frequency is `k`.
pub fn frequency_group(neurons: &[NeuronFrequency], k: usize) -> Vec<usize> {
    neurons
        .iter()
        .filter(|n| n.frequency == k)
        .map(|n| n.neuron)
        .collect()
}

/// The spec's loss (cross-entropy / `P`, label `(a + b) mod P`) on the given pairs.
pub fn loss_on_pairs(
    w_input: ArrayView2<f32>,
    w_output: ArrayView2<f32>,
    act: Activation,
    pairs: &[(usize, usize)],
) -> Result<f64, AnalysisError> {
    let (p, _) = model_shape(w_input, w_output)?;
    check_pairs(pairs, p)?;
    if pairs.is_empty() {
        return Err(AnalysisError::OutOfRange("no pairs to score".into()));
    }
    let logits = logits_of(w_input, w_output, act, pairs);
    let logits = logits.as_slice().expect("fresh array is contiguous");
    let total: f64 = logits
        .chunks_exact(p)
        .zip(pairs)
        .map(|(row, &(a, b))| cross_entropy(row, (a + b) % p))
        .sum();
    Ok(total / (pairs.len() * p) as f64)
}

/// Total weight norm: `sqrt` of the sum of squares of every entry of every matrix (the
/// engine's, which `Metrics::weight_norm` reports).
pub use crate::train::params::weight_norm;

/// `pre = W_input[a] + W_input[b]` (rows of width h of the row-major `w_in`).
fn sum_rows(w_in: &[f32], h: usize, a: usize, b: usize, pre: &mut [f32]) {
    let (ra, rb) = (&w_in[a * h..(a + 1) * h], &w_in[b * h..(b + 1) * h]);
    for ((o, &u), &v) in pre.iter_mut().zip(ra).zip(rb) {
        *o = u + v;
    }
}

/// `Ḡ[s, c]`: the mean of the logits `L[a, b, c]` over the `P` pairs with `a + b ≡ s`.
///
/// Uses linearity, `Ḡ[s] = (mean over those pairs of the hidden activations) · W_output`,
/// and the model's symmetry `L[a, b] = L[b, a]`: only pairs `a ≤ b` are visited, `a < b`
/// counted twice.
fn mean_logits_by_sum(
    w_input: ArrayView2<f32>,
    w_output: ArrayView2<f32>,
    act: Activation,
) -> Array2<f64> {
    let (p, h) = w_input.dim();
    let w_in = w_input.as_standard_layout();
    let w_in = w_in.as_slice().expect("standard layout is contiguous");
    let mut hidden_sum = Array2::<f64>::zeros((p, h));
    let sums = hidden_sum
        .as_slice_mut()
        .expect("fresh array is contiguous");
    let (mut pre, mut hid) = (vec![0.0f32; h], vec![0.0f32; h]);
    for a in 0..p {
        for b in a..p {
            let s = (a + b) % p;
            let weight = if a == b { 1.0 } else { 2.0 };
            sum_rows(w_in, h, a, b, &mut pre);
            act.forward(&pre, &mut hid);
            for (o, &x) in sums[s * h..(s + 1) * h].iter_mut().zip(&hid) {
                *o += weight * f64::from(x);
            }
        }
    }
    hidden_sum /= p as f64;
    hidden_sum.dot(&w_output.mapv(f64::from))
}

/// The 1-D unit basis functions in `s` spanned by the key frequencies, one per row
/// (`[d × P]`): `cos(2πks/P)` and `sin(2πks/P)` scaled to unit norm (Nyquist: cos only,
/// scaled by `1/sqrt(P)`).
fn key_directions(p: usize, keys: &[usize]) -> Array2<f64> {
    let pf = p as f64;
    let mut rows: Vec<f64> = Vec::with_capacity(2 * keys.len() * p);
    let mut count = 0;
    for &k in keys {
        let angle = |s: usize| std::f64::consts::TAU * ((k * s) % p) as f64 / pf;
        if p.is_multiple_of(2) && k == p / 2 {
            rows.extend((0..p).map(|s| angle(s).cos() / pf.sqrt()));
            count += 1;
        } else {
            let scale = (2.0 / pf).sqrt();
            rows.extend((0..p).map(|s| angle(s).cos() * scale));
            rows.extend((0..p).map(|s| angle(s).sin() * scale));
            count += 2;
        }
    }
    Array2::from_shape_vec((count, p), rows).expect("count rows of length p")
}

/// Restricted loss, excluded loss and training loss for the given key frequencies.
///
/// * `key_freqs`: frequencies `k` in `1..=P/2` (typically `Spectrum::key_frequencies` of
///   `W_input`); duplicates are ignored. With none, restricted logits are just the per-output
///   mean and the excluded loss equals the training loss.
/// * `train_pairs`: the training set, each `(a, b)` with label `(a + b) mod P`.
///
/// See the module docs for the exact definitions. Cost for `P = 67`, `H = 24`, ~900 training
/// pairs and 8 key frequencies: 0.6 to 1 ms on one core (measured on a busy 2-core machine),
/// most of it the `2 × 900 × 67` exponentials of the two training-set losses.
pub fn progress_measures(
    w_input: ArrayView2<f32>,
    w_output: ArrayView2<f32>,
    act: Activation,
    key_freqs: &[usize],
    train_pairs: &[(usize, usize)],
) -> Result<ProgressMeasures, AnalysisError> {
    let (p, _) = model_shape(w_input, w_output)?;
    check_pairs(train_pairs, p)?;
    if train_pairs.is_empty() {
        return Err(AnalysisError::OutOfRange(
            "no training pairs to score".into(),
        ));
    }
    let mut keys: Vec<usize> = Vec::with_capacity(key_freqs.len());
    for &k in key_freqs {
        if k == 0 || k > n_frequencies(p) {
            return Err(AnalysisError::OutOfRange(format!(
                "key frequency {k} is outside 1..={}",
                n_frequencies(p)
            )));
        }
        if !keys.contains(&k) {
            keys.push(k);
        }
    }

    let mean_by_sum = mean_logits_by_sum(w_input, w_output, act);
    // Projection onto the key directions D ([d × P], orthonormal rows): Dᵀ·(D·Ḡ).
    let directions = key_directions(p, &keys);
    let key_part = directions.t().dot(&directions.dot(&mean_by_sum));
    // The constant direction adds each output's mean over s (= over all P² pairs).
    let column_means = mean_by_sum.mean_axis(Axis(0)).expect("P ≥ 2 rows");
    let restricted = (&key_part + &column_means).mapv(|v| v as f32);
    let restricted = restricted.as_slice().expect("fresh array is contiguous");

    // Restricted logits depend on s only; every s stands for P of the P² pairs.
    let restricted_loss = restricted
        .chunks_exact(p)
        .enumerate()
        .map(|(s, row)| cross_entropy(row, s))
        .sum::<f64>()
        / (p * p) as f64;

    let logits = logits_of(w_input, w_output, act, train_pairs);
    let logits = logits.as_slice().expect("fresh array is contiguous");
    let key_part = key_part.mapv(|v| v as f32);
    let key_part = key_part.as_slice().expect("fresh array is contiguous");
    let mut ablated = vec![0.0f32; p];
    let (mut excluded, mut full) = (0.0, 0.0);
    for (row, &(a, b)) in logits.chunks_exact(p).zip(train_pairs) {
        let s = (a + b) % p;
        full += cross_entropy(row, s);
        for ((x, &l), &k) in ablated
            .iter_mut()
            .zip(row)
            .zip(&key_part[s * p..(s + 1) * p])
        {
            *x = l - k;
        }
        excluded += cross_entropy(&ablated, s);
    }
    let entries = (train_pairs.len() * p) as f64;
    Ok(ProgressMeasures {
        key_frequencies: keys,
        restricted_loss,
        excluded_loss: excluded / entries,
        train_loss: full / entries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn cross_entropy_matches_naive_log_softmax() {
        let logits = [1.0f32, -2.0, 0.5, 3.0];
        let lse = logits.iter().map(|&v| f64::from(v).exp()).sum::<f64>().ln();
        for y in 0..4 {
            let expected = lse - f64::from(logits[y]);
            assert!((cross_entropy(&logits, y) - expected).abs() < 1e-6);
        }
        // Tiny losses keep their precision: −log_softmax ≈ e^{−40}.
        let sharp = [40.0, 0.0];
        assert!((cross_entropy(&sharp, 0) / (-40.0f64).exp() - 1.0).abs() < 1e-6);
    }

    #[test]
    fn fast_exp_is_accurate_on_its_range() {
        let mut worst = 0.0f64;
        for i in 0..=870_000 {
            let x = -(i as f32) * 1e-4;
            let exact = f64::from(x).exp();
            let error = (f64::from(fast_exp(x)) - exact).abs() / exact;
            worst = worst.max(error);
        }
        assert!(worst < 1e-6, "worst relative error {worst}");
        assert_eq!(fast_exp(0.0), 1.0);
        assert!(fast_exp(-200.0) < 2e-38);
        let values: Vec<f32> = (0..19).map(|i| -0.37 * i as f32).collect();
        let exact: f64 = values.iter().map(|&v| (f64::from(v) - 0.5).exp()).sum();
        assert!((f64::from(sum_exp_below(&values, 0.5)) / exact - 1.0).abs() < 2e-6);
    }

    #[test]
    fn weight_norm_is_root_sum_of_squares() {
        let a = array![[3.0f32, 0.0], [0.0, 0.0]];
        let b = array![[4.0f32]];
        assert!((weight_norm(&[a.view(), b.view()]) - 5.0).abs() < 1e-12);
        assert_eq!(weight_norm(&[]), 0.0);
    }

    #[test]
    fn mean_by_sum_matches_brute_force() {
        let p = 5;
        let h = 3;
        let w_in =
            Array2::from_shape_fn((p, h), |(i, j)| ((i * 7 + j * 3) % 11) as f32 / 5.0 - 1.0);
        let w_out =
            Array2::from_shape_fn((h, p), |(i, j)| ((i * 5 + j * 2) % 7) as f32 / 3.0 - 1.0);
        let g = mean_logits_by_sum(w_in.view(), w_out.view(), Activation::Relu);
        let logits = logits_of(w_in.view(), w_out.view(), Activation::Relu, &all_pairs(p));
        for s in 0..p {
            for c in 0..p {
                let brute: f64 = all_pairs(p)
                    .iter()
                    .enumerate()
                    .filter(|(_, (a, b))| (a + b) % p == s)
                    .map(|(i, _)| f64::from(logits[[i, c]]))
                    .sum::<f64>()
                    / p as f64;
                assert!((g[[s, c]] - brute).abs() < 1e-5);
            }
        }
    }

    #[test]
    fn rejects_bad_shapes_pairs_and_frequencies() {
        let w_in = Array2::<f32>::zeros((5, 3));
        let w_out = Array2::<f32>::zeros((3, 4));
        let act = Activation::Relu;
        assert!(matches!(
            progress_measures(w_in.view(), w_out.view(), act, &[1], &[(0, 1)]),
            Err(AnalysisError::Shape(_))
        ));
        let w_out = Array2::<f32>::zeros((3, 5));
        assert!(matches!(
            progress_measures(w_in.view(), w_out.view(), act, &[3], &[(0, 1)]),
            Err(AnalysisError::OutOfRange(_))
        ));
        assert!(matches!(
            progress_measures(w_in.view(), w_out.view(), act, &[1], &[(0, 5)]),
            Err(AnalysisError::OutOfRange(_))
        ));
        assert!(matches!(
            masked_logits(w_in.view(), w_out.view(), act, &[3], 0, 0),
            Err(AnalysisError::OutOfRange(_))
        ));
    }
}
