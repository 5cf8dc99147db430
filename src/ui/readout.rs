//! The read-out beside the settings: progress measures for modular models, the angle fit for
//! five neurons, the informative share for parity, and what the phase label means.

use super::spectrum::sci;
use super::{Ctx, Panel, Theme, panel};
use crate::analysis::FiveNeuronReadout;
use crate::probe::parity::ParityReading;
use crate::probe::{Phase, Readings};
use crate::snapshot::WeightFrame;
use crate::train::Weights;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

fn row<'a>(label: &str, value: String, theme: &Theme) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{label:<23}"), theme.dim()),
        Span::raw(value),
    ])
}

fn explain(phase: Phase) -> &'static str {
    match phase {
        Phase::Starting => "Not trained yet.",
        Phase::Memorizing => {
            "Memorizing: the training set is being fitted by a lookup table; test accuracy stays near chance."
        }
        Phase::CircuitForming => {
            "Circuit forming: the training set is fitted; weight decay is growing a periodic circuit underneath (sparser spectrum, excluded loss rising) while test accuracy still lags."
        }
        Phase::CleaningUp => {
            "Cleaning up: the generalizing circuit takes over and the memorizing weights decay; test accuracy climbs."
        }
        Phase::Grokked => "Grokked: test accuracy ≥ 99 %. The model generalizes.",
        Phase::NotLearning => {
            "Not learning: the training set is still at chance while the loss or the weights blow up; try a smaller learning rate."
        }
        Phase::FallingBack => {
            "Falling back to memorizing (reverse grokking): the training set stays fitted, but the test loss has doubled from its low and test accuracy slips from its peak as the weights grow."
        }
        Phase::Failing => {
            "Fail: the training set is not being fitted and the training loss has stopped falling; this model or these settings cannot memorize it."
        }
    }
}

/// The frame's numbers, its probes' read-outs and the phase label (every run).
pub const PANEL: Panel = Panel {
    name: "readout",
    applies: super::always,
    render,
};

fn render(f: &mut Frame, cx: &Ctx, area: Rect) {
    let theme = cx.theme;
    let Some(frame) = cx.frame else {
        f.render_widget(panel("read-out", theme), area);
        return;
    };
    let mut lines = metric_rows(cx, frame);
    let rd = &frame.readings;
    let title = match (&frame.weights, rd.five()) {
        (Weights::Modular(_), Some(r)) => {
            lines.extend(five_rows(r, theme));
            "five neurons"
        }
        (Weights::Modular(_), None) => {
            lines.extend(progress_rows(rd, theme));
            "progress measures"
        }
        (Weights::Parity(_), _) => {
            lines.extend(
                rd.parity()
                    .map(|p| parity_rows(p, theme))
                    .unwrap_or_default(),
            );
            "sparse parity"
        }
    };
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        Span::styled(frame.phase.label(), theme.phase(frame.phase)),
        Span::raw(" — "),
        Span::styled(
            explain(frame.phase)
                .split_once(": ")
                .map_or("", |(_, rest)| rest),
            theme.dim(),
        ),
    ]));
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: true })
            .block(panel(title, theme)),
        area,
    );
}

/// Step, losses and weight norm of the frame on screen; with a compared run, its losses at
/// the same step on the loss row.
fn metric_rows<'a>(cx: &Ctx, frame: &WeightFrame) -> Vec<Line<'a>> {
    let theme = cx.theme;
    let m = frame.metrics;
    let mut lines = vec![
        row(
            "step",
            format!(
                "{}{}",
                super::thousands(m.step),
                if cx.scrubbing { " (scrubbed)" } else { "" }
            ),
            theme,
        ),
        row(
            "loss train / test",
            format!("{} / {}", sci(m.train_loss), sci(m.test_loss)),
            theme,
        ),
        row("weight norm", format!("{:.2}", m.weight_norm), theme),
    ];
    if let Some(c) = cx.compare {
        let theirs = c.at(m.step).map_or("—".into(), |o| {
            format!("{} / {}", sci(o.train_loss), sci(o.test_loss))
        });
        lines[1].spans.extend([
            Span::raw("   "),
            super::compare::mark(theme, false),
            super::compare::mark(theme, true),
            Span::styled(format!(" {theirs}"), theme.train_compared()),
        ]);
    }
    lines
}

/// Five neurons: the fit of the output angles to twice the input angles, and the angles.
fn five_rows<'a>(r: &FiveNeuronReadout, theme: &Theme) -> Vec<Line<'a>> {
    let deg = |a: f32| format!("{:>5.0}°", a.to_degrees());
    vec![
        row(
            "fit ψ_out ≈ 2·φ_in + c",
            format!(
                "c = {:.2} rad, residual {:.3} rad",
                r.offset, r.mean_residual
            ),
            theme,
        ),
        Line::from(vec![
            Span::styled(format!("{:<23}", "φ_in"), theme.w_in()),
            Span::raw(r.angle_in.iter().map(|&a| deg(a)).collect::<String>()),
        ]),
        Line::from(vec![
            Span::styled(format!("{:<23}", "ψ_out"), theme.w_out()),
            Span::raw(r.angle_out.iter().map(|&a| deg(a)).collect::<String>()),
        ]),
    ]
}

/// Modular models: the spectrum's gini and the progress measures, where they were read.
fn progress_rows<'a>(rd: &Readings, theme: &Theme) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    if let Some(s) = rd.spectrum() {
        lines.push(row(
            "gini of spectrum",
            format!("{:.3}", s.spectrum.gini),
            theme,
        ));
    }
    if let Some(p) = rd.progress() {
        lines.push(row(
            "restricted loss",
            format!("{}  (key frequencies only)", sci(p.restricted_loss)),
            theme,
        ));
        lines.push(row(
            "excluded loss",
            format!("{}  (key frequencies removed)", sci(p.excluded_loss)),
            theme,
        ));
    }
    lines
}

/// Sparse parity: the first layer's share on the informative digits, and the mean norms of
/// the informative and the other digits' weights (the bias left out).
fn parity_rows<'a>(reading: &ParityReading, theme: &Theme) -> Vec<Line<'a>> {
    let ParityReading {
        readout: r, k_bits, ..
    } = reading;
    let mut lines = vec![row(
        &format!("share on digits 1-{k_bits}"),
        format!("{:.1} %", r.informative_share * 100.0),
        theme,
    )];
    let n = r.digit_norms.len();
    let mean = |s: &[f32]| s.iter().sum::<f32>() / s.len().max(1) as f32;
    if n > *k_bits + 1 {
        lines.push(row(
            "mean norm info / rest",
            format!(
                "{:.3} / {:.3}",
                mean(&r.digit_norms[..*k_bits]),
                mean(&r.digit_norms[*k_bits..n - 1])
            ),
            theme,
        ));
    }
    lines
}
