//! The architecture sweep's view (`mod-add-arch`): class bars per architecture, as the
//! article draws them. For each decay (L1, L2) a 2×2 of panels, the embedding tied or
//! untied × the in-proj tied or untied; in each panel a 2×2 of cells, the input side
//! factored or collapsed × the output side factored or collapsed; each cell a horizontal
//! bar split into its runs' class shares: fail, memorize, grok, generalize, then the runs
//! still training (▒) and pending (·). A bar's segments carry the class's letter, so the
//! chart reads without colour. Four of the sixteen cells per decay are no model of their
//! own (an untied in-proj needs an in-proj; an untied embedding needs both sides factored):
//! they read "n/a", and those models are drawn where their tied twin is.
//!
//! Classes come from each run's trace and the thresholds given, so a change of thresholds
//! re-colours the bars.

use super::{SIDE_W, Scene, fmt_value};
use crate::sweep::{Class, RunState, Thresholds, classify_with};
use crate::train::config::InProj;
use crate::train::{Arch, Decay};
use crate::ui::{Theme, panel};
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use serde_json::Value;

/// The order of a bar's class segments (the article's).
pub const BAR_ORDER: [Class; 4] = [Class::Fail, Class::Memorize, Class::Grok, Class::Generalize];

/// Width of the chart (without the side column) that the side column leaves it.
const MAIN_W: u16 = 84;
/// Width of the row labels.
const LABEL_W: u16 = 10;

/// One architecture under one decay: how many of its runs are in each state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Finished runs by class, in [`BAR_ORDER`].
    pub classes: [usize; 4],
    pub running: usize,
    pub pending: usize,
}

impl Tally {
    pub fn total(&self) -> usize {
        self.classes.iter().sum::<usize>() + self.running + self.pending
    }

    fn add(&mut self, state: RunState) {
        match state {
            RunState::Done(c) => {
                let i = BAR_ORDER.iter().position(|&k| k == c).unwrap_or(0);
                self.classes[i] += 1;
            }
            RunState::Running => self.running += 1,
            RunState::Pending => self.pending += 1,
        }
    }
}

/// The bars of a sweep: a [`Tally`] per decay and architecture, and each decay's strengths.
#[derive(Clone, Debug, PartialEq)]
pub struct Bars {
    /// The decays the runs use, L1 first, with their weight-decay values (ascending).
    pub decays: Vec<(Decay, Vec<f64>)>,
    pub tallies: Vec<(Decay, Arch, Tally)>,
}

impl Bars {
    /// The bars of `s`'s runs classified by `th`, when the grid varies the architecture
    /// over models of the architecture sweep; `None` otherwise.
    pub fn of(s: &Scene, th: &Thresholds) -> Option<Bars> {
        if !applies(s) {
            return None;
        }
        let mut bars = Bars {
            decays: Vec::new(),
            tallies: Vec::new(),
        };
        for spec in s.progress.runs.iter().filter_map(|r| r.ok()) {
            let cfg = &spec.config;
            if cfg.arch.layout().is_none() {
                continue;
            }
            let state = match s.progress.records.get(&spec.index) {
                Some(r) => RunState::Done(classify_with(&r.trace, th)),
                None => s.progress.state_of(spec.index),
            };
            match bars.decays.iter_mut().find(|(d, _)| *d == cfg.decay) {
                Some((_, wds)) if wds.contains(&cfg.weight_decay) => {}
                Some((_, wds)) => wds.push(cfg.weight_decay),
                None => bars.decays.push((cfg.decay, vec![cfg.weight_decay])),
            }
            match bars
                .tallies
                .iter_mut()
                .find(|(d, a, _)| *d == cfg.decay && *a == cfg.arch)
            {
                Some((_, _, t)) => t.add(state),
                None => {
                    let mut t = Tally::default();
                    t.add(state);
                    bars.tallies.push((cfg.decay, cfg.arch, t));
                }
            }
        }
        bars.decays.sort_by_key(|(d, _)| *d == Decay::L2);
        for (_, wds) in &mut bars.decays {
            wds.sort_by(f64::total_cmp);
        }
        Some(bars)
    }

    /// The tally of `arch` under `decay` (empty when the sweep has no such runs).
    pub fn tally(&self, decay: Decay, arch: Arch) -> Tally {
        self.tallies
            .iter()
            .find(|(d, a, _)| *d == decay && *a == arch)
            .map(|(_, _, t)| *t)
            .unwrap_or_default()
    }
}

/// Whether the sweep's grid has an architecture axis (alone or joined with others).
pub fn applies(s: &Scene) -> bool {
    s.axes.iter().any(|a| a.split('+').any(|k| k == "arch"))
}

