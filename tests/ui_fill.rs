//! Panels use the room they are given: the spectrum's and the parity digits' bars spread over
//! their panel's width, the mechanism view's DFT rows over its height for five neurons; and
//! the read-out never prints a negative zero.

mod common;

use common::{PLAIN, TRUE};
use grokscope::app::harness::{Harness, text};
use grokscope::app::replay::Replay;
use grokscope::app::session::Clock;
use grokscope::app::state::{self as views, App};
use grokscope::train::presets;
use grokscope::ui::{Memo, Theme, bars};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use std::sync::Arc;

fn replayed(name: &str) -> App {
    let run = Replay::open(&common::fixture(name))
        .unwrap()
        .snapshot(Some(Clock::default()));
    App::new(Arc::new(run))
}

fn draw(app: &App, w: u16, ht: u16, theme: &Theme) -> Buffer {
    let mut term = Terminal::new(TestBackend::new(w, ht)).unwrap();
    let memo = Memo::default();
    term.draw(|f| views::draw(f, app, theme, &memo)).unwrap();
    term.backend().buffer().clone()
}

/// The inner area of the panel whose top border holds `title`.
fn inner(buf: &Buffer, title: &str) -> Rect {
    let t = text(buf);
    let (y, line) = t
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains(title))
        .unwrap_or_else(|| panic!("no {title}:\n{t}"));
    let chars: Vec<char> = line.chars().collect();
    let at = line[..line.find(title).unwrap()].chars().count();
    let left = (0..=at).rev().find(|&x| chars[x] == '╭').unwrap();
    let right = (at..chars.len()).find(|&x| chars[x] == '╮').unwrap();
    let bottom = (y + 1..buf.area.height as usize)
        .find(|&r| buf[(left as u16, r as u16)].symbol() == "╰")
        .unwrap();
    Rect::new(
        left as u16 + 1,
        y as u16 + 1,
        (right - left - 1) as u16,
        (bottom - y - 1) as u16,
    )
}

/// Bars of one width, a constant pitch apart: a one-column gap after every bar wherever
/// that fits (the widest such bars), else none at all, so that no gap reads as a missing bar
/// and no pair of bars as a group; the block is centred (its margins differ by one column
/// at most). Narrower than the bars, one column each from the left.
#[test]
fn bar_slots_are_even_and_centred() {
    for n in [5, 11, 31, 33, 56] {
        for width in 20u16..200 {
            let slots: Vec<(u16, u16)> = (0..n).map(|i| bars::slot(i, n, width)).collect();
            if (width as usize) < n {
                assert!(slots.iter().enumerate().all(|(i, &s)| s == (i as u16, 1)));
                continue;
            }
            let w = slots[0].1;
            assert!(
                w >= 1 && slots.iter().all(|s| s.1 == w),
                "n {n} width {width}"
            );
            let pitches: Vec<u16> = slots.windows(2).map(|p| p[1].0 - p[0].0).collect();
            let pitch = pitches.first().copied().unwrap_or(w + 1);
            assert!(
                pitches.iter().all(|&p| p == pitch),
                "n {n} width {width}: {pitches:?}"
            );
            let gap = pitch - w;
            let fits_gaps = width as usize >= 2 * n - 1;
            assert_eq!(gap, u16::from(fits_gaps), "n {n} width {width}");
            // The widest bars: one column more each would not fit.
            let wider = n * (w as usize + 1 + gap as usize) - gap as usize;
            assert!(wider > width as usize, "n {n} width {width}: bars of {w}");
            let (x, bw) = slots[n - 1];
            let (left, right) = (slots[0].0, width - (x + bw));
            assert!(
                left.abs_diff(right) <= 1,
                "n {n} width {width}: {left} | {right}"
            );
        }
    }
}

/// The rightmost column of `area` (relative) with a bar cell in any of its rows.
fn bar_extent(buf: &Buffer, area: Rect) -> u16 {
    let bar = |s: &str| "▁▂▃▄▅▆▇█".contains(s) && !s.is_empty() && s != " ";
    (0..area.width)
        .filter(|&x| (area.y..area.bottom()).any(|y| bar(buf[(area.x + x, y)].symbol())))
        .max()
        .map_or(0, |x| x + 1)
}

/// The columns the value scale takes at the left of the bars' bottom `row` of `area`: its
/// labels (the bottom one 0) and the line after them, if drawn.
fn scale_gutter(buf: &Buffer, area: Rect, row: u16) -> u16 {
    let cells: Vec<String> = (area.x..area.right())
        .map(|x| buf[(x, row)].symbol().to_string())
        .collect();
    let zero = cells.iter().position(|c| c == "0").expect("0 on the scale");
    let line = cells.get(zero + 1).is_some_and(|c| c == "│");
    (zero + 1 + usize::from(line)) as u16
}

/// The runs of blank columns between the bar cells of `row` (columns `x0..x0 + width`),
/// and the blank margins left and right of them.
fn bar_gaps(buf: &Buffer, x0: u16, row: u16, width: u16) -> (Vec<u16>, u16, u16) {
    let filled: Vec<bool> = (x0..x0 + width)
        .map(|x| "▁▂▃▄▅▆▇█".contains(buf[(x, row)].symbol()) && buf[(x, row)].symbol() != " ")
        .collect();
    let first = filled.iter().position(|&f| f).unwrap_or(0);
    let last = filled.iter().rposition(|&f| f).unwrap_or(0);
    let mut gaps = Vec::new();
    let mut run = 0;
    for &f in &filled[first..=last] {
        if f {
            if run > 0 {
                gaps.push(run);
            }
            run = 0;
        } else {
            run += 1;
        }
    }
    (gaps, first as u16, width - 1 - last as u16)
}

