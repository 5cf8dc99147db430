//! Kernels of the loss: softmax cross-entropy over P classes and the binary logistic loss,
//! and the elementwise AdamW update. Both the softmax and AdamW are plain scalar code
//! (with `mul_add` in the exponential) compiled twice, for the baseline target and for
//! AVX2+FMA: Rust neither fuses nor reorders floating point, so the two builds give the
//! same bits and the faster one is taken when the active kernel is a vector one. (The
//! training step's own softmax runs inside the fused step, `fused.rs`.)

use super::linalg::fast_exp;
#[cfg(target_arch = "x86_64")]
use super::simd::Kernel;

/// Whether the AVX2+FMA builds of the loss and AdamW may run: the active kernel is a
/// vector kernel of this x86 CPU (so `GROKSCOPE_KERNEL=portable` runs the baseline builds).
#[cfg(target_arch = "x86_64")]
fn vector_builds() -> bool {
    matches!(Kernel::active(), Kernel::Avx512 | Kernel::Avx2)
}

/// Loss sum and correct count of one batch.
#[derive(Clone, Copy, Debug, Default)]
pub struct RowStats {
    /// Σ over examples of −log p(label), in f64.
    pub nll_sum: f64,
    /// Examples whose label logit is strictly the largest.
    pub correct: usize,
}

/// Examples processed together: two AVX registers of f32, one 64-byte cache line.
const BLOCK: usize = 16;

/// Softmax cross-entropy for the examples i0..i0+W of `logits_t` ([classes × n], row-major:
/// row c holds class c's logit for every example). The W running maxima, sums and tie counts
/// stay in registers while the loop walks down the classes, so nothing but the logits
/// themselves touches memory.
#[inline(always)]
fn softmax_block<const W: usize>(
    logits_t: &mut [f32],
    n: usize,
    i0: usize,
    labels: &[u32],
    grad_scale: Option<f32>,
    stats: &mut RowStats,
) {
    let classes = logits_t.len() / n;
    let mut max = [f32::NEG_INFINITY; W];
    for c in 0..classes {
        let x = &logits_t[c * n + i0..][..W];
        for k in 0..W {
            max[k] = max[k].max(x[k]);
        }
    }
    let mut ly = [0.0f32; W];
    for k in 0..W {
        ly[k] = logits_t[labels[i0 + k] as usize * n + i0 + k];
    }
    // Ties with the maximum only matter for accuracy, which the training step ignores.
    let mut ties = [0.0f32; W];
    if grad_scale.is_none() {
        for c in 0..classes {
            let x = &logits_t[c * n + i0..][..W];
            for k in 0..W {
                ties[k] += if x[k] == max[k] { 1.0 } else { 0.0 };
            }
        }
    }
    // The sum of exponentials is kept as (count of exact 1s) + (the rest): the terms equal
    // to 1 are the maxima, and adding the tiny others to them one by one in f32 would round
    // them away once the model fits (train loss near 1e-7). Kept apart, `small` holds
    // δ = sum − 1 to full precision, so the label's gradient p_y − 1 = −δ/(1 + δ) and the
    // loss ln(1 + δ) stay accurate instead of collapsing to 0.
    let mut ones = [0.0f32; W];
    let mut small = [0.0f32; W];
    for c in 0..classes {
        let x = &mut logits_t[c * n + i0..][..W];
        for k in 0..W {
            let e = fast_exp(x[k] - max[k]);
            x[k] = e;
            let one = e == 1.0;
            ones[k] += if one { 1.0 } else { 0.0 };
            small[k] += if one { 0.0 } else { e };
        }
    }
    // Σ ln(sum) as ln(Π sum) in f64: each sum lies in [1, classes], so a product of 16
    // stays finite for any class count this program accepts, keeps δ ≈ 1e-7 terms, and one
    // logarithm per block replaces sixteen scalar libm calls.
    let mut prod = 1.0f64;
    let mut margin = 0.0f32;
    for k in 0..W {
        if grad_scale.is_none() && ly[k] == max[k] && ties[k] == 1.0 {
            stats.correct += 1;
        }
        prod *= ones[k] as f64 + small[k] as f64;
        margin += max[k] - ly[k];
    }
    stats.nll_sum += prod.ln() + margin as f64;
    if let Some(scale) = grad_scale {
        label_gradients::<W>(logits_t, n, i0, labels, scale, &ones, &small);
    }
}

