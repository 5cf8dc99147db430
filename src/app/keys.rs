//! Key tables (gitui's `commands()` pattern): each view's module has one, whose entries name
//! their keys, the action they do, the footer's short label, the help text and whether they
//! apply now; the key dispatch, the footer and the `?` help overlay are all generated from
//! them. Here: a key, a table's row, the lookups, and the rows several views share.

use super::action::Action;
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

/// One entry of a key table: its keys, the action they do, the footer's short label and the
/// help text.
pub struct Row {
    pub keys: &'static [Key],
    /// The action of each of `keys`.
    pub action: fn(Key) -> Action,
    /// The keys as the help names them: "↑ ↓ / k j".
    pub help_keys: &'static str,
    pub help: &'static str,
    /// The footer's entry (keys, label), if the footer lists it.
    pub footer: Option<(&'static str, &'static str)>,
}

/// A row of a view's key table, over the view's state `S` that decides whether it applies
/// now: one that does not does nothing and is left out of the footer and the help.
pub struct Binding<S> {
    pub row: Row,
    pub applies: fn(&S) -> bool,
}

fn always<S>(_: &S) -> bool {
    true
}

/// The action of `key` in `table`, if an entry that applies binds it.
pub fn lookup<S>(table: &'static [Binding<S>], s: &S, key: Key) -> Option<Action> {
    Table::of(table, s).lookup(key)
}

/// A key table with its state applied: which rows apply now. The dispatcher, the footer
/// and the help read a view's keys through it, whatever the view's state type.
pub struct Table {
    rows: Vec<(&'static Row, bool)>,
}

impl Table {
    pub fn of<S>(table: &'static [Binding<S>], s: &S) -> Table {
        Table {
            rows: table.iter().map(|b| (&b.row, (b.applies)(s))).collect(),
        }
    }

    /// The action of `key`, if a row that applies binds it.
    pub fn lookup(&self, key: Key) -> Option<Action> {
        self.applying()
            .find(|r| r.keys.contains(&key))
            .map(|r| (r.action)(key))
    }

    /// The footer's entries, in table order.
    pub fn footer(&self) -> Vec<(&'static str, &'static str)> {
        self.applying().filter_map(|r| r.footer).collect()
    }

    /// The help overlay's rows (keys, what they do), in table order.
    pub fn help(&self) -> Vec<(&'static str, &'static str)> {
        self.applying().map(|r| (r.help_keys, r.help)).collect()
    }

