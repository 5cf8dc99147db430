//! A sweep's runs beside the article's runs of the same grid, cell by cell: which cells
//! they share, each side's class mix there, and whether the majority classes agree. Runs
//! are compared only like for like: a run off the article's grid, or trained with other
//! settings than the article's grid uses at its point, is an error.

use crate::sweep::record::{Class, RunRecord, Thresholds, classify_with};
use crate::train::{Error, Result};
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// One coordinate of a cell: numbers compare as numbers.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Coord {
    Num(f64),
    Text(String),
}

impl Eq for Coord {}

impl Ord for Coord {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Coord::Num(a), Coord::Num(b)) => a.total_cmp(b),
            (Coord::Num(_), Coord::Text(_)) => Ordering::Less,
            (Coord::Text(_), Coord::Num(_)) => Ordering::Greater,
            (Coord::Text(a), Coord::Text(b)) => a.cmp(b),
        }
    }
}

impl PartialOrd for Coord {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl std::fmt::Display for Coord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Coord::Num(x) => write!(f, "{x}"),
            Coord::Text(t) => write!(f, "{t}"),
        }
    }
}

/// A cell of a grid: a run's point without its seed (axes by name, in name order).
pub(super) type Cell = Vec<(String, Coord)>;

/// The runs of one grid, by cell.
pub(super) type Cells<'a> = BTreeMap<Cell, Vec<&'a RunRecord>>;

pub(super) fn cell(r: &RunRecord) -> Cell {
    r.point
        .iter()
        .filter(|(k, _)| k.as_str() != "seed")
        .map(|(k, v)| {
            let c = match v.as_f64() {
                Some(x) => Coord::Num(x),
                None => Coord::Text(v.as_str().map_or_else(|| v.to_string(), str::to_string)),
            };
            (k.clone(), c)
        })
        .collect()
}

fn describe(c: &Cell) -> String {
    if c.is_empty() {
        return "its only cell".into();
    }
    let parts: Vec<String> = c.iter().map(|(k, v)| format!("{k} {v}")).collect();
    parts.join(", ")
}

/// The settings of `mine` that differ from `theirs` (seed and preset name aside), as
/// "name yours (the article's grid: theirs)".
fn differences(mine: &RunRecord, theirs: &RunRecord) -> Vec<String> {
    let as_map = |r: &RunRecord| match serde_json::to_value(&r.settings) {
        Ok(serde_json::Value::Object(m)) => m,
        _ => serde_json::Map::new(),
    };
    let (a, b) = (as_map(mine), as_map(theirs));
    a.iter()
        .filter(|(k, _)| !matches!(k.as_str(), "seed" | "preset"))
        .filter(|(k, v)| b.get(k.as_str()) != Some(v))
        .map(|(k, v)| {
            let t = b.get(k.as_str()).map_or("none".into(), |t| t.to_string());
            format!("{k} {v} (the article's grid: {t})")
        })
        .collect()
}

/// The article's runs of a grid and yours, each by cell, yours checked like for like.
pub(super) fn group<'a>(
    article: impl IntoIterator<Item = &'a RunRecord>,
    yours: impl IntoIterator<Item = &'a RunRecord>,
) -> Result<(Cells<'a>, Cells<'a>)> {
    let mut theirs_grid = "";
    let mut theirs: Cells = BTreeMap::new();
    for r in article {
        theirs_grid = r.grid.as_str();
        theirs.entry(cell(r)).or_default().push(r);
    }
    let mut mine: Cells = BTreeMap::new();
    for r in yours {
        let c = cell(r);
        let Some(same) = theirs.get(&c) else {
            return Err(Error::config(format!(
                "run {} of {} lies off the article's {theirs_grid} grid ({}); compare only \
                 runs of its points",
                r.run,
                r.grid,
                describe(&c)
            )));
        };
        if let Some(first) = differences(r, same[0]).first() {
            return Err(Error::config(format!(
                "run {} of {} was trained with other settings than the article's \
                 {theirs_grid} at its point: {first}",
                r.run, r.grid
            )));
        }
        mine.entry(c).or_default().push(r);
    }
    Ok((theirs, mine))
}

/// How many runs hold each class at `th`.
pub(super) fn tally<'a>(
    runs: impl IntoIterator<Item = &'a RunRecord>,
    th: &Thresholds,
) -> BTreeMap<Class, usize> {
    let mut c = BTreeMap::new();
    for r in runs {
        *c.entry(classify_with(&r.trace, th)).or_default() += 1;
    }
    c
}

/// The class held by more of the runs than any other; `None` on a tie (or no runs).
pub fn majority(c: &BTreeMap<Class, usize>) -> Option<Class> {
    let top = c.values().copied().max()?;
    let mut at_top = c.iter().filter(|(_, n)| **n == top);
    let (&first, _) = at_top.next()?;
    at_top.next().is_none().then_some(first)
}

/// How a cell's majority classes compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Agree(Class),
    Differ {
        article: Class,
        yours: Class,
    },
    /// One side or both has no single majority class.
    Tie,
}

impl Verdict {
    pub(super) fn of(article: &BTreeMap<Class, usize>, yours: &BTreeMap<Class, usize>) -> Verdict {
        match (majority(article), majority(yours)) {
            (Some(a), Some(b)) if a == b => Verdict::Agree(a),
            (Some(article), Some(yours)) => Verdict::Differ { article, yours },
            _ => Verdict::Tie,
        }
    }
}

/// One cell that both sides have runs in.
#[derive(Clone, Debug, PartialEq)]
pub struct CellComparison {
    /// The cell's point (its runs' point without the seed), as the article's runs hold it.
    pub point: BTreeMap<String, serde_json::Value>,
    /// Runs per class: the article's, yours.
    pub article: BTreeMap<Class, usize>,
    pub yours: BTreeMap<Class, usize>,
    pub verdict: Verdict,
}

/// Every cell where `yours` has runs, in the cells' order (axes by name, values ascending),
/// each side's classes at `th` (the view's thresholds; the article's rules by default). For
/// a view that marks the cells where a sweep and the article disagree.
pub fn compare_cells<'a>(
    article: impl IntoIterator<Item = &'a RunRecord>,
    yours: impl IntoIterator<Item = &'a RunRecord>,
    th: &Thresholds,
) -> Result<Vec<CellComparison>> {
    let (theirs, mine) = group(article, yours)?;
    Ok(mine
        .iter()
        .map(|(c, rs)| {
            let at = theirs.get(c).map_or(&[][..], Vec::as_slice);
            let mut point = at.first().map(|r| r.point.clone()).unwrap_or_default();
            point.remove("seed");
            let (a, y) = (tally(at.iter().copied(), th), tally(rs.iter().copied(), th));
            CellComparison {
                point,
                verdict: Verdict::of(&a, &y),
                article: a,
                yours: y,
            }
        })
        .collect())
}
