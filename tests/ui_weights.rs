//! The training view's weight panels: W_output beside W_input (W1 and w2 for parity), the
//! selected neuron marked; parity's weight trajectories; five-neurons' pentagon and
//! pentagram. Insta snapshots in the top-level `snapshots/` at 120×40 and 80×24, in colour
//! and without, from the presets' recorded runs (`tests/fixtures/`) played to a step, and the
//! styles that carry meaning.

mod common;

use common::dashboard::find;

use common::{PLAIN, TRUE};
use crossterm::event::KeyCode;
use grokscope::app::harness::{Harness, text};
use grokscope::app::keys::Key;
use grokscope::ui::heatmap;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

/// The preset's recorded run played to `steps`.
fn trained(name: &str, steps: u64) -> Harness {
    let mut h = common::played(name);
    h.train(steps);
    h
}

fn snapshots(h: &Harness, name: &str) {
    let s = common::snapshot_settings();
    for (w, ht) in [(120, 40), (80, 24)] {
        for (theme, tag) in [(TRUE, ""), (PLAIN, "_no_color")] {
            let buf = h.render(w, ht, &theme);
            s.bind(|| insta::assert_snapshot!(format!("{name}{tag}_{w}x{ht}"), text(&buf)));
        }
    }
}

/// At 120×40 the two maps go one above the other, each with all 67 columns (side by side
/// W_output would get 13); at 80×24 they sit side by side, every 4th column each, and the
/// titles say so.
#[test]
fn w_output_with_w_input() {
    let h = trained("mod-add", 1000);
    snapshots(&h, "weights_mod-add");
    let buf = h.render(120, 40, &TRUE);
    let t = text(&buf);
    let (x0, y0) = find(&buf, "╭ W_input").unwrap();
    let (xo, yo) = find(&buf, "├ W_output").unwrap();
    assert_eq!(xo, x0, "W_output under W_input:\n{t}");
    assert!(yo > y0 + 10, "{t}");
    assert!(t.contains("a = 0 … 66") && t.contains("c = 0 … 66"), "{t}");
    // Every one of the 67 columns is a heat cell in both maps, then the right border.
    for y in [y0 + 1, yo + 1] {
        for x in x0 + 1..x0 + 68 {
            let c = &buf[(x, y)];
            assert!(
                matches!(c.symbol(), "▀" | "▄" | " "),
                "{x},{y}: {:?}",
                c.symbol()
            );
        }
        assert!(matches!(buf[(x0 + 68, y)].symbol(), "│" | "◂"), "{t}");
        // W_output's cells are heat colours like W_input's.
        assert!((x0 + 1..x0 + 68).any(|x| matches!(buf[(x, y)].fg, Color::Rgb(..))));
    }
    let buf = h.render(80, 24, &TRUE);
    let t = text(&buf);
    let (x0, y0) = find(&buf, "╭ W_input a=0,4…64").unwrap();
    let (xo, yo) = find(&buf, "┬ W_output c=0,4…64").unwrap();
    assert_eq!(yo, y0, "80×24: one panel, W_output on its top border:\n{t}");
    assert!(xo > x0 + 10);
    assert_eq!(buf[(xo, y0 + 1)].symbol(), "│");
    // A legend in each part: both ends of each scale, not "±s" alone.
    let (_, yb) = find(&buf, "╰ ").unwrap();
    let low: String = (x0..x0 + 43)
        .map(|x| buf[(x, yb)].symbol().to_string())
        .collect();
    assert_eq!(low.matches('−').count(), 2, "{low}");
    assert_eq!(low.matches('+').count(), 2, "{low}");
    // W_output's first row is the first heatmap row's neuron (the same order).
    let frame = h.app.shared.frame().unwrap();
    let heat = heatmap::heat_rows(frame).heat;
    let out = heatmap::out_rows(frame).heat;
    assert_eq!(heat.nrows(), out.nrows());
    assert_eq!(out.ncols(), 67);
}

#[test]
fn w2_beside_w1_for_parity() {
    let h = trained("parity", 300);
    let buf = h.render(120, 40, &TRUE);
    let t = text(&buf);
    let (x1, y1) = find(&buf, "╭ W1 ·").unwrap();
    let (xs, ys) = find(&buf, "┬w2").unwrap();
    assert_eq!(ys, y1);
    // 31 inputs, two columns each, then the separator and w2's two columns.
    assert_eq!(xs, x1 + 1 + 62, "{t}");
    assert_eq!(
        buf[(xs + 3, y1)].symbol(),
        "╮",
        "w2 is two columns wide:\n{t}"
    );
}

