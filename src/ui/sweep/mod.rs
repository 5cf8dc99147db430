//! The sweep view: the article's phase diagram filling in as runs finish. Weight decay down,
//! training-set size across, one small panel per hidden size; each run of a cell (its seeds)
//! is a block coloured and lettered by its class, dotted while pending and shaded while it
//! trains. Beside or below it: the class counts (the legend) and the last finished run.
//! Grids without those axes (`mod-add-seeds`) list their runs instead.
//!
//! It draws a [`Scene`] (built by the app for each frame) through [`render`]: the header and
//! progress bar (`head`), the diagram's panels and cursor (`panels`), the side column and
//! legend (`side`), the list (`list`), the drill-down (`drill`), the architecture bars
//! (`arch`).

pub mod arch;
mod drill;
mod head;
mod list;
mod panels;
mod scene;
mod side;

pub use head::status_span;
pub use scene::{Marks, Scene, SweepStatus};

use super::{Footer, fmt_rate, panel, too_small};
use crate::sweep::{Class, RunState};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use serde_json::Value;

/// Classes in the order the article's chart runs as weight decay grows: too little
/// memorizes, more groks, more still generalizes at once, too much fails.
pub const ORDER: [Class; 4] = [Class::Memorize, Class::Grok, Class::Generalize, Class::Fail];

/// Width of the side column (class counts, last run) when it fits beside the diagram.
const SIDE_W: u16 = 36;

/// A value of a grid axis as shown: 0.01, 1, 750, l2.
pub fn fmt_value(v: &Value) -> String {
    match v {
        Value::Number(n) if n.is_u64() || n.is_i64() => n.to_string(),
        Value::Number(n) => n.as_f64().map_or_else(|| n.to_string(), fmt_rate),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A threshold as shown: 1e-5, 3.2e-5, 5e4, 1.6e5.
pub fn fmt_threshold(v: f64) -> String {
    format!("{v:.1e}").replace(".0e", "e")
}

/// Draw the sweep view over the whole frame: the scene's title names the grid in the header
/// (e.g. `parity-quick (1/3)`), `footer` lists the keys.
pub fn render(f: &mut Frame, s: &Scene, footer: &Footer) {
    let theme = s.theme;
    let area = f.area();
    if area.width < super::MIN_WIDTH || area.height < super::MIN_HEIGHT {
        too_small::render(f, area, theme);
        return;
    }
    let described = area.height >= 30;
    let [head, gauge, body, foot] = Layout::vertical([
        Constraint::Length(if described { 2 } else { 1 }),
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(area);
    head::header(f, s, head, area.width < super::FULL_WIDTH);
    head::bar(f.buffer_mut(), s, gauge);
    match s.diagram {
        Some(d) => panels::render_diagram_body(f, s, d, body),
        None if arch::applies(s) => arch::render_body(f, s, body),
        None => list::render_list_body(f, s, body),
    }
    super::footer::render(f, footer, theme, foot);
}

/// One character of a run in the progress bar and the compact cells.
pub(super) fn run_glyph(state: RunState) -> &'static str {
    match state {
        RunState::Pending => "·",
        RunState::Running => "▒",
        RunState::Done(c) => match c {
            Class::Fail => "x",
            Class::Memorize => "M",
            Class::Generalize => "g",
            Class::Grok => "G",
        },
    }
}

/// Inner area of a bordered panel.
pub(super) fn inner(r: Rect) -> Rect {
    Rect {
        x: r.x + 1,
        y: r.y + 1,
        width: r.width.saturating_sub(2),
        height: r.height.saturating_sub(2),
    }
}
