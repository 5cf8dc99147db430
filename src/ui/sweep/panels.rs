//! The phase diagram's panels: how big each run's block can be drawn (or each cell in two
//! characters, or a page of panels at a time), where the diagram goes beside the side column
//! or the drill-down, the blocks, the compact cells and the cursor.

use super::side::{legend_line, names_line, render_counts, render_last, render_side};
use super::{ORDER, SIDE_W, Scene, drill, fmt_value, inner, run_glyph};
use crate::sweep::article::Verdict;
use crate::sweep::{Cell, Class, Diagram, RunState};
use crate::ui::{Theme, panel};
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::widgets::Paragraph;

/// Height of the strip below the diagram when the side column does not fit.
const STRIP_H: u16 = 10;
/// Width of the drill-down beside the diagram: two fifths of the body, within these.
const DRILL_MIN_W: u16 = 36;
const DRILL_MAX_W: u16 = 72;

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

pub(super) fn render_diagram_body(f: &mut Frame, s: &Scene, d: &Diagram, body: Rect) {
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

/// The diagram alone in `area`, with the legend (and counts) on its last row, and the
/// classes' names on the row above it where the diagram leaves that row free; compact cells
/// or pages of panels when whole runs do not fit (the page holds the cursor's panel).
fn render_diagram_alone(f: &mut Frame, s: &Scene, d: &Diagram, area: Rect, title: &str) {
    let theme = s.theme;
    f.render_widget(panel(title, theme), area);
    let i = inner(area);
    let legend_h = i.height.min(1);
    let grid = Rect {
        height: i.height - legend_h,
        ..i
    };
    let mut plan = Plan::per_run(d, grid.width, grid.height)
        .unwrap_or_else(|| Plan::new(d, 1, 1, true, grid.width, grid.height));
    // The names take a row of the grid's only when the legend row has no room for them and
    // the same panels still fit without that row.
    let named = legend_line(s, i.width as usize, None)
        .spans
        .iter()
        .any(|sp| sp.content.contains(Class::Memorize.name()));
    let names = names_line(s, i.width as usize).filter(|_| {
        !named && {
            let h = grid.height.saturating_sub(1);
            Plan::new(d, plan.sx, plan.sy, plan.compact, grid.width, h).capacity()
                >= plan.capacity()
        }
    });
    let grid = Rect {
        height: grid.height - u16::from(names.is_some()),
        ..grid
    };
    plan.rows = Plan::new(d, plan.sx, plan.sy, plan.compact, grid.width, grid.height).rows;
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
    let below = Rect {
        y: grid.y + grid.height,
        height: i.height - grid.height,
        ..i
    };
    let mut lines: Vec<_> = names.into_iter().collect();
    if legend_h > 0 {
        lines.push(legend_line(s, i.width as usize, pages));
    }
    f.render_widget(Paragraph::new(lines), below);
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
            let mark = mark_of(
                s,
                Cell {
                    panel: p,
                    decay: i,
                    size: j,
                },
            );
            if plan.compact {
                draw_compact_cell(buf, s, runs, col_x(j), row_y, mark);
            } else {
                for (k, &run) in runs.iter().enumerate() {
                    let at = Rect::new(col_x(j) + k as u16 * plan.sx, row_y, plan.sx, plan.sy);
                    draw_run(buf, theme, s.state_of(run), at, mark);
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

/// How a cell is marked while the disagreement marks are shown: not at all (marks hidden),
/// faded (its majority class agrees, or it was not compared), or flagged with a glyph (`≠`:
/// the majority classes differ; `~`: one side has no single majority).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mark {
    Plain,
    Faded,
    Flag(&'static str),
}

fn mark_of(s: &Scene, cell: Cell) -> Mark {
    match s.marks.map(|m| m.verdict(cell)) {
        None => Mark::Plain,
        Some(Some(Verdict::Differ { .. })) => Mark::Flag("≠"),
        Some(Some(Verdict::Tie)) => Mark::Flag("~"),
        Some(_) => Mark::Faded,
    }
}

/// One run as a block over `at`: coloured by class with its letter in the middle (the letter
/// fills it without colour); shaded while training; dotted while pending. Blocks wider than
/// two characters keep a gap on their right, so neighbouring runs of a class stay countable.
/// A flagged cell's blocks are filled with its flag around the letter (a one-character block
/// shows the flag alone); a faded one is drawn dim without its colour.
fn draw_run(buf: &mut Buffer, theme: &Theme, state: RunState, at: Rect, mark: Mark) {
    let (x, y, w, h) = (at.x, at.y, at.width, at.height);
    let bw = if w > 1 { w - 1 } else { 1 };
    let glyph = run_glyph(state);
    for dy in 0..h {
        for dx in 0..bw {
            let centre = dx == bw / 2 && dy == h / 2;
            let (sym, style) = match (state, mark) {
                (RunState::Done(_), Mark::Flag(flag)) if bw * h == 1 || !centre => {
                    (flag, done_style(theme, state))
                }
                (RunState::Done(_), Mark::Faded) if theme.colored() => {
                    (if centre { glyph } else { " " }, theme.dim())
                }
                (RunState::Done(c), _) if theme.colored() => {
                    (if centre { glyph } else { " " }, theme.class_cell(c))
                }
                (RunState::Done(c), _) => (glyph, theme.class_cell(c)),
                (RunState::Running, _) => ("▒", theme.running()),
                (RunState::Pending, _) => ("·", theme.dim()),
            };
            buf.set_string(x + dx, y + dy, sym, style);
        }
    }
}

/// A finished run's block style.
fn done_style(theme: &Theme, state: RunState) -> Style {
    match state {
        RunState::Done(c) => theme.class_cell(c).add_modifier(Modifier::BOLD),
        _ => Style::new(),
    }
}

/// A cell in two characters: its most common class so far, then the next one, or a mark for
/// runs still to come (▒ training, · pending).
fn draw_compact_cell(buf: &mut Buffer, s: &Scene, runs: &[usize], x: u16, y: u16, mark: Mark) {
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
            _ if mark == Mark::Faded && theme.colored() => theme.dim(),
            RunState::Done(c) if k == 0 => theme.class_cell(c),
            RunState::Done(c) => theme.class_text(c),
            RunState::Running => theme.running(),
            RunState::Pending => theme.dim(),
        };
        buf.set_string(x + k as u16, y, run_glyph(state), style);
    }
    // A flagged cell: its flag in the second character.
    if let Mark::Flag(flag) = mark {
        buf.set_string(x + 1, y, flag, theme.warn());
    }
}
