//! The tour (`grokscope tour`): every chapter's moments are found on a recorded run of its
//! settings; every chapter drawn at 120×40 (text beside the dashboard) and 80×24 (the text
//! as a page, the dashboard under it), from recorded runs, so the same on every machine;
//! its keys (chapters, moments, the text page, leaving, quitting) and the dashboard's keys
//! inside it.
//!
//! The chapters' runs are kept under `tests/fixtures/tour/` (parity's is the preset's
//! fixture, `tests/fixtures/parity`): the run trained in the dashboard's session to a little
//! past its chapter's last moment, every few frames kept. They are regenerated only on
//! purpose (their numbers are the snapshots'):
//!
//! ```text
//! cargo test --release --test ui_tour -- --ignored record
//! ```

mod common;
use crossterm::event::KeyCode;
use grokscope::app::action::{Action, Command, TourChange};
use grokscope::app::harness::{HARNESS_KERNEL, Harness, text};
use grokscope::app::keys::Key;
use grokscope::app::replay::Replay;
use grokscope::app::session::{Clock, Snapshot};
use grokscope::app::state::{self as views, App};
use grokscope::app::views::chapters::CHAPTERS;
use grokscope::app::views::tour::{self, JUMP_KEYS};
use grokscope::train::Config;
use grokscope::train::keep::{FrameWriter, RunFile};
use grokscope::ui::callout::MARKER;
use grokscope::ui::{ColorMode, Memo, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::Color;
use std::sync::{Arc, OnceLock};

/// The chapters' runs: (directory under `tests/fixtures/`, the chapter whose settings it
/// trains, steps recorded, every how many of the session's frames it keeps). A stride of 0
/// is a fixture recorded elsewhere (`tests/fixtures.rs`).
const RUNS: [(&str, usize, u64, usize); 5] = [
    ("tour/mod-add-seed-10", 0, 10_500, 5),
    ("parity", 2, 0, 0),
    ("tour/parity-l2", 3, 3_000, 5),
    ("tour/five-neurons", 9, 9_600, 8),
    ("tour/reverse-grok", 11, 5_000, 5),
];

const COLOR: Theme = Theme {
    mode: ColorMode::TrueColor,
};
const PLAIN: Theme = Theme {
    mode: ColorMode::None,
};

/// The recorded run in `tests/fixtures/DIR`, whole, as the replay publishes it.
fn recorded(dir: &str) -> Snapshot {
    Replay::open(&common::fixture(dir))
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .snapshot(Some(Clock::default()))
}

/// The recorded run of chapter `i`'s settings.
fn run_of(i: usize) -> Snapshot {
    static ALL: OnceLock<Vec<Snapshot>> = OnceLock::new();
    let all = ALL.get_or_init(|| RUNS.iter().map(|r| recorded(r.0)).collect());
    let want = CHAPTERS[i].setup.config();
    all.iter()
        .find(|s| s.config == want)
        .unwrap_or_else(|| panic!("chapter {}: no recorded run of its settings", i + 1))
        .clone()
}

/// The dashboard on chapter `i`, over its recorded run (nothing trains).
fn on_chapter(i: usize) -> (App, Vec<Command>) {
    let mut app = App::new(Arc::new(run_of(i)));
    app.shared.kernel = HARNESS_KERNEL;
    app.sweeps.jobs = 1;
    let cmds = app.update(Action::Tour(TourChange::Go(i)));
    (app, cmds)
}

fn render(app: &App, w: u16, h: u16, theme: &Theme) -> Buffer {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    let memo = Memo::default();
    t.draw(|f| views::draw(f, app, theme, &memo)).unwrap();
    t.backend().buffer().clone()
}

fn press(app: &mut App, code: KeyCode) -> Vec<Command> {
    let key = Key::code(code);
    let action = views::dispatch(app, key).unwrap_or_else(|| panic!("{code:?} is bound"));
    app.update(action)
}

fn restarts(cmds: &[Command]) -> Option<&Config> {
    cmds.iter().find_map(|c| match c {
        Command::Restart(cfg) => Some(&**cfg),
        _ => None,
    })
}

#[test]
fn every_chapters_moments_are_found_on_a_recorded_run_of_its_settings() {
    assert!(CHAPTERS.len() >= 12);
    for (i, ch) in CHAPTERS.iter().enumerate() {
        assert!(!ch.moments.is_empty(), "chapter {}: marks nothing", i + 1);
        assert!(ch.moments.len() <= JUMP_KEYS.len(), "chapter {}", i + 1);
        let snap = run_of(i);
        let found = tour::found(ch, &snap);
        for (m, step) in ch.moments.iter().zip(&found) {
            let step =
                step.unwrap_or_else(|| panic!("chapter {} ({}): {m:?} not found", i + 1, ch.title));
            assert!(step <= snap.step, "chapter {}: {m:?} at {step}", i + 1);
        }
    }
}

#[test]
fn every_chapter_sets_up_its_view_and_marks_its_run() {
    for (i, ch) in CHAPTERS.iter().enumerate() {
        let (app, cmds) = on_chapter(i);
        assert_eq!(
            restarts(&cmds),
            None,
            "chapter {}: its run is training",
            i + 1
        );
        assert!(app.tour.on);
        assert_eq!(app.view.name, ch.setup.view, "chapter {}", i + 1);
        let steps: Vec<u64> = app.shared.callouts.iter().map(|c| c.step).collect();
        assert_eq!(steps.len(), ch.moments.len(), "chapter {}", i + 1);
        assert!(steps.is_sorted(), "chapter {}: in step order", i + 1);
    }
}

/// Each chapter as drawn, at 120×40 (the text beside the dashboard) and 80×24 (the text as
/// a page); without colour the tour's text has no coloured cell.
#[test]
fn every_chapter_drawn_at_120x40_and_80x24() {
    let s = common::snapshot_settings();
    for i in 0..CHAPTERS.len() {
        let (app, _) = on_chapter(i);
        let n = i + 1;
        let wide = text(&render(&app, 120, 40, &COLOR));
        s.bind(|| insta::assert_snapshot!(format!("tour_{n:02}_120x40"), wide));
        let small = text(&render(&app, 80, 24, &COLOR));
        s.bind(|| insta::assert_snapshot!(format!("tour_{n:02}_80x24"), small));
        for (w, h, x0) in [(120, 40, 80), (80, 24, 0)] {
            let plain = render(&app, w, h, &PLAIN);
            // The tour's column (120×40) or page (80×24), its footer left out.
            for (k, cell) in plain.content().iter().enumerate() {
                if (k as u16 % w) < x0 || k as u16 / w == h - 1 {
                    continue;
                }
                assert!(
                    matches!(cell.fg, Color::Reset) && matches!(cell.bg, Color::Reset),
                    "chapter {n} at {w}×{h}: a coloured cell without colour"
                );
            }
        }
    }
}

/// Every chapter shows a marked moment (a callout's marker, `◆`, which only the callouts
/// draw) on a chart of its run: at 120×40 on the dashboard's charts or, where the view on
/// screen draws none (the mechanism, sweep, gallery and appendix views), on the run's
/// accuracy chart under the tour's text; at 80×24 on the page (where the text leaves too few
/// rows for the chart's panel, the text closes up and a strip of the chart takes the rows
/// that frees: chapters 5, 6 and 8) or on the dashboard `i` shows under it.
#[test]
fn every_chapter_marks_its_run_on_a_chart_on_screen() {
    for i in 0..CHAPTERS.len() {
        let (mut app, _) = on_chapter(i);
        let n = i + 1;
        let mut pages = Vec::new();
        for theme in [&COLOR, &PLAIN] {
            let wide = text(&render(&app, 120, 40, theme));
            assert!(wide.contains(MARKER), "chapter {n} at 120×40:\n{wide}");
            let page = text(&render(&app, 80, 24, theme));
            // The chapter's text is on the page to its end.
            assert!(page.contains("now try it:"), "chapter {n}:\n{page}");
            pages.push(page);
        }
        press(&mut app, KeyCode::Char('i'));
        for (theme, page) in [&COLOR, &PLAIN].into_iter().zip(pages) {
            let dash = text(&render(&app, 80, 24, theme));
            assert!(
                page.contains(MARKER) || dash.contains(MARKER),
                "chapter {n} at 80×24:\n{page}\n{dash}"
            );
        }
    }
}

/// The panel a chapter tells the student to watch is on screen: its words (after
/// "watch") name no panel the dashboard beside the text lacks.
#[test]
fn every_chapter_points_at_panels_on_screen() {
    for (i, ch) in CHAPTERS.iter().enumerate() {
        let (app, _) = on_chapter(i);
        let wide = text(&render(&app, 120, 40, &COLOR));
        let dash: String = wide
            .lines()
            .map(|l| l.chars().take(80).collect::<String>())
            .collect();
        let watch = ch.setup.panel.name();
        for panel in [
            "spectrum",
            "heatmap",
            "waves",
            "stars",
            "gallery",
            "phase diagram",
        ] {
            let shown = match panel {
                "heatmap" => dash.contains("W_input") || dash.contains("W1 ("),
                "gallery" => dash.contains("gallery"),
                _ => dash.contains(panel),
            };
            assert!(
                !watch.contains(panel) || shown,
                "chapter {} says watch {watch:?}, and no {panel} is on screen",
                i + 1
            );
        }
    }
}

/// At 80×24 `i` shows the dashboard under the text page, with the tour's keys first in its
/// footer; a jump shows the dashboard at the moment.
#[test]
fn the_small_screen_pages_between_text_and_dashboard() {
    let (mut app, _) = on_chapter(2);
    let page = text(&render(&app, 80, 24, &COLOR));
    assert!(page.contains("i shows the dashboard"), "{page}");
    press(&mut app, KeyCode::Char('i'));
    let dash = text(&render(&app, 80, 24, &COLOR));
    let foot = dash.lines().last().unwrap();
    assert!(
        foot.starts_with("n/p chapter  ZXCV moments  i text"),
        "{foot}"
    );
    assert!(dash.contains("loss"), "{dash}");
    press(&mut app, KeyCode::Char('i'));
    render(&app, 80, 24, &COLOR);
    press(&mut app, KeyCode::Char('X'));
    let at = text(&render(&app, 80, 24, &COLOR));
    assert!(at.contains("» train loss rises at step"), "{at}");
    let s = common::snapshot_settings();
    s.bind(|| insta::assert_snapshot!("tour_03_80x24_jumped", at));
}

#[test]
fn chapter_keys_turn_the_pages_and_restart_only_a_different_run() {
    let (mut app, _) = on_chapter(0);
    // Chapter 2 trains the same run: no restart.
    assert_eq!(restarts(&press(&mut app, KeyCode::Char('n'))), None);
    assert_eq!(app.tour.chapter, 1);
    assert_eq!(restarts(&press(&mut app, KeyCode::Left)), None);
    assert_eq!(app.tour.chapter, 0);
    assert_eq!(restarts(&press(&mut app, KeyCode::Right)), None);
    assert_eq!(app.tour.chapter, 1);
    assert_eq!(restarts(&press(&mut app, KeyCode::Char('p'))), None);
    // Chapter 3 trains parity: a restart with its settings, its preset selected.
    let cmds = press(&mut app, KeyCode::Char('3'));
    assert_eq!(restarts(&cmds), Some(&CHAPTERS[2].setup.config()));
    assert_eq!(app.tour.chapter, 2);
    assert_eq!(app.shared.presets[app.shared.preset].name, "parity");
    // 0 is chapter 10; past the ends nothing moves.
    press(&mut app, KeyCode::Char('0'));
    assert_eq!(app.tour.chapter, 9);
    for _ in 0..5 {
        press(&mut app, KeyCode::Char('n'));
    }
    assert_eq!(app.tour.chapter, CHAPTERS.len() - 1);
    assert!(
        app.shared
            .message
            .as_deref()
            .unwrap()
            .contains("chapters 1 to")
    );
    press(&mut app, KeyCode::Char('1'));
    assert_eq!(app.tour.chapter, 0);
    press(&mut app, KeyCode::Char('p'));
    assert_eq!(app.tour.chapter, 0);
}

#[test]
fn jump_keys_scrub_to_each_moment() {
    let (mut app, _) = on_chapter(0);
    let found = tour::found(&CHAPTERS[0], &app.shared.snapshot);
    for (n, (k, step)) in JUMP_KEYS.iter().zip(&found).enumerate() {
        let cmds = press(&mut app, KeyCode::Char(*k));
        let step = step.unwrap();
        // The first jump pauses the run; it stays paused.
        assert_eq!(cmds.contains(&Command::Pause), n == 0, "{k}");
        assert!(app.shared.paused);
        assert_eq!(app.shared.frame().unwrap().step(), step, "{k}");
    }
    // A key past the chapter's moments says so.
    let (mut app, _) = on_chapter(11);
    press(&mut app, KeyCode::Char('V'));
    assert_eq!(app.shared.scrub, None);
    assert!(
        app.shared
            .message
            .as_deref()
            .unwrap()
            .contains("marks 2 moments")
    );
    // In a view of other runs, a jump shows the run in the training view.
    let (mut app, _) = on_chapter(4);
    assert_eq!(app.view.name, "sweep");
    press(&mut app, KeyCode::Char('Z'));
    assert_eq!(app.view.name, "training");
    assert!(app.shared.scrub.is_some());
    // A moment the run has not reached: the training view too, where the run (never
    // paused beside the article's runs) trains on.
    let mut h = Harness::new(CHAPTERS[4].setup.config()).unwrap();
    h.app.sweeps.jobs = 1;
    h.act(Action::Tour(TourChange::Go(4)));
    assert_eq!(h.app.view.name, "sweep");
    let cmds = press(&mut h.app, KeyCode::Char('X'));
    assert_eq!(h.app.view.name, "training");
    assert!(!cmds.contains(&Command::Pause), "{cmds:?}");
    assert!(!h.app.shared.paused);
    let say = h.app.shared.message.as_deref().unwrap();
    assert_eq!(say, "test 99 %: not reached yet; the run trains here");
}

#[test]
fn esc_leaves_the_tour_as_the_chapter_set_it_up_and_q_quits() {
    let (mut app, _) = on_chapter(6);
    assert_eq!(app.view.name, "mechanism");
    // The help first closes.
    press(&mut app, KeyCode::Char('?'));
    assert!(app.shared.help);
    press(&mut app, KeyCode::Esc);
    assert!(!app.shared.help && app.tour.on);
    press(&mut app, KeyCode::Esc);
    assert!(!app.tour.on);
    assert_eq!(app.view.name, "mechanism");
    let marks = app.shared.callouts.len();
    assert_eq!(
        marks,
        CHAPTERS[6].moments.len(),
        "the marks stay on the run"
    );
    // The mechanism view's own Esc works again; 't' in the training view reopens the
    // tour where it was.
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.view.name, "training");
    press(&mut app, KeyCode::Char('t'));
    assert!(app.tour.on);
    assert_eq!((app.tour.chapter, app.view.name), (6, "mechanism"));
    press(&mut app, KeyCode::Char('q'));
    assert!(app.shared.quit);
}

