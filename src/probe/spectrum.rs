//! W_input's Fourier spectrum (docs/article-numbers.md, Fourier analysis): frequency norms,
//! their Gini coefficient, the key frequencies, each neuron's dominant frequency and phase, and
//! the neuron order the heatmap draws. Every frame (cheap: one real FFT per neuron).

use super::{Context, Reading};
use crate::analysis::{
    FourierCoeffs, KeyFrequencyRule, NeuronFrequency, Spectrum, order_by_frequency_phase,
};
use crate::train::Weights;
use crate::train::weights::narrow;

/// Gini coefficient of the frequency norms above which the spectrum is taken as meaningful
/// (neurons are then ordered by frequency and phase).
pub const ORDER_GINI: f64 = 0.3;

#[derive(Clone, Debug, PartialEq)]
pub struct SpectrumReading {
    pub spectrum: Spectrum,
    /// Dominant frequency and phase of each neuron (by neuron index).
    pub neurons: Vec<NeuronFrequency>,
    /// Neuron indices in drawing order: by frequency and phase once the spectrum is
    /// meaningful (`by_frequency`), else by index.
    pub order: Vec<usize>,
    pub by_frequency: bool,
}

/// The spectrum under the key-frequency rule every read-out uses.
pub fn of_coefficients(coeffs: &FourierCoeffs) -> SpectrumReading {
    let spectrum = Spectrum::from_coefficients(coeffs, KeyFrequencyRule::default());
    let neurons = coeffs.neuron_frequencies();
    let by_frequency = spectrum.gini >= ORDER_GINI;
    let order = if by_frequency {
        order_by_frequency_phase(&neurons)
    } else {
        (0..neurons.len()).collect()
    };
    SpectrumReading {
        spectrum,
        neurons,
        order,
        by_frequency,
    }
}

/// The spectrum of a modular model's W_input.
pub fn read(ctx: &Context, w: &Weights) -> Reading<SpectrumReading> {
    let m = w.modular()?;
    let fourier = match ctx.fourier.as_ref()? {
        Ok(f) => f,
        Err(e) => return Some(Err(e.clone())),
    };
    Some(
        fourier
            .coefficients(narrow(&m.w_input).view())
            .map(|c| of_coefficients(&c)),
    )
}
