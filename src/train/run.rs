//! The one training loop. Every caller — `grokscope run`, a sweep's runs, the dashboard's
//! trainer thread and `grokscope bench` — trains through a [`Run`]: one evaluation cadence
//! (the start, every `every` steps and the last step), one divergence rule (a non-finite
//! training loss ends the run at that step, parameters untouched) and one pause-aware
//! [`Stopwatch`]. [`drive_until`] is the loop itself; [`drive`] trains to the end, and the
//! dashboard's thread drives in slices that end between two steps when a command is waiting
//! or a publication is due.

use super::trainer::{Diverged, Metrics, Trainer};
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

/// Wall time that counts only while running.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stopwatch {
    banked: Duration,
    since: Option<Instant>,
}

impl Stopwatch {
    /// A stopwatch already counting.
    pub fn started() -> Self {
        Stopwatch {
            banked: Duration::ZERO,
            since: Some(Instant::now()),
        }
    }

    /// Start or stop counting (no effect when already in that state).
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

    pub fn running(&self) -> bool {
        self.since.is_some()
    }

    /// Time counted so far.
    pub fn elapsed(&self) -> Duration {
        self.banked + self.since.map_or(Duration::ZERO, |t| t.elapsed())
    }
}

const GO: u8 = 0;
const PAUSED: u8 = 1;
const CANCELLED: u8 = 2;

/// How often a paused loop looks at its control again.
const PAUSE_POLL: Duration = Duration::from_millis(20);

/// Go, pause or cancel, shared between a loop and whoever steers it (a sweep's workers and
/// its view; the dashboard's runner, between its slices), read before every training step
/// (one relaxed load). Cancelling is final.
#[derive(Debug, Default)]
pub struct Control {
    state: AtomicU8,
}

impl Control {
    pub fn new() -> Self {
        Self::default()
    }

    /// Stop: loops in flight return within a training step.
    pub fn cancel(&self) {
        self.state.store(CANCELLED, Ordering::Relaxed);
    }

    pub fn cancelled(&self) -> bool {
        self.state.load(Ordering::Relaxed) == CANCELLED
    }

    /// Pause or resume (no effect once cancelled).
    pub fn set_paused(&self, paused: bool) {
        let (from, to) = if paused { (GO, PAUSED) } else { (PAUSED, GO) };
        let _ = self
            .state
            .compare_exchange(from, to, Ordering::Relaxed, Ordering::Relaxed);
    }

    /// Whether a loop must stop and look: paused or cancelled.
    #[inline]
    pub fn held(&self) -> bool {
        self.state.load(Ordering::Relaxed) != GO
    }

    /// Block while paused: `true` once resumed, `false` once cancelled.
    pub fn wait(&self) -> bool {
        loop {
            match self.state.load(Ordering::Relaxed) {
                GO => return true,
                CANCELLED => return false,
                _ => std::thread::sleep(PAUSE_POLL),
            }
        }
    }
}

/// Why a loop ended.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Stop {
    /// Reached the planned number of steps.
    Steps,
    /// The caller asked to stop: its observer (a target accuracy reached, a class settled)
    /// or, between two steps, its `enough` ([`drive_until`]: a slice of training is over).
    Observer,
    /// The training loss became NaN or infinite.
    Diverged(Diverged),
    /// The control was cancelled.
    Cancelled,
}

/// What an observer of evaluations answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Stop,
}

/// A trainer on its schedule: planned steps, evaluation cadence and clock.
pub struct Run {
    trainer: Trainer,
    every: u64,
    stopwatch: Stopwatch,
    /// The last evaluation, so that none is made twice.
    last: Option<Metrics>,
}

impl Run {
    /// A run evaluated every `every` steps (at least 1), its clock stopped until the loop
    /// starts.
    pub fn new(trainer: Trainer, every: u64) -> Self {
        Run {
            trainer,
            every: every.max(1),
            stopwatch: Stopwatch::default(),
            last: None,
        }
    }

    pub fn trainer(&self) -> &Trainer {
        &self.trainer
    }

    pub fn into_trainer(self) -> Trainer {
        self.trainer
    }

    pub fn every(&self) -> u64 {
        self.every
    }

    pub fn step_count(&self) -> u64 {
        self.trainer.step_count()
    }

    pub fn planned(&self) -> u64 {
        self.trainer.config().steps
    }

    pub fn finished(&self) -> bool {
        self.step_count() >= self.planned()
    }

    /// Training time (pauses excluded).
    pub fn elapsed(&self) -> Duration {
        self.stopwatch.elapsed()
    }

    /// Whether step `s` is an evaluation point: every `every` steps and the last one.
    pub fn due(&self, s: u64) -> bool {
        s.is_multiple_of(self.every) || s == self.planned()
    }

