//! Train and test accuracy as lines on the step axis the loss chart uses (0 to 100 %), with
//! the scrub cursor and the callouts; their values at the step on screen above the chart,
//! and with a compared run (`replay DIR DIR2`) its lines beneath and its values beside.

use super::axis::{self, Axes, Tick};
use super::{Ctx, Panel, Theme, panel};
use crate::train::Metrics;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
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
    let fg = |s: Style| s.fg.unwrap_or(Color::Reset);
    let pts = |h: &[Metrics], pick: fn(&Metrics) -> f64| -> Vec<(f64, f64)> {
        h.iter().map(|m| (m.step as f64, pick(m) * 100.0)).collect()
    };
    let other = cx.compare.map(|c| &c.history[..]).unwrap_or_default();
    let (train_marker, test_marker) = super::compare::markers(theme);
    let own_test = if theme.colored() {
        Marker::Braille
    } else {
        Marker::Dot
    };
    let cursor = axis::cursor_step(cx);
    let canvas = Canvas::default()
        .marker(Marker::Braille)
        .x_bounds(plot.x)
        .y_bounds(plot.y)
        .paint(|ctx| {
            if !other.is_empty() {
                ctx.marker(train_marker);
                let t = pts(other, |m| m.train_acc);
                axis::polyline(ctx, t.into_iter(), fg(theme.train_compared()));
                ctx.layer();
                ctx.marker(test_marker);
                let t = pts(other, |m| m.test_acc);
                axis::polyline(ctx, t.into_iter(), fg(theme.test_compared()));
                ctx.layer();
            }
            ctx.marker(Marker::Braille);
            axis::polyline(
                ctx,
                pts(hist, |m| m.train_acc).into_iter(),
                fg(theme.train()),
            );
            ctx.layer();
            ctx.marker(own_test);
            axis::polyline(ctx, pts(hist, |m| m.test_acc).into_iter(), fg(theme.test()));
            if let Some(s) = cursor {
                ctx.layer();
                ctx.marker(Marker::Braille);
                let line = [(s as f64, 0.0), (s as f64, 100.0)];
                axis::polyline(ctx, line.into_iter(), fg(theme.scrub()));
            }
        });
    ratatui::widgets::Widget::render(canvas, plot.area, buf);
    let value = |c: &super::Callout| {
        let pick = if axis::names_train(&c.label) {
            |m: &Metrics| m.train_acc
        } else {
            |m: &Metrics| m.test_acc
        };
        axis::value_at(hist, c.step, pick).map(|v| v * 100.0)
    };
    axis::draw_callouts(buf, &plot, cx.callouts, &value, theme);
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
