//! The middle of a modular training step, fused over blocks of 32 training examples so that
//! everything between the gather and the scatter stays in L1.
//!
//! For one block (`k` an example of the block, `c` a class, `j` a hidden unit):
//!
//! ```text
//! pre[k, j]  = U[a_k, j] + U[b_k, j]          act = σ(pre)         [32 × H]
//! L[c, k]    = Σ_j Vt[c, j] · act[k, j]                            [P × 32]
//! dL         = scale · (softmax_c(L) − onehot(y))                  (in place)
//! dVt[c, j] += Σ_k dL[c, k] · act[k, j]                            [P × H]
//! dact[k, j] = Σ_c dL[c, k] · Vt[c, j]                             [32 × H]
//! dU[a_k] += dact ⊙ σ'(pre),  dU[b_k] += the same
//! ```
//!
//! Done as three whole-batch products, these were the three worst-shaped products of the
//! step: one side is only H = 24 wide, so a general-purpose gemm spends much of its time
//! packing operands and loading and storing accumulator tiles. Here each product is a
//! register-tiled AVX2 kernel (9 or 12 accumulators) on operands already in L1, and the
//! logits never leave L1 between the forward product, the softmax and the two backward
//! products. The whole-batch path in `model.rs` (gemm products and the column softmax) stays
//! as the portable path. Tests: below, against a plain f64 computation; in
//! `tests/gradients.rs`, against finite differences and against the portable path on the
//! same weights.
//!
//! The activation and its derivative are [`Activation::forward`] and
//! [`Activation::backward`] over a whole block, compiled here for AVX2.

use super::Activation;
use super::kernels::{self, RowStats, avx2_fma};
use super::task::PairSet;

/// Call `$f::<R, V>` for run-time R and V in 1..=3.
macro_rules! tiles {
    ($f:ident, $r:expr, $v:expr, $($arg:expr),*) => {
        match ($r, $v) {
            (3, 3) => $f::<3, 3>($($arg),*),
            (3, 2) => $f::<3, 2>($($arg),*),
            (3, 1) => $f::<3, 1>($($arg),*),
            (2, 3) => $f::<2, 3>($($arg),*),
            (2, 2) => $f::<2, 2>($($arg),*),
            (2, 1) => $f::<2, 1>($($arg),*),
            (1, 3) => $f::<1, 3>($($arg),*),
            (1, 2) => $f::<1, 2>($($arg),*),
            (1, 1) => $f::<1, 1>($($arg),*),
            _ => unreachable!("tile sizes are 1..=3 by 1..=3"),
        }
    };
}

/// Examples per block: four AVX registers of f32.
pub const BLOCK: usize = 32;

/// Scratch buffers of the fused step, allocated once per model. Hidden width is padded to
/// a multiple of 8 (`hp`) with zeros, so every vector load of a hidden row is whole.
pub struct Fused {
    p: usize,
    h: usize,
    hp: usize,
    /// U = W_input and Vt = W_outputᵀ, each [P × hp], copied from `uv` at the start of
    /// each step.
    u: Vec<f32>,
    vt: Vec<f32>,
    /// dU and dVt accumulated over blocks, [P × hp].
    gu: Vec<f32>,
    gvt: Vec<f32>,
    /// Pre-activations and activations of a block, [32 × hp].
    pre: Vec<f32>,
    act: Vec<f32>,
    /// Activations transposed, [hp × 32].
    act_t: Vec<f32>,
    /// Activations scaled by their example's 1/Σ exp (see `softmax`), [32 × hp].
    act_s: Vec<f32>,
    /// Logits, then exp(logit − max) with the label's entry replaced (see `softmax`),
    /// class-major: [P × 32].
    logits: Vec<f32>,
    /// Per example: the maximum logit, then scale / Σ exp.
    colmax: [f32; BLOCK],
    inv: [f32; BLOCK],
    /// Gradient at the activations, [32 × hp].
    dact: Vec<f32>,
    /// Labels of a block (padded with 0).
    labels: [u32; BLOCK],
}

