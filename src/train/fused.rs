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
//! Done as three whole-batch products, these were the worst-shaped products of the step:
//! one side is only H = 24 wide. Here each product is a register-tiled kernel on operands
//! already in L1, and the logits never leave L1 between the forward product, the softmax
//! and the two backward products. The step is written once, generic over the instruction
//! set ([`Lanes`]), in the one arithmetic of [`super::simd`]: the logits and dact are
//! vectorised over the block's examples, dVt over hidden units, every sum a chain of FMAs in a
//! fixed order (dVt's chains run on across blocks), so every kernel gives the same bits.
//! The elementwise parts are scalar loops the compiler vectorises. Tests: below, against a
//! plain f64 computation and across kernels; in `tests/gradients.rs`, against finite
//! differences and against the whole-batch path on the same weights.

use super::Activation;
use super::kernels::RowStats;
use super::linalg::fast_exp;
use super::simd::{self, Edge, Job, Kernel, Lanes, Tiling};
use super::task::PairSet;
use super::team::Team;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Examples per block.
pub const BLOCK: usize = 32;

/// Scratch buffers of the fused step, allocated once per model (the pipeline's slots on
/// its first shared step). Hidden width is padded to a whole number of the kernel's vectors
/// and of 8 (`hp`) with zeros, so every vector load of a hidden row is whole; the padding's
/// outputs are never read.
///
/// A block's work has a forward half ([`Front`]: gather, logits, softmax) and a backward
/// half ([`Back`]: dVt, dact, scatter), which hand over a [`Slot`]. On one thread the
/// halves alternate on one slot that stays in L1. Shared by a team, they run as a
/// two-stage pipeline on two threads: the front fills one slot per block and never waits,
/// the back follows it block by block. Each half keeps its block order, so the bits are
/// the same either way.
pub struct Fused {
    kernel: Kernel,
    dims: Dims,
    /// U = W_input and Vt = W_outputᵀ, each [P × hp], copied from `uv` at the start of
    /// each step.
    u: Vec<f32>,
    vt: Vec<f32>,
    front: Front,
    back: Back,
    /// One slot on one thread; one per block when the step is shared.
    slots: Vec<Slot>,
}

/// Modulus, hidden width and its padded width.
#[derive(Clone, Copy)]
struct Dims {
    p: usize,
    h: usize,
    hp: usize,
}

impl Dims {
    /// The hidden width rounded up to whole 8 × 8 tiles (≤ hp).
    fn h8(self) -> usize {
        self.h.div_ceil(8) * 8
    }
}

/// What a block's forward half hands its backward half.
struct Slot {
    /// Pre-activations and activations of the block, [32 × hp].
    pre: Vec<f32>,
    act: Vec<f32>,
    /// Logits, then exp(logit − max) with the label's entry replaced (see `softmax`),
    /// class-major: [P × 32].
    logits: Vec<f32>,
    /// Per example: scale / Σ exp (0 past the block's examples).
    inv: [f32; BLOCK],
}

impl Slot {
    fn new(d: Dims) -> Slot {
        Slot {
            pre: vec![0.0; BLOCK * d.hp],
            act: vec![0.0; BLOCK * d.hp],
            logits: vec![0.0; d.p * BLOCK],
            inv: [0.0; BLOCK],
        }
    }
}

/// The forward half's own buffers.
struct Front {
    /// Activations transposed, [hp × 32].
    act_t: Vec<f32>,
    /// Per example: the maximum logit.
    colmax: [f32; BLOCK],
    /// Labels of a block (padded with 0).
    labels: [u32; BLOCK],
}

/// The backward half's own buffers.
struct Back {
    /// Activations scaled by their example's scale/Σ exp (see `softmax`), [32 × hp].
    act_s: Vec<f32>,
    /// Gradient at the activations, [32 × hp], and as the product makes it, [hp × 32].
    dact: Vec<f32>,
    dact_t: Vec<f32>,
    /// dU and dVt accumulated over blocks, [P × hp].
    gu: Vec<f32>,
    gvt: Vec<f32>,
}

/// What both halves read during a step.
struct Ctx<'a> {
    d: Dims,
    u: &'a [f32],
    vt: &'a [f32],
    act: Activation,
    set: &'a PairSet,
    scale: f32,
}

