//! Rendering: one file per panel, each a [`Panel`] drawing from one [`Ctx`] (the run's
//! snapshot, the frame on screen, the settings being edited, theme and memo) into an area.
//! Nothing here trains or blocks, and nothing here reads the app's state: the app builds the
//! context. A new panel: copy `digits.rs` (a panel that applies to some tasks), give it a
//! `PANEL`, and place it in a view's layout.

mod accuracy;
pub mod appendix;
pub mod axis;
pub mod bars;
pub mod callout;
mod compare;
pub mod curves;
mod digits;
mod footer;
pub mod gallery;
mod header;
pub mod heatmap;
pub(crate) mod help;
mod loss;
pub(crate) mod mechanism;
pub(crate) mod notice;
mod readout;
mod settings;
pub mod spectrum;
pub mod star;
pub mod sweep;
pub mod text;
mod theme;
pub(crate) mod too_small;
pub mod tour;
mod trajectory;

pub use footer::Footer;
pub use readout::next_look;
pub use theme::{ColorMode, Theme};

use crate::snapshot::{Compared, Snapshot, WeightFrame};
use crate::sweep::article::BandPoint;
use crate::train::{Config, Weights};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Block, BorderType};
use std::cell::RefCell;

/// Smallest terminal the dashboard draws in.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;
/// From this size on, the full layout.
pub const FULL_WIDTH: u16 = 120;
pub const FULL_HEIGHT: u16 = 40;

/// One row of the settings panel, as the app sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct SettingRow {
    pub label: &'static str,
    /// For the compact strip.
    pub short: &'static str,
    pub value: String,
    /// Differs from the running value (not applied yet).
    pub edited: bool,
}

/// The settings being edited.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Settings {
    pub rows: Vec<SettingRow>,
    pub selected: usize,
    /// The preset the draft starts from, and its place in the preset list (1-based, of n).
    pub preset: String,
    pub preset_index: (usize, usize),
}

impl Settings {
    pub fn edited(&self) -> bool {
        self.rows.iter().any(|r| r.edited)
    }
}

/// What the renderer remembers between frames (never what it shows): the heatmap's colour
/// levels, for its hysteresis, and where the last frame's charts drew their step axes, for
/// clicks on them. Owned by whoever draws, passed in with every frame.
#[derive(Debug, Default)]
pub struct Memo {
    pub heat: RefCell<Vec<i8>>,
    /// The mechanism view's read-out of the frame on screen.
    pub mechanism: RefCell<mechanism::Memo>,
    pub axes: RefCell<Vec<StepAxis>>,
}

/// A chart's step axis as drawn: a click in `area` at column `x` means the step that column
/// shows (steps `min` to `max` over the columns `x0 .. x0 + width`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StepAxis {
    pub area: Rect,
    pub x0: u16,
    pub width: u16,
    pub min: u64,
    pub max: u64,
}

impl StepAxis {
    /// The step under the cell (column, row), if it is on the chart.
    pub fn step_at(&self, column: u16, row: u16) -> Option<u64> {
        let a = self.area;
        if column < a.x || column >= a.right() || row < a.y || row >= a.bottom() || self.width == 0
        {
            return None;
        }
        let dx = column.saturating_sub(self.x0).min(self.width - 1) as u64;
        let span = self.max.saturating_sub(self.min);
        Some(self.min + dx * span / (self.width.max(2) - 1) as u64)
    }
}

/// Everything a panel draws from.
pub struct Ctx<'a> {
    pub snapshot: &'a Snapshot,
    /// The frame on screen: the scrubbed one while scrubbing, else the latest.
    pub frame: Option<&'a WeightFrame>,
    pub scrubbing: bool,
    /// The user asked for a pause (the trainer may not have answered yet).
    pub paused: bool,
    /// The selected hidden neuron (an index into the model's H neurons, in the model's own
    /// order): panels that draw neurons highlight it.
    pub neuron: usize,
    /// What the mechanism view shows (its pair, matrix, page).
    pub mechanism: mechanism::Choice,
    /// Which of the heatmap's maps are drawn.
    pub heat_focus: heatmap::Focus,
    /// Replaying the recorded history at this many steps per second.
    pub playing: Option<u64>,
    /// The run on screen is a kept one, read back (`grokscope replay DIR`): nothing trains,
    /// so the header gives no training rate and no running state.
    pub replay: bool,
    pub settings: Settings,
    /// A second run drawn on the loss and accuracy charts' axes, when one is shown.
    pub compare: Option<&'a Compared>,
    pub theme: &'a Theme,
    pub memo: &'a Memo,
    /// Moments to mark on the loss and accuracy charts, in step order.
    pub callouts: &'a [Callout],
    /// Quartiles of other runs' losses at each step, drawn behind the loss curves.
    pub band: Option<&'a [BandPoint]>,
    /// The loss and accuracy charts show a window around the step on screen
    /// ([`axis::step_window`]).
    pub zoom: bool,
}

