//! Text summaries of a sweep: class counts along each axis, and the phase diagram.

use super::record::{Class, RunRecord};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Axis values sort numerically when they are numbers.
fn key(v: &serde_json::Value) -> (f64, String) {
    (v.as_f64().unwrap_or(f64::NAN), v.to_string())
}

fn sorted_values(records: &[RunRecord], axis: &str) -> Vec<serde_json::Value> {
    let mut vals: Vec<serde_json::Value> = Vec::new();
    for r in records {
        if let Some(v) = r.point.get(axis).filter(|v| !vals.contains(v)) {
            vals.push(v.clone());
        }
    }
    vals.sort_by(|a, b| {
        let (ka, kb) = (key(a), key(b));
        ka.0.total_cmp(&kb.0).then(ka.1.cmp(&kb.1))
    });
    vals
}

fn axes(records: &[RunRecord]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for r in records {
        for k in r.point.keys() {
            if !names.contains(k) {
                names.push(k.clone());
            }
        }
    }
    names
}

/// Counts per class: overall, then along each axis.
pub fn summary_table(records: &[RunRecord]) -> String {
    let mut out = String::new();
    let count = |rs: &mut dyn Iterator<Item = &RunRecord>| {
        let mut c: BTreeMap<Class, usize> = BTreeMap::new();
        for r in rs {
            *c.entry(r.class).or_default() += 1;
        }
        c
    };
    let row = |out: &mut String, label: &str, c: &BTreeMap<Class, usize>| {
        let total: usize = c.values().sum();
        let _ = write!(out, "{label:>14} {total:>6}");
        for class in Class::ALL {
            let _ = write!(out, " {:>10}", c.get(&class).copied().unwrap_or(0));
        }
        out.push('\n');
    };
    let header = |out: &mut String, title: &str| {
        let _ = write!(out, "{title:>14} {:>6}", "runs");
        for class in Class::ALL {
            let _ = write!(out, " {:>10}", class.name());
        }
        out.push('\n');
    };
    header(&mut out, "all");
    row(&mut out, "", &count(&mut records.iter()));
    for axis in axes(records) {
        out.push('\n');
        header(&mut out, &axis);
        for v in sorted_values(records, &axis) {
            let c = count(&mut records.iter().filter(|r| r.point.get(&axis) == Some(&v)));
            row(&mut out, &v.to_string(), &c);
        }
    }
    out
}

/// The article's chart as text: for each hidden size, weight decay down, training-set size
/// across; each cell lists its runs' classes (G grok, g generalize, M memorize, x fail),
/// most common first. Needs the axes `weight_decay` and `n_train` (or `train_frac`);
/// otherwise returns None.
pub fn phase_diagrams(records: &[RunRecord]) -> Option<String> {
    let names = axes(records);
    let size_axis = ["n_train", "train_frac"]
        .into_iter()
        .find(|a| names.iter().any(|n| n == a))?;
    if !names.iter().any(|n| n == "weight_decay") {
        return None;
    }
    let decays = sorted_values(records, "weight_decay");
    let sizes = sorted_values(records, size_axis);
    let panels: Vec<Option<serde_json::Value>> = if names.iter().any(|n| n == "hidden") {
        sorted_values(records, "hidden")
            .into_iter()
            .map(Some)
            .collect()
    } else {
        vec![None]
    };
    let cell = |p: &Option<serde_json::Value>, d: &serde_json::Value, s: &serde_json::Value| {
        cell_glyphs(records, size_axis, p, d, s)
    };
    let mut width = 5;
    for p in &panels {
        for d in &decays {
            for s in &sizes {
                width = width.max(cell(p, d, s).chars().count());
            }
        }
    }
    let mut out = String::from("G grok  g generalize  M memorize  x fail\n");
    for p in &panels {
        out.push('\n');
        if let Some(h) = p {
            let _ = writeln!(out, "hidden {h}");
        }
        let _ = write!(
            out,
            "{:>12} │",
            format!(
                "wd \\ {}",
                if size_axis == "n_train" {
                    "train"
                } else {
                    "frac"
                }
            )
        );
        for s in &sizes {
            let _ = write!(out, " {:^w$}", s.to_string(), w = width);
        }
        out.push('\n');
        for d in &decays {
            let _ = write!(out, "{:>12} │", d.to_string());
            for s in &sizes {
                let cell = cell(p, d, s);
                let cell = if cell.is_empty() {
                    "·".to_string()
                } else {
                    cell
                };
                let _ = write!(out, " {cell:<width$}");
            }
            out.push('\n');
        }
    }
    Some(out)
}

