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

/// exp(x) for f32, relative error below 3e-7 + 1e-7·|x|, written without branches so the loop that
/// calls it vectorises (libm's `expf` does not, and softmax over 911×67 logits per step
/// would otherwise cost as much as all the matrix products).
#[inline(always)]
pub fn fast_exp(x: f32) -> f32 {
    // exp(x) = 2^(x·log2 e) = 2^n · 2^f, n integer, f in [-0.5, 0.5].
    let x = x.clamp(-87.0, 88.0);
    let t = x * std::f32::consts::LOG2_E;
    // Round to nearest by the 1.5·2^23 trick (plain SSE2; `round` would call libm).
    const MAGIC: f32 = 12_582_912.0;
    let r = t + MAGIC;
    let n = r - MAGIC;
    // The integer n sits in r's low mantissa bits; reading it there avoids a float→int
    // `as` cast, whose saturating semantics would stop the loop from vectorising.
    let n_int = (r.to_bits() as i32).wrapping_sub(MAGIC.to_bits() as i32);
    let f = t - n;
    // Taylor polynomial of 2^f = e^(f ln 2), degree 6: truncation error below 1.3e-7.
    // Plain multiply-adds: `mul_add` is a libm call unless FMA is enabled at compile time.
    let p = 1.540_353e-4_f32;
    let p = p * f + 1.333_355_8e-3;
    let p = p * f + 9.618_129e-3;
    let p = p * f + 5.550_411e-2;
    let p = p * f + 2.402_265e-1;
    let p = p * f + 6.931_472e-1;
    let p = p * f + 1.0;
    let bits = ((n_int + 127) as u32) << 23;
    p * f32::from_bits(bits)
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
        // The reduction t = x·log2(e) is rounded to f32, so the error grows with |x|: about
        // 1e-7·|x| on top of the polynomial's 1.3e-7 (softmax arguments are logit − max ≤ 0,
        // mostly small).
        let mut x = -80.0f32;
        while x < 80.0 {
            let exact = (x as f64).exp();
            let rel = ((fast_exp(x) as f64 - exact) / exact).abs();
            let bound = 3e-7 + 1e-7 * x.abs() as f64;
            assert!(rel < bound, "exp({x}): relative error {rel} above {bound}");
            x += 0.0137;
        }
        assert_eq!(fast_exp(0.0), 1.0);
        assert!(fast_exp(-1000.0) >= 0.0 && fast_exp(-1000.0) < 1e-37);
    }
}
