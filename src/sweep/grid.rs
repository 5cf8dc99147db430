//! Grid files: a base preset with overrides, axes to cross, and the schedule.

use crate::train::fields::Field;
use crate::train::{Config, Error, Result, presets};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A grid of runs: every combination of the axes' values applied to the base settings.
///
/// ```json
/// {"name": "parity-quick", "preset": "parity-l2",
///  "base": {"lr": 0.003, "steps": 20000},
///  "every": 100,
///  "axes": [["weight_decay", [0.01, 0.1, 1.0]], ["seed", [0, 1]]]}
/// ```
///
/// `base` and each axis name a setting of `crate::train::fields::FIELDS` by its key
/// (`weight_decay`, `hidden`, `n_train`, `seed`, `lr`, `train_frac`, ...); a setting of
/// another task (`train_frac` on parity) is an error. Axes are crossed in the order given, the last varying
/// fastest, and runs are numbered in that order.
///
/// An axis may set several settings together: its name joins their keys with `+` and each
/// value is a list of one value per key, e.g. `["decay+weight_decay", [["l2", 0.1], ["l1",
/// 1e-9]]]` (L1 and L2 decay at strengths of their own, without crossing them). A run's
/// point then holds each setting under its own key.
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
    /// Whether a run stops once its class is settled (a grok for good): the default. A
    /// search for what happens after grokking (regrok, reverse grokking) trains every step.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub stop_early: bool,
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

/// Most runs a grid may have. The article's grid has 1,125; a million runs of the quickest
/// preset take weeks on a workstation, and each run's settings are held in memory.
pub const MAX_RUNS: u64 = 1_000_000;

/// The built-in grids' names.
pub const BUILTIN: [&str; 7] = [
    "parity-v4",
    "parity-quick",
    "mod-add-seeds",
    "regrok-seeds",
    "reverse-grok-seeds",
    "parity-seeds",
    "mod-add-arch",
];

/// The settings a grid axis sets: its name's `+`-joined keys.
fn axis_keys(name: &str) -> impl Iterator<Item = &str> {
    name.split('+')
}

/// The (key, value) pairs that one value of an axis sets.
fn axis_settings<'a>(
    name: &'a str,
    value: &'a serde_json::Value,
) -> Result<Vec<(&'a str, &'a serde_json::Value)>> {
    if !name.contains('+') {
        return Ok(vec![(name, value)]);
    }
    let keys: Vec<&str> = axis_keys(name).collect();
    match value.as_array() {
        Some(vals) if vals.len() == keys.len() => Ok(keys.into_iter().zip(vals).collect()),
        _ => Err(Error::config(format!(
            "grid axis '{name}' sets {} settings: each value must be a list of {} values (got {value})",
            keys.len(),
            keys.len()
        ))),
    }
}

/// One run of a grid.
#[derive(Clone, Debug, PartialEq)]
pub struct RunSpec {
    /// Position in the grid's enumeration; stable across shards and resumes.
    pub index: usize,
    /// The axis values of this run, by axis name.
    pub point: BTreeMap<String, serde_json::Value>,
    pub config: Config,
    /// The grid's [`Grid::stop_early`].
    pub stop_early: bool,
}

/// Some runs of a grid, in grid order: built on demand from the grid ([`Grid::runs`]), or
/// listed (hand-made in tests).
#[derive(Clone, Debug, PartialEq)]
pub struct Runs(Source);

#[derive(Clone, Debug, PartialEq)]
enum Source {
    Listed(Vec<RunSpec>),
    Grid {
        grid: Arc<Grid>,
        base: Arc<Config>,
        /// Grid indices of the runs, ascending.
        indices: Vec<usize>,
    },
}

impl Default for Runs {
    fn default() -> Runs {
        Runs(Source::Listed(Vec::new()))
    }
}

impl From<Vec<RunSpec>> for Runs {
    fn from(runs: Vec<RunSpec>) -> Runs {
        Runs(Source::Listed(runs))
    }
}

