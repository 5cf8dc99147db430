//! The text of `sweep report --against article`: a sweep's runs set beside the article's
//! runs of the same grid. Class shares, the class mix of each cell of the grid and whether
//! its majority class agrees, and for the seed gallery when the test loss fell and how many
//! key frequencies the runs ended with. Classes at the article's thresholds.

use super::band::quantile;
use super::compare::{Cells, Verdict, group, tally};
use super::{Article, CURVE_EVERY, GRIDS, counterpart};
use crate::sweep::record::{Class, RunRecord, Thresholds, classify_with};
use crate::train::{Error, Result};
use std::collections::BTreeMap;
use std::fmt::Write;

fn class(r: &RunRecord) -> Class {
    classify_with(&r.trace, &Thresholds::default())
}

/// [`tally`] at the article's thresholds.
fn count<'a>(runs: impl IntoIterator<Item = &'a RunRecord>) -> BTreeMap<Class, usize> {
    tally(runs, &Thresholds::default())
}

/// The test loss whose first crossing the gallery comparison times.
pub const TEST_LOSS_MARK: f64 = 1e-3;

/// The comparison of `records` (one sweep's output, or merged shards) with the article's
/// runs, one section per grid. A grid the article has no counterpart of, a run off the
/// article's grid, or a run trained with other settings than the article's grid uses at its
/// point is an error (the comparison would not be like for like).
pub fn report(article: &Article, records: &[RunRecord]) -> Result<String> {
    comparable(records)?;
    let mut by_grid: BTreeMap<&str, Vec<&RunRecord>> = BTreeMap::new();
    for r in records {
        by_grid.entry(r.grid.as_str()).or_default().push(r);
    }
    let mut out = String::new();
    for (grid, mine) in by_grid {
        let theirs_grid = counterpart(grid).unwrap_or(grid);
        let theirs = article.records(theirs_grid)?;
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&section(grid, theirs_grid, &theirs, &mine)?);
    }
    Ok(out)
}

/// Whether `records` can be compared with the article's runs at all: some records, every one
/// of a grid the article has a counterpart of. Checked before anything is said about them.
pub fn comparable(records: &[RunRecord]) -> Result<()> {
    if records.is_empty() {
        return Err(Error::config(
            "no sweep records to compare with the article's",
        ));
    }
    for grid in records.iter().map(|r| r.grid.as_str()) {
        if counterpart(grid).is_none() {
            return Err(Error::config(format!(
                "the article has no runs of grid '{grid}' (it has {}; parity-quick compares \
                 on its cells of parity-v4)",
                GRIDS.join(" and ")
            )));
        }
    }
    Ok(())
}

fn section(
    grid: &str,
    theirs_grid: &str,
    theirs: &[RunRecord],
    mine: &[&RunRecord],
) -> Result<String> {
    let (all_theirs, cells_mine) = group(theirs, mine.iter().copied())?;
    let theirs_here: Cells = all_theirs
        .iter()
        .filter(|(c, _)| cells_mine.contains_key(*c))
        .map(|(c, rs)| (c.clone(), rs.clone()))
        .collect();
    let runs = |cells: &Cells| cells.values().map(Vec::len).sum::<usize>();
    let mut out = format!(
        "{grid}: your {} runs against the article's {theirs_grid}",
        mine.len()
    );
    if all_theirs.len() > 1 {
        let _ = write!(
            out,
            ", on {} of its {} cells (the article's runs there: {} of {})",
            cells_mine.len(),
            all_theirs.len(),
            runs(&theirs_here),
            theirs.len()
        );
    }
    out.push_str("\n\n");
    out.push_str(&shares(&theirs_here, &all_theirs, &cells_mine));
    if all_theirs.len() > 1 {
        out.push('\n');
        out.push_str(&cell_table(&theirs_here, &cells_mine));
    }
    if theirs_grid == "mod-add-seeds" {
        out.push('\n');
        out.push_str(&gallery(theirs, mine));
    }
    Ok(out)
}

/// "count  share %" of one class.
fn share(c: &BTreeMap<Class, usize>, class: Class) -> String {
    let total: usize = c.values().sum();
    let n = c.get(&class).copied().unwrap_or(0);
    let pct = if total == 0 {
        0.0
    } else {
        100.0 * n as f64 / total as f64
    };
    format!("{n:>5} {pct:>5.1} %")
}

