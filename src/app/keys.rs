//! Key tables, one per view (gitui's `commands()` pattern): each entry names its keys, the
//! action they do, the footer's short label, the help text and whether it applies now. The
//! key dispatch, the footer and the `?` help overlay are all generated from these tables.

use super::gallery::Change as GalleryChange;
use super::mechanism::Change;
use super::seek::Scrub;
use super::state::{Action, App};
use super::watch::Watch;
use crate::ui::sweep::{Move, Nudge};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// A key as the tables name it: its code, and whether Ctrl is held (Shift is part of the
/// code: `BackTab`, `'+'`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

impl Key {
    pub const fn char(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            ctrl: false,
        }
    }
    pub const fn code(code: KeyCode) -> Key {
        Key { code, ctrl: false }
    }
    pub const fn ctrl(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            ctrl: true,
        }
    }

    /// The key of a press or repeat; `None` for a release.
    pub fn of(ev: KeyEvent) -> Option<Key> {
        (ev.kind != KeyEventKind::Release).then(|| Key {
            code: ev.code,
            ctrl: ev.modifiers.contains(KeyModifiers::CONTROL),
        })
    }

    /// The event a terminal sends for this key (tests press every key of every table).
    pub fn event(self) -> KeyEvent {
        let m = if self.ctrl {
            KeyModifiers::CONTROL
        } else {
            KeyModifiers::NONE
        };
        KeyEvent::new(self.code, m)
    }
}

/// One entry of a view's key table, over the state `S` that decides whether it applies.
pub struct Binding<S> {
    pub keys: &'static [Key],
    /// The action of each of `keys`.
    pub action: fn(Key) -> Action,
    /// The keys as the help names them: "↑ ↓ / k j".
    pub help_keys: &'static str,
    pub help: &'static str,
    /// The footer's entry (keys, label), if the footer lists it.
    pub footer: Option<(&'static str, &'static str)>,
    /// Whether it applies now: one that does not does nothing and is left out of the footer
    /// and the help.
    pub applies: fn(&S) -> bool,
}

fn always<S>(_: &S) -> bool {
    true
}

/// The action of `key` in `table`, if an entry that applies binds it.
pub fn lookup<S>(table: &[Binding<S>], s: &S, key: Key) -> Option<Action> {
    table
        .iter()
        .find(|b| b.keys.contains(&key) && (b.applies)(s))
        .map(|b| (b.action)(key))
}

/// The footer's entries, in table order.
pub fn footer<S>(table: &[Binding<S>], s: &S) -> Vec<(&'static str, &'static str)> {
    table
        .iter()
        .filter(|b| (b.applies)(s))
        .filter_map(|b| b.footer)
        .collect()
}

/// The help overlay's rows (keys, what they do), in table order.
pub fn help<S>(table: &[Binding<S>], s: &S) -> Vec<(&'static str, &'static str)> {
    table
        .iter()
        .filter(|b| (b.applies)(s))
        .map(|b| (b.help_keys, b.help))
        .collect()
}

const fn bind<S>(
    keys: &'static [Key],
    action: fn(Key) -> Action,
    help_keys: &'static str,
    help: &'static str,
    footer: Option<(&'static str, &'static str)>,
) -> Binding<S> {
    Binding {
        keys,
        action,
        help_keys,
        help,
        footer,
        applies: always::<S>,
    }
}

/// Ctrl-C and Ctrl-D quit in every view.
const CTRL_QUIT: [Key; 2] = [Key::ctrl('c'), Key::ctrl('d')];

const fn ctrl_quit<S>() -> Binding<S> {
    bind(&CTRL_QUIT, |_| Action::Quit, "Ctrl-C", "quit", None)
}

const QUIT_KEY: [Key; 1] = [Key::char('q')];

/// `q` quits from the views where Esc only goes back.
const fn quit_key<S>() -> Binding<S> {
    bind(
        &QUIT_KEY,
        |_| Action::Quit,
        "q",
        "quit",
        Some(("q", "quit")),
    )
}

const HELP_KEY: [Key; 1] = [Key::char('?')];

