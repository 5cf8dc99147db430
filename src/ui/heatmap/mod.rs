//! Heatmap of the weights around the hidden layer: W_input (neurons × inputs; neurons ordered
//! by frequency and phase once the spectrum is meaningful) and W_output (the same neurons ×
//! outputs), as the article shows both; for parity W1 (strongest neurons × 31 inputs) and
//! w2, the output column. Two neurons per text row with half blocks in colour; shading by
//! |w| without colour. The maps sit side by side when both fit one column per matrix column
//! (or when neither would whole); else one above the other (`stacked`), each as wide as
//! its columns. A map narrower than its columns shows every n-th, and says which. Each
//! map's scale is on a border: the value its strongest colours (or shades) stand for, with
//! the ramp between ([`legend()`]).

mod legend;
mod side;
mod stacked;

pub use legend::{legend, put_right, short};
pub use stacked::fit_rows as stacked_rows;

use super::theme::{heat_level, shade};
use super::{Ctx, Panel};
use crate::snapshot::WeightFrame;
use crate::train::Weights;
use ndarray::Array2;
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

/// The weights as a heatmap (every run).
pub const PANEL: Panel = Panel {
    name: "heatmap",
    applies: super::always,
    render,
};

/// Which maps the heatmap panel draws: both (each as wide as it fits), or one of them across
/// the whole panel (`v` in the training view), so no column is left out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Focus {
    #[default]
    Both,
    Input,
    Output,
}

/// One matrix to draw: one row per neuron in drawing order, its title, and the name of its
/// columns ("a", "c"; empty for w2's one column).
pub struct Source {
    pub heat: Array2<f32>,
    pub title: &'static str,
    pub var: &'static str,
    /// The bottom label when it is not the columns' range (parity's W1), all drawn.
    pub note: Option<String>,
    /// The number of the first column (parity's digits count from 1).
    pub base: usize,
}

impl Source {
    fn cols(&self) -> usize {
        self.heat.ncols()
    }

    /// The label of the columns drawn in `width` cells: "a = 0 … 66" (or the note) when
    /// all are, else which: "a = 0,4…64" (every 4th).
    fn columns(&self, width: usize) -> String {
        let (cols, b) = (self.cols(), self.base);
        let last = cols.saturating_sub(1);
        match (stride(cols, width), &self.note) {
            _ if self.var.is_empty() => String::new(),
            (1, Some(n)) => n.clone(),
            (1, None) => format!("{} = {b} … {}", self.var, b + last),
            (s, _) => format!("{} = {b},{}…{}", self.var, b + s, b + last / s * s),
        }
    }
}

/// Every how many matrix columns one is drawn in `width` cells: 1 when all fit.
pub fn stride(cols: usize, width: usize) -> usize {
    if width == 0 {
        return cols.max(1);
    }
    cols.div_ceil(width).max(1)
}

/// The screen columns a map of `cols` matrix columns takes of `width`: every n-th column
/// where they do not all fit (one cell each), else one cell per column, or two where they
/// fit twice. Never more than `width`; no column is stretched to fill what is left.
pub fn drawn(cols: usize, width: usize) -> usize {
    if cols == 0 || width == 0 {
        0
    } else if cols > width {
        (cols - 1) / stride(cols, width) + 1
    } else if width >= 2 * cols {
        2 * cols
    } else {
        cols
    }
}

/// The inner width the side-by-side maps of `cols_in` and `cols_out` columns take of an
/// inner `width` (the separator included): the panel can be that much narrower, or the maps
/// centred in it.
pub fn side_width(width: usize, cols_in: usize, cols_out: usize) -> usize {
    let (w_in, w_out) = side::split(width, cols_in, cols_out);
    let out = drawn(cols_out, w_out);
    drawn(cols_in, w_in) + if out > 0 { 1 + out } else { 0 }
}

