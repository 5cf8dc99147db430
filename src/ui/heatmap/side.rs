//! The heatmap's maps side by side (or one alone): W_input left, W_output right of a
//! separator, each with its title on the top border and its columns and scale on the bottom
//! one. Where a map is narrower than its columns, its title says which it shows.

use super::{
    Map, Rows, Source, drawn, legend, mark_neuron, memo_for, put_right, scale, short, stride,
};
use crate::snapshot::WeightFrame;
use crate::ui::{Ctx, Theme, panel};
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;

/// W_output keeps at least 1/OUT_SHARE of W_input's columns before W_input gives up its one
/// column per input.
const OUT_SHARE: usize = 6;

/// Columns of the two maps in an inner width of `width`: (W_input, W_output), with one
/// separating column between them when both are drawn.
pub fn split(width: usize, cols_in: usize, cols_out: usize) -> (usize, usize) {
    if cols_out == 0 || width < 3 {
        // One map: two screen columns per matrix column, or one, or a sample.
        let cols = cols_in.max(1);
        let w = if width >= 2 * cols {
            2 * cols
        } else {
            width.min(cols)
        };
        return (w, 0);
    }
    // A column or two of w2: always at full width.
    if cols_out <= 2 {
        let out = (cols_out * 2).min(width / 3);
        return ((width - out - 1).min(cols_in * 2), out);
    }
    let both = cols_in + 1 + cols_out;
    if width >= 2 * both {
        return (2 * cols_in, 2 * cols_out);
    }
    if width >= both {
        return (cols_in, cols_out);
    }
    // W_input keeps its one column per input while W_output gets a fair share; else halves.
    let min_out = cols_out.div_ceil(OUT_SHARE);
    if width >= cols_in + 1 + min_out {
        return (cols_in, width - cols_in - 1);
    }
    let inp = width / 2;
    (inp, width - 1 - inp)
}

/// What a map's part of the top border says, its longest form that fits `room`; and
/// whether that form names the columns drawn (else the bottom border does).
fn title(src: &Source, count: &str, width: usize, room: usize) -> (String, bool) {
    let name = src.title.split_once(" · ").map_or(src.title, |(n, _)| n);
    let sampled = stride(src.cols(), width) > 1;
    let cols = src.columns(width);
    let forms: Vec<(String, bool)> = if sampled {
        let long = format!(" · {cols} (v)");
        let tight = format!(" {}", cols.replace(" = ", "="));
        vec![
            (format!("{}{count}{long}", src.title), true),
            (format!("{name}{count}{long}"), true),
            (format!("{name}{long}"), true),
            (format!("{name}{tight}"), true),
            (format!("{name}{count}"), false),
        ]
    } else {
        vec![
            (format!("{}{count}", src.title), false),
            (format!("{name}{count}"), false),
        ]
    };
    forms
        .into_iter()
        .find(|(t, _)| t.chars().count() + 2 <= room)
        .unwrap_or((name.to_string(), false))
}

/// A part of the panel: where it starts, its width, its source and the neurons drawn.
struct Part<'a> {
    x: u16,
    width: usize,
    src: &'a Source,
}

/// How the panel is shared out: the neurons' rows, each map's width and the columns left of
/// the maps, and each map's part of the borders.
struct Plan {
    fill: Rows,
    /// The maps' widths (W_output's 0 when it is not drawn).
    w_in: usize,
    w_out: usize,
    /// Columns between the panel's inside and W_input: the two maps centred.
    offset: u16,
    /// " (12 of 24)" where not every neuron shows.
    count: String,
    /// The borders' text runs over each map's part of the panel: W_input's up to the
    /// separator, W_output's from it to the panel's edge.
    part_in: usize,
    part_out: usize,
    /// W_output's columns, drawn or not (the memo keeps room for them).
    cols_out: usize,
}

