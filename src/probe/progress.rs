//! The progress measures of Nanda et al. (2023): restricted loss (logits restricted to the
//! key frequencies, on all pairs) and excluded loss (key frequencies removed, on the
//! training pairs). Modular addition only, as the measures score labels (a + b) mod P.

use super::spectrum::SpectrumReading;
use super::{Context, Reading};
use crate::analysis::{ProgressMeasures, progress_measures};
use crate::train::weights::narrow;
use crate::train::{Op, Weights};

/// The dashboard refreshes these every this many frames (they cost about four training
/// steps) and carries them forward in between; `grokscope run` computes them on every line.
pub const EVERY_FRAMES: u64 = 4;

/// The measures for the spectrum's key frequencies.
pub fn read(
    ctx: &Context,
    w: &Weights,
    spectrum: Option<&Result<SpectrumReading, crate::analysis::AnalysisError>>,
) -> Reading<ProgressMeasures> {
    let m = w.modular()?;
    // The measures score one W_input for both operands; an untied in-proj has two.
    if ctx.op != Op::Add || m.w_input_b.is_some() {
        return None;
    }
    let keys = match spectrum? {
        Ok(s) => &s.spectrum.key_frequencies,
        Err(e) => return Some(Err(e.clone())),
    };
    Some(progress_measures(
        narrow(&m.w_input).view(),
        narrow(&m.w_output).view(),
        m.activation,
        keys,
        &ctx.train_pairs,
    ))
}