/// The matrix column drawn in screen column `x` of `width`: one column per matrix column,
/// two when they fit twice, or every n-th when there are too many (`None` past the last).
fn column(x: usize, cols: usize, width: usize) -> Option<usize> {
    let c = if cols > width {
        x * stride(cols, width)
    } else {
        // A width that is not a whole multiple of the columns leaves its last cells to the
        // last column.
        (x / (width / cols.max(1)).clamp(1, 2)).min(cols.saturating_sub(1))
    };
    (c < cols).then_some(c)
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
    /// Neurons drawn, and the half-rows (colour) or rows (no colour) they take.
    rows: Rows,
}

/// How a map's neurons fill its height: `shown` neurons over `halves` half-rows (colour; rows
/// without), neuron by neuron from the top.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rows {
    pub shown: usize,
    pub halves: usize,
}

/// From this many half-rows per neuron on, the neurons share out the whole height (one
/// neuron's cell at most one half-row taller than another's, so at most half as tall
/// again); below it every neuron gets one, which may leave the bottom empty (the layouts
/// size the panel to fit: [`fit_rows`]).
const SHARED: usize = 2;

impl Rows {
    /// `neurons` in `avail` half-rows: as many as fit, each as tall as all can be alike (or
    /// the whole height shared out, for few neurons).
    pub fn fill(neurons: usize, avail: usize) -> Self {
        let shown = neurons.min(avail);
        if shown == 0 {
            return Self {
                shown: 0,
                halves: 0,
            };
        }
        let each = avail / shown;
        let halves = if each >= SHARED { avail } else { each * shown };
        Self { shown, halves }
    }

    /// The neuron drawn on half-row `half`, if any.
    pub fn neuron_at(self, half: usize) -> Option<usize> {
        (half < self.halves).then(|| half * self.shown / self.halves)
    }

    /// The half-rows neuron `r` (in drawing order) takes: `first..end`.
    pub fn span_of(self, r: usize) -> std::ops::Range<usize> {
        let start = |r: usize| (r * self.halves).div_ceil(self.shown.max(1));
        start(r)..start(r + 1)
    }
}

/// The inner rows a side-by-side heatmap of `neurons` (`per_row` to a text row) should get
/// when it has `inner` and could take up to `spare` more from its neighbours: `inner` where
/// its neurons already share it out; else the rows a whole number of half-rows per neuron
/// fills, the largest that fits (fewer than `inner` gives rows back); `inner` too when not
/// every neuron fits even so.
pub fn fit_rows(neurons: usize, per_row: usize, inner: u16, spare: u16) -> u16 {
    if neurons == 0 || inner as usize * per_row / neurons >= SHARED {
        return inner;
    }
    match (inner + spare) as usize * per_row / neurons {
        0 => inner,
        each => (each * neurons).div_ceil(per_row) as u16,
    }
}

