//! The trainer: one object that owns a run's data, model and optimiser state.

use super::config::Config;
use super::error::{Error, Result};
use super::linalg::Threads;
use super::model::{Model, Score};
use super::optim::{AdamState, AdamW};
use super::params::{self, Elem, Grads, Param};
use super::task::Data;
use super::team::{Pace, Team};
use ndarray::Array2;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Evaluation of the model at one step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    pub step: u64,
    pub train_loss: f64,
    pub test_loss: f64,
    pub train_acc: f64,
    pub test_acc: f64,
    /// sqrt(Σ p²) over every trained parameter ([`params::weight_norm`]).
    pub weight_norm: f64,
}

/// A run in progress.
pub struct Trainer {
    cfg: Config,
    data: Data,
    model: Model,
    grads: Grads,
    opt: AdamW,
    state: AdamState,
    /// The threads the step's products and update are shared among (`--threads`), one
    /// thread alone, and the timing that picks between them.
    team: Arc<Team>,
    alone: Arc<Team>,
    pace: Pace,
}

/// The training loss came out NaN or infinite.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Diverged {
    pub step: u64,
    pub loss: f64,
}

impl std::fmt::Display for Diverged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "training diverged at step {}: loss is {} (try a smaller learning rate)",
            self.step, self.loss
        )
    }
}

