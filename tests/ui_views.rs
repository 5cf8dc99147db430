//! Views and their key tables: every entry of every table dispatches to its action through
//! the real dispatcher, and is listed in that view's help overlay and (if it has a label) its
//! footer, as drawn; `--view` opens on a view or names the views.

mod common;
use grokscope::app::action::Action;
use grokscope::app::harness::{Harness, text};
use grokscope::app::keys::{Key, Table};
use grokscope::app::state::{self as views, App, VIEWS};
use grokscope::app::watch::{KEYS as WATCH, Watch};
use grokscope::sweep::{Grid, Progress};
use grokscope::train::presets;
use grokscope::ui::{ColorMode, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::collections::HashSet;

const PLAIN: Theme = Theme {
    mode: ColorMode::None,
};

/// Wide and tall enough for every footer entry and help row to fit.
const W: u16 = 200;
const H: u16 = 50;

fn name(a: &Action) -> String {
    format!("{a:?}")
}

/// No key is bound twice among the rows that apply (the second would never dispatch).
fn assert_keys_unique(view: &str, table: &Table) {
    let mut seen = HashSet::new();
    for (b, _) in table.entries().filter(|(_, on)| *on) {
        for k in b.keys {
            assert!(seen.insert(format!("{k:?}")), "{view}: {k:?} bound twice");
        }
    }
}

/// Each entry of the table is in the help rows and its label in the footer, as drawn.
fn assert_listed(view: &str, table: &Table, help: &str, footer: &str) {
    for (b, _) in table.entries().filter(|(_, on)| *on) {
        let row = format!("{:>16}  {}", b.help_keys, b.help);
        assert!(help.contains(&row), "{view}: help lacks `{row}`:\n{help}");
        if let Some((k, label)) = b.footer {
            let item = format!("{k} {label}");
            assert!(
                footer.contains(&item),
                "{view}: footer lacks `{item}`: {footer}"
            );
        }
    }
}

fn dashboard_in(view: &str) -> Harness {
    let mut h = Harness::new(presets::find("parity").unwrap().config).unwrap();
    h.app.sweeps.jobs = 1;
    h.act(Action::ToggleView(views::find(view).unwrap().name));
    assert_eq!(h.app.view.name, view);
    h
}

fn last_line(t: &str) -> String {
    t.lines().last().unwrap_or_default().to_string()
}

#[test]
fn every_dashboard_key_dispatches_and_is_listed() {
    for view in &VIEWS {
        let h = dashboard_in(view.name);
        let table = (view.keys)(&h.app);
        assert_keys_unique(view.name, &table);
        for (b, _) in table.entries().filter(|(_, on)| *on) {
            for &k in b.keys {
                let got = Key::of(k.event()).and_then(|k| views::dispatch(&h.app, k));
                assert_eq!(
                    got.as_ref().map(name),
                    Some(name(&(b.action)(k))),
                    "{}: {k:?}",
                    view.name
                );
            }
        }
        let footer = last_line(&text(&h.render(W, H, &PLAIN)));
        let mut h = h;
        h.act(Action::ToggleHelp);
        let help = text(&h.render(W, H, &PLAIN));
        assert_listed(view.name, &table, &help, &footer);
        assert_eq!(
            table.help().len(),
            table.entries().filter(|(_, on)| *on).count(),
            "{}: one help row per entry",
            view.name
        );
    }
}

#[test]
fn every_watch_key_dispatches_and_is_listed() {
    let grid = Grid::builtin("parity-quick", 20).unwrap();
    let runs = grid.expand().unwrap();
    let state = grokscope::app::grids::SweepState::new(&grid, Progress::new(runs), None, 1);
    let mut w = Watch::new(state);
    let table = Table::of(&WATCH, &w);
    assert_keys_unique("watch", &table);
    for (b, _) in table.entries().filter(|(_, on)| *on) {
        for &k in b.keys {
            let got = table.lookup(Key::of(k.event()).unwrap());
            assert_eq!(got.as_ref().map(name), Some(name(&(b.action)(k))), "{k:?}");
        }
    }
    let draw = |w: &Watch| {
        let mut t = Terminal::new(TestBackend::new(W, H)).unwrap();
        t.draw(|f| w.draw(f, &PLAIN)).unwrap();
        text(t.backend().buffer())
    };
    let footer = last_line(&draw(&w));
    w.update(Action::ToggleHelp, None);
    assert!(w.help);
    assert_listed("watch", &table, &draw(&w), &footer);
    // Esc closes the help, and never quits: pressed again it does nothing; q quits.
    let esc = Table::of(&WATCH, &w)
        .lookup(Key::code(crossterm::event::KeyCode::Esc))
        .unwrap();
    w.update(esc.clone(), None);
    assert!(!w.help && !w.quitting());
    w.update(esc, None);
    assert!(!w.help && !w.quitting(), "Esc does not quit the watch");
    let q = Table::of(&WATCH, &w).lookup(Key::char('q')).unwrap();
    w.update(q, None);
    assert!(w.quitting());
}

/// The footer is generated from the table: the training view's names the other views first
/// (of a parity run, not the mechanism view, which draws modular models), the tour's key last.
#[test]
fn training_footer_reads_as_before() {
    let h = dashboard_in("training");
    let footer = (views::home().keys)(&h.app).footer();
    let text: Vec<String> = footer.iter().map(|(k, l)| format!("{k} {l}")).collect();
    assert_eq!(
        text.join("  "),
        "q quit  space pause  x appendix  G gallery  w sweep  r restart  Tab/1-9 preset  \
         s save  ←→ scrub  ↑↓ select  +- change  ⏎ apply  ? help  t tour"
    );
}

/// Keys of the training run in the sweep view do nothing to it and say where they act.
#[test]
fn training_keys_in_the_sweep_view_say_where_they_act() {
    let mut h = dashboard_in("sweep");
    let draft = h.app.shared.draft.clone();
    // (r and j are the sweep view's own: a threshold and the cursor.)
    for c in ['-', '3', 'p', '+', 's'] {
        h.app.shared.message = None;
        assert!(h.press(Key::char(c).event()), "{c}");
        assert_eq!(h.app.shared.draft, draft, "{c}");
        assert_eq!(
            h.app.shared.message.as_deref(),
            Some("that key acts on the training run: w shows it"),
            "{c}"
        );
    }
    assert_eq!(h.app.view.name, "sweep");
    assert!(
        !h.press(Key::char('~').event()),
        "an unbound key does nothing"
    );
}

/// With the help open, q quits (as the help and the README say); Esc only closes it.
#[test]
fn q_quits_with_the_help_open() {
    for view in &VIEWS {
        let mut h = dashboard_in(view.name);
        h.press(Key::char('?').event());
        assert!(h.app.shared.help);
        h.press(Key::code(crossterm::event::KeyCode::Esc).event());
        assert!(!h.app.shared.help && !h.app.shared.quit, "{}", view.name);
        assert_eq!(h.app.view.name, view.name, "Esc closed only the help");
        h.press(Key::char('?').event());
        h.press(Key::char('q').event());
        assert!(h.app.shared.quit, "{}: q quits from the help", view.name);
    }
}

fn app_view(app: &App) -> &'static str {
    app.view.name
}

/// Esc steps back, from every view to the training view, and never quits: on the training
/// view (help closed) it does nothing, however often pressed; q quits.
#[test]
fn esc_goes_back_to_the_training_view_and_never_quits() {
    for view in &VIEWS {
        let mut h = dashboard_in(view.name);
        h.press(Key::code(crossterm::event::KeyCode::Esc).event());
        assert_eq!(app_view(&h.app), "training", "Esc from {}", view.name);
        assert!(!h.app.shared.quit, "{}", view.name);
        for _ in 0..3 {
            h.press(Key::code(crossterm::event::KeyCode::Esc).event());
            assert!(!h.app.shared.quit && !h.app.shared.help, "{}", view.name);
            assert_eq!(app_view(&h.app), "training");
        }
        h.press(Key::char('q').event());
        assert!(h.app.shared.quit, "q quits");
    }
}

#[test]
fn view_flag_names_the_views_when_unknown() {
    common::assert_usage_error(&["--view", "galery"], "training, sweep");
    common::assert_usage_error(&["--view", "galery"], "appendix, gallery");
    // A known view gets as far as wanting a terminal.
    common::assert_usage_error(&["--view", "sweep"], "needs a terminal");
}
