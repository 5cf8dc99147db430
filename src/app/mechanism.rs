//! The mechanism view's answer to its keys: the pair (a, b), the matrix and the waves' form,
//! and the page on screen. What it shows lives in [`App::mechanism`]; the training keys
//! (pause, scrub, the selected neuron) fall through to the training view's table.

use super::state::{Action, App, Command};
use crate::ui::mechanism::PAGES;

/// A change the mechanism view's keys ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// a one up (`true`) or down, wrapping at P.
    A(bool),
    B(bool),
    /// W_input ↔ W_output.
    Output,
    /// Waves over x ↔ over k·x mod P.
    Unwrap,
    /// The next (`true`) or previous page of the compact layout.
    Page(bool),
}

fn step(v: usize, up: bool, n: usize) -> usize {
    let v = v % n;
    if up { (v + 1) % n } else { (v + n - 1) % n }
}

/// The view's own actions; everything else is the training view's.
pub(super) fn update(app: &mut App, action: &Action) -> Option<Vec<Command>> {
    let Action::Mechanism(change) = action else {
        return None;
    };
    let p = app.snapshot.config.modulus.max(1);
    let c = &mut app.mechanism;
    match *change {
        Change::A(up) => c.a = step(c.a, up, p),
        Change::B(up) => c.b = step(c.b, up, p),
        Change::Output => c.output = !c.output,
        Change::Unwrap => c.unwrapped = !c.unwrapped,
        Change::Page(up) => c.page = step(c.page, up, PAGES),
    }
    Some(Vec::new())
}
