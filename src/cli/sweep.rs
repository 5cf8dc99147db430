//! `grokscope sweep`: a grid of runs on all cores, one JSON line per finished run, the
//! class counts and phase diagram at the end; `grokscope sweep report FILE...` merges
//! (shard) outputs and prints the tables.

use super::Failure;

use crate::sweep::{Grid, RunRecord, Shard, phase_diagrams, run_one, seed_gallery, summary_table};
use crate::train::Threads;
use clap::{Args, Subcommand};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SweepArgs {
    #[command(subcommand)]
    pub action: Option<SweepAction>,
    /// Built-in grid: parity-v4, parity-quick or mod-add-seeds
    #[arg(long, value_name = "NAME")]
    pub grid: Option<String>,
    /// A grid file (JSON; see the README)
    #[arg(long, value_name = "FILE", conflicts_with = "grid")]
    pub grid_file: Option<PathBuf>,
    /// Seeds of mod-add-seeds
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub seeds: usize,
    /// Runs in parallel [default: all cores]
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Take every n-th run starting at run i (a cluster array job's share)
    #[arg(long, value_name = "i/n")]
    pub shard: Option<Shard>,
    /// JSON-lines file of finished runs; rerunning with the same file skips them
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum SweepAction {
    /// Merge sweep outputs (shards) and print the class counts and phase diagram
    Report {
        /// JSON-lines files written by `grokscope sweep --out`
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

/// Records of a sweep output file; a line that is not a record is an error naming it.
pub fn read_records(path: &Path) -> Result<Vec<RunRecord>, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str::<RunRecord>(l).map_err(|e| {
                Failure::usage(format!(
                    "{}:{}: not a sweep record ({e})",
                    path.display(),
                    i + 1
                ))
            })
        })
        .collect()
}

/// Records keyed by (grid, run); a run recorded twice with different classes is an error.
fn merge(records: Vec<RunRecord>) -> Result<Vec<RunRecord>, Failure> {
    let mut by_run: BTreeMap<(String, usize), RunRecord> = BTreeMap::new();
    for r in records {
        let key = (r.grid.clone(), r.run);
        match by_run.get(&key) {
            Some(prev) if prev.class != r.class => {
                return Err(Failure::usage(format!(
                    "run {} of grid {} is recorded twice with different classes ({} and {})",
                    r.run,
                    r.grid,
                    prev.class.name(),
                    r.class.name()
                )));
            }
            Some(_) => {}
            None => {
                by_run.insert(key, r);
            }
        }
    }
    Ok(by_run.into_values().collect())
}

/// The tables of a set of records.
pub fn report_text(records: &[RunRecord]) -> String {
    let mut out = summary_table(records);
    if let Some(p) = phase_diagrams(records) {
        out.push('\n');
        out.push_str(&p);
    }
    if let Some(g) = seed_gallery(records) {
        out.push('\n');
        out.push_str(&g);
    }
    out
}

pub fn run(args: SweepArgs) -> Result<(), Failure> {
    if let Some(SweepAction::Report { files }) = args.action {
        let mut all = Vec::new();
        for f in &files {
            all.extend(read_records(f)?);
        }
        print!("{}", report_text(&merge(all)?));
        return Ok(());
    }
    let grid = match (&args.grid, &args.grid_file) {
        (Some(name), None) => Grid::builtin(name, args.seeds)?,
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?;
            Grid::parse(&text).map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?
        }
        _ => {
            return Err(Failure::usage(
                "sweep needs --grid NAME or --grid-file FILE",
            ));
        }
    };
    if args.seeds == 0 {
        return Err(Failure::usage("--seeds must be at least 1"));
    }
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    if jobs == 0 {
        return Err(Failure::usage("--jobs must be at least 1"));
    }
    let shard = args.shard.unwrap_or(Shard::all());
    let runs = grid.expand()?;
    let mut done: Vec<RunRecord> = match &args.out {
        Some(p) if p.exists() => read_records(p)?
            .into_iter()
            .filter(|r| r.grid == grid.name)
            .collect(),
        _ => Vec::new(),
    };
    let recorded: std::collections::HashSet<usize> = done.iter().map(|r| r.run).collect();
    let todo: Vec<_> = runs
        .into_iter()
        .filter(|r| shard.takes(r.index) && !recorded.contains(&r.index))
        .collect();
    let mut file = match &args.out {
        Some(p) => Some(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(p)
                .map_err(|e| Failure::usage(format!("{}: {e}", p.display())))?,
        ),
        None => None,
    };
    let bar = super::progress_bar(
        todo.len() as u64,
        0,
        "{bar:40} {pos}/{len} runs  {elapsed} elapsed, eta {eta}  {msg}",
    );
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::channel();
    let every = grid.every;
    let mut failure = None;
    std::thread::scope(|scope| {
        for _ in 0..jobs.min(todo.len()) {
            let tx = tx.clone();
            let (next, todo, name) = (&next, &todo, &grid.name);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(spec) = todo.get(i) else { break };
                    if tx.send(run_one(name, spec, every, Threads(1))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let stdout = std::io::stdout();
        for result in rx {
            let record = match result {
                Ok(r) => r,
                Err(e) => {
                    failure.get_or_insert(Failure::usage(e));
                    next.store(todo.len(), Ordering::Relaxed);
                    continue;
                }
            };
            let line = serde_json::to_string(&record).expect("records serialise");
            if let Some(f) = file.as_mut() {
                // One write per line, so a killed sweep leaves whole lines behind.
                if let Err(e) = f.write_all(format!("{line}\n").as_bytes()) {
                    failure
                        .get_or_insert(Failure::failed(format!("writing the sweep output: {e}")));
                    next.store(todo.len(), Ordering::Relaxed);
                }
            }
            let _ = writeln!(stdout.lock(), "{line}");
            bar.set_message(format!("last: {}", record.class.name()));
            bar.inc(1);
            done.push(record);
        }
    });
    bar.finish_and_clear();
    if let Some(f) = failure {
        return Err(f);
    }
    eprint!("{}", report_text(&merge(done)?));
    Ok(())
}
