//! `grokscope sweep`: a grid of runs on all cores, one JSON line per finished run, the
//! class counts and phase diagram at the end; `grokscope sweep report FILE...` merges
//! (shard) outputs and prints the tables.

use super::Failure;
use super::slurm::{self, ShardArg};
use crate::train::files::show;

use crate::sweep::{
    Event, Grid, Pool, Progress, RunRecord, Runs, arch_table, phase_diagrams, phenomena,
    seed_gallery, summary_table,
};
use clap::{Args, Subcommand};
use std::fs::File;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SweepArgs {
    #[command(subcommand)]
    pub action: Option<SweepAction>,
    /// Built-in grid: parity-v4, parity-quick, mod-add-seeds, mod-add-arch (the architecture sweep), or a preset's seed search: regrok-seeds, reverse-grok-seeds, parity-seeds
    #[arg(long, value_name = "NAME")]
    pub grid: Option<String>,
    /// A grid file, JSON: {"name": NAME, "preset": PRESET, "every": N (metrics interval,
    /// required), "base": {SETTING: VALUE, ...}, "axes": [[SETTING, [VALUE, ...]], ...]};
    /// settings as `grokscope presets --json` names them (and "arch"), an axis "a+b" sets
    /// two at once ([[A, B], ...]), "stop_early": false trains every run to its end
    #[arg(long, value_name = "FILE", conflicts_with = "grid")]
    pub grid_file: Option<PathBuf>,
    /// Seeds of mod-add-seeds and the seed searches (1..=100000)
    #[arg(
        long,
        value_name = "N",
        default_value = "20",
        allow_hyphen_values = true
    )]
    pub seeds: String,
    /// Runs in parallel [default: all cores; with --slurm, each task's runs and CPUs,
    /// default 1]
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Take every n-th run starting at run i; `slurm`: the share of this Slurm array task
    /// (from SLURM_ARRAY_TASK_ID, _MIN and _COUNT)
    #[arg(long, value_name = "i/n|slurm")]
    pub shard: Option<ShardArg>,
    /// Write a Slurm array job of N tasks into the --out directory (sweep.sbatch; one shard
    /// and one output file per task), print how to submit it and the command that merges
    /// the outputs; trains nothing
    #[arg(long, value_name = "N", requires = "out", conflicts_with_all = ["shard", "watch"])]
    pub slurm: Option<usize>,
    /// JSON-lines file of finished runs; rerunning with the same file skips them (with
    /// --slurm: the job's directory)
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Show the phase diagram filling in live (full screen) instead of the progress bar,
    /// when stdout is a terminal; the tables print when it closes (q), the runs' JSON lines
    /// go to --out (not onto the terminal the view drew on)
    #[arg(long)]
    pub watch: bool,
}

#[derive(Subcommand, Debug)]
pub enum SweepAction {
    /// Merge sweep outputs (shards) and print the class counts and phase diagram
    Report {
        /// JSON-lines files written by `grokscope sweep --out`
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Compare with the article's runs of the same grid (parity-v4, its cells in
        /// parity-quick, mod-add-seeds) instead of printing the tables
        #[arg(long, value_name = "article", value_parser = ["article"])]
        against: Option<String>,
    },
}

/// Largest sweep output read: about a kilobyte per run, so room for some 250,000 runs.
const MAX_OUTPUT_BYTES: u64 = 256 << 20;
/// Most seeds of mod-add-seeds: each run takes seconds to minutes.
const MAX_SEEDS: u64 = 100_000;
/// Largest grid file read.
const MAX_GRID_BYTES: u64 = 64 << 20;

/// The records of a sweep output file. A last line that is cut short (no newline, not a
/// record: a sweep killed mid-write) is dropped with a notice on stderr; any other line that
/// is not a record is an error naming it.
pub fn read_records(path: &Path) -> Result<Vec<RunRecord>, Failure> {
    Ok(read_output(path)?.0)
}

