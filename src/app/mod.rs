//! The dashboard: app state, actions and the event loop.
//!
//! * [`session`]: a trainer plus the metrics history and weight frames it records, and the
//!   plain [`session::Snapshot`] the renderer draws.
//! * [`worker`]: the trainer thread; it takes [`state::Command`]s and publishes snapshots.
//! * [`state`]: the app state and its one `update(action)`.
//! * [`keys`]: the key table.
//!
//! Rendering lives in [`crate::ui`].

pub mod harness;
pub mod keys;
pub mod session;
pub mod state;
pub mod sweep;
pub mod watch;
pub mod worker;

use crate::cli::{Failure, TrainArgs};
use crate::sweep::Pool;
use crate::ui;
use futures_util::StreamExt;
use session::{Clock, Session};
use state::{Action, App, Command};
use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::{Arc, mpsc};
use std::time::Duration;
use sweep::Stopwatch;
use worker::Runner;

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
    fn poll(&mut self, sweeps: &state::Sweeps) -> Vec<Action> {
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

/// Open the dashboard on the preset and overrides in `train`, redrawing at `fps`.
pub fn launch(train: TrainArgs, fps: u32) -> Result<(), Failure> {
    let cfg = train.config()?;
    let threads = train.threads()?;
    if fps == 0 || fps > 120 {
        return Err(Failure::usage(format!(
            "--fps must be in 1..=120 (got {fps})"
        )));
    }
    if !std::io::stdout().is_terminal() {
        return Err(Failure::usage(
            "the dashboard needs a terminal on stdout; to train without a screen use `grokscope run` (JSON lines on stdout)",
        ));
    }
    let session = Session::new(cfg, threads)?;
    let runner = Runner::new(session, threads);
    let theme = ui::Theme::from_env();

    full_screen(async |terminal| event_loop(terminal, runner, theme, fps).await)
}

/// Run `body` full screen on a single-threaded event loop, and restore the terminal (main
/// screen, cooked mode, cursor shown) whatever it returns. Panics restore it too: color-eyre's
/// hook is installed first, then ratatui's (by `try_init`), so the terminal is back before
/// the report prints. The dashboard and `sweep --watch` both go through here.
pub(crate) fn full_screen<T>(
    body: impl AsyncFnOnce(&mut ratatui::DefaultTerminal) -> Result<T, Failure>,
) -> Result<T, Failure> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::failed(format!("cannot start the event loop: {e}")))?;
    let _ = color_eyre::install();
    let mut terminal = ratatui::try_init()
        .map_err(|e| Failure::failed(format!("cannot set up the terminal: {e}")))?;
    let result = runtime.block_on(body(&mut terminal));
    ratatui::restore();
    let _ = crossterm::execute!(std::io::stdout(), crossterm::cursor::Show);
    result
}

async fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    runner: Runner,
    theme: ui::Theme,
    fps: u32,
) -> Result<(), Failure> {
    use tokio::signal::unix::{SignalKind, signal};
    let io = |e: std::io::Error| Failure::failed(format!("terminal error: {e}"));

    let first = Arc::new(runner.snapshot(Clock::default()));
    let mut app = App::new(first.clone());
    let (snap_tx, mut snap_rx) = tokio::sync::watch::channel(first);
    let (cmd_tx, cmd_rx) = mpsc::channel::<Command>();
    let worker = std::thread::Builder::new()
        .name("trainer".into())
        .spawn(move || worker::run(runner, cmd_rx, snap_tx))
        .map_err(|e| Failure::failed(format!("cannot start the trainer thread: {e}")))?;

    let mut sigterm = signal(SignalKind::terminate()).map_err(io)?;
    let mut sighup = signal(SignalKind::hangup()).map_err(io)?;
    let mut sigint = signal(SignalKind::interrupt()).map_err(io)?;
    let mut events = crossterm::event::EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / fps as f64));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut dirty = true;
    let mut outcome = Ok(());
    let mut pools = Pools::default();

    while !app.quit {
        tokio::select! {
            _ = tick.tick() => {
                for a in pools.poll(&app.sweeps) {
                    if matches!(a, Action::SweepEvent(..)) || app.view == state::View::Sweep {
                        dirty = true;
                    }
                    app.update(a);
                }
                if dirty {
                    if let Err(e) = terminal.draw(|f| ui::render(f, &app, &theme)) {
                        outcome = Err(io(e));
                        break;
                    }
                    dirty = false;
                }
            }
            ev = events.next() => match ev {
                Some(Ok(crossterm::event::Event::Key(key))) => {
                    if let Some(a) = keys::action(key) {
                        for c in app.update(a) {
                            match pools.handle(&c) {
                                Ok(true) => {}
                                Ok(false) => {
                                    let _ = cmd_tx.send(c);
                                }
                                Err(e) => app.message = Some(e),
                            }
                        }
                        dirty = true;
                    }
                }
                Some(Ok(crossterm::event::Event::Resize(..))) => dirty = true,
                Some(Ok(_)) => {}
                Some(Err(e)) => { outcome = Err(io(e)); break; }
                None => break,
            },
            changed = snap_rx.changed() => {
                if changed.is_err() {
                    break;
                }
                let snap = snap_rx.borrow_and_update().clone();
                app.update(Action::Snapshot(snap));
                dirty = true;
            }
            _ = sigterm.recv() => break,
            _ = sighup.recv() => break,
            _ = sigint.recv() => break,
        }
    }
    // Stop the sweeps first (each worker returns within a training step).
    drop(pools);
    let _ = cmd_tx.send(Command::Quit);
    drop(cmd_tx);
    drop(snap_rx);
    let _ = worker.join();
    outcome
}