/// A moment marked on a chart: a short label at a step (the first step test accuracy
/// passes 99 %, say).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Callout {
    pub step: u64,
    pub label: String,
}

/// A panel: its name, the runs it applies to, and how it draws.
pub struct Panel {
    pub name: &'static str,
    pub applies: fn(&Config) -> bool,
    pub render: fn(&mut Frame, &Ctx, Rect),
}

/// For panels that apply to every run.
pub fn always(_: &Config) -> bool {
    true
}

/// A panel's frame with its title.
pub fn panel<'a>(title: impl Into<String>, theme: &Theme) -> Block<'a> {
    let title = title.into();
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.dim());
    if title.is_empty() {
        block
    } else {
        block.title(Span::styled(format!(" {title} "), theme.title()))
    }
}

/// A duration as m:ss, or h:mm:ss from an hour on.
pub fn clock(d: std::time::Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// The separator between the fields of a header line.
pub fn header_sep(theme: &Theme) -> Span<'static> {
    Span::styled(" │ ", theme.dim())
}

/// The start of a header line: the program's name and a separator, left out when compact.
pub fn header_start(theme: &Theme, compact: bool) -> Vec<Span<'static>> {
    if compact {
        Vec::new()
    } else {
        vec![Span::styled("grokscope", theme.title()), header_sep(theme)]
    }
}

/// Human format of a rate: 1e-3, 0.05, 1.
pub fn fmt_rate(v: f64) -> String {
    if v == 0.0 {
        "0".into()
    } else if (0.01..1000.0).contains(&v.abs()) {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        format!("{v:e}")
    }
}

/// 12345 → "12,345".
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The step range the charts span: the current step rounded up to 1, 2 or 5 × 10^k (at
/// most the run's length). The charts grow to the right and rescale only a handful of times
/// per run, instead of on every update (which would repaint every cell: bytes over SSH).
pub fn x_extent(step: u64, total: u64) -> u64 {
    let total = total.max(1);
    let mut unit = 100u64;
    loop {
        for m in [1, 2, 5] {
            let v = m * unit;
            if v >= step.max(1) || v >= total {
                return v.min(total);
            }
        }
        unit *= 10;
    }
}

/// The step range the step charts span (see [`x_extent`]): the run's, and the compared
/// run's where one is shown, so that both fit.
pub fn steps_shown(cx: &Ctx) -> u64 {
    let own = x_extent(cx.snapshot.step, cx.snapshot.config.steps);
    cx.compare
        .map_or(own, |c| own.max(x_extent(c.step(), c.config.steps)))
}

/// `v` rounded up to a power of 2^(1/4): colour and bar scales change in small steps only
/// now and then, instead of on every update as the maximum drifts (which would repaint
/// every cell: bytes over SSH).
pub fn sticky_scale(v: f32) -> f32 {
    if v.is_nan() || v <= 0.0 || v.is_infinite() {
        return 1.0;
    }
    2f32.powf((v.log2() * 4.0).ceil() / 4.0)
}

/// The dashboard's training view: the run's charts, weights, settings and read-outs.
pub fn training(f: &mut Frame, cx: &Ctx, footer: &Footer) {
    let area = f.area();
    if area.width >= FULL_WIDTH && area.height >= FULL_HEIGHT {
        render_full(f, cx, footer, area);
    } else {
        render_compact(f, cx, footer, area);
    }
}

fn render_full(f: &mut Frame, cx: &Ctx, footer: &Footer, area: Rect) {
    let extra = area.height - FULL_HEIGHT;
    if let Some(rows) = tall_heatmap(cx, area.width) {
        return render_tall(f, cx, footer, area, rows);
    }
    let charts_h = 11 + extra / 2;
    let band = weights_band(
        cx,
        area.width,
        14 + extra - extra / 2,
        charts_h - CHARTS_MIN,
    );
    let [head, charts, weights, bottom, foot] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Fill(1),
        Constraint::Length(band),
        Constraint::Length(12),
        Constraint::Length(1),
    ])
    .areas(area);
    header::render(f, cx, head, false);
    render_charts(f, cx, charts);
    render_weights(f, cx, weights);
    let [set, info] =
        Layout::horizontal([Constraint::Length(40), Constraint::Fill(1)]).areas(bottom);
    (settings::PANEL.render)(f, cx, set);
    (readout::PANEL.render)(f, cx, info);
    footer::render(f, footer, cx.theme, foot);
}

