//! App state and its one `update(action)`: no terminal, no threads. Rendering reads [`App`];
//! the commands `update` returns go to the trainer.

use super::seek::{Scrub, Seek};
use super::session::{Snapshot, Status, WeightFrame};
use super::sweep::{self, VIEW_GRIDS};
use super::views::{self, View};
use crate::sweep::{Event, Runs};
use crate::train::config::{Field, Value};
use crate::train::presets::{self, Preset};
use crate::train::{Activation, Arch, Config, Decay, TaskKind};
use crate::ui::sweep::{SweepState, SweepStatus};
use crate::ui::{Ctx, Memo, SettingRow, Settings as UiSettings, Theme, fmt_rate};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// What the user (or the trainer) asks the app to do.
#[derive(Clone, Debug)]
pub enum Action {
    Quit,
    TogglePause,
    /// Restart with the running settings (discarding unapplied edits).
    Restart,
    /// Restart with the edited settings.
    Apply,
    NextPreset,
    PrevPreset,
    /// Switch to preset number `i` (0-based, in `presets::all()` order).
    Preset(usize),
    SelectNext,
    SelectPrev,
    Increase,
    Decrease,
    Save,
    ScrubBack,
    ScrubForward,
    /// Select the next / previous hidden neuron (wrapping).
    /// Appendix view: take M and N from the training run (its next frequency group).
    TakeModel,
    NextNeuron,
    PrevNeuron,
    /// Jump, type a step, play: see [`super::seek`].
    Seek(Scrub),
    /// The event loop's clock, since it started (replays advance by it).
    Tick(Duration),
    ToggleHelp,
    /// Show the view of this name, or the home view if it is on screen already.
    ToggleView(&'static str),
    /// Esc: close the help, else go back to the home view, else quit.
    Back,
    /// Sweep view: show the next / previous grid.
    NextGrid,
    PrevGrid,
    /// Sweep view: pause or resume the sweep on screen.
    PauseSweep,
    /// Sweep view: page through the diagram's panels.
    PageBack,
    PageForward,
    /// Sweep view: move the cursor over the diagram's cells (or the listed runs).
    MoveCursor(crate::ui::sweep::Move),
    /// Sweep view: open / close the drill-down (the selected cell's runs as loss charts).
    ToggleDrill,
    /// Sweep view: move a class threshold (re-classifying every run on screen).
    Threshold(crate::ui::sweep::Nudge),
    /// Mechanism view: a change of what it shows.
    Mechanism(super::mechanism::Change),
    /// Hide or show the compared run (`replay DIR DIR2`).
    ToggleCompared,
    /// Gallery view: move the selection, open the selected run.
    Gallery(super::gallery::Change),
    /// The trainer published a new snapshot.
    Snapshot(Arc<Snapshot>),
    /// A sweep pool reported (grid name, report).
    SweepEvent(String, Event),
    /// Training time of a grid's sweep so far (pauses excluded).
    SweepClock(String, Duration),
}

impl Action {
    /// A training-view key's action on the training run (its settings, pause, scrubbing,
    /// selected neuron): views of other runs (the sweeps, the gallery) answer it by saying
    /// where it acts.
    pub(super) fn acts_on_training_run(&self) -> bool {
        matches!(
            self,
            Action::TogglePause
                | Action::Restart
                | Action::Apply
                | Action::NextPreset
                | Action::PrevPreset
                | Action::Preset(_)
                | Action::SelectNext
                | Action::SelectPrev
                | Action::Increase
                | Action::Decrease
                | Action::Save
                | Action::ScrubBack
                | Action::ScrubForward
                | Action::NextNeuron
                | Action::PrevNeuron
                | Action::Seek(_)
        )
    }
}

/// What the app asks of the trainer.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    Pause,
    Resume,
    Restart(Box<Config>),
    /// Pause the run once it reaches `step` (at once if it is there), saying `say`; a
    /// restart forgets it. The gallery sends it after a restart: "retrained seed 3 to …".
    PauseAt {
        step: u64,
        say: String,
    },
    /// Save a checkpoint into this directory, named after the preset and the step.
    Save(PathBuf),
    Quit,
    /// For the event loop, not the trainer: train these runs of the grid (resuming the
    /// grid's pool if it is only paused), pausing every other grid's.
    RunSweep {
        grid: String,
        runs: Runs,
        every: u64,
        jobs: usize,
    },
    /// For the event loop: pause every sweep pool.
    PauseSweeps,
}

