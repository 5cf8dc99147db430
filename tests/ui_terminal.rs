//! The terminal contract: however the dashboard or `sweep --watch` ends (SIGTERM, SIGHUP,
//! `q`), the terminal is restored. Each case runs the real binary under a pseudo-terminal
//! made by util-linux `script`, inside a small shell that sizes the pty, notes its settings
//! (`stty -g`) before the run and compares them after it (raw mode must be off again), then
//! prints a marker line with grokscope's exit status. The signals go to the grokscope
//! process itself, found among `script`'s descendants in /proc.

#[path = "common/pty.rs"]
mod pty;

use pty::{
    EXIT_TIMEOUT, LEAVE_ALT, MOUSE_ON, Pty, START_TIMEOUT, assert_restored, ended, find, rfind,
};
use std::time::{Duration, Instant};

const DASHBOARD: [&str; 6] = ["--preset", "five-neurons", "--fps", "5", "--threads", "1"];

fn dashboard() -> Pty {
    let mut pty = Pty::start(&DASHBOARD);
    pty.wait_drawn("five-neurons");
    // The dashboard captures the mouse (clicks on the charts scrub); assert_restored checks
    // that it lets it go.
    assert!(
        find(&pty.output(), MOUSE_ON).is_some(),
        "the dashboard captures the mouse"
    );
    pty
}

#[test]
fn dashboard_restores_the_terminal_on_sigterm() {
    let pty = dashboard();
    pty.signal("TERM");
    assert_restored(&pty.finish("SIGTERM"), "dashboard, SIGTERM");
}

#[test]
fn dashboard_restores_the_terminal_on_sighup() {
    let pty = dashboard();
    pty.signal("HUP");
    assert_restored(&pty.finish("SIGHUP"), "dashboard, SIGHUP");
}

#[test]
fn dashboard_restores_the_terminal_on_q() {
    let mut pty = dashboard();
    pty.type_keys(b"q");
    assert_restored(&pty.finish("q"), "dashboard, q");
}

#[test]
fn sweep_watch_restores_the_terminal_on_sigterm() {
    let mut pty = Pty::start(&["sweep", "--grid", "parity-quick", "--watch", "--jobs", "1"]);
    pty.wait_drawn("parity-quick");
    pty.signal("TERM");
    let out = pty.finish("SIGTERM");
    assert_restored(&out, "sweep --watch, SIGTERM");
    // The tables and the note on what is left print on the restored terminal.
    let leave = rfind(out.as_bytes(), LEAVE_ALT).unwrap();
    assert!(
        out[leave..].contains("runs left"),
        "no 'runs left' note after the view closed:\n{}",
        out[leave..].escape_debug()
    );
}

/// An SSH drop for real: the pty's master side goes away (`script` killed), the kernel
/// hangs the terminal up, and grokscope must end rather than linger. Nothing can be seen
/// on a terminal that is gone, so this checks only that the process exits.
#[test]
fn dashboard_exits_when_its_terminal_hangs_up() {
    let mut pty = dashboard();
    let pid = pty.grokscope.unwrap();
    pty.hang_up();
    let start = Instant::now();
    while !ended(pid) {
        if start.elapsed() > EXIT_TIMEOUT {
            pty.fail(&format!(
                "grokscope ({pid}) still running {EXIT_TIMEOUT:?} after its terminal hung up"
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `--view sweep` opens the dashboard on the sweep view; q there (with the help open, too)
/// quits and restores the terminal.
#[test]
fn dashboard_opens_on_the_sweep_view_and_q_restores_the_terminal() {
    let mut args = DASHBOARD.to_vec();
    args.extend(["--view", "sweep"]);
    let mut pty = Pty::start(&args);
    pty.wait_drawn("sweep parity-quick");
    pty.type_keys(b"?");
    pty.wait_for("the help overlay", START_TIMEOUT, |o| {
        find(o, b"Shift-Tab").is_some()
    });
    pty.type_keys(b"q");
    assert_restored(&pty.finish("q"), "dashboard --view sweep, q");
}

#[test]
fn sweep_watch_restores_the_terminal_on_q() {
    let mut pty = Pty::start(&["sweep", "--grid", "parity-quick", "--watch", "--jobs", "1"]);
    pty.wait_drawn("parity-quick");
    pty.type_keys(b"q");
    let out = pty.finish("q");
    assert_restored(&out, "sweep --watch, q");
    let leave = rfind(out.as_bytes(), LEAVE_ALT).unwrap();
    assert!(
        out[leave..].contains("runs left"),
        "no 'runs left' note after the view closed:\n{}",
        out[leave..].escape_debug()
    );
}
