//! Wave lines (the article's mod-top-waves): one chart per frequency group, each neuron's
//! W_input column (or, `o`, W_output row) over 0…P−1 on a thin strip of its own, numbered at
//! its left, all strips of a group on one scale: every neuron's wave reads by itself (drawn
//! on top of each other, eight lines of braille are a solid block). `u` plots them against
//! k·x mod P instead, which turns a clean frequency-k wave into one period. The groups start
//! at the one on screen (`n` / `N`) and fill the panel as far as they fit.

use super::{Shown, fit, group_order, scale, shown, title_room};
use crate::probe::mechanism::{Group, unwrapped};
use crate::ui::{Ctx, Panel, Theme, panel, sticky_scale};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::widgets::canvas::{Canvas, Line as CLine};

pub const PANEL: Panel = Panel {
    name: "waves",
    applies: |c| c.task == crate::train::TaskKind::Modular,
    render,
};

/// Narrowest column of groups: the neuron numbers and about two braille dots per input.
const MIN_COLUMN: u16 = 40;
/// Braille dot rows per neuron's strip: at least one text row, at most three.
const MIN_DOTS: usize = 4;
const MAX_DOTS: usize = 12;

/// Neuron `j`'s weights over 0…P−1: its W_input column or W_output row.
pub(super) fn values(s: &Shown, j: usize, output: bool) -> Vec<f64> {
    if output {
        s.m.w_output.row(j).to_vec()
    } else {
        s.m.w_input.column(j).to_vec()
    }
}

fn render(f: &mut Frame, cx: &Ctx, area: Rect) {
    let Ok(s) = shown(cx) else {
        return;
    };
    let theme = cx.theme;
    let (name, over, unwrapped) = if s.choice.output {
        ("W_output", "c", "k·c")
    } else {
        ("W_input", "a", "k·a")
    };
    let long = if s.choice.unwrapped {
        format!("waves · {name} against {unwrapped} mod P (u: over {over}) · a strip per neuron")
    } else {
        format!("waves · {name} over {over} · a strip per neuron (u: unwrap)")
    };
    let mid = if s.choice.unwrapped {
        format!("waves · {name} against {unwrapped} mod P")
    } else {
        format!("waves · {name} over {over}")
    };
    let title = fit(&[&long, &mid, "waves"], title_room(area));
    let block = panel(title, theme);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let (order, start) = group_order(&s);
    let sizes: Vec<usize> = order
        .iter()
        .map(|&g| s.mech.groups[g].neurons.len())
        .collect();
    // The bottom row for the inputs' axis where the panel has rows to spare for it.
    let axis_row = (inner.height >= 6).then(|| inner.bottom() - 1);
    let groups_area = Rect {
        height: inner.height - u16::from(axis_row.is_some()),
        ..inner
    };
    let cells = plan(groups_area, &sizes);
    // One strip height for every group on screen (so their waves compare), as the most
    // crowded group allows.
    let band = cells
        .iter()
        .map(|&(i, c)| c.height.saturating_sub(1) as usize * 4 / sizes[i].max(1))
        .min()
        .unwrap_or(MIN_DOTS)
        .clamp(MIN_DOTS, MAX_DOTS);
    for &(i, cell) in &cells {
        let place = (start + i) % order.len();
        draw_group(f, cx, &s, order[i], cell, (place, order.len(), band));
    }
    if let Some(y) = axis_row {
        let name = match (s.choice.unwrapped, s.choice.output) {
            (false, false) => "a",
            (false, true) => "c",
            (true, false) => "k·a",
            (true, true) => "k·c",
        };
        let gutter = gutter(&s);
        let mut columns: Vec<(u16, u16)> = cells.iter().map(|(_, c)| (c.x, c.width)).collect();
        columns.dedup();
        for (x, w) in columns.into_iter().filter(|&(_, w)| w > gutter) {
            let plot = Rect::new(x + gutter, y, w - gutter, 1);
            scale::x_axis(f.buffer_mut(), plot, y, s.p, name, theme.dim());
        }
    }
    if cells.len() < order.len() && inner.height > 0 {
        let left = order.len() - cells.len();
        let more = format!(" +{left} group{} · n: next ", plural(left));
        let w = more.chars().count() as u16;
        if area.width > w + 2 {
            let at = Rect::new(area.right() - w - 1, area.bottom() - 1, w, 1);
            f.render_widget(Paragraph::new(Span::styled(more, theme.dim())), at);
        }
    }
}

