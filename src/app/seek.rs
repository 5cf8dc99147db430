//! The scrubbing state and its constants (the moves themselves are
//! [`super::views::scrub`]'s). Scrubbing through the kept frames as the article's mouse-over does: one frame at a time
//! (faster while the key is held), 10 % of the run at a time, to either end, to a typed
//! step, or played forward at a chosen speed. Any of them pauses a training run first
//! ("scrubbing pauses it"); space resumes it and returns to the latest step.
//!
//! Time comes in with [`Action::Tick`] (the event loop's clock, since it started), so the
//! state stays deterministic: tests set the clock with ticks of their own.

use super::action::{Action, Scrub};
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
    pub since: Duration,
}

/// The scrubbing state beside the frame on screen (`Shared::scrub`) (the frame on screen).
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
    pub held: Option<(bool, Duration, u32)>,
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
    pub fn stride(n: u32, frames: usize) -> usize {
        let cap = (frames / MAX_STRIDE_DIVISOR).max(1);
        let grown = 1.3f64.powi(n.saturating_sub(SLOW_PRESSES) as i32).floor() as usize;
        grown.clamp(1, cap)
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