fn plan(area: Rect, theme: &Theme, first: &Source, second: Option<&Source>) -> Plan {
    let (rows, cols) = first.heat.dim();
    let cols_out = second.map_or(0, Source::cols);
    // Each neuron as many half-rows as all can have alike; few share out the whole height
    // (the panel's inside: its height less the two borders).
    let inner_h = area.height.saturating_sub(2) as usize;
    let fill = Rows::fill(rows, inner_h * theme.per_row());
    let inner_w = area.width.saturating_sub(2) as usize;
    let (w_in, w_out) = split(inner_w, cols, cols_out);
    // Each map as wide as the columns it draws, and the two centred in the panel, so that
    // no sampled map leaves a ragged strip at its right.
    let (w_in, w_out) = (drawn(cols, w_in), drawn(cols_out, w_out));
    let used = w_in + if w_out > 0 { 1 + w_out } else { 0 };
    let offset = (inner_w.saturating_sub(used) / 2) as u16;
    let count = if fill.shown < rows {
        format!(" ({} of {rows})", fill.shown)
    } else {
        String::new()
    };
    let (part_in, part_out) = if w_out > 0 {
        let part_in = offset as usize + w_in;
        (part_in, inner_w - part_in - 1)
    } else {
        (inner_w, 0)
    };
    Plan {
        fill,
        w_in,
        w_out,
        offset,
        count,
        part_in,
        part_out,
        cols_out,
    }
}

pub fn render(
    f: &mut Frame,
    cx: &Ctx,
    area: Rect,
    frame: &WeightFrame,
    first: &Source,
    second: Option<&Source>,
) {
    let theme = cx.theme;
    let (rows, cols) = first.heat.dim();
    let p = plan(area, theme, first, second);
    let room_in = if p.w_out > 0 {
        p.part_in + 1
    } else {
        p.part_in
    };
    let (top, named) = title(first, &p.count, p.w_in, room_in);
    let block = panel(top, theme);
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.width == 0 || inner.height == 0 || cols == 0 {
        return;
    }
    let second = second.filter(|_| p.w_out > 0);
    let (out_x, out_named) = paint(f.buffer_mut(), cx, (area, inner), &p, (first, second));
    let buf = f.buffer_mut();
    let low_in = bottom(first, (p.w_in, p.part_in), named, &p.count);
    let label_x = inner.x + low_in.chars().count() as u16;
    // The number leaves room for the shortest legend with both ends ("−s██+s").
    let least = 2 * short(scale(&first.heat, p.fill.shown)).chars().count() + 4 + 3;
    let room = (p.part_in + 1).saturating_sub(low_in.chars().count() + least);
    let marked = mark_neuron(
        buf,
        cx,
        frame,
        area,
        (rows, p.fill, theme.per_row()),
        (label_x, room),
    );
    let parts = [
        Some(Part {
            x: inner.x,
            width: p.part_in,
            src: first,
        }),
        second.map(|src| Part {
            x: out_x,
            width: p.part_out,
            src,
        }),
    ];
    let lows = [
        low_in,
        bottom(
            second.unwrap_or(first),
            (p.w_out, p.part_out),
            out_named,
            "",
        ),
    ];
    labels(buf, theme, area, parts, (p.fill.shown, marked, &lows));
}

/// Paint the maps as `p` plans them in the panel `area` (inside `inner`), the separator and
/// W_output's title; returns where W_output starts and whether its title names its columns.
fn paint(
    buf: &mut Buffer,
    cx: &Ctx,
    (area, inner): (Rect, Rect),
    p: &Plan,
    (first, second): (&Source, Option<&Source>),
) -> (u16, bool) {
    let (rows, cols) = first.heat.dim();
    let map_x = inner.x + p.offset;
    let map = |heat, x, width| Map {
        heat,
        x,
        y: inner.y,
        width,
        height: inner.height as usize,
        rows: p.fill,
    };
    let mut memo = cx.memo.heat.borrow_mut();
    let memo = memo_for(&mut memo, rows, &[cols, p.cols_out]);
    let (memo_in, memo_out) = memo.split_at_mut(rows * cols);
    map(&first.heat, map_x, p.w_in).paint(buf, cx, memo_in);
    let out_x = map_x + p.w_in as u16 + 1;
    let mut out_named = false;
    if let Some(out) = second {
        map(&out.heat, out_x, p.w_out).paint(buf, cx, memo_out);
        separate(buf, cx.theme, area, out_x - 1);
        out_named = out_title(buf, cx.theme, area, (out, out_x, p.w_out, p.part_out));
    }
    (out_x, out_named)
}

