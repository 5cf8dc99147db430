//! `demo.tape` cannot be recorded here (no vhs), so this test reads it and replays its
//! keystrokes against the app, synchronously: the launch command must parse as grokscope's
//! command line (`grokscope tour`), every key must do something, and the tape must walk the
//! tour's first chapters, reach parity and five-neurons, show the mechanism view, the help
//! and the sweep view, leave the tour and quit. `Sleep` trains a bounded number of steps.

use clap::Parser;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use grokscope::app::action::{Action, TourChange};
use grokscope::app::harness::{Harness, text};
use grokscope::app::views::chapters::CHAPTERS;
use grokscope::cli::{Cli, Command};
use grokscope::ui::{ColorMode, Theme};

/// One replayable instruction of the tape.
#[derive(Debug, PartialEq)]
enum Step {
    Type(String),
    Key(KeyCode, u32),
    Ctrl(char),
    Sleep(f64),
}

fn parse_duration(s: &str) -> f64 {
    let s = s.trim();
    if let Some(ms) = s.strip_suffix("ms") {
        ms.parse::<f64>().unwrap() / 1000.0
    } else if let Some(sec) = s.strip_suffix('s') {
        sec.parse().unwrap()
    } else {
        s.parse().unwrap()
    }
}

/// The tape's instructions, settings and comments skipped. Panics on anything unknown, so a
/// typo in the tape fails the test.
fn parse(tape: &str) -> Vec<Step> {
    let mut out = Vec::new();
    for (n, raw) in tape.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (cmd, rest) = line.split_once(' ').unwrap_or((line, ""));
        // `Type@100ms "..."`, `Left@50ms 3`: the speed does not matter here.
        let cmd = cmd.split('@').next().unwrap();
        let rest = rest.trim();
        match cmd {
            "Output" | "Set" | "Require" | "Hide" | "Show" | "Screenshot" => {}
            "Type" => {
                let s = rest
                    .strip_prefix('"')
                    .and_then(|r| r.strip_suffix('"'))
                    .unwrap_or_else(|| panic!("line {}: Type needs a quoted string", n + 1));
                out.push(Step::Type(s.to_string()));
            }
            "Sleep" => out.push(Step::Sleep(parse_duration(rest))),
            "Enter" | "Space" | "Tab" | "Escape" | "Up" | "Down" | "Left" | "Right"
            | "Backspace" | "PageUp" | "PageDown" => {
                let code = match cmd {
                    "Enter" => KeyCode::Enter,
                    "Space" => KeyCode::Char(' '),
                    "Tab" => KeyCode::Tab,
                    "Escape" => KeyCode::Esc,
                    "Up" => KeyCode::Up,
                    "Down" => KeyCode::Down,
                    "Left" => KeyCode::Left,
                    "Right" => KeyCode::Right,
                    "PageUp" => KeyCode::PageUp,
                    "PageDown" => KeyCode::PageDown,
                    _ => KeyCode::Backspace,
                };
                // `Left Left Left` and `Left 3` both repeat.
                let words: Vec<&str> = rest.split_whitespace().collect();
                let count = match words.as_slice() {
                    [] => 1,
                    [n] if n.parse::<u32>().is_ok() => n.parse().unwrap(),
                    ws if ws.iter().all(|w| *w == cmd) => ws.len() as u32 + 1,
                    _ => panic!("line {}: cannot read {line:?}", n + 1),
                };
                out.push(Step::Key(code, count));
            }
            c if c.starts_with("Ctrl+") => out.push(Step::Ctrl(
                c[5..].chars().next().unwrap().to_ascii_lowercase(),
            )),
            _ => panic!("line {}: unknown tape command {cmd:?}", n + 1),
        }
    }
    out
}

fn press(h: &mut Harness, code: KeyCode, mods: KeyModifiers) {
    let mapped = h.press(KeyEvent::new(code, mods));
    assert!(
        mapped,
        "the tape presses {code:?}, which the dashboard ignores"
    );
}

/// The tape's shell part (everything typed before the first Enter) is the launch command:
/// the release binary opening the tour. The harness as `grokscope tour` opens (its
/// chapter's run, the tour on that chapter) and the tape's steps after the command.
fn launch(steps: Vec<Step>) -> (Harness, std::vec::IntoIter<Step>) {
    let mut it = steps.into_iter();
    let mut command = String::new();
    for s in it.by_ref() {
        match s {
            Step::Type(t) => command.push_str(&t),
            Step::Key(KeyCode::Enter, 1) => break,
            other => panic!("unexpected {other:?} before the launch command"),
        }
    }
    let argv: Vec<&str> = command.split_whitespace().collect();
    assert_eq!(
        argv[0], "./target/release/grokscope",
        "the tape starts the release binary"
    );
    let cli = Cli::try_parse_from(&argv).expect("the launch command parses");
    let Some(Command::Tour(tour)) = cli.command else {
        panic!("the launch command opens the tour");
    };
    let first = tour.chapter - 1;
    let mut h = Harness::new(CHAPTERS[first].setup.config()).unwrap();
    h.act(Action::Tour(TourChange::Go(first)));
    (h, it)
}

