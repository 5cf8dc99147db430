//! DFT heatmaps (the article's mod-bot-dft): neurons × Fourier coefficients (constant, then
//! cos k and sin k for k = 1…P/2) of W_input and of W_output, neurons ordered by frequency
//! and phase, so that each neuron's sparsity shows, not only the summed spectrum. Two
//! neurons per text row: half blocks in colour; without colour, braille dots, as many in a
//! neuron's half of the cell as its |coefficient| is large (the sign, a phase, is left to
//! the colours), so that every neuron shows there too. Both matrices where they fit one
//! above the other, else the one `o` picks; each map's scale on its title row (the
//! heatmaps' legend); rows the neurons leave under the axis say how to read the map.

use super::{Shown, fit, shown, title_room};
use crate::analysis::FourierCoeffs;
use crate::ui::heatmap::{Rows, fit_rows, legend, put_right};
use crate::ui::theme::heat_level;
use crate::ui::{Ctx, Panel, panel, sticky_scale};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

pub const PANEL: Panel = Panel {
    name: "DFT",
    applies: |c| c.task == crate::train::TaskKind::Modular,
    render,
};

/// Label columns left of the heatmap: the group's frequency and the selected-neuron mark.
const LABEL: u16 = 4;

/// Neurons to a text row, in colour (half blocks) and without (braille halves).
const PER_ROW: usize = 2;

/// A neuron's |coefficient| (over the scale) as dots in its half of a braille cell: none,
/// then 1 to 4 of the half's 2 × 2 dots; `upper` the cell's top half, else its bottom.
fn dots(v: f32, upper: bool) -> u32 {
    const TOP: [u32; 5] = [0, 0x01, 0x03, 0x0B, 0x1B];
    const BOTTOM: [u32; 5] = [0, 0x04, 0x44, 0x64, 0xE4];
    let n = ((v.abs() * 4.0).round() as usize).min(4);
    if upper { TOP[n] } else { BOTTOM[n] }
}

/// The braille cell of two neurons' coefficients (the lower one, if any).
fn dot_cell(upper: f32, lower: Option<f32>) -> String {
    match dots(upper, true) | lower.map_or(0, |v| dots(v, false)) {
        0 => " ".into(),
        bits => char::from_u32(0x2800 + bits).map_or(String::new(), String::from),
    }
}

/// How to read the map, for rows the neurons leave free.
const CAPTION: &str = "Each row is a neuron, grouped by the frequency k at the left. A neuron \
    that computes with one frequency lights only that k's cos and sin columns; a memorizing \
    one spreads over many. o shows W_output, whose rows over c use the same k.";

/// The panel's width for modulus `p`: one column per coefficient and the labels, at most
/// `max`.
pub(super) fn width(p: usize, max: u16) -> u16 {
    (p as u16 + LABEL + 2).min(max)
}

/// Whether both matrices fit, one above the other, in `inner` rows: each a title row and its
/// neurons (`per_row` to a text row), and the axis row.
fn fits_both(neurons: usize, per_row: usize, inner: u16) -> bool {
    2 * (neurons.div_ceil(per_row) as u16 + 1) < inner
}

/// The height the panel's neurons fill when the layout gives it `height` rows and its
/// neighbours could give up `spare` more: each neuron a whole number of half-rows (rows
/// without colour), the tallest the rows allow, and the rows that would stay empty under the
/// maps given back ([`fit_rows`], as the weights' band does). `height` where that would
/// change how many matrices are drawn.
pub(super) fn fit_height(cx: &Ctx, height: u16, spare: u16) -> u16 {
    let Ok(neurons) = shown(cx).map(|s| s.mech.order().len()) else {
        return height;
    };
    let per_row = PER_ROW;
    let inner = height.saturating_sub(2);
    if inner < 3 {
        return height;
    }
    let both = fits_both(neurons, per_row, inner);
    let n = if both { 2 } else { 1 };
    // Each matrix's rows under its title row.
    let body = (inner - 1) / n - 1;
    let fit = fit_rows(neurons, per_row, body, spare / n);
    let fitted = (height + n * fit).saturating_sub(n * body);
    if fitted >= 5 && fits_both(neurons, per_row, fitted - 2) == both {
        fitted
    } else {
        height
    }
}

