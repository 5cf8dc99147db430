//! Footer: the view's keys (from its key table), then the last notice. The dashboard's views
//! and `sweep --watch` all draw it.

use super::Theme;
use super::text::fit;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// What the footer shows: (keys, label) pairs as many as fit, and a notice.
pub struct Footer<'a> {
    pub keys: &'a [(&'static str, &'static str)],
    pub message: Option<&'a str>,
}

/// The columns an entry takes: "k label  ".
fn entry_width(&(k, what): &(&str, &str)) -> usize {
    k.chars().count() + what.chars().count() + 3
}

/// The entries shown in `budget` columns: in table order as many as fit, the help's `?`
/// (which lists the rest; else the last entry) kept whenever it fits.
fn shown<'a>(
    keys: &'a [(&'static str, &'static str)],
    budget: usize,
) -> Vec<&'a (&'static str, &'static str)> {
    let total: usize = keys.iter().map(entry_width).sum();
    if total <= budget {
        return keys.iter().collect();
    }
    let Some(kept) = keys
        .iter()
        .position(|e| e.0 == "?")
        .or(keys.len().checked_sub(1))
    else {
        return Vec::new();
    };
    let mut left = budget.saturating_sub(entry_width(&keys[kept]));
    let mut out: Vec<_> = keys
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != kept)
        .map(|(_, e)| e)
        .take_while(|e| {
            let w = entry_width(e);
            let fits = w <= left;
            left = left.saturating_sub(w);
            fits
        })
        .collect();
    if entry_width(&keys[kept]) <= budget {
        out.push(&keys[kept]);
    }
    out
}

pub fn render(f: &mut Frame, footer: &Footer, theme: &Theme, area: Rect) {
    let budget = area.width as usize;
    // A notice leaves room for the help key at least, and is cut at a word if it must be.
    let help_w = footer
        .keys
        .iter()
        .find(|e| e.0 == "?")
        .or(footer.keys.last())
        .map_or(0, entry_width);
    let message = footer
        .message
        .map(|m| fit(m, budget.saturating_sub(help_w + 2).max(budget / 2)));
    let msg_w = message.as_ref().map_or(0, |m| m.chars().count() + 2);
    let mut spans = Vec::new();
    for &(k, what) in shown(footer.keys, budget.saturating_sub(msg_w)) {
        spans.push(Span::styled(k, theme.title()));
        spans.push(Span::styled(format!(" {what}  "), theme.dim()));
    }
    if let Some(m) = message {
        spans.push(Span::styled(format!("» {m}"), theme.edited()));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}
