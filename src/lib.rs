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
// The engine's docs still link to private items and write index brackets (`pre[n]`,
// `W_a [a]`) that rustdoc reads as links: 16 places under train/, left to the branch
// that is changing train/ (`RUSTDOCFLAGS="-D warnings" cargo doc --no-deps` lists them
// once this allow is gone). Every other module is held to those lints by .ci/run.
#[allow(rustdoc::private_intra_doc_links, rustdoc::broken_intra_doc_links)]
pub mod train;
pub mod ui;