/// Where each group goes: columns of at least [`MIN_COLUMN`] cells, each filled top down
/// with whole groups (a label row and a text row per neuron at least) in `sizes`' order, the
/// spare rows shared out by size. The first group of a column goes in even when it does not
/// fit (its strips are then cut). Returns (index into `sizes`, cell).
pub(super) fn plan(inner: Rect, sizes: &[usize]) -> Vec<(usize, Rect)> {
    if inner.width == 0 || inner.height < 2 || sizes.is_empty() {
        return Vec::new();
    }
    let cols = (inner.width / MIN_COLUMN).max(1);
    let columns = Layout::horizontal(vec![Constraint::Ratio(1, cols as u32); cols as usize])
        .spacing(1)
        .split(inner);
    let mut out = Vec::new();
    let mut next = 0;
    for col in columns.iter() {
        let mut members = Vec::new();
        let mut used = 0usize;
        while next < sizes.len() {
            let need = 1 + sizes[next];
            if used + need > col.height as usize && !members.is_empty() {
                break;
            }
            members.push(next);
            used += need;
            next += 1;
            if used >= col.height as usize {
                break;
            }
        }
        let weights: Vec<Constraint> = members
            .iter()
            .map(|&i| Constraint::Fill(1 + sizes[i] as u16))
            .collect();
        let cells = Layout::vertical(weights).split(*col);
        out.extend(members.iter().copied().zip(cells.iter().copied()));
    }
    out
}

/// A frequency group's label (its frequency, its size, then as much of the rest as fits
/// whole in `room` columns: strips drawn, the selected neuron, its place) and its width.
fn group_label(
    theme: &Theme,
    s: &Shown,
    group: &Group,
    strips: usize,
    place: (usize, usize, usize),
    room: usize,
) -> (Vec<Span<'static>>, usize) {
    let k = group.frequency;
    let mut label = vec![
        Span::styled(
            format!("k={k}"),
            if s.keys.contains(&k) {
                theme.key()
            } else {
                theme.title()
            },
        ),
        Span::styled(
            format!(
                " · {} neuron{}",
                group.neurons.len(),
                plural(group.neurons.len())
            ),
            theme.dim(),
        ),
    ];
    // The rest as far as it fits whole.
    let mut more = Vec::new();
    if strips < group.neurons.len() {
        more.push(Span::styled(format!(" ({strips} drawn)"), theme.dim()));
    }
    if group.neurons.contains(&s.neuron) {
        more.push(Span::styled(format!(" · #{}", s.neuron), theme.neuron()));
    }
    if place.1 > 1 {
        more.push(Span::styled(
            format!(" · {}/{}", place.0 + 1, place.1),
            theme.dim(),
        ));
    }
    let mut width: usize = label.iter().map(Span::width).sum();
    for span in more {
        if width + span.width() <= room {
            width += span.width();
            label.push(span);
        }
    }
    (label, width)
}

/// Frequency group `g`'s waves in `cell`: a label (its frequency, its size, the selected
/// neuron if it is one of them, its place in the order) over a strip per neuron. `place`:
/// (its place, the number of groups, dot rows per strip).
fn draw_group(
    f: &mut Frame,
    cx: &Ctx,
    s: &Shown,
    g: usize,
    cell: Rect,
    place: (usize, usize, usize),
) {
    let theme = cx.theme;
    let group = &s.mech.groups[g];
    let k = group.frequency;
    let [head, plot] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(cell);
    let strips = strip_count(plot.height, group.neurons.len());
    let (label, width) = group_label(theme, s, group, strips, place, head.width as usize);
    f.render_widget(Paragraph::new(Line::from(label)), head);
    let lines: Vec<(usize, Vec<(f64, f64)>)> = group
        .neurons
        .iter()
        .take(strips)
        .map(|&j| (j, wave(s, j, k)))
        .collect();
    let max = group
        .neurons
        .iter()
        .flat_map(|&j| values(s, j, s.choice.output))
        .fold(0.0f64, |m, v| m.max(v.abs()));
    let scale = f64::from(sticky_scale(max as f32));
    // The strips' value range at the right of the label: each strip spans ±scale.
    scale::tag_right(
        f.buffer_mut(),
        head,
        width,
        &scale::range(scale),
        theme.dim(),
    );
    let line_style = if s.choice.output {
        theme.w_out()
    } else {
        theme.w_in()
    };
    let strip = Strips {
        gutter: gutter(s),
        band: place.2,
        lines: &lines,
        p: s.p,
        scale,
        selected: s.neuron,
        pens: [line_style, theme.neuron(), theme.dim()],
    };
    strip.draw(f, plot);
}