impl Trainer {
    /// Validate `cfg`, build its data and initialise the model (deterministic in the seed).
    pub fn new(cfg: Config, threads: Threads) -> Result<Self> {
        cfg.validate()?;
        if threads.0 == 0 {
            return Err(Error::config("threads must be at least 1"));
        }
        let data = Data::new(&cfg);
        let mut model = Model::new(&cfg, &data);
        let team = Arc::new(Team::new(threads.0));
        model.set_team(&team);
        let alone = Arc::new(Team::new(1));
        let grads = model.zero_grads();
        let state = AdamState::new(model.params());
        let opt = AdamW {
            lr: cfg.lr as f32,
            beta1: cfg.beta1 as f32,
            beta2: cfg.beta2 as f32,
            eps: cfg.eps as f32,
            weight_decay: cfg.weight_decay as f32,
            decay: cfg.decay,
        };
        Ok(Trainer {
            cfg,
            data,
            model,
            grads,
            opt,
            state,
            team,
            alone,
            pace: Pace::new(),
        })
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// Change the planned length of the run (a resumed run may be extended); the steps
    /// already taken are kept.
    pub fn set_planned_steps(&mut self, steps: u64) {
        self.cfg.steps = steps;
    }

    pub fn data(&self) -> &Data {
        &self.data
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Compute with `kernel` from now on (the same bits as any other kernel; see
    /// [`Model::set_kernel`]).
    pub fn set_kernel(&mut self, kernel: super::Kernel) {
        self.model.set_kernel(kernel);
    }

    /// Steps taken so far.
    pub fn step_count(&self) -> u64 {
        self.state.t
    }

    /// One full-batch step. Returns the training score before the update, or `Diverged`
    /// (leaving the parameters untouched) when the loss is not finite.
    pub fn step(&mut self) -> Result<Score, Diverged> {
        if self.team.size() == 1 {
            return self.step_on(&Arc::clone(&self.team));
        }
        // Shared or alone, whichever the pace finds faster here (the same bits).
        let team = if self.pace.next_shared() {
            Arc::clone(&self.team)
        } else {
            Arc::clone(&self.alone)
        };
        let start = std::time::Instant::now();
        let result = self.step_on(&team);
        self.pace.took(start.elapsed());
        result
    }

    /// [`Self::step`] with its products and update on `team`.
    fn step_on(&mut self, team: &Arc<Team>) -> Result<Score, Diverged> {
        self.model.set_team(team);
        let score = self.model.forward_backward(&self.data, &mut self.grads);
        if !score.loss.is_finite() {
            return Err(Diverged {
                step: self.state.t + 1,
                loss: score.loss,
            });
        }
        self.opt.update(
            self.model.params_mut(),
            self.grads.iter(),
            &mut self.state,
            team,
        );
        self.model.refresh();
        Ok(score)
    }

    /// Gradients of the last step, named and shaped as the parameters.
    pub fn grads(&self) -> &Grads {
        &self.grads
    }

    /// Train and test loss and accuracy at the current parameters, and the weight norm.
    pub fn evaluate(&mut self) -> Metrics {
        let (train, test) = self.model.evaluate(&self.data);
        Metrics {
            step: self.state.t,
            train_loss: train.loss,
            test_loss: test.loss,
            train_acc: train.acc,
            test_acc: test.acc,
            weight_norm: self.weight_norm(),
        }
    }

    /// sqrt(Σ p²) over every trained parameter.
    pub fn weight_norm(&self) -> f64 {
        let trained: Vec<_> = self
            .model
            .params()
            .filter(|p| p.trainable)
            .map(|p| p.w.view())
            .collect();
        params::weight_norm(&trained)
    }

    /// A plain copy of the current weights: what every reader of the model looks at.
    pub fn weights(&self) -> crate::train::Weights {
        self.model.weights()
    }

    /// [`Self::weights`] as a dashboard frame keeps them ([`super::Weights::for_frame`]), copying
    /// only what the frame keeps: the dashboard takes one every evaluation, and widening a
    /// 67×500 embedding only to drop it churned the heap (its RSS tripled over a run).
    pub fn frame_weights(&self) -> crate::train::Weights {
        use crate::train::weights::{FRAME_EMBED_MAX, widen};
        match &self.model {
            Model::Modular(m) if m.embedding().is_some_and(|e| e.ncols() > FRAME_EMBED_MAX) => {
                crate::train::Weights::Modular(crate::train::ModularWeights {
                    arch: m.arch,
                    activation: m.activation,
                    w_input: widen(m.w_input()),
                    w_output: widen(m.w_output()),
                    embed: None,
                    in_proj: None,
                    out_proj: None,
                    w_input_b: m.w_input_b().map(widen),
                    embed_out: None,
                    in_proj_b: None,
                })
            }
            _ => self.weights().for_frame(),
        }
    }

    /// The parameter tensors in their fixed order (the checkpoint's).
    pub fn params(&self) -> Vec<&Param> {
        self.model.params().collect()
    }

    pub(crate) fn adam_state(&self) -> &AdamState {
        &self.state
    }

    /// Replace parameters and optimiser state (from a checkpoint); shapes must match.
    pub(crate) fn restore(
        &mut self,
        weights: Vec<Array2<Elem>>,
        state: AdamState,
    ) -> Result<(), String> {
        let mut params: Vec<&mut Param> = self.model.params_mut().collect();
        if weights.len() != params.len()
            || state.m.len() != params.len()
            || state.v.len() != params.len()
        {
            return Err("parameter count does not match its configuration".into());
        }
        for (i, p) in params.iter().enumerate() {
            let d = p.w.raw_dim();
            if weights[i].raw_dim() != d || state.m[i].raw_dim() != d || state.v[i].raw_dim() != d {
                return Err(format!("parameter {} has the wrong shape", p.name));
            }
        }
        for (p, w) in params.iter_mut().zip(weights) {
            p.w = w;
        }
        self.state = state;
        self.model.refresh();
        Ok(())
    }
}

#[cfg(test)]
mod frame_tests {
    use super::*;
    use crate::train::presets;

    /// A frame's weights, copied alone, are the whole weights trimmed, for every preset and
    /// modular architecture, narrow and wide.
    #[test]
    fn frame_weights_are_the_weights_trimmed() {
        for c in presets::every_shape() {
            let t = Trainer::new(c.clone(), Threads(1)).unwrap();
            assert!(
                t.frame_weights() == t.weights().for_frame(),
                "{} {:?} embed {}",
                c.preset,
                c.arch,
                c.embed
            );
        }
    }
}
