//! The appendix view: the article's Appendix A, the circle built by hand. Panels on braille
//! canvases: the embedding circle with a, b and their mean; the N in-proj directions with
//! each neuron's projection and activation; the out-proj directions at twice the angle with
//! the summed output and the answer; the learned star of a frequency group (when taken);
//! where every pair's output lands against its target, and the error; the parameters,
//! accuracy, ties and the article's claims, checked against the numbers.

use super::{FULL_HEIGHT, FULL_WIDTH, Footer, Theme, footer, panel};
use crate::analysis::Construction;
use crate::train::Activation;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::widgets::canvas::{Canvas, Circle, Context, Line as CLine, Points};

mod pixels;
use pixels::split_pixels;

/// One parameter as the view lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamRow {
    pub key: &'static str,
    pub label: &'static str,
    pub value: String,
    pub selected: bool,
}

/// A frequency group of the trained model: its neurons' (cos, sin) coefficients.
#[derive(Clone, Debug, PartialEq)]
pub struct Learned {
    pub frequency: usize,
    pub points: Vec<[f32; 2]>,
}

/// What the view draws from.
pub struct Scene<'a> {
    pub construction: &'a Construction,
    pub a: usize,
    pub b: usize,
    pub params: Vec<ParamRow>,
    pub learned: Option<Learned>,
    pub theme: &'a Theme,
}

fn color(s: Style) -> Color {
    s.fg.unwrap_or_default()
}

fn act_name(a: Activation) -> &'static str {
    match a {
        Activation::Relu => "ReLU",
        Activation::Square => "x²",
    }
}

pub fn render(f: &mut Frame, s: &Scene, foot: &Footer) {
    let area = f.area();
    let full = area.width >= FULL_WIDTH && area.height >= FULL_HEIGHT;
    let theme = s.theme;
    if full {
        let [head, top, bottom, foot_area] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(17),
            Constraint::Length(1),
        ])
        .areas(area);
        header(f, s, head);
        circles(f, s, top);
        let [info, lands, errs] = Layout::horizontal([
            Constraint::Length(40),
            Constraint::Fill(1),
            Constraint::Fill(1),
        ])
        .areas(bottom);
        readout(f, s, info, false);
        landing_chart(f, s, lands);
        error_chart(f, s, errs);
        footer::render(f, foot, theme, foot_area);
    } else {
        let [head, strip, top, bottom, foot_area] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(8),
            Constraint::Length(1),
        ])
        .areas(area);
        header(f, s, head);
        param_strip(f, s, strip);
        circles(f, s, top);
        let [errs, info] =
            Layout::horizontal([Constraint::Fill(1), Constraint::Length(38)]).areas(bottom);
        error_chart(f, s, errs);
        readout(f, s, info, true);
        footer::render(f, foot, theme, foot_area);
    }
}

fn header(f: &mut Frame, s: &Scene, area: Rect) {
    let c = s.construction;
    let p = c.pair(s.a, s.b);
    let theme = s.theme;
    let verdict = match p.answer {
        Some(x) if x == p.target => Span::styled(format!("{x} ✓"), theme.train()),
        Some(x) => Span::styled(format!("{x} ✗"), theme.warn()),
        None => Span::styled("tie ✗", theme.warn()),
    };
    let line = Line::from(vec![
        Span::styled("grokscope", theme.title()),
        super::header_sep(theme),
        Span::raw("appendix A: the circle by hand"),
        super::header_sep(theme),
        Span::raw(format!(
            "({} + {}) mod {} = {} → ",
            p.a, p.b, c.modulus, p.target
        )),
        verdict,
    ]);
    f.render_widget(Paragraph::new(line), area);
}

