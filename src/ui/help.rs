//! The `?` overlay: the view's key table, as (keys, what they do) rows, then what the
//! colours mean and where a run's class and its phase label come from. Every row keeps its
//! whole text; when the rows do not fit the terminal's height they go on pages (PgDn and
//! PgUp turn them, the title says which), so the legend always shows and nothing is cut
//! but what is wider than the terminal.

use super::text::fit;
use super::{Theme, panel};
use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

/// The overlay's widest width: room for the longest text beside its keys.
const MAX_W: u16 = 96;
/// Columns of the keys, right-aligned, before the text.
const KEY_W: usize = 16;

/// The kernel a run trains with and the threads it shares each step among.
#[derive(Clone, Copy, Debug)]
pub struct Engine<'a> {
    pub kernel: &'a str,
    pub threads: usize,
}

/// The lines under the rows: the colours, the classes' and the phase label's sources, the
/// terminal, the engine; the last ones left out first when the height is short.
fn legend(engine: Option<Engine>, theme: &Theme) -> Vec<String> {
    let mut out = vec![
        if theme.colored() {
            " Train cyan, test yellow. Heatmap: orange w > 0, blue w < 0.".to_string()
        } else {
            " No colour: test loss dotted (••), heatmap shaded by |w|.".to_string()
        },
        " Sweep classes read the lowest losses; the phase label reads accuracy.".to_string(),
        " Works over SSH at 80×24; NO_COLOR=1 turns colour off.".to_string(),
    ];
    if let Some(Engine { kernel, threads }) = engine {
        let s = if threads == 1 { "" } else { "s" };
        out.push(format!(
            " Kernel {kernel}, {threads} thread{s}: GROKSCOPE_KERNEL, --threads (same bits)."
        ));
    }
    out
}

/// One key row, its keys right-aligned and its text fitted to `text_w`.
fn row<'a>(k: &str, what: &str, text_w: usize, theme: &Theme) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!(" {k:>KEY_W$}  "), theme.title()),
        Span::raw(fit(what, text_w)),
    ])
}

/// How the rows fall on pages: (rows per page, pages, legend lines kept).
fn pages(rows: usize, legend: usize, inner_h: usize) -> (usize, usize, usize) {
    if rows + 1 + legend <= inner_h {
        return (rows.max(1), 1, legend);
    }
    // Two lines of the legend on every page; the rest of the height for rows.
    let kept = legend.min(2);
    let per_page = inner_h.saturating_sub(1 + kept).max(1);
    (per_page, rows.div_ceil(per_page).max(1), kept)
}

/// The overlay over `area`: the key rows of page `page` (counted modulo the pages, so PgDn
/// past the last comes round to the first), then the legend ([`legend`]).
pub fn render(
    f: &mut Frame,
    area: Rect,
    rows: &[(&str, &str)],
    engine: Option<Engine>,
    theme: &Theme,
    page: i64,
) {
    let inner_h = area.height.saturating_sub(2) as usize;
    let mut tail = legend(engine, theme);
    let (per_page, n_pages, kept) = pages(rows.len(), tail.len(), inner_h);
    tail.truncate(kept);
    let page = page.rem_euclid(n_pages as i64) as usize;
    let shown = rows.chunks(per_page).nth(page).unwrap_or(&[]);
    // As wide as the longest text needs, within the terminal.
    let text_need = rows.iter().map(|r| r.1.chars().count()).max().unwrap_or(0);
    let legend_need = tail.iter().map(|t| t.chars().count()).max().unwrap_or(0);
    let need = (KEY_W + 3 + text_need).max(legend_need) as u16 + 3;
    let w = need.min(MAX_W).min(area.width);
    let inner_w = w.saturating_sub(2) as usize;
    let body = if n_pages > 1 { per_page } else { rows.len() };
    let h = ((body + 1 + tail.len()) as u16 + 2).min(area.height);
    let [band] = Layout::vertical([Constraint::Length(h)])
        .flex(Flex::Center)
        .areas(area);
    let [rect] = Layout::horizontal([Constraint::Length(w)])
        .flex(Flex::Center)
        .areas(band);
    let text_w = inner_w.saturating_sub(KEY_W + 3);
    let mut lines: Vec<Line> = shown
        .iter()
        .map(|&(k, what)| row(k, what, text_w, theme))
        .collect();
    lines.resize(body, Line::raw(""));
    lines.push(Line::raw(""));
    lines.extend(
        tail.iter()
            .map(|t| Line::styled(fit(t, inner_w), theme.dim())),
    );
    let title = if n_pages > 1 {
        format!(
            "keys {}/{n_pages} · PgDn PgUp turn · ? or Esc closes",
            page + 1
        )
    } else {
        "keys · ? or Esc closes".to_string()
    };
    f.render_widget(Clear, rect);
    f.render_widget(Paragraph::new(lines).block(panel(&title, theme)), rect);
}

#[cfg(test)]
mod tests {
    use super::{Engine, legend, pages};
    use crate::ui::theme::{ColorMode, Theme};

    #[test]
    fn the_legend_names_the_kernel_and_its_threads() {
        let theme = Theme::new(ColorMode::None);
        let line = |threads| {
            let engine = Engine {
                kernel: "avx512",
                threads,
            };
            legend(Some(engine), &theme).pop().unwrap()
        };
        assert!(line(1).contains("Kernel avx512, 1 thread:"), "{}", line(1));
        assert!(line(2).contains("Kernel avx512, 2 threads:"), "{}", line(2));
        // Short enough for the overlay at 80 columns.
        assert!(line(16).chars().count() <= 76, "{}", line(16));
        assert!(!legend(None, &theme).iter().any(|l| l.contains("Kernel")));
    }

    #[test]
    fn rows_that_fit_stay_on_one_page_and_the_rest_are_paged_evenly() {
        assert_eq!(pages(24, 4, 38), (24, 1, 4));
        // 80×24: 22 inner lines, two for the legend and one blank: 19 rows a page.
        assert_eq!(pages(24, 4, 22), (19, 2, 2));
        assert_eq!(pages(38, 4, 22), (19, 2, 2));
        assert_eq!(pages(39, 4, 22), (19, 3, 2));
        // A degenerate height still pages one row at a time.
        assert_eq!(pages(3, 4, 1), (1, 3, 2));
    }
}