/// The sweep view's grids: the built-in ones, each started when first shown and kept (with
/// its progress) while another is shown.
pub struct Sweeps {
    /// Index into [`VIEW_GRIDS`].
    pub current: usize,
    pub states: Vec<Option<SweepState>>,
    /// Workers per sweep: all cores (the training run is paused meanwhile).
    pub jobs: usize,
}

impl Sweeps {
    fn new() -> Self {
        Sweeps {
            current: 0,
            states: VIEW_GRIDS.iter().map(|_| None).collect(),
            jobs: std::thread::available_parallelism().map_or(1, |n| n.get()),
        }
    }

    /// The grid on screen, if it has been shown.
    pub fn state(&self) -> Option<&SweepState> {
        self.states[self.current].as_ref()
    }

    pub fn name(&self) -> &'static str {
        VIEW_GRIDS[self.current]
    }

    /// A grid's state, if it has been shown.
    pub fn get(&self, grid: &str) -> Option<&SweepState> {
        let i = VIEW_GRIDS.iter().position(|&g| g == grid)?;
        self.states[i].as_ref()
    }

    fn by_name(&mut self, grid: &str) -> Option<&mut SweepState> {
        let i = VIEW_GRIDS.iter().position(|&g| g == grid)?;
        self.states[i].as_mut()
    }
}

/// The hyperparameters the settings panel edits; each is a field of the settings table
/// ([`crate::train::config::FIELDS`]) that the command line and grid files use too.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Setting {
    LearningRate,
    WeightDecay,
    Decay,
    Hidden,
    Embed,
    /// Modular tasks: the share of the pairs trained on.
    TrainFraction,
    /// Parity: the number of training sequences.
    TrainSize,
    Seed,
    Activation,
}

/// Every setting the panel can show.
pub const SETTINGS: [Setting; 9] = [
    Setting::LearningRate,
    Setting::WeightDecay,
    Setting::Decay,
    Setting::Hidden,
    Setting::Embed,
    Setting::TrainFraction,
    Setting::TrainSize,
    Setting::Seed,
    Setting::Activation,
];

/// 1-2-5 ladder used for rates: the next value up or down from `v`.
fn ladder(v: f64, up: bool, allow_zero: bool) -> f64 {
    const MIN: f64 = 1e-6;
    const MAX: f64 = 10.0;
    if v <= 0.0 {
        return if up { MIN } else { 0.0 };
    }
    let mut steps: Vec<f64> = Vec::new();
    for e in -6..=1 {
        for m in [1.0, 2.0, 5.0] {
            let x = m * 10f64.powi(e);
            if x <= MAX * 1.0001 {
                steps.push(x);
            }
        }
    }
    if up {
        steps
            .iter()
            .copied()
            .find(|&x| x > v * 1.0001)
            .unwrap_or(MAX)
    } else {
        match steps.iter().rev().copied().find(|&x| x < v * 0.9999) {
            Some(x) => x,
            None if allow_zero => 0.0,
            None => MIN,
        }
    }
}

/// Widths offered for hidden and embed sizes.
const WIDTHS: [usize; 22] = [
    1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 32, 48, 64, 96, 128, 192, 256, 384, 500, 512,
];

fn width_step(v: usize, up: bool) -> usize {
    if up {
        WIDTHS.iter().copied().find(|&w| w > v).unwrap_or(v)
    } else {
        WIDTHS.iter().rev().copied().find(|&w| w < v).unwrap_or(v)
    }
}

