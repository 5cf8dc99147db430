//! The models' parameter tensors by name, with gradients (and anything else per tensor) in
//! a struct of the same shape: llm.c's `ParameterTensors` habit, instead of a list searched
//! by index.
//!
//! Each struct also walks its tensors in one fixed order, the order of the checkpoint's
//! tensors and of the optimiser's moments: a modular model's embed, proj, direct (each
//! where the variant has it), parity's w1, w2. Changing that order changes the checkpoint
//! format.

use ndarray::{Array2, ArrayView2};

/// The element type the engine trains in.
///
/// The seam for a second precision: the parameters, gradients and Adam moments are
/// `Array2<Elem>`, and readers only ever see [`super::Weights`] (f64 whatever this is). An
/// f64 engine would make the models generic over this type; the kernels below them
/// (`kernels.rs`, `fused.rs`: AVX2 f32 intrinsics, the f32 softmax) would need f64
/// siblings or a portable fallback, and the checkpoint's payload is f32 (format version 1).
pub type Elem = f32;

/// A trainable (or frozen) weight matrix.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// The tensor's name in checkpoints.
    pub name: &'static str,
    pub w: Array2<Elem>,
    pub trainable: bool,
}

impl Param {
    pub fn new(name: &'static str, w: Array2<Elem>, trainable: bool) -> Self {
        Param { name, w, trainable }
    }
}

/// Tensors in their fixed order; at most five per model.
pub type Iter<'a, T> = std::iter::Flatten<std::array::IntoIter<Option<&'a T>, 5>>;
/// Mutable tensors in their fixed order.
pub type IterMut<'a, T> = std::iter::Flatten<std::array::IntoIter<Option<&'a mut T>, 5>>;

/// A modular model's tensors, each where the variant has it (see `model.rs` for the
/// layout [W_input | W_outputᵀ] the halves fill).
///
/// | variant              | embed        | proj                    | direct                 |
/// |----------------------|--------------|-------------------------|------------------------|
/// | factored             | E [P×D]      | `in_out_proj` [D×2H]    | –                      |
/// | five-neurons (fixed) | E, frozen    | `in_out_proj` [2×2H]    | –                      |
/// | collapsed-in         | E            | `out_proj` [D×H]        | `w_input` [P×H]        |
/// | collapsed-out        | E            | `in_proj` [D×H]         | `w_output` [P×H]       |
/// | collapsed            | –            | –                       | `w_input_output` [P×2H]|
///
/// The untied variants add `embed_out` (E_out [P×D], W_output = W_out·E_outᵀ) and `proj_b`
/// (`in_proj_b`, W_b [D×H]: b's side of the input is E·W_b, while `proj`'s W_in is a's):
///
/// | variant                 | embed    | proj                 | direct           | embed_out | proj_b      |
/// |-------------------------|----------|----------------------|------------------|-----------|-------------|
/// | untied-embed            | E_in     | `in_out_proj` [D×2H] | –                | E_out     | –           |
/// | untied-in               | E        | `in_out_proj` [D×2H] | –                | –         | `in_proj_b` |
/// | untied-embed-in         | E_in     | `in_out_proj` [D×2H] | –                | E_out     | `in_proj_b` |
/// | untied-in-collapsed-out | E        | `in_proj` [D×H]      | `w_output` [P×H] | –         | `in_proj_b` |
#[derive(Clone, Debug, PartialEq)]
pub struct ModularTensors<T> {
    /// The embedding E (E_in where the embedding is untied).
    pub embed: Option<T>,
    /// The factored halves' right factor: W_in and/or W_outᵀ side by side.
    pub proj: Option<T>,
    /// The halves of [W_input | W_outputᵀ] stored directly.
    pub direct: Option<T>,
    /// The output side's embedding E_out, where the embedding is untied.
    pub embed_out: Option<T>,
    /// b's in-proj W_b, where the in-proj is untied.
    pub proj_b: Option<T>,
}

impl<T> ModularTensors<T> {
    pub fn iter(&self) -> Iter<'_, T> {
        [
            self.embed.as_ref(),
            self.proj.as_ref(),
            self.direct.as_ref(),
            self.embed_out.as_ref(),
            self.proj_b.as_ref(),
        ]
        .into_iter()
        .flatten()
    }

    pub fn iter_mut(&mut self) -> IterMut<'_, T> {
        [
            self.embed.as_mut(),
            self.proj.as_mut(),
            self.direct.as_mut(),
            self.embed_out.as_mut(),
            self.proj_b.as_mut(),
        ]
        .into_iter()
        .flatten()
    }

    /// The same shape with each tensor mapped by `f` (called in the fixed order).
    pub fn map<U>(&self, mut f: impl FnMut(&T) -> U) -> ModularTensors<U> {
        let embed = self.embed.as_ref().map(&mut f);
        let proj = self.proj.as_ref().map(&mut f);
        let direct = self.direct.as_ref().map(&mut f);
        let embed_out = self.embed_out.as_ref().map(&mut f);
        let proj_b = self.proj_b.as_ref().map(&mut f);
        ModularTensors {
            embed,
            proj,
            direct,
            embed_out,
            proj_b,
        }
    }
}

/// The parity network's tensors.
#[derive(Clone, Debug, PartialEq)]
pub struct ParityTensors<T> {
    /// W1 [(bits + 1) × H]: row j holds input j's weights; the last row is the bias input.
    pub w1: T,
    /// w2 [H × 1].
    pub w2: T,
}

impl<T> ParityTensors<T> {
    pub fn iter(&self) -> Iter<'_, T> {
        [Some(&self.w1), Some(&self.w2), None, None, None]
            .into_iter()
            .flatten()
    }

    pub fn iter_mut(&mut self) -> IterMut<'_, T> {
        [Some(&mut self.w1), Some(&mut self.w2), None, None, None]
            .into_iter()
            .flatten()
    }

    /// The same shape with each tensor mapped by `f` (called in the fixed order).
    pub fn map<U>(&self, mut f: impl FnMut(&T) -> U) -> ParityTensors<U> {
        let w1 = f(&self.w1);
        let w2 = f(&self.w2);
        ParityTensors { w1, w2 }
    }
}

/// Either model's tensors.
#[derive(Clone, Debug, PartialEq)]
pub enum Tensors<T> {
    Modular(ModularTensors<T>),
    Parity(ParityTensors<T>),
}

impl<T> Tensors<T> {
    pub fn iter(&self) -> Iter<'_, T> {
        match self {
            Tensors::Modular(t) => t.iter(),
            Tensors::Parity(t) => t.iter(),
        }
    }
}

/// Gradients of the loss, one per parameter tensor, same names and shapes (a frozen
/// tensor's stays zero).
pub type Grads = Tensors<Array2<Elem>>;

/// Total weight norm: `sqrt` of the sum of squares of every entry of every matrix, summed
/// in f64 in order. The one implementation: the trainer's `Metrics::weight_norm` (over the
/// trained tensors) and the analysis' read-out both call it.
pub fn weight_norm(matrices: &[ArrayView2<Elem>]) -> f64 {
    matrices
        .iter()
        .flat_map(|m| m.iter())
        .map(|&v| f64::from(v) * f64::from(v))
        .sum::<f64>()
        .sqrt()
}
