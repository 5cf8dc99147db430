//! Running the `grokscope` binary and judging how it ended: success (its stderr shown
//! otherwise), a refusal in one line, or a run still going after its time.

use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The command ended with status 0; its stderr is the failure's message otherwise.
pub fn assert_ok(out: &Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `grokscope ARGS`, which must succeed (see [`assert_ok`]).
pub fn grokscope_ok(args: &[&str]) -> Output {
    let out = super::grokscope(args);
    assert_ok(&out);
    out
}

/// Status 2 and exactly one line on stderr that mentions every one of `words`; that line.
pub fn assert_refused(out: &Output, args: &[&str], words: &[&str]) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
    for w in words {
        assert!(err.contains(w), "{args:?}: '{err}' should mention '{w}'");
    }
    err
}

/// `grokscope ARGS` started with its output thrown away.
pub fn start_quiet(args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_grokscope"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// `command` run with its stdout and stderr captured; it must end within `timeout` (a hang
/// fails the test, `what` naming the command).
pub fn output_within(command: &mut Command, timeout: Duration, what: &str) -> Output {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > timeout {
            child.kill().unwrap();
            panic!("{what} still running after {timeout:?} (a hang)");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().unwrap()
}

/// `grokscope sweep report FILES`, which must succeed: the tables it prints.
pub fn sweep_report(files: &[&std::path::Path]) -> String {
    let mut args = vec!["sweep", "report"];
    args.extend(files.iter().map(|f| f.to_str().unwrap()));
    String::from_utf8(grokscope_ok(&args).stdout).unwrap()
}

/// The arguments of `grokscope sweep` running the grid file `grid` on one job, its records
/// appended to the file `out`.
pub fn sweep_one_job<'a>(grid: &'a std::path::Path, out: &'a std::path::Path) -> [&'a str; 7] {
    let (grid, out) = (grid.to_str().unwrap(), out.to_str().unwrap());
    ["sweep", "--grid-file", grid, "--jobs", "1", "--out", out]
}
