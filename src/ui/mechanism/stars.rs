//! Stars (the article's mod-bot-freqs-hidden and -out): for each key frequency k, every
//! neuron's (cos k, sin k) coefficient as a point around a circle; the neurons of k's group
//! joined in the order of their W_input phase, the others faint. W_input's points of a
//! clean group lie evenly around the circle; W_output's, joined in the same order, turn twice
//! as fast and draw a star.

use super::{Shown, shown, strongest_groups};
use crate::analysis::FourierCoeffs;
use crate::probe::mechanism::star;
use crate::ui::{Ctx, Panel, panel};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::widgets::canvas::{Canvas, Circle, Line as CLine, Points};

pub const PANEL: Panel = Panel {
    name: "stars",
    applies: |c| c.task == crate::train::TaskKind::Modular,
    render,
};

/// Smallest star: a label row and 4 braille rows, 8 columns wide.
const MIN_H: u16 = 5;

/// The frequencies with a star: the key frequencies, else the strongest groups'.
fn frequencies(s: &Shown) -> Vec<usize> {
    if s.keys.is_empty() {
        strongest_groups(s, 8)
            .into_iter()
            .map(|g| s.mech.groups[g].frequency)
            .collect()
    } else {
        s.keys.to_vec()
    }
}

fn render(f: &mut Frame, cx: &Ctx, area: Rect) {
    let Ok(s) = shown(cx) else {
        return;
    };
    let theme = cx.theme;
    let inner = panel("", theme).inner(area);
    let both = inner.height >= 2 * MIN_H;
    let matrices: Vec<bool> = if both {
        vec![false, true]
    } else {
        vec![s.choice.output]
    };
    let title = match matrices.as_slice() {
        [_, _] => "stars · (cos k, sin k) of W_input, W_output below",
        [false] => "stars · (cos k, sin k) of W_input (o: W_output)",
        _ => "stars · (cos k, sin k) of W_output (o: W_input)",
    };
    let block = panel(title, theme);
    f.render_widget(block, area);
    let rows = Layout::vertical(vec![
        Constraint::Ratio(1, matrices.len() as u32);
        matrices.len()
    ])
    .split(inner);
    let row_h = rows.first().map_or(0, |r| r.height);
    if row_h < MIN_H {
        return;
    }
    // Round stars (a cell is about twice as tall as wide), narrower to fit up to four.
    let freqs = frequencies(&s);
    let want = freqs.len().clamp(1, 4) as u16;
    let star_w = (inner.width / want).clamp(10, 2 * (row_h - 1) + 2);
    let n = freqs.len().min((inner.width / star_w).max(1) as usize);
    for (&output, row) in matrices.iter().zip(rows.iter()) {
        let cells = Layout::horizontal(vec![Constraint::Length(star_w); n]).split(*row);
        for (&k, cell) in freqs.iter().zip(cells.iter()) {
            let coeffs = if output {
                &s.mech.output
            } else {
                &s.mech.input
            };
            draw_star(f, cx, &s, *cell, coeffs, k, output);
        }
    }
    if n < freqs.len() {
        let more = format!(" +{} more ", freqs.len() - n);
        let w = more.chars().count() as u16;
        if area.width > w + 2 {
            let at = Rect::new(area.right() - w - 1, area.bottom() - 1, w, 1);
            f.render_widget(Paragraph::new(Span::styled(more, theme.dim())), at);
        }
    }
}

fn draw_star(
    f: &mut Frame,
    cx: &Ctx,
    s: &Shown,
    area: Rect,
    coeffs: &FourierCoeffs,
    k: usize,
    output: bool,
) {
    let theme = cx.theme;
    let [head, plot] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
    let group: &[usize] = s
        .mech
        .groups
        .iter()
        .find(|g| g.frequency == k)
        .map_or(&[], |g| g.neurons.as_slice());
    let label = vec![
        Span::styled(format!("k={k}"), theme.key()),
        Span::styled(if output { " out" } else { " in" }, theme.dim()),
    ];
    f.render_widget(Paragraph::new(Line::from(label)), head);
    let others: Vec<usize> = (0..coeffs.n_neurons())
        .filter(|j| !group.contains(j))
        .collect();
    let color = |st: Style| st.fg.unwrap_or(Color::Reset);
    let drawing = Star {
        members: star(coeffs, k, group),
        faint: star(coeffs, k, &others),
        selected: (s.neuron < coeffs.n_neurons())
            .then(|| (coeffs.cos(k, s.neuron), coeffs.sin(k, s.neuron))),
        line: color(if output { theme.w_out() } else { theme.w_in() }),
        dim: color(theme.dim()),
        chosen: theme.neuron(),
    };
    drawing.paint(f, plot);
}

/// One star as drawn: the group's neurons (joined by phase), the others faint, the selected
/// neuron marked.
struct Star {
    members: Vec<(f32, f32)>,
    faint: Vec<(f32, f32)>,
    selected: Option<(f32, f32)>,
    line: Color,
    dim: Color,
    chosen: Style,
}

fn wide(pts: &[(f32, f32)]) -> Vec<(f64, f64)> {
    pts.iter()
        .map(|&(x, y)| (f64::from(x), f64::from(y)))
        .collect()
}

impl Star {
    /// The mean distance from the centre: the members', or the others' when the group is
    /// empty.
    fn norm(&self) -> f64 {
        let radius = |pts: &[(f32, f32)]| {
            pts.iter().map(|&(x, y)| f64::from(x.hypot(y))).sum::<f64>() / pts.len().max(1) as f64
        };
        let pts = if self.members.is_empty() {
            &self.faint
        } else {
            &self.members
        };
        radius(pts).max(1e-9)
    }

    fn paint(&self, f: &mut Frame, plot: Rect) {
        let norm = self.norm();
        let rad = 1.35 * norm;
        // Cells are about twice as tall as wide: stretch the longer axis so the circle stays
        // round and whole.
        let aspect = plot.width as f64 / (2.0 * plot.height.max(1) as f64);
        let (x_half, y_half) = (
            rad * aspect.max(1.0),
            rad * (1.0 / aspect.max(1e-3)).max(1.0),
        );
        let (faint_pts, member_pts) = (wide(&self.faint), wide(&self.members));
        let canvas = Canvas::default()
            .marker(Marker::Braille)
            .x_bounds([-x_half, x_half])
            .y_bounds([-y_half, y_half])
            .paint(|ctx| {
                ctx.draw(&Circle {
                    x: 0.0,
                    y: 0.0,
                    radius: norm,
                    color: self.dim,
                });
                ctx.draw(&Points {
                    coords: &faint_pts,
                    color: self.dim,
                });
                ctx.layer();
                self.join(ctx);
                ctx.draw(&Points {
                    coords: &member_pts,
                    color: self.line,
                });
                if let Some((x, y)) = self.selected {
                    ctx.layer();
                    ctx.print(f64::from(x), f64::from(y), Span::styled("●", self.chosen));
                }
            });
        f.render_widget(canvas, plot);
    }

    /// Neighbours by phase joined into a polygon (two points: one segment).
    fn join(&self, ctx: &mut ratatui::widgets::canvas::Context) {
        let (m, n) = (&self.members, self.members.len());
        if n < 2 {
            return;
        }
        let segments = if n == 2 { 1 } else { n };
        for i in 0..segments {
            let ((x1, y1), (x2, y2)) = (m[i], m[(i + 1) % n]);
            ctx.draw(&CLine::new(
                f64::from(x1),
                f64::from(y1),
                f64::from(x2),
                f64::from(y2),
                self.line,
            ));
        }
    }
}
