//! The x86_64 kernels' lanes: AVX2 + FMA (8 lanes) and AVX-512 (16 lanes), each a token
//! made only after the CPU is checked (the `#[target_feature]` entry points are `dispatch`'s).

use super::{Kernel, Lanes};
use std::arch::x86_64::*;

/// AVX2 and FMA: 8 lanes. Only [`Avx2::new`] makes one, after checking the CPU.
#[derive(Clone, Copy)]
pub(crate) struct Avx2(());

impl Avx2 {
    pub(crate) fn new() -> Option<Self> {
        Kernel::Avx2.available().then_some(Avx2(()))
    }
}

// SAFETY (every block in this impl): a value of `Avx2` exists only on a CPU with AVX2
// and FMA (see `Avx2::new`); loads and stores are the caller's contract.
impl Lanes for Avx2 {
    const N: usize = 8;
    type V = __m256;
    #[inline(always)]
    fn zero(self) -> __m256 {
        // SAFETY: see the impl.
        unsafe { _mm256_setzero_ps() }
    }
    #[inline(always)]
    fn splat(self, x: f32) -> __m256 {
        // SAFETY: see the impl.
        unsafe { _mm256_set1_ps(x) }
    }
    #[inline(always)]
    unsafe fn load(self, p: *const f32) -> __m256 {
        // SAFETY: see the impl.
        unsafe { _mm256_loadu_ps(p) }
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut f32, v: __m256) {
        // SAFETY: see the impl.
        unsafe { _mm256_storeu_ps(p, v) }
    }
    #[inline(always)]
    unsafe fn load_part(self, p: *const f32, n: usize) -> __m256 {
        // SAFETY: see the impl; the mask reads only lanes below n.
        unsafe { _mm256_maskload_ps(p, mask8(n)) }
    }
    #[inline(always)]
    unsafe fn store_part(self, p: *mut f32, v: __m256, n: usize) {
        // SAFETY: see the impl; the mask writes only lanes below n.
        unsafe { _mm256_maskstore_ps(p, mask8(n), v) }
    }
    #[inline(always)]
    fn fma(self, a: __m256, b: __m256, c: __m256) -> __m256 {
        // SAFETY: see the impl.
        unsafe { _mm256_fmadd_ps(a, b, c) }
    }
    #[inline(always)]
    fn mul(self, a: __m256, b: __m256) -> __m256 {
        // SAFETY: see the impl.
        unsafe { _mm256_mul_ps(a, b) }
    }
    #[inline(always)]
    fn max(self, a: __m256, b: __m256) -> __m256 {
        // SAFETY: see the impl. maxps returns its second operand unless a > b.
        unsafe { _mm256_max_ps(a, b) }
    }
    #[inline(always)]
    unsafe fn transpose8(self, src: *const f32, ss: usize, dst: *mut f32, ds: usize) {
        // SAFETY: see the impl (AVX is part of the token's features).
        unsafe { transpose8_avx(src, ss, dst, ds) }
    }
}

/// The AVX 8 × 8 transpose (see [`Lanes::transpose8`]).
///
/// # Safety
/// The CPU must have AVX (both tokens prove it), and the pointers as `transpose8`'s.
#[inline(always)]
unsafe fn transpose8_avx(src: *const f32, sstride: usize, dst: *mut f32, dstride: usize) {
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

/// Lanes below n set (all bits), the rest clear.
#[inline(always)]
fn mask8(n: usize) -> __m256i {
    // SAFETY: only called from `Avx2`'s methods, on a CPU with AVX2.
    unsafe {
        _mm256_cmpgt_epi32(
            _mm256_set1_epi32(n as i32),
            _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7),
        )
    }
}

/// AVX-512F (with AVX2 and FMA): 16 lanes. Only [`Avx512::new`] makes one.
#[derive(Clone, Copy)]
pub(crate) struct Avx512(());

impl Avx512 {
    pub(crate) fn new() -> Option<Self> {
        Kernel::Avx512.available().then_some(Avx512(()))
    }
}

// SAFETY (every block in this impl): a value of `Avx512` exists only on a CPU with
// AVX-512F, AVX2 and FMA (see `Avx512::new`); loads and stores are the caller's
// contract.
impl Lanes for Avx512 {
    const N: usize = 16;
    type V = __m512;
    #[inline(always)]
    fn zero(self) -> __m512 {
        // SAFETY: see the impl.
        unsafe { _mm512_setzero_ps() }
    }
    #[inline(always)]
    fn splat(self, x: f32) -> __m512 {
        // SAFETY: see the impl.
        unsafe { _mm512_set1_ps(x) }
    }
    #[inline(always)]
    unsafe fn load(self, p: *const f32) -> __m512 {
        // SAFETY: see the impl.
        unsafe { _mm512_loadu_ps(p) }
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut f32, v: __m512) {
        // SAFETY: see the impl.
        unsafe { _mm512_storeu_ps(p, v) }
    }
    #[inline(always)]
    unsafe fn load_part(self, p: *const f32, n: usize) -> __m512 {
        // SAFETY: see the impl; the mask reads only lanes below n.
        unsafe { _mm512_maskz_loadu_ps(((1u32 << n) - 1) as u16, p) }
    }
    #[inline(always)]
    unsafe fn store_part(self, p: *mut f32, v: __m512, n: usize) {
        // SAFETY: see the impl; the mask writes only lanes below n.
        unsafe { _mm512_mask_storeu_ps(p, ((1u32 << n) - 1) as u16, v) }
    }
    #[inline(always)]
    fn fma(self, a: __m512, b: __m512, c: __m512) -> __m512 {
        // SAFETY: see the impl.
        unsafe { _mm512_fmadd_ps(a, b, c) }
    }
    #[inline(always)]
    fn mul(self, a: __m512, b: __m512) -> __m512 {
        // SAFETY: see the impl.
        unsafe { _mm512_mul_ps(a, b) }
    }
    #[inline(always)]
    fn max(self, a: __m512, b: __m512) -> __m512 {
        // SAFETY: see the impl. Like maxps: the second operand unless a > b.
        unsafe { _mm512_max_ps(a, b) }
    }
    #[inline(always)]
    unsafe fn transpose8(self, src: *const f32, ss: usize, dst: *mut f32, ds: usize) {
        // SAFETY: see the impl (AVX is part of the token's features).
        unsafe { transpose8_avx(src, ss, dst, ds) }
    }
}