/// `?` opens and closes the help in every view; `footer`: its footer entry, if any.
const fn help_key<S>(footer: Option<(&'static str, &'static str)>) -> Binding<S> {
    bind(
        &HELP_KEY,
        |_| Action::ToggleHelp,
        "?",
        "show / hide this help",
        footer,
    )
}

const DIGITS: [Key; 9] = [
    Key::char('1'),
    Key::char('2'),
    Key::char('3'),
    Key::char('4'),
    Key::char('5'),
    Key::char('6'),
    Key::char('7'),
    Key::char('8'),
    Key::char('9'),
];

fn digit(k: Key) -> Action {
    match k.code {
        KeyCode::Char(c @ '1'..='9') => Action::Preset(c as usize - '1' as usize),
        _ => Action::Preset(0),
    }
}

/// ↑ ↓ / k j: the previous / next row of a view's list (hyperparameters, the appendix's
/// parameters).
const SELECT_KEYS: [Key; 4] = [
    Key::code(KeyCode::Up),
    Key::code(KeyCode::Down),
    Key::char('k'),
    Key::char('j'),
];

fn select(k: Key) -> Action {
    match k.code {
        KeyCode::Up | KeyCode::Char('k') => Action::SelectPrev,
        _ => Action::SelectNext,
    }
}

/// Esc steps back (closes the help, leaves a view, else quits); the other key quits.
fn quit_or_back(k: Key) -> Action {
    if k.code == KeyCode::Esc {
        Action::Back
    } else {
        Action::Quit
    }
}

/// The training view: the run, its charts, weights and settings.
pub static TRAINING: [Binding<App>; 21] = [
    bind(
        &[Key::char('q'), Key::code(KeyCode::Esc)],
        quit_or_back,
        "q / Esc",
        "quit (Esc closes this help, or leaves the sweep view)",
        Some(("q", "quit")),
    ),
    bind(
        &[Key::char(' ')],
        |_| Action::TogglePause,
        "space",
        "pause / resume training",
        Some(("space", "pause")),
    ),
    bind(
        &[Key::char('w')],
        |_| Action::ToggleView("sweep"),
        "w",
        "sweep view: a grid's phase diagram, filling in live",
        Some(("w", "sweep")),
    ),
    bind(
        &[Key::char('m')],
        |_| Action::ToggleView("mechanism"),
        "m",
        "mechanism view: waves, stars, logit waves, DFT",
        None,
    ),
    bind(
        &[Key::char('r')],
        |_| Action::Restart,
        "r",
        "restart the run with its settings",
        Some(("r", "restart")),
    ),
    bind(
        &[Key::code(KeyCode::Tab), Key::code(KeyCode::BackTab)],
        |k| match k.code {
            KeyCode::BackTab => Action::PrevPreset,
            _ => Action::NextPreset,
        },
        "Tab / Shift-Tab",
        "next / previous preset",
        Some(("Tab/1-9", "preset")),
    ),
    bind(&DIGITS, digit, "1 … 9", "switch to preset 1 … 9", None),
    bind(
        &SELECT_KEYS,
        select,
        "↑ ↓ / k j",
        "select a hyperparameter",
        Some(("↑↓", "select")),
    ),
    bind(
        &[
            Key::char('+'),
            Key::char('='),
            Key::char('l'),
            Key::char('-'),
            Key::char('_'),
            Key::char('h'),
        ],
        |k| match k.code {
            KeyCode::Char('-' | '_' | 'h') => Action::Decrease,
            _ => Action::Increase,
        },
        "+ - / l h",
        "change it (not applied yet)",
        Some(("+-", "change")),
    ),
    bind(
        &[Key::code(KeyCode::Enter)],
        |_| Action::Apply,
        "Enter",
        "restart with the changed settings",
        Some(("⏎", "apply")),
    ),
    bind(
        &[Key::char('s')],
        |_| Action::Save,
        "s",
        "save a checkpoint: grokscope-PRESET-stepN.grok",
        Some(("s", "save")),
    ),
    bind(
        &[Key::code(KeyCode::Left), Key::code(KeyCode::Right)],
        |k| match k.code {
            KeyCode::Left => Action::ScrubBack,
            _ => Action::ScrubForward,
        },
        "← →",
        "scrub (pauses training; faster while held)",
        Some(("←→", "scrub")),
    ),
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
        &[Key::char('x')],
        |_| Action::ToggleView("appendix"),
        "x",
        "appendix view: the circle built by hand",
        None,
    ),
    bind(
        &[Key::char('G')],
        |_| Action::ToggleView("gallery"),
        "G",
        "gallery view: the seed sweep as small loss charts",
        None,
    ),
    bind(
        &[
            Key::code(KeyCode::PageUp),
            Key::code(KeyCode::PageDown),
            Key::code(KeyCode::Home),
            Key::code(KeyCode::End),
        ],
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
    ctrl_quit(),
];

