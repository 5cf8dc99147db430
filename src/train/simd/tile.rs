//! The register tiles every product runs on: an R × V-vector block of accumulators, one FMA
//! per term in increasing reduction index, and what happens to a finished tile ([`Edge`]).

use super::Lanes;

/// The shared inner loop of every product: an R × V-vector tile of accumulators gains
/// Σ_{i<n} a[r·ar + i·ai] · b[i·bi + N·v ..][..N] (the fields of `t`), one FMA per term in
/// increasing i (the a terms broadcast, the b terms loaded whole). Where `PART`, the last
/// vector holds only `tail` columns (loaded masked, the rest zero).
///
/// # Safety
/// `t.a` must be readable at a[r·ar + i·ai] for r < R, i < n, and `t.b` at b[i·bi ..] for
/// N·V floats (N·(V−1) + tail where `PART`), i < n.
#[inline(always)]
unsafe fn rank1_updates<S: Lanes, const R: usize, const V: usize, const PART: bool>(
    s: S,
    acc: &mut [[S::V; V]; R],
    t: &Tiling,
    tail: usize,
) {
    let (a, ar, ai, b, bi) = (t.a, t.ar, t.ai, t.b, t.bi);
    // SAFETY: the caller passes R·n readable a terms at those strides and n rows of
    // readable b terms.
    unsafe {
        for i in 0..t.n {
            let row = b.add(i * bi);
            let mut x = [s.zero(); V];
            for (v, x) in x.iter_mut().enumerate() {
                *x = if PART && v == V - 1 {
                    s.load_part(row.add(S::N * v), tail)
                } else {
                    s.load(row.add(S::N * v))
                };
            }
            for (r, acc) in acc.iter_mut().enumerate() {
                let w = s.splat(*a.add(r * ar + i * ai));
                for (acc, x) in acc.iter_mut().zip(&x) {
                    *acc = s.fma(w, *x, *acc);
                }
            }
        }
    }
}

/// How a tile starts and ends (see [`tile`]).
#[derive(Clone, Copy)]
pub(crate) enum Edge {
    /// Start from zero and store the sums to `out` (rows `stride` apart).
    Store { out: *mut f32, stride: usize },
    /// Start from `out` and store the continued sums back (a gradient over blocks, or a
    /// product added onto its destination).
    Continue { out: *mut f32, stride: usize },
    /// Start from zero, store to `out`, and raise `max[N·v + l]` to cover each column.
    StoreMax {
        out: *mut f32,
        stride: usize,
        max: *mut f32,
    },
    /// Start from zero and store column c times `scale[c]` (one rounding after the sum).
    StoreScaled {
        out: *mut f32,
        stride: usize,
        scale: *const f32,
    },
}

impl Edge {
    /// The same edge for the tile whose first row is r0 and first column col.
    ///
    /// # Safety
    /// The moved pointers must stay inside the product's output (and `max`, `scale`).
    unsafe fn at(self, r0: usize, col: usize) -> Edge {
        // SAFETY: the caller's contract.
        unsafe {
            match self {
                Edge::Store { out, stride } => Edge::Store {
                    out: out.add(r0 * stride + col),
                    stride,
                },
                Edge::Continue { out, stride } => Edge::Continue {
                    out: out.add(r0 * stride + col),
                    stride,
                },
                Edge::StoreMax { out, stride, max } => Edge::StoreMax {
                    out: out.add(r0 * stride + col),
                    stride,
                    max: max.add(col),
                },
                Edge::StoreScaled { out, stride, scale } => Edge::StoreScaled {
                    out: out.add(r0 * stride + col),
                    stride,
                    scale: scale.add(col),
                },
            }
        }
    }
}

