//! The networks, with explicit forward and backward passes over buffers allocated once.
//!
//! Modular model (all variants): with U = W_input [P×H] and Vt = W_outputᵀ [P×H] kept side by
//! side in one [P×2H] matrix `uv`,
//!
//! ```text
//! pre[n]   = U[a_n] + U[b_n]                 [N×H]
//! act      = σ(pre)                          [N×H]
//! logits   = act · Vtᵀ                       [N×P], computed transposed
//! ```
//!
//! Factored halves are products with the shared embedding E [P×D]: the factored columns of
//! `uv` are E · Wf, where Wf [D×(H·f)] holds W_in and/or W_outᵀ side by side. Keeping the two
//! halves together turns six narrow products (E·W_in, E·W_outᵀ and their gradients) into two
//! wide ones, which is what makes a step cheap.
//!
//! The untied variants (the article's architecture sweep) change how `uv` is made, not
//! what it is: with an untied embedding the output half is E_out·W_outᵀ instead of
//! E·W_outᵀ; with an untied in-proj, `uv`'s input half is a's side (E·W_a) and b's side
//! (E·W_b) is a second matrix `ub` [P×H], so pre\[n\] = U\[a_n\] + Ub\[b_n\]. Those take the
//! portable whole-batch step (the fused step gathers both operands from one U).
//!
//! Parity model (`model/parity.rs`): pre = X · W1 [N×H], act = σ(pre), z = act · w2 [N×1].
//!
//! The parameters are named tensors ([`super::ModularTensors`], [`super::ParityTensors`] of [`Param`]);
//! gradients come back in a struct of the same shape.

use super::Activation;
use super::config::{Config, TaskKind};
use super::kernels::RowStats;
use super::params::{self, Grads, Param, Tensors};
use super::rng::Stream;
use super::simd::Kernel;
use super::task::Data;
use super::team::Team;
use super::weights::{ModularWeights, ParityWeights, Weights, widen};
use ndarray::Array2;
use std::sync::Arc;

mod modular;
mod parity;
pub use modular::ModModel;
pub use parity::ParityModel;

/// Loss and accuracy of one pass over a dataset.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Score {
    pub loss: f64,
    pub acc: f64,
}

impl Score {
    /// Loss (cross-entropy / P, averaged over the n examples) and accuracy of a modular pass.
    fn of_modular(stats: RowStats, n: usize, p: usize) -> Self {
        let n = n.max(1) as f64;
        Score {
            loss: stats.nll_sum / (n * p as f64),
            acc: stats.correct as f64 / n,
        }
    }
}

fn trunc_normal(s: &mut Stream, rows: usize, cols: usize, sigma: f64) -> Array2<f32> {
    Array2::from_shape_simple_fn((rows, cols), || s.truncated_normal(sigma) as f32)
}

/// The frozen circle of `five-neurons`: row i = (cos 2πi/P, sin 2πi/P), each column scaled
/// to unit L2 norm.
pub fn circular_embedding(p: usize) -> Array2<f32> {
    let mut e = Array2::<f64>::from_shape_fn((p, 2), |(i, j)| {
        let t = std::f64::consts::TAU * i as f64 / p as f64;
        if j == 0 { t.cos() } else { t.sin() }
    });
    for mut col in e.columns_mut() {
        let n = col.dot(&col).sqrt();
        if n > 0.0 {
            col /= n;
        }
    }
    e.mapv(|x| x as f32)
}

/// Either network. One lives per trainer, so the size difference of the variants (the
/// modular model carries its buffers inline) costs nothing.
#[allow(clippy::large_enum_variant)]
pub enum Model {
    Modular(ModModel),
    Parity(ParityModel),
}

impl Model {
    /// The model of `cfg`, computing with the active kernel ([`Kernel::active`]).
    pub fn new(cfg: &Config, data: &Data) -> Self {
        let (n_train, n_test) = data.sizes();
        let k = Kernel::active();
        match cfg.task {
            TaskKind::Modular => Model::Modular(ModModel::new(cfg, n_train, n_test, k)),
            TaskKind::Parity => Model::Parity(ParityModel::new(cfg, n_train, n_test, k)),
        }
    }

