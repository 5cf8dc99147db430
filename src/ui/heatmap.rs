//! Heatmap of the weights around the hidden layer: W_input (neurons × inputs; neurons ordered
//! by frequency and phase once the spectrum is meaningful) and beside it W_output (the same
//! neurons × outputs), as the article shows both; for parity W1 (strongest neurons × 31
//! inputs) and beside it w2, the output column. Two neurons per text row with half blocks in
//! colour; shading by |w| without colour. Each map's scale is on the bottom border: the
//! value its strongest colours (or shades) stand for, with the ramp between ([`legend`]).

use super::theme::{HEAT_LEVELS, heat_level, shade};
use super::{Ctx, Panel, Theme, panel};
use crate::snapshot::WeightFrame;
use crate::train::Weights;
use ndarray::Array2;
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// The weights as a heatmap (every run).
pub const PANEL: Panel = Panel {
    name: "heatmap",
    applies: super::always,
    render,
};

/// W_output keeps at least 1/OUT_SHARE of W_input's columns before W_input gives up its one
/// column per input.
const OUT_SHARE: usize = 6;

/// Columns of the two maps in an inner width of `width`: (W_input, W_output), with one
/// separating column between them when both are drawn.
fn split(width: usize, cols_in: usize, cols_out: usize) -> (usize, usize) {
    if cols_out == 0 || width < 3 {
        // One map: two screen columns per matrix column, or one, or a sample.
        let cols = cols_in.max(1);
        let w = if width >= 2 * cols {
            2 * cols
        } else {
            width.min(cols)
        };
        return (w, 0);
    }
    // A column or two of w2: always at full width.
    if cols_out <= 2 {
        let out = (cols_out * 2).min(width / 3);
        return ((width - out - 1).min(cols_in * 2), out);
    }
    let both = cols_in + 1 + cols_out;
    if width >= 2 * both {
        return (2 * cols_in, 2 * cols_out);
    }
    if width >= both {
        return (cols_in, cols_out);
    }
    // W_input keeps its one column per input while W_output gets a fair share; else halves.
    let min_out = cols_out.div_ceil(OUT_SHARE);
    if width >= cols_in + 1 + min_out {
        return (cols_in, width - cols_in - 1);
    }
    let inp = width / 2;
    (inp, width - 1 - inp)
}

/// The matrix column drawn in screen column `x` of `width`: one column per matrix column,
/// two when they fit twice, or every n-th when there are too many.
fn column(x: usize, cols: usize, width: usize) -> usize {
    let c = if cols > width {
        x * cols / width
    } else {
        x / (width / cols.max(1)).clamp(1, 2)
    };
    // A width that is not a whole multiple of the columns leaves its last cells to the last.
    c.min(cols.saturating_sub(1))
}

/// The largest |w| of the first `shown` rows, on the sticky scale.
fn scale(heat: &Array2<f32>, shown: usize) -> f32 {
    let s = heat
        .rows()
        .into_iter()
        .take(shown)
        .flat_map(|r| r.into_iter().copied())
        .fold(0.0f32, |m, v| m.max(v.abs()));
    super::sticky_scale(s)
}

/// Where one matrix is drawn and how its rows map onto the text rows.
struct Map<'a> {
    heat: &'a Array2<f32>,
    x: u16,
    y: u16,
    width: usize,
    height: usize,
    /// Half-rows (colour) or rows (no colour) per neuron.
    vstretch: usize,
    /// Neurons drawn.
    shown: usize,
}

impl Map<'_> {
    fn row_of(&self, half: usize) -> Option<usize> {
        (half < self.shown * self.vstretch).then(|| half / self.vstretch)
    }

    /// Paint the map; `memo` holds the levels shown last (one per matrix cell).
    fn paint(&self, buf: &mut Buffer, cx: &Ctx, memo: &mut [i8]) {
        let theme = cx.theme;
        let (_, cols) = self.heat.dim();
        let scale = scale(self.heat, self.shown);
        let mut level = |r: usize, c: usize| {
            let slot = &mut memo[r * cols + c];
            let prev = (*slot != i8::MIN).then_some(*slot);
            *slot = heat_level(self.heat[[r, c]] / scale, prev);
            *slot
        };
        for y in 0..self.height {
            for x in 0..self.width {
                let c = column(x, cols, self.width);
                let cell = &mut buf[(self.x + x as u16, self.y + y as u16)];
                if theme.colored() {
                    let Some(top) = self.row_of(2 * y) else {
                        break;
                    };
                    let upper = level(top, c);
                    let lower = self.row_of(2 * y + 1).map(|r| level(r, c));
                    let (symbol, fg, bg) = theme.heat_cell(upper, lower);
                    cell.set_symbol(symbol).set_fg(fg).set_bg(bg);
                } else {
                    let Some(r) = self.row_of(y) else {
                        break;
                    };
                    cell.set_symbol(shade(self.heat[[r, c]] / scale));
                }
            }
        }
    }
}

