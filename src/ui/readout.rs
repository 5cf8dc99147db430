//! The read-out beside the settings: progress measures for modular models, the angle fit for
//! five neurons, the informative share for parity, and what the phase label means.

use super::spectrum::sci;
use super::text::{fixed, hang};
use super::{Ctx, Panel, Theme, panel};
use crate::analysis::FiveNeuronReadout;
use crate::probe::parity::ParityReading;
use crate::probe::{Phase, Readings};
use crate::snapshot::{Snapshot, Status, WeightFrame};
use crate::sweep::{Class, Thresholds, Trace, classify_with, vocab};
use crate::train::{TaskKind, Weights};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// The column the rows' values start in.
const LABEL: usize = 23;

fn row<'a>(label: &str, value: String, theme: &Theme) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{label:<LABEL$}"), theme.dim()),
        Span::raw(value),
    ])
}

fn explain(phase: Phase) -> &'static str {
    match phase {
        Phase::Starting => "Not trained yet.",
        Phase::Memorizing => {
            "Memorizing: the training set is being fitted by a lookup table; test accuracy stays near chance."
        }
        Phase::Generalizing => {
            "Generalizing: test accuracy keeps pace with train accuracy before the training set is fitted; the model learns the rule, not a table."
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

/// Narrower than this, the read-out leaves the spectrum's numbers to the spectrum panel.
const NARROW: u16 = 70;

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
    lines.extend(verdict_rows(cx.snapshot, frame.phase, theme));
    let rd = &frame.readings;
    let title = match (&frame.weights, rd.five()) {
        (Weights::Modular(_), Some(r)) => {
            lines.extend(five_rows(r, theme));
            "five neurons"
        }
        (Weights::Modular(_), None) => {
            // Narrow (beside the stacked heatmap), under the spectrum panel, which shows
            // the same three numbers.
            if area.width >= NARROW {
                lines.extend(progress_rows(rd, theme));
            }
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
    let phase = Line::from(vec![
        Span::styled(frame.phase.label(), theme.phase(frame.phase)),
        Span::raw(" — "),
        Span::styled(
            explain(frame.phase)
                .split_once(": ")
                .map_or("", |(_, rest)| rest),
            theme.dim(),
        ),
    ]);
    let rows = fitted(lines, phase, area);
    f.render_widget(Paragraph::new(rows).block(panel(title, theme)), area);
}

/// The labelled rows, a blank row and the phase's sentence, wrapped to the inner width of
/// `area`: a row too long continues under its value (under the label it would read as a
/// new entry), the sentence as prose. Where not every row would show, the blank row goes,
/// then the values move left from column [`LABEL`] to right after the longest label.
fn fitted(labelled: Vec<Line<'static>>, phase: Line<'static>, area: Rect) -> Vec<Line<'static>> {
    let width = area.width.saturating_sub(2) as usize;
    let height = area.height.saturating_sub(2) as usize;
    let label = |l: &Line| {
        l.spans
            .first()
            .map_or(0, |s| s.content.trim_end().chars().count())
    };
    let tight = labelled.iter().map(label).max().unwrap_or(0) + 2;
    let wrap = |col: usize, blank: bool| {
        let mut rows: Vec<Line<'static>> = Vec::new();
        for mut l in labelled.iter().cloned() {
            if let Some(first) = l.spans.first_mut() {
                first.content = format!("{:<col$}", first.content.trim_end()).into();
            }
            let indent = if width >= col + 16 { col } else { 2 };
            rows.extend(hang(l, indent, width));
        }
        if blank {
            rows.push(Line::raw(""));
        }
        rows.extend(hang(phase.clone(), 0, width));
        rows
    };
    [(LABEL, true), (LABEL, false)]
        .into_iter()
        .map(|(col, blank)| wrap(col, blank))
        .find(|rows| rows.len() <= height)
        .unwrap_or_else(|| wrap(tight.min(LABEL), false))
}

/// The run's trace, as a sweep records it: the lowest losses, the largest test/train ratio,
/// the steps accuracy crossed 90 and 99 %, over the metrics the session kept.
fn trace(snap: &Snapshot) -> Trace {
    let mut t = Trace::default();
    for m in &snap.history {
        t.push(m.step, m.train_loss, m.test_loss, m.train_acc, m.test_acc);
    }
    t
}

/// What to look at next, once the run has reached 99 % test accuracy or ended: for a run
/// that grokked the view that shows how; for one that did not, what to change. `None`
/// while it trains short of 99 %.
pub fn next_look(snap: &Snapshot) -> Option<String> {
    let t = trace(snap);
    let phase = snap.latest()?.phase;
    let modular = snap.config.task == TaskKind::Modular;
    if let Some(at) = t.test_acc_99 {
        let at = super::thousands(at);
        return Some(if modular {
            format!("99 % test accuracy at step {at} — m: how it computes")
        } else {
            format!("99 % test accuracy at step {at} — W1 shows the digits it kept")
        });
    }
    if snap.status != Status::Finished {
        return None;
    }
    Some(
        match phase {
            Phase::Failing => "never fitted the training set — try more hidden neurons or less weight decay (↑↓ + ⏎)",
            Phase::NotLearning => "not learning — try a smaller learning rate (↑↓ + ⏎)",
            Phase::Generalizing => "short of 99 % test accuracy — try another seed (↑↓ + ⏎)",
            Phase::CircuitForming | Phase::CleaningUp | Phase::Grokked => {
                "still generalizing when it ended — try more steps (↑↓ + ⏎)"
            }
            Phase::FallingBack if modular => {
                "generalized, then fell back to memorizing — try weight decay (↑↓ + ⏎), or G: seeds that grok"
            }
            Phase::FallingBack => {
                "generalized, then fell back to memorizing — try weight decay (↑↓ + ⏎), or w: the sweep over it"
            }
            Phase::Starting | Phase::Memorizing if modular => {
                "memorized only — try more weight decay (↑↓ + ⏎), or G: seeds that grok"
            }
            Phase::Starting | Phase::Memorizing => {
                "memorized only — try more weight decay (↑↓ + ⏎), or w: the sweep over it"
            }
        }
        .to_string(),
    )
}

/// Once the run has ended or reached 99 % test accuracy: its sweep class with the reason,
/// and why it may read differently from the phase label (`phase`); then what to look at
/// next.
fn verdict_rows<'a>(snap: &Snapshot, phase: Phase, theme: &Theme) -> Vec<Line<'a>> {
    let t = trace(snap);
    if snap.status != Status::Finished && t.test_acc_99.is_none() {
        return Vec::new();
    }
    let th = Thresholds::default();
    let class = classify_with(&t, &th);
    let learned = matches!(class, Class::Grok | Class::Generalize);
    let differ = learned != (phase == Phase::Grokked);
    let label = if snap.status == Status::Finished {
        "sweep class"
    } else {
        "sweep class so far"
    };
    let mut out = vec![row(label, vocab::verdict(&t, &th), theme)];
    if differ {
        out.push(row("why they differ", vocab::SOURCES.to_string(), theme));
    }
    if let Some(next) = next_look(snap) {
        let mut next = next
            .split_once(" — ")
            .map_or(next.clone(), |(_, n)| n.to_string());
        if t.test_acc_99.is_some() && snap.config.task == TaskKind::Modular {
            next.push_str(" · x: the circle built by hand");
        }
        out.push(row("next", next, theme));
    }
    out
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
    let deg = |a: f32| format!("{:>5}°", fixed(a.to_degrees() as f64, 0));
    vec![
        row(
            "ψ_out ≈ 2·φ_in + c",
            format!(
                "c = {} rad, residual {} rad",
                fixed(r.offset as f64, 2),
                fixed(r.mean_residual as f64, 3)
            ),
            theme,
        ),
        Line::from(vec![
            Span::styled(format!("{:<LABEL$}", "φ_in"), theme.w_in()),
            Span::raw(r.angle_in.iter().map(|&a| deg(a)).collect::<String>()),
        ]),
        Line::from(vec![
            Span::styled(format!("{:<LABEL$}", "ψ_out"), theme.w_out()),
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
