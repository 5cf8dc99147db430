//! The two halves of a block's work: the forward half ([`Front`]: gather, logits and
//! softmax) and the backward half ([`Back`]: dVt, dact and scatter), with the register tiles
//! and the exact 8 × 8 transpose they use.

use super::super::linalg::fast_exp;
use super::super::simd::{self, Edge, Lanes, Tiling};
use super::{BLOCK, Back, Ctx, Front, Slot};

impl Front {
    /// Block b's forward half into `slot`; returns the block's Σ nll.
    #[inline(always)]
    pub(super) fn block<S: Lanes>(&mut self, s: S, c: &Ctx, slot: &mut Slot, b: usize) -> f64 {
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
    pub(super) fn block<S: Lanes>(&mut self, s: S, c: &Ctx, slot: &Slot, b: usize) {
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
