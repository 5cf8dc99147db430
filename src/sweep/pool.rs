//! The one sweep runner: a pool of worker threads pulling runs off a list, reporting through
//! a channel, pausable and cancellable. `grokscope sweep` (with or without its live view)
//! and the dashboard's sweep view both drive it; nothing here touches a terminal.

use super::grid::Runs;
use super::record::{RunRecord, run_one};
use crate::train::{Control, Threads};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;

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
            if self.tx.send(Event::Started { run }).is_err() {
                return;
            }
            let event = match spec
                .and_then(|spec| run_one(&self.grid, &spec, self.every, Threads(1), &self.control))
            {
                Ok(Some(record)) => Event::Finished(Box::new(record)),
                Ok(None) => return,
                Err(e) => Event::Failed {
                    run,
                    error: e.to_string(),
                },
            };
            if self.tx.send(event).is_err() {
                return;
            }
        }
    }
}
