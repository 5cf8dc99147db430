//! Scrubbing through the kept frames as the article's mouse-over does: one frame at a time
//! (faster while the key is held), 10 % of the run at a time, to either end, to a typed
//! step, or played forward at a chosen speed. Any of them pauses a training run first
//! ("scrubbing pauses it"); space resumes it and returns to the latest step.
//!
//! Time comes in with [`Action::Tick`] (the event loop's clock, since it started), so the
//! state stays deterministic: tests set the clock with ticks of their own.

use super::action::{Action, Command, Scrub};
use super::shared::Shared;
use crate::snapshot::Status;
use crate::ui::thousands;
use std::time::Duration;

/// Replay speeds, in training steps per second of wall time.
pub const SPEEDS: [u64; 8] = [100, 250, 500, 1_000, 2_000, 5_000, 10_000, 20_000];
const DEFAULT_SPEED: usize = 4;

/// Presses of ← → closer together than this count as one held key (the terminal's auto
/// repeat sends 25–40 a second, after a first delay of 250–600 ms).
pub const HOLD: Duration = Duration::from_millis(200);
/// Held presses that move one frame each before the stride grows.
const SLOW_PRESSES: u32 = 3;
/// A held key's stride grows to at most this share of the frames (1/40: about 12 of 512).
const MAX_STRIDE_DIVISOR: usize = 40;

/// A replay under way.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Playing {
    /// The step the replay has reached (between frames).
    pub at: f64,
    /// The clock when `at` was last advanced.
    since: Duration,
}

/// The scrubbing state beside [`Shared::scrub`] (the frame on screen).
#[derive(Clone, Debug, PartialEq)]
pub struct Seek {
    /// The step number being typed after `g`.
    pub typing: Option<String>,
    pub playing: Option<Playing>,
    /// Index into [`SPEEDS`].
    pub speed: usize,
    /// The event loop's clock (from [`Action::Tick`]).
    pub now: Duration,
    /// The last ← → press: its direction (forward?), when, and how many in a row.
    held: Option<(bool, Duration, u32)>,
}

impl Default for Seek {
    fn default() -> Self {
        Seek {
            typing: None,
            playing: None,
            speed: DEFAULT_SPEED,
            now: Duration::ZERO,
            held: None,
        }
    }
}

impl Seek {
    /// The replay speed, steps per second.
    pub fn steps_per_s(&self) -> u64 {
        SPEEDS[self.speed]
    }

    /// Forget a replay, a half-typed step and a held key (space, a new run).
    pub fn reset(&mut self) {
        self.typing = None;
        self.playing = None;
        self.held = None;
    }

    /// The stride of the `n`-th held press (1-based) over `frames` frames: one frame for the
    /// first few, then growing by a third a press, to 1/40 of the frames.
    fn stride(n: u32, frames: usize) -> usize {
        let cap = (frames / MAX_STRIDE_DIVISOR).max(1);
        let grown = 1.3f64.powi(n.saturating_sub(SLOW_PRESSES) as i32).floor() as usize;
        grown.clamp(1, cap)
    }
}

impl Shared {
    /// The index of the frame on screen (the latest when not scrubbing), if there are any.
    pub fn shown(&self) -> Option<usize> {
        let n = self.snapshot.frames.len();
        (n > 0).then(|| self.scrub.unwrap_or(n - 1).min(n - 1))
    }

    /// Show frame `i` (the latest is shown as "not scrubbing").
    fn show_frame(&mut self, i: usize) {
        let n = self.snapshot.frames.len();
        self.scrub = (i + 1 < n).then_some(i);
    }

    /// The kept frame nearest to `step`.
    pub fn nearest(&self, step: u64) -> Option<usize> {
        let frames = &self.snapshot.frames;
        let i = frames.partition_point(|f| f.step() < step);
        match (i.checked_sub(1), (i < frames.len()).then_some(i)) {
            (Some(a), Some(b)) => Some(if step - frames[a].step() <= frames[b].step() - step {
                a
            } else {
                b
            }),
            (a, b) => a.or(b),
        }
    }

    /// Scrubbing a running run pauses it first, and says so.
    fn hold_still(&mut self) -> Vec<Command> {
        if self.snapshot.status == Status::Running && !self.paused {
            self.paused = true;
            self.message = Some("paused to scrub: space resumes training".into());
            vec![Command::Pause]
        } else {
            Vec::new()
        }
    }

    /// ← → : one frame, and faster while held.
    pub fn scrub_step(&mut self, forward: bool) -> Vec<Command> {
        let Some(cur) = self.shown() else {
            return Vec::new();
        };
        let now = self.seek.now;
        let n = match self.seek.held {
            Some((dir, at, n)) if dir == forward && now.saturating_sub(at) < HOLD => n + 1,
            _ => 1,
        };
        self.seek.held = Some((forward, now, n));
        let cmds = self.hold_still();
        self.seek.playing = None;
        let frames = self.snapshot.frames.len();
        let stride = Seek::stride(n, frames);
        let next = if forward {
            (cur + stride).min(frames - 1)
        } else {
            cur.saturating_sub(stride)
        };
        self.show_frame(next);
        cmds
    }

