//! Sweeps: grids of runs, the article's classification of each run ([`classify_with`]), a sweep's
//! [`Progress`] and the tables that summarise a grid. Grids are data ([`Grid`], JSON), not
//! code paths.

pub mod article;
mod diagram;
mod grid;
mod moments;
mod output;
mod phenomenon;
mod pool;
mod progress;
mod record;
mod table;
pub mod vocab;

pub use crate::train::Control;
pub use diagram::{Cell, Diagram, Move};
pub use grid::{BUILTIN, Grid, RunSpec, Runs, Shard};
pub use moments::{Curves, Moment};
pub use output::{audit, lock_output, merge, open_append};
pub use phenomenon::{Phenomenon, Point, shown};
pub use pool::{Event, Pool};
pub use progress::{Progress, RunState};
pub use record::{Class, RunRecord, Thresholds, Trace, classify_with};
pub use table::{arch_table, phase_diagrams, phenomena, seed_gallery, summary_table};
