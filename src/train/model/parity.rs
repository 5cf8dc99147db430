//! The parity network: inputs (the bits and a constant 1) → hidden → one logit,
//! pre = X · W1 [N×H], act = σ(pre), z = act · w2 [N×1], with its forward and backward passes
//! over buffers allocated once.

use super::{Activation, Config, Kernel, Score, trunc_normal};
use crate::train::kernels;
use crate::train::linalg::matmul;
use crate::train::params::{Elem, Param, ParityTensors};
use crate::train::rng::{Stream, purpose};
use crate::train::task::BitSet;
use ndarray::{Array2, ArrayView2};

struct ParityBuffers {
    pre: Array2<f32>,
    act: Array2<f32>,
    z: Array2<f32>,
}

impl ParityBuffers {
    fn new(n: usize, h: usize) -> Self {
        ParityBuffers {
            pre: Array2::zeros((n, h)),
            act: Array2::zeros((n, h)),
            z: Array2::zeros((n, 1)),
        }
    }
}

/// The parity network: inputs (bits and a constant 1) → hidden → one logit.
pub struct ParityModel {
    pub activation: Activation,
    params: ParityTensors<Param>,
    train_buf: ParityBuffers,
    test_buf: ParityBuffers,
    pub(super) kernel: Kernel,
}

impl ParityModel {
    pub fn new(cfg: &Config, n_train: usize, n_test: usize, kernel: Kernel) -> Self {
        let inputs = cfg.parity_inputs();
        let h = cfg.hidden;
        let mut rng = Stream::new(cfg.seed, purpose::INIT);
        // Haiku's Linear default: truncated normal with σ = 1/sqrt(fan_in).
        let w1 = trunc_normal(&mut rng, inputs, h, 1.0 / (inputs as f64).sqrt());
        let w2 = trunc_normal(&mut rng, h, 1, 1.0 / (h as f64).sqrt());
        ParityModel {
            activation: cfg.activation,
            params: ParityTensors {
                w1: Param::new("w1", w1, true),
                w2: Param::new("w2", w2, true),
            },
            train_buf: ParityBuffers::new(n_train, h),
            test_buf: ParityBuffers::new(n_test, h),
            kernel,
        }
    }

    pub fn params(&self) -> &ParityTensors<Param> {
        &self.params
    }

    pub fn params_mut(&mut self) -> &mut ParityTensors<Param> {
        &mut self.params
    }

    /// W1 [(bits + 1) × H]: row j holds input j's weights; the last row is the bias input.
    pub fn w1(&self) -> ArrayView2<'_, Elem> {
        self.params.w1.w.view()
    }

    /// w2 [H × 1].
    pub fn w2(&self) -> ArrayView2<'_, Elem> {
        self.params.w2.w.view()
    }

    fn forward(
        params: &ParityTensors<Param>,
        act: Activation,
        set: &BitSet,
        buf: &mut ParityBuffers,
        kernel: Kernel,
    ) {
        matmul(
            buf.pre.view_mut(),
            set.x.view(),
            params.w1.w.view(),
            false,
            kernel,
        );
        act.forward(
            buf.pre.as_slice().expect("contiguous"),
            buf.act.as_slice_mut().expect("contiguous"),
        );
        matmul(
            buf.z.view_mut(),
            buf.act.view(),
            params.w2.w.view(),
            false,
            kernel,
        );
    }

    pub fn evaluate(&mut self, set: &BitSet, is_train: bool) -> Score {
        let buf = if is_train {
            &mut self.train_buf
        } else {
            &mut self.test_buf
        };
        Self::forward(&self.params, self.activation, set, buf, self.kernel);
        let st = kernels::logistic(buf.z.as_slice_mut().expect("contiguous"), &set.y, None);
        let n = set.len().max(1) as f64;
        Score {
            loss: st.nll_sum / n,
            acc: st.correct as f64 / n,
        }
    }

    /// Gradient of the mean binary cross-entropy into `grads`; returns the loss.
    pub fn forward_backward(
        &mut self,
        set: &BitSet,
        grads: &mut ParityTensors<Array2<Elem>>,
    ) -> Score {
        let buf = &mut self.train_buf;
        Self::forward(&self.params, self.activation, set, buf, self.kernel);
        let n = set.len().max(1) as f64;
        let st = kernels::logistic(
            buf.z.as_slice_mut().expect("contiguous"),
            &set.y,
            Some(1.0 / n as f32),
        );
        // dw2 = actᵀ · dz
        matmul(
            grads.w2.view_mut(),
            buf.act.t(),
            buf.z.view(),
            false,
            self.kernel,
        );
        // dpre = (dz · w2ᵀ) ⊙ σ'(pre), reusing `act` as the buffer.
        matmul(
            buf.act.view_mut(),
            buf.z.view(),
            self.params.w2.w.t(),
            false,
            self.kernel,
        );
        self.activation.backward(
            buf.pre.as_slice().expect("contiguous"),
            buf.act.as_slice_mut().expect("contiguous"),
        );
        // dW1 = Xᵀ · dpre
        matmul(
            grads.w1.view_mut(),
            set.x.t(),
            buf.act.view(),
            false,
            self.kernel,
        );
        Score {
            loss: st.nll_sum / n,
            acc: st.correct as f64 / n,
        }
    }
}
