//! The axes every chart shares: which ticks a step axis and a log-scale loss axis get, the
//! layout of a chart's labels around its plot, and the plot's mapping from steps and values
//! to cells (the same rounding as ratatui's braille canvas, so labels sit where the dots
//! are). Also the steps a run's step charts span (the whole run, or the zoomed window) and
//! the callouts (a marker and a short label at a step) the loss and accuracy charts draw.

use super::{Ctx, StepAxis, Theme, thousands};
use crate::train::Metrics;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::symbols::Marker;
use ratatui::widgets::canvas::{Context, Line};

/// One tick of an axis: where (in the axis' units) and its label.
#[derive(Clone, Debug, PartialEq)]
pub struct Tick {
    pub at: f64,
    pub label: String,
}

/// A step as a short axis label: 800, 8k, 1.5k, 50k, 1.2M.
pub fn short_step(s: u64) -> String {
    let trim = |v: f64, unit: &str| {
        let t = format!("{v:.1}");
        format!("{}{unit}", t.trim_end_matches('0').trim_end_matches('.'))
    };
    match s {
        0..1000 => s.to_string(),
        1000..1_000_000 => trim(s as f64 / 1e3, "k"),
        _ => trim(s as f64 / 1e6, "M"),
    }
}

/// Round ticks on a step axis from `lo` to `hi` over `cols` columns: multiples of the
/// finest spacing among 1, 2, 5 × 10^k whose labels (long, "8,000", or short, "8k") stand
/// apart in the room, and `hi` after them (the range's end is always labelled; a tick too
/// close to it gives way when drawn).
pub fn step_ticks(lo: u64, hi: u64, cols: u16, short: bool) -> Vec<Tick> {
    let mut ticks = round_ticks(lo, hi, cols, short);
    if ticks.last().is_some_and(|t| t.at < hi as f64) {
        ticks.push(Tick {
            at: hi as f64,
            label: if short { short_step(hi) } else { thousands(hi) },
        });
    }
    ticks
}

fn round_ticks(lo: u64, hi: u64, cols: u16, short: bool) -> Vec<Tick> {
    let label = |s: u64| if short { short_step(s) } else { thousands(s) };
    let tick = |s: u64| Tick {
        at: s as f64,
        label: label(s),
    };
    let hi = hi.max(lo + 1);
    let mut unit = 1u64;
    while unit <= hi - lo {
        for m in [1, 2, 5] {
            let every = m * unit;
            let ticks: Vec<u64> = (lo.div_ceil(every)..=hi / every)
                .map(|k| k * every)
                .collect();
            let widest = ticks.iter().map(|&s| label(s).len()).max().unwrap_or(0);
            if ticks.len() >= 2 && ticks.len() * (widest + 2) <= cols as usize {
                return ticks.into_iter().map(tick).collect();
            }
        }
        unit *= 10;
    }
    vec![tick(lo), tick(hi)]
}

/// A power of ten as a label: 1e-4.
fn decade(e: i32) -> String {
    format!("1e{e}")
}

/// Ticks of a log10 axis from `lo` to `hi` over `rows` rows: the decades that are multiples
/// of the smallest stride (1, 2, 4, 5, 10, …) leaving about two rows a label; under two decades tall, 1, 2, 5 ×
/// 10^k (a zoom).
pub fn log_ticks(lo: f64, hi: f64, rows: u16) -> Vec<Tick> {
    let room = (rows as usize / 2 + 1).max(2);
    if hi - lo >= 2.0 {
        let (a, b) = (lo.ceil() as i32, hi.floor() as i32);
        let at = |stride: i32| (a..=b).filter(move |e| e.rem_euclid(stride) == 0);
        let stride = [1, 2, 4, 5, 10, 20, 50]
            .into_iter()
            .find(|&s| at(s).count() <= room)
            .unwrap_or(100);
        return at(stride)
            .map(|e| Tick {
                at: e as f64,
                label: decade(e),
            })
            .collect();
    }
    let mut out = Vec::new();
    for e in (lo.floor() as i32 - 1)..=(hi.ceil() as i32) {
        for m in [1.0, 2.0, 5.0] {
            let at = (m * 10f64.powi(e)).log10();
            if at >= lo - 1e-9 && at <= hi + 1e-9 {
                out.push(Tick {
                    at,
                    label: format!("{m}e{e}"),
                });
            }
        }
    }
    if out.len() > room {
        out.retain(|t| t.label.starts_with('1'));
    }
    out
}

/// A chart's plot as laid out: its cells, and the ranges across (`x`, steps) and down (`y`:
/// `y[1]` at the top).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Plot {
    pub area: Rect,
    pub x: [f64; 2],
    pub y: [f64; 2],
}

