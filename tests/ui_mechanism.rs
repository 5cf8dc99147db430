//! The mechanism view (`m`, `--view mechanism`): rendered frames of a grokked model (the
//! article's construction at three frequencies, deterministic) and of a memorizing one
//! (mod-add's recorded run played to step 1,000), at 120×40, 80×24 and without colour; the
//! styles that carry meaning; a key script; every modular model on every page (the pictures
//! that read are in `ui_mechanism_pictures.rs`).

mod common;

use common::mechanism::*;

use common::{PLAIN, TRUE, key};
use crossterm::event::KeyCode;
use grokscope::app::harness::{Harness, text};
use grokscope::app::state as views;
use grokscope::probe::mechanism::{PairKind, Split};
use grokscope::train::{Config, presets};
use grokscope::ui::Memo;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

#[test]
fn grokked_frames() {
    let s = common::snapshot_settings();
    let mut app = grokked();
    let memo = Memo::default();
    let t = text(&draw(&app, 120, 40, &TRUE, &memo));
    // Three groups of eight at the built frequencies, all key; the pair is answered right.
    for k in KS {
        assert!(t.contains(&format!("k={k} · 8 neurons")), "{t}");
    }
    assert!(t.contains("a 13 + b 19 → 32 · model 32 ✓"), "{t}");
    s.bind(|| insta::assert_snapshot!("mechanism_grokked_120x40", t));
    s.bind(|| {
        insta::assert_snapshot!(
            "mechanism_grokked_no_color_120x40",
            text(&draw(&app, 120, 40, &PLAIN, &memo))
        )
    });
    for page in 1..=3 {
        let t = text(&draw(&app, 80, 24, &TRUE, &memo));
        assert!(t.contains(&format!("page {page}/3 · f")), "{t}");
        s.bind(|| insta::assert_snapshot!(format!("mechanism_grokked_80x24_page{page}"), t));
        press(&mut app, ch('f'));
    }
}

#[test]
fn memorizing_frames() {
    let s = common::snapshot_settings();
    let h = memorizing();
    let t = text(&h.render(120, 40, &TRUE));
    s.bind(|| insta::assert_snapshot!("mechanism_memorizing_120x40", t));
    let t = text(&h.render(80, 24, &TRUE));
    s.bind(|| insta::assert_snapshot!("mechanism_memorizing_80x24", t));
    let t = text(&h.render(80, 24, &PLAIN));
    s.bind(|| insta::assert_snapshot!("mechanism_memorizing_no_color_80x24", t));
}

/// The right answer is marked in the key colour, a wrong argmax in the warning colour, the
/// selected neuron in its own (bold) style; without colour the marks are still there.
#[test]
fn styles_carry_meaning() {
    let app = grokked();
    let memo = Memo::default();
    let buf = draw(&app, 120, 40, &TRUE, &memo);
    let (x, y) = find(&buf, "▲32").expect("the answer is marked");
    assert_eq!(buf[(x, y)].fg, Color::Green);
    let (x, y) = find(&buf, "32 ✓").unwrap();
    assert_eq!(
        buf[(x, y)].fg,
        Color::Green,
        "a right model answer is green"
    );
    let neuron = |buf: &Buffer, sym: &str| {
        buf.content()
            .iter()
            .filter(|c| c.symbol() == sym)
            .map(|c| (c.fg, c.modifier.contains(Modifier::BOLD)))
            .collect::<Vec<_>>()
    };
    let stars = neuron(&buf, "●");
    assert!(!stars.is_empty(), "the selected neuron is on the stars");
    assert!(
        stars.iter().all(|&s| s == (Color::LightYellow, true)),
        "{stars:?}"
    );
    assert_eq!(
        neuron(&buf, "▸"),
        vec![(Color::LightYellow, true)],
        "one row marked"
    );
    let mono = draw(&app, 120, 40, &PLAIN, &memo);
    assert!(
        mono.content()
            .iter()
            .all(|c| c.fg == Color::Reset && c.bg == Color::Reset)
    );
    assert!(find(&mono, "▲32").is_some() && !neuron(&mono, "●").is_empty());

    // A test pair the memorizing model gets wrong: its argmax is marked in red.
    let mut h = memorizing();
    let split = Split::of(&h.app.shared.snapshot.config).unwrap();
    let mut found = false;
    for _ in 0..67 {
        let buf = h.render(120, 40, &TRUE);
        let t = text(&buf);
        if t.contains("✗") {
            let (x, y) = find(&buf, "✗").unwrap();
            assert_eq!(buf[(x, y)].fg, Color::Red);
            let c = &h.app.mechanism;
            assert_ne!(
                split.kind(c.a, c.b),
                PairKind::Train,
                "a training pair is right"
            );
            found = true;
            break;
        }
        h.press(ch('a'));
    }
    assert!(
        found,
        "some test pair with b = 19 is answered wrong after 1,000 steps"
    );
}

