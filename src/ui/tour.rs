//! The tour's text: a chapter's question, what to watch, its marked moments with the keys
//! that scrub to them, and one thing to try. Beside the dashboard where the screen has room
//! for both ([`side`]); below that, a page of its own in place of the dashboard ([`page`]).
//! [`inset`] draws a view into part of the screen, as though that part were the terminal.

use super::{Footer, Memo, Theme, panel, thousands};
use ratatui::Frame;
use ratatui::backend::TestBackend;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

/// The side column's width.
pub const SIDE_WIDTH: u16 = 40;
/// The dashboard beside the column needs this many columns (its smallest layout).
const DASH_MIN: u16 = super::MIN_WIDTH;
/// And this many rows: below, the text is a page.
const SIDE_MIN_HEIGHT: u16 = super::FULL_HEIGHT;

/// A chapter as the tour's text draws it.
#[derive(Clone, Debug, PartialEq)]
pub struct Scene<'a> {
    /// 1-based, of `total`.
    pub number: usize,
    pub total: usize,
    pub title: &'a str,
    pub question: &'a str,
    pub text: &'a str,
    /// The panel to watch.
    pub watch: &'a str,
    pub marks: Vec<Mark>,
    pub try_it: &'a str,
}

/// A marked moment: its key, its label, and the step the run reached it (if it has).
#[derive(Clone, Debug, PartialEq)]
pub struct Mark {
    pub key: char,
    pub label: String,
    pub step: Option<u64>,
}

/// Where the tour puts things on a screen of `area`, with its text shown or not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// The dashboard in `dash`, the text beside it in `text`.
    Side { dash: Rect, text: Rect },
    /// The text as a page of its own.
    Page,
    /// The dashboard alone.
    Dashboard,
}

/// Where the tour draws: a side column when the dashboard still has its smallest layout
/// beside it (120×40 and up), else a page.
pub fn place(area: Rect, text: bool) -> Place {
    if !text {
        return Place::Dashboard;
    }
    if area.width >= DASH_MIN + SIDE_WIDTH && area.height >= SIDE_MIN_HEIGHT {
        let [dash, text] =
            Layout::horizontal([Constraint::Fill(1), Constraint::Length(SIDE_WIDTH)]).areas(area);
        Place::Side { dash, text }
    } else {
        Place::Page
    }
}

/// Draw with `draw` into `area` as though it were the whole terminal: the view draws its
/// own layout for that size. The step axes it leaves in `memo` are moved with it, so a
/// click on a chart still scrubs.
pub fn inset(f: &mut Frame, area: Rect, memo: &Memo, draw: impl FnOnce(&mut Frame)) {
    let Ok(mut term) = ratatui::Terminal::new(TestBackend::new(area.width, area.height));
    let before = memo.axes.borrow().len();
    if term.draw(draw).is_err() {
        return;
    }
    let drawn = term.backend().buffer();
    let out = f.buffer_mut();
    for y in 0..area.height {
        for x in 0..area.width {
            out[(area.x + x, area.y + y)] = drawn[(x, y)].clone();
        }
    }
    for a in memo.axes.borrow_mut().iter_mut().skip(before) {
        a.area.x += area.x;
        a.area.y += area.y;
        a.x0 += area.x;
    }
}

/// The text beside the dashboard.
pub fn side(f: &mut Frame, area: Rect, scene: &Scene, theme: &Theme) {
    let title = format!("tour {}/{}", scene.number, scene.total);
    let block = panel(title, theme);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let [body, keys] = Layout::vertical([Constraint::Fill(1), Constraint::Length(3)]).areas(inner);
    f.render_widget(
        Paragraph::new(lines(scene, theme)).wrap(Wrap { trim: true }),
        body,
    );
    let hint = vec![
        Line::from(Span::styled("n / p  next / previous chapter", theme.dim())),
        Line::from(Span::styled(
            "i hides this · Esc leaves the tour",
            theme.dim(),
        )),
        Line::from(Span::styled("every dashboard key works", theme.dim())),
    ];
    f.render_widget(Paragraph::new(hint), keys);
}

/// The text as a page of its own, with the footer.
pub fn page(f: &mut Frame, scene: &Scene, theme: &Theme, footer: &Footer) {
    let area = f.area();
    let [body, foot] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
    let title = format!(
        "tour {}/{} · i shows the dashboard",
        scene.number, scene.total
    );
    let block = panel(title, theme);
    f.render_widget(
        Paragraph::new(lines(scene, theme))
            .wrap(Wrap { trim: true })
            .block(block),
        body,
    );
    super::footer::render(f, footer, theme, foot);
}

/// The chapter's lines: title, question, text, where to look, the moments, the try-it.
fn lines<'a>(scene: &'a Scene, theme: &Theme) -> Vec<Line<'a>> {
    let mut out = vec![
        Line::from(Span::styled(scene.title, theme.title())),
        Line::from(Span::styled(scene.question, theme.edited())),
        Line::default(),
        Line::from(scene.text),
        Line::default(),
        Line::from(vec![
            Span::styled("watch ", theme.title()),
            Span::raw(scene.watch),
        ]),
    ];
    if !scene.marks.is_empty() {
        out.push(Line::from(Span::styled(
            "the run's moments (a key scrubs to one):",
            theme.title(),
        )));
    }
    for m in &scene.marks {
        let at = match m.step {
            Some(step) => format!("step {:>6}", thousands(step)),
            None => "not yet    ".to_string(),
        };
        let style = if m.step.is_some() {
            Style::new()
        } else {
            theme.dim()
        };
        out.push(Line::from(vec![
            Span::styled(format!(" {} ", m.key), theme.scrub()),
            Span::styled(format!("{at}  "), style),
            Span::styled(m.label.clone(), style),
        ]));
    }
    out.push(Line::default());
    out.push(Line::from(vec![
        Span::styled("now try it: ", theme.title()),
        Span::raw(scene.try_it),
    ]));
    out
}
