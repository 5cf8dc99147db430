//! The sweep view's state: one grid's [`Progress`], how the view shows it (its clock, pause,
//! page of panels, the note under the header, the cell cursor and the drill-down) and the
//! layout of the article's phase diagram over its runs. Plain data, so tests build it from
//! hand-made records; the dashboard and `grokscope sweep --watch` keep one and render it with
//! [`super::render`].

use crate::sweep::{
    Cell, Class, Diagram, Event, Grid, Move, Progress, RunRecord, RunState, Shard, Thresholds,
    classify_with,
};
use std::time::Duration;

/// A move of one of the class thresholds, as the article's sliders move them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nudge {
    /// The min-loss threshold (a loss at or below it counts as fitted) down / up.
    FitDown,
    FitUp,
    /// The test/train loss-ratio threshold (at or above it a fitted run groks) down / up.
    RatioDown,
    RatioUp,
    /// Both back to the article's.
    Reset,
}

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

/// A threshold as shown: 1e-5, 3.2e-5, 5e4, 1.6e5.
pub fn fmt_threshold(v: f64) -> String {
    format!("{v:.1e}").replace(".0e", "e")
}

/// Whether the sweep's workers are training.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SweepStatus {
    /// Not started yet (the dashboard starts a grid when it is first shown).
    Waiting,
    Running,
    Paused,
    /// Every run is recorded.
    Finished,
}

/// One sweep as the view shows it.
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
        }
    }

    /// Apply a pool's report.
    pub fn apply(&mut self, event: Event) {
        self.started = true;
        self.progress.apply(event);
    }

    pub fn status(&self) -> SweepStatus {
        let p = &self.progress;
        if p.total() > 0 && p.done() == p.total() {
            SweepStatus::Finished
        } else if !self.started {
            SweepStatus::Waiting
        } else if self.paused {
            SweepStatus::Paused
        } else {
            SweepStatus::Running
        }
    }

    /// Time left at the rate of the runs finished so far in this session; `None` before the
    /// first one finishes or once nothing is left.
    pub fn eta(&self) -> Option<Duration> {
        let p = &self.progress;
        let left = p.total() - p.done();
        if p.finished_now == 0 || left == 0 || self.elapsed.is_zero() {
            return None;
        }
        let per_run = self.elapsed.as_secs_f64() / p.finished_now as f64;
        Some(Duration::from_secs_f64(per_run * left as f64))
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

    /// Move the cursor: over the diagram's cells, or (← → aside) the listed runs.
    pub fn move_cursor(&mut self, m: Move) {
        match &self.diagram {
            Some(d) => {
                self.cell = d.step(self.cell, m);
                // Paging back follows the cursor here; forward, the view scrolls to it.
                self.page = self.page.min(self.cell.panel);
            }
            None => {
                let n = self.progress.runs.len();
                if n == 0 || matches!(m, Move::Left | Move::Right) {
                    return;
                }
                self.row = Some(match self.row {
                    // The first move lands on the first run in progress, which is in view.
                    None => self.first_open().min(n - 1),
                    Some(k) if m == Move::Up => k.saturating_sub(1),
                    Some(k) => (k + 1).min(n - 1),
                });
            }
        }
    }

    /// A finished run's class at the view's thresholds (its recorded class at the
    /// article's). A run that stopped early (settled as a grok at the article's) is classed
    /// on the steps it trained.
    pub fn class_of(&self, r: &RunRecord) -> Class {
        if self.thresholds == Thresholds::default() {
            r.class
        } else {
            classify_with(&r.trace, &self.thresholds)
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

    /// Finished runs whose class at the view's thresholds differs from their recorded one.
    pub fn reclassified(&self) -> usize {
        self.progress
            .records
            .values()
            .filter(|r| self.class_of(r) != r.class)
            .count()
    }

    /// What a threshold move did, for the footer.
    pub fn threshold_note(&self) -> String {
        let t = &self.thresholds;
        let what = if *t == Thresholds::default() {
            "the article's".to_string()
        } else {
            format!("{} runs change class · 0 resets", self.reclassified())
        };
        format!(
            "fit ≤ {} · grok ≥ {}: {what}",
            fmt_threshold(t.fit_loss),
            fmt_threshold(t.grok_ratio)
        )
    }

    /// Where a run is, finished runs by [`SweepState::class_of`].
    pub fn state_of(&self, run: usize) -> RunState {
        match self.progress.records.get(&run) {
            Some(r) => RunState::Done(self.class_of(r)),
            None if self.progress.running.contains(&run) => RunState::Running,
            None => RunState::Pending,
        }
    }

    /// Finished runs per class (by [`SweepState::class_of`]), in `Class::ALL` order.
    pub fn counts(&self) -> [usize; 4] {
        let mut c = [0; 4];
        for r in self.progress.records.values() {
            let class = self.class_of(r);
            c[Class::ALL.iter().position(|&k| k == class).unwrap_or(0)] += 1;
        }
        c
    }

    /// Position of the first run not finished (the list keeps it in view), or the count.
    pub fn first_open(&self) -> usize {
        let p = &self.progress;
        p.runs
            .indices()
            .position(|i| !p.records.contains_key(&i))
            .unwrap_or(p.runs.len())
    }

    /// Grid indices of the selected runs: the cursor's cell, or the list's run under the
    /// cursor (or, before it moved, the last one finished).
    pub fn selected(&self) -> Vec<usize> {
        match (&self.diagram, self.row) {
            (Some(d), _) => d.runs(self.cell).to_vec(),
            (None, Some(k)) => self.progress.runs.index(k).into_iter().collect(),
            (None, None) => self.progress.last.into_iter().collect(),
        }
    }
}