/// The view's keys and the training keys work inside a chapter; those the tour takes
/// (n, p, ←, →, digits) are its own.
#[test]
fn dashboard_keys_work_inside_a_chapter() {
    let (mut app, _) = on_chapter(7);
    press(&mut app, KeyCode::Char('o'));
    assert!(app.mechanism.output, "the mechanism view's o");
    press(&mut app, KeyCode::Char('m'));
    assert_eq!(app.view.name, "training");
    assert!(app.tour.on, "switching views keeps the tour");
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Char('+'));
    assert!(app.shared.edited(), "a setting changed");
    let cmds = press(&mut app, KeyCode::Enter);
    assert!(restarts(&cmds).is_some());
    press(&mut app, KeyCode::Char(' '));
    assert!(app.shared.paused);
}

/// After leaving, the marks go when the run does.
#[test]
fn the_marks_last_as_long_as_the_run() {
    let mut h = Harness::from_fixture(&common::fixture("parity")).unwrap();
    h.train(1_480);
    h.act(Action::Tour(TourChange::Go(2)));
    assert_eq!(h.app.shared.callouts.len(), 4);
    h.press(crossterm::event::KeyEvent::from(KeyCode::Esc));
    h.train(20);
    assert_eq!(h.app.shared.callouts.len(), 4);
    h.press(crossterm::event::KeyEvent::from(KeyCode::Char('r')));
    h.train(20);
    assert!(h.app.shared.callouts.is_empty(), "a new run, no marks");
}

