//! The one arithmetic of the training step, and the four kernels that compute it.
//!
//! **The definition.** Every product in a step — the factored products (E·W, Eᵀ·dUV,
//! dUV·Wᵀ) and the fused step's three (logits, dW_output, dact) — computes each output
//! element as one chain of fused multiply-adds over the reduction index in increasing order,
//! `acc = fma(a[i,k], b[k,j], acc)` for k = 0, 1, …, starting from 0 (or, where a gradient
//! accumulates over blocks of examples, from the running value), each FMA rounded once. A
//! vector kernel computes many output elements side by side, never one element's sum in
//! pieces, so the width of the vectors (16, 8, 4 or 1 lanes) cannot change a bit. The
//! elementwise parts (the gather, the activation, the softmax and its exponential, the
//! scatter, AdamW) are written once as scalar Rust: Rust never fuses or reorders floating
//! point on its own, so compiled for any target they round the same way, and `f32::mul_add`
//! is the correctly rounded FMA everywhere. Nothing depends on cache sizes, thread counts
//! or a library's private dispatch.
//!
//! **The kernels.** [`Kernel::Avx512`] (AVX-512F, 16 lanes, 32 registers), [`Kernel::Avx2`]
//! (AVX2 + FMA, 8 lanes, 16 registers), [`Kernel::Neon`] (aarch64, 4 lanes) and
//! [`Kernel::Portable`] (one lane, `f32::mul_add`'s value, see `fma_f32`): the best the
//! CPU has is chosen at run time, or the one `GROKSCOPE_KERNEL` names. `tests/kernels.rs` trains every preset under
//! every kernel the machine has and checks the bits agree, and pins a digest of the losses.

use std::sync::OnceLock;

/// A kernel: one implementation of the step's arithmetic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kernel {
    Avx512,
    Avx2,
    Neon,
    Portable,
}

/// The environment variable that forces a kernel.
pub const KERNEL_ENV: &str = "GROKSCOPE_KERNEL";

impl Kernel {
    /// Every kernel, fastest first.
    pub const ALL: [Kernel; 4] = [Kernel::Avx512, Kernel::Avx2, Kernel::Neon, Kernel::Portable];

    pub fn name(self) -> &'static str {
        match self {
            Kernel::Avx512 => "avx512",
            Kernel::Avx2 => "avx2",
            Kernel::Neon => "neon",
            Kernel::Portable => "portable",
        }
    }

    pub fn parse(s: &str) -> Option<Kernel> {
        Kernel::ALL.into_iter().find(|k| k.name() == s)
    }

    /// Whether this CPU can run the kernel.
    pub fn available(self) -> bool {
        match self {
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512 => {
                std::arch::is_x86_feature_detected!("avx512f")
                    && std::arch::is_x86_feature_detected!("fma")
                    && std::arch::is_x86_feature_detected!("avx2")
            }
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 => {
                std::arch::is_x86_feature_detected!("avx2")
                    && std::arch::is_x86_feature_detected!("fma")
            }
            #[cfg(target_arch = "aarch64")]
            Kernel::Neon => true,
            Kernel::Portable => true,
            #[allow(unreachable_patterns)]
            _ => false,
        }
    }

    /// The kernels this CPU can run, fastest first.
    pub fn available_all() -> Vec<Kernel> {
        Kernel::ALL.into_iter().filter(|k| k.available()).collect()
    }

    /// The fastest kernel this CPU can run.
    pub fn native() -> Kernel {
        Kernel::available_all()[0]
    }

    /// The kernel `GROKSCOPE_KERNEL` names, or the native one when it is unset or empty;
    /// an unknown or unavailable name is an error that says what this CPU offers.
    pub fn from_env() -> Result<Kernel, String> {
        match std::env::var(KERNEL_ENV) {
            Err(std::env::VarError::NotPresent) => Ok(Kernel::native()),
            Err(std::env::VarError::NotUnicode(_)) => {
                Err(format!("{KERNEL_ENV} is not valid UTF-8"))
            }
            Ok(s) if s.is_empty() => Ok(Kernel::native()),
            Ok(s) => {
                let offered = Kernel::available_all()
                    .iter()
                    .map(|k| k.name())
                    .collect::<Vec<_>>()
                    .join(", ");
                match Kernel::parse(&s) {
                    Some(k) if k.available() => Ok(k),
                    Some(k) => Err(format!(
                        "{KERNEL_ENV}={}: this CPU cannot run it (it can run {offered})",
                        k.name()
                    )),
                    None => Err(format!(
                        "{KERNEL_ENV}={}: unknown kernel (avx512, avx2, neon or portable; \
                         this CPU can run {offered})",
                        s.escape_debug()
                    )),
                }
            }
        }
    }

    /// The kernel new models use: `GROKSCOPE_KERNEL`'s, read once, or the native one
    /// (where the variable is invalid; the command line refuses that case before training,
    /// see [`Kernel::from_env`]).
    pub fn active() -> Kernel {
        static ACTIVE: OnceLock<Kernel> = OnceLock::new();
        *ACTIVE.get_or_init(|| Kernel::from_env().unwrap_or_else(|_| Kernel::native()))
    }

    /// Lanes per vector.
    pub fn lanes(self) -> usize {
        match self {
            Kernel::Avx512 => 16,
            Kernel::Avx2 => 8,
            Kernel::Neon => 4,
            Kernel::Portable => 1,
        }
    }
}

