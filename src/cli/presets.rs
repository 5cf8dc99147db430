//! `grokscope presets`: the presets and their settings.

use super::Failure;
use crate::train::presets;
use clap::Args;

#[derive(Args, Debug)]
pub struct PresetsArgs {
    /// Print each preset as a JSON line with its full configuration
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: PresetsArgs) -> Result<(), Failure> {
    for p in presets::all() {
        if args.json {
            let line = serde_json::json!({
                "name": p.name,
                "shows": p.shows,
                "source": p.source,
                "config": p.config,
            });
            println!("{line}");
        } else {
            println!("{:<22} {}", p.name, p.shows);
            println!("{:<22} {}", "", p.config.describe());
            println!("{:<22} {} steps; source: {}", "", p.config.steps, p.source);
            println!();
        }
    }
    Ok(())
}
