//! A run's complete settings. Presets are values of [`Config`]; command-line options and the
//! dashboard's keys override fields; [`Config::validate`] rejects what cannot be trained.

use super::Activation;
use super::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

pub use super::arch::{Arch, InProj};

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
