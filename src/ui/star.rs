//! Five neurons on a fixed circle, as the article draws them: each neuron's (cos, sin)
//! weights of W_in-proj as a point, neurons adjacent in angle joined (a pentagon once the
//! model has spread them evenly), and W_out-proj's points joined in the same order, which
//! turn twice as fast and so trace a pentagram. The fixed embedding W_embed (input a at
//! angle 2πa/P) is drawn on the pentagon's circle; under both, W_in-proj and W_out-proj as
//! 5 × (cos, sin) heatmaps.

use super::heatmap::{legend, put_right, short};
use super::theme::{heat_level, shade};
use super::{Ctx, Panel, panel};
use crate::analysis::FiveNeuronReadout;
use crate::train::Arch;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::widgets::canvas::{Canvas, Line as CLine, Points};

/// five-neurons: the pentagon of W_in-proj and the pentagram of W_out-proj.
pub const PANEL: Panel = Panel {
    name: "star",
    applies: |c| c.arch == Arch::FixedCircle,
    render,
};

/// Neurons in the order of their W_in-proj angle: adjacent ones are joined.
pub fn by_angle(r: &FiveNeuronReadout) -> Vec<usize> {
    let mut order: Vec<usize> = (0..r.angle_in.len()).collect();
    order.sort_by(|&a, &b| r.angle_in[a].total_cmp(&r.angle_in[b]).then(a.cmp(&b)));
    order
}

fn render(f: &mut Frame, cx: &Ctx, area: Rect) {
    let (Some(frame), theme) = (cx.frame, cx.theme) else {
        return;
    };
    let Some(five) = &frame.readings.five else {
        return;
    };
    let title = super::mechanism::fit(
        &[
            "pentagon: W_in-proj · pentagram: W_out-proj",
            "pentagon W_in-proj · pentagram W_out-proj",
            "W_in-proj · W_out-proj",
        ],
        (area.width as usize).saturating_sub(4),
    );
    let block = panel(title, theme);
    let inner = block.inner(area);
    let r = match five {
        Ok(r) => r,
        Err(e) => {
            f.render_widget(Paragraph::new(e.to_string()).block(block), area);
            return;
        }
    };
    f.render_widget(block, area);
    // The heatmaps take three rows (neuron numbers, cos, sin) when the circles keep six.
    let heat_h = if inner.height >= 9 { 3 } else { 0 };
    let [circles, heats] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(heat_h)]).areas(inner);
    let [l, rt] = Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)]).areas(circles);
    let order = by_angle(r);
    let embed: Vec<(f64, f64)> = frame
        .weights
        .modular()
        .and_then(|m| m.embed.as_ref())
        .filter(|e| e.ncols() == 2)
        .map(|e| {
            // On the unit circle, whatever the embedding's own radius.
            let r = e
                .rows()
                .into_iter()
                .map(|row| row[0].hypot(row[1]))
                .fold(0.0f64, f64::max)
                .max(1e-12);
            e.rows()
                .into_iter()
                .map(|row| (row[0] / r, row[1] / r))
                .collect()
        })
        .unwrap_or_default();
    circle(f, cx, l, &r.w_in, &order, &embed, theme.w_in());
    circle(f, cx, rt, &r.w_out, &order, &[], theme.w_out());
    if heat_h > 0 {
        let [hl, hr] = Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)]).areas(heats);
        // One cell width for both (the halves differ by a column when the width is odd).
        let cell = cell_width(hl.width.min(hr.width), r.w_in.len().max(r.w_out.len()));
        let s_in = heat(f, cx, (hl, cell), &r.w_in, "in ");
        let s_out = heat(f, cx, (hr, cell), &r.w_out, "out");
        // Both swatches' scales on the bottom border, the ramp once.
        let suffix = format!(" · out ±{}", short(s_out));
        let room = (area.width as usize).saturating_sub(4);
        if let Some(l) = legend(theme, s_in, "in ", &suffix, room) {
            put_right(f.buffer_mut(), &l, area.right() - 1, area.bottom() - 1);
        }
    }
}

/// The label style of neuron `i`: its matrix's colour, reversed when it is the selected one.
fn label_style(cx: &Ctx, i: usize, style: Style) -> Style {
    if i == cx.neuron {
        style.add_modifier(Modifier::REVERSED | Modifier::BOLD)
    } else {
        style
    }
}

