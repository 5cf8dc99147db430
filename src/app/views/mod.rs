//! The dashboard's views, one module each: its state, its key table, its answer to actions
//! (`update`, and `enter`/`leave` where coming on screen asks something of the trainer or
//! the sweeps) and the drawing it asks of [`crate::ui`]. [`super::state::VIEWS`] lists them.
//! The tour ([`tour`], its chapters in [`chapters`]) is shown over them, as the help is.

pub mod appendix;
pub mod chapters;
pub mod gallery;
pub mod mechanism;
pub mod scrub;
pub mod sweep;
pub mod tour;
pub mod training;
