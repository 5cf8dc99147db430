//! The training view's step charts as a reader sees them: axes with tick labels, the zoom
//! that shows parity's train-loss rise, callouts (a marker on the curve and a label cut at a
//! word), and the article's gallery band behind the loss curves, with its key. Drawn from
//! recorded runs (`tests/fixtures/`), so the frames are the same on every machine.

mod common;

use common::TRUE;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use grokscope::app::action::{Action, Scrub};
use grokscope::app::harness::{Harness, text};
use grokscope::ui::{Callout, ColorMode, Theme};
use ratatui::buffer::Buffer;
use ratatui::style::Color;

const NONE: Theme = Theme {
    mode: ColorMode::None,
};

fn press(h: &mut Harness, c: char) {
    assert!(h.press(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)));
}

/// The rows of the panel `w` wide whose top-left corner is at (x, y), up to its bottom
/// border.
fn panel_rows(t: &str, x: usize, y: usize, w: usize) -> Vec<String> {
    t.lines()
        .skip(y)
        .map(|l| l.chars().skip(x).take(w).collect::<String>())
        .take_while(|l| !l.starts_with('╰'))
        .collect()
}

/// The rows (top to bottom) of the cells in column `x` drawn in colour `fg`.
fn rows_in(buf: &Buffer, x: u16, fg: Color) -> Vec<u16> {
    (0..buf.area.height)
        .filter(|&y| buf[(x, y)].fg == fg && buf[(x, y)].symbol() != " ")
        .collect()
}

/// Parity's train loss rises from about step 900 to 1,200, a few tenths of a decade: on the
/// whole run's chart a dot or two; zoomed (`z`) on the steps around the cursor, with the loss
/// axis fitted to the train loss, rows. A click on the zoomed chart scrubs within its window.
#[test]
fn the_zoom_shows_paritys_train_loss_rise() {
    let mut h = common::played("parity");
    h.train(1500);
    h.act(Action::Seek(Scrub::To(1000)));
    let column_of = |h: &Harness, step: u64| {
        let axis = h.memo.axes.borrow()[0];
        let dots = (2 * axis.width - 1) as u64;
        axis.x0
            + (((step - axis.min) * dots) as f64 / (axis.max - axis.min) as f64).round() as u16 / 2
    };
    let buf = h.render(120, 40, &TRUE);
    let whole = {
        let (a, b) = (column_of(&h, 875), column_of(&h, 1150));
        (rows_in(&buf, a, Color::Cyan), rows_in(&buf, b, Color::Cyan))
    };
    press(&mut h, 'z');
    assert!(h.app.shared.zoom);
    let buf = h.render(120, 40, &TRUE);
    let t = text(&buf);
    assert!(t.contains("loss, steps 750–1,250"), "{t}");
    let axis = h.memo.axes.borrow()[0];
    assert_eq!((axis.min, axis.max), (750, 1250));
    // The train line's row at step 875 (its low) and at 1,150 (after the rise).
    let (low, high) = (
        rows_in(&buf, column_of(&h, 875), Color::Cyan),
        rows_in(&buf, column_of(&h, 1150), Color::Cyan),
    );
    let (low, high) = (*low.last().unwrap(), high[0]);
    assert!(low >= high + 2, "the rise spans rows: {low} vs {high}\n{t}");
    let (a, b) = (whole.0.last().unwrap(), whole.1.first().unwrap());
    assert!(a <= &(b + 1), "unzoomed, a row at most: {a} vs {b}");
    // The accuracy chart shows the same steps; the trajectory the whole run.
    let axes: Vec<_> = h.memo.axes.borrow().clone();
    assert_eq!(axes.len(), 3);
    assert!(axes.iter().any(|a| (a.min, a.max) == (0, 2000)), "{axes:?}");
    assert_eq!(axes.iter().filter(|a| a.min == 750).count(), 2);
    // A click at the zoomed chart's left edge: the window's first step.
    use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let click = MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: axis.x0,
        row: axis.area.y + 3,
        modifiers: KeyModifiers::NONE,
    };
    assert!(h.mouse(click));
    assert_eq!(
        h.app.shared.frame().unwrap().step(),
        760,
        "the frame at or after 750"
    );
    press(&mut h, 'z');
    assert!(!h.app.shared.zoom);
    let t = text(&h.render(120, 40, &TRUE));
    assert!(t.contains("loss (log scale)"), "{t}");
}

