//! Wave lines (the article's mod-top-waves): one small chart per frequency group, each
//! neuron's W_input column (or, `o`, W_output row) drawn as a line over 0…P−1; `u` plots it
//! against k·x mod P instead, which turns a clean frequency-k wave into one period.

use super::{Shown, grid, shown, strongest_groups};
use crate::probe::mechanism::unwrapped;
use crate::ui::{Ctx, Panel, panel, sticky_scale};
use ratatui::Frame;
use ratatui::layout::Rect;
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

/// Smallest chart: a label row and two braille rows, 24 columns.
const MIN_W: u16 = 24;
const MIN_H: u16 = 3;

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
    let which = if s.choice.output {
        "W_output over c"
    } else {
        "W_input over a"
    };
    let how = if s.choice.unwrapped {
        " unwrapped (against k·a mod P)"
    } else {
        " by frequency"
    };
    let block = panel(format!("waves · {which}{how}"), theme);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let all = s.mech.groups.len();
    let room = grid(inner, all, MIN_W, MIN_H).len();
    let groups = strongest_groups(&s, room);
    let cells = grid(inner, groups.len(), MIN_W, MIN_H);
    for (&g, &cell) in groups.iter().zip(&cells) {
        draw_group(f, cx, &s, g, cell);
    }
    if groups.len() < all && inner.height > 0 {
        let more = format!(" +{} more groups ", all - groups.len());
        let w = more.chars().count() as u16;
        if area.width > w + 2 {
            let at = Rect::new(area.right() - w - 1, area.bottom() - 1, w, 1);
            f.render_widget(Paragraph::new(Span::styled(more, theme.dim())), at);
        }
    }
}

/// Frequency group `g`'s waves in `cell`: a label (its frequency, its size, the selected
/// neuron if it is one of them) over one line per neuron.
fn draw_group(f: &mut Frame, cx: &Ctx, s: &Shown, g: usize, cell: Rect) {
    let theme = cx.theme;
    let group = &s.mech.groups[g];
    let k = group.frequency;
    let key = s.keys.contains(&k);
    let mut label = vec![
        Span::styled(
            format!("k={k}"),
            if key { theme.key() } else { theme.title() },
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
    if group.neurons.contains(&s.neuron) {
        label.push(Span::styled(format!(" · #{}", s.neuron), theme.neuron()));
    }
    let [head, plot] = ratatui::layout::Layout::vertical([
        ratatui::layout::Constraint::Length(1),
        ratatui::layout::Constraint::Fill(1),
    ])
    .areas(cell);
    f.render_widget(Paragraph::new(Line::from(label)), head);
    let lines: Vec<(usize, Vec<(f64, f64)>)> =
        group.neurons.iter().map(|&j| (j, wave(s, j, k))).collect();
    let max = lines
        .iter()
        .flat_map(|(_, p)| p.iter().map(|q| q.1.abs()))
        .fold(0.0f64, f64::max);
    let scale = f64::from(sticky_scale(max as f32));
    let line_style = if s.choice.output {
        theme.w_out()
    } else {
        theme.w_in()
    };
    draw_lines(
        f,
        plot,
        &lines,
        s.p,
        scale,
        s.neuron,
        [line_style, theme.neuron()],
    );
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

/// Lines over x = 0…P−1 in ±scale, the selected neuron's in its own style, drawn last and
/// labelled with its number at its left end (so it reads without colour). `pens`: the
/// lines' style and the selected one's.
fn draw_lines(
    f: &mut Frame,
    area: Rect,
    lines: &[(usize, Vec<(f64, f64)>)],
    p: usize,
    scale: f64,
    selected: usize,
    [style, chosen]: [Style; 2],
) {
    if area.height == 0 || area.width == 0 {
        return;
    }
    let color = |s: Style| s.fg.unwrap_or(Color::Reset);
    let canvas = Canvas::default()
        .marker(Marker::Braille)
        .x_bounds([0.0, (p.max(2) - 1) as f64])
        .y_bounds([-scale, scale])
        .paint(|ctx| {
            for (j, pts) in lines {
                if *j == selected {
                    continue;
                }
                for w in pts.windows(2) {
                    ctx.draw(&CLine::new(w[0].0, w[0].1, w[1].0, w[1].1, color(style)));
                }
            }
            if let Some((j, pts)) = lines.iter().find(|(j, _)| *j == selected) {
                ctx.layer();
                for w in pts.windows(2) {
                    ctx.draw(&CLine::new(w[0].0, w[0].1, w[1].0, w[1].1, color(chosen)));
                }
                if let Some(&(x, y)) = pts.first() {
                    ctx.print(x, y, Span::styled(format!("#{j}"), chosen));
                }
            }
        });
    f.render_widget(canvas, area);
}
