//! What the user (or the trainer, or a sweep) asks of the app — [`Action`] — and what the app
//! asks of the trainer and the event loop — [`Command`] — with the small enums they carry.
//! A leaf: every other file of `app/` may import it, it imports nothing from `app/`.

use crate::snapshot::Snapshot;
use crate::sweep::{Event, Runs};
use crate::train::Config;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use crate::sweep::Move;

/// What the user (or the trainer) asks the app to do.
#[derive(Clone, Debug)]
pub enum Action {
    Quit,
    TogglePause,
    /// Restart with the running settings (discarding unapplied edits).
    Restart,
    /// Restart with the edited settings.
    Apply,
    NextPreset,
    PrevPreset,
    /// Switch to preset number `i` (0-based, in `presets::all()` order).
    Preset(usize),
    SelectNext,
    SelectPrev,
    Increase,
    Decrease,
    Save,
    ScrubBack,
    ScrubForward,
    /// Appendix view: take M and N from the training run (its next frequency group).
    TakeModel,
    /// Select the next / previous hidden neuron (wrapping).
    NextNeuron,
    PrevNeuron,
    /// Jump, type a step, play: see [`Scrub`].
    Seek(Scrub),
    /// The event loop's clock, since it started (replays advance by it).
    Tick(Duration),
    ToggleHelp,
    /// With the help open: its next page (true) or the previous one (PgDn, PgUp).
    HelpPage(bool),
    /// Show the view of this name, or the home view if it is on screen already.
    ToggleView(&'static str),
    /// A key that does nothing where it is pressed: the footer says why.
    NotHere(&'static str),
    /// Esc: close the help, else go back to the home view, else nothing (it never quits).
    Back,
    /// Sweep view: show the next / previous grid.
    NextGrid,
    PrevGrid,
    /// Sweep and gallery views: pause or resume the sweep on screen.
    PauseSweep,
    /// Sweep view: page through the diagram's panels.
    PageBack,
    PageForward,
    /// Sweep view: move the cursor over the diagram's cells (or the listed runs).
    MoveCursor(Move),
    /// Sweep view: open / close the drill-down (the selected cell's runs as loss charts).
    ToggleDrill,
    /// Sweep view: move a class threshold (re-classifying every run on screen).
    Threshold(Nudge),
    /// Sweep and gallery views: the article's published runs of the grid on screen, or yours.
    ToggleArticle,
    /// Sweep view: show / hide the marks on cells where yours and the article's disagree.
    ToggleMarks,
    /// Mechanism view: a change of what it shows.
    Mechanism(MechanismChange),
    /// Hide or show the compared run (`replay DIR DIR2`).
    ToggleCompared,
    /// Training view: the heatmap's maps side by side, or one across the panel.
    HeatFocus,
    /// Training view: draw the article's gallery band behind the loss curves, or not.
    ToggleBand,
    /// Training view: zoom the step charts on a window around the step on screen, or not.
    ToggleZoom,
    /// Gallery view: move the selection, open the selected run.
    Gallery(GalleryChange),
    /// The tour: a chapter, a callout, its text page, leaving it.
    Tour(TourChange),
    /// The trainer published a new snapshot.
    Snapshot(Arc<Snapshot>),
    /// A sweep pool reported (grid name, report).
    SweepEvent(String, Event),
    /// Training time of a grid's sweep so far (pauses excluded).
    SweepClock(String, Duration),
}

impl Action {
    /// A training-view key's action on the training run (its settings, pause, scrubbing,
    /// selected neuron): views of other runs (the sweeps, the gallery) answer it by saying
    /// where it acts.
    pub fn acts_on_training_run(&self) -> bool {
        matches!(
            self,
            Action::TogglePause
                | Action::Restart
                | Action::Apply
                | Action::NextPreset
                | Action::PrevPreset
                | Action::Preset(_)
                | Action::SelectNext
                | Action::SelectPrev
                | Action::Increase
                | Action::Decrease
                | Action::Save
                | Action::ScrubBack
                | Action::ScrubForward
                | Action::NextNeuron
                | Action::PrevNeuron
                | Action::Seek(_)
                | Action::HeatFocus
                | Action::ToggleBand
                | Action::ToggleZoom
        )
    }
}

/// What the app asks of the trainer.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    Pause,
    Resume,
    Restart(Box<Config>),
    /// Pause the run once it reaches `step` (at once if it is there), saying `say`; a
    /// restart forgets it. The gallery sends it after a restart: "retrained seed 3 to …".
    PauseAt {
        step: u64,
        say: String,
    },
    /// Save a checkpoint into this directory, named after the preset and the step.
    Save(PathBuf),
    Quit,
    /// For the event loop, not the trainer: train these runs of the grid (resuming the
    /// grid's pool if it is only paused), pausing every other grid's.
    RunSweep {
        grid: String,
        runs: Runs,
        every: u64,
        jobs: usize,
    },
    /// For the event loop: pause every sweep pool.
    PauseSweeps,
}

/// A scrubbing request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scrub {
    /// 10 % of the run back / forward (PgUp, PgDn).
    PageBack,
    PageForward,
    /// The first kept frame (Home), the latest (End).
    Start,
    End,
    /// `g`: start typing a step number.
    Type,
    /// While typing: a digit, Backspace, Enter (jump), Esc (cancel), any other key.
    Digit(char),
    Erase,
    Go,
    Cancel,
    Other,
    /// The kept frame nearest to this step (a click on a chart).
    To(u64),
    /// Play the history forward from the frame on screen (or stop playing).
    Play,
    Slower,
    Faster,
}

/// A move of one of the class thresholds, as the article's sliders move them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nudge {
    /// The min-loss threshold (a loss at or below it counts as fitted) down / up.
    FitDown,
    FitUp,
    /// The test/train loss-ratio threshold (at or above it a fitted run groks) down / up.
    RatioDown,
    RatioUp,
    /// Both back to the article's.
    Reset,
}

/// A change the mechanism view's keys ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MechanismChange {
    /// a one up (`true`) or down, wrapping at P.
    A(bool),
    B(bool),
    /// W_input ↔ W_output.
    Output,
    /// Waves over x ↔ over k·x mod P.
    Unwrap,
    /// The next (`true`) or previous page of the compact layout.
    Page(bool),
    /// The next (`true`) or previous frequency group in the waves and stars.
    Freq(bool),
}

/// A change of the gallery's selection, or opening it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GalleryChange {
    Left,
    Right,
    Up,
    Down,
    PageBack,
    PageForward,
    First,
    Last,
    /// Move the step cursor every chart shows back / forward (it starts at the selected
    /// run's grok step), or take it away.
    StepBack,
    StepForward,
    StepOff,
    /// Open the selected run in the training view.
    Open,
}

/// What the tour's keys ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TourChange {
    /// Open the tour on the chapter it was last on (`t` in the training view).
    Open,
    Next,
    Prev,
    /// Chapter `i` (0-based).
    Go(usize),
    /// Scrub to the chapter's callout `i` (in its order).
    Jump(usize),
    /// Where the screen is too small for a side column: the chapter's text page, or the
    /// dashboard under it.
    Page,
    /// Leave the tour into the dashboard as the chapter set it up.
    Leave,
}
