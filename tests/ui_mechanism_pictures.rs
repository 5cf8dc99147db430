//! The mechanism view's pictures that read: a strip per neuron in the waves, stars one
//! frequency at a time, titles never cut mid-word, the heatmaps' scales and the DFT panel,
//! drawn from the article's construction (deterministic).

mod common;

use common::mechanism::*;
use common::{PLAIN, TRUE};
use grokscope::app::harness::text;
use grokscope::app::state::App;
use grokscope::train::Weights;
use grokscope::ui::heatmap::short;
use grokscope::ui::{Memo, sticky_scale};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Color;

/// The panel whose top border starts with `title` (its border included).
fn panel_rect(buf: &Buffer, title: &str) -> Option<Rect> {
    let (x, y) = find(buf, title)?;
    let row = |y: u16| (0..buf.area.width).map(move |x| buf[(x, y)].symbol().to_string());
    let right = row(y)
        .skip(x as usize + 1)
        .position(|c| c == "╮" || c == "┬")? as u16
        + x
        + 1;
    let bottom = (y + 1..buf.area.height).find(|&r| buf[(x, r)].symbol() == "╰")?;
    Some(Rect::new(x, y, right - x + 1, bottom - y + 1))
}

/// The text of cells `x0..x1` of row `y`.
fn cells(buf: &Buffer, y: u16, x0: u16, x1: u16) -> String {
    (x0..x1).map(|x| buf[(x, y)].symbol()).collect()
}

/// Braille dots in the cell: the bits of its code point above U+2800, if braille.
fn dots(sym: &str) -> Option<u32> {
    let c = sym.chars().next()? as u32;
    (0x2800..=0x28ff)
        .contains(&c)
        .then(|| (c - 0x2800).count_ones())
}

/// The waves of a group of eight are eight numbered strips, each a thin line: not one block
/// of braille (a line is two or three dots a cell; eight lines drawn over each other fill
/// them), at every size.
#[test]
fn waves_are_a_strip_per_neuron() {
    let app = grokked();
    let memo = Memo::default();
    for (w, h) in [(120, 40), (80, 24), (200, 60)] {
        let buf = draw(&app, w, h, &TRUE, &memo);
        let r = panel_rect(&buf, "╭ waves").unwrap_or_else(|| panic!("{}", text(&buf)));
        let label = cells(&buf, r.y + 1, r.x + 1, r.right() - 1);
        assert!(
            label.starts_with("k=") && label.contains("8 neurons"),
            "{label}"
        );
        // The first group's strips: a neuron number left of each, down to the next label.
        let mut numbers = Vec::new();
        for y in r.y + 2..r.bottom() - 1 {
            let gutter = cells(&buf, y, r.x + 1, r.x + 5);
            if cells(&buf, y, r.x + 1, r.x + 3) == "k=" {
                break;
            }
            let first = gutter.split_whitespace().next().unwrap_or("");
            if let Ok(n) = first.trim_start_matches('#').parse::<usize>() {
                numbers.push(n);
            }
        }
        numbers.sort_unstable();
        numbers.dedup();
        assert_eq!(numbers.len(), N, "{w}×{h}: {numbers:?}\n{}", text(&buf));
        let braille: Vec<u32> = (r.y + 1..r.bottom() - 1)
            .flat_map(|y| (r.x + 1..r.right() - 1).map(move |x| (x, y)))
            .filter_map(|(x, y)| dots(buf[(x, y)].symbol()))
            .collect();
        let mean = braille.iter().sum::<u32>() as f64 / braille.len().max(1) as f64;
        assert!(
            mean <= 4.0,
            "{w}×{h}: {mean:.2} dots a cell\n{}",
            text(&buf)
        );
    }
}

