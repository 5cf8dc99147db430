//! Parity: every first-layer weight as a line over training, from the kept frames (the
//! article's "hidden_w over training"): the weights of the informative digits highlighted,
//! the bias weights in their own colour, the distracting digits' faint. As the model
//! generalizes the highlighted lines fan out and the rest collapse towards 0.
//!
//! Drawn straight into braille cells (about 4,000 lines over up to 512 frames): each column
//! of dots is one sampled frame; a cell takes the colour of the most telling line through
//! it (the bias over the rest over the informative ones, which fill the fan).

use super::{Ctx, Panel, panel};
use crate::train::TaskKind;
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
    let snap = cx.snapshot;
    let k_bits = cx
        .frame
        .and_then(|fr| fr.readings.parity())
        .map_or(0, |p| p.k_bits);
    let (info, bias, rest) = (theme.key(), theme.bias(), theme.dim());
    let (info_mark, rest_mark) = if theme.colored() {
        ("━", "━")
    } else {
        ("⣿", "⠁⠈")
    };
    let title = Line::from(vec![
        Span::styled(
            if area.width >= 44 {
                " W1 over training "
            } else {
                " W1 "
            },
            theme.title(),
        ),
        Span::styled(format!("{info_mark} 1-{k_bits}"), info),
        Span::raw(" "),
        Span::styled("━ bias", bias),
        Span::raw(" "),
        Span::styled(format!("{rest_mark} rest "), rest),
    ]);
    let block = panel("", theme).title(title);
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.width < 8 || inner.height < 2 {
        return;
    }
    let frames: Vec<_> = snap
        .frames
        .iter()
        .filter_map(|fr| Some((fr.step(), &fr.weights.parity()?.w1)))
        .collect();
    let Some(&(_, first)) = frames.first() else {
        return;
    };
    let (inputs, hidden) = first.dim();
    // The y scale: the largest |w| over the kept frames, on the sticky scale; the x scale is
    // the loss chart's.
    let top = frames
        .iter()
        .flat_map(|(_, w)| w.iter())
        .fold(0.0f64, |m, v| m.max(v.abs()));
    let top = super::sticky_scale(top as f32) as f64;
    let x_max = super::steps_shown(cx) as f64;
    cx.memo.axes.borrow_mut().push(super::StepAxis {
        area,
        x0: inner.x,
        width: inner.width,
        max: x_max as u64,
    });
    let (w, h) = (inner.width as usize, inner.height as usize);
    let (xd, yd) = (2 * w, 4 * h);
    let dot_x = |step: u64| ((step as f64 / x_max) * (xd - 1) as f64).round() as usize;
    let dot_y = |v: f64| {
        (((top - v) / (2.0 * top)) * (yd - 1) as f64)
            .round()
            .clamp(0.0, (yd - 1) as f64) as usize
    };
    // One frame per dot column: the last kept frame at or before it.
    let mut columns: Vec<Option<usize>> = vec![None; xd];
    for (i, &(step, _)) in frames.iter().enumerate() {
        let x = dot_x(step);
        if x < xd {
            columns[x] = Some(i);
        }
    }
    let kind = |j: usize| {
        if j + 1 == inputs {
            Kind::Bias
        } else if j < k_bits {
            Kind::Informative
        } else {
            Kind::Distracting
        }
    };
    let mut raster = Raster::new(w, h);
    // Without colour the kinds differ by pattern: the rest dotted, bias every other column.
    let every = |k: Kind| match (theme.colored(), k) {
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
                let y = dot_y(frames[i].1[[j, n]]);
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
    // The frame on screen while scrubbing: a vertical line.
    let scrub_x = match (cx.scrubbing, cx.frame) {
        (true, Some(fr)) => Some(dot_x(fr.step()) / 2),
        _ => None,
    };
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
                Some(Kind::Informative) => info,
                Some(Kind::Bias) => bias,
                _ => rest,
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
