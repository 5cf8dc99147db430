//! The trainer side: a [`Runner`] that obeys [`Command`]s, and the thread that runs it at full
//! speed, publishing a [`Snapshot`] every 125 ms through a `watch` channel. It trains through
//! the one loop ([`train::drive_until`](crate::train::drive_until), by way of
//! [`Session::drive`]) in slices that end between two steps when a command is waiting or a
//! publication is due; commands are carried out between slices. A pause is the runner's
//! [`Control`]; the clock is the run's own.

use super::action::Command;
use super::session::{Clock, End, Session, Snapshot, Status};
use crate::train::files::show;
use crate::train::{Control, Run, Stop, Threads, Trainer, checkpoint};
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
    /// What the views are told, worked out from the run, its control and its end after every
    /// command and every slice of training (never set otherwise).
    pub status: Status,
    pub message: Option<String>,
    threads: Threads,
    /// Paused or not: the one pause of the dashboard's training.
    control: Control,
    /// Why the run ended early: the divergence, said as the status says it.
    diverged: Option<String>,
    /// Pause once the run reaches this step, saying this ([`Command::PauseAt`]).
    pause_at: Option<(u64, String)>,
}

impl Runner {
    pub fn new(mut session: Session, threads: Threads) -> Self {
        let message = match (session.take_notice(), session.place()) {
            (Some(n), _) => Some(n),
            (None, Some(p)) => Some(format!("keeping this run in {p}")),
            (None, None) => None,
        };
        let mut runner = Runner {
            session,
            status: Status::Running,
            message,
            threads,
            control: Control::new(),
            diverged: None,
            pause_at: None,
        };
        runner.settle();
        runner
    }

    /// Work the status out again: an ended run says how it ended, else the control says
    /// whether it runs.
    fn settle(&mut self) {
        self.status = if let Some(d) = &self.diverged {
            Status::Diverged(d.clone())
        } else if self.session.finished() {
            Status::Finished
        } else if self.control.held() {
            Status::Paused
        } else {
            Status::Running
        };
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
            // Only a running run pauses (a finished one stays finished); a resume wakes it.
            Command::Pause => {
                if self.running() {
                    self.control.set_paused(true);
                }
            }
            Command::Resume => self.control.set_paused(false),
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
                        // The run left ends (kept whole); the new one is kept beside it.
                        let run = self.session.run() + 1;
                        let keeper = self.session.hand_over();
                        self.session = Session::kept(t, run, keeper);
                        (self.control, self.diverged) = (Control::new(), None);
                        self.message = Some(match self.session.place() {
                            Some(p) => format!("started {name} · keeping it in {p}"),
                            None => format!("started {name}"),
                        });
                    }
                    Err(e) => {
                        self.message = Some(format!("cannot restart: {e}"));
                    }
                }
            }
            Command::Save(dir) => {
                let path = dir.join(format!(
                    "grokscope-{}-step{}.{}",
                    self.session.config().preset,
                    self.session.step_count(),
                    checkpoint::EXTENSION
                ));
                self.message = Some(match checkpoint::save(self.session.trainer(), &path) {
                    Ok(()) => format!("saved {}", show(&path)),
                    Err(e) => format!("save failed: {e}"),
                });
            }
        }
        self.settle();
        self.notice();
        true
    }

    /// Keeping's notice (a failure to write the kept run), into the footer's message.
    fn notice(&mut self) {
        if let Some(n) = self.session.take_notice() {
            self.message = Some(n);
        }
    }

    /// End the session: a kept run is closed as left (its summary and final checkpoint),
    /// unless it has ended already.
    pub fn close(&mut self) {
        self.session.close(End::Left);
    }

    /// Pause where [`Command::PauseAt`] asked, once the run is there (an ended run stays
    /// ended, saying so).
    fn pause_if_there(&mut self) {
        if let Some((step, _)) = &self.pause_at
            && self.session.step_count() >= *step
            && let Some((_, say)) = self.pause_at.take()
        {
            if self.running() {
                self.control.set_paused(true);
            }
            self.message = Some(say);
            self.settle();
        }
    }

    /// Train while running until `enough` (asked before every step) says so, the run ends or
    /// diverges, or it reaches the step [`Command::PauseAt`] named, where it pauses.
    pub fn train_until(&mut self, mut enough: impl FnMut(&Run) -> bool) {
        self.pause_if_there();
        if !self.running() {
            return;
        }
        let pause_at = self.pause_at.as_ref().map(|(step, _)| *step);
        let stop = self.session.drive(&self.control, |run| {
            pause_at.is_some_and(|step| run.step_count() >= step) || enough(run)
        });
        if let Stop::Diverged(d) = stop {
            self.diverged = Some(d.to_string());
        }
        self.settle();
        self.notice();
        self.pause_if_there();
    }

    /// Up to `n` steps while running (see [`Runner::train_until`]).
    pub fn train(&mut self, n: u64) {
        let target = self.session.step_count().saturating_add(n);
        self.train_until(|run| run.step_count() >= target);
    }

    pub fn snapshot(&self, clock: Clock) -> Snapshot {
        self.session
            .snapshot(self.status.clone(), clock, self.message.clone())
    }

    /// The published clock: the run's training time and `rate`'s steps/s (none when idle).
    fn clock(&self, rate: &mut Rate) -> Clock {
        let (elapsed, step) = (self.session.elapsed(), self.session.step_count());
        if rate.run != self.session.run() {
            *rate = Rate::new(self.session.run(), elapsed, step);
        }
        let steps_per_s = rate.update(elapsed, step);
        Clock {
            elapsed,
            steps_per_s: if self.running() { steps_per_s } else { 0.0 },
        }
    }
}

