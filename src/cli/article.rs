//! `grokscope article`: the article's runs this binary ships (what, from where, under which
//! licence, how many), and `sweep report --against article` ([`against`]).

use super::Failure;
use crate::sweep::article::{self, Article};
use crate::sweep::{Class, RunRecord, Thresholds, classify_with};
use crate::ui::thousands;
use clap::Args;
use std::collections::BTreeMap;
use std::fmt::Write;

#[derive(Args, Debug)]
pub struct ArticleArgs {}

/// The shipped data, read and checked. Damaged data is the build's fault, not the user's
/// input: status 1.
fn shipped() -> Result<&'static Article, Failure> {
    Article::shipped().map_err(|e| Failure::failed(format!("the shipped article data: {e}")))
}

pub fn run(_args: ArticleArgs) -> Result<(), Failure> {
    super::print_out(&describe(shipped()?)?)
}

/// `sweep report --against article`: `records` (merged) beside the article's runs.
pub fn against(records: &[RunRecord]) -> Result<(), Failure> {
    super::print_out(&article::report(shipped()?, records)?)
}

/// An axis's values, numbers ascending; a long run of whole numbers as "first … last".
fn axis_text(values: &[serde_json::Value]) -> String {
    let mut v: Vec<&serde_json::Value> = values.iter().collect();
    v.sort_by(|a, b| {
        let (x, y) = (
            a.as_f64().unwrap_or(f64::NAN),
            b.as_f64().unwrap_or(f64::NAN),
        );
        x.total_cmp(&y)
    });
    v.dedup();
    let wholes: Option<Vec<u64>> = v.iter().map(|x| x.as_u64()).collect();
    match wholes {
        Some(w) if w.len() > 5 && w.windows(2).all(|p| p[1] == p[0] + 1) => {
            format!("{} … {} ({} values)", w[0], w[w.len() - 1], w.len())
        }
        _ => {
            let parts: Vec<String> = v
                .iter()
                .map(|x| match x.as_f64() {
                    Some(f) => format!("{f}"),
                    None => x.to_string(),
                })
                .collect();
            parts.join(" ")
        }
    }
}

/// One grid's lines: runs, axes, classes.
fn grid_lines(out: &mut String, grid: &str, records: &[RunRecord]) {
    let mut axes: BTreeMap<&str, Vec<serde_json::Value>> = BTreeMap::new();
    for r in records {
        for (k, v) in &r.point {
            axes.entry(k.as_str()).or_default().push(v.clone());
        }
    }
    let _ = writeln!(out, "  {grid:<14} {} runs", thousands(records.len() as u64));
    for (k, v) in &axes {
        let _ = writeln!(out, "  {:<14}   {k}: {}", "", axis_text(v));
    }
    let mut classes: BTreeMap<Class, usize> = BTreeMap::new();
    for r in records {
        *classes
            .entry(classify_with(&r.trace, &Thresholds::default()))
            .or_default() += 1;
    }
    let counts: Vec<String> = Class::ALL
        .iter()
        .filter_map(|c| classes.get(c).map(|n| format!("{n} {}", c.name())))
        .collect();
    let _ = writeln!(out, "  {:<14}   classes: {}", "", counts.join(", "));
}

fn describe(a: &Article) -> Result<String, Failure> {
    let mut out = String::from(
        "The article's published runs, compiled into this binary: \"Do Machine Learning \
         Models\nMemorize or Generalize?\" (Google PAIR, 2023). The files are unmodified \
         copies;\ndata/README.md in the source says what each column means.\n\n",
    );
    let _ = writeln!(out, "source    {}", article::SOURCE);
    let _ = writeln!(out, "          commit {}", article::COMMIT);
    let _ = writeln!(out, "          {}", article::COPYRIGHT);
    let _ = writeln!(out, "licence   {}", article::LICENCE);
    let _ = writeln!(out, "\nfiles");
    let width = article::FILES
        .iter()
        .map(|f| f.name.len())
        .max()
        .unwrap_or(0);
    for (f, rows) in article::FILES.iter().zip(a.rows()) {
        let rows = format!("{} rows", thousands(rows as u64));
        let _ = writeln!(out, "  {:<width$}  {rows:>11}", f.name);
        let _ = writeln!(out, "      {}", f.holds);
    }
    let _ = writeln!(
        out,
        "\ngrids (classes at fit loss 1e-5 and grok ratio 5e4; the seeds are labels: the \
         article\nseeded its runs with JAX keys, which this engine does not replay)"
    );
    for grid in article::GRIDS {
        grid_lines(&mut out, grid, &a.records(grid)?);
    }
    let _ = writeln!(
        out,
        "\nCompare a sweep of yours: grokscope sweep report --against article FILE..."
    );
    Ok(out)
}