/// Regenerates the chapters' recorded runs (see the header: only on purpose).
#[test]
#[ignore = "regenerates tests/fixtures/tour/, which the tour's snapshots draw: only on purpose"]
fn record_tour_fixtures() {
    for (dir, chapter, steps, stride) in RUNS {
        if stride == 0 {
            continue;
        }
        let cfg = CHAPTERS[chapter].setup.config();
        let mut h = Harness::new(cfg.clone()).unwrap();
        h.train(steps);
        let snap = &h.app.shared.snapshot;
        let kept: Vec<_> = snap.frames.iter().step_by(stride).collect();
        let every = kept[1].step() - kept[0].step();
        let to = common::fixture(dir);
        let _ = std::fs::remove_dir_all(&to);
        std::fs::create_dir_all(&to).unwrap();
        let run = RunFile::new(&cfg, every, every, "jsonl").to_json();
        std::fs::write(to.join("run.json"), run).unwrap();
        let path = to.join("frames.bin");
        let mut w = FrameWriter::create(&path, &cfg, every, &kept[0].weights).unwrap();
        for f in &kept {
            w.append(&f.metrics, 0.0, &f.weights).unwrap();
        }
        w.sync().unwrap();
    }
}

/// Chapter 12's run generalizes, then falls back (its recorded run stops before the fall; here
/// its last frame reads as the live run's does at its end): once it ends, the suggestion of
/// what to do next says what the header's phase label says, not "memorized only".
#[test]
fn the_tip_follows_the_phase_label() {
    let mut snap = run_of(11);
    let last = snap.frames.last_mut().unwrap();
    Arc::make_mut(last).phase = grokscope::probe::Phase::FallingBack;
    snap.status = grokscope::app::session::Status::Finished;
    let tip = grokscope::ui::next_look(&snap).unwrap();
    assert!(!tip.contains("memorized only"), "{tip}");
    assert!(tip.starts_with("generalized, then fell back"), "{tip}");
}

