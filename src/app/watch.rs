//! `grokscope sweep --watch`: the sweep view full screen while a real sweep runs, with no
//! trainer, on the dashboard's event loop. Finished runs go to the caller as they arrive (it
//! appends them to `--out`); quitting (q, Ctrl-C, SIGTERM, SIGHUP) cancels the workers,
//! restores the terminal, and hands over the runs that finished meanwhile too.

use super::action::Action;
use super::grids::SweepState;
use super::keys::{
    Binding, Key, MOVE_KEYS, Table, bind, concat, ctrl_quit, help_key, help_page, pause_sweep_key,
    quit_or_back,
};
use super::views::sweep::{cursor_keys, drill_key, fit_keys, ratio_keys, reset_key, steer};
use super::{Error, Screen};
use crate::sweep::{Event, Grid, Pool, Progress, RunRecord, Shard};
use crate::train::Stopwatch;
use crate::ui::sweep::SweepStatus;
use crate::ui::{self, Footer, Theme};
use crossterm::event::KeyCode;
use ratatui::Frame;
use std::sync::mpsc::TryRecvError;

/// Redraws per second: the view changes when a run starts or ends, and once a second.
const FPS: f64 = 10.0;

/// How the watched sweep ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WatchEnd {
    /// Runs of the sweep not recorded (stopped early).
    pub left: usize,
    pub total: usize,
}

/// Every report the pool has ready; `true` once its workers have all ended.
pub(super) fn drain(pool: &Pool) -> (Vec<Event>, bool) {
    let mut out = Vec::new();
    loop {
        match pool.events().try_recv() {
            Ok(e) => out.push(e),
            Err(TryRecvError::Empty) => return (out, false),
            Err(TryRecvError::Disconnected) => return (out, true),
        }
    }
}

/// The watch view's state: the sweep, its clock, the notice and the help overlay.
pub struct Watch {
    pub state: SweepState,
    stopwatch: Stopwatch,
    /// Every worker has ended.
    ended: bool,
    pub message: Option<String>,
    pub help: bool,
    /// The help's page (see `ui::help::render`).
    pub help_page: i64,
    quit: bool,
}

impl Watch {
    pub fn new(state: SweepState) -> Self {
        Watch {
            state,
            stopwatch: Stopwatch::default(),
            ended: false,
            message: None,
            help: false,
            help_page: 0,
            quit: false,
        }
    }

    /// Whether the workers have all ended (nothing is left to pause).
    pub fn ended(&self) -> bool {
        self.ended
    }

    /// Whether the sweep is drawn as the architecture bars (no cursor, no drill-down).
    pub fn bars(&self) -> bool {
        ui::sweep::arch::applies(&self.state.read())
    }

    /// Whether an action asked to quit.
    pub fn quitting(&self) -> bool {
        self.quit
    }

    /// Apply an action of the watch's key table.
    pub fn update(&mut self, action: Action, pool: Option<&Pool>) {
        match action {
            Action::Quit => self.quit = true,
            Action::Back if self.help => self.help = false,
            // Esc never quits: with the help closed it says so (q quits).
            Action::Back => self.message = Some("Esc closes the help; q quits".into()),
            Action::ToggleHelp => (self.help, self.help_page) = (!self.help, 0),
            Action::HelpPage(forward) => self.help_page += if forward { 1 } else { -1 },
            Action::NotHere(why) => self.message = Some(why.into()),
            Action::PauseSweep if !self.ended => {
                self.state.paused = !self.state.paused;
                if let Some(pool) = pool {
                    pool.set_paused(self.state.paused);
                }
                self.stopwatch.set_running(!self.state.paused);
                self.message = self
                    .state
                    .paused
                    .then(|| "paused: space resumes".to_string());
            }
            a => {
                if let Some(note) = steer(&mut self.state, &a) {
                    self.message = Some(note);
                }
            }
        }
    }

    /// Draw the view: the sweep, the footer from the watch's key table, the help when open.
    pub fn draw(&self, f: &mut Frame, theme: &Theme) {
        let keys = Table::of(&KEYS, self);
        let entries = keys.footer();
        let footer = Footer {
            keys: &entries,
            message: self.message.as_deref(),
        };
        let scene = self.state.scene(&self.state.grid, theme);
        ui::sweep::render(f, &scene, &footer);
        let area = f.area();
        if self.help && area.width >= ui::MIN_WIDTH && area.height >= ui::MIN_HEIGHT {
            ui::help::render(f, area, &keys.help(), None, theme, self.help_page);
        }
    }
}

/// The watch as the event loop drives it.
struct Watching<'p, 'r> {
    watch: Watch,
    pool: &'p Pool,
    record: &'r mut dyn FnMut(RunRecord) -> Result<(), Error>,
    theme: Theme,
}

