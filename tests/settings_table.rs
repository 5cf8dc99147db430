//! One vocabulary of settings: the command line, grid files and the dashboard's keys change a
//! run's settings through the same table, so a setting of another task is an error everywhere
//! and the memory bound holds on every path.

mod common;

use common::key;

use crossterm::event::KeyCode;
use grokscope::app::harness::Harness;
use grokscope::app::views::training::{Setting, panel, setting};
use grokscope::sweep::Grid;
use grokscope::train::{TaskKind, presets};

fn set(key: &str) -> &'static Setting {
    setting(key).unwrap()
}

#[test]
fn train_fraction_and_train_size_are_separate_settings() {
    let modular = panel(TaskKind::Modular);
    let parity = panel(TaskKind::Parity);
    assert!(modular.contains(&set("train_frac")) && !modular.contains(&set("n_train")));
    assert!(parity.contains(&set("n_train")) && !parity.contains(&set("train_frac")));
    assert_eq!(set("n_train").label, "train size");
    // The train fraction means nothing for parity: stepping it changes nothing.
    let mut c = presets::find("parity").unwrap().config;
    let before = c.clone();
    assert!(set("train_frac").step(&mut c, true).is_err());
    assert_eq!(c, before);
    set("n_train").adjust(&mut c, true);
    assert_eq!(c.n_train, before.n_train + 250);
}

#[test]
fn grids_name_settings_of_their_task_only() {
    let grid = |axes: &str| {
        Grid::parse(&format!(
            r#"{{"name": "g", "preset": "parity-l2", "every": 10, "axes": {axes}}}"#
        ))
    };
    let err = grid(r#"[["train_frac", [0.5]]]"#).unwrap_err().to_string();
    assert!(err.contains("applies to modular tasks"), "{err}");
    let err = grid(r#"[["hidden", [-3]]]"#).unwrap_err().to_string();
    assert!(err.contains("'hidden' must be a whole number"), "{err}");
    let err = grid(r#"[["hidden", [65536]], ["n_train", [1000000]]]"#)
        .unwrap_err()
        .to_string();
    assert!(err.contains("of memory"), "{err}");
    assert!(grid(r#"[["n_train", [500, 1000]]]"#).is_ok());
}

#[test]
fn the_dashboard_refuses_a_step_or_restart_beyond_the_memory_bound() {
    let mut cfg = presets::find("parity").unwrap().config;
    cfg.steps = 10;
    let mut h = Harness::new(cfg).unwrap();
    h.app.shared.draft.hidden = 20_000;
    while h.app.setting().key != "n_train" {
        h.press(key(KeyCode::Down));
    }
    let mut refused = None;
    for _ in 0..200 {
        let n = h.app.shared.draft.n_train;
        h.press(key(KeyCode::Char('+')));
        if h.app.shared.draft.n_train == n {
            refused = h.app.shared.message.clone();
            break;
        }
    }
    let why = refused.expect("+ stops at the memory bound");
    assert!(
        why.contains("train size stays") && why.contains("of memory"),
        "{why}"
    );
    h.app.shared.draft.validate().unwrap();
    // A draft past the bound (set by hand) cannot restart the run: the old one is kept.
    h.app.shared.draft.n_train = 1_000_000;
    h.press(key(KeyCode::Enter));
    let msg = h.app.shared.message.clone().unwrap_or_default();
    assert!(
        msg.starts_with("cannot restart") && msg.contains("of memory"),
        "{msg}"
    );
    assert_eq!(h.runner.session.config().n_train, 1200);
}
