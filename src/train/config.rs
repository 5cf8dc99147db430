//! A run's complete settings. Presets are values of [`Config`]; command-line options and the
//! dashboard's keys override fields; [`Config::validate`] rejects what cannot be trained.

use super::Activation;
use super::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Which problem the network learns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TaskKind {
    /// (a op b) mod P from a pair of one-hot inputs.
    Modular,
    /// Parity of the first k of n random bits (plus a constant bias input).
    Parity,
}

/// The binary operation of a modular task.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    Add,
    Sub,
    Mul,
    /// a · b⁻¹ mod P; needs prime P and b ≠ 0.
    Div,
}

impl Op {
    pub fn name(self) -> &'static str {
        match self {
            Op::Add => "add",
            Op::Sub => "sub",
            Op::Mul => "mul",
            Op::Div => "div",
        }
    }
    /// Whether a op b = b op a, so that pairs a ≤ b cover the task.
    pub fn commutative(self) -> bool {
        matches!(self, Op::Add | Op::Mul)
    }
}

impl FromStr for Op {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "add" => Ok(Op::Add),
            "sub" => Ok(Op::Sub),
            "mul" => Ok(Op::Mul),
            "div" => Ok(Op::Div),
            o => Err(format!(
                "unknown operation '{o}' (expected add, sub, mul or div)"
            )),
        }
    }
}

/// How the modular model maps inputs to hidden units and hidden units to outputs.
///
/// The article's general model (its architecture sweep) is
/// `σ(a·E_in·W_a + b·E_in·W_b) · W_out · E_outᵀ` with four switches: the embedding tied
/// (E_out = E_in) or untied, the in-proj tied (W_a = W_b) or untied, the input side collapsed
/// (a P×H W_input trained directly, no in-proj) and the output side collapsed (an H×P
/// W_output trained directly, no out-proj). Of the twelve combinations of embedding ×
/// in-proj (tied, untied, collapsed) × out-proj (factored, collapsed), eight are distinct
/// models: an untied embedding needs an embedding on both sides, and an untied in-proj
/// needs an in-proj. Each of the eight is one value here ([`Arch::layout`] names its
/// switches), so a grid's architecture axis holds only real models.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Arch {
    /// W_input = E·W_in and W_output = W_out·Eᵀ with one shared, trained embedding E.
    Factored,
    /// W_input [P×H] and W_output [H×P] trained directly.
    Collapsed,
    /// W_input trained directly; W_output = W_out·Eᵀ factored.
    CollapsedIn,
    /// W_input = E·W_in factored; W_output trained directly.
    CollapsedOut,
    /// Factored with a frozen circular embedding E (row i = cos, sin of 2πi/P).
    FixedCircle,
    /// The parity network: inputs · W1 → activation → · w2 → one logit.
    Mlp,
    /// Factored with two embeddings: W_input = E_in·W_in, W_output = W_out·E_outᵀ.
    UntiedEmbed,
    /// Factored with one in-proj per operand: pre = E·W_a [a] + E·W_b [b], W_output =
    /// W_out·Eᵀ.
    UntiedIn,
    /// Both untied: pre = E_in·W_a [a] + E_in·W_b [b], W_output = W_out·E_outᵀ.
    UntiedEmbedIn,
    /// One in-proj per operand (E·W_a, E·W_b) and W_output trained directly.
    UntiedInCollapsedOut,
}

/// An input side's in-proj.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum InProj {
    /// One W_in for both operands.
    Tied,
    /// W_a for a, W_b for b.
    Untied,
    /// No in-proj: W_input trained directly.
    Collapsed,
}

/// The switches of a modular [`Arch`] (the article's architecture sweep).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Layout {
    /// E_out = E_in (also where a side has no embedding at all).
    pub embed_tied: bool,
    pub in_proj: InProj,
    /// No out-proj: W_output trained directly.
    pub out_collapsed: bool,
}

