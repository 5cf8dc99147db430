//! The command line (the names scripts rely on: docs/article-numbers.md). Parsing errors, bad
//! settings and unreadable files end with one line on stderr and exit status 2; a diverged run
//! exits with status 1.

mod article;
mod bench;
mod construct;
mod export;
mod gallery;
mod live;
mod metrics;
mod presets;
mod resume;
mod run;
mod rundir;
mod slurm;
mod sweep;
mod train_args;

use crate::train;
use clap::{Args, Parser, Subcommand};
use std::fmt;
use train_args::TrainArgs;

/// Exit status for bad input.
pub const EXIT_USAGE: i32 = 2;
/// Exit status for work that failed: a diverged run, a failed sweep run, a write error.
pub const EXIT_FAILURE: i32 = 1;

#[derive(Parser, Debug)]
#[command(
    name = "grokscope",
    version,
    about = "Train tiny networks live and watch them grok: memorize first, generalize later.",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub train: TrainArgs,
    /// Dashboard redraws per second
    #[arg(long, value_name = "N", default_value_t = 15)]
    pub fps: u32,
    /// Dashboard view to open on: training, mechanism, appendix, sweep or gallery (keys switch
    /// between them; sweep and gallery open on the article's own runs with --article)
    #[arg(long, value_name = "NAME", default_value = "training")]
    pub view: String,
    /// Open the dashboard on a run `run --out DIR` kept, without training (as `replay DIR`);
    /// given twice, the second run's curves are drawn on the same axes (as `replay DIR DIR2`)
    #[arg(long, value_name = "DIR")]
    pub replay: Vec<std::path::PathBuf>,
    /// The gallery view's runs from a finished sweep's output (`sweep --grid mod-add-seeds
    /// --out FILE`) instead of training the grid live; Enter retrains a run in the dashboard
    #[arg(long, value_name = "FILE", conflicts_with = "replay")]
    pub sweep_file: Option<std::path::PathBuf>,
    /// Keep the dashboard's run in DIR (new or empty) as `run --out` keeps one: metrics,
    /// frames, checkpoints, run.json, so `replay DIR`, `export DIR` and `run --resume DIR`
    /// take it. Each restart (Enter, r, a preset) keeps its run beside it: DIR-2, DIR-3, ...
    #[arg(long, value_name = "DIR", conflicts_with = "replay")]
    pub out: Option<std::path::PathBuf>,
    /// Open the sweep view on the article's own 1,125-run parity diagram, or the gallery on its
    /// 450 mod-add runs (read-only); `a` (Tab in the gallery) switches to yours and back
    #[arg(long, conflicts_with = "replay")]
    pub article: bool,
}

#[derive(Args, Debug)]
pub struct ReplayArgs {
    /// A directory `run --out` kept (or is writing: it is followed)
    #[arg(value_name = "DIR")]
    pub dir: std::path::PathBuf,
    /// A second kept run, its loss and accuracy drawn on the same axes (followed too)
    #[arg(value_name = "DIR2")]
    pub compare: Option<std::path::PathBuf>,
    /// Dashboard redraws per second
    #[arg(long, value_name = "N", default_value_t = 15)]
    pub fps: u32,
    /// Dashboard view to open on
    #[arg(long, value_name = "NAME", default_value = "training")]
    pub view: String,
}

#[derive(Args, Debug)]
pub struct TourArgs {
    /// The chapter to open on (1 is the first)
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub chapter: usize,
    /// Dashboard redraws per second
    #[arg(long, value_name = "N", default_value_t = 15)]
    pub fps: u32,
    /// Threads a run may use (as for the dashboard)
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub threads: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Train without a screen: JSON lines (or CSV) on stdout, progress on stderr.
    Run(run::RunArgs),
    /// Run a grid of runs: a JSON line per run, class counts and a phase diagram at the end.
    Sweep(sweep::SweepArgs),
    /// Score the article's hand-built circular solution; prints one JSON object.
    Construct(construct::ConstructArgs),
    /// Time full-batch training steps; prints one JSON object.
    Bench(bench::BenchArgs),
    /// List the presets and their settings.
    Presets(presets::PresetsArgs),
    /// The story of grokking, chapter by chapter, on runs trained live: n / p turn the pages.
    Tour(TourArgs),
    /// Open the dashboard on a kept run without training: scrub it, follow it while written,
    /// compare a second run on the same axes.
    Replay(ReplayArgs),
    /// Write a kept run's weights (final and every frame) as named tensors for Python.
    Export(export::ExportArgs),
    /// Describe the article's published runs this binary ships: source, licence, counts.
    Article(article::ArticleArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish or powershell) on stdout.
    Completions(CompletionsArgs),
    /// Print the man page (roff) on stdout: `grokscope man | man -l -`.
    Man,
}

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete in
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

