//! Logit waves (the article's mod-bot-sliders and mod-bot-logits): for the pair (a, b) on
//! screen (moved with a/A and b/B), each frequency group's contribution to the logits over
//! c = 0…P−1 (a wave cos(2πk(a + b − c)/P) once the model has grokked), and their total, the
//! model's logits, with the right answer and the model's argmax marked. Whether (a, b) is a
//! training or a test pair is said: before grokking the argmax is right on training pairs
//! only.

use super::{Shown, fit, grid, scale, shown, strongest_groups, title_room};
use crate::probe::mechanism::PairKind;
use crate::ui::{Ctx, Panel, panel, sticky_scale};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::widgets::canvas::{Canvas, Line as CLine};

pub const PANEL: Panel = Panel {
    name: "logit waves",
    applies: |c| c.task == crate::train::TaskKind::Modular,
    render,
};

/// The pair, the answer, the model's and the split, as one line (the split in a word when
/// `short`).
fn pair_line(cx: &Ctx, s: &Shown, short: bool) -> Line<'static> {
    let theme = cx.theme;
    let l = &s.logits;
    let op = cx.snapshot.config.op;
    let mut spans = vec![
        Span::styled("a ", theme.dim()),
        Span::styled(format!("{}", l.a), theme.title()),
        Span::styled(format!(" {} b ", symbol(op)), theme.dim()),
        Span::styled(format!("{}", l.b), theme.title()),
        Span::styled(" → ", theme.dim()),
    ];
    match l.answer {
        Some(c) => spans.push(Span::styled(format!("{c}"), theme.key())),
        None => spans.push(Span::styled("undefined", theme.warn())),
    }
    spans.push(Span::styled(" · model ", theme.dim()));
    let (mark, style) = if l.correct() {
        ("✓", theme.key())
    } else {
        ("✗", theme.warn())
    };
    spans.push(Span::styled(format!("{} {mark}", l.argmax), style));
    let (kind, style) = match (s.kind, short) {
        (PairKind::Train, false) => ("training pair", theme.train()),
        (PairKind::Test, false) => ("test pair", theme.test()),
        (PairKind::Unused, false) => ("not in the data", theme.dim()),
        (PairKind::Train, true) => ("train", theme.train()),
        (PairKind::Test, true) => ("test", theme.test()),
        (PairKind::Unused, true) => ("unused", theme.dim()),
    };
    spans.push(Span::styled(" · ", theme.dim()));
    spans.push(Span::styled(kind, style));
    Line::from(spans)
}

fn symbol(op: crate::train::Op) -> &'static str {
    use crate::train::Op;
    match op {
        Op::Add => "+",
        Op::Sub => "−",
        Op::Mul => "×",
        Op::Div => "÷",
    }
}

fn render(f: &mut Frame, cx: &Ctx, area: Rect) {
    let Ok(s) = shown(cx) else {
        return;
    };
    let block = panel(title(cx, &s, area), cx.theme);
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.height < 3 {
        return;
    }
    let total_h = (inner.height * 2 / 5).max(4).min(inner.height - 1);
    let [head, groups_area, total_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(total_h),
    ])
    .areas(inner);
    let line = pair_line(cx, &s, false);
    let line = if line.width() > head.width as usize {
        pair_line(cx, &s, true)
    } else {
        line
    };
    f.render_widget(Paragraph::new(line), head);
    groups(f, cx, &s, groups_area);
    total(f, cx, &s, total_area);
}

/// The panel's title in the room `area` leaves: the sum drawn, and what the charts split.
fn title(cx: &Ctx, s: &Shown, area: Rect) -> String {
    let sum = format!(
        "logit waves of a {} b mod {}",
        symbol(cx.snapshot.config.op),
        s.p
    );
    fit(
        &[
            &format!("{sum} · each group's part (a/A b/B)"),
            &format!("{sum} · each group's part"),
            &format!("{sum} · by group"),
            &sum,
            "logit waves",
        ],
        title_room(area),
    )
}

/// The strongest frequency groups that fit `area`, each a small chart of its part of the
/// logits under its label (k, how many neurons).
fn groups(f: &mut Frame, cx: &Ctx, s: &Shown, area: Rect) {
    let theme = cx.theme;
    let room = grid(area, s.mech.groups.len(), 20, 3).len();
    let shown_groups = strongest_groups(s, room);
    let cells = grid(area, shown_groups.len(), 20, 3);
    for (&g, &cell) in shown_groups.iter().zip(&cells) {
        let group = &s.mech.groups[g];
        let k = group.frequency;
        let key = s.keys.contains(&k);
        let [label, plot] =
            Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(cell);
        f.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(
                    format!("k={k}"),
                    if key { theme.key() } else { theme.title() },
                ),
                Span::styled(
                    format!(
                        " · {} neuron{}",
                        group.neurons.len(),
                        super::waves::plural(group.neurons.len())
                    ),
                    theme.dim(),
                ),
            ])),
            label,
        );
        let n = group.neurons.len();
        let label_text = format!("k={k} · {n} neuron{}", super::waves::plural(n));
        let used = label_text.chars().count();
        let tag = scale::range(range_of(&s.logits.groups[g]));
        // A blank cell before the next chart's label.
        let room = Rect {
            width: label.width.saturating_sub(1),
            ..label
        };
        scale::tag_right(f.buffer_mut(), room, used, &tag, theme.dim());
        chart(
            f,
            plot,
            &s.logits.groups[g],
            s.logits.answer,
            None,
            false,
            cx,
        );
    }
}

