//! The training view's panels up close, on recorded runs played to a step: the spectrum's
//! axis and key marks, parity's digit axis, the neuron brackets and the whole-heatmap key.

mod common;

use common::dashboard::*;
use common::{TRUE, key};
use crossterm::event::KeyCode;
use grokscope::app::action::Action;
use grokscope::app::harness::{Harness, text};
use grokscope::train::presets;
use grokscope::ui::Theme;
use ratatui::buffer::Buffer;

/// The axis under the spectrum's bars: a mark for every key frequency (under its bar), tick
/// labels under their bars, apart from each other and inside the panel, whatever the keys.
#[test]
fn spectrum_axis_marks_every_key_and_keeps_its_labels() {
    use grokscope::ui::{bars, spectrum};
    // P = 23, 67, 113, in panels from the 80×24 one (35 columns) to wide ones (slots of 3+).
    for n in [11, 33, 56] {
        for width in [35u16, 47, 49, 80, 120] {
            let adjacent: Vec<usize> = (1..=n).filter(|k| k % 5 != 2).collect();
            for keys in [vec![], vec![1], vec![n], vec![8, 9, 10, 11], adjacent] {
                let axis = spectrum::axis(n, width, &keys);
                let shown: Vec<usize> = keys
                    .iter()
                    .copied()
                    .filter(|&k| bars::centre(k - 1, n, width).is_some())
                    .collect();
                // Every key whose bar is drawn is marked once, under the middle of its bar.
                assert_eq!(
                    axis.marks.len(),
                    shown.len(),
                    "n {n} width {width} keys {keys:?}"
                );
                for &k in &shown {
                    let x = bars::centre(k - 1, n, width).unwrap();
                    assert!(axis.marks.contains(&(x, k - 1)), "key {k} unmarked");
                    let (x0, w) = bars::slot(k - 1, n, width);
                    assert!((x0..x0 + w).contains(&x));
                }
                // Labels: inside the width, a blank column apart, each starting under its own
                // bar; 1 and every multiple of 5 that fits is there.
                let mut free = 0;
                for (x, text) in &axis.labels {
                    let k: usize = text.parse().unwrap();
                    assert!(k == 1 || k.is_multiple_of(5));
                    let (x0, w) = bars::slot(k - 1, n, width);
                    assert!((x0..x0 + w).contains(x), "label {k} not under its bar");
                    assert!(*x >= free, "label {k} runs into the previous one");
                    assert!(*x as usize + text.len() <= width as usize);
                    free = *x + text.len() as u16 + 1;
                }
                if width as usize >= 2 * n {
                    let ticks = 1 + n / 5;
                    assert_eq!(axis.labels.len(), ticks, "n {n} width {width}");
                }
            }
        }
    }
}

/// The cells of `row` from `x0` for `width` columns.
fn cells(buf: &Buffer, x0: u16, row: u16, width: u16) -> String {
    (x0..x0 + width).map(|x| buf[(x, row)].symbol()).collect()
}

/// On rendered frames: the row under the bars holds a ▲ under every key frequency and nothing
/// else; the row under it reads the tick labels whole (no marker ate a digit).
#[test]
fn spectrum_panel_marks_keys_without_eating_labels() {
    use grokscope::ui::bars;
    for name in ["mod-add", "regrok"] {
        let h = trained(name);
        let frame = h.app.shared.frame().unwrap();
        let s = &frame
            .readings
            .spectrum()
            .expect("modular spectrum")
            .spectrum;
        let n = s.norms.len();
        for (w, ht, theme) in [
            (120, 40, TRUE),
            (80, 24, TRUE),
            (80, 24, Theme::detect(true, "")),
        ] {
            let buf = h.render(w, ht, &theme);
            let (px, py) = find(&buf, "╭ Fourier spectrum").unwrap();
            let right = (px + 1..w).find(|&x| buf[(x, py)].symbol() == "╮").unwrap();
            let labels = (py + 1..ht)
                .find(|&y| {
                    cells(&buf, px + 1, y, right - px - 1)
                        .trim_start()
                        .starts_with("1 ")
                })
                .expect("label row");
            // The value scale at the bars' left: 0 beside the bottom row, a number at the top,
            // then the bars' own columns (after the line, where there is one).
            let bottom = cells(&buf, px + 1, labels - 2, right - px - 1);
            let gutter = bottom.find('0').expect("0 on the scale") + 1;
            let gutter = gutter + usize::from(bottom[gutter..].starts_with('│')) * '│'.len_utf8();
            let gutter = bottom[..gutter].chars().count() as u16;
            let top = cells(&buf, px + 1, py + 1, gutter);
            let top_value: f32 = top.trim_end_matches('│').trim().parse().expect("top label");
            assert!(top_value > 0.0, "{name} {w}x{ht}: {top}");
            let x0 = px + 1 + gutter;
            let inner = right - x0;
            let marks = cells(&buf, x0, labels - 1, inner);
            let expected: String = (0..inner)
                .map(|x| {
                    let key = s
                        .key_frequencies
                        .iter()
                        .any(|&k| bars::centre(k - 1, n, inner) == Some(x));
                    if key { '▲' } else { ' ' }
                })
                .collect();
            assert_eq!(marks, expected, "{name} {w}x{ht}");
            assert_eq!(
                marks.chars().filter(|&c| c == '▲').count(),
                s.key_frequencies.len(),
                "{name} {w}x{ht}: every key frequency marked"
            );
            let row = cells(&buf, x0, labels, inner);
            let words: Vec<&str> = row.split_whitespace().collect();
            assert_eq!(
                words,
                ["1", "5", "10", "15", "20", "25", "30"],
                "{name} {w}x{ht}"
            );
            // The bars keep most of the panel: at 80×24 seven rows.
            assert!(labels - 1 - (py + 1) >= 7, "{name} {w}x{ht}: bar rows");
        }
    }
}

