//! The band the article's gallery runs cover at each step: median and quartiles of train
//! and test loss, for a chart to draw behind a live run (is it early or late?).

use super::{Article, LossPoint};
use std::collections::BTreeMap;

/// The `q`-quantile (0 ≤ q ≤ 1) of ascending finite values, interpolating linearly
/// between the two nearest ranks (rank q·(n − 1), the common default); `None` when empty.
pub fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let rank = q.clamp(0.0, 1.0) * last as f64;
    let (lo, hi) = (rank.floor() as usize, rank.ceil() as usize);
    let (a, b) = (sorted[lo], sorted[hi.min(last)]);
    Some(a + (b - a) * (rank - lo as f64))
}

/// First quartile, median and third quartile of some values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Quartiles {
    pub q1: f64,
    pub median: f64,
    pub q3: f64,
}

impl Quartiles {
    /// The quartiles of the finite values among `values`; `None` when there are none.
    pub fn of(values: impl IntoIterator<Item = f64>) -> Option<Quartiles> {
        let mut v: Vec<f64> = values.into_iter().filter(|x| x.is_finite()).collect();
        v.sort_by(f64::total_cmp);
        Some(Quartiles {
            q1: quantile(&v, 0.25)?,
            median: quantile(&v, 0.5)?,
            q3: quantile(&v, 0.75)?,
        })
    }
}

/// The band at one step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BandPoint {
    pub step: u64,
    /// Runs with a point at this step.
    pub runs: usize,
    pub train: Quartiles,
    pub test: Quartiles,
}

/// The band of some curves: at every step any of them has a point, the quartiles of their
/// train and test losses there, steps ascending. A step where a loss is not finite for
/// every run takes the quartiles of the finite ones; a step where none is finite is left
/// out.
pub fn loss_band<'a>(curves: impl IntoIterator<Item = &'a [LossPoint]>) -> Vec<BandPoint> {
    let mut at: BTreeMap<u64, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
    for curve in curves {
        for p in curve {
            let (train, test) = at.entry(p.step).or_default();
            train.push(p.train_loss);
            test.push(p.test_loss);
        }
    }
    at.into_iter()
        .filter_map(|(step, (train, test))| {
            Some(BandPoint {
                step,
                runs: train.len(),
                train: Quartiles::of(train)?,
                test: Quartiles::of(test)?,
            })
        })
        .collect()
}

impl Article {
    /// The band of the seed gallery's runs, every 1,000 steps from 0 to 50,000.
    pub fn gallery_band(&self) -> Vec<BandPoint> {
        loss_band(self.gallery.iter().map(|r| r.curve.as_slice()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate_between_ranks() {
        assert_eq!(quantile(&[], 0.5), None);
        assert_eq!(quantile(&[3.0], 0.25), Some(3.0));
        let v = [1.0, 2.0, 3.0, 4.0, 10.0];
        assert_eq!(quantile(&v, 0.0), Some(1.0));
        assert_eq!(quantile(&v, 0.5), Some(3.0));
        assert_eq!(quantile(&v, 1.0), Some(10.0));
        // Rank 0.25 · 4 = 1 and 0.75 · 4 = 3: exact ranks.
        assert_eq!(quantile(&v, 0.75), Some(4.0));
        // Four values: rank 0.5 · 3 = 1.5, halfway between 2 and 3.
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0], 0.5), Some(2.5));
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0], 0.25), Some(1.75));
    }

    #[test]
    fn quartiles_drop_non_finite_values() {
        let q = Quartiles::of([f64::NAN, 4.0, 1.0, f64::INFINITY, 3.0, 2.0, 10.0]).unwrap();
        assert_eq!((q.q1, q.median, q.q3), (2.0, 3.0, 4.0));
        assert_eq!(Quartiles::of([f64::NAN]), None);
    }

    #[test]
    fn band_per_step() {
        let p = |step, train, test| LossPoint {
            step,
            train_loss: train,
            test_loss: test,
        };
        let a = [p(0, 1.0, 2.0), p(100, 0.5, 2.0)];
        let b = [p(0, 3.0, 4.0), p(100, 0.25, 1.0), p(200, 0.1, f64::NAN)];
        let c = [p(0, 2.0, 3.0)];
        let band = loss_band([&a[..], &b[..], &c[..]]);
        let steps: Vec<(u64, usize)> = band.iter().map(|b| (b.step, b.runs)).collect();
        // Step 200's only test loss is NaN: no band there.
        assert_eq!(steps, vec![(0, 3), (100, 2)]);
        assert_eq!(band[0].train.median, 2.0);
        assert_eq!((band[0].test.q1, band[0].test.q3), (2.5, 3.5));
        assert_eq!(band[1].train.median, 0.375);
    }
}
