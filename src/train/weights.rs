//! The engine's boundary for readers: a plain, owned copy of a model's weights at one step.
//!
//! Everything that looks at weights (the probes, the dashboard's panels, the checkpoint
//! export) reads a [`Weights`] value, never the model's training buffers. The values are
//! f64 whatever precision the engine trains in, so readers do not change when a second
//! engine precision arrives; today every value is an exactly widened f32.

use super::Activation;
use super::config::Arch;
use super::params::Elem;
use ndarray::{Array2, ArrayView2};

/// A modular model's weights. `w_input` and `w_output` are the article's matrices for every
/// variant (products with the embedding where the model is factored); the factors are given
/// where the model has them.
#[derive(Clone, Debug, PartialEq)]
pub struct ModularWeights {
    pub arch: Arch,
    pub activation: Activation,
    /// W_input [P×H]: row a is input a's contribution to each hidden neuron. Where the
    /// in-proj is untied this is a's side (E·W_a), which every reader (spectrum, heatmap,
    /// mechanism) shows; b's side is [`Self::w_input_b`].
    pub w_input: Array2<f64>,
    /// W_output [H×P].
    pub w_output: Array2<f64>,
    /// The embedding E [P×D] (trained, or the frozen circle of five-neurons); every variant
    /// but the fully collapsed one has it.
    pub embed: Option<Array2<f64>>,
    /// W_in [D×H], where W_input = E·W_in: where the input half is factored (factored,
    /// five-neurons, collapsed-out).
    pub in_proj: Option<Array2<f64>>,
    /// W_out [H×D], where W_output = W_out·Eᵀ: where the output half is factored
    /// (factored, five-neurons, collapsed-in).
    pub out_proj: Option<Array2<f64>>,
    /// b's side of the input, E·W_b [P×H], where the in-proj is untied (`pre = W_input[a] +
    /// w_input_b[b]`); `None` where both operands share W_input.
    pub w_input_b: Option<Array2<f64>>,
    /// E_out [P×D], where the embedding is untied (W_output = W_out·E_outᵀ).
    pub embed_out: Option<Array2<f64>>,
    /// W_b [D×H], b's in-proj, where the in-proj is untied (`in_proj` is then a's W_a).
    pub in_proj_b: Option<Array2<f64>>,
}

/// The parity network's weights.
#[derive(Clone, Debug, PartialEq)]
pub struct ParityWeights {
    pub activation: Activation,
    /// W1 [(bits + 1) × H]: row j holds input j's weights; the last row is the bias input.
    pub w1: Array2<f64>,
    /// w2 [H × 1].
    pub w2: Array2<f64>,
}

/// A model's weights at one step. The modular variant's nine matrix headers make it the
/// larger one; the matrices themselves are on the heap either way.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Weights {
    Modular(ModularWeights),
    Parity(ParityWeights),
}

impl Weights {
    pub fn modular(&self) -> Option<&ModularWeights> {
        match self {
            Weights::Modular(m) => Some(m),
            Weights::Parity(_) => None,
        }
    }

    pub fn parity(&self) -> Option<&ParityWeights> {
        match self {
            Weights::Parity(p) => Some(p),
            Weights::Modular(_) => None,
        }
    }

    /// The number of hidden neurons (H).
    pub fn hidden(&self) -> usize {
        match self {
            Weights::Modular(m) => m.w_input.ncols(),
            Weights::Parity(p) => p.w1.ncols(),
        }
    }
}

impl Weights {
    /// The weights a dashboard frame keeps (hundreds are kept per run): the article's
    /// matrices always (b's side of the input too, where untied), the factors only where the embedding is narrow (at most
    /// `FRAME_EMBED_MAX` wide: five-neurons, reverse-grok, regrok), where they are what
    /// the views draw. mod-add's 67×500 embedding would make each frame twenty times larger.
    pub fn for_frame(self) -> Weights {
        match self {
            Weights::Modular(mut m) => {
                if m.embed
                    .as_ref()
                    .is_some_and(|e| e.ncols() > FRAME_EMBED_MAX)
                {
                    m.embed = None;
                    m.in_proj = None;
                    m.out_proj = None;
                    m.embed_out = None;
                    m.in_proj_b = None;
                }
                Weights::Modular(m)
            }
            p => p,
        }
    }
}

/// Widest embedding whose factors a dashboard frame keeps.
pub const FRAME_EMBED_MAX: usize = 8;

/// An engine-precision view widened into an owned f64 matrix (exact).
pub fn widen(w: ArrayView2<Elem>) -> Array2<f64> {
    w.mapv(f64::from)
}

/// An f64 matrix narrowed to the engine's precision (exact for values that came from
/// [`widen`]).
pub fn narrow(w: &Array2<f64>) -> Array2<Elem> {
    w.mapv(|x| x as Elem)
}
