//! The settings table: every setting the command line, grid files and the dashboard can
//! change, by one name each ([`FIELDS`]), with how its text or JSON is parsed and how it is
//! set on a [`Config`] (range checks are [`Config::validate`]'s).

use super::config::{Config, Op, TaskKind};
use super::error::{Error, Result};
use std::str::FromStr;

/// A value given for a setting, typed by its [`Field`]: parsed from the command line's text,
/// read from a grid file's JSON, or stepped by the dashboard's keys.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Whole(u64),
    Number(f64),
    Word(String),
    Flag(bool),
}

/// What kind of value a field takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Whole,
    Number,
    Word,
    Flag,
}

/// One setting that the command line, grid files and the dashboard can change: the one
/// vocabulary all three use.
pub struct Field {
    /// The name grid files use (the [`Config`] field): `n_train`.
    pub key: &'static str,
    /// The command-line flag without its dashes, when there is one: `train-size`.
    pub flag: Option<&'static str>,
    /// The tasks the setting means something for.
    pub tasks: &'static [TaskKind],
    /// Said when the setting is given for another task: which setting to use there.
    other_task: &'static str,
    kind: Kind,
    set: fn(&mut Config, Value) -> std::result::Result<(), String>,
}

const ALL: &[TaskKind] = &[TaskKind::Modular, TaskKind::Parity];
const MODULAR: &[TaskKind] = &[TaskKind::Modular];
const PARITY: &[TaskKind] = &[TaskKind::Parity];

fn whole(v: Value) -> std::result::Result<u64, String> {
    match v {
        Value::Whole(n) => Ok(n),
        _ => Err("must be a whole number".into()),
    }
}

fn size(v: Value) -> std::result::Result<usize, String> {
    let n = whole(v)?;
    usize::try_from(n).map_err(|_| format!("{n} is too large"))
}

fn number(v: Value) -> std::result::Result<f64, String> {
    match v {
        Value::Number(x) => Ok(x),
        Value::Whole(n) => Ok(n as f64),
        _ => Err("must be a number".into()),
    }
}

fn word<T: FromStr<Err = String>>(v: Value) -> std::result::Result<T, String> {
    match v {
        Value::Word(w) => w.parse(),
        _ => Err("must be a word in quotes".into()),
    }
}

/// Every settable field, in the order the command line lists them.
pub const FIELDS: &[Field] = &[
    Field {
        key: "seed",
        flag: Some("seed"),
        tasks: ALL,
        other_task: "",
        kind: Kind::Whole,
        set: |c, v| whole(v).map(|x| c.seed = x),
    },
    Field {
        key: "steps",
        flag: Some("steps"),
        tasks: ALL,
        other_task: "",
        kind: Kind::Whole,
        set: |c, v| whole(v).map(|x| c.steps = x),
    },
    Field {
        key: "lr",
        flag: Some("lr"),
        tasks: ALL,
        other_task: "",
        kind: Kind::Number,
        set: |c, v| number(v).map(|x| c.lr = x),
    },
    Field {
        key: "weight_decay",
        flag: Some("weight-decay"),
        tasks: ALL,
        other_task: "",
        kind: Kind::Number,
        set: |c, v| number(v).map(|x| c.weight_decay = x),
    },
    Field {
        key: "decay",
        flag: Some("decay"),
        tasks: ALL,
        other_task: "",
        kind: Kind::Word,
        set: |c, v| word(v).map(|x| c.decay = x),
    },
    Field {
        key: "hidden",
        flag: Some("hidden"),
        tasks: ALL,
        other_task: "",
        kind: Kind::Whole,
        set: |c, v| size(v).map(|x| c.hidden = x),
    },
    Field {
        key: "embed",
        flag: Some("embed"),
        tasks: MODULAR,
        other_task: "",
        kind: Kind::Whole,
        set: |c, v| size(v).map(|x| c.embed = x),
    },
    Field {
        key: "train_frac",
        flag: Some("train-frac"),
        tasks: MODULAR,
        other_task: "train-size",
        kind: Kind::Number,
        set: |c, v| number(v).map(|x| c.train_frac = x),
    },
    Field {
        key: "modulus",
        flag: Some("modulus"),
        tasks: MODULAR,
        other_task: "",
        kind: Kind::Whole,
        set: |c, v| size(v).map(|x| c.modulus = x),
    },
    Field {
        key: "op",
        flag: Some("op"),
        tasks: MODULAR,
        other_task: "",
        kind: Kind::Word,
        set: |c, v| {
            let op: Op = word(v)?;
            c.op = op;
            // Pairs a <= b only cover commutative operations.
            if !op.commutative() {
                c.symmetric = false;
            }
            Ok(())
        },
    },
    Field {
        key: "n_train",
        flag: Some("train-size"),
        tasks: PARITY,
        other_task: "train-frac",
        kind: Kind::Whole,
        set: |c, v| size(v).map(|x| c.n_train = x),
    },
    Field {
        key: "activation",
        flag: Some("activation"),
        tasks: ALL,
        other_task: "",
        kind: Kind::Word,
        set: |c, v| word(v).map(|x| c.activation = x),
    },
    // Grid files only.
    Field {
        key: "n_test",
        flag: None,
        tasks: PARITY,
        other_task: "",
        kind: Kind::Whole,
        set: |c, v| size(v).map(|x| c.n_test = x),
    },
    Field {
        key: "n_bits",
        flag: None,
        tasks: PARITY,
        other_task: "",
        kind: Kind::Whole,
        set: |c, v| size(v).map(|x| c.n_bits = x),
    },
    Field {
        key: "k_bits",
        flag: None,
        tasks: PARITY,
        other_task: "",
        kind: Kind::Whole,
        set: |c, v| size(v).map(|x| c.k_bits = x),
    },
    Field {
        key: "symmetric",
        flag: None,
        tasks: MODULAR,
        other_task: "",
        kind: Kind::Flag,
        set: |c, v| match v {
            Value::Flag(b) => {
                c.symmetric = b;
                Ok(())
            }
            _ => Err("must be true or false".into()),
        },
    },
    Field {
        key: "beta1",
        flag: None,
        tasks: ALL,
        other_task: "",
        kind: Kind::Number,
        set: |c, v| number(v).map(|x| c.beta1 = x),
    },
    Field {
        key: "beta2",
        flag: None,
        tasks: ALL,
        other_task: "",
        kind: Kind::Number,
        set: |c, v| number(v).map(|x| c.beta2 = x),
    },
    Field {
        key: "eps",
        flag: None,
        tasks: ALL,
        other_task: "",
        kind: Kind::Number,
        set: |c, v| number(v).map(|x| c.eps = x),
    },
    Field {
        key: "arch",
        flag: None,
        tasks: ALL,
        other_task: "",
        kind: Kind::Word,
        set: |c, v| word(v).map(|x| c.arch = x),
    },
];

