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
        let zeros = || {
            params
                .iter()
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
        let k = Coeffs {
            b1,
            b2,
            lr,
            eps,
            l1_wd,
            l2_wd,
            inv_bc1,
            inv_bc2,
        };
        for (i, p) in params.iter_mut().enumerate() {
            if !p.trainable {
                continue;
            }
            update_slice(
                &k,
                p.w.as_slice_mut().expect("contiguous"),
                grads[i].as_slice().expect("contiguous"),
                state.m[i].as_slice_mut().expect("contiguous"),
                state.v[i].as_slice_mut().expect("contiguous"),
            );
        }
    }
}

struct Coeffs {
    b1: f32,
    b2: f32,
    lr: f32,
    eps: f32,
    l1_wd: f32,
    l2_wd: f32,
    inv_bc1: f32,
    inv_bc2: f32,
}

#[inline(always)]
fn update_impl(k: &Coeffs, w: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32]) {
    let n = w.len();
    let (g, m, v) = (&g[..n], &mut m[..n], &mut v[..n]);
    // Two loops rather than one with a runtime switch, so L2 runs carry no sign term.
    if k.l1_wd != 0.0 {
        for j in 0..n {
            let x = w[j];
            // sign(0) = 0, as jnp.sign
            let sign = if x > 0.0 {
                1.0
            } else if x < 0.0 {
                -1.0
            } else {
                0.0
            };
            let gj = g[j] + k.l1_wd * sign;
            let mj = k.b1 * m[j] + (1.0 - k.b1) * gj;
            let vj = k.b2 * v[j] + (1.0 - k.b2) * gj * gj;
            m[j] = mj;
            v[j] = vj;
            w[j] = x - k.lr * ((mj * k.inv_bc1) / ((vj * k.inv_bc2).sqrt() + k.eps));
        }
    } else {
        for j in 0..n {
            let x = w[j];
            let gj = g[j];
            let mj = k.b1 * m[j] + (1.0 - k.b1) * gj;
            let vj = k.b2 * v[j] + (1.0 - k.b2) * gj * gj;
            m[j] = mj;
            v[j] = vj;
            let upd = (mj * k.inv_bc1) / ((vj * k.inv_bc2).sqrt() + k.eps);
            w[j] = x - k.lr * (upd + k.l2_wd * x);
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn update_avx2(k: &Coeffs, w: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32]) {
    update_impl(k, w, g, m, v)
}

/// The elementwise AdamW update, on AVX2 when the CPU has it.
fn update_slice(k: &Coeffs, w: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
        // SAFETY: the CPU supports the features the function was compiled for.
        return unsafe { update_avx2(k, w, g, m, v) };
    }
    update_impl(k, w, g, m, v)
}
