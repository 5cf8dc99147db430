//! The sweep view: the built-in grids' phase diagrams, filling in live (the training run
//! pauses meanwhile). It owns which grid is on screen; the grids' states are shared with the
//! gallery ([`Sweeps`]). Its cursor, drill-down and threshold keys serve `sweep --watch` too.
//! `a` shows the article's published runs of the grid instead (`--article` opens on them),
//! `d` marks the cells where yours and the article's disagree.

use super::super::action::{Action, Command, Move, Nudge};
use super::super::article::{self as app_article, marks as article_marks};
use super::super::grids::{SweepState, Sweeps, VIEW_GRIDS};
use super::super::keys::{
    Binding, Key, MOVE_KEYS, bind, ctrl_quit, help_key, pause_sweep_key, quit_key,
};
use super::super::shared::Shared;
use crate::sweep::article;
use crate::ui::{self, Footer, Theme};
use crossterm::event::KeyCode;
use ratatui::Frame;

/// The sweep view's own state: the grid on screen, an index into [`VIEW_GRIDS`]; whether it
/// shows the article's runs of that grid (of `parity-v4` for `parity-quick`, whose cells are
/// among them) or yours; whether the cells where the two disagree are marked.
#[derive(Debug, Default)]
pub struct SweepView {
    pub current: usize,
    pub article: bool,
    pub marks: bool,
}

impl SweepView {
    pub fn name(&self) -> &'static str {
        VIEW_GRIDS[self.current]
    }

    /// The article's grid the grid on screen compares with.
    fn article_grid(&self) -> &'static str {
        article::counterpart(self.name()).unwrap_or("parity-v4")
    }

    /// The title over the diagram: the grid (the article's, when shown) and its place among
    /// the grids.
    pub fn title(&self) -> String {
        let (i, n) = (self.current + 1, VIEW_GRIDS.len());
        match (self.article, self.article_grid()) {
            (false, _) => format!("{} ({i}/{n})", self.name()),
            (true, g) if g == self.name() => format!("{g} · the article's ({i}/{n})"),
            (true, g) => format!("{g} · the article's, beside your {} ({i}/{n})", self.name()),
        }
    }

    /// The state on screen: the article's runs or yours.
    pub fn on_screen<'a>(&self, grids: &'a Sweeps) -> Option<&'a SweepState> {
        if self.article {
            grids.article(self.article_grid())
        } else {
            grids.states[self.current].as_ref()
        }
    }

    fn on_screen_mut<'a>(&self, grids: &'a mut Sweeps) -> Option<&'a mut SweepState> {
        if self.article {
            grids.article_mut(self.article_grid())
        } else {
            grids.states[self.current].as_mut()
        }
    }

    /// Draw the grid on screen (with the disagreement marks when shown), or (when it could
    /// not be opened) why not.
    pub fn render(&self, grids: &Sweeps, f: &mut Frame, theme: &Theme, footer: &Footer) {
        match self.on_screen(grids) {
            Some(st) => {
                let title = self.title();
                let mut scene = st.scene(&title, theme);
                let marks = match grids.article(self.article_grid()) {
                    Some(a) if self.marks => Some(article_marks(st, a, grids.get(self.name()))),
                    _ => None,
                };
                scene.marks = marks.as_ref();
                ui::sweep::render(f, &scene, footer)
            }
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
    /// leaving, if it was running) and the grid on screen gets every core; the article's
    /// runs are read (they train nowhere, so the training run goes on).
    pub fn enter(&mut self, grids: &mut Sweeps, s: &mut Shared) -> Vec<Command> {
        if self.article {
            if let Err(e) = grids.load_article(self.article_grid()) {
                s.message = Some(e);
            }
            return Vec::new();
        }
        let mut cmds = s.pause_for_view();
        cmds.extend(grids.show(self.current, s));
        cmds
    }

    /// `a`: the article's runs of the grid on screen, or yours (which start training when
    /// first shown, and keep training while the article's are on screen). The view keeps its
    /// thresholds, drill-down and cursor cell across.
    fn toggle_article(&mut self, grids: &mut Sweeps, s: &mut Shared) -> Vec<Command> {
        let grid = self.article_grid();
        if let Err(e) = grids.load_article(grid) {
            s.message = Some(e);
            return Vec::new();
        }
        self.article = !self.article;
        let mut cmds = Vec::new();
        if !self.article {
            // Yours train: the training run pauses for them (the article's leave it be).
            cmds = s.pause_for_view();
            cmds.extend(grids.show(self.current, s));
        }
        let (from, to) = if self.article {
            (grids.states[self.current].clone(), grids.article_mut(grid))
        } else {
            (
                grids.article(grid).cloned(),
                grids.states[self.current].as_mut(),
            )
        };
        if let (Some(from), Some(to)) = (from, to) {
            app_article::carry(&from, to);
        }
        s.message = Some(if self.article {
            format!("the article's runs of {grid}: a shows yours")
        } else {
            format!("your runs of {}: a shows the article's", self.name())
        });
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
                if self.article {
                    if let Err(e) = grids.load_article(self.article_grid()) {
                        s.message = Some(e);
                    }
                    return Some(Vec::new());
                }
                grids.show(self.current, s)
            }
            Action::ToggleArticle => self.toggle_article(grids, s),
            Action::ToggleMarks => {
                self.marks = !self.marks;
                s.message = Some(if self.marks {
                    "≠ marks the cells whose majority class differs: d hides them".into()
                } else {
                    "disagreement marks hidden".into()
                });
                Vec::new()
            }
            Action::PauseSweep if self.article => {
                s.message =
                    Some("the article's runs are published: nothing trains here (a: yours)".into());
                Vec::new()
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
                if let Some(st) = self.on_screen_mut(grids)
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

pub const fn cursor_keys<S>() -> Binding<S> {
    bind(
        &MOVE_KEYS,
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
pub static KEYS: [Binding<SweepView>; 13] = [
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
    Binding {
        applies: |v: &SweepView| !v.article,
        ..pause_sweep_key("pause / resume this grid's sweep")
    },
    bind(
        &[Key::char('a')],
        |_| Action::ToggleArticle,
        "a",
        "the article's published runs of this grid / yours",
        Some(("a", "article/yours")),
    ),
    bind(
        &[Key::char('d')],
        |_| Action::ToggleMarks,
        "d",
        "mark cells where your class and the article's differ",
        Some(("d", "disagree")),
    ),
    cursor_keys(),
    drill_key(),
    fit_keys(),
    ratio_keys(),
    reset_key(),
    help_key(Some(("?", "help"))),
    quit_key(Some(("q", "quit"))),
    ctrl_quit(),
];
