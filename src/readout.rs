//! The analysis read-outs of a trainer's current weights, as `grokscope run` reports them at
//! each metrics line: the bridge between the engine (`train`) and the matrix-level
//! read-outs (`analysis`).

use crate::analysis::{Fourier, KeyFrequencyRule, Spectrum, parity_readout, progress_measures};
use crate::train::Trainer;
use crate::train::model::Model;
use crate::train::task::Data;
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

/// Computes [`Readout`]s for one run, keeping what can be reused between steps.
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
        let cfg = trainer.config();
        match trainer.model() {
            Model::Modular(m) => {
                let Some(fourier) = &self.fourier else {
                    return Readout::default();
                };
                let Ok(coeffs) = fourier.coefficients(m.w_input()) else {
                    return Readout::default();
                };
                let spectrum = Spectrum::from_coefficients(&coeffs, KeyFrequencyRule::default());
                let progress = (cfg.op == crate::train::Op::Add)
                    .then(|| {
                        progress_measures(
                            m.w_input(),
                            m.w_output(),
                            cfg.activation,
                            &spectrum.key_frequencies,
                            &self.train_pairs,
                        )
                        .ok()
                    })
                    .flatten();
                Readout {
                    gini: Some(spectrum.gini),
                    restricted_loss: progress.as_ref().map(|p| p.restricted_loss),
                    excluded_loss: progress.as_ref().map(|p| p.excluded_loss),
                    key_freqs: Some(spectrum.key_frequencies),
                    informative_share: None,
                }
            }
            Model::Parity(m) => Readout {
                informative_share: parity_readout(m.w1(), cfg.k_bits)
                    .ok()
                    .map(|r| r.informative_share),
                ..Readout::default()
            },
        }
    }
}
