//! The dashboard: app state, actions and the event loop.
//!
//! * [`session`]: a trainer plus the metrics history and weight frames it records, and the
//!   plain [`session::Snapshot`] the renderer draws.
//! * [`worker`]: the trainer thread; it takes [`action::Command`]s and publishes snapshots.
//! * [`action`]: what the user asks of the app and what the app asks of the trainer (a leaf).
//! * [`keys`]: a key, a key table's rows and lookups, the rows several views share.
//! * [`shared`]: what every view reads and changes (the run on screen, the draft, pause,
//!   scrubbing, the footer's notice); [`seek`]: its scrubbing (jumps, a typed step, replays).
//! * `grids`: the built-in grids the sweep view and the gallery train in the background.
//! * [`article`]: the article's published runs as read-only grids in those views;
//!   [`opening`]: a view opened on them (`--article`, the tour).
//! * [`views`]: one module per view (training, sweep, mechanism, appendix, gallery), each
//!   owning its state, key table and update.
//! * [`state`]: [`state::App`] (the shared part and each view's), the table of views, the
//!   one `update(action)`, key dispatch and drawing.
//! * [`watch`]: `grokscope sweep --watch`, the sweep view without a trainer.
//! * [`replay`]: `grokscope replay DIR`, a kept run published as the trainer's snapshots.
//! * [`recorded`]: a kept run played step by step as though training: the test harness's
//!   fixtures.
//!
//! One event loop (`event_loop`) serves the dashboard and `sweep --watch`: each is a
//! `Screen`. Rendering lives in [`crate::ui`].

pub mod action;
pub mod article;
pub mod grids;
pub mod harness;
pub mod keys;
pub mod opening;
pub mod recorded;
pub mod replay;
pub mod seek;
pub mod session;
pub mod shared;
pub mod state;
mod tty;
pub mod views;
pub mod watch;
pub mod worker;

use crate::sweep::Pool;
use crate::train::{Config, Stopwatch, Threads};
use crate::ui;
use action::{Action, Command};
use futures_util::StreamExt;
use keys::Key;
use ratatui::Frame;
use session::{Clock, Session};
use state::App;
use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::{Arc, mpsc};
use std::time::Duration;
use worker::Runner;

pub use state::draw;

