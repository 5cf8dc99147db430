//! grokscope: train tiny networks live and watch them grok.
//!
//! The engine (`train`) and the read-outs (`analysis`) are free of terminal and async code.

#![warn(clippy::undocumented_unsafe_blocks, clippy::missing_safety_doc)]

pub mod analysis;
pub mod app;
pub mod cli;
pub mod probe;
mod snapshot;
pub mod sweep;
pub mod train;
pub mod ui;