impl Ctx<'_> {
    /// The first example of block `b` and the block's number of examples.
    fn block(&self, b: usize) -> (usize, usize) {
        let i0 = b * BLOCK;
        (i0, BLOCK.min(self.set.len() - i0))
    }

    fn blocks(&self) -> usize {
        self.set.len().div_ceil(BLOCK)
    }
}

/// A step on one thread: each block's two halves in turn, on one slot.
struct Alone<'a> {
    ctx: Ctx<'a>,
    front: &'a mut Front,
    back: &'a mut Back,
    slot: &'a mut Slot,
}

impl Job for Alone<'_> {
    type Out = RowStats;
    #[inline(always)]
    fn run<S: Lanes>(self, s: S) -> RowStats {
        let Alone {
            ctx,
            front,
            back,
            slot,
        } = self;
        let mut stats = RowStats::default();
        for b in 0..ctx.blocks() {
            stats.nll_sum += front.block(s, &ctx, slot, b);
            back.block(s, &ctx, slot, b);
        }
        stats
    }
}

/// Blocks the front half has finished, for the back half to follow.
struct Handoff {
    ready: AtomicUsize,
    /// The front half stopped early (it panicked): the back must not wait for it.
    failed: AtomicBool,
}

/// The slots of a shared step, written by the front half and read by the back half under
/// [`Handoff`]'s rule: the front writes slot b only before it publishes `ready > b`, the back
/// reads slot b only after it sees that, and neither touches another's slot meanwhile.
#[derive(Clone, Copy)]
struct Slots(*mut Slot);

// SAFETY: the pointer is used only under the rule above, which makes every access to a
// slot either the front's (before publication) or the back's (after), never both at once.
unsafe impl Send for Slots {}
// SAFETY: as above.
unsafe impl Sync for Slots {}

/// The front half of a shared step: every block's forward half, one slot each.
struct FrontStage<'a> {
    ctx: &'a Ctx<'a>,
    front: &'a mut Front,
    slots: Slots,
    handoff: &'a Handoff,
}

impl Job for FrontStage<'_> {
    type Out = RowStats;
    #[inline(always)]
    fn run<S: Lanes>(self, s: S) -> RowStats {
        /// Marks the handoff failed unless the loop finished.
        struct Guard<'a>(&'a Handoff, bool);
        impl Drop for Guard<'_> {
            fn drop(&mut self) {
                if !self.1 {
                    self.0.failed.store(true, Ordering::Release);
                }
            }
        }
        let mut guard = Guard(self.handoff, false);
        let mut stats = RowStats::default();
        for b in 0..self.ctx.blocks() {
            // SAFETY: `Fused::step` made one slot per block; slot b is not yet published,
            // so the back half does not read it (the `Slots` rule).
            let slot = unsafe { &mut *self.slots.0.add(b) };
            stats.nll_sum += self.front.block(s, self.ctx, slot, b);
            self.handoff.ready.store(b + 1, Ordering::Release);
        }
        guard.1 = true;
        stats
    }
}

/// The back half of a shared step: every block's backward half, as the front publishes it.
struct BackStage<'a> {
    ctx: &'a Ctx<'a>,
    back: &'a mut Back,
    slots: Slots,
    handoff: &'a Handoff,
}

impl Job for BackStage<'_> {
    type Out = ();
    #[inline(always)]
    fn run<S: Lanes>(self, s: S) {
        for b in 0..self.ctx.blocks() {
            let mut spins = 0u32;
            while self.handoff.ready.load(Ordering::Acquire) <= b {
                assert!(
                    !self.handoff.failed.load(Ordering::Acquire),
                    "the fused step's forward half failed"
                );
                spins += 1;
                if spins < 1 << 10 {
                    std::hint::spin_loop();
                } else {
                    std::thread::yield_now();
                }
            }
            // SAFETY: slot b is published (the Acquire above pairs with the front's Release)
            // and the front never writes it again this step.
            let slot = unsafe { &*self.slots.0.add(b) };
            self.back.block(s, self.ctx, slot, b);
        }
    }
}

