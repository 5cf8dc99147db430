//! The mechanism drawings' scales: the row of numbers under a chart over 0…P−1 (the
//! inputs a or c, or k·a mod P unwrapped), placed where the braille canvas draws those
//! inputs, and the value range a strip or chart spans (±max), set at the right of its
//! label row where that row has room.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

/// The cell column (from the canvas' left) of input `x` in a braille canvas `width` cells
/// wide spanning 0…P−1: two dots a cell, the canvas' own rounding down.
pub(super) fn column(x: usize, p: usize, width: u16) -> u16 {
    let dots = (width as usize * 2).saturating_sub(1);
    ((x * dots) / (p.max(2) - 1) / 2) as u16
}

/// The inputs labelled on an axis over 0…P−1 `width` cells wide: 0 and P−1 always, and
/// between them the multiples of the smallest step of 5, 10, 20, 25, 50, … whose labels
/// all stand at least three blank cells apart (a multiple too close to P−1 gives way).
pub(super) fn ticks(p: usize, width: u16) -> Vec<usize> {
    let last = p.saturating_sub(1);
    let w = |x: usize| x.to_string().len() as u16;
    let start = |x: usize| column(x, p, width).saturating_sub(w(x) / 2);
    let end_start = width.saturating_sub(w(last));
    const GAP: u16 = 3;
    for step in [5, 10, 20, 25, 50, 100, 200, 250, 500, 1000] {
        let inner: Vec<usize> = (step..last)
            .step_by(step)
            .filter(|&x| start(x) + w(x) + GAP <= end_start)
            .collect();
        let mut free = w(0) + GAP;
        let apart = inner.iter().all(|&x| {
            let ok = start(x) >= free;
            free = start(x) + w(x) + GAP;
            ok
        });
        if apart {
            return std::iter::once(0).chain(inner).chain([last]).collect();
        }
    }
    vec![0, last]
}

/// An axis over 0…P−1 in row `y` under a canvas spanning `plot`'s columns: the labels of
/// [`ticks`], each centred on its column (P−1 ending at the plot's right edge), and `name`
/// (what runs across: "a", "c", "k·a") right-aligned in the gutter left of the plot where
/// it fits with a blank after it.
pub(super) fn x_axis(buf: &mut Buffer, plot: Rect, y: u16, p: usize, name: &str, style: Style) {
    if plot.width < 8 {
        return;
    }
    let last = p.saturating_sub(1);
    for x in ticks(p, plot.width) {
        let label = x.to_string();
        let w = label.len() as u16;
        let at = if x == last {
            plot.width.saturating_sub(w)
        } else {
            column(x, p, plot.width).saturating_sub(w / 2)
        };
        buf.set_string(plot.x + at, y, label, style);
    }
    let n = name.chars().count() as u16;
    if n > 0 && plot.x > buf.area.x + n {
        buf.set_string(plot.x - n - 1, y, name, style);
    }
}

/// A chart's value range as a tag: "±0.42".
pub(super) fn range(scale: f64) -> String {
    format!("±{}", crate::ui::heatmap::short(scale as f32))
}

/// `tag` at the right end of row `row` (a label row `used` cells of which are taken from its
/// left), where it fits with a blank before it; whether it was set.
pub(super) fn tag_right(buf: &mut Buffer, row: Rect, used: usize, tag: &str, style: Style) -> bool {
    let w = tag.chars().count();
    if row.height == 0 || used + 1 + w > row.width as usize {
        return false;
    }
    buf.set_string(row.right() - w as u16, row.y, tag, style);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_evenly_spaced_and_end_at_p_minus_one() {
        // A 54-cell strip over a = 0…66: every ten.
        assert_eq!(ticks(67, 54), [0, 10, 20, 30, 40, 50, 60, 66]);
        // Narrower: the ends and what stands apart between them, evenly.
        assert_eq!(ticks(67, 20), [0, 20, 40, 66]);
        assert_eq!(ticks(67, 9), [0, 66]);
        // Wide: every five.
        assert_eq!(ticks(67, 140)[..3], [0, 5, 10]);
        assert_eq!(ticks(67, 140).last(), Some(&66));
    }

    #[test]
    fn the_axis_labels_sit_on_their_columns() {
        let area = Rect::new(0, 0, 60, 1);
        let mut buf = Buffer::empty(area);
        let plot = Rect::new(4, 0, 54, 1);
        x_axis(&mut buf, plot, 0, 67, "a", Style::default());
        let row: String = (0..60).map(|x| buf[(x, 0)].symbol().to_string()).collect();
        assert!(row.starts_with("  a 0"), "{row:?}");
        assert!(row.trim_end().ends_with("66"), "{row:?}");
        // 30 is centred on the column the canvas draws a = 30 in.
        let c = 4 + column(30, 67, 54);
        assert_eq!(buf[(c - 1, 0)].symbol(), "3", "{row:?}");
        assert_eq!(buf[(c, 0)].symbol(), "0", "{row:?}");
    }

    #[test]
    fn a_tag_goes_right_only_where_it_fits() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 20, 1));
        let row = Rect::new(0, 0, 20, 1);
        assert!(tag_right(&mut buf, row, 10, "±0.42", Style::default()));
        assert_eq!(buf[(15, 0)].symbol(), "±");
        assert!(!tag_right(&mut buf, row, 15, "±0.42", Style::default()));
        assert_eq!(range(0.4204), "±0.42");
        assert_eq!(range(23.0), "±23");
    }
}