/// The model in a cell of the article's chart: embedding tied, in-proj untied, row (input
/// collapsed), column (output collapsed); `None` for the cells that name no model.
fn model_at(
    embed_tied: bool,
    in_untied: bool,
    in_collapsed: bool,
    out_collapsed: bool,
) -> Option<Arch> {
    let in_proj = match (in_untied, in_collapsed) {
        (false, false) => InProj::Tied,
        (true, false) => InProj::Untied,
        (false, true) => InProj::Collapsed,
        (true, true) => return None,
    };
    Arch::SWEEP.into_iter().find(|a| {
        a.layout().is_some_and(|l| {
            l.embed_tied == embed_tied && l.in_proj == in_proj && l.out_collapsed == out_collapsed
        })
    })
}

/// Draw the bars into `body` (with the side column of class counts and the last run where
/// it fits); classes by the scene's thresholds.
pub fn render_body(f: &mut Frame, s: &Scene, body: Rect) {
    let theme = s.theme;
    let Some(bars) = Bars::of(s, &s.thresholds) else {
        return;
    };
    let main = if body.width >= MAIN_W + SIDE_W {
        let side = Rect {
            x: body.x + body.width - SIDE_W,
            width: SIDE_W,
            ..body
        };
        render_side(f, s, side);
        Rect {
            width: body.width - SIDE_W,
            ..body
        }
    } else {
        body
    };
    let title = if main.width >= 70 {
        "architectures · class shares of each one's runs"
    } else {
        "architectures"
    };
    f.render_widget(panel(title, theme), main);
    let inner = Rect {
        x: main.x + 1,
        y: main.y + 1,
        width: main.width.saturating_sub(2),
        height: main.height.saturating_sub(2),
    };
    if inner.height == 0 {
        return;
    }
    let legend = Rect {
        y: inner.y + inner.height - 1,
        height: 1,
        ..inner
    };
    f.render_widget(Paragraph::new(legend_line(theme, legend.width)), legend);
    let chart = Rect {
        height: inner.height - 1,
        ..inner
    };
    let n = bars.decays.len().max(1) as u16;
    // A cell's bar, with its counts beneath when there is room.
    let cell_h = if chart.height >= n * block_h(2) { 2 } else { 1 };
    let buf = f.buffer_mut();
    let mut y = chart.y;
    for (decay, wds) in &bars.decays {
        let h = block_h(cell_h).min(chart.y + chart.height - y);
        draw_block(
            buf,
            &bars,
            *decay,
            wds,
            theme,
            Rect {
                y,
                height: h,
                ..chart
            },
            cell_h,
        );
        y += h;
        if y >= chart.y + chart.height {
            break;
        }
    }
}

/// The side column: class counts, the last finished run and, when there is room, how to
/// read the bars.
fn render_side(f: &mut Frame, s: &Scene, side: Rect) {
    let about = "Which model constraints work best: each bar is one architecture's runs over \
                 every rate, embed size, decay strength and seed, split by class.";
    super::side::render_side_with(f, s, side, about, 9);
}

/// Rows of one decay's block: its title, and two panel rows of a title, the column heads and
/// two cells.
fn block_h(cell_h: u16) -> u16 {
    1 + 2 * (2 + 2 * cell_h)
}

/// A decay block's title row: "L2 weight decay (0.1, 1) ───".
fn block_head(buf: &mut Buffer, decay: Decay, wds: &[f64], theme: &Theme, area: Rect) {
    let strengths = wds
        .iter()
        .map(|&w| fmt_value(&Value::from(w)))
        .collect::<Vec<_>>()
        .join(", ");
    let head = format!(
        "{} weight decay ({strengths}) ",
        decay.name().to_uppercase()
    );
    let rule = "─".repeat((area.width as usize).saturating_sub(head.chars().count()));
    buf.set_stringn(area.x, area.y, &head, area.width as usize, theme.title());
    buf.set_stringn(
        area.x + head.chars().count() as u16,
        area.y,
        rule,
        area.width as usize,
        theme.dim(),
    );
}

