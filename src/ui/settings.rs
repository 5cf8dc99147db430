//! Settings: the hyperparameters with their values; the selected one reversed, edited ones
//! (not yet applied) marked.

use super::{Theme, panel};
use crate::app::state::{App, Setting};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn render(f: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let task = app.draft.task;
    let running = &app.snapshot.config;
    let mut lines: Vec<Line> = Setting::panel(task)
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let value = s.value(&app.draft);
            let changed = value != s.value(running);
            let label = format!(
                "{} {:<15}",
                if i == app.selected { "▸" } else { " " },
                s.label(task)
            );
            let mut v = Span::styled(
                format!("{value}{}", if changed { " *" } else { "" }),
                if changed {
                    theme.edited()
                } else {
                    ratatui::style::Style::new()
                },
            );
            let mut l = Span::styled(label, theme.dim());
            if i == app.selected {
                l = l.patch_style(theme.selected());
                v = v.patch_style(theme.selected());
            }
            Line::from(vec![l, v])
        })
        .collect();
    lines.push(Line::styled(
        if app.edited() {
            "* edited: Enter restarts with them"
        } else {
            "↑↓ select · +/- change · Enter apply"
        },
        if app.edited() {
            theme.edited()
        } else {
            theme.dim()
        },
    ));
    f.render_widget(
        Paragraph::new(lines).block(panel(format!("settings · {}", app.draft.preset), theme)),
        area,
    );
}

/// The two-line strip of the compact layout.
pub fn render_strip(f: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let task = app.draft.task;
    let running = &app.snapshot.config;
    let rows = Setting::panel(task);
    let half = rows.len().div_ceil(2);
    let lines: Vec<Line> = rows
        .chunks(half)
        .enumerate()
        .map(|(row, chunk)| {
            let mut spans = Vec::new();
            for (j, s) in chunk.iter().enumerate() {
                let i = row * half + j;
                let value = s.value(&app.draft);
                let changed = value != s.value(running);
                let text = format!(
                    "{}{} {}{}",
                    if i == app.selected { "▸" } else { " " },
                    s.short(task),
                    value,
                    if changed { "*" } else { "" }
                );
                let mut style = if changed {
                    theme.edited()
                } else {
                    ratatui::style::Style::new()
                };
                if i == app.selected {
                    style = style.patch(theme.selected());
                }
                spans.push(Span::styled(format!("{text:<19}"), style));
            }
            Line::from(spans)
        })
        .collect();
    f.render_widget(Paragraph::new(lines), area);
}
