//! AdamW with decoupled L2 decay, or Adam with an L1 term added to the gradient.

use super::config::Decay;
use super::kernels::{self, AdamCoeffs};
use super::params::{Elem, Param};
use super::team::{self, Team};
use ndarray::Array2;
use serde::{Deserialize, Serialize};

/// Tensors shorter than this are updated on one thread (a hand-over costs about as much
/// as updating a few thousand parameters).
const SHARED_LEN: usize = 1 << 13;

/// Optimiser hyperparameters.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdamW {
    pub lr: f32,
    pub beta1: f32,
    pub beta2: f32,
    pub eps: f32,
    pub weight_decay: f32,
    pub decay: Decay,
}

/// First and second moments of every parameter tensor, in the tensors' fixed order (see
/// `params.rs`; the checkpoint stores them in it), and the step count.
#[derive(Clone, Debug, PartialEq)]
pub struct AdamState {
    pub t: u64,
    pub m: Vec<Array2<Elem>>,
    pub v: Vec<Array2<Elem>>,
}

impl AdamState {
    /// Zero moments for `params` (in their fixed order).
    pub fn new<'a>(params: impl Iterator<Item = &'a Param> + Clone) -> Self {
        let zeros = || {
            params
                .clone()
                .map(|p| Array2::zeros(p.w.raw_dim()))
                .collect()
        };
        AdamState {
            t: 0,
            m: zeros(),
            v: zeros(),
        }
    }
}

impl AdamW {
    /// One update of every trainable parameter from its gradient; `params` and `grads`
    /// walk the tensors in their fixed order, the order of `state`'s moments:
    ///
    /// L2: p ← p − lr·(m̂/(√v̂ + ε) + wd·p)   (Optax `adamw`)
    /// L1: g ← g + wd·sign(p), then p ← p − lr·m̂/(√v̂ + ε)
    pub fn update<'p, 'g>(
        &self,
        params: impl Iterator<Item = &'p mut Param>,
        grads: impl Iterator<Item = &'g Array2<Elem>>,
        state: &mut AdamState,
        team: &Team,
    ) {
        state.t += 1;
        let t = state.t as i32;
        let bc1 = 1.0 - (self.beta1 as f64).powi(t);
        let bc2 = 1.0 - (self.beta2 as f64).powi(t);
        let (b1, b2) = (self.beta1, self.beta2);
        let (lr, eps, wd) = (self.lr, self.eps, self.weight_decay);
        let inv_bc1 = (1.0 / bc1) as f32;
        let inv_bc2 = (1.0 / bc2) as f32;
        let l1 = self.decay == Decay::L1;
        let l2_wd = if l1 { 0.0 } else { wd };
        let l1_wd = if l1 { wd } else { 0.0 };
        let k = AdamCoeffs {
            b1,
            b2,
            lr,
            eps,
            l1_wd,
            l2_wd,
            inv_bc1,
            inv_bc2,
        };
        let moments = state.m.iter_mut().zip(state.v.iter_mut());
        for ((p, g), (m, v)) in params.zip(grads).zip(moments) {
            if !p.trainable {
                continue;
            }
            let w = p.w.as_slice_mut().expect("contiguous");
            let g = g.as_slice().expect("contiguous");
            let m = m.as_slice_mut().expect("contiguous");
            let v = v.as_slice_mut().expect("contiguous");
            if team.size() == 1 || w.len() < SHARED_LEN {
                kernels::adamw(&k, w, g, m, v);
                continue;
            }
            // Elementwise, so shared among the team in parts without changing a bit.
            let mut parts = Vec::with_capacity(team.size());
            let (mut w, mut g, mut m, mut v) = (w, g, m, v);
            let mut at = 0;
            for r in team::split(w.len(), team.size(), 16) {
                let cut = r.end - at;
                at = r.end;
                let (w1, w2) = w.split_at_mut(cut);
                let (g1, g2) = g.split_at(cut);
                let (m1, m2) = m.split_at_mut(cut);
                let (v1, v2) = v.split_at_mut(cut);
                parts.push((w1, g1, m1, v1));
                (w, g, m, v) = (w2, g2, m2, v2);
            }
            team.each(parts, &|(w, g, m, v)| kernels::adamw(&k, w, g, m, v));
        }
    }
}
