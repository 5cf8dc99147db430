//! Header: preset, step, steps/s, elapsed, running state (of a replay: that it is one, the
//! step of the steps kept, no rate and no clock) and the phase label; in the full layout a
//! second row with the run's settings and what its preset shows. Nothing is cut mid-word:
//! the first row drops its speed and clock before it would overflow, the second ends at a
//! word.

use super::text::fit;
use super::{Ctx, Theme, thousands};
use crate::probe::Phase;
use crate::snapshot::Status;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// The step item: the scrubbed step, or the step of the planned steps (of a replay: the
/// step on screen of the steps kept).
fn step<'a>(cx: &Ctx, compact: bool, theme: &Theme) -> Vec<Span<'a>> {
    let snap = cx.snapshot;
    let steps = thousands(snap.config.steps);
    match (cx.scrubbing, cx.frame) {
        (true, Some(fr)) => vec![
            Span::styled(
                format!("◂ step {} ▸", thousands(fr.step())),
                theme.scrub().add_modifier(Modifier::REVERSED),
            ),
            Span::styled(format!(" of {}", thousands(snap.step)), theme.dim()),
        ],
        (_, fr) if cx.replay => {
            let shown = thousands(fr.map_or(snap.step, |fr| fr.step()));
            let kept = thousands(snap.step);
            let of = if compact { "/" } else { " of " };
            vec![Span::raw(format!("step {shown}{of}{kept} kept"))]
        }
        _ if compact => vec![Span::raw(format!("step {}/{steps}", thousands(snap.step)))],
        _ => vec![Span::raw(format!(
            "step {} / {steps}",
            thousands(snap.step)
        ))],
    }
}

/// The running state: a replay's speed, paused, running, finished or diverged; of a kept
/// run read back, that it is a replay and whether the run ended (`terse`: the word alone).
fn state<'a>(cx: &Ctx, compact: bool, terse: bool, theme: &Theme) -> Span<'a> {
    if let Some(speed) = cx.playing {
        let speed = thousands(speed);
        let text = if compact {
            format!("⏵ {speed}/s")
        } else {
            format!("⏵ replay {speed} steps/s")
        };
        return Span::styled(text, theme.scrub());
    }
    if cx.replay {
        return replay_state(cx, compact || terse, terse, theme);
    }
    let (text, style) = match &cx.snapshot.status {
        _ if cx.paused => ("❚❚ paused", theme.warn()),
        Status::Running => ("▶ running", theme.key()),
        Status::Paused => ("❚❚ paused", theme.warn()),
        Status::Finished => ("■ finished", theme.title()),
        Status::Diverged(_) => ("✖ diverged", theme.warn()),
    };
    Span::styled(text, style)
}

/// A replay's state: how the kept run ended (its planned steps, stopped early, diverged),
/// or that it has not (killed, or still being written).
fn replay_state<'a>(cx: &Ctx, short: bool, terse: bool, theme: &Theme) -> Span<'a> {
    let snap = cx.snapshot;
    let (mark, long, brief, style) = match &snap.status {
        // Ended before its planned steps: a signal, or --until.
        Status::Finished if snap.step < snap.config.steps => (
            "■",
            "replay of a run stopped early",
            "replay, stopped early",
            theme.title(),
        ),
        Status::Finished => (
            "■",
            "replay of a finished run",
            "replay, finished",
            theme.title(),
        ),
        Status::Diverged(_) => (
            "✖",
            "replay of a diverged run",
            "replay, diverged",
            theme.warn(),
        ),
        Status::Running | Status::Paused => (
            "▷",
            "replay of an unfinished run",
            "replay, unfinished",
            theme.scrub(),
        ),
    };
    let text = match (short, terse) {
        (_, true) => "replay",
        (true, false) => brief,
        (false, false) => long,
    };
    Span::styled(format!("{mark} {text}"), style)
}

/// The preset item: its name and place among the presets (Tab and 1-9 move it); of a replay,
/// where presets do not switch, the name alone when the kept run has the preset's settings
/// and "from NAME" when it does not (another seed or length is not that preset's run).
fn preset(cx: &Ctx) -> String {
    let cfg = &cx.snapshot.config;
    if cx.replay {
        let same = crate::train::presets::find(&cfg.preset).is_ok_and(|p| p.config == *cfg);
        return if same {
            cfg.preset.clone()
        } else {
            format!("from {}", cfg.preset)
        };
    }
    let (i, n) = cx.settings.preset_index;
    format!("{} ({i}/{n})", cfg.preset)
}