impl Fused {
    pub fn new(p: usize, h: usize) -> Self {
        let hp = h.div_ceil(8) * 8;
        Fused {
            p,
            h,
            hp,
            u: vec![0.0; p * hp],
            vt: vec![0.0; p * hp],
            gu: vec![0.0; p * hp],
            gvt: vec![0.0; p * hp],
            pre: vec![0.0; BLOCK * hp],
            act: vec![0.0; BLOCK * hp],
            act_t: vec![0.0; hp * BLOCK],
            act_s: vec![0.0; BLOCK * hp],
            logits: vec![0.0; p * BLOCK],
            colmax: [0.0; BLOCK],
            inv: [0.0; BLOCK],
            dact: vec![0.0; BLOCK * hp],
            labels: [0; BLOCK],
        }
    }

    /// Forward and backward through the hidden layer and the softmax for the whole training
    /// set: `uv` is [P × 2H] = [W_input | W_outputᵀ]; writes the gradient of
    /// `scale · Σ nll` into `guv` (same layout) and returns the loss sum.
    ///
    /// # Panics
    /// If the shapes do not match the ones the buffers were built for, or the CPU lacks
    /// AVX2/FMA (callers check [`avx2_fma`]).
    pub fn step(
        &mut self,
        uv: &[f32],
        guv: &mut [f32],
        act: Activation,
        set: &PairSet,
        scale: f32,
    ) -> RowStats {
        let (p, h) = (self.p, self.h);
        assert_eq!(uv.len(), p * 2 * h, "uv shape");
        assert_eq!(guv.len(), p * 2 * h, "guv shape");
        assert!(set.a.iter().chain(&set.b).all(|&i| (i as usize) < p));
        assert!(set.y.iter().all(|&y| (y as usize) < p));
        assert!(avx2_fma(), "the fused step needs AVX2 and FMA");
        #[cfg(target_arch = "x86_64")]
        {
            // SAFETY: the CPU has AVX2 and FMA (asserted above); indices and shapes were
            // checked.
            unsafe { self.step_avx2(uv, guv, act, set, scale) }
        }
        #[cfg(not(target_arch = "x86_64"))]
        unreachable!()
    }

