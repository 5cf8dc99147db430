//! A run as the dashboard sees it: the trainer on its [`Run`] plus a recorder of metrics and
//! weight frames, and the plain [`Snapshot`] it publishes. It trains through the one loop,
//! [`train::drive_until`](crate::train::drive_until), in slices its caller ends; synchronous
//! and thread-free, so tests can drive it step by step and the worker thread at full speed.

use crate::probe::Prober;
pub use crate::snapshot::{Clock, Snapshot, Status, WeightFrame};
use crate::train::trainer::Diverged;
use crate::train::{Config, Control, Flow, Metrics, Run, Stop, Threads, Trainer, drive_until};
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

/// At most this many weight frames are kept for scrubbing; when full, every other one is
/// dropped, so the frames always span the whole run.
pub const MAX_FRAMES: usize = 512;
/// About the most the kept frames take: a model whose frames are large keeps fewer of them
/// (at least `MIN_FRAMES`). mod-add's 67×24 frames (26 KB) keep all 512.
pub const FRAME_BYTES: usize = 64 << 20;
const MIN_FRAMES: usize = 16;
/// At most this many metrics points are kept for the charts (a chart is a few hundred
/// columns wide; a million-step run at the default interval logs 10,000); when full, every
/// other one is dropped, the first kept, so they span the whole run. Every snapshot copies
/// them, so unbounded they cost memory and time without end.
pub const MAX_HISTORY: usize = 8192;

/// How many frames holding weights like `w` are kept: as many as fit [`FRAME_BYTES`],
/// between `MIN_FRAMES` and [`MAX_FRAMES`].
pub fn frame_cap(w: &crate::train::Weights) -> usize {
    let bytes: usize = crate::train::keep::tensors(w)
        .iter()
        .map(|(_, a)| a.len() * std::mem::size_of::<f64>())
        .sum();
    (FRAME_BYTES / bytes.max(1)).clamp(MIN_FRAMES, MAX_FRAMES)
}

/// Make room for one more of `items` within `cap`: when full, every other one goes (the
/// first stays), so what is kept still spans from the start.
pub fn thin<T: Clone>(items: &mut VecDeque<T>, cap: usize) {
    if items.len() >= cap {
        *items = items.iter().step_by(2).cloned().collect();
    }
}

/// [`thin`] for a metrics history.
pub fn thin_history(history: &mut Vec<Metrics>) {
    if history.len() >= MAX_HISTORY {
        *history = history.iter().step_by(2).copied().collect();
    }
}

/// Metrics interval for a run of `steps` steps: about 200 points over the run, every 20 to
/// 100 steps (evaluation costs about one step; at every 100 steps it takes ~1 % of the time).
pub fn eval_interval(cfg: &Config) -> u64 {
    (cfg.steps / 200).clamp(20, 100)
}

/// How a kept run ended, as its summary says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// It trained its planned steps.
    Finished,
    /// Its loss became NaN or infinite.
    Diverged,
    /// The dashboard quit, or restarted with other settings, before the run's end.
    Left,
}

/// Where the dashboard keeps a run (`grokscope --out DIR`): a run directory as `run --out`
/// writes it. The format is the command line's, so the app sees only this.
pub trait Keep: Send {
    /// One metrics point of the run: its metrics line, its weight frame, a checkpoint when
    /// one is due.
    fn point(&mut self, run: &Run, m: &Metrics) -> Result<(), String>;
    /// The run's end: the summary, the metrics file in place, the final checkpoint (of a
    /// run that did not diverge).
    fn finish(self: Box<Self>, run: &mut Run, end: End) -> Result<(), String>;
    /// Where the run is kept, as the footer names it.
    fn place(&self) -> String;
}

/// Opens the [`Keep`] of each run the dashboard starts (the first, then one per restart),
/// given its trainer at step 0.
pub type Keeper = Box<dyn FnMut(&Trainer) -> Result<Box<dyn Keep>, String> + Send>;

/// Records metrics and weight frames of a trainer at a fixed interval.
pub struct Session {
    run: Run,
    recorder: Recorder,
    /// Increments on every restart (see [`Snapshot::run`]).
    id: u64,
    /// Opens a kept run for each run started (`grokscope --out`), and the current run's.
    keeper: Option<Keeper>,
    keep: Option<Box<dyn Keep>>,
    /// Why keeping stopped, once: taken by [`Session::take_notice`].
    notice: Option<String>,
}

