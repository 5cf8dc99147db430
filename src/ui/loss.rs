//! Train and test loss on a log scale (braille chart), so the rise of the train loss before
//! generalization is visible.

use super::{Theme, panel, thousands};
use crate::app::state::App;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::symbols::Marker;
use ratatui::text::Span;
use ratatui::widgets::{Axis, Chart, Dataset, GraphType};

/// Losses below this are drawn at it (float32 cross-entropy bottoms out near 1.19e-7).
pub const FLOOR: f64 = 1e-8;

fn log(v: f64) -> f64 {
    v.max(FLOOR).log10()
}

pub fn render(f: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let hist = &app.snapshot.history;
    let train: Vec<(f64, f64)> = hist
        .iter()
        .map(|m| (m.step as f64, log(m.train_loss)))
        .collect();
    let test: Vec<(f64, f64)> = hist
        .iter()
        .map(|m| (m.step as f64, log(m.test_loss)))
        .collect();
    let x_max = (app.snapshot.step.max(1)) as f64;
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for &(_, y) in train.iter().chain(&test) {
        lo = lo.min(y);
        hi = hi.max(y);
    }
    if !lo.is_finite() {
        (lo, hi) = (-3.0, 1.0);
    }
    let lo = lo.floor();
    let hi = hi.ceil().max(lo + 1.0);
    let scrub: Vec<(f64, f64)> = match (app.scrub, app.frame()) {
        (Some(_), Some(fr)) => vec![(fr.step() as f64, lo), (fr.step() as f64, hi)],
        _ => Vec::new(),
    };
    // Without colour, the test series uses a different marker.
    let test_marker = if theme.colored() {
        Marker::Braille
    } else {
        Marker::Dot
    };
    let mut datasets = vec![
        Dataset::default()
            .name("train")
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(theme.train())
            .data(&train),
        Dataset::default()
            .name(if theme.colored() { "test" } else { "test •" })
            .marker(test_marker)
            .graph_type(GraphType::Line)
            .style(theme.test())
            .data(&test),
    ];
    if !scrub.is_empty() {
        datasets.push(
            Dataset::default()
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(theme.scrub())
                .data(&scrub),
        );
    }
    let ylabels: Vec<Span> = {
        let n = (hi - lo) as i32;
        let stride = (n / 3).max(1);
        let mut v = Vec::new();
        let mut e = lo as i32;
        while e <= hi as i32 {
            v.push(Span::styled(format!("1e{e}"), theme.dim()));
            e += stride;
        }
        if (e - stride) != hi as i32 {
            v.push(Span::styled(format!("1e{}", hi as i32), theme.dim()));
        }
        v
    };
    let chart = Chart::new(datasets)
        .block(panel("loss (log scale)", theme))
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
