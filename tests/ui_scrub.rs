//! Scrubbing as the article's mouse-over does it: PgUp/PgDn, Home/End, a typed step, held
//! arrows and replays, on a long run's worth of kept frames. The state is the app alone (no
//! trainer): a run of 30,660 steps with 512 frames, 60 steps apart, made from one recorded
//! frame re-stamped, so every expected step is known; clicks on the charts, on a recorded
//! run.

mod common;
use crossterm::event::KeyCode;
use grokscope::app::action::{Action, Command};
use grokscope::app::harness::{Harness, text};
use grokscope::app::keys::Key;
use grokscope::app::seek::{HOLD, SPEEDS};
use grokscope::app::session::{Snapshot, Status};
use grokscope::app::state as views;
use grokscope::app::state::App;
use grokscope::train::presets;
use grokscope::ui::{ColorMode, Memo, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::sync::Arc;
use std::time::Duration;

const FRAMES: u64 = 512;
const EVERY: u64 = 60;
const LAST: u64 = (FRAMES - 1) * EVERY;

/// A running run at step 30,660 with 512 frames at steps 0, 60, …
fn long_run() -> App {
    let h = common::played("five-neurons");
    let base = h.app.shared.snapshot.latest().unwrap().as_ref().clone();
    let frames: Vec<_> = (0..FRAMES)
        .map(|i| {
            let mut f = base.clone();
            f.metrics.step = i * EVERY;
            Arc::new(f)
        })
        .collect();
    let history = frames.iter().map(|f| f.metrics).collect();
    let snap = Snapshot {
        step: LAST,
        history,
        frames,
        status: Status::Running,
        ..(*h.app.shared.snapshot).clone()
    };
    App::new(Arc::new(snap))
}

/// Press a key through the real dispatcher; the commands it gave.
fn press(app: &mut App, code: KeyCode) -> Vec<Command> {
    let a = views::dispatch(app, Key::code(code)).unwrap_or_else(|| panic!("{code:?} unbound"));
    app.update(a)
}

fn step(app: &App) -> u64 {
    app.shared.frame().unwrap().step()
}

fn render(app: &App, w: u16, h: u16) -> String {
    let theme = Theme::new(ColorMode::TrueColor);
    let memo = Memo::default();
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| views::draw(f, app, &theme, &memo)).unwrap();
    text(t.backend().buffer())
}

#[test]
fn page_up_from_live_pauses_and_jumps_ten_percent() {
    let mut app = long_run();
    assert_eq!(step(&app), LAST);
    let cmds = press(&mut app, KeyCode::PageUp);
    assert_eq!(cmds, [Command::Pause], "scrubbing pauses the run");
    assert!(app.shared.paused);
    assert!(
        app.shared
            .message
            .as_deref()
            .unwrap()
            .contains("paused to scrub"),
        "{:?}",
        app.shared.message
    );
    // 10 % of 30,660 is 3,066: 27,594, whose nearest frame is 27,600.
    assert_eq!(step(&app), 27_600);
    // Paused already: no second Pause.
    assert!(press(&mut app, KeyCode::PageUp).is_empty());
    assert_eq!(step(&app), 24_540);
    // PgDn goes forward by as much; at the end it is the latest frame again.
    press(&mut app, KeyCode::PageDown);
    assert_eq!(step(&app), 27_600);
    press(&mut app, KeyCode::PageDown);
    press(&mut app, KeyCode::PageDown);
    assert_eq!(app.shared.scrub, None, "at the latest frame");
    assert!(app.shared.paused, "still paused");
    // 10 % at a time, rounded to the nearest frame: eleven presses reach the start.
    for _ in 0..10 {
        press(&mut app, KeyCode::PageUp);
    }
    assert_eq!(step(&app), 60);
    {
        press(&mut app, KeyCode::PageUp);
    }
    assert_eq!(step(&app), 0);
    let t = render(&app, 120, 40);
    assert!(t.contains("◂ step 0 ▸ of 30,660"), "{t}");
}

#[test]
fn home_and_end() {
    let mut app = long_run();
    // End while live and running: nothing to do, and no pause.
    assert!(press(&mut app, KeyCode::End).is_empty());
    assert!(!app.shared.paused);
    assert_eq!(press(&mut app, KeyCode::Home), [Command::Pause]);
    assert_eq!(app.shared.scrub, Some(0));
    assert_eq!(step(&app), 0);
    press(&mut app, KeyCode::End);
    assert_eq!(app.shared.scrub, None);
    assert_eq!(step(&app), LAST);
    // Space resumes and stays live.
    assert_eq!(press(&mut app, KeyCode::Char(' ')), [Command::Resume]);
    assert!(!app.shared.paused && app.shared.scrub.is_none());
}

