//! Fourier frequency norms of W_input (k = 1..P/2) on a value scale, with the key
//! frequencies marked, and the Gini coefficient and restricted / excluded losses beside them.

use super::{Ctx, Panel, bars, panel};
use crate::train::TaskKind;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn sci(v: f64) -> String {
    if v == 0.0 {
        "0".into()
    } else if (0.01..100.0).contains(&v.abs()) {
        format!("{v:.3}")
    } else {
        format!("{v:.1e}")
    }
}

/// The axis under `n` frequency bars (k = 1..=n) in `width` columns: ▲ under each key
/// frequency, and on the row below the labels 1, 5, 10, 15, …
pub fn axis(n: usize, width: u16, key_frequencies: &[usize]) -> bars::Axis {
    bars::Axis::new(
        n,
        width,
        |i| key_frequencies.contains(&(i + 1)),
        |i| (i == 0 || (i + 1).is_multiple_of(5)).then(|| (i + 1).to_string()),
    )
}

/// modular: Fourier spectrum of W_input.
pub const PANEL: Panel = Panel {
    name: "spectrum",
    applies: |c| c.task == TaskKind::Modular,
    render,
};

fn render(f: &mut Frame, cx: &Ctx, area: Rect) {
    let (Some(frame), theme) = (cx.frame, cx.theme) else {
        return;
    };
    let Some(reading) = &frame.readings.spectrum else {
        return;
    };
    let title = "Fourier spectrum of W_input";
    let block = panel(title, theme);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let s = match reading {
        Ok(r) => &r.spectrum,
        Err(e) => {
            f.render_widget(Paragraph::new(format!("no spectrum: {e}")), inner);
            return;
        }
    };
    let progress = &frame.readings.progress;
    let [bar_area, axis_area, stats] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(2),
        Constraint::Length(2),
    ])
    .areas(inner);
    let n = s.norms.len();
    let styles: Vec<_> = (1..=n)
        .map(|k| {
            if s.key_frequencies.contains(&k) {
                theme.key()
            } else {
                theme.bar()
            }
        })
        .collect();
    let max = bars::nice_max(s.norms.iter().fold(0.0f32, |m, &v| m.max(v)));
    let cols = bars::draw_scaled(
        f.buffer_mut(),
        (area, title.chars().count()),
        bar_area,
        (&s.norms, max, &styles),
        theme.dim(),
    );
    let axis_area = Rect {
        x: cols.x,
        width: cols.width,
        ..axis_area
    };
    axis(n, axis_area.width, &s.key_frequencies).draw(
        f.buffer_mut(),
        axis_area,
        |_| ("▲", theme.key()),
        theme.dim(),
    );
    f.render_widget(Paragraph::new(stats_lines(s, progress, theme)), stats);
}

/// The lines under the axis: the Gini coefficient and the key frequencies, then the
/// restricted and excluded losses.
fn stats_lines(
    s: &crate::analysis::Spectrum,
    progress: &crate::probe::Reading<crate::analysis::ProgressMeasures>,
    theme: &super::Theme,
) -> Vec<Line<'static>> {
    let keys = if s.key_frequencies.is_empty() {
        "none".to_string()
    } else {
        s.key_frequencies
            .iter()
            .map(|k| k.to_string())
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut lines = vec![Line::from(vec![
        Span::styled("gini ", theme.dim()),
        Span::styled(format!("{:.2}", s.gini), theme.title()),
        Span::styled("  key k ", theme.dim()),
        Span::styled(keys, theme.key()),
    ])];
    match progress {
        Some(Ok(p)) => lines.push(Line::from(vec![
            Span::styled("restricted ", theme.dim()),
            Span::raw(sci(p.restricted_loss)),
            Span::styled("  excluded ", theme.dim()),
            Span::raw(sci(p.excluded_loss)),
        ])),
        Some(Err(e)) => lines.push(Line::styled(format!("progress measures: {e}"), theme.dim())),
        None => {}
    }
    lines
}
