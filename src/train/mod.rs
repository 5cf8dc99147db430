//! The training engine: tasks, models, optimizer, presets and the trainer loop.

pub mod activation;
pub use activation::Activation;
