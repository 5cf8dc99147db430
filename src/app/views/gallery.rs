//! The seed gallery view (`--view gallery`, `G` in the training view): the `mod-add-seeds`
//! grid as small multiples, one loss chart per run titled with its seed and key frequencies,
//! as the article's gallery draws its runs. The runs come from the grid trained live in the
//! background (the sweep view's own state of that grid: both show the same progress), or from
//! a finished sweep's output (`--sweep-file FILE`). Enter opens the selected run in the
//! training view: the session restarts with the run's recorded settings and pauses at its
//! grok step (or its last one), so `m` then shows its mechanism.

use super::super::action::{Action, Command, GalleryChange as Change};
use super::super::grids::{SweepState, Sweeps};
use super::super::keys::{
    Binding, Key, MOVE_KEYS, PAGE_KEYS, bind, ctrl_quit, help_key, pause_sweep_key, quit_key,
};
use super::super::shared::Shared;
use crate::sweep::{RunRecord, RunState};
use crate::train::files::show;
use crate::ui::gallery::{self as ui, Shape, Tile, TileState};
use crate::ui::sweep::SweepStatus;
use crate::ui::{Footer, Theme, thousands};
use crossterm::event::KeyCode;
use ratatui::Frame;
use std::cell::Cell;
use std::path::PathBuf;

/// The grid the gallery trains when it has no file.
pub const GRID: &str = "mod-add-seeds";

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
    /// Showing the article's published runs of the grid (read-only) instead of yours (the
    /// file's, or the live grid's); Tab switches.
    pub article: bool,
    /// The selected run: an index into the gallery's runs, in grid order.
    pub cursor: usize,
    /// The step cursor shared by the charts (the article's hover): Enter retrains to it.
    pub step: Option<u64>,
    /// The grid of charts as last drawn (`ui::gallery::shape` of the frame): the keys move
    /// the selection by its rows and pages.
    pub shape: Cell<Shape>,
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

impl Gallery {
    /// The runs from a file, unless the article's are on screen.
    fn file(&self) -> Option<&FileRuns> {
        self.file.as_ref().filter(|_| !self.article)
    }

