//! The mechanism view: how the model on screen computes (waves, stars, logits, DFT). It owns
//! what it shows — the pair (a, b), the matrix, the waves' form and the page — and answers
//! its own keys; the training keys it does not bind (pause, scrub, the selected neuron) act
//! as in the training view.

use super::super::action::{Action, Command, MechanismChange};
use super::super::keys::{
    Binding, Key, bind, ctrl_quit, help_key, pause_key, quit_key, scrub_keys,
};
use super::super::shared::Shared;
use crate::ui::mechanism::{Choice, PAGES};
use crossterm::event::KeyCode;

/// What the view shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mechanism {
    /// The pair whose logits are drawn (taken mod P).
    pub a: usize,
    pub b: usize,
    /// Waves (and, where only one fits, stars and heatmap) of W_output rather than W_input.
    pub output: bool,
    /// Waves plotted against k·x mod P.
    pub unwrapped: bool,
    /// The page on screen when the panels do not all fit.
    pub page: usize,
    /// Frequency groups stepped (`n` / `N`) from the first on screen.
    pub freq: isize,
    /// The neuron selection moved: the waves and stars start at its group.
    pub follow: bool,
}

impl Default for Mechanism {
    /// The article's pair: 13 + 19.
    fn default() -> Self {
        Mechanism {
            a: 13,
            b: 19,
            output: false,
            unwrapped: false,
            page: 0,
            freq: 0,
            follow: false,
        }
    }
}

fn step(v: usize, up: bool, n: usize) -> usize {
    let v = v % n;
    if up { (v + 1) % n } else { (v + n - 1) % n }
}

impl Mechanism {
    /// What the renderer draws.
    pub fn choice(&self) -> Choice {
        Choice {
            a: self.a,
            b: self.b,
            output: self.output,
            unwrapped: self.unwrapped,
            page: self.page,
            freq: self.freq,
            follow: self.follow,
        }
    }

    /// The view's own actions; everything else is the training view's.
    /// A new neuron selection (`[` `]`, answered by the training view) also brings its
    /// frequency group to the waves and stars.
    pub fn update(&mut self, s: &mut Shared, action: &Action) -> Option<Vec<Command>> {
        if matches!(action, Action::NextNeuron | Action::PrevNeuron) {
            (self.follow, self.freq) = (true, 0);
            return None;
        }
        let Action::Mechanism(change) = action else {
            return None;
        };
        let p = s.snapshot.config.modulus.max(1);
        match *change {
            MechanismChange::A(up) => self.a = step(self.a, up, p),
            MechanismChange::B(up) => self.b = step(self.b, up, p),
            MechanismChange::Output => self.output = !self.output,
            MechanismChange::Unwrap => self.unwrapped = !self.unwrapped,
            MechanismChange::Page(up) => {
                self.page = step(self.page, up, PAGES);
                // From 120×40 every panel shows at once: the page only counts below.
                s.message = Some(format!(
                    "page {} of {PAGES} (below 120×40; larger, every panel shows)",
                    self.page + 1
                ));
            }
            MechanismChange::Freq(up) => self.freq += if up { 1 } else { -1 },
        }
        Some(Vec::new())
    }
}

/// The mechanism view: how the model on screen computes. The training keys it does not bind
/// (pause, scrub, restart, presets, the selected neuron) act as in the training view.
pub static KEYS: [Binding<Mechanism>; 12] = [
    bind(
        &[Key::char('m'), Key::code(KeyCode::Esc)],
        |k| match k.code {
            KeyCode::Esc => Action::Back,
            _ => Action::ToggleView("mechanism"),
        },
        "m / Esc",
        "back to the training view",
        Some(("m", "training view")),
    ),
    bind(
        &[Key::char('a'), Key::char('A')],
        |k| Action::Mechanism(MechanismChange::A(k.code == KeyCode::Char('a'))),
        "a / A",
        "next / previous a of the pair drawn",
        Some(("a/A b/B", "pair")),
    ),
    bind(
        &[Key::char('b'), Key::char('B')],
        |k| Action::Mechanism(MechanismChange::B(k.code == KeyCode::Char('b'))),
        "b / B",
        "next / previous b",
        None,
    ),
    bind(
        &[Key::char('o')],
        |_| Action::Mechanism(MechanismChange::Output),
        "o",
        "W_output / W_input (waves; stars, DFT if one fits)",
        Some(("o", "W_in/W_out")),
    ),
    bind(
        &[Key::char('u')],
        |_| Action::Mechanism(MechanismChange::Unwrap),
        "u",
        "unwrapped waves: against k·a mod P",
        Some(("u", "unwrap")),
    ),
    bind(
        &[Key::char('n'), Key::char('N')],
        |k| Action::Mechanism(MechanismChange::Freq(k.code == KeyCode::Char('n'))),
        "n / N",
        "next / previous frequency group (waves, stars)",
        Some(("n", "next k")),
    ),
    bind(
        &[Key::char('f'), Key::char('F')],
        |k| Action::Mechanism(MechanismChange::Page(k.code == KeyCode::Char('f'))),
        "f / F",
        "next / previous page (below 120×40)",
        Some(("f", "page")),
    ),
    pause_key(),
    scrub_keys("when paused: scrub back through the run"),
    help_key(Some(("?", "help"))),
    quit_key(Some(("q", "quit"))),
    ctrl_quit(),
];
