//! The tour (`grokscope tour`, `t` in the training view): the article's story as chapters
//! ([`super::chapters`]), each setting up the dashboard — the run, the view, the panel —
//! and marking the run's moments on its charts ([`crate::sweep::Moment`]) with keys that
//! scrub to them. The tour is shown over the view its chapter set up, as the help is: that
//! view's keys and the training keys all work inside a chapter, and Esc leaves the tour
//! with the dashboard as it stands. Its own keys come first ([`KEYS`]).

use super::super::action::{Action, Command, Scrub, TourChange};
use super::super::grids::VIEW_GRIDS;
use super::super::keys::{Binding, DIGITS, Key, bind, concat, ctrl_quit, help_key, quit_key};
use super::super::shared::Shared;
use super::chapters::{CHAPTERS, Chapter, Panel};
use super::mechanism::Mechanism;
use super::scrub;
use super::sweep::SweepView;
use super::training::{self, Training};
use crate::snapshot::Snapshot;
use crate::sweep::{Curves, Point};
use crate::ui::Callout;
use crate::ui::heatmap::Focus;
use crate::ui::tour::{Mark, Scene};
use crossterm::event::KeyCode;
use std::cell::Cell;

/// The keys that scrub to a chapter's moments, in the order of its moments.
pub const JUMP_KEYS: [char; 4] = ['Z', 'X', 'C', 'V'];

/// The tour's state.
#[derive(Debug, Default)]
pub struct Tour {
    /// The tour is on screen.
    pub on: bool,
    /// The chapter shown (or last shown), an index into [`CHAPTERS`].
    pub chapter: usize,
    /// The chapter's text is shown: beside the dashboard where there is room, else as a
    /// page of its own in place of the dashboard (`i` toggles it).
    pub text: bool,
    /// The run whose moments are marked: the one on screen while the tour is, and after
    /// leaving it, for as long as that run lasts.
    pub run: Option<u64>,
    /// The last frame had no room beside the dashboard (the text is a page): a jump then
    /// shows the dashboard. Set when drawn.
    pub paged: Cell<bool>,
}

/// The parts of the dashboard a chapter sets up.
pub struct Parts<'a> {
    pub shared: &'a mut Shared,
    pub training: &'a mut Training,
    pub mechanism: &'a mut Mechanism,
    pub sweep: &'a mut SweepView,
    /// The name of the view on screen.
    pub view: &'static str,
}

