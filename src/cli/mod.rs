//! The command line (SPEC §7). Parsing errors, bad settings and unreadable files end with one
//! line on stderr and exit status 2; a diverged run exits with status 1.

mod bench;
mod construct;
mod presets;
pub mod run;
pub mod sweep;

use crate::train::{self, Activation, Config, Decay, Threads, presets as preset_table};
use clap::{Args, Parser, Subcommand};
use std::fmt;

/// Exit status for bad input.
pub const EXIT_USAGE: i32 = 2;
/// Exit status for a run that failed (diverged).
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
    /// Dashboard view to open on: training or sweep (a key switches between them)
    #[arg(long, value_name = "NAME", default_value = "training")]
    pub view: String,
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
}

/// Training options shared by every command; each overrides the preset's value.
#[derive(Args, Debug, Clone, Default)]
pub struct TrainArgs {
    /// Preset to start from (see `grokscope presets`) [default: mod-add]
    #[arg(long, value_name = "NAME")]
    pub preset: Option<String>,
    /// Random seed: the data split, initialisation and parity sets
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Total training steps
    #[arg(long, value_name = "N")]
    pub steps: Option<u64>,
    /// Learning rate
    #[arg(long, value_name = "X", allow_negative_numbers = true)]
    pub lr: Option<f64>,
    /// Weight decay strength
    #[arg(long, value_name = "X", allow_negative_numbers = true)]
    pub weight_decay: Option<f64>,
    /// Weight decay kind: l1 (sign term added to the gradient) or l2 (decoupled, AdamW)
    #[arg(long, value_name = "l1|l2")]
    pub decay: Option<Decay>,
    /// Hidden units
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub hidden: Option<i64>,
    /// Embedding width of factored modular models
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub embed: Option<i64>,
    /// Fraction of the pairs used for training (modular tasks)
    #[arg(long, value_name = "X", allow_negative_numbers = true)]
    pub train_frac: Option<f64>,
    /// Modulus P of modular tasks
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub modulus: Option<i64>,
    /// Operation of modular tasks: add, sub, mul or div
    #[arg(long, value_name = "OP")]
    pub op: Option<train::Op>,
    /// Training-set size of parity tasks
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub train_size: Option<i64>,
    /// Hidden activation
    #[arg(long, value_name = "relu|square")]
    pub activation: Option<Activation>,
    /// Threads for the matrix products
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub threads: usize,
}

/// A user-facing failure: its message and exit status.
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    pub status: i32,
}

impl Failure {
    pub fn usage(message: impl fmt::Display) -> Self {
        Failure {
            message: message.to_string(),
            status: EXIT_USAGE,
        }
    }
    pub fn failed(message: impl fmt::Display) -> Self {
        Failure {
            message: message.to_string(),
            status: EXIT_FAILURE,
        }
    }
    /// stdout was closed by its reader; the command ends quietly with success.
    pub fn closed_pipe() -> Self {
        Failure {
            message: String::new(),
            status: 0,
        }
    }
    pub fn is_closed_pipe(&self) -> bool {
        self.status == 0 && self.message.is_empty()
    }
}

impl From<train::Error> for Failure {
    fn from(e: train::Error) -> Self {
        Failure::usage(e)
    }
}

fn count(name: &str, v: Option<i64>) -> Result<Option<usize>, Failure> {
    match v {
        None => Ok(None),
        Some(x) if x < 0 => Err(Failure::usage(format!(
            "{name} must not be negative (got {x})"
        ))),
        Some(x) => Ok(Some(x as usize)),
    }
}

impl TrainArgs {
    pub fn preset_name(&self) -> &str {
        self.preset.as_deref().unwrap_or("mod-add")
    }