#[test]
fn the_selected_neuron_is_marked() {
    let mut h = trained("mod-add", 300);
    for _ in 0..3 {
        assert!(h.press(Key::char(']').event()));
    }
    assert_eq!(h.app.shared.neuron, 3);
    let buf = h.render(120, 40, &TRUE);
    let frame = h.app.shared.frame().unwrap();
    let order = frame
        .readings
        .spectrum()
        .map(|s| s.order.clone())
        .unwrap_or_else(|| (0..24).collect());
    let row = order.iter().position(|&n| n == 3).unwrap() as u16;
    let (x0, y0) = find(&buf, "╭ W_input").unwrap();
    // Two neurons a text row: its row holds ▸ on the left border and ◂ on the right.
    let y = y0 + 1 + row / 2;
    let left = &buf[(x0, y)];
    assert_eq!(left.symbol(), "▸");
    assert_eq!(left.fg, Color::LightYellow);
    assert!(left.modifier.contains(Modifier::BOLD));
    let marks: Vec<u16> = (y0 + 1..y0 + 13)
        .filter(|&y| buf[(x0, y)].symbol() == "▸")
        .collect();
    assert_eq!(marks, [y], "only the selected neuron's row is marked");
    let (xl, yl) = find(&buf, "▸ neuron 3").unwrap();
    assert_eq!(buf[(xl, yl)].fg, Color::LightYellow);
    // Without colour, one neuron a row: the row is the neuron's own.
    let mono = h.render(120, 40, &PLAIN);
    let (x0, y0) = find(&mono, "╭ W_input").unwrap();
    assert_eq!(mono[(x0, y0 + 1 + row)].symbol(), "▸");
    assert!(mono[(x0, y0 + 1 + row)].modifier.contains(Modifier::BOLD));
    // Moving it moves the mark.
    h.press(Key::code(KeyCode::Char('[')).event());
    let buf = h.render(120, 40, &TRUE);
    assert!(find(&buf, "▸ neuron 2").is_some());
}

#[test]
fn five_neurons_pentagon_and_pentagram() {
    let h = trained("five-neurons", 3000);
    snapshots(&h, "weights_five-neurons");
    let buf = h.render(120, 40, &TRUE);
    let t = text(&buf);
    let (px, py) = find(&buf, "╭ pentagon").unwrap();
    let right = (px + 1..120)
        .find(|&x| buf[(x, py)].symbol() == "╮")
        .unwrap();
    let bottom = (py + 1..40)
        .find(|&y| buf[(px, y)].symbol() == "╰")
        .unwrap();
    let mid = px + (right - px) / 2;
    // Every neuron numbered once in each circle; the pentagon's lines cyan (W_in), the
    // pentagram's light red (W_out), in their halves of the panel.
    let cells =
        |x0: u16, x1: u16| (py + 1..bottom - 4).flat_map(move |y| (x0..x1).map(move |x| (x, y)));
    for (x0, x1, colour) in [(px + 1, mid, Color::Cyan), (mid, right, Color::LightRed)] {
        for n in 1..=5 {
            let label = n.to_string();
            let found: Vec<_> = cells(x0, x1)
                .filter(|&(x, y)| buf[(x, y)].symbol() == label)
                .collect();
            assert_eq!(found.len(), 1, "neuron {n} once in {x0}..{x1}:\n{t}");
            assert_eq!(buf[found[0]].fg, colour);
        }
        let lines = cells(x0, x1)
            .filter(|&(x, y)| {
                let c = &buf[(x, y)];
                c.symbol()
                    .chars()
                    .all(|ch| ('\u{2801}'..='\u{28ff}').contains(&ch))
                    && c.fg == colour
            })
            .count();
        assert!(lines >= 10, "{colour:?} lines drawn: {lines}\n{t}");
    }
    // The selected neuron (0) is numbered reversed in both.
    let sel: Vec<_> = cells(px + 1, right)
        .filter(|&(x, y)| buf[(x, y)].symbol() == "1")
        .collect();
    assert_eq!(sel.len(), 2);
    for p in sel {
        assert!(buf[p].modifier.contains(Modifier::REVERSED), "{p:?}");
    }
    // The 5 × (cos, sin) heatmaps under them, their swatches alike in both (the panel's
    // halves differ by a column).
    assert!(
        t.contains("│in   1  2  3  4  5       out  1  2  3  4  5"),
        "{t}"
    );
    // (A coefficient near 0 is the background, as in every heatmap: here neuron 1's cos.)
    assert!(
        t.contains("│sin  ██ ██ ██ ██ ██      sin  ██ ██ ██ ██ ██"),
        "{t}"
    );
    assert!(t.contains(" cos  ██ ██ ██ ██ ██"), "{t}");
    // Without colour they are shaded, not blank, and the circles still drawn.
    let mono = text(&h.render(120, 40, &PLAIN));
    assert!(mono.contains("│sin  "), "{mono}");
}