/// What a session keeps of its run's evaluations: the metrics and the probed weight frames.
struct Recorder {
    history: Vec<Metrics>,
    frames: VecDeque<Arc<WeightFrame>>,
    /// How many frames are kept ([`frame_cap`]).
    frame_cap: usize,
    prober: Prober,
}

impl Session {
    pub fn new(cfg: Config, threads: Threads) -> crate::train::Result<Self> {
        let trainer = Trainer::new(cfg, threads)?;
        Ok(Self::from_trainer(trainer, 0))
    }

    pub fn from_trainer(trainer: Trainer, run: u64) -> Self {
        Self::kept(trainer, run, None)
    }

    /// A session whose runs are kept by `keeper` (each opened at step 0); one that cannot
    /// be opened trains unkept, saying why ([`Session::take_notice`]).
    pub fn kept(trainer: Trainer, run: u64, mut keeper: Option<Keeper>) -> Self {
        let (keep, notice) = match keeper.as_mut().map(|open| open(&trainer)) {
            Some(Ok(k)) => (Some(k), None),
            Some(Err(e)) => (None, Some(format!("not kept: {e}"))),
            None => (None, None),
        };
        let every = eval_interval(trainer.config());
        let recorder = Recorder {
            frame_cap: frame_cap(&trainer.frame_weights()),
            prober: Prober::new(trainer.config(), trainer.data()),
            history: Vec::new(),
            frames: VecDeque::new(),
        };
        let mut s = Session {
            run: Run::new(trainer, every),
            recorder,
            id: run,
            keeper,
            keep,
            notice,
        };
        if let Some(m) = s.run.evaluate() {
            s.recorder.record(&s.run, m);
            s.keep_point(m);
        }
        s
    }

    /// Hand a metrics point to the kept run; a failure stops keeping, saying why.
    fn keep_point(&mut self, m: Metrics) {
        if let Some(k) = self.keep.as_mut()
            && let Err(e) = k.point(&self.run, &m)
        {
            self.keep = None;
            self.notice = Some(format!("no longer kept: {e}"));
        }
    }

    /// End the kept run (if any) as `end` says: its summary and final checkpoint.
    pub fn close(&mut self, end: End) {
        if let Some(k) = self.keep.take()
            && let Err(e) = k.finish(&mut self.run, end)
        {
            self.notice = Some(format!("not kept whole: {e}"));
        }
    }

    /// The keeper, for the session that replaces this one (a restart); this one's kept run
    /// ends first.
    pub fn hand_over(&mut self) -> Option<Keeper> {
        self.close(End::Left);
        self.keeper.take()
    }

    /// Where the run is kept, when it is.
    pub fn place(&self) -> Option<String> {
        self.keep.as_ref().map(|k| k.place())
    }

    /// What keeping has to say (a failure), once.
    pub fn take_notice(&mut self) -> Option<String> {
        self.notice.take()
    }

    pub fn trainer(&self) -> &Trainer {
        self.run.trainer()
    }

    pub fn config(&self) -> &Config {
        self.trainer().config()
    }

    pub fn run(&self) -> u64 {
        self.id
    }

    pub fn step_count(&self) -> u64 {
        self.run.step_count()
    }

    pub fn finished(&self) -> bool {
        self.run.finished()
    }

    /// Training time so far, on the run's own clock (it counts only inside the loop).
    pub fn elapsed(&self) -> Duration {
        self.run.elapsed()
    }

