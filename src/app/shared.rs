//! What every view of the dashboard reads and changes: the training run as last published,
//! the settings being edited, pause and scrubbing (the frame on screen), the selected
//! neuron, the footer's notice, the help overlay and quitting. Each view's own state lives
//! in its module under [`super::views`]; this is the part they share.

use super::action::Command;
use super::seek::Seek;
use crate::snapshot::{Snapshot, Status, WeightFrame};
use crate::sweep::article::BandPoint;
use crate::train::Config;
use crate::train::presets::{self, Preset};
use crate::ui::heatmap::Focus;
use crate::ui::mechanism::Choice;
use crate::ui::{Callout, Ctx, Memo, Settings, Theme};
use std::path::PathBuf;
use std::sync::Arc;

/// The state every view shares.
pub struct Shared {
    pub snapshot: Arc<Snapshot>,
    /// The kernel training runs on, named in the help overlay (the live process's; the
    /// test harness fixes it, as it fixes the clock, so rendered frames do not depend on
    /// the host).
    pub kernel: &'static str,
    /// The threads each training step is shared among (`--threads`), named beside it.
    pub threads: usize,
    pub presets: Vec<Preset>,
    /// Index of the running preset in `presets`, if it is one of them.
    pub preset: usize,
    /// Settings being edited; applied with Enter.
    pub draft: Config,
    /// Whether the user asked for a pause.
    pub paused: bool,
    /// Index into `snapshot.frames` while scrubbing (only when paused).
    pub scrub: Option<usize>,
    /// The selected hidden neuron, highlighted by the panels that draw neurons (kept below
    /// the running model's width).
    pub neuron: usize,
    /// Scrubbing beside the frame on screen: a typed step, a replay, a held key.
    pub seek: Seek,
    pub help: bool,
    /// The help's page, counted modulo its pages when drawn (PgDn past the last wraps).
    pub help_page: i64,
    pub quit: bool,
    /// A notice in the footer: the last thing that happened.
    pub message: Option<String>,
    /// Where `s` saves checkpoints (the working directory unless set).
    pub save_dir: PathBuf,
    /// Whether leaving the view on screen resumes the training run (it was running when a
    /// view of other runs — a sweep, the gallery — paused it).
    pub resume_training: bool,
    /// The user hid the compared run (`c`), if there is one.
    pub hide_compared: bool,
    /// A retrain under way (the gallery's Enter): the step it pauses at (the trainer says
    /// when it is there).
    pub pause_at: Option<u64>,
    /// A view asks for another to come on screen (the gallery's Enter shows the training
    /// view); the dashboard switches after the view's update, keeping its notice.
    pub show: Option<&'static str>,
    /// Moments marked on the loss and accuracy charts (a label at a step), in step order.
    pub callouts: Vec<Callout>,
    /// The last suggestion of what to look at next ([`crate::ui::next_look`]), so it is
    /// given once.
    pub next_seen: Option<String>,
    /// The loss band drawn behind the live curves (quartiles of other runs at each step),
    /// when one is shown: the article's gallery band, `b` in the training view, drawn for
    /// the runs it compares with ([`band_mismatch`]).
    pub band: Option<Vec<BandPoint>>,
    /// The step charts show a window around the step on screen (`z`).
    pub zoom: bool,
}

/// Why the article's gallery band does not compare with a run of `cfg`, if it does not: the
/// gallery's runs learned a + b mod 67, and their losses (cross-entropy divided by P, as
/// here) only mean the same on that task.
pub fn band_mismatch(cfg: &Config) -> Option<String> {
    use crate::train::{Op, TaskKind};
    let what = match (cfg.task, cfg.op) {
        (TaskKind::Modular, Op::Add) if cfg.modulus == 67 => return None,
        (TaskKind::Modular, op) => format!("{} mod {}", op.name(), cfg.modulus),
        _ => cfg.preset.clone(),
    };
    Some(format!(
        "no article band for {what}: the article's gallery ran a + b mod 67"
    ))
}

impl Shared {
    pub fn new(snapshot: Arc<Snapshot>) -> Self {
        let next_seen = crate::ui::next_look(&snapshot);
        let presets = presets::all();
        let preset = presets
            .iter()
            .position(|p| p.name == snapshot.config.preset)
            .unwrap_or(0);
        Shared {
            draft: snapshot.config.clone(),
            kernel: crate::train::Kernel::active().name(),
            threads: 1,
            snapshot,
            presets,
            preset,
            paused: false,
            scrub: None,
            neuron: 0,
            seek: Seek::default(),
            help: false,
            help_page: 0,
            quit: false,
            message: None,
            save_dir: PathBuf::from("."),
            resume_training: false,
            hide_compared: false,
            pause_at: None,
            show: None,
            callouts: Vec::new(),
            band: None,
            zoom: false,
            next_seen,
        }
    }