/// Overwrite the exponentials of examples i0..i0+W with scale·(softmax − onehot), given the
/// split sums (see `softmax_block`).
#[inline(always)]
fn label_gradients<const W: usize>(
    logits_t: &mut [f32],
    n: usize,
    i0: usize,
    labels: &[u32],
    scale: f32,
    ones: &[f32],
    small: &[f32],
) {
    let classes = logits_t.len() / n;
    let mut inv = [0.0f32; W];
    for k in 0..W {
        inv[k] = scale / (ones[k] + small[k]);
    }
    for c in 0..classes {
        let x = &mut logits_t[c * n + i0..][..W];
        for k in 0..W {
            x[k] *= inv[k];
        }
    }
    for k in 0..W {
        let at = labels[i0 + k] as usize * n + i0 + k;
        fix_label(&mut logits_t[at], inv[k], scale, ones[k], small[k]);
    }
}

/// Turn the label's scaled exponential x = e_y·scale/sum into scale·(p_y − 1). When the
/// label is a maximum (e_y = 1, so x = inv), p_y − 1 = (1 − ones − δ)/sum is computed from
/// δ directly rather than as the difference of two nearly equal numbers.
#[inline(always)]
fn fix_label(x: &mut f32, inv: f32, scale: f32, ones: f32, small: f32) {
    if *x == inv {
        *x = scale * ((1.0 - ones) - small) / (ones + small);
    } else {
        *x -= scale;
    }
}

#[inline(always)]
fn softmax_xent_impl(
    logits_t: &mut [f32],
    n: usize,
    labels: &[u32],
    grad_scale: Option<f32>,
) -> RowStats {
    let mut stats = RowStats::default();
    let full = n / BLOCK * BLOCK;
    for i0 in (0..full).step_by(BLOCK) {
        softmax_block::<BLOCK>(logits_t, n, i0, labels, grad_scale, &mut stats);
    }
    for i0 in full..n {
        softmax_block::<1>(logits_t, n, i0, labels, grad_scale, &mut stats);
    }
    stats
}

/// The same, compiled for AVX2+FMA. Training takes the fused step (`fused.rs`) except for
/// the untied in-proj variants, so scoring (the evaluation passes) is what mostly runs here.
///
/// # Safety
/// The CPU must have AVX2 and FMA ([`vector_builds`]).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn softmax_xent_avx2(
    logits_t: &mut [f32],
    n: usize,
    labels: &[u32],
    grad_scale: Option<f32>,
) -> RowStats {
    softmax_xent_impl(logits_t, n, labels, grad_scale)
}

/// For each example (a column of `logits_t`, [classes × n]): accumulate the negative log
/// likelihood of its label. Without `grad_scale`, count strict-argmax hits (the column holds
/// exp(logit − max) afterwards); with `grad_scale = Some(s)` the column is overwritten by
/// s·(softmax − onehot), the gradient of s·Σ nll, and no hits are counted.
pub fn softmax_xent(
    logits_t: &mut [f32],
    n: usize,
    labels: &[u32],
    grad_scale: Option<f32>,
) -> RowStats {
    assert_eq!(labels.len(), n);
    assert!(n > 0 && logits_t.len().is_multiple_of(n));
    assert!(labels.iter().all(|&y| (y as usize) < logits_t.len() / n));
    #[cfg(target_arch = "x86_64")]
    if vector_builds() {
        // SAFETY: the CPU supports the features the functions were compiled for, and the
        // shapes were checked above.
        return unsafe { softmax_xent_avx2(logits_t, n, labels, grad_scale) };
    }
    softmax_xent_impl(logits_t, n, labels, grad_scale)
}

