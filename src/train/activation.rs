use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The hidden-layer nonlinearity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    /// max(x, 0), the article's choice.
    #[default]
    Relu,
    /// x², which makes the circular construction exact.
    Square,
}

/// The floats an activation applies to: the engine's f32 and the analysis' f64.
pub trait Real: Copy + PartialOrd + std::ops::Mul<Output = Self> {
    const ZERO: Self;
    const TWO: Self;
    /// `max` as the float type's own (NaN-ignoring) method.
    fn max(self, other: Self) -> Self;
}

impl Real for f32 {
    const ZERO: Self = 0.0;
    const TWO: Self = 2.0;
    #[inline(always)]
    fn max(self, other: Self) -> Self {
        f32::max(self, other)
    }
}

impl Real for f64 {
    const ZERO: Self = 0.0;
    const TWO: Self = 2.0;
    #[inline(always)]
    fn max(self, other: Self) -> Self {
        f64::max(self, other)
    }
}

/// The activation and its derivative are written here once. The slice forms match the
/// activation once, outside their loop, and call the scalar forms with a constant `self`,
/// so each arm folds to a plain loop that vectorises (compiled for AVX2 when inlined into
/// the fused step).
impl Activation {
    /// σ(x).
    #[inline(always)]
    pub fn apply<F: Real>(self, x: F) -> F {
        match self {
            Activation::Relu => x.max(F::ZERO),
            Activation::Square => x * x,
        }
    }

    /// `g · σ'(x)`: a gradient at σ(x) carried back to the pre-activation x. ReLU's is
    /// exactly `g` or `0` (not `g · 0`, which would keep a sign and NaNs).
    #[inline(always)]
    pub fn backprop<F: Real>(self, g: F, x: F) -> F {
        match self {
            Activation::Relu => {
                if x > F::ZERO {
                    g
                } else {
                    F::ZERO
                }
            }
            Activation::Square => g * (F::TWO * x),
        }
    }

    /// `out = σ(pre)`, elementwise.
    #[inline(always)]
    pub fn forward<F: Real>(self, pre: &[F], out: &mut [F]) {
        match self {
            Activation::Relu => {
                for (o, &x) in out.iter_mut().zip(pre) {
                    *o = Activation::Relu.apply(x);
                }
            }
            Activation::Square => {
                for (o, &x) in out.iter_mut().zip(pre) {
                    *o = Activation::Square.apply(x);
                }
            }
        }
    }

    /// `g = g ⊙ σ'(pre)`, elementwise.
    #[inline(always)]
    pub fn backward<F: Real>(self, pre: &[F], g: &mut [F]) {
        match self {
            Activation::Relu => {
                for (g, &x) in g.iter_mut().zip(pre) {
                    *g = Activation::Relu.backprop(*g, x);
                }
            }
            Activation::Square => {
                for (g, &x) in g.iter_mut().zip(pre) {
                    *g = Activation::Square.backprop(*g, x);
                }
            }
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Activation::Relu => "relu",
            Activation::Square => "square",
        }
    }
}

impl fmt::Display for Activation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Activation {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "relu" => Ok(Activation::Relu),
            "square" | "x2" | "x^2" => Ok(Activation::Square),
            other => Err(format!(
                "unknown activation '{other}' (expected relu or square)"
            )),
        }
    }
}