/// The header's first row, at the widths the tour gives the dashboard (80 columns beside the
/// text at 120×40, the whole 80×24 screen), never ends inside a word: whatever the phase
/// label, the step (a long run, a scrubbed one) and the running state, it ends at a whole
/// word of the label or with "…".
#[test]
fn no_header_in_the_tour_ends_in_a_cut_word() {
    use grokscope::probe::Phase;
    let phases = [
        Phase::Starting,
        Phase::Memorizing,
        Phase::Generalizing,
        Phase::CircuitForming,
        Phase::CleaningUp,
        Phase::Grokked,
        Phase::FallingBack,
        Phase::NotLearning,
        Phase::Failing,
    ];
    for phase in phases {
        for (step, scrub, paused) in [
            (5_000, false, false),
            (13_000, false, true),
            (20_000, true, false),
        ] {
            let mut snap = run_of(11);
            snap.step = step;
            for f in &mut snap.frames {
                Arc::make_mut(f).phase = phase;
            }
            let mut app = App::new(Arc::new(snap));
            app.update(Action::Tour(TourChange::Go(11)));
            app.shared.paused = paused || scrub;
            if scrub {
                app.shared.scrub = Some(3);
            }
            let wide = text(&render(&app, 120, 40, &PLAIN));
            let dash: String = wide.lines().next().unwrap().chars().take(80).collect();
            press(&mut app, KeyCode::Char('i'));
            let small = text(&render(&app, 80, 24, &PLAIN));
            for row in [dash.trim_end(), small.lines().next().unwrap().trim_end()] {
                let last = row.rsplit([' ', '│']).next().unwrap();
                let whole = phase.label().split(' ').any(|w| w == last);
                assert!(
                    whole || last.ends_with('…'),
                    "{}: the header ends in {last:?}: {row}",
                    phase.label()
                );
            }
        }
    }
}