/// What the tape has shown so far.
#[derive(Default)]
struct Seen {
    chapters: Vec<usize>,
    presets: Vec<String>,
    help: bool,
    scrubbed: bool,
    sweep: bool,
    mechanism: bool,
    replay: bool,
    jumped: bool,
}

impl Seen {
    fn note(&mut self, h: &Harness) {
        let s = &h.app.shared;
        if h.app.tour.on && self.chapters.last() != Some(&h.app.tour.chapter) {
            self.chapters.push(h.app.tour.chapter);
        }
        self.help |= s.help;
        self.scrubbed |= s.scrub.is_some();
        self.replay |= s.seek.playing.is_some();
        self.jumped |= s
            .message
            .as_deref()
            .is_some_and(|m| m.starts_with("step 6,000"));
        self.sweep |= h.app.view.name == "sweep";
        self.mechanism |= h.app.view.name == "mechanism";
        let p = &s.snapshot.config.preset;
        if self.presets.last() != Some(p) {
            self.presets.push(p.clone());
        }
    }
}

/// One step of the tape on the harness; `now` is the app's clock (a replay advances by it).
fn play(h: &mut Harness, s: Step, now: &mut std::time::Duration) {
    match s {
        // Real time in the tape; here a bounded number of steps keeps the test quick.
        Step::Sleep(secs) => {
            h.train(((secs * 50.0) as u64).min(400));
            *now += std::time::Duration::from_secs_f64(secs);
            h.act(Action::Tick(*now));
        }
        Step::Type(t) => {
            for c in t.chars() {
                press(h, KeyCode::Char(c), KeyModifiers::NONE);
            }
        }
        Step::Key(code, n) => {
            for _ in 0..n {
                press(h, code, KeyModifiers::NONE);
            }
        }
        Step::Ctrl(c) => press(h, KeyCode::Char(c), KeyModifiers::CONTROL),
    }
}

#[test]
fn demo_tape_replays_against_the_app() {
    let tape = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/demo.tape"))
        .expect("demo.tape at the crate root");
    let theme = Theme::new(ColorMode::TrueColor);
    let (mut h, steps) = launch(parse(&tape));
    let mut seen = Seen::default();
    seen.note(&h);
    let mut now = std::time::Duration::ZERO;
    for s in steps {
        assert!(!h.app.shared.quit, "keys after quitting: {s:?}");
        play(&mut h, s, &mut now);
        if h.app.shared.quit {
            break;
        }
        seen.note(&h);
        // Every state the tape shows renders at the recording size and at 80×24.
        let t = text(&h.render(150, 45, &theme));
        assert!(t.contains("grokscope") || t.contains("╭ tour "), "{t}");
        let _ = h.render(80, 24, &theme);
    }
    assert!(h.app.shared.quit, "the tape ends by quitting");
    assert!(seen.help, "the tape shows the help overlay");
    assert!(seen.scrubbed, "the tape scrubs back through a paused run");
    assert!(seen.sweep, "the tape shows the sweep view");
    assert!(seen.mechanism, "the tape shows the mechanism view");
    assert!(seen.jumped, "the tape goes to a typed step");
    assert!(seen.replay, "the tape replays the run");
    assert_eq!(h.app.view.name, "training", "and leaves it");
    assert!(!h.app.tour.on, "the tape leaves the tour");
    assert_eq!(seen.chapters, [0, 1, 2, 3, 6, 8, 9], "the chapters walked");
    assert_eq!(
        seen.presets,
        ["mod-add", "parity", "parity-l2", "mod-add", "five-neurons"]
    );
}

#[test]
fn tape_parser_reads_vhs_forms() {
    let steps =
        parse("# c\nSet Width 10\nType@10ms \"ab\"\nLeft 3\nRight Right\nSleep 500ms\nCtrl+C\n");
    assert_eq!(
        steps,
        [
            Step::Type("ab".into()),
            Step::Key(KeyCode::Left, 3),
            Step::Key(KeyCode::Right, 2),
            Step::Sleep(0.5),
            Step::Ctrl('c'),
        ]
    );
}