/// The full layout's rows below the charts when the heatmap stacks its maps and they want
/// more rows than the weights' band has (24 neurons and more, 10 without colour): the
/// stacked heatmap on the left over both bands (26 rows, or as many as it wants), the side
/// panel and the read-out right of it, the settings as a strip under them; the charts keep
/// at least 9 rows.
fn render_tall(f: &mut Frame, cx: &Ctx, footer: &Footer, area: Rect, want: u16) {
    let strip = settings::strip_lines(cx, area.width);
    let room = area.height.saturating_sub(2 + CHARTS_MIN + strip + 1);
    let [head, charts, middle, set, foot] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Fill(1),
        Constraint::Length(want.max(26).min(room)),
        Constraint::Length(strip),
        Constraint::Length(1),
    ])
    .areas(area);
    header::render(f, cx, head, false);
    render_charts(f, cx, charts);
    let heat_w = heat_columns(cx).map_or(0, |(i, o)| i.max(o)) + 2;
    let [heat, right] =
        Layout::horizontal([Constraint::Length(heat_w), Constraint::Fill(1)]).areas(middle);
    (heatmap::PANEL.render)(f, cx, heat);
    let [side, info] =
        Layout::vertical([Constraint::Length(right.height / 2), Constraint::Fill(1)]).areas(right);
    if let Some(p) = SIDE.iter().find(|p| (p.applies)(&cx.snapshot.config)) {
        (p.render)(f, cx, side);
    }
    (readout::PANEL.render)(f, cx, info);
    (settings::STRIP_FIT.render)(f, cx, set);
    footer::render(f, footer, cx.theme, foot);
}

/// The columns of the heatmap's two maps: W_input's inputs and W_output's outputs (parity:
/// W1's digits and w2's one column).
fn heat_columns(cx: &Ctx) -> Option<(u16, u16)> {
    Some(match &cx.frame?.weights {
        Weights::Modular(m) => (m.w_input.nrows() as u16, m.w_output.ncols() as u16),
        Weights::Parity(p) => (p.w1.nrows() as u16, 1),
    })
}

/// The rows a stacked heatmap wants in a full layout `width` wide, when it stacks and the
/// weights' band (14 rows) is too short for every neuron in both maps.
fn tall_heatmap(cx: &Ctx, width: u16) -> Option<u16> {
    let (inputs, outputs) = heat_columns(cx)?;
    let (heat_w, side_w) = heat_width(cx, width);
    if cx.heat_focus != heatmap::Focus::Both
        || !heatmap::stacks(inputs as usize, outputs as usize, heat_w as usize - 2)
        || inputs.max(outputs) + 2 + side_w > width
    {
        return None;
    }
    let hidden = hidden(cx)?;
    let per_row = cx.theme.per_row() as u16;
    let want = 2 * hidden.div_ceil(per_row) + 3;
    (want > 14).then_some(want)
}

/// The heatmap's rows: its neurons (W_output's rows; parity's w2's).
fn hidden(cx: &Ctx) -> Option<u16> {
    Some(match &cx.frame?.weights {
        Weights::Modular(m) => m.w_output.nrows() as u16,
        Weights::Parity(p) => p.w2.nrows() as u16,
    })
}

/// The charts keep at least this many rows in the full layouts, and [`CHARTS_LEAST`] in the
/// compact one, when the weights' band takes rows from them.
const CHARTS_MIN: u16 = 9;
const CHARTS_LEAST: u16 = 7;
/// The weights' band gives no rows back below this many.
const BAND_LEAST: u16 = 13;