impl Plot {
    /// The column of `x`, if it is on the plot.
    pub fn col(&self, x: f64) -> Option<u16> {
        let [a, b] = self.x;
        if !(a..=b).contains(&x) || b <= a || self.area.width == 0 {
            return None;
        }
        let dots = (2 * self.area.width - 1) as f64;
        Some(self.area.x + (((x - a) * dots / (b - a)).round() as u16) / 2)
    }

    /// The row of `y`, clamped to the plot.
    pub fn row(&self, y: f64) -> u16 {
        let [lo, hi] = self.y;
        let dots = (4 * self.area.height.max(1) - 1) as f64;
        let d = ((hi - y.clamp(lo, hi)) * dots / (hi - lo).max(f64::MIN_POSITIVE)).round();
        self.area.y + (d as u16) / 4
    }

    /// The x of the middle of column `c` of the plot.
    pub fn x_at(&self, c: u16) -> f64 {
        let [a, b] = self.x;
        a + (c as f64 + 0.5) / self.area.width.max(1) as f64 * (b - a)
    }

    /// The value range row `r` of the plot covers (low, high).
    pub fn y_span(&self, r: u16) -> (f64, f64) {
        let [lo, hi] = self.y;
        let per = (hi - lo) / self.area.height.max(1) as f64;
        let top = hi - r as f64 * per;
        (top - per, top)
    }

    /// Clicks on `panel` scrub over this plot's steps.
    pub fn step_axis(&self, panel: Rect) -> StepAxis {
        StepAxis {
            area: panel,
            x0: self.area.x,
            width: self.area.width,
            min: self.x[0] as u64,
            max: self.x[1] as u64,
        }
    }
}

/// A chart's axes: its ranges and ticks.
pub struct Axes {
    pub x: [f64; 2],
    pub x_ticks: Vec<Tick>,
    pub y: [f64; 2],
    pub y_ticks: Vec<Tick>,
}

/// Lay out and draw `axes` in `area`: the y labels in a gutter at the left, from six rows
/// an axis line (left and bottom, ticks marked on it), the x labels in the bottom row (from
/// three rows); without ticks, nothing (the plot is the area). Returns the plot, the cells
/// left for the data.
pub fn draw_axes(buf: &mut Buffer, area: Rect, axes: &Axes, theme: &Theme) -> Plot {
    let widest = axes.y_ticks.iter().map(|t| t.label.chars().count());
    let labels = widest.max().unwrap_or(0) as u16;
    let any = !axes.y_ticks.is_empty() || !axes.x_ticks.is_empty();
    let line = area.height >= 6 && any;
    let x_row = area.height >= 3 && !axes.x_ticks.is_empty();
    let gutter = if labels == 0 {
        u16::from(line)
    } else {
        labels + 1
    };
    if area.width <= gutter + 4 || area.height < 2 {
        return Plot {
            area: Rect { width: 0, ..area },
            x: axes.x,
            y: axes.y,
        };
    }
    let below = u16::from(line) + u16::from(x_row);
    let plot = Plot {
        area: Rect {
            x: area.x + gutter,
            y: area.y,
            width: area.width - gutter,
            height: area.height - below,
        },
        x: axes.x,
        y: axes.y,
    };
    let dim = theme.dim();
    let p = plot.area;
    for t in &axes.y_ticks {
        let label = format!("{:>w$}", t.label, w = labels as usize);
        buf.set_string(area.x, plot.row(t.at), label, dim);
    }
    if line {
        let axis_x = p.x - 1;
        for y in p.y..p.bottom() {
            buf[(axis_x, y)].set_symbol("│").set_style(dim);
        }
        buf[(axis_x, p.bottom())].set_symbol("└").set_style(dim);
        for x in p.x..p.right() {
            buf[(x, p.bottom())].set_symbol("─").set_style(dim);
        }
        for t in &axes.x_ticks {
            if let Some(c) = plot.col(t.at) {
                buf[(c, p.bottom())].set_symbol("┴").set_style(dim);
            }
        }
    }
    if x_row {
        x_labels(buf, &plot, &axes.x_ticks, area.bottom() - 1, dim);
    }
    plot
}

/// The x labels in row `y`: each centred under its column (the last ending at the plot's
/// right when it is the range's end); the last always, the others where they stand apart
/// from the labels before them and from the last.
fn x_labels(buf: &mut Buffer, plot: &Plot, ticks: &[Tick], y: u16, style: Style) {
    let p = plot.area;
    let place = |i: usize, t: &Tick| {
        let c = plot.col(t.at)?;
        let w = t.label.chars().count() as u16;
        let start = if i + 1 == ticks.len() && c + 1 >= p.right() {
            p.right().saturating_sub(w)
        } else {
            c.saturating_sub(w / 2)
                .clamp(p.x, p.right().saturating_sub(w))
        };
        (start + w <= p.right()).then_some((start, w))
    };
    let last = ticks.len().checked_sub(1).and_then(|i| place(i, &ticks[i]));
    let limit = last.map_or(p.right() + 1, |(s, _)| s);
    let mut free = p.x;
    for (i, t) in ticks.iter().enumerate() {
        let Some((start, w)) = place(i, t) else {
            continue;
        };
        if i + 1 < ticks.len() && (start < free || start + w + 1 > limit) {
            continue;
        }
        buf.set_string(start, y, &t.label, style);
        free = start + w + 1;
    }
}

