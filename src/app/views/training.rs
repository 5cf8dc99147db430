//! The training view, the home view: the run's charts, weights and settings. It owns the
//! settings panel (which row is selected, the table of settings it edits) and answers the
//! keys that act on the training run — pause, restart, presets, settings, save, scrubbing —
//! in every view that does not answer them itself. What the panels show (the settings
//! panel's rows, the neuron, zoom, band, compared run and heatmap keys) is its `display`.
use super::super::action::{Action, Command, Scrub, TourChange};
use super::super::keys::{
    Binding, DIGITS, Key, PAGE_KEYS, PLUS_MINUS, bind, ctrl_quit, digit, help_key, pause_key,
    quit_or_back, scrub_keys, select_keys,
};
use super::super::shared::Shared;
use super::scrub;
use crate::train::fields::{Field, Value};
use crate::train::{Activation, Arch, Config, Decay, TaskKind};
use crate::ui::fmt_rate;
use crate::ui::heatmap::Focus;
use crossterm::event::KeyCode;

mod display;
pub use display::settings_rows;

/// The training view's own state: the settings panel's selected row, and which maps the
/// heatmap draws.
#[derive(Debug, Default)]
pub struct Training {
    pub selected: usize,
    pub heat_focus: Focus,
    /// The dashboard shows a kept run (`grokscope replay DIR`): nothing trains.
    pub replay: bool,
    /// The run on screen is a parity run (the mechanism view draws modular models).
    pub parity: bool,
}

/// A hyperparameter the settings panel edits: a field of the settings table
/// (`crate::train::fields::FIELDS`, which the command line and grid files use too), its
/// labels, how it is shown and how a key press steps it.
pub struct Setting {
    /// The field's key in the settings table.
    pub key: &'static str,
    pub label: &'static str,
    /// For the compact (80-column) settings strip.
    pub short: &'static str,
    /// The value as shown, where it applies.
    show: fn(&Config) -> String,
    /// The value one step up (`true`) or down from the config's.
    next: fn(&Config, bool) -> Value,
}

impl PartialEq for Setting {
    fn eq(&self, other: &Setting) -> bool {
        self.key == other.key
    }
}

impl std::fmt::Debug for Setting {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "Setting({})", self.key)
    }
}

/// Every setting the panel can show, in its order.
pub static SETTINGS: [Setting; 9] = [
    Setting {
        key: "lr",
        label: "learning rate",
        short: "lr",
        show: |c| fmt_rate(c.lr),
        next: |c, up| Value::Number(ladder(c.lr, up, false)),
    },
    Setting {
        key: "weight_decay",
        label: "weight decay",
        short: "wd",
        show: |c| fmt_rate(c.weight_decay),
        next: |c, up| Value::Number(ladder(c.weight_decay, up, true)),
    },
    Setting {
        key: "decay",
        label: "decay",
        short: "decay",
        show: |c| c.decay.name().to_uppercase(),
        next: |c, _| Value::Word(other_decay(c.decay).name().into()),
    },
    Setting {
        key: "hidden",
        label: "hidden",
        short: "hidden",
        show: |c| c.hidden.to_string(),
        next: |c, up| Value::Whole(width_step(c.hidden, up) as u64),
    },
    Setting {
        key: "embed",
        label: "embed",
        short: "embed",
        show: |c| c.embed.to_string(),
        next: |c, up| Value::Whole(width_step(c.embed, up) as u64),
    },
    Setting {
        key: "train_frac",
        label: "train fraction",
        short: "train",
        show: |c| format!("{:.2}", c.train_frac),
        next: |c, up| {
            let f = c.train_frac + if up { 0.05 } else { -0.05 };
            Value::Number(((f * 20.0).round() / 20.0).clamp(0.05, 0.95))
        },
    },
    Setting {
        key: "n_train",
        label: "train size",
        short: "n train",
        show: |c| c.n_train.to_string(),
        next: |c, up| {
            Value::Whole(if up {
                c.n_train.saturating_add(250)
            } else {
                c.n_train.saturating_sub(250).max(250)
            } as u64)
        },
    },
    Setting {
        key: "seed",
        label: "seed",
        short: "seed",
        show: |c| c.seed.to_string(),
        next: |c, up| {
            Value::Whole(if up {
                c.seed.saturating_add(1)
            } else {
                c.seed.saturating_sub(1)
            })
        },
    },
    Setting {
        key: "activation",
        label: "activation",
        short: "act",
        show: |c| c.activation.name().into(),
        next: |c, _| {
            Value::Word(
                match c.activation {
                    Activation::Relu => Activation::Square,
                    Activation::Square => Activation::Relu,
                }
                .name()
                .into(),
            )
        },
    },
];

