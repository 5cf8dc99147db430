//! Scrubbing through the run's kept frames, for every view that shows the run (the
//! training view's keys ← → PgUp PgDn Home End g p < >, which the mechanism view shares):
//! one frame at a time (faster while held), 10 % of the run, either end, a typed step, or
//! played forward. Any of them pauses a training run first; space resumes it. Time comes in
//! with `Action::Tick`, so the state stays deterministic.

use super::super::action::{Command, Scrub};
use super::super::seek::{HOLD, Playing, SPEEDS, Seek};
use super::super::shared::Shared;
use crate::snapshot::Status;
use crate::ui::thousands;
use std::time::Duration;

/// The index of the frame on screen (the latest when not scrubbing), if there are any.
pub fn shown(s: &Shared) -> Option<usize> {
    let n = s.snapshot.frames.len();
    (n > 0).then(|| s.scrub.unwrap_or(n - 1).min(n - 1))
}

/// Show frame `i` (the latest is shown as "not scrubbing").
fn show_frame(s: &mut Shared, i: usize) {
    let n = s.snapshot.frames.len();
    s.scrub = (i + 1 < n).then_some(i);
}

/// The kept frame nearest to `step`.
pub fn nearest(s: &Shared, step: u64) -> Option<usize> {
    let frames = &s.snapshot.frames;
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
fn hold_still(s: &mut Shared) -> Vec<Command> {
    if s.snapshot.status == Status::Running && !s.paused {
        s.paused = true;
        s.message = Some("paused to scrub: space resumes training".into());
        vec![Command::Pause]
    } else {
        Vec::new()
    }
}

/// ← → : one frame, and faster while held.
pub fn scrub_step(s: &mut Shared, forward: bool) -> Vec<Command> {
    let Some(cur) = shown(s) else {
        return Vec::new();
    };
    let now = s.seek.now;
    let n = match s.seek.held {
        Some((dir, at, n)) if dir == forward && now.saturating_sub(at) < HOLD => n + 1,
        _ => 1,
    };
    s.seek.held = Some((forward, now, n));
    let cmds = hold_still(s);
    s.seek.playing = None;
    let frames = s.snapshot.frames.len();
    let stride = Seek::stride(n, frames);
    let next = if forward {
        (cur + stride).min(frames - 1)
    } else {
        cur.saturating_sub(stride)
    };
    show_frame(s, next);
    cmds
}

/// A scrubbing request.
pub fn seek(s: &mut Shared, scrub: Scrub) -> Vec<Command> {
    match scrub {
        Scrub::Type | Scrub::Digit(_) | Scrub::Erase | Scrub::Other | Scrub::Cancel | Scrub::Go => {
            typing(s, scrub)
        }
        Scrub::Play => play(s),
        Scrub::Slower | Scrub::Faster => {
            s.seek.speed = if scrub == Scrub::Faster {
                (s.seek.speed + 1).min(SPEEDS.len() - 1)
            } else {
                s.seek.speed.saturating_sub(1)
            };
            say_speed(s);
            Vec::new()
        }
        Scrub::To(step) => jump(s, |app| nearest(app, step)),
        Scrub::Start => jump(s, |_| Some(0)),
        Scrub::End => {
            if s.scrub.is_none() && s.seek.playing.is_none() {
                s.message = Some("at the latest step".into());
                return Vec::new();
            }
            jump(s, |app| app.snapshot.frames.len().checked_sub(1))
        }
        Scrub::PageBack | Scrub::PageForward => {
            let forward = scrub == Scrub::PageForward;
            jump(s, |app| tenth(app, forward))
        }
    }
}

/// `g`, then digits, Backspace, Enter (jump) or Esc (cancel).
fn typing(s: &mut Shared, scrub: Scrub) -> Vec<Command> {
    match scrub {
        Scrub::Type => s.seek.typing = Some(String::new()),
        Scrub::Digit(c) => {
            if let Some(t) = s.seek.typing.as_mut()
                && t.len() < 10
            {
                t.push(c);
            }
        }
        Scrub::Erase => {
            if let Some(t) = s.seek.typing.as_mut() {
                t.pop();
            }
        }
        Scrub::Cancel => {
            s.seek.typing = None;
            s.message = Some("go to step: cancelled".into());
            return Vec::new();
        }
        Scrub::Go => return go(s),
        _ => {}
    }
    say_typing(s);
    Vec::new()
}

/// Enter after a typed step: jump to the kept frame nearest it, and say which it is.
fn go(s: &mut Shared) -> Vec<Command> {
    let typed = s.seek.typing.take().unwrap_or_default();
    let Ok(step) = typed.parse::<u64>() else {
        s.message = Some("go to step: no step typed".into());
        return Vec::new();
    };
    let cmds = seek(s, Scrub::To(step));
    if let Some(f) = s.frame() {
        let got = f.step();
        s.message = Some(if got == step {
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

/// The frame a tenth of the run back or forward from the one on screen (at least one
/// frame, where there is one to go to).
fn tenth(s: &Shared, forward: bool) -> Option<usize> {
    let frames = &s.snapshot.frames;
    let cur = shown(s)?;
    let span = frames.last()?.step() - frames.first()?.step();
    let from = frames[cur].step();
    let to = if forward {
        from.saturating_add(span / 10)
    } else {
        from.saturating_sub(span / 10)
    };
    let i = nearest(s, to)?;
    Some(if forward {
        i.max(cur + 1).min(frames.len() - 1)
    } else {
        i.min(cur.saturating_sub(1))
    })
}

/// `p`: play the history forward from the frame on screen, or stop playing.
fn play(s: &mut Shared) -> Vec<Command> {
    if s.seek.playing.take().is_some() {
        s.message = Some(match s.frame() {
            Some(f) => format!("replay stopped at step {}", thousands(f.step())),
            None => "replay stopped".into(),
        });
        return Vec::new();
    }
    let Some(cur) = shown(s) else {
        return Vec::new();
    };
    let cmds = hold_still(s);
    // From the latest step there is nothing ahead: replay the whole run.
    let start = if s.scrub.is_none() { 0 } else { cur };
    show_frame(s, start);
    s.seek.playing = Some(Playing {
        at: s.snapshot.frames[start].step() as f64,
        since: s.seek.now,
    });
    say_speed(s);
    cmds
}

/// Jump to the frame `to` picks (pausing a running run), stopping a replay.
fn jump(s: &mut Shared, to: impl FnOnce(&Shared) -> Option<usize>) -> Vec<Command> {
    let Some(i) = to(s) else {
        return Vec::new();
    };
    let cmds = hold_still(s);
    s.seek.playing = None;
    show_frame(s, i);
    cmds
}

/// The clock moved on: advance a replay; at the latest frame it stops.
pub fn tick(s: &mut Shared, now: Duration) {
    s.seek.now = now;
    let speed = s.seek.steps_per_s() as f64;
    let Some(p) = s.seek.playing.as_mut() else {
        return;
    };
    p.at += now.saturating_sub(p.since).as_secs_f64() * speed;
    p.since = now;
    let at = p.at;
    let frames = &s.snapshot.frames;
    let reached = frames.partition_point(|f| (f.step() as f64) <= at);
    let last = frames.len().saturating_sub(1);
    let end = frames.last().map_or(0, |f| f.step());
    let i = reached.saturating_sub(1).min(last);
    show_frame(s, i);
    if i == last {
        s.seek.playing = None;
        s.message = Some(format!(
            "replay reached step {}: space resumes training",
            thousands(end)
        ));
    }
}

fn say_typing(s: &mut Shared) {
    if let Some(t) = &s.seek.typing {
        s.message = Some(format!("go to step: {t}▏ Enter jumps, Esc cancels"));
    }
}

fn say_speed(s: &mut Shared) {
    let speed = thousands(s.seek.steps_per_s());
    s.message = Some(if s.seek.playing.is_some() {
        format!("⏵ replaying at {speed} steps/s: < > speed, p stops, space resumes training")
    } else {
        format!("replay speed {speed} steps/s (p plays)")
    });
}