/// Why the dashboard or `sweep --watch` could not run, or stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// Bad input: a setting, an unknown view, no terminal.
    Usage(String),
    /// Something failed while running: the terminal, a thread, writing results.
    Failed(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            Error::Usage(m) | Error::Failed(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {}

/// A grid's pool in the dashboard, with its training time.
struct LivePool {
    pool: Pool,
    stopwatch: Stopwatch,
    /// Every worker has ended (all runs done).
    ended: bool,
}

/// The dashboard's sweep pools, by grid: the event loop's side of the sweep view.
#[derive(Default)]
struct Pools {
    live: HashMap<String, LivePool>,
}

impl Pools {
    /// Carry out a sweep command; `false` for commands that belong to the trainer.
    fn handle(&mut self, cmd: &Command) -> Result<bool, String> {
        match cmd {
            Command::PauseSweeps => {
                for lp in self.live.values_mut() {
                    lp.pool.set_paused(true);
                    lp.stopwatch.set_running(false);
                }
            }
            Command::RunSweep {
                grid,
                runs,
                every,
                jobs,
            } => {
                for (name, lp) in self.live.iter_mut() {
                    let on = name == grid;
                    lp.pool.set_paused(!on);
                    lp.stopwatch.set_running(on && !lp.ended);
                }
                let fresh = self.live.get(grid).is_none_or(|lp| lp.ended);
                if fresh && !runs.is_empty() {
                    let pool = Pool::start(grid, runs.clone(), *every, *jobs)
                        .map_err(|e| format!("cannot start the sweep's workers: {e}"))?;
                    let banked = self.live.remove(grid).map(|lp| lp.stopwatch);
                    let mut stopwatch = banked.unwrap_or_default();
                    stopwatch.set_running(true);
                    self.live.insert(
                        grid.clone(),
                        LivePool {
                            pool,
                            stopwatch,
                            ended: false,
                        },
                    );
                }
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Reports and clock readings since the last call, as app actions.
    fn poll(&mut self, sweeps: &grids::Sweeps) -> Vec<Action> {
        let mut out = Vec::new();
        for (name, lp) in self.live.iter_mut() {
            if lp.ended {
                continue;
            }
            let (events, ended) = watch::drain(&lp.pool);
            out.extend(
                events
                    .into_iter()
                    .map(|e| Action::SweepEvent(name.clone(), e)),
            );
            if ended {
                lp.ended = true;
                lp.stopwatch.set_running(false);
            }
            let elapsed = lp.stopwatch.elapsed();
            // The clock on screen moves once a second: redraw only then.
            let seen = sweeps.get(name).map(|s| s.elapsed.as_secs());
            if seen != Some(elapsed.as_secs()) || ended {
                out.push(Action::SweepClock(name.clone(), elapsed));
            }
        }
        out
    }
}

/// What the dashboard opens on besides its run: the view, the redraw rate, the gallery's
/// runs from a file (else it trains its grid), whether the views of many runs open on the
/// article's runs (`--article`), and where runs are kept (`--out`).
pub struct Launch {
    pub fps: u32,
    pub view: String,
    pub opening: Opening,
    pub keeper: Option<session::Keeper>,
}

/// What the dashboard's views of many runs open on: the gallery's runs from a file (else it
/// trains its grid), and whether the view opens on the article's runs (`--article`).
#[derive(Debug, Default)]
pub struct Opening {
    pub gallery: Option<views::gallery::FileRuns>,
    pub article: bool,
}

/// Open the dashboard, training `cfg` on `threads`, redrawing at most `fps` times a second;
/// each run it starts is kept by the keeper when given.
pub fn launch(cfg: Config, threads: Threads, how: Launch) -> Result<(), Error> {
    let Launch {
        fps,
        view,
        opening,
        keeper,
    } = how;
    let view = check_launch(fps, &view)?;
    let open = Action::ToggleView(view.name);
    train_live(cfg, threads, fps, open, opening, keeper)
}

/// Open the dashboard on the tour's chapter `chapter` (0-based), training its run
/// (`grokscope tour`).
pub fn launch_tour(threads: Threads, fps: u32, chapter: usize) -> Result<(), Error> {
    let chapters = &views::chapters::CHAPTERS;
    let Some(ch) = chapters.get(chapter) else {
        return Err(Error::Usage(format!(
            "the tour has chapters 1 to {} (got {})",
            chapters.len(),
            chapter + 1
        )));
    };
    check_launch(fps, ch.setup.view)?;
    let open = Action::Tour(action::TourChange::Go(chapter));
    train_live(
        ch.setup.config(),
        threads,
        fps,
        open,
        Opening::default(),
        None,
    )
}

/// The dashboard training `cfg`, opened with the action `open` (a view, the tour).
fn train_live(
    cfg: Config,
    threads: Threads,
    fps: u32,
    open: Action,
    opening: Opening,
    keeper: Option<session::Keeper>,
) -> Result<(), Error> {
    let trainer =
        crate::train::Trainer::new(cfg, threads).map_err(|e| Error::Usage(e.to_string()))?;
    let session = Session::kept(trainer, 0, keeper);
    let runner = Runner::new(session, threads);
    let first = Arc::new(runner.snapshot(Clock::default()));
    let source = Source {
        name: "trainer",
        threads: threads.0,
    };
    dashboard(first, open, fps, opening, source, move |rx, tx| {
        worker::run(runner, rx, tx)
    })
}

/// Open the dashboard on the run kept in `dir` (`grokscope replay DIR`): no training; a run
/// still being written is followed. With `compare`, that run's curves are drawn on the same
/// axes (`replay DIR DIR2`).
pub fn launch_replay(
    dir: &std::path::Path,
    compare: Option<&std::path::Path>,
    fps: u32,
    view: &str,
) -> Result<(), Error> {
    let mut replay = replay::Replay::open(dir)?;
    if let Some(other) = compare {
        replay = replay.compare(other)?;
    }
    let view = check_launch(fps, view)?;
    let first = Arc::new(replay.snapshot(None));
    let open = Action::ToggleView(view.name);
    dashboard(
        first,
        open,
        fps,
        Opening::default(),
        Source {
            name: "replay",
            threads: 1,
        },
        move |rx, tx| replay::run(replay, rx, tx),
    )
}

/// The checks before a dashboard opens: the redraw rate, the view, a terminal.
pub fn check_launch(fps: u32, view: &str) -> Result<&'static state::View, Error> {
    if fps == 0 || fps > 120 {
        return Err(Error::Usage(format!(
            "--fps must be in 1..=120 (got {fps})"
        )));
    }
    let Some(view) = state::find(view) else {
        return Err(Error::Usage(format!(
            "unknown view {view:?}; the views are {}",
            state::names().join(", ")
        )));
    };
    if !std::io::stdout().is_terminal() {
        return Err(Error::Usage(
            "the dashboard needs a terminal on stdout; to train without a screen use `grokscope run` (JSON lines on stdout)".into(),
        ));
    }
    Ok(view)
}

/// The dashboard full screen, opened by the action `open` (a view, the tour), its snapshots
/// published by `source` (the trainer, or a replay) on a thread of its own, which takes the
/// app's commands.
/// What feeds the dashboard its snapshots: the thread's name ("trainer" or "replay") and
/// the threads a trainer shares each step among.
struct Source<'a> {
    name: &'a str,
    threads: usize,
}

fn dashboard(
    first: Arc<session::Snapshot>,
    open: Action,
    fps: u32,
    opening: Opening,
    feed: Source,
    source: impl FnOnce(mpsc::Receiver<Command>, tokio::sync::watch::Sender<Arc<session::Snapshot>>)
    + Send
    + 'static,
) -> Result<(), Error> {
    let theme = ui::Theme::from_env();
    let thread = feed.name;
    full_screen(true, async |terminal, mouse| {
        let mut app = App::new(first.clone());
        app.shared.message = first.message.clone();
        app.shared.threads = feed.threads;
        // A replay's snapshots come from a kept run: the keys that train say so.
        app.training.replay = thread == "replay";
        if let Some(runs) = opening.gallery {
            app.gallery = views::gallery::Gallery::from_file(runs);
        }
        if opening.article
            && let Action::ToggleView(name) = &open
        {
            opening::prepare_article(&mut app, name).map_err(Error::Usage)?;
        }
        let (snap_tx, snap_rx) = tokio::sync::watch::channel(first.clone());
        let (cmd_tx, cmd_rx) = mpsc::channel::<Command>();
        let worker = std::thread::Builder::new()
            .name(thread.into())
            .spawn(move || source(cmd_rx, snap_tx))
            .map_err(|e| Error::Failed(format!("cannot start the {thread} thread: {e}")))?;
        let mut dashboard = Dashboard {
            app,
            pools: Pools::default(),
            cmd_tx,
            snap_rx,
            theme,
            memo: ui::Memo::default(),
            started: std::time::Instant::now(),
        };
        dashboard.act(open);
        let outcome = event_loop(terminal, &mut dashboard, fps as f64, mouse).await;
        // Stop the sweeps first (each worker returns within a training step).
        let Dashboard {
            pools,
            cmd_tx,
            snap_rx,
            ..
        } = dashboard;
        drop(pools);
        let _ = cmd_tx.send(Command::Quit);
        drop(cmd_tx);
        drop(snap_rx);
        let _ = worker.join();
        outcome
    })
}

/// Run `body` full screen on a single-threaded event loop, and restore the terminal (main
/// screen, cooked mode, cursor shown, mouse released) whatever it returns. Panics restore it
/// too: color-eyre's hook is installed first, then ratatui's (by `try_init`), then the one
/// releasing the mouse, so the terminal is back before the report prints. With `mouse`, the
/// mouse is captured (clicks on the charts scrub). The dashboard and `sweep --watch` both go
/// through here.
fn full_screen<T>(
    mouse: bool,
    body: impl AsyncFnOnce(&mut ratatui::DefaultTerminal, bool) -> Result<T, Error>,
) -> Result<T, Error> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Failed(format!("cannot start the event loop: {e}")))?;
    let _ = color_eyre::install();
    tty::arm();
    let mut terminal = ratatui::try_init()
        .map_err(|e| Error::Failed(format!("cannot set up the terminal: {e}")))?;
    tty::set_active(true);
    if mouse {
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableMouseCapture);
            hook(info);
        }));
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableMouseCapture);
    }
    let result = runtime.block_on(body(&mut terminal, mouse));
    tty::leave(mouse);
    result
}