/// A smoothed steps/s, measured on the run's own clock (which leaves pauses out).
struct Rate {
    run: u64,
    /// Where the current window began: the run's clock and step.
    since: (Duration, u64),
    rate: f64,
}

impl Rate {
    fn new(run: u64, elapsed: Duration, step: u64) -> Self {
        Rate {
            run,
            since: (elapsed, step),
            rate: 0.0,
        }
    }

    fn update(&mut self, elapsed: Duration, step: u64) -> f64 {
        let dt = elapsed.saturating_sub(self.since.0).as_secs_f64();
        if dt >= 0.25 {
            let r = step.saturating_sub(self.since.1) as f64 / dt;
            self.rate = if self.rate == 0.0 {
                r
            } else {
                0.6 * self.rate + 0.4 * r
            };
            self.since = (elapsed, step);
        }
        self.rate
    }
}

/// Where the trainer thread's commands come from: the app's channel, and the one command a
/// slice of training stopped for.
struct Inbox {
    rx: Receiver<Command>,
    waiting: Option<Command>,
    /// The app has gone (its end of the channel dropped).
    gone: bool,
}

impl Inbox {
    /// Whether a command waits (taking it off the channel to look): what ends a slice.
    fn any(&mut self) -> bool {
        if self.waiting.is_none() {
            match self.rx.try_recv() {
                Ok(c) => self.waiting = Some(c),
                Err(TryRecvError::Empty) => {}
                Err(TryRecvError::Disconnected) => self.gone = true,
            }
        }
        self.waiting.is_some() || self.gone
    }

    /// The next command: waiting already, or on the channel. When `idle` (nothing to train,
    /// nothing to publish) wait for one, giving up when nobody listens to `tx`. `Err` when the
    /// app has gone.
    fn next(
        &mut self,
        idle: bool,
        tx: &watch::Sender<Arc<Snapshot>>,
    ) -> Result<Option<Command>, ()> {
        if let Some(c) = self.waiting.take() {
            return Ok(Some(c));
        }
        if self.gone {
            return Err(());
        }
        if !idle {
            return match self.rx.try_recv() {
                Ok(c) => Ok(Some(c)),
                Err(TryRecvError::Empty) => Ok(None),
                Err(TryRecvError::Disconnected) => Err(()),
            };
        }
        loop {
            match self.rx.recv_timeout(Duration::from_millis(500)) {
                Ok(c) => return Ok(Some(c)),
                Err(RecvTimeoutError::Timeout) if tx.is_closed() => return Err(()),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return Err(()),
            }
        }
    }
}

/// Run `runner` until `Quit` or until nobody listens: commands from `rx`, snapshots into `tx`.
/// A kept run is closed on the way out ([`Runner::close`]).
pub fn run(mut runner: Runner, rx: Receiver<Command>, tx: watch::Sender<Arc<Snapshot>>) {
    serve(&mut runner, rx, tx);
    runner.close();
}

fn serve(runner: &mut Runner, rx: Receiver<Command>, tx: watch::Sender<Arc<Snapshot>>) {
    let mut inbox = Inbox {
        rx,
        waiting: None,
        gone: false,
    };
    let mut rate = Rate::new(runner.session.run(), Duration::ZERO, 0);
    let mut last = Instant::now();
    let mut dirty = true;
    loop {
        // Commands, between slices: wait for one when idle, else take what is there.
        loop {
            let idle = !runner.running() && !dirty;
            match inbox.next(idle, &tx) {
                Ok(Some(cmd)) => {
                    if !runner.handle(cmd) {
                        return;
                    }
                    dirty = true;
                }
                Ok(None) => break,
                Err(()) => return,
            }
        }
        // Train until the next publication is due or a command waits.
        if runner.running() {
            let due = last + PUBLISH_EVERY;
            runner.train_until(|_| inbox.any() || Instant::now() >= due);
            dirty = true;
        }
        let due = last.elapsed() >= PUBLISH_EVERY;
        if due || (dirty && !runner.running() && inbox.waiting.is_none()) {
            let clock = runner.clock(&mut rate);
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