    /// [`Self::step`] after its checks.
    ///
    /// # Safety
    /// The CPU must have AVX2 and FMA; `uv` and `guv` must be [P × 2H] and every index of
    /// `set` below P, for the P and H the buffers were built for.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn step_avx2(
        &mut self,
        uv: &[f32],
        guv: &mut [f32],
        act: Activation,
        set: &PairSet,
        scale: f32,
    ) -> RowStats {
        let (p, h, hp) = (self.p, self.h, self.hp);
        let w = 2 * h;
        for c in 0..p {
            self.u[c * hp..][..h].copy_from_slice(&uv[c * w..][..h]);
            self.vt[c * hp..][..h].copy_from_slice(&uv[c * w + h..][..h]);
        }
        self.gu.fill(0.0);
        self.gvt.fill(0.0);
        let mut stats = RowStats::default();
        let n = set.len();
        for i0 in (0..n).step_by(BLOCK) {
            let nb = BLOCK.min(n - i0);
            self.gather(act, set, i0, nb);
            // SAFETY: the CPU has AVX2 and FMA (this function's contract), and every buffer
            // was sized in `new` for P, H and BLOCK.
            unsafe { self.logits_avx2() };
            self.labels[..nb].copy_from_slice(&set.y[i0..i0 + nb]);
            self.labels[nb..].fill(0);
            stats.nll_sum += self.softmax(nb, scale);
            // SAFETY: as above, and nb ≤ BLOCK.
            unsafe {
                self.dvt_avx2(nb);
                self.dact_avx2(nb);
            }
            self.scatter(act, set, i0, nb);
        }
        for c in 0..p {
            guv[c * w..][..h].copy_from_slice(&self.gu[c * hp..][..h]);
            guv[c * w + h..][..h].copy_from_slice(&self.gvt[c * hp..][..h]);
        }
        stats
    }

    /// pre, act and actᵀ of examples i0..i0+nb; the columns of actᵀ past nb are zeroed.
    #[inline(never)] // a symbol of its own in profiles; called once per block
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    fn gather(&mut self, act: Activation, set: &PairSet, i0: usize, nb: usize) {
        let hp = self.hp;
        for k in 0..nb {
            let ua = vectors(&self.u[set.a[i0 + k] as usize * hp..][..hp]);
            let ub = vectors(&self.u[set.b[i0 + k] as usize * hp..][..hp]);
            let pre = self.pre[k * hp..][..hp].as_chunks_mut::<8>().0;
            for ((p, x), y) in pre.iter_mut().zip(ua).zip(ub) {
                let (x, y) = (*x, *y);
                *p = std::array::from_fn(|i| x[i] + y[i]);
            }
        }
        act.forward(&self.pre[..nb * hp], &mut self.act[..nb * hp]);
        // Rows past nb (a partial last block) only need to be finite: zero them.
        self.act[nb * hp..].fill(0.0);
        for k0 in (0..BLOCK).step_by(8) {
            for j0 in (0..hp).step_by(8) {
                // SAFETY: the CPU has AVX2 (this function's target features); act is
                // [32 × hp] and act_t [hp × 32], both whole 8 × 8 tiles, so rows k0..k0+8
                // and columns j0..j0+8 of either are in bounds.
                unsafe {
                    transpose8(
                        self.act.as_ptr().add(k0 * hp + j0),
                        hp,
                        self.act_t.as_mut_ptr().add(j0 * BLOCK + k0),
                        BLOCK,
                    );
                }
            }
        }
    }

    /// dpre = dact ⊙ σ'(pre) (in `dact`), added onto rows a and b of dU.
    #[inline(never)] // a symbol of its own in profiles; called once per block
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    fn scatter(&mut self, act: Activation, set: &PairSet, i0: usize, nb: usize) {
        let hp = self.hp;
        act.backward(&self.pre[..nb * hp], &mut self.dact[..nb * hp]);
        for k in 0..nb {
            let g = vectors(&self.dact[k * hp..][..hp]);
            for row in [set.a[i0 + k], set.b[i0 + k]] {
                let dst = self.gu[row as usize * hp..][..hp].as_chunks_mut::<8>().0;
                for (d, x) in dst.iter_mut().zip(g) {
                    let (mut sum, x) = (*d, *x);
                    for i in 0..8 {
                        sum[i] += x[i];
                    }
                    *d = sum;
                }
            }
        }
    }

    /// L = Vt · actᵀ for the block, in tiles of 6 classes × 16 examples (12 accumulators,
    /// two loads and six broadcasts per step: 15 of the 16 registers).
    ///
    /// # Safety
    /// The CPU must have AVX2 and FMA (the buffers' shapes are this type's invariant).
    #[inline(never)] // a symbol of its own in profiles; called once per block
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn logits_avx2(&mut self) {
        let (p, h, hp) = (self.p, self.h, self.hp);
        let vt = self.vt.as_ptr();
        let at = self.act_t.as_ptr();
        let out = self.logits.as_mut_ptr();
        self.colmax = [f32::NEG_INFINITY; BLOCK];
        let mx = self.colmax.as_mut_ptr();
        // SAFETY: rows c0..c0+R < P of vt ([P × hp]) and of the logits ([P × 32]), columns
        // half..half+16 < 32; rows j < H of actᵀ ([H × 32]).
        unsafe {
            for half in [0, 16] {
                let (a, m) = (at.add(half), mx.add(half));
                let mut c0 = 0;
                while c0 + 6 <= p {
                    logits_tile::<6>(vt.add(c0 * hp), hp, a, h, out.add(c0 * BLOCK + half), m);
                    c0 += 6;
                }
                let (v, o) = (vt.add(c0 * hp), out.add(c0 * BLOCK + half));
                match p - c0 {
                    5 => logits_tile::<5>(v, hp, a, h, o, m),
                    4 => logits_tile::<4>(v, hp, a, h, o, m),
                    3 => logits_tile::<3>(v, hp, a, h, o, m),
                    2 => logits_tile::<2>(v, hp, a, h, o, m),
                    1 => logits_tile::<1>(v, hp, a, h, o, m),
                    _ => {}
                }
            }
        }
    }

    /// The softmax cross-entropy of the block in place, keeping the sum of exponentials
    /// split as in [`kernels::softmax_xent`] (exact 1s apart from the rest). Each column k
    /// is left holding exp(L − max) except at its label, which holds exp(L_y − max) − Σ
    /// (computed as −δ when the label is the maximum), and `inv[k]` = scale / Σ: the
    /// gradient scale·(softmax − onehot) is that column times inv[k], a product the two
    /// backward kernels apply to their 32-row operands instead of to all P × 32 entries.
    /// Returns the block's Σ nll over its first nb columns.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    fn softmax(&mut self, nb: usize, scale: f32) -> f64 {
        use std::arch::x86_64::*;
        let p = self.p;
        let mut ly = [0.0f32; BLOCK];
        for (k, l) in ly.iter_mut().enumerate() {
            *l = self.logits[self.labels[k] as usize * BLOCK + k];
        }
        let mut ones_s = [0.0f32; BLOCK];
        let mut small_s = [0.0f32; BLOCK];
        let one = _mm256_set1_ps(1.0);
        let ptr = self.logits.as_mut_ptr();
        for half in [0, 16] {
            // SAFETY: columns half..half+16 < 32 of rows c < P of the [P × 32] logits, and
            // of the 32-wide per-column arrays.
            unsafe {
                let max = [
                    _mm256_loadu_ps(self.colmax.as_ptr().add(half)),
                    _mm256_loadu_ps(self.colmax.as_ptr().add(half + 8)),
                ];
                let mut ones = [_mm256_setzero_ps(); 2];
                let mut small = [_mm256_setzero_ps(); 2];
                for c in 0..p {
                    let q = ptr.add(c * BLOCK + half);
                    for g in 0..2 {
                        let x = _mm256_sub_ps(_mm256_loadu_ps(q.add(8 * g)), max[g]);
                        let e = kernels::exp_nonpositive_avx2(x);
                        _mm256_storeu_ps(q.add(8 * g), e);
                        let is_one = _mm256_cmp_ps::<_CMP_EQ_OQ>(e, one);
                        ones[g] = _mm256_add_ps(ones[g], _mm256_and_ps(is_one, one));
                        small[g] = _mm256_add_ps(small[g], _mm256_andnot_ps(is_one, e));
                    }
                }
                for g in 0..2 {
                    _mm256_storeu_ps(ones_s.as_mut_ptr().add(half + 8 * g), ones[g]);
                    _mm256_storeu_ps(small_s.as_mut_ptr().add(half + 8 * g), small[g]);
                }
            }
        }
        // nll = ln Σ + max − L_y; Σ ln Σ as ln Π Σ per 16 columns in f64, as in `kernels`.
        let mut nll = 0.0f64;
        for half in [0, 16] {
            let prod: f64 = (half..(half + 16).min(nb))
                .map(|k| ones_s[k] as f64 + small_s[k] as f64)
                .product();
            nll += prod.ln();
        }
        let margin: f32 = self.colmax[..nb].iter().zip(&ly).map(|(m, l)| m - l).sum();
        nll += margin as f64;
        for k in 0..BLOCK {
            let sum = ones_s[k] + small_s[k];
            self.inv[k] = if k < nb { scale / sum } else { 0.0 };
            let at = self.labels[k] as usize * BLOCK + k;
            let e = self.logits[at];
            self.logits[at] = if e == 1.0 {
                (1.0 - ones_s[k]) - small_s[k]
            } else {
                e - sum
            };
        }
        nll
    }

    /// dVt += dL · act over the block's nb examples (dL = the softmax's columns times inv,
    /// folded into act's rows), in tiles of 3 classes × 24 units.
    ///
    /// # Safety
    /// The CPU must have AVX2 and FMA, and nb ≤ BLOCK.
    #[inline(never)] // a symbol of its own in profiles; called once per block
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn dvt_avx2(&mut self, nb: usize) {
        let (p, hp) = (self.p, self.hp);
        for k in 0..nb {
            let inv = self.inv[k];
            for (d, &x) in self.act_s[k * hp..][..hp]
                .iter_mut()
                .zip(&self.act[k * hp..][..hp])
            {
                *d = inv * x;
            }
        }
        let dl = self.logits.as_ptr();
        let act = self.act_s.as_ptr();
        let g = self.gvt.as_mut_ptr();
        let vecs = hp / 8;
        // SAFETY: rows c < P of dL ([P × 32]) and dVt ([P × hp]), columns < hp; rows k < nb
        // ≤ 32 of act ([32 × hp]).
        unsafe {
            for c0 in (0..p).step_by(3) {
                let r = 3.min(p - c0);
                for v0 in (0..vecs).step_by(3) {
                    let v = 3.min(vecs - v0);
                    let (d, a, gp) = (dl.add(c0 * BLOCK), act.add(8 * v0), g.add(c0 * hp + 8 * v0));
                    tiles!(dvt_tile, r, v, d, a, hp, nb, gp);
                }
            }
        }
    }

    /// dact = dLᵀ · Vt for the block's nb examples (row k scaled by inv[k] on the way out),
    /// in tiles of 3 examples × 24 units.
    ///
    /// # Safety
    /// The CPU must have AVX2 and FMA, and nb ≤ BLOCK.
    #[inline(never)] // a symbol of its own in profiles; called once per block
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn dact_avx2(&mut self, nb: usize) {
        let (p, hp) = (self.p, self.hp);
        let dl = self.logits.as_ptr();
        let vt = self.vt.as_ptr();
        let inv = self.inv.as_ptr();
        let out = self.dact.as_mut_ptr();
        let vecs = hp / 8;
        // SAFETY: columns k < nb ≤ 32 of dL ([P × 32]); rows c < P of vt ([P × hp]); rows
        // k < nb of dact ([32 × hp]); columns < hp.
        unsafe {
            for k0 in (0..nb).step_by(3) {
                let r = 3.min(nb - k0);
                for v0 in (0..vecs).step_by(3) {
                    let v = 3.min(vecs - v0);
                    let (d, b, op) = (dl.add(k0), vt.add(8 * v0), out.add(k0 * hp + 8 * v0));
                    tiles!(dact_tile, r, v, d, b, hp, p, inv.add(k0), op);
                }
            }
        }
    }
}