/// The bottom border's label of a map drawn `width` wide in a part `room` wide: its columns
/// unless its title named them, else how many neurons show where the title left that out.
fn bottom(src: &Source, (width, room): (usize, usize), named: bool, count: &str) -> String {
    let label = if named {
        count.trim().trim_matches(['(', ')']).replace(" of ", "/")
    } else {
        src.columns(width)
    };
    if label.is_empty() {
        return String::new();
    }
    let fitted = crate::ui::text::fit(&label, room.saturating_sub(2));
    format!(" {fitted} ")
}

/// W_output's title on the top border from `x`, its map `width` wide in a part `room` wide;
/// whether it names the columns drawn.
fn out_title(
    buf: &mut Buffer,
    theme: &Theme,
    area: Rect,
    (out, x, width, room): (&Source, u16, usize, usize),
) -> bool {
    let (top, named) = title(out, "", width, room + 1);
    // Padded where there is room (w2's part is two columns).
    let room = (area.right() - 1).saturating_sub(x) as usize;
    let top = match format!(" {top} ") {
        t if t.chars().count() <= room => t,
        _ => top.chars().take(room).collect(),
    };
    buf.set_string(x, area.y, top, theme.title());
    named
}

/// The separator column left of W_output, joined to the panel's borders.
fn separate(buf: &mut Buffer, theme: &Theme, area: Rect, x: u16) {
    for y in area.y + 1..area.bottom() - 1 {
        buf[(x, y)].set_symbol("│").set_style(theme.dim());
    }
    buf[(x, area.y)].set_symbol("┬").set_style(theme.dim());
    buf[(x, area.bottom() - 1)]
        .set_symbol("┴")
        .set_style(theme.dim());
}

/// Each part's bottom label and legend, the legend right-aligned in its part (the labels
/// `low_in` and `low_out`; `marked`: the cells the neuron's number took after W_input's);
/// the second map's scale joins
/// the first's legend where its own part has no room for one.
fn labels(
    buf: &mut Buffer,
    theme: &Theme,
    area: Rect,
    parts: [Option<Part>; 2],
    (shown, marked, [low_in, low_out]): (usize, usize, &[String; 2]),
) {
    let y = area.bottom() - 1;
    let room = |w: usize, used: usize| w.saturating_sub(used + 3);
    let mut out_scale = None;
    if let Some(p) = &parts[1] {
        let s = scale(&p.src.heat, shown);
        match legend(theme, s, "", "", room(p.width, low_out.chars().count())) {
            Some(l) => put_right(buf, &l, p.x + p.width as u16, y),
            None => out_scale = Some((p.src.title, s)),
        }
        buf.set_string(p.x, y, low_out, theme.dim());
    }
    let Some(p) = &parts[0] else {
        return;
    };
    buf.set_string(p.x, y, low_in, theme.dim());
    let used = low_in.chars().count() + marked;
    let s = scale(&p.src.heat, shown);
    let suffix = out_scale.map_or(String::new(), |(n, s)| format!(" · {n} ±{}", short(s)));
    let line: Option<Line> = legend(theme, s, "", &suffix, room(p.width, used))
        .or_else(|| legend(theme, s, "", "", room(p.width, used)));
    if let Some(l) = line {
        put_right(buf, &l, p.x + p.width as u16, y);
    }
}
