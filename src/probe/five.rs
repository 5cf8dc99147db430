//! The five-neuron model (a frozen circular embedding): the angles of W_in's and W_out's
//! (cos, sin) weights, and how well ψ_out ≈ 2·φ_in + c fits. Every frame.

use super::Reading;
use crate::analysis::{FiveNeuronReadout, five_neuron_readout};
use crate::train::weights::narrow;
use crate::train::{Arch, Weights};

pub fn read(w: &Weights) -> Reading<FiveNeuronReadout> {
    let m = w.modular()?;
    if m.arch != Arch::FixedCircle {
        return None;
    }
    let (w_in, w_out) = (m.in_proj.as_ref()?, m.out_proj.as_ref()?);
    Some(five_neuron_readout(
        narrow(w_in).view(),
        narrow(w_out).view(),
    ))
}
