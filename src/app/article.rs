//! The article's published runs in the dashboard: its grids as finished, read-only sweeps
//! (what `--article` opens in the sweep view and the gallery, and what their `a` / Tab keys
//! switch to), and the marks on the cells where yours and the article's disagree. Opening a
//! view on them (`--article`, the tour) is [`super::opening::open_article`].

use super::grids::SweepState;
use crate::sweep::article::{Verdict, compare_cells};
use crate::sweep::{Cell, Diagram};
use crate::ui::sweep::Marks;
use serde_json::Value;
use std::collections::BTreeMap;

/// The views that show an article grid, and that grid.
pub const VIEWS: [(&str, &str); 2] = [("sweep", "parity-v4"), ("gallery", "mod-add-seeds")];

/// What `--article` with a view that has no article grid says.
pub fn no_article_grid(view: &str) -> String {
    format!(
        "--article shows the article's runs in the sweep view (parity-v4) or the gallery \
         (mod-add-seeds); the {view} view has none"
    )
}

/// Two axis values alike: numbers as numbers (1 and 1.0), anything else as written.
fn same(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// The cell of `d` at `point` (its weight decay, training-set size and hidden size).
fn cell_at(d: &Diagram, point: &BTreeMap<String, Value>) -> Option<Cell> {
    let pos = |vals: &[Value], axis: &str| {
        let v = point.get(axis)?;
        vals.iter().position(|x| same(x, v))
    };
    let panel = match point.get("hidden") {
        Some(h) => d
            .panels
            .iter()
            .position(|p| p.as_ref().is_some_and(|p| same(p, h)))?,
        None => 0,
    };
    Some(Cell {
        panel,
        decay: pos(&d.decays, "weight_decay")?,
        size: pos(&d.sizes, &d.size_axis)?,
    })
}

/// The axis values of `cell` of `d`.
fn point_of(d: &Diagram, cell: Cell) -> BTreeMap<String, Value> {
    let mut p = BTreeMap::new();
    if let Some(v) = d.decays.get(cell.decay) {
        p.insert("weight_decay".to_string(), v.clone());
    }
    if let Some(v) = d.sizes.get(cell.size) {
        p.insert(d.size_axis.clone(), v.clone());
    }
    if let Some(Some(v)) = d.panels.get(cell.panel) {
        p.insert("hidden".to_string(), v.clone());
    }
    p
}

/// Switching between the article's runs and yours keeps what the view showed: the class
/// thresholds, the drill-down, and the cursor on the same cell (or run) where the other has
/// it.
pub fn carry(from: &SweepState, to: &mut SweepState) {
    to.thresholds = from.thresholds;
    to.drill = from.drill;
    match (&from.diagram, &to.diagram) {
        (Some(a), Some(b)) => {
            if let Some(c) = cell_at(b, &point_of(a, from.cell)) {
                to.cell = c;
                to.page = to.page.min(c.panel);
            }
        }
        _ => {
            let n = to.progress.runs.len();
            to.row = from.row.filter(|_| n > 0).map(|k| k.min(n - 1));
        }
    }
}

/// The marks on `shown`'s diagram (the article's runs or yours) where the other side's
/// majority class differs, comparing `article`'s runs with `yours` at `shown`'s thresholds;
/// the count of agreeing cells covers every compared cell.
pub fn marks(shown: &SweepState, article: &SweepState, yours: Option<&SweepState>) -> Marks {
    let mut m = Marks {
        against: if shown.article {
            "yours"
        } else {
            "the article's"
        },
        ..Marks::default()
    };
    let Some(yours) = yours.filter(|y| y.progress.done() > 0) else {
        m.why = Some("none of your runs of this grid has finished yet (a shows yours)".into());
        return m;
    };
    let compared = compare_cells(
        article.progress.records.values(),
        yours.progress.records.values(),
        &shown.thresholds,
    );
    match compared {
        Err(e) => m.why = Some(e.to_string()),
        Ok(cells) => {
            m.compared = cells.len();
            m.agree = cells
                .iter()
                .filter(|c| matches!(c.verdict, Verdict::Agree(_)))
                .count();
            if let Some(d) = &shown.diagram {
                m.cells = cells
                    .iter()
                    .filter_map(|c| Some((cell_at(d, &c.point)?, c.verdict)))
                    .collect();
            }
        }
    }
    m
}