/// The classes of one cell of the phase diagram (hidden size `p` where the grid has that
/// axis, weight decay `d`, training-set size `s`) as glyphs, most common first.
fn cell_glyphs(
    records: &[RunRecord],
    size_axis: &str,
    p: &Option<serde_json::Value>,
    d: &serde_json::Value,
    s: &serde_json::Value,
) -> String {
    let mut classes: Vec<Class> = records
        .iter()
        .filter(|r| {
            r.point.get("weight_decay") == Some(d)
                && r.point.get(size_axis) == Some(s)
                && p.as_ref().is_none_or(|h| r.point.get("hidden") == Some(h))
        })
        .map(|r| r.class)
        .collect();
    let freq = |c: Class| classes.iter().filter(|&&x| x == c).count();
    let mut order = Class::ALL.to_vec();
    order.sort_by_key(|&c| std::cmp::Reverse(freq(c)));
    classes.sort_by_key(|c| order.iter().position(|o| o == c));
    classes.iter().map(|c| c.glyph()).collect::<String>()
}

/// The seed gallery of a modular sweep: grok step and key frequencies per run.
pub fn seed_gallery(records: &[RunRecord]) -> Option<String> {
    if records.iter().all(|r| r.key_freqs.is_none()) {
        return None;
    }
    let mut rs: Vec<&RunRecord> = records.iter().collect();
    rs.sort_by_key(|r| r.run);
    let mut out = format!(
        "{:>6} {:>10} {:>12}  key frequencies\n",
        "run", "class", "test 99% at"
    );
    for r in rs {
        let at = r
            .trace
            .test_acc_99
            .map_or("—".to_string(), |s| s.to_string());
        let keys = r
            .key_freqs
            .as_ref()
            .map(|k| k.iter().map(usize::to_string).collect::<Vec<_>>().join(" "))
            .unwrap_or_default();
        let seed = r
            .point
            .get("seed")
            .map_or(String::new(), |s| format!(" (seed {s})"));
        let _ = writeln!(
            out,
            "{:>6} {:>10} {at:>12}  {keys}{seed}",
            r.run,
            r.class.name()
        );
    }
    Some(out)
}

/// How many runs show each phenomenon, with their seeds (runs without a kept curve, from
/// older records, are left out of the count and said so); `None` when no record has one.
pub fn phenomena(records: &[RunRecord]) -> Option<String> {
    let with: Vec<&RunRecord> = records.iter().filter(|r| !r.curve.is_empty()).collect();
    if with.is_empty() {
        return None;
    }
    let mut out = String::new();
    for p in super::Phenomenon::ALL {
        let mut showing: Vec<&RunRecord> = with
            .iter()
            .copied()
            .filter(|r| r.shows.contains(&p))
            .collect();
        showing.sort_by_key(|r| r.run);
        let which: Vec<String> = showing
            .iter()
            .map(|r| match r.point.get("seed") {
                Some(s) => format!("seed {s}"),
                None => format!("run {}", r.run),
            })
            .collect();
        let _ = write!(
            out,
            "{:>16} {:>6} of {} runs",
            p.name(),
            showing.len(),
            with.len()
        );
        if !which.is_empty() {
            let _ = write!(out, ": {}", which.join(", "));
        }
        out.push('\n');
    }
    if with.len() < records.len() {
        let _ = writeln!(
            out,
            "{:>16} {} runs kept no curve (recorded by an older grokscope)",
            "",
            records.len() - with.len()
        );
    }
    Some(out)
}

/// The architecture sweep's class counts: one row per architecture and decay (the
/// article's bars as numbers), architectures in [`Arch::SWEEP`](crate::train::Arch::SWEEP)'s order; `None` when no
/// record varies the architecture.
pub fn arch_table(records: &[RunRecord]) -> Option<String> {
    use crate::train::{Arch, Decay};
    if !records.iter().any(|r| r.point.contains_key("arch")) {
        return None;
    }
    let mut out = format!("{:>24} {:>5} {:>6}", "architecture", "decay", "runs");
    for class in Class::ALL {
        let _ = write!(out, " {:>10}", class.name());
    }
    out.push('\n');
    let mut archs: Vec<Arch> = Arch::SWEEP.to_vec();
    for r in records {
        if !archs.contains(&r.settings.arch) {
            archs.push(r.settings.arch);
        }
    }
    for arch in archs {
        for decay in [Decay::L1, Decay::L2] {
            let mut c: BTreeMap<Class, usize> = BTreeMap::new();
            let of = records
                .iter()
                .filter(|r| r.settings.arch == arch && r.settings.decay == decay);
            for r in of {
                *c.entry(r.class).or_default() += 1;
            }
            let total: usize = c.values().sum();
            if total == 0 {
                continue;
            }
            let _ = write!(out, "{:>24} {:>5} {total:>6}", arch.name(), decay.name());
            for class in Class::ALL {
                let _ = write!(out, " {:>10}", c.get(&class).copied().unwrap_or(0));
            }
            out.push('\n');
        }
    }
    Some(out)
}