fn param_strip(f: &mut Frame, s: &Scene, area: Rect) {
    let mut spans = Vec::new();
    for r in &s.params {
        let text = format!(
            "{}{} {} ",
            if r.selected { "▸" } else { " " },
            r.key,
            r.value
        );
        spans.push(if r.selected {
            Span::styled(text, s.theme.selected())
        } else {
            Span::raw(text)
        });
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The x and y bounds of a circle canvas of radius `r` filling `inner` (text cells are
/// about twice as tall as wide).
fn round_bounds(inner: Rect, r: f64) -> ([f64; 2], [f64; 2]) {
    let aspect = (inner.width as f64 / (2.0 * inner.height.max(1) as f64)).max(0.5);
    ([-r * aspect, r * aspect], [-r, r])
}

/// The longest of `titles` that fits a panel `area` wide (else the last cut at a word).
fn titled(titles: &[String], area: Rect) -> String {
    let titles: Vec<&str> = titles.iter().map(String::as_str).collect();
    super::mechanism::fit(&titles, (area.width as usize).saturating_sub(4))
}

fn circle_canvas<'a, F: Fn(&mut Context) + 'a>(
    titles: &[String],
    theme: &'a Theme,
    area: Rect,
    paint: F,
) -> Canvas<'a, impl Fn(&mut Context) + 'a> {
    let block = panel(titled(titles, area), theme);
    let (xb, yb) = round_bounds(block.inner(area), 1.3);
    let dim = color(theme.dim());
    Canvas::default()
        .block(block)
        .marker(Marker::Braille)
        .x_bounds(xb)
        .y_bounds(yb)
        .paint(move |ctx| {
            ctx.draw(&Circle {
                x: 0.0,
                y: 0.0,
                radius: 1.0,
                color: dim,
            });
            ctx.layer();
            paint(ctx);
        })
}

fn line(ctx: &mut Context, from: [f64; 2], to: [f64; 2], color: Color) {
    ctx.draw(&CLine {
        x1: from[0],
        y1: from[1],
        x2: to[0],
        y2: to[1],
        color,
    });
}

fn circles(f: &mut Frame, s: &Scene, area: Rect) {
    let n = if s.learned.is_some() { 4 } else { 3 };
    let areas = Layout::horizontal(vec![Constraint::Ratio(1, n); n as usize]).split(area);
    embed_panel(f, s, areas[0]);
    in_proj_panel(f, s, areas[1]);
    out_proj_panel(f, s, areas[2]);
    if let Some(l) = &s.learned {
        learned_panel(f, s, l, areas[3]);
    }
}

/// Small dots for the numbers on a circle, when there are few enough to tell apart.
fn number_dots(ctx: &mut Context, c: &Construction, color: Color) {
    if c.modulus <= 150 {
        let coords: Vec<(f64, f64)> = c.embed.iter().map(|p| (p[0], p[1])).collect();
        ctx.draw(&Points {
            coords: &coords,
            color,
        });
    }
}

fn embed_panel(f: &mut Frame, s: &Scene, area: Rect) {
    let c = s.construction;
    let p = c.pair(s.a, s.b);
    let (ea, eb) = (c.embed[p.a], c.embed[p.b]);
    let theme = s.theme;
    let (dim, title, win) = (color(theme.dim()), theme.title(), theme.w_in());
    let titles = [
        "embed: a, b, mean".to_string(),
        "embed: a, b".into(),
        "embed".into(),
    ];
    let canvas = circle_canvas(&titles, theme, area, move |ctx| {
        number_dots(ctx, c, dim);
        line(ctx, ea, eb, dim);
        line(ctx, [0.0, 0.0], p.mean, color(title));
        ctx.print(ea[0] * 1.15, ea[1] * 1.15, Span::styled("a", win));
        ctx.print(eb[0] * 1.15, eb[1] * 1.15, Span::styled("b", win));
        ctx.print(p.mean[0], p.mean[1], Span::styled("●", title));
    });
    f.render_widget(canvas, area);
}

fn in_proj_panel(f: &mut Frame, s: &Scene, area: Rect) {
    let c = s.construction;
    let p = c.pair(s.a, s.b);
    let theme = s.theme;
    let (dim, title, win) = (color(theme.dim()), theme.title(), theme.w_in());
    let canvas = circle_canvas(
        &[
            format!("in-proj: {} × {}", c.neurons, act_name(c.activation)),
            format!("in-proj {}", c.neurons),
            "in-proj".into(),
        ],
        theme,
        area,
        move |ctx| {
            for (i, d) in c.in_proj.iter().enumerate() {
                line(ctx, [0.0, 0.0], [d[0] * 0.93, d[1] * 0.93], dim);
                if c.neurons <= 12 {
                    ctx.print(d[0] * 1.12, d[1] * 1.12, Span::styled(format!("{i}"), win));
                }
            }
            ctx.layer();
            for (d, &h) in c.in_proj.iter().zip(&p.activations) {
                line(ctx, [0.0, 0.0], [d[0] * h, d[1] * h], color(win));
            }
            line(ctx, [0.0, 0.0], p.mean, color(title));
            ctx.print(p.mean[0], p.mean[1], Span::styled("●", title));
        },
    );
    f.render_widget(canvas, area);
}

fn out_proj_panel(f: &mut Frame, s: &Scene, area: Rect) {
    let c = s.construction;
    let p = c.pair(s.a, s.b);
    let theme = s.theme;
    let (dim, title, wout, warn) = (
        color(theme.dim()),
        theme.title(),
        theme.w_out(),
        theme.warn(),
    );
    // One scale for every pair: the longest output fits the circle.
    let scale = 1.0 / c.max_output().max(1e-12);
    let canvas = circle_canvas(
        &[
            "out-proj: 2× angle → Σ".to_string(),
            "out-proj: 2× angle".into(),
            "out-proj".into(),
        ],
        theme,
        area,
        move |ctx| {
            number_dots(ctx, c, dim);
            for o in &c.out_proj {
                line(ctx, [0.0, 0.0], [o[0] * 0.93, o[1] * 0.93], dim);
            }
            ctx.layer();
            for (o, &h) in c.out_proj.iter().zip(&p.activations) {
                let k = h * scale;
                line(ctx, [0.0, 0.0], [o[0] * k, o[1] * k], color(wout));
            }
            let sum = [p.output[0] * scale, p.output[1] * scale];
            line(ctx, [0.0, 0.0], sum, color(title));
            ctx.print(sum[0], sum[1], Span::styled("Σ", title));
            match p.answer {
                Some(x) => {
                    let e = c.embed[x];
                    let style = if x == p.target { title } else { warn };
                    ctx.print(
                        e[0] * 1.17,
                        e[1] * 1.17,
                        Span::styled(format!("{x}"), style),
                    );
                }
                None => ctx.print(0.0, -0.3, Span::styled("tie", warn)),
            }
        },
    );
    f.render_widget(canvas, area);
}

fn learned_panel(f: &mut Frame, s: &Scene, l: &Learned, area: Rect) {
    let theme = s.theme;
    let win = theme.w_in();
    let longest = l
        .points
        .iter()
        .map(|p| p[0].hypot(p[1]))
        .fold(0.0f32, f32::max)
        .max(1e-9);
    let pts: Vec<[f64; 2]> = l
        .points
        .iter()
        .map(|p| [(p[0] / longest) as f64, (p[1] / longest) as f64])
        .collect();
    let canvas = circle_canvas(
        &[
            format!("learned: k={} · {}", l.frequency, l.points.len()),
            format!("learned k={}", l.frequency),
            format!("k={}", l.frequency),
        ],
        theme,
        area,
        move |ctx| {
            for p in &pts {
                line(ctx, [0.0, 0.0], *p, color(win));
            }
        },
    );
    f.render_widget(canvas, area);
}

fn landing_chart(f: &mut Frame, s: &Scene, area: Rect) {
    let modulus = s.construction.modulus;
    let m = modulus as f64;
    let titles = [
        format!("lands: output vs target, 0…{}", modulus - 1),
        "lands: output vs target".into(),
        "lands".into(),
    ];
    let dim = color(s.theme.dim());
    let diagonal = move |ctx: &mut Context, _: Rect| line(ctx, [0.0, 0.0], [m - 1.0, m - 1.0], dim);
    pairs_chart(f, s, area, &titles, [-1.0, m], |t, o| t + o, diagonal);
}

fn error_chart(f: &mut Frame, s: &Scene, area: Rect) {
    let worst = s
        .construction
        .landings()
        .map(|(_, o)| o.abs())
        .filter(|o| !o.is_nan())
        .fold(0.0f32, f32::max) as f64;
    // At least ±0.6, so the ±½ lines (beyond them the answer is wrong) are always in view.
    let top = (worst * 1.1).max(0.6);
    let titles = [
        format!("error: output − target, ±{top:.2}"),
        format!("error ±{top:.2}"),
        "error".into(),
    ];
    let dim = color(s.theme.dim());
    let xb = x_bounds(s);
    let lines = move |ctx: &mut Context, inner: Rect| {
        let dashes: Vec<(f64, f64)> = (0..inner.width as usize)
            .step_by(2)
            .flat_map(|i| {
                let x = xb[0] + (i as f64 + 0.5) * (xb[1] - xb[0]) / inner.width.max(1) as f64;
                [(x, 0.5), (x, -0.5)]
            })
            .collect();
        ctx.draw(&Points {
            coords: &dashes,
            color: dim,
        });
        line(ctx, [xb[0], 0.0], [xb[1], 0.0], dim);
    };
    pairs_chart(f, s, area, &titles, [-top, top], |_, o| o, lines);
}

/// One column per target class: the x bounds of the landing and error charts.
fn x_bounds(s: &Scene) -> [f64; 2] {
    [-0.5, s.construction.modulus as f64 - 0.5]
}

/// Every pair as a point at (target, y(target, offset)) over `back` (drawn first, given the
/// panel's inside): right answers in W_out's colour, wrong ones in the warning colour, and
/// the chosen pair marked ●.
fn pairs_chart(
    f: &mut Frame,
    s: &Scene,
    area: Rect,
    titles: &[String],
    yb: [f64; 2],
    y: fn(f64, f64) -> f64,
    back: impl Fn(&mut Context, Rect),
) {
    let c = s.construction;
    let theme = s.theme;
    let block = panel(titled(titles, area), theme);
    let inner = block.inner(area);
    let xb = x_bounds(s);
    let (ok, bad) = split_pixels(c, inner, xb, yb, y);
    let p = c.pair(s.a, s.b);
    let (wout, warn, title) = (color(theme.w_out()), color(theme.warn()), theme.title());
    let canvas = Canvas::default()
        .block(block)
        .marker(Marker::Braille)
        .x_bounds(xb)
        .y_bounds(yb)
        .paint(move |ctx| {
            back(ctx, inner);
            ctx.layer();
            ctx.draw(&Points {
                coords: &ok,
                color: wout,
            });
            ctx.draw(&Points {
                coords: &bad,
                color: warn,
            });
            if !p.offset.is_nan() {
                let at = y(p.target as f64, p.offset as f64);
                ctx.print(p.target as f64, at, Span::styled("●", title));
            }
        });
    f.render_widget(canvas, area);
}

/// The article's claim for these parameters, and whether the numbers bear it out.
pub fn claim(c: &Construction) -> (String, bool) {
    let r = &c.report;
    let (m, n) = (c.modulus, c.neurons);
    let pairs = (m * m) as f64;
    let all_right = r.accuracy == 1.0 && r.ties == 0;
    match c.activation {
        Activation::Square if n == 3 || n > 4 => {
            if m % 2 == 1 {
                (
                    "x² exact (odd M, N > 4)".into(),
                    all_right && r.max_abs_error < 1e-9,
                )
            } else {
                (
                    format!("even M: a − b ≡ {} ties", m / 2),
                    r.ties == m && r.accuracy == (pairs - m as f64) / pairs,
                )
            }
        }
        Activation::Square => ("x² with N ≤ 4 fails".into(), r.accuracy < 1.0),
        Activation::Relu if n % 2 == 0 => ("even N mirrors, fails".into(), r.accuracy < 1.0),
        Activation::Relu => (
            "ReLU only approximates".into(),
            r.max_abs_error > 1e-3 && r.max_abs_error.is_finite(),
        ),
    }
}

fn readout(f: &mut Frame, s: &Scene, area: Rect, compact: bool) {
    let c = s.construction;
    let r = &c.report;
    let theme = s.theme;
    let m = c.modulus;
    let half_turn = if m.is_multiple_of(2) {
        c.tied_pairs()
            .filter(|&(a, b)| (a + m - b) % m == m / 2)
            .count()
    } else {
        0
    };
    let mut lines = Vec::new();
    if !compact {
        for row in &s.params {
            let text = format!(
                "{}{:<4}{:<11}{:>8}",
                if row.selected { "▸ " } else { "  " },
                row.key,
                row.label,
                row.value
            );
            lines.push(Line::from(if row.selected {
                Span::styled(text, theme.selected())
            } else {
                Span::raw(text)
            }));
        }
        lines.push(Line::from(Span::styled("─".repeat(36), theme.dim())));
    }
    let correct = (r.accuracy * (m * m) as f64).round() as usize;
    lines.push(Line::from(format!(
        "accuracy  {:.2}% ({correct}/{} pairs)",
        r.accuracy * 100.0,
        m * m
    )));
    let ties_style = if r.ties > 0 {
        theme.warn()
    } else {
        Style::default()
    };
    let mut ties = format!("ties      {}", r.ties);
    if m.is_multiple_of(2) {
        ties.push_str(&format!(" ({half_turn} at a − b ≡ {})", m / 2));
    }
    lines.push(Line::from(Span::styled(ties, ties_style)));
    let err = if r.max_abs_error.is_finite() {
        format!("{:.3e}", r.max_abs_error)
    } else {
        "∞".into()
    };
    lines.push(Line::from(format!("max error {err} (closed form)")));
    let (text, holds) = claim(c);
    lines.push(Line::from(vec![
        Span::raw("claim     "),
        Span::raw(text),
        if holds {
            Span::styled(" ✓", theme.train())
        } else {
            Span::styled(" ✗", theme.warn())
        },
    ]));
    let title = format!("M {} · N {} · {}", m, c.neurons, act_name(c.activation));
    f.render_widget(Paragraph::new(lines).block(panel(title, theme)), area);
}
