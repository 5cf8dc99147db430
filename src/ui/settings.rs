//! Settings: the hyperparameters with their values; the selected one reversed, edited ones
//! (not yet applied) marked. The app hands over the rows ([`super::Settings`]).

use super::{Ctx, Panel, panel};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// The settings panel of the full layout (every run).
pub const PANEL: Panel = Panel {
    name: "settings",
    applies: super::always,
    render,
};

/// The two-line strip of the compact layout (every run).
pub const STRIP: Panel = Panel {
    name: "settings strip",
    applies: super::always,
    render: render_strip,
};

fn render(f: &mut Frame, cx: &Ctx, area: Rect) {
    let (theme, set) = (cx.theme, &cx.settings);
    let mut lines: Vec<Line> = set
        .rows
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let changed = s.edited;
            let label = format!(
                "{} {:<15}",
                if i == set.selected { "▸" } else { " " },
                s.label
            );
            let mut v = Span::styled(
                format!("{}{}", s.value, if changed { " *" } else { "" }),
                if changed {
                    theme.edited()
                } else {
                    ratatui::style::Style::new()
                },
            );
            let mut l = Span::styled(label, theme.dim());
            if i == set.selected {
                l = l.patch_style(theme.selected());
                v = v.patch_style(theme.selected());
            }
            Line::from(vec![l, v])
        })
        .collect();
    lines.push(Line::styled(
        if set.edited() {
            "* edited: Enter restarts with them"
        } else {
            "↑↓ select · +/- change · Enter apply"
        },
        if set.edited() {
            theme.edited()
        } else {
            theme.dim()
        },
    ));
    f.render_widget(
        Paragraph::new(lines).block(panel(format!("settings · {}", set.preset), theme)),
        area,
    );
}

fn render_strip(f: &mut Frame, cx: &Ctx, area: Rect) {
    let (theme, set) = (cx.theme, &cx.settings);
    let half = set.rows.len().div_ceil(2).max(1);
    let lines: Vec<Line> = set
        .rows
        .chunks(half)
        .enumerate()
        .map(|(row, chunk)| {
            let mut spans = Vec::new();
            for (j, s) in chunk.iter().enumerate() {
                let i = row * half + j;
                let changed = s.edited;
                let text = format!(
                    "{}{} {}{}",
                    if i == set.selected { "▸" } else { " " },
                    s.short,
                    s.value,
                    if changed { "*" } else { "" }
                );
                let mut style = if changed {
                    theme.edited()
                } else {
                    ratatui::style::Style::new()
                };
                if i == set.selected {
                    style = style.patch(theme.selected());
                }
                spans.push(Span::styled(format!("{text:<19}"), style));
            }
            Line::from(spans)
        })
        .collect();
    f.render_widget(Paragraph::new(lines), area);
}
