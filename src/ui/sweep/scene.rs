//! What the sweep view draws from, built for each frame: one grid's progress and how the
//! view shows it (its clock, pause, page of panels, the note under the header, the cursor,
//! the drill-down and the class thresholds), borrowed, with the title and the theme; and the
//! read-outs the drawing needs (status, time left, each run's class at the thresholds).
//! The app keeps and changes the state it is built from.

use super::super::Theme;
use crate::sweep::article::Verdict;
use crate::sweep::classify_with;
use crate::sweep::{Cell, Class, Diagram, Progress, RunRecord, RunState, Shard, Thresholds};
use std::time::Duration;

/// Where the diagram on screen and the other side's runs of the same grid (the article's
/// against yours, or yours against the article's) disagree, cell by cell: each cell both
/// have runs in, with the verdict on their majority classes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Marks {
    /// The other side, as the legend names it: "the article's" or "yours".
    pub against: &'static str,
    /// The compared cells of the diagram on screen (a grid without a diagram: none).
    pub cells: Vec<(Cell, Verdict)>,
    /// Cells compared, and those whose majority classes agree (all of the grid's cells, with
    /// or without a diagram).
    pub compared: usize,
    pub agree: usize,
    /// Why nothing is compared, when so (no runs of yours yet, runs off the article's grid).
    pub why: Option<String>,
}

impl Marks {
    /// The verdict on `cell` of the diagram, if it was compared.
    pub fn verdict(&self, cell: Cell) -> Option<Verdict> {
        self.cells.iter().find(|(c, _)| *c == cell).map(|&(_, v)| v)
    }
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

/// One sweep as the view shows it, for one frame.
#[derive(Clone, Copy, Debug)]
pub struct Scene<'a> {
    /// Names the grid in the header (e.g. `parity-quick (1/3)`).
    pub title: &'a str,
    pub theme: &'a Theme,
    pub preset: &'a str,
    pub every: u64,
    /// Planned steps of the runs (the largest, when they differ).
    pub steps: u64,
    pub shard: Option<Shard>,
    /// The grid's axes, in its order.
    pub axes: &'a [String],
    pub progress: &'a Progress,
    /// Time spent training (pauses excluded).
    pub elapsed: Duration,
    pub jobs: usize,
    pub started: bool,
    pub paused: bool,
    /// Where the records go, or why they are not kept: shown under the header.
    pub note: &'a str,
    /// First panel shown when the panels do not all fit (the cursor's panel is always shown).
    pub page: usize,
    pub diagram: Option<&'a Diagram>,
    /// The diagram's cursor.
    pub cell: Cell,
    /// The list's cursor (a position in `progress.runs`), for grids without a diagram;
    /// `None` until moved, while the list follows the runs in progress.
    pub row: Option<usize>,
    /// Whether the drill-down (the selected cell's runs as loss charts) is open.
    pub drill: bool,
    /// The class thresholds the view colours runs by.
    pub thresholds: Thresholds,
    /// The runs are the article's published ones (read-only; the parity runs have no curve).
    pub article: bool,
    /// The disagreement marks, while shown (the `d` key).
    pub marks: Option<&'a Marks>,
}

impl Scene<'_> {
    pub fn status(&self) -> SweepStatus {
        let p = self.progress;
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
        let p = self.progress;
        let left = p.total() - p.done();
        if p.finished_now == 0 || left == 0 || self.elapsed.is_zero() {
            return None;
        }
        let per_run = self.elapsed.as_secs_f64() / p.finished_now as f64;
        Some(Duration::from_secs_f64(per_run * left as f64))
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

    /// Finished runs whose class at the view's thresholds differs from their recorded one.
    pub fn reclassified(&self) -> usize {
        self.progress
            .records
            .values()
            .filter(|r| self.class_of(r) != r.class)
            .count()
    }

    /// Where a run is, finished runs by [`Scene::class_of`].
    pub fn state_of(&self, run: usize) -> RunState {
        match self.progress.records.get(&run) {
            Some(r) => RunState::Done(self.class_of(r)),
            None if self.progress.running.contains(&run) => RunState::Running,
            None => RunState::Pending,
        }
    }

    /// Finished runs per class (by [`Scene::class_of`]), in `Class::ALL` order.
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
        let p = self.progress;
        p.runs
            .indices()
            .position(|i| !p.records.contains_key(&i))
            .unwrap_or(p.runs.len())
    }

    /// Grid indices of the selected runs: the cursor's cell, or the list's run under the
    /// cursor (or, before it moved, the last one finished).
    pub fn selected(&self) -> Vec<usize> {
        match (self.diagram, self.row) {
            (Some(d), _) => d.runs(self.cell).to_vec(),
            (None, Some(k)) => self.progress.runs.index(k).into_iter().collect(),
            (None, None) => self.progress.last.into_iter().collect(),
        }
    }
}