    /// The running model's number of hidden neurons, once it has a frame.
    pub fn hidden(&self) -> Option<usize> {
        let h = self.snapshot.latest()?.weights.hidden();
        (h > 0).then_some(h)
    }

    /// The frame the weight panels show: the scrubbed one, else the latest.
    pub fn frame(&self) -> Option<&Arc<WeightFrame>> {
        match self.scrub {
            Some(i) => self.snapshot.frames.get(i),
            None => self.snapshot.latest(),
        }
    }

    /// Whether the draft differs from the running settings.
    pub fn edited(&self) -> bool {
        self.draft != self.snapshot.config
    }

    /// A view of other runs (a sweep, the gallery) comes on screen: one thing trains at a
    /// time, so the training run pauses, and resumes when the view is left
    /// ([`Shared::resume_after_view`]) if it was running.
    pub fn pause_for_view(&mut self) -> Vec<Command> {
        if self.snapshot.status == Status::Running && !self.paused {
            self.resume_training = true;
            vec![Command::Pause]
        } else {
            Vec::new()
        }
    }

    /// Leaving a view of other runs: the training run resumes if it paused for it.
    pub fn resume_after_view(&mut self) -> Vec<Command> {
        if std::mem::take(&mut self.resume_training) {
            vec![Command::Resume]
        } else {
            Vec::new()
        }
    }

    /// A snapshot arrived: a new run resets scrubbing and the draft, a scrubbed step is
    /// kept (frames are only appended, or thinned when full), and a retrain that reached
    /// its step is paused as if the user had paused it (so space resumes it).
    pub fn take(&mut self, snap: Arc<Snapshot>) {
        let new_run = snap.run != self.snapshot.run;
        if let Some(m) = &snap.message {
            self.message = Some(m.clone());
        }
        if new_run {
            self.scrub = None;
            self.seek.reset();
            if let Some(i) = self
                .presets
                .iter()
                .position(|p| p.name == snap.config.preset)
            {
                self.preset = i;
            }
            self.draft = snap.config.clone();
        }
        if let Some(i) = self.scrub {
            let step = self.snapshot.frames.get(i).map(|f| f.step());
            self.scrub = step.and_then(|st| snap.frames.iter().position(|f| f.step() == st));
        }
        if new_run {
            self.paused = matches!(snap.status, Status::Paused);
        }
        if let Some(at) = self.pause_at
            && snap.step >= at
            && matches!(snap.status, Status::Paused | Status::Finished)
        {
            self.pause_at = None;
            self.paused = snap.status == Status::Paused;
        }
        self.snapshot = snap;
        self.suggest_next(new_run);
        if new_run
            && self.band.is_some()
            && let Some(why) = band_mismatch(&self.snapshot.config)
        {
            self.message = Some(why);
        }
        if let Some(h) = self.hidden() {
            self.neuron = self.neuron.min(h - 1);
        }
    }

    /// When the run reaches 99 % test accuracy or ends, the footer suggests what to look at
    /// next (once per suggestion: a notice the user has since replaced is not repeated).
    fn suggest_next(&mut self, new_run: bool) {
        if new_run {
            self.next_seen = None;
        }
        let next = crate::ui::next_look(&self.snapshot);
        // The source's own notice (a retrain's "paused at …") is not replaced.
        if next.is_some() && next != self.next_seen && self.snapshot.message.is_none() {
            self.message = next.clone();
        }
        self.next_seen = next;
    }

    /// What the panels of the run draw from: the settings panel's rows, the heatmap's focus,
    /// the mechanism view's choice and whether the run is a replay come from the views that
    /// own them.
    pub fn ctx<'a>(
        &'a self,
        theme: &'a Theme,
        memo: &'a Memo,
        settings: Settings,
        (mechanism, heat_focus): (Choice, Focus),
        replay: bool,
    ) -> Ctx<'a> {
        Ctx {
            snapshot: &self.snapshot,
            frame: self.frame().map(|f| &**f),
            scrubbing: self.scrub.is_some(),
            paused: self.paused,
            neuron: self.neuron,
            mechanism,
            heat_focus,
            playing: self.seek.playing.map(|_| self.seek.steps_per_s()),
            replay,
            settings,
            compare: (!self.hide_compared)
                .then(|| self.snapshot.compare.as_deref())
                .flatten(),
            theme,
            memo,
            callouts: &self.callouts,
            band: self
                .band
                .as_deref()
                .filter(|_| band_mismatch(&self.snapshot.config).is_none()),
            zoom: self.zoom,
        }
    }
}