/// The mechanism view: how the model on screen computes. The training keys it does not bind
/// (pause, scrub, restart, presets, the selected neuron) act as in the training view.
pub static MECHANISM: [Binding<App>; 11] = [
    bind(
        &[Key::char('m'), Key::code(KeyCode::Esc)],
        |k| match k.code {
            KeyCode::Esc => Action::Back,
            _ => Action::ToggleView("mechanism"),
        },
        "m / Esc",
        "back to the training view",
        Some(("m", "training view")),
    ),
    bind(
        &[Key::char('a'), Key::char('A')],
        |k| Action::Mechanism(Change::A(k.code == KeyCode::Char('a'))),
        "a / A",
        "next / previous a of the pair drawn",
        Some(("a/A b/B", "pair")),
    ),
    bind(
        &[Key::char('b'), Key::char('B')],
        |k| Action::Mechanism(Change::B(k.code == KeyCode::Char('b'))),
        "b / B",
        "next / previous b",
        None,
    ),
    bind(
        &[Key::char('o')],
        |_| Action::Mechanism(Change::Output),
        "o",
        "W_output / W_input (waves; stars, DFT if one fits)",
        Some(("o", "W_in/W_out")),
    ),
    bind(
        &[Key::char('u')],
        |_| Action::Mechanism(Change::Unwrap),
        "u",
        "unwrapped waves: against k·a mod P",
        Some(("u", "unwrap")),
    ),
    bind(
        &[Key::char('f'), Key::char('F')],
        |k| Action::Mechanism(Change::Page(k.code == KeyCode::Char('f'))),
        "f / F",
        "next / previous page (below 120×40)",
        Some(("f", "page")),
    ),
    bind(
        &[Key::char(' ')],
        |_| Action::TogglePause,
        "space",
        "pause / resume training",
        Some(("space", "pause")),
    ),
    bind(
        &[Key::code(KeyCode::Left), Key::code(KeyCode::Right)],
        |k| match k.code {
            KeyCode::Left => Action::ScrubBack,
            _ => Action::ScrubForward,
        },
        "← →",
        "when paused: scrub back through the run",
        Some(("←→", "scrub")),
    ),
    help_key(Some(("?", "help"))),
    quit_key(),
    ctrl_quit(),
];

/// The appendix view: the hand-built circle's parameters.
pub static APPENDIX: [Binding<App>; 7] = [
    bind(
        &[Key::char('x'), Key::code(KeyCode::Esc)],
        |k| match k.code {
            KeyCode::Esc => Action::Back,
            _ => Action::ToggleView("appendix"),
        },
        "x / Esc",
        "back to the training view",
        Some(("x", "training view")),
    ),
    bind(
        &SELECT_KEYS,
        select,
        "↑ ↓ / k j",
        "select a parameter: M, N, activation, a, b",
        Some(("↑↓", "select")),
    ),
    bind(
        &[
            Key::char('+'),
            Key::char('='),
            Key::code(KeyCode::Right),
            Key::char('-'),
            Key::char('_'),
            Key::code(KeyCode::Left),
        ],
        |k| match k.code {
            KeyCode::Char('-' | '_') | KeyCode::Left => Action::Decrease,
            _ => Action::Increase,
        },
        "+ - / ← →",
        "change it (M 2…500, N 1…64; a, b wrap)",
        Some(("+- ←→", "change")),
    ),
    bind(
        &[Key::char('t')],
        |_| Action::TakeModel,
        "t",
        "take M and N from the run's next frequency group",
        Some(("t", "take from run")),
    ),
    help_key(Some(("?", "help"))),
    quit_key(),
    ctrl_quit(),
];