impl Setting {
    /// The panel's rows for a task: the training-set row is the train fraction for modular
    /// tasks and the train size for parity.
    pub fn panel(task: TaskKind) -> [Setting; 8] {
        let mut rows = [Setting::LearningRate; 8];
        let mut n = 0;
        for s in SETTINGS {
            if s.field().applies_to(task) || s == Setting::Embed {
                rows[n] = s;
                n += 1;
            }
        }
        debug_assert_eq!(n, 8, "every task shows eight settings");
        rows
    }

    /// The settings-table field behind this setting.
    pub fn field(self) -> &'static Field {
        let key = match self {
            Setting::LearningRate => "lr",
            Setting::WeightDecay => "weight_decay",
            Setting::Decay => "decay",
            Setting::Hidden => "hidden",
            Setting::Embed => "embed",
            Setting::TrainFraction => "train_frac",
            Setting::TrainSize => "n_train",
            Setting::Seed => "seed",
            Setting::Activation => "activation",
        };
        Field::by_key(key).expect("every setting is in the settings table")
    }

    pub fn label(self, _task: TaskKind) -> &'static str {
        match self {
            Setting::LearningRate => "learning rate",
            Setting::WeightDecay => "weight decay",
            Setting::Decay => "decay",
            Setting::Hidden => "hidden",
            Setting::Embed => "embed",
            Setting::TrainFraction => "train fraction",
            Setting::TrainSize => "train size",
            Setting::Seed => "seed",
            Setting::Activation => "activation",
        }
    }

    /// Short label for the compact (80-column) settings strip.
    pub fn short(self, _task: TaskKind) -> &'static str {
        match self {
            Setting::LearningRate => "lr",
            Setting::WeightDecay => "wd",
            Setting::Decay => "decay",
            Setting::Hidden => "hidden",
            Setting::Embed => "embed",
            Setting::TrainFraction => "train",
            Setting::TrainSize => "n train",
            Setting::Seed => "seed",
            Setting::Activation => "act",
        }
    }

    /// Whether the setting means anything for `cfg`: its task, and for embed a factored
    /// architecture (the collapsed model has no E to size; the fixed circle's is 2 wide).
    pub fn applies(self, cfg: &Config) -> bool {
        self.field().applies_to(cfg.task)
            && !(self == Setting::Embed && matches!(cfg.arch, Arch::Collapsed | Arch::FixedCircle))
    }

    /// The value as shown.
    pub fn value(self, cfg: &Config) -> String {
        if !self.applies(cfg) {
            return match (self, cfg.arch) {
                (Setting::Embed, Arch::FixedCircle) => "2 (fixed)".into(),
                _ => "n/a".into(),
            };
        }
        match self {
            Setting::LearningRate => fmt_rate(cfg.lr),
            Setting::WeightDecay => fmt_rate(cfg.weight_decay),
            Setting::Decay => match cfg.decay {
                Decay::L1 => "L1".into(),
                Decay::L2 => "L2".into(),
            },
            Setting::Hidden => cfg.hidden.to_string(),
            Setting::Embed => cfg.embed.to_string(),
            Setting::TrainFraction => format!("{:.2}", cfg.train_frac),
            Setting::TrainSize => cfg.n_train.to_string(),
            Setting::Seed => cfg.seed.to_string(),
            Setting::Activation => cfg.activation.name().into(),
        }
    }

    /// The value one step up or down from `cfg`'s.
    fn next(self, cfg: &Config, up: bool) -> Value {
        match self {
            Setting::LearningRate => Value::Number(ladder(cfg.lr, up, false)),
            Setting::WeightDecay => Value::Number(ladder(cfg.weight_decay, up, true)),
            Setting::Decay => Value::Word(
                match cfg.decay {
                    Decay::L1 => Decay::L2,
                    Decay::L2 => Decay::L1,
                }
                .name()
                .into(),
            ),
            Setting::Hidden => Value::Whole(width_step(cfg.hidden, up) as u64),
            Setting::Embed => Value::Whole(width_step(cfg.embed, up) as u64),
            Setting::TrainFraction => {
                let f = cfg.train_frac + if up { 0.05 } else { -0.05 };
                Value::Number(((f * 20.0).round() / 20.0).clamp(0.05, 0.95))
            }
            Setting::TrainSize => Value::Whole(if up {
                cfg.n_train.saturating_add(250) as u64
            } else {
                cfg.n_train.saturating_sub(250).max(250) as u64
            }),
            Setting::Seed => Value::Whole(if up {
                cfg.seed.saturating_add(1)
            } else {
                cfg.seed.saturating_sub(1)
            }),
            Setting::Activation => Value::Word(
                match cfg.activation {
                    Activation::Relu => Activation::Square,
                    Activation::Square => Activation::Relu,
                }
                .name()
                .into(),
            ),
        }
    }

    /// Step the value up or down in `cfg` through the settings table; a step that would make
    /// the settings invalid (too large to allocate, say) leaves `cfg` as it was and says why.
    pub fn step(self, cfg: &mut Config, up: bool) -> Result<(), String> {
        if !self.applies(cfg) {
            return Err(format!(
                "{} does not apply to {}",
                self.label(cfg.task),
                cfg.preset
            ));
        }
        let mut next = cfg.clone();
        self.field()
            .set(&mut next, self.next(cfg, up), self.label(cfg.task))
            .and_then(|()| next.validate())
            .map_err(|e| {
                format!(
                    "{} stays {}: {}",
                    self.label(cfg.task),
                    self.value(cfg),
                    e.to_string().trim_start_matches("invalid setting: ")
                )
            })?;
        *cfg = next;
        Ok(())
    }

    /// Step the value up or down in `cfg`, where the step is valid (see [`Setting::step`]).
    pub fn adjust(self, cfg: &mut Config, up: bool) {
        let _ = self.step(cfg, up);
    }
}

