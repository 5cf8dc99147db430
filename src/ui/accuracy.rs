//! Train and test accuracy as sparklines; with a compared run (`replay DIR DIR2`), both runs
//! as lines on the same axes.

use super::{Ctx, Panel, panel};
use crate::train::Metrics;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
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
    let w = inner.width as usize;
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
    for (test, label, value, style, pick, lrect, srect) in [
        (
            false,
            "train",
            tr,
            theme.train(),
            (|m: &Metrics| m.train_acc) as fn(&Metrics) -> f64,
            l1,
            s1,
        ),
        (
            true,
            "test ",
            te,
            theme.test(),
            |m: &Metrics| m.test_acc,
            l2,
            s2,
        ),
    ] {
        let mut spans = vec![
            Span::styled(label, style),
            Span::raw(format!(" {:6.2}%", value * 100.0)),
        ];
        if let Some(at) = other {
            let v = at.map(|(tr, te)| if test { te } else { tr });
            spans.push(Span::raw("  "));
            spans.push(super::compare::mark(theme, test));
            spans.push(Span::styled(
                v.map_or(" —".into(), |v| format!(" {:6.2}%", v * 100.0)),
                if test {
                    theme.test_compared()
                } else {
                    theme.train_compared()
                },
            ));
        }
        f.render_widget(Paragraph::new(Line::from(spans)), lrect);
        match cx.compare {
            None => {
                let data = resample(hist, w, total, pick);
                f.render_widget(
                    Sparkline::default().data(&data).max(100).style(style),
                    srect,
                );
            }
            Some(c) => {
                // Both runs as lines on the same axes: the compared run's beneath.
                let points = |h: &[Metrics]| -> Vec<(f64, f64)> {
                    h.iter().map(|m| (m.step as f64, pick(m) * 100.0)).collect()
                };
                let (mine, theirs) = (points(hist), points(&c.history));
                let (train_marker, test_marker) = super::compare::markers(theme);
                let (marker, other_style) = if test {
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
                f.render_widget(chart, srect);
            }
        }
    }
}
