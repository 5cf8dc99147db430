//! The dashboard's sweep view offers the built-in grids; each gets a
//! [`SweepState`] when first shown.

use crate::sweep::{Grid, Progress};
use crate::ui::sweep::SweepState;

/// The built-in grids the dashboard's sweep view offers (Tab cycles them).
pub const VIEW_GRIDS: [&str; 3] = ["parity-quick", "parity-v4", "mod-add-seeds"];

/// Seeds of `mod-add-seeds` in the dashboard (the CLI's `--seeds` default).
pub const VIEW_SEEDS: usize = 20;

/// A built-in grid, whole, on `jobs` workers.
pub fn builtin(name: &str, jobs: usize) -> crate::train::Result<SweepState> {
    let grid = Grid::builtin(name, VIEW_SEEDS)?;
    let runs = grid.runs()?;
    Ok(SweepState::new(&grid, Progress::new(runs), None, jobs))
}
