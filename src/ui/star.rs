//! Five neurons: the (cos, sin) weights of W_in and W_out as points around a circle. W_out
//! turns twice as fast as W_in.

use super::{Ctx, Panel, panel};
use crate::train::Arch;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::symbols::Marker;
use ratatui::text::Span;
use ratatui::widgets::canvas::{Canvas, Circle, Line as CLine};

/// five-neurons: the star of W_in and W_out.
pub const PANEL: Panel = Panel {
    name: "star",
    applies: |c| c.arch == Arch::FixedCircle,
    render,
};

fn render(f: &mut Frame, cx: &Ctx, area: Rect) {
    let (Some(frame), theme) = (cx.frame, cx.theme) else {
        return;
    };
    let Some(five) = &frame.readings.five else {
        return;
    };
    let block = panel("star: W_in i · W_out o", theme);
    let inner = block.inner(area);
    let r = match five {
        Ok(r) => r,
        Err(e) => {
            f.render_widget(
                ratatui::widgets::Paragraph::new(e.to_string()).block(block),
                area,
            );
            return;
        }
    };
    let norm = |p: &[f32; 2]| (p[0] * p[0] + p[1] * p[1]).sqrt();
    // Scale each matrix to the unit circle so both stars share one picture.
    let s_in = r.w_in.iter().map(norm).fold(0.0f32, f32::max).max(1e-9);
    let s_out = r.w_out.iter().map(norm).fold(0.0f32, f32::max).max(1e-9);
    let rad = 1.25f64;
    // Text cells are about twice as tall as wide: widen x so the circle stays round.
    let aspect = (inner.width as f64 / (2.0 * inner.height.max(1) as f64)).max(0.5);
    let (w_in, w_out) = (r.w_in.clone(), r.w_out.clone());
    let (cin, cout, dim) = (theme.w_in(), theme.w_out(), theme.dim());
    let canvas = Canvas::default()
        .block(block)
        .marker(Marker::Braille)
        .x_bounds([-rad * aspect, rad * aspect])
        .y_bounds([-rad, rad])
        .paint(move |ctx| {
            ctx.draw(&Circle {
                x: 0.0,
                y: 0.0,
                radius: 1.0,
                color: dim.fg.unwrap_or_default(),
            });
            ctx.layer();
            for (pts, scale, style, tag) in [(&w_in, s_in, cin, "i"), (&w_out, s_out, cout, "o")] {
                for (i, p) in pts.iter().enumerate() {
                    let (x, y) = ((p[0] / scale) as f64, (p[1] / scale) as f64);
                    ctx.draw(&CLine {
                        x1: 0.0,
                        y1: 0.0,
                        x2: x,
                        y2: y,
                        color: style.fg.unwrap_or_default(),
                    });
                    ctx.print(
                        x * 1.1,
                        y * 1.1,
                        Span::styled(format!("{tag}{}", i + 1), style),
                    );
                }
            }
        });
    f.render_widget(canvas, area);
}
