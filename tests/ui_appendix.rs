//! The appendix view: the hand-built circle at 120×40, 80×24 and without colour, for ReLU
//! and x²; a key script whose screen follows M, N, a and b; the view's accuracy and error
//! are `grokscope construct`'s; the memo; `t` takes M and N from the training run.

mod common;

use common::{PLAIN, TRUE, key};
use crossterm::event::KeyCode;
use grokscope::analysis::construct;
use grokscope::app::action::Action;
use grokscope::app::harness::{Harness, text};
use grokscope::train::{Activation, presets};
use ratatui::style::Color;

/// The appendix view over mod-add's recorded run (at step 0).
fn appendix() -> Harness {
    let mut h = common::played("mod-add");
    assert!(h.press(key(KeyCode::Char('x'))));
    assert_eq!(h.app.view.name, "appendix");
    h
}

fn screen(h: &Harness) -> String {
    text(&h.render(120, 40, &TRUE))
}

#[test]
fn relu_and_square_frames() {
    let s = common::snapshot_settings();
    let mut h = appendix();
    for (name, act) in [("relu", Activation::Relu), ("square", Activation::Square)] {
        h.app.appendix.activation = act;
        for (w, ht) in [(120, 40), (80, 24)] {
            let t = text(&h.render(w, ht, &TRUE));
            s.bind(|| insta::assert_snapshot!(format!("appendix_{name}_{w}x{ht}"), t));
            let buf = h.render(w, ht, &PLAIN);
            let plain = text(&buf);
            s.bind(|| insta::assert_snapshot!(format!("appendix_{name}_no_color_{w}x{ht}"), plain));
            // Without colour nothing is coloured; the selection still shows (▸).
            for cell in buf.content() {
                assert!(matches!(cell.fg, Color::Reset), "{w}x{ht}: {cell:?}");
            }
            assert!(plain.contains("▸"), "{w}x{ht}");
        }
    }
    let t = screen(&h);
    assert!(t.contains("claim     x² exact (odd M, N > 4) ✓"), "{t}");
    h.app.appendix.activation = Activation::Relu;
    let t = screen(&h);
    assert!(t.contains("claim     ReLU only approximates ✓"), "{t}");
    assert!(t.contains("accuracy  100.00% (4489/4489 pairs)"), "{t}");
}

#[test]
fn a_key_script_moves_m_n_a_and_b_and_the_screen_follows() {
    let mut h = appendix();
    let t = screen(&h);
    assert!(t.contains("(2 + 12) mod 67 = 14 → 14 ✓"), "{t}");
    assert!(t.contains("▸ M   modulus          67"), "{t}");
    // M: → and + go up, ← and - down.
    for k in [KeyCode::Right, KeyCode::Char('+'), KeyCode::Left] {
        h.press(key(k));
    }
    let t = screen(&h);
    assert!(t.contains("M 68 · N 5 · ReLU"), "{t}");
    assert!(t.contains("(2 + 12) mod 68 = 14"), "{t}");
    // Even M: the pairs half a turn apart tie, and are counted.
    assert!(t.contains("ties      68 (68 at a − b ≡ 34)"), "{t}");
    // N: down one row, two up.
    h.press(key(KeyCode::Down));
    h.press(key(KeyCode::Right));
    h.press(key(KeyCode::Right));
    let t = screen(&h);
    assert!(t.contains("▸ N   neurons           7"), "{t}");
    assert!(t.contains("in-proj: 7 × ReLU"), "{t}");
    // The activation, then a (wraps below 0) and b.
    h.press(key(KeyCode::Down));
    h.press(key(KeyCode::Char('+')));
    h.press(key(KeyCode::Down));
    h.press(key(KeyCode::Left));
    h.press(key(KeyCode::Left));
    h.press(key(KeyCode::Left));
    h.press(key(KeyCode::Down));
    h.press(key(KeyCode::Char('-')));
    let t = screen(&h);
    assert!(t.contains("M 68 · N 7 · x²"), "{t}");
    assert!(t.contains("(67 + 11) mod 68 = 10 → 10 ✓"), "{t}");
    assert!(t.contains("claim     even M: a − b ≡ 34 ties ✓"), "{t}");
    // Up from M wraps to b; M stops at 2.
    h.press(key(KeyCode::Down));
    assert_eq!(
        h.app.appendix.selected,
        grokscope::app::views::appendix::Param::Modulus
    );
    for _ in 0..70 {
        h.press(key(KeyCode::Left));
    }
    let t = screen(&h);
    assert!(t.contains("M 2 · N 7 · x²"), "{t}");
    assert!(t.contains("(0 + 0) mod 2 = 0"), "{t}");
    // x and Esc go back to the training view; keys there still act on the run.
    h.press(key(KeyCode::Esc));
    assert_eq!(h.app.view.name, "training");
    h.press(key(KeyCode::Char('x')));
    h.press(key(KeyCode::Char('x')));
    assert_eq!(h.app.view.name, "training");
}