/// A padded row (hp long, a multiple of 8) as whole 8-float vectors. Copied into registers
/// by value (`*x`) and back, each is one AVX load, operation and store: a loop over the
/// row's floats would be vectorised for a trip count longer than H and run its scalar
/// remainder, and one over a vector's floats in place stays scalar, since LLVM cannot tell
/// that the destination row does not alias the source.
#[inline(always)]
fn vectors(row: &[f32]) -> &[[f32; 8]] {
    row.as_chunks::<8>().0
}

/// The inner loop all three kernels share, a sum of rank-1 updates of an R × V-vector tile
/// of accumulators: acc[r][v] += Σ_{i<n} a[r·ar + i·ai] · b[i·bi + 8v .. +8], with the a
/// terms broadcast and the b terms loaded whole. The strides come in as constants at every
/// call site, so after inlining each kernel is the loop it would be written as by hand.
///
/// # Safety
/// The CPU must have AVX2 and FMA; `a` must be readable at a[r·ar + i·ai] for r < R, i < n,
/// and `b` at b[i·bi .. i·bi + 8V] for i < n.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn rank1_updates<const R: usize, const V: usize>(
    acc: &mut [[std::arch::x86_64::__m256; V]; R],
    a: *const f32,
    ar: usize,
    ai: usize,
    b: *const f32,
    bi: usize,
    n: usize,
) {
    use std::arch::x86_64::*;
    // SAFETY: the caller passes R·n readable a terms at those strides and n rows of V·8
    // readable b terms.
    unsafe {
        for i in 0..n {
            let row = b.add(i * bi);
            let mut x = [_mm256_setzero_ps(); V];
            for (v, x) in x.iter_mut().enumerate() {
                *x = _mm256_loadu_ps(row.add(8 * v));
            }
            for (r, acc) in acc.iter_mut().enumerate() {
                let s = _mm256_broadcast_ss(&*a.add(r * ar + i * ai));
                for (acc, x) in acc.iter_mut().zip(&x) {
                    *acc = _mm256_fmadd_ps(s, *x, *acc);
                }
            }
        }
    }
}

