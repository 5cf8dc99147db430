//! Keys to actions. One table, shown by the footer and the help overlay.

use super::state::Action;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// The key table: (keys, what they do), for the footer and the help overlay.
pub const KEY_HELP: [(&str, &str); 14] = [
    (
        "q / Esc",
        "quit (Esc closes this help, or leaves the sweep view)",
    ),
    ("space", "pause / resume training"),
    ("r", "restart the run with its settings"),
    ("Tab / Shift-Tab", "next / previous preset"),
    ("1 … 9", "switch to preset 1 … 9"),
    ("↑ ↓ / k j", "select a hyperparameter"),
    ("+ - / l h", "change it (not applied yet)"),
    ("Enter", "restart with the changed settings"),
    ("s", "save a checkpoint: grokscope-PRESET-stepN.grok"),
    ("← →", "when paused: scrub back through the run"),
    ("w", "sweep view: a grid's phase diagram, filling in live"),
    (
        "Tab space ← →",
        "in the sweep view: next grid, pause it, page panels",
    ),
    ("?", "show / hide this help"),
    ("Ctrl-C", "quit"),
];

/// The action of a key press, if any.
pub fn action(key: KeyEvent) -> Option<Action> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return match key.code {
            KeyCode::Char('c') | KeyCode::Char('d') => Some(Action::Quit),
            _ => None,
        };
    }
    Some(match key.code {
        KeyCode::Char('q') => Action::Quit,
        KeyCode::Esc => Action::Back,
        KeyCode::Char('w') => Action::ToggleSweep,
        KeyCode::Char(' ') => Action::TogglePause,
        KeyCode::Char('r') => Action::Restart,
        KeyCode::Tab => Action::NextPreset,
        KeyCode::BackTab => Action::PrevPreset,
        KeyCode::Char(c @ '1'..='9') => Action::Preset(c as usize - '1' as usize),
        KeyCode::Down | KeyCode::Char('j') => Action::SelectNext,
        KeyCode::Up | KeyCode::Char('k') => Action::SelectPrev,
        KeyCode::Char('+') | KeyCode::Char('=') | KeyCode::Char('l') => Action::Increase,
        KeyCode::Char('-') | KeyCode::Char('_') | KeyCode::Char('h') => Action::Decrease,
        KeyCode::Enter => Action::Apply,
        KeyCode::Char('s') => Action::Save,
        KeyCode::Left => Action::ScrubBack,
        KeyCode::Right => Action::ScrubForward,
        KeyCode::Char('?') => Action::ToggleHelp,
        _ => return None,
    })
}
