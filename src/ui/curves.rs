//! Small loss charts for views that show many runs at once (the sweep's drill-down, the seed
//! gallery): a run's train and test loss on one fixed log scale, so that charts side by side
//! compare at a glance, as the article's small multiples do.

use super::Theme;
use super::axis::{self, Axes};
use crate::sweep::Point;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Color;
use ratatui::symbols::Marker;
use ratatui::widgets::Widget;
use ratatui::widgets::canvas::{Canvas, Line};

/// The decades every small chart spans: 1e1 at the top, 1e-8 at the bottom (the article's
/// small charts run from 1e4 to 1e-8; cross-entropy here starts near 1e0 and float32 bottoms
/// out near 1e-7).
pub const TOP: f64 = 1.0;
pub const BOTTOM: f64 = -8.0;

/// What a small chart adds to the two loss lines.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MiniOpts {
    /// A dotted level across the chart at this loss (e.g. the fit threshold being moved).
    pub level: Option<f64>,
    /// A vertical line at this step (a cursor shared by the charts).
    pub cursor: Option<u64>,
    /// Decade labels and the step range, where the chart has room for them.
    pub axes: bool,
}

fn log(v: f64) -> f64 {
    v.max(10f64.powf(BOTTOM)).log10().min(TOP)
}

fn fg(style: ratatui::style::Style) -> Color {
    style.fg.unwrap_or(Color::Reset)
}

/// One series' points (step, log10 of the loss).
fn series(curve: &[Point], loss: fn(&Point) -> f64) -> impl Iterator<Item = (f64, f64)> + '_ {
    curve.iter().map(move |p| {
        let v = loss(p);
        (p.step as f64, if v.is_finite() { log(v) } else { f64::NAN })
    })
}

