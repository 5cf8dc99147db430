//! Scoring the construction: two passes over all `M³` logits, regenerated a row at a time
//! from each pair's output point (never held), on every core, with a result that does not
//! depend on how the rows are split.

use super::logits::Parts;

/// Two outputs count as tied for the maximum when they are within this fraction of the
/// largest |logit| over all pairs of each other. f64 round-off is ~1e-16·N of it (under
/// 5e-13 for the CLI's 4096 neurons); the smallest genuine margin of the `x²` construction
/// is `sin²(π/2M)·(1 − cos(2π/M))` of it, ~8e-10 at `M = 499` (the pair half a turn apart
/// but one, whose envelope is nearly zero), ~3e-7 at `M = 113`.
pub const TIE_RELATIVE_TOLERANCE: f64 = 1e-11;

/// What the two passes over the logits find.
pub(super) struct Scored {
    /// Largest |logit| over all pairs.
    pub(super) scale: f64,
    pub(super) answers: Vec<Option<u32>>,
    pub(super) correct: usize,
    pub(super) ties: usize,
    pub(super) max_abs_error: f64,
}

/// One pair's row: the first output with the largest logit, that logit, the largest logit
/// of the other outputs, and the row's four partial sums of the fit (L, F, L·F, F²).
struct RowScan {
    top: u32,
    max: f64,
    second: f64,
    partial: [f64; 4],
}

/// `(max, min)` of `v` (`(−∞, ∞)` when empty), in four lanes so the loop vectorises: a
/// maximum or minimum is exact in any order.
fn extremes(v: &[f64]) -> (f64, f64) {
    let (mut hi, mut lo) = ([f64::NEG_INFINITY; 4], [f64::INFINITY; 4]);
    let chunks = v.chunks_exact(4);
    for &x in chunks.remainder() {
        hi[0] = hi[0].max(x);
        lo[0] = lo[0].min(x);
    }
    for c in chunks {
        for k in 0..4 {
            hi[k] = hi[k].max(c[k]);
            lo[k] = lo[k].min(c[k]);
        }
    }
    (
        hi.into_iter().fold(f64::NEG_INFINITY, f64::max),
        lo.into_iter().fold(f64::INFINITY, f64::min),
    )
}

/// Rows per thread below which scoring stays on one thread.
const ROWS_PER_THREAD: usize = 8192;

/// `f` over `0..rows` split into contiguous chunks, one per core (or one chunk when small),
/// the chunks' results in order.
fn chunked<T: Send>(rows: usize, f: impl Fn(std::ops::Range<usize>) -> T + Sync) -> Vec<T> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = cores.min(rows / ROWS_PER_THREAD).max(1);
    if threads == 1 {
        return vec![f(0..rows)];
    }
    let per = rows.div_ceil(threads);
    std::thread::scope(|scope| {
        let f = &f;
        let handles: Vec<_> = (0..threads)
            .map(|t| scope.spawn(move || f(t * per..((t + 1) * per).min(rows))))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a scoring thread panicked"))
            .collect()
    })
}

/// Scores all pairs, regenerating each pair's logits from its point (bit for bit the values
/// [`constructed_logits`] holds): pass one finds each row's maximum, the largest |logit| and
/// the least-squares sums; pass two the worst deviation from the fitted closed form.
///
/// A pair is correct when its maximum is at `(a + b) mod M` alone; it is tied when another
/// output is within [`TIE_RELATIVE_TOLERANCE`] · max |logit| of the maximum (the count of
/// outputs at the maximum is more than one exactly when the second largest is that close).
///
/// Rows are scored on every core; the result does not depend on how they are split (each
/// row's partial sums are added in row order, and a maximum is the same in any order).
pub(super) fn score(parts: &Parts, points: &[[f64; 2]]) -> Scored {
    let m = parts.cos_c.len();
    let form = ClosedForm::new(m);
    let scans: Vec<(f64, Vec<RowScan>)> = chunked(points.len(), |rows| {
        let mut row = vec![0.0f64; m];
        let mut closed = vec![0.0f64; m];
        let mut scale = 0.0f64;
        let scans = rows
            .map(|i| {
                parts.logits(points[i], &mut row);
                form.row(i / m, i % m, &mut closed);
                let (max, min) = extremes(&row);
                scale = scale.max(max.abs()).max(min.abs());
                // The first output at the maximum, and the largest of the others.
                let top = row
                    .iter()
                    .position(|&v| v == max)
                    .expect("a row has a maximum");
                let second = extremes(&row[..top]).0.max(extremes(&row[top + 1..]).0);
                // Each sum in output order (one chain each): the result is bit for bit
                // that of summing the held logits.
                let mut partial = [0.0f64; 4];
                for (&lv, &fv) in row.iter().zip(&closed) {
                    partial[0] += lv;
                    partial[1] += fv;
                    partial[2] += lv * fv;
                    partial[3] += fv * fv;
                }
                RowScan {
                    top: top as u32,
                    max,
                    second,
                    partial,
                }
            })
            .collect();
        (scale, scans)
    });
    let scale = scans.iter().map(|(s, _)| *s).fold(0.0f64, f64::max);
    let tolerance = TIE_RELATIVE_TOLERANCE * scale;
    // The fit's four sums (L, F, L·F, F²). F has mean 0 over the outputs
    // (Σ_c cos((s − c)ω) = 0), so the moments lose nothing to cancellation.
    let mut sums: [CompensatedSum; 4] = Default::default();
    let (mut correct, mut ties) = (0, 0);
    let mut answers = Vec::with_capacity(points.len());
    for (i, r) in scans.iter().flat_map(|(_, rows)| rows).enumerate() {
        for (total, partial) in sums.iter_mut().zip(r.partial) {
            total.add(partial);
        }
        answers.push(if r.second >= r.max - tolerance {
            ties += 1;
            None
        } else {
            if r.top as usize == (i / m + i % m) % m {
                correct += 1;
            }
            Some(r.top)
        });
    }
    let count = (points.len() * m) as f64;
    let [sum_l, sum_f, sum_lf, sum_ff] = sums.map(|s| s.total());
    let (mean_l, mean_f) = (sum_l / count, sum_f / count);
    let fit_scale = (sum_lf - sum_l * mean_f) / (sum_ff - sum_f * mean_f);
    let max_abs_error = if fit_scale.is_nan() || fit_scale <= 0.0 {
        f64::INFINITY
    } else {
        let offset = mean_l - fit_scale * mean_f;
        max_deviation(parts, points, &form, offset, fit_scale)
    };
    Scored {
        scale,
        answers,
        correct,
        ties,
        max_abs_error,
    }
}