impl Screen for Watching<'_, '_> {
    fn tick(&mut self) -> Result<bool, Error> {
        let w = &mut self.watch;
        let mut dirty = false;
        if !w.ended {
            let (reports, done) = drain(self.pool);
            for event in reports {
                match &event {
                    Event::Finished(r) => (self.record)((**r).clone())?,
                    Event::Failed { run, error } => {
                        return Err(Error::Usage(format!("run {run}: {error}")));
                    }
                    Event::Started { .. } => {}
                }
                w.state.apply(event);
                dirty = true;
            }
            if done {
                w.ended = true;
                w.stopwatch.set_running(false);
                w.message = Some(match w.state.read().status() {
                    SweepStatus::Finished => {
                        "finished: q closes the view and prints the tables".into()
                    }
                    _ => "the workers stopped".into(),
                });
                dirty = true;
            }
        }
        let elapsed = w.stopwatch.elapsed();
        if elapsed.as_secs() != w.state.elapsed.as_secs() {
            dirty = true;
        }
        w.state.elapsed = elapsed;
        Ok(dirty)
    }

    fn key(&mut self, key: Key) -> Result<bool, Error> {
        let paging = self.watch.help.then(|| help_page(key)).flatten();
        let Some(a) = paging.or_else(|| Table::of(&KEYS, &self.watch).lookup(key)) else {
            return Ok(false);
        };
        self.watch.update(a, Some(self.pool));
        Ok(true)
    }

    fn draw(&self, f: &mut Frame) {
        self.watch.draw(f, &self.theme);
    }

    fn quit(&self) -> bool {
        self.watch.quit
    }
}

/// The sweep to watch.
pub struct Watched<'a> {
    pub grid: &'a Grid,
    /// Its runs (the shard's), those already recorded marked done.
    pub progress: Progress,
    pub shard: Option<Shard>,
    pub jobs: usize,
    /// Where the records go: shown under the header.
    pub note: String,
}

/// Run the view until the user quits; `record` gets each finished run as it arrives.
pub fn watch(
    sweep: Watched,
    pool: Pool,
    record: &mut dyn FnMut(RunRecord) -> Result<(), Error>,
) -> Result<WatchEnd, Error> {
    let mut state = SweepState::new(sweep.grid, sweep.progress, sweep.shard, sweep.jobs);
    state.note = sweep.note;
    let mut watch = Watch::new(state);
    watch.stopwatch.set_running(true);
    watch.state.started = true;
    let mut screen = Watching {
        watch,
        pool: &pool,
        record,
        theme: Theme::from_env(),
    };
    let result = super::full_screen(false, async |terminal, mouse| {
        super::event_loop(terminal, &mut screen, FPS, mouse).await
    });
    let Watching {
        mut watch, record, ..
    } = screen;
    // Runs that finished before the cancellation took hold are whole: keep them.
    for event in pool.stop() {
        if let Event::Finished(r) = &event {
            let _ = record((**r).clone());
        }
        watch.state.apply(event);
    }
    result?;
    let p = &watch.state.progress;
    Ok(WatchEnd {
        left: p.total() - p.done(),
        total: p.total(),
    })
}

/// The keys that steer a diagram's cursor, where the architecture bars have none.
const BAR_KEYS: [Key; 9] = concat(&[&MOVE_KEYS, &[Key::code(KeyCode::Enter)]]);

/// Why the cursor keys do nothing over the architecture bars.
const NO_CURSOR: &str = "the architecture bars have no cells to select: each bar is one \
                         architecture's runs, by class (sweep report prints them)";

/// `grokscope sweep --watch`: one sweep full screen.
pub static KEYS: [Binding<Watch>; 10] = [
    bind(
        &[Key::char('q'), Key::code(KeyCode::Esc)],
        quit_or_back,
        "q / Esc",
        "quit: print the tables · Esc never quits",
        Some(("q", "quit (prints the tables)")),
    ),
    Binding {
        applies: |w: &Watch| !w.ended(),
        ..pause_sweep_key("pause / resume the sweep")
    },
    Binding {
        applies: |w: &Watch| !w.bars(),
        ..cursor_keys()
    },
    Binding {
        applies: |w: &Watch| !w.bars(),
        ..drill_key()
    },
    Binding {
        applies: Watch::bars,
        ..bind(
            &BAR_KEYS,
            |_| Action::NotHere(NO_CURSOR),
            "←→↑↓ ⏎",
            "(the architecture bars have no cursor or drill-down)",
            None,
        )
    },
    fit_keys(),
    ratio_keys(),
    reset_key(),
    help_key(None),
    ctrl_quit(),
];
