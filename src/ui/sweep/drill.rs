//! The drill-down: the selected cell's runs (its seeds) as small loss charts, train and test
//! loss on one log scale, each titled with the run's class and what tells it apart from the
//! cell's other runs, as the article shows a cell's runs when it is hovered.

use super::{Scene, fmt_threshold, panel, run_glyph};
use crate::sweep::{RunState, Thresholds};
use crate::ui::curves::{MiniOpts, mini_loss};
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// The smallest chart drawn: its title row and two rows of braille.
const MIN_W: u16 = 10;
const MIN_H: u16 = 3;

/// How `n` charts are laid out in `w`×`h`: `cols` × `rows` of `cw`×`ch` (title row included),
/// the first `shown` of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Charts {
    pub cols: u16,
    pub rows: u16,
    pub cw: u16,
    pub ch: u16,
    pub shown: usize,
}

/// The layout of `n` charts whose charts come out largest at about 3:1 (columns to rows),
/// none smaller than [`MIN_W`]×[`MIN_H`]; as many as fit when not all do (a row is then left
/// for the count of those not shown). One column between charts.
pub(super) fn charts(n: usize, w: u16, h: u16) -> Option<Charts> {
    let best = |n: usize, h: u16| {
        (1..=n.min(w as usize))
            .filter_map(|cols| {
                let cols = cols as u16;
                let rows = n.div_ceil(cols as usize) as u16;
                let (cw, ch) = ((w + 1) / cols - 1, h / rows);
                (cw >= MIN_W && ch >= MIN_H).then_some(Charts {
                    cols,
                    rows,
                    cw,
                    ch,
                    shown: n,
                })
            })
            .max_by_key(|c| (c.cw.min(3 * (c.ch - 1)), std::cmp::Reverse(c.rows)))
    };
    if n == 0 {
        return None;
    }
    best(n, h).or_else(|| (1..n).rev().find_map(|k| best(k, h.saturating_sub(1))))
}

/// The drill-down panel over `area`.
pub(super) fn render(f: &mut Frame, s: &Scene, area: Rect) {
    let theme = s.theme;
    let runs = s.selected();
    // The borders and the space before the title (the one after it may go).
    let room = area.width.saturating_sub(3) as usize;
    f.render_widget(panel(title(s, room), theme), area);
    let i = super::inner(area);
    let head = header(s, i.width);
    let head_h = (head.len() as u16).min(i.height);
    f.render_widget(
        Paragraph::new(head),
        Rect {
            height: head_h,
            ..i
        },
    );
    let body = Rect {
        y: i.y + head_h,
        height: i.height - head_h,
        ..i
    };
    let buf = f.buffer_mut();
    if runs.is_empty() {
        buf.set_stringn(
            body.x,
            body.y,
            match s.diagram {
                Some(_) => "no runs in this cell",
                None => "no run finished yet: ↑ ↓ select one",
            },
            body.width as usize,
            theme.dim(),
        );
        return;
    }
    let Some(c) = charts(runs.len(), body.width, body.height) else {
        buf.set_stringn(
            body.x,
            body.y,
            "too little room for the charts",
            body.width as usize,
            theme.warn(),
        );
        return;
    };
    for (k, &run) in runs.iter().take(c.shown).enumerate() {
        let (col, row) = (k as u16 % c.cols, k as u16 / c.cols);
        let a = Rect::new(body.x + col * (c.cw + 1), body.y + row * c.ch, c.cw, c.ch);
        chart(buf, s, run, a);
    }
    if c.shown < runs.len() {
        buf.set_stringn(
            body.x,
            body.y + c.rows * c.ch,
            format!("+{} more runs: enlarge the terminal", runs.len() - c.shown),
            body.width as usize,
            theme.dim(),
        );
    }
}

/// The panel's title in `room` characters: the cell's place in the grid (as many of its
/// parts as fit whole, never one cut), or the run's.
fn title(s: &Scene, room: usize) -> String {
    match s.diagram {
        Some(d) => {
            let c = s.cell;
            let mut parts = Vec::new();
            if let Some(v) = d.decays.get(c.decay) {
                parts.push(format!("wd {}", super::fmt_value(v)));
            }
            if let Some(v) = d.sizes.get(c.size) {
                parts.push(format!("{} {}", d.size_axis, super::fmt_value(v)));
            }
            if let Some(Some(v)) = d.panels.get(c.panel) {
                parts.push(format!("hidden {}", super::fmt_value(v)));
            }
            while parts.len() > 1 && parts.join(" · ").chars().count() > room {
                parts.pop();
            }
            parts.join(" · ")
        }
        None => match s.selected().first() {
            Some(run) => format!("run {run}"),
            None => "drill-down".into(),
        },
    }
}

