//! Vertical bars drawn with eighth blocks, one style per bar: used by the Fourier spectrum
//! and the parity digit norms.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

const EIGHTHS: [&str; 9] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];

/// Column span (x offset, width) of bar `i` of `n` in `width` columns.
pub fn slot(i: usize, n: usize, width: u16) -> (u16, u16) {
    let slot = (width as usize / n.max(1)).max(1);
    let w = if slot >= 3 { slot - 1 } else { slot };
    ((i * slot) as u16, w as u16)
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
