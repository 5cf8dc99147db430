//! Heatmap of the first layer: W_input (neurons × inputs; neurons ordered by frequency and
//! phase once the spectrum is meaningful), or for parity W1 (strongest neurons × 31 inputs).
//! Two neurons per text row with half blocks in colour; shading by |w| without colour.

use super::theme::{heat_level, shade};
use super::{Ctx, Panel, panel};
use crate::snapshot::WeightFrame;
use crate::train::Weights;
use ndarray::Array2;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

/// The first layer as a heatmap (every run).
pub const PANEL: Panel = Panel {
    name: "heatmap",
    applies: super::always,
    render,
};

fn render(f: &mut Frame, cx: &Ctx, area: Rect) {
    let (Some(frame), theme) = (cx.frame, cx.theme) else {
        return;
    };
    let (heat, title, bottom) = heat_rows(frame);
    let (rows, cols) = heat.dim();
    let inner_h = area.height.saturating_sub(2) as usize;
    let per_row = if theme.colored() { 2 } else { 1 };
    let shown = rows.min(inner_h * per_row);
    let title = if shown < rows {
        format!("{title} ({shown} of {rows})")
    } else {
        title.to_string()
    };
    let block = panel(title, theme).title_bottom(Line::styled(bottom, theme.dim()));
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.width == 0 || inner.height == 0 || cols == 0 {
        return;
    }
    let scale = heat
        .rows()
        .into_iter()
        .take(shown)
        .flat_map(|r| r.into_iter().copied())
        .fold(0.0f32, |m, v| m.max(v.abs()));
    let scale = super::sticky_scale(scale);
    // One column per input, two when they fit twice, or every n-th input when too many.
    let stretch = (inner.width as usize / cols).clamp(1, 2);
    let width = (inner.width as usize).min(cols * stretch);
    let col = |x: usize| {
        if cols > width {
            x * cols / width
        } else {
            x / stretch
        }
    };
    // Few neurons (five-neurons): several half-rows each, up to 4.
    let slots = inner.height as usize * per_row;
    let vstretch = (slots / shown.max(1)).clamp(1, 4);
    let used = shown * vstretch;
    let row_of = |half: usize| (half < used).then(|| half / vstretch);
    let mut memo = cx.memo.heat.borrow_mut();
    let cells = rows * cols;
    if memo.len() != cells {
        memo.clear();
        memo.resize(cells, i8::MIN);
    }
    let mut level = |r: usize, c: usize| {
        let slot = &mut memo[r * cols + c];
        let prev = (*slot != i8::MIN).then_some(*slot);
        *slot = heat_level(heat[[r, c]] / scale, prev);
        *slot
    };
    let buf = f.buffer_mut();
    for y in 0..inner.height as usize {
        for x in 0..width {
            let c = col(x);
            let cell = &mut buf[(inner.x + x as u16, inner.y + y as u16)];
            if theme.colored() {
                let Some(top) = row_of(2 * y) else {
                    break;
                };
                let upper = theme.heat_color(level(top, c));
                let lower = match row_of(2 * y + 1) {
                    Some(r) => theme.heat_color(level(r, c)),
                    None => ratatui::style::Color::Reset,
                };
                cell.set_symbol("▀").set_fg(upper).set_bg(lower);
            } else {
                let Some(r) = row_of(y) else {
                    break;
                };
                cell.set_symbol(shade(heat[[r, c]] / scale));
            }
        }
    }
}

/// The first layer transposed, one row per neuron in drawing order (by frequency and phase
/// when the spectrum says so; parity's strongest first), one column per input; its title
/// and bottom label.
pub fn heat_rows(frame: &WeightFrame) -> (Array2<f32>, &'static str, String) {
    let r = &frame.readings;
    let (w, order) = match &frame.weights {
        Weights::Modular(m) => (&m.w_input, r.spectrum().map(|s| s.order.as_slice())),
        Weights::Parity(p) => (&p.w1, r.parity().map(|p| p.order.as_slice())),
    };
    let (inputs, hidden) = w.dim();
    let index: Vec<usize> = order.map_or_else(|| (0..hidden).collect(), <[usize]>::to_vec);
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
