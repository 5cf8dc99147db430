//! Train and test loss on a log scale (braille chart): the run's curves, a compared run's
//! beneath them, the article's band behind them (the middle half of its gallery runs at each
//! step, and their medians), the scrub cursor and the callouts. Zoomed (`z`), the chart
//! shows a window around the step on screen with its loss axis fitted to the train loss
//! there, so that a rise of a few tenths of a decade (parity's, before it generalizes) fills
//! rows instead of dots.

use super::axis::{self, Axes, Plot, short_step};
use super::{ColorMode, Ctx, Panel, Theme, panel, thousands};
use crate::sweep::article::BandPoint;
use crate::train::Metrics;
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::Block;
use ratatui::widgets::canvas::Canvas;

/// Losses below this are drawn at it (float32 cross-entropy bottoms out near 1.19e-7).
pub const FLOOR: f64 = 1e-8;

fn log(v: f64) -> f64 {
    v.max(FLOOR).log10()
}

/// Train and test loss, log scale, over the run (every run).
pub const PANEL: Panel = Panel {
    name: "loss",
    applies: super::always,
    render,
};

/// The band's cells: the middle half of train (its hue, dark), of test, of both; without
/// colour, shades.
fn band_bg(theme: &Theme, train: bool, test: bool) -> Option<(Color, &'static str)> {
    let rgb = theme.mode == ColorMode::TrueColor;
    let (color, shade) = match (train, test) {
        (false, false) => return None,
        (true, false) if rgb => (Color::Rgb(0, 50, 55), "░"),
        (true, false) => (Color::Indexed(23), "░"),
        (false, true) if rgb => (Color::Rgb(55, 50, 0), "▒"),
        (false, true) => (Color::Indexed(58), "▒"),
        (true, true) if rgb => (Color::Rgb(45, 45, 45), "▓"),
        (true, true) => (Color::Indexed(238), "▓"),
    };
    Some(if theme.colored() {
        (color, " ")
    } else {
        (Color::Reset, shade)
    })
}

/// The band's medians: a light grey, apart from the run's own hues (the band behind tells
/// train's from test's).
const MEDIAN: Color = Color::Indexed(248);

fn render(f: &mut Frame, cx: &Ctx, area: Rect) {
    let theme = cx.theme;
    let hist = &cx.snapshot.history;
    let (x0, x1) = axis::step_window(cx);
    let other = cx.compare.map(|c| &c.history[..]).unwrap_or_default();
    let band = cx.band.filter(|b| !b.is_empty());
    let block = frame_block(cx, area, band);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let [lo, hi] = y_range(cx, hist, other, band, [x0, x1]);
    let rows = inner
        .height
        .saturating_sub(if inner.height >= 6 { 2 } else { 1 });
    let axes = Axes {
        x: [x0 as f64, x1 as f64],
        x_ticks: axis::step_ticks(x0, x1, inner.width.saturating_sub(6), false),
        y: [lo, hi],
        y_ticks: axis::log_ticks(lo, hi, rows),
    };
    let buf = f.buffer_mut();
    let plot = axis::draw_axes(buf, inner, &axes, theme);
    if plot.area.width == 0 {
        return;
    }
    cx.memo.axes.borrow_mut().push(plot.step_axis(area));
    let cells = band.map(|b| band_cells(&plot, b)).unwrap_or_default();
    if !theme.colored() {
        for &(x, y, train, test) in &cells {
            if let Some((_, sym)) = band_bg(theme, train, test) {
                buf[(x, y)].set_symbol(sym).set_style(theme.dim());
            }
        }
    }
    curves(buf, &plot, cx, band.filter(|_| theme.colored()));
    if theme.colored() {
        for &(x, y, train, test) in &cells {
            if let Some((bg, _)) = band_bg(theme, train, test) {
                buf[(x, y)].set_bg(bg);
            }
        }
    }
    super::callout::draw_callouts(buf, &plot, cx, plotted);
}

/// A point's train (`false`) or test loss as the chart plots it: log10, floored.
fn plotted(m: &Metrics, test: bool) -> f64 {
    log(if test { m.test_loss } else { m.train_loss })
}

