//! Dashboard render benchmark: `cargo run --release --example render_bench`.
//!
//! 1. Frame time at 160×50: trains mod-add, five-neurons and parity for a while, then times
//!    full draws of the dashboard (widgets into a buffer, diff, escape sequences written by the
//!    crossterm backend into a byte counter), alternating between two scrubbed frames so
//!    every draw has real changes to encode.
//! 2. Bytes per second at 120×40 and 15 fps: replays the live app (a snapshot every
//!    `STEPS_PER_DRAW` training steps, one draw per snapshot, as the event loop does when a
//!    snapshot arrives between ticks) through the real crossterm backend into a counter, over
//!    windows of the main model's run: memorizing, circuit forming and grokking.

use grokscope::app::action::Action;
use grokscope::app::harness::Harness;
use grokscope::train::presets;
use grokscope::ui::{ColorMode, Theme};
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use std::cell::Cell;
use std::io::{self, Write};
use std::rc::Rc;
use std::time::Instant;

/// Counts bytes written (shared, since the backend owns its writer).
#[derive(Clone, Default)]
struct Counter(Rc<Cell<u64>>);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.set(self.0.get() + buf.len() as u64);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn terminal(w: u16, h: u16, counter: &Counter) -> Terminal<CrosstermBackend<Counter>> {
    Terminal::with_options(
        CrosstermBackend::new(counter.clone()),
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, w, h)),
        },
    )
    .unwrap()
}

/// The trainer publishes every 125 ms (8 draws per second, under the 15 fps cap); at
/// ~2,000 steps/s that is 250 steps between snapshots.
const STEPS_PER_DRAW: u64 = 250;
const DRAWS_PER_S: f64 = 8.0;

fn main() {
    let theme = Theme::new(ColorMode::TrueColor);
    let (w, h) = (160u16, 50u16);
    for name in ["mod-add", "five-neurons", "parity"] {
        let mut hs = Harness::new(presets::find(name).unwrap().config).unwrap();
        hs.train(3000);
        hs.act(Action::TogglePause);
        let mut t = terminal(w, h, &Counter::default());
        let n = 400;
        let start = Instant::now();
        for i in 0..n {
            hs.act(if i % 2 == 0 {
                Action::ScrubBack
            } else {
                Action::ScrubForward
            });
            t.draw(|f| grokscope::app::draw(f, &hs.app, &theme, &hs.memo))
                .unwrap();
        }
        let per = start.elapsed().as_secs_f64() / n as f64;
        println!(
            "frame {name:<13} {w}×{h}: {:.3} ms (draw + diff + encode)",
            per * 1e3
        );
    }

    let mut cfg = presets::find("mod-add").unwrap().config;
    cfg.steps = 70_000;
    for (label, mode) in [
        ("truecolor", ColorMode::TrueColor),
        ("256-colour", ColorMode::Ansi256),
        ("NO_COLOR", ColorMode::None),
    ] {
        let theme = Theme::new(mode);
        let mut hs = Harness::new(cfg.clone()).unwrap();
        let counter = Counter::default();
        let mut t = terminal(120, 40, &counter);
        t.draw(|f| grokscope::app::draw(f, &hs.app, &theme, &hs.memo))
            .unwrap();
        let mut report = Vec::new();
        for (phase, from, to) in [
            ("memorizing 0-4k", 0u64, 4_000u64),
            ("circuit 30k-34k", 30_000, 34_000),
            ("grokking 50k-60k", 50_000, 60_000),
        ] {
            if hs.runner.session.step_count() < from {
                hs.train(from - hs.runner.session.step_count());
                t.draw(|f| grokscope::app::draw(f, &hs.app, &theme, &hs.memo))
                    .unwrap();
            }
            let before = counter.0.get();
            let mut draws = 0u64;
            while hs.runner.session.step_count() < to {
                hs.train(STEPS_PER_DRAW);
                t.draw(|f| grokscope::app::draw(f, &hs.app, &theme, &hs.memo))
                    .unwrap();
                draws += 1;
            }
            let bytes = counter.0.get() - before;
            report.push(format!(
                "{phase}: {:.1} KB/s",
                bytes as f64 / draws as f64 * DRAWS_PER_S / 1000.0
            ));
        }
        println!("bytes {label:<10} 120×40: {}", report.join(", "));
    }
}