impl Tour {
    /// The chapter shown.
    pub fn current(&self) -> &'static Chapter {
        &CHAPTERS[self.chapter.min(CHAPTERS.len() - 1)]
    }

    /// The tour's keys.
    pub fn update(&mut self, p: Parts, change: TourChange) -> Vec<Command> {
        let n = CHAPTERS.len();
        match change {
            TourChange::Open => self.open(p, self.chapter),
            TourChange::Next if self.chapter + 1 < n => self.open(p, self.chapter + 1),
            TourChange::Prev if self.chapter > 0 => self.open(p, self.chapter - 1),
            TourChange::Go(i) if i < n => self.open(p, i),
            TourChange::Next | TourChange::Prev | TourChange::Go(_) => {
                p.shared.message = Some(format!("the tour has chapters 1 to {n}"));
                Vec::new()
            }
            TourChange::Jump(i) => self.jump(p, i),
            TourChange::Page => {
                self.text = !self.text;
                Vec::new()
            }
            TourChange::Leave if p.shared.help => {
                p.shared.help = false;
                Vec::new()
            }
            TourChange::Leave => {
                self.on = false;
                p.shared.message = Some("left the tour: t in the training view goes back".into());
                Vec::new()
            }
        }
    }

    /// Show chapter `i`: its run (restarted only where the one training differs), its
    /// view and the panel it points at.
    fn open(&mut self, p: Parts, i: usize) -> Vec<Command> {
        let ch = &CHAPTERS[i];
        (self.on, self.chapter, self.text) = (true, i, true);
        let s = p.shared;
        s.help = false;
        let cfg = ch.setup.config();
        let cmds = if s.snapshot.config != cfg {
            if let Some(k) = s.presets.iter().position(|pr| pr.name == ch.setup.preset) {
                s.preset = k;
            }
            s.draft = cfg;
            training::restart(s)
        } else {
            Vec::new()
        };
        match ch.setup.panel {
            Panel::Heatmap | Panel::Parity | Panel::Circle => p.training.heat_focus = Focus::Both,
            Panel::Waves | Panel::Stars => p.mechanism.page = 0,
            Panel::Logits => p.mechanism.page = 1,
            Panel::Charts | Panel::Diagram | Panel::Gallery | Panel::Construction => {}
        }
        if let Some(k) = ch
            .setup
            .grid
            .and_then(|g| VIEW_GRIDS.iter().position(|&name| name == g))
        {
            p.sweep.current = k;
        }
        // `ch.setup.article`: the app sets the sweep or gallery view on the article's
        // published runs after this update (App::prepare_article).
        s.show = Some(ch.setup.view);
        s.message = Some(format!(
            "chapter {} of {}: {}",
            i + 1,
            CHAPTERS.len(),
            ch.title
        ));
        cmds
    }

    /// Scrub the run to the chapter's moment `i`, in the training view when the view on
    /// screen does not draw the run (a sweep, the gallery, the hand-built circle).
    fn jump(&mut self, p: Parts, i: usize) -> Vec<Command> {
        let ch = self.current();
        let Some(&moment) = ch.moments.get(i) else {
            p.shared.message = Some(format!("this chapter marks {} moments", ch.moments.len()));
            return Vec::new();
        };
        let s = p.shared;
        let elsewhere = matches!(p.view, "sweep" | "gallery" | "appendix");
        let Some(step) = moment.find(&curves_of(&s.snapshot).view()) else {
            let why = if elsewhere {
                // To the training view, where the run trains (a view of other runs paused
                // it).
                s.show = Some("training");
                "not reached yet; the run trains here"
            } else {
                "not reached yet in this run"
            };
            s.message = Some(format!("{}: {why}", moment.label()));
            return Vec::new();
        };
        if self.paged.get() {
            self.text = false;
        }
        if elsewhere {
            // The run, paused for that view, stays paused at the moment: leaving the view
            // does not resume it.
            if std::mem::take(&mut s.resume_training) {
                s.paused = true;
            }
            s.show = Some("training");
        }
        let cmds = scrub::seek(s, Scrub::To(step));
        s.message = Some(format!(
            "{} at step {}",
            moment.label(),
            crate::ui::thousands(step)
        ));
        cmds
    }

    /// Mark the chapter's moments on the run's charts ([`Shared::callouts`]): while the tour
    /// is on, and after it for as long as the same run lasts; then the marks go.
    pub fn refresh(&mut self, s: &mut Shared) {
        let run = s.snapshot.run;
        if self.on {
            self.run = Some(run);
        }
        match self.run {
            Some(r) if r == run => {
                let found = found(self.current(), &s.snapshot);
                let mut marks: Vec<Callout> = self
                    .current()
                    .moments
                    .iter()
                    .zip(found)
                    .filter_map(|(m, step)| {
                        step.map(|step| Callout {
                            step,
                            label: m.label(),
                        })
                    })
                    .collect();
                marks.sort_by_key(|c| c.step);
                s.callouts = marks;
            }
            Some(_) => {
                self.run = None;
                s.callouts.clear();
            }
            None => {}
        }
    }

    /// What the tour's panel draws, over `view` (the name of the view on screen).
    pub fn scene(&self, s: &Shared, view: &str) -> Scene<'static> {
        let ch = self.current();
        let marks = ch
            .moments
            .iter()
            .zip(found(ch, &s.snapshot))
            .zip(JUMP_KEYS)
            .map(|((m, step), key)| Mark {
                key,
                label: m.label(),
                step,
            })
            .collect();
        Scene {
            number: self.chapter + 1,
            total: CHAPTERS.len(),
            title: ch.title,
            question: ch.question,
            text: ch.text,
            watch: ch.setup.panel.name(),
            marks,
            try_it: ch.try_it,
            run_chart: view != "training",
        }
    }
}

