//! The tour's text: a chapter's question, what to watch, its marked moments with the keys
//! that scrub to them, and one thing to try. Beside the dashboard where the screen has room
//! for both ([`side`]); below that, a page of its own in place of the dashboard ([`page`]).
//! [`inset`] draws a view into part of the screen, as though that part were the terminal.
//! Where the view on screen draws no chart of the run (the mechanism, sweep, gallery and
//! appendix views), and on the page, the run's accuracy chart with the chapter's marks goes
//! under the text when the rows the text leaves have room for it.

use super::{Ctx, Footer, Memo, Theme, panel, thousands};
use ratatui::Frame;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
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
    /// The view on screen draws no chart of the run: the side column draws its accuracy
    /// chart, with the marks, under the text (the page does wherever it has room).
    pub run_chart: bool,
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

/// The fewest rows the run's chart is drawn in (border, values, three rows of plot, axis),
/// and the most it takes.
const CHART_MIN: u16 = 7;
const CHART_MAX: u16 = 12;
/// The rows of the key hints at the foot of the side column.
const HINT_ROWS: u16 = 3;

/// How the rows the text leaves (`spare`) go: (the run's chart, the key hints). The hints
/// give way to a chart that would not fit beside them; a chart that does not fit at all is
/// left out.
pub fn split(spare: u16, chart: bool) -> (u16, u16) {
    let hints = HINT_ROWS.min(spare);
    if !chart {
        return (0, hints);
    }
    if spare >= HINT_ROWS + CHART_MIN {
        ((spare - HINT_ROWS).min(CHART_MAX), HINT_ROWS)
    } else if spare >= CHART_MIN {
        (spare.min(CHART_MAX), 0)
    } else {
        (0, hints)
    }
}

/// The rows `text` takes wrapped to `width` (drawn into a scratch buffer, as ratatui wraps
/// it; at most 255).
fn text_rows(text: &Paragraph, width: u16) -> u16 {
    let area = Rect::new(0, 0, width, u8::MAX as u16);
    let mut buf = Buffer::empty(area);
    ratatui::widgets::Widget::render(text, area, &mut buf);
    (0..area.height)
        .rev()
        .find(|&y| (0..width).any(|x| buf[(x, y)].symbol() != " "))
        .map_or(0, |y| y + 1)
}

/// The run's accuracy chart with the chapter's marks, in the bottom `rows` of `area`.
fn run_chart(f: &mut Frame, area: Rect, rows: u16, cx: &Ctx) {
    if rows == 0 {
        return;
    }
    let at = Rect {
        y: area.bottom() - rows,
        height: rows,
        ..area
    };
    (super::accuracy::PANEL.render)(f, cx, at);
}

/// The text beside the dashboard.
pub fn side(f: &mut Frame, area: Rect, scene: &Scene, cx: &Ctx) {
    let theme = cx.theme;
    let title = format!("tour {}/{}", scene.number, scene.total);
    let block = panel(title, theme);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let text = Paragraph::new(lines(scene, theme, true)).wrap(Wrap { trim: true });
    let spare = inner.height.saturating_sub(text_rows(&text, inner.width));
    let (chart, hints) = split(spare, scene.run_chart);
    let [body, below, keys] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(chart),
        Constraint::Length(hints),
    ])
    .areas(inner);
    f.render_widget(text, body);
    run_chart(f, below, chart, cx);
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

/// The text as a page of its own, with the footer; the run's chart under the text where it
/// fits.
pub fn page(f: &mut Frame, scene: &Scene, cx: &Ctx, footer: &Footer) {
    let theme = cx.theme;
    let area = f.area();
    let [body, foot] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
    let title = format!(
        "tour {}/{} · i shows the dashboard",
        scene.number, scene.total
    );
    let block = panel(title, theme);
    let inner = block.inner(body);
    f.render_widget(block, body);
    let text = Paragraph::new(lines(scene, theme, true)).wrap(Wrap { trim: true });
    let spare = inner.height.saturating_sub(text_rows(&text, inner.width));
    let (chart, _) = split(spare, true);
    if chart > 0 || !scene.run_chart {
        f.render_widget(text, inner);
        run_chart(f, inner, chart, cx);
    } else {
        // No room for the chart under the text as spaced, and the view under the page
        // draws none: the text without its blank lines, and the chart (or a strip of it)
        // in the rows that frees.
        let text = Paragraph::new(lines(scene, theme, false)).wrap(Wrap { trim: true });
        let spare = inner.height.saturating_sub(text_rows(&text, inner.width));
        f.render_widget(text, inner);
        match split(spare, true) {
            (0, _) if spare >= STRIP_MIN => strip(f, inner, spare.min(CHART_MIN - 1), cx),
            (chart, _) => run_chart(f, inner, chart, cx),
        }
    }
    super::footer::render(f, footer, theme, foot);
}