/// The groups' sum, the model's logits, as bars, with the answer and argmax marked below.
fn total(f: &mut Frame, cx: &Ctx, s: &Shown, area: Rect) {
    let [label, plot, marks] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(area);
    f.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("all groups", cx.theme.title()),
            Span::styled(" · the model's logits over c", cx.theme.dim()),
        ])),
        label,
    );
    let used = "all groups · the model's logits over c".chars().count();
    let tag = scale::range(range_of(&s.logits.total));
    scale::tag_right(f.buffer_mut(), label, used, &tag, cx.theme.dim());
    let (answer, argmax) = (s.logits.answer, s.logits.argmax);
    chart(f, plot, &s.logits.total, answer, Some(argmax), true, cx);
    markers(f, marks, s.p, answer, argmax, cx);
}

/// The range a logit chart spans: ±this (see [`chart`]).
fn range_of(values: &[f32]) -> f64 {
    f64::from(sticky_scale(
        values.iter().fold(0.0f32, |m, v| m.max(v.abs())),
    ))
}

/// ▲ under the right answer, ✗ under a wrong argmax, with their numbers; the axis over c
/// (0 and P−1 at its ends, with its round ticks) where they leave room.
fn markers(f: &mut Frame, area: Rect, p: usize, answer: Option<usize>, argmax: usize, cx: &Ctx) {
    let theme = cx.theme;
    let buf = f.buffer_mut();
    // The marks' cells (and a blank each side), which the axis leaves free.
    let taken: Vec<(u16, u16)> = [Some(argmax).filter(|&c| answer != Some(c)), answer]
        .into_iter()
        .flatten()
        .map(|c| {
            let len = c.to_string().len() as u16 + 1;
            let x = scale::column(c, p, area.width).min(area.width.saturating_sub(len));
            (x.saturating_sub(1), x + len + 1)
        })
        .collect();
    let last = p.saturating_sub(1);
    for x in scale::ticks(p, area.width) {
        let label = x.to_string();
        let w = label.len() as u16;
        let at = if x == last {
            area.width.saturating_sub(w)
        } else {
            scale::column(x, p, area.width).saturating_sub(w / 2)
        };
        if taken.iter().all(|&(a, b)| at + w <= a || at >= b) {
            buf.set_string(area.x + at, area.y, label, theme.dim());
        }
    }
    let mut put = |c: usize, text: String, style: Style| {
        let x = scale::column(c, p, area.width);
        let len = text.chars().count() as u16;
        let x = x.min(area.width.saturating_sub(len));
        buf.set_string(area.x + x, area.y, text, style);
    };
    if answer != Some(argmax) {
        put(argmax, format!("✗{argmax}"), theme.warn());
    }
    if let Some(c) = answer {
        put(c, format!("▲{c}"), theme.key());
    }
}

/// One logit chart over c in ±max|v|: a line (bars for the total), the right answer's
/// column in the key colour, a wrong argmax's in the warning colour.
fn chart(
    f: &mut Frame,
    area: Rect,
    values: &[f32],
    answer: Option<usize>,
    argmax: Option<usize>,
    bars: bool,
    cx: &Ctx,
) {
    if area.width == 0 || area.height == 0 || values.is_empty() {
        return;
    }
    let theme = cx.theme;
    let p = values.len();
    let max = values.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    let scale = f64::from(sticky_scale(max));
    let color = |st: Style| st.fg.unwrap_or(Color::Reset);
    let (key, warn, plain, dim) = (
        color(theme.key()),
        color(theme.warn()),
        color(theme.bar()),
        color(theme.dim()),
    );
    let canvas = Canvas::default()
        .marker(Marker::Braille)
        .x_bounds([0.0, (p.max(2) - 1) as f64])
        .y_bounds([-scale, scale])
        .paint(|ctx| {
            ctx.draw(&CLine::new(0.0, 0.0, (p - 1) as f64, 0.0, dim));
            if bars {
                for (c, &v) in values.iter().enumerate() {
                    if Some(c) == answer || Some(c) == argmax {
                        continue;
                    }
                    ctx.draw(&CLine::new(c as f64, 0.0, c as f64, f64::from(v), plain));
                }
            } else {
                for (c, w) in values.windows(2).enumerate() {
                    ctx.draw(&CLine::new(
                        c as f64,
                        f64::from(w[0]),
                        (c + 1) as f64,
                        f64::from(w[1]),
                        plain,
                    ));
                }
            }
            ctx.layer();
            if let Some(c) = argmax.filter(|&c| Some(c) != answer) {
                ctx.draw(&CLine::new(
                    c as f64,
                    0.0,
                    c as f64,
                    f64::from(values[c]),
                    warn,
                ));
            }
            if let Some(c) = answer {
                let top = if bars { f64::from(values[c]) } else { scale };
                let bottom = if bars { 0.0 } else { -scale };
                ctx.draw(&CLine::new(c as f64, bottom, c as f64, top, key));
            }
        });
    f.render_widget(canvas, area);
}