/// Draw `curve`'s train and test loss into `area` (no border: the caller titles it), steps
/// 0 to `steps` across (or to the curve's last step, if later), the fixed decades
/// [`TOP`]..[`BOTTOM`] down; with `opts.axes`, where the chart has room, decade labels at
/// its left and the step range under it ([`axis::draw_axes`]). The train line is drawn in
/// braille; the test line over it, in braille with colour and in `•` dots without, so
/// NO_COLOR still tells them apart.
pub fn mini_loss(
    buf: &mut Buffer,
    area: Rect,
    curve: &[Point],
    steps: u64,
    theme: &Theme,
    opts: MiniOpts,
) {
    if area.is_empty() {
        return;
    }
    let x_max = curve.last().map_or(steps, |p| p.step.max(steps)).max(1);
    let labelled = opts.axes && area.width >= 16;
    let axes = Axes {
        x: [0.0, x_max as f64],
        x_ticks: if opts.axes && area.height >= 4 {
            axis::step_ticks(0, x_max, 0, true)
        } else {
            Vec::new()
        },
        y: [BOTTOM, TOP],
        y_ticks: if labelled {
            let rows = area.height - u16::from(area.height >= 4);
            axis::log_ticks(BOTTOM, TOP, rows)
        } else {
            Vec::new()
        },
    };
    let plot = axis::draw_axes(buf, area, &axes, theme);
    if plot.area.width == 0 {
        return;
    }
    let (train, test, dim, scrub) = (
        fg(theme.train()),
        fg(theme.test()),
        fg(theme.dim()),
        fg(theme.scrub()),
    );
    let test_marker = if theme.colored() {
        Marker::Braille
    } else {
        Marker::Dot
    };
    let width = plot.area.width;
    let x_max = x_max as f64;
    let canvas = Canvas::default()
        .marker(Marker::Braille)
        .x_bounds(plot.x)
        .y_bounds(plot.y)
        .paint(|ctx| {
            if let Some(level) = opts.level.filter(|l| *l > 0.0) {
                // Every other braille column: a dotted level, lighter than the lines.
                let y = log(level);
                let n = (width as usize * 2).max(2);
                for i in (0..n).step_by(4) {
                    let x = x_max * i as f64 / (n - 1) as f64;
                    ctx.draw(&Line::new(x, y, x, y, dim));
                }
                ctx.layer();
            }
            axis::polyline(ctx, series(curve, |p| p.train_loss), train);
            ctx.layer();
            ctx.marker(test_marker);
            axis::polyline(ctx, series(curve, |p| p.test_loss), test);
            if let Some(step) = opts.cursor {
                ctx.layer();
                ctx.marker(Marker::Braille);
                let x = (step as f64).min(x_max);
                ctx.draw(&Line::new(x, BOTTOM, x, TOP, scrub));
            }
        });
    canvas.render(plot.area, buf);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::ColorMode;

    fn point(step: u64, train: f64, test: f64) -> Point {
        Point {
            step,
            train_loss: train,
            test_loss: test,
            train_acc: 0.0,
            test_acc: 0.0,
        }
    }

    fn draw(curve: &[Point], steps: u64, mode: ColorMode, opts: MiniOpts) -> Buffer {
        let mut buf = Buffer::empty(Rect::new(0, 0, 20, 9));
        let area = buf.area;
        mini_loss(&mut buf, area, curve, steps, &Theme::new(mode), opts);
        buf
    }

    /// Rows (top to bottom) where column `x` has anything drawn.
    fn rows_at(buf: &Buffer, x: u16) -> Vec<u16> {
        (0..buf.area.height)
            .filter(|&y| buf[(x, y)].symbol() != " ")
            .collect()
    }

    #[test]
    fn losses_land_on_their_decades() {
        // 9 rows for 9 decades: 1e1 at the top edge, 1e-8 at the bottom edge. A flat train
        // loss of 1e0 sits in the top row or the next; a flat 1e-8 in the bottom row.
        let flat = [point(0, 1.0, 1e-8), point(1000, 1.0, 1e-8)];
        let buf = draw(&flat, 1000, ColorMode::None, MiniOpts::default());
        for x in [0, 10, 19] {
            let rows = rows_at(&buf, x);
            assert_eq!(rows.len(), 2, "column {x}: {rows:?}");
            assert!(rows[0] <= 1, "train at 1e0 near the top: {rows:?}");
            assert_eq!(rows[1], 8, "test at 1e-8 in the bottom row");
            // Without colour the test line is dots, the train line braille.
            assert_eq!(buf[(x, 8)].symbol(), "•");
            assert_ne!(buf[(x, rows[0])].symbol(), "•");
        }
    }

    #[test]
    fn the_step_axis_spans_the_planned_steps() {
        // A run stopped early (at step 500 of 1000) fills only the left half.
        let half = [point(0, 1.0, 1.0), point(500, 1.0, 1.0)];
        let buf = draw(&half, 1000, ColorMode::None, MiniOpts::default());
        assert!(!rows_at(&buf, 5).is_empty());
        assert!(rows_at(&buf, 15).is_empty(), "nothing after the last step");
    }

    #[test]
    fn gaps_and_colours() {
        // A non-finite point breaks the line instead of drawing to the floor or ceiling.
        let gap = [
            point(0, 1e-2, 1e-2),
            point(400, f64::NAN, f64::NAN),
            point(600, f64::NAN, f64::NAN),
            point(1000, 1e-2, 1e-2),
        ];
        let buf = draw(&gap, 1000, ColorMode::Ansi256, MiniOpts::default());
        assert!(rows_at(&buf, 10).is_empty(), "the gap stays empty");
        // In colour the two lines carry the theme's colours.
        let theme = Theme::new(ColorMode::Ansi256);
        let both = [point(0, 1.0, 1e-8), point(1000, 1.0, 1e-8)];
        let buf = draw(&both, 1000, ColorMode::Ansi256, MiniOpts::default());
        let rows = rows_at(&buf, 10);
        assert_eq!(buf[(10, rows[0])].fg, fg(theme.train()));
        assert_eq!(buf[(10, 8)].fg, fg(theme.test()));
    }

    #[test]
    fn level_and_cursor() {
        let opts = MiniOpts {
            level: Some(1e-4),
            cursor: Some(500),
            axes: false,
        };
        let buf = draw(&[], 1000, ColorMode::None, opts);
        // The cursor: a full-height line at the middle column.
        let rows = rows_at(&buf, 9).len().max(rows_at(&buf, 10).len());
        assert_eq!(rows, 9);
        // The level: dotted, on the row of 1e-4 (5 decades down from 1e1: row 5 of 0..=8,
        // give or take the braille rounding), and only there away from the cursor.
        let level_rows: Vec<u16> = (0..9)
            .filter(|&y| (0..6).any(|x| buf[(x, y)].symbol() != " "))
            .collect();
        assert_eq!(level_rows.len(), 1, "{level_rows:?}");
        assert!((4..=5).contains(&level_rows[0]), "{level_rows:?}");
        let dotted = (0..20).filter(|&x| buf[(x, level_rows[0])].symbol() != " ");
        assert!(dotted.count() < 20, "dotted, not solid");
    }

    #[test]
    fn small_charts_label_their_decades_and_steps() {
        let flat = [point(0, 1.0, 1e-8), point(50_000, 1.0, 1e-8)];
        let mut buf = Buffer::empty(Rect::new(0, 0, 20, 6));
        let area = buf.area;
        let opts = MiniOpts {
            axes: true,
            ..MiniOpts::default()
        };
        let theme = Theme::new(ColorMode::None);
        mini_loss(&mut buf, area, &flat, 50_000, &theme, opts);
        let row = |y: u16| -> String { (0..20).map(|x| buf[(x, y)].symbol()).collect() };
        // Every fourth decade from the floor at its row, the axis, the step range.
        assert!(row(0).starts_with(" 1e0│"), "{:?}", row(0));
        assert!(row(2).starts_with("1e-4│"), "{:?}", row(2));
        assert!(row(3).starts_with("1e-8│"), "{:?}", row(3));
        assert_eq!(row(4), format!("    └┴{}┴", "─".repeat(13)));
        assert_eq!(row(5), "     0           50k");
        // Narrower than a label column: the chart alone, its step range still under it.
        let mut buf = Buffer::empty(Rect::new(0, 0, 12, 4));
        let area = buf.area;
        mini_loss(&mut buf, area, &flat, 50_000, &theme, opts);
        let bottom: String = (0..12).map(|x| buf[(x, 3)].symbol()).collect();
        assert_eq!(bottom, "0        50k");
    }
}
