//! Matrix products on ndarray views, in the step's one arithmetic (see [`super::simd`]):
//! each output element one chain of FMAs over the inner index in increasing order, so the
//! result is the same on every kernel. Also the exponential the softmax uses.

use super::simd::{self, Edge, Job, Kernel, Lanes, Tiling};
use super::team::{self, Team};
use ndarray::{ArrayView2, ArrayViewMut2, Axis, s};
use std::cell::RefCell;

/// How many threads a run may use: its products and optimiser update are shared among a
/// team of this size (`train/team.rs`; products through `linalg::matmul_on`). `--threads` never changes a result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Threads(pub usize);

thread_local! {
    /// b packed row-major where it is not already, and the product where its destination
    /// is not row-major: grown to the largest product a thread has seen, then reused.
    static SCRATCH: RefCell<(Vec<f32>, Vec<f32>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

/// The largest tile of a product (rows, vectors) for a kernel: as many accumulators as
/// its registers hold with room for the b vectors and a broadcast.
fn tile_shape(kernel: Kernel) -> (usize, usize) {
    match kernel {
        Kernel::Avx512 | Kernel::Neon => (6, 4),
        Kernel::Avx2 => (6, 2),
        Kernel::Portable => (4, 4),
    }
}

/// A view's strides as non-negative numbers (the engine never reverses an axis).
fn strides(v: &[isize]) -> (usize, usize) {
    assert!(v[0] >= 0 && v[1] >= 0, "negative strides");
    (v[0] as usize, v[1] as usize)
}

/// `b` row-major into `out` ([k × n]). A transposed view (rows contiguous down a column)
/// moves in 8 × 8 tiles through the kernel's transposition; the edges and any other
/// strides element by element.
fn pack(b: ArrayView2<'_, f32>, out: &mut Vec<f32>, kernel: Kernel) {
    let (k, n) = b.dim();
    out.clear();
    out.resize(k * n, 0.0);
    let (rs, cs) = strides(b.strides());
    let (k8, n8) = if rs == 1 {
        (k / 8 * 8, n / 8 * 8)
    } else {
        (0, 0)
    };
    if k8 > 0 && n8 > 0 {
        let job = PackTiles {
            src: b.as_ptr(),
            cs,
            k8,
            n8,
            out: out.as_mut_ptr(),
            n,
        };
        simd::dispatch(kernel, job);
    }
    let src = b.as_ptr();
    for i in 0..k {
        // Columns the tiles did not cover: all of them in rows k8.., the last n − n8 above.
        let from = if i < k8 { n8 } else { 0 };
        for j in from..n {
            // SAFETY: i < k and j < n index an element of the view.
            out[i * n + j] = unsafe { *src.add(i * rs + j * cs) };
        }
    }
}

/// The 8 × 8 tiles of a transposed view's packing (see [`pack`]).
struct PackTiles {
    src: *const f32,
    cs: usize,
    k8: usize,
    n8: usize,
    out: *mut f32,
    n: usize,
}

impl Job for PackTiles {
    type Out = ();
    #[inline(always)]
    fn run<S: Lanes>(self, s: S) {
        for j in (0..self.n8).step_by(8) {
            for i in (0..self.k8).step_by(8) {
                // SAFETY: b[i.., j..] is src[i + j·cs] (rows contiguous), so the source
                // tile is 8 rows (stride cs) of 8 floats inside the view, and the target
                // rows i..i+8, columns j..j+8 of the [k × n] buffer.
                unsafe {
                    s.transpose8(
                        self.src.add(j * self.cs + i),
                        self.cs,
                        self.out.add(i * self.n + j),
                        self.n,
                    );
                }
            }
        }
    }
}

/// `dst = a · b`, or `dst += a · b` when `accumulate` (the sums continue from dst's
/// values): dst[i, j] = fma(a[i, K−1], b[K−1, j], … fma(a[i, 0], b[0, j], dst₀[i, j])),
/// where dst₀ is 0 or dst.
///
/// Panics if the shapes do not chain; every call site passes buffers whose shapes are fixed
/// when the model is built.
pub fn matmul(
    mut dst: ArrayViewMut2<'_, f32>,
    a: ArrayView2<'_, f32>,
    b: ArrayView2<'_, f32>,
    accumulate: bool,
    kernel: Kernel,
) {
    let (m, k) = a.dim();
    let (k2, n) = b.dim();
    assert_eq!(k, k2, "inner dimensions differ");
    assert_eq!(dst.dim(), (m, n), "output shape mismatch");
    if m == 0 || n == 0 {
        return;
    }
    SCRATCH.with(|cell| {
        let (pb, pc) = &mut *cell.borrow_mut();
        // b in place where its rows are contiguous, else packed.
        let (b_ptr, bi) = match strides(b.strides()) {
            (rs, 1) => (b.as_ptr(), rs),
            _ => {
                pack(b, pb, kernel);
                (pb.as_ptr(), n)
            }
        };
        // The output in place where its rows are contiguous, else through `pc`.
        let direct = dst.strides()[1] == 1 && dst.strides()[0] >= 0;
        let (out, stride) = if direct {
            (dst.as_mut_ptr(), dst.strides()[0] as usize)
        } else {
            pc.clear();
            pc.resize(m * n, 0.0);
            if accumulate {
                for (row, src) in pc.chunks_exact_mut(n).zip(dst.rows()) {
                    row.iter_mut().zip(src).for_each(|(d, &x)| *d = x);
                }
            }
            (pc.as_mut_ptr(), n)
        };
        let (ar, ai) = strides(a.strides());
        let (max_r, max_v) = tile_shape(kernel);
        let t = Tiling {
            rows: m,
            cols: n,
            max_r,
            max_v,
            a: a.as_ptr(),
            ar,
            ai,
            b: b_ptr,
            bi,
            n: k,
            edge: if accumulate {
                Edge::Continue { out, stride }
            } else {
                Edge::Store { out, stride }
            },
        };
        simd::dispatch(kernel, Product(&t));
        if !direct {
            for (mut row, src) in dst.rows_mut().into_iter().zip(pc.chunks_exact(n)) {
                row.iter_mut().zip(src).for_each(|(d, &x)| *d = x);
            }
        }
    });
}

/// Products smaller than this many multiply-adds stay on one thread: handing over a part
/// costs about as much as a few thousand of them.
const SHARED_WORK: usize = 1 << 16;

/// [`matmul`] shared among `team`'s members: the output cut along its longer side into one
/// part each (columns in whole 64-column tiles). Each output element is the same chain of
/// FMAs whichever member computes it, so the result is `matmul`'s, bit for bit.
pub fn matmul_on(
    team: &Team,
    dst: ArrayViewMut2<'_, f32>,
    a: ArrayView2<'_, f32>,
    b: ArrayView2<'_, f32>,
    accumulate: bool,
    kernel: Kernel,
) {
    let (m, n) = dst.dim();
    if team.size() == 1 || m * n * a.ncols() < SHARED_WORK {
        return matmul(dst, a, b, accumulate, kernel);
    }
    assert_eq!(a.nrows(), m, "output shape mismatch");
    assert_eq!(b.ncols(), n, "output shape mismatch");
    let by_columns = n >= m;
    let ranges = if by_columns {
        team::split(n, team.size(), 64)
    } else {
        team::split(m, team.size(), 1)
    };
    let mut parts = Vec::with_capacity(ranges.len());
    let mut rest = dst;
    let mut at = 0;
    for r in ranges {
        let axis = Axis(usize::from(by_columns));
        let (part, tail) = rest.split_at(axis, r.end - at);
        rest = tail;
        at = r.end;
        let (a, b) = if by_columns {
            (a, b.slice_move(s![.., r]))
        } else {
            (a.slice_move(s![r, ..]), b)
        };
        parts.push((part, a, b));
    }
    team.each(parts, &|(dst, a, b)| matmul(dst, a, b, accumulate, kernel));
}

/// A whole product as a [`Job`].
struct Product<'a>(&'a Tiling);

impl Job for Product<'_> {
    type Out = ();
    #[inline(always)]
    fn run<S: Lanes>(self, s: S) {
        // SAFETY: `matmul` built the tiling over a (m rows at its strides, k terms), b (k
        // rows of n at stride bi) and the output (m rows of n at its stride), none of
        // which alias: dst is borrowed mutably, the scratch buffers are the thread's own.
        unsafe { simd::run_tiles(s, self.0) }
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
/// without branches or float→int casts so the loops that call it vectorise. x = n·ln 2 + r
/// with n = round(x·log₂e) and |r| ≤ ln 2 / 2 reduced in two steps (Cody–Waite), eʳ by its
/// degree-6 Taylor polynomial (truncation < 1.3e-7) in Estrin's form, 2ⁿ written straight
/// into the exponent bits. Estrin's form, (1 + r) + r²(c₂ + c₃r) + r⁴((c₄ + c₅r) + r²c₆), has
/// a dependency chain of four multiply-adds where Horner's rule has seven. Every
/// multiply-add is a fused one (`mul_add`): part of the step's one arithmetic, it rounds
/// the same in the vector loops the kernels compile it into and in scalar code.
#[inline(always)]
pub fn fast_exp(x: f32) -> f32 {
    let x = x.clamp(-87.0, 88.0);
    let t = x.mul_add(std::f32::consts::LOG2_E, EXP_ROUND);
    let n = t - EXP_ROUND;
    let r = (-n).mul_add(EXP_LN2_LO, (-n).mul_add(EXP_LN2_HI, x));
    let [c2, c3, c4, c5, c6] = EXP_TAYLOR;
    let r2 = r * r;
    let lo = 1.0 + r;
    let mid = c3.mul_add(r, c2);
    let hi = r2.mul_add(c6, c5.mul_add(r, c4));
    let p = (r2 * r2).mul_add(hi, r2.mul_add(mid, lo));
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

    /// Shared among teams of every size, a product is `matmul`'s bit for bit: long and wide
    /// outputs (cut by rows and by columns), transposed operands (packed per part), a
    /// destination that is a column slice (not row-contiguous), and accumulation.
    #[test]
    fn shared_products_are_the_single_threaded_ones_bit_for_bit() {
        let teams = [Team::new(1), Team::new(2), Team::new(3)];
        let value = |i: usize, j: usize, salt: f32| ((i * 31 + j * 17) as f32 * 0.013 + salt).sin();
        for &(m, k, n) in &[
            (67, 500, 48),
            (500, 67, 48),
            (67, 48, 500),
            (5, 300, 90),
            (130, 9, 7),
        ] {
            let a = Array2::from_shape_fn((m, k), |(i, j)| value(i, j, 0.1));
            let at = Array2::from_shape_fn((k, m), |(i, j)| value(j, i, 0.1));
            let b = Array2::from_shape_fn((k, n), |(i, j)| value(i, j, 0.7));
            let bt = Array2::from_shape_fn((n, k), |(i, j)| value(j, i, 0.7));
            let start = Array2::from_shape_fn((m, n + 3), |(i, j)| value(i, j, 1.3));
            for accumulate in [false, true] {
                for transposed in [false, true] {
                    let (av, bv) = if transposed {
                        (at.t(), bt.t())
                    } else {
                        (a.view(), b.view())
                    };
                    let mut want = start.clone();
                    let dst = want.slice_mut(s![.., 1..n + 1]);
                    matmul(dst, av, bv, accumulate, Kernel::native());
                    for team in &teams {
                        let mut got = start.clone();
                        let dst = got.slice_mut(s![.., 1..n + 1]);
                        matmul_on(team, dst, av, bv, accumulate, Kernel::native());
                        let same = got
                            .iter()
                            .zip(&want)
                            .all(|(x, y)| x.to_bits() == y.to_bits());
                        assert!(
                            same,
                            "{m}×{k}·{k}×{n} on {team:?}, accumulate {accumulate}, transposed {transposed}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn matmul_matches_naive_with_transposed_views_and_accumulation() {
        let a = Array2::from_shape_fn((7, 5), |(i, j)| (i as f32 * 0.3 - j as f32 * 0.7).sin());
        let b = Array2::from_shape_fn((9, 5), |(i, j)| (i as f32 * 0.11 + j as f32).cos());
        let bt = b.t();
        let expect = naive(&a, &bt.to_owned());
        let mut c = Array2::<f32>::from_elem((7, 9), 5.0);
        matmul(c.view_mut(), a.view(), bt, false, Kernel::Portable);
        assert!((&c - &expect).iter().all(|d| d.abs() < 1e-5));
        matmul(c.view_mut(), a.view(), bt, true, Kernel::Portable);
        assert!((&c - &(&expect * 2.0)).iter().all(|d| d.abs() < 1e-5));
        // Into a column slice of a wider matrix.
        let mut wide = Array2::<f32>::zeros((7, 20));
        matmul(
            wide.slice_mut(ndarray::s![.., 3..12]),
            a.view(),
            bt,
            false,
            Kernel::Portable,
        );
        assert!(
            (&wide.slice(ndarray::s![.., 3..12]) - &expect)
                .iter()
                .all(|d| d.abs() < 1e-5)
        );
        assert_eq!(wide.slice(ndarray::s![.., ..3]).sum(), 0.0);
    }

    #[test]
    fn every_kernel_gives_the_same_bits_with_packed_and_partial_operands() {
        // b transposed (packed in 8 × 8 tiles plus ragged edges), n not a whole number of
        // vectors, a transposed too, and an accumulating destination.
        let a = Array2::from_shape_fn((19, 21), |(i, j)| ((i * 7 + j * 3) as f32 * 0.37).sin());
        let b = Array2::from_shape_fn((37, 21), |(i, j)| ((i * 5 + j * 11) as f32 * 0.23).cos());
        let expect = naive(&a, &b.t().to_owned());
        let runs: Vec<Array2<f32>> = Kernel::available_all()
            .into_iter()
            .map(|k| {
                let mut c = Array2::<f32>::from_elem((19, 37), 0.5);
                matmul(c.view_mut(), a.view(), b.t(), true, k);
                let mut ct = Array2::<f32>::zeros((37, 19));
                matmul(ct.view_mut(), b.view(), a.t(), false, k);
                assert!((&ct.t() - &(&c - 0.5)).iter().all(|d| d.abs() < 1e-5));
                c
            })
            .collect();
        assert!((&runs[0] - &(&expect + 0.5)).iter().all(|d| d.abs() < 1e-5));
        for r in &runs[1..] {
            assert!(
                r.iter()
                    .zip(&runs[0])
                    .all(|(x, y)| x.to_bits() == y.to_bits())
            );
        }
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