/// Binary cross-entropy with logits z against 0/1 labels: Σ softplus(z) − y·z, and the
/// count of rows with (z > 0) == (y == 1). With `grad_scale = Some(s)`, `z` is overwritten by
/// s·(σ(z) − y).
pub fn logistic(z: &mut [f32], labels: &[f32], grad_scale: Option<f32>) -> RowStats {
    let mut stats = RowStats::default();
    for (zi, &y) in z.iter_mut().zip(labels) {
        let x = *zi as f64;
        // softplus(x) = max(x, 0) + ln(1 + e^−|x|), stable for large |x|
        let softplus = x.max(0.0) + (-x.abs()).exp().ln_1p();
        stats.nll_sum += softplus - y as f64 * x;
        if (x > 0.0) == (y > 0.5) {
            stats.correct += 1;
        }
        if let Some(s) = grad_scale {
            let sig = 1.0 / (1.0 + (-x).exp());
            *zi = (s as f64 * (sig - y as f64)) as f32;
        }
    }
    stats
}

/// The coefficients of one AdamW step (see `optim.rs`).
pub(crate) struct AdamCoeffs {
    pub b1: f32,
    pub b2: f32,
    pub lr: f32,
    pub eps: f32,
    pub l1_wd: f32,
    pub l2_wd: f32,
    pub inv_bc1: f32,
    pub inv_bc2: f32,
}

#[inline(always)]
fn adamw_impl(k: &AdamCoeffs, w: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32]) {
    let n = w.len();
    let (g, m, v) = (&g[..n], &mut m[..n], &mut v[..n]);
    // Two loops rather than one with a runtime switch, so L2 runs carry no sign term.
    if k.l1_wd != 0.0 {
        for j in 0..n {
            let x = w[j];
            // sign(0) = 0, as jnp.sign
            let sign = if x > 0.0 {
                1.0
            } else if x < 0.0 {
                -1.0
            } else {
                0.0
            };
            let gj = g[j] + k.l1_wd * sign;
            let mj = k.b1 * m[j] + (1.0 - k.b1) * gj;
            let vj = k.b2 * v[j] + (1.0 - k.b2) * gj * gj;
            m[j] = mj;
            v[j] = vj;
            w[j] = x - k.lr * ((mj * k.inv_bc1) / ((vj * k.inv_bc2).sqrt() + k.eps));
        }
    } else {
        for j in 0..n {
            let x = w[j];
            let gj = g[j];
            let mj = k.b1 * m[j] + (1.0 - k.b1) * gj;
            let vj = k.b2 * v[j] + (1.0 - k.b2) * gj * gj;
            m[j] = mj;
            v[j] = vj;
            let upd = (mj * k.inv_bc1) / ((vj * k.inv_bc2).sqrt() + k.eps);
            w[j] = x - k.lr * (upd + k.l2_wd * x);
        }
    }
}

/// The same, compiled for AVX2+FMA.
///
/// # Safety
/// The CPU must have AVX2 and FMA ([`vector_builds`]).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn adamw_avx2(k: &AdamCoeffs, w: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32]) {
    adamw_impl(k, w, g, m, v)
}

/// The same, compiled for AVX-512 (16 lanes: the update is a tenth of a mod-add step).
///
/// # Safety
/// The CPU must have AVX-512F, AVX2 and FMA (the active kernel is [`Kernel::Avx512`]).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
unsafe fn adamw_avx512(k: &AdamCoeffs, w: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32]) {
    adamw_impl(k, w, g, m, v)
}