    /// The grid's runs as a sweep: the article's when shown, else the grid trained live
    /// (when the runs do not come from a file).
    fn live<'a>(&self, grids: &'a Sweeps) -> Option<&'a SweepState> {
        if self.article {
            grids.article(GRID)
        } else {
            grids.get(GRID)
        }
    }

    /// How many runs the gallery shows.
    fn len(&self, grids: &Sweeps) -> usize {
        match self.file() {
            Some(f) => f.records.len(),
            None => self.live(grids).map_or(0, |s| s.progress.total()),
        }
    }

    /// The gallery's `k`-th run.
    fn run<'a>(&'a self, grids: &'a Sweeps, k: usize) -> Option<Run<'a>> {
        if let Some(f) = self.file() {
            return f.records.get(k).map(Run::Done);
        }
        let p = &self.live(grids)?.progress;
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

    /// Entering: the training run pauses (and resumes on leaving, if it was running);
    /// without a file the grid trains on every core, as in the sweep view. On the article's
    /// runs, which train nowhere, the training run goes on.
    pub fn enter(&mut self, grids: &mut Sweeps, s: &mut Shared) -> Vec<Command> {
        if self.article {
            if let Err(e) = grids.load_article(GRID) {
                s.message = Some(e);
            }
            return Vec::new();
        }
        let mut cmds = s.pause_for_view();
        if self.file.is_none() {
            let i = Sweeps::index(GRID).expect("the sweep view offers the gallery's grid");
            cmds.extend(grids.show(i, s));
        }
        cmds
    }

    pub fn leave(&mut self, s: &mut Shared) -> Vec<Command> {
        let mut cmds = Vec::new();
        if self.file.is_none() {
            cmds.push(Command::PauseSweeps);
        }
        cmds.extend(s.resume_after_view());
        cmds
    }

    /// The gallery's answer to an action; `None` when the action is the same in every view.
    pub fn update(
        &mut self,
        grids: &mut Sweeps,
        s: &mut Shared,
        action: &Action,
    ) -> Option<Vec<Command>> {
        Some(match action {
            Action::ToggleArticle => self.toggle_article(grids, s),
            Action::Gallery(Change::Open) => self.open_selected(grids, s),
            Action::Gallery(c @ (Change::StepBack | Change::StepForward | Change::StepOff)) => {
                self.move_step(grids, s, *c);
                Vec::new()
            }
            Action::Gallery(c) => {
                self.move_cursor(self.len(grids), *c);
                Vec::new()
            }
            Action::PauseSweep => self.pause_sweep(grids, s),
            a if a.acts_on_training_run() => {
                s.message = Some(
                    "that key acts on the training run: G shows it (Enter opens a run)".into(),
                );
                Vec::new()
            }
            _ => return None,
        })
    }

    fn move_cursor(&mut self, n: usize, c: Change) {
        if n == 0 {
            return;
        }
        let shape = self.shape.get();
        let (cols, page) = (shape.cols.max(1), shape.per_page().max(1));
        let cur = self.cursor.min(n - 1);
        self.cursor = match c {
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
    fn move_step(&mut self, grids: &Sweeps, s: &mut Shared, c: Change) {
        let steps = self.steps(grids).max(1);
        let stride = (steps / 50).max(1);
        let snap = |s: u64| (s / stride * stride).min(steps);
        self.step = match (c, self.step) {
            (Change::StepOff, _) => None,
            (_, None) => Some(match self.run(grids, self.cursor) {
                Some(Run::Done(r)) => snap(ui::open_step(r, None).0),
                _ => snap(steps / 2),
            }),
            (Change::StepBack, Some(s)) => Some(s.saturating_sub(stride)),
            (_, Some(s)) => Some((s + stride).min(steps)),
        };
        s.message = Some(match self.step {
            Some(at) => format!(
                "step cursor at {}: Enter retrains to it, Backspace takes it away",
                thousands(at)
            ),
            None => "no step cursor: Enter retrains to each run's grok step".into(),
        });
    }

    /// Tab: the article's runs or yours (the file's, or the grid trained live, which starts
    /// when first shown and keeps training while the article's are on screen); the
    /// selection stays on the same seed number.
    fn toggle_article(&mut self, grids: &mut Sweeps, s: &mut Shared) -> Vec<Command> {
        if let Err(e) = grids.load_article(GRID) {
            s.message = Some(e);
            return Vec::new();
        }
        self.article = !self.article;
        let mut cmds = Vec::new();
        if !self.article {
            // Yours, as on entering: the training run pauses (the article's leave it be).
            cmds = s.pause_for_view();
        }
        if !self.article && self.file.is_none() {
            let i = Sweeps::index(GRID).expect("the sweep view offers the gallery's grid");
            cmds.extend(grids.show(i, s));
        }
        let n = self.len(grids);
        self.cursor = self.cursor.min(n.saturating_sub(1));
        s.message = Some(if self.article {
            "the article's runs: Tab shows yours".into()
        } else {
            "your runs: Tab shows the article's".into()
        });
        cmds
    }

    fn pause_sweep(&mut self, grids: &mut Sweeps, s: &mut Shared) -> Vec<Command> {
        if self.article {
            s.message =
                Some("the article's runs are published: nothing trains here (Tab: yours)".into());
            return Vec::new();
        }
        if self.file.is_some() {
            s.message = Some("these runs are read from a file: nothing trains here".into());
            return Vec::new();
        }
        let i = Sweeps::index(GRID).expect("the sweep view offers the gallery's grid");
        grids.toggle_pause(
            i,
            s,
            "every run of the gallery is trained",
            "gallery's sweep paused: space resumes",
        )
    }

    /// Enter: restart the session with the selected run's settings (its exact config, seed
    /// and all), paused at its grok step, and ask for the training view.
    fn open_selected(&mut self, grids: &Sweeps, s: &mut Shared) -> Vec<Command> {
        let record = match self.run(grids, self.cursor) {
            Some(Run::Done(r)) => r.clone(),
            Some(Run::Pending { seed } | Run::Running { seed }) => {
                s.message = Some(format!("seed {seed} has not finished training yet"));
                return Vec::new();
            }
            None => return Vec::new(),
        };
        let (step, why) = ui::open_step(&record, self.step);
        let seed = record.settings.seed;
        let end = if step >= record.settings.steps {
            "finished"
        } else {
            "paused"
        };
        let say = if self.article {
            format!(
                "trained seed {seed} to step {} (the article's run {seed}: {why}); its seed \
                 was a JAX key, so this is another draw · {end}: space trains on",
                thousands(step)
            )
        } else {
            format!(
                "retrained seed {seed} to step {} ({why}) · {end}: space trains on, m its \
                 mechanism",
                thousands(step)
            )
        };
        // The run is replaced: leaving the gallery does not resume the old one.
        s.resume_training = false;
        s.draft = record.settings.clone();
        let mut cmds = super::training::restart(s);
        cmds.push(Command::PauseAt { step, say });
        s.pause_at = Some(step);
        s.show = Some("training");
        s.message = Some(format!(
            "retraining seed {seed} to step {} …",
            thousands(step)
        ));
        cmds
    }

    /// The steps every chart spans: the runs' planned steps (the most, from a file).
    fn steps(&self, grids: &Sweeps) -> u64 {
        match self.file() {
            Some(f) => f.records.iter().map(|r| r.planned_steps).max().unwrap_or(0),
            None => self.live(grids).map_or(0, |st| st.steps),
        }
    }

    /// What the gallery draws this frame.
    pub fn scene<'a>(&'a self, grids: &'a Sweeps, theme: &'a Theme) -> ui::Scene<'a> {
        let n = self.len(grids);
        let (source, fields, status, note) = match self.file() {
            Some(f) => file_header(f, n),
            None if self.article => (
                format!("{GRID} · the article's"),
                vec![
                    format!("{} runs, read-only", thousands(n as u64)),
                    "seeds are JAX keys: ⏎ trains a new draw".into(),
                ],
                None,
                "published with the article: ⏎ trains one here · Tab shows yours".to_string(),
            ),
            None => match self.live(grids) {
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
                    Some(st.read().status()),
                    "training run paused".to_string(),
                ),
                None => (GRID.into(), Vec::new(), None, String::new()),
            },
        };
        ui::Scene {
            source,
            fields,
            status,
            note,
            tiles: (0..n).map(|k| self.tile(grids, k)).collect(),
            cursor: self.cursor.min(n.saturating_sub(1)),
            steps: self.steps(grids),
            step: self.step,
            article: self.article,
            theme,
        }
    }

    pub fn tile<'a>(&'a self, grids: &'a Sweeps, k: usize) -> Tile<'a> {
        let (seed, state) = match self.run(grids, k) {
            Some(Run::Done(r)) => (r.settings.seed, TileState::Done(r)),
            Some(Run::Running { seed }) => (seed, TileState::Running),
            Some(Run::Pending { seed }) => (seed, TileState::Pending),
            None => (k as u64, TileState::Pending),
        };
        Tile { seed, state }
    }

    /// Draw the gallery and remember the shape of its grid for the keys.
    pub fn render(&self, grids: &Sweeps, f: &mut Frame, theme: &Theme, footer: &Footer) {
        self.shape.set(ui::shape(f.area()));
        ui::render(f, &self.scene(grids, theme), footer);
    }
}

