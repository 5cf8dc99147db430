//! No dead keys: in every view — training, mechanism, appendix, the sweep view on each of its
//! grids, the gallery, a replay, and `sweep --watch` over a diagram, a list and the
//! architecture bars — every key that the view's table offers (its footer and its help are
//! drawn from the rows that apply) does something a user can see: the screen changes (a
//! notice saying why it does nothing counts), a view opens, or a command goes to the
//! trainer or the sweeps. A key that can only move one way from where the view starts (↑ at
//! the top) is pressed after its row's other keys.

mod common;
use grokscope::app::action::Action;
use grokscope::app::grids;
use grokscope::app::harness::{Harness, text};
use grokscope::app::keys::{Key, Table};
use grokscope::app::state::{self as views, VIEWS};
use grokscope::app::watch::{KEYS as WATCH, Watch};
use grokscope::ui::{ColorMode, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const PLAIN: Theme = Theme {
    mode: ColorMode::None,
};

/// What a user can tell about the dashboard: the screen, the view, whether it quits.
fn seen(h: &Harness) -> (String, &'static str, bool) {
    (
        text(&h.render(120, 40, &PLAIN)),
        h.app.view.name,
        h.app.shared.quit,
    )
}

/// Press `key` through the real dispatcher; whether anything changed that a user can see, or
/// a command went out.
fn acts(h: &mut Harness, key: Key) -> bool {
    let before = seen(h);
    let Some(action) = views::dispatch(&h.app, key) else {
        return false;
    };
    let cmds = h.app.update(action);
    !cmds.is_empty() || seen(h) != before
}

/// Every key of every row that applies in `make()`'s dashboard acts (after its row's other
/// keys, if not at once); returns the rows checked.
fn check_dashboard(name: &str, make: &dyn Fn() -> Harness) -> usize {
    let h = make();
    let table: Table = (h.app.view.keys)(&h.app);
    let mut rows = 0;
    for (row, applies) in table.entries() {
        if !applies {
            continue;
        }
        rows += 1;
        for &k in row.keys {
            if acts(&mut make(), k) {
                continue;
            }
            let mut h = make();
            for &other in row.keys.iter().filter(|&&o| o != k) {
                acts(&mut h, other);
            }
            assert!(
                acts(&mut h, k),
                "{name}: {k:?} ({}) is offered but does nothing",
                row.help
            );
        }
    }
    rows
}

/// A dashboard playing the recorded mod-add run to step 1,000, on `view`.
fn played_on(view: &str, fixture: &str) -> Harness {
    let mut h = common::played(fixture);
    h.train(1000);
    h.app.sweeps.jobs = 1;
    h.act(Action::ToggleView(views::find(view).unwrap().name));
    h
}

#[test]
fn every_key_offered_in_a_dashboard_view_acts() {
    for view in &VIEWS {
        let n = check_dashboard(view.name, &|| played_on(view.name, "mod-add"));
        assert!(n >= 5, "{}: {n} rows", view.name);
    }
    // Parity's training view (m says the mechanism view is for modular models).
    check_dashboard("training (parity)", &|| played_on("training", "parity"));
}

#[test]
fn every_key_offered_on_each_grid_of_the_sweep_view_acts() {
    for (i, grid) in grids::VIEW_GRIDS.iter().enumerate() {
        let make = || {
            let mut h = played_on("sweep", "mod-add");
            for _ in 0..i {
                h.act(Action::NextGrid);
            }
            assert_eq!(h.app.sweep.name(), *grid);
            h
        };
        check_dashboard(&format!("sweep {grid}"), &make);
    }
}

#[test]
fn every_key_offered_in_a_replay_acts_or_says_why_not() {
    let make = || {
        let mut h = played_on("training", "mod-add");
        h.app.training.replay = true;
        h
    };
    check_dashboard("replay", &make);
    // The keys that train are not offered, and say why when pressed.
    let h = make();
    let footer = (h.app.view.keys)(&h.app).footer();
    for (k, _) in &footer {
        assert!(!["r", "s", "+-", "⏎", "Tab/1-9"].contains(k), "{footer:?}");
    }
    for c in ['r', 's', '+', '-', '3'] {
        let mut h = make();
        let draft = h.app.shared.draft.clone();
        let a = views::dispatch(&h.app, Key::char(c)).unwrap();
        assert!(
            h.app.update(a).is_empty(),
            "{c}: nothing goes to the source"
        );
        assert_eq!(h.app.shared.draft, draft);
        assert!(
            h.app
                .shared
                .message
                .as_deref()
                .is_some_and(|m| m.starts_with("a replay does not train")),
            "{c}: {:?}",
            h.app.shared.message
        );
    }
}

/// `sweep --watch`'s screen, as its event loop draws it.
fn watch_screen(w: &Watch) -> String {
    let mut t = Terminal::new(TestBackend::new(120, 40)).unwrap();
    t.draw(|f| w.draw(f, &PLAIN)).unwrap();
    text(t.backend().buffer())
}

fn watch_acts(w: &mut Watch, key: Key) -> bool {
    let before = (watch_screen(w), w.quitting());
    let Some(a) = Table::of(&WATCH, w).lookup(key) else {
        return false;
    };
    w.update(a, None);
    (watch_screen(w), w.quitting()) != before
}

#[test]
fn every_key_offered_in_sweep_watch_acts_over_a_diagram_a_list_and_the_bars() {
    for grid in ["parity-quick", "mod-add-seeds", "mod-add-arch"] {
        let make = || Watch::new(grids::builtin(grid, 1).unwrap());
        let w = make();
        let table = Table::of(&WATCH, &w);
        for (row, applies) in table.entries() {
            if !applies {
                continue;
            }
            for &k in row.keys {
                if watch_acts(&mut make(), k) {
                    continue;
                }
                let mut w = make();
                for &other in row.keys.iter().filter(|&&o| o != k) {
                    watch_acts(&mut w, other);
                }
                assert!(
                    watch_acts(&mut w, k),
                    "watch {grid}: {k:?} ({}) is offered but does nothing",
                    row.help
                );
            }
        }
    }
    // Over the bars, the cursor keys are not offered: the footer does not list them.
    let w: Watch = Watch::new(grids::builtin("mod-add-arch", 1).unwrap());
    assert!(w.bars());
    let footer = Table::of(&WATCH, &w).footer();
    assert!(
        footer.iter().all(|(k, _)| *k != "←→↑↓" && *k != "⏎"),
        "{footer:?}"
    );
}