/// The steps the loss and accuracy charts span: the whole run (see [`super::steps_shown`]),
/// or with the zoom on, a window a sixteenth of the planned run wide (rounded to 1, 2, 5 ×
/// 10^k steps) around the step on screen. The window moves by half its width, and only when
/// that step leaves its middle half, so a click on a zoomed chart does not slide what is
/// under the mouse.
pub fn step_window(cx: &Ctx) -> (u64, u64) {
    let full = super::steps_shown(cx);
    if !cx.zoom {
        return (0, full);
    }
    let at = cx.frame.map_or(cx.snapshot.step, |f| f.step()).min(full);
    zoom_window(at, full, cx.snapshot.config.steps)
}

/// The zoomed window around step `at` of a run of `planned` steps shown over `0..=full`.
pub fn zoom_window(at: u64, full: u64, planned: u64) -> (u64, u64) {
    let target = (planned.max(full) / 16).max(20);
    let mut w = 10u64;
    'round: for unit in (0..).map(|k| 10u64.pow(k)) {
        for m in [1, 2, 5] {
            if m * unit > target {
                break 'round;
            }
            w = m * unit;
        }
    }
    if w >= full {
        return (0, full);
    }
    let half = (w / 2).max(1);
    let start = (at.saturating_sub(w / 4) / half * half).min(full - w);
    (start, start + w)
}

/// The step of the scrub cursor: the frame on screen's while scrubbing.
pub fn cursor_step(cx: &Ctx) -> Option<u64> {
    match (cx.scrubbing, cx.frame) {
        (true, Some(fr)) => Some(fr.step()),
        _ => None,
    }
}

/// Line segments between consecutive points where both are finite (a gap breaks the line
/// instead of drawing to the floor or the ceiling); a lone finite point still shows.
pub fn polyline(ctx: &mut Context, pts: impl Iterator<Item = (f64, f64)>, color: Color) {
    let pts: Vec<(f64, f64)> = pts.collect();
    let ok = |i: usize| {
        pts.get(i)
            .is_some_and(|p| p.0.is_finite() && p.1.is_finite())
    };
    for i in 0..pts.len() {
        let (x, y) = pts[i];
        if ok(i) && ok(i + 1) {
            let (x2, y2) = pts[i + 1];
            ctx.draw(&Line::new(x, y, x2, y2, color));
        } else if ok(i) && !(i > 0 && ok(i - 1)) {
            ctx.draw(&Line::new(x, y, x, y, color));
        }
    }
}

/// The last point of `history` at or before `step`.
pub fn value_at(history: &[Metrics], step: u64) -> Option<Metrics> {
    let i = history.partition_point(|m| m.step <= step);
    history.get(i.checked_sub(1)?).copied()
}