impl Field {
    /// The field a grid file names.
    pub fn by_key(key: &str) -> Option<&'static Field> {
        FIELDS.iter().find(|f| f.key == key)
    }

    /// The field behind a command-line flag (without its dashes).
    pub fn by_flag(flag: &str) -> Option<&'static Field> {
        FIELDS.iter().find(|f| f.flag == Some(flag))
    }

    /// Whether the setting means anything for `task`.
    pub fn applies_to(&self, task: TaskKind) -> bool {
        self.tasks.contains(&task)
    }

    /// The value of command-line text: "must be a whole number (got -5)" when it is not one.
    pub fn parse_text(&self, text: &str) -> std::result::Result<Value, String> {
        let t = text.trim();
        let got = || {
            if t.chars().count() > 40 {
                format!("got '{}…'", t.chars().take(40).collect::<String>())
            } else {
                format!("got '{t}'")
            }
        };
        match self.kind {
            Kind::Whole => match t.parse::<u64>() {
                Ok(n) => Ok(Value::Whole(n)),
                Err(_) if t.starts_with('-') && t[1..].parse::<u64>().is_ok() => {
                    Err(format!("must not be negative ({})", got()))
                }
                Err(_) if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) => {
                    Err(format!("must be at most {} ({})", u64::MAX, got()))
                }
                Err(_) => Err(format!("must be a whole number ({})", got())),
            },
            Kind::Number => t
                .parse::<f64>()
                .map(Value::Number)
                .map_err(|_| format!("must be a number ({})", got())),
            Kind::Word => Ok(Value::Word(t.to_string())),
            Kind::Flag => match t {
                "true" => Ok(Value::Flag(true)),
                "false" => Ok(Value::Flag(false)),
                _ => Err(format!("must be true or false ({})", got())),
            },
        }
    }

    /// The value of a grid file's JSON.
    pub fn parse_json(&self, v: &serde_json::Value) -> std::result::Result<Value, String> {
        let wrong = |what: &str| format!("must be {what} (got {v})");
        match self.kind {
            Kind::Whole => v
                .as_u64()
                .map(Value::Whole)
                .ok_or_else(|| wrong("a whole number >= 0")),
            Kind::Number => v
                .as_f64()
                .map(Value::Number)
                .ok_or_else(|| wrong("a number")),
            Kind::Word => v
                .as_str()
                .map(|s| Value::Word(s.to_string()))
                .ok_or_else(|| wrong("a string")),
            Kind::Flag => v
                .as_bool()
                .map(Value::Flag)
                .ok_or_else(|| wrong("true or false")),
        }
    }

    /// Set the field in `cfg`; `name` is how the caller spells it in messages (`--train-frac`,
    /// `grid setting 'train_frac'`). A setting for another task is an error, never silently
    /// something else. Range checks are [`Config::validate`]'s.
    pub fn set(&self, cfg: &mut Config, value: Value, name: &str) -> Result<()> {
        if !self.applies_to(cfg.task) {
            let tasks = if self.tasks == MODULAR {
                "modular tasks"
            } else {
                "parity"
            };
            let task = match cfg.task {
                TaskKind::Modular => "modular tasks",
                TaskKind::Parity => "parity",
            };
            return Err(Error::config(if self.other_task.is_empty() {
                format!("{name} applies to {tasks}, not {task}")
            } else {
                format!(
                    "{name} applies to {tasks}; {task} takes --{}",
                    self.other_task
                )
            }));
        }
        (self.set)(cfg, value).map_err(|e| Error::config(format!("{name} {e}")))
    }
}
