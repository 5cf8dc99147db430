//! Header: preset, step, steps/s, elapsed, running state and the phase label.

use super::{Ctx, thousands};
use crate::probe::Phase;
use crate::snapshot::Status;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// The header line (two rows in the full layout): not a [`super::Panel`], as the layouts
/// give it a form (`compact`) as well as an area.
pub fn render(f: &mut Frame, cx: &Ctx, area: Rect, compact: bool) {
    let theme = cx.theme;
    let snap = cx.snapshot;
    let cfg = &snap.config;
    let sep = || super::header_sep(theme);
    let mut spans = super::header_start(theme, compact);
    spans.push(Span::styled(
        format!(
            "{} ({}/{})",
            cfg.preset, cx.settings.preset_index.0, cx.settings.preset_index.1
        ),
        theme.title(),
    ));
    spans.push(sep());
    let frame = cx.frame;
    match (cx.scrubbing, frame) {
        (true, Some(fr)) => {
            spans.push(Span::styled(
                format!("◂ step {} ▸", thousands(fr.step())),
                theme.scrub().add_modifier(Modifier::REVERSED),
            ));
            spans.push(Span::styled(
                format!(" of {}", thousands(snap.step)),
                theme.dim(),
            ));
        }
        _ if compact => spans.push(Span::raw(format!(
            "step {}/{}",
            thousands(snap.step),
            thousands(cfg.steps)
        ))),
        _ => spans.push(Span::raw(format!(
            "step {} / {}",
            thousands(snap.step),
            thousands(cfg.steps)
        ))),
    }
    spans.push(sep());
    spans.push(Span::raw(format!(
        "{}{}",
        thousands(snap.clock.steps_per_s.round() as u64),
        if compact { "/s" } else { " steps/s" }
    )));
    spans.push(sep());
    spans.push(Span::raw(super::clock(snap.clock.elapsed)));
    spans.push(sep());
    let replay = cx.playing.map(|speed| {
        let speed = thousands(speed);
        if compact {
            format!("⏵ {speed}/s")
        } else {
            format!("⏵ replay {speed} steps/s")
        }
    });
    let (state, style) = match &snap.status {
        _ if let Some(r) = &replay => (r.as_str(), theme.scrub()),
        _ if cx.paused => ("❚❚ paused", theme.warn()),
        Status::Running => ("▶ running", theme.key()),
        Status::Paused => ("❚❚ paused", theme.warn()),
        Status::Finished => ("■ finished", theme.title()),
        Status::Diverged(_) => ("✖ diverged", theme.warn()),
    };
    spans.push(Span::styled(state, style));
    spans.push(sep());
    let phase = frame.map_or(Phase::Starting, |fr| fr.phase);
    spans.push(Span::styled(phase.label(), theme.phase(phase)));
    let mut lines = vec![Line::from(spans)];
    if !compact {
        let shows = crate::train::presets::find(&cfg.preset).map_or("", |p| p.shows);
        let detail = match &snap.status {
            Status::Diverged(why) => Span::styled(why.clone(), theme.warn()),
            _ => Span::styled(format!("{} · {}", shows, cfg.describe()), theme.dim()),
        };
        lines.push(Line::from(detail));
    }
    f.render_widget(Paragraph::new(lines), area);
}
