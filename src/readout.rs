//! The analysis read-outs of a trainer's current weights, as `grokscope run` reports them at
//! each metrics line: the bridge between the engine (`train`) and the matrix-level
//! read-outs (`analysis`).

use crate::analysis::{
    Fourier, FourierCoeffs, KeyFrequencyRule, ParityReadout, ProgressMeasures, Spectrum,
    parity_readout, progress_measures,
};
use crate::train::model::Model;
use crate::train::task::Data;
use crate::train::{Op, Trainer};
use serde::Serialize;

/// Progress measures of one step. Fields that do not apply to the task are omitted.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Readout {
    /// Gini coefficient of W_input's Fourier frequency norms (modular tasks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gini: Option<f64>,
    /// Key frequencies, largest norm first (modular tasks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_freqs: Option<Vec<usize>>,
    /// Loss on all pairs with logits restricted to the key frequencies (modular tasks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restricted_loss: Option<f64>,
    /// Training loss with the key frequencies removed from the logits (modular tasks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excluded_loss: Option<f64>,
    /// Share of first-layer squared weight norm on the informative digits (parity).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub informative_share: Option<f64>,
}

impl Readout {
    /// The read-outs carried by already computed analyses (each `None` where it does not
    /// apply): what [`Reader::read`] returns, and what the dashboard's phase label reads off
    /// a recorded frame.
    pub fn from_parts(
        spectrum: Option<&Spectrum>,
        progress: Option<&ProgressMeasures>,
        parity: Option<&ParityReadout>,
    ) -> Self {
        Readout {
            gini: spectrum.map(|s| s.gini),
            key_freqs: spectrum.map(|s| s.key_frequencies.clone()),
            restricted_loss: progress.map(|p| p.restricted_loss),
            excluded_loss: progress.map(|p| p.excluded_loss),
            informative_share: parity.map(|r| r.informative_share),
        }
    }
}

/// Norms, Gini and key frequencies of W_input's Fourier coefficients, under the key-frequency
/// rule every read-out uses.
pub fn spectrum(coeffs: &FourierCoeffs) -> Spectrum {
    Spectrum::from_coefficients(coeffs, KeyFrequencyRule::default())
}

/// Computes [`Readout`]s for one run, keeping what can be reused between steps. Its parts
/// ([`Reader::coefficients`], [`spectrum`], [`Reader::progress`], [`Reader::parity`]) are
/// public for the dashboard, which draws the analyses themselves (frequency norms, digit
/// norms) and refreshes the costlier progress measures less often.
pub struct Reader {
    fourier: Option<Fourier>,
    train_pairs: Vec<(usize, usize)>,
}

impl Reader {
    pub fn new(trainer: &Trainer) -> Self {
        let (fourier, train_pairs) = match trainer.data() {
            Data::Modular { train, .. } => (
                Fourier::new(trainer.config().modulus).ok(),
                train
                    .a
                    .iter()
                    .zip(&train.b)
                    .map(|(&a, &b)| (a as usize, b as usize))
                    .collect(),
            ),
            Data::Parity { .. } => (None, Vec::new()),
        };
        Reader {
            fourier,
            train_pairs,
        }
    }

    /// The read-outs of the trainer's current weights. The Fourier read-outs assume the
    /// addition task (labels (a + b) mod P); for other operations only the spectrum is given.
    pub fn read(&self, trainer: &Trainer) -> Readout {
        if let Some(parity) = self.parity(trainer) {
            return Readout::from_parts(None, None, Some(&parity));
        }
        let Some(coeffs) = self.coefficients(trainer) else {
            return Readout::default();
        };
        let spectrum = spectrum(&coeffs);
        let progress = self.progress(trainer, &spectrum.key_frequencies);
        Readout::from_parts(Some(&spectrum), progress.as_ref(), None)
    }

    /// Fourier coefficients of W_input (modular models whose modulus has a basis).
    pub fn coefficients(&self, trainer: &Trainer) -> Option<FourierCoeffs> {
        let Model::Modular(m) = trainer.model() else {
            return None;
        };
        self.fourier.as_ref()?.coefficients(m.w_input()).ok()
    }

    /// Restricted and excluded loss for the key frequencies `key_freqs` (typically the
    /// [`spectrum`]'s): modular addition only, as the measures score labels (a + b) mod P.
    pub fn progress(&self, trainer: &Trainer, key_freqs: &[usize]) -> Option<ProgressMeasures> {
        let cfg = trainer.config();
        let Model::Modular(m) = trainer.model() else {
            return None;
        };
        if cfg.op != Op::Add {
            return None;
        }
        progress_measures(
            m.w_input(),
            m.w_output(),
            cfg.activation,
            key_freqs,
            &self.train_pairs,
        )
        .ok()
    }

    /// Weight norms per input digit and the informative share (parity models).
    pub fn parity(&self, trainer: &Trainer) -> Option<ParityReadout> {
        let Model::Parity(m) = trainer.model() else {
            return None;
        };
        parity_readout(m.w1(), trainer.config().k_bits).ok()
    }
}