fn other_decay(d: Decay) -> Decay {
    match d {
        Decay::L1 => Decay::L2,
        Decay::L2 => Decay::L1,
    }
}

/// 1-2-5 ladder used for rates: the next value up or down from `v`.
fn ladder(v: f64, up: bool, allow_zero: bool) -> f64 {
    const MIN: f64 = 1e-6;
    const MAX: f64 = 10.0;
    if v <= 0.0 {
        return if up { MIN } else { 0.0 };
    }
    let mut steps = (-6..=1)
        .flat_map(|e| [1.0, 2.0, 5.0].map(|m| m * 10f64.powi(e)))
        .filter(|&x| x <= MAX * 1.0001);
    if up {
        steps.clone().find(|&x| x > v * 1.0001).unwrap_or(MAX)
    } else {
        match steps.rfind(|&x| x < v * 0.9999) {
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

/// The setting whose settings-table key is `key`.
pub fn setting(key: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|s| s.key == key)
}

/// The panel's rows for a task: the training-set row is the train fraction for modular
/// tasks and the train size for parity.
pub fn panel(task: TaskKind) -> Vec<&'static Setting> {
    SETTINGS
        .iter()
        .filter(|s| s.field().applies_to(task) || s.key == "embed")
        .collect()
}

impl Setting {
    /// The settings-table field behind this setting.
    pub fn field(&self) -> &'static Field {
        Field::by_key(self.key).expect("every setting is in the settings table")
    }

    /// Whether the setting means anything for `cfg`: its task, and for embed a factored
    /// architecture (the collapsed model has no E to size; the fixed circle's is 2 wide).
    pub fn applies(&self, cfg: &Config) -> bool {
        self.field().applies_to(cfg.task)
            && !(self.key == "embed" && matches!(cfg.arch, Arch::Collapsed | Arch::FixedCircle))
    }

    /// The value as shown.
    pub fn value(&self, cfg: &Config) -> String {
        match (self.applies(cfg), self.key, cfg.arch) {
            (true, ..) => (self.show)(cfg),
            (false, "embed", Arch::FixedCircle) => "2 (fixed)".into(),
            (false, ..) => "n/a".into(),
        }
    }

    /// Step the value up or down in `cfg` through the settings table; a step that would make
    /// the settings invalid (too large to allocate, say) leaves `cfg` as it was and says why.
    pub fn step(&self, cfg: &mut Config, up: bool) -> Result<(), String> {
        if !self.applies(cfg) {
            return Err(format!("{} does not apply to {}", self.label, cfg.preset));
        }
        let mut next = cfg.clone();
        self.field()
            .set(&mut next, (self.next)(cfg, up), self.label)
            .and_then(|()| next.validate())
            .map_err(|e| {
                format!(
                    "{} stays {}: {}",
                    self.label,
                    self.value(cfg),
                    e.to_string().trim_start_matches("invalid setting: ")
                )
            })?;
        *cfg = next;
        Ok(())
    }

    /// Step the value up or down in `cfg`, where the step is valid (see [`Setting::step`]).
    pub fn adjust(&self, cfg: &mut Config, up: bool) {
        let _ = self.step(cfg, up);
    }
}