    /// Evaluate now, unless this step has been evaluated already.
    pub fn evaluate(&mut self) -> Option<Metrics> {
        if self.last.is_some_and(|m| m.step == self.step_count()) {
            return None;
        }
        Some(self.evaluate_again())
    }

    /// Evaluate the current weights whether or not this step was evaluated.
    pub fn evaluate_again(&mut self) -> Metrics {
        let m = self.trainer.evaluate();
        self.last = Some(m);
        m
    }

    /// The last evaluation made.
    pub fn last_metrics(&self) -> Option<Metrics> {
        self.last
    }

    /// One training step (none once finished): `Ok(Some(metrics))` when the step is an
    /// evaluation point, `Err` when the loss is not finite (the parameters are untouched).
    pub fn step(&mut self) -> Result<Option<Metrics>, Diverged> {
        if self.finished() {
            return Ok(None);
        }
        self.trainer.step()?;
        let s = self.step_count();
        Ok(if self.due(s) { self.evaluate() } else { None })
    }

    /// Steps without evaluating (a benchmark's timed loop).
    pub fn step_unevaluated(&mut self) -> Result<(), Diverged> {
        self.trainer.step().map(|_| ())
    }

    /// Change the planned length of the run (a resumed run may be extended).
    pub fn set_planned_steps(&mut self, steps: u64) {
        self.trainer.set_planned_steps(steps);
    }
}

/// Train `run` to its planned end: evaluate at the start (a fresh run only) and at every
/// evaluation point, handing each evaluation to `observe`; wait while `control` is paused
/// (the wait is not counted in the run's clock) and return within a step once it is
/// cancelled. An error from `observe` ends the loop at once.
pub fn drive<E>(
    run: &mut Run,
    control: &Control,
    observe: impl FnMut(&Run, &Metrics) -> Result<Flow, E>,
) -> Result<Stop, E> {
    drive_until(run, control, |_| false, observe)
}

