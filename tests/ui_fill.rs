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

/// Bars of one width, spread over the whole width (the last one ending within a gap and a
/// rounding of the right edge), apart by slots that differ by one column at most; narrower
/// than the bars, one column each from the left.
#[test]
fn bar_slots_share_the_width() {
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
            let (lo, hi) = (pitches.iter().min(), pitches.iter().max());
            if let (Some(lo), Some(hi)) = (lo, hi) {
                assert!(hi - lo <= 1 && *lo >= w, "n {n} width {width}: {pitches:?}");
                // A gap between bars wherever every slot has two columns.
                assert!(*lo < 2 || *lo > w, "n {n} width {width}: no gap");
            }
            let (x, bw) = slots[n - 1];
            let end = x + bw;
            assert!(end <= width, "n {n} width {width}");
            assert!(
                end as f32 >= 0.9 * width as f32 || width - end <= 2,
                "n {n} width {width}: bars end at {end}"
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

/// On screen: the spectrum's 33 bars (mod 67) and parity's 31 (30 digits and the bias) reach
/// across at least 90 % of their panel where it is wider than the bars, with and without
/// colour; at 80×24 every bar is still drawn.
#[test]
fn bars_reach_across_their_panel() {
    for (fixture, title, n) in [
        ("tour/mod-add-seed-10", "Fourier spectrum", 33u16),
        ("parity", "weight norm per input digit", 31),
    ] {
        let app = replayed(fixture);
        for (w, ht) in [(200, 60), (120, 40), (80, 24)] {
            for theme in [TRUE, PLAIN] {
                let buf = draw(&app, w, ht, &theme);
                let area = inner(&buf, title);
                let used = bar_extent(&buf, area);
                assert!(area.width >= n, "{fixture} {w}×{ht}");
                assert!(
                    used as f32 >= 0.9 * area.width as f32,
                    "{fixture} {w}×{ht}: bars over {used} of {} columns\n{}",
                    area.width,
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