/// The cursor over the diagram's cells (or the listed runs) and the drill-down, in the
/// dashboard's sweep view and `sweep --watch`.
fn cursor(k: Key) -> Action {
    Action::MoveCursor(match k.code {
        KeyCode::Left | KeyCode::Char('h') => Move::Left,
        KeyCode::Right | KeyCode::Char('l') => Move::Right,
        KeyCode::Up | KeyCode::Char('k') => Move::Up,
        _ => Move::Down,
    })
}

const CURSOR_KEYS: [Key; 8] = [
    Key::code(KeyCode::Left),
    Key::code(KeyCode::Right),
    Key::code(KeyCode::Up),
    Key::code(KeyCode::Down),
    Key::char('h'),
    Key::char('l'),
    Key::char('k'),
    Key::char('j'),
];

const fn cursor_keys<S>() -> Binding<S> {
    bind(
        &CURSOR_KEYS,
        cursor,
        "←→↑↓ / h l k j",
        "move the cursor over cells (← → cross panels) or runs",
        Some(("←→↑↓", "cell")),
    )
}

const ENTER: [Key; 1] = [Key::code(KeyCode::Enter)];

const fn drill_key<S>() -> Binding<S> {
    bind(
        &ENTER,
        |_| Action::ToggleDrill,
        "Enter",
        "open / close the drill-down (the cell's loss curves)",
        Some(("⏎", "drill-down")),
    )
}

/// The class thresholds, as the article's two sliders: t T the min loss, r R the
/// test/train ratio, 0 both back.
fn threshold(k: Key) -> Action {
    Action::Threshold(match k.code {
        KeyCode::Char('t') => Nudge::FitDown,
        KeyCode::Char('T') => Nudge::FitUp,
        KeyCode::Char('r') => Nudge::RatioDown,
        KeyCode::Char('R') => Nudge::RatioUp,
        _ => Nudge::Reset,
    })
}

const FIT_KEYS: [Key; 2] = [Key::char('t'), Key::char('T')];
const RATIO_KEYS: [Key; 2] = [Key::char('r'), Key::char('R')];
const RESET_KEYS: [Key; 1] = [Key::char('0')];

const fn fit_keys<S>() -> Binding<S> {
    bind(
        &FIT_KEYS,
        threshold,
        "t / T",
        "min-loss threshold down / up ×√10 (1e-8 … 1)",
        Some(("t/T r/R", "thresholds")),
    )
}

const fn ratio_keys<S>() -> Binding<S> {
    bind(
        &RATIO_KEYS,
        threshold,
        "r / R",
        "test/train-ratio threshold down / up ×√10 (1 … 1e8)",
        None,
    )
}

const fn reset_key<S>() -> Binding<S> {
    bind(
        &RESET_KEYS,
        threshold,
        "0",
        "thresholds back to the article's (1e-5, 5e4)",
        None,
    )
}

/// The dashboard's sweep view: the built-in grids' phase diagrams, filling in live.
pub static SWEEP: [Binding<App>; 11] = [
    bind(
        &[Key::char('w'), Key::code(KeyCode::Esc)],
        |k| match k.code {
            KeyCode::Esc => Action::Back,
            _ => Action::ToggleView("sweep"),
        },
        "w / Esc",
        "back to the training view",
        Some(("w", "training view")),
    ),
    bind(
        &[Key::code(KeyCode::Tab), Key::code(KeyCode::BackTab)],
        |k| match k.code {
            KeyCode::BackTab => Action::PrevGrid,
            _ => Action::NextGrid,
        },
        "Tab / Shift-Tab",
        "next / previous grid (each keeps its progress)",
        Some(("Tab", "next grid")),
    ),
    bind(
        &[Key::char(' ')],
        |_| Action::PauseSweep,
        "space",
        "pause / resume this grid's sweep",
        Some(("space", "pause")),
    ),
    cursor_keys(),
    drill_key(),
    fit_keys(),
    ratio_keys(),
    reset_key(),
    help_key(Some(("?", "help"))),
    quit_key(),
    ctrl_quit(),
];

