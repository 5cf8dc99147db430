//! The seed gallery view (insta snapshots in the top-level `snapshots/`), from hand-made run
//! records with curves, so the frames do not depend on training numerics; its keys (paging,
//! the cursor at the edges), Enter retraining a run in the dashboard's session, the live
//! grid, and the `--sweep-file` errors.

mod common;

use common::{PLAIN, TRUE, key};
use crossterm::event::KeyCode;
use grokscope::app::action::GalleryChange as Change;
use grokscope::app::action::{Action, Command};
use grokscope::app::harness::{Harness, text};
use grokscope::app::session::Status;
use grokscope::app::views::gallery::{FileRuns, Gallery};
use grokscope::sweep::{Class, Event, Grid, Point, RunRecord, Trace};
use grokscope::train::{Config, presets};
use std::path::PathBuf;

/// A made-up curve every 500 steps: the training set fitted by step 1,000; the test loss high
/// until `grok` (if any), then falling to the floor over 4,000 steps.
fn curve(grok: Option<u64>, steps: u64) -> Vec<Point> {
    (0..=steps / 500)
        .map(|i| {
            let step = i * 500;
            let t = step as f64;
            let train = (4.2 * (-t / 120.0).exp()).max(1.2e-7);
            let (test, test_acc) = match grok {
                Some(g) if step >= g => {
                    let f = ((t - g as f64) / 4000.0).min(1.0);
                    (8.0 * 10f64.powf(-7.8 * f), 0.2 + 0.8 * f)
                }
                _ => (4.2 + 6.0 * (t / (t + 2000.0)), 0.02),
            };
            Point {
                step,
                train_loss: train,
                test_loss: test,
                train_acc: if step >= 1000 { 1.0 } else { t / 1000.0 },
                test_acc,
            }
        })
        .collect()
}

/// A finished run of seed `seed` of `mod-add-seeds` with settings `settings`, made up.
fn record(seed: u64, grok: Option<u64>, keys: &[usize], settings: &Config) -> RunRecord {
    let planned = settings.steps;
    let class = if grok.is_some() {
        Class::Grok
    } else {
        Class::Memorize
    };
    let mut settings = settings.clone();
    settings.seed = seed;
    RunRecord {
        grid: "mod-add-seeds".into(),
        run: seed as usize,
        point: [("seed".to_string(), serde_json::json!(seed))]
            .into_iter()
            .collect(),
        class,
        trace: Trace {
            min_train_loss: 1.2e-7,
            min_test_loss: if grok.is_some() { 1.2e-7 } else { 4.2 },
            max_ratio: if grok.is_some() { 8e7 } else { 3e7 },
            train_acc_90: Some(900),
            train_acc_99: Some(1_000),
            test_acc_90: grok.map(|g| g + 3_000),
            test_acc_99: grok.map(|g| g + 3_500),
        },
        key_freqs: Some(keys.to_vec()),
        steps: grok.map_or(planned, |g| (g + 4_000).min(planned)),
        planned_steps: planned,
        diverged_at: None,
        elapsed_s: 41.5,
        curve: curve(grok, grok.map_or(planned, |g| (g + 4_000).min(planned))),
        settings,
        shows: Vec::new(),
    }
}

/// Twenty runs of the main model, a third of them grokking.
fn twenty() -> Vec<RunRecord> {
    let cfg = presets::find("mod-add").unwrap().config;
    let keys: [&[usize]; 5] = [&[4, 17, 29], &[14, 22, 35], &[6], &[3, 9, 25, 31], &[]];
    (0..20)
        .map(|s| {
            let grok = (s % 3 == 0).then_some(8_000 + 1_700 * s);
            record(s, grok, keys[s as usize % 5], &cfg)
        })
        .collect()
}

/// A dashboard (training `training`) whose gallery shows `records` from a file.
fn dashboard(training: Config, records: Vec<RunRecord>) -> Harness {
    let mut h = Harness::new(training).unwrap();
    h.app.gallery = Gallery::from_file(FileRuns {
        path: PathBuf::from("gal.jsonl"),
        records,
    });
    h
}

/// The main model's settings, shortened so the dashboard's session is cheap.
fn short_mod_add() -> Config {
    let mut c = presets::find("mod-add").unwrap().config;
    c.steps = 300;
    c
}