/// One decay's 2×2 of panels.
fn draw_block(
    buf: &mut Buffer,
    bars: &Bars,
    decay: Decay,
    wds: &[f64],
    theme: &Theme,
    area: Rect,
    cell_h: u16,
) {
    block_head(buf, decay, wds, theme, area);
    // Four cells across: a gap of 1 within a panel, 3 between the two panels.
    let cell_w = area.width.saturating_sub(LABEL_W + 5) / 4;
    let cell_x =
        |panel: u16, col: u16| area.x + LABEL_W + panel * (2 * cell_w + 4) + col * (cell_w + 1);
    let bottom = area.y + area.height;
    for (pr, embed_tied) in [true, false].into_iter().enumerate() {
        let y0 = area.y + 1 + pr as u16 * (2 + 2 * cell_h);
        let put = |buf: &mut Buffer, x: u16, y: u16, text: &str, w: u16, style: Style| {
            if y < bottom {
                buf.set_stringn(x, y, text, w as usize, style);
            }
        };
        for (pc, in_untied) in [false, true].into_iter().enumerate() {
            let pc = pc as u16;
            let title = format!(
                "{} E · {} in-proj",
                if embed_tied { "tied" } else { "untied" },
                if in_untied { "untied" } else { "tied" }
            );
            put(
                buf,
                cell_x(pc, 0),
                y0,
                &title,
                2 * cell_w + 1,
                theme.title(),
            );
            for (col, head) in ["out-proj", "collapsed"].into_iter().enumerate() {
                put(
                    buf,
                    cell_x(pc, col as u16),
                    y0 + 1,
                    head,
                    cell_w,
                    theme.dim(),
                );
            }
            for (row, in_collapsed) in [false, true].into_iter().enumerate() {
                let y = y0 + 2 + row as u16 * cell_h;
                if pc == 0 {
                    let label = if in_collapsed { "collapsed" } else { "in-proj" };
                    put(buf, area.x, y, label, LABEL_W, theme.dim());
                }
                for (col, out_collapsed) in [false, true].into_iter().enumerate() {
                    let x = cell_x(pc, col as u16);
                    match model_at(embed_tied, in_untied, in_collapsed, out_collapsed) {
                        None => put(buf, x, y, "n/a", cell_w, theme.dim()),
                        Some(arch) => {
                            let t = bars.tally(decay, arch);
                            if y < bottom {
                                draw_bar(buf, theme, &t, x, y, cell_w);
                            }
                            if cell_h > 1 {
                                put(buf, x, y + 1, &counts(&t), cell_w, theme.dim());
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A cell's counts: "x1 M3 G4 g1" (finished classes present), then "· 5" for runs to come.
fn counts(t: &Tally) -> String {
    if t.total() == 0 {
        return "no runs".into();
    }
    let mut parts: Vec<String> = BAR_ORDER
        .iter()
        .zip(t.classes)
        .filter(|&(_, n)| n > 0)
        .map(|(c, n)| format!("{}{n}", c.glyph()))
        .collect();
    let open = t.running + t.pending;
    if open > 0 {
        parts.push(format!("·{open}"));
    }
    parts.join(" ")
}

/// One bar of `w` cells: the class segments in [`BAR_ORDER`], then training and pending,
/// each ending at round(cumulative count / total × w).
fn draw_bar(buf: &mut Buffer, theme: &Theme, t: &Tally, x: u16, y: u16, w: u16) {
    let total = t.total();
    if total == 0 || w == 0 {
        return;
    }
    let mut segments: Vec<(RunState, usize)> = BAR_ORDER
        .iter()
        .zip(t.classes)
        .map(|(&c, n)| (RunState::Done(c), n))
        .collect();
    segments.push((RunState::Running, t.running));
    segments.push((RunState::Pending, t.pending));
    let w = w as usize;
    let (mut x0, mut acc) = (0usize, 0usize);
    for (state, n) in segments {
        acc += n;
        let x1 = ((acc * w + total / 2) / total).min(w);
        for i in x0..x1 {
            let (sym, style) = match state {
                // The letter on the segment's first cell, the class's colour across it.
                RunState::Done(c) if theme.colored() => {
                    (if i == x0 { c.glyph() } else { ' ' }, theme.class_cell(c))
                }
                RunState::Done(c) => (c.glyph(), theme.class_cell(c)),
                RunState::Running => ('▒', theme.running()),
                RunState::Pending => ('·', theme.dim()),
            };
            buf.set_string(x + i as u16, y, sym.to_string(), style);
        }
        x0 = x0.max(x1);
    }
}

/// The legend: each class's letter and name, the open runs' marks.
fn legend_line(theme: &Theme, width: u16) -> Line<'static> {
    let mut spans = Vec::new();
    for c in BAR_ORDER {
        spans.push(Span::styled(c.glyph().to_string(), theme.class_cell(c)));
        spans.push(Span::raw(format!(" {}  ", c.name())));
    }
    spans.push(Span::styled("▒", theme.running()));
    spans.push(Span::raw(" training  "));
    spans.push(Span::styled("·", theme.dim()));
    spans.push(Span::raw(" pending"));
    let note = "  n/a: no such model";
    let used: usize = spans.iter().map(|s| s.content.chars().count()).sum();
    if used + note.chars().count() <= width as usize {
        spans.push(Span::styled(note, theme.dim()));
    }
    Line::from(spans)
}