/// The elementwise AdamW update of one tensor `w` from its gradient `g` and moments `m`,
/// `v` (all of `w`'s length).
pub(crate) fn adamw(k: &AdamCoeffs, w: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if Kernel::active() == Kernel::Avx512 {
        // SAFETY: the active kernel was checked against this CPU's features.
        return unsafe { adamw_avx512(k, w, g, m, v) };
    }
    #[cfg(target_arch = "x86_64")]
    if vector_builds() {
        // SAFETY: the CPU supports the features the function was compiled for.
        return unsafe { adamw_avx2(k, w, g, m, v) };
    }
    adamw_impl(k, w, g, m, v)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Transpose [rows × classes] into the kernel's [classes × rows] layout.
    fn to_cols(rowmajor: &[f32], rows: usize, classes: usize) -> Vec<f32> {
        let mut t = vec![0.0; rows * classes];
        for r in 0..rows {
            for c in 0..classes {
                t[c * rows + r] = rowmajor[r * classes + c];
            }
        }
        t
    }

    #[test]
    fn softmax_xent_matches_a_direct_computation() {
        let classes = 13;
        // 77 examples: two 32-wide SIMD groups and a 13-example tail.
        let rows = 77;
        let orig: Vec<f32> = (0..rows * classes)
            .map(|i| ((i * 7919) % 23) as f32 * 0.37 - 3.0)
            .collect();
        let labels: Vec<u32> = (0..rows as u32).map(|r| (r * 5) % classes as u32).collect();
        let mut logits = to_cols(&orig, rows, classes);
        let scored = softmax_xent(&mut logits, rows, &labels, None);
        let mut logits = to_cols(&orig, rows, classes);
        let stats = softmax_xent(&mut logits, rows, &labels, Some(0.5));
        let mut nll = 0.0f64;
        let mut correct = 0;
        for r in 0..rows {
            let row = &orig[r * classes..(r + 1) * classes];
            let m = row
                .iter()
                .cloned()
                .fold(f64::NEG_INFINITY, |a, b| a.max(b as f64));
            let z: f64 = row.iter().map(|&x| (x as f64 - m).exp()).sum();
            let y = labels[r] as usize;
            nll += z.ln() + m - row[y] as f64;
            if row[y] as f64 == m && row.iter().filter(|&&x| x as f64 == m).count() == 1 {
                correct += 1;
            }
            for c in 0..classes {
                let p = (row[c] as f64 - m).exp() / z;
                let g = 0.5 * (p - if c == y { 1.0 } else { 0.0 });
                assert!((logits[c * rows + r] as f64 - g).abs() < 1e-6);
            }
        }
        assert!((stats.nll_sum - nll).abs() < 1e-5 * nll.abs().max(1.0));
        assert!((scored.nll_sum - nll).abs() < 1e-5 * nll.abs().max(1.0));
        assert_eq!(scored.correct, correct);
        assert_eq!(stats.correct, 0, "the gradient pass does not count hits");
        assert!(
            correct > 0 && correct < rows,
            "the data should mix hits and misses"
        );
    }

    #[test]
    fn a_fitted_example_keeps_its_tiny_gradients_consistent() {
        // The label leads every other class by 20: the others' probabilities (~2e-9 each)
        // are far below f32's resolution next to 1. The label's gradient must still be
        // −Σ(others), so each example's gradient sums to ~0, and the loss must not be 0.
        let classes = 67;
        for rows in [3usize, 40] {
            let orig: Vec<f32> = (0..rows * classes)
                .map(|i| {
                    if i % classes == 5 {
                        20.0
                    } else {
                        (i % 7) as f32 * 0.01
                    }
                })
                .collect();
            let mut logits = to_cols(&orig, rows, classes);
            let labels = vec![5u32; rows];
            let stats = softmax_xent(&mut logits, rows, &labels, Some(1.0));
            let mut expect_nll = 0.0f64;
            for r in 0..rows {
                let others: f64 = (0..classes)
                    .filter(|&c| c != 5)
                    .map(|c| logits[c * rows + r] as f64)
                    .sum();
                let label = logits[5 * rows + r] as f64;
                assert!(others > 1e-7, "others {others}");
                assert!(
                    (label + others).abs() < 1e-3 * others,
                    "rows {rows}: label gradient {label} vs others {others}"
                );
                expect_nll += others.ln_1p();
            }
            assert!(
                (stats.nll_sum - expect_nll).abs() < 1e-3 * expect_nll,
                "{} vs {expect_nll}",
                stats.nll_sum
            );
        }
    }

    #[test]
    fn strict_argmax_counts_ties_as_wrong() {
        let rows = [1.0, 1.0, 0.0, /* row 2 */ 0.0, 2.0, 1.0];
        let mut logits = to_cols(&rows, 2, 3);
        let stats = softmax_xent(&mut logits, 2, &[0, 1], None);
        assert_eq!(stats.correct, 1);
    }

    #[test]
    fn logistic_loss_known_values() {
        let mut z = vec![0.0f32, 30.0, -30.0];
        let stats = logistic(&mut z, &[1.0, 1.0, 1.0], Some(1.0));
        // ln 2 + ~0 + 30
        assert!((stats.nll_sum - (std::f64::consts::LN_2 + 30.0)).abs() < 1e-6);
        assert_eq!(stats.correct, 1);
        assert!((z[0] + 0.5).abs() < 1e-7);
    }
}