fn render(f: &mut Frame, cx: &Ctx, area: Rect) {
    let Ok(s) = shown(cx) else {
        return;
    };
    let theme = cx.theme;
    let order = s.mech.order();
    let per_row = PER_ROW;
    let inner = panel("", theme).inner(area);
    // Each matrix: a title row and its neurons; one axis row at the bottom.
    let both = fits_both(order.len(), per_row, inner.height);
    let matrices: Vec<bool> = if both {
        vec![false, true]
    } else {
        vec![s.choice.output]
    };
    f.render_widget(panel(title(&s, both, title_room(area)), theme), area);
    if inner.width <= LABEL || inner.height < 3 {
        return;
    }
    let room = (inner.height - 1) / matrices.len() as u16;
    let mut y = inner.y;
    for &output in &matrices {
        // A title row and the neurons, as tall as the room lets all of them be (the
        // heatmap's sharing of rows).
        let fill = Rows::fill(order.len(), room.saturating_sub(1) as usize * per_row);
        let h = room.min(1 + fill.halves.div_ceil(per_row) as u16);
        let area = Rect::new(inner.x, y, inner.width, h);
        matrix(f, cx, &s, area, (output, fill), &order);
        y += h;
    }
    // The axis under the maps; the rows they leave under it say how to read them.
    let y = y.min(inner.bottom() - 1);
    axis(f, cx, &s, Rect::new(inner.x, y, inner.width, 1));
    let free = Rect::new(
        inner.x + LABEL,
        y + 1,
        inner.width - LABEL,
        inner.bottom() - y - 1,
    );
    if free.height > 0 {
        let caption = Paragraph::new(Span::styled(CAPTION, theme.dim())).wrap(Wrap { trim: true });
        f.render_widget(caption, free);
    }
}

/// The panel's title in `room` columns: both matrices, or the one shown (and `o`'s other).
fn title(s: &Shown, both: bool, room: usize) -> String {
    if both {
        return fit(
            &[
                "DFT · neurons × (const, cos k, sin k) · by frequency",
                "DFT · neurons × (const, cos k, sin k)",
                "DFT",
            ],
            room,
        );
    }
    let (name, other) = if s.choice.output {
        ("W_output", "W_input")
    } else {
        ("W_input", "W_output")
    };
    fit(
        &[
            &format!("DFT of {name} · neurons × (const, cos k, sin k) (o: {other})"),
            &format!("DFT of {name} · neurons × (const, cos k, sin k)"),
            &format!("DFT of {name} (o: {other})"),
            &format!("DFT of {name}"),
            "DFT",
        ],
        room,
    )
}

/// One matrix in `area`: a title row (its name, how many neurons fit, its scale
/// right-aligned over the map's own columns), then its neurons, in the rows `fill` gives.
fn matrix(
    f: &mut Frame,
    cx: &Ctx,
    s: &Shown,
    area: Rect,
    (output, fill): (bool, Rows),
    order: &[usize],
) {
    let theme = cx.theme;
    let (coeffs, name, style) = if output {
        (&s.mech.output, "W_output (its rows, over c)", theme.w_out())
    } else {
        (&s.mech.input, "W_input (its columns, over a)", theme.w_in())
    };
    let shown_rows = area.height.saturating_sub(1);
    let mut title = vec![Span::styled(name, style)];
    if fill.shown < order.len() {
        title.push(Span::styled(
            format!(" ({} of {} neurons)", fill.shown, order.len()),
            theme.dim(),
        ));
    }
    let title = Line::from(title);
    let used = title.width();
    f.render_widget(Paragraph::new(title), Rect { height: 1, ..area });
    let body = Rect::new(area.x, area.y + 1, area.width, shown_rows);
    let scale = heat(f, cx, s, body, (coeffs, fill), order);
    let map_right = area.x + LABEL + (area.width.saturating_sub(LABEL)).min(s.p as u16);
    let room = (map_right - area.x) as usize;
    let room = room.saturating_sub(used + 3);
    let line = if theme.colored() {
        legend(theme, scale, "", "", room)
    } else {
        dot_legend(theme, scale, room)
    };
    if let Some(l) = line {
        put_right(f.buffer_mut(), &l, map_right, area.y);
    }
}

