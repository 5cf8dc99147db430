//! Train and test loss on a log scale (braille chart), so the rise of the train loss before
//! generalization is visible.

use super::{Ctx, Panel, Theme, panel, thousands};
use crate::train::Metrics;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Chart, Dataset, GraphType};

/// Losses below this are drawn at it (float32 cross-entropy bottoms out near 1.19e-7).
pub const FLOOR: f64 = 1e-8;

fn log(v: f64) -> f64 {
    v.max(FLOOR).log10()
}

/// Train and test loss, log scale, over the run (every run).
pub const PANEL: Panel = Panel {
    name: "loss",
    applies: super::always,
    render,
};

fn render(f: &mut Frame, cx: &Ctx, area: Rect) {
    let theme = cx.theme;
    let hist = &cx.snapshot.history;
    let train = series(hist, |m| m.train_loss);
    let test = series(hist, |m| m.test_loss);
    // The compared run's, drawn beneath in its own style.
    let other = cx.compare.map(|c| &c.history[..]).unwrap_or_default();
    let other_train = series(other, |m| m.train_loss);
    let other_test = series(other, |m| m.test_loss);
    let x_max = super::steps_shown(cx) as f64;
    let all = [&train, &test, &other_train, &other_test];
    let (lo, hi, ylabels) = decades(all.iter().flat_map(|s| s.iter()), area.height, theme);
    let scrub: Vec<(f64, f64)> = match (cx.scrubbing, cx.frame) {
        (true, Some(fr)) => vec![(fr.step() as f64, lo), (fr.step() as f64, hi)],
        _ => Vec::new(),
    };
    let mut datasets = Vec::new();
    if cx.compare.is_some() {
        let (train_marker, test_marker) = super::compare::markers(theme);
        for (marker, style, data) in [
            (train_marker, theme.train_compared(), &other_train),
            (test_marker, theme.test_compared(), &other_test),
        ] {
            datasets.push(line(marker, style, data));
        }
    }
    // Without colour, the test series uses a different marker.
    let test_marker = if theme.colored() {
        Marker::Braille
    } else {
        Marker::Dot
    };
    datasets.push(line(Marker::Braille, theme.train(), &train));
    datasets.push(line(test_marker, theme.test(), &test));
    if !scrub.is_empty() {
        datasets.push(line(Marker::Braille, theme.scrub(), &scrub));
    }
    let block = frame_block(cx, area);
    // Where the chart puts its graph (ratatui's layout: the y labels, at most a third of the
    // width, then the axis line), for clicks on it.
    let inner = block.inner(area);
    let labels_w = ylabels.iter().map(|s| s.width() as u16).max().unwrap_or(0);
    let x0 = inner.x + labels_w.min(inner.width / 3) + 1;
    cx.memo.axes.borrow_mut().push(super::StepAxis {
        area,
        x0,
        width: inner.right().saturating_sub(x0),
        max: x_max as u64,
    });
    let chart = Chart::new(datasets)
        .block(block)
        .x_axis(
            Axis::default()
                .bounds([0.0, x_max])
                .style(theme.dim())
                .labels(vec![
                    Span::styled("0", theme.dim()),
                    Span::styled(thousands(x_max as u64), theme.dim()),
                ]),
        )
        .y_axis(
            Axis::default()
                .bounds([lo, hi])
                .style(theme.dim())
                .labels(ylabels),
        );
    f.render_widget(chart, area);
}

/// A run's history as (step, log10 of the loss `pick` reads) points.
fn series(hist: &[Metrics], pick: fn(&Metrics) -> f64) -> Vec<(f64, f64)> {
    hist.iter().map(|m| (m.step as f64, log(pick(m)))).collect()
}

/// One series drawn as a line.
fn line<'a>(marker: Marker, style: Style, data: &'a [(f64, f64)]) -> Dataset<'a> {
    Dataset::default()
        .marker(marker)
        .graph_type(GraphType::Line)
        .style(style)
        .data(data)
}

/// The y axis: whole decades around every point (`1e-3` to `1e1` when there are none), and
/// evenly spaced labels (the chart spreads labels evenly), as many as the height holds.
/// Returns the axis' bounds and its labels.
fn decades<'a>(
    points: impl Iterator<Item = &'a (f64, f64)>,
    height: u16,
    theme: &Theme,
) -> (f64, f64, Vec<Span<'static>>) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for &(_, y) in points {
        lo = lo.min(y);
        hi = hi.max(y);
    }
    if !lo.is_finite() {
        (lo, hi) = (-3.0, 1.0);
    }
    let lo = lo.floor();
    let hi = hi.ceil().max(lo + 1.0);
    let n_labels = (height.saturating_sub(4) / 2).clamp(2, 5) as i32;
    let stride = ((hi - lo) as i32 + n_labels - 2) / (n_labels - 1);
    let stride = stride.max(1);
    let hi = lo + (stride * (n_labels - 1)) as f64;
    let labels = (0..n_labels)
        .map(|i| Span::styled(format!("1e{}", lo as i32 + i * stride), theme.dim()))
        .collect();
    (lo, hi, labels)
}

/// The panel's frame: the legend lives in the title, where it always fits; a compared run's
/// legend along the bottom.
fn frame_block<'a>(cx: &Ctx<'a>, area: Rect) -> Block<'a> {
    let theme = cx.theme;
    let (train_mark, test_mark) = if theme.colored() {
        ("━━ train", "━━ test")
    } else {
        ("⠤⠤ train", "•• test")
    };
    let title = Line::from(vec![
        Span::styled(" loss (log scale) ", theme.title()),
        Span::styled(train_mark, theme.train()),
        Span::raw("  "),
        Span::styled(test_mark, theme.test()),
        Span::raw(" "),
    ]);
    let mut block = panel("", theme).title(title);
    if let Some(c) = cx.compare {
        let width = area.width.saturating_sub(2) as usize;
        block = block.title_bottom(super::compare::legend(theme, c, &cx.snapshot.config, width));
    }
    block
}
