//! Header: preset, step, steps/s, elapsed, running state and the phase label; in the full
//! layout a second row with the run's settings and what its preset shows. Nothing is cut
//! mid-word: the first row drops its speed and clock before it would overflow, the second
//! ends at a word.

use super::text::fit;
use super::{Ctx, Theme, thousands};
use crate::probe::Phase;
use crate::snapshot::Status;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// The step item: the scrubbed step, or the step of the planned steps.
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
        _ if compact => vec![Span::raw(format!("step {}/{steps}", thousands(snap.step)))],
        _ => vec![Span::raw(format!(
            "step {} / {steps}",
            thousands(snap.step)
        ))],
    }
}

/// The running state: a replay's speed, paused, running, finished or diverged.
fn state<'a>(cx: &Ctx, compact: bool, theme: &Theme) -> Span<'a> {
    if let Some(speed) = cx.playing {
        let speed = thousands(speed);
        let text = if compact {
            format!("⏵ {speed}/s")
        } else {
            format!("⏵ replay {speed} steps/s")
        };
        return Span::styled(text, theme.scrub());
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

/// The first row's items, each a group of spans; `speed`: with steps/s and the clock.
fn items<'a>(cx: &Ctx, compact: bool, speed: bool) -> Vec<Vec<Span<'a>>> {
    let theme = cx.theme;
    let snap = cx.snapshot;
    let cfg = &snap.config;
    let (i, n) = cx.settings.preset_index;
    let mut out = vec![
        vec![Span::styled(
            format!("{} ({i}/{n})", cfg.preset),
            theme.title(),
        )],
        step(cx, compact, theme),
    ];
    if speed {
        out.push(vec![Span::raw(format!(
            "{}{}",
            thousands(snap.clock.steps_per_s.round() as u64),
            if compact { "/s" } else { " steps/s" }
        ))]);
        out.push(vec![Span::raw(super::clock(snap.clock.elapsed))]);
    }
    out.push(vec![state(cx, compact, theme)]);
    let phase = cx.frame.map_or(Phase::Starting, |fr| fr.phase);
    out.push(vec![Span::styled(phase.label(), theme.phase(phase))]);
    out
}

/// The first row in `width` columns: every item when it fits, else without the speed and
/// the clock.
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
    let full = join(items(cx, compact, true));
    if full.width() <= width {
        full
    } else {
        join(items(cx, compact, false))
    }
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
