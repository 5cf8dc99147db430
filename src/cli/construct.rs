//! `grokscope construct`: the article's hand-built circular solution, scored.

use super::Failure;
use crate::analysis::construct;
use crate::train::Activation;
use clap::Args;

/// Largest modulus accepted (the appendix view's too).
const MAX_MODULUS: i64 = crate::analysis::construct::MAX_MODULUS as i64;
const MAX_NEURONS: i64 = 4096;

#[derive(Args, Debug)]
pub struct ConstructArgs {
    /// Modulus M (2..=500)
    #[arg(long, value_name = "M", allow_negative_numbers = true)]
    pub modulus: i64,
    /// Number of neurons N, evenly spaced around the circle
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub neurons: i64,
    /// Hidden activation
    #[arg(long, value_name = "relu|square", default_value = "square")]
    pub activation: Activation,
}

pub fn run(args: ConstructArgs) -> Result<(), Failure> {
    if args.modulus < 2 || args.modulus > MAX_MODULUS {
        return Err(Failure::usage(format!(
            "modulus must be in 2..={MAX_MODULUS} (got {})",
            args.modulus
        )));
    }
    if args.neurons < 1 || args.neurons > MAX_NEURONS {
        return Err(Failure::usage(format!(
            "number of neurons must be in 1..={MAX_NEURONS} (got {})",
            args.neurons
        )));
    }
    let report = construct(
        args.modulus as usize,
        args.neurons as usize,
        args.activation,
    )
    .map_err(Failure::usage)?;
    super::print_out(&format!(
        "{}\n",
        serde_json::to_string(&report).expect("report serialises")
    ))
}