/// Which maps the heatmap panel draws: both side by side (each as wide as it fits), or one
/// of them across the whole panel (`v` in the training view), so no column is left out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Focus {
    #[default]
    Both,
    Input,
    Output,
}

/// A map drawn narrower than its columns samples them: the panel's title says how many each
/// shows (and that `v` shows one whole), in its longest form that fits `room`, or not at all.
fn columns_note(
    room: usize,
    title: &str,
    (w_in, cols): (usize, usize),
    (w_out, cols_out): (usize, usize),
) -> String {
    let mut parts = Vec::new();
    if w_in < cols {
        parts.push(format!("{w_in} of {cols} columns"));
    }
    if w_out < cols_out {
        parts.push(format!("W_output {w_out} of {cols_out}"));
    }
    if parts.is_empty() {
        return String::new();
    }
    let used = title.chars().count();
    [
        format!(" · {} (v)", parts.join(", ")),
        " · sampled (v)".to_string(),
    ]
    .into_iter()
    .find(|n| used + n.chars().count() <= room)
    .unwrap_or_default()
}

fn render(f: &mut Frame, cx: &Ctx, area: Rect) {
    let (Some(frame), theme) = (cx.frame, cx.theme) else {
        return;
    };
    let (mut heat, mut title, mut bottom) = heat_rows(frame);
    let (mut out, out_title, mut out_bottom) = out_rows(frame);
    match cx.heat_focus {
        Focus::Both => {}
        Focus::Input => out = Array2::zeros((heat.nrows(), 0)),
        Focus::Output => {
            (heat, title, bottom) = (out, out_title.trim(), std::mem::take(&mut out_bottom));
            out = Array2::zeros((heat.nrows(), 0));
        }
    }
    let (rows, cols) = heat.dim();
    let cols_out = out.ncols();
    let inner_h = area.height.saturating_sub(2) as usize;
    let per_row = if theme.colored() { 2 } else { 1 };
    let shown = rows.min(inner_h * per_row);
    let (w_in, w_out) = split(area.width.saturating_sub(2) as usize, cols, cols_out);
    // Beside W_output, a narrow W_input's title is its name only.
    let title = match title.split_once(" · ") {
        Some((name, _)) if w_out > 0 && title.chars().count() + 3 > w_in => name,
        _ => title,
    };
    let title = if shown < rows {
        format!("{title} ({shown} of {rows})")
    } else {
        title.to_string()
    };
    // The bottom label ends at a word where W_input's part of the border is short.
    if w_out > 0 && bottom.chars().count() > w_in + 1 {
        bottom = format!(
            " {} ",
            super::text::fit(bottom.trim(), w_in.saturating_sub(1))
        );
    }
    let note = columns_note(w_in, &title, (w_in, cols), (w_out, cols_out));
    let title = title + &note;
    let block = panel(title, theme).title_bottom(Line::styled(bottom.clone(), theme.dim()));
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.width == 0 || inner.height == 0 || cols == 0 {
        return;
    }
    // Few neurons (five-neurons): several half-rows each, up to 4.
    let slots = inner.height as usize * per_row;
    let vstretch = (slots / shown.max(1)).clamp(1, 4);
    let map = |heat, x, width| Map {
        heat,
        x,
        y: inner.y,
        width,
        height: inner.height as usize,
        vstretch,
        shown,
    };
    let mut memo = cx.memo.heat.borrow_mut();
    let cells = rows * (cols + cols_out);
    if memo.len() != cells {
        memo.clear();
        memo.resize(cells, i8::MIN);
    }
    let (memo_in, memo_out) = memo.split_at_mut(rows * cols);
    let buf = f.buffer_mut();
    map(&heat, inner.x, w_in).paint(buf, cx, memo_in);
    if w_out > 0 {
        let out = Map {
            heat: &out,
            ..map(&heat, inner.x + w_in as u16 + 1, w_out)
        };
        draw_output(buf, cx, area, &out, memo_out, out_title, &out_bottom);
    }
    // The neuron's number goes on the bottom border after W_input's label.
    let label_x = area.x + 1 + bottom.chars().count() as u16;
    let room = (w_in + 1).saturating_sub(bottom.chars().count());
    let marked = mark_neuron(
        buf,
        cx,
        frame,
        area,
        (rows, shown, vstretch, per_row),
        (label_x, room),
    );
    let out_x = inner.x + w_in as u16 + 1;
    let bottom_len = bottom.chars().count() + marked;
    legends(
        buf,
        theme,
        (area, out_title.trim()),
        [
            (inner.x, w_in, bottom_len, scale(&heat, shown)),
            (out_x, w_out, out_bottom.chars().count(), scale(&out, shown)),
        ],
    );
}

