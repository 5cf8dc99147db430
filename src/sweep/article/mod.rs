//! The article's published runs, shipped in `data/` (its NOTICE says where they come from
//! and under which licence; its README what each column means) and compiled into the
//! binary: the seed gallery's 450 modular-addition runs with their loss curves, and the
//! 1,125 runs of the parity phase diagram.
//!
//! They are read once and every row is checked ([`Article::shipped`]): a malformed row is a
//! [`DataError`] naming the file, line and column, never a panic. Each run is placed at its
//! point of the built-in grid it belongs to (`mod-add-seeds`, `parity-v4`) and becomes a
//! [`RunRecord`] there ([`Article::records`]), so the views of many runs and `sweep report`
//! treat the article's runs and a user's alike, cell by cell.

mod band;
mod compare;
mod csv;
mod report;

pub use band::{BandPoint, Quartiles, loss_band};
pub use compare::{CellComparison, Verdict, compare_cells, majority};
pub use csv::DataError;
pub use report::{TEST_LOSS_MARK, comparable, report};

use super::grid::{Grid, RunSpec};
use super::phenomenon::{Point, shown};
use super::record::{RunRecord, Thresholds, Trace, classify_with};
use crate::train::{Error, Result};
use std::sync::OnceLock;

/// One shipped file: its name in the repository, its text (compiled in), what it holds.
pub struct DataFile {
    pub name: &'static str,
    pub text: &'static str,
    pub holds: &'static str,
}

/// The seed gallery: one row per run.
pub const GALLERY: DataFile = DataFile {
    name: "data/data__hypers_mlp_modular_addition_sweep.csv",
    text: include_str!("../../../data/data__hypers_mlp_modular_addition_sweep.csv"),
    holds: "the seed gallery's mod-add runs: lowest losses, top test/train ratio, key frequencies",
};

/// The seed gallery's loss curves: one row per run and thousand steps.
pub const CURVES: DataFile = DataFile {
    name: "data/data__allmetrics_mlp_modular_addition_sweep.csv",
    text: include_str!("../../../data/data__allmetrics_mlp_modular_addition_sweep.csv"),
    holds: "those runs' train and test loss every 1,000 steps, 0 to 50,000",
};

/// The parity phase diagram: one row per run.
pub const PARITY: DataFile = DataFile {
    name: "data/data__hypers_sparse_parity_v4.csv",
    text: include_str!("../../../data/data__hypers_sparse_parity_v4.csv"),
    holds: "the parity phase diagram's runs: grid point, lowest losses, top test/train ratio",
};

/// The shipped files, in the order [`Article::parse`] takes them.
pub const FILES: [&DataFile; 3] = [&GALLERY, &CURVES, &PARITY];

/// Where the files come from.
pub const SOURCE: &str = "github.com/PAIR-code/ai-explorables, folder source/grokking";
/// The source's commit the files were taken at.
pub const COMMIT: &str = "64ac8eb842b97a00ee62b100b53e01e5296f26cd";
/// Whose they are.
pub const COPYRIGHT: &str = "Copyright 2023 Google LLC";
/// Under which terms (the licence text and notice ship beside them).
pub const LICENCE: &str = "Apache License 2.0 (data/LICENSE, data/NOTICE)";

/// The grids the article has runs of.
pub const GRIDS: [&str; 2] = ["parity-v4", "mod-add-seeds"];

/// The article's grid that a grid's runs compare with: its own, or the article's grid its
/// cells are part of (`parity-quick` is `parity-v4` on fewer points, same settings).
pub fn counterpart(grid: &str) -> Option<&'static str> {
    match grid {
        "parity-v4" | "parity-quick" => Some("parity-v4"),
        "mod-add-seeds" => Some("mod-add-seeds"),
        _ => None,
    }
}

/// Frequencies of a modulus-67 task (k = 1..=33); the gallery file counts them from 0.
const FREQUENCIES: u64 = 33;
/// The curves' spacing in steps (the file's `step` column counts thousands).
pub const CURVE_EVERY: u64 = 1000;
/// Points per curve: steps 0, 1,000, …, 50,000 (mod-add's 50,000 steps).
const CURVE_POINTS: usize = 51;

