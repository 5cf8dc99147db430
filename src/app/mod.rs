//! The dashboard: app state, actions and the event loop.

use crate::cli::{run, Failure, TrainArgs};

/// Open the dashboard on the preset and overrides in `train`, redrawing at `fps`.
pub fn launch(train: TrainArgs, fps: u32) -> Result<(), Failure> {
    let _ = fps;
    train.config()?;
    eprintln!("grokscope: the dashboard is not built yet; running `grokscope run` instead");
    run::run(run::RunArgs::with_train(train))
}
