//! The `?` overlay: the view's key table, as (keys, what they do) rows.

use super::{Theme, panel};
use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

/// The overlay over `area`: the key rows, then what the colours mean and, where `kernel`
/// names one, the kernel training runs on.
pub fn render(
    f: &mut Frame,
    area: Rect,
    rows: &[(&str, &str)],
    kernel: Option<&str>,
    theme: &Theme,
) {
    let h = (rows.len() as u16 + 6 + kernel.is_some() as u16).min(area.height);
    let w = 74.min(area.width);
    let [row] = Layout::vertical([Constraint::Length(h)])
        .flex(Flex::Center)
        .areas(area);
    let [rect] = Layout::horizontal([Constraint::Length(w)])
        .flex(Flex::Center)
        .areas(row);
    let mut lines: Vec<Line> = rows
        .iter()
        .map(|&(k, what)| {
            Line::from(vec![
                Span::styled(format!(" {k:>16}  "), theme.title()),
                Span::raw(what),
            ])
        })
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        if theme.colored() {
            " Train cyan, test yellow. Heatmap: orange w > 0, blue w < 0."
        } else {
            " No colour: test loss dotted (••), heatmap shaded by |w|."
        },
        theme.dim(),
    ));
    lines.push(Line::styled(
        " Works over SSH at 80×24; NO_COLOR=1 turns colour off.",
        theme.dim(),
    ));
    if let Some(k) = kernel {
        lines.push(Line::styled(
            format!(" Kernel {k}; GROKSCOPE_KERNEL picks another (same bits)."),
            theme.dim(),
        ));
    }
    f.render_widget(Clear, rect);
    f.render_widget(
        Paragraph::new(lines).block(panel("keys · ? or Esc closes", theme)),
        rect,
    );
}
