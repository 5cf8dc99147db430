//! The sweeps the app keeps: one grid's [`SweepState`] (its progress, and the sweep view's
//! pages, cursor, drill-down and class thresholds over it), changed by pool reports and the
//! view's keys and drawn through its [`Scene`]; and the built-in grids the dashboard trains
//! in the background ([`Sweeps`]): the sweep view shows any of them, the gallery shows
//! `mod-add-seeds`. Each grid gets its state when first shown and keeps it (with its
//! progress) while another is on screen.

use super::action::{Command, Move, Nudge};
use super::shared::Shared;
use crate::sweep::article;
use crate::sweep::{Cell, Diagram, Event, Grid, Progress, Shard, Thresholds};
use crate::ui::sweep::{Scene, SweepStatus, fmt_threshold};
use crate::ui::{ColorMode, Theme};
use std::time::Duration;

/// The article's slider ranges: "Min Loss" 1e-8 … 1, "Max Test/Train Loss Ratio" 1 … 1e8.
pub const FIT_RANGE: (f64, f64) = (1e-8, 1.0);
pub const RATIO_RANGE: (f64, f64) = (1.0, 1e8);

/// `value` one half-decade step (×√10) down or up on the steps default × 10^(k/2), within
/// `range`; from a clamped end it steps to the nearest step inside.
fn half_decade(value: f64, default: f64, up: bool, (lo, hi): (f64, f64)) -> f64 {
    let k = 2.0 * (value / default).log10();
    let k = if up {
        (k + 1e-9).floor() + 1.0
    } else {
        (k - 1e-9).ceil() - 1.0
    };
    (default * 10f64.powf(k / 2.0)).clamp(lo, hi)
}

/// One sweep as a view keeps it: the grid's progress and how the view shows it.
#[derive(Clone, Debug)]
pub struct SweepState {
    pub grid: String,
    pub preset: String,
    pub every: u64,
    /// Planned steps of the runs (the largest, when they differ).
    pub steps: u64,
    pub shard: Option<Shard>,
    /// The grid's axes, in its order.
    pub axes: Vec<String>,
    pub progress: Progress,
    /// Time spent training (pauses excluded).
    pub elapsed: Duration,
    pub jobs: usize,
    pub started: bool,
    pub paused: bool,
    /// Where the records go, or why they are not kept: shown under the header.
    pub note: String,
    /// First panel shown when the panels do not all fit (the cursor's panel is always shown).
    pub page: usize,
    pub diagram: Option<Diagram>,
    /// The diagram's cursor.
    pub cell: Cell,
    /// The list's cursor (a position in `progress.runs`), for grids without a diagram;
    /// `None` until moved, while the list follows the runs in progress.
    pub row: Option<usize>,
    /// Whether the drill-down (the selected cell's runs as loss charts) is open.
    pub drill: bool,
    /// The class thresholds the view colours runs by (the article's by default; the tables
    /// `sweep` prints keep the article's).
    pub thresholds: Thresholds,
    /// The runs are the article's published ones ([`article_state`]): finished,
    /// read-only, never trained here.
    pub article: bool,
}

impl SweepState {
    /// A sweep of `grid` at `progress` (its runs already filtered by `shard`) on `jobs`
    /// workers.
    pub fn new(grid: &Grid, progress: Progress, shard: Option<Shard>, jobs: usize) -> Self {
        let runs = &progress.runs;
        SweepState {
            grid: grid.name.clone(),
            preset: grid.preset.clone(),
            every: grid.every,
            steps: runs
                .iter()
                .filter_map(|r| r.ok().map(|r| r.config.steps))
                .max()
                .unwrap_or(0),
            shard,
            axes: grid.axes.iter().map(|(name, _)| name.clone()).collect(),
            diagram: Diagram::of(runs),
            progress,
            elapsed: Duration::ZERO,
            jobs,
            started: false,
            paused: false,
            note: String::new(),
            page: 0,
            cell: Cell::default(),
            row: None,
            drill: false,
            thresholds: Thresholds::default(),
            article: false,
        }
    }

    /// Apply a pool's report.
    pub fn apply(&mut self, event: Event) {
        self.started = true;
        self.progress.apply(event);
    }

    /// Page through the diagram's panels (when they do not all fit); the cursor goes to the
    /// page's first panel.
    pub fn turn_page(&mut self, forward: bool) {
        let last = self.diagram.as_ref().map_or(0, |d| d.panels.len() - 1);
        self.page = if forward {
            (self.page + 1).min(last)
        } else {
            self.page.saturating_sub(1)
        };
        self.cell.panel = self.page;
    }

    /// Move the cursor: over the diagram's cells, or over the listed runs (← as ↑, → as ↓:
    /// the list has one column).
    pub fn move_cursor(&mut self, m: Move) {
        match &self.diagram {
            Some(d) => {
                self.cell = d.step(self.cell, m);
                // Paging back follows the cursor here; forward, the view scrolls to it.
                self.page = self.page.min(self.cell.panel);
            }
            None => {
                let n = self.progress.runs.len();
                if n == 0 {
                    return;
                }
                self.row = Some(match self.row {
                    // The first move lands on the first run in progress, which is in view.
                    None => self.read().first_open().min(n - 1),
                    Some(k) if matches!(m, Move::Up | Move::Left) => k.saturating_sub(1),
                    Some(k) => (k + 1).min(n - 1),
                });
            }
        }
    }

