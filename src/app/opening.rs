//! Opening a view on the article's published runs: what `--article` does at launch and the
//! tour does for its gallery and phase-diagram chapters ([`open_article`]).

use super::action::Command;
use super::article::no_article_grid;
use super::state::{App, find};

/// Set `view` up to show the article's runs (the sweep view on `parity-v4`, the gallery on
/// its 450 runs), reading them if not read yet; why not, for a view without an article grid.
pub fn prepare_article(app: &mut App, view: &str) -> Result<(), String> {
    app.prepare_article(view)
}

/// Open `view` on the article's runs ([`prepare_article`], then show it): the commands for the
/// trainer and the sweeps, or why not. The one way in for `--article` and the tour.
pub fn open_article(app: &mut App, view: &str) -> Result<Vec<Command>, String> {
    prepare_article(app, view)?;
    let v = find(view).ok_or_else(|| no_article_grid(view))?;
    Ok(app.show(v))
}