/// Class shares side by side: the article's runs in your cells (and in all its cells when
/// that differs), yours.
fn shares(theirs_here: &Cells, all_theirs: &Cells, mine: &Cells) -> String {
    let here = count(theirs_here.values().flatten().copied());
    let mut columns = vec![("article", here)];
    if theirs_here.len() < all_theirs.len() {
        columns[0].0 = "article, your cells";
        columns.push((
            "article, all cells",
            count(all_theirs.values().flatten().copied()),
        ));
    }
    columns.push(("yours", count(mine.values().flatten().copied())));
    let mut out = format!("{:>12}", "class");
    for (name, _) in &columns {
        let _ = write!(out, " {name:>19}");
    }
    out.push('\n');
    let _ = write!(out, "{:>12}", "runs");
    for (_, c) in &columns {
        // Under the counts of the rows below ("count share %").
        let _ = write!(out, " {:>11}        ", c.values().sum::<usize>());
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    for class in Class::ALL {
        let _ = write!(out, "{:>12}", class.name());
        for (_, c) in &columns {
            let _ = write!(out, " {:>19}", share(c, class));
        }
        out.push('\n');
    }
    out
}

/// A cell's classes as counts, most common first: "5G 3M 1x".
fn mix(c: &BTreeMap<Class, usize>) -> String {
    let mut v: Vec<(Class, usize)> = c.iter().map(|(&k, &n)| (k, n)).collect();
    v.sort_by_key(|&(k, n)| {
        (
            std::cmp::Reverse(n),
            Class::ALL.iter().position(|&x| x == k),
        )
    });
    let parts: Vec<String> = v.iter().map(|(k, n)| format!("{n}{}", k.glyph())).collect();
    parts.join(" ")
}

/// Per cell: the article's class mix, yours, and whether the majority classes agree; then
/// the share of cells that agree.
fn cell_table(theirs: &Cells, mine: &Cells) -> String {
    let axes: Vec<&str> = mine
        .keys()
        .next()
        .map(|c| c.iter().map(|(k, _)| k.as_str()).collect())
        .unwrap_or_default();
    // Each axis's column as wide as its name or widest value, and two more.
    let widths: Vec<usize> = axes
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let widest = mine
                .keys()
                .filter_map(|c| c.get(i))
                .map(|(_, v)| v.to_string().len());
            widest.max().unwrap_or(0).max(a.len()) + 2
        })
        .collect();
    let mut out = String::new();
    for (a, w) in axes.iter().zip(&widths) {
        let _ = write!(out, "{a:>w$}");
    }
    let _ = writeln!(out, "  {:<16} {:<16} majority", "article", "yours");
    let (mut agree, mut differ, mut tied) = (0, 0, 0);
    for (c, rs) in mine {
        let t = count(theirs.get(c).into_iter().flatten().copied());
        let m = count(rs.iter().copied());
        let verdict = match Verdict::of(&t, &m) {
            Verdict::Agree(a) => {
                agree += 1;
                format!("{} agree", a.glyph())
            }
            Verdict::Differ { article, yours } => {
                differ += 1;
                format!("{} ≠ {}", article.glyph(), yours.glyph())
            }
            Verdict::Tie => {
                tied += 1;
                "tie".into()
            }
        };
        for ((_, v), w) in c.iter().zip(&widths) {
            let _ = write!(out, "{:>w$}", v.to_string());
        }
        let _ = writeln!(out, "  {:<16} {:<16} {verdict}", mix(&t), mix(&m));
    }
    let decided = agree + differ;
    out.push('\n');
    if decided == 0 {
        let _ = writeln!(out, "no cell has a single majority class on both sides");
    } else {
        let _ = write!(
            out,
            "majority class agrees in {agree} of {decided} cells ({:.0} %)",
            100.0 * agree as f64 / decided as f64
        );
        if tied > 0 {
            let _ = write!(out, "; {tied} more tie on one side or both (left out)");
        }
        out.push('\n');
    }
    out.push_str("G grok  g generalize  M memorize  x fail\n");
    out
}