#[test]
fn pentagon_joins_neurons_adjacent_in_angle() {
    use grokscope::analysis::FiveNeuronReadout;
    use grokscope::ui::star::by_angle;
    let r = FiveNeuronReadout {
        w_in: vec![[1.0, 0.0]; 5],
        w_out: vec![[1.0, 0.0]; 5],
        angle_in: vec![0.5, -1.0, 2.0, 1.0, -2.5],
        angle_out: vec![0.0; 5],
        offset: 0.0,
        mean_residual: 0.0,
    };
    assert_eq!(by_angle(&r), [4, 1, 0, 3, 2]);
}

/// Parity's weight trajectories: every W1 weight a line over the kept frames, the
/// informative digits green, the bias pink, the rest grey; the scrubbed step marked.
#[test]
fn parity_weight_trajectories() {
    let mut h = trained("parity", 1500);
    snapshots(&h, "weights_parity");
    let styles = |buf: &Buffer| {
        let (x0, y0) = find(buf, "╭ W1 over training").unwrap();
        let right = (x0 + 1..buf.area.width)
            .find(|&x| buf[(x, y0)].symbol() == "╮")
            .unwrap();
        let mut fgs = std::collections::HashSet::new();
        for y in y0 + 1..y0 + 10 {
            for x in x0 + 1..right {
                let c = &buf[(x, y)];
                if c.symbol()
                    .chars()
                    .all(|ch| ('\u{2801}'..='\u{28ff}').contains(&ch))
                {
                    fgs.insert(format!("{:?}", c.fg));
                }
            }
        }
        (fgs, x0, y0, right)
    };
    let buf = h.render(120, 40, &TRUE);
    let (fgs, x0, y0, right) = styles(&buf);
    for c in [Color::Green, Color::Indexed(211), Color::DarkGray] {
        assert!(fgs.contains(&format!("{c:?}")), "{c:?} lines among {fgs:?}");
    }
    // The legend names the kinds in their colours.
    let (lx, ly) = find(&buf, "━ 1-3").unwrap();
    assert_eq!(buf[(lx, ly)].fg, Color::Green);
    let (bx, by) = find(&buf, "━ bias").unwrap();
    assert_eq!(buf[(bx, by)].fg, Color::Indexed(211));
    // Scrubbed back to the start: a marker column at the left of the chart (right of its
    // weight labels), over the plot's rows.
    h.press(Key::code(KeyCode::Home).event());
    let buf = h.render(120, 40, &TRUE);
    let marked = (x0 + 1..x0 + 10)
        .map(|x| {
            (y0 + 1..y0 + 10)
                .filter(|&y| buf[(x, y)].fg == Color::LightMagenta)
                .count()
        })
        .max()
        .unwrap_or(0);
    assert!(marked >= 7, "scrub marker at step 0: {marked}");
    assert!(right > x0 + 30);
}

/// The rows of the map whose top-left corner is at (`x0`, `y0`) that show no weight: every
/// cell from `x0 + 1` up to the next border or separator blank, with no colour behind it.
fn empty_rows(buf: &Buffer, (x0, y0): (u16, u16)) -> Vec<u16> {
    let bottom = (y0 + 1..buf.area.height)
        .find(|&y| buf[(x0, y)].symbol() == "╰")
        .expect("the panel's bottom border");
    (y0 + 1..bottom)
        .filter(|&y| {
            (x0 + 1..buf.area.width)
                .map(|x| &buf[(x, y)])
                .take_while(|c| !matches!(c.symbol(), "│" | "◂"))
                .all(|c| c.symbol() == " " && c.bg == Color::Reset)
        })
        .collect()
}

/// Side by side, the maps take the height of their panel: the layout gives the band the
/// rows a whole number of half-rows per neuron fills (at 200×60 a text row per neuron; at
/// 80×40, the tour's dashboard beside its text, too), and five neurons share out whatever
/// the panel has. No row of the map is left empty, in colour or without.
#[test]
fn side_by_side_maps_fill_their_panel() {
    for (name, steps) in [("mod-add", 1000), ("five-neurons", 3000)] {
        let h = trained(name, steps);
        for (w, ht) in [(200, 60), (80, 40), (100, 30), (80, 24)] {
            for theme in [TRUE, PLAIN] {
                let buf = h.render(w, ht, &theme);
                let t = text(&buf);
                let at = find(&buf, "╭ W_input").unwrap();
                assert_eq!(
                    empty_rows(&buf, at),
                    Vec::<u16>::new(),
                    "{name} {w}×{ht} colour {}:\n{t}",
                    theme.colored()
                );
            }
        }
    }
    // At 200×60 mod-add's 24 neurons are a text row each (two half-rows of one colour).
    let buf = trained("mod-add", 1000).render(200, 60, &TRUE);
    let (x0, y0) = find(&buf, "╭ W_input").unwrap();
    let rows = (y0 + 1..60)
        .take_while(|&y| buf[(x0, y)].symbol() != "╰")
        .count();
    assert_eq!(rows, 24);
    // Both halves of every cell the same neuron: across a whole row of 67 columns, two
    // different neurons would differ somewhere.
    for y in y0 + 1..y0 + 25 {
        for x in x0 + 1..x0 + 68 {
            let c = &buf[(x, y)];
            assert!(
                c.symbol() != "▀" || c.fg == c.bg,
                "row {y}, column {x}: one neuron per row"
            );
        }
    }
}

