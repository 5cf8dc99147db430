//! Vertical bars drawn with eighth blocks, one style per bar, the value scale at their left
//! and the axis under them: used by the Fourier spectrum and the parity digit norms.

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

/// The top of a bar chart's scale for a largest value `v`: the round number (1, 1.5, 2, 2.5,
/// 3, 4, 5, 6 or 8 × 10^k) at or above it, so the top row is a labelled value and the scale
/// changes only now and then as the values drift.
pub fn nice_max(v: f32) -> f32 {
    if v.is_nan() || v <= 0.0 || v.is_infinite() {
        return 1.0;
    }
    let unit = 10f32.powf(v.log10().floor());
    [1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0]
        .into_iter()
        .map(|m| m * unit)
        .find(|&top| top >= v * (1.0 - 1e-6))
        .unwrap_or(10.0 * unit)
}

/// A value of the scale as its label: 40, 2.5, 0.75, 1e-3.
pub fn value_label(v: f32) -> String {
    if v == 0.0 {
        return "0".into();
    }
    if !(0.01..10_000.0).contains(&v.abs()) {
        return format!("{v:.0e}");
    }
    let t = format!("{v:.2}");
    t.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The scale's ticks for bars `height` rows tall reaching `max` at the top: each value with
/// the row (from the top) whose cell the bar of that value ends in. 0 and `max` always; the
/// middle from five rows.
pub fn scale_ticks(max: f32, height: u16) -> Vec<(u16, String)> {
    let h = height.max(1);
    let row = |v: f32| h - ((v / max * h as f32).ceil() as u16).clamp(1, h);
    let mut values = vec![max];
    if h >= 5 {
        values.push(max / 2.0);
    }
    values.push(0.0);
    values
        .into_iter()
        .map(|v| (row(v), value_label(v)))
        .collect()
}

/// Draw the value scale of bars reaching `max` at the top of `area` at its left: the tick
/// labels right-aligned in a gutter, and a line beside them where the `n` bars keep one
/// column each without it. Returns the area left for the bars; `None` (nothing drawn) when
/// even the labels would take columns the bars need: the caller says the scale elsewhere.
pub fn draw_scale(buf: &mut Buffer, area: Rect, n: usize, max: f32, style: Style) -> Option<Rect> {
    if area.height == 0 {
        return None;
    }
    let ticks = scale_ticks(max, area.height);
    let labels = ticks.iter().map(|(_, l)| l.chars().count()).max()? as u16;
    let free = area.width.saturating_sub(n as u16);
    let gutter = if free > labels { labels + 1 } else { labels };
    if gutter > free {
        return None;
    }
    for (row, label) in &ticks {
        let text = format!("{label:>w$}", w = labels as usize);
        buf.set_string(area.x, area.y + row, text, style);
    }
    if gutter > labels {
        for y in area.y..area.bottom() {
            buf[(area.x + labels, y)].set_symbol("│").set_style(style);
        }
    }
    Some(Rect {
        x: area.x + gutter,
        width: area.width - gutter,
        ..area
    })
}

/// Bars reaching `max` at the top of `area`, with their value scale ([`draw_scale`]); where
/// no gutter fits, the scale in words ("bars 0-40") at the right of the top border of
/// `panel` if it clears the title (`title` columns). Returns the columns the bars took.
pub fn draw_scaled(
    buf: &mut Buffer,
    (panel, title): (Rect, usize),
    area: Rect,
    (values, max, styles): (&[f32], f32, &[Style]),
    style: Style,
) -> Rect {
    let bars = draw_scale(buf, area, values.len(), max, style).unwrap_or_else(|| {
        let words = format!(" bars 0-{} ", value_label(max));
        let len = words.chars().count() as u16;
        let x = panel.right().saturating_sub(len + 1);
        if panel.width > 0 && x > panel.x + 2 + title as u16 {
            buf.set_string(x, panel.y, words, style);
        }
        area
    });
    draw(buf, bars, values, max, styles);
    bars
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_top_of_the_scale_is_a_round_number_at_or_above_the_largest_bar() {
        for (v, top) in [
            (38.0, 40.0),
            (40.0, 40.0),
            (4.9, 5.0),
            (0.31, 0.4),
            (1.01, 1.5),
            (2.2, 2.5),
            (7.0, 8.0),
            (8.5, 10.0),
        ] {
            assert!((nice_max(v) - top).abs() < 1e-4, "{v}: {}", nice_max(v));
        }
        assert_eq!(nice_max(0.0), 1.0);
    }

    #[test]
    fn ticks_sit_where_bars_of_their_value_end() {
        // Eight rows up to 40: 40 in the top row, 20 in the row a half-height bar ends in
        // (four rows from the bottom), 0 in the bottom row.
        assert_eq!(
            scale_ticks(40.0, 8),
            [(0, "40".into()), (4, "20".into()), (7, "0".into())]
        );
        // Too short for a middle.
        assert_eq!(scale_ticks(2.5, 4), [(0, "2.5".into()), (3, "0".into())]);
        assert_eq!(value_label(0.75), "0.75");
        assert_eq!(value_label(1e-3), "1e-3");
    }

    #[test]
    fn the_gutter_never_takes_a_column_the_bars_need() {
        let area = Rect::new(0, 0, 35, 8);
        let mut buf = Buffer::empty(area);
        // 33 bars in 35 columns: labels of two, no line.
        let bars = draw_scale(&mut buf, area, 33, 40.0, Style::default()).unwrap();
        assert_eq!((bars.x, bars.width), (2, 33));
        assert_eq!(buf[(0, 0)].symbol(), "4");
        assert_eq!(buf[(1, 7)].symbol(), "0");
        // With room, a line beside the labels.
        let mut buf = Buffer::empty(area);
        let bars = draw_scale(&mut buf, area, 31, 40.0, Style::default()).unwrap();
        assert_eq!((bars.x, bars.width), (3, 32));
        assert_eq!(buf[(2, 3)].symbol(), "│");
        // No room: nothing drawn.
        let mut buf = Buffer::empty(area);
        assert_eq!(draw_scale(&mut buf, area, 34, 40.0, Style::default()), None);
        assert_eq!(buf, Buffer::empty(area));
    }
}