impl Runs {
    pub fn len(&self) -> usize {
        match &self.0 {
            Source::Listed(v) => v.len(),
            Source::Grid { indices, .. } => indices.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The grid index of the `k`-th run.
    pub fn index(&self, k: usize) -> Option<usize> {
        match &self.0 {
            Source::Listed(v) => v.get(k).map(|r| r.index),
            Source::Grid { indices, .. } => indices.get(k).copied(),
        }
    }

    /// The grid indices, in order.
    pub fn indices(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.len()).filter_map(|k| self.index(k))
    }

    /// Whether the run of grid index `index` is among these.
    pub fn contains(&self, index: usize) -> bool {
        match &self.0 {
            Source::Listed(v) => v.iter().any(|r| r.index == index),
            Source::Grid { indices, .. } => indices.binary_search(&index).is_ok(),
        }
    }

    /// The `k`-th run. A grid's runs were all checked when it was expanded, so this fails
    /// only if building one again does (it would be the run's failure).
    pub fn get(&self, k: usize) -> Option<Result<RunSpec>> {
        match &self.0 {
            Source::Listed(v) => v.get(k).cloned().map(Ok),
            Source::Grid {
                grid,
                base,
                indices,
            } => indices.get(k).map(|&i| grid.spec(base, i)),
        }
    }

    /// The run of grid index `index`, when it is among these.
    pub fn spec_for(&self, index: usize) -> Option<Result<RunSpec>> {
        match &self.0 {
            Source::Listed(v) => v.iter().find(|r| r.index == index).cloned().map(Ok),
            Source::Grid { grid, base, .. } if self.contains(index) => Some(grid.spec(base, index)),
            Source::Grid { .. } => None,
        }
    }

    /// The runs in order, built one by one.
    pub fn iter(&self) -> impl Iterator<Item = Result<RunSpec>> + '_ {
        (0..self.len()).filter_map(|k| self.get(k))
    }

    /// The runs whose grid index passes `keep`.
    pub fn filter(&self, keep: impl Fn(usize) -> bool) -> Runs {
        Runs(match &self.0 {
            Source::Listed(v) => {
                Source::Listed(v.iter().filter(|r| keep(r.index)).cloned().collect())
            }
            Source::Grid {
                grid,
                base,
                indices,
            } => Source::Grid {
                grid: grid.clone(),
                base: base.clone(),
                indices: indices.iter().copied().filter(|&i| keep(i)).collect(),
            },
        })
    }