/// Parity's digit axis: ▲ under the informative digits, b under the bias, and the digit
/// numbers whole on the row below (the bias used to eat the 0 of 30).
#[test]
fn digit_axis_keeps_its_labels() {
    let h = trained("parity");
    for (w, ht) in [(120, 40), (80, 24)] {
        let buf = h.render(w, ht, &TRUE);
        let t = text(&buf);
        let lines: Vec<&str> = t.lines().collect();
        // The digits' panel is the right one of its row: its text follows the last "││".
        let panel = |l: &str| {
            let p = l.rsplit("││").next().unwrap_or("");
            p.trim_end().trim_end_matches('│').to_string()
        };
        let words = ["1", "5", "10", "15", "20", "25", "30"];
        let y = lines
            .iter()
            .position(|l| panel(l).split_whitespace().eq(words))
            .expect("digit labels whole");
        let marks = panel(lines[y - 1]);
        let marks: Vec<&str> = marks.split_whitespace().collect();
        assert_eq!(
            marks.concat().matches('▲').count(),
            3,
            "{w}x{ht}: {marks:?}"
        );
        assert_eq!(marks.last(), Some(&"b"), "{w}x{ht}: {marks:?}");
        // A value scale at the bars' left: 0 beside the bottom row, a number above it.
        let scale = |l: &str| {
            let p = panel(l);
            let head: String = p.chars().take_while(|&c| c != '│').collect();
            head.trim().parse::<f32>().ok()
        };
        assert_eq!(scale(lines[y - 2]), Some(0.0), "{w}x{ht}\n{t}");
        let above: Vec<f32> = (y - 12..y - 2).filter_map(|i| scale(lines[i])).collect();
        assert!(above.iter().any(|&v| v > 0.0), "{w}x{ht}: {above:?}\n{t}");
    }
}

/// `[` and `]` select a hidden neuron, wrapping at both ends; a new run with fewer neurons
/// keeps the selection inside the model.
#[test]
fn brackets_select_a_neuron_and_it_stays_inside_the_model() {
    let mut cfg = presets::find("mod-add").unwrap().config;
    cfg.steps = 100;
    let mut h = Harness::new(cfg.clone()).unwrap();
    h.train(100);
    let hidden = cfg.hidden;
    assert_eq!(h.app.shared.neuron, 0);
    assert_eq!(h.app.ctx(&TRUE, &Default::default()).neuron, 0);
    h.press(key(KeyCode::Char('[')));
    assert_eq!(h.app.shared.neuron, hidden - 1, "wraps below the first");
    h.press(key(KeyCode::Char(']')));
    h.press(key(KeyCode::Char(']')));
    assert_eq!(h.app.shared.neuron, 1, "wraps past the last");
    assert!(text(&h.render(120, 40, &TRUE)).contains(&format!("neuron 1 of {hidden} selected")));
    let help = {
        h.press(key(KeyCode::Char('?')));
        text(&h.render(120, 40, &TRUE))
    };
    assert!(help.contains("[ ]"), "{help}");
    h.press(key(KeyCode::Char('?')));

    for _ in 0..hidden - 2 {
        h.press(key(KeyCode::Char(']')));
    }
    assert_eq!(h.app.shared.neuron, hidden - 1);
    h.app.shared.draft.hidden = 4;
    h.act(Action::Apply);
    h.train(20);
    assert_eq!(h.app.shared.neuron, 3, "clamped to the narrower model");
}

/// At 120×40 the two maps side by side could not both show mod-add's 67 columns: they go one
/// above the other, each whole; `v` gives each map the panel in turn, every column drawn.
#[test]
fn v_shows_each_heatmap_whole() {
    let mut h = trained("mod-add");
    let heat_line = |h: &Harness| {
        let t = text(&h.render(120, 40, &TRUE));
        t.lines().find(|l| l.contains("╭ W_")).unwrap().to_string()
    };
    let both = text(&h.render(120, 40, &TRUE));
    assert!(
        both.contains("├ W_output") && !both.contains(" of 67") && !both.contains("a=0,"),
        "{both}"
    );
    let width_of = |line: &str| {
        // The map's panel: from its ╭ to the first ╮ after it.
        let start = line.find("╭ W_").unwrap();
        line[start..].chars().take_while(|&c| c != '╮').count() + 1
    };
    h.press(key(KeyCode::Char('v')));
    let line = heat_line(&h);
    assert!(line.contains("╭ W_input") && !line.contains("┬"), "{line}");
    assert!(
        !line.contains(" of 67") && !line.contains("sampled"),
        "{line}"
    );
    assert!(width_of(&line) >= 67 + 2, "{line}");
    h.press(key(KeyCode::Char('v')));
    let line = heat_line(&h);
    assert!(
        line.contains("╭ W_output") && !line.contains("sampled"),
        "{line}"
    );
    assert!(width_of(&line) >= 67 + 2, "{line}");
    h.press(key(KeyCode::Char('v')));
    assert!(text(&h.render(120, 40, &TRUE)).contains("├ W_output"));
}
