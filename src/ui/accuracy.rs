//! Train and test accuracy as sparklines.

use super::{Theme, panel};
use crate::app::state::App;
use crate::train::Metrics;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Sparkline};

/// `history` resampled to at most `width` points (the last point of each bucket), as
/// percentages; up to `upto` (the scrubbed step) when given.
pub fn resample(history: &[Metrics], width: usize, pick: fn(&Metrics) -> f64) -> Vec<u64> {
    if history.is_empty() || width == 0 {
        return Vec::new();
    }
    let n = history.len();
    let m = n.min(width);
    (0..m)
        .map(|i| {
            let j = ((i + 1) * n).div_ceil(m) - 1;
            (pick(&history[j.min(n - 1)]) * 100.0)
                .round()
                .clamp(0.0, 100.0) as u64
        })
        .collect()
}

pub fn render(f: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let block = panel("accuracy", theme);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let hist = &app.snapshot.history;
    let shown = app.frame().map(|fr| fr.metrics).or(hist.last().copied());
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
    for (label, value, style, pick, lrect, srect) in [
        (
            "train",
            tr,
            theme.train(),
            (|m: &Metrics| m.train_acc) as fn(&Metrics) -> f64,
            l1,
            s1,
        ),
        ("test ", te, theme.test(), |m: &Metrics| m.test_acc, l2, s2),
    ] {
        f.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(label, style),
                Span::raw(format!(" {:6.2}%", value * 100.0)),
            ])),
            lrect,
        );
        let data = resample(hist, w, pick);
        f.render_widget(
            Sparkline::default().data(&data).max(100).style(style),
            srect,
        );
    }
}