    /// Every row, with whether it applies now (tests press every key of every table).
    pub fn entries(&self) -> impl Iterator<Item = (&'static Row, bool)> + '_ {
        self.rows.iter().copied()
    }

    fn applying(&self) -> impl Iterator<Item = &'static Row> + '_ {
        self.rows.iter().filter(|(_, on)| *on).map(|&(r, _)| r)
    }
}

/// A row that always applies.
pub const fn bind<S>(
    keys: &'static [Key],
    action: fn(Key) -> Action,
    help_keys: &'static str,
    help: &'static str,
    footer: Option<(&'static str, &'static str)>,
) -> Binding<S> {
    Binding {
        row: Row {
            keys,
            action,
            help_keys,
            help,
            footer,
        },
        applies: always::<S>,
    }
}

/// Ctrl-C and Ctrl-D quit in every view.
const CTRL_QUIT: [Key; 2] = [Key::ctrl('c'), Key::ctrl('d')];

pub const fn ctrl_quit<S>() -> Binding<S> {
    bind(&CTRL_QUIT, |_| Action::Quit, "Ctrl-C", "quit", None)
}

const QUIT_KEY: [Key; 1] = [Key::char('q')];

/// `q` quits from the views where Esc only goes back; `footer`: its footer entry, if any.
pub const fn quit_key<S>(footer: Option<(&'static str, &'static str)>) -> Binding<S> {
    bind(&QUIT_KEY, |_| Action::Quit, "q", "quit", footer)
}

const HELP_KEY: [Key; 1] = [Key::char('?')];

/// `?` opens and closes the help in every view; `footer`: its footer entry, if any.
pub const fn help_key<S>(footer: Option<(&'static str, &'static str)>) -> Binding<S> {
    bind(
        &HELP_KEY,
        |_| Action::ToggleHelp,
        "?",
        "show / hide this help",
        footer,
    )
}

pub const DIGITS: [Key; 9] = [
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

/// ← → ↑ ↓ and h l k j: a cursor's moves over cells or charts (the sweep's diagram, the
/// gallery).
pub const MOVE_KEYS: [Key; 8] = [
    Key::code(KeyCode::Left),
    Key::code(KeyCode::Right),
    Key::code(KeyCode::Up),
    Key::code(KeyCode::Down),
    Key::char('h'),
    Key::char('l'),
    Key::char('k'),
    Key::char('j'),
];

/// PgUp PgDn Home End: a page back / forward, to the start / the end.
pub const PAGE_KEYS: [Key; 4] = [
    Key::code(KeyCode::PageUp),
    Key::code(KeyCode::PageDown),
    Key::code(KeyCode::Home),
    Key::code(KeyCode::End),
];

/// + and − (with = and _, the same keys without and with Shift): a setting up or down.
pub const PLUS_MINUS: [Key; 4] = [
    Key::char('+'),
    Key::char('='),
    Key::char('-'),
    Key::char('_'),
];

/// The keys of `parts`, one list after another, as one list of `N` (a row that binds
/// several groups: a replay's refused keys, the tour's chapters).
pub const fn concat<const N: usize>(parts: &[&[Key]]) -> [Key; N] {
    let mut out = [Key::char(' '); N];
    let (mut i, mut part) = (0, 0);
    while part < parts.len() {
        let mut j = 0;
        while j < parts[part].len() {
            out[i] = parts[part][j];
            (i, j) = (i + 1, j + 1);
        }
        part += 1;
    }
    assert!(i == N, "concat: N is the lists' total length");
    out
}

const SPACE: [Key; 1] = [Key::char(' ')];

/// Space, pausing and resuming what `help` names.
const fn space<S>(action: fn(Key) -> Action, help: &'static str) -> Binding<S> {
    bind(&SPACE, action, "space", help, Some(("space", "pause")))
}

/// Space pauses and resumes the training run (the training and mechanism views).
pub const fn pause_key<S>() -> Binding<S> {
    space(|_| Action::TogglePause, "pause / resume training")
}

/// Space pauses and resumes the sweep of the view on screen; `help` says whose.
pub const fn pause_sweep_key<S>(help: &'static str) -> Binding<S> {
    space(|_| Action::PauseSweep, help)
}

const SCRUB_KEYS: [Key; 2] = [Key::code(KeyCode::Left), Key::code(KeyCode::Right)];

/// ← → scrub through the training run; `help` says how in this view.
pub const fn scrub_keys<S>(help: &'static str) -> Binding<S> {
    bind(
        &SCRUB_KEYS,
        |k| match k.code {
            KeyCode::Left => Action::ScrubBack,
            _ => Action::ScrubForward,
        },
        "← →",
        help,
        Some(("←→", "scrub")),
    )
}

pub fn digit(k: Key) -> Action {
    match k.code {
        KeyCode::Char(c @ '1'..='9') => Action::Preset(c as usize - '1' as usize),
        _ => Action::Preset(0),
    }
}

const SELECT_KEYS: [Key; 4] = [
    Key::code(KeyCode::Up),
    Key::code(KeyCode::Down),
    Key::char('k'),
    Key::char('j'),
];

/// ↑ ↓ / k j: the previous / next row of a view's list (hyperparameters, the appendix's
/// parameters); `help` says what is selected.
pub const fn select_keys<S>(help: &'static str) -> Binding<S> {
    bind(
        &SELECT_KEYS,
        |k| match k.code {
            KeyCode::Up | KeyCode::Char('k') => Action::SelectPrev,
            _ => Action::SelectNext,
        },
        "↑ ↓ / k j",
        help,
        Some(("↑↓", "select")),
    )
}

/// Esc steps back (closes the help, leaves a view; it never quits); the other key quits.
pub fn quit_or_back(k: Key) -> Action {
    if k.code == KeyCode::Esc {
        Action::Back
    } else {
        Action::Quit
    }
}

/// With the help open, PgDn and PgUp turn its pages rather than acting on the view beneath.
pub fn help_page(key: Key) -> Option<Action> {
    match key.code {
        KeyCode::PageDown if !key.ctrl => Some(Action::HelpPage(true)),
        KeyCode::PageUp if !key.ctrl => Some(Action::HelpPage(false)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concat_keeps_each_list_in_order() {
        let (a, b, c) = (Key::char('a'), Key::char('b'), Key::code(KeyCode::Enter));
        assert_eq!(concat::<3>(&[&[a], &[], &[b, c]]), [a, b, c]);
        assert_eq!(
            concat::<10>(&[&DIGITS, &[Key::char('0')]])[9],
            Key::char('0')
        );
    }
}