/// The header of runs read from a file: source, count and note.
fn file_header(f: &FileRuns, n: usize) -> (String, Vec<String>, Option<SweepStatus>, String) {
    let grid = f.records.first().map_or(GRID, |r| r.grid.as_str());
    (
        format!("{grid} · {}", show(&f.path)),
        vec![format!("{} runs", thousands(n as u64))],
        None,
        "read from a finished sweep: nothing trains here".to_string(),
    )
}

/// The seed gallery: one small loss chart per run of `mod-add-seeds`.
pub static KEYS: [Binding<Gallery>; 10] = [
    bind(
        &[Key::char('G'), Key::code(KeyCode::Esc)],
        |k| match k.code {
            KeyCode::Esc => Action::Back,
            _ => Action::ToggleView("gallery"),
        },
        "G / Esc",
        "back to the training view",
        Some(("G", "training view")),
    ),
    bind(
        &MOVE_KEYS,
        |k| {
            Action::Gallery(match k.code {
                KeyCode::Left | KeyCode::Char('h') => Change::Left,
                KeyCode::Right | KeyCode::Char('l') => Change::Right,
                KeyCode::Up | KeyCode::Char('k') => Change::Up,
                _ => Change::Down,
            })
        },
        "← → ↑ ↓ / h l k j",
        "select a run",
        Some(("←→↑↓", "select")),
    ),
    bind(
        &PAGE_KEYS,
        |k| {
            Action::Gallery(match k.code {
                KeyCode::PageUp => Change::PageBack,
                KeyCode::PageDown => Change::PageForward,
                KeyCode::Home => Change::First,
                _ => Change::Last,
            })
        },
        "PgUp/Dn Home/End",
        "previous / next page of charts, the first / last run",
        Some(("PgUp/Dn", "page")),
    ),
    bind(
        &[
            Key::char('<'),
            Key::char('>'),
            Key::code(KeyCode::Backspace),
        ],
        |k| {
            Action::Gallery(match k.code {
                KeyCode::Char('<') => Change::StepBack,
                KeyCode::Char('>') => Change::StepForward,
                _ => Change::StepOff,
            })
        },
        "< > / Backspace",
        "move the step cursor all charts show / remove it",
        Some(("<>", "step")),
    ),
    bind(
        &[Key::code(KeyCode::Enter)],
        |_| Action::Gallery(Change::Open),
        "Enter",
        "open the run: retrain it to its grok step, paused",
        Some(("⏎", "open run")),
    ),
    bind(
        &[
            Key::code(KeyCode::Tab),
            Key::code(KeyCode::BackTab),
            Key::char('a'),
        ],
        |_| Action::ToggleArticle,
        "Tab / a",
        "the article's published runs / yours",
        Some(("Tab", "article/yours")),
    ),
    Binding {
        applies: |g: &Gallery| g.file.is_none() && !g.article,
        ..pause_sweep_key("pause / resume the gallery's sweep")
    },
    help_key(Some(("?", "help"))),
    quit_key(Some(("q", "quit"))),
    ctrl_quit(),
];