/// The legend of the map without colour: |coefficient| from 0 to `scale` as the dots of a
/// neuron's half cell, in the longest form that fits `room`.
fn dot_legend(theme: &crate::ui::Theme, scale: f32, room: usize) -> Option<Line<'static>> {
    let s = crate::ui::heatmap::short(scale);
    let ramp: String = (1..=4).map(|n| dot_cell(n as f32 / 4.0, None)).collect();
    [
        format!("|c| 0 {ramp} {s}, two neurons a row"),
        format!("|c| 0 {ramp} {s}"),
        format!("|c|≤{s}"),
    ]
    .into_iter()
    .find(|t| t.chars().count() <= room)
    .map(|t| Line::styled(t, theme.dim()))
}

/// Which coefficient row (basis order) column `x` of a `width`-column map shows.
fn coefficient(x: usize, p: usize, width: usize) -> usize {
    if p > width { x * p / width } else { x }
}

fn heat(
    f: &mut Frame,
    cx: &Ctx,
    s: &Shown,
    area: Rect,
    (coeffs, fill): (&FourierCoeffs, Rows),
    order: &[usize],
) -> f32 {
    let theme = cx.theme;
    let per_row = PER_ROW;
    let m = coeffs.matrix();
    let p = m.nrows();
    let scale = sticky_scale(m.iter().fold(0.0f32, |a, v| a.max(v.abs())));
    let width = (area.width.saturating_sub(LABEL) as usize).min(p);
    let freq = |j: usize| s.mech.neurons[j].frequency;
    // A text row holds `per_row` units (half rows in colour); `fill` gives each neuron its
    // units. The neuron (its place in `order`) at `unit`, and whether the unit is its first.
    let place = |unit: usize| {
        fill.neuron_at(unit)
            .map(|i| (i, fill.span_of(i).start == unit))
    };
    let at = |unit: usize| place(unit).map(|(i, head)| (order[i], head));
    let starts_group = |unit: usize| {
        place(unit)
            .is_some_and(|(i, head)| head && (i == 0 || freq(order[i - 1]) != freq(order[i])))
    };
    let buf = f.buffer_mut();
    for row in 0..area.height as usize {
        let y = area.y + row as u16;
        let top = row * per_row;
        let Some((first, first_head)) = at(top) else {
            break;
        };
        let lower = at(top + 1);
        let second = lower.map(|(j, _)| j);
        // Labels: the frequency where a group starts, ▸ at the selected neuron's first row.
        let k = if starts_group(top) {
            Some(freq(first))
        } else if lower.is_some() && starts_group(top + 1) {
            second.map(freq)
        } else {
            None
        };
        if let Some(k) = k {
            let style = if s.keys.contains(&k) {
                theme.key()
            } else {
                theme.dim()
            };
            buf.set_string(area.x, y, format!("{k:>3}"), style);
        }
        if (first == s.neuron && first_head) || lower == Some((s.neuron, true)) {
            buf.set_string(area.x + LABEL - 1, y, "▸", theme.neuron());
        }
        for x in 0..width {
            let c = coefficient(x, p, width);
            let cell = &mut buf[(area.x + LABEL + x as u16, y)];
            let v = |j: usize| m[[c, j]] / scale;
            if theme.colored() {
                let lower = second.map(|j| heat_level(v(j), None));
                let (symbol, fg, bg) = theme.heat_cell(heat_level(v(first), None), lower);
                cell.set_symbol(symbol).set_fg(fg).set_bg(bg);
            } else {
                cell.set_symbol(&dot_cell(v(first), second.map(v)));
            }
        }
    }
    scale
}

/// The coefficient axis: `c` over the constant, then k = 1, 5, 10, … over cos k.
fn axis(f: &mut Frame, cx: &Ctx, s: &Shown, area: Rect) {
    let theme = cx.theme;
    let width = (area.width.saturating_sub(LABEL) as usize).min(s.p);
    let buf = f.buffer_mut();
    buf.set_string(area.x, area.y, "  k", theme.dim());
    let mut next_free = 0usize;
    for x in 0..width {
        let c = coefficient(x, s.p, width);
        let label = if c == 0 {
            Some("c".to_string())
        } else if c % 2 == 1 {
            let k = c.div_ceil(2);
            (k == 1 || k.is_multiple_of(5)).then(|| k.to_string())
        } else {
            None
        };
        if let Some(l) = label
            && x >= next_free
            && x + l.len() <= width
        {
            let k = c.div_ceil(2);
            let style = if c > 0 && s.keys.contains(&k) {
                theme.key()
            } else {
                theme.dim()
            };
            buf.set_string(area.x + LABEL + x as u16, area.y, &l, style);
            next_free = x + l.len() + 1;
        }
    }
}