/// Where all do not fit (80×24) one frequency's stars fill the panel, W_input's and W_output's side by
/// their points numbered in phase order; `n` steps to the next frequency and around, `N`
/// back.
#[test]
fn stars_one_frequency_at_a_time() {
    let mut app = grokked();
    let memo = Memo::default();
    // At 120×40 the DFT's 24 neurons fill 12 rows (two a row, with or without colour) and
    // give the rest to the panels above, where all three stars fit at once; on the smaller
    // screen's first page (80×24) the stars take turns.
    for theme in [TRUE, PLAIN] {
        let all = draw(&app, 120, 40, &theme, &memo);
        let r = panel_rect(&all, "╭ stars").unwrap();
        let title = cells(&all, r.y, r.x, r.right());
        assert!(title.contains("joined by phase"), "{}", text(&all));
    }
    let star = |app: &App| {
        let buf = draw(app, 80, 24, &PLAIN, &memo);
        let r = panel_rect(&buf, "╭ stars").unwrap();
        let title = cells(&buf, r.y, r.x, r.right());
        (buf, r, title)
    };
    let (buf, r, first) = star(&app);
    assert!(
        first.contains("(1 of 3)") && first.contains("n: next"),
        "{first}"
    );
    let labels: String = (r.y + 1..r.bottom() - 1)
        .map(|y| cells(&buf, y, r.x + 1, r.right() - 1))
        .collect();
    assert!(
        labels.contains("W_input") && labels.contains("W_output"),
        "{labels}"
    );
    // The two stars (one above the other here): braille over most of the panel's height.
    let drawn = |y: u16| (r.x + 1..r.right() - 1).any(|x| dots(buf[(x, y)].symbol()).is_some());
    let rows = (r.y + 2..r.bottom() - 1).filter(|&y| drawn(y)).count();
    assert!(rows >= 12, "{rows} rows\n{}", text(&buf));
    let panel_text: String = (r.y + 2..r.bottom() - 1)
        .map(|y| cells(&buf, y, r.x + 1, r.right() - 1))
        .collect();
    // Every point numbered (the selected neuron's under its ●).
    let numbered = (1..=N)
        .filter(|i| panel_text.contains(&i.to_string()))
        .count();
    assert!(
        numbered >= N - 1 && panel_text.contains('●'),
        "{}",
        text(&buf)
    );
    let k = |t: &str| {
        t.split("k=")
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .map(String::from)
    };
    let mut ks = vec![k(&first)];
    for i in 2..=4 {
        press(&mut app, ch('n'));
        let (_, _, t) = star(&app);
        assert!(t.contains(&format!("({} of 3)", (i - 1) % 3 + 1)), "{t}");
        ks.push(k(&t));
    }
    assert!(ks[0] != ks[1] && ks[1] != ks[2] && ks[2] != ks[0], "{ks:?}");
    assert_eq!(ks[3], ks[0], "three steps go around");
    press(&mut app, ch('N'));
    assert_eq!(k(&star(&app).2), ks[2], "N steps back");
}

/// Titles cut mid-word: a top-border title that runs into the corner with no space left.
fn cut_titles(buf: &Buffer) -> Vec<String> {
    let mut cut = Vec::new();
    for line in text(buf).lines() {
        for seg in line.split('╭').skip(1) {
            let end = seg.find(['╮', '┬']).unwrap_or(seg.len());
            let seg = &seg[..end];
            if seg.starts_with(' ') && !seg.contains('─') && !seg.ends_with(' ') {
                cut.push(seg.to_string());
            }
        }
    }
    cut
}

/// No title of the mechanism view (every page, both matrices, both wave forms) or of the
/// appendix view is cut mid-word, at 80×24, 120×40 and 200×60, with colour or without.
#[test]
fn titles_are_never_cut_mid_word() {
    let mut app = grokked();
    let memo = Memo::default();
    let sizes = [(80, 24), (120, 40), (200, 60)];
    for keys in ["", "o", "u", "f", "f", "o", "u"] {
        for c in keys.chars() {
            press(&mut app, ch(c));
        }
        for (w, h) in sizes {
            for theme in [&TRUE, &PLAIN] {
                let buf = draw(&app, w, h, theme, &memo);
                let cut = cut_titles(&buf);
                assert!(cut.is_empty(), "{w}×{h} {cut:?}\n{}", text(&buf));
            }
        }
    }
    press(&mut app, ch('x'));
    assert_eq!(app.view.name, "appendix");
    for keys in ["", "t"] {
        for c in keys.chars() {
            press(&mut app, ch(c));
        }
        for (w, h) in sizes {
            let buf = draw(&app, w, h, &TRUE, &memo);
            let cut = cut_titles(&buf);
            assert!(cut.is_empty(), "{w}×{h} {cut:?}\n{}", text(&buf));
        }
    }
}

