//! The article's phase diagram as data: a grid's runs placed by weight decay (down),
//! training-set size (across) and hidden size (one panel each), and the cursor's steps over
//! its cells. The sweep view draws it; the dashboard and `sweep --watch` move over it.

use super::Runs;
use serde_json::Value;
use std::collections::BTreeMap;

/// The article's chart over a grid: one panel per hidden size, weight decay down,
/// training-set size across; each cell holds its runs (seeds and any other axes).
#[derive(Clone, Debug, PartialEq)]
pub struct Diagram {
    /// `n_train` or `train_frac`.
    pub size_axis: String,
    pub decays: Vec<Value>,
    pub sizes: Vec<Value>,
    /// Hidden sizes, or one `None` panel when the grid has no hidden axis.
    pub panels: Vec<Option<Value>>,
    /// Grid run indices of each cell: `cells[panel][decay][size]`, in run order.
    pub cells: Vec<Vec<Vec<Vec<usize>>>>,
    /// The most runs in one cell.
    pub per_cell: usize,
    /// What tells the runs of a cell apart (the axes other than the diagram's and their
    /// values: `seed` 3), by grid index.
    pub rest: BTreeMap<usize, Vec<(String, Value)>>,
}

/// A cell of the diagram: panel (hidden size), weight-decay row, training-set column.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cell {
    pub panel: usize,
    pub decay: usize,
    pub size: usize,
}

/// A move of the cursor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Move {
    Left,
    Right,
    Up,
    Down,
}

/// Axis values in display order: numerically when they are numbers.
fn sorted(mut vals: Vec<Value>) -> Vec<Value> {
    vals.sort_by(|a, b| {
        let (x, y) = (
            a.as_f64().unwrap_or(f64::NAN),
            b.as_f64().unwrap_or(f64::NAN),
        );
        x.total_cmp(&y)
            .then_with(|| a.to_string().cmp(&b.to_string()))
    });
    vals.dedup();
    vals
}

impl Diagram {
    /// The diagram of these runs, when they vary (or fix) `weight_decay` and a training-set
    /// size; `None` for grids without those axes (their runs are listed instead).
    pub fn of(runs: &Runs) -> Option<Diagram> {
        let axes = runs.axis_values();
        let axis = |name: &str| axes.iter().find(|(n, _)| *n == name).map(|(_, v)| v);
        let has = |name: &str| axis(name).is_some();
        if runs.is_empty() || !has("weight_decay") {
            return None;
        }
        let size_axis = ["n_train", "train_frac"].into_iter().find(|a| has(a))?;
        let values = |name: &str| sorted(axis(name).map(|v| v.to_vec()).unwrap_or_default());
        let decays = values("weight_decay");
        let sizes = values(size_axis);
        let panels: Vec<Option<Value>> = if has("hidden") {
            values("hidden").into_iter().map(Some).collect()
        } else {
            vec![None]
        };
        let mut cells = vec![vec![vec![Vec::new(); sizes.len()]; decays.len()]; panels.len()];
        let mut rest = BTreeMap::new();
        for r in runs.iter().filter_map(|r| r.ok()) {
            let pos = |vals: &[Value], axis: &str| {
                r.point
                    .get(axis)
                    .and_then(|v| vals.iter().position(|x| x == v))
            };
            let p = match r.point.get("hidden") {
                Some(h) => panels.iter().position(|x| x.as_ref() == Some(h)),
                None => Some(0),
            };
            if let (Some(p), Some(d), Some(s)) =
                (p, pos(&decays, "weight_decay"), pos(&sizes, size_axis))
            {
                cells[p][d][s].push(r.index);
            }
            let others = r
                .point
                .iter()
                .filter(|(k, _)| !["weight_decay", "hidden", size_axis].contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            rest.insert(r.index, others);
        }
        let per_cell = cells
            .iter()
            .flatten()
            .flatten()
            .map(Vec::len)
            .max()
            .unwrap_or(0);
        Some(Diagram {
            size_axis: size_axis.to_string(),
            decays,
            sizes,
            panels,
            cells,
            per_cell,
            rest,
        })
    }

    /// The grid indices of `cell`'s runs (none if it lies outside the diagram).
    pub fn runs(&self, cell: Cell) -> &[usize] {
        self.cells
            .get(cell.panel)
            .and_then(|p| p.get(cell.decay))
            .and_then(|d| d.get(cell.size))
            .map_or(&[], Vec::as_slice)
    }

    /// `cell` moved one step: ← → along the training-set sizes, crossing into the previous
    /// or next panel at its edges; ↑ ↓ along the weight decays. It stays put at the
    /// diagram's ends.
    pub fn step(&self, cell: Cell, m: Move) -> Cell {
        let (last_size, last_decay) = (
            self.sizes.len().saturating_sub(1),
            self.decays.len().saturating_sub(1),
        );
        let last_panel = self.panels.len().saturating_sub(1);
        let mut c = cell;
        match m {
            Move::Left if c.size > 0 => c.size -= 1,
            Move::Left if c.panel > 0 => {
                c.panel -= 1;
                c.size = last_size;
            }
            Move::Right if c.size < last_size => c.size += 1,
            Move::Right if c.panel < last_panel => {
                c.panel += 1;
                c.size = 0;
            }
            Move::Up => c.decay = c.decay.saturating_sub(1),
            Move::Down => c.decay = (c.decay + 1).min(last_decay),
            Move::Left | Move::Right => {}
        }
        c
    }
}