    /// Compute with `kernel` from now on: every kernel gives the same bits, so this only
    /// changes the speed (and lets tests compare kernels in one process).
    ///
    /// # Panics
    /// If this CPU cannot run `kernel`.
    pub fn set_kernel(&mut self, kernel: Kernel) {
        assert!(
            kernel.available(),
            "{} is not available here",
            kernel.name()
        );
        match self {
            Model::Modular(m) => m.set_kernel(kernel),
            Model::Parity(m) => m.kernel = kernel,
        }
    }

    /// Share the products among `team`'s threads from now on (the same bits as one thread;
    /// see [`crate::train::linalg::matmul_on`]). Parity models stay on one thread: their
    /// products are too small to share.
    pub(crate) fn set_team(&mut self, team: &Arc<Team>) {
        if let Model::Modular(m) = self {
            m.team = Arc::clone(team);
        }
    }

    /// The kernel the model computes with.
    pub fn kernel(&self) -> Kernel {
        match self {
            Model::Modular(m) => m.kernel,
            Model::Parity(m) => m.kernel,
        }
    }

    /// The parameter tensors in their fixed order (the checkpoint's and the optimiser's).
    pub fn params(&self) -> params::Iter<'_, Param> {
        match self {
            Model::Modular(m) => m.params().iter(),
            Model::Parity(m) => m.params().iter(),
        }
    }

    /// The parameter tensors in their fixed order, to change (call [`Self::refresh`]
    /// afterwards).
    pub fn params_mut(&mut self) -> params::IterMut<'_, Param> {
        match self {
            Model::Modular(m) => m.params_mut().iter_mut(),
            Model::Parity(m) => m.params_mut().iter_mut(),
        }
    }

    /// Zero gradients, named and shaped as the parameters.
    pub fn zero_grads(&self) -> Grads {
        let zeros = |p: &Param| Array2::zeros(p.w.raw_dim());
        match self {
            Model::Modular(m) => Tensors::Modular(m.params().map(zeros)),
            Model::Parity(m) => Tensors::Parity(m.params().map(zeros)),
        }
    }

    /// Gradient on the training set into `grads` (from [`Self::zero_grads`]); returns the
    /// training score before the update.
    pub fn forward_backward(&mut self, data: &Data, grads: &mut Grads) -> Score {
        match (self, data, grads) {
            (Model::Modular(m), Data::Modular { train, .. }, Tensors::Modular(g)) => {
                m.forward_backward(train, g)
            }
            (Model::Parity(m), Data::Parity { train, .. }, Tensors::Parity(g)) => {
                m.forward_backward(train, g)
            }
            _ => unreachable!("model, data and gradients are built from the same config"),
        }
    }

    /// (train, test) scores at the current parameters.
    pub fn evaluate(&mut self, data: &Data) -> (Score, Score) {
        match (self, data) {
            (Model::Modular(m), Data::Modular { train, test }) => {
                (m.evaluate(train, true), m.evaluate(test, false))
            }
            (Model::Parity(m), Data::Parity { train, test }) => {
                (m.evaluate(train, true), m.evaluate(test, false))
            }
            _ => unreachable!("model and data are built from the same config"),
        }
    }

    /// A plain copy of the weights: the article's matrices and the factors the model has.
    pub fn weights(&self) -> Weights {
        match self {
            Model::Modular(m) => Weights::Modular(ModularWeights {
                arch: m.arch,
                activation: m.activation,
                w_input: widen(m.w_input()),
                w_output: widen(m.w_output()),
                embed: m.embedding().map(widen),
                in_proj: m.in_proj().map(widen),
                out_proj: m.out_proj().map(widen),
                w_input_b: m.w_input_b().map(widen),
                embed_out: m.embedding_out().map(widen),
                in_proj_b: m.in_proj_b().map(widen),
            }),
            Model::Parity(m) => Weights::Parity(ParityWeights {
                activation: m.activation,
                w1: widen(m.w1()),
                w2: widen(m.w2()),
            }),
        }
    }

    /// Recompute derived matrices (W_input, W_output) after the parameters changed: the
    /// trainer calls it after every update, so forward passes and read-outs never see stale
    /// products.
    pub fn refresh(&mut self) {
        if let Model::Modular(m) = self {
            m.refresh_uv();
        }
    }
}