#[test]
fn a_typed_step_lands_on_the_nearest_frame() {
    let mut app = long_run();
    assert!(press(&mut app, KeyCode::Char('g')).is_empty());
    assert!(!app.shared.paused, "typing alone does not pause");
    for c in "12345".chars() {
        // Digits go to the typing, not to the preset keys.
        assert!(press(&mut app, KeyCode::Char(c)).is_empty());
    }
    let t = render(&app, 120, 40);
    assert!(
        t.contains("go to step: 12345▏"),
        "the typing is on screen:\n{t}"
    );
    let t = render(&app, 80, 24);
    assert!(t.contains("go to step: 12345▏"), "at 80×24 too:\n{t}");
    // Backspace and retype; other keys do nothing meanwhile (q does not quit).
    press(&mut app, KeyCode::Backspace);
    press(&mut app, KeyCode::Char('q'));
    assert!(!app.shared.quit);
    press(&mut app, KeyCode::Char('6'));
    assert_eq!(app.shared.seek.typing.as_deref(), Some("12346"));
    assert_eq!(press(&mut app, KeyCode::Enter), [Command::Pause]);
    assert!(app.shared.seek.typing.is_none());
    // 12,346 lies between 12,300 and 12,360: the nearer is 12,360.
    assert_eq!(step(&app), 12_360);
    assert_eq!(
        app.shared.message.as_deref(),
        Some("step 12,346: the nearest kept frame is 12,360")
    );
    // Past the end: the latest frame.
    for code in [KeyCode::Char('g'), KeyCode::Char('9'), KeyCode::Char('9')] {
        press(&mut app, code);
    }
    for _ in 0..5 {
        press(&mut app, KeyCode::Char('9'));
    }
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.shared.scrub, None);
    // Esc cancels: the frame on screen stays, and Esc does not quit.
    press(&mut app, KeyCode::Home);
    press(&mut app, KeyCode::Char('g'));
    press(&mut app, KeyCode::Char('5'));
    press(&mut app, KeyCode::Esc);
    assert!(app.shared.seek.typing.is_none() && !app.shared.quit);
    assert_eq!(step(&app), 0);
    // Enter with nothing typed jumps nowhere.
    press(&mut app, KeyCode::Char('g'));
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    assert_eq!(step(&app), 0);
    // Ctrl-C still quits while typing.
    press(&mut app, KeyCode::Char('g'));
    let a = views::dispatch(&app, Key::ctrl('c')).unwrap();
    app.update(a);
    assert!(app.shared.quit);
}

#[test]
fn a_hundred_held_presses_cover_the_run_and_taps_move_one_frame() {
    let mut app = long_run();
    // Held: presses closer than HOLD apart (the clock does not move here at all).
    for _ in 0..100 {
        press(&mut app, KeyCode::Left);
    }
    assert_eq!(
        app.shared.scrub,
        Some(0),
        "100 held presses cross 512 frames"
    );
    for _ in 0..100 {
        press(&mut app, KeyCode::Right);
    }
    assert_eq!(app.shared.scrub, None, "and back");
    // Taps: each press a while after the last moves one frame.
    let mut now = Duration::ZERO;
    for i in 1..=5u64 {
        now += HOLD * 2;
        app.update(Action::Tick(now));
        press(&mut app, KeyCode::Left);
        assert_eq!(step(&app), LAST - i * EVERY);
    }
    // The first three held presses move one frame each too.
    for i in 1..=3u64 {
        press(&mut app, KeyCode::Right);
        assert_eq!(step(&app), LAST - (5 - i) * EVERY);
    }
}