#[test]
fn the_gallery_at_120x40_and_80x24_with_and_without_colour() {
    let mut h = dashboard(short_mod_add(), twenty());
    h.press(key(KeyCode::Char('G')));
    assert_eq!(h.app.view.name, "gallery");
    let settings = common::snapshot_settings();
    for (w, ht) in [(120, 40), (80, 24)] {
        let t = text(&h.render(w, ht, &PLAIN));
        assert!(t.contains("s0 · k 4 17 29"), "{t}");
        assert!(t.contains("G 11,500"), "seed 0's mark: {t}");
        settings.bind(|| insta::assert_snapshot!(format!("gallery_no_color_{w}x{ht}"), t));
    }
    // The classes' marks under the header are listed whole, the last one too (80 columns
    // wide, as beside the tour's text, the line used to end at "G grok ·").
    for (w, ht) in [(120, 40), (80, 40), (100, 30)] {
        let t = text(&h.render(w, ht, &TRUE));
        let marks = t.lines().find(|l| l.contains("G grok")).expect("the marks");
        assert!(marks.contains("M memorize · x fail"), "{w}×{ht}: {marks}");
    }
    // 80×24: four by three charts, two pages; 120×40: one page of thirty.
    let t = text(&h.render(80, 24, &TRUE));
    assert!(t.contains("page 1/2"), "{t}");
    assert_eq!(h.app.gallery.shape.get().per_page(), 12);
    let t = text(&h.render(120, 40, &TRUE));
    assert!(t.contains("page 1/1"), "{t}");
    assert_eq!(h.app.gallery.shape.get().per_page(), 30);
    settings.bind(|| insta::assert_snapshot!("gallery_120x40", t));
}

#[test]
fn the_cursor_stops_at_the_edges_and_pages_follow_it() {
    let mut h = dashboard(short_mod_add(), twenty());
    h.press(key(KeyCode::Char('G')));
    h.render(80, 24, &PLAIN); // 4 × 3 a page: the keys go by what was drawn
    let cursor = |h: &Harness| h.app.gallery.cursor;
    // At the first run, left and up stay.
    h.press(key(KeyCode::Left));
    h.press(key(KeyCode::Up));
    assert_eq!(cursor(&h), 0);
    h.press(key(KeyCode::Down));
    assert_eq!(cursor(&h), 4);
    h.press(key(KeyCode::Char('l')));
    assert_eq!(cursor(&h), 5);
    h.press(key(KeyCode::PageDown));
    assert_eq!(cursor(&h), 17);
    let t = text(&h.render(80, 24, &PLAIN));
    assert!(t.contains("page 2/2") && t.contains("▶ seed 17"), "{t}");
    assert!(
        t.contains("s12") && !t.contains("s11 "),
        "page 2 starts at seed 12: {t}"
    );
    // Down from the row above a short last row goes to its last run; at the last, right,
    // down and PgDn stay.
    h.press(key(KeyCode::Up));
    assert_eq!(cursor(&h), 13);
    h.press(key(KeyCode::Down));
    assert_eq!(cursor(&h), 17);
    h.press(key(KeyCode::End));
    assert_eq!(cursor(&h), 19);
    for k in [KeyCode::Right, KeyCode::Down, KeyCode::PageDown] {
        h.press(key(k));
        assert_eq!(cursor(&h), 19, "{k:?}");
    }
    h.press(key(KeyCode::PageUp));
    assert_eq!(cursor(&h), 7);
    assert!(text(&h.render(80, 24, &PLAIN)).contains("page 1/2"));
    h.press(key(KeyCode::Home));
    assert_eq!(cursor(&h), 0);
    // A larger screen: the same selection, on fewer pages.
    h.press(key(KeyCode::End));
    let t = text(&h.render(120, 40, &PLAIN));
    assert!(t.contains("page 1/1") && t.contains("▶ seed 19"), "{t}");
}