/// The five-neurons star panel's W_in-proj and W_out-proj swatches are as wide as each
/// other at every width the panel is drawn (an odd width gives its halves a column apart).
#[test]
fn star_swatches_alike_in_both_heatmaps() {
    let h = trained("five-neurons", 3000);
    for w in 118..=124 {
        for (ht, theme) in [(40, TRUE), (24, TRUE), (40, PLAIN)] {
            let buf = h.render(w, ht, &theme);
            let t = text(&buf);
            let row = t
                .lines()
                .find(|l| l.contains("│sin  "))
                .expect("the sin row");
            let halves: Vec<&str> = row.split("sin  ").skip(1).collect();
            assert_eq!(halves.len(), 2, "{w}×{ht}: {row}");
            let runs: Vec<usize> = halves
                .iter()
                .flat_map(|h| h.split(' ').take(5).map(|s| s.chars().count()))
                .filter(|&n| n > 0)
                .collect();
            assert_eq!(runs.len(), 10, "{w}×{ht}: {row}");
            assert!(runs.iter().all(|&n| n == runs[0]), "{w}×{ht}: {row}");
        }
    }
}

/// The columns inside the heatmap panel whose top-left corner is at (`x0`, `y0`), each with
/// whether any map row draws in it (a symbol or a colour behind it), up to the right
/// border; the separator between the maps reads as drawn.
fn drawn_columns(buf: &Buffer, (x0, y0): (u16, u16)) -> Vec<bool> {
    let right = (x0 + 1..buf.area.width)
        .find(|&x| buf[(x, y0)].symbol() == "╮")
        .expect("the panel's right corner");
    let bottom = (y0 + 1..buf.area.height)
        .find(|&y| buf[(x0, y)].symbol() == "╰")
        .expect("the panel's bottom border");
    (x0 + 1..right)
        .map(|x| {
            (y0 + 1..bottom).any(|y| {
                let c = &buf[(x, y)];
                c.symbol() != " " || c.bg != Color::Reset
            })
        })
        .collect()
}

/// No ragged edge: where a map shows every n-th column (mod-add's 67 in 20 cells at 80×24,
/// five-neurons' in 15) or is narrower than its part, the maps sit in the middle of the
/// panel, the blank columns split either side, none between a map and the separator; W1
/// gets all 31 digits beside w2 at 80×24 (it was one cell short and showed every 2nd). A
/// stacked pair fills both maps' rows (five neurons at 120×40: the upper map's odd row).
#[test]
fn maps_leave_no_ragged_edge() {
    for (name, steps, titles) in [
        ("mod-add", 1000, ["╭ W_input", "╭ W_input"]),
        ("five-neurons", 3000, ["╭ W_input", "╭ W_input"]),
        // (Not the trajectories' "╭ W1 ━ 1-3".)
        ("parity", 300, ["╭ W1 ·", "╭ W1 ("]),
    ] {
        let h = trained(name, steps);
        for (w, ht) in [(80, 24), (100, 30), (120, 40), (200, 60)] {
            for theme in [TRUE, PLAIN] {
                let buf = h.render(w, ht, &theme);
                let t = text(&buf);
                let at = titles.iter().find_map(|n| find(&buf, n)).unwrap();
                let cols = drawn_columns(&buf, at);
                let left = cols.iter().take_while(|&&d| !d).count();
                let right = cols.iter().rev().take_while(|&&d| !d).count();
                let inside = cols[left..cols.len() - right]
                    .iter()
                    .filter(|&&d| !d)
                    .count();
                assert!(
                    inside == 0 && left.abs_diff(right) <= 1,
                    "{name} {w}×{ht} colour {}: blank {left} | {inside} | {right}\n{t}",
                    theme.colored()
                );
                assert_eq!(
                    empty_rows(&buf, at),
                    Vec::<u16>::new(),
                    "{name} {w}×{ht} colour {}:\n{t}",
                    theme.colored()
                );
            }
        }
    }
    let t = text(&trained("parity", 300).render(80, 24, &TRUE));
    assert!(
        t.contains("digit = 1 … 31") || t.contains("digits 1-"),
        "{t}"
    );
    assert!(!t.contains("digit = 1,3"), "W1 sampled at 80×24:\n{t}");
}