/// What the one event loop drives: the dashboard, or `sweep --watch`.
trait Screen {
    /// Reports and clock readings since the last tick; whether the screen changed.
    fn tick(&mut self) -> Result<bool, Error>;
    /// A key press; whether the screen changed.
    fn key(&mut self, key: Key) -> Result<bool, Error>;
    /// A mouse event (where the screen captures the mouse); whether the screen changed.
    fn mouse(&mut self, _ev: crossterm::event::MouseEvent) -> bool {
        false
    }
    /// Wait for the trainer's next snapshot and take it; `false` once the trainer is gone.
    /// A screen without a trainer never returns.
    async fn published(&mut self) -> bool {
        std::future::pending().await
    }
    fn draw(&self, f: &mut Frame);
    fn quit(&self) -> bool;
}

/// The signals that end the event loop cleanly (the terminal is restored on the way out):
/// every one whose default action ends the process and that a handler may take. SIGPIPE
/// too, which Rust otherwise ignores. The faults and SIGABRT are [`tty`]'s.
const ENDING: [libc::c_int; 14] = [
    libc::SIGTERM,
    libc::SIGHUP,
    libc::SIGINT,
    libc::SIGQUIT,
    libc::SIGUSR1,
    libc::SIGUSR2,
    libc::SIGPIPE,
    libc::SIGALRM,
    libc::SIGVTALRM,
    libc::SIGPROF,
    libc::SIGXCPU,
    libc::SIGXFSZ,
    libc::SIGIO,
    libc::SIGPWR,
];

