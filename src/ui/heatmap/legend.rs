//! A heatmap's scale as a legend on a panel's border: the value its strongest colours (or
//! shades) stand for, with the ramp between, in the longest form that fits.

use crate::ui::Theme;
use crate::ui::theme::{HEAT_LEVELS, shade};
use ratatui::buffer::Buffer;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// A heatmap scale's value, short: 2 significant digits (0.84, 1.2, 12), powers of ten for
/// the very small and large.
pub fn short(v: f32) -> String {
    let a = v.abs();
    if a == 0.0 {
        "0".into()
    } else if !(0.01..1000.0).contains(&a) {
        format!("{v:.0e}")
    } else if a >= 10.0 {
        format!("{v:.0}")
    } else if a >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// The ramp of one side of the map, strongest first for the negative side (so the ramp
/// reads −max … 0 … +max), `cells` of it: the colours of the levels in colour, the signed
/// shades without.
fn ramp(theme: &Theme, negative: bool, cells: usize) -> Vec<Span<'static>> {
    let sign = if negative { -1.0 } else { 1.0 };
    let mut spans: Vec<Span<'static>> = (1..=cells)
        .map(|i| {
            // Evenly from the weakest level to the strongest.
            let t = i as f32 / cells as f32;
            if theme.colored() {
                let level = (sign * (t * HEAT_LEVELS).round()) as i8;
                Span::styled("█", Style::new().fg(theme.heat_color(level)))
            } else {
                Span::raw(shade(sign * t))
            }
        })
        .collect();
    if negative {
        spans.reverse();
    }
    spans
}

/// One form of the legend: "−s ramp 0 ramp +s" with `cells` per side, spaced or tight
/// (`zero` the middle: " 0 ", "0" or nothing).
fn form(theme: &Theme, s: &str, cells: usize, (gap, zero): (&str, &str)) -> Vec<Span<'static>> {
    let mut spans = vec![Span::styled(format!("−{s}{gap}"), theme.dim())];
    spans.extend(ramp(theme, true, cells));
    spans.push(Span::styled(zero.to_string(), theme.dim()));
    spans.extend(ramp(theme, false, cells));
    spans.push(Span::styled(format!("{gap}+{s}"), theme.dim()));
    spans
}

/// A map's legend for `scale` (the |w| of its strongest level): `prefix`, then
/// "−s ramp 0 ramp +s", then `suffix`, in its longest form that fits `room` cells (the ramp
/// whole, then 3 cells a side, then one cell a side without spaces, "−s█0█+s", then
/// "−s██+s", then "±s" alone), or none.
pub fn legend(
    theme: &Theme,
    scale: f32,
    prefix: &str,
    suffix: &str,
    room: usize,
) -> Option<Line<'static>> {
    let s = short(scale);
    let whole = if theme.colored() {
        HEAT_LEVELS as usize
    } else {
        5
    };
    let forms = [
        form(theme, &s, whole, (" ", " 0 ")),
        form(theme, &s, 3, (" ", " 0 ")),
        form(theme, &s, 1, ("", "0")),
        form(theme, &s, 1, ("", "")),
        vec![Span::styled(format!("±{s}"), theme.dim())],
    ];
    forms.into_iter().find_map(|body| {
        let mut spans = vec![Span::styled(prefix.to_string(), theme.dim())];
        spans.extend(body);
        spans.push(Span::styled(suffix.to_string(), theme.dim()));
        let line = Line::from(spans);
        (line.width() <= room).then_some(line)
    })
}

/// Draw `line` right-aligned to end at `right` (exclusive) on row `y`, padded by a space on
/// each side (it sits on a border).
pub fn put_right(buf: &mut Buffer, line: &Line, right: u16, y: u16) {
    let w = line.width() as u16 + 2;
    let x = right.saturating_sub(w);
    buf.set_line(x, y, &Line::raw(" "), 1);
    buf.set_line(x + 1, y, line, w - 2);
    buf.set_line(x + w - 1, y, &Line::raw(" "), 1);
}
