//! The sweep view: the built-in grids' phase diagrams, filling in live (the training run
//! pauses meanwhile). It owns which grid is on screen; the grids' states are shared with the
//! gallery ([`Sweeps`]). Its cursor, drill-down and threshold keys serve `sweep --watch` too.

use super::super::action::{Action, Command, Move, Nudge};
use super::super::grids::{SweepState, Sweeps, VIEW_GRIDS};
use super::super::keys::{Binding, Key, bind, ctrl_quit, help_key, quit_key};
use super::super::shared::Shared;
use crate::ui::{self, Footer, Theme};
use crossterm::event::KeyCode;
use ratatui::Frame;

/// The sweep view's own state: the grid on screen, an index into [`VIEW_GRIDS`].
#[derive(Debug, Default)]
pub struct SweepView {
    pub current: usize,
}

impl SweepView {
    pub fn name(&self) -> &'static str {
        VIEW_GRIDS[self.current]
    }

    /// The title over the diagram: the grid and its place among the grids.
    pub fn title(&self) -> String {
        format!(
            "{} ({}/{})",
            self.name(),
            self.current + 1,
            VIEW_GRIDS.len()
        )
    }

    /// Draw the grid on screen, or (when it could not be opened) why not.
    pub fn render(&self, grids: &Sweeps, f: &mut Frame, theme: &Theme, footer: &Footer) {
        match &grids.states[self.current] {
            Some(st) => ui::sweep::render(f, &st.scene(&self.title(), theme), footer),
            None => {
                let why = match footer.message {
                    Some(m) => m.to_string(),
                    None => format!("{} could not be opened", self.name()),
                };
                let notice = ui::notice::Scene {
                    title: "sweep",
                    why: format!("{why} · w returns to the training view"),
                    theme,
                };
                ui::notice::render(f, &notice, footer);
            }
        }
    }

    /// Entering: one thing trains at a time, so the training run pauses (and resumes on
    /// leaving, if it was running) and the grid on screen gets every core.
    pub fn enter(&mut self, grids: &mut Sweeps, s: &mut Shared) -> Vec<Command> {
        let mut cmds = s.pause_for_view();
        cmds.extend(grids.show(self.current, s));
        cmds
    }

    pub fn leave(&mut self, s: &mut Shared) -> Vec<Command> {
        let mut cmds = vec![Command::PauseSweeps];
        cmds.extend(s.resume_after_view());
        cmds
    }

    /// The view's answer to an action; `None` when the action is the same in every view.
    pub fn update(
        &mut self,
        grids: &mut Sweeps,
        s: &mut Shared,
        action: &Action,
    ) -> Option<Vec<Command>> {
        let on_screen = grids.states[self.current].as_mut();
        Some(match action {
            Action::NextGrid | Action::PrevGrid => {
                let n = VIEW_GRIDS.len();
                let step = if matches!(action, Action::NextGrid) {
                    1
                } else {
                    n - 1
                };
                self.current = (self.current + step) % n;
                s.message = Some(format!("grid {}", self.name()));
                grids.show(self.current, s)
            }
            Action::PauseSweep => grids.toggle_pause(
                self.current,
                s,
                "this sweep is finished: Tab shows the next grid",
                "sweep paused: space resumes",
            ),
            Action::PageBack
            | Action::PageForward
            | Action::MoveCursor(_)
            | Action::ToggleDrill
            | Action::Threshold(_) => {
                if let Some(st) = on_screen
                    && let Some(note) = steer(st, action)
                {
                    s.message = Some(note);
                }
                Vec::new()
            }
            a if a.acts_on_training_run() => {
                s.message = Some("that key acts on the training run: w shows it".into());
                Vec::new()
            }
            _ => return None,
        })
    }
}

/// The keys that steer a grid's diagram — pages, the cursor, the drill-down, the class
/// thresholds — in this view and in `sweep --watch`; a threshold move returns its note for
/// the footer.
pub fn steer(st: &mut SweepState, action: &Action) -> Option<String> {
    match action {
        Action::PageBack => st.turn_page(false),
        Action::PageForward => st.turn_page(true),
        Action::MoveCursor(m) => st.move_cursor(*m),
        Action::ToggleDrill => st.drill = !st.drill,
        Action::Threshold(n) => {
            st.nudge(*n);
            return Some(st.threshold_note());
        }
        _ => {}
    }
    None
}

/// The cursor over the diagram's cells (or the listed runs) and the drill-down, in the
/// dashboard's sweep view and `sweep --watch`.
pub fn cursor(k: Key) -> Action {
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

pub const fn cursor_keys<S>() -> Binding<S> {
    bind(
        &CURSOR_KEYS,
        cursor,
        "←→↑↓ / h l k j",
        "move the cursor over cells (← → cross panels) or runs",
        Some(("←→↑↓", "cell")),
    )
}

const ENTER: [Key; 1] = [Key::code(KeyCode::Enter)];

pub const fn drill_key<S>() -> Binding<S> {
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
pub fn threshold(k: Key) -> Action {
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

pub const fn fit_keys<S>() -> Binding<S> {
    bind(
        &FIT_KEYS,
        threshold,
        "t / T",
        "min-loss threshold down / up ×√10 (1e-8 … 1)",
        Some(("t/T r/R", "thresholds")),
    )
}

pub const fn ratio_keys<S>() -> Binding<S> {
    bind(
        &RATIO_KEYS,
        threshold,
        "r / R",
        "test/train-ratio threshold down / up ×√10 (1 … 1e8)",
        None,
    )
}

pub const fn reset_key<S>() -> Binding<S> {
    bind(
        &RESET_KEYS,
        threshold,
        "0",
        "thresholds back to the article's (1e-5, 5e4)",
        None,
    )
}

/// The dashboard's sweep view: the built-in grids' phase diagrams, filling in live.
pub static KEYS: [Binding<SweepView>; 11] = [
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
