//! The seed gallery view (`--view gallery`, `G` in the training view): the `mod-add-seeds`
//! grid as small multiples, one loss chart per run titled with its seed and key frequencies,
//! as the article's gallery draws its runs. The runs come from the grid trained live in the
//! background (the sweep view's own state of that grid: both show the same progress), or from
//! a finished sweep's output (`--sweep-file FILE`). Enter opens the selected run in the
//! training view: the session restarts with the run's recorded settings and pauses at its
//! grok step (or its last one), so `m` then shows its mechanism.

use super::session::Status;
use super::state::{Action, App, Command};
use super::sweep::VIEW_GRIDS;
use crate::sweep::{RunRecord, RunState};
use crate::train::files::show;
use crate::ui::gallery::{self as ui, Shape, Tile, TileState};
use crate::ui::sweep::SweepStatus;
use crate::ui::{Footer, Theme, thousands};
use ratatui::Frame;
use std::cell::Cell;
use std::path::PathBuf;

/// The grid the gallery trains when it has no file.
pub const GRID: &str = "mod-add-seeds";

/// A change of the gallery's selection, or opening it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    Left,
    Right,
    Up,
    Down,
    PageBack,
    PageForward,
    First,
    Last,
    /// Move the step cursor every chart shows back / forward (it starts at the selected
    /// run's grok step), or take it away.
    StepBack,
    StepForward,
    StepOff,
    /// Open the selected run in the training view.
    Open,
}

/// Runs read from a finished sweep's output (`--sweep-file FILE`), in grid order.
#[derive(Clone, Debug, PartialEq)]
pub struct FileRuns {
    /// The file, as named on the command line.
    pub path: PathBuf,
    pub records: Vec<RunRecord>,
}

/// The gallery's state.
#[derive(Debug, Default)]
pub struct Gallery {
    /// The runs, when they come from a file; else the grid trains live.
    pub file: Option<FileRuns>,
    /// The selected run: an index into the gallery's runs, in grid order.
    pub cursor: usize,
    /// The step cursor shared by the charts (the article's hover): Enter retrains to it.
    pub step: Option<u64>,
    /// The grid of charts as last drawn: the keys move the selection by its rows and pages.
    pub shape: Cell<Shape>,
    /// A retrain under way: the step it pauses at (the trainer says when it is there).
    pub(super) pause_at: Option<u64>,
}

impl Gallery {
    pub fn from_file(file: FileRuns) -> Self {
        Gallery {
            file: Some(file),
            ..Gallery::default()
        }
    }
}

/// Where a run of the gallery is.
enum Run<'a> {
    Pending { seed: u64 },
    Running { seed: u64 },
    Done(&'a RunRecord),
}

impl App {
    fn gallery_grid(&self) -> usize {
        VIEW_GRIDS
            .iter()
            .position(|&g| g == GRID)
            .expect("the sweep view offers the gallery's grid")
    }

    /// How many runs the gallery shows.
    fn gallery_len(&self) -> usize {
        match &self.gallery.file {
            Some(f) => f.records.len(),
            None => self.sweeps.states[self.gallery_grid()]
                .as_ref()
                .map_or(0, |s| s.progress.total()),
        }
    }