/// One vector instruction set, as a token that exists only where the CPU has it, so its
/// methods are safe to call. Every method is `#[inline(always)]`: the kernels are generic
/// functions inlined into one `#[target_feature]` entry point per instruction set, where
/// the intrinsics compile to single instructions.
pub(crate) trait Lanes: Copy {
    /// Lanes per vector.
    const N: usize;
    type V: Copy;
    fn zero(self) -> Self::V;
    fn splat(self, x: f32) -> Self::V;
    /// # Safety
    /// `p` must be readable for N floats.
    unsafe fn load(self, p: *const f32) -> Self::V;
    /// # Safety
    /// `p` must be writable for N floats.
    unsafe fn store(self, p: *mut f32, v: Self::V);
    /// The first `n` lanes from `p`, the rest zero (0 < n < N).
    ///
    /// # Safety
    /// `p` must be readable for n floats.
    unsafe fn load_part(self, p: *const f32, n: usize) -> Self::V;
    /// The first `n` lanes of `v` to `p` (0 < n < N).
    ///
    /// # Safety
    /// `p` must be writable for n floats.
    unsafe fn store_part(self, p: *mut f32, v: Self::V, n: usize);
    /// a·b + c, rounded once.
    fn fma(self, a: Self::V, b: Self::V, c: Self::V) -> Self::V;
    fn mul(self, a: Self::V, b: Self::V) -> Self::V;
    /// `if a > b { a } else { b }` per lane (x86's `max` exactly, also for NaN and ±0).
    fn max(self, a: Self::V, b: Self::V) -> Self::V;
    /// Transpose an 8 × 8 tile: dst[j·dstride + i] = src[i·sstride + j] (a copy: exact).
    ///
    /// # Safety
    /// `src` must hold 8 readable rows (stride `sstride`) of 8 floats and `dst` 8 writable
    /// rows (stride `dstride`) of 8.
    #[inline(always)]
    unsafe fn transpose8(self, src: *const f32, sstride: usize, dst: *mut f32, dstride: usize) {
        for i in 0..8 {
            for j in 0..8 {
                // SAFETY: i, j < 8 (the caller's contract).
                unsafe { *dst.add(j * dstride + i) = *src.add(i * sstride + j) };
            }
        }
    }
}

/// One lane, [`fma_f32`] (`f32::mul_add`'s value): runs anywhere.
#[derive(Clone, Copy)]
pub(crate) struct Portable;

