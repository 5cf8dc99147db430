//! Parity: every first-layer weight as a line over training, from the kept frames (the
//! article's "hidden_w over training"): the weights of the informative digits highlighted,
//! the bias weights in their own colour, the distracting digits' faint. As the model
//! generalizes the highlighted lines fan out and the rest collapse towards 0.
//!
//! Drawn straight into braille cells (about 4,000 lines over up to 512 frames): each column
//! of dots is one sampled frame; a cell takes the colour of the most telling line through
//! it (the bias over the rest over the informative ones, which fill the fan).

use super::axis::{Axes, Tick};
use super::{Ctx, Panel, Theme, panel};
use crate::train::TaskKind;
use ndarray::Array2;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// parity: the weight trajectories.
pub const PANEL: Panel = Panel {
    name: "trajectory",
    applies: |c| c.task == TaskKind::Parity,
    render,
};

/// What a line is, in drawing priority order: the informative digits' lines fan out over
/// the whole chart, so the distracting digits' (collapsing to 0) and the bias's go on top of
/// them, where they are seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Informative,
    Distracting,
    Bias,
}

/// Braille dot bits by (column, row) within a cell.
const DOTS: [[u8; 4]; 2] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]];

/// A raster of braille cells, each with its dots and the highest kind drawn into it.
struct Raster {
    w: usize,
    h: usize,
    dots: Vec<u8>,
    kind: Vec<Option<Kind>>,
}

impl Raster {
    fn new(w: usize, h: usize) -> Self {
        Raster {
            w,
            h,
            dots: vec![0; w * h],
            kind: vec![None; w * h],
        }
    }

    /// Set dot (x, y), y from the top, in dot coordinates.
    fn set(&mut self, x: usize, y: usize, k: Kind) {
        if x >= 2 * self.w || y >= 4 * self.h {
            return;
        }
        let i = (y / 4) * self.w + x / 2;
        self.dots[i] |= DOTS[x % 2][y % 4];
        if self.kind[i].is_none_or(|old| old < k) {
            self.kind[i] = Some(k);
        }
    }

    /// A vertical run of dots in column x between rows a and b.
    fn run(&mut self, x: usize, a: usize, b: usize, k: Kind) {
        for y in a.min(b)..=a.max(b) {
            self.set(x, y, k);
        }
    }
}

fn render(f: &mut Frame, cx: &Ctx, area: Rect) {
    let theme = cx.theme;
    let k_bits = cx
        .frame
        .and_then(|fr| fr.readings.parity())
        .map_or(0, |p| p.k_bits);
    let block = panel("", theme).title(title(theme, k_bits, area.width));
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.width < 8 || inner.height < 2 {
        return;
    }
    let frames: Vec<_> = cx
        .snapshot
        .frames
        .iter()
        .filter_map(|fr| Some((fr.step(), &fr.weights.parity()?.w1)))
        .collect();
    if frames.is_empty() {
        return;
    }
    // The y scale: the largest |w| over the kept frames, on the sticky scale; the steps are
    // the whole run's, as the loss chart's unzoomed (zoomed, the 40-step frames would be
    // a dozen columns apart).
    let top = frames
        .iter()
        .flat_map(|(_, w)| w.iter())
        .fold(0.0f64, |m, v| m.max(v.abs()));
    let top = super::sticky_scale(top as f32) as f64;
    let (x0, x1) = (0, super::steps_shown(cx));
    let weight = |v: f64, label: String| Tick { at: v, label };
    let axes = Axes {
        x: [x0 as f64, x1 as f64],
        x_ticks: super::axis::step_ticks(x0, x1, inner.width.saturating_sub(6), false),
        y: [-top, top],
        y_ticks: vec![
            weight(-top, format!("-{}", fmt_weight(top))),
            weight(0.0, "0".into()),
            weight(top, fmt_weight(top)),
        ],
    };
    let plot = super::axis::draw_axes(f.buffer_mut(), inner, &axes, theme);
    if plot.area.width < 4 {
        return;
    }
    cx.memo.axes.borrow_mut().push(plot.step_axis(area));
    let (w, h) = (plot.area.width as usize, plot.area.height as usize);
    let scale = Scale {
        xd: 2 * w,
        yd: 4 * h,
        x: [x0 as f64, x1 as f64],
        top,
    };
    let mut raster = Raster::new(w, h);
    trace(&mut raster, &frames, &scale, k_bits, theme.colored());
    // The frame on screen while scrubbing: a vertical line.
    let scrub_x = super::axis::cursor_step(cx)
        .and_then(|s| scale.x(s))
        .map(|x| x / 2);
    paint(f, plot.area, &raster, scrub_x, theme);
}

