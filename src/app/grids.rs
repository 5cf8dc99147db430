//! The built-in grids the dashboard trains in the background: the sweep view shows any of
//! them, the gallery shows `mod-add-seeds`. Each grid gets its [`SweepState`] when first
//! shown and keeps it (with its progress) while another is on screen.

use super::action::Command;
use super::shared::Shared;
use crate::sweep::{Grid, Progress};
use crate::ui::sweep::{SweepState, SweepStatus};

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

/// The grids' states, in [`VIEW_GRIDS`] order.
pub struct Sweeps {
    pub states: Vec<Option<SweepState>>,
    /// Workers per sweep: all cores (the training run is paused meanwhile).
    pub jobs: usize,
}

impl Default for Sweeps {
    fn default() -> Self {
        Sweeps {
            states: VIEW_GRIDS.iter().map(|_| None).collect(),
            jobs: std::thread::available_parallelism().map_or(1, |n| n.get()),
        }
    }
}

impl Sweeps {
    /// The index of grid `name` in [`VIEW_GRIDS`].
    pub fn index(name: &str) -> Option<usize> {
        VIEW_GRIDS.iter().position(|&g| g == name)
    }

    /// A grid's state, if it has been shown.
    pub fn get(&self, grid: &str) -> Option<&SweepState> {
        self.states[Self::index(grid)?].as_ref()
    }

    pub fn get_mut(&mut self, grid: &str) -> Option<&mut SweepState> {
        self.states[Self::index(grid)?].as_mut()
    }

    /// Show grid `i`: create its state when first shown, and (unless it is done or paused
    /// by the user) ask for its runs to train, every other grid pausing.
    pub fn show(&mut self, i: usize, shared: &mut Shared) -> Vec<Command> {
        let mut cmds = vec![Command::PauseSweeps];
        if self.states[i].is_none() {
            match builtin(VIEW_GRIDS[i], self.jobs) {
                Ok(mut st) => {
                    st.note =
                        "training run paused · not saved (sweep --watch --out FILE saves)".into();
                    self.states[i] = Some(st);
                }
                Err(e) => {
                    shared.message = Some(format!("cannot open {}: {e}", VIEW_GRIDS[i]));
                    return cmds;
                }
            }
        }
        if let Some(st) = self.states[i].as_mut()
            && !st.paused
            && st.status() != SweepStatus::Finished
        {
            st.started = true;
            cmds.push(Command::RunSweep {
                grid: st.grid.clone(),
                runs: st.progress.todo(),
                every: st.every,
                jobs: st.jobs,
            });
        }
        cmds
    }
}