    /// The gallery's `k`-th run.
    fn gallery_run(&self, k: usize) -> Option<Run<'_>> {
        if let Some(f) = &self.gallery.file {
            return f.records.get(k).map(Run::Done);
        }
        let st = self.sweeps.states[self.gallery_grid()].as_ref()?;
        let p = &st.progress;
        let spec = p.runs.get(k)?.ok()?;
        Some(match p.state_of(spec.index) {
            RunState::Done(_) => Run::Done(&p.records[&spec.index]),
            RunState::Running => Run::Running {
                seed: spec.config.seed,
            },
            RunState::Pending => Run::Pending {
                seed: spec.config.seed,
            },
        })
    }

    /// Entering the gallery: the training run pauses (and resumes on leaving, if it was
    /// running); without a file the grid trains on every core, as in the sweep view.
    pub(super) fn enter_gallery(&mut self) -> Vec<Command> {
        let mut cmds = Vec::new();
        if self.snapshot.status == Status::Running && !self.paused {
            self.resume_training = true;
            cmds.push(Command::Pause);
        }
        if self.gallery.file.is_some() {
            return cmds;
        }
        let i = self.gallery_grid();
        cmds.extend(self.show_grid(i));
        cmds
    }

    pub(super) fn leave_gallery(&mut self) -> Vec<Command> {
        let mut cmds = Vec::new();
        if self.gallery.file.is_none() {
            cmds.push(Command::PauseSweeps);
        }
        if std::mem::take(&mut self.resume_training) {
            cmds.push(Command::Resume);
        }
        cmds
    }

    /// The gallery's answer to an action; `None` when the action is the same in every view.
    pub(super) fn update_gallery(&mut self, action: &Action) -> Option<Vec<Command>> {
        Some(match action {
            Action::Gallery(Change::Open) => self.open_selected(),
            Action::Gallery(c @ (Change::StepBack | Change::StepForward | Change::StepOff)) => {
                self.move_step(*c);
                Vec::new()
            }
            Action::Gallery(c) => {
                self.move_cursor(*c);
                Vec::new()
            }
            Action::PauseSweep => self.pause_gallery_sweep(),
            a if a.acts_on_training_run() => {
                self.message = Some(
                    "that key acts on the training run: G shows it (Enter opens a run)".into(),
                );
                Vec::new()
            }
            _ => return None,
        })
    }

    fn move_cursor(&mut self, c: Change) {
        let n = self.gallery_len();
        if n == 0 {
            return;
        }
        let shape = self.gallery.shape.get();
        let (cols, page) = (shape.cols.max(1), shape.per_page().max(1));
        let cur = self.gallery.cursor.min(n - 1);
        self.gallery.cursor = match c {
            Change::Left => cur.saturating_sub(1),
            Change::Right => (cur + 1).min(n - 1),
            Change::Up => cur.checked_sub(cols).unwrap_or(cur),
            Change::Down if cur + cols < n => cur + cols,
            // The last row may be short: down from above it goes to its last chart.
            Change::Down if cur / cols < (n - 1) / cols => n - 1,
            Change::Down => cur,
            Change::PageBack => cur.saturating_sub(page),
            Change::PageForward => (cur + page).min(n - 1),
            Change::First => 0,
            Change::Last => n - 1,
            Change::StepBack | Change::StepForward | Change::StepOff | Change::Open => cur,
        };
    }

    /// The step cursor: `<` `>` move it by a fiftieth of the runs' steps, from the
    /// selected run's grok step (or the middle) when it is first shown.
    fn move_step(&mut self, c: Change) {
        let steps = self.gallery_view().steps.max(1);
        let stride = (steps / 50).max(1);
        let snap = |s: u64| (s / stride * stride).min(steps);
        self.gallery.step = match (c, self.gallery.step) {
            (Change::StepOff, _) => None,
            (_, None) => Some(match self.gallery_run(self.gallery.cursor) {
                Some(Run::Done(r)) => snap(ui::open_step(r, None).0),
                _ => snap(steps / 2),
            }),
            (Change::StepBack, Some(s)) => Some(s.saturating_sub(stride)),
            (_, Some(s)) => Some((s + stride).min(steps)),
        };
        self.message = Some(match self.gallery.step {
            Some(s) => format!(
                "step cursor at {}: Enter retrains to it, Backspace takes it away",
                thousands(s)
            ),
            None => "no step cursor: Enter retrains to each run's grok step".into(),
        });
    }

    fn pause_gallery_sweep(&mut self) -> Vec<Command> {
        if self.gallery.file.is_some() {
            self.message = Some("these runs are read from a file: nothing trains here".into());
            return Vec::new();
        }
        let i = self.gallery_grid();
        let Some(st) = self.sweeps.states[i].as_mut() else {
            return Vec::new();
        };
        if st.status() == SweepStatus::Finished {
            self.message = Some("every run of the gallery is trained".into());
            return Vec::new();
        }
        st.paused = !st.paused;
        if st.paused {
            self.message = Some("gallery's sweep paused: space resumes".into());
            vec![Command::PauseSweeps]
        } else {
            self.message = None;
            self.enter_gallery()
        }
    }

    /// Enter: restart the session with the selected run's settings (its exact config, seed
    /// and all), paused at its grok step, and show it in the training view.
    fn open_selected(&mut self) -> Vec<Command> {
        let k = self.gallery.cursor;
        let record = match self.gallery_run(k) {
            Some(Run::Done(r)) => r.clone(),
            Some(Run::Pending { seed } | Run::Running { seed }) => {
                self.message = Some(format!("seed {seed} has not finished training yet"));
                return Vec::new();
            }
            None => return Vec::new(),
        };
        let (step, why) = ui::open_step(&record, self.gallery.step);
        let seed = record.settings.seed;
        let end = if step >= record.settings.steps {
            "finished"
        } else {
            "paused"
        };
        let say = format!(
            "retrained seed {seed} to step {} ({why}) · {end}: space trains on, m its mechanism",
            thousands(step)
        );
        // The run is replaced: leaving the gallery does not resume the old one.
        self.resume_training = false;
        self.draft = record.settings.clone();
        let mut cmds = self.restart_with_draft();
        cmds.push(Command::PauseAt { step, say });
        self.gallery.pause_at = Some(step);
        cmds.extend(self.show(super::views::home()));
        self.message = Some(format!(
            "retraining seed {seed} to step {} …",
            thousands(step)
        ));
        cmds
    }

    /// A snapshot arrived: once a retrain has reached its step, the run is paused (as if the
    /// user had paused it, so space resumes it).
    pub(super) fn gallery_snapshot(&mut self, status: &Status, step: u64) {
        if let Some(at) = self.gallery.pause_at
            && step >= at
            && matches!(status, Status::Paused | Status::Finished)
        {
            self.gallery.pause_at = None;
            self.paused = *status == Status::Paused;
        }
    }

    /// What the gallery's renderer draws from.
    fn gallery_view(&self) -> ui::View {
        let n = self.gallery_len();
        let (source, fields, status, note, steps) = match &self.gallery.file {
            Some(f) => {
                let mut counts = [0usize; 4];
                for r in &f.records {
                    counts[crate::sweep::Class::ALL
                        .iter()
                        .position(|&c| c == r.class)
                        .unwrap_or(0)] += 1;
                }
                let steps = f.records.iter().map(|r| r.planned_steps).max();
                let grid = f.records.first().map_or(GRID, |r| r.grid.as_str());
                (
                    format!("{grid} · {}", show(&f.path)),
                    vec![format!("{} runs", thousands(n as u64))],
                    None,
                    "read from a finished sweep: nothing trains here".to_string(),
                    steps.unwrap_or(0),
                )
            }
            None => match self.sweeps.states[self.gallery_grid()].as_ref() {
                Some(st) => (
                    GRID.to_string(),
                    vec![
                        format!(
                            "{} / {} runs",
                            thousands(st.progress.done() as u64),
                            thousands(st.progress.total() as u64)
                        ),
                        format!("{} training", st.progress.running.len()),
                        crate::ui::clock(st.elapsed),
                    ],
                    Some(st.status()),
                    "training run paused".to_string(),
                    st.steps,
                ),
                None => (GRID.into(), Vec::new(), None, String::new(), 0),
            },
        };
        ui::View {
            source,
            fields,
            status,
            note,
            len: n,
            cursor: self.gallery.cursor.min(n.saturating_sub(1)),
            steps,
            step: self.gallery.step,
        }
    }

    fn gallery_tile(&self, k: usize) -> Tile<'_> {
        let (seed, state) = match self.gallery_run(k) {
            Some(Run::Done(r)) => (r.settings.seed, TileState::Done(r)),
            Some(Run::Running { seed }) => (seed, TileState::Running),
            Some(Run::Pending { seed }) => (seed, TileState::Pending),
            None => (k as u64, TileState::Pending),
        };
        Tile { seed, state }
    }
}

/// Draw the gallery and remember the shape of its grid for the keys.
pub fn render(f: &mut Frame, app: &App, theme: &Theme, footer: &Footer) {
    let shape = ui::render(
        f,
        &app.gallery_view(),
        &|k| app.gallery_tile(k),
        theme,
        footer,
    );
    app.gallery.shape.set(shape);
}

/// The gallery's answer to an action (its [`super::views::View::update`]).
pub fn update(app: &mut App, action: &Action) -> Option<Vec<Command>> {
    app.update_gallery(action)
}