    /// Each axis's values as these runs' points hold them (a grid's axes, or the distinct
    /// values of the listed runs), axes by name as the points order them. A grid's are
    /// borrowed: the view asks every frame.
    pub fn axis_values(&self) -> Vec<(&str, Cow<'_, [serde_json::Value]>)> {
        match &self.0 {
            Source::Grid { grid, .. } => {
                let mut axes: Vec<(&str, Cow<'_, [serde_json::Value]>)> = Vec::new();
                for (n, v) in &grid.axes {
                    if !n.contains('+') {
                        axes.push((n.as_str(), Cow::Borrowed(v.as_slice())));
                        continue;
                    }
                    // A joint axis: each of its settings' distinct values, in order.
                    for (i, key) in axis_keys(n).enumerate() {
                        let mut vals: Vec<serde_json::Value> = Vec::new();
                        for x in v.iter().filter_map(|x| x.as_array()?.get(i)) {
                            if !vals.contains(x) {
                                vals.push(x.clone());
                            }
                        }
                        axes.push((key, Cow::Owned(vals)));
                    }
                }
                axes.sort_by(|a, b| a.0.cmp(b.0));
                axes
            }
            Source::Listed(v) => {
                let mut axes: Vec<(&str, Vec<serde_json::Value>)> = Vec::new();
                for r in v {
                    for (k, val) in &r.point {
                        match axes.iter_mut().find(|(n, _)| n == k) {
                            Some((_, vals)) if vals.contains(val) => {}
                            Some((_, vals)) => vals.push(val.clone()),
                            None => axes.push((k.as_str(), vec![val.clone()])),
                        }
                    }
                }
                axes.into_iter().map(|(n, v)| (n, Cow::Owned(v))).collect()
            }
        }
    }
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
    /// Parse a grid file's text, checking every run's settings.
    pub fn parse(text: &str) -> Result<Grid> {
        Ok(Grid::parse_runs(text)?.0)
    }

    /// Parse a grid file's text, and its runs (checked once).
    pub fn parse_runs(text: &str) -> Result<(Grid, Runs)> {
        let g: Grid = serde_json::from_str(text)
            .map_err(|e| Error::config(format!("malformed grid file: {e}")))?;
        let runs = g.runs()?;
        Ok((g, runs))
    }

    /// The number of runs (every combination of the axes), checked against `MAX_RUNS`
    /// before anything is built.
    pub fn count(&self) -> Result<usize> {
        if self.every == 0 {
            return Err(Error::config("grid 'every' must be at least 1"));
        }
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
        Ok(total as usize)
    }

    /// The preset's settings with the grid's `base` applied.
    fn base_config(&self) -> Result<Config> {
        let mut base = presets::find(&self.preset)?.config;
        for (k, v) in &self.base {
            base = apply(&base, k, v)?;
        }
        Ok(base)
    }

    /// Run `index` (the last axis varying fastest) from the base settings, validated.
    fn spec(&self, base: &Config, index: usize) -> Result<RunSpec> {
        let mut digits = vec![0; self.axes.len()];
        let mut rest = index;
        for (d, (_, values)) in digits.iter_mut().zip(&self.axes).rev() {
            *d = rest % values.len();
            rest /= values.len();
        }
        let mut point = BTreeMap::new();
        let mut config = base.clone();
        for (&d, (name, values)) in digits.iter().zip(&self.axes) {
            for (key, value) in axis_settings(name, &values[d])? {
                config = apply(&config, key, value)?;
                point.insert(key.to_string(), value.clone());
            }
        }
        config
            .validate()
            .map_err(|e| Error::config(format!("grid run {index}: {e}")))?;
        Ok(RunSpec {
            index,
            point,
            config,
            stop_early: self.stop_early,
        })
    }

    /// The grid's runs, every one checked (one at a time, none kept), built again when
    /// asked for: a grid of a million runs costs its indices, not a million configs.
    pub fn runs(&self) -> Result<Runs> {
        let total = self.count()?;
        let base = self.base_config()?;
        for i in 0..total {
            self.spec(&base, i)?;
        }
        Ok(Runs(Source::Grid {
            grid: Arc::new(self.clone()),
            base: Arc::new(base),
            indices: (0..total).collect(),
        }))
    }

    /// Every run of the grid, validated, built (for small grids and tests).
    pub fn expand(&self) -> Result<Vec<RunSpec>> {
        self.runs()?.iter().collect()
    }

    /// The built-in grids: `parity-v4` (the article's 1,125 runs), `parity-quick`,
    /// `mod-add-seeds` (the main model over `seeds` seeds), `mod-add-arch` (the architecture
    /// sweep, see `mod_add_arch`), and the seed searches
    /// `regrok-seeds`, `reverse-grok-seeds` and `parity-seeds` (`seeds` seeds of that preset,
    /// trained to the end).
    pub fn builtin(name: &str, seeds: usize) -> Result<Grid> {
        let nums = |xs: &[f64]| xs.iter().map(|&x| serde_json::json!(x)).collect::<Vec<_>>();
        let ints = |xs: &[usize]| xs.iter().map(|&x| serde_json::json!(x)).collect::<Vec<_>>();
        // The article's sweep (docs/article-numbers.md, the sweep): 30 bits, parity of 3, test
        // set 5,000, AdamW lr 3e-3, β (0.99, 0.98), decoupled L2, 20,000 steps, metrics every 100.
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
                stop_early: true,
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
                    stop_early: true,
                })
            }
            "mod-add-seeds" => Ok(Grid {
                name: name.into(),
                preset: "mod-add".into(),
                base: BTreeMap::new(),
                every: 100,
                axes: vec![("seed".into(), ints(&(0..seeds).collect::<Vec<_>>()))],
                // Every run to step 50,000, as the article's gallery: its curves span the
                // whole chart and its key frequencies are read from the final weights, so
                // they compare with the article's (a grok settled at step 12,000 still has
                // frequencies that later fade).
                stop_early: false,
            }),
            // The seed searches behind the presets named for a phenomenon: the preset's
            // values, `seeds` seeds, every step trained (the phenomena come after grokking),
            // each record saying which phenomena its curve shows (sweep::Phenomenon).
            "regrok-seeds" | "reverse-grok-seeds" | "parity-seeds" => Ok(Grid {
                name: name.into(),
                preset: name.trim_end_matches("-seeds").into(),
                base: BTreeMap::new(),
                every: 100,
                axes: vec![("seed".into(), ints(&(0..seeds).collect::<Vec<_>>()))],
                stop_early: false,
            }),
            "mod-add-arch" => Ok(mod_add_arch()),
            other => Err(Error::config(format!(
                "unknown grid '{other}' (built-in: {})",
                BUILTIN.join(", ")
            ))),
        }
    }
}