/// The dashboard's state.
pub struct App {
    pub snapshot: Arc<Snapshot>,
    /// The kernel training runs on, named in the help overlay (the live process's; the
    /// test harness fixes it, as it fixes the clock, so rendered frames do not depend on
    /// the host).
    pub kernel: &'static str,
    pub presets: Vec<Preset>,
    /// Index of the running preset in `presets`, if it is one of them.
    pub preset: usize,
    /// Settings being edited; applied with Enter.
    pub draft: Config,
    pub selected: usize,
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
    pub quit: bool,
    /// A notice in the footer: the last thing that happened.
    pub message: Option<String>,
    /// Where `s` saves checkpoints (the working directory unless set).
    pub save_dir: PathBuf,
    /// The view on screen.
    pub view: &'static View,
    pub sweeps: Sweeps,
    /// Whether leaving the sweep view resumes the training run (it was running on entry).
    pub resume_training: bool,
    /// What the mechanism view shows.
    pub mechanism: crate::ui::mechanism::Choice,
    /// The appendix view's parameters and constructions.
    pub appendix: super::appendix::Appendix,
    /// The user hid the compared run (`c`), if there is one.
    pub hide_compared: bool,
    /// The seed gallery's runs and selection.
    pub gallery: super::gallery::Gallery,
}

impl App {
    pub fn new(snapshot: Arc<Snapshot>) -> Self {
        let presets = presets::all();
        let preset = presets
            .iter()
            .position(|p| p.name == snapshot.config.preset)
            .unwrap_or(0);
        App {
            draft: snapshot.config.clone(),
            kernel: crate::train::Kernel::active().name(),
            snapshot,
            presets,
            preset,
            selected: 0,
            paused: false,
            scrub: None,
            neuron: 0,
            seek: Seek::default(),
            help: false,
            quit: false,
            message: None,
            save_dir: PathBuf::from("."),
            view: views::home(),
            sweeps: Sweeps::new(),
            resume_training: false,
            mechanism: Default::default(),
            appendix: Default::default(),
            hide_compared: false,
            gallery: Default::default(),
        }
    }