/// R rows × 16 columns of L: out[r, 0..16] = Σ_{j<h} vt[r, j] · actᵀ[j, 0..16], and the
/// running column maxima colmax[0..16] raised to cover them.
///
/// # Safety
/// The CPU must have AVX2 and FMA; `vt` must hold R readable rows (stride `vstride`) of h
/// entries, `act_t` h readable rows (stride 32) of 16, `out` R writable rows (stride 32) of
/// 16 and `colmax` 16 readable and writable entries.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn logits_tile<const R: usize>(
    vt: *const f32,
    vstride: usize,
    act_t: *const f32,
    h: usize,
    out: *mut f32,
    colmax: *mut f32,
) {
    use std::arch::x86_64::*;
    // SAFETY: the caller passes R rows of vt and out and h rows of actᵀ (stride 32), each
    // with 16 readable columns.
    unsafe {
        let mut acc = [[_mm256_setzero_ps(); 2]; R];
        rank1_updates(&mut acc, vt, vstride, 1, act_t, BLOCK, h);
        let mut m = [_mm256_loadu_ps(colmax), _mm256_loadu_ps(colmax.add(8))];
        for (r, acc) in acc.iter().enumerate() {
            for (v, a) in acc.iter().enumerate() {
                _mm256_storeu_ps(out.add(r * BLOCK + 8 * v), *a);
                m[v] = _mm256_max_ps(m[v], *a);
            }
        }
        _mm256_storeu_ps(colmax, m[0]);
        _mm256_storeu_ps(colmax.add(8), m[1]);
    }
}