/// The run's curves and the compared run's ([`axis::paint_runs`]) over the band's medians.
fn curves(buf: &mut Buffer, plot: &Plot, cx: &Ctx, band: Option<&[BandPoint]>) {
    let canvas = Canvas::default()
        .marker(Marker::Braille)
        .x_bounds(plot.x)
        .y_bounds(plot.y)
        .paint(|ctx| {
            if let Some(b) = band {
                let med = |pick: fn(&BandPoint) -> f64| {
                    b.iter().map(move |p| (p.step as f64, log(pick(p))))
                };
                axis::polyline(ctx, med(|p| p.train.median), MEDIAN);
                axis::polyline(ctx, med(|p| p.test.median), MEDIAN);
                ctx.layer();
            }
            axis::paint_runs(ctx, cx, plotted, plot.y);
        });
    ratatui::widgets::Widget::render(canvas, plot.area, buf);
}

/// The band's quartiles at step `s`, in log10 (train q1, q3, test q1, q3), straight between
/// its points; `None` outside them.
fn band_at(band: &[BandPoint], s: f64) -> Option<[f64; 4]> {
    let i = band.partition_point(|p| (p.step as f64) < s);
    let b = band.get(i)?;
    let a = if (b.step as f64) == s {
        b
    } else {
        band.get(i.checked_sub(1)?)?
    };
    let t = if b.step == a.step {
        0.0
    } else {
        (s - a.step as f64) / (b.step - a.step) as f64
    };
    let mix = |u: f64, v: f64| log(u) + (log(v) - log(u)) * t;
    Some([
        mix(a.train.q1, b.train.q1),
        mix(a.train.q3, b.train.q3),
        mix(a.test.q1, b.test.q1),
        mix(a.test.q3, b.test.q3),
    ])
}

/// The plot's cells inside the band: (column, row, in train's middle half, in test's).
fn band_cells(plot: &Plot, band: &[BandPoint]) -> Vec<(u16, u16, bool, bool)> {
    let p = plot.area;
    let mut out = Vec::new();
    for c in 0..p.width {
        let Some([a, b, c1, c3]) = band_at(band, plot.x_at(c)) else {
            continue;
        };
        for r in 0..p.height {
            let (lo, hi) = plot.y_span(r);
            let (train, test) = (a < hi && b > lo, c1 < hi && c3 > lo);
            if train || test {
                out.push((p.x + c, p.y + r, train, test));
            }
        }
    }
    out
}

/// The loss axis' range (log10): whole decades around every point in the window (the
/// compared run's and the band's too; `1e-3` to `1e1` when there are none); zoomed, the
/// train loss's range in the window, a little wider.
fn y_range(
    cx: &Ctx,
    hist: &[Metrics],
    other: &[Metrics],
    band: Option<&[BandPoint]>,
    [x0, x1]: [u64; 2],
) -> [f64; 2] {
    let inside = |s: u64| (x0..=x1).contains(&s);
    // The window's points and the one on either side, which its lines run to.
    let near = |h: &[Metrics], pick: fn(&Metrics) -> f64| -> Vec<f64> {
        let a = h.partition_point(|m| m.step < x0).saturating_sub(1);
        let b = (h.partition_point(|m| m.step <= x1) + 1).min(h.len());
        h[a.min(b)..b].iter().map(|m| log(pick(m))).collect()
    };
    let mut ys: Vec<f64> = near(hist, |m| m.train_loss);
    if cx.zoom {
        let (lo, hi) = min_max(&ys).unwrap_or((-3.0, 1.0));
        let pad = ((hi - lo) * 0.08).max(0.15);
        return [lo - pad, hi + pad];
    }
    ys.extend(near(hist, |m| m.test_loss));
    ys.extend(near(other, |m| m.train_loss));
    ys.extend(near(other, |m| m.test_loss));
    for p in band.unwrap_or_default().iter().filter(|p| inside(p.step)) {
        ys.extend([p.train.q1, p.train.q3, p.test.q1, p.test.q3].map(log));
    }
    let (lo, hi) = min_max(&ys).unwrap_or((-3.0, 1.0));
    let lo = lo.floor();
    [lo, hi.ceil().max(lo + 1.0)]
}

fn min_max(ys: &[f64]) -> Option<(f64, f64)> {
    let f = ys.iter().copied().filter(|y| y.is_finite());
    let lo = f.clone().fold(f64::INFINITY, f64::min);
    let hi = f.fold(f64::NEG_INFINITY, f64::max);
    lo.is_finite().then_some((lo, hi))
}