impl Arch {
    /// Every architecture, in the order messages list them.
    pub const ALL: [Arch; 10] = [
        Arch::Factored,
        Arch::Collapsed,
        Arch::CollapsedIn,
        Arch::CollapsedOut,
        Arch::FixedCircle,
        Arch::Mlp,
        Arch::UntiedEmbed,
        Arch::UntiedIn,
        Arch::UntiedEmbedIn,
        Arch::UntiedInCollapsedOut,
    ];

    /// The eight models of the article's architecture sweep, tied and factored first.
    pub const SWEEP: [Arch; 8] = [
        Arch::Factored,
        Arch::UntiedEmbed,
        Arch::UntiedIn,
        Arch::UntiedEmbedIn,
        Arch::CollapsedOut,
        Arch::UntiedInCollapsedOut,
        Arch::CollapsedIn,
        Arch::Collapsed,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Arch::Factored => "factored",
            Arch::Collapsed => "collapsed",
            Arch::CollapsedIn => "collapsed-in",
            Arch::CollapsedOut => "collapsed-out",
            Arch::FixedCircle => "fixed-circle",
            Arch::Mlp => "mlp",
            Arch::UntiedEmbed => "untied-embed",
            Arch::UntiedIn => "untied-in",
            Arch::UntiedEmbedIn => "untied-embed-in",
            Arch::UntiedInCollapsedOut => "untied-in-collapsed-out",
        }
    }

    /// The architecture sweep's switches of a trained-embedding modular model; `None` for
    /// five-neurons' frozen circle and the parity MLP.
    pub fn layout(self) -> Option<Layout> {
        let l = |embed_tied, in_proj, out_collapsed| {
            Some(Layout {
                embed_tied,
                in_proj,
                out_collapsed,
            })
        };
        match self {
            Arch::Factored => l(true, InProj::Tied, false),
            Arch::UntiedEmbed => l(false, InProj::Tied, false),
            Arch::UntiedIn => l(true, InProj::Untied, false),
            Arch::UntiedEmbedIn => l(false, InProj::Untied, false),
            Arch::CollapsedOut => l(true, InProj::Tied, true),
            Arch::UntiedInCollapsedOut => l(true, InProj::Untied, true),
            Arch::CollapsedIn => l(true, InProj::Collapsed, false),
            Arch::Collapsed => l(true, InProj::Collapsed, true),
            Arch::FixedCircle | Arch::Mlp => None,
        }
    }

    /// Whether E_out is a parameter of its own.
    pub fn untied_embed(self) -> bool {
        self.layout().is_some_and(|l| !l.embed_tied)
    }

    /// Whether a and b have in-projs of their own (W_a, W_b).
    pub fn untied_in(self) -> bool {
        self.layout().is_some_and(|l| l.in_proj == InProj::Untied)
    }
}

impl FromStr for Arch {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        if let Some(a) = Arch::ALL.into_iter().find(|a| a.name() == s) {
            return Ok(a);
        }
        let names: Vec<&str> = Arch::ALL.iter().map(|a| a.name()).collect();
        if s.contains("untied") && s.contains("collapsed") {
            // A combination of switches that is no model of its own.
            return Err(format!(
                "architecture '{s}' is not a model: an untied in-proj needs an in-proj (no \
                 collapsed-in) and an untied embedding needs both sides factored; the untied \
                 ones are untied-embed, untied-in, untied-embed-in and untied-in-collapsed-out"
            ));
        }
        Err(format!(
            "unknown architecture '{s}' (expected {})",
            names.join(", ")
        ))
    }
}

/// Weight decay flavour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decay {
    /// wd·sign(p) added to the gradient before Adam.
    L1,
    /// Decoupled: p ← p − lr·wd·p beside the Adam update (AdamW).
    L2,
}

impl Decay {
    pub fn name(self) -> &'static str {
        match self {
            Decay::L1 => "l1",
            Decay::L2 => "l2",
        }
    }
}

impl FromStr for Decay {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "l1" => Ok(Decay::L1),
            "l2" => Ok(Decay::L2),
            o => Err(format!("unknown decay '{o}' (expected l1 or l2)")),
        }
    }
}