/// On screen: the spectrum's 33 bars (mod 67) and parity's 31 (30 digits and the bias) in
/// every size and theme: the bottom row of bars (all of them non-zero in these runs) has
/// gaps of one width only, and the bars sit in the middle of their panel; at 80×24 every
/// bar is still drawn.
#[test]
fn bars_are_evenly_spaced_on_screen() {
    for (fixture, title, n) in [
        ("tour/mod-add-seed-10", "Fourier spectrum", 33u16),
        ("parity", "weight norm per input digit", 31),
    ] {
        let app = replayed(fixture);
        for (w, ht) in [(200, 60), (120, 40), (80, 24)] {
            for theme in [TRUE, PLAIN] {
                let buf = draw(&app, w, ht, &theme);
                let area = inner(&buf, title);
                let axis = (area.y..area.bottom())
                    .find(|&y| (area.x..area.right()).any(|x| buf[(x, y)].symbol() == "▲"))
                    .expect("the marks' row");
                // The bars' columns: right of the value scale (its 0 beside the bottom row,
                // and the line after it where there is one).
                let g = scale_gutter(&buf, area, axis - 1);
                let area = Rect::new(area.x + g, area.y, area.width - g, area.height);
                assert!(area.width >= n, "{fixture} {w}×{ht}");
                let (gaps, left, right) = bar_gaps(&buf, area.x, axis - 1, area.width);
                let used = bar_extent(&buf, area) - left;
                assert!(
                    gaps.iter().all(|&g| g == 1)
                        && (gaps.is_empty() || gaps.len() == n as usize - 1),
                    "{fixture} {w}×{ht}: gaps {gaps:?}\n{}",
                    text(&buf)
                );
                assert!(
                    left.abs_diff(right) <= 1 && used >= n,
                    "{fixture} {w}×{ht}: margins {left} | {right}\n{}",
                    text(&buf)
                );
            }
        }
    }
}

/// The five neurons' DFT panel (mechanism view, both matrices) gives its rows to the maps:
/// at least half its height is map, not three rows each at the top.
#[test]
fn five_neurons_dft_uses_its_height() {
    let cfg = presets::find("five-neurons").unwrap().config;
    let mut h = Harness::new(cfg).unwrap();
    h.train(40);
    assert!(h.press(common::key(crossterm::event::KeyCode::Char('m'))));
    for (w, ht) in [(200, 60), (120, 40)] {
        for theme in [TRUE, PLAIN] {
            let buf = h.render(w, ht, &theme);
            let area = inner(&buf, "DFT");
            // Map cells start past the 4 label columns; blank cells are spaces.
            let rows = (area.y..area.bottom())
                .filter(|&y| {
                    let row: String = (area.x + 4..area.right())
                        .map(|x| buf[(x, y)].symbol())
                        .collect();
                    let t = row.trim();
                    !t.is_empty() && !t.chars().any(|c| c.is_alphanumeric())
                })
                .count();
            assert!(
                2 * rows >= area.height as usize,
                "{w}×{ht}: {rows} map rows of {}\n{}",
                area.height,
                text(&buf)
            );
        }
    }
}

/// The five-neurons read-out prints an offset that rounds to zero as 0.00 (the recorded run's
/// is a hair below zero), and no angle as -0°.
#[test]
fn read_out_has_no_negative_zero() {
    let app = replayed("tour/five-neurons");
    for (w, ht) in [(200, 60), (120, 40)] {
        let t = text(&draw(&app, w, ht, &TRUE));
        assert!(t.contains("c = "), "{w}×{ht}:\n{t}");
        assert!(
            !t.contains("-0.00") && !t.contains(" -0°"),
            "{w}×{ht}:\n{t}"
        );
    }
    use grokscope::ui::text::fixed;
    assert_eq!(fixed(-0.004, 2), "0.00");
    assert_eq!(fixed(-0.0, 0), "0");
    assert_eq!(fixed(-0.4, 0), "0");
    assert_eq!(fixed(-0.006, 2), "-0.01");
    assert_eq!(fixed(-12.5, 1), "-12.5");
    assert_eq!(fixed(0.004, 3), "0.004");
}

/// Parity's digit panel: the line under the axis says what ▲ and b mean in a form that fits
/// (at 80×24 a shorter one, which still names b), never one cut mid-word ("b bi").
#[test]
fn digit_legend_is_whole_or_left_out() {
    let app = replayed("parity");
    for (w, ht) in [(200, 60), (120, 40), (80, 24)] {
        for theme in [TRUE, PLAIN] {
            let buf = draw(&app, w, ht, &theme);
            let area = inner(&buf, "weight norm per input digit");
            let line = (area.y..area.bottom())
                .map(|y| {
                    (area.x..area.right())
                        .map(|x| buf[(x, y)].symbol())
                        .collect::<String>()
                })
                .find(|l| l.starts_with("on digits") || l.starts_with("digits 1-3"))
                .expect("the share's line");
            let line = line.trim_end();
            assert!(
                line.ends_with("(▲ informative, b bias)")
                    || line.ends_with("%  ▲ informative, b bias")
                    || line.ends_with('%'),
                "{w}×{ht}: {line:?}"
            );
        }
    }
}
