//! The mechanism view: how a modular model computes, drawn from the frame on screen (the
//! latest, or the scrubbed one) as the article's second half draws it. Four panels:
//! [`waves`] (each neuron's W_input column, or W_output row, over 0…P−1, one chart per
//! frequency group), [`stars`] (each neuron's (cos, sin) coefficient at a key frequency on a
//! circle, neighbours by phase joined), [`logits`] (each group's contribution to the logits
//! of the chosen pair, and their total) and [`dft`] (neurons × coefficients of both
//! matrices). At 120×40 all four; smaller, three pages (`f`). The waves and stars show one
//! frequency group at a time where the panel has room for one only (`n` / `N` step).
//!
//! The read-out ([`crate::probe::mechanism`]) is computed here when a new frame is drawn
//! and kept in [`Memo`] while it stays on screen, so training pays nothing for the view.

mod dft;
mod logits;
mod scale;
mod stars;
mod waves;

use super::{Ctx, FULL_HEIGHT, FULL_WIDTH, Footer, Panel, header};
use crate::analysis::{AnalysisError, Fourier};
use crate::probe::mechanism::{self, Logits, Mechanism, PairKind, Split};
use crate::train::{ModularWeights, TaskKind};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::Paragraph;
use std::sync::Arc;

/// What the view shows, as its keys choose it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Choice {
    /// The pair whose logits are drawn (taken mod P).
    pub a: usize,
    pub b: usize,
    /// Waves (and, where only one fits, stars and heatmap) of W_output rather than W_input.
    pub output: bool,
    /// Waves plotted against k·x mod P: a clean frequency-k wave becomes one period.
    pub unwrapped: bool,
    /// The page on screen when the panels do not all fit.
    pub page: usize,
    /// Steps (`n` / `N`) from the first frequency group on screen in the waves and stars:
    /// the strongest group, or with `follow` the selected neuron's.
    pub freq: isize,
    /// The neuron selection moved since: the waves and stars start at its group.
    pub follow: bool,
}

impl Default for Choice {
    /// The article's pair: 13 + 19.
    fn default() -> Self {
        Choice {
            a: 13,
            b: 19,
            output: false,
            unwrapped: false,
            page: 0,
            freq: 0,
            follow: false,
        }
    }
}

/// Pages of the compact layout.
pub const PAGES: usize = 3;

/// What the view remembers between frames: the read-out of the frame on screen, the logits
/// of the pair on screen and the run's split, each with what it was computed from.
#[derive(Debug, Default)]
pub struct Memo {
    fourier: Option<Fourier>,
    /// (run, step, P, H) and the read-out.
    reading: Option<(Key, Computed<Mechanism>)>,
    /// (run, step, P, H), (a, b) and the logits.
    logits: Option<(Key, (usize, usize), Computed<Logits>)>,
    /// The run and its split.
    split: Option<(u64, Option<Arc<Split>>)>,
}

type Key = (u64, u64, usize, usize);
type Computed<T> = Result<Arc<T>, AnalysisError>;

/// Everything the panels draw, for the frame on screen.
pub(super) struct Shown<'a> {
    pub m: &'a ModularWeights,
    pub mech: Arc<Mechanism>,
    pub logits: Arc<Logits>,
    pub kind: PairKind,
    /// The key frequencies of the frame's spectrum, largest first.
    pub keys: &'a [usize],
    pub choice: Choice,
    pub neuron: usize,
    pub p: usize,
}

/// The read-out of the frame on screen, from the memo when it has it.
pub(super) fn shown<'a>(cx: &Ctx<'a>) -> Result<Shown<'a>, String> {
    let cfg = &cx.snapshot.config;
    if cfg.task != TaskKind::Modular {
        return Err(format!(
            "the mechanism view draws the modular models; {} is a parity run (m goes back)",
            cfg.preset
        ));
    }
    let frame = cx.frame.ok_or("waiting for the first frame")?;
    let m = frame
        .weights
        .modular()
        .ok_or("this frame holds no modular weights")?;
    let (p, h) = m.w_input.dim();
    let key = (cx.snapshot.run, frame.step(), p, h);
    let mut memo = cx.memo.mechanism.borrow_mut();
    let memo = &mut *memo;
    let mech = match &memo.reading {
        Some((k, r)) if *k == key => r.clone(),
        _ => {
            if memo.fourier.as_ref().is_none_or(|f| f.modulus() != p) {
                memo.fourier = Fourier::new(p).ok();
            }
            let r = match &memo.fourier {
                Some(f) => mechanism::read(f, m).map(Arc::new),
                None => Err(AnalysisError::ModulusTooSmall(p)),
            };
            memo.reading = Some((key, r.clone()));
            r
        }
    }
    .map_err(|e| e.to_string())?;
    let mut choice = cx.mechanism;
    choice.a %= p.max(1);
    choice.b %= p.max(1);
    let pair = (choice.a, choice.b);
    let logits = match &memo.logits {
        Some((k, ab, l)) if *k == key && *ab == pair => l.clone(),
        _ => {
            let l = mechanism::logits(m, &mech, cfg, pair.0, pair.1).map(Arc::new);
            memo.logits = Some((key, pair, l.clone()));
            l
        }
    }
    .map_err(|e| e.to_string())?;
    let split = match &memo.split {
        Some((run, s)) if *run == cx.snapshot.run => s.clone(),
        _ => {
            let s = Split::of(cfg).map(Arc::new);
            memo.split = Some((cx.snapshot.run, s.clone()));
            s
        }
    };
    let kind = split.map_or(PairKind::Unused, |s| s.kind(pair.0, pair.1));
    let keys = frame
        .readings
        .spectrum()
        .map_or(&[][..], |s| s.spectrum.key_frequencies.as_slice());
    Ok(Shown {
        m,
        mech,
        logits,
        kind,
        keys,
        choice,
        neuron: cx.neuron.min(h.saturating_sub(1)),
        p,
    })
}

