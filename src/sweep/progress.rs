//! A sweep's progress, whatever shows it (the headless command's progress bar, the live
//! view): its runs, the records of those finished (found in the output file or reported by
//! the pool), those training, and the errors. Plain data updated by pool [`Event`]s.

use super::{Class, Event, RunRecord, Runs};
use std::collections::{BTreeMap, BTreeSet};

/// Where one run is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunState {
    Pending,
    Running,
    Done(Class),
}

#[derive(Clone, Debug, Default)]
pub struct Progress {
    /// The runs this sweep covers (the shard's, when sharded), by grid index.
    pub runs: Runs,
    pub records: BTreeMap<usize, RunRecord>,
    pub running: BTreeSet<usize>,
    /// Runs found already recorded in the output file when the sweep started.
    pub resumed: usize,
    /// Runs finished since the sweep started (the ETA's rate).
    pub finished_now: usize,
    /// Grid index of the run that finished last.
    pub last: Option<usize>,
    pub errors: Vec<String>,
}

impl Progress {
    /// Nothing done yet of `runs`.
    pub fn new(runs: impl Into<Runs>) -> Self {
        Progress {
            runs: runs.into(),
            ..Progress::default()
        }
    }

    /// Records found in the output file: a record of one of these runs with the run's own
    /// settings counts as done at once. Records of other runs (another shard's, or beyond
    /// the grid) are ignored; so are records of a run whose settings have changed since (an
    /// edited grid file, or one that took a built-in grid's name): those runs are trained
    /// again. Returns how many records were of other settings.
    pub fn resume(&mut self, records: impl IntoIterator<Item = RunRecord>) -> usize {
        let mut changed = BTreeSet::new();
        for r in records {
            let Some(spec) = self.runs.spec_for(r.run) else {
                continue;
            };
            if !spec.is_ok_and(|s| s.config == r.settings) {
                changed.insert(r.run);
                continue;
            }
            if let std::collections::btree_map::Entry::Vacant(e) = self.records.entry(r.run) {
                e.insert(r);
                self.resumed += 1;
            }
        }
        changed.retain(|r| !self.records.contains_key(r));
        changed.len()
    }

    /// The runs still to train, in grid order.
    pub fn todo(&self) -> Runs {
        self.runs.filter(|i| !self.records.contains_key(&i))
    }

    /// Apply a pool's report.
    pub fn apply(&mut self, event: Event) {
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

    /// Runs neither finished nor training.
    pub fn pending(&self) -> usize {
        self.total()
            .saturating_sub(self.done() + self.running.len())
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

    /// The record of the run that finished last (or, after a resume, the last recorded).
    pub fn last_record(&self) -> Option<&RunRecord> {
        self.last
            .and_then(|i| self.records.get(&i))
            .or_else(|| self.records.values().next_back())
    }
}
