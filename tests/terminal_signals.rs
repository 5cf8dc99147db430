//! Every signal a handler can take leaves the terminal as it was: those whose default is
//! to end the process end the dashboard (and `sweep --watch`) cleanly, status 0; SIGABRT
//! and the faults put the terminal back before they end it; SIGTSTP gives the terminal
//! back while stopped and takes it again on SIGCONT. The real binary on a pty (`script`),
//! signals sent with kill(1); see `common/pty.rs`.

#[path = "common/pty.rs"]
mod pty;

use pty::{
    ENTER_ALT, LEAVE_ALT, MOUSE_OFF, Pty, SHOW_CURSOR, START_TIMEOUT, assert_restored,
    assert_restored_with, find, rfind,
};
use std::process::Command;

const DASHBOARD: [&str; 6] = ["--preset", "five-neurons", "--fps", "5", "--threads", "1"];

fn dashboard() -> Pty {
    let mut pty = Pty::start(&DASHBOARD);
    pty.wait_drawn("five-neurons");
    pty
}

#[test]
fn every_signal_that_would_end_the_dashboard_restores_the_terminal() {
    // SIGTERM, SIGHUP and SIGINT: tests/ui_terminal.rs.
    let signals = [
        "QUIT", "USR1", "USR2", "PIPE", "ALRM", "VTALRM", "PROF", "XCPU", "XFSZ", "IO", "PWR",
    ];
    for sig in signals {
        let pty = dashboard();
        pty.signal(sig);
        assert_restored(&pty.finish(sig), &format!("dashboard, SIG{sig}"));
    }
}

#[test]
fn sweep_watch_restores_the_terminal_on_sigquit() {
    let mut pty = Pty::start(&["sweep", "--grid", "parity-quick", "--watch", "--jobs", "1"]);
    pty.wait_drawn("parity-quick");
    pty.signal("QUIT");
    let out = pty.finish("SIGQUIT");
    assert_restored(&out, "sweep --watch, SIGQUIT");
    let leave = rfind(out.as_bytes(), LEAVE_ALT).unwrap();
    assert!(
        out[leave..].contains("runs left"),
        "the tables print after it"
    );
}

/// An abort (or a fault) ends the process, as it must, with the terminal put back first:
/// killed by the signal (status 128 + its number), the screen, cursor, mouse and pty
/// settings restored.
#[test]
fn an_abort_or_a_fault_restores_the_terminal_before_ending_the_process() {
    for (sig, status) in [("ABRT", 134), ("SEGV", 139), ("BUS", 135)] {
        let pty = dashboard();
        pty.signal(sig);
        let out = pty.finish(sig);
        assert_restored_with(
            &out,
            &format!("dashboard, SIG{sig}"),
            &format!("exit={status}"),
        );
    }
}

/// The pty grokscope's stdout is on, and whether its settings are cooked (canonical input
/// and echo, as the shell left them) rather than raw.
fn cooked(pid: u32) -> bool {
    let tty = std::fs::read_link(format!("/proc/{pid}/fd/1")).unwrap();
    let out = Command::new("stty")
        .arg("-F")
        .arg(&tty)
        .arg("-a")
        .output()
        .unwrap();
    let settings = String::from_utf8_lossy(&out.stdout).into_owned();
    let has = |flag: &str| settings.split_whitespace().any(|w| w == flag);
    assert!(out.status.success(), "stty -F {tty:?}: {out:?}");
    has("icanon") && has("echo")
}

/// The process state letter of `pid` (`T`: stopped).
fn state(pid: u32) -> String {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let after = &stat[stat.rfind(')').unwrap() + 1..];
    after.split_whitespace().next().unwrap().to_string()
}

#[test]
fn a_stopped_dashboard_gives_the_terminal_back_and_takes_it_again() {
    let mut pty = dashboard();
    let pid = pty.grokscope.unwrap();
    assert!(!cooked(pid), "raw while drawn");
    let entered = rfind(&pty.output(), ENTER_ALT).unwrap();
    pty.signal("TSTP");
    pty.wait_for("the stop", START_TIMEOUT, |o| {
        find(&o[entered..], LEAVE_ALT).is_some() && state(pid) == "T"
    });
    let out = pty.output();
    let left = entered + find(&out[entered..], LEAVE_ALT).unwrap();
    assert!(find(&out[entered..], MOUSE_OFF).is_some(), "mouse released");
    assert!(find(&out[left..], SHOW_CURSOR).is_some(), "cursor shown");
    assert!(cooked(pid), "cooked while stopped");
    pty.signal("CONT");
    pty.wait_for("full screen again", START_TIMEOUT, |o| {
        find(&o[left..], ENTER_ALT).is_some_and(|i| find(&o[left + i..], b"five-neurons").is_some())
    });
    assert!(!cooked(pid), "raw again");
    pty.signal("TERM");
    assert_restored(
        &pty.finish("SIGTERM after a stop"),
        "dashboard, SIGTSTP then SIGCONT",
    );
}
