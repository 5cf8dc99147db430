//! The sweep view: the article's phase diagram filling in as runs finish. Weight decay down,
//! training-set size across, one small panel per hidden size; each run of a cell (its seeds)
//! is a block coloured and lettered by its class, dotted while pending and shaded while it
//! trains. Beside or below it: the class counts (the legend) and the last finished run.
//! Grids without those axes (`mod-add-seeds`) list their runs instead.

pub mod arch;
mod drill;
mod scene;

pub use scene::{Scene, SweepStatus};

use super::{Footer, Theme, fmt_rate, panel, thousands, too_small};
use crate::sweep::{Class, Diagram, RunRecord, RunState, Thresholds};
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use serde_json::Value;

/// Classes in the order the article's chart runs as weight decay grows: too little
/// memorizes, more groks, more still generalizes at once, too much fails.
pub const ORDER: [Class; 4] = [Class::Memorize, Class::Grok, Class::Generalize, Class::Fail];

/// Width of the side column (class counts, last run) when it fits beside the diagram.
const SIDE_W: u16 = 36;
/// Height of the class counts (with the thresholds) in the side column.
const COUNTS_H: u16 = 10;
/// Height of the strip below the diagram when the side column does not fit.
const STRIP_H: u16 = 10;
/// Width of the drill-down beside the diagram: two fifths of the body, within these.
const DRILL_MIN_W: u16 = 36;
const DRILL_MAX_W: u16 = 72;

/// A value of a grid axis as shown: 0.01, 1, 750, l2.
pub fn fmt_value(v: &Value) -> String {
    match v {
        Value::Number(n) if n.is_u64() || n.is_i64() => n.to_string(),
        Value::Number(n) => n.as_f64().map_or_else(|| n.to_string(), fmt_rate),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A threshold as shown: 1e-5, 3.2e-5, 5e4, 1.6e5.
pub fn fmt_threshold(v: f64) -> String {
    format!("{v:.1e}").replace(".0e", "e")
}

fn loss(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.1e}")
    } else {
        "—".into()
    }
}

