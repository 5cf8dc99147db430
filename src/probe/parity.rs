//! Sparse parity: first-layer weight norm per input digit, the share on the informative
//! digits, and the neurons ordered strongest first (as the heatmap draws them). Every
//! frame.

use super::{Context, Reading};
use crate::analysis::{ParityReadout, parity_readout};
use crate::train::Weights;
use crate::train::weights::narrow;

#[derive(Clone, Debug, PartialEq)]
pub struct ParityReading {
    pub readout: ParityReadout,
    /// Informative digits: the first `k_bits` inputs.
    pub k_bits: usize,
    /// Neuron indices by squared W1 column norm, largest first (ties by index).
    pub order: Vec<usize>,
}

pub fn read(ctx: &Context, w: &Weights) -> Reading<ParityReading> {
    let p = w.parity()?;
    let w1 = narrow(&p.w1);
    let norms: Vec<f32> = (0..w1.ncols())
        .map(|j| w1.column(j).iter().map(|v| v * v).sum::<f32>())
        .collect();
    let mut order: Vec<usize> = (0..w1.ncols()).collect();
    order.sort_by(|&a, &b| norms[b].total_cmp(&norms[a]).then(a.cmp(&b)));
    Some(
        parity_readout(w1.view(), ctx.k_bits).map(|readout| ParityReading {
            readout,
            k_bits: ctx.k_bits,
            order,
        }),
    )
}