/// What the charts draw: the two lines, the fit threshold's level and the scale; the grok
/// threshold.
fn header(s: &Scene, width: u16) -> Vec<Line<'static>> {
    let theme = s.theme;
    let t = s.thresholds;
    let d = Thresholds::default();
    let value = |v: f64, moved: bool| {
        Span::styled(
            fmt_threshold(v),
            if moved { theme.edited() } else { Style::new() },
        )
    };
    if s.article && s.progress.records.values().all(|r| r.curve.is_empty()) {
        return vec![
            Line::styled("the article published each run's lowest", theme.dim()),
            Line::styled("losses and top test/train ratio: no curves", theme.dim()),
        ];
    }
    vec![
        Line::from(vec![
            Span::styled("⠉⠉", theme.train()),
            Span::raw(" train  "),
            Span::styled(if theme.colored() { "⠉⠉" } else { "••" }, theme.test()),
            Span::raw(" test  "),
            Span::styled("⠁ ⠁", theme.dim()),
            Span::raw(" fit ≤ "),
            value(t.fit_loss, t.fit_loss != d.fit_loss),
            Span::styled(" t T", theme.dim()),
        ]),
        Line::from(vec![
            Span::raw("grok: test/train ≥ "),
            value(t.grok_ratio, t.grok_ratio != d.grok_ratio),
            Span::styled(" r R", theme.dim()),
            Span::styled(
                if width >= 50 {
                    " · loss 1e1 … 1e-8, log"
                } else {
                    ""
                },
                theme.dim(),
            ),
        ]),
    ]
}

/// Why a run the sweep classes as memorize or fail reached 99 % test accuracy all the same
/// (the phase label, which reads accuracy, would call it generalized): the class reads the
/// lowest losses, and the one named stayed above the fit threshold. A long and a short form;
/// `None` for the other classes and runs that never got there.
pub(super) fn accuracy_differs(
    class: crate::sweep::Class,
    r: &crate::sweep::RunRecord,
) -> Option<[String; 2]> {
    use crate::sweep::Class;
    let at = crate::ui::axis::short_step(r.trace.test_acc_99?);
    let loss = match class {
        Class::Memorize => "test",
        Class::Fail => "train",
        Class::Generalize | Class::Grok => return None,
    };
    Some([
        format!("test acc 99 % at {at}, {loss} loss above fit"),
        format!("test acc 99 % at {at}"),
    ])
}

/// What tells a run apart from the cell's others ("seed 3"), or its grid point in a list.
fn label(s: &Scene, run: usize) -> String {
    if let Some(d) = s.diagram {
        let rest = d.rest.get(&run).map(Vec::as_slice).unwrap_or_default();
        let parts: Vec<String> = rest
            .iter()
            .map(|(k, v)| format!("{k} {}", super::fmt_value(v)))
            .collect();
        return parts.join(" · ");
    }
    let point = match s.progress.records.get(&run) {
        Some(r) => r.point.clone(),
        None => s
            .row
            .and_then(|k| s.progress.runs.get(k))
            .and_then(Result::ok)
            .map(|r| r.point)
            .unwrap_or_default(),
    };
    let mut parts: Vec<String> = point
        .iter()
        .map(|(k, v)| format!("{k} {}", super::fmt_value(v)))
        .collect();
    if let Some(k) = s
        .progress
        .records
        .get(&run)
        .and_then(|r| r.key_freqs.as_ref())
    {
        let k: Vec<String> = k.iter().map(usize::to_string).collect();
        parts.push(format!("key frequencies {}", k.join(" ")));
    }
    parts.join(" · ")
}

/// The longest title that fits in `w` columns after the run's glyph: class, label and why
/// accuracy would say otherwise; class and label; the label alone; then its first words.
fn run_title(s: &Scene, run: usize, state: RunState, what: &str, label: &str, w: usize) -> String {
    let why = match state {
        RunState::Done(c) => s
            .progress
            .records
            .get(&run)
            .and_then(|r| accuracy_differs(c, r)),
        _ => None,
    };
    let mut titles: Vec<String> = why
        .iter()
        .flat_map(|[long, short]| {
            [
                format!(" {what} · {label} · {long}"),
                format!(" {what} · {label} · {short}"),
                format!(" {what} · {label} · test 99 %"),
            ]
        })
        .collect();
    titles.push(format!(" {what} · {label}"));
    titles
        .into_iter()
        .find(|t| t.chars().count() < w)
        .or_else(|| crate::ui::callout::fit_words(&format!(" {label}"), w - 1))
        .unwrap_or_default()
}

