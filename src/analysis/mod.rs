//! Read-outs of trained weights: Fourier spectrum, progress measures, the hand-built circle.
//!
//! Everything here works on plain weight matrices and knows nothing about the trainer:
//!
//! * `fourier`: the orthonormal Fourier basis (docs/article-numbers.md), per-neuron
//!   coefficients of a `[P × H]` matrix (computed with rustfft), neuron frequencies and
//!   phases, frequency norms, their Gini coefficient and the key frequencies.
//! * `progress`: the progress measures of Nanda et al. (2023) — restricted and excluded loss —
//!   the total weight norm, and the logits of one frequency group of neurons.
//! * [`construct`](mod@construct): the article's hand-built circular solution (its Appendix
//!   A) and its report.
//! * `five`: read-outs of the five-neuron model (angles of `W_in` and `W_out`).
//! * `parity`: how much first-layer weight sits on the informative digits of sparse parity.
//!
//! The modular-addition model these read-outs assume: `W_input` is `[P × H]` (row `a` is the
//! hidden pre-activation contribution of input `a`), `W_output` is `[H × P]`, and
//! `logits(a, b) = act(W_input[a] + W_input[b]) · W_output`.

pub mod construct;
mod five;
mod fourier;
mod parity;
mod progress;

pub use construct::{
    ConstructReport, Construction, PairReading, closed_form_logit, construct, constructed_logits,
    constructed_weights,
};
pub use five::{FiveNeuronReadout, five_neuron_readout};
pub use fourier::{
    Fourier, FourierCoeffs, KeyFrequencyRule, NeuronFrequency, Spectrum, fourier_basis, gini,
    key_frequencies, n_frequencies, order_by_frequency_phase,
};
pub use parity::{ParityReadout, parity_readout};
pub use progress::{
    ProgressMeasures, all_pairs, frequency_group, loss_on_pairs, masked_logits, pair_logits,
    progress_measures, weight_norm,
};

use thiserror::Error;

/// Why an analysis could not run. Every variant renders as one clear line.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AnalysisError {
    /// A modulus (number of residues) below 2.
    #[error("modulus must be at least 2 (got {0})")]
    ModulusTooSmall(usize),
    /// A construction or read-out with no neurons.
    #[error("number of neurons must be at least 1 (got {0})")]
    NoNeurons(usize),
    /// Matrices whose shapes do not fit together.
    #[error("shape mismatch: {0}")]
    Shape(String),
    /// An input pair, frequency or row index outside its range.
    #[error("out of range: {0}")]
    OutOfRange(String),
}