    /// Whether any option other than --preset/--steps/--threads was given.
    pub fn overrides_model(&self) -> Option<&'static str> {
        [
            (self.seed.is_some(), "--seed"),
            (self.lr.is_some(), "--lr"),
            (self.weight_decay.is_some(), "--weight-decay"),
            (self.decay.is_some(), "--decay"),
            (self.hidden.is_some(), "--hidden"),
            (self.embed.is_some(), "--embed"),
            (self.train_frac.is_some(), "--train-frac"),
            (self.modulus.is_some(), "--modulus"),
            (self.op.is_some(), "--op"),
            (self.train_size.is_some(), "--train-size"),
            (self.activation.is_some(), "--activation"),
            (self.preset.is_some(), "--preset"),
        ]
        .into_iter()
        .find(|(set, _)| *set)
        .map(|(_, name)| name)
    }

    /// The preset with these overrides applied, validated.
    pub fn config(&self) -> Result<Config, Failure> {
        let mut c = preset_table::find(self.preset_name())?.config;
        let parity = c.task == train::TaskKind::Parity;
        if let Some(v) = self.seed {
            c.seed = v;
        }
        if let Some(v) = self.steps {
            c.steps = v;
        }
        if let Some(v) = self.lr {
            c.lr = v;
        }
        if let Some(v) = self.weight_decay {
            c.weight_decay = v;
        }
        if let Some(v) = self.decay {
            c.decay = v;
        }
        if let Some(v) = count("hidden size", self.hidden)? {
            c.hidden = v;
        }
        if let Some(v) = count("embed size", self.embed)? {
            c.embed = v;
        }
        if let Some(v) = self.train_frac {
            if parity {
                return Err(Failure::usage(
                    "--train-frac applies to modular tasks; parity takes --train-size",
                ));
            }
            c.train_frac = v;
        }
        if let Some(v) = count("modulus", self.modulus)? {
            if parity {
                return Err(Failure::usage(
                    "--modulus applies to modular tasks, not parity",
                ));
            }
            c.modulus = v;
        }
        if let Some(op) = self.op {
            if parity {
                return Err(Failure::usage("--op applies to modular tasks, not parity"));
            }
            c.op = op;
            // Pairs a <= b only cover commutative operations.
            if !op.commutative() {
                c.symmetric = false;
            }
        }
        if let Some(v) = count("training-set size", self.train_size)? {
            if !parity {
                return Err(Failure::usage(
                    "--train-size applies to parity; modular tasks take --train-frac",
                ));
            }
            c.n_train = v;
        }
        if let Some(v) = self.activation {
            c.activation = v;
        }
        c.validate()?;
        Ok(c)
    }

    pub fn threads(&self) -> Result<Threads, Failure> {
        if self.threads == 0 {
            return Err(Failure::usage("--threads must be at least 1"));
        }
        Ok(Threads(self.threads))
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
            // clap's message spans several lines; keep its first, which names the problem.
            let text = e.to_string();
            let line = text
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("invalid arguments");
            eprintln!("grokscope: {}", line.trim_start_matches("error: "));
            return EXIT_USAGE;
        }
    };
    let result = match cli.command {
        Some(Command::Run(args)) => run::run(args),
        Some(Command::Sweep(args)) => sweep::run(args),
        Some(Command::Construct(args)) => construct::run(args),
        Some(Command::Bench(args)) => bench::run(args),
        Some(Command::Presets(args)) => presets::run(args),
        None => launch(&cli),
    };
    match result {
        Ok(()) => 0,
        Err(f) if f.is_closed_pipe() => 0,
        Err(f) => {
            eprintln!("grokscope: {}", f.message);
            f.status
        }
    }
}

/// Open the dashboard with the command line's settings.
fn launch(cli: &Cli) -> Result<(), Failure> {
    let cfg = cli.train.config()?;
    let threads = cli.train.threads()?;
    Ok(crate::app::launch(cfg, threads, cli.fps, &cli.view)?)
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
        if f.status == EXIT_USAGE {
            crate::app::Error::Usage(f.message)
        } else {
            crate::app::Error::Failed(f.message)
        }
    }
}

/// Write `text` to stdout. A reader that closed the pipe early (`grokscope presets | head`)
/// ends the command quietly instead of with a panic.
pub(crate) fn print_out(text: &str) -> Result<(), Failure> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(Failure::closed_pipe()),
        Err(e) => Err(Failure::failed(format!("writing to stdout: {e}"))),
    }
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