/// The view's accuracy and error lines for these parameters.
fn view_report(h: &mut Harness, m: usize, n: usize, act: Activation) -> (String, String) {
    let ap = &mut h.app.appendix;
    (ap.modulus, ap.neurons, ap.activation) = (m, n, act);
    let t = screen(h);
    let find = |p: &str| {
        t.lines()
            .find_map(|l| l.find(p).map(|i| l[i..].to_string()))
    };
    (find("accuracy").unwrap(), find("max error").unwrap())
}

#[test]
fn the_view_reports_what_construct_prints() {
    let mut h = appendix();
    for (m, n, act) in [
        (67, 5, Activation::Relu),
        (67, 6, Activation::Relu),
        (12, 4, Activation::Square),
        (113, 7, Activation::Square),
    ] {
        let out = common::grokscope(&[
            "construct",
            "--modulus",
            &m.to_string(),
            "--neurons",
            &n.to_string(),
            "--activation",
            act.name(),
        ]);
        let json = common::json_lines(&out).remove(0);
        let (acc, err) = (
            json["accuracy"].as_f64().unwrap(),
            json["max_abs_error"].as_f64().unwrap(),
        );
        assert!((construct(m, n, act).unwrap().accuracy - acc).abs() < 1e-15);
        let (va, ve) = view_report(&mut h, m, n, act);
        assert!(
            va.starts_with(&format!("accuracy  {:.2}% (", acc * 100.0)),
            "{va}"
        );
        let right = (acc * (m * m) as f64).round() as usize;
        assert!(va.contains(&format!("({right}/{} pairs)", m * m)), "{va}");
        assert!(
            ve.starts_with(&format!("max error {err:.3e}")),
            "{ve} vs {err}"
        );
    }
}

#[test]
fn constructions_are_built_once_per_m_n_and_activation() {
    let mut h = appendix();
    let first = h.app.appendix.construction().unwrap();
    screen(&h);
    h.press(key(KeyCode::Down));
    h.press(key(KeyCode::Down));
    h.press(key(KeyCode::Down));
    h.press(key(KeyCode::Right)); // a
    screen(&h);
    assert!(std::sync::Arc::ptr_eq(
        &first,
        &h.app.appendix.construction().unwrap()
    ));
    assert_eq!(h.app.appendix.kept(), 1);
    // M = 500: built once, then every frame and every move of a reuses it (counted, not
    // timed: the machine's speed is no test's business).
    h.app.appendix.modulus = 500;
    screen(&h);
    let built = h.app.appendix.construction().unwrap();
    for _ in 0..3 {
        h.press(key(KeyCode::Right));
        screen(&h);
    }
    assert!(std::sync::Arc::ptr_eq(
        &built,
        &h.app.appendix.construction().unwrap()
    ));
    assert_eq!(h.app.appendix.kept(), 2);
    assert!(screen(&h).contains("(6 + 12) mod 500 = 18"));
}

#[test]
fn t_takes_m_and_n_from_the_run_and_shows_the_learned_star() {
    let mut h = appendix();
    h.train(200);
    assert!(h.press(key(KeyCode::Char('t'))));
    let frame = h.app.shared.frame().unwrap().clone();
    let s = frame.readings.spectrum().unwrap();
    let k = s.spectrum.key_frequencies[0];
    let count = s.neurons.iter().filter(|n| n.frequency == k).count();
    assert!(count > 0);
    let ap = &h.app.appendix;
    assert_eq!(ap.modulus, h.app.shared.snapshot.config.modulus);
    assert_eq!(ap.neurons, count.min(64));
    assert_eq!(ap.learned, Some(k));
    let t = screen(&h);
    assert!(t.contains(&format!("learned: k={k} · {count}")), "{t}");
    assert!(t.contains("from the run"), "{t}");
    // Again: the next group with neurons.
    h.press(key(KeyCode::Char('t')));
    assert_ne!(h.app.appendix.learned, Some(k));
    // 80×24 draws the two stars side by side too.
    assert!(text(&h.render(80, 24, &TRUE)).contains("learned"));
    // A parity run has no modulus to take.
    let mut p = Harness::new(presets::find("parity").unwrap().config).unwrap();
    p.act(Action::ToggleView("appendix"));
    p.press(key(KeyCode::Char('t')));
    assert_eq!(p.app.appendix.learned, None);
    assert!(screen(&p).contains("t takes M and N from a modular-addition run"));
}

/// Parameters no construction exists for (a modulus below 2) get a notice that says why,
/// above the view's footer, not an empty screen.
#[test]
fn a_construction_that_cannot_be_built_is_named_not_drawn() {
    let mut h = appendix();
    h.app.appendix.modulus = 1;
    let t = text(&h.render(120, 40, &PLAIN));
    assert!(t.contains("the construction cannot be built"), "{t}");
    assert!(t.lines().last().unwrap().contains("x training view"), "{t}");
}
