//! Every mechanism drawing carries a numeric scale (issue 21: "every chart has an axis"),
//! from mod-add's recorded run played to step 1,000, at 120×40 and 80×24 (each page), in
//! colour and without: the wave strips an axis over a from 0 to 66 under them and each
//! group's value range; each star its circle's radius; each logit chart its value range and
//! the model's logits an axis over c.

mod common;

use common::{PLAIN, TRUE, key};
use crossterm::event::KeyCode;
use grokscope::app::harness::{Harness, text};

fn mechanism() -> Harness {
    let mut h = common::played("mod-add");
    h.train(1000);
    assert!(h.press(key(KeyCode::Char('m'))));
    assert_eq!(h.app.view.name, "mechanism");
    h
}

/// The screens the view draws at `w`×`h`: every page.
fn screens(h: &mut Harness, w: u16, ht: u16, plain: bool) -> Vec<String> {
    let theme = if plain { &PLAIN } else { &TRUE };
    let pages = if w >= 120 && ht >= 40 { 1 } else { 3 };
    let mut out = Vec::new();
    for _ in 0..pages {
        out.push(text(&h.render(w, ht, theme)));
        h.press(key(KeyCode::Char('f')));
    }
    out
}

/// Whether `s` ends with a range tag: "±" and a number.
fn ends_with_range(s: &str) -> bool {
    let t = s.trim_end_matches(['│', ' ']);
    t.rsplit_once('±')
        .is_some_and(|(_, n)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

#[test]
fn every_mechanism_drawing_has_a_scale() {
    let mut h = mechanism();
    for (w, ht) in [(120, 40), (80, 24)] {
        for plain in [false, true] {
            let all = screens(&mut h, w, ht, plain).join("\n");
            let at = format!("{w}x{ht} plain={plain}");
            // The waves: an axis from 0 to 66 over a, and a range on every group's label.
            let axis = all
                .lines()
                .find(|l| l.contains(" a 0 "))
                .unwrap_or_else(|| panic!("{at}: no axis over a\n{all}"));
            assert!(axis.contains(" 66"), "{at}: {axis}");
            assert!(axis.contains(" 30 "), "{at}: {axis}");
            let groups: Vec<&str> = all
                .lines()
                .filter_map(|l| l.split('│').nth(1))
                .filter(|l| l.starts_with("k=") && l.contains(" · ") && l.contains('/'))
                .collect();
            assert!(!groups.is_empty(), "{at}\n{all}");
            for g in &groups {
                assert!(
                    ends_with_range(g),
                    "{at}: group label without a range: {g:?}"
                );
            }
            // The stars: their circle's radius, one a star (W_input and W_output).
            let radii = all.matches("○ r").count() + all.matches("○ radius").count();
            assert!(radii >= 2, "{at}: {radii} star radii\n{all}");
            // The logit waves: the total's range and its axis over c.
            let total = all
                .lines()
                .find_map(|l| l.split('│').find(|s| s.contains("all groups")))
                .unwrap_or_else(|| panic!("{at}: no total\n{all}"));
            assert!(ends_with_range(total), "{at}: {total}");
            let marks = all
                .lines()
                .find(|l| l.contains("▲32"))
                .unwrap_or_else(|| panic!("{at}: no answer mark\n{all}"));
            let inner = marks.split('│').find(|s| s.contains("▲32")).unwrap();
            assert!(inner.starts_with('0'), "{at}: {inner:?}");
            assert!(inner.trim_end().ends_with("66"), "{at}: {inner:?}");
        }
    }
}