impl Lanes for Portable {
    const N: usize = 1;
    type V = f32;
    #[inline(always)]
    fn zero(self) -> f32 {
        0.0
    }
    #[inline(always)]
    fn splat(self, x: f32) -> f32 {
        x
    }
    #[inline(always)]
    unsafe fn load(self, p: *const f32) -> f32 {
        // SAFETY: the caller passes a readable float.
        unsafe { *p }
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut f32, v: f32) {
        // SAFETY: the caller passes a writable float.
        unsafe { *p = v }
    }
    #[inline(always)]
    unsafe fn load_part(self, _p: *const f32, _n: usize) -> f32 {
        unreachable!("one lane is never split")
    }
    #[inline(always)]
    unsafe fn store_part(self, _p: *mut f32, _v: f32, _n: usize) {
        unreachable!("one lane is never split")
    }
    #[inline(always)]
    fn fma(self, a: f32, b: f32, c: f32) -> f32 {
        fma_f32(a, b, c)
    }
    #[inline(always)]
    fn mul(self, a: f32, b: f32) -> f32 {
        a * b
    }
    #[inline(always)]
    fn max(self, a: f32, b: f32) -> f32 {
        if a > b { a } else { b }
    }
}

/// a·b + c rounded once, as `f32::mul_add`. Where the target has no FMA instruction
/// (x86-64's baseline), `mul_add` is a call into libm per term, and the portable kernel's
/// accumulators are spilled around every call; this computes the same value inline in f64:
/// the product of two f32 is exact in f64, the sum is rounded to odd (rounded to nearest,
/// then, when that was inexact and landed on an even significand, moved one step towards
/// the exact value), and rounding that to f32 is the correctly rounded result, because f64
/// has more than 24 + 2 bits (Boldo and Melquiond, "Emulation of FMA and correctly rounded
/// sums: proved algorithms using rounding to odd", 2008). Tested against `mul_add` below.
#[inline(always)]
pub(crate) fn fma_f32(a: f32, b: f32, c: f32) -> f32 {
    if cfg!(any(target_feature = "fma", target_arch = "aarch64")) {
        return a.mul_add(b, c);
    }
    fma_by_odd_rounding(a, b, c)
}

/// [`fma_f32`]'s emulation, on every target (so it is tested everywhere).
#[inline(always)]
fn fma_by_odd_rounding(a: f32, b: f32, c: f32) -> f32 {
    let p = a as f64 * b as f64;
    let c = c as f64;
    let s = p + c;
    if !s.is_finite() {
        return s as f32;
    }
    // The rounding error of s, exactly (Knuth's two-sum; no overflow, as |p|, |c| < 2^257).
    let bb = s - p;
    let err = (p - (s - bb)) + (c - bb);
    // Where s is inexact and even, one step to the odd neighbour on the exact value's side
    // (s ≠ 0 then: an exact zero sum has no error): up in magnitude where the error points
    // away from zero, down where it points towards it. Branch-free: the condition is a coin
    // toss for the branch predictor.
    let bits = s.to_bits();
    let moves = (err != 0.0) as u64 & !bits & 1;
    let away = ((err > 0.0) == (s > 0.0)) as u64;
    // +1 (away) or −1 (towards zero) as a wrapping u64, times `moves`.
    let step = (away.wrapping_mul(2).wrapping_sub(1)).wrapping_mul(moves);
    f64::from_bits(bits.wrapping_add(step)) as f32
}

#[cfg(target_arch = "x86_64")]
pub(crate) use x86::{Avx2, Avx512};

#[cfg(target_arch = "x86_64")]
mod x86;

#[cfg(target_arch = "aarch64")]
pub(crate) use arm::Neon;

#[cfg(target_arch = "aarch64")]
mod arm;

mod tile;
pub(crate) use tile::{Edge, Tiling, run_tiles};

/// Work generic over the instruction set, run by [`dispatch`] inside an entry point
/// compiled for it. `run` must be `#[inline(always)]` so the work compiles there.
pub(crate) trait Job {
    type Out;
    fn run<S: Lanes>(self, s: S) -> Self::Out;
}

