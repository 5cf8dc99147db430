//! `grokscope sweep --watch`: the sweep view full screen while a real sweep runs. Finished
//! runs go to the caller as they arrive (it appends them to `--out`); quitting (q, Ctrl-C,
//! SIGTERM, SIGHUP) cancels the workers, restores the terminal, and hands over the runs
//! that finished meanwhile too.

use super::sweep::{Stopwatch, SweepState, SweepStatus};
use crate::cli::Failure;
use crate::sweep::{Event, Pool, RunRecord};
use crate::ui::{self, Theme};
use crossterm::event::{KeyCode, KeyEventKind, KeyModifiers};
use futures_util::StreamExt;
use std::sync::mpsc::TryRecvError;
use std::time::Duration;

/// Redraws per second: the view changes when a run starts or ends, and once a second.
const FPS: f64 = 10.0;

/// Keys of the watch view, as its footer lists them.
pub const WATCH_KEYS: [(&str, &str); 3] = [
    ("q", "quit (prints the tables)"),
    ("space", "pause"),
    ("←→", "panels"),
];

/// How the watched sweep ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WatchEnd {
    /// Runs of the sweep not recorded (stopped early).
    pub left: usize,
    pub total: usize,
}

/// Every report the pool has ready; `true` once its workers have all ended.
pub fn drain(pool: &Pool) -> (Vec<Event>, bool) {
    let mut out = Vec::new();
    loop {
        match pool.events().try_recv() {
            Ok(e) => out.push(e),
            Err(TryRecvError::Empty) => return (out, false),
            Err(TryRecvError::Disconnected) => return (out, true),
        }
    }
}

/// Run the view until the user quits; `record` gets each finished run as it arrives.
pub fn watch(
    mut state: SweepState,
    pool: Pool,
    record: &mut dyn FnMut(RunRecord) -> Result<(), Failure>,
) -> Result<WatchEnd, Failure> {
    let theme = Theme::from_env();
    let result = super::full_screen(async |terminal| {
        event_loop(terminal, &mut state, &pool, record, theme).await
    });
    // Runs that finished before the cancellation took hold are whole: keep them.
    for event in pool.stop() {
        if let Event::Finished(r) = &event {
            let _ = record((**r).clone());
        }
        state.apply(event);
    }
    result?;
    Ok(WatchEnd {
        left: state.total() - state.done(),
        total: state.total(),
    })
}

async fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    state: &mut SweepState,
    pool: &Pool,
    record: &mut dyn FnMut(RunRecord) -> Result<(), Failure>,
    theme: Theme,
) -> Result<(), Failure> {
    use tokio::signal::unix::{SignalKind, signal};
    let io = |e: std::io::Error| Failure::failed(format!("terminal error: {e}"));
    let mut sigterm = signal(SignalKind::terminate()).map_err(io)?;
    let mut sighup = signal(SignalKind::hangup()).map_err(io)?;
    let mut sigint = signal(SignalKind::interrupt()).map_err(io)?;
    let mut events = crossterm::event::EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / FPS));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut stopwatch = Stopwatch::default();
    stopwatch.set_running(true);
    state.started = true;
    let mut ended = false;
    let mut dirty = true;
    let mut message: Option<String> = None;
    loop {
        tokio::select! {
            _ = tick.tick() => {
                if !ended {
                    let (reports, done) = drain(pool);
                    for event in reports {
                        match &event {
                            Event::Finished(r) => record((**r).clone())?,
                            Event::Failed { run, error } => {
                                return Err(Failure::usage(format!("run {run}: {error}")));
                            }
                            Event::Started { .. } => {}
                        }
                        state.apply(event);
                        dirty = true;
                    }
                    if done {
                        ended = true;
                        stopwatch.set_running(false);
                        message = Some(match state.status() {
                            SweepStatus::Finished => "finished: q closes the view and prints the tables".into(),
                            _ => "the workers stopped".into(),
                        });
                        dirty = true;
                    }
                }
                let elapsed = stopwatch.elapsed();
                if elapsed.as_secs() != state.elapsed.as_secs() {
                    dirty = true;
                }
                state.elapsed = elapsed;
                if dirty {
                    let chrome = ui::sweep::Chrome {
                        title: state.grid.clone(),
                        keys: &WATCH_KEYS,
                        message: message.as_deref(),
                    };
                    terminal
                        .draw(|f| ui::sweep::render(f, state, &theme, &chrome))
                        .map_err(io)?;
                    dirty = false;
                }
            }
            ev = events.next() => match ev {
                Some(Ok(crossterm::event::Event::Key(key))) if key.kind != KeyEventKind::Release => {
                    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
                    match key.code {
                        KeyCode::Char('c') | KeyCode::Char('d') if ctrl => return Ok(()),
                        KeyCode::Char('q') | KeyCode::Esc => return Ok(()),
                        KeyCode::Char(' ') if !ended => {
                            state.paused = !state.paused;
                            pool.set_paused(state.paused);
                            stopwatch.set_running(!state.paused);
                            message = state.paused.then(|| "paused: space resumes".to_string());
                        }
                        KeyCode::Left => state.turn_page(false),
                        KeyCode::Right => state.turn_page(true),
                        _ => continue,
                    }
                    dirty = true;
                }
                Some(Ok(crossterm::event::Event::Resize(..))) => dirty = true,
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(io(e)),
                None => return Ok(()),
            },
            _ = sigterm.recv() => return Ok(()),
            _ = sighup.recv() => return Ok(()),
            _ = sigint.recv() => return Ok(()),
        }
    }
}