/// The seed gallery: one small loss chart per run of `mod-add-seeds`.
pub static GALLERY: [Binding<App>; 9] = [
    bind(
        &[Key::char('G'), Key::code(KeyCode::Esc)],
        |k| match k.code {
            KeyCode::Esc => Action::Back,
            _ => Action::ToggleView("gallery"),
        },
        "G / Esc",
        "back to the training view",
        Some(("G", "training view")),
    ),
    bind(
        &[
            Key::code(KeyCode::Left),
            Key::code(KeyCode::Right),
            Key::code(KeyCode::Up),
            Key::code(KeyCode::Down),
            Key::char('h'),
            Key::char('l'),
            Key::char('k'),
            Key::char('j'),
        ],
        |k| {
            Action::Gallery(match k.code {
                KeyCode::Left | KeyCode::Char('h') => GalleryChange::Left,
                KeyCode::Right | KeyCode::Char('l') => GalleryChange::Right,
                KeyCode::Up | KeyCode::Char('k') => GalleryChange::Up,
                _ => GalleryChange::Down,
            })
        },
        "← → ↑ ↓ / h l k j",
        "select a run",
        Some(("←→↑↓", "select")),
    ),
    bind(
        &[
            Key::code(KeyCode::PageUp),
            Key::code(KeyCode::PageDown),
            Key::code(KeyCode::Home),
            Key::code(KeyCode::End),
        ],
        |k| {
            Action::Gallery(match k.code {
                KeyCode::PageUp => GalleryChange::PageBack,
                KeyCode::PageDown => GalleryChange::PageForward,
                KeyCode::Home => GalleryChange::First,
                _ => GalleryChange::Last,
            })
        },
        "PgUp/Dn Home/End",
        "previous / next page of charts, the first / last run",
        Some(("PgUp/Dn", "page")),
    ),
    bind(
        &[
            Key::char('<'),
            Key::char('>'),
            Key::code(KeyCode::Backspace),
        ],
        |k| {
            Action::Gallery(match k.code {
                KeyCode::Char('<') => GalleryChange::StepBack,
                KeyCode::Char('>') => GalleryChange::StepForward,
                _ => GalleryChange::StepOff,
            })
        },
        "< > / Backspace",
        "move the step cursor all charts show / remove it",
        Some(("<>", "step")),
    ),
    bind(
        &[Key::code(KeyCode::Enter)],
        |_| Action::Gallery(GalleryChange::Open),
        "Enter",
        "open the run: retrain it to its grok step, paused",
        Some(("⏎", "open run")),
    ),
    Binding {
        applies: |a: &App| a.gallery.file.is_none(),
        ..bind(
            &[Key::char(' ')],
            |_| Action::PauseSweep,
            "space",
            "pause / resume the gallery's sweep",
            Some(("space", "pause")),
        )
    },
    help_key(Some(("?", "help"))),
    quit_key(),
    ctrl_quit(),
];

/// `grokscope sweep --watch`: one sweep full screen.
pub static WATCH: [Binding<Watch>; 9] = [
    bind(
        &[Key::char('q'), Key::code(KeyCode::Esc)],
        quit_or_back,
        "q / Esc",
        "quit: stop the workers, print the tables",
        Some(("q", "quit (prints the tables)")),
    ),
    Binding {
        applies: |w: &Watch| !w.ended(),
        ..bind(
            &[Key::char(' ')],
            |_| Action::PauseSweep,
            "space",
            "pause / resume the sweep",
            Some(("space", "pause")),
        )
    },
    cursor_keys(),
    drill_key(),
    fit_keys(),
    ratio_keys(),
    reset_key(),
    help_key(None),
    ctrl_quit(),
];
