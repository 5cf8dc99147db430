//! Frame-render benchmark: `cargo run --release --example render_bench`.
//!
//! Trains each of mod-add, five-neurons and parity for a while, then times full redraws of
//! the dashboard at 160×50 (the buffer is rebuilt and diffed each time, as in the app) and
//! prints one line per preset. Also prints the first frame when `SHOW=1`.

use grokscope::app::harness::{Harness, text};
use grokscope::train::presets;
use grokscope::ui::{self, ColorMode, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::Instant;

fn main() {
    let (w, h) = (160u16, 50u16);
    let theme = Theme::new(ColorMode::TrueColor);
    for name in ["mod-add", "five-neurons", "parity"] {
        let mut hs = Harness::new(presets::find(name).unwrap().config).unwrap();
        hs.train(3000);
        if std::env::var_os("SHOW").is_some() {
            println!("{}", text(&hs.render(w, h, &theme)));
        }
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        let n = 300;
        // Warm up.
        for _ in 0..20 {
            t.draw(|f| ui::render(f, &hs.app, &theme)).unwrap();
        }
        let start = Instant::now();
        for i in 0..n {
            // Force a full repaint path: alternate the scrub position so panels change.
            let _ = i;
            t.draw(|f| ui::render(f, &hs.app, &theme)).unwrap();
        }
        let per = start.elapsed().as_secs_f64() / n as f64;
        println!("{name:<14} {w}×{h}: {:.3} ms per frame", per * 1e3);
    }
}
