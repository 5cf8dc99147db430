//! The side column (the class counts with the thresholds, the last finished run, how to read
//! the view) and the one-line legend drawn where the column does not fit.

use super::{ORDER, Scene, fmt_threshold, fmt_value, run_glyph};
use crate::sweep::{Class, RunRecord, RunState, Thresholds};
use crate::ui::{panel, thousands};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

/// Height of the class counts (with the thresholds) in the side column.
const COUNTS_H: u16 = 10;
fn loss(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.1e}")
    } else {
        "—".into()
    }
}

/// A legend row: the class counts, the thresholds and (when paged) the panels shown, each
/// in its longest form that lets the row fit `width`, the counts first.
pub(super) fn legend_line(
    s: &Scene,
    width: usize,
    pages: Option<(String, String)>,
) -> Line<'static> {
    let theme = s.theme;
    let t = s.thresholds;
    let (fit, ratio) = (fmt_threshold(t.fit_loss), fmt_threshold(t.grok_ratio));
    let th_style = if t == Thresholds::default() {
        theme.dim()
    } else {
        theme.edited()
    };
    let th_long = format!("│ fit ≤ {fit} · grok ≥ {ratio} ");
    let th_short = format!("│ ≤{fit} ≥{ratio} ");
    let (p_long, p_short) = pages.unwrap_or_default();
    let tries = [
        (&p_long, &th_long),
        (&p_long, &th_short),
        (&p_short, &th_long),
        (&p_short, &th_short),
    ];
    let len = |t: &str| t.chars().count();
    let width_of = |spans: &[Span]| spans.iter().map(Span::width).sum::<usize>();
    for (p, th) in tries {
        let room = width.saturating_sub(len(p) + len(th));
        let mut spans = legend_spans(s, room);
        if width_of(&spans) <= room {
            spans.push(Span::styled(th.clone(), th_style));
            spans.push(Span::styled(p.clone(), theme.dim()));
            return Line::from(spans);
        }
    }
    let mut spans = legend_spans(s, width.saturating_sub(len(&p_short)));
    spans.push(Span::styled(p_short, theme.dim()));
    Line::from(spans)
}

/// What the legend row's letters mean, "M memorize  G grok ...  · pending", for the row
/// above it when the counts alone fit there; `None` when the names do not fit `width`.
pub(super) fn names_line(s: &Scene, width: usize) -> Option<Line<'static>> {
    let theme = s.theme;
    let mut items: Vec<(&'static str, Style, &'static str)> = ORDER
        .iter()
        .map(|&c| (run_glyph(RunState::Done(c)), theme.class_cell(c), c.name()))
        .collect();
    items.push(("▒", theme.running(), "training"));
    items.push(("·", theme.dim(), "pending"));
    let mut spans = Vec::new();
    for (k, (glyph, style, name)) in items.into_iter().enumerate() {
        if k > 0 {
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled(glyph, style));
        spans.push(Span::styled(format!(" {name}"), theme.dim()));
    }
    let line = Line::from(spans);
    (line.width() <= width).then_some(line)
}

/// "M memorize 3  G grok 5 ..." on one line, names left out when `width` is short.
fn legend_spans(s: &Scene, width: usize) -> Vec<Span<'static>> {
    let theme = s.theme;
    let counts = s.counts();
    let pending = s.progress.pending();
    let mut items: Vec<(&'static str, Style, &'static str, usize)> = ORDER
        .iter()
        .map(|&c| {
            let n = counts[Class::ALL.iter().position(|&k| k == c).unwrap_or(0)];
            (
                run_glyph(RunState::Done(c)),
                theme.class_cell(c),
                c.name(),
                n,
            )
        })
        .collect();
    items.push(("▒", theme.running(), "training", s.progress.running.len()));
    items.push(("·", theme.dim(), "pending", pending));
    let long: usize = items
        .iter()
        .map(|(_, _, name, n)| name.len() + n.to_string().len() + 5)
        .sum();
    let short: usize = items.iter().map(|(.., n)| n.to_string().len() + 4).sum();
    let mut spans = Vec::new();
    for (glyph, style, name, n) in items {
        spans.push(Span::styled(glyph, style));
        spans.push(Span::raw(if long <= width {
            format!(" {name} {n}  ")
        } else if short <= width {
            format!(" {n}  ")
        } else {
            format!(" {n} ")
        }));
    }
    spans
}

