//! Grid files: a base preset with overrides, axes to cross, and the schedule.

use crate::train::config::Field;
use crate::train::{Config, Error, Result, presets};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A grid of runs: every combination of the axes' values applied to the base settings.
///
/// ```json
/// {"name": "parity-quick", "preset": "parity-l2",
///  "base": {"lr": 0.003, "steps": 20000},
///  "every": 100,
///  "axes": [["weight_decay", [0.01, 0.1, 1.0]], ["seed", [0, 1]]]}
/// ```
///
/// `base` and each axis name a setting of [`crate::train::config::FIELDS`] by its key
/// (`weight_decay`, `hidden`, `n_train`, `seed`, `lr`, `train_frac`, ...); a setting of
/// another task (`train_frac` on parity) is an error. Axes are crossed in the order given, the last varying
/// fastest, and runs are numbered in that order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grid {
    pub name: String,
    pub preset: String,
    #[serde(default)]
    pub base: BTreeMap<String, serde_json::Value>,
    /// Metrics interval in steps.
    pub every: u64,
    pub axes: Vec<(String, Vec<serde_json::Value>)>,
}

/// Most runs a grid may have. The article's grid has 1,125; a million runs of the quickest
/// preset take weeks on a workstation, and each run's settings are held in memory.
pub const MAX_RUNS: u64 = 1_000_000;

/// One run of a grid.
#[derive(Clone, Debug, PartialEq)]
pub struct RunSpec {
    /// Position in the grid's enumeration; stable across shards and resumes.
    pub index: usize,
    /// The axis values of this run, by axis name.
    pub point: BTreeMap<String, serde_json::Value>,
    pub config: Config,
}

/// `i/n`: every n-th run starting at run i.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl std::str::FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let bad = || format!("shard must look like i/n with 0 <= i < n (got '{s}')");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let index: usize = i.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl Shard {
    pub fn takes(&self, run: usize) -> bool {
        run % self.count == self.index
    }
}

/// `cfg` with one setting of the grid changed, through the settings table the command line
/// and the dashboard use.
fn apply(cfg: &Config, key: &str, value: &serde_json::Value) -> Result<Config> {
    let field = Field::by_key(key)
        .ok_or_else(|| Error::config(format!("grid names an unknown setting '{key}'")))?;
    let name = format!("grid setting '{key}'");
    let v = field
        .parse_json(value)
        .map_err(|e| Error::config(format!("{name} {e}")))?;
    let mut next = cfg.clone();
    field.set(&mut next, v, &name)?;
    Ok(next)
}

impl Grid {
    /// Parse a grid file's text.
    pub fn parse(text: &str) -> Result<Grid> {
        let g: Grid = serde_json::from_str(text)
            .map_err(|e| Error::config(format!("malformed grid file: {e}")))?;
        g.expand()?;
        Ok(g)
    }

    /// Every run of the grid, validated.
    pub fn expand(&self) -> Result<Vec<RunSpec>> {
        if self.every == 0 {
            return Err(Error::config("grid 'every' must be at least 1"));
        }
        let mut base = presets::find(&self.preset)?.config;
        for (k, v) in &self.base {
            base = apply(&base, k, v)?;
        }
        // Count before building anything: a grid is every combination of its axes.
        let mut total: u64 = 1;
        for (name, values) in &self.axes {
            if values.is_empty() {
                return Err(Error::config(format!("grid axis '{name}' has no values")));
            }
            total = total.saturating_mul(values.len() as u64);
        }
        if total > MAX_RUNS {
            return Err(Error::config(format!(
                "grid has {total} runs (limit {MAX_RUNS}); use fewer axis values"
            )));
        }
        let mut runs = vec![(BTreeMap::new(), base)];
        for (name, values) in &self.axes {
            let mut next = Vec::with_capacity(runs.len() * values.len());
            for (point, cfg) in &runs {
                for v in values {
                    let mut p = point.clone();
                    p.insert(name.clone(), v.clone());
                    next.push((p, apply(cfg, name, v)?));
                }
            }
            runs = next;
        }
        runs.into_iter()
            .enumerate()
            .map(|(index, (point, config))| {
                config
                    .validate()
                    .map_err(|e| Error::config(format!("grid run {index}: {e}")))?;
                Ok(RunSpec {
                    index,
                    point,
                    config,
                })
            })
            .collect()
    }

    /// The built-in grids: `parity-v4` (the article's 1,125 runs), `parity-quick`, and
    /// `mod-add-seeds` (the main model over `seeds` seeds).
    pub fn builtin(name: &str, seeds: usize) -> Result<Grid> {
        let nums = |xs: &[f64]| xs.iter().map(|&x| serde_json::json!(x)).collect::<Vec<_>>();
        let ints = |xs: &[usize]| xs.iter().map(|&x| serde_json::json!(x)).collect::<Vec<_>>();
        // SPEC §4: 30 bits, parity of 3, test set 5,000, AdamW lr 3e-3, β (0.99, 0.98),
        // decoupled L2, 20,000 steps, metrics every 100.
        let parity_base: BTreeMap<String, serde_json::Value> = [
            ("n_bits", serde_json::json!(30)),
            ("k_bits", serde_json::json!(3)),
            ("n_test", serde_json::json!(5000)),
            ("lr", serde_json::json!(3e-3)),
            ("beta1", serde_json::json!(0.99)),
            ("beta2", serde_json::json!(0.98)),
            ("decay", serde_json::json!("l2")),
            ("steps", serde_json::json!(20_000)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        match name {
            "parity-v4" => Ok(Grid {
                name: name.into(),
                preset: "parity-l2".into(),
                base: parity_base,
                every: 100,
                axes: vec![
                    ("weight_decay".into(), nums(&[0.01, 0.03, 0.1, 0.3, 1.0])),
                    ("hidden".into(), ints(&[16, 32, 64, 128, 258])),
                    ("n_train".into(), ints(&[750, 1000, 1250, 1500, 1750])),
                    ("seed".into(), ints(&(0..9).collect::<Vec<_>>())),
                ],
            }),
            "parity-quick" => {
                // The same axes, fewer points: 18 runs of 20,000 steps, 26–36 s with
                // `--jobs 2` on two cores.
                let base = parity_base;
                Ok(Grid {
                    name: name.into(),
                    preset: "parity-l2".into(),
                    base,
                    every: 100,
                    axes: vec![
                        ("weight_decay".into(), nums(&[0.01, 0.1, 1.0])),
                        ("hidden".into(), ints(&[32])),
                        ("n_train".into(), ints(&[750, 1250, 1750])),
                        ("seed".into(), ints(&[0, 1])),
                    ],
                })
            }
            "mod-add-seeds" => Ok(Grid {
                name: name.into(),
                preset: "mod-add".into(),
                base: BTreeMap::new(),
                every: 100,
                axes: vec![("seed".into(), ints(&(0..seeds).collect::<Vec<_>>()))],
            }),
            other => Err(Error::config(format!(
                "unknown grid '{other}' (built-in: parity-v4, parity-quick, mod-add-seeds)"
            ))),
        }
    }
}