/// Draw the sweep view over the whole frame: the scene's title names the grid in the header
/// (e.g. `parity-quick (1/3)`), `footer` lists the keys.
pub fn render(f: &mut Frame, s: &Scene, footer: &Footer) {
    let theme = s.theme;
    let area = f.area();
    if area.width < super::MIN_WIDTH || area.height < super::MIN_HEIGHT {
        too_small::render(f, area, theme);
        return;
    }
    let described = area.height >= 30;
    let [head, gauge, body, foot] = Layout::vertical([
        Constraint::Length(if described { 2 } else { 1 }),
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(area);
    header(f, s, head, area.width < super::FULL_WIDTH);
    bar(f.buffer_mut(), s, gauge);
    match s.diagram {
        Some(d) => render_diagram_body(f, s, d, body),
        None if arch::applies(s) => arch::render_body(f, s, body),
        None => render_list_body(f, s, body),
    }
    super::footer::render(f, footer, theme, foot);
}

/// The dashboard's sweep view before its grid could be opened: why (the footer's notice),
/// and the way back.
pub fn render_unopened(f: &mut Frame, footer: &Footer) {
    let text = footer.message.unwrap_or_default();
    f.render_widget(
        Paragraph::new(format!("{text}\nw returns to the training view")),
        f.area(),
    );
}

fn header(f: &mut Frame, s: &Scene, area: Rect, compact: bool) {
    let (theme, title) = (s.theme, s.title);
    let sep = || super::header_sep(theme);
    let mut spans = super::header_start(theme, compact);
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
    spans.push(sep());
    spans.push(Span::raw(if compact {
        format!("▒ {}", s.progress.running.len())
    } else {
        format!("{} training", s.progress.running.len())
    }));
    spans.push(sep());
    spans.push(Span::raw(super::clock(s.elapsed)));
    spans.push(sep());
    spans.push(Span::raw(match s.eta() {
        Some(d) if s.status() == SweepStatus::Running => format!("eta {}", super::clock(d)),
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
            what.push_str(&s.note);
        }
        lines.push(Line::styled(what, theme.dim()));
    }
    f.render_widget(Paragraph::new(lines), area);
}

/// One character of a run in the progress bar and the compact cells.
pub(super) fn run_glyph(state: RunState) -> &'static str {
    match state {
        RunState::Pending => "·",
        RunState::Running => "▒",
        RunState::Done(c) => match c {
            Class::Fail => "x",
            Class::Memorize => "M",
            Class::Generalize => "g",
            Class::Grok => "G",
        },
    }
}

/// The progress bar: finished runs by class (in the chart's order), then those training,
/// then the pending ones; the count and percentage at its right.
fn bar(buf: &mut Buffer, s: &Scene, area: Rect) {
    let theme = s.theme;
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

/// How the diagram's panels are drawn: each run as an `sx`×`sy` block (`compact`: each cell
/// as two characters summarising its runs), `cols`×`rows` panels at a time.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Plan {
    sx: u16,
    sy: u16,
    compact: bool,
    label_w: u16,
    cell_w: u16,
    gap_x: u16,
    gap_y: u16,
    panel_w: u16,
    panel_h: u16,
    cols: u16,
    rows: u16,
}

const PANEL_GAP_X: u16 = 3;
const PANEL_GAP_Y: u16 = 1;

impl Plan {
    fn new(d: &Diagram, sx: u16, sy: u16, compact: bool, w: u16, h: u16) -> Plan {
        let label_w = d
            .decays
            .iter()
            .map(|v| fmt_value(v).chars().count())
            .max()
            .unwrap_or(0)
            .max(2) as u16
            + 1;
        let size_w = d
            .sizes
            .iter()
            .map(|v| fmt_value(v).chars().count())
            .max()
            .unwrap_or(0) as u16;
        let runs_w = if compact {
            2
        } else {
            d.per_cell.max(1) as u16 * sx
        };
        let cell_w = runs_w.max(size_w);
        let gap_x = if sx > 1 { 2 } else { 1 };
        let gap_y = if sy > 1 { 1 } else { 0 };
        let (n_s, n_d) = (d.sizes.len() as u16, d.decays.len() as u16);
        let panel_w = label_w + 1 + n_s * cell_w + n_s.saturating_sub(1) * gap_x;
        let panel_h = 2 + n_d * sy + n_d.saturating_sub(1) * gap_y;
        let cols = (w + PANEL_GAP_X) / (panel_w + PANEL_GAP_X);
        let rows = (h + PANEL_GAP_Y) / (panel_h + PANEL_GAP_Y);
        Plan {
            sx,
            sy,
            compact,
            label_w,
            cell_w,
            gap_x,
            gap_y,
            panel_w,
            panel_h,
            cols,
            rows,
        }
    }

    fn capacity(&self) -> usize {
        self.cols as usize * self.rows as usize
    }

    /// Each run as a block, largest first, all panels at once; `None` if none fits.
    fn per_run(d: &Diagram, w: u16, h: u16) -> Option<Plan> {
        [(12, 6), (10, 5), (8, 4), (6, 3), (4, 2), (2, 1), (1, 1)]
            .into_iter()
            .map(|(sx, sy)| Plan::new(d, sx, sy, false, w, h))
            .find(|p| p.capacity() >= d.panels.len())
    }
}

/// Inner area of a bordered panel.
pub(super) fn inner(r: Rect) -> Rect {
    Rect {
        x: r.x + 1,
        y: r.y + 1,
        width: r.width.saturating_sub(2),
        height: r.height.saturating_sub(2),
    }
}

fn render_diagram_body(f: &mut Frame, s: &Scene, d: &Diagram, body: Rect) {
    let theme = s.theme;
    let long = format!(
        "phase diagram · weight decay ↓ · {} →",
        if d.size_axis == "n_train" {
            "training-set size"
        } else {
            "training fraction"
        }
    );
    // The long title where it fits in the diagram's frame, else the short one.
    let title = |width: u16| {
        if long.chars().count() + 4 <= width as usize {
            long.clone()
        } else {
            "phase diagram · wd ↓".to_string()
        }
    };
    // 0. The drill-down beside the diagram (with its legend row).
    if s.drill {
        let drill_w = (body.width * 2 / 5).clamp(DRILL_MIN_W, DRILL_MAX_W);
        let [diag, drill] =
            Layout::horizontal([Constraint::Fill(1), Constraint::Length(drill_w)]).areas(body);
        render_diagram_alone(f, s, d, diag, &title(diag.width));
        drill::render(f, s, drill);
        return;
    }
    // 1. The side column beside a diagram of whole runs.
    if body.width > SIDE_W + 20 {
        let diag = Rect {
            width: body.width - SIDE_W,
            ..body
        };
        let i = inner(diag);
        if let Some(plan) = Plan::per_run(d, i.width, i.height) {
            let side = Rect {
                x: diag.x + diag.width,
                width: SIDE_W,
                ..body
            };
            f.render_widget(panel(title(diag.width), theme), diag);
            draw_panels(f.buffer_mut(), s, d, &plan, i, 0);
            render_side(f, s, side);
            return;
        }
    }
    // 2. A strip below it.
    if body.height > STRIP_H + 6 {
        let diag = Rect {
            height: body.height - STRIP_H,
            ..body
        };
        let i = inner(diag);
        if let Some(plan) = Plan::per_run(d, i.width, i.height) {
            let strip = Rect {
                y: diag.y + diag.height,
                height: STRIP_H,
                ..body
            };
            f.render_widget(panel(title(diag.width), theme), diag);
            draw_panels(f.buffer_mut(), s, d, &plan, i, 0);
            let [counts, last] =
                Layout::horizontal([Constraint::Length(SIDE_W), Constraint::Fill(1)]).areas(strip);
            render_counts(f, s, counts);
            render_last(f, s, last);
            return;
        }
    }
    // 3. The diagram alone.
    render_diagram_alone(f, s, d, body, &title(body.width));
}

/// The diagram alone in `area`, with the legend (and counts) on its last row; compact cells
/// or pages of panels when whole runs do not fit (the page holds the cursor's panel).
fn render_diagram_alone(f: &mut Frame, s: &Scene, d: &Diagram, area: Rect, title: &str) {
    let theme = s.theme;
    f.render_widget(panel(title, theme), area);
    let i = inner(area);
    let (grid, legend_row) = if i.height > 1 {
        (
            Rect {
                height: i.height - 1,
                ..i
            },
            Rect {
                y: i.y + i.height - 1,
                height: 1,
                ..i
            },
        )
    } else {
        (i, Rect { height: 0, ..i })
    };
    let plan = Plan::per_run(d, grid.width, grid.height)
        .unwrap_or_else(|| Plan::new(d, 1, 1, true, grid.width, grid.height));
    let cap = plan.capacity();
    let first = if cap == 0 || cap >= d.panels.len() {
        0
    } else {
        let first = s.page.min(d.panels.len() - cap);
        // The cursor's panel stays in view.
        first.max((s.cell.panel + 1).saturating_sub(cap))
    };
    draw_panels(f.buffer_mut(), s, d, &plan, grid, first);
    // Which panels are shown (long, short).
    let pages = (cap > 0 && cap < d.panels.len()).then(|| {
        let (a, b, n) = (first + 1, (first + cap).min(d.panels.len()), d.panels.len());
        (
            format!("│ panels {a}–{b} of {n} (←/→)"),
            format!("│ {a}–{b}/{n}"),
        )
    });
    let line = legend_line(s, legend_row.width as usize, pages);
    f.render_widget(Paragraph::new(line), legend_row);
}

/// A legend row: the class counts, the thresholds and (when paged) the panels shown, each
/// in its longest form that lets the row fit `width`, the counts first.
fn legend_line(s: &Scene, width: usize, pages: Option<(String, String)>) -> Line<'static> {
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

/// Panels `first..` of the diagram into `area`, as many as the plan holds.
fn draw_panels(buf: &mut Buffer, s: &Scene, d: &Diagram, plan: &Plan, area: Rect, first: usize) {
    let theme = s.theme;
    if plan.cols == 0 || plan.rows == 0 {
        buf.set_stringn(
            area.x,
            area.y,
            "too little room for the diagram: enlarge the terminal",
            area.width as usize,
            theme.warn(),
        );
        return;
    }
    let shown = (d.panels.len() - first).min(plan.capacity()) as u16;
    let (cols, rows) = (shown.min(plan.cols), shown.div_ceil(plan.cols));
    let used_w = cols * (plan.panel_w + PANEL_GAP_X) - PANEL_GAP_X;
    let used_h = rows * (plan.panel_h + PANEL_GAP_Y) - PANEL_GAP_Y;
    let x0 = area.x + area.width.saturating_sub(used_w) / 2;
    let y0 = area.y + area.height.saturating_sub(used_h) / 2;
    for (k, p) in (first..d.panels.len()).take(plan.capacity()).enumerate() {
        let (c, r) = (k as u16 % plan.cols, k as u16 / plan.cols);
        let x = x0 + c * (plan.panel_w + PANEL_GAP_X);
        let y = y0 + r * (plan.panel_h + PANEL_GAP_Y);
        draw_panel(buf, s, d, plan, p, x, y);
    }
}

fn draw_panel(buf: &mut Buffer, s: &Scene, d: &Diagram, plan: &Plan, p: usize, x: u16, y: u16) {
    let theme = s.theme;
    let title = match &d.panels[p] {
        Some(h) => format!("hidden {}", fmt_value(h)),
        None => String::new(),
    };
    buf.set_string(x, y, &title, theme.title());
    buf.set_string(
        x,
        y + 1,
        format!("{:>w$}", "wd", w = plan.label_w as usize - 1),
        theme.dim(),
    );
    let col_x = |j: usize| x + plan.label_w + 1 + j as u16 * (plan.cell_w + plan.gap_x);
    for (j, v) in d.sizes.iter().enumerate() {
        let label = fmt_value(v);
        let pad = (plan.cell_w as usize).saturating_sub(label.chars().count()) / 2;
        buf.set_string(col_x(j) + pad as u16, y + 1, label, theme.dim());
    }
    for (i, v) in d.decays.iter().enumerate() {
        let row_y = y + 2 + i as u16 * (plan.sy + plan.gap_y);
        let label = fmt_value(v);
        buf.set_string(
            x,
            row_y + plan.sy / 2,
            format!("{label:>w$}", w = plan.label_w as usize - 1),
            Style::new(),
        );
        let last = i + 1 == d.decays.len();
        for dy in 0..plan.sy + if last { 0 } else { plan.gap_y } {
            buf.set_string(x + plan.label_w, row_y + dy, "│", theme.dim());
        }
        for (j, _) in d.sizes.iter().enumerate() {
            let runs = &d.cells[p][i][j];
            if plan.compact {
                draw_compact_cell(buf, s, runs, col_x(j), row_y);
            } else {
                for (k, &run) in runs.iter().enumerate() {
                    draw_run(
                        buf,
                        theme,
                        s.state_of(run),
                        col_x(j) + k as u16 * plan.sx,
                        row_y,
                        plan.sx,
                        plan.sy,
                    );
                }
            }
        }
    }
    if s.cell.panel == p {
        draw_cursor(buf, s, d, plan, x, y, col_x(s.cell.size));
    }
}

/// The cursor on its cell (drawn over the panel at `x`, `y`; the cell's column at `cx`):
/// brackets either side of the cell's runs, its weight decay and size in the cursor's
/// style, and (without colour) the runs reversed.
fn draw_cursor(buf: &mut Buffer, s: &Scene, d: &Diagram, plan: &Plan, x: u16, y: u16, cx: u16) {
    let theme = s.theme;
    let (i, j) = (s.cell.decay, s.cell.size);
    if i >= d.decays.len() || j >= d.sizes.len() {
        return;
    }
    let style = cursor_style(theme);
    let row_y = y + 2 + i as u16 * (plan.sy + plan.gap_y);
    let n = d.cells[s.cell.panel][i][j].len().max(1) as u16;
    // Blocks wider than one character end in a gap: the closing bracket goes there.
    let (width, close) = if plan.compact {
        (2, cx + 2)
    } else if plan.sx > 1 {
        (n * plan.sx - 1, cx + n * plan.sx - 1)
    } else {
        (n, cx + n)
    };
    for dy in 0..plan.sy {
        buf.set_string(cx - 1, row_y + dy, "[", style);
        buf.set_string(close, row_y + dy, "]", style);
    }
    if !theme.colored() {
        buf.set_style(
            Rect::new(cx, row_y, width, plan.sy),
            Style::new().add_modifier(Modifier::REVERSED),
        );
    }
    let label = fmt_value(&d.decays[i]);
    buf.set_string(
        x,
        row_y + plan.sy / 2,
        format!("{label:>w$}", w = plan.label_w as usize - 1),
        style,
    );
    let label = fmt_value(&d.sizes[j]);
    let pad = (plan.cell_w as usize).saturating_sub(label.chars().count()) / 2;
    buf.set_string(cx + pad as u16, y + 1, label, style);
}

/// The cursor's marks: bold light yellow (bold alone without colour), the selected
/// neuron's style elsewhere.
fn cursor_style(theme: &Theme) -> Style {
    theme.neuron()
}

/// One run as a `w`×`h` block: coloured by class with its letter in the middle (the letter
/// fills it without colour); shaded while training; dotted while pending. Blocks wider than
/// two characters keep a gap on their right, so neighbouring runs of a class stay countable.
fn draw_run(buf: &mut Buffer, theme: &Theme, state: RunState, x: u16, y: u16, w: u16, h: u16) {
    let bw = if w > 1 { w - 1 } else { 1 };
    let glyph = run_glyph(state);
    for dy in 0..h {
        for dx in 0..bw {
            let centre = dx == bw / 2 && dy == h / 2;
            let (sym, style) = match state {
                RunState::Done(c) if theme.colored() => {
                    (if centre { glyph } else { " " }, theme.class_cell(c))
                }
                RunState::Done(c) => (glyph, theme.class_cell(c)),
                RunState::Running => ("▒", theme.running()),
                RunState::Pending => ("·", theme.dim()),
            };
            buf.set_string(x + dx, y + dy, sym, style);
        }
    }
}

/// A cell in two characters: its most common class so far, then the next one, or a mark for
/// runs still to come (▒ training, · pending).
fn draw_compact_cell(buf: &mut Buffer, s: &Scene, runs: &[usize], x: u16, y: u16) {
    let theme = s.theme;
    let mut by_class: Vec<(Class, usize)> = Class::ALL
        .iter()
        .map(|&c| {
            (
                c,
                runs.iter()
                    .filter(|&&r| s.state_of(r) == RunState::Done(c))
                    .count(),
            )
        })
        .filter(|&(_, n)| n > 0)
        .collect();
    by_class.sort_by_key(|&(c, n)| (std::cmp::Reverse(n), ORDER.iter().position(|&o| o == c)));
    let training = runs.iter().any(|&r| s.state_of(r) == RunState::Running);
    let pending = runs.iter().any(|&r| s.state_of(r) == RunState::Pending);
    let rest = if training {
        Some(RunState::Running)
    } else if pending {
        Some(RunState::Pending)
    } else {
        None
    };
    let mut marks: Vec<RunState> = by_class.iter().map(|&(c, _)| RunState::Done(c)).collect();
    marks.extend(rest);
    for (k, state) in marks.into_iter().take(2).enumerate() {
        let style = match state {
            RunState::Done(c) if k == 0 => theme.class_cell(c),
            RunState::Done(c) => theme.class_text(c),
            RunState::Running => theme.running(),
            RunState::Pending => theme.dim(),
        };
        buf.set_string(x + k as u16, y, run_glyph(state), style);
    }
}

/// The side column: class counts (the legend), the last finished run and, when there is
/// room, how to read the chart.
fn render_side(f: &mut Frame, s: &Scene, side: Rect) {
    let text = if s.diagram.is_some() {
        "Too little weight decay memorizes, more groks, more still generalizes at once, \
         too much fails: the article's chart, one block per run."
    } else {
        "Grokking is contingent on the seed: each run finds its own key frequencies, \
         or none. \"test 99 %\" is the grok step; classes use the loss thresholds."
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

/// The legend with counts: one line per class in the chart's order, a bar of its share.
fn render_counts(f: &mut Frame, s: &Scene, area: Rect) {
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
fn render_last(f: &mut Frame, s: &Scene, area: Rect) {
    let theme = s.theme;
    let mut lines = Vec::new();
    match s.progress.last_record() {
        None => lines.push(Line::styled(
            if s.progress.total() == 0 {
                "nothing to run: every run of this grid is recorded"
            } else {
                "no run finished yet; each takes seconds to minutes"
            },
            theme.dim(),
        )),
        Some(r) => {
            lines.push(Line::from(vec![
                Span::raw(format!("run {} ", r.run)),
                Span::styled(
                    format!(" {} ", s.class_of(r).name()),
                    theme.class_cell(s.class_of(r)),
                ),
            ]));
            lines.push(Line::raw(point_text(r, s.axes)));
            let at = |v: Option<u64>| {
                v.map_or("never".to_string(), |s| format!("step {}", thousands(s)))
            };
            lines.push(Line::raw(format!(
                "train acc 99 %  {}",
                at(r.trace.train_acc_99)
            )));
            lines.push(Line::raw(format!(
                "test acc 99 %   {}",
                at(r.trace.test_acc_99)
            )));
            lines.push(Line::raw(format!(
                "min train loss  {}",
                loss(r.trace.min_train_loss)
            )));
            lines.push(Line::raw(format!(
                "min test loss   {}",
                loss(r.trace.min_test_loss)
            )));
            lines.push(Line::raw(format!(
                "max test/train  {}",
                loss(r.trace.max_ratio)
            )));
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
            lines.push(Line::raw(format!(
                "{} of {} steps{early} · {:.1} s",
                thousands(r.steps),
                thousands(r.planned_steps),
                r.elapsed_s
            )));
        }
    }
    if let Some(e) = s.progress.errors.last() {
        lines.push(Line::styled(e.clone(), theme.warn()));
    }
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(panel("last finished", theme)),
        area,
    );
}

/// Grids without a weight decay × training-set axis pair: one line per run.
fn render_list_body(f: &mut Frame, s: &Scene, body: Rect) {
    let theme = s.theme;
    let axis_values = s.progress.runs.axis_values();
    let axes: Vec<&str> = axis_values.iter().map(|(a, _)| *a).collect();
    let widths: Vec<usize> = axis_values
        .iter()
        .map(|(a, vals)| {
            vals.iter()
                .map(|v| fmt_value(v).chars().count())
                .max()
                .unwrap_or(0)
                .max(a.chars().count())
        })
        .collect();
    let mut head = format!("{:>5}", "run");
    for (a, w) in axes.iter().zip(&widths) {
        head.push_str(&format!("  {a:>w$}"));
    }
    head.push_str(&format!(
        "  {:<11} {:>11} {:>11}  key frequencies",
        "class", "test 99 %", "steps"
    ));
    // The drill-down below the list when open; else the side column when the list leaves
    // room for it (and some for key frequencies).
    let list_w = head.chars().count() as u16 + 2 + 16;
    let (body, side) = if s.drill {
        let [list, drill] = Layout::vertical([
            Constraint::Fill(1),
            Constraint::Length((body.height / 2).clamp(8, 16)),
        ])
        .areas(body);
        drill::render(f, s, drill);
        (list, None)
    } else if body.width >= list_w + SIDE_W {
        let main = Rect {
            width: body.width - SIDE_W,
            ..body
        };
        let side = Rect {
            x: main.x + main.width,
            width: SIDE_W,
            ..body
        };
        (main, Some(side))
    } else {
        (body, None)
    };
    let rows = body.height.saturating_sub(3) as usize;
    // Keep the runs in progress in view: start a few rows above the first unfinished one;
    // once the cursor moved, keep it in view instead.
    let n = s.progress.runs.len();
    let mut start = s.first_open().saturating_sub(3).min(n.saturating_sub(rows));
    if let Some(k) = s.row {
        start = start.min(k).max((k + 1).saturating_sub(rows));
    }
    let mut lines = vec![Line::styled(head, theme.dim())];
    for k in start..(start + rows).min(n) {
        let Some(Ok(r)) = s.progress.runs.get(k) else {
            continue;
        };
        let selected = s.row == Some(k);
        let mut text = format!("{}{:>4}", if selected { "▸" } else { " " }, r.index);
        for (a, w) in axes.iter().zip(&widths) {
            let v = r.point.get(*a).map(fmt_value).unwrap_or_default();
            text.push_str(&format!("  {v:>w$}"));
        }
        text.push_str("  ");
        let mut spans = vec![Span::raw(text)];
        match s.state_of(r.index) {
            RunState::Done(c) => {
                let rec = &s.progress.records[&r.index];
                spans.push(Span::styled(
                    format!("{:<11}", c.name()),
                    theme.class_text(c),
                ));
                spans.push(Span::raw(format!(
                    " {:>11} {:>11}  {}",
                    rec.trace.test_acc_99.map_or("never".to_string(), thousands),
                    thousands(rec.steps),
                    rec.key_freqs
                        .as_ref()
                        .map(|k| k.iter().map(usize::to_string).collect::<Vec<_>>().join(" "))
                        .unwrap_or_default()
                )));
            }
            RunState::Running => spans.push(Span::styled("▒ training", theme.running())),
            RunState::Pending => spans.push(Span::styled("· pending", theme.dim())),
        }
        let mut line = Line::from(spans);
        if selected {
            line = line.patch_style(Modifier::REVERSED);
        }
        lines.push(line);
    }
    let [list, legend] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(inner(body));
    f.render_widget(panel("runs", theme), body);
    f.render_widget(Paragraph::new(lines), list);
    f.render_widget(
        Paragraph::new(legend_line(s, legend.width as usize, None)),
        legend,
    );
    if let Some(side) = side {
        render_side(f, s, side);
    }
}