/// A weight scale's label: 5.7, 0.35, 12.
fn fmt_weight(v: f64) -> String {
    if v >= 10.0 {
        format!("{v:.0}")
    } else if v >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// The title, which is the legend: the informative digits, the bias, the rest.
fn title(theme: &Theme, k_bits: usize, width: u16) -> Line<'static> {
    let (info_mark, rest_mark) = if theme.colored() {
        ("━", "━")
    } else {
        ("⣿", "⠁⠈")
    };
    Line::from(vec![
        Span::styled(
            if width >= 44 {
                " W1 over training "
            } else {
                " W1 "
            },
            theme.title(),
        ),
        Span::styled(format!("{info_mark} 1-{k_bits}"), theme.key()),
        Span::raw(" "),
        Span::styled("━ bias", theme.bias()),
        Span::raw(" "),
        Span::styled(format!("{rest_mark} rest "), theme.dim()),
    ])
}

/// Steps and weights to dot coordinates: `xd` by `yd` dots, steps `x[0]` to `x[1]` across,
/// weights `top` (at the top) to `-top` down.
struct Scale {
    xd: usize,
    yd: usize,
    x: [f64; 2],
    top: f64,
}

impl Scale {
    /// The dot column of `step`, if it is in the window.
    fn x(&self, step: u64) -> Option<usize> {
        let [a, b] = self.x;
        let s = step as f64;
        ((a..=b).contains(&s) && b > a)
            .then(|| (((s - a) / (b - a)) * (self.xd - 1) as f64).round() as usize)
    }

    fn y(&self, v: f64) -> usize {
        (((self.top - v) / (2.0 * self.top)) * (self.yd - 1) as f64)
            .round()
            .clamp(0.0, (self.yd - 1) as f64) as usize
    }
}

/// Draw every weight's line (input digit `j`, hidden neuron `n`) into the raster, one kept
/// frame per dot column (the last kept frame at or before it). Without colour the kinds
/// differ by pattern: the rest dotted, the bias every other column.
fn trace(
    raster: &mut Raster,
    frames: &[(u64, &Array2<f64>)],
    scale: &Scale,
    k_bits: usize,
    colored: bool,
) {
    let mut columns: Vec<Option<usize>> = vec![None; scale.xd];
    for (i, &(step, _)) in frames.iter().enumerate() {
        if let Some(x) = scale.x(step).filter(|&x| x < scale.xd) {
            columns[x] = Some(i);
        }
    }
    let (inputs, hidden) = frames[0].1.dim();
    let kind = |j: usize| {
        if j + 1 == inputs {
            Kind::Bias
        } else if j < k_bits {
            Kind::Informative
        } else {
            Kind::Distracting
        }
    };
    let every = |k: Kind| match (colored, k) {
        (true, _) | (false, Kind::Informative) => 1,
        (false, Kind::Bias) => 2,
        (false, Kind::Distracting) => 4,
    };
    for j in 0..inputs {
        let k = kind(j);
        let stride = every(k);
        for n in 0..hidden {
            let mut prev: Option<usize> = None;
            for (x, col) in columns.iter().enumerate() {
                let Some(i) = *col else { continue };
                let y = scale.y(frames[i].1[[j, n]]);
                if x % stride != 0 {
                    prev = None;
                    continue;
                }
                // The distracting digits' 3,456 lines (flat near 0 once learned) as points: the
                // vertical runs cost most of the frame time.
                match prev {
                    Some(p) if stride == 1 && k != Kind::Distracting => raster.run(x, p, y, k),
                    _ => raster.set(x, y, k),
                }
                prev = Some(y);
            }
        }
    }
}

/// The raster's cells into the frame, each in its kind's colour; the scrubbed column (where
/// its cells are empty, a vertical line) in the scrub colour.
fn paint(f: &mut Frame, inner: Rect, raster: &Raster, scrub_x: Option<usize>, theme: &Theme) {
    let (w, h) = (raster.w, raster.h);
    let buf = f.buffer_mut();
    for cy in 0..h {
        for cxl in 0..w {
            let i = cy * w + cxl;
            let cell = &mut buf[(inner.x + cxl as u16, inner.y + cy as u16)];
            if scrub_x == Some(cxl) && raster.dots[i] == 0 {
                cell.set_symbol("│").set_style(theme.scrub());
                continue;
            }
            if raster.dots[i] == 0 {
                continue;
            }
            let ch = char::from_u32(0x2800 + raster.dots[i] as u32).unwrap_or(' ');
            let style: Style = match raster.kind[i] {
                Some(Kind::Informative) => theme.key(),
                Some(Kind::Bias) => theme.bias(),
                _ => theme.dim(),
            };
            let style = if scrub_x == Some(cxl) {
                theme.scrub()
            } else {
                style
            };
            cell.set_char(ch).set_style(style);
        }
    }
}
