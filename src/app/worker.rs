//! The trainer side: a [`Runner`] that obeys [`Command`]s, and the thread that runs it at full
//! speed, publishing a [`Snapshot`] every 125 ms through a `watch` channel.

use super::action::Command;
use super::session::{Clock, Session, Snapshot, Status};
use crate::train::files::show;
use crate::train::{Stopwatch, Threads, Trainer, checkpoint};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, TryRecvError};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// How often the running trainer publishes: 8 times a second keeps the charts fluid and the
/// bytes sent over SSH low (each publication repaints the changed weight cells).
pub const PUBLISH_EVERY: Duration = Duration::from_millis(125);

/// A session and its status; applies commands. Used by the worker thread and, synchronously,
/// by tests.
pub struct Runner {
    pub session: Session,
    pub status: Status,
    pub message: Option<String>,
    threads: Threads,
    /// Pause once the run reaches this step, saying this ([`Command::PauseAt`]).
    pause_at: Option<(u64, String)>,
}

impl Runner {
    pub fn new(session: Session, threads: Threads) -> Self {
        let status = if session.finished() {
            Status::Finished
        } else {
            Status::Running
        };
        Runner {
            session,
            status,
            message: None,
            threads,
            pause_at: None,
        }
    }

    /// Whether training steps should run.
    pub fn running(&self) -> bool {
        self.status == Status::Running
    }

    /// Apply a command; false when it asks to quit.
    pub fn handle(&mut self, cmd: Command) -> bool {
        match cmd {
            Command::Quit => return false,
            // Sweeps are the event loop's; nothing for the trainer.
            Command::RunSweep { .. } | Command::PauseSweeps => {}
            Command::Pause => {
                if self.status == Status::Running {
                    self.status = Status::Paused;
                }
            }
            Command::Resume => {
                if self.status == Status::Paused {
                    self.status = Status::Running;
                }
            }
            Command::PauseAt { step, say } => {
                let on_the_way = format!("pausing at step {}", crate::ui::thousands(step));
                self.message = Some(match self.message.take() {
                    Some(m) => format!("{m} · {on_the_way}"),
                    None => on_the_way,
                });
                self.pause_at = Some((step, say));
                self.pause_if_there();
            }
            Command::Restart(cfg) => {
                self.pause_at = None;
                let name = cfg.preset.clone();
                match Trainer::new(*cfg, self.threads) {
                    Ok(t) => {
                        let run = self.session.run() + 1;
                        self.session = Session::from_trainer(t, run);
                        self.status = if self.session.finished() {
                            Status::Finished
                        } else {
                            Status::Running
                        };
                        self.message = Some(format!("started {name}"));
                    }
                    Err(e) => {
                        self.message = Some(format!("cannot restart: {e}"));
                    }
                }
            }
            Command::Save(dir) => {
                let path = dir.join(format!(
                    "grokscope-{}-step{}.grok",
                    self.session.config().preset,
                    self.session.step_count()
                ));
                self.message = Some(match checkpoint::save(self.session.trainer(), &path) {
                    Ok(()) => format!("saved {}", show(&path)),
                    Err(e) => format!("save failed: {e}"),
                });
            }
        }
        true
    }

    /// Pause where [`Command::PauseAt`] asked, once the run is there.
    fn pause_if_there(&mut self) {
        if let Some((step, _)) = &self.pause_at
            && self.session.step_count() >= *step
            && let Some((_, say)) = self.pause_at.take()
        {
            if self.status == Status::Running {
                self.status = if self.session.finished() {
                    Status::Finished
                } else {
                    Status::Paused
                };
            }
            self.message = Some(say);
        }
    }

    /// Up to `n` steps while running; updates the status at the end or on divergence, and
    /// pauses at the step [`Command::PauseAt`] named.
    pub fn train(&mut self, n: u64) {
        for _ in 0..n {
            self.pause_if_there();
            if !self.running() {
                return;
            }
            if self.session.finished() {
                self.status = Status::Finished;
                return;
            }
            if let Err(d) = self.session.step() {
                self.status = Status::Diverged(d.to_string());
                return;
            }
        }
        self.pause_if_there();
        if self.session.finished() {
            self.status = Status::Finished;
        }
    }

    pub fn snapshot(&self, clock: Clock) -> Snapshot {
        self.session
            .snapshot(self.status.clone(), clock, self.message.clone())
    }
}

/// Training time (pauses excluded, on the one training clock) and a smoothed steps/s.
struct Meter {
    run: u64,
    stopwatch: Stopwatch,
    window_start: Instant,
    window_steps: u64,
    rate: f64,
}

impl Meter {
    fn new(run: u64, step: u64) -> Self {
        Meter {
            run,
            stopwatch: Stopwatch::default(),
            window_start: Instant::now(),
            window_steps: step,
            rate: 0.0,
        }
    }

    fn update(&mut self, running: bool, step: u64) -> Clock {
        let now = Instant::now();
        self.stopwatch.set_running(running);
        let dt = (now - self.window_start).as_secs_f64();
        if dt >= 0.25 {
            let r = step.saturating_sub(self.window_steps) as f64 / dt;
            self.rate = if self.rate == 0.0 {
                r
            } else {
                0.6 * self.rate + 0.4 * r
            };
            self.window_start = now;
            self.window_steps = step;
        }
        if !running {
            self.window_start = now;
            self.window_steps = step;
        }
        Clock {
            elapsed: self.stopwatch.elapsed(),
            steps_per_s: if running { self.rate } else { 0.0 },
        }
    }
}

/// Run `runner` until `Quit` or until nobody listens: commands from `rx`, snapshots into `tx`.
pub fn run(mut runner: Runner, rx: Receiver<Command>, tx: watch::Sender<Arc<Snapshot>>) {
    let mut meter = Meter::new(runner.session.run(), runner.session.step_count());
    let mut last = Instant::now();
    let mut dirty = true;
    loop {
        // Commands: wait for one when idle, else take what is there.
        loop {
            let cmd = if runner.running() {
                match rx.try_recv() {
                    Ok(c) => c,
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => return,
                }
            } else if dirty {
                break;
            } else {
                match rx.recv_timeout(Duration::from_millis(500)) {
                    Ok(c) => c,
                    Err(RecvTimeoutError::Timeout) => {
                        if tx.is_closed() {
                            return;
                        }
                        continue;
                    }
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            };
            if !runner.handle(cmd) {
                return;
            }
            if runner.session.run() != meter.run {
                meter = Meter::new(runner.session.run(), runner.session.step_count());
            }
            dirty = true;
        }
        // Train until the next publication is due.
        while runner.running() && last.elapsed() < PUBLISH_EVERY {
            runner.train(16);
            dirty = true;
        }
        if dirty || last.elapsed() >= PUBLISH_EVERY {
            let clock = meter.update(runner.running(), runner.session.step_count());
            let snap = Arc::new(runner.snapshot(clock));
            runner.message = None;
            if tx.send(snap).is_err() {
                return;
            }
            last = Instant::now();
            dirty = false;
        }
    }
}
