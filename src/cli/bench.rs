//! `grokscope bench`: training steps per second, median of several timed repeats, with no
//! evaluation in the timed loop.

use super::{Failure, train_args::TrainArgs};
use crate::train::{Run, Stopwatch, Trainer};
use clap::Args;

#[derive(Args, Debug)]
pub struct BenchArgs {
    #[command(flatten)]
    pub train: TrainArgs,
    /// Timed repeats (1..=1000); the reported figure is their median
    #[arg(
        long,
        value_name = "N",
        default_value = "5",
        allow_hyphen_values = true
    )]
    pub repeats: String,
}

/// Most timed repeats: a median of a thousand is as steady as it gets.
const MAX_REPEATS: u64 = 1_000;

pub fn run(args: BenchArgs) -> Result<(), Failure> {
    let mut train = args.train.clone();
    // Bench times steps, not a whole run: default to 1,000 steps per repeat.
    let steps = train.steps()?.unwrap_or(1_000);
    train.steps = None;
    if steps == 0 {
        return Err(Failure::usage("--steps must be at least 1 for a benchmark"));
    }
    let repeats = super::train_args::whole_flag("repeats", &args.repeats)?;
    if !(1..=MAX_REPEATS).contains(&repeats) {
        return Err(Failure::usage(format!(
            "--repeats must be in 1..={MAX_REPEATS} (got {repeats})"
        )));
    }
    let repeats = repeats as usize;
    let cfg = train.config()?;
    let threads = train.threads()?;
    let mut run = Run::new(Trainer::new(cfg, threads)?, u64::MAX);
    // Warm up caches, the thread pool and the CPU clock.
    for _ in 0..steps.min(200) {
        run.step_unevaluated().map_err(Failure::failed)?;
    }
    let mut rates = Vec::with_capacity(repeats);
    for _ in 0..repeats {
        let watch = Stopwatch::started();
        for _ in 0..steps {
            run.step_unevaluated().map_err(Failure::failed)?;
        }
        rates.push(steps as f64 / watch.elapsed().as_secs_f64());
    }
    let mut sorted = rates.clone();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2];
    let line = serde_json::json!({
        "preset": train.preset_name(),
        "steps": steps,
        "threads": threads.0,
        "kernel": run.trainer().model().kernel().name(),
        "steps_per_s": (median * 10.0).round() / 10.0,
        "repeats": rates.iter().map(|r| (r * 10.0).round() / 10.0).collect::<Vec<_>>(),
    });
    super::print_out(&format!("{line}\n"))
}
