//! The seed gallery: one small loss chart per run (train and test loss, log scale, every
//! chart on the same steps and losses), titled with the run's seed and key frequencies and
//! marked with its class, as many as fit, paged. Draws from plain data built for each frame
//! (a [`Scene`]): the view's header fields and its runs.

use super::curves::{MiniOpts, mini_loss};
use super::sweep::SweepStatus;
use super::{Footer, Theme, thousands, too_small};
use crate::sweep::article::TEST_LOSS_MARK;
use crate::sweep::{Class, RunRecord, vocab};
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph};

/// A chart's size: at least this wide and this high (borders included), at most
/// `TILE_W_MAX` × `TILE_H_MAX`.
pub const TILE_W: u16 = 20;
pub const TILE_H: u16 = 7;
const TILE_W_MAX: u16 = 30;
const TILE_H_MAX: u16 = 9;

/// The grid of charts as drawn: `cols` × `rows` a page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    pub cols: usize,
    pub rows: usize,
}

impl Default for Shape {
    /// The 80×24 grid, until the first draw says otherwise.
    fn default() -> Self {
        Shape { cols: 4, rows: 3 }
    }
}

impl Shape {
    pub fn per_page(&self) -> usize {
        self.cols * self.rows
    }

    /// The grid that fits in `area`: as many charts as fit, each at least [`TILE_W`] ×
    /// [`TILE_H`].
    pub fn fit(area: Rect) -> Shape {
        Shape {
            cols: (area.width / TILE_W).max(1) as usize,
            rows: (area.height / TILE_H).max(1) as usize,
        }
    }
}

/// Where one run is.
#[derive(Clone, Copy, Debug)]
pub enum TileState<'a> {
    Pending,
    Running,
    Done(&'a RunRecord),
}

/// One run of the gallery.
#[derive(Clone, Copy, Debug)]
pub struct Tile<'a> {
    pub seed: u64,
    pub state: TileState<'a>,
}

/// What the gallery draws, for one frame: its header, its runs and the selection.
#[derive(Clone, Debug)]
pub struct Scene<'a> {
    /// Where the runs come from: the grid, or the grid and its file.
    pub source: String,
    /// Header fields after the source: "7 / 20 runs", "2 training", the clock.
    pub fields: Vec<String>,
    /// The sweep's state, when it trains live.
    pub status: Option<SweepStatus>,
    /// A note under the header.
    pub note: String,
    /// The gallery's runs, in grid order.
    pub tiles: Vec<Tile<'a>>,
    /// The selected run (below `len`, or 0).
    pub cursor: usize,
    /// The steps every chart spans: the runs' planned steps.
    pub steps: u64,
    /// The step cursor every chart shows (Enter retrains to it), if set.
    pub step: Option<u64>,
    /// The runs are the article's published ones: no accuracies, and their seeds are the
    /// article's labels, not seeds this engine replays.
    pub article: bool,
    pub theme: &'a Theme,
}

impl Scene<'_> {
    /// Runs in the gallery.
    pub fn len(&self) -> usize {
        self.tiles.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tiles.is_empty()
    }

    /// The page the selection is on, and how many pages there are, for `shape`.
    pub fn page(&self, shape: Shape) -> (usize, usize) {
        let per = shape.per_page().max(1);
        (self.cursor / per, self.len().div_ceil(per).max(1))
    }
}

/// The step Enter retrains `r` to, and why that one: the step cursor where set, else the
/// run's first step with 99 % test accuracy, else (a record without accuracies, as the
/// article's) the first point of its curve where the test loss is below
/// [`TEST_LOSS_MARK`], else its last.
pub fn open_step(r: &RunRecord, cursor: Option<u64>) -> (u64, &'static str) {
    let (step, why) = match (cursor, r.trace.test_acc_99, test_loss_drop(r)) {
        (Some(c), _, _) => (c, "the cursor"),
        (None, Some(s), _) => (s, "its test 99 %"),
        (None, None, Some(s)) => (s, "its test-loss drop"),
        (None, None, None) => (r.steps, "its last"),
    };
    (step.min(r.settings.steps), why)
}

