//! Small loss charts for views that show many runs at once (the sweep's drill-down, the seed
//! gallery): a run's train and test loss on one fixed log scale, so that charts side by side
//! compare at a glance, as the article's small multiples do.

use super::Theme;
use crate::sweep::Point;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Color;
use ratatui::symbols::Marker;
use ratatui::widgets::Widget;
use ratatui::widgets::canvas::{Canvas, Context, Line};

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
}

fn log(v: f64) -> f64 {
    v.max(10f64.powf(BOTTOM)).log10().min(TOP)
}

fn fg(style: ratatui::style::Style) -> Color {
    style.fg.unwrap_or(Color::Reset)
}

/// One series as line segments between consecutive finite points.
fn series(ctx: &mut Context, curve: &[Point], loss: fn(&Point) -> f64, color: Color) {
    for w in curve.windows(2) {
        let (a, b) = (loss(&w[0]), loss(&w[1]));
        if a.is_finite() && b.is_finite() {
            ctx.draw(&Line::new(
                w[0].step as f64,
                log(a),
                w[1].step as f64,
                log(b),
                color,
            ));
        }
    }
    // A lone point (a curve of one, or one between gaps) still shows.
    if let [p] = curve
        && loss(p).is_finite()
    {
        let (x, y) = (p.step as f64, log(loss(p)));
        ctx.draw(&Line::new(x, y, x, y, color));
    }
}

/// Draw `curve`'s train and test loss into `area` (no border, no labels: the caller titles
/// it), steps 0 to `steps` across (or to the curve's last step, if later), the fixed decades
/// [`TOP`]..[`BOTTOM`] down. The train line is drawn in braille; the test line over it, in
/// braille with colour and in `•` dots without, so NO_COLOR still tells them apart.
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
    let x_max = curve.last().map_or(steps, |p| p.step.max(steps)).max(1) as f64;
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
    let canvas = Canvas::default()
        .marker(Marker::Braille)
        .x_bounds([0.0, x_max])
        .y_bounds([BOTTOM, TOP])
        .paint(|ctx| {
            if let Some(level) = opts.level.filter(|l| *l > 0.0) {
                // Every other braille column: a dotted level, lighter than the lines.
                let y = log(level);
                let n = (area.width as usize * 2).max(2);
                for i in (0..n).step_by(4) {
                    let x = x_max * i as f64 / (n - 1) as f64;
                    ctx.draw(&Line::new(x, y, x, y, dim));
                }
                ctx.layer();
            }
            series(ctx, curve, |p| p.train_loss, train);
            ctx.layer();
            ctx.marker(test_marker);
            series(ctx, curve, |p| p.test_loss, test);
            if let Some(step) = opts.cursor {
                ctx.layer();
                ctx.marker(Marker::Braille);
                let x = (step as f64).min(x_max);
                ctx.draw(&Line::new(x, BOTTOM, x, TOP, scrub));
            }
        });
    canvas.render(area, buf);
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
}
