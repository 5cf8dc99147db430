//! Footer: the keys, or the last notice.

use super::Theme;
use crate::app::state::App;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub const KEYS: [(&str, &str); 11] = [
    ("q", "quit"),
    ("space", "pause"),
    ("w", "sweep"),
    ("r", "restart"),
    ("Tab/1-9", "preset"),
    ("↑↓", "select"),
    ("+-", "change"),
    ("⏎", "apply"),
    ("s", "save"),
    ("←→", "scrub"),
    ("?", "help"),
];

pub fn render(f: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let mut spans = Vec::new();
    let mut width = 0usize;
    let budget = area.width as usize;
    let msg = app.message.as_deref();
    let msg_w = msg.map_or(0, |m| m.chars().count() + 3);
    for (k, what) in KEYS {
        let w = k.chars().count() + what.chars().count() + 3;
        if width + w + msg_w > budget {
            break;
        }
        spans.push(Span::styled(k, theme.title()));
        spans.push(Span::styled(format!(" {what}  "), theme.dim()));
        width += w;
    }
    if let Some(m) = msg {
        spans.push(Span::styled(format!("» {m}"), theme.edited()));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}