impl fmt::Display for Decay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Every setting of a run. Fields that do not apply to the task are kept but ignored
/// (modulus for parity, bit counts for modular tasks), so one value can switch tasks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Config {
    /// The preset this configuration started from (informational).
    pub preset: String,
    pub task: TaskKind,
    pub arch: Arch,
    // Modular tasks.
    pub modulus: usize,
    pub op: Op,
    /// Use only pairs a ≤ b (valid for commutative operations).
    pub symmetric: bool,
    pub train_frac: f64,
    // Parity.
    pub n_bits: usize,
    pub k_bits: usize,
    pub n_train: usize,
    pub n_test: usize,
    // Model.
    pub embed: usize,
    pub hidden: usize,
    pub activation: Activation,
    // Optimiser.
    pub lr: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
    pub weight_decay: f64,
    pub decay: Decay,
    // Schedule.
    pub steps: u64,
    pub seed: u64,
}

/// Largest sizes accepted, to turn typos into errors rather than out-of-memory aborts.
const MAX_MODULUS: usize = 2_000;
const MAX_WIDTH: usize = 65_536;
const MAX_EXAMPLES: usize = 1_000_000;
/// Most memory a run may take (its [`Config::memory_estimate`]): 2 GB. The article's runs
/// take well under 100 MB; beyond this a setting is a typo far more often than a plan, and
/// an allocation failure aborts the process (past the dashboard's terminal restore).
pub const MAX_BYTES: u64 = 2_000_000_000;