/// The panel's text when there is nothing to draw.
fn say(f: &mut Frame, cx: &Ctx, area: Rect, title: &str, why: &str) {
    let block = super::panel(title, cx.theme);
    f.render_widget(
        Paragraph::new(Span::styled(why.to_string(), cx.theme.dim()))
            .wrap(ratatui::widgets::Wrap { trim: true })
            .block(block),
        area,
    );
}

/// Draw `panel`, or why it cannot be drawn.
fn draw(f: &mut Frame, cx: &Ctx, area: Rect, panel: &Panel, title: &str) {
    match shown(cx) {
        Ok(_) => (panel.render)(f, cx, area),
        Err(why) => say(f, cx, area, title, &why),
    }
}

/// Indices into `mech.groups` of at most `limit` groups, the strongest (by power), always
/// with the selected neuron's; in frequency order.
pub(super) fn strongest_groups(s: &Shown, limit: usize) -> Vec<usize> {
    let groups = &s.mech.groups;
    let mut by_power: Vec<usize> = (0..groups.len()).collect();
    by_power.sort_by(|&x, &y| groups[y].power.total_cmp(&groups[x].power));
    by_power.truncate(limit.max(1));
    if let Some(sel) = groups.iter().position(|g| g.neurons.contains(&s.neuron))
        && !by_power.contains(&sel)
    {
        by_power.pop();
        by_power.push(sel);
    }
    by_power.sort_unstable_by_key(|&g| groups[g].frequency);
    by_power
}

/// Indices into `mech.groups`, in the order `n` steps through them: the key frequencies'
/// groups (largest first), then the others by power; rotated to start at the group on
/// screen (the strongest, or the selected neuron's after `[` `]`, moved by `n` / `N`); and
/// where the group on screen is in the order unrotated.
pub(super) fn group_order(s: &Shown) -> (Vec<usize>, usize) {
    let groups = &s.mech.groups;
    let mut order: Vec<usize> = s
        .keys
        .iter()
        .filter_map(|&k| groups.iter().position(|g| g.frequency == k))
        .collect();
    let mut rest: Vec<usize> = (0..groups.len()).filter(|g| !order.contains(g)).collect();
    rest.sort_by(|&x, &y| groups[y].power.total_cmp(&groups[x].power));
    order.extend(rest);
    if order.is_empty() {
        return (order, 0);
    }
    let base = if s.choice.follow {
        order
            .iter()
            .position(|&g| groups[g].neurons.contains(&s.neuron))
            .unwrap_or(0)
    } else {
        0
    };
    let start = (base as isize + s.choice.freq).rem_euclid(order.len() as isize) as usize;
    order.rotate_left(start);
    (order, start)
}

/// The first of `candidates` that fits in `room` characters; else the last one cut at a word
/// boundary with an ellipsis (or nothing when not even one word fits).
pub fn fit(candidates: &[&str], room: usize) -> String {
    if let Some(c) = candidates.iter().find(|c| c.chars().count() <= room) {
        return (*c).to_string();
    }
    let Some(last) = candidates.last() else {
        return String::new();
    };
    let mut out = String::new();
    for word in last.split(' ') {
        let next = if out.is_empty() {
            word.to_string()
        } else {
            format!("{out} {word}")
        };
        if next.chars().count() + 1 > room {
            break;
        }
        out = next;
    }
    // A dangling separator is no word to end on.
    let trimmed = out.trim_end_matches([' ', '·', ',', ':', '(']).to_string();
    if trimmed.is_empty() {
        String::new()
    } else {
        trimmed + "…"
    }
}

/// Characters a panel's title has in `area` (borders and the title's padding taken off).
pub(super) fn title_room(area: Rect) -> usize {
    (area.width as usize).saturating_sub(4)
}

fn page_tag(page: usize) -> String {
    format!(" page {}/{PAGES} · f ", page + 1)
}