    /// Show the current grid: create its state when first shown, and (unless it is done or
    /// paused by the user) ask for its runs to train, every other grid pausing.
    fn show_sweep(&mut self) -> Vec<Command> {
        self.show_grid(self.sweeps.current)
    }

    /// Show grid `i` of [`VIEW_GRIDS`] (the sweep view's current one, or the gallery's):
    /// create its state when first shown, and (unless it is done or paused by the user) ask
    /// for its runs to train, every other grid pausing.
    pub(super) fn show_grid(&mut self, i: usize) -> Vec<Command> {
        let mut cmds = vec![Command::PauseSweeps];
        if self.sweeps.states[i].is_none() {
            match sweep::builtin(VIEW_GRIDS[i], self.sweeps.jobs) {
                Ok(mut st) => {
                    st.note =
                        "training run paused · not saved (sweep --watch --out FILE saves)".into();
                    self.sweeps.states[i] = Some(st);
                }
                Err(e) => {
                    self.message = Some(format!("cannot open {}: {e}", VIEW_GRIDS[i]));
                    return cmds;
                }
            }
        }
        if let Some(st) = self.sweeps.states[i].as_mut()
            && !st.paused
            && st.status() != SweepStatus::Finished
        {
            st.started = true;
            cmds.push(Command::RunSweep {
                grid: st.grid.clone(),
                runs: st.progress.todo(),
                every: st.every,
                jobs: st.jobs,
            });
        }
        cmds
    }

    /// Entering the sweep view: one thing trains at a time, so the training run pauses
    /// (and resumes on leaving, if it was running) and the grid on screen gets every core.
    pub(super) fn enter_sweep(&mut self) -> Vec<Command> {
        let mut cmds = Vec::new();
        if self.snapshot.status == Status::Running && !self.paused {
            self.resume_training = true;
            cmds.push(Command::Pause);
        }
        cmds.extend(self.show_sweep());
        cmds
    }

    pub(super) fn leave_sweep(&mut self) -> Vec<Command> {
        let mut cmds = vec![Command::PauseSweeps];
        if std::mem::take(&mut self.resume_training) {
            cmds.push(Command::Resume);
        }
        cmds
    }

    /// The sweep view's answer to an action; `None` when the action is the same in every
    /// view.
    pub(super) fn update_sweep_view(&mut self, action: &Action) -> Option<Vec<Command>> {
        let n = VIEW_GRIDS.len();
        Some(match action {
            Action::NextGrid | Action::PrevGrid => {
                let step = if matches!(action, Action::NextGrid) {
                    1
                } else {
                    n - 1
                };
                self.sweeps.current = (self.sweeps.current + step) % n;
                self.message = Some(format!("grid {}", self.sweeps.name()));
                self.show_sweep()
            }
            Action::PauseSweep => {
                let Some(st) = self.sweeps.states[self.sweeps.current].as_mut() else {
                    return Some(Vec::new());
                };
                if st.status() == SweepStatus::Finished {
                    self.message = Some("this sweep is finished: Tab shows the next grid".into());
                    return Some(Vec::new());
                }
                st.paused = !st.paused;
                if st.paused {
                    self.message = Some("sweep paused: space resumes".into());
                    vec![Command::PauseSweeps]
                } else {
                    self.message = None;
                    self.show_sweep()
                }
            }
            Action::PageBack | Action::PageForward => {
                if let Some(st) = self.sweeps.states[self.sweeps.current].as_mut() {
                    st.turn_page(matches!(action, Action::PageForward));
                }
                Vec::new()
            }
            Action::MoveCursor(m) => {
                if let Some(st) = self.sweeps.states[self.sweeps.current].as_mut() {
                    st.move_cursor(*m);
                }
                Vec::new()
            }
            Action::ToggleDrill => {
                if let Some(st) = self.sweeps.states[self.sweeps.current].as_mut() {
                    st.drill = !st.drill;
                }
                Vec::new()
            }
            Action::Threshold(n) => {
                if let Some(st) = self.sweeps.states[self.sweeps.current].as_mut() {
                    st.nudge(*n);
                    self.message = Some(st.threshold_note());
                }
                Vec::new()
            }
            a if a.acts_on_training_run() => {
                self.message = Some("that key acts on the training run: w shows it".into());
                Vec::new()
            }
            _ => return None,
        })
    }