/// Chapters 5 and 6 opened directly show the article's published runs, which train nowhere:
/// the chapter's run trains beside them. Your own grid (`a` in the sweep view, Tab in the
/// gallery) trains in the background: the run pauses for it, as on entering those views,
/// stays paused while the article's are back on screen (yours go on training), and resumes
/// when the view is left.
#[test]
fn the_article_views_leave_the_chapters_run_training() {
    for (i, view, toggle) in [
        (4, "sweep", KeyCode::Char('a')),
        (5, "gallery", KeyCode::Tab),
    ] {
        let mut h = Harness::new(CHAPTERS[i].setup.config()).unwrap();
        h.app.sweeps.jobs = 1;
        h.act(Action::Tour(TourChange::Go(i)));
        assert_eq!(h.app.view.name, view);
        assert!(h.sweep_commands.is_empty(), "{view}: no grid trains");
        let at = h.app.shared.snapshot.step;
        h.train(300);
        assert!(h.app.shared.snapshot.step > at, "{view}: the run trains");
        assert!(!h.app.shared.paused && !h.app.shared.resume_training);
        // Your grid: the run pauses for it.
        h.press(crossterm::event::KeyEvent::from(toggle));
        assert!(!h.sweep_commands.is_empty(), "{view}: your grid trains");
        let at = h.app.shared.snapshot.step;
        h.train(300);
        assert_eq!(
            h.app.shared.snapshot.step, at,
            "{view}: paused for your grid"
        );
        h.press(crossterm::event::KeyEvent::from(toggle));
        h.train(300);
        assert_eq!(h.app.shared.snapshot.step, at, "{view}: yours still train");
        h.press(crossterm::event::KeyEvent::from(KeyCode::Esc));
        h.press(crossterm::event::KeyEvent::from(KeyCode::Esc));
        assert_eq!(h.app.view.name, "training");
        h.train(300);
        assert!(
            h.app.shared.snapshot.step > at,
            "{view}: resumed on leaving"
        );
    }
}
