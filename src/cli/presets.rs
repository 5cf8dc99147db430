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
    use std::fmt::Write;
    let mut out = String::new();
    for p in presets::all() {
        if args.json {
            let line = serde_json::json!({
                "name": p.name,
                "shows": p.shows,
                "source": p.source,
                "config": p.config,
            });
            let _ = writeln!(out, "{line}");
        } else {
            let _ = writeln!(out, "{:<22} {}", p.name, p.shows);
            let _ = writeln!(out, "{:<22} {}", "", p.config.describe());
            let _ = writeln!(
                out,
                "{:<22} {} steps; source: {}",
                "", p.config.steps, p.source
            );
            out.push('\n');
        }
    }
    if !args.json {
        out.push_str(
            "Sources that name searches/ or the README point into grokscope's source \
             repository (its grid files, counts and scripts); an installed binary does not \
             carry them.\n",
        );
    }
    super::print_out(&out)
}
