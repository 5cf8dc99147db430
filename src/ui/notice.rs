//! A view that cannot draw what it shows says why, full screen, above its footer (the
//! appendix view when its construction cannot be built).

use super::{Footer, Theme, footer, panel};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

/// What the notice says.
pub struct Scene<'a> {
    pub title: &'a str,
    pub why: String,
    pub theme: &'a Theme,
}

pub fn render(f: &mut Frame, s: &Scene, foot: &Footer) {
    let [body, foot_area] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(f.area());
    let block = panel(s.title, s.theme);
    let text = Paragraph::new(Line::styled(s.why.clone(), s.theme.warn()))
        .wrap(Wrap { trim: true })
        .block(block);
    f.render_widget(text, body);
    footer::render(f, foot, s.theme, foot_area);
}
