//! The sweep view's header (the grid, runs done and training, the clock, time left, the
//! status; the settings and where records go below when there is room) and its progress bar
//! of runs by class.

use super::super::{clock, header_sep, header_start};
use super::scene::Marks;
use super::{ORDER, Scene, SweepStatus, run_glyph};
use crate::sweep::{Class, RunState};
use crate::ui::{Theme, thousands};
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub(super) fn header(f: &mut Frame, s: &Scene, area: Rect, compact: bool) {
    let (theme, title) = (s.theme, s.title);
    let sep = || header_sep(theme);
    let mut spans = header_start(theme, compact);
    spans.push(Span::styled(format!("sweep {title}"), theme.title()));
    spans.push(sep());
    spans.push(Span::raw(if compact {
        format!(
            "{}/{}",
            thousands(s.progress.done() as u64),
            thousands(s.progress.total() as u64)
        )
    } else {
        format!(
            "{} / {} runs",
            thousands(s.progress.done() as u64),
            thousands(s.progress.total() as u64)
        )
    }));
    if s.article {
        article_header(f, s, area, compact, spans);
        return;
    }
    spans.push(sep());
    spans.push(Span::raw(if compact {
        format!("▒ {}", s.progress.running.len())
    } else {
        format!("{} training", s.progress.running.len())
    }));
    spans.push(sep());
    spans.push(Span::raw(clock(s.elapsed)));
    spans.push(sep());
    spans.push(Span::raw(match s.eta() {
        Some(d) if s.status() == SweepStatus::Running => format!("eta {}", clock(d)),
        _ => "eta —".into(),
    }));
    spans.push(sep());
    spans.push(status_span(s.status(), theme));
    let mut lines = vec![Line::from(spans)];
    if area.height > 1 {
        let mut what = format!(
            "{} · {} steps, metrics every {} · {} {}",
            s.preset,
            thousands(s.steps),
            thousands(s.every),
            s.jobs,
            if s.jobs == 1 { "job" } else { "jobs" }
        );
        if let Some(sh) = s.shard {
            what.push_str(&format!(" · shard {}/{}", sh.index, sh.count));
        }
        if s.progress.resumed > 0 {
            what.push_str(&format!(
                " · {} resumed",
                thousands(s.progress.resumed as u64)
            ));
        }
        if !s.note.is_empty() {
            what.push_str(" · ");
            what.push_str(s.note);
        }
        lines.push(Line::styled(what, theme.dim()));
    }
    f.render_widget(Paragraph::new(lines), area);
}

/// The header over the article's published runs: nothing trains, so no clock or time left.
fn article_header(f: &mut Frame, s: &Scene, area: Rect, compact: bool, mut spans: Vec<Span>) {
    let theme = s.theme;
    let sep = || header_sep(theme);
    // Published runs: nothing trains, no clock, no time left.
    spans.push(sep());
    spans.push(Span::styled(
        if compact {
            "the article's"
        } else {
            "the article's runs, read-only"
        },
        theme.key(),
    ));
    spans.push(sep());
    spans.push(status_span(s.status(), theme));
    let mut lines = vec![Line::from(spans)];
    if area.height > 1 {
        let what = format!("{} · {} steps · {}", s.preset, thousands(s.steps), s.note);
        lines.push(Line::styled(what, theme.dim()));
    }
    f.render_widget(Paragraph::new(lines), area);
}

/// The progress bar: finished runs by class (in the chart's order), then those training,
/// then the pending ones; the count and percentage at its right.
pub(super) fn bar(buf: &mut Buffer, s: &Scene, area: Rect) {
    let theme = s.theme;
    if let Some(m) = s.marks {
        marks_legend(buf, s, m, area);
        return;
    }
    let total = s.progress.total().max(1);
    let label = format!(
        " {}/{} · {:.0} %",
        thousands(s.progress.done() as u64),
        thousands(s.progress.total() as u64),
        100.0 * s.progress.done() as f64 / total as f64
    );
    let w = area.width.saturating_sub(label.chars().count() as u16) as usize;
    let counts = s.counts();
    let mut segments: Vec<(RunState, usize)> = ORDER
        .iter()
        .map(|&c| {
            let i = Class::ALL.iter().position(|&k| k == c).unwrap_or(0);
            (RunState::Done(c), counts[i])
        })
        .collect();
    segments.push((RunState::Running, s.progress.running.len()));
    let pending = s.progress.pending();
    segments.push((RunState::Pending, pending));
    // Cumulative rounding: each segment ends at round(end / total × w).
    let mut x0 = 0usize;
    let mut acc = 0usize;
    for (state, n) in segments {
        acc += n;
        let x1 = (acc * w + total / 2) / total;
        for x in x0..x1.min(w) {
            let (sym, style) = match state {
                RunState::Done(c) if theme.colored() => ("█", theme.class_text(c)),
                RunState::Done(_) => (run_glyph(state), theme.title()),
                RunState::Running => ("▒", theme.running()),
                RunState::Pending => ("·", theme.dim()),
            };
            buf.set_string(area.x + x as u16, area.y, sym, style);
        }
        x0 = x0.max(x1);
    }
    buf.set_string(area.x + w as u16, area.y, label, Style::new());
}

/// A sweep's status as the headers show it.
pub fn status_span(status: SweepStatus, theme: &Theme) -> Span<'static> {
    let (state, style) = match status {
        SweepStatus::Waiting => ("waiting", theme.dim()),
        SweepStatus::Running => ("▶ running", theme.key()),
        SweepStatus::Paused => ("❚❚ paused", theme.warn()),
        SweepStatus::Finished => ("■ finished", theme.title()),
    };
    Span::styled(state, style)
}

/// The disagreement marks' legend, in the progress bar's row while they are shown: what the
/// marks mean and the share of compared cells whose majority classes agree, each part in its
/// longest form that fits.
fn marks_legend(buf: &mut Buffer, s: &Scene, m: &Marks, area: Rect) {
    let theme = s.theme;
    let width = area.width as usize;
    let mut spans = vec![Span::styled("≠ ", theme.warn())];
    let tail = if let Some(why) = &m.why {
        vec![format!("nothing compared: {why} · d hides"), why.clone()]
    } else {
        let share = format!(
            "{} of {} cells agree ({:.0} %)",
            thousands(m.agree as u64),
            thousands(m.compared as u64),
            100.0 * m.agree as f64 / m.compared.max(1) as f64
        );
        let short = format!(
            "{}/{} agree ({:.0} %)",
            m.agree,
            m.compared,
            100.0 * m.agree as f64 / m.compared.max(1) as f64
        );
        vec![
            format!(
                "majority class differs from {} · ~ no single majority · {share} · d hides",
                m.against
            ),
            format!("differs from {} · ~ tie · {share}", m.against),
            format!("differs · ~ tie · {short}"),
            short,
        ]
    };
    let text = tail
        .iter()
        .find(|t| t.chars().count() + 2 <= width)
        .unwrap_or(&tail[tail.len() - 1]);
    spans.push(Span::styled(text.clone(), theme.title()));
    let line = Line::from(spans);
    ratatui::widgets::Widget::render(Paragraph::new(line), area, buf);
}