/// The side column: class counts (the legend), the last finished run and, when there is
/// room, how to read the chart.
pub(super) fn render_side(f: &mut Frame, s: &Scene, side: Rect) {
    let text = if s.diagram.is_some() {
        "Too little weight decay memorizes, more groks, more still generalizes at once, \
         too much fails: one block per run. Classes read each run's lowest losses; the \
         training view's phase label reads accuracy."
    } else {
        "Grokking is contingent on the seed: each run finds its own key frequencies, \
         or none. \"test 99 %\" is accuracy's grok step; the classes read the lowest \
         losses against the thresholds above."
    };
    render_side_with(f, s, side, text, 8);
}

/// The side column with `about` (how to read the view, `about_h` rows) under the class
/// counts and the last finished run, when the column has room for it.
pub(super) fn render_side_with(f: &mut Frame, s: &Scene, side: Rect, about: &str, about_h: u16) {
    let theme = s.theme;
    let reading = if side.height >= COUNTS_H + 11 + about_h {
        about_h
    } else {
        0
    };
    let [counts, last, area] = Layout::vertical([
        Constraint::Length(COUNTS_H),
        Constraint::Fill(1),
        Constraint::Length(reading),
    ])
    .areas(side);
    render_counts(f, s, counts);
    render_last(f, s, last);
    if reading > 0 {
        f.render_widget(
            Paragraph::new(about)
                .style(theme.dim())
                .wrap(Wrap { trim: true })
                .block(panel("reading it", theme)),
            area,
        );
    }
}

/// The legend with counts: one line per class in the chart's order, a bar of its share.
pub(super) fn render_counts(f: &mut Frame, s: &Scene, area: Rect) {
    let theme = s.theme;
    let counts = s.counts();
    let done = s.progress.done().max(1);
    let inner_w = area.width.saturating_sub(2) as usize;
    let bar_w = inner_w.saturating_sub(20);
    let mut lines: Vec<Line> = ORDER
        .iter()
        .map(|&c| {
            let n = counts[Class::ALL.iter().position(|&k| k == c).unwrap_or(0)];
            let len = (n * bar_w + done / 2) / done;
            Line::from(vec![
                Span::styled(run_glyph(RunState::Done(c)), theme.class_cell(c)),
                Span::raw(format!(" {:<11}{:>5} ", c.name(), thousands(n as u64))),
                Span::styled(
                    if theme.colored() { "█" } else { "#" }.repeat(len),
                    theme.class_text(c),
                ),
            ])
        })
        .collect();
    let pending = s.progress.pending();
    lines.push(Line::from(vec![
        Span::styled("▒", theme.running()),
        Span::raw(format!(
            " {:<11}{:>5}",
            "training",
            s.progress.running.len()
        )),
    ]));
    lines.push(Line::from(vec![
        Span::styled("·", theme.dim()),
        Span::raw(format!(
            " {:<11}{:>5}",
            "pending",
            thousands(pending as u64)
        )),
    ]));
    lines.extend(threshold_lines(s));
    f.render_widget(Paragraph::new(lines).block(panel("classes", theme)), area);
}

/// The two thresholds the classes turn on, with their keys; a value moved from the
/// article's in the edited style.
fn threshold_lines(s: &Scene) -> [Line<'static>; 2] {
    let theme = s.theme;
    let (t, d) = (s.thresholds, Thresholds::default());
    let style = |moved: bool| if moved { theme.edited() } else { Style::new() };
    let line = |name: &'static str, what: &'static str, v: f64, moved: bool, keys| {
        let v = fmt_threshold(v);
        Line::from(vec![
            Span::styled(format!("{name:<5}"), theme.dim()),
            Span::raw(what),
            Span::styled(v.clone(), style(moved)),
            Span::raw(" ".repeat(21usize.saturating_sub(what.chars().count() + v.len()))),
            Span::styled(keys, theme.dim()),
        ])
    };
    [
        line(
            "fit",
            "loss ≤ ",
            t.fit_loss,
            t.fit_loss != d.fit_loss,
            "t T",
        ),
        line(
            "grok",
            "test/train ≥ ",
            t.grok_ratio,
            t.grok_ratio != d.grok_ratio,
            "r R",
        ),
    ]
}

