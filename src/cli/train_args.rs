//! The training options every command shares (`--preset`, `--lr`, `--threads`, ...), kept as
//! given and parsed through the settings table, and the parsing of the whole-number options
//! that are not settings (`--every`, `--repeats`, ...) with the same messages.

use super::Failure;
use crate::train::{self, Config, Threads, presets as preset_table};
use clap::Args;

/// Training options shared by every command; each overrides the preset's value. Values are
/// kept as given and parsed by the settings table ([`train::fields::FIELDS`]), which grid files
/// and the dashboard use too; a value that starts with '-' is a value (`--steps -5` says what
/// is wrong with -5).
#[derive(Args, Debug, Clone, Default)]
pub struct TrainArgs {
    /// Preset to start from (see `grokscope presets`) [default: mod-add]
    #[arg(long, value_name = "NAME")]
    pub preset: Option<String>,
    /// Random seed: the data split, initialisation and parity sets
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub seed: Option<String>,
    /// Total training steps
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub steps: Option<String>,
    /// Learning rate
    #[arg(long, value_name = "X", allow_hyphen_values = true)]
    pub lr: Option<String>,
    /// Weight decay strength
    #[arg(long, value_name = "X", allow_hyphen_values = true)]
    pub weight_decay: Option<String>,
    /// Weight decay kind: l1 (sign term added to the gradient) or l2 (decoupled, AdamW)
    #[arg(long, value_name = "l1|l2", allow_hyphen_values = true)]
    pub decay: Option<String>,
    /// Hidden units
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub hidden: Option<String>,
    /// Embedding width of factored modular models
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub embed: Option<String>,
    /// Fraction of the pairs used for training (modular tasks)
    #[arg(long, value_name = "X", allow_hyphen_values = true)]
    pub train_frac: Option<String>,
    /// Modulus P of modular tasks
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub modulus: Option<String>,
    /// Operation of modular tasks: add, sub, mul or div
    #[arg(long, value_name = "OP", allow_hyphen_values = true)]
    pub op: Option<String>,
    /// Training-set size of parity tasks
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub train_size: Option<String>,
    /// Hidden activation
    #[arg(long, value_name = "relu|square", allow_hyphen_values = true)]
    pub activation: Option<String>,
    /// Threads a step may share its products among (at most this machine's cores; never changes a result)
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub threads: Option<String>,
}

/// A whole-number option that is not a setting (`--every`, `--repeats`, ...): parsed with
/// the same messages as the settings.
pub(crate) fn whole_flag(flag: &str, text: &str) -> Result<u64, Failure> {
    match train::fields::Field::by_key("steps")
        .expect("steps is a setting")
        .parse_text(text)
    {
        Ok(train::fields::Value::Whole(n)) => Ok(n),
        Ok(_) => unreachable!("steps parse as whole numbers"),
        Err(e) => Err(Failure::usage(format!("--{flag} {e}"))),
    }
}

impl TrainArgs {
    pub fn preset_name(&self) -> &str {
        self.preset.as_deref().unwrap_or("mod-add")
    }

    /// The settings given, as (flag, text), in the settings table's order.
    fn given(&self) -> Vec<(&'static str, &str)> {
        [
            ("--seed", &self.seed),
            ("--steps", &self.steps),
            ("--lr", &self.lr),
            ("--weight-decay", &self.weight_decay),
            ("--decay", &self.decay),
            ("--hidden", &self.hidden),
            ("--embed", &self.embed),
            ("--train-frac", &self.train_frac),
            ("--modulus", &self.modulus),
            ("--op", &self.op),
            ("--train-size", &self.train_size),
            ("--activation", &self.activation),
        ]
        .into_iter()
        .filter_map(|(flag, v)| v.as_deref().map(|t| (flag, t)))
        .collect()
    }

    /// Whether any option other than --steps/--threads was given: the first such flag.
    pub fn overrides_model(&self) -> Option<&'static str> {
        if self.preset.is_some() {
            return Some("--preset");
        }
        self.given()
            .into_iter()
            .map(|(flag, _)| flag)
            .find(|&f| f != "--steps")
    }

    /// --steps, when given.
    pub fn steps(&self) -> Result<Option<u64>, Failure> {
        self.steps
            .as_deref()
            .map(|t| whole_flag("steps", t))
            .transpose()
    }

    /// The preset with these overrides applied through the settings table, validated.
    pub fn config(&self) -> Result<Config, Failure> {
        let mut c = preset_table::find(self.preset_name())?.config;
        for (name, text) in self.given() {
            let field = train::fields::Field::by_flag(&name[2..]).expect("every flag is a setting");
            let value = field
                .parse_text(text)
                .map_err(|e| Failure::usage(format!("{name} {e}")))?;
            field.set(&mut c, value, name).map_err(|e| {
                Failure::usage(e.to_string().trim_start_matches("invalid setting: "))
            })?;
        }
        c.validate()?;
        Ok(c)
    }

    /// --threads (1 unless given): at least 1 and at most this machine's cores, since more
    /// threads than cores never speed up a product.
    pub fn threads(&self) -> Result<Threads, Failure> {
        let Some(text) = self.threads.as_deref() else {
            return Ok(Threads(1));
        };
        let n = whole_flag("threads", text)?;
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        if n == 0 {
            return Err(Failure::usage("--threads must be at least 1"));
        }
        if n > cores as u64 {
            return Err(Failure::usage(format!(
                "--threads {n} exceeds this machine's {cores} cores"
            )));
        }
        Ok(Threads(n as usize))
    }
}