/// The first step of a curve without accuracies (the article's) where the test loss is
/// below [`TEST_LOSS_MARK`].
pub fn test_loss_drop(r: &RunRecord) -> Option<u64> {
    if r.curve.iter().any(|p| !p.test_acc.is_nan()) {
        return None;
    }
    r.curve
        .iter()
        .find(|p| p.test_loss < TEST_LOSS_MARK)
        .map(|p| p.step)
}

/// The frame's rows: the header (two rows from 30 up), the charts, the selection's line,
/// the footer.
fn rows(area: Rect) -> [Rect; 4] {
    let described = area.height >= 30;
    Layout::vertical([
        Constraint::Length(if described { 2 } else { 1 }),
        Constraint::Fill(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area)
}

/// Whether the gallery fits in `area` (else the frame says the terminal is too small).
fn fits(area: Rect) -> bool {
    area.width >= super::MIN_WIDTH && area.height >= super::MIN_HEIGHT
}

/// The grid of charts [`render`] draws in a frame of `area` (the keys move the selection by
/// its rows and pages).
pub fn shape(area: Rect) -> Shape {
    if !fits(area) {
        return Shape::default();
    }
    let [_, body, _, _] = rows(area);
    Shape::fit(body)
}

/// Draw the gallery over the whole frame.
pub fn render(f: &mut Frame, v: &Scene, footer: &Footer) {
    let (area, theme) = (f.area(), v.theme);
    if !fits(area) {
        too_small::render(f, area, theme);
        return;
    }
    let [head, body, info, foot] = rows(area);
    header(f, v, head, area.width < super::FULL_WIDTH);
    let shape = shape(area);
    if v.is_empty() {
        f.render_widget(
            Paragraph::new(Line::styled(
                "no runs yet: the grid starts training when the gallery is shown",
                theme.dim(),
            )),
            body,
        );
    } else {
        grid(f.buffer_mut(), v, shape, body);
    }
    info_line(f, v, shape, info);
    super::footer::render(f, footer, theme, foot);
}

fn header(f: &mut Frame, v: &Scene, area: Rect, compact: bool) {
    let theme = v.theme;
    let sep = || super::header_sep(theme);
    let mut spans = super::header_start(theme, compact);
    spans.push(Span::styled(format!("gallery {}", v.source), theme.title()));
    for field in &v.fields {
        spans.push(sep());
        spans.push(Span::raw(field.clone()));
    }
    if let Some(s) = v.status {
        spans.push(sep());
        spans.push(super::sweep::status_span(s, theme));
    }
    let mut lines = vec![Line::from(spans)];
    if area.height > 1 {
        lines.push(legend(v, area.width as usize));
    }
    f.render_widget(Paragraph::new(lines), area);
}

/// The line under the header: what the tiles plot, the curves' keys and the classes' marks,
/// in the longest form that fits `width` (the marks whole, never cut off), and the view's
/// note where there is room.
fn legend(v: &Scene, width: usize) -> Line<'static> {
    let theme = v.theme;
    let steps = format!("steps 0…{}: ", thousands(v.steps));
    const MARKS: &str = "G grok · g generalize · M memorize · x fail";
    // (the plotted range's loss scale, "by lowest losses:"), longest first.
    let forms = [(true, true), (true, false), (false, false)];
    let line = |(loss, by): (bool, bool)| {
        let plotted = if loss {
            format!("loss 1e1…1e-8 log, {steps}")
        } else {
            steps.clone()
        };
        let marks = if by {
            format!(" │ by lowest losses: {MARKS}")
        } else {
            format!(" │ {MARKS}")
        };
        vec![
            Span::styled(plotted, theme.dim()),
            Span::styled("train ⠒⠒", theme.train()),
            Span::styled(" ", theme.dim()),
            Span::styled(
                if theme.colored() {
                    "test ⠒⠒"
                } else {
                    "test ••"
                },
                theme.test(),
            ),
            Span::styled(marks, theme.dim()),
        ]
    };
    let width_of = |spans: &[Span]| spans.iter().map(Span::width).sum::<usize>();
    // Where even the shortest form does not fit, the shortest, cut at the edge, loses the
    // fewest marks.
    let mut what = forms
        .into_iter()
        .map(line)
        .find(|spans| width_of(spans) <= width)
        .unwrap_or_else(|| line(forms[forms.len() - 1]));
    let note = format!(" · {}", v.note);
    if !v.note.is_empty() && width_of(&what) + Span::raw(&note).width() <= width {
        what.push(Span::styled(note, theme.dim()));
    }
    Line::from(what)
}

/// The charts of the selection's page.
fn grid(buf: &mut Buffer, v: &Scene, shape: Shape, area: Rect) {
    let (page, _) = v.page(shape);
    let first = page * shape.per_page();
    let w = (area.width / shape.cols as u16).clamp(TILE_W, TILE_W_MAX);
    let h = (area.height / shape.rows as u16).clamp(TILE_H, TILE_H_MAX);
    for k in first..(first + shape.per_page()).min(v.len()) {
        let i = k - first;
        let r = Rect {
            x: area.x + (i % shape.cols) as u16 * w,
            y: area.y + (i / shape.cols) as u16 * h,
            width: w,
            height: h,
        };
        draw_tile(buf, &v.tiles[k], k == v.cursor, v, r);
    }
}

/// A run's title: "s3 · k 4 17 29", shorter where it does not fit in `width`.
pub fn title(t: &Tile, width: usize) -> String {
    let keys = match t.state {
        TileState::Done(r) => r.key_freqs.as_deref(),
        _ => None,
    };
    let long = match keys.filter(|k| !k.is_empty()) {
        Some(k) => {
            let mut k = k.to_vec();
            k.sort_unstable();
            let ks: Vec<String> = k.iter().map(usize::to_string).collect();
            format!("s{} · k {}", t.seed, ks.join(" "))
        }
        None => format!("s{}", t.seed),
    };
    if long.chars().count() <= width {
        return long;
    }
    let short = long.replacen(" · ", " ", 1);
    if short.chars().count() <= width {
        return short;
    }
    super::text::fit(&short, width)
}

/// The class mark on a chart's bottom edge: its glyph, and the step test accuracy reached
/// 99 % where it did.
/// A run whose class and test accuracy disagree ("M" yet 99 %) says why, as `width` allows.
fn mark(t: &Tile, width: usize) -> (String, Option<Class>) {
    match t.state {
        TileState::Pending => ("· pending".into(), None),
        TileState::Running => ("▒ training".into(), None),
        TileState::Done(r) => {
            let mut m = match r.trace.test_acc_99 {
                Some(s) => format!("{} {}", r.class.glyph(), thousands(s)),
                None => r.class.glyph().to_string(),
            };
            let th = crate::sweep::Thresholds::default();
            if vocab::disagreement(&r.trace, &th).is_some() {
                let why = format!("{m} · {}", vocab::why_short(&r.trace, &th));
                if why.chars().count() <= width {
                    m = why;
                }
            }
            (m, Some(r.class))
        }
    }
}

fn draw_tile(buf: &mut Buffer, t: &Tile, selected: bool, v: &Scene, r: Rect) {
    let theme = v.theme;
    use ratatui::widgets::Widget;
    let border = if selected { theme.title() } else { theme.dim() };
    let inner_w = r.width.saturating_sub(4) as usize;
    let (mark, class) = mark(t, inner_w);
    let mark_style = match class {
        Some(c) => theme
            .class_text(c)
            .add_modifier(ratatui::style::Modifier::BOLD),
        None if matches!(t.state, TileState::Running) => theme.running(),
        None => theme.dim(),
    };
    let block = Block::bordered()
        .border_type(if selected {
            BorderType::Thick
        } else {
            BorderType::Rounded
        })
        .border_style(border)
        .title(Span::styled(
            format!(" {} ", title(t, inner_w)),
            if selected {
                theme.selected()
            } else {
                theme.title()
            },
        ))
        .title_bottom(Line::from(Span::styled(format!(" {mark} "), mark_style)).right_aligned());
    let inner = block.inner(r);
    block.render(r, buf);
    match t.state {
        TileState::Done(rec) if rec.curve.is_empty() => {
            buf.set_stringn(
                inner.x,
                inner.y + inner.height / 2,
                "no curve kept",
                inner.width as usize,
                theme.dim(),
            );
        }
        TileState::Done(rec) => chart(buf, inner, rec, v),
        _ => {}
    }
}

/// The run's loss curve in `area`, with the shared step cursor.
fn chart(buf: &mut Buffer, area: Rect, rec: &RunRecord, v: &Scene) {
    let opts = MiniOpts {
        level: None,
        cursor: v.step,
        axes: true,
    };
    mini_loss(buf, area, &rec.curve, v.steps, v.theme, opts);
}

/// The selection's details at the left (the long form where it fits), the page and the step
/// cursor at the right.
fn info_line(f: &mut Frame, v: &Scene, shape: Shape, area: Rect) {
    let theme = v.theme;
    let (page, pages) = v.page(shape);
    let wide = area.width >= super::FULL_WIDTH;
    let mut right = match v.step {
        Some(s) => format!(" │ cursor {}", thousands(s)),
        None => String::new(),
    };
    right.push_str(&format!(" │ page {}/{pages}", page + 1));
    if wide {
        right.push_str(" (PgUp/PgDn)");
    }
    let room = area.width.saturating_sub(right.chars().count() as u16);
    // Each variant: the spans after "▶ seed N · class", longest first.
    let mut left: Vec<Span> = Vec::new();
    if let Some(t) = v.tiles.get(v.cursor) {
        left.push(Span::styled(
            if v.article {
                format!("▶ article run {}", t.seed)
            } else {
                format!("▶ seed {}", t.seed)
            },
            theme.title(),
        ));
        match t.state {
            TileState::Pending => left.push(Span::styled(" · pending", theme.dim())),
            TileState::Running => left.push(Span::styled(" · training", theme.running())),
            TileState::Done(r) => {
                left.push(Span::raw(" · "));
                left.push(Span::styled(r.class.name(), theme.class_text(r.class)));
                let th = crate::sweep::Thresholds::default();
                if vocab::disagreement(&r.trace, &th).is_some() {
                    left.push(Span::raw(format!(" ({})", vocab::why_short(&r.trace, &th))));
                }
                let at = |s: Option<u64>| s.map_or("never".into(), thousands);
                let (step, why) = open_step(r, v.step);
                let used: usize = left.iter().map(|s| s.content.chars().count()).sum();
                let variants = [
                    format!(
                        " · train 99 % {} · test 99 % {} · ⏎ retrains to {} ({why})",
                        at(r.trace.train_acc_99),
                        at(r.trace.test_acc_99),
                        thousands(step)
                    ),
                    format!(
                        " · test 99 % {} · ⏎ retrains to {}",
                        at(r.trace.test_acc_99),
                        thousands(step)
                    ),
                    format!(" · ⏎ retrains to {}", thousands(step)),
                ];
                let variants = if v.article {
                    article_details(r, t.seed)
                } else {
                    variants.to_vec()
                };
                let fits = |t: &String| used + t.chars().count() <= room as usize;
                if let Some(t) = variants.iter().find(|t| fits(t)) {
                    left.push(Span::raw(t.clone()));
                }
            }
        }
    }
    let [l, rt] = Layout::horizontal([Constraint::Length(room), Constraint::Fill(1)]).areas(area);
    f.render_widget(Paragraph::new(Line::from(left)), l);
    f.render_widget(Paragraph::new(Line::styled(right, theme.dim())), rt);
}

/// The article's run's details for the selection's line, longest first: when its test loss
/// dropped, and what Enter does with it (its seed there was a JAX key, so this engine's seed
/// of that number is another draw).
fn article_details(r: &RunRecord, seed: u64) -> Vec<String> {
    let drop = match test_loss_drop(r) {
        Some(s) => format!("test loss < {TEST_LOSS_MARK:.0e} at {}", thousands(s)),
        None => format!("test loss never < {TEST_LOSS_MARK:.0e}"),
    };
    vec![
        format!(" · {drop} · ⏎ trains seed {seed} here, not its JAX key"),
        format!(" · {drop} · ⏎ trains seed {seed} here"),
        format!(" · ⏎ trains seed {seed} here"),
    ]
}