/// One point of a gallery run's loss curve.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LossPoint {
    pub step: u64,
    pub train_loss: f64,
    pub test_loss: f64,
}

/// One run of the article's seed gallery.
#[derive(Clone, Debug, PartialEq)]
pub struct GalleryRun {
    /// The file's `modelIndex` (0, 1, …): the run's seed in `mod-add-seeds`. The article
    /// seeded its runs with JAX keys, so it labels the run; it does not replay it here.
    pub index: usize,
    /// Lowest losses and largest test/train ratio, as the article logged them (no
    /// accuracies: the files have none).
    pub trace: Trace,
    /// Key frequencies k (1 to 33), in the file's order.
    pub key_freqs: Vec<usize>,
    /// Hidden neurons per key frequency, in the same order.
    pub freq_neurons: Vec<usize>,
    /// Hidden neurons belonging to no key frequency.
    pub other_neurons: usize,
    /// Train and test loss every [`CURVE_EVERY`] steps.
    pub curve: Vec<LossPoint>,
}

/// One run of the article's parity phase diagram.
#[derive(Clone, Debug, PartialEq)]
pub struct ParityRun {
    /// Its index in the `parity-v4` grid.
    pub index: usize,
    pub n_train: usize,
    pub hidden: usize,
    pub weight_decay: f64,
    /// 0 to 8: a label within the cell, as for the gallery.
    pub seed: u64,
    pub trace: Trace,
}

/// The article's runs, read from the shipped files.
#[derive(Clone, Debug, PartialEq)]
pub struct Article {
    pub gallery: Vec<GalleryRun>,
    pub parity: Vec<ParityRun>,
}

impl Article {
    /// The shipped files, read and checked once per process.
    pub fn shipped() -> std::result::Result<&'static Article, DataError> {
        static ARTICLE: OnceLock<std::result::Result<Article, DataError>> = OnceLock::new();
        ARTICLE
            .get_or_init(|| Article::parse(GALLERY.text, CURVES.text, PARITY.text))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Read the three files' texts (as [`FILES`] orders them), checking every row: each
    /// field parses, the gallery's runs are numbered 0, 1, … with a complete curve each,
    /// and the parity runs cover every point of `parity-v4` once.
    pub fn parse(
        gallery: &str,
        curves: &str,
        parity: &str,
    ) -> std::result::Result<Article, DataError> {
        let mut runs = parse_gallery(gallery)?;
        attach_curves(&mut runs, curves)?;
        Ok(Article {
            gallery: runs,
            parity: parse_parity(parity)?,
        })
    }

    /// Rows of each file, in [`FILES`]' order.
    pub fn rows(&self) -> [usize; 3] {
        let curves = self.gallery.iter().map(|r| r.curve.len()).sum();
        [self.gallery.len(), curves, self.parity.len()]
    }

    /// The article's runs of `grid` (one of [`GRIDS`]) as records at their points of that
    /// built-in grid, with the settings this engine trains there. Classes are the article's
    /// rules at their default thresholds; the steps are the grid's (the article trained
    /// every run to its end); no time, accuracies or (for parity) curve were published.
    pub fn records(&self, grid: &str) -> Result<Vec<RunRecord>> {
        match grid {
            "parity-v4" => {
                let runs = Grid::builtin(grid, 1)?.runs()?;
                self.parity
                    .iter()
                    .map(|r| {
                        let spec = spec(&runs, r.index)?;
                        Ok(record(grid, spec, r.trace.clone(), None, Vec::new()))
                    })
                    .collect()
            }
            "mod-add-seeds" => {
                let runs = Grid::builtin(grid, self.gallery.len())?.runs()?;
                self.gallery
                    .iter()
                    .map(|r| {
                        let curve = r.curve.iter().map(|p| p.into()).collect();
                        let keys = Some(r.key_freqs.clone());
                        Ok(record(
                            grid,
                            spec(&runs, r.index)?,
                            r.trace.clone(),
                            keys,
                            curve,
                        ))
                    })
                    .collect()
            }
            other => Err(Error::config(format!(
                "the article has no runs of grid '{other}' (it has {})",
                GRIDS.join(" and ")
            ))),
        }
    }
}