/// One run's chart in `a`: its title row, then its loss curves (or why there are none).
fn chart(buf: &mut Buffer, s: &Scene, run: usize, a: Rect) {
    let theme = s.theme;
    let state = s.state_of(run);
    let label = label(s, run);
    let (what, style) = match state {
        RunState::Done(c) => (c.name(), theme.class_text(c)),
        RunState::Running => ("training", theme.running()),
        RunState::Pending => ("pending", theme.dim()),
    };
    let glyph_style = match state {
        RunState::Done(c) => theme.class_cell(c),
        _ => style,
    };
    let w = a.width as usize;
    let rest = run_title(s, run, state, what, &label, w);
    buf.set_string(a.x, a.y, run_glyph(state), glyph_style);
    buf.set_stringn(a.x + 1, a.y, rest, w - 1, style);
    let area = Rect {
        y: a.y + 1,
        height: a.height - 1,
        ..a
    };
    // A note where the chart would be: the longer text if it fits.
    let note = |buf: &mut Buffer, long: &str, short: &str, style: Style| {
        let text = if long.chars().count() <= area.width as usize {
            long
        } else {
            short
        };
        buf.set_stringn(
            area.x,
            area.y + area.height.saturating_sub(1) / 2,
            text,
            area.width as usize,
            style,
        );
    };
    match state {
        RunState::Pending => note(buf, "· not started", "·", theme.dim()),
        RunState::Running => note(
            buf,
            "▒ training: its curve comes when it ends",
            "▒ training",
            theme.running(),
        ),
        RunState::Done(_) => match s.progress.records.get(&run) {
            Some(r) if !r.curve.is_empty() => {
                mini_loss(
                    buf,
                    area,
                    &r.curve,
                    r.planned_steps,
                    theme,
                    MiniOpts {
                        level: Some(s.thresholds.fit_loss),
                        cursor: None,
                        axes: true,
                    },
                );
            }
            Some(r) => no_curve(buf, s, r, area),
            None => note(buf, "no record", "no record", theme.dim()),
        },
    }
}

/// A finished run without a curve: what its record holds (lowest losses, top test/train
/// ratio), and why there is no curve (the article published none for its parity runs; an
/// older record kept none).
fn no_curve(buf: &mut Buffer, s: &Scene, r: &crate::sweep::RunRecord, area: Rect) {
    let theme = s.theme;
    let t = &r.trace;
    let w = area.width as usize;
    let why = if s.article {
        ["the article published no curve", "no curve published"]
    } else {
        ["no curve kept (an older record)", "no curve kept"]
    };
    let lines = [
        [
            format!("lowest train loss {:.1e}", t.min_train_loss),
            format!("train {:.1e}", t.min_train_loss),
        ],
        [
            format!("lowest test loss {:.1e}", t.min_test_loss),
            format!("test {:.1e}", t.min_test_loss),
        ],
        [
            format!("top test/train ratio {:.1e}", t.max_ratio),
            format!("ratio {:.1e}", t.max_ratio),
        ],
        why.map(String::from),
    ];
    for (k, [long, short]) in lines.iter().enumerate().take(area.height as usize) {
        let text = if long.chars().count() <= w {
            long
        } else {
            short
        };
        let style = if k == 3 { theme.dim() } else { Style::new() };
        buf.set_stringn(area.x, area.y + k as u16, text, w, style);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_fill_the_room_at_about_three_to_one() {
        // Two runs in a tall panel: one above the other, full width.
        let c = charts(2, 46, 32).unwrap();
        assert_eq!((c.cols, c.rows, c.cw, c.ch, c.shown), (1, 2, 46, 16, 2));
        // Nine in a narrow one: three by three.
        let c = charts(9, 34, 17).unwrap();
        assert_eq!((c.cols, c.rows, c.shown), (3, 3, 9));
        assert!(c.cw >= MIN_W && c.ch >= MIN_H);
        // Every chart inside the area.
        for (n, w, h) in [(9, 46, 32), (9, 70, 45), (1, 80, 10), (5, 20, 40)] {
            let c = charts(n, w, h).unwrap();
            assert!(
                c.cols * (c.cw + 1) - 1 <= w && c.rows * c.ch <= h,
                "{n} {w}×{h}"
            );
        }
    }

    #[test]
    fn too_many_charts_show_those_that_fit() {
        // Nine runs where only two rows of three fit: six, and a row for the rest's count.
        let c = charts(9, 34, 8).unwrap();
        assert_eq!((c.cols, c.rows, c.shown), (3, 2, 6), "{c:?}");
        assert!(c.rows * c.ch < 8);
        assert_eq!(charts(3, 5, 40), None, "narrower than one chart");
        assert_eq!(charts(0, 40, 40), None);
    }
}