impl Training {
    /// The selected setting.
    pub fn setting(&self, shared: &Shared) -> &'static Setting {
        let rows = panel(shared.draft.task);
        rows[self.selected.min(rows.len() - 1)]
    }

    /// The training run's actions: this view's, and every other view's that does not
    /// answer them itself (the home view's keys work everywhere).
    pub fn update(&mut self, s: &mut Shared, action: &Action) -> Vec<Command> {
        match action {
            Action::SelectNext | Action::SelectPrev => {
                let n = panel(s.draft.task).len();
                let up = matches!(action, Action::SelectPrev);
                self.selected = (self.selected + if up { n - 1 } else { 1 }) % n;
                Vec::new()
            }
            Action::Increase | Action::Decrease => {
                let setting = self.setting(s);
                s.message = Some(
                    match setting.step(&mut s.draft, matches!(action, Action::Increase)) {
                        Ok(()) => format!(
                            "{} → {}: Enter restarts with it",
                            setting.label,
                            setting.value(&s.draft)
                        ),
                        Err(why) => why,
                    },
                );
                Vec::new()
            }
            Action::ScrubBack | Action::ScrubForward => {
                scrub::scrub_step(s, matches!(action, Action::ScrubForward))
            }
            Action::Seek(to) => scrub::seek(s, *to),
            _ => run_control(s, action).unwrap_or_else(|| {
                display::update(&mut self.heat_focus, s, action);
                Vec::new()
            }),
        }
    }
}

/// Pause, restart, presets and save; `None` for another action.
fn run_control(s: &mut Shared, action: &Action) -> Option<Vec<Command>> {
    Some(match action {
        Action::TogglePause => {
            s.paused = !s.paused;
            if s.paused {
                s.message = Some("paused: ←/→ scrub through the run".into());
                vec![Command::Pause]
            } else {
                s.scrub = None;
                s.seek.reset();
                s.message = None;
                vec![Command::Resume]
            }
        }
        Action::Restart => {
            s.draft = s.snapshot.config.clone();
            s.message = Some("restarted".into());
            restart(s)
        }
        Action::Apply => {
            s.message = Some(if s.edited() {
                "restarted with the edited settings".into()
            } else {
                "restarted".into()
            });
            restart(s)
        }
        Action::NextPreset => switch_preset(s, (s.preset + 1) % s.presets.len()),
        Action::PrevPreset => {
            let n = s.presets.len();
            switch_preset(s, (s.preset + n - 1) % n)
        }
        Action::Preset(i) => switch_preset(s, *i),
        Action::Save => vec![Command::Save(s.save_dir.clone())],
        _ => return None,
    })
}

/// Restart the training run with the draft: scrubbing, a replay and a retrain's pause are
/// forgotten (the gallery's Enter restarts through here too).
pub fn restart(s: &mut Shared) -> Vec<Command> {
    s.pause_at = None;
    s.scrub = None;
    s.seek.reset();
    s.paused = false;
    vec![Command::Restart(Box::new(s.draft.clone()))]
}

fn switch_preset(s: &mut Shared, i: usize) -> Vec<Command> {
    if i >= s.presets.len() {
        return Vec::new();
    }
    s.preset = i;
    s.draft = s.presets[i].config.clone();
    s.message = Some(format!("preset {}", s.presets[i].name));
    restart(s)
}

/// Whether a row of the training view applies: the keys that train (restart, presets,
/// settings, save) do not in a replay, which answers them with [`super::super::replay`]'s row.
fn trains(t: &Training) -> bool {
    !t.replay
}

/// A row that applies only where the run trains (not in a replay).
const fn training_only(row: Binding<Training>) -> Binding<Training> {
    Binding {
        applies: trains,
        ..row
    }
}