/// R rows × V vectors of dVt: g[r, ·] += Σ_{k<nb} dL[r, k] · act[k, ·].
///
/// # Safety
/// The CPU must have AVX2 and FMA; `dl` must hold R readable rows (stride 32) of nb
/// entries, `act` nb readable rows (stride hp) and `g` R readable and writable rows (stride
/// hp) of 8V entries.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn dvt_tile<const R: usize, const V: usize>(
    dl: *const f32,
    act: *const f32,
    hp: usize,
    nb: usize,
    g: *mut f32,
) {
    use std::arch::x86_64::*;
    // SAFETY: the caller passes R rows of dL (stride 32) and of g (stride hp), nb rows of
    // act (stride hp), each with V·8 readable columns.
    unsafe {
        let mut acc = [[_mm256_setzero_ps(); V]; R];
        for (r, acc) in acc.iter_mut().enumerate() {
            for (v, a) in acc.iter_mut().enumerate() {
                *a = _mm256_loadu_ps(g.add(r * hp + 8 * v));
            }
        }
        rank1_updates(&mut acc, dl, BLOCK, 1, act, hp, nb);
        for (r, acc) in acc.iter().enumerate() {
            for (v, a) in acc.iter().enumerate() {
                _mm256_storeu_ps(g.add(r * hp + 8 * v), *a);
            }
        }
    }
}

/// R examples × V vectors of dact: out[r, ·] = inv[r] · Σ_{c<p} dL[c, r] · vt[c, ·].
///
/// # Safety
/// The CPU must have AVX2 and FMA; `dl` must hold p readable rows (stride 32) of R
/// entries, `vt` p readable rows (stride hp) of 8V, `inv` R readable entries and `out` R
/// writable rows (stride hp) of 8V.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn dact_tile<const R: usize, const V: usize>(
    dl: *const f32,
    vt: *const f32,
    hp: usize,
    p: usize,
    inv: *const f32,
    out: *mut f32,
) {
    use std::arch::x86_64::*;
    // SAFETY: the caller passes R columns of dL (stride 32, p rows), p rows of vt and R
    // rows of out (stride hp), each with V·8 readable columns.
    unsafe {
        let mut acc = [[_mm256_setzero_ps(); V]; R];
        rank1_updates(&mut acc, dl, 1, BLOCK, vt, hp, p);
        for (r, acc) in acc.iter().enumerate() {
            let k = _mm256_broadcast_ss(&*inv.add(r));
            for (v, a) in acc.iter().enumerate() {
                _mm256_storeu_ps(out.add(r * hp + 8 * v), _mm256_mul_ps(*a, k));
            }
        }
    }
}

