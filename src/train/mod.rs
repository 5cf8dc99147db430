//! The training engine: tasks, models, optimizer, presets and the trainer loop. No terminal
//! or async code lives here.

mod activation;
mod arch;
pub mod checkpoint;
pub(crate) mod config;
mod error;
pub(crate) mod fields;
pub mod files;
mod fused;
pub mod identity;
pub mod keep;
pub mod kernels;
pub(crate) mod linalg;
pub mod model;
mod optim;
pub(crate) mod params;
pub mod presets;
mod rng;
mod run;
mod runfile;
pub mod simd;
pub mod task;
pub(crate) mod team;
pub(crate) mod trainer;
pub(crate) mod weights;

pub use activation::Activation;
pub use config::{Arch, Config, Decay, Op, TaskKind};
pub use error::{Error, Result};
pub use linalg::Threads;
pub use params::{Elem, Grads, ModularTensors, Param, ParityTensors, Tensors};
pub use run::{Control, Flow, Run, Stop, Stopwatch, drive, drive_until};
pub use simd::Kernel;
pub use trainer::{Metrics, Trainer};
pub use weights::{ModularWeights, ParityWeights, Weights};