/// [`read_records`], and the length of the file's whole lines when a torn last line was
/// dropped (where an appending writer must cut the file). Torn: cut short, so the JSON ends
/// early; a last line of whole JSON that is no record is refused like any other.
fn read_output(path: &Path) -> Result<(Vec<RunRecord>, Option<u64>), Failure> {
    let text = super::read_regular(path, MAX_OUTPUT_BYTES)?;
    let mut records = Vec::new();
    let mut torn = None;
    let mut offset = 0;
    let mut lines = text.split_inclusive('\n').enumerate().peekable();
    while let Some((i, raw)) = lines.next() {
        let start = offset;
        offset += raw.len();
        let l = raw.trim();
        if l.is_empty() {
            continue;
        }
        match serde_json::from_str::<RunRecord>(l) {
            Ok(r) => records.push(r),
            Err(e) if e.is_eof() && lines.peek().is_none() && !raw.ends_with('\n') => {
                eprintln!(
                    "grokscope: {}:{}: dropped a torn last line (a sweep stopped while writing it)",
                    show(path),
                    i + 1
                );
                torn = Some(start as u64);
            }
            Err(e) => {
                return Err(Failure::usage(format!(
                    "{}:{}: not a sweep record ({e})",
                    show(path),
                    i + 1
                )));
            }
        }
    }
    Ok((records, torn))
}

/// Records keyed by (grid, run) ([`crate::sweep::merge`]), its notes on stderr.
fn merge(records: Vec<RunRecord>) -> Result<Vec<RunRecord>, Failure> {
    let (records, notes) = crate::sweep::merge(records).map_err(Failure::usage)?;
    for n in notes {
        eprintln!("grokscope: {n}");
    }
    Ok(records)
}

/// The tables of a set of records.
pub fn report_text(records: &[RunRecord]) -> String {
    let mut out = summary_table(records);
    if let Some(p) = phase_diagrams(records) {
        out.push('\n');
        out.push_str(&p);
    }
    if let Some(a) = arch_table(records) {
        out.push('\n');
        out.push_str(&a);
    }
    if let Some(g) = seed_gallery(records) {
        out.push('\n');
        out.push_str(&g);
    }
    if let Some(p) = phenomena(records) {
        out.push('\n');
        out.push_str(&p);
    }
    out
}

/// Where finished runs go: the output file at once (one write per line, so a killed sweep
/// leaves whole lines), stdout at once or (under the live view) when it closes.
struct Recorder {
    file: Option<File>,
    /// While the live view owns the terminal, the lines kept off it (counted, not printed).
    held: Option<usize>,
    /// Writing to stdout failed: no more lines go there (the output file still gets them).
    stdout_failure: Option<Failure>,
    done: Vec<RunRecord>,
}

impl Recorder {
    /// One line on stdout. Once a write fails, later lines are dropped; without an output
    /// file nothing would keep the records, so the failure ends the sweep at once.
    fn print(&mut self, line: &str) -> Result<(), Failure> {
        if self.stdout_failure.is_some() {
            return Ok(());
        }
        let mut out = std::io::stdout().lock();
        if let Err(e) = writeln!(out, "{line}").and_then(|()| out.flush()) {
            let f = Failure::stdout(e);
            if self.file.is_none() {
                return Err(f);
            }
            self.stdout_failure = Some(f);
        }
        Ok(())
    }

    fn record(&mut self, record: RunRecord) -> Result<(), Failure> {
        let line = serde_json::to_string(&record).expect("records serialise");
        if let Some(f) = self.file.as_mut() {
            f.write_all(format!("{line}\n").as_bytes())
                .map_err(|e| Failure::failed(format!("writing the sweep output: {e}")))?;
        }
        match self.held.as_mut() {
            Some(n) => *n += 1,
            None => self.print(&line)?,
        }
        self.done.push(record);
        Ok(())
    }
}

/// `grokscope sweep`: read the grid, open (or resume) the output, train the runs under the
/// progress bar or the live view, then print the tables. `sweep report` merges outputs.
pub fn run(args: SweepArgs) -> Result<(), Failure> {
    if let Some(SweepAction::Report { files, against }) = &args.action {
        return report(files, against.is_some());
    }
    let seeds = super::train_args::whole_flag("seeds", &args.seeds)?;
    if !(1..=MAX_SEEDS).contains(&seeds) {
        return Err(Failure::usage(format!(
            "--seeds must be in 1..={MAX_SEEDS} (got {seeds})"
        )));
    }
    let (grid, runs) = read_grid(&args, seeds)?;
    if let Some(tasks) = args.slurm {
        return write_slurm_job(&args, &grid.name, runs.len(), seeds, tasks);
    }
    let shard = args.shard.map(ShardArg::resolve).transpose()?;
    let jobs = jobs(args.jobs)?;
    let runs = runs.filter(|i| shard.is_none_or(|s| s.takes(i)));
    let watch = args.watch && std::io::stdout().is_terminal();
    let Opened {
        progress,
        mut recorder,
        writer: _writer,
    } = open_or_resume(args.out.as_deref(), &grid, runs, watch)?;
    let todo = progress.todo();
    let total = todo.len();
    let pool = Pool::start(&grid.name, todo, grid.every, jobs)
        .map_err(|e| Failure::failed(format!("cannot start the sweep's workers: {e}")))?;
    if watch {
        let sweep = crate::app::watch::Watched {
            grid: &grid,
            progress,
            shard,
            jobs,
            note: match &args.out {
                Some(p) => format!("records → {}", show(p)),
                None => "no --out: the runs' records are not kept (--out FILE keeps them)".into(),
            },
        };
        return watch_live(sweep, pool, recorder, args.out.as_deref());
    }
    observe(&pool, total, &mut recorder)?;
    finish(recorder)
}

