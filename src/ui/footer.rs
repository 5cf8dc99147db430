//! Footer: the view's keys (from its key table), then the last notice. The dashboard's views
//! and `sweep --watch` all draw it.

use super::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// What the footer shows: (keys, label) pairs as many as fit, and a notice.
pub struct Footer<'a> {
    pub keys: &'a [(&'static str, &'static str)],
    pub message: Option<&'a str>,
}

pub fn render(f: &mut Frame, footer: &Footer, theme: &Theme, area: Rect) {
    let mut spans = Vec::new();
    let mut width = 0usize;
    let budget = area.width as usize;
    let msg_w = footer.message.map_or(0, |m| m.chars().count() + 3);
    for &(k, what) in footer.keys {
        let w = k.chars().count() + what.chars().count() + 3;
        if width + w + msg_w > budget {
            break;
        }
        spans.push(Span::styled(k, theme.title()));
        spans.push(Span::styled(format!(" {what}  "), theme.dim()));
        width += w;
    }
    if let Some(m) = footer.message {
        spans.push(Span::styled(format!("» {m}"), theme.edited()));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}
