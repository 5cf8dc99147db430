//! A synchronous dashboard: the app and a runner wired together without threads or timers.
//! Tests, the demo-tape replay and the render benchmark drive it key by key and step by step;
//! the clock is injected, so rendered frames are deterministic.

use super::keys::Key;
use super::session::{Clock, Session};
use super::state::{Action, App, Command};
use super::views;
use super::worker::Runner;
use crate::train::{Config, Threads};
use crate::ui::Theme;
use crossterm::event::KeyEvent;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use std::sync::Arc;

pub struct Harness {
    pub runner: Runner,
    pub app: App,
    /// The clock shown in the header (fixed unless a test changes it).
    pub clock: Clock,
    /// Sweep commands the app gave (the event loop's, not the trainer's): kept for tests,
    /// which feed the sweep view hand-made reports instead of running pools.
    pub sweep_commands: Vec<Command>,
    /// The renderer's memory between frames, as the event loop keeps it.
    pub memo: crate::ui::Memo,
}

impl Harness {
    pub fn new(cfg: Config) -> crate::train::Result<Self> {
        let runner = Runner::new(Session::new(cfg, Threads(1))?, Threads(1));
        let clock = Clock::default();
        let app = App::new(Arc::new(runner.snapshot(clock)));
        Ok(Harness {
            runner,
            app,
            clock,
            sweep_commands: Vec::new(),
            memo: Default::default(),
        })
    }

    /// Train up to `n` steps (if running) and publish.
    pub fn train(&mut self, n: u64) {
        self.runner.train(n);
        self.publish();
    }

    /// Apply an action as the event loop would, then publish.
    pub fn act(&mut self, action: Action) {
        for c in self.app.update(action) {
            match c {
                Command::RunSweep { .. } | Command::PauseSweeps => self.sweep_commands.push(c),
                c => {
                    self.runner.handle(c);
                }
            }
        }
        self.publish();
    }

    /// Press a key; returns whether it mapped to an action.
    pub fn press(&mut self, key: KeyEvent) -> bool {
        match Key::of(key).and_then(|k| views::dispatch(&self.app, k)) {
            Some(a) => {
                self.act(a);
                true
            }
            None => false,
        }
    }

    /// A mouse event, as the event loop would take it (on the frame last rendered); returns
    /// whether it mapped to an action.
    pub fn mouse(&mut self, ev: crossterm::event::MouseEvent) -> bool {
        match views::mouse(&self.memo, ev) {
            Some(a) => {
                self.act(a);
                true
            }
            None => false,
        }
    }

    pub fn publish(&mut self) {
        let snap = Arc::new(self.runner.snapshot(self.clock));
        self.runner.message = None;
        self.app.update(Action::Snapshot(snap));
    }

    /// Render the dashboard into a `width × height` buffer.
    pub fn render(&self, width: u16, height: u16, theme: &Theme) -> Buffer {
        let mut t = Terminal::new(TestBackend::new(width, height)).expect("test backend");
        t.draw(|f| views::draw(f, &self.app, theme, &self.memo))
            .expect("draw into a test backend");
        t.backend().buffer().clone()
    }
}

/// The buffer's text, one line per row, trailing spaces trimmed.
pub fn text(buf: &Buffer) -> String {
    let area = buf.area;
    let mut out = String::new();
    for y in 0..area.height {
        let mut line = String::new();
        for x in 0..area.width {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
