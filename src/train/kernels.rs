//! Row kernels of the loss: softmax cross-entropy over P classes and the binary logistic
//! loss. Written in fixed-width lanes so the compiler vectorises them, and compiled twice —
//! for the baseline target and for AVX2+FMA, picked at run time.

use super::linalg::fast_exp;

const LANES: usize = 8;

/// Loss sum and correct count of one batch.
#[derive(Clone, Copy, Debug, Default)]
pub struct RowStats {
    /// Σ over rows of −log softmax(row)[y], in f64.
    pub nll_sum: f64,
    /// Rows whose label logit is strictly the largest.
    pub correct: usize,
}

#[inline(always)]
fn row_max(row: &[f32]) -> f32 {
    let mut lanes = [f32::NEG_INFINITY; LANES];
    let chunks = row.chunks_exact(LANES);
    let rest = chunks.remainder();
    for c in chunks {
        for i in 0..LANES {
            lanes[i] = if c[i] > lanes[i] { c[i] } else { lanes[i] };
        }
    }
    let mut m = f32::NEG_INFINITY;
    for &x in lanes.iter().chain(rest) {
        m = if x > m { x } else { m };
    }
    m
}

/// exp(x − shift) in place; returns the sum.
#[inline(always)]
fn exp_shift_sum(row: &mut [f32], shift: f32) -> f32 {
    let mut lanes = [0.0f32; LANES];
    let mut chunks = row.chunks_exact_mut(LANES);
    for c in &mut chunks {
        for i in 0..LANES {
            let e = fast_exp(c[i] - shift);
            c[i] = e;
            lanes[i] += e;
        }
    }
    let mut s = 0.0;
    for x in chunks.into_remainder() {
        *x = fast_exp(*x - shift);
        s += *x;
    }
    s + lanes.iter().sum::<f32>()
}

#[inline(always)]
fn softmax_xent_impl(
    logits: &mut [f32],
    classes: usize,
    labels: &[u32],
    grad_scale: Option<f32>,
) -> RowStats {
    let mut stats = RowStats::default();
    for (row, &y) in logits.chunks_exact_mut(classes).zip(labels) {
        let y = y as usize;
        let m = row_max(row);
        let ly = row[y];
        if ly >= m && row.iter().filter(|&&x| x == m).count() == 1 {
            stats.correct += 1;
        }
        let sum = exp_shift_sum(row, m);
        stats.nll_sum += (sum as f64).ln() + (m - ly) as f64;
        if let Some(scale) = grad_scale {
            // d loss / d logit = (softmax − onehot) · scale
            let k = scale / sum;
            for x in row.iter_mut() {
                *x *= k;
            }
            row[y] -= scale;
        }
    }
    stats
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn softmax_xent_avx2(
    logits: &mut [f32],
    classes: usize,
    labels: &[u32],
    grad_scale: Option<f32>,
) -> RowStats {
    softmax_xent_impl(logits, classes, labels, grad_scale)
}

/// For each row of `logits` ([rows × classes], row-major): accumulate the negative log
/// likelihood of `labels` and count strict-argmax hits. With `grad_scale = Some(s)` the row
/// is overwritten by s·(softmax − onehot), the gradient of s·Σ nll; otherwise the row holds
/// unnormalised exponentials afterwards.
pub fn softmax_xent(
    logits: &mut [f32],
    classes: usize,
    labels: &[u32],
    grad_scale: Option<f32>,
) -> RowStats {
    debug_assert_eq!(logits.len(), classes * labels.len());
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
    {
        // SAFETY: the CPU supports the features the function was compiled for.
        return unsafe { softmax_xent_avx2(logits, classes, labels, grad_scale) };
    }
    softmax_xent_impl(logits, classes, labels, grad_scale)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softmax_xent_matches_a_direct_computation() {
        let classes = 13;
        let rows = 5;
        let mut logits: Vec<f32> = (0..rows * classes)
            .map(|i| ((i * 7919) % 23) as f32 * 0.37 - 3.0)
            .collect();
        let labels: Vec<u32> = (0..rows as u32).map(|r| (r * 5) % classes as u32).collect();
        let orig = logits.clone();
        let stats = softmax_xent(&mut logits, classes, &labels, Some(0.5));
        let mut nll = 0.0f64;
        for r in 0..rows {
            let row = &orig[r * classes..(r + 1) * classes];
            let m = row.iter().cloned().fold(f64::NEG_INFINITY, |a, b| a.max(b as f64));
            let z: f64 = row.iter().map(|&x| (x as f64 - m).exp()).sum();
            let y = labels[r] as usize;
            nll += z.ln() + m - row[y] as f64;
            for c in 0..classes {
                let p = (row[c] as f64 - m).exp() / z;
                let g = 0.5 * (p - if c == y { 1.0 } else { 0.0 });
                assert!((logits[r * classes + c] as f64 - g).abs() < 1e-6);
            }
        }
        assert!((stats.nll_sum - nll).abs() < 1e-5 * nll.abs().max(1.0));
    }

    #[test]
    fn strict_argmax_counts_ties_as_wrong() {
        let mut logits = vec![1.0, 1.0, 0.0, /* row 2 */ 0.0, 2.0, 1.0];
        let stats = softmax_xent(&mut logits, 3, &[0, 1], None);
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