/// W_output's map right of the separator, with its labels on the panel's borders.
fn draw_output(
    buf: &mut Buffer,
    cx: &Ctx,
    area: Rect,
    out: &Map,
    memo: &mut [i8],
    title: &str,
    bottom: &str,
) {
    let theme = cx.theme;
    // The separator and W_output's own labels on the panel's borders.
    let sep = out.x - 1;
    for y in out.y..out.y + out.height as u16 {
        buf[(sep, y)].set_symbol("│").set_style(theme.dim());
    }
    buf[(sep, area.y)].set_symbol("┬").set_style(theme.dim());
    buf[(sep, area.bottom() - 1)]
        .set_symbol("┴")
        .set_style(theme.dim());
    out.paint(buf, cx, memo);
    let room = (area.right() - 1).saturating_sub(out.x) as usize;
    let top: String = title.chars().take(room).collect();
    buf.set_string(out.x, area.y, top, theme.title());
    let low = match bottom.chars().count() <= room {
        true => bottom.to_string(),
        false => format!(
            " {}",
            super::text::fit(bottom.trim(), room.saturating_sub(1))
        ),
    };
    buf.set_string(out.x, area.bottom() - 1, low, theme.dim());
}

/// The selected neuron's row, if drawn: ▸ and ◂ on the panel's side borders (in colour two
/// neurons share a text row, its upper and lower half) and its number on the bottom border.
/// `rows`: (neurons, neurons drawn, half-rows per neuron, neurons per text row); `label`:
/// where the number may go on the bottom border, and how many cells it has there. Returns
/// the cells the number took.
fn mark_neuron(
    buf: &mut Buffer,
    cx: &Ctx,
    frame: &WeightFrame,
    area: Rect,
    (rows, shown, vstretch, per_row): (usize, usize, usize, usize),
    (label_x, room): (u16, usize),
) -> usize {
    let order = neuron_order(frame, rows);
    let Some(r) = order.iter().position(|&n| n == cx.neuron) else {
        return 0;
    };
    if r >= shown || area.height < 3 {
        return 0;
    }
    let style = cx.theme.neuron();
    // Its half-rows (rows without colour) r·vstretch … (r+1)·vstretch, as text rows.
    let first = r * vstretch / per_row;
    let last = ((r + 1) * vstretch).div_ceil(per_row);
    for t in first..last {
        let y = area.y + 1 + t as u16;
        if y + 1 >= area.bottom() {
            break;
        }
        buf[(area.x, y)].set_symbol("▸").set_style(style);
        buf[(area.right() - 1, y)].set_symbol("◂").set_style(style);
    }
    let label = format!("▸ neuron {} ", cx.neuron);
    let n = label.chars().count();
    if n <= room {
        buf.set_string(label_x, area.bottom() - 1, label, style);
        n
    } else {
        0
    }
}

/// The neuron order of the heatmap's rows: by frequency and phase when the spectrum says so,
/// parity's strongest first, else as they are.
fn neuron_order(frame: &WeightFrame, hidden: usize) -> Vec<usize> {
    let r = &frame.readings;
    let order = match &frame.weights {
        Weights::Modular(_) => r.spectrum().map(|s| s.order.as_slice()),
        Weights::Parity(_) => r.parity().map(|p| p.order.as_slice()),
    };
    order.map_or_else(|| (0..hidden).collect(), <[usize]>::to_vec)
}

/// The first layer transposed, one row per neuron in drawing order (by frequency and phase
/// when the spectrum says so; parity's strongest first), one column per input; its title
/// and bottom label.
pub fn heat_rows(frame: &WeightFrame) -> (Array2<f32>, &'static str, String) {
    let r = &frame.readings;
    let w = match &frame.weights {
        Weights::Modular(m) => &m.w_input,
        Weights::Parity(p) => &p.w1,
    };
    let (inputs, hidden) = w.dim();
    let index = neuron_order(frame, hidden);
    let heat = Array2::from_shape_fn((hidden, inputs), |(row, c)| w[[c, index[row]]] as f32);
    match &frame.weights {
        Weights::Modular(_) => {
            let title = if r.spectrum().is_some_and(|s| s.by_frequency) {
                "W_input · neurons by frequency"
            } else {
                "W_input · neurons × inputs"
            };
            (
                heat,
                title,
                format!(" a = 0 … {} ", inputs.saturating_sub(1)),
            )
        }
        Weights::Parity(_) => {
            let k = r.parity().map_or(0, |p| p.k_bits);
            (
                heat,
                "W1 · strongest neurons × digits",
                format!(" digits 1-{k} informative · last = bias "),
            )
        }
    }
}

