//! Stars (the article's mod-bot-freqs-hidden and -out): for each key frequency k, every
//! neuron's (cos k, sin k) coefficient as a point around a circle; the neurons of k's group
//! joined in the order of their W_input phase, the others faint. W_input's points of a
//! clean group lie evenly around the circle; W_output's, joined in the same order, turn twice
//! as fast and draw a star. The group's points are numbered 1, 2, … in that order where the
//! star is large enough, so the path reads point by point. Every frequency where each star
//! keeps at least [`MIN_H`] rows; else one at a time, as large as the panel allows (`n` /
//! `N` step through them).

use super::{Shown, fit, group_order, shown, title_room};
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

/// Smallest star worth drawing: a label row and 8 braille rows (a circle 32 dots across).
const MIN_H: u16 = 9;

/// The frequencies with a star, from the one on screen: the groups in the order `n` steps
/// through (key frequencies first), and where the first is in that order.
fn frequencies(s: &Shown) -> (Vec<usize>, usize) {
    let (order, start) = group_order(s);
    let freqs = order
        .into_iter()
        .map(|g| s.mech.groups[g].frequency)
        .collect();
    (freqs, start)
}

/// How the stars are laid out in a panel's inner area: `stacked`, W_input's stars in a row
/// above W_output's, else side by side in (W_input, W_output) pairs; each star `w × h`
/// cells, label row included; `n` frequencies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Arrangement {
    pub stacked: bool,
    pub w: u16,
    pub h: u16,
    pub n: usize,
}

/// The arrangement for `freqs` frequencies in `inner`: every frequency if each star keeps at
/// least [`MIN_H`] rows, else the one on screen as large as it goes. A star is about twice as
/// wide as tall in cells (round on screen).
pub(super) fn arrange(inner: Rect, freqs: usize) -> Option<Arrangement> {
    let round = |h: u16| 2 * h.saturating_sub(1) + 2;
    let stacked = |n: u16| {
        let h = inner.height / 2;
        let w = round(h).min(inner.width / n.max(1));
        Arrangement {
            stacked: true,
            w,
            h: h.min(w / 2 + 1),
            n: n as usize,
        }
    };
    let paired = |n: u16| {
        let w = round(inner.height).min(inner.width / (2 * n.max(1)));
        Arrangement {
            stacked: false,
            w,
            h: inner.height.min(w / 2 + 1),
            n: n as usize,
        }
    };
    let want = freqs.max(1) as u16;
    let all = [stacked(want), paired(want)]
        .into_iter()
        .filter(|a| a.h >= MIN_H)
        .max_by_key(|a| a.h);
    all.or_else(|| {
        [stacked(1), paired(1)]
            .into_iter()
            .filter(|a| a.h >= 4 && a.w >= 8)
            .max_by_key(|a| (a.h, a.stacked))
    })
}