/// `sweep report FILE...`: the outputs merged (each record counted by its own numbers, one
/// whose class disagrees with them named), then the tables or the comparison with the
/// article's runs.
fn report(files: &[PathBuf], against_article: bool) -> Result<(), Failure> {
    let mut all = Vec::new();
    for f in files {
        all.extend(read_records(f)?);
    }
    if all.is_empty() {
        let names: Vec<String> = files.iter().map(|f| show(f)).collect();
        return Err(Failure::usage(format!(
            "no sweep records in {} (nothing finished yet?)",
            names.join(", ")
        )));
    }
    if against_article {
        // A comparison that cannot be made is refused before any note on the records.
        crate::sweep::article::comparable(&all)?;
    }
    let (all, notes) = crate::sweep::audit(all);
    for n in notes {
        eprintln!("grokscope: {n}");
    }
    if against_article {
        super::article::against(&merge(all)?)
    } else {
        super::print_out(&report_text(&merge(all)?))
    }
}

/// The grid `--grid` or `--grid-file` names, and its runs.
fn read_grid(args: &SweepArgs, seeds: u64) -> Result<(Grid, Runs), Failure> {
    match (&args.grid, &args.grid_file) {
        (Some(name), None) => {
            let grid = Grid::builtin(name, seeds as usize)?;
            let runs = grid.runs()?;
            Ok((grid, runs))
        }
        (None, Some(path)) => {
            let text = super::read_regular(path, MAX_GRID_BYTES)?;
            Grid::parse_runs(&text).map_err(|e| Failure::usage(format!("{}: {e}", show(path))))
        }
        _ => Err(Failure::usage(
            "sweep needs --grid NAME or --grid-file FILE",
        )),
    }
}

/// Runs in parallel: `--jobs`, or one per core. Each job trains one run on one thread, so
/// more jobs than cores would only share them (and a huge count would try to start that
/// many threads).
fn jobs(asked: Option<usize>) -> Result<usize, Failure> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let jobs = asked.unwrap_or(cores);
    if jobs == 0 {
        return Err(Failure::usage("--jobs must be at least 1"));
    }
    if jobs > cores {
        return Err(Failure::usage(format!(
            "--jobs {jobs} exceeds this machine's {cores} cores (each job trains one run on one)"
        )));
    }
    Ok(jobs)
}

/// A sweep ready to train: its runs (those already recorded marked done), where finished
/// runs go, and the output file's writer lock (held until the sweep ends).
struct Opened {
    progress: Progress,
    recorder: Recorder,
    writer: Option<crate::train::files::Lock>,
}

/// Open `--out` (locked: one writer at a time) and take the records it already holds of this
/// grid as done, so a rerun trains only the rest; a torn last line is cut before appending.
fn open_or_resume(
    out: Option<&Path>,
    grid: &Grid,
    runs: Runs,
    watch: bool,
) -> Result<Opened, Failure> {
    if let Some(p) = out {
        super::check_output_file(p)?;
    }
    let writer = out
        .map(crate::sweep::lock_output)
        .transpose()
        .map_err(Failure::usage)?;
    let (done, torn) = match out {
        Some(p) if p.exists() => {
            let (records, cut) = read_output(p)?;
            let ours = records.into_iter().filter(|r| r.grid == grid.name);
            (ours.collect(), cut)
        }
        _ => (Vec::new(), None),
    };
    let mut progress = Progress::new(runs);
    let changed = progress.resume(done.iter().cloned());
    if let (Some(p), 1..) = (out, changed) {
        eprintln!(
            "grokscope: {}: {changed} runs were recorded with other settings (the grid has \
             changed since): training them again",
            show(p)
        );
    }
    let file = match out {
        Some(p) => Some(
            crate::sweep::open_append(p, torn)
                .map_err(|e| Failure::usage(format!("{}: {e}", show(p))))?,
        ),
        None => None,
    };
    let recorder = Recorder {
        file,
        held: watch.then_some(0),
        stdout_failure: None,
        done,
    };
    Ok(Opened {
        progress,
        recorder,
        writer,
    })
}