    /// Train through the one loop, recording metrics and a frame at every evaluation point,
    /// until `enough` (asked before every step) says so, the run ends or diverges, or
    /// `control` is cancelled.
    /// A kept run ends with the run: its summary once it trained its steps or diverged.
    pub fn drive(&mut self, control: &Control, enough: impl FnMut(&Run) -> bool) -> Stop {
        let (recorder, keep) = (&mut self.recorder, &mut self.keep);
        let mut failed = None;
        let stop = drive_until(&mut self.run, control, enough, |run, m| {
            recorder.record(run, *m);
            if let Some(k) = keep.as_mut()
                && let Err(e) = k.point(run, m)
            {
                *keep = None;
                failed = Some(format!("no longer kept: {e}"));
            }
            Ok::<_, std::convert::Infallible>(Flow::Continue)
        });
        let stop = match stop {
            Ok(stop) => stop,
            Err(never) => match never {},
        };
        self.notice = failed.or(self.notice.take());
        match stop {
            Stop::Steps => self.close(End::Finished),
            Stop::Diverged(_) => self.close(End::Diverged),
            Stop::Observer | Stop::Cancelled => {}
        }
        stop
    }

    /// Up to `n` steps, stopping at the configured total.
    pub fn advance(&mut self, n: u64) -> Result<(), Diverged> {
        let target = self.step_count().saturating_add(n);
        match self.drive(&Control::new(), |run| run.step_count() >= target) {
            Stop::Diverged(d) => Err(d),
            _ => Ok(()),
        }
    }

    /// The published view of this run.
    pub fn snapshot(&self, status: Status, clock: Clock, message: Option<String>) -> Snapshot {
        Snapshot {
            config: self.config().clone(),
            run: self.id,
            step: self.step_count(),
            history: self.recorder.history.clone(),
            frames: self.recorder.frames.iter().cloned().collect(),
            status,
            clock,
            message,
            compare: None,
        }
    }
}

impl Recorder {
    fn record(&mut self, run: &Run, metrics: Metrics) {
        thin_history(&mut self.history);
        self.history.push(metrics);
        let frame = self.frame(run, metrics);
        thin(&mut self.frames, self.frame_cap);
        self.frames.push_back(Arc::new(frame));
    }

    /// The frame of this step: the weights it keeps, probed (the probes read W_input and
    /// W_output, and the factors only where a frame keeps them, so a replay of the kept
    /// frames probes the same values).
    fn frame(&mut self, run: &Run, metrics: Metrics) -> WeightFrame {
        let weights = run.trainer().frame_weights();
        let (every, last) = (run.every(), run.finished());
        let readings = self.prober.read_frame(&weights, metrics.step, every, last);
        let phase = self.prober.phase(&metrics, &readings);
        WeightFrame {
            metrics,
            weights,
            readings,
            phase,
        }
    }
}

#[cfg(test)]
mod bounds {
    use super::*;
    use crate::train::presets;

    fn weights(edit: impl FnOnce(&mut Config)) -> crate::train::Weights {
        let mut cfg = presets::find("mod-add").unwrap().config;
        edit(&mut cfg);
        Trainer::new(cfg, Threads(1)).unwrap().weights().for_frame()
    }

    #[test]
    fn large_frames_are_kept_fewer() {
        assert_eq!(frame_cap(&weights(|_| {})), MAX_FRAMES);
        // 97×4000 W_input and W_output: 6.2 MB a frame, 10 fit the budget; 16 are kept.
        let big = weights(|c| (c.modulus, c.hidden, c.embed) = (97, 4000, 4));
        assert_eq!(frame_cap(&big), MIN_FRAMES);
        let mid = weights(|c| (c.modulus, c.hidden, c.embed) = (97, 400, 4));
        let cap = frame_cap(&mid);
        assert!(cap * 2 * 97 * 400 * 8 <= FRAME_BYTES && cap > 64, "{cap}");
    }

    #[test]
    fn the_history_stays_bounded_and_spans_the_run() {
        let mut history = Vec::new();
        for step in 0..100_000u64 {
            thin_history(&mut history);
            history.push(Metrics {
                step,
                ..Metrics::default()
            });
        }
        assert!(history.len() <= MAX_HISTORY);
        assert!(history.len() > MAX_HISTORY / 2);
        assert_eq!(history[0].step, 0);
        assert_eq!(history.last().unwrap().step, 99_999);
        assert!(history.windows(2).all(|w| w[0].step < w[1].step));
        let mut frames: VecDeque<u64> = VecDeque::new();
        for i in 0..10_000 {
            thin(&mut frames, 100);
            frames.push_back(i);
        }
        assert!(frames.len() <= 100 && frames[0] == 0 && frames.back() == Some(&9_999));
    }
}
