//! The aarch64 kernel's lanes: NEON (4 lanes), part of every aarch64 CPU.

use super::Lanes;
use std::arch::aarch64::*;

/// NEON: 4 lanes, part of every aarch64 CPU.
#[derive(Clone, Copy)]
pub(crate) struct Neon(());

impl Neon {
    pub(crate) fn new() -> Option<Self> {
        Some(Neon(()))
    }
}

// SAFETY (every block in this impl): NEON is part of the aarch64 baseline; loads and
// stores are the caller's contract.
impl Lanes for Neon {
    const N: usize = 4;
    type V = float32x4_t;
    #[inline(always)]
    fn zero(self) -> float32x4_t {
        // SAFETY: see the impl.
        unsafe { vdupq_n_f32(0.0) }
    }
    #[inline(always)]
    fn splat(self, x: f32) -> float32x4_t {
        // SAFETY: see the impl.
        unsafe { vdupq_n_f32(x) }
    }
    #[inline(always)]
    unsafe fn load(self, p: *const f32) -> float32x4_t {
        // SAFETY: see the impl.
        unsafe { vld1q_f32(p) }
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut f32, v: float32x4_t) {
        // SAFETY: see the impl.
        unsafe { vst1q_f32(p, v) }
    }
    #[inline(always)]
    unsafe fn load_part(self, p: *const f32, n: usize) -> float32x4_t {
        let mut t = [0.0f32; 4];
        // SAFETY: see the impl; n < 4 floats are read.
        unsafe {
            std::ptr::copy_nonoverlapping(p, t.as_mut_ptr(), n);
            vld1q_f32(t.as_ptr())
        }
    }
    #[inline(always)]
    unsafe fn store_part(self, p: *mut f32, v: float32x4_t, n: usize) {
        let mut t = [0.0f32; 4];
        // SAFETY: see the impl; n < 4 floats are written.
        unsafe {
            vst1q_f32(t.as_mut_ptr(), v);
            std::ptr::copy_nonoverlapping(t.as_ptr(), p, n);
        }
    }
    #[inline(always)]
    fn fma(self, a: float32x4_t, b: float32x4_t, c: float32x4_t) -> float32x4_t {
        // SAFETY: see the impl. vfmaq_f32(c, a, b) = c + a·b, rounded once.
        unsafe { vfmaq_f32(c, a, b) }
    }
    #[inline(always)]
    fn mul(self, a: float32x4_t, b: float32x4_t) -> float32x4_t {
        // SAFETY: see the impl.
        unsafe { vmulq_f32(a, b) }
    }
    #[inline(always)]
    fn max(self, a: float32x4_t, b: float32x4_t) -> float32x4_t {
        // SAFETY: see the impl. FMAX differs from x86 for NaN and ±0: select instead.
        unsafe { vbslq_f32(vcgtq_f32(a, b), a, b) }
    }
}
