//! The sweep view's state: one grid's runs, which of them are done (and how they ended),
//! which are training, and the layout of the article's phase diagram over them. Plain data
//! updated by pool [`Event`]s, so tests build it from hand-made records; the dashboard and
//! `grokscope sweep --watch` render it with [`crate::ui::sweep`].

use crate::sweep::{Class, Event, Grid, RunRecord, RunSpec, Shard};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

/// The built-in grids the dashboard's sweep view offers (Tab cycles them).
pub const VIEW_GRIDS: [&str; 3] = ["parity-quick", "parity-v4", "mod-add-seeds"];

/// Seeds of `mod-add-seeds` in the dashboard (the CLI's `--seeds` default).
pub const VIEW_SEEDS: usize = 20;

/// Where one run is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunState {
    Pending,
    Running,
    Done(Class),
}

/// The article's chart over a grid: one panel per hidden size, weight decay down,
/// training-set size across; each cell holds its runs (seeds and any other axes).
#[derive(Clone, Debug, PartialEq)]
pub struct Diagram {
    /// `n_train` or `train_frac`.
    pub size_axis: String,
    pub decays: Vec<Value>,
    pub sizes: Vec<Value>,
    /// Hidden sizes, or one `None` panel when the grid has no hidden axis.
    pub panels: Vec<Option<Value>>,
    /// Grid run indices of each cell: `cells[panel][decay][size]`, in run order.
    pub cells: Vec<Vec<Vec<Vec<usize>>>>,
    /// The most runs in one cell.
    pub per_cell: usize,
}

/// Axis values in display order: numerically when they are numbers.
fn sorted(mut vals: Vec<Value>) -> Vec<Value> {
    vals.sort_by(|a, b| {
        let (x, y) = (
            a.as_f64().unwrap_or(f64::NAN),
            b.as_f64().unwrap_or(f64::NAN),
        );
        x.total_cmp(&y)
            .then_with(|| a.to_string().cmp(&b.to_string()))
    });
    vals.dedup();
    vals
}

impl Diagram {
    /// The diagram of these runs, when they vary (or fix) `weight_decay` and a training-set
    /// size; `None` for grids without those axes (their runs are listed instead).
    pub fn of(runs: &[RunSpec]) -> Option<Diagram> {
        let has = |axis: &str| runs.iter().any(|r| r.point.contains_key(axis));
        if runs.is_empty() || !has("weight_decay") {
            return None;
        }
        let size_axis = ["n_train", "train_frac"].into_iter().find(|a| has(a))?;
        let values = |axis: &str| {
            sorted(
                runs.iter()
                    .filter_map(|r| r.point.get(axis).cloned())
                    .collect(),
            )
        };
        let decays = values("weight_decay");
        let sizes = values(size_axis);
        let panels: Vec<Option<Value>> = if has("hidden") {
            values("hidden").into_iter().map(Some).collect()
        } else {
            vec![None]
        };
        let mut cells = vec![vec![vec![Vec::new(); sizes.len()]; decays.len()]; panels.len()];
        for r in runs {
            let pos = |vals: &[Value], axis: &str| {
                r.point
                    .get(axis)
                    .and_then(|v| vals.iter().position(|x| x == v))
            };
            let p = match r.point.get("hidden") {
                Some(h) => panels.iter().position(|x| x.as_ref() == Some(h)),
                None => Some(0),
            };
            if let (Some(p), Some(d), Some(s)) =
                (p, pos(&decays, "weight_decay"), pos(&sizes, size_axis))
            {
                cells[p][d][s].push(r.index);
            }
        }
        let per_cell = cells
            .iter()
            .flatten()
            .flatten()
            .map(Vec::len)
            .max()
            .unwrap_or(0);
        Some(Diagram {
            size_axis: size_axis.to_string(),
            decays,
            sizes,
            panels,
            cells,
            per_cell,
        })
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
    /// Cancelled before the end (quit, or a failed run).
    Stopped,
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
    /// The runs this sweep covers (the shard's, when sharded), by grid index.
    pub runs: Vec<RunSpec>,
    pub records: BTreeMap<usize, RunRecord>,
    pub running: BTreeSet<usize>,
    /// Runs found already recorded in the output file when the sweep started.
    pub resumed: usize,
    /// Runs finished since the sweep started (the ETA's rate).
    pub finished_now: usize,
    /// Grid index of the run that finished last.
    pub last: Option<usize>,
    pub errors: Vec<String>,
    /// Time spent training (pauses excluded).
    pub elapsed: Duration,
    pub jobs: usize,
    pub started: bool,
    pub paused: bool,
    pub stopped: bool,
    /// Where the records go, or why they are not kept: shown under the header.
    pub note: String,
    /// First panel shown when the panels do not all fit (←/→ page through them).
    pub page: usize,
    pub diagram: Option<Diagram>,
}

impl SweepState {
    /// A sweep over `runs` of `grid` (already filtered by `shard`) on `jobs` workers.
    pub fn new(grid: &Grid, runs: Vec<RunSpec>, shard: Option<Shard>, jobs: usize) -> Self {
        let steps = runs.iter().map(|r| r.config.steps).max().unwrap_or(0);
        SweepState {
            grid: grid.name.clone(),
            preset: grid.preset.clone(),
            every: grid.every,
            steps,
            shard,
            axes: grid.axes.iter().map(|(name, _)| name.clone()).collect(),
            diagram: Diagram::of(&runs),
            runs,
            records: BTreeMap::new(),
            running: BTreeSet::new(),
            resumed: 0,
            finished_now: 0,
            last: None,
            errors: Vec::new(),
            elapsed: Duration::ZERO,
            jobs,
            started: false,
            paused: false,
            stopped: false,
            note: String::new(),
            page: 0,
        }
    }