impl From<&LossPoint> for Point {
    fn from(p: &LossPoint) -> Point {
        Point {
            step: p.step,
            train_loss: p.train_loss,
            test_loss: p.test_loss,
            train_acc: f64::NAN,
            test_acc: f64::NAN,
        }
    }
}

fn spec(runs: &super::Runs, index: usize) -> Result<RunSpec> {
    runs.get(index)
        .unwrap_or_else(|| Err(Error::config(format!("the grid has no run {index}"))))
}

fn record(
    grid: &str,
    spec: RunSpec,
    trace: Trace,
    key_freqs: Option<Vec<usize>>,
    curve: Vec<Point>,
) -> RunRecord {
    let steps = spec.config.steps;
    RunRecord {
        grid: grid.to_string(),
        run: spec.index,
        point: spec.point,
        class: classify_with(&trace, &Thresholds::default()),
        trace,
        key_freqs,
        steps,
        planned_steps: steps,
        diverged_at: None,
        elapsed_s: 0.0,
        settings: spec.config,
        shows: shown(&curve),
        curve,
    }
}

/// A row's lowest losses and largest ratio.
fn trace(row: &csv::Row<'_>) -> std::result::Result<Trace, DataError> {
    Ok(Trace {
        min_train_loss: row.amount("minTrainLoss")?,
        min_test_loss: row.amount("minEvalLoss")?,
        max_ratio: row.amount("maxRatio")?,
        ..Trace::default()
    })
}

const GALLERY_HEADER: &[&str] = &[
    "maxRatio",
    "minTrainLoss",
    "minEvalLoss",
    "modelIndex",
    "slug",
    "freqs",
    "freqs_neurons",
    "non_freqs",
];

fn parse_gallery(text: &str) -> std::result::Result<Vec<GalleryRun>, DataError> {
    let rows = csv::rows(GALLERY.name, text, GALLERY_HEADER)?;
    let mut runs: Vec<GalleryRun> = Vec::with_capacity(rows.len());
    for row in &rows {
        let index = row.whole("modelIndex")?;
        if index != runs.len() as u64 {
            return Err(row.error(
                "modelIndex",
                format!(
                    "run {index} where run {} was expected (runs are numbered 0, 1, … in order)",
                    runs.len()
                ),
            ));
        }
        let freqs = row.wholes("freqs")?;
        if let Some(v) = freqs.iter().find(|&&v| v >= FREQUENCIES) {
            return Err(row.error(
                "freqs",
                format!(
                    "frequency {v} is beyond 0 to {} (counted from 0)",
                    FREQUENCIES - 1
                ),
            ));
        }
        let neurons = row.wholes("freqs_neurons")?;
        if neurons.len() != freqs.len() {
            return Err(row.error(
                "freqs_neurons",
                format!("{} counts for {} frequencies", neurons.len(), freqs.len()),
            ));
        }
        runs.push(GalleryRun {
            index: runs.len(),
            trace: trace(row)?,
            key_freqs: freqs.iter().map(|&v| v as usize + 1).collect(),
            freq_neurons: neurons.iter().map(|&n| n as usize).collect(),
            other_neurons: row.whole("non_freqs")? as usize,
            curve: Vec::new(),
        });
    }
    if runs.is_empty() {
        return Err(DataError::file(GALLERY.name, "no runs"));
    }
    Ok(runs)
}

const CURVE_HEADER: &[&str] = &["modelIndex", "step", "train_loss", "eval_loss"];