#[test]
fn enter_restarts_the_session_with_the_runs_settings_and_pauses_at_its_grok_step() {
    // The record's settings differ from the running ones: the restart must take them whole.
    let mut settings = short_mod_add();
    settings.lr = 2e-3;
    settings.steps = 600;
    let mut runs = vec![
        record(3, Some(100), &[4, 17, 29], &settings),
        record(4, None, &[], &settings),
    ];
    runs[0].trace.test_acc_99 = Some(400);
    let mut h = dashboard(short_mod_add(), runs.clone());
    h.train(20);
    h.press(key(KeyCode::Char('G')));
    assert_eq!(
        h.runner.status,
        Status::Paused,
        "the gallery pauses the run"
    );

    let cmds = h.app.update(Action::Gallery(Change::Open));
    assert_eq!(
        cmds[0],
        Command::Restart(Box::new(runs[0].settings.clone())),
        "the record's config, exactly"
    );
    assert!(
        matches!(&cmds[1], Command::PauseAt { step: 400, say } if say.contains("retrained seed 3 to step 400")),
        "{cmds:?}"
    );
    assert!(
        !cmds.contains(&Command::Resume),
        "the old run is not resumed"
    );
    assert_eq!(h.app.view.name, "training");
    assert_eq!(h.app.shared.draft, runs[0].settings);
    for c in cmds {
        h.runner.handle(c);
    }
    assert_eq!(h.runner.session.config(), &runs[0].settings);
    assert_eq!(h.runner.session.step_count(), 0);
    // It trains to step 400 and stops there, paused as if by the user.
    h.train(1_000);
    assert_eq!(h.runner.session.step_count(), 400);
    assert_eq!(h.runner.status, Status::Paused);
    assert!(h.app.shared.paused);
    let t = text(&h.render(120, 40, &TRUE));
    assert!(
        t.contains("retrained seed 3 to step 400 (its test 99 %) · paused"),
        "{t}"
    );
    // Space trains on, to the run's end.
    h.press(key(KeyCode::Char(' ')));
    h.train(1_000);
    assert_eq!(h.runner.session.step_count(), 600);
    assert_eq!(h.runner.status, Status::Finished);

    // A run that never reached 99 %: its last step, where the run finishes.
    h.press(key(KeyCode::Char('G')));
    h.press(key(KeyCode::Right));
    h.press(key(KeyCode::Enter));
    assert_eq!(h.runner.session.config().seed, 4);
    h.train(1_000);
    assert_eq!(h.runner.session.step_count(), 600);
    assert_eq!(h.runner.status, Status::Finished);
    assert!(!h.app.shared.paused);
    assert!(
        text(&h.render(120, 40, &TRUE)).contains("to step 600 (its last) · finished"),
        "{}",
        text(&h.render(120, 40, &TRUE))
    );
}

#[test]
fn a_restart_by_hand_forgets_the_step_to_pause_at() {
    let runs = vec![record(3, Some(100), &[4], &short_mod_add())];
    let mut h = dashboard(short_mod_add(), runs);
    h.press(key(KeyCode::Char('G')));
    h.press(key(KeyCode::Enter));
    h.press(key(KeyCode::Char('r')));
    h.train(1_000);
    assert_eq!(h.runner.status, Status::Finished);
    assert_eq!(h.runner.session.step_count(), 300);
}

#[test]
fn training_keys_only_say_where_they_act() {
    let mut h = dashboard(short_mod_add(), twenty());
    h.press(key(KeyCode::Char('G')));
    let draft = h.app.shared.draft.clone();
    // (Tab is the gallery's own key: the article's runs or yours.)
    h.press(key(KeyCode::Char('+')));
    assert_eq!(h.app.shared.draft, draft);
    assert!(
        h.app
            .shared
            .message
            .as_deref()
            .unwrap()
            .contains("G shows it")
    );
    // Space has no sweep to pause with a file.
    let help = text(&h.render(120, 40, &PLAIN));
    assert!(!help.contains("space pause"), "{help}");
    // G and Esc come back; the training run resumes.
    h.press(key(KeyCode::Char('G')));
    assert_eq!(h.app.view.name, "training");
    assert_eq!(h.runner.status, Status::Running);
    h.press(key(KeyCode::Char('G')));
    h.press(key(KeyCode::Esc));
    assert_eq!(h.app.view.name, "training");
    assert!(!h.app.shared.quit);
}

