//! The terminal contract: however the dashboard or `sweep --watch` ends (SIGTERM, SIGHUP,
//! `q`), the terminal is restored. Each case runs the real binary under a pseudo-terminal
//! made by util-linux `script`, inside a small shell that sizes the pty, notes its settings
//! (`stty -g`) before the run and compares them after it (raw mode must be off again), then
//! prints a marker line with grokscope's exit status. The signals go to the grokscope
//! process itself, found among `script`'s descendants in /proc.

use std::io::{Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const ENTER_ALT: &[u8] = b"\x1b[?1049h";
const LEAVE_ALT: &[u8] = b"\x1b[?1049l";
const SHOW_CURSOR: &[u8] = b"\x1b[?25h";
const HIDE_CURSOR: &[u8] = b"\x1b[?25l";
/// Mouse capture (crossterm's first of five modes) on and off.
const MOUSE_ON: &[u8] = b"\x1b[?1000h";
const MOUSE_OFF: &[u8] = b"\x1b[?1000l";
/// Printed by the wrapper shell once grokscope has exited.
const MARK: &str = "ui-terminal-end";
/// Generous: the machine may be busy with other tests (each case trains while it runs).
const START_TIMEOUT: Duration = Duration::from_secs(30);
const EXIT_TIMEOUT: Duration = Duration::from_secs(10);

/// grokscope running on a pty made by `script`, its output captured as it arrives.
struct Pty {
    script: Child,
    stdin: Option<ChildStdin>,
    out: Arc<Mutex<Vec<u8>>>,
    reader: Option<JoinHandle<()>>,
    grokscope: Option<u32>,
}

impl Pty {
    /// Start `grokscope ARGS` on a 32x110 pty.
    fn start(args: &[&str]) -> Pty {
        let script = which("script").unwrap_or_else(|| {
            panic!(
                "util-linux `script` is not on PATH: the terminal-restore tests need it \
                 to make a pseudo-terminal (apt-get install bsdutils)"
            )
        });
        let bin = env!("CARGO_BIN_EXE_grokscope");
        assert!(!bin.contains('\''), "binary path with a quote: {bin}");
        let cmd = format!(
            "stty rows 32 cols 110; before=$(stty -g); '{bin}' {args}; code=$?; \
             if [ \"$(stty -g)\" = \"$before\" ]; then tty=same; else tty=changed; fi; \
             printf '\\n{MARK} exit=%s tty=%s\\n' \"$code\" \"$tty\"; \
             [ $tty = same ] || stty -a",
            args = args.join(" ")
        );
        let mut child = Command::new(script)
            .args(["-q", "-f", "-e", "-c", &cmd, "/dev/null"])
            .env("SHELL", "/bin/sh")
            .env("TERM", "xterm-256color")
            .env_remove("NO_COLOR")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("cannot start `script`");
        let stdin = child.stdin.take();
        let mut stdout = child.stdout.take().unwrap();
        let out = Arc::new(Mutex::new(Vec::new()));
        let sink = out.clone();
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                match stdout.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => sink.lock().unwrap().extend_from_slice(&buf[..n]),
                }
            }
        });
        Pty {
            script: child,
            stdin,
            out,
            reader: Some(reader),
            grokscope: None,
        }
    }

    fn output(&self) -> Vec<u8> {
        self.out.lock().unwrap().clone()
    }

    /// Poll until `done` holds of the output so far; panics with the output on timeout.
    fn wait_for(&mut self, what: &str, timeout: Duration, done: impl Fn(&[u8]) -> bool) {
        let start = Instant::now();
        loop {
            if done(&self.out.lock().unwrap()) {
                return;
            }
            if start.elapsed() > timeout {
                self.fail(&format!("no {what} within {timeout:?}"));
            }
            if let Ok(Some(status)) = self.script.try_wait() {
                // Output may still be in the pipe: one last look once the reader is done.
                if let Some(r) = self.reader.take() {
                    let _ = r.join();
                }
                if done(&self.out.lock().unwrap()) {
                    return;
                }
                self.fail(&format!("`script` exited ({status}) before {what}"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Wait for the first frame: the alternate screen entered, then `word` drawn. Both
    /// event loops install their signal handlers before they first draw, so from here on a
    /// signal is theirs to handle.
    fn wait_drawn(&mut self, word: &str) {
        let word = word.as_bytes().to_vec();
        self.wait_for("first frame", START_TIMEOUT, |o| {
            find(o, ENTER_ALT).is_some_and(|i| find(&o[i..], &word).is_some())
        });
        self.grokscope = Some(self.find_grokscope());
    }

    /// The grokscope process among `script`'s descendants.
    fn find_grokscope(&mut self) -> u32 {
        let start = Instant::now();
        loop {
            if let Some(pid) = descendant_named(self.script.id(), "grokscope") {
                return pid;
            }
            if start.elapsed() > START_TIMEOUT {
                self.fail("no grokscope process under `script`");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn signal(&self, name: &str) {
        let pid = self.grokscope.expect("grokscope's pid (wait_drawn first)");
        let ok = Command::new("kill")
            .args([&format!("-{name}"), &pid.to_string()])
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "kill -{name} {pid} failed");
    }

    fn type_keys(&mut self, keys: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(keys).unwrap();
        stdin.flush().unwrap();
    }

    /// Wait for grokscope and the wrapper shell to finish (the marker line, and `script`
    /// gone); the whole output.
    fn finish(mut self, what: &str) -> String {
        let start = Instant::now();
        self.wait_for(&format!("exit after {what}"), EXIT_TIMEOUT, |o| {
            let o = String::from_utf8_lossy(o);
            o.lines().any(|l| l.starts_with(MARK))
        });
        // Close stdin only now: `script` turns an end of input into a ^D for the pty.
        drop(self.stdin.take());
        loop {
            if let Ok(Some(_)) = self.script.try_wait() {
                break;
            }
            if start.elapsed() > EXIT_TIMEOUT {
                self.fail("`script` still running after the marker line");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
        String::from_utf8_lossy(&self.output()).into_owned()
    }

    fn fail(&mut self, why: &str) -> ! {
        self.kill();
        let out = self.output();
        let tail = &out[out.len().saturating_sub(1500)..];
        panic!(
            "{why}\n--- last {} bytes of the pty output (escaped) ---\n{}",
            tail.len(),
            tail.escape_ascii()
        );
    }

    fn kill(&mut self) {
        if let Some(pid) = self.grokscope {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .stderr(Stdio::null())
                .status();
        }
        let _ = self.script.kill();
        let _ = self.script.wait();
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        if let Ok(None) = self.script.try_wait() {
            self.kill();
        }
    }
}

fn which(name: &str) -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// (pid, ppid, comm) of every process, from /proc/*/stat.
fn processes() -> Vec<(u32, u32, String)> {
    let mut out = Vec::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return out;
    };
    for entry in dir.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse().ok()) else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let comm = stat[open + 1..close].to_string();
        let mut rest = stat[close + 1..].split_whitespace();
        let ppid = rest.nth(1).and_then(|p| p.parse().ok());
        if let Some(ppid) = ppid {
            out.push((pid, ppid, comm));
        }
    }
    out
}

/// A descendant of `root` whose command name is `name`.
fn descendant_named(root: u32, name: &str) -> Option<u32> {
    let procs = processes();
    let mut frontier = vec![root];
    while let Some(p) = frontier.pop() {
        for (pid, ppid, comm) in &procs {
            if *ppid == p {
                if comm == name {
                    return Some(*pid);
                }
                frontier.push(*pid);
            }
        }
    }
    None
}

/// Whether `pid` has ended (gone, or a zombie not yet reaped).
fn ended(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rfind(')')
            .and_then(|i| stat[i + 1..].split_whitespace().next())
            .is_none_or(|state| state == "Z" || state == "X"),
    }
}

/// Last position of a cursor-position sequence `ESC [ row ; col H`: frames draw with them.
fn last_cursor_move(out: &[u8]) -> Option<usize> {
    let mut last = None;
    let mut i = 0;
    while let Some(j) = find(&out[i..], b"\x1b[") {
        let at = i + j;
        let body = &out[at + 2..];
        let len = body
            .iter()
            .position(|b| !(b.is_ascii_digit() || *b == b';'))
            .unwrap_or(body.len());
        if len > 0 && body.get(len) == Some(&b'H') {
            last = Some(at);
        }
        i = at + 2;
    }
    last
}

/// The output ends with the restore: after the last frame the alternate screen is left and
/// the cursor shown, nothing is drawn afterwards, the pty's settings are back as they were
/// (raw mode off) and grokscope exited with status 0 (not killed by the signal).
fn assert_restored(out: &str, case: &str) {
    let bytes = out.as_bytes();
    let show = || {
        let tail = &bytes[bytes.len().saturating_sub(1500)..];
        format!(
            "{case}: pty output ends (escaped):\n{}",
            tail.escape_ascii()
        )
    };
    let enter = rfind(bytes, ENTER_ALT).unwrap_or_else(|| panic!("never entered: {}", show()));
    let leave = rfind(bytes, LEAVE_ALT)
        .unwrap_or_else(|| panic!("alternate screen never left: {}", show()));
    assert!(leave > enter, "left before entering: {}", show());
    let drawn = last_cursor_move(bytes).unwrap_or_else(|| panic!("nothing drawn: {}", show()));
    assert!(
        drawn > enter && drawn < leave,
        "drawing after leaving the alternate screen: {}",
        show()
    );
    let shown = rfind(bytes, SHOW_CURSOR).unwrap_or_else(|| panic!("cursor not shown: {}", show()));
    let hidden = rfind(bytes, HIDE_CURSOR).unwrap_or(0);
    assert!(
        shown > leave && shown > hidden,
        "cursor left hidden: {}",
        show()
    );
    // Where the mouse was captured, it is released after the last capture.
    if let Some(on) = rfind(bytes, MOUSE_ON) {
        let off = rfind(bytes, MOUSE_OFF)
            .unwrap_or_else(|| panic!("mouse capture never released: {}", show()));
        assert!(off > on, "mouse left captured: {}", show());
    }
    let line = out
        .lines()
        .find_map(|l| l.strip_prefix(MARK))
        .unwrap_or_else(|| panic!("no marker line: {}", show()));
    assert_eq!(
        line.trim(),
        "exit=0 tty=same",
        "{case}: grokscope's exit status, and the pty's settings after it (same = raw mode \
         off, echo back): {}",
        show()
    );
}

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
    let _ = pty.script.kill();
    let _ = pty.script.wait();
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