/// The fewest rows of the strip: the legend, three rows of plot, the step labels.
const STRIP_MIN: u16 = 5;

/// The run's accuracy as a strip in the bottom `rows` of `area`, where the chart's panel
/// does not fit: its legend in the first row, then the plot with the chapter's marks, the
/// step labels under it; no border and no values line.
fn strip(f: &mut Frame, area: Rect, rows: u16, cx: &Ctx) {
    use super::axis::{self, Axes, Tick};
    let theme = cx.theme;
    let at = Rect {
        y: area.bottom() - rows,
        height: rows,
        ..area
    };
    let (train, test) = if theme.colored() {
        ("━━ train", "━━ test")
    } else {
        ("⠤⠤ train", "•• test")
    };
    let legend = Line::from(vec![
        Span::styled("the run's accuracy ", theme.title()),
        Span::styled(train, theme.train()),
        Span::raw("  "),
        Span::styled(test, theme.test()),
    ]);
    f.render_widget(Paragraph::new(legend), Rect { height: 1, ..at });
    let chart = Rect {
        y: at.y + 1,
        height: rows - 1,
        ..at
    };
    let (x0, x1) = axis::step_window(cx);
    let pct = |v: f64, label: &str| Tick {
        at: v,
        label: label.into(),
    };
    let axes = Axes {
        x: [x0 as f64, x1 as f64],
        x_ticks: axis::step_ticks(x0, x1, chart.width.saturating_sub(6), false),
        y: [0.0, 100.0],
        y_ticks: vec![pct(0.0, "0%"), pct(100.0, "100%")],
    };
    let buf = f.buffer_mut();
    let plot = axis::draw_axes(buf, chart, &axes, theme);
    if plot.area.width == 0 {
        return;
    }
    cx.memo.axes.borrow_mut().push(plot.step_axis(at));
    let plotted =
        |m: &crate::train::Metrics, test: bool| 100.0 * if test { m.test_acc } else { m.train_acc };
    let canvas = ratatui::widgets::canvas::Canvas::default()
        .marker(ratatui::symbols::Marker::Braille)
        .x_bounds(plot.x)
        .y_bounds(plot.y)
        .paint(|ctx| axis::paint_runs(ctx, cx, plotted, plot.y));
    ratatui::widgets::Widget::render(canvas, plot.area, buf);
    super::callout::draw_callouts(buf, &plot, cx, plotted);
}

/// The chapter's lines: title, question, text, where to look, the moments, the try-it;
/// with blank lines between them (`spaced`) or without.
fn lines<'a>(scene: &'a Scene, theme: &Theme, spaced: bool) -> Vec<Line<'a>> {
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
    if !spaced {
        out.retain(|l| l.width() > 0);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chart_takes_the_rows_the_text_leaves() {
        // No chart asked for: the hints, as many rows of them as are left.
        assert_eq!(split(20, false), (0, HINT_ROWS));
        assert_eq!(split(2, false), (0, 2));
        // Room for both; the chart at most CHART_MAX rows.
        assert_eq!(split(HINT_ROWS + CHART_MIN, true), (CHART_MIN, HINT_ROWS));
        assert_eq!(split(30, true), (CHART_MAX, HINT_ROWS));
        // The hints give way to the chart, which gives way to nothing smaller than its least.
        assert_eq!(split(CHART_MIN + 1, true), (CHART_MIN + 1, 0));
        assert_eq!(split(CHART_MIN - 1, true), (0, HINT_ROWS));
    }

    #[test]
    fn text_rows_counts_the_wrapped_lines() {
        let p = Paragraph::new("one two three four").wrap(Wrap { trim: true });
        assert_eq!(text_rows(&p, 10), 2);
        assert_eq!(text_rows(&p, 9), 3);
        assert_eq!(text_rows(&p, 40), 1);
        assert_eq!(text_rows(&Paragraph::new(""), 10), 0);
    }
}
