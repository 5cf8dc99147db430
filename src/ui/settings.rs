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
    let per_line = cx.settings.rows.len().div_ceil(2).max(1);
    draw_strip(f, cx, area, (per_line, 19));
}

/// The strip in as few lines as the full width allows (the full layout's, when the heatmap
/// takes the settings panel's rows): each setting as wide as the widest and a gap.
pub const STRIP_FIT: Panel = Panel {
    name: "settings strip, fitted",
    applies: super::always,
    render: |f, cx, area| draw_strip(f, cx, area, strip_shape(cx, area.width)),
};

/// The text of setting `i` in the strip.
fn strip_text(cx: &Ctx, i: usize) -> String {
    let (set, s) = (&cx.settings, &cx.settings.rows[i]);
    format!(
        "{}{} {}{}",
        if i == set.selected { "▸" } else { " " },
        s.short,
        s.value,
        if s.edited { "*" } else { "" }
    )
}

/// The fitted strip's settings per line and the width of each, in `width` columns.
fn strip_shape(cx: &Ctx, width: u16) -> (usize, usize) {
    let n = cx.settings.rows.len();
    let cell = (0..n)
        .map(|i| strip_text(cx, i).chars().count())
        .max()
        .unwrap_or(0)
        + 2;
    ((width as usize / cell).max(1), cell)
}

/// The lines the fitted strip takes in `width` columns.
pub fn strip_lines(cx: &Ctx, width: u16) -> u16 {
    let (per_line, _) = strip_shape(cx, width);
    cx.settings.rows.len().div_ceil(per_line).max(1) as u16
}

fn draw_strip(f: &mut Frame, cx: &Ctx, area: Rect, (per_line, cell): (usize, usize)) {
    let (theme, set) = (cx.theme, &cx.settings);
    let lines: Vec<Line> = (0..set.rows.len())
        .collect::<Vec<_>>()
        .chunks(per_line)
        .map(|chunk| {
            let spans = chunk.iter().map(|&i| {
                let mut style = if set.rows[i].edited {
                    theme.edited()
                } else {
                    ratatui::style::Style::new()
                };
                if i == set.selected {
                    style = style.patch(theme.selected());
                }
                Span::styled(format!("{:<cell$}", strip_text(cx, i)), style)
            });
            Line::from(spans.collect::<Vec<_>>())
        })
        .collect();
    f.render_widget(Paragraph::new(lines), area);
}