/// Record each run as it finishes, under a progress bar; the first failure (a run's, or
/// writing a record) cancels the rest.
fn observe(pool: &Pool, total: usize, recorder: &mut Recorder) -> Result<(), Failure> {
    let bar = super::progress_bar(
        total as u64,
        0,
        "{bar:40} {pos}/{len} runs  {elapsed} elapsed, eta {eta}  {msg}",
    );
    let mut failure = None;
    for event in pool.events().iter() {
        match event {
            Event::Started { .. } => {}
            Event::Finished(record) => {
                let class = record.class;
                if let Err(e) = recorder.record(*record) {
                    failure.get_or_insert(e);
                    pool.cancel();
                }
                bar.set_message(format!("last: {}", class.name()));
                bar.inc(1);
            }
            Event::Failed { run, error } => {
                failure.get_or_insert(Failure::failed(format!("run {run}: {error}")));
                pool.cancel();
            }
        }
    }
    bar.finish_and_clear();
    failure.map_or(Ok(()), Err)
}

/// The tables on stderr, then the status: stdout failed while the output file kept the
/// records, a closed pipe ends quietly, another error is the sweep's failure.
fn finish(recorder: Recorder) -> Result<(), Failure> {
    eprint!("{}", report_text(&merge(recorder.done)?));
    match recorder.stdout_failure {
        Some(f) => Err(f),
        None => Ok(()),
    }
}

/// `--watch`: the live view records runs as they finish; once it closes and the terminal is
/// restored, how many records were not kept (without `--out`), the tables, and how many runs
/// are left.
fn watch_live(
    sweep: crate::app::watch::Watched,
    pool: Pool,
    mut recorder: Recorder,
    out: Option<&Path>,
) -> Result<(), Failure> {
    let outcome = crate::app::watch::watch(sweep, pool, &mut |r| {
        recorder.record(r).map_err(crate::app::Error::from)
    });
    // The view drew on stdout, a terminal (`--watch` opens only there): the JSON lines it
    // held back stay off it, where a line per run would bury the tables; `--out` keeps them.
    let held = recorder.held.take().unwrap_or_default();
    if out.is_none() && held > 0 {
        eprintln!("grokscope: {held} runs' records were not kept: --out FILE keeps them");
    }
    let end = outcome.map_err(Failure::from)?;
    eprint!("{}", report_text(&merge(recorder.done)?));
    if let Some(f) = recorder.stdout_failure {
        return Err(f);
    }
    if end.left > 0 {
        eprintln!(
            "stopped with {} of {} runs left{}",
            end.left,
            end.total,
            match out {
                Some(p) => format!("; rerun with --out {} to continue", show(p)),
                None => String::new(),
            }
        );
    }
    Ok(())
}

/// `sweep --slurm N --out DIR`: write the array job's script and say how to submit and merge.
fn write_slurm_job(
    args: &SweepArgs,
    grid_name: &str,
    runs: usize,
    seeds: u64,
    tasks: usize,
) -> Result<(), Failure> {
    let absolute = |p: &Path| {
        std::path::absolute(p).map_err(|e| Failure::usage(format!("{}: {e}", p.display())))
    };
    let grid = match (&args.grid, &args.grid_file) {
        (Some(name), _) => slurm::GridArg::Builtin {
            name: name.clone(),
            seeds,
        },
        (None, Some(file)) => slurm::GridArg::File(absolute(file)?),
        (None, None) => unreachable!("the grid was read above"),
    };
    let exe = std::env::current_exe()
        .map_err(|e| Failure::failed(format!("cannot find the grokscope binary: {e}")))?;
    let job = slurm::ArrayJob {
        exe,
        grid,
        grid_name: grid_name.to_string(),
        runs,
        tasks,
        jobs: args.jobs.unwrap_or(1),
        dir: absolute(
            args.out
                .as_deref()
                .expect("clap requires --out with --slurm"),
        )?,
    };
    super::print_out(&job.write()?)
}
