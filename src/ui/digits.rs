//! Parity: weight norm per input digit; the informative digits in the key colour, so the
//! distractors visibly fade as the model generalizes.

use super::{Ctx, Panel, bars, panel};
use crate::train::TaskKind;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// parity: weight norm per input digit.
pub const PANEL: Panel = Panel {
    name: "digits",
    applies: |c| c.task == TaskKind::Parity,
    render,
};

fn render(f: &mut Frame, cx: &Ctx, area: Rect) {
    let (Some(frame), theme) = (cx.frame, cx.theme) else {
        return;
    };
    let Some(reading) = &frame.readings.parity else {
        return;
    };
    let block = panel("weight norm per input digit", theme);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let (r, k_bits) = match reading {
        Ok(p) => (&p.readout, &p.k_bits),
        Err(e) => {
            f.render_widget(Paragraph::new(e.to_string()), inner);
            return;
        }
    };
    let [bar_area, axis_area, stats] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(2),
        Constraint::Length(1),
    ])
    .areas(inner);
    let n = r.digit_norms.len();
    let styles: Vec<_> = (0..n)
        .map(|i| {
            if i < *k_bits {
                theme.key()
            } else if i + 1 == n {
                theme.dim()
            } else {
                theme.bar()
            }
        })
        .collect();
    let max = r.digit_norms.iter().fold(0.0f32, |m, &v| m.max(v));
    let max = super::sticky_scale(max);
    bars::draw(f.buffer_mut(), bar_area, &r.digit_norms, max, &styles);
    // ▲ under the informative digits and b under the bias; digit numbers on the row below.
    bars::Axis::new(
        n,
        axis_area.width,
        |i| i < *k_bits || i + 1 == n,
        |i| (i + 1 < n && (i == 0 || (i + 1).is_multiple_of(5))).then(|| (i + 1).to_string()),
    )
    .draw(
        f.buffer_mut(),
        axis_area,
        |i| {
            if i < *k_bits {
                ("▲", theme.key())
            } else {
                ("b", theme.dim())
            }
        },
        theme.dim(),
    );
    let share = r.informative_share * 100.0;
    f.render_widget(
        Paragraph::new(stats_line(*k_bits, share, stats.width, theme)),
        stats,
    );
}

/// The line under the digit axis: the informative digits' share, and what ▲ and b mean in
/// the longest form that fits `width` (never a legend cut mid-word).
fn stats_line(k_bits: usize, share: f64, width: u16, theme: &super::Theme) -> Line<'static> {
    let head = [
        Span::styled(format!("on digits 1-{k_bits}: "), theme.dim()),
        Span::styled(format!("{share:.1}%"), theme.key()),
    ];
    let used = head.iter().map(Span::width).sum::<usize>();
    let legend = ["  (▲ informative, b bias)", "  ▲ informative", ""]
        .into_iter()
        .find(|l| used + l.chars().count() <= width as usize)
        .unwrap_or("");
    let mut spans = head.to_vec();
    spans.push(Span::styled(legend, theme.dim()));
    Line::from(spans)
}