/// A half of a shared step, as a part for the team.
enum Stage<'a> {
    Front(FrontStage<'a>),
    Back(BackStage<'a>),
}

impl Fused {
    /// Buffers for modulus `p` and `h` hidden units, computed with `kernel`.
    pub fn new(p: usize, h: usize, kernel: Kernel) -> Self {
        // Whole vectors, and whole 8 × 8 tiles for the transposition.
        let lanes = kernel.lanes().max(8);
        let hp = h.div_ceil(lanes) * lanes;
        let d = Dims { p, h, hp };
        Fused {
            kernel,
            dims: d,
            u: vec![0.0; p * hp],
            vt: vec![0.0; p * hp],
            front: Front {
                act_t: vec![0.0; hp * BLOCK],
                colmax: [0.0; BLOCK],
                labels: [0; BLOCK],
            },
            back: Back {
                act_s: vec![0.0; BLOCK * hp],
                dact: vec![0.0; BLOCK * hp],
                dact_t: vec![0.0; hp * BLOCK],
                gu: vec![0.0; p * hp],
                gvt: vec![0.0; p * hp],
            },
            slots: vec![Slot::new(d)],
        }
    }

    /// Forward and backward through the hidden layer and the softmax for the whole training
    /// set: `uv` is [P × 2H] = [W_input | W_outputᵀ]; writes the gradient of
    /// `scale · Σ nll` into `guv` (same layout) and returns the loss sum. With a team of two
    /// or more, the forward and backward halves run as a pipeline on two threads (the same
    /// bits).
    ///
    /// # Panics
    /// If the shapes do not match the ones the buffers were built for.
    pub fn step(
        &mut self,
        uv: &[f32],
        guv: &mut [f32],
        act: Activation,
        set: &PairSet,
        scale: f32,
        team: &Team,
    ) -> RowStats {
        let Dims { p, h, hp } = self.dims;
        assert_eq!(uv.len(), p * 2 * h, "uv shape");
        assert_eq!(guv.len(), p * 2 * h, "guv shape");
        assert!(set.a.iter().chain(&set.b).all(|&i| (i as usize) < p));
        assert!(set.y.iter().all(|&y| (y as usize) < p));
        let w = 2 * h;
        for c in 0..p {
            self.u[c * hp..][..h].copy_from_slice(&uv[c * w..][..h]);
            self.vt[c * hp..][..h].copy_from_slice(&uv[c * w + h..][..h]);
        }
        self.back.gu.fill(0.0);
        self.back.gvt.fill(0.0);
        let kernel = self.kernel;
        let ctx = Ctx {
            d: self.dims,
            u: &self.u,
            vt: &self.vt,
            act,
            set,
            scale,
        };
        let blocks = ctx.blocks();
        let stats = if team.size() == 1 || blocks < 2 {
            let job = Alone {
                ctx,
                front: &mut self.front,
                back: &mut self.back,
                slot: &mut self.slots[0],
            };
            simd::dispatch(kernel, job)
        } else {
            if self.slots.len() < blocks {
                self.slots.resize_with(blocks, || Slot::new(self.dims));
            }
            let handoff = Handoff {
                ready: AtomicUsize::new(0),
                failed: AtomicBool::new(false),
            };
            let slots = Slots(self.slots.as_mut_ptr());
            let stages = vec![
                Stage::Front(FrontStage {
                    ctx: &ctx,
                    front: &mut self.front,
                    slots,
                    handoff: &handoff,
                }),
                Stage::Back(BackStage {
                    ctx: &ctx,
                    back: &mut self.back,
                    slots,
                    handoff: &handoff,
                }),
            ];
            let stats = Mutex::new(RowStats::default());
            team.each(stages, &|stage| match stage {
                Stage::Front(job) => {
                    let got = simd::dispatch(kernel, job);
                    *stats.lock().unwrap_or_else(|e| e.into_inner()) = got;
                }
                Stage::Back(job) => simd::dispatch(kernel, job),
            });
            stats.into_inner().unwrap_or_else(|e| e.into_inner())
        };
        for c in 0..p {
            guv[c * w..][..h].copy_from_slice(&self.back.gu[c * hp..][..h]);
            guv[c * w + h..][..h].copy_from_slice(&self.back.gvt[c * hp..][..h]);
        }
        stats
    }
}

impl Front {
    /// Block b's forward half into `slot`; returns the block's Σ nll.
    #[inline(always)]
    fn block<S: Lanes>(&mut self, s: S, c: &Ctx, slot: &mut Slot, b: usize) -> f64 {
        let (i0, nb) = c.block(b);
        self.gather(s, c, slot, i0, nb);
        self.logits(s, c, slot);
        self.labels[..nb].copy_from_slice(&c.set.y[i0..i0 + nb]);
        self.labels[nb..].fill(0);
        self.softmax(slot, nb, c.scale)
    }

    /// pre, act and actᵀ of examples i0..i0+nb; rows past nb are zeroed.
    #[inline(always)]
    fn gather<S: Lanes>(&mut self, s: S, c: &Ctx, slot: &mut Slot, i0: usize, nb: usize) {
        let hp = c.d.hp;
        for k in 0..nb {
            let ua = &c.u[c.set.a[i0 + k] as usize * hp..][..hp];
            let ub = &c.u[c.set.b[i0 + k] as usize * hp..][..hp];
            for ((p, &x), &y) in slot.pre[k * hp..][..hp].iter_mut().zip(ua).zip(ub) {
                *p = x + y;
            }
        }
        c.act
            .forward(&slot.pre[..nb * hp], &mut slot.act[..nb * hp]);
        // Rows past nb (a partial last block) only need to be finite: zero them.
        slot.act[nb * hp..].fill(0.0);
        // actᵀ's rows from h8 on (whole 8-row tiles of padding) are never read.
        transpose(s, &slot.act, hp, &mut self.act_t, BLOCK, BLOCK, c.d.h8());
    }

    /// L = Vt · actᵀ for the block, vectorised over its 32 examples, and each example's
    /// maximum logit.
    #[inline(always)]
    fn logits<S: Lanes>(&mut self, s: S, c: &Ctx, slot: &mut Slot) {
        self.colmax = [f32::NEG_INFINITY; BLOCK];
        let (max_r, max_v) = example_tile::<S>();
        let t = Tiling {
            rows: c.d.p,
            cols: BLOCK,
            max_r,
            max_v,
            a: c.vt.as_ptr(),
            ar: c.d.hp,
            ai: 1,
            b: self.act_t.as_ptr(),
            bi: BLOCK,
            n: c.d.h,
            edge: Edge::StoreMax {
                out: slot.logits.as_mut_ptr(),
                stride: BLOCK,
                max: self.colmax.as_mut_ptr(),
            },
        };
        // SAFETY: vt is [P × hp] (rows P, h ≤ hp terms at stride 1), actᵀ [hp × 32] (h
        // rows of 32 = vecs·N), the logits [P × 32], colmax 32 floats.
        unsafe { simd::run_tiles(s, &t) }
    }

    /// The softmax cross-entropy of the block in place, keeping the sum of exponentials
    /// split as in [`super::kernels::softmax_xent`] (exact 1s apart from the rest). Each
    /// column k is left holding exp(L − max) except at its label, which holds
    /// exp(L_y − max) − Σ (computed as −δ when the label is the maximum), and `inv[k]` =
    /// scale / Σ: the gradient scale·(softmax − onehot) is that column times inv[k], a
    /// product the two backward kernels apply to their 32-row operands instead of to all
    /// P × 32 entries. Returns the block's Σ nll over its first nb columns.
    #[inline(always)]
    fn softmax(&mut self, slot: &mut Slot, nb: usize, scale: f32) -> f64 {
        let logits = &mut slot.logits;
        let mut ly = [0.0f32; BLOCK];
        for (k, l) in ly.iter_mut().enumerate() {
            *l = logits[self.labels[k] as usize * BLOCK + k];
        }
        let mut ones = [0.0f32; BLOCK];
        let mut small = [0.0f32; BLOCK];
        let max = self.colmax;
        for row in logits.chunks_exact_mut(BLOCK) {
            for k in 0..BLOCK {
                let e = fast_exp(row[k] - max[k]);
                row[k] = e;
                let one = e == 1.0;
                ones[k] += if one { 1.0 } else { 0.0 };
                small[k] += if one { 0.0 } else { e };
            }
        }
        // nll = ln Σ + max − L_y; Σ ln Σ as ln Π Σ per 16 columns in f64, as in `kernels`.
        // The two halves' products are independent chains, run side by side: each is the
        // product of its columns in increasing order, starting from 1.
        let (mut lo, mut hi) = (1.0f64, 1.0f64);
        for k in 0..16 {
            if k < nb {
                lo *= ones[k] as f64 + small[k] as f64;
            }
            if 16 + k < nb {
                hi *= ones[16 + k] as f64 + small[16 + k] as f64;
            }
        }
        let mut nll = lo.ln() + hi.ln();
        let margin: f32 = max[..nb].iter().zip(&ly).map(|(m, l)| m - l).sum();
        nll += margin as f64;
        let sum: [f32; BLOCK] = std::array::from_fn(|k| ones[k] + small[k]);
        for (inv, s) in slot.inv.iter_mut().zip(&sum) {
            *inv = scale / s;
        }
        slot.inv[nb..].fill(0.0);
        for k in 0..BLOCK {
            let sum = sum[k];
            let at = self.labels[k] as usize * BLOCK + k;
            let e = logits[at];
            logits[at] = if e == 1.0 {
                (1.0 - ones[k]) - small[k]
            } else {
                e - sum
            };
        }
        nll
    }
}

impl Back {
    /// Block b's backward half from `slot`.
    #[inline(always)]
    fn block<S: Lanes>(&mut self, s: S, c: &Ctx, slot: &Slot, b: usize) {
        let (i0, nb) = c.block(b);
        self.dvt(s, c, slot, nb);
        self.dact(s, c, slot);
        self.scatter(c, slot, i0, nb);
    }

    /// dVt += dL · act over the block's nb examples (dL = the softmax's columns times inv,
    /// folded into act's rows), vectorised over hidden units.
    #[inline(always)]
    fn dvt<S: Lanes>(&mut self, s: S, c: &Ctx, slot: &Slot, nb: usize) {
        let hp = c.d.hp;
        for k in 0..nb {
            let inv = slot.inv[k];
            for (d, &x) in self.act_s[k * hp..][..hp]
                .iter_mut()
                .zip(&slot.act[k * hp..][..hp])
            {
                *d = inv * x;
            }
        }
        let (max_r, max_v) = hidden_tile::<S>();
        let t = Tiling {
            rows: c.d.p,
            cols: hp,
            max_r,
            max_v,
            a: slot.logits.as_ptr(),
            ar: BLOCK,
            ai: 1,
            b: self.act_s.as_ptr(),
            bi: hp,
            n: nb,
            edge: Edge::Continue {
                out: self.gvt.as_mut_ptr(),
                stride: hp,
            },
        };
        // SAFETY: dL is [P × 32] (P rows, nb ≤ 32 terms at stride 1), act_s [32 × hp]
        // (nb rows of hp = vecs·N), dVt [P × hp].
        unsafe { simd::run_tiles(s, &t) }
    }

    /// dact = dLᵀ · Vt for the block (column k scaled by inv[k] on the way out), computed
    /// as dactᵀ = Vtᵀ · dL, vectorised over the block's 32 examples (so no lane is spent on
    /// the padding of the hidden width), then transposed to [32 × hp] for the scatter. Each
    /// entry is the same FMA chain over classes as dLᵀ · Vt's: a product in an FMA is exact,
    /// so the order of its two factors cannot change a bit.
    #[inline(always)]
    fn dact<S: Lanes>(&mut self, s: S, c: &Ctx, slot: &Slot) {
        let hp = c.d.hp;
        let (max_r, max_v) = example_tile::<S>();
        let t = Tiling {
            rows: c.d.h,
            cols: BLOCK,
            max_r,
            max_v,
            a: c.vt.as_ptr(),
            ar: 1,
            ai: hp,
            b: slot.logits.as_ptr(),
            bi: BLOCK,
            n: c.d.p,
            edge: Edge::StoreScaled {
                out: self.dact_t.as_mut_ptr(),
                stride: BLOCK,
                scale: slot.inv.as_ptr(),
            },
        };
        // SAFETY: vt is [P × hp] (h rows at stride 1, P terms at stride hp), dL [P × 32]
        // (P rows of 32 = vecs·N), dactᵀ [hp × 32], inv 32 floats.
        unsafe { simd::run_tiles(s, &t) }
        // Rows h..hp of dactᵀ stay the zeros they were made with, and so do the columns
        // from h8 on of dact (whole 8-column tiles of padding, never transposed).
        transpose(s, &self.dact_t, BLOCK, &mut self.dact, hp, c.d.h8(), BLOCK);
    }

    /// dpre = dact ⊙ σ'(pre) (in `dact`), added onto rows a and b of dU.
    #[inline(always)]
    fn scatter(&mut self, c: &Ctx, slot: &Slot, i0: usize, nb: usize) {
        let hp = c.d.hp;
        c.act
            .backward(&slot.pre[..nb * hp], &mut self.dact[..nb * hp]);
        for k in 0..nb {
            let g = &self.dact[k * hp..][..hp];
            for row in [c.set.a[i0 + k], c.set.b[i0 + k]] {
                for (d, &x) in self.gu[row as usize * hp..][..hp].iter_mut().zip(g) {
                    *d += x;
                }
            }
        }
    }
}

/// dst[j·dstride + i] = src[i·sstride + j] for i < rows, j < cols (both multiples of 8), in
/// 8 × 8 tiles: a copy, exact.
///
/// # Panics
/// If either slice is too short for its rows.
#[inline(always)]
fn transpose<S: Lanes>(
    s: S,
    src: &[f32],
    sstride: usize,
    dst: &mut [f32],
    dstride: usize,
    rows: usize,
    cols: usize,
) {
    assert!(rows.is_multiple_of(8) && cols.is_multiple_of(8));
    if rows == 0 || cols == 0 {
        return;
    }
    assert!(cols <= sstride && (rows - 1) * sstride + cols <= src.len());
    assert!(rows <= dstride && (cols - 1) * dstride + rows <= dst.len());
    for i0 in (0..rows).step_by(8) {
        for j0 in (0..cols).step_by(8) {
            // SAFETY: by the asserts, src's rows i0..i0+8 hold columns j0..j0+8 and dst's
            // rows j0..j0+8 hold columns i0..i0+8.
            unsafe {
                s.transpose8(
                    src.as_ptr().add(i0 * sstride + j0),
                    sstride,
                    dst.as_mut_ptr().add(j0 * dstride + i0),
                    dstride,
                );
            }
        }
    }
}

/// The tile of the two products vectorised over a block's examples (32 columns).
#[inline(always)]
fn example_tile<S: Lanes>() -> (usize, usize) {
    match S::N {
        16 | 8 => (6, 2),
        4 => (6, 4),
        _ => (4, 4),
    }
}

/// The tile of dVt, vectorised over hidden units: 12 accumulators on 16 registers, up to
/// 24 on 32.
#[inline(always)]
fn hidden_tile<S: Lanes>() -> (usize, usize) {
    match S::N {
        16 => (6, 2),
        8 => (3, 3),
        4 => (6, 4),
        _ => (4, 4),
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
    fn fused_step_matches_a_plain_f64_computation_on_every_kernel_and_team_bit_for_bit() {
        let kernels = Kernel::available_all();
        let teams = [Team::new(1), Team::new(2), Team::new(3)];
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
                // Every kernel alone, then the first as a pipeline on two and three threads.
                let ways: Vec<(Kernel, &Team)> = kernels
                    .iter()
                    .map(|&k| (k, &teams[0]))
                    .chain(teams[1..].iter().map(|t| (kernels[0], t)))
                    .collect();
                let runs: Vec<(Vec<f32>, RowStats)> = ways
                    .iter()
                    .map(|&(k, team)| {
                        let mut guv = vec![f32::NAN; p * 2 * h];
                        let mut f = Fused::new(p, h, k);
                        // Twice: buffers left over from one step must not leak into the next.
                        f.step(&uv, &mut guv, act, &set, scale, team);
                        let stats = f.step(&uv, &mut guv, act, &set, scale, team);
                        (guv, stats)
                    })
                    .collect();
                let (guv, stats) = &runs[0];
                for ((k, team), (g, st)) in ways.iter().zip(&runs).skip(1) {
                    let same = g.iter().zip(guv).all(|(x, y)| x.to_bits() == y.to_bits());
                    assert!(
                        same,
                        "p {p} h {h} n {n} {act:?}: {} on {team:?} differs from {} alone",
                        k.name(),
                        kernels[0].name()
                    );
                    assert_eq!(st.nll_sum.to_bits(), stats.nll_sum.to_bits());
                }
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
        let stats = Fused::new(p, h, Kernel::native()).step(
            &uv,
            &mut guv,
            Activation::Relu,
            &set,
            scale,
            &Team::new(1),
        );
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