/// Transpose an 8 × 8 tile: dst[j, i] = src[i, j] (row strides in floats).
///
/// # Safety
/// The CPU must have AVX; `src` must hold 8 readable rows (stride `sstride`) of 8 floats
/// and `dst` 8 writable rows (stride `dstride`) of 8.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn transpose8(src: *const f32, sstride: usize, dst: *mut f32, dstride: usize) {
    use std::arch::x86_64::*;
    // SAFETY: the caller passes 8 readable rows of 8 at src and 8 writable rows at dst.
    unsafe {
        let r: [__m256; 8] = std::array::from_fn(|i| _mm256_loadu_ps(src.add(i * sstride)));
        // Interleave row pairs, then pairs of pairs, within each 128-bit lane ...
        let t0 = _mm256_unpacklo_ps(r[0], r[1]);
        let t1 = _mm256_unpackhi_ps(r[0], r[1]);
        let t2 = _mm256_unpacklo_ps(r[2], r[3]);
        let t3 = _mm256_unpackhi_ps(r[2], r[3]);
        let t4 = _mm256_unpacklo_ps(r[4], r[5]);
        let t5 = _mm256_unpackhi_ps(r[4], r[5]);
        let t6 = _mm256_unpacklo_ps(r[6], r[7]);
        let t7 = _mm256_unpackhi_ps(r[6], r[7]);
        let u0 = _mm256_shuffle_ps::<0x44>(t0, t2);
        let u1 = _mm256_shuffle_ps::<0xEE>(t0, t2);
        let u2 = _mm256_shuffle_ps::<0x44>(t1, t3);
        let u3 = _mm256_shuffle_ps::<0xEE>(t1, t3);
        let u4 = _mm256_shuffle_ps::<0x44>(t4, t6);
        let u5 = _mm256_shuffle_ps::<0xEE>(t4, t6);
        let u6 = _mm256_shuffle_ps::<0x44>(t5, t7);
        let u7 = _mm256_shuffle_ps::<0xEE>(t5, t7);
        // ... then join the lanes: low halves give columns 0-3, high halves 4-7.
        let cols = [
            _mm256_permute2f128_ps::<0x20>(u0, u4),
            _mm256_permute2f128_ps::<0x20>(u1, u5),
            _mm256_permute2f128_ps::<0x20>(u2, u6),
            _mm256_permute2f128_ps::<0x20>(u3, u7),
            _mm256_permute2f128_ps::<0x31>(u0, u4),
            _mm256_permute2f128_ps::<0x31>(u1, u5),
            _mm256_permute2f128_ps::<0x31>(u2, u6),
            _mm256_permute2f128_ps::<0x31>(u3, u7),
        ];
        for (j, c) in cols.iter().enumerate() {
            _mm256_storeu_ps(dst.add(j * dstride), *c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::rng::Stream;

    fn pairs(p: usize, n: usize, rng: &mut Stream) -> PairSet {
        let (mut a, mut b, mut y) = (vec![], vec![], vec![]);
        for _ in 0..n {
            let (x, z) = (rng.below(p as u64) as u32, rng.below(p as u64) as u32);
            a.push(x);
            b.push(z);
            y.push((x + z) % p as u32);
        }
        PairSet { a, b, y }
    }

    /// The same gradient in f64, written plainly (the activation's f64 forms): (guv, Σ nll).
    fn reference(
        uv: &[f32],
        p: usize,
        h: usize,
        act: Activation,
        set: &PairSet,
        scale: f64,
    ) -> (Vec<f64>, f64) {
        let w = 2 * h;
        let at = |r: usize, c: usize| uv[r * w + c] as f64;
        let mut g = vec![0.0f64; p * w];
        let mut nll = 0.0;
        for n in 0..set.len() {
            let (a, b, y) = (set.a[n] as usize, set.b[n] as usize, set.y[n] as usize);
            let pre: Vec<f64> = (0..h).map(|j| at(a, j) + at(b, j)).collect();
            let hid: Vec<f64> = pre.iter().map(|&x| act.apply(x)).collect();
            let logits: Vec<f64> = (0..p)
                .map(|c| (0..h).map(|j| hid[j] * at(c, h + j)).sum())
                .collect();
            let max = logits.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let sum: f64 = logits.iter().map(|l| (l - max).exp()).sum();
            nll += sum.ln() + max - logits[y];
            let mut dact = vec![0.0f64; h];
            for c in 0..p {
                let dl = scale * ((logits[c] - max).exp() / sum - if c == y { 1.0 } else { 0.0 });
                for j in 0..h {
                    g[c * w + h + j] += dl * hid[j];
                    dact[j] += dl * at(c, h + j);
                }
            }
            for j in 0..h {
                let d = act.backprop(dact[j], pre[j]);
                g[a * w + j] += d;
                g[b * w + j] += d;
            }
        }
        (g, nll)
    }

    #[test]
    fn fused_step_matches_a_plain_f64_computation() {
        if !avx2_fma() {
            eprintln!("skipped: this CPU has no AVX2/FMA, so the fused step is never used");
            return;
        }
        let mut rng = Stream::new(7, 0);
        // Partial blocks, hidden widths that are and are not multiples of 8, P not a
        // multiple of the 6- and 3-row tiles.
        for &(p, h, n) in &[
            (67, 24, 911),
            (5, 1, 1),
            (7, 5, 33),
            (11, 9, 64),
            (13, 30, 70),
            (2, 8, 31),
            (97, 17, 100),
        ] {
            for act in [Activation::Relu, Activation::Square] {
                let uv: Vec<f32> = (0..p * 2 * h)
                    .map(|_| rng.uniform() as f32 * 2.0 - 1.0)
                    .collect();
                let set = pairs(p, n, &mut rng);
                let scale = 1.0 / (n * p) as f32;
                let mut guv = vec![f32::NAN; p * 2 * h];
                let mut f = Fused::new(p, h);
                // Twice: buffers left over from one step must not leak into the next.
                f.step(&uv, &mut guv, act, &set, scale);
                let stats = f.step(&uv, &mut guv, act, &set, scale);
                let (want, nll) = reference(&uv, p, h, act, &set, scale as f64);
                let big = want.iter().fold(0.0f64, |m, x| m.max(x.abs()));
                for (i, (&got, &w)) in guv.iter().zip(&want).enumerate() {
                    assert!(
                        (got as f64 - w).abs() <= 1e-5 * big,
                        "p {p} h {h} n {n} {act:?}: guv[{i}] = {got}, want {w}"
                    );
                }
                assert!(
                    (stats.nll_sum - nll).abs() <= 1e-5 * nll,
                    "p {p} h {h} n {n} {act:?}: nll {} want {nll}",
                    stats.nll_sum
                );
            }
        }
    }

    #[test]
    fn a_fitted_batch_keeps_its_tiny_loss_and_label_gradients() {
        if !avx2_fma() {
            eprintln!("skipped: this CPU has no AVX2/FMA, so the fused step is never used");
            return;
        }
        // One hidden unit per class: U[c] = 4·e_c and Vt[c] = 2·e_c, with a = b = y, give
        // the label a logit of 16 and every other class 0, so each example's loss is
        // ln(1 + 6e⁻¹⁶) ≈ 7e-7 — below f32's resolution next to 1, where a naive softmax
        // reports 0 and a zero gradient.
        let (p, h) = (7, 7);
        let ids: Vec<u32> = (0..40).map(|i| i % 7).collect();
        let set = PairSet {
            a: ids.clone(),
            b: ids.clone(),
            y: ids,
        };
        let mut uv = vec![0.0f32; p * 2 * h];
        for c in 0..p {
            uv[c * 2 * h + c] = 4.0;
            uv[c * 2 * h + h + c] = 2.0;
        }
        let scale = 1.0 / (40 * p) as f32;
        let mut guv = vec![0.0f32; p * 2 * h];
        let stats = Fused::new(p, h).step(&uv, &mut guv, Activation::Relu, &set, scale);
        let (want, nll) = reference(&uv, p, h, Activation::Relu, &set, scale as f64);
        assert!(
            nll > 0.0 && nll / 40.0 < 1e-6,
            "the batch is fitted: nll {nll}"
        );
        assert!(
            (stats.nll_sum - nll).abs() <= 1e-3 * nll,
            "nll {} want {nll}",
            stats.nll_sum
        );
        // dVt's entries are sums over examples of tiny terms: each keeps its relative
        // precision.
        for c in 0..p {
            for j in 0..h {
                let (got, w) = (guv[c * 2 * h + h + j] as f64, want[c * 2 * h + h + j]);
                assert!(
                    (got - w).abs() <= 1e-3 * w.abs() + 1e-15,
                    "dVt[{c},{j}] = {got}, want {w}"
                );
            }
        }
    }
}
