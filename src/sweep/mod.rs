//! Sweeps: grids of runs, the article's classification of each run (SPEC §4), a sweep's
//! [`Progress`] and the tables that summarise a grid. Grids are data ([`Grid`], JSON), not
//! code paths.

mod grid;
mod pool;
mod progress;
mod record;
mod table;

pub use crate::train::Control;
pub use grid::{Grid, RunSpec, Runs, Shard};
pub use pool::{Event, Pool};
pub use progress::{Progress, RunState};
pub use record::{Class, RunRecord, Trace};
pub use table::{phase_diagrams, seed_gallery, summary_table};