    /// A scrubbing request.
    pub fn seek(&mut self, s: Scrub) -> Vec<Command> {
        match s {
            Scrub::Type => {
                self.seek.typing = Some(String::new());
                self.say_typing();
                Vec::new()
            }
            Scrub::Digit(c) => {
                if let Some(t) = self.seek.typing.as_mut()
                    && t.len() < 10
                {
                    t.push(c);
                }
                self.say_typing();
                Vec::new()
            }
            Scrub::Erase => {
                if let Some(t) = self.seek.typing.as_mut() {
                    t.pop();
                }
                self.say_typing();
                Vec::new()
            }
            Scrub::Other => {
                self.say_typing();
                Vec::new()
            }
            Scrub::Cancel => {
                self.seek.typing = None;
                self.message = Some("go to step: cancelled".into());
                Vec::new()
            }
            Scrub::Go => {
                let typed = self.seek.typing.take().unwrap_or_default();
                match typed.parse::<u64>() {
                    Ok(step) => {
                        let cmds = self.seek(Scrub::To(step));
                        if let Some(f) = self.frame() {
                            let got = f.step();
                            self.message = Some(if got == step {
                                format!("step {}", thousands(step))
                            } else {
                                format!(
                                    "step {}: the nearest kept frame is {}",
                                    thousands(step),
                                    thousands(got)
                                )
                            });
                        }
                        cmds
                    }
                    Err(_) => {
                        self.message = Some("go to step: no step typed".into());
                        Vec::new()
                    }
                }
            }
            Scrub::To(step) => self.jump(|app| app.nearest(step)),
            Scrub::Start => self.jump(|_| Some(0)),
            Scrub::End => {
                if self.scrub.is_none() && self.seek.playing.is_none() {
                    self.message = Some("at the latest step".into());
                    return Vec::new();
                }
                self.jump(|app| app.snapshot.frames.len().checked_sub(1))
            }
            Scrub::PageBack | Scrub::PageForward => {
                let forward = s == Scrub::PageForward;
                self.jump(|app| {
                    let frames = &app.snapshot.frames;
                    let cur = app.shown()?;
                    let span = frames.last()?.step() - frames.first()?.step();
                    let from = frames[cur].step();
                    let to = if forward {
                        from.saturating_add(span / 10)
                    } else {
                        from.saturating_sub(span / 10)
                    };
                    let i = app.nearest(to)?;
                    // At least one frame, where there is one to go to.
                    Some(if forward {
                        i.max(cur + 1).min(frames.len() - 1)
                    } else {
                        i.min(cur.saturating_sub(1))
                    })
                })
            }
            Scrub::Play => {
                if self.seek.playing.take().is_some() {
                    self.message = Some(match self.frame() {
                        Some(f) => format!("replay stopped at step {}", thousands(f.step())),
                        None => "replay stopped".into(),
                    });
                    return Vec::new();
                }
                let Some(cur) = self.shown() else {
                    return Vec::new();
                };
                let cmds = self.hold_still();
                // From the latest step there is nothing ahead: replay the whole run.
                let start = if self.scrub.is_none() { 0 } else { cur };
                self.show_frame(start);
                self.seek.playing = Some(Playing {
                    at: self.snapshot.frames[start].step() as f64,
                    since: self.seek.now,
                });
                self.say_speed();
                cmds
            }
            Scrub::Slower | Scrub::Faster => {
                self.seek.speed = if s == Scrub::Faster {
                    (self.seek.speed + 1).min(SPEEDS.len() - 1)
                } else {
                    self.seek.speed.saturating_sub(1)
                };
                self.say_speed();
                Vec::new()
            }
        }
    }

    /// Jump to the frame `to` picks (pausing a running run), stopping a replay.
    fn jump(&mut self, to: impl FnOnce(&Shared) -> Option<usize>) -> Vec<Command> {
        let Some(i) = to(self) else {
            return Vec::new();
        };
        let cmds = self.hold_still();
        self.seek.playing = None;
        self.show_frame(i);
        cmds
    }

    /// The clock moved on: advance a replay; at the latest frame it stops.
    pub fn tick(&mut self, now: Duration) {
        self.seek.now = now;
        let speed = self.seek.steps_per_s() as f64;
        let Some(p) = self.seek.playing.as_mut() else {
            return;
        };
        p.at += now.saturating_sub(p.since).as_secs_f64() * speed;
        p.since = now;
        let at = p.at;
        let frames = &self.snapshot.frames;
        let reached = frames.partition_point(|f| (f.step() as f64) <= at);
        let last = frames.len().saturating_sub(1);
        let end = frames.last().map_or(0, |f| f.step());
        let i = reached.saturating_sub(1).min(last);
        self.show_frame(i);
        if i == last {
            self.seek.playing = None;
            self.message = Some(format!(
                "replay reached step {}: space resumes training",
                thousands(end)
            ));
        }
    }

    fn say_typing(&mut self) {
        if let Some(t) = &self.seek.typing {
            self.message = Some(format!("go to step: {t}▏ Enter jumps, Esc cancels"));
        }
    }

    fn say_speed(&mut self) {
        let speed = thousands(self.seek.steps_per_s());
        self.message = Some(if self.seek.playing.is_some() {
            format!("⏵ replaying at {speed} steps/s: < > speed, p stops, space resumes training")
        } else {
            format!("replay speed {speed} steps/s (p plays)")
        });
    }
}

/// The action of a key while a step is being typed.
pub fn typing_action(code: crossterm::event::KeyCode) -> Action {
    use crossterm::event::KeyCode;
    Action::Seek(match code {
        KeyCode::Char(c @ '0'..='9') => Scrub::Digit(c),
        KeyCode::Backspace => Scrub::Erase,
        KeyCode::Enter => Scrub::Go,
        KeyCode::Esc => Scrub::Cancel,
        _ => Scrub::Other,
    })
}