/// `n` chart areas of at least `min_w × min_h` cells laid out in a grid over `area`, row by
/// row, in as few columns as fit (wide charts read best); fewer charts when they do not fit.
pub(super) fn grid(area: Rect, n: usize, min_w: u16, min_h: u16) -> Vec<Rect> {
    if n == 0 || area.width < min_w.min(area.width).max(1) || area.height < min_h {
        return Vec::new();
    }
    let max_cols = (area.width / min_w.max(1)).max(1) as usize;
    let max_rows = (area.height / min_h.max(1)).max(1) as usize;
    let n = n.min(max_cols * max_rows);
    let cols = n.div_ceil(max_rows).min(max_cols);
    let rows = n.div_ceil(cols);
    let row_areas = Layout::vertical(vec![Constraint::Ratio(1, rows as u32); rows]).split(area);
    let mut out = Vec::with_capacity(n);
    for r in row_areas.iter() {
        let cells = Layout::horizontal(vec![Constraint::Ratio(1, cols as u32); cols]).split(*r);
        out.extend(cells.iter().copied());
    }
    out.truncate(n);
    out
}

/// The waves and stars panels give the DFT no rows below this many.
const TOP_LEAST: u16 = 16;

/// The view: all four panels at 120×40 and up, else the page on screen.
pub fn render(f: &mut Frame, cx: &Ctx, footer: &Footer) {
    let area = f.area();
    let full = area.width >= FULL_WIDTH && area.height >= FULL_HEIGHT;
    let [head, body, foot] = Layout::vertical([
        Constraint::Length(if full { 2 } else { 1 }),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(area);
    header::render(f, cx, head, !full);
    if cx.snapshot.config.task != TaskKind::Modular {
        let why = shown(cx).err().unwrap_or_default();
        say(f, cx, body, "mechanism", &why);
    } else if full {
        let [top, bottom] =
            Layout::vertical([Constraint::Percentage(45), Constraint::Fill(1)]).areas(body);
        // The DFT's neurons fill its rows: the rows they would leave empty go to the panels
        // above, which give up rows (down to TOP_LEAST) where that makes every cell taller.
        let spare = top.height.saturating_sub(TOP_LEAST);
        let bottom_h = dft::fit_height(cx, bottom.height, spare);
        let [top, bottom] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(bottom_h)]).areas(body);
        let [w, s] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Fill(1)]).areas(top);
        let dft_w = dft::width(cx.snapshot.config.modulus, body.width.saturating_sub(44));
        let [l, d] =
            Layout::horizontal([Constraint::Fill(1), Constraint::Length(dft_w)]).areas(bottom);
        draw(f, cx, w, &waves::PANEL, "waves");
        draw(f, cx, s, &stars::PANEL, "stars");
        draw(f, cx, l, &logits::PANEL, "logit waves");
        draw(f, cx, d, &dft::PANEL, "DFT");
    } else {
        let page = cx.mechanism.page % PAGES;
        match page {
            0 => {
                let [w, s] = Layout::horizontal([Constraint::Percentage(50), Constraint::Fill(1)])
                    .areas(body);
                draw(f, cx, w, &waves::PANEL, "waves");
                draw(f, cx, s, &stars::PANEL, "stars");
            }
            1 => draw(f, cx, body, &logits::PANEL, "logit waves"),
            _ => draw(f, cx, body, &dft::PANEL, "DFT"),
        }
        let tag = page_tag(page);
        let w = tag.chars().count() as u16;
        if body.width > w + 2 && body.height > 0 {
            // On the bottom border, where no panel writes (the titles keep the top).
            let at = Rect::new(body.right() - w - 1, body.bottom() - 1, w, 1);
            f.render_widget(Paragraph::new(Span::styled(tag, cx.theme.title())), at);
        }
    }
    super::footer::render(f, footer, cx.theme, foot);
}

#[cfg(test)]
mod tests {
    use super::fit;

    /// A title fits its room, and is one of the forms given or the last one's first whole
    /// words with an ellipsis; never a word cut.
    #[test]
    fn titles_fit_in_whole_words() {
        let forms = ["logit waves of a + b · each group's part", "logit waves"];
        for room in 0..50 {
            let t = fit(&forms, room);
            assert!(t.chars().count() <= room, "{room}: {t}");
            if let Some(head) = t.strip_suffix('…') {
                assert!(forms[1].starts_with(head), "{room}: {t}");
                let next = forms[1][head.len()..].chars().next();
                assert_eq!(next, Some(' '), "{room}: {t} ends mid-word");
            } else {
                assert!(t.is_empty() || forms.contains(&t.as_str()), "{room}: {t}");
            }
        }
        assert_eq!(fit(&forms, 60), forms[0]);
        assert_eq!(fit(&forms, 20), forms[1]);
        assert_eq!(fit(&["waves over x y"], 12), "waves over…");
        assert_eq!(fit(&["waves"], 3), "");
    }
}