/// A run's grid point, in the grid's axis order: "wd 0.1  hidden 32  n_train 750  seed 1"
/// (each name and value held together when the line wraps).
fn point_text(r: &RunRecord, axes: &[String]) -> String {
    let mut keys: Vec<&String> = axes.iter().filter(|a| r.point.contains_key(*a)).collect();
    keys.extend(r.point.keys().filter(|k| !axes.contains(k)));
    keys.into_iter()
        .map(|k| (k, &r.point[k]))
        .map(|(k, v)| {
            let k = match k.as_str() {
                "weight_decay" => "wd",
                other => other,
            };
            format!("{k}\u{a0}{}", fmt_value(v))
        })
        .collect::<Vec<_>>()
        .join("  ")
}

/// The last finished run: where it sits in the grid and what made its class.
pub(super) fn render_last(f: &mut Frame, s: &Scene, area: Rect) {
    let theme = s.theme;
    // The article's runs all came at once: its box shows the cursor cell's first run.
    let (title, record) = if s.article {
        let first = s.selected().first().copied();
        (
            "the cell's first run",
            first.and_then(|i| s.progress.records.get(&i)),
        )
    } else {
        ("last finished", s.progress.last_record())
    };
    let mut lines = match record {
        None => vec![Line::styled(
            if s.progress.total() == 0 {
                "nothing to run: every run of this grid is recorded"
            } else {
                "no run finished yet; each takes seconds to minutes"
            },
            theme.dim(),
        )],
        Some(r) => record_lines(s, r),
    };
    if let Some(e) = s.progress.errors.last() {
        lines.push(Line::styled(e.clone(), theme.warn()));
    }
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(panel(title, theme)),
        area,
    );
}

/// A finished run's lines: its class, grid point, when it fitted and generalized, its
/// losses, key frequencies and steps.
fn record_lines(s: &Scene, r: &RunRecord) -> Vec<Line<'static>> {
    let theme = s.theme;
    // When each accuracy first reached 99 %: the value says it is a step, so that the
    // label's "99 %" is not read as the run's accuracy.
    let at = |v: Option<u64>| match v {
        Some(v) => format!("at step {}", thousands(v)),
        None if s.article => "step unpublished".to_string(),
        None => "never".to_string(),
    };
    let mut lines = vec![
        Line::from(vec![
            Span::raw(format!("run {} ", r.run)),
            Span::styled(
                format!(" {} ", s.class_of(r).name()),
                theme.class_cell(s.class_of(r)),
            ),
        ]),
        Line::raw(point_text(r, s.axes)),
    ];
    // A class by loss that accuracy contradicts says which loss decided it.
    if super::drill::accuracy_differs(s.class_of(r), r).is_some() {
        let which = if s.class_of(r) == crate::sweep::Class::Fail {
            "train"
        } else {
            "test"
        };
        lines.push(Line::styled(
            format!("{which} loss never reached fit"),
            theme.dim(),
        ));
    }
    lines.extend([
        Line::raw(format!("train acc 99 %  {}", at(r.trace.train_acc_99))),
        Line::raw(format!("test acc 99 %   {}", at(r.trace.test_acc_99))),
        Line::raw(format!("min train loss  {}", loss(r.trace.min_train_loss))),
        Line::raw(format!("min test loss   {}", loss(r.trace.min_test_loss))),
        Line::raw(format!("max test/train  {}", loss(r.trace.max_ratio))),
    ]);
    if let Some(k) = &r.key_freqs {
        lines.push(Line::raw(format!(
            "key frequencies {}",
            k.iter().map(usize::to_string).collect::<Vec<_>>().join(" ")
        )));
    }
    let early = if r.steps < r.planned_steps {
        " (settled early)"
    } else {
        ""
    };
    lines.push(Line::raw(if s.article {
        format!("{} steps, trained by the article", thousands(r.steps))
    } else {
        format!(
            "{} of {} steps{early} · {:.1} s",
            thousands(r.steps),
            thousands(r.planned_steps),
            r.elapsed_s
        )
    }));
    lines
}