/// The one event loop: redraws on a tick when something changed, keys, resizes, the
/// trainer's snapshots; ends on quit, on a signal that would end the process ([`ENDING`]),
/// or when the terminal's input ends. SIGTSTP leaves full screen, stops, and comes back on
/// SIGCONT. `mouse`: the screen captures the mouse (taken again after a stop).
async fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    screen: &mut impl Screen,
    fps: f64,
    mouse: bool,
) -> Result<(), Error> {
    use tokio::signal::unix::{SignalKind, signal};
    let io = |e: std::io::Error| Error::Failed(format!("terminal error: {e}"));
    let mut ending = Vec::new();
    for s in ENDING {
        ending.push(signal(SignalKind::from_raw(s)).map_err(io)?);
    }
    let mut ending = futures_util::stream::select_all(
        ending
            .into_iter()
            .map(|mut s| Box::pin(futures_util::stream::poll_fn(move |cx| s.poll_recv(cx)))),
    );
    let mut stop = signal(SignalKind::from_raw(libc::SIGTSTP)).map_err(io)?;
    let mut events = crossterm::event::EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / fps));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut dirty = true;
    while !screen.quit() {
        tokio::select! {
            _ = tick.tick() => {
                dirty |= screen.tick()?;
                if dirty {
                    terminal.draw(|f| screen.draw(f)).map_err(io)?;
                    dirty = false;
                }
            }
            ev = events.next() => match ev {
                Some(Ok(crossterm::event::Event::Key(key))) => {
                    if let Some(key) = Key::of(key) {
                        dirty |= screen.key(key)?;
                    }
                }
                Some(Ok(crossterm::event::Event::Mouse(m))) => dirty |= screen.mouse(m),
                Some(Ok(crossterm::event::Event::Resize(..))) => dirty = true,
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(io(e)),
                None => break,
            },
            alive = screen.published() => {
                if !alive {
                    break;
                }
                dirty = true;
            }
            _ = ending.next() => break,
            _ = stop.recv() => {
                tty::leave(mouse);
                tty::stop();
                tty::reenter(mouse).map_err(io)?;
                // Redraw everything (a resize to the same size clears without asking the
                // terminal where its cursor is).
                let area = terminal.size().map_err(io)?;
                terminal.resize(area.into()).map_err(io)?;
                dirty = true;
            }
        }
    }
    Ok(())
}

/// The dashboard as the event loop drives it: the app, the sweep pools, the trainer's ends of
/// the channels.
struct Dashboard {
    app: App,
    pools: Pools,
    cmd_tx: mpsc::Sender<Command>,
    snap_rx: tokio::sync::watch::Receiver<Arc<session::Snapshot>>,
    theme: ui::Theme,
    /// The renderer's memory between frames (heatmap hysteresis).
    memo: ui::Memo,
    /// The app's clock starts here (replays and held keys go by it).
    started: std::time::Instant,
}

impl Dashboard {
    /// Apply an action; its commands go to the sweep pools or the trainer.
    fn act(&mut self, action: Action) {
        for c in self.app.update(action) {
            match self.pools.handle(&c) {
                Ok(true) => {}
                Ok(false) => {
                    let _ = self.cmd_tx.send(c);
                }
                Err(e) => self.app.shared.message = Some(e),
            }
        }
    }
}

impl Screen for Dashboard {
    fn tick(&mut self) -> Result<bool, Error> {
        let shown = (
            self.app.shared.scrub,
            self.app.shared.seek.playing.is_some(),
        );
        self.app.update(Action::Tick(self.started.elapsed()));
        let s = &self.app.shared;
        let mut dirty = shown != (s.scrub, s.seek.playing.is_some());
        for a in self.pools.poll(&self.app.sweeps) {
            if matches!(a, Action::SweepEvent(..))
                || matches!(self.app.view.name, "sweep" | "gallery")
            {
                dirty = true;
            }
            self.app.update(a);
        }
        Ok(dirty)
    }

    fn key(&mut self, key: Key) -> Result<bool, Error> {
        self.app.update(Action::Tick(self.started.elapsed()));
        let Some(a) = state::dispatch(&self.app, key) else {
            return Ok(false);
        };
        self.act(a);
        Ok(true)
    }

    fn mouse(&mut self, ev: crossterm::event::MouseEvent) -> bool {
        let Some(a) = state::mouse(&self.memo, ev) else {
            return false;
        };
        self.app.update(Action::Tick(self.started.elapsed()));
        self.act(a);
        true
    }

    async fn published(&mut self) -> bool {
        if self.snap_rx.changed().await.is_err() {
            return false;
        }
        let snap = self.snap_rx.borrow_and_update().clone();
        self.app.update(Action::Snapshot(snap));
        true
    }

    fn draw(&self, f: &mut Frame) {
        draw(f, &self.app, &self.theme, &self.memo);
    }

    fn quit(&self) -> bool {
        self.app.shared.quit
    }
}