/// One matrix's five points on the unit circle (scaled so the longest reaches it), joined
/// in `order`, numbered 1–5; `embed`'s points (on the unit circle) behind them, or the
/// circle itself.
fn circle(
    f: &mut Frame,
    cx: &Ctx,
    area: Rect,
    pts: &[[f32; 2]],
    order: &[usize],
    embed: &[(f64, f64)],
    style: Style,
) {
    if area.width < 4 || area.height < 3 {
        return;
    }
    let theme = cx.theme;
    let norm = |p: &[f32; 2]| (p[0] * p[0] + p[1] * p[1]).sqrt();
    let scale = pts.iter().map(norm).fold(0.0f32, f32::max).max(1e-9) as f64;
    let at: Vec<(f64, f64)> = pts
        .iter()
        .map(|p| (p[0] as f64 / scale, p[1] as f64 / scale))
        .collect();
    let rad = 1.3f64;
    // Text cells are about twice as tall as wide: widen x so the circle stays round.
    let aspect = (area.width as f64 / (2.0 * area.height as f64)).max(0.5);
    let dim = theme.dim().fg.unwrap_or_default();
    let color = style.fg.unwrap_or_default();
    let ring: Vec<(f64, f64)> = if embed.is_empty() {
        (0..96)
            .map(|i| {
                let t = i as f64 * std::f64::consts::TAU / 96.0;
                (t.cos(), t.sin())
            })
            .collect()
    } else {
        embed.to_vec()
    };
    let labels: Vec<(f64, f64, Span)> = at
        .iter()
        .enumerate()
        .map(|(i, &(x, y))| {
            (
                x * 1.15,
                y * 1.15,
                Span::styled((i + 1).to_string(), label_style(cx, i, style)),
            )
        })
        .collect();
    let canvas = Canvas::default()
        .marker(Marker::Braille)
        .x_bounds([-rad * aspect, rad * aspect])
        .y_bounds([-rad, rad])
        .paint(move |ctx| {
            ctx.draw(&Points {
                coords: &ring,
                color: dim,
            });
            ctx.layer();
            for (k, &i) in order.iter().enumerate() {
                let j = order[(k + 1) % order.len()];
                ctx.draw(&CLine {
                    x1: at[i].0,
                    y1: at[i].1,
                    x2: at[j].0,
                    y2: at[j].1,
                    color,
                });
            }
            for (x, y, label) in &labels {
                ctx.print(*x, *y, label.clone());
            }
        });
    f.render_widget(canvas, area);
}

/// The columns each neuron gets in a heatmap `width` wide of `n` neurons after its 5-column
/// row names: its swatch and a space, 2 to 4 in all (1 where even 2 do not fit).
fn cell_width(width: u16, n: usize) -> usize {
    ((width as usize).saturating_sub(5) / n.max(1)).clamp(1, 4)
}

/// One matrix as a 5 × (cos, sin) heatmap in `area`, `cell` columns a neuron: a row of
/// neuron numbers, then a cos and a sin row of coloured cells (shaded by |w| without
/// colour), scaled by the matrix's largest weight; returns that scale (for the legend).
fn heat(f: &mut Frame, cx: &Ctx, (area, cell): (Rect, usize), pts: &[[f32; 2]], name: &str) -> f32 {
    let theme = cx.theme;
    let scale = pts
        .iter()
        .flat_map(|p| p.iter().map(|v| v.abs()))
        .fold(0.0f32, f32::max);
    let scale = super::sticky_scale(scale);
    let mut lines = Vec::with_capacity(3);
    let mut head = vec![Span::styled(format!("{name}  "), theme.dim())];
    for i in 0..pts.len() {
        let label = format!("{:<width$}", i + 1, width = cell);
        head.push(Span::styled(label, label_style(cx, i, theme.dim())));
    }
    lines.push(Line::from(head));
    for (d, comp) in ["cos", "sin"].iter().enumerate() {
        let mut spans = vec![Span::styled(format!("{comp}  "), theme.dim())];
        for p in pts {
            let v = p[d] / scale;
            let (text, style) = if theme.colored() {
                let level = heat_level(v, None);
                let glyph = if level == 0 { " " } else { "█" };
                (
                    glyph.repeat(cell.saturating_sub(1).max(1)),
                    Style::new().fg(theme.heat_color(level)),
                )
            } else {
                (shade(v).repeat(cell.saturating_sub(1).max(1)), Style::new())
            };
            spans.push(Span::styled(text, style));
            if cell > 1 {
                spans.push(Span::raw(" "));
            }
        }
        lines.push(Line::from(spans));
    }
    f.render_widget(Paragraph::new(lines), area);
    scale
}