/// The training view: the run, its charts, weights and settings. The footer lists the keys
/// that leave for another view (m, x, G, w) early, so they show at 80 columns; the settings'
/// keys last (the settings panel names them at 120×40).
pub static KEYS: [Binding<Training>; 27] = [
    bind(
        &[Key::char('q'), Key::code(KeyCode::Esc)],
        quit_or_back,
        "q / Esc",
        "q quits · Esc goes back, never quits",
        Some(("q", "quit")),
    ),
    pause_key(),
    Binding {
        applies: |t: &Training| !t.parity,
        ..bind(
            &[Key::char('m')],
            |_| Action::ToggleView("mechanism"),
            "m",
            "mechanism view: waves, stars, logit waves, DFT",
            Some(("m", "mechanism")),
        )
    },
    Binding {
        applies: |t: &Training| t.parity,
        ..bind(
            &[Key::char('m')],
            |_| {
                Action::NotHere(
                    "the mechanism view draws the modular models; the weights panel shows \
                     parity's digits",
                )
            },
            "m",
            "(the mechanism view draws modular models only)",
            None,
        )
    },
    bind(
        &[Key::char('x')],
        |_| Action::ToggleView("appendix"),
        "x",
        "appendix view: the circle built by hand",
        Some(("x", "appendix")),
    ),
    bind(
        &[Key::char('G')],
        |_| Action::ToggleView("gallery"),
        "G",
        "gallery view: the seed sweep as small loss charts",
        Some(("G", "gallery")),
    ),
    bind(
        &[Key::char('w')],
        |_| Action::ToggleView("sweep"),
        "w",
        "sweep view: a grid's phase diagram, filling in live",
        Some(("w", "sweep")),
    ),
    training_only(bind(
        &[Key::char('r')],
        |_| Action::Restart,
        "r",
        "restart the run with its settings",
        Some(("r", "restart")),
    )),
    training_only(bind(
        &[Key::code(KeyCode::Tab), Key::code(KeyCode::BackTab)],
        |k| match k.code {
            KeyCode::BackTab => Action::PrevPreset,
            _ => Action::NextPreset,
        },
        "Tab / Shift-Tab",
        "next / previous preset",
        Some(("Tab/1-9", "preset")),
    )),
    training_only(bind(
        &DIGITS,
        digit,
        "1 … 9",
        "switch to preset 1 … 9",
        None,
    )),
    training_only(bind(
        &[Key::char('s')],
        |_| Action::Save,
        "s",
        "save a checkpoint: grokscope-PRESET-stepN.safetensors",
        Some(("s", "save")),
    )),
    super::super::replay::refused(|t: &Training| t.replay),
    scrub_keys("scrub (pauses training; faster while held)"),
    select_keys("select a hyperparameter"),
    // h and l are not − and + here: in the sweep and gallery views they move left and right.
    training_only(bind(
        &PLUS_MINUS,
        |k| match k.code {
            KeyCode::Char('-' | '_') => Action::Decrease,
            _ => Action::Increase,
        },
        "+ -",
        "change it (not applied yet)",
        Some(("+-", "change")),
    )),
    training_only(bind(
        &[Key::code(KeyCode::Enter)],
        |_| Action::Apply,
        "Enter",
        "restart with the changed settings",
        Some(("⏎", "apply")),
    )),
    bind(
        &[Key::char('c')],
        |_| Action::ToggleCompared,
        "c",
        "hide / show the compared run (replay DIR DIR2)",
        None,
    ),
    bind(
        &[Key::char('['), Key::char(']')],
        |k| match k.code {
            KeyCode::Char('[') => Action::PrevNeuron,
            _ => Action::NextNeuron,
        },
        "[ ]",
        "select the previous / next neuron (highlighted)",
        None,
    ),
    bind(
        &[Key::char('v')],
        |_| Action::HeatFocus,
        "v",
        "heatmap: both maps, W_input whole, W_output whole",
        None,
    ),
    bind(
        &[Key::char('z')],
        |_| Action::ToggleZoom,
        "z",
        "zoom loss and accuracy on the cursor's steps, or not",
        None,
    ),
    bind(
        &[Key::char('b')],
        |_| Action::ToggleBand,
        "b",
        "the article's 450 runs behind the loss (mod-add)",
        None,
    ),
    bind(
        &PAGE_KEYS,
        |k| {
            Action::Seek(match k.code {
                KeyCode::PageUp => Scrub::PageBack,
                KeyCode::PageDown => Scrub::PageForward,
                KeyCode::Home => Scrub::Start,
                _ => Scrub::End,
            })
        },
        "PgUp/Dn Home/End",
        "jump 10 % back / forward, to the start / the latest",
        None,
    ),
    bind(
        &[Key::char('g')],
        |_| Action::Seek(Scrub::Type),
        "g",
        "go to a step: type it, Enter (Esc cancels)",
        None,
    ),
    bind(
        &[Key::char('p'), Key::char('<'), Key::char('>')],
        |k| {
            Action::Seek(match k.code {
                KeyCode::Char('<') => Scrub::Slower,
                KeyCode::Char('>') => Scrub::Faster,
                _ => Scrub::Play,
            })
        },
        "p / < >",
        "replay from the step on screen; slower / faster",
        None,
    ),
    help_key(Some(("?", "help"))),
    bind(
        &[Key::char('t')],
        |_| Action::Tour(TourChange::Open),
        "t",
        "the tour: the story of grokking, chapter by chapter",
        Some(("t", "tour")),
    ),
    ctrl_quit(),
];