/// The completion script for `shell`, generated by clap from the command line's definition.
fn completions(args: CompletionsArgs) -> Result<(), Failure> {
    use clap::CommandFactory;
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "grokscope", &mut out);
    print_out(&String::from_utf8_lossy(&out))
}

/// The man page, generated by clap from the command line's definition: the top-level page
/// with every subcommand's options in its own section.
fn man() -> Result<(), Failure> {
    use clap::CommandFactory;
    let cmd = Cli::command();
    let mut out = Vec::new();
    let fail = |e: std::io::Error| Failure::failed(format!("writing the man page: {e}"));
    clap_mangen::Man::new(cmd.clone())
        .render(&mut out)
        .map_err(fail)?;
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let name = sub.get_name().to_string();
        out.extend_from_slice(format!(".SH \"GROKSCOPE {}\"\n", name.to_uppercase()).as_bytes());
        let page = clap_mangen::Man::new(sub.clone().bin_name(format!("grokscope {name}")));
        let mut part = Vec::new();
        page.render_description_section(&mut part).map_err(fail)?;
        page.render_synopsis_section(&mut part).map_err(fail)?;
        page.render_options_section(&mut part).map_err(fail)?;
        // The subcommand's sections become subsections of its own section.
        let part = String::from_utf8_lossy(&part).replace(".SH ", ".SS ");
        out.extend_from_slice(part.as_bytes());
    }
    print_out(&String::from_utf8_lossy(&out))
}

/// A user-facing failure: what went wrong, and so the exit status.
#[derive(Debug)]
pub enum Failure {
    /// Bad input (settings, arguments, unreadable files): status 2.
    Usage(String),
    /// The work itself failed (a diverged run, a failed sweep run, a write error): status 1.
    Failed(String),
    /// stdout was closed by its reader (`| head`): the command ends quietly with status 0.
    ClosedPipe,
}

impl Failure {
    pub fn usage(message: impl fmt::Display) -> Self {
        Failure::Usage(message.to_string())
    }
    pub fn failed(message: impl fmt::Display) -> Self {
        Failure::Failed(message.to_string())
    }
    pub fn is_closed_pipe(&self) -> bool {
        matches!(self, Failure::ClosedPipe)
    }
    /// The line printed on stderr (empty for a closed pipe).
    pub fn message(&self) -> &str {
        match self {
            Failure::Usage(m) | Failure::Failed(m) => m,
            Failure::ClosedPipe => "",
        }
    }
    /// The process exit status.
    pub fn status(&self) -> i32 {
        match self {
            Failure::Usage(_) => EXIT_USAGE,
            Failure::Failed(_) => EXIT_FAILURE,
            Failure::ClosedPipe => 0,
        }
    }
    /// A failed write to stdout: a closed pipe, or an error of its own (`> /dev/full`).
    pub fn stdout(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            Failure::ClosedPipe
        } else {
            Failure::failed(format!("writing to stdout: {e}"))
        }
    }
}

impl From<train::Error> for Failure {
    fn from(e: train::Error) -> Self {
        Failure::usage(e)
    }
}