/// The run's train and test series, a compared run's beneath them and the scrub cursor over
/// them, each in its own layer of `ctx`: `value` reads a point's train (`false`) or test
/// value as the chart plots it; `y` is the plot's range, for the cursor.
pub fn paint_runs(ctx: &mut Context, cx: &Ctx, value: fn(&Metrics, bool) -> f64, y: [f64; 2]) {
    let theme = cx.theme;
    let fg = |s: Style| s.fg.unwrap_or(Color::Reset);
    let pts = |h: &[Metrics], test: bool| -> Vec<(f64, f64)> {
        h.iter().map(|m| (m.step as f64, value(m, test))).collect()
    };
    let other = cx.compare.map(|c| &c.history[..]).unwrap_or_default();
    if !other.is_empty() {
        let (train_marker, test_marker) = super::compare::markers(theme);
        ctx.marker(train_marker);
        polyline(
            ctx,
            pts(other, false).into_iter(),
            fg(theme.train_compared()),
        );
        ctx.layer();
        ctx.marker(test_marker);
        polyline(ctx, pts(other, true).into_iter(), fg(theme.test_compared()));
        ctx.layer();
    }
    let hist = &cx.snapshot.history;
    ctx.marker(Marker::Braille);
    polyline(ctx, pts(hist, false).into_iter(), fg(theme.train()));
    ctx.layer();
    // Without colour, the test series uses a different marker.
    ctx.marker(if theme.colored() {
        Marker::Braille
    } else {
        Marker::Dot
    });
    polyline(ctx, pts(hist, true).into_iter(), fg(theme.test()));
    if let Some(s) = cursor_step(cx) {
        ctx.layer();
        ctx.marker(Marker::Braille);
        let x = s as f64;
        polyline(ctx, [(x, y[0]), (x, y[1])].into_iter(), fg(theme.scrub()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(t: &[Tick]) -> Vec<&str> {
        t.iter().map(|t| t.label.as_str()).collect()
    }

    #[test]
    fn step_ticks_are_round_and_fit() {
        assert_eq!(
            labels(&step_ticks(0, 8000, 39, false)),
            ["0", "2,000", "4,000", "6,000", "8,000"]
        );
        assert_eq!(labels(&step_ticks(0, 50_000, 14, true)), ["0", "50k"]);
        // A zoomed window: its end labelled after the round ticks.
        assert_eq!(
            labels(&step_ticks(750, 1250, 39, false)),
            ["800", "900", "1,000", "1,100", "1,200", "1,250"]
        );
        assert_eq!(
            labels(&step_ticks(0, 8000, 23, false)),
            ["0", "5,000", "8,000"]
        );
        // Too narrow for any round spacing: the ends.
        assert_eq!(labels(&step_ticks(0, 8000, 3, false)), ["0", "8,000"]);
    }

    #[test]
    fn short_steps() {
        let s: Vec<String> = [0, 800, 1500, 8000, 50_000, 1_200_000]
            .map(short_step)
            .into();
        assert_eq!(s, ["0", "800", "1.5k", "8k", "50k", "1.2M"]);
    }

    #[test]
    fn log_ticks_decades_then_one_two_five() {
        // A small chart's 4 or 5 rows over 1e1 … 1e-8: every fourth decade.
        assert_eq!(labels(&log_ticks(-8.0, 1.0, 5)), ["1e-8", "1e-4", "1e0"]);
        assert_eq!(labels(&log_ticks(-8.0, 1.0, 4)), ["1e-8", "1e-4", "1e0"]);
        // The loss chart's 7 rows over 1e-6 … 1e1: every other decade.
        assert_eq!(
            labels(&log_ticks(-6.0, 1.0, 7)),
            ["1e-6", "1e-4", "1e-2", "1e0"]
        );
        assert_eq!(
            labels(&log_ticks(-3.0, 1.0, 9)),
            ["1e-3", "1e-2", "1e-1", "1e0", "1e1"]
        );
        // A zoom under two decades: 1, 2, 5 × 10^k.
        let z = log_ticks(-4.4, -3.2, 9);
        assert_eq!(labels(&z), ["5e-5", "1e-4", "2e-4", "5e-4"]);
        assert!((z[1].at + 4.0).abs() < 1e-12);
    }

    #[test]
    fn the_zoom_window_holds_the_step_and_moves_by_halves() {
        // Parity's 8,000 steps: 500-step windows.
        assert_eq!(zoom_window(1000, 8000, 8000), (750, 1250));
        assert_eq!(
            zoom_window(1100, 8000, 8000),
            (750, 1250),
            "in its middle half"
        );
        assert_eq!(zoom_window(1130, 8000, 8000), (1000, 1500));
        assert_eq!(zoom_window(0, 8000, 8000), (0, 500));
        assert_eq!(zoom_window(8000, 8000, 8000), (7500, 8000));
        // The width follows the planned run, not how far it has got.
        assert_eq!(zoom_window(1000, 2000, 8000), (750, 1250));
        assert_eq!(zoom_window(30_000, 50_000, 50_000), (29_000, 31_000));
        assert_eq!(
            zoom_window(5, 100, 100),
            (0, 20),
            "never narrower than 20 steps"
        );
        assert_eq!(
            zoom_window(5, 20, 20),
            (0, 20),
            "the whole run when it is that short"
        );
    }

    #[test]
    fn the_plot_maps_steps_and_values_to_cells() {
        let plot = Plot {
            area: Rect::new(10, 2, 20, 8),
            x: [0.0, 1000.0],
            y: [-8.0, 0.0],
        };
        assert_eq!(plot.col(0.0), Some(10));
        assert_eq!(plot.col(1000.0), Some(29));
        assert_eq!(plot.col(1001.0), None);
        assert_eq!(plot.row(0.0), 2);
        assert_eq!(plot.row(-8.0), 9);
        assert_eq!(plot.row(-20.0), 9, "clamped");
        assert_eq!(plot.y_span(0), (-1.0, 0.0));
        let axis = plot.step_axis(Rect::new(0, 0, 40, 12));
        assert_eq!(axis.step_at(29, 3), Some(1000));
        assert_eq!(axis.step_at(10, 3), Some(0));
    }
}
