//! Train and test accuracy as lines on the step axis the loss chart uses (0 to 100 %), with
//! the scrub cursor and the callouts; their values at the step on screen above the chart,
//! and with a compared run (`replay DIR DIR2`) its lines beneath and its values beside.

use super::axis::{self, Axes, Tick};
use super::{Ctx, Panel, Theme, panel};
use crate::train::Metrics;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::widgets::canvas::Canvas;

/// Train and test accuracy of the frame on screen, with their history (every run).
pub const PANEL: Panel = Panel {
    name: "accuracy",
    applies: super::always,
    render,
};

fn render(f: &mut Frame, cx: &Ctx, area: Rect) {
    let theme = cx.theme;
    let block = panel("", theme).title(title(theme, area.width));
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.height == 0 {
        return;
    }
    let hist = &cx.snapshot.history;
    let shown = cx.frame.map(|fr| fr.metrics).or(hist.last().copied());
    // The compared run's values at the step on screen.
    let other = cx.compare.map(|c| {
        c.at(shown.map_or(0, |m| m.step))
            .map(|m| (m.train_acc, m.test_acc))
    });
    let values = values_line(theme, shown, other, inner.width);
    f.render_widget(Paragraph::new(values), Rect { height: 1, ..inner });
    let chart = Rect {
        y: inner.y + 1,
        height: inner.height - 1,
        ..inner
    };
    let (x0, x1) = axis::step_window(cx);
    let rows = chart
        .height
        .saturating_sub(if chart.height >= 6 { 2 } else { 1 });
    let pct = |v: f64, label: &str| Tick {
        at: v,
        label: label.into(),
    };
    let y_ticks = if rows >= 5 {
        vec![pct(0.0, "0%"), pct(50.0, "50%"), pct(100.0, "100%")]
    } else {
        vec![pct(0.0, "0%"), pct(100.0, "100%")]
    };
    let axes = Axes {
        x: [x0 as f64, x1 as f64],
        x_ticks: axis::step_ticks(x0, x1, chart.width.saturating_sub(6), false),
        y: [0.0, 100.0],
        y_ticks,
    };
    let buf = f.buffer_mut();
    let plot = axis::draw_axes(buf, chart, &axes, theme);
    if plot.area.width == 0 {
        return;
    }
    cx.memo.axes.borrow_mut().push(plot.step_axis(area));
    let canvas = Canvas::default()
        .marker(Marker::Braille)
        .x_bounds(plot.x)
        .y_bounds(plot.y)
        .paint(|ctx| axis::paint_runs(ctx, cx, plotted, plot.y));
    ratatui::widgets::Widget::render(canvas, plot.area, buf);
    super::callout::draw_callouts(buf, &plot, cx, plotted);
}

/// A point's train (`false`) or test accuracy as the chart plots it: a percentage.
fn plotted(m: &Metrics, test: bool) -> f64 {
    100.0 * if test { m.test_acc } else { m.train_acc }
}

/// The title, which is the legend where it fits.
fn title(theme: &Theme, width: u16) -> Line<'static> {
    let (train_mark, test_mark) = if theme.colored() {
        ("━━ train", "━━ test")
    } else {
        ("⠤⠤ train", "•• test")
    };
    let mut spans = vec![Span::styled(" accuracy ", theme.title())];
    if width >= 32 {
        spans.extend([
            Span::styled(train_mark, theme.train()),
            Span::raw("  "),
            Span::styled(test_mark, theme.test()),
            Span::raw(" "),
        ]);
    }
    Line::from(spans)
}

/// The values at the step on screen, and the compared run's beside them: "train 100.00%
/// test 54.20%", shorter ("100.0% 54.2%") where the row is narrow.
fn values_line(
    theme: &Theme,
    shown: Option<Metrics>,
    other: Option<Option<(f64, f64)>>,
    width: u16,
) -> Line<'static> {
    let (tr, te) = shown.map_or((0.0, 0.0), |m| (m.train_acc, m.test_acc));
    let long = width >= if other.is_some() { 46 } else { 28 };
    let pct = |v: f64| {
        if long {
            format!("{:.2}%", v * 100.0)
        } else {
            format!("{:.1}%", v * 100.0)
        }
    };
    let mut spans = Vec::new();
    for (test, v) in [(false, tr), (true, te)] {
        let (name, style, other_style) = if test {
            ("test ", theme.test(), theme.test_compared())
        } else {
            ("train ", theme.train(), theme.train_compared())
        };
        if !spans.is_empty() {
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled(if long { name } else { &name[..2] }, style));
        spans.push(Span::raw(pct(v)));
        if let Some(at) = other {
            let v = at.map(|(a, b)| if test { b } else { a });
            spans.push(Span::raw(" "));
            spans.push(super::compare::mark(theme, test));
            let v = v.map_or("—".into(), pct);
            spans.push(Span::styled(format!(" {v}"), other_style));
        }
    }
    Line::from(spans)
}
