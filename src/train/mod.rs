//! The training engine: tasks, models, optimizer, presets and the trainer loop. No terminal
//! or async code lives here.

pub mod activation;
pub mod checkpoint;
pub mod config;
pub mod error;
pub mod fused;
pub mod kernels;
pub mod linalg;
pub mod model;
pub mod optim;
pub mod params;
pub mod presets;
pub mod rng;
pub mod run;
pub mod task;
pub mod trainer;
pub mod weights;

pub use activation::Activation;
pub use config::{Arch, Config, Decay, Op, TaskKind};
pub use error::{Error, Result};
pub use linalg::Threads;
pub use params::{Elem, Grads, ModularTensors, Param, ParityTensors, Tensors};
pub use run::{Control, Flow, Run, Stop, Stopwatch, drive};
pub use trainer::{Metrics, Trainer};
pub use weights::{ModularWeights, ParityWeights, Weights};
