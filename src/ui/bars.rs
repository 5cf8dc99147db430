//! Vertical bars drawn with eighth blocks, one style per bar, and the axis under them: used
//! by the Fourier spectrum and the parity digit norms.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

const EIGHTHS: [&str; 9] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];

/// Column span (x offset, width) of bar `i` of `n` in `width` columns. Every bar has the
/// same width and every gap between two bars the same one column, so that no gap reads as a
/// missing bar and no pair as a group: the widest bars that leave a one-column gap after
/// each, or, where that does not fit, one column each and no gaps at all. The bars are
/// centred in the width (the columns left over split either side). Narrower than `n`, one
/// column each from the left: those past the width are not drawn.
pub fn slot(i: usize, n: usize, width: u16) -> (u16, u16) {
    let (n, width) = (n.max(1), width as usize);
    if width < n {
        return (i as u16, 1);
    }
    // A bar and the gap after it; the last bar needs no gap.
    let pitch = (width + 1) / n;
    let (bar, pitch) = if pitch >= 2 {
        (pitch - 1, pitch)
    } else {
        (1, 1)
    };
    let used = n * pitch - (pitch - bar);
    let left = (width - used) / 2;
    ((left + i * pitch) as u16, bar as u16)
}

/// Draw `values` (scaled so `max` fills the area) as bars from the bottom of `area`.
pub fn draw(buf: &mut Buffer, area: Rect, values: &[f32], max: f32, styles: &[Style]) {
    if area.height == 0 || values.is_empty() {
        return;
    }
    let max = if max > 0.0 { max } else { 1.0 };
    let h8 = area.height as f32 * 8.0;
    for (i, &v) in values.iter().enumerate() {
        let (x0, w) = slot(i, values.len(), area.width);
        if x0 >= area.width {
            break;
        }
        let eighths = ((v / max).clamp(0.0, 1.0) * h8).round() as u32;
        let style = styles.get(i).copied().unwrap_or_default();
        for row in 0..area.height {
            let level = eighths.saturating_sub(row as u32 * 8).min(8) as usize;
            if level == 0 {
                continue;
            }
            let y = area.bottom() - 1 - row;
            for dx in 0..w.min(area.width - x0) {
                buf[(area.x + x0 + dx, y)]
                    .set_symbol(EIGHTHS[level])
                    .set_style(style);
            }
        }
    }
}

/// Column under the middle of bar `i` of `n` in `width` columns; `None` where the bar does not
/// fit (it is not drawn either).
pub fn centre(i: usize, n: usize, width: u16) -> Option<u16> {
    let (x, w) = slot(i, n, width);
    (x < width).then(|| x + (w.min(width - x) - 1) / 2)
}

/// The two rows under a bar chart: marks under some bars (one cell each) and, on the row
/// below, tick labels; on rows of their own, neither hides the other.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Axis {
    /// Column and bar index of each mark, left to right.
    pub marks: Vec<(u16, usize)>,
    /// Column and text of each tick label, left to right: each under its bar (centred when
    /// the bar is wide enough, else starting at it), at least one blank column apart.
    pub labels: Vec<(u16, String)>,
}

impl Axis {
    /// The axis of `n` bars in `width` columns: a mark under every bar `i` with `marked(i)`,
    /// a label under every bar with `label(i)` that fits (a label running past the width or
    /// into the previous one is left out).
    pub fn new(
        n: usize,
        width: u16,
        marked: impl Fn(usize) -> bool,
        label: impl Fn(usize) -> Option<String>,
    ) -> Self {
        let mut axis = Axis::default();
        // First free column for the next label.
        let mut free = 0usize;
        for i in 0..n {
            let Some(mid) = centre(i, n, width) else {
                break;
            };
            if marked(i) {
                axis.marks.push((mid, i));
            }
            let Some(text) = label(i) else {
                continue;
            };
            let (x, w) = slot(i, n, width);
            let len = text.chars().count();
            let start = x as usize + (w as usize).saturating_sub(len) / 2;
            if start >= free && start + len <= width as usize {
                free = start + len + 1;
                axis.labels.push((start as u16, text));
            }
        }
        axis
    }

    /// Draw into the first two rows of `area`: marks as `mark(i)` gives them, labels in
    /// `label_style`.
    pub fn draw(
        &self,
        buf: &mut Buffer,
        area: Rect,
        mark: impl Fn(usize) -> (&'static str, Style),
        label_style: Style,
    ) {
        if area.height < 2 {
            return;
        }
        for &(x, i) in &self.marks {
            let (symbol, style) = mark(i);
            buf[(area.x + x, area.y)]
                .set_symbol(symbol)
                .set_style(style);
        }
        for (x, text) in &self.labels {
            buf.set_string(area.x + x, area.y + 1, text, label_style);
        }
    }
}