/// Whether a cell shows something a label must not hide (anything but a blank, an empty
/// braille cell or a plain border line).
fn drawn(buf: &Buffer, p: (u16, u16)) -> bool {
    !matches!(buf[p].symbol(), " " | "\u{2800}" | "─")
}

/// The cells of `rect` (x, y, w, h) that show something in `before` and something else in
/// `after`, other than a callout's marker.
fn hidden(before: &Buffer, after: &Buffer, (x, y, w, h): (u16, u16, u16, u16)) -> Vec<String> {
    (y..y + h)
        .flat_map(|r| (x..x + w).map(move |c| (c, r)))
        .filter(|&p| drawn(before, p) && after[p].symbol() != before[p].symbol())
        .filter(|&p| after[p].symbol() != "◆")
        .map(|p| format!("{p:?} {:?} → {:?}", before[p].symbol(), after[p].symbol()))
        .collect()
}

/// Callouts from fixed data and the article's band (`b`) on a mod-add run: a marker on each
/// curve at each callout's step, labels cut at a word where they hide no cell of a curve
/// (the accuracy's train line fills its top row at 100 %), the band's legend; in colour and
/// without.
#[test]
fn callouts_and_the_article_band() {
    let s = common::snapshot_settings();
    let mut h = common::played("mod-add");
    h.train(1000);
    press(&mut h, 'b');
    let notice = h.app.shared.message.clone().unwrap_or_default();
    assert!(notice.contains("450 gallery runs"), "{notice}");
    let bare = h.render(120, 40, &TRUE);
    h.app.shared.callouts = vec![
        Callout {
            step: 200,
            label: "train 99 %: memorized".into(),
        },
        Callout {
            step: 600,
            label: "test loss starts to fall far below the train loss".into(),
        },
    ];
    let buf = h.render(120, 40, &TRUE);
    let t = text(&buf);
    // The charts' rows, their top borders included.
    let lost = hidden(&bare, &buf, (0, 2, 120, 11));
    assert!(
        lost.is_empty(),
        "cells the callouts hid:\n{}\n{t}",
        lost.join("\n")
    );
    let loss = panel_rows(&t, 0, 2, 72);
    let acc = panel_rows(&t, 72, 2, 48);
    for (name, rows) in [("loss", &loss), ("accuracy", &acc)] {
        let all = rows.join("\n");
        let marks = all.matches('◆').count();
        assert_eq!(marks, 2, "{name}: a marker per callout\n{all}");
        // Labels whole or cut after a word, never inside one; whole where a row has room
        // for it, even past the next marker (the accuracy chart's first label used to be
        // cut to "train 99 %:…" at it).
        assert!(all.contains("train 99 %: memorized"), "{name}: {all}");
        let label = "test loss starts to fall far below the train loss";
        let row = rows
            .iter()
            .find(|r| r.contains("test loss"))
            .expect("the second label");
        let at = row.find("test loss").unwrap();
        let shown: String = row[at..].chars().take_while(|&c| c != '…').collect();
        let shown = shown.trim_end_matches(|c: char| !c.is_alphanumeric());
        assert!(
            label == shown || label[shown.len()..].starts_with(' '),
            "{name}: cut after a word: {shown:?}"
        );
    }
    assert!(t.contains("article: 450 runs, quartiles"), "{t}");
    // The band's cells carry its colours behind the curves.
    let banded = (0..72u16)
        .flat_map(|x| (3..12u16).map(move |y| (x, y)))
        .filter(|&p| matches!(buf[p].bg, Color::Rgb(0, 50, 55) | Color::Rgb(45, 45, 45)))
        .count();
    assert!(banded > 20, "{banded} cells of the train band");
    s.bind(|| insta::assert_snapshot!("charts_callouts_band_120x40", t));
    let t = text(&h.render(80, 24, &NONE));
    assert!(
        t.contains('░') || t.contains('▓'),
        "the band without colour\n{t}"
    );
    assert!(t.contains('◆'), "{t}");
    s.bind(|| insta::assert_snapshot!("charts_callouts_band_no_color_80x24", t));
    // b again hides it.
    press(&mut h, 'b');
    assert!(h.app.shared.band.is_none());
    assert!(!text(&h.render(120, 40, &TRUE)).contains("article: 450"));
}

