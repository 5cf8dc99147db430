//! Sparse parity (the article's 1s and 0s): how much of the first layer's weight sits on the
//! informative digits.
//!
//! The first layer `W1` is `[n_inputs × H]`, one row per input: rows `0..k` are the
//! informative bits (the label is their parity), rows `k..n_bits` the distractors, and the last
//! row (`n_bits = n_inputs − 1`) the constant-1 bias input.

use ndarray::ArrayView2;

use super::AnalysisError;

/// Weight norms per input digit and the informative share.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ParityReadout {
    /// L2 norm of each input row of `W1` across the hidden units, bias row last
    /// (`n_inputs` entries): the dashboard's "weight norm per input digit".
    pub digit_norms: Vec<f32>,
    /// Share of the **squared** L2 norm of the non-bias rows that lies on the `k` informative
    /// rows: `Σ_{i<k} ‖W1[i]‖² / Σ_{i<n_bits} ‖W1[i]‖²`, in `[0, 1]`; 0 when those rows are all
    /// zero. Reaches 1 when the distractor weights have faded to 0 (a generalized model).
    pub informative_share: f64,
}

/// Per-digit norms of `w1` (`[n_inputs × H]`, bias row last) and the share of the non-bias
/// squared norm on the first `informative` rows.
///
/// Errors when `w1` has fewer than 2 rows or no columns, or `informative` is not in
/// `1..=n_inputs − 1`.
pub fn parity_readout(
    w1: ArrayView2<f32>,
    informative: usize,
) -> Result<ParityReadout, AnalysisError> {
    let (n_inputs, hidden) = w1.dim();
    if n_inputs < 2 {
        return Err(AnalysisError::Shape(format!(
            "W1 needs at least one bit row and the bias row, got {n_inputs} rows"
        )));
    }
    if hidden == 0 {
        return Err(AnalysisError::NoNeurons(0));
    }
    let n_bits = n_inputs - 1;
    if informative == 0 || informative > n_bits {
        return Err(AnalysisError::OutOfRange(format!(
            "informative digits must be in 1..={n_bits}, got {informative}"
        )));
    }
    let squared: Vec<f64> = w1
        .rows()
        .into_iter()
        .map(|row| row.iter().map(|&v| f64::from(v) * f64::from(v)).sum())
        .collect();
    let on_bits: f64 = squared[..n_bits].iter().sum();
    let on_informative: f64 = squared[..informative].iter().sum();
    Ok(ParityReadout {
        digit_norms: squared.iter().map(|s| s.sqrt() as f32).collect(),
        informative_share: if on_bits > 0.0 {
            on_informative / on_bits
        } else {
            0.0
        },
    })
}