/// A number as messages show it: plain for everyday magnitudes, in exponent form for tiny or
/// huge ones (`1e-300`, not three hundred digits).
pub fn show_number(v: f64) -> String {
    if v != 0.0 && v.is_finite() && !(1e-5..1e16).contains(&v.abs()) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// A byte count as messages show it: `3.2 GB`, `850 MB`.
pub fn show_bytes(bytes: u64) -> String {
    let b = bytes as f64;
    if b >= 1e9 {
        format!("{:.1} GB", b / 1e9)
    } else {
        format!("{:.0} MB", (b / 1e6).max(1.0))
    }
}

impl Config {
    /// Check that the settings describe a trainable run within the memory limit; the error
    /// names the bad value (or the estimate).
    pub fn validate(&self) -> Result<()> {
        self.validate_values()?;
        let need = self.memory_estimate();
        if need > MAX_BYTES {
            return Err(Error::config(format!(
                "this run would need about {} of memory (limit {}); use a smaller {}",
                show_bytes(need),
                show_bytes(MAX_BYTES),
                match self.task {
                    TaskKind::Modular => "modulus, hidden or embed size",
                    TaskKind::Parity => "training or test set, hidden size or bit count",
                }
            )));
        }
        Ok(())
    }

    /// Bytes a run of these settings allocates, estimated from the shapes before anything is
    /// allocated: data, the per-example buffers of the training and test passes, parameters
    /// with their gradients and Adam moments, and the read-outs' working copies. Saturates
    /// instead of overflowing.
    pub fn memory_estimate(&self) -> u64 {
        // f64 arithmetic: close enough, and no overflow whatever the sizes.
        let f = |x: usize| x as f64;
        let h = f(self.hidden);
        let bytes = match self.task {
            TaskKind::Modular => {
                let p = f(self.modulus);
                let n = if self.modulus > MAX_MODULUS {
                    p * p
                } else {
                    f(self.n_pairs())
                };
                let n_train = (self.train_frac.clamp(0.0, 1.0) * n).floor();
                let d = match self.arch {
                    Arch::FixedCircle => 2.0,
                    _ => f(self.embed.max(1)),
                };
                // Pairs while shuffling (a, b, y as u32) and the two pair sets.
                let data = 24.0 * n;
                // pre, act, dact [n×H] and the transposed logits [P×n], f32, both sets.
                let buffers = 4.0 * n * (3.0 * h + p);
                // E, the factors and a direct [P×2H] half, each with gradient, m and v.
                let mut params = 16.0 * (p * d + 2.0 * d * h + 2.0 * p * h);
                // Untied variants: E_out [P×D]; W_b [D×H] with b's W_input and its
                // gradient [P×H].
                if self.arch.untied_embed() {
                    params += 16.0 * p * d;
                }
                if self.arch.untied_in() {
                    params += 16.0 * d * h + 8.0 * p * h;
                }
                // uv, guv and the fused step's four [P×H] panels (H padded to 8).
                let panels = 16.0 * p * h + 16.0 * p * (h / 8.0).ceil() * 8.0;
                // Read-outs: the training logits and hidden activations again (excluded
                // loss), the Fourier basis [P×P] and f64 copies of the weights.
                let readouts = 4.0 * n_train * (p + h) + 8.0 * p * p + params / 2.0;
                data + buffers + params + panels + readouts
            }
            TaskKind::Parity => {
                let n = f(self.n_train) + f(self.n_test);
                let inputs = f(self.n_bits) + 1.0;
                // Bits (f32) and labels; pre, act [n×H] and the logit column.
                let data = 4.0 * n * (inputs + 1.0);
                let buffers = 4.0 * n * (2.0 * h + 1.0);
                let params = 16.0 * (inputs * h + h);
                data + buffers + params + params / 2.0
            }
        };
        if bytes >= u64::MAX as f64 {
            u64::MAX
        } else {
            bytes as u64
        }
    }

    /// The checks of each value on its own and of the values that go together: those every
    /// task shares, then the task's own.
    fn validate_values(&self) -> Result<()> {
        self.validate_shared()?;
        match self.task {
            TaskKind::Modular => self.validate_modular(),
            TaskKind::Parity => self.validate_parity(),
        }
    }

    /// The hidden width and the optimiser's values: each finite, and surviving the engine's
    /// f32 precision.
    fn validate_shared(&self) -> Result<()> {
        let bad = |m: String| Err(Error::config(m));
        if self.hidden == 0 {
            return bad("hidden size must be at least 1 (got 0)".into());
        }
        if self.hidden > MAX_WIDTH {
            return bad(format!("hidden size {} exceeds {MAX_WIDTH}", self.hidden));
        }
        for (name, v) in [
            ("learning rate", self.lr),
            ("weight decay", self.weight_decay),
            ("epsilon", self.eps),
        ] {
            if !v.is_finite() || v < 0.0 {
                return bad(format!(
                    "{name} must be a finite number >= 0 (got {})",
                    show_number(v)
                ));
            }
            // The engine computes in f32: a value must survive the conversion.
            let single = v as f32;
            if !single.is_finite() {
                return bad(format!(
                    "{name} {} overflows the engine's f32 precision (largest {:e})",
                    show_number(v),
                    f32::MAX
                ));
            }
            if v > 0.0 && single == 0.0 {
                return bad(format!(
                    "{name} {} rounds to 0 in the engine's f32 precision (smallest {:e})",
                    show_number(v),
                    f32::from_bits(1)
                ));
            }
        }
        if self.lr == 0.0 {
            return bad("learning rate must be greater than 0".into());
        }
        for (name, v) in [("beta1", self.beta1), ("beta2", self.beta2)] {
            if !(0.0..1.0).contains(&v) || v as f32 >= 1.0 {
                return bad(format!(
                    "{name} must be in [0, 1) in f32 precision (got {})",
                    show_number(v)
                ));
            }
        }
        Ok(())
    }

    /// A modular task: its modulus, split, operation and model variant.
    fn validate_modular(&self) -> Result<()> {
        let bad = |m: String| Err(Error::config(m));
        if self.modulus < 2 {
            return bad(format!("modulus must be at least 2 (got {})", self.modulus));
        }
        if self.modulus > MAX_MODULUS {
            return bad(format!("modulus {} exceeds {MAX_MODULUS}", self.modulus));
        }
        if !(self.train_frac > 0.0 && self.train_frac < 1.0) {
            return bad(format!(
                "train fraction must be strictly between 0 and 1 (got {})",
                show_number(self.train_frac)
            ));
        }
        if self.op == Op::Div && !is_prime(self.modulus) {
            return bad(format!(
                "division needs a prime modulus ({} is not prime)",
                self.modulus
            ));
        }
        if self.symmetric && !self.op.commutative() {
            return bad(format!(
                "symmetric pairs (a <= b) only cover commutative operations, not {}",
                self.op.name()
            ));
        }
        match self.arch {
            Arch::Mlp => return bad("the parity MLP cannot learn a modular task".into()),
            Arch::FixedCircle => {
                if self.embed != 2 {
                    return bad(format!(
                        "the fixed circular embedding has exactly 2 dimensions (got embed {})",
                        self.embed
                    ));
                }
            }
            Arch::Collapsed => {}
            _ => {
                if self.embed == 0 {
                    return bad("embed size must be at least 1 (got 0)".into());
                }
                if self.embed > MAX_WIDTH {
                    return bad(format!("embed size {} exceeds {MAX_WIDTH}", self.embed));
                }
            }
        }
        let (n_train, n_test) = self.split_sizes();
        if n_train == 0 || n_test == 0 {
            return bad(format!(
                "train fraction {} leaves an empty {} set for {} pairs",
                show_number(self.train_frac),
                if n_train == 0 { "training" } else { "test" },
                self.n_pairs()
            ));
        }
        Ok(())
    }

    /// Sparse parity: the mlp model, and the bit and example counts.
    fn validate_parity(&self) -> Result<()> {
        let bad = |m: String| Err(Error::config(m));
        if self.arch != Arch::Mlp {
            return bad(format!(
                "parity uses the mlp model, not {}",
                self.arch.name()
            ));
        }
        if self.n_bits == 0 || self.n_bits > 4096 {
            return bad(format!(
                "number of bits must be in 1..=4096 (got {})",
                self.n_bits
            ));
        }
        if self.k_bits == 0 || self.k_bits > self.n_bits {
            return bad(format!(
                "parity of {} bits needs 1 <= k <= n bits ({})",
                self.k_bits, self.n_bits
            ));
        }
        if self.n_train == 0 || self.n_train > MAX_EXAMPLES {
            return bad(format!(
                "training-set size must be in 1..={MAX_EXAMPLES} (got {})",
                self.n_train
            ));
        }
        if self.n_test == 0 || self.n_test > MAX_EXAMPLES {
            return bad(format!(
                "test-set size must be in 1..={MAX_EXAMPLES} (got {})",
                self.n_test
            ));
        }
        Ok(())
    }

    /// Number of (a, b) pairs of a modular task.
    pub fn n_pairs(&self) -> usize {
        let p = self.modulus;
        let all = if self.symmetric {
            p * (p + 1) / 2
        } else {
            p * p
        };
        if self.op == Op::Div {
            // b = 0 has no inverse.
            if self.symmetric { all - 1 } else { all - p }
        } else {
            all
        }
    }

    /// (train, test) sizes of a modular task: floor(train_frac · pairs) train.
    pub fn split_sizes(&self) -> (usize, usize) {
        let n = self.n_pairs();
        let train = ((self.train_frac * n as f64).floor() as usize).min(n);
        (train, n - train)
    }

    /// Inputs of the parity network: the bits plus the constant bias input.
    pub fn parity_inputs(&self) -> usize {
        self.n_bits + 1
    }

    /// A one-line human description.
    pub fn describe(&self) -> String {
        match self.task {
            TaskKind::Modular => format!(
                "{} mod {} ({}), embed {}, hidden {}, {}, lr {}, wd {} {}, train {:.0}%, seed {}",
                self.op.name(),
                self.modulus,
                self.arch.name(),
                self.embed,
                self.hidden,
                self.activation,
                self.lr,
                self.weight_decay,
                self.decay,
                self.train_frac * 100.0,
                self.seed
            ),
            TaskKind::Parity => format!(
                "parity of {} of {} bits, hidden {}, {}, lr {}, wd {} {}, {} train, seed {}",
                self.k_bits,
                self.n_bits,
                self.hidden,
                self.activation,
                self.lr,
                self.weight_decay,
                self.decay,
                self.n_train,
                self.seed
            ),
        }
    }
}

pub fn is_prime(n: usize) -> bool {
    n >= 2
        && (2..)
            .take_while(|d| d * d <= n)
            .all(|d| !n.is_multiple_of(d))
}

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