#[test]
fn play_advances_at_its_speed_and_stops_at_the_end() {
    let mut app = long_run();
    assert_eq!(SPEEDS[app.shared.seek.speed], 2_000, "default speed");
    // From the latest step, p replays the whole run from the start.
    let cmds = press(&mut app, KeyCode::Char('p'));
    assert_eq!(cmds, [Command::Pause]);
    assert!(app.shared.seek.playing.is_some());
    assert_eq!(step(&app), 0);
    let t = render(&app, 120, 40);
    assert!(t.contains("⏵ replay 2,000 steps/s"), "{t}");
    assert!(render(&app, 80, 24).contains("⏵ 2,000/s"));
    // The article's "switches ⏵": from 18,000 on.
    for c in "g18000".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    press(&mut app, KeyCode::Enter);
    assert!(app.shared.seek.playing.is_none(), "a jump stops the replay");
    let mut now = Duration::from_secs(10);
    app.update(Action::Tick(now));
    press(&mut app, KeyCode::Char('p'));
    assert_eq!(step(&app), 18_000, "plays from the step on screen");
    now += Duration::from_secs(1);
    app.update(Action::Tick(now));
    assert_eq!(
        step(&app),
        19_980,
        "2,000 steps in a second: the frame at or before 20,000"
    );
    // Faster: 5,000 steps/s, shown.
    press(&mut app, KeyCode::Char('>'));
    assert_eq!(SPEEDS[app.shared.seek.speed], 5_000);
    assert!(render(&app, 120, 40).contains("⏵ replay 5,000 steps/s"));
    now += Duration::from_millis(500);
    app.update(Action::Tick(now));
    assert_eq!(step(&app), 22_500);
    // Slower twice: 1,000.
    press(&mut app, KeyCode::Char('<'));
    press(&mut app, KeyCode::Char('<'));
    assert_eq!(SPEEDS[app.shared.seek.speed], 1_000);
    now += Duration::from_secs(1);
    app.update(Action::Tick(now));
    assert_eq!(step(&app), 23_460);
    // p stops it where it is; p again plays on.
    press(&mut app, KeyCode::Char('p'));
    assert!(app.shared.seek.playing.is_none());
    now += Duration::from_secs(3);
    app.update(Action::Tick(now));
    assert_eq!(step(&app), 23_460, "stopped");
    press(&mut app, KeyCode::Char('p'));
    // Long enough to pass the end: it stops on the latest frame.
    now += Duration::from_secs(20);
    app.update(Action::Tick(now));
    assert!(app.shared.seek.playing.is_none());
    assert_eq!(app.shared.scrub, None);
    assert!(app.shared.paused, "the run stays paused after the replay");
    assert!(
        app.shared
            .message
            .as_deref()
            .unwrap()
            .contains("replay reached step 30,660"),
        "{:?}",
        app.shared.message
    );
    // Speeds stop at the ends of the ladder.
    for _ in 0..20 {
        press(&mut app, KeyCode::Char('>'));
    }
    assert_eq!(SPEEDS[app.shared.seek.speed], *SPEEDS.last().unwrap());
    // Space resumes training and ends a replay.
    press(&mut app, KeyCode::Char('p'));
    assert_eq!(press(&mut app, KeyCode::Char(' ')), [Command::Resume]);
    assert!(app.shared.seek.playing.is_none() && app.shared.scrub.is_none());
}

#[test]
fn scrub_keys_in_the_sweep_view_say_where_they_act() {
    let mut h = Harness::new(presets::find("parity").unwrap().config).unwrap();
    h.app.sweeps.jobs = 1;
    h.act(Action::ToggleView("sweep"));
    for code in [
        KeyCode::PageUp,
        KeyCode::Home,
        KeyCode::Char('g'),
        KeyCode::Char('p'),
    ] {
        h.app.shared.message = None;
        assert!(h.press(Key::code(code).event()));
        assert_eq!(
            h.app.shared.message.as_deref(),
            Some("that key acts on the training run: w shows it")
        );
    }
    assert!(h.app.shared.seek.typing.is_none());
}

/// A click or a drag on the loss or the accuracy chart scrubs to the step under it (pausing
/// the run); other mouse events and clicks elsewhere do nothing.
#[test]
fn clicks_on_the_charts_scrub() {
    use crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
    let mut h = common::played("mod-add");
    h.train(1000);
    let at = |kind, column, row| MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    };
    let down = MouseEventKind::Down(MouseButton::Left);
    // Nothing drawn yet: nothing to click on.
    assert!(!h.mouse(at(down, 40, 6)));
    let buf = h.render(120, 40, &Theme::new(ColorMode::TrueColor));
    let t = text(&buf);
    // The loss chart's graph starts right of "1e-2│" (column 6) and spans steps 0 … 1,000.
    let line = t.lines().nth(6).unwrap();
    assert!(
        line.starts_with('│') && line.chars().nth(5) == Some('│'),
        "{t}"
    );
    assert!(h.mouse(at(down, 6, 6)));
    assert!(h.app.shared.paused, "a click pauses the run");
    assert_eq!(h.app.shared.frame().unwrap().step(), 0);
    // Dragging to the middle of the graph: about step 500.
    h.render(120, 40, &Theme::new(ColorMode::TrueColor));
    assert!(h.mouse(at(MouseEventKind::Drag(MouseButton::Left), 6 + 32, 6)));
    assert_eq!(h.app.shared.frame().unwrap().step(), 500);
    // The accuracy chart maps its columns over the same steps.
    h.render(120, 40, &Theme::new(ColorMode::TrueColor));
    assert!(h.mouse(at(down, 118, 5)));
    assert_eq!(h.app.shared.scrub, None, "its right end is the latest step");
    // Not on a chart, or not a left click: nothing.
    assert!(!h.mouse(at(down, 10, 30)));
    assert!(!h.mouse(at(MouseEventKind::Moved, 40, 6)));
    assert!(!h.mouse(at(MouseEventKind::Down(MouseButton::Right), 40, 6)));
}
