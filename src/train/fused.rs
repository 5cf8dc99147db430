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
use super::simd::{self, Job, Kernel, Lanes};
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

mod halves;

#[cfg(test)]
mod tests;
