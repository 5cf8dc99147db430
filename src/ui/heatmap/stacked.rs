//! The heatmap's two maps one above the other, each one column per matrix column: W_input
//! under the top border, which carries its title and on the right its columns and scale;
//! W_output under a separating row that does the same for it. The selected neuron is marked
//! on the side borders of both and named on the bottom border.

use super::{Map, Rows, Source, legend, mark_neuron, memo_for, put_right, scale};
use crate::snapshot::WeightFrame;
use crate::ui::{Ctx, Theme, panel};
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;

/// The text rows each map gets of `inner` rows (one goes to the separator): the first the
/// odd one.
fn heights(inner: usize) -> (usize, usize) {
    let maps = inner.saturating_sub(1);
    (maps.div_ceil(2), maps / 2)
}

/// How the upper map's neurons fill its `h_in` rows when the lower one's fill is `fill`:
/// the same neurons sharing out the odd row where they can (few neurons), else as below.
fn upper_fill(fill: Rows, neurons: usize, h_in: usize, per_row: usize) -> Rows {
    Some(Rows::fill(neurons, h_in * per_row))
        .filter(|f| f.shown == fill.shown && f.halves == h_in * per_row)
        .unwrap_or(fill)
}

/// The inner rows a stacked heatmap of `neurons` (`per_row` to a text row) fills of
/// `inner`: all of them, or one fewer where the upper map would leave its odd row empty
/// (the layout gives that row to its neighbours).
pub fn fit_rows(neurons: usize, per_row: usize, inner: u16) -> u16 {
    let (h_in, h_out) = heights(inner as usize);
    let fill = Rows::fill(neurons, h_out * per_row);
    let upper = upper_fill(fill, neurons, h_in, per_row);
    if h_in > h_out && upper.halves.div_ceil(per_row) < h_in {
        inner - 1
    } else {
        inner
    }
}

/// A map's header (the top border or the separator row): its title, shortened to its name
/// ("W_input") where that lets its whole scale show, and the legend right of it with the
/// columns' label in front ("a = 0 … 66  −s ramp 0 ramp +s"), in the longest form that fits.
fn header(
    theme: &Theme,
    src: &Source,
    (count, shown, width): (&str, usize, u16),
) -> (String, Option<Line<'static>>) {
    let s = scale(&src.heat, shown);
    let prefix = format!("{}  ", src.columns(src.cols().min(width as usize)));
    let whole = legend(theme, s, &prefix, "", usize::MAX).map_or(0, |l| l.width());
    let name = src.title.split_once(" · ").map_or(src.title, |(n, _)| n);
    let fit = |title: &str| {
        let room = (width as usize).saturating_sub(title.chars().count() + count.len() + 4);
        legend(theme, s, &prefix, "", room).or_else(|| legend(theme, s, "", "", room))
    };
    for title in [src.title, name] {
        if let Some(l) = fit(title).filter(|l| l.width() == whole) {
            return (format!("{title}{count}"), Some(l));
        }
    }
    // No form shows the whole scale: the long title where it fits the width by itself,
    // else the name, so the title is never cut mid-word ("W_input · neurons by f").
    let room = (width as usize).saturating_sub(count.chars().count() + 4);
    let title = if src.title.chars().count() <= room {
        src.title
    } else {
        name
    };
    (format!("{title}{count}"), fit(title))
}

pub fn render(f: &mut Frame, cx: &Ctx, area: Rect, frame: &WeightFrame, maps: [&Source; 2]) {
    let theme = cx.theme;
    let rows = maps[0].heat.nrows();
    let per_row = theme.per_row();
    let (h_in, h_out) = heights(area.height.saturating_sub(2) as usize);
    // Both maps alike: as tall as the lower (shorter) one lets them be.
    let fill = Rows::fill(rows, h_out * per_row);
    let shown = fill.shown;
    // The upper map has the odd row: where the same neurons can share it out, they do (few
    // neurons), so that no empty row is left under it.
    let fill_in = upper_fill(fill, rows, h_in, per_row);
    let count = if shown < rows {
        format!(" ({shown} of {rows})")
    } else {
        String::new()
    };
    let inner_w = area.width.saturating_sub(2);
    let (top, top_legend) = header(theme, maps[0], (&count, shown, inner_w));
    let (mid, mid_legend) = header(theme, maps[1], ("", shown, inner_w));
    let block = panel(top, theme);
    let inner = block.inner(area);
    f.render_widget(block, area);
    if h_out == 0 || inner.width == 0 {
        return;
    }
    let (cols_in, cols_out) = (maps[0].cols(), maps[1].cols());
    let mut memo = cx.memo.heat.borrow_mut();
    let memo = memo_for(&mut memo, rows, &[cols_in, cols_out]);
    let (memo_in, memo_out) = memo.split_at_mut(rows * cols_in);
    let sep = inner.y + h_in as u16;
    let buf = f.buffer_mut();
    for (src, y, height, memo, fill) in [
        (maps[0], inner.y, h_in, memo_in, fill_in),
        (maps[1], sep + 1, h_out, memo_out, fill),
    ] {
        let map = Map {
            heat: &src.heat,
            x: inner.x,
            y,
            width: src.cols().min(inner.width as usize),
            height,
            rows: fill,
        };
        map.paint(buf, cx, memo);
    }
    separator(buf, theme, area, sep, &mid);
    for (line, y) in [(top_legend, area.y), (mid_legend, sep)] {
        if let Some(l) = line {
            put_right(buf, &l, area.right() - 1, y);
        }
    }
    let upper = Rect {
        height: h_in as u16 + 2,
        ..area
    };
    mark_neuron(buf, cx, frame, upper, (rows, fill_in, per_row), (0, 0));
    let rows = (rows, fill, per_row);
    let lower = Rect {
        y: sep,
        height: area.bottom() - sep,
        ..area
    };
    mark_neuron(
        buf,
        cx,
        frame,
        lower,
        rows,
        (area.x + 1, area.width as usize - 2),
    );
}

/// The row between the maps: a border line joined to the sides, with W_output's title.
fn separator(buf: &mut Buffer, theme: &Theme, area: Rect, y: u16, title: &str) {
    for x in area.x + 1..area.right() - 1 {
        buf[(x, y)].set_symbol("─").set_style(theme.dim());
    }
    buf[(area.x, y)].set_symbol("├").set_style(theme.dim());
    buf[(area.right() - 1, y)]
        .set_symbol("┤")
        .set_style(theme.dim());
    buf.set_string(area.x + 1, y, format!(" {title} "), theme.title());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::theme::ColorMode;
    use ndarray::Array2;

    #[test]
    fn a_title_too_long_for_the_map_falls_back_to_its_name_not_a_cut_word() {
        let theme = Theme::new(ColorMode::None);
        let src = Source {
            heat: Array2::from_shape_fn((8, 23), |(i, j)| (i as f32 - j as f32) * 0.3),
            title: "W_input · neurons by frequency",
            var: "a",
            note: None,
            base: 0,
        };
        for width in 12..60u16 {
            let (title, _) = header(&theme, &src, ("", 23, width));
            assert!(
                title == src.title || title == "W_input",
                "width {width}: {title}"
            );
            if src.title.chars().count() + 4 > width as usize {
                assert_eq!(title, "W_input", "width {width}");
            }
        }
    }
}