/// The rows of the weights' band in a layout `width` wide that gives it `band` rows and
/// whose charts could give up `spare` more: where the heatmap draws its maps side by side,
/// the rows its neurons fill at a whole number of half-rows each (taller cells where the
/// charts can spare the rows, else the rows the map leaves empty go to the charts).
fn weights_band(cx: &Ctx, width: u16, band: u16, spare: u16) -> u16 {
    let (Some((inputs, outputs)), Some(hidden)) = (heat_columns(cx), hidden(cx)) else {
        return band;
    };
    let (heat_w, _) = heat_width(cx, width);
    let stacked = cx.heat_focus == heatmap::Focus::Both
        && heatmap::stacks(inputs as usize, outputs as usize, heat_w as usize - 2);
    let per_row = cx.theme.per_row();
    if stacked && band >= 3 {
        // No empty row under the upper map: an odd row it cannot fill goes to the charts.
        return heatmap::stacked_rows(hidden as usize, per_row, band - 2) + 2;
    }
    if stacked || band < 3 {
        return band;
    }
    let fit = heatmap::fit_rows(hidden as usize, per_row, band - 2, spare) + 2;
    // The side panel keeps its rows (the spectrum's bars at least seven).
    fit.max(band.min(BAND_LEAST))
}

fn render_compact(f: &mut Frame, cx: &Ctx, footer: &Footer, area: Rect) {
    let h = area.height;
    let charts_h = 7 + (h - MIN_HEIGHT) / 3;
    let band = weights_band(cx, area.width, h - charts_h - 4, charts_h - CHARTS_LEAST);
    let [head, charts, weights, set, foot] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(band),
        Constraint::Length(2),
        Constraint::Length(1),
    ])
    .areas(area);
    header::render(f, cx, head, true);
    render_charts(f, cx, charts);
    render_weights(f, cx, weights);
    (settings::STRIP.render)(f, cx, set);
    footer::render(f, footer, cx.theme, foot);
}

fn render_charts(f: &mut Frame, cx: &Ctx, area: Rect) {
    // Parity: the weight trajectories between the loss and the accuracy, on the same steps.
    if (trajectory::PANEL.applies)(&cx.snapshot.config) {
        let [l, m, r] = Layout::horizontal([
            Constraint::Percentage(38),
            Constraint::Percentage(37),
            Constraint::Percentage(25),
        ])
        .areas(area);
        (loss::PANEL.render)(f, cx, l);
        (trajectory::PANEL.render)(f, cx, m);
        (accuracy::PANEL.render)(f, cx, r);
        return;
    }
    let [l, r] =
        Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(area);
    (loss::PANEL.render)(f, cx, l);
    (accuracy::PANEL.render)(f, cx, r);
}

/// The panels beside the heatmap, in order of preference: the first that applies is drawn.
const SIDE: [&Panel; 3] = [&digits::PANEL, &star::PANEL, &spectrum::PANEL];

/// The heatmap's width beside the side panel in `width` columns (one column per input and
/// output when it can, two when there is room, the maps one above the other when they
/// would sample columns side by side), and the side panel's least width.
fn heat_width(cx: &Ctx, width: u16) -> (u16, u16) {
    let Some((inputs, outputs)) = heat_columns(cx) else {
        return (20, 0);
    };
    let side = SIDE.iter().find(|p| (p.applies)(&cx.snapshot.config));
    let five = side.is_some_and(|p| p.name == star::PANEL.name);
    let side_min = if five { 46 } else { 37 };
    // Few inputs (parity's 31): two columns each when there is room.
    let per_input = if (inputs + outputs) * 2 + 3 + side_min <= width {
        2
    } else {
        1
    };
    // w2's one column (parity) is drawn two cells wide.
    let out_w = if outputs <= 2 {
        2 * outputs
    } else {
        outputs * per_input
    };
    let heat_w = (inputs * per_input + 1 + out_w + 2)
        .min(width.saturating_sub(side_min))
        .max(20);
    let stacked = inputs.max(outputs) + 2;
    let stack = cx.heat_focus == heatmap::Focus::Both
        && heatmap::stacks(inputs as usize, outputs as usize, heat_w as usize - 2)
        && stacked + side_min <= width;
    (if stack { stacked } else { heat_w }, side_min)
}

fn render_weights(f: &mut Frame, cx: &Ctx, area: Rect) {
    if cx.frame.is_none() {
        return;
    }
    let side = SIDE.iter().find(|p| (p.applies)(&cx.snapshot.config));
    let (heat_w, _) = heat_width(cx, area.width);
    let [h, s] = Layout::horizontal([Constraint::Length(heat_w), Constraint::Fill(1)]).areas(area);
    (heatmap::PANEL.render)(f, cx, h);
    if let Some(p) = side {
        (p.render)(f, cx, s);
    }
}
