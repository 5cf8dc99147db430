//! The one sweep runner: a pool of worker threads pulling runs off a list, reporting through
//! a channel, pausable and cancellable. `grokscope sweep` (with or without its live view)
//! and the dashboard's sweep view both drive it; nothing here touches a terminal.

use super::grid::Runs;
use super::record::{RunRecord, run_one};
use crate::train::{Control, Threads};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// Memory admitted to the runs training at once, against a limit: a run starts only while
/// its estimate ([`crate::train::Config::memory_estimate`]) fits beside those training (a
/// run alone always starts: its settings were checked against the limit). One budget serves
/// the whole process ([`Budget::process`]), so the limit holds for the process, whatever its
/// pools and jobs: two 1.96 GB runs no longer train side by side under a 2 GB limit.
#[derive(Debug)]
pub struct Budget {
    limit: u64,
    used: Mutex<u64>,
    freed: Condvar,
}

impl Budget {
    pub fn new(limit: u64) -> Self {
        Budget {
            limit,
            used: Mutex::new(0),
            freed: Condvar::new(),
        }
    }

    /// The process's budget: the limit a single run is checked against.
    pub fn process() -> Arc<Budget> {
        static PROCESS: std::sync::OnceLock<Arc<Budget>> = std::sync::OnceLock::new();
        PROCESS
            .get_or_init(|| Arc::new(Budget::new(crate::train::config::MAX_BYTES)))
            .clone()
    }

    /// Wait until `bytes` fit beside what is admitted, then admit them: `false` (nothing
    /// admitted) once `control` is cancelled while waiting.
    fn admit(&self, bytes: u64, control: &Control) -> bool {
        let mut used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        while *used > 0 && used.saturating_add(bytes) > self.limit {
            if control.cancelled() {
                return false;
            }
            // Woken when a run ends; the timeout looks at the control again.
            used = self
                .freed
                .wait_timeout(used, Duration::from_millis(50))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        *used += bytes;
        true
    }

    fn release(&self, bytes: u64) {
        let mut used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        *used = used.saturating_sub(bytes);
        self.freed.notify_all();
    }
}

/// What a pool reports, in the order it happens for each run: `Started`, then `Finished`
/// or `Failed` (or nothing more, when the pool is cancelled while the run trains).
#[derive(Clone, Debug)]
pub enum Event {
    Started { run: usize },
    Finished(Box<RunRecord>),
    Failed { run: usize, error: String },
}

/// Worker threads training the runs of one grid, `jobs` at a time, one thread each.
/// Dropping the pool cancels it and waits for the workers (at most one training step).
pub struct Pool {
    control: Arc<Control>,
    events: Receiver<Event>,
    workers: Vec<JoinHandle<()>>,
}

impl Pool {
    /// Start training `runs` of grid `grid` (metrics every `every` steps) on `jobs` threads.
    pub fn start(
        grid: &str,
        runs: impl Into<Runs>,
        every: u64,
        jobs: usize,
    ) -> std::io::Result<Pool> {
        Self::start_with(grid, runs, every, jobs, Arc::new(Control::new()))
    }

    /// As [`Pool::start`], with a control made beforehand (say, already paused).
    pub fn start_with(
        grid: &str,
        runs: impl Into<Runs>,
        every: u64,
        jobs: usize,
        control: Arc<Control>,
    ) -> std::io::Result<Pool> {
        Self::start_budgeted(grid, runs, every, jobs, control, Budget::process())
    }

    /// As [`Pool::start_with`], admitting runs against `budget`.
    pub fn start_budgeted(
        grid: &str,
        runs: impl Into<Runs>,
        every: u64,
        jobs: usize,
        control: Arc<Control>,
        budget: Arc<Budget>,
    ) -> std::io::Result<Pool> {
        let runs: Runs = runs.into();
        let total = runs.len();
        let runs = Arc::new(runs);
        let next = Arc::new(AtomicUsize::new(0));
        let (tx, events) = channel();
        let mut pool = Pool {
            control,
            events,
            workers: Vec::new(),
        };
        for i in 0..jobs.max(1).min(total) {
            let w = Worker {
                grid: grid.to_string(),
                runs: runs.clone(),
                next: next.clone(),
                every,
                control: pool.control.clone(),
                tx: tx.clone(),
                budget: budget.clone(),
            };
            match std::thread::Builder::new()
                .name(format!("sweep-{i}"))
                .spawn(move || w.run())
            {
                Ok(h) => pool.workers.push(h),
                // The workers already started are cancelled and joined as `pool` drops.
                Err(e) => return Err(e),
            }
        }
        Ok(pool)
    }

