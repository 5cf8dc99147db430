//! The run's callouts on its loss and accuracy charts: a marker at each marked moment on the
//! curve it is about, and its label beside the marker where the chart has room.

use super::axis::{Plot, value_at};
use super::{Callout, Ctx};
use crate::train::Metrics;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

/// Whether a callout's label is about the train curve ("train loss rises", "memorized:
/// train 99 %"): its marker then goes on the train line, else on the test line.
pub fn names_train(label: &str) -> bool {
    let l = label.to_lowercase();
    (l.contains("train") || l.contains("memoriz")) && !l.contains("test")
}

/// `label` in at most `width` columns: whole, or its first words and an ellipsis; `None`
/// when not even its first word fits (a label is never cut mid-word).
pub fn fit_words(label: &str, width: usize) -> Option<String> {
    if label.chars().count() <= width {
        return Some(label.to_string());
    }
    let mut out = String::new();
    for word in label.split_whitespace() {
        let next = if out.is_empty() {
            word.to_string()
        } else {
            format!("{out} {word}")
        };
        if next.chars().count() + 1 > width {
            break;
        }
        out = next;
    }
    (!out.is_empty()).then(|| format!("{out}…"))
}

/// The callouts' marker glyph: a shape that reads without colour beside braille and dots.
pub const MARKER: &str = "◆";

/// Draw the run's callouts on `plot`, after the curves: a marker at each one's step on the
/// curve it is about (the train line when its label names train, else the test line;
/// `value` reads it as in [`paint_runs`]), and its label where it hides nothing, neither a
/// marker nor a label placed before it (see `label_place`), cut at a word where no row
/// has room for it whole ([`fit_words`]).
pub fn draw_callouts(buf: &mut Buffer, plot: &Plot, cx: &Ctx, value: fn(&Metrics, bool) -> f64) {
    let p = plot.area;
    let marks: Vec<(u16, u16, &Callout)> = cx
        .callouts
        .iter()
        .filter_map(|c| {
            let col = plot.col(c.step as f64)?;
            let on = |m: &Metrics| value(m, !names_train(&c.label));
            let row = value_at(&cx.snapshot.history, c.step).map_or(p.y, |m| plot.row(on(&m)));
            Some((col, row, c))
        })
        .collect();
    let style = cx.theme.title();
    // Every marker first: no label may cover one.
    for &(col, row, _) in &marks {
        buf[(col, row)].set_symbol(MARKER).set_style(style);
    }
    // From the right: a label may then run on past the next marker in a row the next
    // label left free, rather than be cut short at it ("test… test 99 %").
    for &(col, row, c) in marks.iter().rev() {
        if let Some((x, y, text)) = label_place(buf, p, (col, row), &c.label) {
            buf.set_string(x, y, &text, style);
        }
    }
}

/// Whether a cell shows nothing a label would hide: a blank, an empty braille cell, or a
/// plain border line.
fn free(buf: &Buffer, x: u16, y: u16) -> bool {
    matches!(buf[(x, y)].symbol(), " " | "\u{2800}" | "─")
}

/// Where the label of the marker at (`col`, `row`) goes, its columns running at most to the
/// plot's right edge: in the plot's top row, else the row above it (the panel's border, or
/// the values line), else any row of the plot, top first; from the marker's column on (the
/// next column in the marker's own row), on cells that are all free (see [`free`]) with a
/// free cell after it (but at the plot's right edge), as much of it as fits ([`fit_words`]), the longest showing first.
/// `None` where no row has room for its first word.
fn label_place(
    buf: &Buffer,
    p: Rect,
    (col, row): (u16, u16),
    label: &str,
) -> Option<(u16, u16, String)> {
    let above = p.y.checked_sub(1).filter(|&y| y >= buf.area.y);
    let rows = std::iter::once(p.y).chain(above).chain(p.y + 1..p.bottom());
    let mut best: Option<(u16, u16, String)> = None;
    for y in rows {
        let start = if y == row { col + 1 } else { col };
        // The run of free cells from `start`, one left for a gap unless it reaches the
        // plot's right edge.
        let run = (start..p.right()).take_while(|&x| free(buf, x, y)).count() as u16;
        let room = if start + run < p.right() {
            run.saturating_sub(1)
        } else {
            run
        };
        let Some(text) = fit_words(label, room as usize) else {
            continue;
        };
        let whole = text == label;
        if best
            .as_ref()
            .is_none_or(|b| text.chars().count() > b.2.chars().count())
        {
            best = Some((start, y, text));
        }
        if whole {
            break;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_cut_at_words() {
        assert_eq!(fit_words("grokked", 7).as_deref(), Some("grokked"));
        assert_eq!(
            fit_words("train loss rises", 14).as_deref(),
            Some("train loss…")
        );
        assert_eq!(fit_words("train loss rises", 6).as_deref(), Some("train…"));
        assert_eq!(fit_words("memorized", 5), None, "never mid-word");
    }
}