#[test]
fn without_a_file_the_grid_trains_live_and_runs_appear_as_they_finish() {
    let mut h = Harness::new(short_mod_add()).unwrap();
    h.app.sweeps.jobs = 2;
    h.press(key(KeyCode::Char('G')));
    assert_eq!(h.runner.status, Status::Paused);
    let started = h.sweep_commands.iter().find_map(|c| match c {
        Command::RunSweep { grid, runs, .. } => Some((grid.clone(), runs.len())),
        _ => None,
    });
    assert_eq!(started, Some(("mod-add-seeds".to_string(), 20)));
    let t = text(&h.render(120, 40, &PLAIN));
    assert!(t.contains("0 / 20 runs") && t.contains("· pending"), "{t}");
    // Enter on a run still training says so.
    let runs = Grid::builtin("mod-add-seeds", 20)
        .unwrap()
        .expand()
        .unwrap();
    h.act(Action::SweepEvent(
        "mod-add-seeds".into(),
        Event::Started { run: 0 },
    ));
    h.press(key(KeyCode::Enter));
    assert_eq!(h.app.view.name, "gallery");
    assert!(
        h.app
            .shared
            .message
            .as_deref()
            .unwrap()
            .contains("not finished")
    );
    let mut r = record(0, Some(9_000), &[4, 17, 29], &runs[0].config);
    r.run = runs[0].index;
    h.act(Action::SweepEvent(
        "mod-add-seeds".into(),
        Event::Finished(Box::new(r)),
    ));
    h.act(Action::SweepEvent(
        "mod-add-seeds".into(),
        Event::Started { run: 1 },
    ));
    let t = text(&h.render(120, 40, &PLAIN));
    assert!(
        t.contains("1 / 20 runs") && t.contains("s0 · k 4 17 29") && t.contains("▒ training"),
        "{t}"
    );
    // The sweep view shows the same grid's progress.
    h.press(key(KeyCode::Char('w')));
    h.app.sweep.current = 2;
    assert_eq!(h.app.grid().unwrap().progress.done(), 1);
    // Space pauses the gallery's sweep.
    h.press(key(KeyCode::Char('G')));
    h.sweep_commands.clear();
    h.press(key(KeyCode::Char(' ')));
    assert_eq!(h.sweep_commands, [Command::PauseSweeps]);
    assert!(text(&h.render(120, 40, &PLAIN)).contains("❚❚ paused"));
}

#[test]
fn renders_at_any_size() {
    let mut h = dashboard(short_mod_add(), twenty());
    h.press(key(KeyCode::Char('G')));
    h.press(key(KeyCode::End));
    for (w, ht) in [(80, 24), (100, 30), (160, 50), (250, 70), (79, 24), (30, 8)] {
        let t = text(&h.render(w, ht, &TRUE));
        if w < 80 || ht < 24 {
            assert!(t.contains("terminal too small"), "{w}×{ht}");
        } else {
            assert!(
                t.contains("gallery mod-add-seeds") && t.contains("▶ seed 19"),
                "{w}×{ht}:\n{t}"
            );
        }
    }
}

#[test]
fn a_record_without_its_curve_says_so() {
    let mut r = record(5, None, &[], &short_mod_add());
    r.curve.clear();
    let mut h = dashboard(short_mod_add(), vec![r]);
    h.press(key(KeyCode::Char('G')));
    let t = text(&h.render(80, 24, &PLAIN));
    assert!(t.contains("no curve kept") && t.contains("s5"), "{t}");
}