/// The step each of the chapter's moments is reached in `snap`, in the chapter's order.
pub fn found(ch: &Chapter, snap: &Snapshot) -> Vec<Option<u64>> {
    let c = curves_of(snap);
    ch.moments.iter().map(|m| m.find(&c.view())).collect()
}

/// A run's curves as the moments read them.
pub struct Owned {
    points: Vec<Point>,
    distractors: Vec<(u64, f64)>,
    keys: Vec<(u64, Vec<usize>)>,
}

impl Owned {
    pub fn view(&self) -> Curves<'_> {
        Curves {
            points: &self.points,
            distractors: &self.distractors,
            keys: &self.keys,
        }
    }
}

/// The curves of the run in `snap`: its logged metrics, and per weight frame the
/// distracting digits' share (1 − the informative share) and the key frequencies.
pub fn curves_of(snap: &Snapshot) -> Owned {
    let points = snap
        .history
        .iter()
        .map(|m| Point {
            step: m.step,
            train_loss: m.train_loss,
            test_loss: m.test_loss,
            train_acc: m.train_acc,
            test_acc: m.test_acc,
        })
        .collect();
    let frames = &snap.frames;
    let distractors = frames
        .iter()
        .filter_map(|f| {
            let r = f.readings.parity()?;
            Some((f.step(), 1.0 - r.readout.informative_share))
        })
        .collect();
    let keys = frames
        .iter()
        .filter_map(|f| {
            let r = f.readings.spectrum()?;
            Some((f.step(), r.spectrum.key_frequencies.clone()))
        })
        .collect();
    Owned {
        points,
        distractors,
        keys,
    }
}

const NEXT: [Key; 2] = [Key::char('n'), Key::code(KeyCode::Right)];
const PREV: [Key; 2] = [Key::char('p'), Key::code(KeyCode::Left)];
const CHAPTER_KEYS: [Key; 10] = concat(&[&DIGITS, &[Key::char('0')]]);
const JUMPS: [Key; 4] = [
    Key::char(JUMP_KEYS[0]),
    Key::char(JUMP_KEYS[1]),
    Key::char(JUMP_KEYS[2]),
    Key::char(JUMP_KEYS[3]),
];

fn chapter_key(k: Key) -> Action {
    Action::Tour(TourChange::Go(match k.code {
        KeyCode::Char(c @ '1'..='9') => c as usize - '1' as usize,
        _ => 9,
    }))
}

fn jump_key(k: Key) -> Action {
    let i = JUMPS.iter().position(|&j| j == k).unwrap_or(0);
    Action::Tour(TourChange::Jump(i))
}

/// The tour's keys, before those of the view on screen (which work as ever, but for these).
pub static KEYS: [Binding<Tour>; 9] = [
    bind(
        &NEXT,
        |_| Action::Tour(TourChange::Next),
        "n / →",
        "next chapter",
        Some(("n/p", "chapter")),
    ),
    bind(
        &PREV,
        |_| Action::Tour(TourChange::Prev),
        "p / ←",
        "previous chapter",
        None,
    ),
    bind(
        &CHAPTER_KEYS,
        chapter_key,
        "1 … 9, 0",
        "chapter 1 … 9, 0 for chapter 10",
        None,
    ),
    bind(
        &JUMPS,
        jump_key,
        "Z X C V",
        "scrub to the chapter's first … fourth marked moment",
        Some(("ZXCV", "moments")),
    ),
    bind(
        &[Key::char('i')],
        |_| Action::Tour(TourChange::Page),
        "i",
        "hide / show the chapter's text (a page of its own below 120×40)",
        Some(("i", "text")),
    ),
    bind(
        &[Key::code(KeyCode::Esc)],
        |_| Action::Tour(TourChange::Leave),
        "Esc",
        "leave the tour; the dashboard stays as the chapter set it up",
        Some(("Esc", "leave tour")),
    ),
    help_key(None),
    quit_key(None),
    ctrl_quit(),
];
