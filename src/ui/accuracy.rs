//! Train and test accuracy as sparklines; with a compared run (`replay DIR DIR2`), both runs
//! as lines on the same axes.

use super::{Ctx, Panel, Theme, panel};
use crate::train::Metrics;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Chart, Dataset, GraphType, Paragraph, Sparkline};

/// `history` laid out over `total` steps: column `i` of `width` covers steps
/// `[i·total/width, (i+1)·total/width)` and shows the last value in it (carried forward over
/// gaps), as a percentage. Columns past the current step are left out, so new points only
/// add columns and earlier ones never shift (fewer bytes per redraw).
pub fn resample(
    history: &[Metrics],
    width: usize,
    total: u64,
    pick: fn(&Metrics) -> f64,
) -> Vec<u64> {
    if history.is_empty() || width == 0 {
        return Vec::new();
    }
    let total = total.max(1);
    let col = |step: u64| ((step as u128 * width as u128 / total as u128) as usize).min(width - 1);
    let mut out: Vec<Option<u64>> = vec![None; col(history.last().unwrap().step) + 1];
    for m in history {
        out[col(m.step)] = Some((pick(m) * 100.0).round().clamp(0.0, 100.0) as u64);
    }
    let mut last = 0;
    out.into_iter()
        .map(|v| {
            last = v.unwrap_or(last);
            last
        })
        .collect()
}

/// Train and test accuracy of the frame on screen, with their history (every run).
pub const PANEL: Panel = Panel {
    name: "accuracy",
    applies: super::always,
    render,
};

fn render(f: &mut Frame, cx: &Ctx, area: Rect) {
    let theme = cx.theme;
    let block = panel("accuracy", theme);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let hist = &cx.snapshot.history;
    let shown = cx.frame.map(|fr| fr.metrics).or(hist.last().copied());
    let (tr, te) = shown.map_or((0.0, 0.0), |m| (m.train_acc, m.test_acc));
    let spark_h = inner.height.saturating_sub(2) / 2;
    let [l1, s1, l2, s2] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(spark_h),
        Constraint::Length(1),
        Constraint::Fill(1),
    ])
    .areas(inner);
    let total = super::steps_shown(cx);
    cx.memo.axes.borrow_mut().push(super::StepAxis {
        area,
        x0: inner.x,
        width: inner.width,
        max: total,
    });
    // The compared run's values at the step on screen.
    let other = cx.compare.map(|c| {
        c.at(shown.map_or(0, |m| m.step))
            .map(|m| (m.train_acc, m.test_acc))
    });
    let train = Series {
        test: false,
        label: "train",
        value: tr,
        other: other.map(|at| at.map(|(tr, _)| tr)),
        pick: |m| m.train_acc,
    };
    let test = Series {
        test: true,
        label: "test ",
        value: te,
        other: other.map(|at| at.map(|(_, te)| te)),
        pick: |m| m.test_acc,
    };
    for (series, lrect, srect) in [(train, l1, s1), (test, l2, s2)] {
        f.render_widget(Paragraph::new(series.label_line(theme)), lrect);
        series.draw(f, cx, total, srect);
    }
}

/// One of the panel's two series: train or test accuracy.
struct Series {
    test: bool,
    label: &'static str,
    /// Its value at the step on screen.
    value: f64,
    /// The compared run's value there, when a run is compared (`None` inside: it has none).
    other: Option<Option<f64>>,
    pick: fn(&Metrics) -> f64,
}

impl Series {
    fn style(&self, theme: &Theme) -> Style {
        if self.test {
            theme.test()
        } else {
            theme.train()
        }
    }

    /// The label and value, and the compared run's value beside them.
    fn label_line(&self, theme: &Theme) -> Line<'static> {
        let mut spans = vec![
            Span::styled(self.label, self.style(theme)),
            Span::raw(format!(" {:6.2}%", self.value * 100.0)),
        ];
        if let Some(v) = self.other {
            spans.push(Span::raw("  "));
            spans.push(super::compare::mark(theme, self.test));
            spans.push(Span::styled(
                v.map_or(" —".into(), |v| format!(" {:6.2}%", v * 100.0)),
                if self.test {
                    theme.test_compared()
                } else {
                    theme.train_compared()
                },
            ));
        }
        Line::from(spans)
    }

    /// Its history: a sparkline, or with a compared run both runs as lines on the same axes
    /// (the compared run's beneath).
    fn draw(&self, f: &mut Frame, cx: &Ctx, total: u64, area: Rect) {
        let theme = cx.theme;
        let hist = &cx.snapshot.history;
        let style = self.style(theme);
        let Some(c) = cx.compare else {
            let data = resample(hist, area.width as usize, total, self.pick);
            f.render_widget(Sparkline::default().data(&data).max(100).style(style), area);
            return;
        };
        let points = |h: &[Metrics]| -> Vec<(f64, f64)> {
            h.iter()
                .map(|m| (m.step as f64, (self.pick)(m) * 100.0))
                .collect()
        };
        let (mine, theirs) = (points(hist), points(&c.history));
        let (train_marker, test_marker) = super::compare::markers(theme);
        let (marker, other_style) = if self.test {
            (test_marker, theme.test_compared())
        } else {
            (train_marker, theme.train_compared())
        };
        let chart = Chart::new(vec![
            Dataset::default()
                .marker(marker)
                .graph_type(GraphType::Line)
                .style(other_style)
                .data(&theirs),
            Dataset::default()
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(style)
                .data(&mine),
        ])
        .x_axis(Axis::default().bounds([0.0, total as f64]))
        .y_axis(Axis::default().bounds([0.0, 100.0]));
        f.render_widget(chart, area);
    }
}
