//! The appendix view: the circle built by hand. Its state: the parameters of the hand-built circle (M, N, activation,
//! a, b), the one selected, the frequency group taken from the training run, and the
//! constructions built so far (memoized on `(M, N, activation)`: scoring all pairs is `M³`
//! logits, about a second at `M = 500`, so a frame never rebuilds it, and moving a or b
//! never does).

use super::super::action::{Action, Command};
use super::super::keys::{Binding, Key, bind, ctrl_quit, help_key, quit_key, select_keys};
use super::super::shared::Shared;
use crate::analysis::AnalysisError;
use crate::analysis::construct::{Construction, MAX_MODULUS};
use crate::train::{Activation, Op, TaskKind};
use crate::ui::appendix::{Learned, ParamRow, Scene};
use crossterm::event::KeyCode;
use std::cell::RefCell;
use std::sync::Arc;

/// The most neurons the view offers (the known answers cover 5..=64).
pub const MAX_NEURONS: usize = 64;

/// Constructions kept: the one on screen and the last few, so toggling back is instant.
const KEPT: usize = 3;

/// The parameters ↑ ↓ select.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Param {
    Modulus,
    Neurons,
    Activation,
    A,
    B,
}

const PARAMS: [Param; 5] = [
    Param::Modulus,
    Param::Neurons,
    Param::Activation,
    Param::A,
    Param::B,
];

#[derive(Debug)]
pub struct Appendix {
    pub modulus: usize,
    pub neurons: usize,
    pub activation: Activation,
    pub a: usize,
    pub b: usize,
    pub selected: Param,
    /// The training run's frequency group taken with `t`, drawn beside the construction.
    pub learned: Option<usize>,
    cache: RefCell<Vec<Arc<Construction>>>,
}

impl Default for Appendix {
    /// The article's opening picture: M = 67, five ReLU neurons, 2 + 12.
    fn default() -> Self {
        Appendix {
            modulus: 67,
            neurons: 5,
            activation: Activation::Relu,
            a: 2,
            b: 12,
            selected: Param::Modulus,
            learned: None,
            cache: RefCell::new(Vec::new()),
        }
    }
}

impl Appendix {
    /// The construction of the current `(M, N, activation)`, built once and kept.
    pub fn construction(&self) -> Result<Arc<Construction>, AnalysisError> {
        let key = (self.modulus, self.neurons, self.activation);
        let mut cache = self.cache.borrow_mut();
        if let Some(i) = cache
            .iter()
            .position(|c| (c.modulus, c.neurons, c.activation) == key)
        {
            let c = cache.remove(i);
            cache.push(c.clone());
            return Ok(c);
        }
        let c = Arc::new(Construction::new(key.0, key.1, key.2)?);
        if cache.len() == KEPT {
            cache.remove(0);
        }
        cache.push(c.clone());
        Ok(c)
    }

    /// How many constructions have been built and kept (for the memo's test).
    pub fn kept(&self) -> usize {
        self.cache.borrow().len()
    }

    fn step(&mut self, up: bool) {
        let m = self.modulus;
        match self.selected {
            Param::Modulus => {
                self.modulus = if up {
                    (m + 1).min(MAX_MODULUS)
                } else {
                    (m - 1).max(2)
                };
                self.a %= self.modulus;
                self.b %= self.modulus;
            }
            Param::Neurons => {
                self.neurons = if up {
                    (self.neurons + 1).min(MAX_NEURONS)
                } else {
                    (self.neurons - 1).max(1)
                }
            }
            Param::Activation => {
                self.activation = match self.activation {
                    Activation::Relu => Activation::Square,
                    Activation::Square => Activation::Relu,
                }
            }
            Param::A => {
                self.a = if up {
                    (self.a + 1) % m
                } else {
                    (self.a + m - 1) % m
                }
            }
            Param::B => {
                self.b = if up {
                    (self.b + 1) % m
                } else {
                    (self.b + m - 1) % m
                }
            }
        }
    }

    fn rows(&self) -> Vec<ParamRow> {
        PARAMS
            .iter()
            .map(|&p| {
                let (key, label, value) = match p {
                    Param::Modulus => ("M", "modulus", self.modulus.to_string()),
                    Param::Neurons => ("N", "neurons", self.neurons.to_string()),
                    Param::Activation => ("act", "activation", activation_name(self.activation)),
                    Param::A => ("a", "input a", self.a.to_string()),
                    Param::B => ("b", "input b", self.b.to_string()),
                };
                ParamRow {
                    key,
                    label,
                    value,
                    selected: p == self.selected,
                }
            })
            .collect()
    }
}

/// How the view names an activation.
pub fn activation_name(a: Activation) -> String {
    match a {
        Activation::Relu => "ReLU".into(),
        Activation::Square => "x²".into(),
    }
}

