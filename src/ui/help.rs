//! The `?` overlay: the view's key table, as (keys, what they do) rows, then what the
//! colours mean and where a run's class and its phase label come from. When the rows do not
//! fit the terminal's height they go in two columns (each text its first clause, cut at a
//! word), so the legend always shows.

use super::text::fit;
use super::{Theme, panel};
use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

/// The overlay's width with one column of rows.
const ONE_COLUMN_W: u16 = 74;

/// The lines under the rows: the colours, the classes' and the phase label's sources, the
/// terminal, the kernel; the last ones left out first when the height is short.
fn legend(kernel: Option<&str>, theme: &Theme) -> Vec<String> {
    let mut out = vec![
        if theme.colored() {
            " Train cyan, test yellow. Heatmap: orange w > 0, blue w < 0.".to_string()
        } else {
            " No colour: test loss dotted (••), heatmap shaded by |w|.".to_string()
        },
        " Sweep classes read the lowest losses; the phase label reads accuracy.".to_string(),
        " Works over SSH at 80×24; NO_COLOR=1 turns colour off.".to_string(),
    ];
    if let Some(k) = kernel {
        out.push(format!(
            " Kernel {k}; GROKSCOPE_KERNEL picks another (same bits)."
        ));
    }
    out
}

/// A help text's first clause (up to its first colon, parenthesis or semicolon), for the
/// narrow columns of the two-column form.
fn head(what: &str) -> &str {
    [": ", " (", "; "]
        .iter()
        .filter_map(|sep| what.find(sep))
        .min()
        .map_or(what, |i| &what[..i])
}

/// One key row, its keys right-aligned in `key_w` columns and its text cut to `text_w`.
fn row<'a>(k: &str, what: &str, key_w: usize, text_w: usize, theme: &Theme) -> Vec<Span<'a>> {
    vec![
        Span::styled(format!(" {k:>key_w$}  "), theme.title()),
        Span::raw(format!("{:<text_w$}", fit(what, text_w))),
    ]
}

/// The overlay over `area`: the key rows, then the legend ([`legend`]).
pub fn render(
    f: &mut Frame,
    area: Rect,
    rows: &[(&str, &str)],
    kernel: Option<&str>,
    theme: &Theme,
) {
    let inner_h = area.height.saturating_sub(2) as usize;
    let mut tail = legend(kernel, theme);
    // Two lines of the legend at least; the rest while the rows fit in one or two columns.
    while tail.len() > 2 && rows.len().div_ceil(2) + 1 + tail.len() > inner_h {
        tail.pop();
    }
    let one_column = rows.len() + 1 + tail.len() <= inner_h;
    let w = if one_column {
        ONE_COLUMN_W.min(area.width)
    } else {
        area.width.min(2 * ONE_COLUMN_W)
    };
    let inner_w = w.saturating_sub(2) as usize;
    let body_rows = if one_column {
        rows.len()
    } else {
        rows.len().div_ceil(2)
    };
    let h = ((body_rows + 1 + tail.len()) as u16 + 2).min(area.height);
    let [band] = Layout::vertical([Constraint::Length(h)])
        .flex(Flex::Center)
        .areas(area);
    let [rect] = Layout::horizontal([Constraint::Length(w)])
        .flex(Flex::Center)
        .areas(band);
    let mut lines: Vec<Line> = if one_column {
        let text_w = inner_w.saturating_sub(19);
        rows.iter()
            .map(|&(k, what)| Line::from(row(k, what, 16, text_w, theme)))
            .collect()
    } else {
        let col_w = inner_w / 2;
        let (left, right) = rows.split_at(body_rows);
        let key_w = |rs: &[(&str, &str)]| rs.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
        let (lk, rk) = (key_w(left), key_w(right));
        (0..body_rows)
            .map(|i| {
                let (k, what) = left[i];
                let mut spans = row(k, head(what), lk, col_w.saturating_sub(lk + 3), theme);
                if let Some(&(k, what)) = right.get(i) {
                    spans.extend(row(k, head(what), rk, col_w.saturating_sub(rk + 3), theme));
                }
                Line::from(spans)
            })
            .collect()
    };
    lines.push(Line::raw(""));
    lines.extend(
        tail.iter()
            .map(|t| Line::styled(fit(t, inner_w), theme.dim())),
    );
    f.render_widget(Clear, rect);
    f.render_widget(
        Paragraph::new(lines).block(panel("keys · ? or Esc closes", theme)),
        rect,
    );
}