/// Run `job` with `kernel`'s instructions.
///
/// # Panics
/// If this CPU cannot run `kernel` (models and products are only built with a kernel that
/// [`Kernel::available`] approved).
pub(crate) fn dispatch<J: Job>(kernel: Kernel, job: J) -> J::Out {
    const MISSING: &str = "the kernel was checked against this CPU";
    match kernel {
        #[cfg(target_arch = "x86_64")]
        Kernel::Avx512 => {
            let s = Avx512::new().expect(MISSING);
            // SAFETY: the token proves the CPU has the entry point's features.
            unsafe { entry_avx512(s, job) }
        }
        #[cfg(target_arch = "x86_64")]
        Kernel::Avx2 => {
            let s = Avx2::new().expect(MISSING);
            // SAFETY: as above.
            unsafe { entry_avx2(s, job) }
        }
        #[cfg(target_arch = "aarch64")]
        Kernel::Neon => job.run(Neon::new().expect(MISSING)),
        Kernel::Portable => job.run(Portable),
        #[allow(unreachable_patterns)]
        k => panic!(
            "{}: not a kernel of this architecture ({MISSING})",
            k.name()
        ),
    }
}

/// # Safety
/// The CPU must have AVX-512F, AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
unsafe fn entry_avx512<J: Job>(s: Avx512, job: J) -> J::Out {
    job.run(s)
}

/// # Safety
/// The CPU must have AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn entry_avx2<J: Job>(s: Avx2, job: J) -> J::Out {
    job.run(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Random f32 bit patterns of every kind (normal, subnormal, zero, infinite, NaN), and
    /// triples built to cancel or to land on rounding midpoints.
    #[test]
    fn fma_by_odd_rounding_is_mul_add_bit_for_bit() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let same = |a: f32, b: f32, c: f32| {
            let (want, got) = (a.mul_add(b, c), fma_by_odd_rounding(a, b, c));
            assert!(
                want.to_bits() == got.to_bits() || (want.is_nan() && got.is_nan()),
                "fma({a:e}, {b:e}, {c:e}): mul_add {want:e}, emulated {got:e}"
            );
        };
        for _ in 0..2_000_000 {
            let r = next();
            let (a, b, c) = (
                f32::from_bits(r as u32),
                f32::from_bits((r >> 32) as u32),
                f32::from_bits(next() as u32),
            );
            same(a, b, c);
            // c near −a·b: the sum cancels to its last bits.
            same(a, b, -(a * b) * (1.0 + (r >> 60) as f32 * f32::EPSILON));
            // Moderate magnitudes, where training lives: mixed signs, nearby exponents.
            let m = |x: u64| f32::from_bits(0x3c00_0000 + (x as u32 & 0x07ff_ffff));
            let sign = |x: f32, bit: u64| if r >> bit & 1 == 1 { -x } else { x };
            same(sign(m(r), 61), m(r >> 20), sign(m(r >> 40 ^ r), 62));
            // Double-rounding traps: a and b with 12-bit significands, so a·b (at most 26
            // bits) is often an exact f32 midpoint, and c far below its last bit: rounded
            // to nearest twice, the tie would go to even, not towards c.
            let short = |x: u64| f32::from_bits(0x3f80_0800 | (x as u32 & 0x007f_f000));
            let (a, b) = (short(r), short(r >> 23));
            let tiny = f32::from_bits((127 - 30 - (r >> 58) as u32) << 23);
            same(a, b, tiny);
            same(a, b, -tiny);
            same(-a, b, tiny);
        }
        let special = [
            0.0,
            -0.0,
            1.0,
            -1.0,
            f32::MIN_POSITIVE,
            f32::from_bits(1),
            -f32::from_bits(1),
            f32::MAX,
            f32::MIN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::NAN,
            f32::EPSILON,
            1.0 + f32::EPSILON,
            1.0 - f32::EPSILON / 2.0,
        ];
        for a in special {
            for b in special {
                for c in special {
                    same(a, b, c);
                }
            }
        }
    }

    #[test]
    fn kernel_names_round_trip_and_portable_is_always_there() {
        for k in Kernel::ALL {
            assert_eq!(Kernel::parse(k.name()), Some(k));
        }
        assert_eq!(Kernel::parse("sse"), None);
        assert!(Kernel::Portable.available());
        assert!(Kernel::available_all().contains(&Kernel::Portable));
        assert_eq!(*Kernel::available_all().last().unwrap(), Kernel::Portable);
    }
}