/// The first step at which the test loss is below [`TEST_LOSS_MARK`], rounded up to the
/// article's curve spacing (1,000 steps) so yours and the article's are read alike; `None`
/// if it never is, or the record kept no curve.
fn first_below(r: &RunRecord) -> Option<u64> {
    let step = r.curve.iter().find(|p| p.test_loss < TEST_LOSS_MARK)?.step;
    Some(step.div_ceil(CURVE_EVERY) * CURVE_EVERY)
}

/// One row of the first-crossing table.
fn crossing_row(label: &str, runs: &[&RunRecord]) -> String {
    let with: Vec<&&RunRecord> = runs.iter().filter(|r| !r.curve.is_empty()).collect();
    let mut steps: Vec<f64> = with
        .iter()
        .filter_map(|r| first_below(r))
        .map(|s| s as f64)
        .collect();
    steps.sort_by(f64::total_cmp);
    let k = |q: f64| quantile(&steps, q).map_or("—".into(), |s| format!("{:.1}k", s / 1000.0));
    let mut out = format!(
        "{label:>12} {:>6} {:>6} {:>6}",
        with.len(),
        steps.len(),
        with.len() - steps.len()
    );
    for q in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let _ = write!(out, " {:>7}", k(q));
    }
    out.push('\n');
    if with.len() < runs.len() {
        let _ = writeln!(
            out,
            "{:>12} {} runs kept no curve (recorded by an older grokscope): left out",
            "",
            runs.len() - with.len()
        );
    }
    out
}

/// How many runs ended with each number of key frequencies.
fn key_counts<'a>(runs: impl IntoIterator<Item = &'a RunRecord>) -> BTreeMap<usize, usize> {
    let mut c = BTreeMap::new();
    for r in runs {
        if let Some(k) = &r.key_freqs {
            *c.entry(k.len()).or_default() += 1;
        }
    }
    c
}

/// The seed gallery's comparison: grok share, when the test loss first fell below
/// [`TEST_LOSS_MARK`], and the number of key frequencies.
fn gallery(theirs: &[RunRecord], mine: &[&RunRecord]) -> String {
    let theirs: Vec<&RunRecord> = theirs.iter().collect();
    let groks = |rs: &[&RunRecord]| rs.iter().filter(|r| class(r) == Class::Grok).count();
    let pct = |n: usize, of: usize| 100.0 * n as f64 / of.max(1) as f64;
    let (gt, gm) = (groks(&theirs), groks(mine));
    let mut out = format!(
        "grok share: the article's {gt} of {} ({:.0} %), yours {gm} of {} ({:.0} %)\n\n",
        theirs.len(),
        pct(gt, theirs.len()),
        mine.len(),
        pct(gm, mine.len())
    );
    let _ = writeln!(
        out,
        "first step with test loss below {TEST_LOSS_MARK:e} (rounded up to 1,000 steps, the \
         article's spacing)"
    );
    let _ = writeln!(
        out,
        "{:>12} {:>6} {:>6} {:>6} {:>7} {:>7} {:>7} {:>7} {:>7}",
        "", "runs", "below", "never", "min", "q1", "median", "q3", "max"
    );
    out.push_str(&crossing_row("article", &theirs));
    out.push_str(&crossing_row("yours", mine));
    out.push('\n');
    let is_grok = |r: &&&RunRecord| class(r) == Class::Grok;
    let columns = [
        key_counts(theirs.iter().copied()),
        key_counts(theirs.iter().filter(is_grok).copied()),
        key_counts(mine.iter().copied()),
        key_counts(mine.iter().filter(is_grok).copied()),
    ];
    let _ = writeln!(
        out,
        "key frequencies per run: {:>10} {:>10} {:>10} {:>10}",
        "article", "its groks", "yours", "your groks"
    );
    let mut sizes: Vec<usize> = columns.iter().flat_map(|c| c.keys().copied()).collect();
    sizes.sort_unstable();
    sizes.dedup();
    for n in sizes {
        let _ = write!(out, "{n:>24}");
        for c in &columns {
            let _ = write!(out, " {:>10}", c.get(&n).copied().unwrap_or(0));
        }
        out.push('\n');
    }
    out.push_str(
        "(the article counts the frequencies its neurons group under, grokscope the fewest\n \
         frequencies holding 90 % of the frequency norm: alike in kind, not the same rule)\n",
    );
    out
}