/// [`drive`], asking `enough` before every step whether to return now ([`Stop::Observer`],
/// between two steps, evaluation point or not): a caller trains in slices this way, looking
/// at its own business (a command, a deadline) in between.
pub fn drive_until<E>(
    run: &mut Run,
    control: &Control,
    mut enough: impl FnMut(&Run) -> bool,
    mut observe: impl FnMut(&Run, &Metrics) -> Result<Flow, E>,
) -> Result<Stop, E> {
    run.stopwatch.set_running(true);
    let result = (|| {
        if run.step_count() == 0
            && let Some(m) = run.evaluate()
            && observe(run, &m)? == Flow::Stop
        {
            return Ok(Stop::Observer);
        }
        while !run.finished() {
            if enough(run) {
                return Ok(Stop::Observer);
            }
            // One relaxed load per step (a step takes 0.1-10 ms): costs nothing measurable.
            if control.held() {
                run.stopwatch.set_running(false);
                let resumed = control.wait();
                run.stopwatch.set_running(true);
                if !resumed {
                    return Ok(Stop::Cancelled);
                }
            }
            match run.step() {
                Err(d) => return Ok(Stop::Diverged(d)),
                Ok(Some(m)) => {
                    if observe(run, &m)? == Flow::Stop {
                        return Ok(Stop::Observer);
                    }
                }
                Ok(None) => {}
            }
        }
        Ok(Stop::Steps)
    })();
    run.stopwatch.set_running(false);
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::{Threads, presets};

    fn small(steps: u64) -> Trainer {
        let mut cfg = presets::find("mod-add").unwrap().config;
        cfg.modulus = 11;
        cfg.hidden = 8;
        cfg.embed = 6;
        cfg.steps = steps;
        Trainer::new(cfg, Threads(1)).unwrap()
    }

    #[test]
    fn evaluates_at_the_start_every_interval_and_the_last_step() {
        let mut run = Run::new(small(25), 10);
        let mut seen = Vec::new();
        let stop = drive(&mut run, &Control::new(), |_, m| {
            seen.push(m.step);
            Ok::<_, ()>(Flow::Continue)
        })
        .unwrap();
        assert_eq!(stop, Stop::Steps);
        assert_eq!(seen, [0, 10, 20, 25]);
        assert_eq!(run.step_count(), 25);
        // A finished run takes no more steps.
        assert_eq!(run.step(), Ok(None));
        assert_eq!(run.step_count(), 25);
    }

    #[test]
    fn a_resumed_run_is_not_evaluated_again_at_its_start() {
        let mut run = Run::new(small(10), 4);
        drive(&mut run, &Control::new(), |_, _| {
            Ok::<_, ()>(Flow::Continue)
        })
        .unwrap();
        let mut run = Run::new(run.into_trainer(), 4);
        run.set_planned_steps(18);
        let mut seen = Vec::new();
        drive(&mut run, &Control::new(), |_, m| {
            seen.push(m.step);
            Ok::<_, ()>(Flow::Continue)
        })
        .unwrap();
        assert_eq!(seen, [12, 16, 18]);
    }

    #[test]
    fn the_observer_stops_the_loop_and_its_errors_end_it() {
        let mut run = Run::new(small(100), 5);
        let stop = drive(&mut run, &Control::new(), |_, m| {
            Ok::<_, ()>(if m.step >= 15 {
                Flow::Stop
            } else {
                Flow::Continue
            })
        });
        assert_eq!(stop, Ok(Stop::Observer));
        assert_eq!(run.step_count(), 15);
        let err = drive(&mut run, &Control::new(), |_, m| Err(m.step));
        assert_eq!(err, Err(20));
    }

    #[test]
    fn divergence_ends_the_loop_at_that_step() {
        let mut t = small(50);
        let mut cfg = t.config().clone();
        cfg.lr = 1e30;
        t = Trainer::new(cfg, Threads(1)).unwrap();
        let mut run = Run::new(t, 1);
        let stop = drive(&mut run, &Control::new(), |_, _| {
            Ok::<_, ()>(Flow::Continue)
        })
        .unwrap();
        let Stop::Diverged(d) = stop else {
            panic!("lr 1e30 must diverge, got {stop:?}");
        };
        assert!(!d.loss.is_finite());
        assert_eq!(
            d.step,
            run.step_count() + 1,
            "the diverging step is not taken"
        );
    }

    #[test]
    fn enough_ends_a_slice_between_any_two_steps_and_the_next_slice_goes_on() {
        let mut run = Run::new(small(30), 10);
        let mut seen = Vec::new();
        let mut asked = Vec::new();
        let mut slice = |run: &mut Run, until: u64, seen: &mut Vec<u64>| {
            drive_until(
                run,
                &Control::new(),
                |r| {
                    asked.push(r.step_count());
                    r.step_count() >= until
                },
                |_, m| {
                    seen.push(m.step);
                    Ok::<_, ()>(Flow::Continue)
                },
            )
            .unwrap()
        };
        // Step 7 is no evaluation point: the slice ends there all the same.
        assert_eq!(slice(&mut run, 7, &mut seen), Stop::Observer);
        assert_eq!((run.step_count(), &seen[..]), (7, &[0][..]));
        assert_eq!(slice(&mut run, 7, &mut seen), Stop::Observer, "no step");
        assert_eq!(run.step_count(), 7);
        assert_eq!(slice(&mut run, 100, &mut seen), Stop::Steps);
        // The cadence is the run's, whatever the slices: nothing evaluated twice or skipped.
        assert_eq!(seen, [0, 10, 20, 30]);
        assert_eq!(asked, (0..=7).chain([7]).chain(7..30).collect::<Vec<_>>());
    }

    #[test]
    fn the_runs_clock_counts_only_inside_the_loop() {
        let mut run = Run::new(small(30), 10);
        let go = |run: &mut Run, until: u64| {
            drive_until(
                run,
                &Control::new(),
                |r| r.step_count() >= until,
                |_, _| Ok::<_, ()>(Flow::Continue),
            )
        };
        go(&mut run, 5).unwrap();
        let trained = run.elapsed();
        assert!(trained > Duration::ZERO);
        std::thread::sleep(Duration::from_millis(30));
        assert_eq!(run.elapsed(), trained, "between slices the clock stands");
        let before = Instant::now();
        go(&mut run, 6).unwrap();
        assert!(run.elapsed() - trained <= before.elapsed());
    }

    #[test]
    fn a_cancelled_control_stops_before_the_next_step() {
        let control = Control::new();
        control.cancel();
        let mut run = Run::new(small(50), 10);
        let stop = drive(&mut run, &control, |_, _| Ok::<_, ()>(Flow::Continue)).unwrap();
        assert_eq!(stop, Stop::Cancelled);
        assert_eq!(run.step_count(), 0);
    }

    #[test]
    fn the_stopwatch_does_not_count_pauses() {
        let mut w = Stopwatch::started();
        std::thread::sleep(Duration::from_millis(20));
        w.set_running(false);
        let paused_at = w.elapsed();
        std::thread::sleep(Duration::from_millis(30));
        assert_eq!(w.elapsed(), paused_at);
        assert!(paused_at >= Duration::from_millis(20));
        w.set_running(true);
        assert!(w.running());
    }
}