fn attach_curves(runs: &mut [GalleryRun], text: &str) -> std::result::Result<(), DataError> {
    let count = runs.len();
    for row in csv::rows(CURVES.name, text, CURVE_HEADER)? {
        let m = row.whole("modelIndex")?;
        let run = usize::try_from(m)
            .ok()
            .and_then(|m| runs.get_mut(m))
            .ok_or_else(|| {
                row.error(
                    "modelIndex",
                    format!(
                        "run {m} is not in {} (runs 0 to {})",
                        GALLERY.name,
                        count - 1
                    ),
                )
            })?;
        let step = row.whole("step")?;
        let next = run.curve.len();
        if next == CURVE_POINTS {
            return Err(row.error(
                "step",
                format!("run {m} already has its {CURVE_POINTS} points (steps 0 to 50,000)"),
            ));
        }
        if step != next as u64 {
            return Err(row.error(
                "step",
                format!(
                    "step {step} of run {m} where {next} was expected (each run's points are \
                     steps 0, 1, … thousand, in order)"
                ),
            ));
        }
        run.curve.push(LossPoint {
            step: step * CURVE_EVERY,
            train_loss: row.amount("train_loss")?,
            test_loss: row.amount("eval_loss")?,
        });
    }
    match runs.iter().find(|r| r.curve.len() != CURVE_POINTS) {
        Some(r) => Err(DataError::file(
            CURVES.name,
            format!(
                "run {} has {} points, expected {CURVE_POINTS} (steps 0 to 50,000)",
                r.index,
                r.curve.len()
            ),
        )),
        None => Ok(()),
    }
}

const PARITY_HEADER: &[&str] = &[
    "train_size",
    "hidden_size",
    "weight_decay",
    "seed",
    "slug",
    "maxRatio",
    "minTrainLoss",
    "minEvalLoss",
];

/// The file's column for each axis of `parity-v4`.
fn parity_column(axis: &str) -> Option<&'static str> {
    match axis {
        "n_train" => Some("train_size"),
        "hidden" => Some("hidden_size"),
        "weight_decay" => Some("weight_decay"),
        "seed" => Some("seed"),
        _ => None,
    }
}

fn parse_parity(text: &str) -> std::result::Result<Vec<ParityRun>, DataError> {
    let grid =
        Grid::builtin("parity-v4", 1).map_err(|e| DataError::file(PARITY.name, e.to_string()))?;
    let total = grid
        .count()
        .map_err(|e| DataError::file(PARITY.name, e.to_string()))?;
    let mut line_of: Vec<Option<usize>> = vec![None; total];
    let mut runs = Vec::with_capacity(total);
    for row in csv::rows(PARITY.name, text, PARITY_HEADER)? {
        // The run's index in the grid: the axes' positions, the last axis varying fastest.
        let mut index = 0;
        for (axis, values) in &grid.axes {
            let column = parity_column(axis).ok_or_else(|| {
                DataError::file(
                    PARITY.name,
                    format!("no column for parity-v4's axis '{axis}'"),
                )
            })?;
            let x = row.amount(column)?;
            let at = values.iter().position(|v| v.as_f64() == Some(x));
            let Some(at) = at else {
                let list: Vec<String> = values.iter().map(|v| v.to_string()).collect();
                return Err(row.error(
                    column,
                    format!("{x} is not one of parity-v4's values ({})", list.join(", ")),
                ));
            };
            index = index * values.len() + at;
        }
        if let Some(first) = line_of[index] {
            return Err(DataError::line(
                PARITY.name,
                row.line,
                format!("the same point of the grid as line {first}"),
            ));
        }
        line_of[index] = Some(row.line);
        runs.push(ParityRun {
            index,
            n_train: row.whole("train_size")? as usize,
            hidden: row.whole("hidden_size")? as usize,
            weight_decay: row.amount("weight_decay")?,
            seed: row.whole("seed")?,
            trace: trace(&row)?,
        });
    }
    let missing = line_of.iter().filter(|l| l.is_none()).count();
    if missing > 0 {
        return Err(DataError::file(
            PARITY.name,
            format!("{missing} of parity-v4's {total} points have no run"),
        ));
    }
    runs.sort_by_key(|r| r.index);
    Ok(runs)
}
