//! A synchronous dashboard: the app and a runner wired together without threads or timers.
//! Tests, the demo-tape replay and the render benchmark drive it key by key and step by step;
//! the clock is injected, so rendered frames are deterministic. [`Harness::from_fixture`]
//! plays a recorded run instead of training, so that what it draws does not depend on the
//! machine's arithmetic either.

use super::action::{Action, Command};
use super::keys::Key;
use super::recorded::Recorded;
use super::session::{Clock, Session};
use super::state::{self as views, App};
use super::worker::Runner;
use crate::train::{Config, Threads};
use crate::ui::Theme;
use crossterm::event::KeyEvent;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use std::sync::Arc;

/// The kernel name the harness's help overlay shows.
pub const HARNESS_KERNEL: &str = "avx2";

pub struct Harness {
    pub runner: Runner,
    /// A recorded run played in place of the runner's training ([`Harness::from_fixture`]),
    /// until a restart hands the dashboard to the runner (which waits at step 0 of the same
    /// settings meanwhile).
    pub recorded: Option<Recorded>,
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
        Ok(Self::start(runner, None))
    }

    /// The dashboard on the recorded run in `dir` (see [`super::recorded`]) at its step 0:
    /// [`Harness::train`] plays it on, and it publishes what the live session published at
    /// each step.
    pub fn from_fixture(dir: &std::path::Path) -> Result<Self, super::Error> {
        let recorded = Recorded::open(dir)?;
        let session = Session::new(recorded.config().clone(), Threads(1))
            .map_err(|e| super::Error::Usage(e.to_string()))?;
        Ok(Self::start(
            Runner::new(session, Threads(1)),
            Some(recorded),
        ))
    }

    fn start(runner: Runner, recorded: Option<Recorded>) -> Self {
        let clock = Clock::default();
        let snap = match &recorded {
            Some(r) => r.snapshot(clock),
            None => runner.snapshot(clock),
        };
        let mut app = App::new(Arc::new(snap));
        // Fixed, as the clock is: the help overlay names this kernel whatever the host
        // trains on (every kernel gives the same bits; `tests/kernels.rs` checks it).
        app.shared.kernel = HARNESS_KERNEL;
        Harness {
            runner,
            recorded,
            app,
            clock,
            sweep_commands: Vec::new(),
            memo: Default::default(),
        }
    }

    /// Train (or play the recording) up to `n` steps, if running, and publish.
    pub fn train(&mut self, n: u64) {
        match &mut self.recorded {
            Some(r) => r.train(n),
            None => self.runner.train(n),
        }
        self.publish();
    }

    /// Apply an action as the event loop would, then publish.
    pub fn act(&mut self, action: Action) {
        for c in self.app.update(action) {
            match c {
                Command::RunSweep { .. } | Command::PauseSweeps => self.sweep_commands.push(c),
                c => {
                    if !self.recorded.as_mut().is_some_and(|r| r.handle(&c)) {
                        self.recorded = None;
                        self.runner.handle(c);
                    }
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

    /// Publish what the source on screen shows: the recording while it plays, else the
    /// runner; its one-line notice goes out once.
    pub fn publish(&mut self) {
        let snap = Arc::new(match &self.recorded {
            Some(r) => r.snapshot(self.clock),
            None => self.runner.snapshot(self.clock),
        });
        self.runner.message = None;
        if let Some(r) = &mut self.recorded {
            r.message = None;
        }
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