/// The band compares only with the runs the gallery ran (a + b mod 67): for others the key
/// says why there is none, and a band switched on stays off their charts.
#[test]
fn the_band_says_why_there_is_none() {
    let mut h = common::played("parity");
    h.train(600);
    press(&mut h, 'b');
    assert!(h.app.shared.band.is_none());
    let notice = h.app.shared.message.clone().unwrap_or_default();
    assert_eq!(
        notice,
        "no article band for parity: the article's gallery ran a + b mod 67"
    );
    let mut h = common::played("mod-add");
    h.train(300);
    press(&mut h, 'b');
    assert!(h.app.shared.band.is_some());
    let mut other = h.app.shared.snapshot.config.clone();
    other.modulus = 59;
    let mut snap = (*h.app.shared.snapshot).clone();
    snap.config = other;
    snap.run += 1;
    h.app.update(Action::Snapshot(std::sync::Arc::new(snap)));
    assert_eq!(
        h.app.shared.message.as_deref(),
        Some("no article band for add mod 59: the article's gallery ran a + b mod 67")
    );
    let t = text(&h.render(120, 40, &TRUE));
    assert!(!t.contains("article: 450"), "{t}");
}

/// Every step chart has a labelled step axis: the accuracy chart is a line chart with a
/// percentage axis, the trajectory has weight labels.
#[test]
fn every_step_chart_has_tick_labels() {
    let mut h = common::played("parity");
    h.train(600);
    let t = text(&h.render(120, 40, &TRUE));
    let column = |title: &str| {
        let line = t.lines().nth(2).unwrap();
        line[..line.find(title).unwrap()].chars().count() - 2
    };
    let rows = panel_rows(&t, column("accuracy"), 2, 30);
    let joined = rows.join("\n");
    assert!(rows[1].contains("train 100.00%"), "{joined}");
    for label in ["100%", "50%", "0%"] {
        assert!(joined.contains(label), "{label}\n{joined}");
    }
    let last = rows.last().unwrap();
    assert!(last.contains('0') && last.contains("1,000"), "{joined}");
    let traj = panel_rows(&t, column("W1 over"), 2, 44).join("\n");
    assert!(
        traj.contains("│     0"),
        "x labels under the trajectory\n{traj}"
    );
    assert!(traj.contains(" 0│"), "its weight axis\n{traj}");
}

/// The loss chart's legend names both curves at every size: where the title has no room for
/// "loss (log scale)" and both keys (parity at 80×24, a third of the width), the name gives
/// way, not the test curve's key.
#[test]
fn the_loss_legend_names_both_curves() {
    let mut h = common::played("parity");
    h.train(600);
    for (w, ht) in [(80, 24), (120, 40), (200, 60)] {
        for theme in [TRUE, NONE] {
            let t = text(&h.render(w, ht, &theme));
            let line = t.lines().find(|l| l.contains("╭ loss")).unwrap();
            let panel: String = line.chars().take_while(|&c| c != '╮').collect();
            assert!(
                panel.contains(" train") && panel.contains(" test"),
                "{w}x{ht}: {panel}"
            );
        }
    }
}
