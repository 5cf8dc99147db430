//! `grokscope bench`: training steps per second, median of several timed repeats, with no
//! evaluation in the timed loop.

use super::{Failure, TrainArgs};
use crate::train::{Run, Stopwatch, Trainer};
use clap::Args;

#[derive(Args, Debug)]
pub struct BenchArgs {
    #[command(flatten)]
    pub train: TrainArgs,
    /// Timed repeats; the reported figure is their median
    #[arg(long, default_value_t = 5)]
    pub repeats: usize,
}

pub fn run(args: BenchArgs) -> Result<(), Failure> {
    let mut train = args.train.clone();
    // Bench times steps, not a whole run: default to 1,000 steps per repeat.
    let steps = train.steps.take().unwrap_or(1_000);
    if steps == 0 {
        return Err(Failure::usage("--steps must be at least 1 for a benchmark"));
    }
    if args.repeats == 0 {
        return Err(Failure::usage("--repeats must be at least 1"));
    }
    let cfg = train.config()?;
    let threads = train.threads()?;
    let mut run = Run::new(Trainer::new(cfg, threads)?, u64::MAX);
    // Warm up caches, the thread pool and the CPU clock.
    for _ in 0..steps.min(200) {
        run.step_unevaluated().map_err(Failure::failed)?;
    }
    let mut rates = Vec::with_capacity(args.repeats);
    for _ in 0..args.repeats {
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
        "steps_per_s": (median * 10.0).round() / 10.0,
        "repeats": rates.iter().map(|r| (r * 10.0).round() / 10.0).collect::<Vec<_>>(),
    });
    super::print_out(&format!("{line}\n"))
}