/// The phase label in its shorter form, for a row with no room for the whole one.
fn short_label(phase: Phase) -> &'static str {
    match phase {
        Phase::FallingBack => "falling back",
        Phase::Failing => "not fitting",
        other => other.label(),
    }
}

/// How much a first row gives up to fit: the speed and clock, a replay's state in full, the
/// phase label in full.
#[derive(Clone, Copy)]
struct Form {
    speed: bool,
    terse: bool,
    short: bool,
}

/// The first row's items, each a group of spans; `speed`: with steps/s and the clock (never
/// in a replay, where nothing trains); `terse`: a replay's state in one word; `short`: the
/// phase label's shorter form.
fn items<'a>(cx: &Ctx, compact: bool, form: Form) -> Vec<Vec<Span<'a>>> {
    let Form {
        speed,
        terse,
        short,
    } = form;
    let theme = cx.theme;
    let snap = cx.snapshot;
    let mut out = vec![
        vec![Span::styled(preset(cx), theme.title())],
        step(cx, compact, theme),
    ];
    if speed && !cx.replay {
        out.push(vec![Span::raw(format!(
            "{}{}",
            thousands(snap.clock.steps_per_s.round() as u64),
            if compact { "/s" } else { " steps/s" }
        ))]);
        out.push(vec![Span::raw(super::clock(snap.clock.elapsed))]);
    }
    out.push(vec![state(cx, compact, terse, theme)]);
    let phase = cx.frame.map_or(Phase::Starting, |fr| fr.phase);
    let label = if short {
        short_label(phase)
    } else {
        phase.label()
    };
    out.push(vec![Span::styled(label, theme.phase(phase))]);
    out
}

/// The first row in `width` columns: every item when it fits, else without the speed and
/// the clock, else (a replay) with its state in one word, else with the phase label's
/// shorter form; what still overflows ends in "…" at a whole word, never inside one.
fn first_row<'a>(cx: &Ctx, compact: bool, width: usize) -> Line<'a> {
    let theme = cx.theme;
    let join = |groups: Vec<Vec<Span<'a>>>| {
        let mut spans = super::header_start(theme, compact);
        for (k, g) in groups.into_iter().enumerate() {
            if k > 0 {
                spans.push(super::header_sep(theme));
            }
            spans.extend(g);
        }
        Line::from(spans)
    };
    let forms = [
        (true, false, false),
        (false, false, false),
        (false, true, false),
    ];
    let last = Form {
        speed: false,
        terse: true,
        short: true,
    };
    forms
        .into_iter()
        .map(|(speed, terse, short)| Form {
            speed,
            terse,
            short,
        })
        .chain([last])
        .map(|form| join(items(cx, compact, form)))
        .find(|row| row.width() <= width)
        .unwrap_or_else(|| ended(join(items(cx, compact, last)), width))
}

/// `row` in `width` columns: its spans whole while they fit, the first that does not ended
/// at a word with "…" ([`fit`]), the rest left out.
fn ended(row: Line<'_>, width: usize) -> Line<'_> {
    let mut left = width;
    let mut spans = Vec::new();
    for span in row.spans {
        let w = span.width();
        if w <= left {
            left -= w;
            spans.push(span);
            continue;
        }
        let text = fit(&span.content, left);
        if !text.trim_start_matches(['…', ' ', '│']).is_empty() {
            spans.push(Span::styled(text, span.style));
        }
        break;
    }
    Line::from(spans)
}

/// The header line (two rows in the full layout): not a [`super::Panel`], as the layouts
/// give it a form (`compact`) as well as an area.
pub fn render(f: &mut Frame, cx: &Ctx, area: Rect, compact: bool) {
    let theme = cx.theme;
    let snap = cx.snapshot;
    let cfg = &snap.config;
    let width = area.width as usize;
    let mut lines = vec![first_row(cx, compact, width)];
    if !compact {
        let shows = crate::train::presets::find(&cfg.preset).map_or("", |p| p.shows);
        // The run's own settings first: a long description of the preset ends at a word
        // rather than push them off the row.
        let detail = match &snap.status {
            Status::Diverged(why) => Span::styled(fit(why, width), theme.warn()),
            _ if shows.is_empty() => Span::styled(fit(&cfg.describe(), width), theme.dim()),
            _ => Span::styled(
                fit(&format!("{} · {shows}", cfg.describe()), width),
                theme.dim(),
            ),
        };
        lines.push(Line::from(detail));
    }
    f.render_widget(Paragraph::new(lines), area);
}