/// How many neurons get a strip in a plot `rows` high: all of them while each has a text row.
pub(super) fn strip_count(rows: u16, neurons: usize) -> usize {
    neurons.min(rows as usize * 4 / MIN_DOTS)
}

/// Neuron `j`'s wave as points: over x, or unwrapped against k·x mod P.
fn wave(s: &Shown, j: usize, k: usize) -> Vec<(f64, f64)> {
    let v = values(s, j, s.choice.output);
    if s.choice.unwrapped {
        unwrapped(&v, k)
            .into_iter()
            .map(|(x, y)| (x as f64, y))
            .collect()
    } else {
        v.iter().enumerate().map(|(x, &y)| (x as f64, y)).collect()
    }
}

pub(super) fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A group's strips: one line per neuron over x = 0…P−1 in ±scale, top to bottom, each in a
/// band of braille dot rows with a blank dot row under it; the neuron's number left of its
/// band, the selected one's as #j in its own style, its line too. `pens`: the lines, the
/// selected neuron's, the numbers.
struct Strips<'a> {
    /// Cells left of the strips for the neurons' numbers: the same in every group.
    gutter: u16,
    /// Dot rows per strip (at most what the area gives each).
    band: usize,
    lines: &'a [(usize, Vec<(f64, f64)>)],
    p: usize,
    scale: f64,
    selected: usize,
    pens: [Style; 3],
}

impl Strips<'_> {
    fn draw(&self, f: &mut Frame, area: Rect) {
        let n = self.lines.len();
        let gutter = self.gutter;
        if n == 0 || area.height == 0 || area.width <= gutter {
            return;
        }
        let dots = area.height as usize * 4;
        let band = (dots / n).min(self.band).clamp(1, MAX_DOTS);
        let [style, chosen, dim] = self.pens;
        let color = |s: Style| s.fg.unwrap_or(Color::Reset);
        let buf = f.buffer_mut();
        // Each band's lines: its top `band − 1` dot rows (one row when the band is one dot).
        let mut segments = Vec::new();
        for (i, (j, pts)) in self.lines.iter().enumerate() {
            let top = (i * band) as f64;
            let half = (band.saturating_sub(2)) as f64 / 2.0;
            let centre = top + half;
            let row = area.y + ((top + half) as usize / 4) as u16;
            let (text, st) = if *j == self.selected {
                (format!("#{j}"), chosen)
            } else {
                (format!("{j}"), dim)
            };
            let x = area.x + gutter - 1 - text.chars().count() as u16;
            buf.set_string(x, row.min(area.bottom() - 1), text, st);
            let pen = color(if *j == self.selected { chosen } else { style });
            // Canvas y grows upwards from the bottom dot row (0) to the top one (dots − 1).
            let y =
                |v: f64| (dots - 1) as f64 - (centre - (v / self.scale).clamp(-1.0, 1.0) * half);
            for w in pts.windows(2) {
                segments.push((w[0].0, y(w[0].1), w[1].0, y(w[1].1), pen));
            }
        }
        let plot = Rect::new(area.x + gutter, area.y, area.width - gutter, area.height);
        let canvas = Canvas::default()
            .marker(Marker::Braille)
            .x_bounds([0.0, (self.p.max(2) - 1) as f64])
            .y_bounds([0.0, (dots - 1) as f64])
            .paint(move |ctx| {
                for &(x1, y1, x2, y2, c) in &segments {
                    ctx.draw(&CLine::new(x1, y1, x2, y2, c));
                }
            });
        f.render_widget(canvas, plot);
    }
}

/// Cells left of every group's strips: room for the widest neuron number as "#j" and a
/// blank, so the strips of all groups (and the axis under them) line up.
fn gutter(s: &Shown) -> u16 {
    let widest = s.m.w_input.dim().1.saturating_sub(1).to_string().len();
    widest as u16 + 2
}