    /// The pool's reports. The channel disconnects once every worker has ended (all runs
    /// done, or cancelled) and its reports have been read.
    pub fn events(&self) -> &Receiver<Event> {
        &self.events
    }

    pub fn cancel(&self) {
        self.control.cancel();
    }

    pub fn set_paused(&self, paused: bool) {
        self.control.set_paused(paused);
    }

    /// Cancel, wait for the workers, and return the reports not read yet (records of runs
    /// that finished before the cancellation took hold are among them).
    pub fn stop(mut self) -> Vec<Event> {
        self.control.cancel();
        self.join();
        self.events.try_iter().collect()
    }

    fn join(&mut self) {
        for h in self.workers.drain(..) {
            let _ = h.join();
        }
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.control.cancel();
        self.join();
    }
}

struct Worker {
    grid: String,
    runs: Arc<Runs>,
    next: Arc<AtomicUsize>,
    every: u64,
    control: Arc<Control>,
    tx: Sender<Event>,
    budget: Arc<Budget>,
}

impl Worker {
    fn run(self) {
        loop {
            // No new run starts while paused, none once cancelled.
            if self.control.held() && !self.control.wait() {
                return;
            }
            let i = self.next.fetch_add(1, Ordering::Relaxed);
            let (Some(run), Some(spec)) = (self.runs.index(i), self.runs.get(i)) else {
                return;
            };
            let bytes = spec.as_ref().map_or(0, |s| s.config.memory_estimate());
            if !self.budget.admit(bytes, &self.control) {
                return;
            }
            let started = self.tx.send(Event::Started { run }).is_ok();
            let outcome = started.then(|| {
                spec.and_then(|spec| {
                    run_one(&self.grid, &spec, self.every, Threads(1), &self.control)
                })
            });
            // The report goes out before the memory is released, so a run admitted in its
            // place is reported after it.
            let event = match outcome {
                Some(Ok(Some(record))) => Some(Event::Finished(Box::new(record))),
                Some(Err(e)) => Some(Event::Failed {
                    run,
                    error: e.to_string(),
                }),
                None | Some(Ok(None)) => None,
            };
            let sent = event.is_some_and(|e| self.tx.send(e).is_ok());
            self.budget.release(bytes);
            if !sent {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::Grid;

    /// Four small parity runs (a few hundred steps each) and one run's memory estimate.
    fn runs() -> (Runs, u64) {
        let (_, runs) = Grid::parse_runs(
            r#"{"name": "t", "preset": "parity", "base": {"steps": 300, "hidden": 8,
                "n_train": 100, "n_test": 100}, "every": 50, "stop_early": false,
                "axes": [["seed", [0, 1, 2, 3]]]}"#,
        )
        .unwrap();
        let bytes = runs.get(0).unwrap().unwrap().config.memory_estimate();
        (runs, bytes)
    }

    /// The most runs training at once, from a pool's reports, and how many finished.
    fn most_at_once(pool: &Pool) -> (usize, usize) {
        let (mut now, mut most, mut done) = (0usize, 0, 0);
        for e in pool.events().iter() {
            match e {
                Event::Started { .. } => now += 1,
                Event::Finished(_) => (now, done) = (now - 1, done + 1),
                Event::Failed { error, .. } => panic!("{error}"),
            }
            most = most.max(now);
        }
        (most, done)
    }

    #[test]
    fn runs_start_only_while_their_estimates_fit_the_budget_together() {
        let (runs, bytes) = runs();
        // Room for one run at a time: two jobs take turns.
        let budget = Arc::new(Budget::new(bytes * 3 / 2));
        let control = Arc::new(Control::new());
        let pool = Pool::start_budgeted("t", runs.clone(), 50, 2, control, budget.clone());
        assert_eq!(most_at_once(&pool.unwrap()), (1, 4));
        assert_eq!(*budget.used.lock().unwrap(), 0, "everything released");
        // A budget too small for any run still trains each alone.
        let tiny = Arc::new(Budget::new(1));
        let pool = Pool::start_budgeted("t", runs, 50, 2, Arc::new(Control::new()), tiny);
        assert_eq!(most_at_once(&pool.unwrap()), (1, 4));
    }

    #[test]
    fn a_run_waiting_for_room_is_let_go_when_cancelled() {
        let budget = Budget::new(10);
        let control = Control::new();
        assert!(budget.admit(8, &control));
        control.cancel();
        let t0 = std::time::Instant::now();
        assert!(!budget.admit(8, &control), "no room, and cancelled");
        assert!(t0.elapsed() < Duration::from_secs(2));
        budget.release(8);
        assert!(budget.admit(8, &Control::new()));
    }
}