/// The largest |(logit − offset) / fit_scale − closed form| over every pair and output:
/// how far the logits are from the fitted closed form.
fn max_deviation(
    parts: &Parts,
    points: &[[f64; 2]],
    form: &ClosedForm,
    offset: f64,
    fit_scale: f64,
) -> f64 {
    let m = parts.cos_c.len();
    let deviation = |lv: f64, fv: f64| ((lv - offset) / fit_scale - fv).abs();
    chunked(points.len(), |rows| {
        let mut row = vec![0.0f64; m];
        let mut closed = vec![0.0f64; m];
        // Four running maxima, so the loop vectorises (a maximum is exact in any order).
        let mut lanes = [0.0f64; 4];
        for i in rows {
            parts.logits(points[i], &mut row);
            form.row(i / m, i % m, &mut closed);
            let (l4, f4) = (row.chunks_exact(4), closed.chunks_exact(4));
            let rest = l4.remainder().iter().zip(f4.remainder());
            for (l, f) in l4.zip(f4) {
                for k in 0..4 {
                    lanes[k] = lanes[k].max(deviation(l[k], f[k]));
                }
            }
            for (&lv, &fv) in rest {
                lanes[0] = lanes[0].max(deviation(lv, fv));
            }
        }
        lanes.into_iter().fold(0.0f64, f64::max)
    })
    .into_iter()
    .fold(0.0f64, f64::max)
}

/// Closed form values via two lookup tables: `cos²(dω/2)` for `d = a − b` and `cos(rω)` for
/// `r = (a + b − c) mod M`.
struct ClosedForm {
    modulus: usize,
    envelope: Vec<f64>,
    /// `cos(rω)` backwards, twice round: entry `k` is `cos(((2M − k) mod M)·ω)`, so a row's
    /// `cos((s − c)ω)` for `c = 0, 1, …` is the contiguous run from `k = M − s`.
    backwards: Vec<f64>,
}

impl ClosedForm {
    fn new(modulus: usize) -> Self {
        let omega = std::f64::consts::TAU / modulus as f64;
        let wave: Vec<f64> = (0..modulus).map(|r| (r as f64 * omega).cos()).collect();
        Self {
            modulus,
            // d = (a − b) mod M; cos² has period M in d (cos²(x + π) = cos² x).
            envelope: (0..modulus)
                .map(|d| (d as f64 * omega / 2.0).cos().powi(2))
                .collect(),
            backwards: (0..2 * modulus)
                .map(|k| wave[(2 * modulus - k) % modulus])
                .collect(),
        }
    }

    /// `F`'s row for the pair `(a, b)` over the outputs `c`: `cos²((a − b)ω/2)` times
    /// `cos(rω)`, `r = (a + b − c) mod M`, read as one contiguous run of `backwards`.
    fn row(&self, a: usize, b: usize, out: &mut [f64]) {
        let m = self.modulus;
        let envelope = self.envelope[(a + m - b) % m];
        let start = m - (a + b) % m;
        for (f, &w) in out.iter_mut().zip(&self.backwards[start..start + m]) {
            *f = envelope * w;
        }
    }

    #[cfg(test)]
    fn at(&self, a: usize, b: usize, c: usize) -> f64 {
        let m = self.modulus;
        self.envelope[(a + m - b) % m] * self.backwards[m - (a + b) % m + c]
    }
}

/// Neumaier's compensated sum, fed with per-row partial sums: the fit sums up to 1.4 million
/// terms (`M = 113`) and a plain running sum loses ~1e-12 of relative precision, visible in
/// `max_abs_error` for `x²`.
#[derive(Default)]
struct CompensatedSum {
    sum: f64,
    compensation: f64,
}

impl CompensatedSum {
    fn add(&mut self, x: f64) {
        let t = self.sum + x;
        if self.sum.abs() >= x.abs() {
            self.compensation += (self.sum - t) + x;
        } else {
            self.compensation += (x - t) + self.sum;
        }
        self.sum = t;
    }

    fn total(&self) -> f64 {
        self.sum + self.compensation
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::construct::logits::closed_form_logit;

    #[test]
    fn closed_form_table_matches_direct_formula() {
        for m in [2, 5, 8] {
            let form = ClosedForm::new(m);
            let mut row = vec![0.0; m];
            for a in 0..m {
                for b in 0..m {
                    form.row(a, b, &mut row);
                    for (c, &f) in row.iter().enumerate() {
                        let direct = closed_form_logit(m, a, b, c);
                        assert!((form.at(a, b, c) - direct).abs() < 1e-12);
                        assert_eq!(f, form.at(a, b, c), "M={m} ({a}, {b}) c={c}");
                    }
                }
            }
        }
    }
}