/// The panel's frame: its name (the window's steps when zoomed) and the legend in the title,
/// the name shortened so that the legend names both curves; along the bottom a compared run's legend, or the band's.
fn frame_block<'a>(cx: &Ctx<'a>, area: Rect, band: Option<&[BandPoint]>) -> Block<'a> {
    let theme = cx.theme;
    let (train_mark, test_mark) = if theme.colored() {
        ("━━ train", "━━ test")
    } else {
        ("⠤⠤ train", "•• test")
    };
    let width = area.width.saturating_sub(2) as usize;
    let names = if cx.zoom {
        let (a, b) = axis::step_window(cx);
        vec![
            format!(" loss, steps {}–{} ", thousands(a), thousands(b)),
            format!(" loss {}–{} ", short_step(a), short_step(b)),
            " loss ".into(),
        ]
    } else {
        vec![
            " loss (log scale) ".into(),
            " loss (log) ".into(),
            " loss ".into(),
        ]
    };
    // The longest name that leaves the legend whole (both curves named), else the shortest.
    let legend = train_mark.chars().count() + 2 + test_mark.chars().count() + 1;
    let name = names
        .iter()
        .find(|n| n.chars().count() + legend <= width)
        .unwrap_or(&names[names.len() - 1])
        .clone();
    let title = Line::from(vec![
        Span::styled(name, theme.title()),
        Span::styled(train_mark, theme.train()),
        Span::raw("  "),
        Span::styled(test_mark, theme.test()),
        Span::raw(" "),
    ]);
    let mut block = panel("", theme).title(title);
    if let Some(c) = cx.compare {
        block = block.title_bottom(super::compare::legend(theme, c, &cx.snapshot.config, width));
    } else if let Some(b) = band {
        block = block.title_bottom(band_legend(theme, b, width));
    }
    block
}

/// What the band is: "░░▒▒ article: 450 runs, quartiles ⠒⠒ medians" (the swatches in the
/// band's colours; the medians drawn with colour only), shorter where it does not fit.
fn band_legend(theme: &Theme, band: &[BandPoint], width: usize) -> Line<'static> {
    let runs = band.iter().map(|p| p.runs).max().unwrap_or(0);
    let swatch = |train, test| {
        let (bg, sym) = band_bg(theme, train, test).unwrap_or((Color::Reset, " "));
        let style = if theme.colored() {
            Style::new().bg(bg)
        } else {
            theme.dim()
        };
        Span::styled(sym.repeat(2), style)
    };
    let long = format!(" article: {runs} runs, quartiles ");
    let short = " article's runs ".to_string();
    let median = " ⠒⠒ medians ";
    let mut spans = vec![Span::raw(" "), swatch(true, false), swatch(false, true)];
    if long.chars().count() + median.chars().count() + 6 <= width {
        spans.push(Span::raw(long));
        if theme.colored() {
            spans.push(Span::styled("⠒⠒", Style::new().fg(MEDIAN)));
            spans.push(Span::raw(" medians "));
        }
    } else {
        spans.push(Span::raw(short));
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::article::Quartiles;

    fn point(step: u64, q: f64) -> BandPoint {
        let quart = Quartiles {
            q1: q / 10.0,
            median: q,
            q3: q * 10.0,
        };
        BandPoint {
            step,
            runs: 3,
            train: quart,
            test: quart,
        }
    }

    #[test]
    fn the_band_interpolates_in_log_between_its_points() {
        let band = [point(0, 1.0), point(1000, 1e-2)];
        let at = band_at(&band, 500.0).unwrap();
        assert!((at[0] + 2.0).abs() < 1e-12, "q1 halfway from 1e-1 to 1e-3");
        assert!((at[1] - 0.0).abs() < 1e-12, "q3 halfway from 1e1 to 1e-1");
        assert_eq!(band_at(&band, 1001.0), None);
        assert!((band_at(&band, 0.0).unwrap()[0] + 1.0).abs() < 1e-12);
    }

    #[test]
    fn band_cells_cover_the_middle_half_only() {
        // Flat quartiles 1e-2 … 1e0 (median 1e-1) on a plot from 1e-4 to 1e0, 4 rows: the
        // top two rows.
        let band = [point(0, 1e-1), point(1000, 1e-1)];
        let plot = Plot {
            area: Rect::new(0, 0, 10, 4),
            x: [0.0, 1000.0],
            y: [-4.0, 0.0],
        };
        let cells = band_cells(&plot, &band);
        let rows: std::collections::BTreeSet<u16> = cells.iter().map(|c| c.1).collect();
        assert_eq!(rows.into_iter().collect::<Vec<_>>(), [0, 1]);
        assert_eq!(cells.len(), 20);
        assert!(cells.iter().all(|c| c.2 && c.3));
    }
}