    /// A built-in grid, whole.
    pub fn builtin(name: &str, jobs: usize) -> crate::train::Result<Self> {
        let grid = Grid::builtin(name, VIEW_SEEDS)?;
        let runs = grid.expand()?;
        Ok(Self::new(&grid, runs, None, jobs))
    }

    /// Records found in the output file: they show as done at once. Records of other runs
    /// (another shard's, or beyond the grid) are ignored.
    pub fn resume(&mut self, records: impl IntoIterator<Item = RunRecord>) {
        for r in records {
            if self.runs.iter().any(|s| s.index == r.run) && !self.records.contains_key(&r.run) {
                self.records.insert(r.run, r);
                self.resumed += 1;
            }
        }
    }

    /// The runs still to train, in grid order.
    pub fn todo(&self) -> Vec<RunSpec> {
        self.runs
            .iter()
            .filter(|r| !self.records.contains_key(&r.index))
            .cloned()
            .collect()
    }

    /// Apply a pool's report.
    pub fn apply(&mut self, event: Event) {
        self.started = true;
        match event {
            Event::Started { run } => {
                self.running.insert(run);
            }
            Event::Finished(record) => {
                let run = record.run;
                self.running.remove(&run);
                if self.records.insert(run, *record).is_none() {
                    self.finished_now += 1;
                }
                self.last = Some(run);
            }
            Event::Failed { run, error } => {
                self.running.remove(&run);
                self.errors.push(format!("run {run}: {error}"));
            }
        }
    }

    pub fn total(&self) -> usize {
        self.runs.len()
    }

    pub fn done(&self) -> usize {
        self.records.len()
    }

    pub fn state_of(&self, run: usize) -> RunState {
        match self.records.get(&run) {
            Some(r) => RunState::Done(r.class),
            None if self.running.contains(&run) => RunState::Running,
            None => RunState::Pending,
        }
    }

    /// Finished runs per class, in `Class::ALL` order.
    pub fn counts(&self) -> [usize; 4] {
        let mut c = [0; 4];
        for r in self.records.values() {
            c[Class::ALL.iter().position(|&k| k == r.class).unwrap_or(0)] += 1;
        }
        c
    }

    pub fn status(&self) -> SweepStatus {
        if self.total() > 0 && self.done() == self.total() {
            SweepStatus::Finished
        } else if self.stopped {
            SweepStatus::Stopped
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
        let left = self.total() - self.done();
        if self.finished_now == 0 || left == 0 || self.elapsed.is_zero() {
            return None;
        }
        let per_run = self.elapsed.as_secs_f64() / self.finished_now as f64;
        Some(Duration::from_secs_f64(per_run * left as f64))
    }

    /// Page through the diagram's panels (when they do not all fit).
    pub fn turn_page(&mut self, forward: bool) {
        let last = self.diagram.as_ref().map_or(0, |d| d.panels.len() - 1);
        self.page = if forward {
            (self.page + 1).min(last)
        } else {
            self.page.saturating_sub(1)
        };
    }

    /// The record of the run that finished last (or, after a resume, the last recorded).
    pub fn last_record(&self) -> Option<&RunRecord> {
        self.last
            .and_then(|i| self.records.get(&i))
            .or_else(|| self.records.values().next_back())
    }
}

/// Elapsed time with pauses left out.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stopwatch {
    banked: Duration,
    since: Option<Instant>,
}

impl Stopwatch {
    /// Start or stop counting.
    pub fn set_running(&mut self, running: bool) {
        match (running, self.since) {
            (true, None) => self.since = Some(Instant::now()),
            (false, Some(t)) => {
                self.banked += t.elapsed();
                self.since = None;
            }
            _ => {}
        }
    }

    pub fn elapsed(&self) -> Duration {
        self.banked + self.since.map_or(Duration::ZERO, |t| t.elapsed())
    }
}
