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

impl Activation {
    #[inline(always)]
    pub fn apply(self, x: f32) -> f32 {
        match self {
            Activation::Relu => x.max(0.0),
            Activation::Square => x * x,
        }
    }

    /// Derivative with respect to the pre-activation `x`.
    #[inline(always)]
    pub fn derivative(self, x: f32) -> f32 {
        match self {
            Activation::Relu => {
                if x > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Activation::Square => 2.0 * x,
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
