//! A recorded run played as though it were training: the frames a kept run holds (`run.json`
//! and `frames.bin`, the files `grokscope run --out` writes), re-probed as [`Replay`] does, and
//! published step by step as the dashboard's session publishes them. The test harness draws
//! the views from these recordings (the fixtures under `tests/fixtures/`), so what a rendered
//! frame shows does not depend on the arithmetic of the machine that runs the tests.
//! [`record`] writes one from a live session's snapshot.

use super::action::Command;
use super::replay::Replay;
use super::session::{Clock, MAX_FRAMES, Snapshot, Status, eval_interval};
use crate::train::Config;
use crate::train::keep::{FrameWriter, RunFile};
use std::path::Path;

/// A recording and the step it has been played to.
pub struct Recorded {
    /// Every recorded frame, read and probed.
    all: Snapshot,
    /// The step played to.
    step: u64,
    /// The last step the recording covers: its last frame, or the step before the next frame
    /// would have come.
    end: u64,
    paused: bool,
    pub message: Option<String>,
}

/// Why `dir` cannot be played.
fn unplayable(dir: &Path, why: impl std::fmt::Display) -> super::Error {
    super::Error::Usage(format!("cannot play {}: {why}", dir.display()))
}

impl Recorded {
    /// Open the recording in `dir` at its step 0. Refuses one whose frames are not every step
    /// the dashboard evaluates (the start, every [`eval_interval`] steps, the last step), or
    /// that holds more than the session keeps: those the live session would not have shown.
    pub fn open(dir: &Path) -> Result<Self, super::Error> {
        let all = Replay::open(dir)?.snapshot(Some(Clock::default()));
        let (steps, every) = (all.config.steps, eval_interval(&all.config));
        let cadence = (0..).map(|i| (i * every).min(steps));
        if let Some((m, want)) = all.history.iter().zip(cadence).find(|(m, w)| m.step != *w) {
            let why = format!(
                "a frame at step {} where the dashboard evaluates step {want} (every {every})",
                m.step
            );
            return Err(unplayable(dir, why));
        }
        if all.history.len() > MAX_FRAMES {
            return Err(unplayable(dir, format!("more than {MAX_FRAMES} frames")));
        }
        let Some(last) = all.history.last().map(|m| m.step) else {
            return Err(unplayable(dir, "it holds no frame"));
        };
        Ok(Recorded {
            end: if last >= steps {
                steps
            } else {
                (last + every - 1).min(steps - 1)
            },
            all,
            step: 0,
            paused: false,
            message: None,
        })
    }

    pub fn config(&self) -> &Config {
        &self.all.config
    }

    fn finished(&self) -> bool {
        self.step >= self.all.config.steps
    }

    /// Play up to `n` more steps, as the runner trains them: none while paused, none past the
    /// run's end. Panics past the end of the recording: the test asks for frames it lacks.
    pub fn train(&mut self, n: u64) {
        if self.paused || self.finished() {
            return;
        }
        let to = (self.step + n).min(self.all.config.steps);
        assert!(
            to <= self.end,
            "the recording {} ends at step {}; step {to} needs a longer one",
            self.all.config.preset,
            self.end
        );
        self.step = to;
    }

    /// Apply a command as the runner would; false for a restart, which trains a new run (the
    /// harness hands it to its runner). A recording neither saves nor pauses at a step: it
    /// says so.
    pub fn handle(&mut self, cmd: &Command) -> bool {
        match cmd {
            Command::Pause => self.paused = !self.finished(),
            Command::Resume => self.paused = false,
            Command::Restart(_) => return false,
            Command::Save(_) | Command::PauseAt { .. } => {
                self.message = Some("a recorded run neither saves nor pauses at a step".into())
            }
            Command::Quit | Command::RunSweep { .. } | Command::PauseSweeps => {}
        }
        true
    }

    /// What the live session publishes at the step played to.
    pub fn snapshot(&self, clock: Clock) -> Snapshot {
        let status = if self.finished() {
            Status::Finished
        } else if self.paused {
            Status::Paused
        } else {
            Status::Running
        };
        let upto = |s: u64| s <= self.step;
        Snapshot {
            config: self.all.config.clone(),
            run: self.all.run,
            step: self.step,
            history: self
                .all
                .history
                .iter()
                .copied()
                .filter(|m| upto(m.step))
                .collect(),
            frames: self
                .all
                .frames
                .iter()
                .filter(|f| upto(f.step()))
                .cloned()
                .collect(),
            status,
            clock,
            message: self.message.clone(),
            compare: None,
        }
    }
}

/// Keep every frame of a live session's snapshot in `dir` as a recording [`Recorded::open`]
/// plays: `run.json` and `frames.bin` (their elapsed times 0), built aside in `DIR.new` and
/// renamed into place. Refused when the session has dropped frames (past [`MAX_FRAMES`]).
pub fn record(snap: &Snapshot, dir: &Path) -> Result<(), super::Error> {
    let failed = |e: &dyn std::fmt::Display| {
        super::Error::Failed(format!("cannot record into {}: {e}", dir.display()))
    };
    let kept: Vec<_> = snap.frames.iter().map(|f| f.metrics).collect();
    if kept != snap.history {
        return Err(failed(
            &"the session dropped frames (a shorter run keeps them all)",
        ));
    }
    let Some(first) = snap.frames.first() else {
        return Err(failed(&"the session has no frame"));
    };
    let every = eval_interval(&snap.config);
    let mut aside = dir.as_os_str().to_owned();
    aside.push(".new");
    let aside = std::path::PathBuf::from(aside);
    let _ = std::fs::remove_dir_all(&aside);
    std::fs::create_dir_all(&aside).map_err(|e| failed(&e))?;
    // The recording keeps frames at the metrics interval, and no metrics file of its own.
    let run_file = RunFile::new(&snap.config, every, every, "jsonl").to_json();
    crate::train::checkpoint::write_atomic(&aside.join("run.json"), run_file.as_bytes())
        .map_err(|e| failed(&e))?;
    let frames = aside.join("frames.bin");
    let mut w = FrameWriter::create(&frames, &snap.config, every, &first.weights)
        .map_err(|e| failed(&e))?;
    for f in &snap.frames {
        w.append(&f.metrics, 0.0, &f.weights)
            .map_err(|e| failed(&e))?;
    }
    w.sync().map_err(|e| failed(&e))?;
    let _ = std::fs::remove_dir_all(dir);
    std::fs::rename(&aside, dir).map_err(|e| failed(&e))
}