/// The output layer in the heatmap's neuron order, one row per neuron: W_output's outputs c
/// (modular) or w2's one column (parity); its title and bottom label.
pub fn out_rows(frame: &WeightFrame) -> (Array2<f32>, &'static str, String) {
    match &frame.weights {
        Weights::Modular(m) => {
            let (hidden, outputs) = m.w_output.dim();
            let index = neuron_order(frame, hidden);
            let heat = Array2::from_shape_fn((hidden, outputs), |(row, c)| {
                m.w_output[[index[row], c]] as f32
            });
            (
                heat,
                " W_output ",
                format!(" c = 0 … {} ", outputs.saturating_sub(1)),
            )
        }
        Weights::Parity(p) => {
            let hidden = p.w2.nrows();
            let index = neuron_order(frame, hidden);
            let heat = Array2::from_shape_fn((hidden, 1), |(row, _)| p.w2[[index[row], 0]] as f32);
            (heat, "w2", String::new())
        }
    }
}

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

/// A map's legend for `scale` (the |w| of its strongest level): `prefix`, then
/// "−s ramp 0 ramp +s", then `suffix`, in its longest form that fits `room` cells (the ramp
/// whole, then shorter, then "±s" alone), or none.
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
    for cells in [whole, 3, 0] {
        let mut spans = vec![Span::styled(prefix.to_string(), theme.dim())];
        if cells == 0 {
            spans.push(Span::styled(format!("±{s}"), theme.dim()));
        } else {
            spans.push(Span::styled(format!("−{s} "), theme.dim()));
            spans.extend(ramp(theme, true, cells));
            spans.push(Span::styled(" 0 ", theme.dim()));
            spans.extend(ramp(theme, false, cells));
            spans.push(Span::styled(format!(" +{s}"), theme.dim()));
        }
        spans.push(Span::styled(suffix.to_string(), theme.dim()));
        let line = Line::from(spans);
        if line.width() <= room {
            return Some(line);
        }
    }
    None
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

/// Both maps' legends on the bottom border: each right-aligned in its own map's part, after
/// its label (`maps`: each part's x, width, cells its labels take, and scale); the second
/// map's scale (named `out_name`) joins the first's legend when its part has no room for it.
fn legends(
    buf: &mut Buffer,
    theme: &Theme,
    (area, out_name): (Rect, &str),
    maps: [(u16, usize, usize, f32); 2],
) {
    let y = area.bottom() - 1;
    let [(x_in, w_in, used_in, s_in), (x_out, w_out, used_out, s_out)] = maps;
    let room = |w: usize, used: usize| w.saturating_sub(used + 3);
    let out = (w_out > 0)
        .then(|| legend(theme, s_out, "", "", room(w_out, used_out)))
        .flatten();
    let suffix = if w_out > 0 && out.is_none() {
        format!(" · {out_name} ±{}", short(s_out))
    } else {
        String::new()
    };
    let inp = legend(theme, s_in, "", &suffix, room(w_in, used_in))
        .or_else(|| legend(theme, s_in, "", "", room(w_in, used_in)));
    if let Some(l) = inp {
        put_right(buf, &l, x_in + w_in as u16, y);
    }
    if let Some(l) = out {
        put_right(buf, &l, x_out + w_out as u16, y);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whatever the width, every screen column of either map names a column of its matrix.
    #[test]
    fn every_drawn_column_is_a_matrix_column() {
        for width in 0..200 {
            for cols_in in [1, 5, 31, 67, 113] {
                for cols_out in [0, 1, 2, 67, 113] {
                    let (w_in, w_out) = split(width, cols_in, cols_out);
                    assert!(w_in + w_out + usize::from(w_out > 0) <= width.max(2));
                    for x in 0..w_in {
                        assert!(column(x, cols_in, w_in) < cols_in, "{width} {cols_in} {x}");
                    }
                    for x in 0..w_out {
                        assert!(column(x, cols_out, w_out) < cols_out, "{width} {cols_out}");
                    }
                }
            }
        }
    }
}
