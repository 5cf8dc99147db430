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
    let title = "weight norm per input digit";
    let block = panel(title, theme);
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
    let max = bars::nice_max(r.digit_norms.iter().fold(0.0f32, |m, &v| m.max(v)));
    let cols = bars::draw_scaled(
        f.buffer_mut(),
        (area, title.chars().count()),
        bar_area,
        (&r.digit_norms, max, &styles),
        theme.dim(),
    );
    let axis_area = Rect {
        x: cols.x,
        width: cols.width,
        ..axis_area
    };
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

/// The line under the digit axis: the informative digits' share, and what ▲ and b mean, in
/// the longest form that fits `width` that still says both (never a legend cut mid-word, nor
/// one that names the ▲ and leaves the b unexplained).
fn stats_line(k_bits: usize, share: f64, width: u16, theme: &super::Theme) -> Line<'static> {
    let long = format!("on digits 1-{k_bits}: ");
    let mid = format!("digits 1-{k_bits}: ");
    let short = format!("1-{k_bits}: ");
    let forms = [
        (&long, "  (▲ informative, b bias)"),
        (&long, "  ▲ informative, b bias"),
        (&mid, "  ▲ informative, b bias"),
        (&short, "  ▲ informative, b bias"),
        (&short, "  ▲ informative b bias"),
        (&short, "  ▲ key, b bias"),
        (&short, ""),
    ];
    let value = format!("{share:.1}%");
    let fits = |(head, legend): &(&String, &str)| {
        head.chars().count() + value.chars().count() + legend.chars().count() <= width as usize
    };
    let (head, legend) = forms.iter().find(|f| fits(f)).unwrap_or(&forms[6]);
    Line::from(vec![
        Span::styled(head.to_string(), theme.dim()),
        Span::styled(value, theme.key()),
        Span::styled(legend.to_string(), theme.dim()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::{ColorMode, Theme};

    /// Every width from the tour's and 80×24's panels up: the legend explains b whenever it
    /// explains ▲, and the line fits.
    #[test]
    fn the_legend_explains_the_bias_wherever_it_explains_the_marks() {
        let theme = Theme {
            mode: ColorMode::None,
        };
        for width in 10..80u16 {
            let line = stats_line(3, 100.0, width, &theme);
            let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
            assert!(
                text.chars().count() <= width as usize || width < 12,
                "{width}: {text}"
            );
            assert_eq!(
                text.contains('▲'),
                text.contains("b bias"),
                "{width}: {text}"
            );
        }
        // The 80×24 panel: 42 columns.
        let line = stats_line(3, 100.0, 42, &theme);
        let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(text, "digits 1-3: 100.0%  ▲ informative, b bias");
    }
}