    /// Move a class threshold; every run is re-classified by it when next drawn.
    pub fn nudge(&mut self, n: Nudge) {
        let d = Thresholds::default();
        let t = &mut self.thresholds;
        match n {
            Nudge::FitDown | Nudge::FitUp => {
                t.fit_loss = half_decade(t.fit_loss, d.fit_loss, n == Nudge::FitUp, FIT_RANGE);
            }
            Nudge::RatioDown | Nudge::RatioUp => {
                t.grok_ratio =
                    half_decade(t.grok_ratio, d.grok_ratio, n == Nudge::RatioUp, RATIO_RANGE);
            }
            Nudge::Reset => *t = d,
        }
    }

    /// What a threshold move did, for the footer.
    pub fn threshold_note(&self) -> String {
        let t = &self.thresholds;
        let what = if *t == Thresholds::default() {
            "the article's".to_string()
        } else {
            format!(
                "{} runs change class · 0 resets",
                self.read().reclassified()
            )
        };
        format!(
            "fit ≤ {} · grok ≥ {}: {what}",
            fmt_threshold(t.fit_loss),
            fmt_threshold(t.grok_ratio)
        )
    }

    /// What the sweep view draws this frame: the state borrowed, `title` over it.
    pub fn scene<'a>(&'a self, title: &'a str, theme: &'a Theme) -> Scene<'a> {
        Scene {
            title,
            theme,
            preset: &self.preset,
            every: self.every,
            steps: self.steps,
            shard: self.shard,
            axes: &self.axes,
            progress: &self.progress,
            elapsed: self.elapsed,
            jobs: self.jobs,
            started: self.started,
            paused: self.paused,
            note: &self.note,
            page: self.page,
            diagram: self.diagram.as_ref(),
            cell: self.cell,
            row: self.row,
            drill: self.drill,
            thresholds: self.thresholds,
            article: self.article,
            marks: None,
        }
    }

    /// The scene for its read-outs alone (status, classes, counts, the selection): titled
    /// with the grid, without colour.
    pub fn read(&self) -> Scene<'_> {
        const PLAIN: &Theme = &Theme {
            mode: ColorMode::None,
        };
        self.scene(&self.grid, PLAIN)
    }
}

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

/// The article's published runs of `grid` as a finished sweep of that built-in grid (the
/// gallery's at as many seeds as the article has runs): every run recorded, nothing to
/// train, its note saying where the runs come from.
pub fn article_state(grid: &str) -> Result<SweepState, String> {
    let shipped = article::Article::shipped().map_err(|e| e.to_string())?;
    let records = shipped.records(grid).map_err(|e| e.to_string())?;
    let g = Grid::builtin(grid, records.len()).map_err(|e| e.to_string())?;
    let runs = g.runs().map_err(|e| e.to_string())?;
    let mut st = SweepState::new(&g, Progress::new(runs), None, 0);
    st.progress.records = records.into_iter().map(|r| (r.run, r)).collect();
    st.started = true;
    st.article = true;
    st.note = "published with the article (data/, Apache-2.0) · nothing trains here".into();
    Ok(st)
}

/// The grids' states, in [`VIEW_GRIDS`] order.
pub struct Sweeps {
    pub states: Vec<Option<SweepState>>,
    /// The article's runs of its grids, in [`article::GRIDS`] order: read when first shown.
    pub article: Vec<Option<SweepState>>,
    /// Workers per sweep: all cores (the training run is paused meanwhile).
    pub jobs: usize,
}

impl Default for Sweeps {
    fn default() -> Self {
        Sweeps {
            states: VIEW_GRIDS.iter().map(|_| None).collect(),
            article: article::GRIDS.iter().map(|_| None).collect(),
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

    /// The article's runs of `grid` (one of [`article::GRIDS`]), once read.
    pub fn article(&self, grid: &str) -> Option<&SweepState> {
        let i = article::GRIDS.iter().position(|&g| g == grid)?;
        self.article[i].as_ref()
    }

    pub fn article_mut(&mut self, grid: &str) -> Option<&mut SweepState> {
        let i = article::GRIDS.iter().position(|&g| g == grid)?;
        self.article[i].as_mut()
    }

    /// Read the article's runs of `grid` when first asked (they stay read); why not, when
    /// the article has none of it or its data did not check.
    pub fn load_article(&mut self, grid: &str) -> Result<(), String> {
        let Some(i) = article::GRIDS.iter().position(|&g| g == grid) else {
            return Err(format!(
                "the article has no runs of {grid} (it has {})",
                article::GRIDS.join(" and ")
            ));
        };
        if self.article[i].is_none() {
            self.article[i] = Some(article_state(grid)?);
        }
        Ok(())
    }

    /// Space in a view of grid `i` (the sweep view, the gallery): pause its sweep, or resume
    /// it (asking for its runs again); a finished sweep only says `finished`. `paused`: the
    /// notice while it is paused.
    pub fn toggle_pause(
        &mut self,
        i: usize,
        s: &mut Shared,
        finished: &str,
        paused: &str,
    ) -> Vec<Command> {
        let Some(st) = self.states[i].as_mut() else {
            return Vec::new();
        };
        if st.read().status() == SweepStatus::Finished {
            s.message = Some(finished.into());
            return Vec::new();
        }
        st.paused = !st.paused;
        if st.paused {
            s.message = Some(paused.into());
            return vec![Command::PauseSweeps];
        }
        s.message = None;
        self.show(i, s)
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
            && st.read().status() != SweepStatus::Finished
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