/// `--sweep-file`: a foreign file, a torn one, another grid's runs after these, an empty one:
/// one line, status 2 (before any terminal is needed). A good one gets as far as the
/// terminal check.
#[test]
fn bad_sweep_files_get_one_line_and_status_2() {
    let dir = common::tmpdir("gallery", "files");
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    };
    let runs = twenty();
    let line = |r: &RunRecord| serde_json::to_string(r).unwrap();
    let good = format!("{}\n{}\n", line(&runs[0]), line(&runs[1]));
    let foreign = write("foreign.jsonl", "{\"step\": 100, \"train_loss\": 0.5}\n");
    common::assert_usage_error(
        &["--view", "gallery", "--sweep-file", &foreign],
        "foreign.jsonl:1: not a sweep record",
    );
    let torn = write("torn.jsonl", &good[..good.len() - 40]);
    common::assert_usage_error(
        &["--view", "gallery", "--sweep-file", &torn],
        "torn.jsonl:2: the last line is cut short",
    );
    let mut other = runs[2].clone();
    other.grid = "parity-quick".into();
    let mixed = write("mixed.jsonl", &format!("{good}{}\n", line(&other)));
    common::assert_usage_error(
        &["--view", "gallery", "--sweep-file", &mixed],
        "a run of grid parity-quick after runs of mod-add-seeds",
    );
    // A run recorded twice with the same settings but another class: refused, as `sweep
    // report` refuses it (with other settings the later record stands).
    let mut flipped = runs[0].clone();
    flipped.class = match flipped.class {
        Class::Grok => Class::Memorize,
        _ => Class::Grok,
    };
    let twice = write("twice.jsonl", &format!("{good}{}\n", line(&flipped)));
    common::assert_usage_error(
        &["--view", "gallery", "--sweep-file", &twice],
        "recorded twice with different classes",
    );
    let empty = write("empty.jsonl", "\n");
    common::assert_usage_error(
        &["--view", "gallery", "--sweep-file", &empty],
        "no sweep records",
    );
    common::assert_usage_error(
        &[
            "--view",
            "gallery",
            "--sweep-file",
            dir.join("missing").to_str().unwrap(),
        ],
        "missing",
    );
    let ok = write("ok.jsonl", &good);
    common::assert_usage_error(&["--view", "gallery", "--sweep-file", &ok], "terminal");
    common::assert_usage_error(
        &["--replay", "x", "--sweep-file", &ok],
        "cannot be used with",
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A run the sweep trained, opened from the gallery, retrains to the same curve: the
/// dashboard's session with the record's settings logs the losses the record kept, bit for
/// bit (the real engine, on a short run).
#[test]
fn a_retrained_run_logs_the_curve_its_record_kept() {
    use grokscope::sweep::Pool;
    let (grid, runs) = Grid::parse_runs(
        r#"{"name": "mod-add-seeds", "preset": "mod-add", "every": 100,
            "base": {"steps": 300}, "axes": [["seed", [7]]]}"#,
    )
    .unwrap();
    let pool = Pool::start(&grid.name, runs, grid.every, 1).unwrap();
    let rec = pool
        .events()
        .iter()
        .find_map(|e| match e {
            Event::Finished(r) => Some(*r),
            _ => None,
        })
        .expect("the run finishes");
    assert_eq!(rec.curve.len(), 4, "steps 0, 100, 200, 300");
    let mut h = dashboard(short_mod_add(), vec![rec.clone()]);
    h.press(key(KeyCode::Char('G')));
    h.press(key(KeyCode::Enter));
    h.train(1_000);
    assert_eq!(h.runner.status, Status::Finished);
    let history = &h.app.shared.snapshot.history;
    for p in &rec.curve {
        let m = history
            .iter()
            .find(|m| m.step == p.step)
            .unwrap_or_else(|| panic!("step {} logged", p.step));
        assert_eq!(
            (m.train_loss, m.test_loss, m.train_acc, m.test_acc),
            (p.train_loss, p.test_loss, p.train_acc, p.test_acc),
            "step {}",
            p.step
        );
    }
}

/// The class marks carry the class's colour with colour on; without colour nothing is
/// coloured and the glyphs alone tell the classes (and the thick frame the selection).
#[test]
fn classes_are_coloured_and_lettered() {
    use ratatui::style::Color;
    let mut h = dashboard(short_mod_add(), twenty());
    h.press(key(KeyCode::Char('G')));
    let buf = h.render(120, 40, &TRUE);
    let t = text(&buf);
    let find = |needle: &str| {
        let (y, line) = t
            .lines()
            .enumerate()
            .find(|(_, l)| l.contains(needle))
            .unwrap();
        let x = line[..line.find(needle).unwrap()].chars().count();
        (x as u16, y as u16)
    };
    let (x, y) = find("G 11,500");
    assert_eq!(buf[(x, y)].fg, Color::Green, "grok is green");
    let (x, y) = find("─ M ╯");
    assert_eq!(buf[(x + 2, y)].fg, Color::LightRed, "memorize is red");
    let plain = h.render(120, 40, &PLAIN);
    let a = plain.area;
    for y in 0..a.height {
        for x in 0..a.width {
            let c = &plain[(x, y)];
            assert!(
                matches!(c.fg, Color::Reset) && matches!(c.bg, Color::Reset),
                "colour at {x},{y} without colour"
            );
        }
    }
    let t = text(&plain);
    assert!(t.contains("┏ s0") && t.contains("╭ s1"), "{t}");
}