/// One R × V-vector tile of a product: `t` moved to the tile (its `rows`, `cols` and
/// largest tile unused), see [`rank1_updates`] for the sum and [`Edge`] for its start and
/// end. A partial last vector (`PART`) is for `Store` and `Continue` only.
///
/// # Safety
/// As [`rank1_updates`], and the edge's pointers valid for R rows of the tile's columns
/// (`max` and `scale` for its columns).
#[inline(always)]
unsafe fn tile<S: Lanes, const R: usize, const V: usize, const PART: bool>(
    s: S,
    t: &Tiling,
    tail: usize,
) {
    let edge = t.edge;
    let load = |p: *const f32, v: usize| {
        // SAFETY: the caller's contract: whole vectors, or `tail` floats in the last.
        unsafe {
            if PART && v == V - 1 {
                s.load_part(p, tail)
            } else {
                s.load(p)
            }
        }
    };
    let store = |p: *mut f32, v: usize, x: S::V| {
        // SAFETY: as above.
        unsafe {
            if PART && v == V - 1 {
                s.store_part(p, x, tail)
            } else {
                s.store(p, x)
            }
        }
    };
    // SAFETY: the caller's contract covers every pointer used here.
    unsafe {
        let mut acc = [[s.zero(); V]; R];
        if let Edge::Continue { out, stride } = edge {
            for (r, acc) in acc.iter_mut().enumerate() {
                for (v, x) in acc.iter_mut().enumerate() {
                    *x = load(out.add(r * stride + S::N * v), v);
                }
            }
        }
        rank1_updates::<S, R, V, PART>(s, &mut acc, t, tail);
        match edge {
            Edge::Store { out, stride } | Edge::Continue { out, stride } => {
                for (r, acc) in acc.iter().enumerate() {
                    for (v, x) in acc.iter().enumerate() {
                        store(out.add(r * stride + S::N * v), v, *x);
                    }
                }
            }
            Edge::StoreMax { out, stride, max } => {
                debug_assert!(!PART);
                let mut m = [s.zero(); V];
                for (v, m) in m.iter_mut().enumerate() {
                    *m = s.load(max.add(S::N * v));
                }
                for (r, acc) in acc.iter().enumerate() {
                    for (v, x) in acc.iter().enumerate() {
                        s.store(out.add(r * stride + S::N * v), *x);
                        m[v] = s.max(m[v], *x);
                    }
                }
                for (v, m) in m.iter().enumerate() {
                    s.store(max.add(S::N * v), *m);
                }
            }
            Edge::StoreScaled { out, stride, scale } => {
                debug_assert!(!PART);
                let mut k = [s.zero(); V];
                for (v, k) in k.iter_mut().enumerate() {
                    *k = s.load(scale.add(S::N * v));
                }
                for (r, acc) in acc.iter().enumerate() {
                    for (v, x) in acc.iter().enumerate() {
                        s.store(out.add(r * stride + S::N * v), s.mul(*x, k[v]));
                    }
                }
            }
        }
    }
}

/// A product laid out as tiles: `rows` rows of `cols` columns, the tile at (r0, c0)
/// reading a from `a + r0·ar`, b from `b + c0`, and writing its edge moved to (r0, c0).
#[derive(Clone, Copy)]
pub(crate) struct Tiling {
    pub rows: usize,
    pub cols: usize,
    /// Largest tile: at most 6 rows by 4 vectors.
    pub max_r: usize,
    pub max_v: usize,
    pub a: *const f32,
    pub ar: usize,
    pub ai: usize,
    pub b: *const f32,
    pub bi: usize,
    pub n: usize,
    pub edge: Edge,
}

/// One tile of r rows by v vectors.
///
/// # Safety
/// As [`tile`].
#[inline(always)]
unsafe fn dispatch_tile<S: Lanes, const PART: bool>(
    r: usize,
    v: usize,
    s: S,
    t: &Tiling,
    tail: usize,
) {
    macro_rules! arms {
        ($($r:literal, $v:literal);*) => {
            match (r, v) {
                $(($r, $v) => tile::<S, $r, $v, PART>(s, t, tail),)*
                _ => unreachable!("tiles are at most 6 rows by 4 vectors"),
            }
        };
    }
    // SAFETY: the caller's contract.
    unsafe {
        arms!(1, 1; 1, 2; 1, 3; 1, 4; 2, 1; 2, 2; 2, 3; 2, 4; 3, 1; 3, 2; 3, 3; 3, 4;
              4, 1; 4, 2; 4, 3; 4, 4; 5, 1; 5, 2; 5, 3; 5, 4; 6, 1; 6, 2; 6, 3; 6, 4)
    }
}

/// Run every tile of `t` (rows in blocks of max_r, vectors in blocks of max_v; a last
/// vector of fewer than N columns is loaded and stored masked).
///
/// # Safety
/// The pointers of `t` valid for the whole product: `a` at a[r·ar + i·ai] for r < rows,
/// i < n; `b` at b[i·bi ..][..cols]; the edge's `out` for rows × cols floats at its
/// stride, `max` and `scale` for cols. Only `Store` and `Continue` may have cols
/// that are not a whole number of vectors.
#[inline(always)]
pub(crate) unsafe fn run_tiles<S: Lanes>(s: S, t: &Tiling) {
    debug_assert!((1..=6).contains(&t.max_r) && (1..=4).contains(&t.max_v));
    let vecs = t.cols.div_ceil(S::N);
    let tail = t.cols - (vecs - 1) * S::N;
    let mut r0 = 0;
    while r0 < t.rows {
        let r = t.max_r.min(t.rows - r0);
        let mut v0 = 0;
        while v0 < vecs {
            let v = t.max_v.min(vecs - v0);
            let col = S::N * v0;
            let part = v0 + v == vecs && tail < S::N;
            // SAFETY: the tile lies inside the product (r0 + r ≤ rows, its columns below
            // cols), so its moved pointers do too.
            unsafe {
                let moved = Tiling {
                    a: t.a.add(r0 * t.ar),
                    b: t.b.add(col),
                    edge: t.edge.at(r0, col),
                    ..*t
                };
                if part {
                    dispatch_tile::<S, true>(r, v, s, &moved, tail);
                } else {
                    dispatch_tile::<S, false>(r, v, s, &moved, tail);
                }
            }
            v0 += v;
        }
        r0 += r;
    }
}