/// Parse the command line and run it; returns the process exit status.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                let _ = e.print();
                return 0;
            }
            eprintln!(
                "grokscope: {}",
                train::files::escape(&one_line(&e.to_string()))
            );
            return EXIT_USAGE;
        }
    };
    // A kernel forced by GROKSCOPE_KERNEL must exist on this CPU before anything trains.
    if let Err(e) = train::Kernel::from_env() {
        eprintln!("grokscope: {}", one_line(&e));
        return EXIT_USAGE;
    }
    let result = match cli.command {
        Some(Command::Run(args)) => run::run(args),
        Some(Command::Sweep(args)) => sweep::run(args),
        Some(Command::Construct(args)) => construct::run(args),
        Some(Command::Bench(args)) => bench::run(args),
        Some(Command::Presets(args)) => presets::run(args),
        Some(Command::Export(args)) => export::run(args),
        Some(Command::Replay(args)) => {
            crate::app::launch_replay(&args.dir, args.compare.as_deref(), args.fps, &args.view)
                .map_err(Failure::from)
        }
        Some(Command::Article(args)) => article::run(args),
        Some(Command::Tour(args)) => tour(args),
        Some(Command::Completions(args)) => completions(args),
        Some(Command::Man) => man(),
        None => launch(&cli),
    };
    match result {
        Ok(()) => 0,
        Err(Failure::ClosedPipe) => 0,
        Err(f) => {
            // One line, whatever a name in it holds: control characters are shown escaped.
            eprintln!("grokscope: {}", train::files::escape(f.message()));
            f.status()
        }
    }
}

/// `grokscope tour`: the dashboard on a chapter of the tour.
fn tour(args: TourArgs) -> Result<(), Failure> {
    let threads = TrainArgs {
        threads: args.threads,
        ..TrainArgs::default()
    }
    .threads()?;
    if args.chapter == 0 {
        return Err(Failure::usage("--chapter counts from 1"));
    }
    Ok(crate::app::launch_tour(
        threads,
        args.fps,
        args.chapter - 1,
    )?)
}

/// Open the dashboard with the command line's settings.
fn launch(cli: &Cli) -> Result<(), Failure> {
    if let [dir, rest @ ..] = &cli.replay[..] {
        if rest.len() > 1 {
            return Err(Failure::usage(
                "--replay is given once, or twice to compare two runs (not more)",
            ));
        }
        if let Some(flag) =
            cli.train
                .overrides_model()
                .or(cli.train.steps.as_ref().map(|_| "--steps"))
        {
            return Err(Failure::usage(format!(
                "{flag} cannot change a replayed run (it shows the settings it was trained with)"
            )));
        }
        let compare = rest.first().map(|d| d.as_path());
        return Ok(crate::app::launch_replay(dir, compare, cli.fps, &cli.view)?);
    }
    if cli.article
        && !crate::app::article::VIEWS
            .iter()
            .any(|(v, _)| *v == cli.view)
    {
        return Err(Failure::usage(crate::app::article::no_article_grid(
            &cli.view,
        )));
    }
    let cfg = cli.train.config()?;
    let threads = cli.train.threads()?;
    let gallery = cli.sweep_file.as_deref().map(gallery::read).transpose()?;
    if let Some(f) = gallery.as_ref().filter(|_| cli.article) {
        gallery::check_article(f)?;
    }
    let Some(out) = &cli.out else {
        return Ok(crate::app::launch(
            cfg,
            threads,
            launching(cli, gallery, None),
        )?);
    };
    // The dashboard's checks come before the directory is claimed, so a refusal leaves none.
    crate::app::check_launch(cli.fps, &cli.view)?;
    let kept = std::sync::Arc::new(std::sync::Mutex::new(live::Kept::default()));
    let keeper = live::keeper(out, kept.clone())?;
    let result = crate::app::launch(cfg, threads, launching(cli, gallery, Some(keeper)));
    let kept = std::mem::take(&mut *kept.lock().unwrap_or_else(|p| p.into_inner()));
    if !kept.dirs.is_empty() {
        let dirs: Vec<String> = kept.dirs.iter().map(|d| train::files::show(d)).collect();
        eprintln!(
            "grokscope: kept {} in {} (grokscope replay {})",
            if dirs.len() == 1 {
                "the run"
            } else {
                "the runs"
            },
            dirs.join(", "),
            dirs[0]
        );
    }
    result?;
    match kept.failures.into_iter().next() {
        Some(f) => Err(Failure::failed(f)),
        None => Ok(()),
    }
}

/// The dashboard's launch options from the command line.
fn launching(
    cli: &Cli,
    gallery: Option<crate::app::views::gallery::FileRuns>,
    keeper: Option<crate::app::session::Keeper>,
) -> crate::app::Launch {
    crate::app::Launch {
        fps: cli.fps,
        view: cli.view.clone(),
        opening: crate::app::Opening {
            gallery,
            article: cli.article,
        },
        keeper,
    }
}