fn render(f: &mut Frame, cx: &Ctx, area: Rect) {
    let Ok(s) = shown(cx) else {
        return;
    };
    let theme = cx.theme;
    let inner = panel("", theme).inner(area);
    let (freqs, start) = frequencies(&s);
    let arr = arrange(inner, freqs.len());
    let shown_n = arr.map_or(0, |a| a.n.min(freqs.len()));
    let room = title_room(area);
    let title = if shown_n < freqs.len() && shown_n > 0 {
        let k = freqs[0];
        let at = format!("k={k} ({} of {})", start + 1, freqs.len());
        fit(
            &[
                &format!("stars · {at} · n: next · (cos k, sin k) per neuron"),
                &format!("stars · {at} · n: next"),
                &format!("stars · k={k}"),
                "stars",
            ],
            room,
        )
    } else {
        fit(
            &[
                "stars · each neuron's (cos k, sin k), joined by phase",
                "stars · (cos k, sin k) per neuron",
                "stars",
            ],
            room,
        )
    };
    f.render_widget(panel(title, theme), area);
    let Some(arr) = arr else {
        return;
    };
    // Centred across the panel.
    let used = shown_n as u16 * arr.w * if arr.stacked { 1 } else { 2 };
    let x0 = inner.x + inner.width.saturating_sub(used) / 2;
    for (i, &k) in freqs.iter().take(shown_n).enumerate() {
        let i = i as u16;
        let (cell_in, cell_out) = if arr.stacked {
            let x = x0 + i * arr.w;
            (
                Rect::new(x, inner.y, arr.w, arr.h),
                Rect::new(x, inner.y + inner.height / 2, arr.w, arr.h),
            )
        } else {
            let x = x0 + 2 * i * arr.w;
            (
                Rect::new(x, inner.y, arr.w, arr.h),
                Rect::new(x + arr.w, inner.y, arr.w, arr.h),
            )
        };
        draw_star(f, cx, &s, cell_in, &s.mech.input, k, false);
        draw_star(f, cx, &s, cell_out, &s.mech.output, k, true);
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
    let others: Vec<usize> = (0..coeffs.n_neurons())
        .filter(|j| !group.contains(j))
        .collect();
    // The star's scale: the circle's radius (the mean length of the group's (cos k, sin k))
    // and the axes' directions, in a row under the star where it has a row to spare (it
    // keeps its numbers), else by the label.
    let (plot, caption) = if plot.height >= 9 {
        let [p, c] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(plot);
        (p, Some(c))
    } else {
        (plot, None)
    };
    let color = |st: Style| st.fg.unwrap_or(Color::Reset);
    let drawing = Star {
        members: star(coeffs, k, group),
        faint: star(coeffs, k, &others),
        selected: (s.neuron < coeffs.n_neurons())
            .then(|| (coeffs.cos(k, s.neuron), coeffs.sin(k, s.neuron))),
        // Numbered by phase (as the article numbers them) where the star has room.
        numbered: plot.height >= 8,
        line: color(if output { theme.w_out() } else { theme.w_in() }),
        dim: color(theme.dim()),
        chosen: theme.neuron(),
        number: if output { theme.w_out() } else { theme.w_in() }
            .add_modifier(ratatui::style::Modifier::BOLD),
    };
    let r = crate::ui::heatmap::short(drawing.norm() as f32);
    let tag = caption.is_none().then(|| format!(" ○ {r}"));
    head_label(f, cx, head, k, output, tag.as_deref());
    drawing.paint(f, plot);
    if let Some(row) = caption {
        let text = fit(
            &[
                &format!("○ radius {r} · x: cos k, y: sin k"),
                &format!("○ r {r} · x cos, y sin"),
                &format!("○ r {r}"),
            ],
            // A blank cell each side, apart from the next star's caption.
            (row.width as usize).saturating_sub(2),
        );
        let x = row.x + row.width.saturating_sub(text.chars().count() as u16) / 2;
        f.buffer_mut().set_string(x, row.y, text, theme.dim());
    }
}

/// A star's label: its frequency and matrix, in the longest form that leaves a blank cell
/// before the next star's label; with `radius` (" ○ 5.8") after it where that still fits,
/// else without.
fn head_label(f: &mut Frame, cx: &Ctx, head: Rect, k: usize, output: bool, radius: Option<&str>) {
    let theme = cx.theme;
    let names: &[&str] = if output {
        &[" W_output (2× angle)", " W_output", " out"]
    } else {
        &[" W_input", " in"]
    };
    let room = (head.width as usize).saturating_sub(format!("k={k}").len() + 1);
    let tags: &[&str] = match radius {
        Some(t) => &[t, ""],
        None => &[""],
    };
    let (name, tag) = tags
        .iter()
        .flat_map(|&t| names.iter().map(move |&n| (n, t)))
        .find(|(n, t)| n.chars().count() + t.chars().count() <= room)
        .unwrap_or(("", ""));
    let label = vec![
        Span::styled(format!("k={k}"), theme.key()),
        Span::styled(name, if output { theme.w_out() } else { theme.w_in() }),
        Span::styled(tag.to_string(), theme.dim()),
    ];
    f.render_widget(Paragraph::new(Line::from(label)), head);
}

/// One star as drawn: the group's neurons (joined by phase), the others faint, the selected
/// neuron marked.
struct Star {
    members: Vec<(f32, f32)>,
    faint: Vec<(f32, f32)>,
    selected: Option<(f32, f32)>,
    /// The members numbered 1, 2, … in their phase order, at their points.
    numbered: bool,
    line: Color,
    dim: Color,
    chosen: Style,
    number: Style,
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
                if self.numbered {
                    ctx.layer();
                    for (i, &(x, y)) in member_pts.iter().enumerate() {
                        let label = Span::styled((i + 1).to_string(), self.number);
                        ctx.print(x, y, label);
                    }
                }
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