/// The heatmap's legend: W_input's scale (its largest |w| on the sticky scale) at both ends
/// of the ramp, the ramp in the map's own colours (blue to 0 to orange) and, without colour,
/// in its signed shades; the DFT maps carry theirs on their title rows.
#[test]
fn heatmaps_carry_their_scale() {
    let mut app = grokked();
    let memo = Memo::default();
    let frame = app.shared.frame().unwrap().clone();
    let Weights::Modular(m) = &frame.weights else {
        unreachable!()
    };
    let max = m.w_input.iter().fold(0.0f64, |a, v| a.max(v.abs())) as f32;
    let s = short(sticky_scale(max));
    // The DFT map, in the mechanism view.
    let buf = draw(&app, 120, 40, &TRUE, &memo);
    let (x, y) = find(&buf, "W_input (its columns").unwrap();
    let row = cells(&buf, y, x, buf.area.width);
    assert!(
        row.contains(" 0 ") && row.contains('−') && row.contains('+'),
        "{row}"
    );
    press(&mut app, ch('m'));
    assert_eq!(app.view.name, "training");
    let buf = draw(&app, 120, 40, &TRUE, &memo);
    let (_, y) = find(&buf, "a = 0 … ").unwrap();
    let row = cells(&buf, y, 0, buf.area.width);
    assert!(
        row.contains(&format!("−{s} ")) && row.contains(&format!(" +{s}")),
        "{row}"
    );
    let ramp: Vec<Color> = (0..buf.area.width)
        .map(|x| &buf[(x, y)])
        .filter(|c| c.symbol() == "█")
        .map(|c| c.fg)
        .collect();
    let levels: Vec<i8> = (-6..=-1).chain(1..=6).collect();
    let want: Vec<Color> = levels.iter().map(|&l| TRUE.heat_color(l)).collect();
    assert_eq!(ramp, want, "{row}");
    let plain = draw(&app, 120, 40, &PLAIN, &memo);
    let (_, y) = find(&plain, "a = 0 … ").unwrap();
    let row = cells(&plain, y, 0, plain.area.width);
    assert!(row.contains(&format!("−{s} ⣿⠿⠭⠅⠂ 0 ·░▒▓█ +{s}")), "{row}");
    // Narrow (80×24, every 4th column): both ends of the scale and one shade a side.
    let small = draw(&app, 80, 24, &PLAIN, &memo);
    let (_, y) = find(&small, "╰ ").unwrap();
    let row = cells(&small, y, 0, 80);
    assert!(
        row.contains(&format!("−{s}⣿")) && row.contains(&format!("█+{s}")),
        "{}",
        text(&small)
    );
}

/// The DFT panel's neurons fill it: no empty row between its title and its axis row (the
/// rows they would leave empty go to the panels above, as the weights' band gives its rows
/// to the charts), at the full layout's sizes.
#[test]
fn the_dft_fills_its_panel() {
    let h = memorizing();
    let (app, memo) = (grokked(), Memo::default());
    for (w, ht) in [(120, 40), (140, 44), (160, 50), (200, 60)] {
        for (name, buf) in [
            ("memorizing", h.render(w, ht, &TRUE)),
            ("grokked", draw(&app, w, ht, &TRUE, &memo)),
        ] {
            let r = panel_rect(&buf, "╭ DFT").unwrap_or_else(|| panic!("{name} {w}×{ht}"));
            let axis = r.bottom() - 2;
            assert!(cells(&buf, axis, r.x + 1, r.right() - 1).starts_with("  k c"));
            let empty: Vec<u16> = (r.y + 1..axis)
                .filter(|&y| cells(&buf, y, r.x + 1, r.right() - 1).trim().is_empty())
                .collect();
            assert!(
                empty.is_empty(),
                "{name} {w}×{ht}: empty rows {empty:?}:\n{}",
                text(&buf)
            );
        }
    }
}

/// The DFT shows every neuron without colour too (two a row, as braille halves, where a row
/// each left 16 of 24 at 120×40), and where its neurons leave rows (the 80×24 page), the
/// axis follows the maps and the rows under it say how to read them, in colour or not.
#[test]
fn the_dft_shows_every_neuron_and_leaves_no_empty_rows() {
    let mut app = grokked();
    let memo = Memo::default();
    for theme in [TRUE, PLAIN] {
        let buf = draw(&app, 120, 40, &theme, &memo);
        let r = panel_rect(&buf, "╭ DFT").unwrap();
        let inside: String = (r.y..r.bottom())
            .map(|y| cells(&buf, y, r.x, r.right()))
            .collect();
        assert!(!inside.contains("neurons)"), "{}", text(&buf));
    }
    press(&mut app, ch('f'));
    press(&mut app, ch('f'));
    for theme in [TRUE, PLAIN] {
        let buf = draw(&app, 80, 24, &theme, &memo);
        let r = panel_rect(&buf, "╭ DFT").unwrap();
        let row = |y: u16| cells(&buf, y, r.x + 1, r.right() - 1);
        let axis = (r.y + 1..r.bottom() - 1)
            .find(|&y| row(y).starts_with("  k c"))
            .expect("the axis");
        let empty: Vec<u16> = (r.y + 1..axis)
            .filter(|&y| row(y).trim().is_empty())
            .collect();
        assert!(empty.is_empty(), "empty rows {empty:?}\n{}", text(&buf));
        assert!(
            axis + 1 < r.bottom() - 1 && row(axis + 1).contains("Each row is a neuron"),
            "{}",
            text(&buf)
        );
        let title = row(r.y + 1);
        assert!(!title.contains("neurons)"), "{title}");
    }
}
