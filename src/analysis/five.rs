//! Read-outs of the five-neuron model (the article's 20 parameters): `W_in` `[2 × H]` and
//! `W_out` `[H × 2]` on a fixed circular embedding (`H = 5` in the preset; any `H ≥ 1` works).
//!
//! Neuron `i` reads the circle through the `(cos, sin)` pair in column `i` of `W_in` and
//! writes through row `i` of `W_out`. In the generalizing solution the `W_in` pairs spread
//! evenly around a circle and `W_out`'s angle turns twice as fast: `ψ_i ≈ 2·φ_i + c`.

use ndarray::ArrayView2;
use std::f32::consts::{PI, TAU};

use super::AnalysisError;

/// Per-neuron weights and angles of the five-neuron model, and how well `ψ ≈ 2φ + c` holds.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct FiveNeuronReadout {
    /// Column `i` of `W_in`: the `(cos, sin)` weights neuron `i` reads with.
    pub w_in: Vec<[f32; 2]>,
    /// Row `i` of `W_out`: the `(cos, sin)` weights neuron `i` writes with.
    pub w_out: Vec<[f32; 2]>,
    /// `φ_i = atan2(W_in[1, i], W_in[0, i])`, in `(−π, π]`.
    pub angle_in: Vec<f32>,
    /// `ψ_i = atan2(W_out[i, 1], W_out[i, 0])`, in `(−π, π]`.
    pub angle_out: Vec<f32>,
    /// Fitted `c` of `ψ ≈ 2φ + c` (see `angle_fit`), in `(−π, π]`.
    pub offset: f32,
    /// Mean circular residual of that fit, in `[0, π]`: 0 when `W_out` turns exactly twice as
    /// fast as `W_in`, about `π/2` for unrelated angles.
    pub mean_residual: f32,
}

/// Wraps an angle into `(−π, π]`.
fn wrap(angle: f32) -> f32 {
    let wrapped = angle - TAU * (angle / TAU).round();
    if wrapped <= -PI {
        wrapped + TAU
    } else {
        wrapped
    }
}

/// Fits `out_i ≈ multiplier·in_i + c (mod 2π)` and returns `(c, mean_i |r_i|)`.
///
/// `c` is the circular mean of `d_i = out_i − multiplier·in_i` (`atan2(Σ sin d, Σ cos d)`,
/// 0 when the `d_i` cancel out); `r_i = wrap(d_i − c)` in `(−π, π]`. Empty input gives (0, 0).
pub fn angle_fit(angle_in: &[f32], angle_out: &[f32], multiplier: f32) -> (f32, f32) {
    let diffs: Vec<f32> = angle_in
        .iter()
        .zip(angle_out)
        .map(|(&i, &o)| o - multiplier * i)
        .collect();
    if diffs.is_empty() {
        return (0.0, 0.0);
    }
    let (s, c) = diffs
        .iter()
        .fold((0.0f32, 0.0f32), |(s, c), d| (s + d.sin(), c + d.cos()));
    let offset = s.atan2(c);
    let residual = diffs.iter().map(|d| wrap(d - offset).abs()).sum::<f32>() / diffs.len() as f32;
    (offset, residual)
}

/// Reads `W_in` `[2 × H]` and `W_out` `[H × 2]` neuron by neuron and fits `ψ ≈ 2φ + c`.
pub fn five_neuron_readout(
    w_in: ArrayView2<f32>,
    w_out: ArrayView2<f32>,
) -> Result<FiveNeuronReadout, AnalysisError> {
    let h = w_in.ncols();
    if w_in.nrows() != 2 || w_out.dim() != (h, 2) {
        return Err(AnalysisError::Shape(format!(
            "expected W_in [2 × H] and W_out [H × 2], got [{} × {}] and [{} × {}]",
            w_in.nrows(),
            w_in.ncols(),
            w_out.nrows(),
            w_out.ncols()
        )));
    }
    if h == 0 {
        return Err(AnalysisError::NoNeurons(0));
    }
    let pairs_in: Vec<[f32; 2]> = (0..h).map(|i| [w_in[[0, i]], w_in[[1, i]]]).collect();
    let pairs_out: Vec<[f32; 2]> = (0..h).map(|i| [w_out[[i, 0]], w_out[[i, 1]]]).collect();
    let angle = |p: &[f32; 2]| p[1].atan2(p[0]);
    let angle_in: Vec<f32> = pairs_in.iter().map(angle).collect();
    let angle_out: Vec<f32> = pairs_out.iter().map(angle).collect();
    let (offset, mean_residual) = angle_fit(&angle_in, &angle_out, 2.0);
    Ok(FiveNeuronReadout {
        w_in: pairs_in,
        w_out: pairs_out,
        angle_in,
        angle_out,
        offset,
        mean_residual,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_into_half_open_interval() {
        assert!((wrap(3.0 * PI) - PI).abs() < 1e-5);
        assert!((wrap(-PI) - PI).abs() < 1e-6);
        assert!((wrap(0.5 + 4.0 * TAU) - 0.5).abs() < 1e-4);
        assert!((wrap(-0.5 - TAU) + 0.5).abs() < 1e-5);
    }

    #[test]
    fn angle_fit_recovers_offset_across_the_wrap() {
        let angle_in = [0.0, 1.0, 2.0, 3.0, -2.5];
        let angle_out: Vec<f32> = angle_in.iter().map(|&a| wrap(2.0 * a + 3.0)).collect();
        let (offset, residual) = angle_fit(&angle_in, &angle_out, 2.0);
        assert!((offset - 3.0).abs() < 1e-4, "offset {offset}");
        assert!(residual < 1e-4, "residual {residual}");
        // The wrong multiplier does not fit.
        assert!(angle_fit(&angle_in, &angle_out, 1.0).1 > 0.5);
    }
}