    /// Show `view`: leave the one on screen, enter the new one.
    pub(super) fn show(&mut self, view: &'static View) -> Vec<Command> {
        if view == self.view {
            return Vec::new();
        }
        let mut cmds = (self.view.leave)(self);
        self.view = view;
        self.message = None;
        cmds.extend((view.enter)(self));
        cmds
    }

    pub fn setting(&self) -> Setting {
        Setting::panel(self.draft.task)[self.selected]
    }

    /// The running model's number of hidden neurons, once it has a frame.
    fn hidden(&self) -> Option<usize> {
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

    /// What the training view's panels draw from.
    pub fn ctx<'a>(&'a self, theme: &'a Theme, memo: &'a Memo) -> Ctx<'a> {
        Ctx {
            snapshot: &self.snapshot,
            frame: self.frame().map(|f| &**f),
            scrubbing: self.scrub.is_some(),
            paused: self.paused,
            neuron: self.neuron,
            mechanism: self.mechanism,
            playing: self.seek.playing.map(|_| self.seek.steps_per_s()),
            settings: self.settings_rows(),
            compare: (!self.hide_compared)
                .then(|| self.snapshot.compare.as_deref())
                .flatten(),
            theme,
            memo,
        }
    }

    /// The settings panel's rows for the current draft.
    fn settings_rows(&self) -> UiSettings {
        let running = &self.snapshot.config;
        UiSettings {
            rows: Setting::panel(self.draft.task)
                .iter()
                .map(|s| {
                    let value = s.value(&self.draft);
                    SettingRow {
                        label: s.label(self.draft.task),
                        short: s.short(self.draft.task),
                        edited: value != s.value(running),
                        value,
                    }
                })
                .collect(),
            selected: self.selected,
            preset: self.draft.preset.clone(),
            preset_index: (self.preset + 1, self.presets.len()),
        }
    }

    /// Whether the draft differs from the running settings.
    pub fn edited(&self) -> bool {
        self.draft != self.snapshot.config
    }

    fn switch_preset(&mut self, i: usize) -> Vec<Command> {
        if i >= self.presets.len() {
            return Vec::new();
        }
        self.preset = i;
        self.draft = self.presets[i].config.clone();
        self.message = Some(format!("preset {}", self.presets[i].name));
        self.restart_with_draft()
    }

    pub(super) fn restart_with_draft(&mut self) -> Vec<Command> {
        self.gallery.pause_at = None;
        self.scrub = None;
        self.seek.reset();
        self.paused = false;
        vec![Command::Restart(Box::new(self.draft.clone()))]
    }

    /// Apply one action; returns the commands for the trainer (and, for sweeps, the event
    /// loop).
    pub fn update(&mut self, action: Action) -> Vec<Command> {
        if let Some(cmds) = (self.view.update)(self, &action) {
            return cmds;
        }
        match action {
            Action::ToggleView(name) => match views::find(name) {
                Some(v) if v != self.view => self.show(v),
                Some(_) => self.show(views::home()),
                None => Vec::new(),
            },
            Action::Back => {
                if self.help {
                    self.help = false;
                    Vec::new()
                } else if self.view != views::home() {
                    self.show(views::home())
                } else {
                    self.update(Action::Quit)
                }
            }
            // The sweep view's own actions, elsewhere nothing.
            Action::NextGrid
            | Action::PrevGrid
            | Action::PauseSweep
            | Action::PageBack
            | Action::PageForward
            | Action::MoveCursor(_)
            | Action::ToggleDrill
            | Action::Threshold(_)
            | Action::Mechanism(_)
            | Action::Gallery(_)
            | Action::TakeModel => Vec::new(),
            Action::SweepEvent(grid, event) => {
                if let Some(st) = self.sweeps.by_name(&grid) {
                    st.apply(event);
                }
                Vec::new()
            }
            Action::SweepClock(grid, elapsed) => {
                if let Some(st) = self.sweeps.by_name(&grid) {
                    st.elapsed = elapsed;
                }
                Vec::new()
            }
            Action::Quit => {
                self.quit = true;
                vec![Command::Quit]
            }
            Action::ToggleHelp => {
                self.help = !self.help;
                Vec::new()
            }
            Action::ToggleCompared => {
                self.message = Some(match &self.snapshot.compare {
                    None => "no compared run: grokscope replay DIR DIR2 draws one".into(),
                    Some(c) => {
                        self.hide_compared = !self.hide_compared;
                        if self.hide_compared {
                            format!("{} hidden: c shows it", c.names.1)
                        } else {
                            format!("{} against {}", c.names.0, c.names.1)
                        }
                    }
                });
                Vec::new()
            }
            Action::TogglePause => {
                self.paused = !self.paused;
                if self.paused {
                    self.message = Some("paused: ←/→ scrub through the run".into());
                    vec![Command::Pause]
                } else {
                    self.scrub = None;
                    self.seek.reset();
                    self.message = None;
                    vec![Command::Resume]
                }
            }
            Action::Restart => {
                self.draft = self.snapshot.config.clone();
                self.message = Some("restarted".into());
                self.restart_with_draft()
            }
            Action::Apply => {
                self.message = Some(if self.edited() {
                    "restarted with the edited settings".into()
                } else {
                    "restarted".into()
                });
                self.restart_with_draft()
            }
            Action::NextPreset => self.switch_preset((self.preset + 1) % self.presets.len()),
            Action::PrevPreset => {
                let n = self.presets.len();
                self.switch_preset((self.preset + n - 1) % n)
            }
            Action::Preset(i) => self.switch_preset(i),
            Action::SelectNext => {
                let n = Setting::panel(self.draft.task).len();
                self.selected = (self.selected + 1) % n;
                Vec::new()
            }
            Action::SelectPrev => {
                let n = Setting::panel(self.draft.task).len();
                self.selected = (self.selected + n - 1) % n;
                Vec::new()
            }
            Action::Increase | Action::Decrease => {
                let s = self.setting();
                self.message = Some(
                    match s.step(&mut self.draft, matches!(action, Action::Increase)) {
                        Ok(()) => format!(
                            "{} → {}: Enter restarts with it",
                            s.label(self.draft.task),
                            s.value(&self.draft)
                        ),
                        Err(why) => why,
                    },
                );
                Vec::new()
            }
            Action::Save => vec![Command::Save(self.save_dir.clone())],
            Action::NextNeuron | Action::PrevNeuron => {
                if let Some(h) = self.hidden() {
                    self.neuron = if matches!(action, Action::NextNeuron) {
                        (self.neuron + 1) % h
                    } else {
                        (self.neuron + h - 1) % h
                    };
                    self.message = Some(format!("neuron {} of {h} selected", self.neuron));
                }
                Vec::new()
            }
            Action::ScrubBack | Action::ScrubForward => {
                self.scrub_step(matches!(action, Action::ScrubForward))
            }
            Action::Seek(s) => self.seek(s),
            Action::Tick(now) => {
                self.tick(now);
                Vec::new()
            }
            Action::Snapshot(snap) => {
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
                // Frames are only appended (or thinned when full): keep the scrubbed step.
                if let Some(i) = self.scrub {
                    let step = self.snapshot.frames.get(i).map(|f| f.step());
                    self.scrub =
                        step.and_then(|st| snap.frames.iter().position(|f| f.step() == st));
                }
                if new_run {
                    self.paused = matches!(snap.status, Status::Paused);
                }
                self.gallery_snapshot(&snap.status, snap.step);
                self.snapshot = snap;
                if let Some(h) = self.hidden() {
                    self.neuron = self.neuron.min(h - 1);
                }
                Vec::new()
            }
        }
    }
}