/// The running model's frequency groups: each key frequency (largest norm first) with the
/// number of neurons whose dominant frequency it is, groups without neurons left out.
fn groups(s: &Shared) -> Result<Vec<(usize, usize)>, String> {
    let cfg = &s.snapshot.config;
    if cfg.task != TaskKind::Modular || cfg.op != Op::Add {
        return Err("t takes M and N from a modular-addition run (this one is not)".into());
    }
    let spectrum = s
        .frame()
        .and_then(|f| f.readings.spectrum())
        .ok_or("t: the run has no spectrum yet")?;
    let groups: Vec<(usize, usize)> = spectrum
        .spectrum
        .key_frequencies
        .iter()
        .map(|&k| {
            (
                k,
                spectrum.neurons.iter().filter(|n| n.frequency == k).count(),
            )
        })
        .filter(|&(_, n)| n > 0)
        .collect();
    if groups.is_empty() {
        return Err("t: no frequency group has neurons yet".into());
    }
    Ok(groups)
}

/// `t`: M from the run's modulus, N from the size of its next frequency group.
fn take(ap: &mut Appendix, s: &mut Shared) {
    let groups = match groups(s) {
        Ok(g) => g,
        Err(why) => {
            s.message = Some(why);
            return;
        }
    };
    let next = ap
        .learned
        .and_then(|k| groups.iter().position(|&(g, _)| g == k))
        .map_or(0, |i| (i + 1) % groups.len());
    let (k, count) = groups[next];
    ap.modulus = s.snapshot.config.modulus.clamp(2, MAX_MODULUS);
    ap.neurons = count.clamp(1, MAX_NEURONS);
    ap.a %= ap.modulus;
    ap.b %= ap.modulus;
    ap.learned = Some(k);
    s.message = Some(format!(
        "M = {} and N = {} from the run: frequency {k}'s {count} neurons (t: group {} of {})",
        ap.modulus,
        ap.neurons,
        next + 1,
        groups.len()
    ));
}

impl Appendix {
    /// The view's own actions; `None` leaves the action to the dashboard.
    pub fn update(&mut self, s: &mut Shared, action: &Action) -> Option<Vec<Command>> {
        let n = PARAMS.len();
        let at = PARAMS.iter().position(|&p| p == self.selected).unwrap_or(0);
        match action {
            Action::SelectNext => self.selected = PARAMS[(at + 1) % n],
            Action::SelectPrev => self.selected = PARAMS[(at + n - 1) % n],
            Action::Increase | Action::Decrease => self.step(matches!(action, Action::Increase)),
            Action::TakeModel => take(self, s),
            _ => return None,
        }
        Some(Vec::new())
    }
}

/// The learned star of the group taken with `t`, from the frame on screen: each neuron of
/// that frequency as its (cos, sin) Fourier coefficient pair of W_input.
fn learned(ap: &Appendix, s: &Shared) -> Option<Learned> {
    let k = ap.learned?;
    let spectrum = s.frame()?.readings.spectrum()?;
    Some(Learned {
        frequency: k,
        points: spectrum
            .neurons
            .iter()
            .filter(|n| n.frequency == k)
            .map(|n| [n.magnitude * n.phase.cos(), n.magnitude * n.phase.sin()])
            .collect(),
    })
}

/// Draw the view.
pub fn render(
    f: &mut ratatui::Frame,
    ap: &Appendix,
    s: &Shared,
    theme: &crate::ui::Theme,
    footer: &crate::ui::Footer,
) {
    match ap.construction() {
        Ok(c) => {
            let scene = Scene {
                construction: &c,
                a: ap.a,
                b: ap.b,
                params: ap.rows(),
                learned: learned(ap, s),
                theme,
            };
            crate::ui::appendix::render(f, &scene, footer);
        }
        Err(e) => {
            let notice = crate::ui::notice::Scene {
                title: "appendix",
                why: format!("the construction cannot be built: {e}"),
                theme,
            };
            crate::ui::notice::render(f, &notice, footer);
        }
    }
}

/// The appendix view: the hand-built circle's parameters.
pub static KEYS: [Binding<Appendix>; 7] = [
    bind(
        &[Key::char('x'), Key::code(KeyCode::Esc)],
        |k| match k.code {
            KeyCode::Esc => Action::Back,
            _ => Action::ToggleView("appendix"),
        },
        "x / Esc",
        "back to the training view",
        Some(("x", "training view")),
    ),
    select_keys("select a parameter: M, N, activation, a, b"),
    bind(
        &[
            Key::char('+'),
            Key::char('='),
            Key::code(KeyCode::Right),
            Key::char('-'),
            Key::char('_'),
            Key::code(KeyCode::Left),
        ],
        |k| match k.code {
            KeyCode::Char('-' | '_') | KeyCode::Left => Action::Decrease,
            _ => Action::Increase,
        },
        "+ - / ← →",
        "change it (M 2…500, N 1…64; a, b wrap)",
        Some(("+- ←→", "change")),
    ),
    bind(
        &[Key::char('t')],
        |_| Action::TakeModel,
        "t",
        "take M and N from the run's next frequency group",
        Some(("t", "take from run")),
    ),
    help_key(Some(("?", "help"))),
    quit_key(Some(("q", "quit"))),
    ctrl_quit(),
];
