//! Where every pair of the hand-built circle lands, as braille pixels: the pairs answered
//! right and those answered wrong, at most one point per lit dot.

use crate::analysis::Construction;
use ratatui::layout::Rect;

/// Pixels of a braille canvas (2 × 4 per cell) hit by the points `(x, y)`, as the pixels'
/// centres: at most one point per pixel, however many pairs (M² = 250,000 at M = 500).
fn pixels(
    inner: Rect,
    xb: [f64; 2],
    yb: [f64; 2],
    points: impl Iterator<Item = (f64, f64)>,
) -> Pixels {
    let (w, h) = (inner.width as usize * 2, inner.height as usize * 4);
    if w == 0 || h == 0 {
        return Vec::new();
    }
    let mut hit = vec![false; w * h];
    let (dx, dy) = ((xb[1] - xb[0]) / w as f64, (yb[1] - yb[0]) / h as f64);
    for (x, y) in points {
        let (i, j) = ((x - xb[0]) / dx, (y - yb[0]) / dy);
        if i >= 0.0 && j >= 0.0 && (i as usize) < w && (j as usize) < h {
            hit[j as usize * w + i as usize] = true;
        }
    }
    hit.iter()
        .enumerate()
        .filter(|(_, b)| **b)
        .map(|(k, _)| {
            (
                xb[0] + ((k % w) as f64 + 0.5) * dx,
                yb[0] + ((k / w) as f64 + 0.5) * dy,
            )
        })
        .collect()
}

/// Pairs as (target, offset).
type Landings = Vec<(usize, f32)>;

/// Canvas points, one per lit braille dot.
type Pixels = Vec<(f64, f64)>;

/// Every pair's (target, offset), split into right and wrong (or tied) answers.
/// The pixels of the pairs answered right and of those answered wrong, each landing
/// (target t, offset o) drawn at (t, y(t, o)).
pub(super) fn split_pixels(
    c: &Construction,
    inner: Rect,
    xb: [f64; 2],
    yb: [f64; 2],
    y: fn(f64, f64) -> f64,
) -> (Pixels, Pixels) {
    let (right, wrong) = split(c);
    let at = |v: &Landings| {
        let points = v.iter().map(|&(t, o)| (t as f64, y(t as f64, o as f64)));
        pixels(inner, xb, yb, points)
    };
    (at(&right), at(&wrong))
}

fn split(c: &Construction) -> (Landings, Landings) {
    let m = c.modulus;
    let (mut right, mut wrong) = (Vec::new(), Vec::new());
    for (row, (t, o)) in c.landings().enumerate() {
        if o.is_nan() {
            continue;
        }
        if c.answer(row / m, row % m) == Some(t) {
            right.push((t, o));
        } else {
            wrong.push((t, o));
        }
    }
    (right, wrong)
}
