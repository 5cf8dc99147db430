//! Grids without a weight decay × training-set axis pair (`mod-add-seeds`): one line per run,
//! the runs in progress (or the cursor) kept in view.

use super::side::{legend_line, render_side};
use super::{SIDE_W, Scene, drill, fmt_value, inner};
use crate::sweep::RunState;
use crate::ui::{panel, thousands};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// The list's columns: the grid's axes and their widths, and the heading over them.
struct Columns<'a> {
    axes: Vec<&'a str>,
    widths: Vec<usize>,
    head: String,
}

impl<'a> Columns<'a> {
    fn of(s: &Scene<'a>) -> Self {
        let axis_values = s.progress.runs.axis_values();
        let axes: Vec<&str> = axis_values.iter().map(|(a, _)| *a).collect();
        let widths: Vec<usize> = axis_values
            .iter()
            .map(|(a, vals)| {
                vals.iter()
                    .map(|v| fmt_value(v).chars().count())
                    .max()
                    .unwrap_or(0)
                    .max(a.chars().count())
            })
            .collect();
        let mut head = format!("{:>5}", "run");
        for (a, w) in axes.iter().zip(&widths) {
            head.push_str(&format!("  {a:>w$}"));
        }
        head.push_str(&format!(
            "  {:<11} {:>11} {:>11}  key frequencies",
            "class", "test 99 %", "steps"
        ));
        Columns { axes, widths, head }
    }
}

/// Grids without a weight decay × training-set axis pair: one line per run.
pub(super) fn render_list_body(f: &mut Frame, s: &Scene, body: Rect) {
    let theme = s.theme;
    let cols = Columns::of(s);
    // The drill-down below the list when open; else the side column when the list leaves
    // room for it (and some for key frequencies).
    let list_w = cols.head.chars().count() as u16 + 2 + 16;
    let (body, side) = if s.drill {
        let [list, drill] = Layout::vertical([
            Constraint::Fill(1),
            Constraint::Length((body.height / 2).clamp(8, 16)),
        ])
        .areas(body);
        drill::render(f, s, drill);
        (list, None)
    } else if body.width >= list_w + SIDE_W {
        let main = Rect {
            width: body.width - SIDE_W,
            ..body
        };
        let side = Rect {
            x: main.x + main.width,
            width: SIDE_W,
            ..body
        };
        (main, Some(side))
    } else {
        (body, None)
    };
    let rows = body.height.saturating_sub(3) as usize;
    // Keep the runs in progress in view: start a few rows above the first unfinished one;
    // once the cursor moved, keep it in view instead.
    let n = s.progress.runs.len();
    let mut start = s.first_open().saturating_sub(3).min(n.saturating_sub(rows));
    if let Some(k) = s.row {
        start = start.min(k).max((k + 1).saturating_sub(rows));
    }
    let mut lines = vec![Line::styled(cols.head.clone(), theme.dim())];
    lines.extend((start..(start + rows).min(n)).filter_map(|k| run_line(s, &cols, k)));
    let [list, legend] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(inner(body));
    f.render_widget(panel("runs", theme), body);
    f.render_widget(Paragraph::new(lines), list);
    f.render_widget(
        Paragraph::new(legend_line(s, legend.width as usize, None)),
        legend,
    );
    if let Some(side) = side {
        render_side(f, s, side);
    }
}

/// The line of the list's `k`-th run: its index and grid point, then its class, grok step,
/// steps and key frequencies (or that it trains or waits); reversed under the cursor.
fn run_line(s: &Scene, cols: &Columns, k: usize) -> Option<Line<'static>> {
    let theme = s.theme;
    let Some(Ok(r)) = s.progress.runs.get(k) else {
        return None;
    };
    let selected = s.row == Some(k);
    let mut text = format!("{}{:>4}", if selected { "▸" } else { " " }, r.index);
    for (a, w) in cols.axes.iter().zip(&cols.widths) {
        let v = r.point.get(*a).map(fmt_value).unwrap_or_default();
        text.push_str(&format!("  {v:>w$}"));
    }
    text.push_str("  ");
    let mut spans = vec![Span::raw(text)];
    match s.state_of(r.index) {
        RunState::Done(c) => {
            let rec = &s.progress.records[&r.index];
            spans.push(Span::styled(
                format!("{:<11}", c.name()),
                theme.class_text(c),
            ));
            spans.push(Span::raw(format!(
                " {:>11} {:>11}  {}",
                match rec.trace.test_acc_99 {
                    Some(step) => thousands(step),
                    // The article published no accuracies.
                    None if s.article => "—".to_string(),
                    None => "never".to_string(),
                },
                thousands(rec.steps),
                rec.key_freqs
                    .as_ref()
                    .map(|k| k.iter().map(usize::to_string).collect::<Vec<_>>().join(" "))
                    .unwrap_or_default()
            )));
        }
        RunState::Running => spans.push(Span::styled("▒ training", theme.running())),
        RunState::Pending => spans.push(Span::styled("· pending", theme.dim())),
    }
    let line = Line::from(spans);
    Some(if selected {
        line.patch_style(Modifier::REVERSED)
    } else {
        line
    })
}