impl From<crate::app::Error> for Failure {
    fn from(e: crate::app::Error) -> Self {
        match e {
            crate::app::Error::Usage(m) => Failure::usage(m),
            crate::app::Error::Failed(m) => Failure::failed(m),
        }
    }
}

impl From<Failure> for crate::app::Error {
    fn from(f: Failure) -> Self {
        match f {
            Failure::Usage(m) => crate::app::Error::Usage(m),
            Failure::Failed(m) => crate::app::Error::Failed(m),
            // The live view holds stdout's lines back, so it never meets a closed pipe.
            Failure::ClosedPipe => crate::app::Error::Failed("stdout was closed".into()),
        }
    }
}

/// clap's message on one line: its first line, and when that ends in a colon (a list of
/// missing arguments follows) the list too, up to the usage line.
fn one_line(text: &str) -> String {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines
        .next()
        .unwrap_or("invalid arguments")
        .trim_start_matches("error: ");
    if !first.ends_with(':') {
        return first.to_string();
    }
    let items: Vec<&str> = lines.take_while(|l| !l.starts_with("Usage:")).collect();
    format!("{first} {}", items.join(", "))
}

/// Write `text` to stdout. A reader that closed the pipe early (`grokscope presets | head`)
/// ends the command quietly instead of with a panic.
pub(crate) fn print_out(text: &str) -> Result<(), Failure> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) => Err(Failure::stdout(e)),
    }
}

/// The text of a file that must be a regular file of at most `limit` bytes: a device
/// (`/dev/zero`), a pipe or a directory is refused before anything is read (a pipe is not
/// waited on), and a file that grows past the limit while read is refused without reading
/// more than the limit.
pub(crate) fn read_regular(path: &std::path::Path, limit: u64) -> Result<String, Failure> {
    let bytes = train::files::read_regular(path, limit)?;
    String::from_utf8(bytes)
        .map_err(|_| Failure::usage(format!("{}: not UTF-8 text", train::files::show(path))))
}

/// Refuse an output path that exists and is not a regular file (`/dev/stdout`, `/dev/full`,
/// a directory): output files are appended to and read back. Nor one of the files a kept
/// run owns (its checkpoint, frames, metrics, run.json...): writing there would replace the run.
pub(crate) fn check_output_file(path: &std::path::Path) -> Result<(), Failure> {
    if let Some(dir) = rundir::owner(path) {
        return Err(Failure::usage(format!(
            "{}: a file the run in {} keeps (writing there would replace it); name another --out",
            train::files::show(path),
            train::files::show(&dir)
        )));
    }
    match std::fs::metadata(path) {
        Ok(m) if !m.is_file() => Err(Failure::usage(format!(
            "{}: not a regular file (the output must be a file it can read back)",
            train::files::show(path)
        ))),
        _ => Ok(()),
    }
}

/// Cancel `control` when the process gets SIGINT, SIGTERM or SIGHUP, from a thread of its
/// own (the handlers are installed before this returns). Without a working signal set-up
/// the signals keep their default action, which ends the process.
pub(crate) fn cancel_on_signals(control: std::sync::Arc<crate::train::Control>) {
    use tokio::signal::unix::{SignalKind, signal};
    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
    else {
        return;
    };
    let installed = rt.block_on(async {
        Some((
            signal(SignalKind::interrupt()).ok()?,
            signal(SignalKind::terminate()).ok()?,
            signal(SignalKind::hangup()).ok()?,
        ))
    });
    let Some((mut int, mut term, mut hup)) = installed else {
        return;
    };
    let _ = std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            rt.block_on(async {
                tokio::select! {
                    _ = int.recv() => {}
                    _ = term.recv() => {}
                    _ = hup.recv() => {}
                }
            });
            control.cancel();
        });
}

/// A progress bar on stderr when stderr is a terminal, hidden otherwise (pipes and logs get
/// no escape codes).
pub(crate) fn progress_bar(len: u64, pos: u64, template: &str) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar.set_position(pos);
    bar
}