impl Map<'_> {
    fn row_of(&self, half: usize) -> Option<usize> {
        self.rows.neuron_at(half)
    }

    /// Paint the map; `memo` holds the levels shown last (one per matrix cell).
    fn paint(&self, buf: &mut Buffer, cx: &Ctx, memo: &mut [i8]) {
        let theme = cx.theme;
        let (_, cols) = self.heat.dim();
        let scale = scale(self.heat, self.rows.shown);
        let mut level = |r: usize, c: usize| {
            let slot = &mut memo[r * cols + c];
            let prev = (*slot != i8::MIN).then_some(*slot);
            *slot = heat_level(self.heat[[r, c]] / scale, prev);
            *slot
        };
        for y in 0..self.height {
            for x in 0..self.width {
                let Some(c) = column(x, cols, self.width) else {
                    break;
                };
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

/// The memo's levels for matrices of `rows` × `cols` each, cleared when the shape changed.
fn memo_for<'m>(memo: &'m mut Vec<i8>, rows: usize, cols: &[usize]) -> &'m mut [i8] {
    let cells = rows * cols.iter().sum::<usize>();
    if memo.len() != cells {
        memo.clear();
        memo.resize(cells, i8::MIN);
    }
    memo
}

fn render(f: &mut Frame, cx: &Ctx, area: Rect) {
    let Some(frame) = cx.frame else {
        return;
    };
    let (mut first, mut second) = (heat_rows(frame), Some(out_rows(frame)));
    match cx.heat_focus {
        Focus::Both => {}
        Focus::Input => second = None,
        Focus::Output => first = second.take().unwrap_or(first),
    }
    let inner_w = area.width.saturating_sub(2) as usize;
    match second {
        Some(out) if stacks(first.cols(), out.cols(), inner_w) => {
            stacked::render(f, cx, area, frame, [&first, &out]);
        }
        _ => side::render(f, cx, area, frame, &first, second.as_ref()),
    }
}

/// Whether two maps of `a` and `b` columns go one above the other in `width` cells: when
/// side by side one would show every n-th column and stacked both show all.
pub fn stacks(a: usize, b: usize, width: usize) -> bool {
    b > 2 && width < a + 1 + b && width >= a.max(b)
}

/// The selected neuron's row, if drawn: ▸ and ◂ on the side borders of `area` (in colour two
/// neurons share a text row, its upper and lower half), and its number on the bottom border
/// where `room` allows. `rows`: (neurons, how the drawn ones fill the map, half-rows per
/// text row); `label_x`: where the number may go. Returns the cells the number took.
fn mark_neuron(
    buf: &mut Buffer,
    cx: &Ctx,
    frame: &WeightFrame,
    area: Rect,
    (rows, fill, per_row): (usize, Rows, usize),
    (label_x, room): (u16, usize),
) -> usize {
    let order = neuron_order(frame, rows);
    let Some(r) = order.iter().position(|&n| n == cx.neuron) else {
        return 0;
    };
    if r >= fill.shown || area.height < 3 {
        return 0;
    }
    let style = cx.theme.neuron();
    // Its half-rows (rows without colour), as text rows.
    let halves = fill.span_of(r);
    let first = halves.start / per_row;
    let last = halves.end.div_ceil(per_row);
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
/// when the spectrum says so; parity's strongest first), one column per input.
pub fn heat_rows(frame: &WeightFrame) -> Source {
    let r = &frame.readings;
    let w = match &frame.weights {
        Weights::Modular(m) => &m.w_input,
        Weights::Parity(p) => &p.w1,
    };
    let (inputs, hidden) = w.dim();
    let index = neuron_order(frame, hidden);
    let heat = Array2::from_shape_fn((hidden, inputs), |(row, c)| w[[c, index[row]]] as f32);
    match &frame.weights {
        Weights::Modular(_) => Source {
            heat,
            title: if r.spectrum().is_some_and(|s| s.by_frequency) {
                "W_input · neurons by frequency"
            } else {
                "W_input · neurons × inputs"
            },
            var: "a",
            note: None,
            base: 0,
        },
        Weights::Parity(_) => {
            let k = r.parity().map_or(0, |p| p.k_bits);
            Source {
                heat,
                title: "W1 · strongest neurons × digits",
                var: "digit",
                note: Some(format!("digits 1-{k} informative · last = bias")),
                base: 1,
            }
        }
    }
}

/// The output layer in the heatmap's neuron order, one row per neuron: W_output's outputs c
/// (modular) or w2's one column (parity).
pub fn out_rows(frame: &WeightFrame) -> Source {
    match &frame.weights {
        Weights::Modular(m) => {
            let (hidden, outputs) = m.w_output.dim();
            let index = neuron_order(frame, hidden);
            let heat = Array2::from_shape_fn((hidden, outputs), |(row, c)| {
                m.w_output[[index[row], c]] as f32
            });
            Source {
                heat,
                title: "W_output",
                var: "c",
                note: None,
                base: 0,
            }
        }
        Weights::Parity(p) => {
            let hidden = p.w2.nrows();
            let index = neuron_order(frame, hidden);
            let heat = Array2::from_shape_fn((hidden, 1), |(row, _)| p.w2[[index[row], 0]] as f32);
            Source {
                heat,
                title: "w2",
                var: "",
                note: Some(String::new()),
                base: 0,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whatever the width, every screen column of either map names a column of its matrix,
    /// and a sampled map takes every n-th from the first.
    #[test]
    fn every_drawn_column_is_a_matrix_column() {
        for width in 0..200 {
            for cols_in in [1, 5, 31, 67, 113] {
                for cols_out in [0, 1, 2, 67, 113] {
                    let (w_in, w_out) = side::split(width, cols_in, cols_out);
                    assert!(w_in + w_out + usize::from(w_out > 0) <= width.max(2));
                    for (w, cols) in [(w_in, cols_in), (w_out, cols_out)] {
                        let drawn: Vec<usize> = (0..w).filter_map(|x| column(x, cols, w)).collect();
                        assert!(drawn.iter().all(|&c| c < cols), "{width} {cols}");
                        if cols > w && w > 0 {
                            let s = stride(cols, w);
                            assert_eq!(drawn, (0..cols).step_by(s).collect::<Vec<_>>());
                        }
                        // As wide as what it draws: every n-th column once, or every column
                        // in one or two cells alike, none stretched over the rest.
                        let d = super::drawn(cols, w);
                        assert!(d <= w);
                        let cells: Vec<usize> = (0..d).filter_map(|x| column(x, cols, d)).collect();
                        assert_eq!(cells.len(), d, "{width} {cols}");
                        if cols > 0 && cols <= d {
                            let each = d / cols;
                            assert!(each * cols == d && (1..=2).contains(&each), "{cols} in {d}");
                        }
                    }
                }
            }
        }
    }

    /// Every neuron drawn gets its own run of half-rows, in order, as tall as the others or
    /// one taller; the map's height is used whole once each neuron can have two, and the
    /// span a neuron is marked on is the one it is drawn on.
    #[test]
    fn neurons_fill_the_map_in_order() {
        for neurons in [1, 5, 24, 48, 512] {
            for avail in 0..120 {
                let fill = Rows::fill(neurons, avail);
                assert_eq!(fill.shown, neurons.min(avail));
                assert!(fill.halves <= avail);
                if fill.shown == 0 {
                    continue;
                }
                if avail / fill.shown >= SHARED {
                    assert_eq!(fill.halves, avail, "{neurons} in {avail}");
                }
                let drawn: Vec<usize> = (0..avail).filter_map(|h| fill.neuron_at(h)).collect();
                assert_eq!(drawn.len(), fill.halves);
                assert!(drawn.is_sorted());
                let mut tall = Vec::new();
                for r in 0..fill.shown {
                    let span = fill.span_of(r);
                    assert!(span.clone().all(|h| fill.neuron_at(h) == Some(r)));
                    tall.push(span.len());
                }
                let (lo, hi) = (tall.iter().min().unwrap(), tall.iter().max().unwrap());
                assert!(*lo >= 1 && hi - lo <= 1, "{neurons} in {avail}: {tall:?}");
            }
        }
        // The layouts' rows: 24 neurons in colour take a text row each where 2 more rows can
        // be had, give back what one half-row each leaves, and keep rows they share out.
        assert_eq!(fit_rows(24, 2, 22, 5), 24);
        assert_eq!(fit_rows(24, 2, 22, 1), 12);
        assert_eq!(fit_rows(24, 2, 30, 0), 30);
        assert_eq!(
            fit_rows(24, 1, 22, 5),
            24,
            "without colour: every neuron shown"
        );
        assert_eq!(
            fit_rows(512, 2, 22, 5),
            22,
            "too many: the rows as they are"
        );
    }

    #[test]
    fn a_sampled_map_says_which_columns() {
        let src = |cols| Source {
            heat: Array2::zeros((3, cols)),
            title: "W_input",
            var: "a",
            note: None,
            base: 0,
        };
        assert_eq!(src(67).columns(67), "a = 0 … 66");
        assert_eq!(src(67).columns(134), "a = 0 … 66");
        assert_eq!(src(67).columns(20), "a = 0,4…64");
        assert_eq!(src(67).columns(34), "a = 0,2…66");
        assert!(stacks(67, 67, 81) && !stacks(67, 67, 41) && !stacks(67, 67, 135));
        assert!(!stacks(31, 1, 20), "w2's one column stays beside W1");
    }
}
