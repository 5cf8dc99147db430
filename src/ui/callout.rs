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
/// `value` reads it as in [`paint_runs`](super::axis::paint_runs)), and its label where it hides nothing, neither a
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

/// Where the label of the marker at (`col`, `row`) goes, inside the plot `p` (or the row
/// just above it, the panel's border or values line): as near the marker as it can be read
/// as its own. Rows are tried nearest first (the marker's row, then one above, one below,
/// and so on); in each, the label starts just right of the marker (in the marker's own
/// row the next column, elsewhere the marker's column), else ends just left of it (for a
/// marker at the plot's right edge), on cells that are all free (see [`free`]) with a free
/// cell beyond it (but at the plot's edge). The nearest place the whole label fits wins;
/// where it fits nowhere whole, the longest form cut at a word ([`fit_words`]) right of the
/// marker, the nearest of those. `None` where no row has room for its first word.
fn label_place(
    buf: &Buffer,
    p: Rect,
    (col, row): (u16, u16),
    label: &str,
) -> Option<(u16, u16, String)> {
    let top = p.y.saturating_sub(1).max(buf.area.y);
    let mut rows: Vec<u16> = (top..p.bottom()).collect();
    rows.sort_by_key(|&y| (y.abs_diff(row), y > row));
    let mut best: Option<(u16, u16, String)> = None;
    for y in rows {
        let own = u16::from(y == row);
        for right in [true, false] {
            let Some((x, text)) = beside(buf, p, (col, y), own, right, label) else {
                continue;
            };
            if text == label {
                return Some((x, y, text));
            }
            // A cut form only where it reads on from the marker, as the whole label would.
            if right
                && best
                    .as_ref()
                    .is_none_or(|b| text.chars().count() > b.2.chars().count())
            {
                best = Some((x, y, text));
            }
        }
    }
    best
}

/// As much of `label` as fits in row `y` right of column `col` (`right`) or left of it, `gap`
/// columns away from it: the column it starts at and the text, or `None`.
fn beside(
    buf: &Buffer,
    p: Rect,
    (col, y): (u16, u16),
    gap: u16,
    right: bool,
    label: &str,
) -> Option<(u16, String)> {
    if right {
        let start = col + gap;
        let run = (start..p.right()).take_while(|&x| free(buf, x, y)).count() as u16;
        // A free cell after the label, unless it reaches the plot's edge.
        let room = if start + run < p.right() {
            run.saturating_sub(1)
        } else {
            run
        };
        fit_words(label, room as usize).map(|t| (start, t))
    } else {
        // The column after the label's last: the marker's own, or the one after it.
        let end = (col + 1).checked_sub(gap)?;
        if end <= p.x {
            return None;
        }
        let run = (p.x..end).rev().take_while(|&x| free(buf, x, y)).count() as u16;
        let room = if end - run > p.x {
            run.saturating_sub(1)
        } else {
            run
        };
        let text = fit_words(label, room as usize)?;
        Some((end - text.chars().count() as u16, text))
    }
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

    /// A 20×8 plot at (2, 1) of a 24×10 buffer, blank but for `filled` cells.
    fn plot_with(filled: &[(u16, u16)]) -> (Buffer, Rect) {
        let mut buf = Buffer::empty(Rect::new(0, 0, 24, 10));
        for &(x, y) in filled {
            buf[(x, y)].set_symbol("⣿");
        }
        (buf, Rect::new(2, 1, 20, 8))
    }

    #[test]
    fn a_label_goes_beside_its_marker() {
        // Room right of the marker, in its own row: there, not in the plot's top row.
        let (buf, p) = plot_with(&[(5, 6)]);
        let at = label_place(&buf, p, (5, 6), "test 50 %");
        assert_eq!(at, Some((6, 6, "test 50 %".into())));
        // A marker at the plot's right edge: its label ends beside it, on its left.
        let (buf, p) = plot_with(&[(21, 4)]);
        let at = label_place(&buf, p, (21, 4), "test 99 %");
        assert_eq!(at, Some((12, 4, "test 99 %".into())));
        // Its own row taken by a curve: the nearest row with room, above before below.
        let curve: Vec<(u16, u16)> = (2..22).map(|x| (x, 5)).collect();
        let (buf, p) = plot_with(&curve);
        let at = label_place(&buf, p, (4, 5), "test loss lowest");
        assert_eq!(at, Some((4, 4, "test loss lowest".into())));
    }
}
