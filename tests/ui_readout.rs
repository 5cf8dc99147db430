//! The read-out panel beside the settings (the training view, 120×40 and up): a row too long
//! for the panel continues under its value, not at the panel's left edge, where it would
//! read as a new entry; and every row, the phase's sentence last, shows.

mod common;
use common::{PLAIN, TRUE};
use grokscope::app::harness::text;
use grokscope::app::replay::Replay;
use grokscope::app::session::Clock;
use grokscope::app::state::{self as views, App};
use grokscope::ui::{Memo, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::sync::Arc;

/// mod-add at seed 10, recorded past its 99 % test accuracy (step 10,300), whole: the sweep
/// class, why it differs from the phase label and what to look at next have long values.
fn grokked() -> App {
    let run = Replay::open(&common::fixture("tour/mod-add-seed-10"))
        .unwrap()
        .snapshot(Some(Clock::default()));
    App::new(Arc::new(run))
}

/// The read-out panel's inner rows as drawn at `w`×`h`: (the column its values start in
/// (the step row's), its rows).
fn readout(app: &App, w: u16, ht: u16, theme: &Theme) -> (usize, Vec<String>) {
    let mut term = Terminal::new(TestBackend::new(w, ht)).unwrap();
    let memo = Memo::default();
    term.draw(|f| views::draw(f, app, theme, &memo)).unwrap();
    let t = text(term.backend().buffer());
    let lines: Vec<Vec<char>> = t.lines().map(|l| l.chars().collect()).collect();
    let (top, x0) = lines
        .iter()
        .enumerate()
        .find_map(|(y, l)| {
            let s: String = l.iter().collect();
            s.find("╭ progress measures")
                .map(|b| (y, s[..b].chars().count()))
        })
        .unwrap_or_else(|| panic!("no read-out at {w}×{ht}:\n{t}"));
    let right = (x0 + 1..lines[top].len())
        .find(|&x| lines[top][x] == '╮')
        .unwrap();
    let rows: Vec<String> = lines[top + 1..]
        .iter()
        .take_while(|l| l[x0] != '╰')
        .map(|l| l[x0 + 1..right].iter().collect())
        .collect();
    let step = rows.iter().find(|r| r.starts_with("step ")).unwrap();
    let col = step.find(|c: char| c.is_ascii_digit()).unwrap();
    (col, rows)
}

/// The read-out's labels for a modular run.
const LABELS: [&str; 9] = [
    "step",
    "loss train / test",
    "weight norm",
    "sweep class so far",
    "why they differ",
    "next",
    "gini of spectrum",
    "restricted loss",
    "excluded loss",
];

#[test]
fn long_rows_continue_under_their_value() {
    let h = grokked();
    for (w, ht) in [(120, 40), (160, 50), (200, 60)] {
        for theme in [TRUE, PLAIN] {
            let (col, rows) = readout(&h, w, ht, &theme);
            let all = rows.join("\n");
            let phase = rows.iter().position(|r| r.starts_with("grokked"));
            let phase = phase.unwrap_or_else(|| panic!("{w}×{ht}: no phase row:\n{all}"));
            for r in &rows[..phase] {
                let lead = r.chars().take_while(|&c| c == ' ').count();
                // A label, its value from the value column; a continuation at the value
                // column; or blank.
                let labelled = LABELS.iter().any(|l| {
                    r.starts_with(l)
                        && r.chars()
                            .skip(l.chars().count())
                            .take(col - l.len())
                            .all(|c| c == ' ')
                });
                assert!(
                    labelled || lead == col || r.trim().is_empty(),
                    "{w}×{ht}: {r:?} starts at {lead}, values at {col}:\n{all}"
                );
            }
            for label in ["sweep class so far", "why they differ", "next"] {
                assert!(all.contains(label), "{w}×{ht}: {label} missing:\n{all}");
            }
            // The phase's sentence shows to its end.
            let tail: String = rows[phase..].join(" ");
            assert!(tail.contains("generalizes."), "{w}×{ht}:\n{all}");
        }
    }
    // At 120×40 the rows do wrap (else the test above proves nothing).
    let (col, rows) = readout(&h, 120, 40, &TRUE);
    assert!(
        rows.iter()
            .any(|r| r.starts_with(&" ".repeat(col)) && !r.trim().is_empty()),
        "{rows:#?}"
    );
}
