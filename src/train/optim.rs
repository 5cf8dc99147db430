//! AdamW with decoupled L2 decay, or Adam with an L1 term added to the gradient.

use super::config::Decay;
use super::model::Param;
use ndarray::Array2;
use serde::{Deserialize, Serialize};

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

/// First and second moments of every parameter, and the step count.
#[derive(Clone, Debug, PartialEq)]
pub struct AdamState {
    pub t: u64,
    pub m: Vec<Array2<f32>>,
    pub v: Vec<Array2<f32>>,
}

impl AdamState {
    pub fn new(params: &[Param]) -> Self {
        let zeros = || params.iter().map(|p| Array2::zeros(p.w.raw_dim())).collect();
        AdamState { t: 0, m: zeros(), v: zeros() }
    }
}

impl AdamW {
    /// One update of every trainable parameter from `grads`:
    ///
    /// L2: p ← p − lr·(m̂/(√v̂ + ε) + wd·p)   (Optax `adamw`)
    /// L1: g ← g + wd·sign(p), then p ← p − lr·m̂/(√v̂ + ε)
    pub fn update(&self, params: &mut [Param], grads: &[Array2<f32>], state: &mut AdamState) {
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
        for (i, p) in params.iter_mut().enumerate() {
            if !p.trainable {
                continue;
            }
            let w = p.w.as_slice_mut().expect("contiguous");
            let g = grads[i].as_slice().expect("contiguous");
            let m = state.m[i].as_slice_mut().expect("contiguous");
            let v = state.v[i].as_slice_mut().expect("contiguous");
            for j in 0..w.len() {
                let x = w[j];
                // sign(0) = 0, as jnp.sign
                let sign = if x > 0.0 { 1.0 } else if x < 0.0 { -1.0 } else { 0.0 };
                let gj = g[j] + l1_wd * sign;
                let mj = b1 * m[j] + (1.0 - b1) * gj;
                let vj = b2 * v[j] + (1.0 - b2) * gj * gj;
                m[j] = mj;
                v[j] = vj;
                let upd = (mj * inv_bc1) / ((vj * inv_bc2).sqrt() + eps);
                w[j] = x - lr * (upd + l2_wd * x);
            }
        }
    }
}