/// The article's architecture sweep (its "Which Model Constraints Work Best?"), sized for
/// this machine: mod-add's task and model (P 67, 40 % of the symmetric pairs, hidden 24,
/// AdamW β (0.9, 0.98)) under each of the eight architectures of [`Arch::SWEEP`] (embedding
/// tied/untied × in-proj tied/untied/collapsed × out-proj factored/collapsed: the real
/// models among those twelve combinations), L1 and L2 decay each at two strengths of its
/// own, two of the article's rates and embed sizes, 9 seeds per cell, stopping early once a
/// run groks. 9 × 3 × 4 × 8 = 864 runs.
///
/// Steps per run are fewer than mod-add's 50,000 where the classes are decided sooner,
/// measured: at lr 1e-2 the factored model generalizes by step 600 (embed 32, L2 1), so
/// 4,000 steps; at lr 1e-3 embed 32 reaches 99 % test accuracy at 7,700–9,000 steps (L1
/// 1e-7, L2 1) with test loss still 1e-4 at 10,000, so 20,000. Embed 128 at lr 1e-3 is left
/// out: its test loss is still 0.02–0.06 at 10,000 steps (grokking would need tens of
/// thousands more, beyond this machine's hour), so embed 128 runs at lr 1e-2 only; lr 1e-4
/// (slower still) and the other strengths are left out alike.
///
/// Sizing (measured as user time of `sweep --grid-file` runs of one architecture each, on
/// this project's 2-core machine, release build): a 4,000-step run at lr 1e-2 costs about
/// 0.08 ms of CPU per step for the fused models at embed 32 and 128, evaluations every 100
/// steps and the process's start included, and about 0.11 ms (1.3×) for the untied
/// in-projs, which take the whole-batch step. Only groks stop early, so count every run at
/// its cap: 576 runs × 4,000 + 288 × 20,000 = 8.1 M steps, about 700 CPU-s: some 6 minutes
/// on two jobs on an idle machine (longer on a shared one).
///
/// Axes run seed slowest and architecture fastest, so a sweep cut short (or one shard of
/// it) has covered every architecture and setting for its first seeds.
///
/// [`Arch::SWEEP`]: crate::train::Arch::SWEEP
fn mod_add_arch() -> Grid {
    use serde_json::json;
    let archs = crate::train::Arch::SWEEP
        .iter()
        .map(|a| json!(a.name()))
        .collect();
    Grid {
        name: "mod-add-arch".into(),
        preset: "mod-add".into(),
        base: BTreeMap::new(),
        every: 100,
        axes: vec![
            ("seed".into(), (0..9).map(|s| json!(s)).collect()),
            (
                "lr+steps+embed".into(),
                vec![
                    json!([1e-2, 4_000, 32]),
                    json!([1e-2, 4_000, 128]),
                    json!([1e-3, 20_000, 32]),
                ],
            ),
            (
                "decay+weight_decay".into(),
                vec![
                    json!(["l2", 1.0]),
                    json!(["l2", 0.1]),
                    json!(["l1", 1e-7]),
                    json!(["l1", 1e-9]),
                ],
            ),
            ("arch".into(), archs),
        ],
        stop_early: true,
    }
}
