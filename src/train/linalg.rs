//! Matrix products on ndarray views through the `gemm` crate (runtime-dispatched SIMD
//! kernels; any strides, so transposed views cost nothing), plus vectorised elementwise
//! kernels the step needs.

use gemm::Parallelism;
use ndarray::{ArrayView2, ArrayViewMut2};

/// How many threads one product may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Threads(pub usize);

impl Threads {
    fn parallelism(self, flops: usize) -> Parallelism {
        // Below ~1 MFLOP the fork/join costs more than it saves.
        if self.0 <= 1 || flops < 1_000_000 {
            Parallelism::None
        } else {
            Parallelism::Rayon(self.0)
        }
    }
}

/// `dst = a · b`, or `dst += a · b` when `accumulate`.
///
/// Panics if the shapes do not chain; every call site passes buffers whose shapes are fixed
/// when the model is built.
pub fn matmul(
    mut dst: ArrayViewMut2<'_, f32>,
    a: ArrayView2<'_, f32>,
    b: ArrayView2<'_, f32>,
    accumulate: bool,
    threads: Threads,
) {
    let (m, k) = a.dim();
    let (k2, n) = b.dim();
    assert_eq!(k, k2, "inner dimensions differ");
    assert_eq!(dst.dim(), (m, n), "output shape mismatch");
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if !accumulate {
            dst.fill(0.0);
        }
        return;
    }
    let (ds, as_, bs) = (dst.strides(), a.strides(), b.strides());
    let (d_rs, d_cs) = (ds[0], ds[1]);
    let (a_rs, a_cs) = (as_[0], as_[1]);
    let (b_rs, b_cs) = (bs[0], bs[1]);
    let par = threads.parallelism(2 * m * n * k);
    // SAFETY: the three views are valid for their shapes and strides, `dst` is borrowed
    // mutably so it cannot alias `a` or `b`, and the dimensions were checked above.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.as_mut_ptr(),
            d_cs,
            d_rs,
            accumulate,
            a.as_ptr(),
            a_cs,
            a_rs,
            b.as_ptr(),
            b_cs,
            b_rs,
            1.0,
            1.0,
            false,
            false,
            false,
            par,
        );
    }
}

/// Round-to-nearest constant: 1.5·2²³. For |t| < 2²², t + ROUND has ulp 1, so its low
/// mantissa bits hold round(t) and (t + ROUND) − ROUND is round(t) as a float.
pub(crate) const EXP_ROUND: f32 = 12_582_912.0;
/// ln 2 split in two (Cody–Waite), so n·LN2_HI is exact for the n that occur.
pub(crate) const EXP_LN2_HI: f32 = 0.693_145_75;
pub(crate) const EXP_LN2_LO: f32 = 1.428_606_8e-6;
/// Taylor coefficients 1/k! of eʳ for k = 2..=6 (those of r⁰ and r¹ are 1).
pub(crate) const EXP_TAYLOR: [f32; 5] =
    [1.0 / 2.0, 1.0 / 6.0, 1.0 / 24.0, 1.0 / 120.0, 1.0 / 720.0];

/// eˣ in f32 for x in [−87, 88] (clamped outside), relative error below 1e-6, written
/// without branches or float→int casts so the loops that call it vectorise (libm's `expf`
/// is a call per element). x = n·ln 2 + r with n = round(x·log₂e) and |r| ≤ ln 2 / 2 reduced
/// in two steps (Cody–Waite), eʳ by its degree-6 Taylor polynomial (truncation < 1.3e-7) in
/// Estrin's form, 2ⁿ written straight into the exponent bits. Estrin's form,
/// (1 + r) + r²(c₂ + c₃r) + r⁴((c₄ + c₅r) + r²c₆), has a dependency chain of four
/// multiply-adds where Horner's rule has seven, so more of the softmax's exp loop overlaps
/// (the fused step went from 155 to 151 µs). The AVX2 kernel evaluates the same steps with
/// the same constants.
#[inline(always)]
pub fn fast_exp(x: f32) -> f32 {
    let x = x.clamp(-87.0, 88.0);
    let t = x * std::f32::consts::LOG2_E + EXP_ROUND;
    let n = t - EXP_ROUND;
    let r = (x - n * EXP_LN2_HI) - n * EXP_LN2_LO;
    // Plain multiply-adds: `mul_add` is a libm call unless FMA is enabled at compile time.
    let [c2, c3, c4, c5, c6] = EXP_TAYLOR;
    let r2 = r * r;
    let p = (1.0 + r) + r2 * (c2 + c3 * r) + (r2 * r2) * ((c4 + c5 * r) + r2 * c6);
    // Biased exponent 127 + n, in wrapping integer ops on t's bits.
    let biased = t
        .to_bits()
        .wrapping_sub(EXP_ROUND.to_bits())
        .wrapping_add(127);
    p * f32::from_bits(biased << 23)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    fn naive(a: &Array2<f32>, b: &Array2<f32>) -> Array2<f32> {
        let mut c = Array2::zeros((a.nrows(), b.ncols()));
        for i in 0..a.nrows() {
            for j in 0..b.ncols() {
                let mut s = 0.0f64;
                for k in 0..a.ncols() {
                    s += a[[i, k]] as f64 * b[[k, j]] as f64;
                }
                c[[i, j]] = s as f32;
            }
        }
        c
    }

    #[test]
    fn matmul_matches_naive_with_transposed_views_and_accumulation() {
        let a = Array2::from_shape_fn((7, 5), |(i, j)| (i as f32 * 0.3 - j as f32 * 0.7).sin());
        let b = Array2::from_shape_fn((9, 5), |(i, j)| (i as f32 * 0.11 + j as f32).cos());
        let bt = b.t();
        let expect = naive(&a, &bt.to_owned());
        let mut c = Array2::<f32>::from_elem((7, 9), 5.0);
        matmul(c.view_mut(), a.view(), bt, false, Threads(1));
        assert!((&c - &expect).iter().all(|d| d.abs() < 1e-5));
        matmul(c.view_mut(), a.view(), bt, true, Threads(1));
        assert!((&c - &(&expect * 2.0)).iter().all(|d| d.abs() < 1e-5));
        // Into a column slice of a wider matrix.
        let mut wide = Array2::<f32>::zeros((7, 20));
        matmul(
            wide.slice_mut(ndarray::s![.., 3..12]),
            a.view(),
            bt,
            false,
            Threads(2),
        );
        assert!(
            (&wide.slice(ndarray::s![.., 3..12]) - &expect)
                .iter()
                .all(|d| d.abs() < 1e-5)
        );
        assert_eq!(wide.slice(ndarray::s![.., ..3]).sum(), 0.0);
    }

    #[test]
    fn fast_exp_is_accurate() {
        let mut x = -87.0f32;
        while x < 88.0 {
            let exact = (x as f64).exp();
            let rel = ((fast_exp(x) as f64 - exact) / exact).abs();
            assert!(rel < 1e-6, "exp({x}): relative error {rel}");
            x += 0.0137;
        }
        assert_eq!(fast_exp(0.0), 1.0);
        assert!(fast_exp(-1000.0) >= 0.0 && fast_exp(-1000.0) < 1e-37);
    }
}