/// Switch to the view, move a and b, select a neuron, flip the matrix and the unwrapping,
/// scrub, and go back: the screen follows each key.
#[test]
fn key_script() {
    let mut h = memorizing();
    let cfg = h.app.shared.snapshot.config.clone();
    let split = Split::of(&cfg).unwrap();
    let pair_line = |h: &Harness| {
        let t = text(&h.render(120, 40, &TRUE));
        t.lines()
            .find(|l| l.contains("→"))
            .map(|l| l.split('│').nth(1).unwrap_or("").trim().to_string())
            .unwrap()
    };
    let said = |a: usize, b: usize| match split.kind(a, b) {
        PairKind::Train => "training pair",
        PairKind::Test => "test pair",
        PairKind::Unused => "not in the data",
    };
    let first = pair_line(&h);
    assert!(first.starts_with("a 13 + b 19 → 32 · model"), "{first}");
    assert!(first.ends_with(said(13, 19)), "{first}");
    h.press(ch('a'));
    h.press(ch('B'));
    h.press(ch('B'));
    let moved = pair_line(&h);
    assert!(moved.starts_with("a 14 + b 17 → 31 · model"), "{moved}");
    assert!(moved.ends_with(said(14, 17)), "{moved}");
    // Wrapping at both ends.
    for _ in 0..14 {
        h.press(ch('A'));
    }
    h.press(ch('A'));
    assert!(
        pair_line(&h).starts_with("a 66 + b 17 → 16"),
        "{}",
        pair_line(&h)
    );

    // The selected neuron: its group comes to the waves, its number on its strip; its row
    // is marked in the DFT map.
    let before = text(&h.render(120, 40, &TRUE));
    h.press(ch(']'));
    h.press(ch(']'));
    let after = text(&h.render(120, 40, &TRUE));
    assert!(after.contains("#2") && !after.contains("#0"), "{after}");
    assert_ne!(
        before.lines().position(|l| l.contains('▸')),
        after
            .lines()
            .position(|l| l.contains('▸'))
            .or(Some(usize::MAX)),
    );

    h.press(ch('o'));
    let t = text(&h.render(120, 40, &TRUE));
    assert!(t.contains("waves · W_output over c ·"), "{t}");
    assert!(t.contains("DFT of W_output"), "{t}");
    h.press(ch('u'));
    let t = text(&h.render(120, 40, &TRUE));
    assert!(t.contains("waves · W_output against k·c mod P"), "{t}");

    // Pause and scrub back: the view draws the earlier frame.
    let latest = h.app.shared.snapshot.step;
    h.press(ch(' '));
    h.press(key(KeyCode::Left));
    h.press(key(KeyCode::Left));
    let t = text(&h.render(120, 40, &TRUE));
    let step = h.app.shared.frame().unwrap().step();
    assert!(step < latest);
    assert!(t.contains(&format!("◂ step {step} ▸")), "{t}");

    // m goes back to the training view, m again returns with the same choices; Esc leaves.
    h.press(ch('m'));
    assert_eq!(h.app.view.name, "training");
    h.press(ch('m'));
    assert_eq!(h.app.view.name, "mechanism");
    assert!(h.app.mechanism.output && h.app.mechanism.unwrapped);
    h.press(key(KeyCode::Esc));
    assert_eq!(h.app.view.name, "training");
    assert!(!h.app.shared.quit);
}

/// A parity run has no mechanism to draw: the view says so instead of drawing empty panels.
#[test]
fn parity_says_the_view_is_for_modular_models() {
    let mut h = Harness::new(presets::find("parity").unwrap().config).unwrap();
    h.train(20);
    h.press(ch('m'));
    let t = text(&h.render(120, 40, &TRUE));
    assert!(
        t.contains("the mechanism view draws the modular models"),
        "{t}"
    );
}

/// Render time of one mechanism frame at 160×50 (`cargo test --release --test ui_mechanism
/// render_time -- --ignored --nocapture`): medians of a redraw of the same frame (the
/// read-out remembered) and of a frame just arrived (read-out computed).
#[test]
#[ignore]
fn render_time() {
    let h = memorizing();
    let mut t = Terminal::new(TestBackend::new(160, 50)).unwrap();
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let memo = Memo::default();
    let mut warm: Vec<f64> = (0..101)
        .map(|_| {
            let start = std::time::Instant::now();
            t.draw(|f| views::draw(f, &h.app, &TRUE, &memo)).unwrap();
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    let mut cold: Vec<f64> = (0..101)
        .map(|_| {
            let memo = Memo::default();
            let start = std::time::Instant::now();
            t.draw(|f| views::draw(f, &h.app, &TRUE, &memo)).unwrap();
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    println!(
        "mechanism view at 160×50, median of 101: redraw {:.3} ms, new frame {:.3} ms",
        median(&mut warm),
        median(&mut cold)
    );
}

/// Every modular preset (five-neurons and the collapsed variants too) and odd shapes (an
/// even modulus with its Nyquist frequency, a tiny model) draw every page at both sizes.
#[test]
fn every_modular_model_draws_every_page() {
    let mut cfgs: Vec<Config> = presets::all()
        .into_iter()
        .map(|p| p.config)
        .filter(|c| c.task == grokscope::train::TaskKind::Modular)
        .collect();
    assert!(cfgs.len() >= 7);
    let mut small = presets::find("mod-add-collapsed").unwrap().config;
    (small.modulus, small.hidden) = (10, 3);
    cfgs.push(small);
    for cfg in cfgs {
        let name = cfg.preset.clone();
        let mut h = Harness::new(cfg).unwrap();
        h.train(40);
        assert!(h.press(ch('m')));
        for _ in 0..3 {
            for (w, ht) in [(120, 40), (80, 24), (200, 60)] {
                let t = text(&h.render(w, ht, &TRUE));
                let drawn = ["waves ·", "logit waves", "DFT"]
                    .iter()
                    .any(|p| t.contains(p));
                assert!(drawn, "{name} {w}×{ht}:\n{t}");
            }
            h.press(ch('f'));
            h.press(ch('o'));
            h.press(ch('u'));
        }
    }
}
