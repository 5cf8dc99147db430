//! A pseudo-terminal for the terminal-restore tests: the real binary run under util-linux
//! `script`, inside a small shell that sizes the pty, notes its settings (`stty -g`) before
//! the run and compares them after it (raw mode must be off again), then prints a marker
//! line with grokscope's exit status. Signals go to the grokscope process itself, found
//! among `script`'s descendants in /proc.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub const ENTER_ALT: &[u8] = b"\x1b[?1049h";
pub const LEAVE_ALT: &[u8] = b"\x1b[?1049l";
pub const SHOW_CURSOR: &[u8] = b"\x1b[?25h";
pub const HIDE_CURSOR: &[u8] = b"\x1b[?25l";
/// Mouse capture (crossterm's first of five modes) on and off.
pub const MOUSE_ON: &[u8] = b"\x1b[?1000h";
pub const MOUSE_OFF: &[u8] = b"\x1b[?1000l";
/// Printed by the wrapper shell once grokscope has exited.
pub const MARK: &str = "ui-terminal-end";
/// Generous: the machine may be busy with other tests (each case trains while it runs).
pub const START_TIMEOUT: Duration = Duration::from_secs(30);
pub const EXIT_TIMEOUT: Duration = Duration::from_secs(10);

/// grokscope running on a pty made by `script`, its output captured as it arrives.
pub struct Pty {
    script: Child,
    stdin: Option<ChildStdin>,
    out: Arc<Mutex<Vec<u8>>>,
    reader: Option<JoinHandle<()>>,
    pub grokscope: Option<u32>,
}

impl Pty {
    /// Start `grokscope ARGS` on a 32x110 pty.
    pub fn start(args: &[&str]) -> Pty {
        let script = which("script").unwrap_or_else(|| {
            panic!(
                "util-linux `script` is not on PATH: the terminal-restore tests need it \
                 to make a pseudo-terminal (apt-get install bsdutils)"
            )
        });
        let bin = env!("CARGO_BIN_EXE_grokscope");
        assert!(!bin.contains('\''), "binary path with a quote: {bin}");
        let cmd = format!(
            "ulimit -c 0; stty rows 32 cols 110; before=$(stty -g); '{bin}' {args}; code=$?; \
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

    pub fn output(&self) -> Vec<u8> {
        self.out.lock().unwrap().clone()
    }

    /// Poll until `done` holds of the output so far; panics with the output on timeout.
    pub fn wait_for(&mut self, what: &str, timeout: Duration, done: impl Fn(&[u8]) -> bool) {
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
    pub fn wait_drawn(&mut self, word: &str) {
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

    pub fn signal(&self, name: &str) {
        let pid = self.grokscope.expect("grokscope's pid (wait_drawn first)");
        let ok = Command::new("kill")
            .args([&format!("-{name}"), &pid.to_string()])
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "kill -{name} {pid} failed");
    }

    pub fn type_keys(&mut self, keys: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(keys).unwrap();
        stdin.flush().unwrap();
    }

    /// Wait for grokscope and the wrapper shell to finish (the marker line, and `script`
    /// gone); the whole output.
    pub fn finish(mut self, what: &str) -> String {
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

    pub fn fail(&mut self, why: &str) -> ! {
        self.kill();
        let out = self.output();
        let tail = &out[out.len().saturating_sub(1500)..];
        panic!(
            "{why}\n--- last {} bytes of the pty output (escaped) ---\n{}",
            tail.len(),
            tail.escape_ascii()
        );
    }

    /// The master side goes away (`script` killed and reaped): the kernel hangs the
    /// terminal up, as an SSH connection that drops.
    pub fn hang_up(&mut self) {
        let _ = self.script.kill();
        let _ = self.script.wait();
    }

    pub fn kill(&mut self) {
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

pub fn which(name: &str) -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

pub fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// (pid, ppid, comm) of every process, from /proc/*/stat.
pub fn processes() -> Vec<(u32, u32, String)> {
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
pub fn descendant_named(root: u32, name: &str) -> Option<u32> {
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
pub fn ended(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rfind(')')
            .and_then(|i| stat[i + 1..].split_whitespace().next())
            .is_none_or(|state| state == "Z" || state == "X"),
    }
}

/// Last position of a cursor-position sequence `ESC [ row ; col H`: frames draw with them.
pub fn last_cursor_move(out: &[u8]) -> Option<usize> {
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
pub fn assert_restored(out: &str, case: &str) {
    assert_restored_with(out, case, "exit=0");
}

/// [`assert_restored`], grokscope ending with `exit` (`exit=134`: killed by SIGABRT).
pub fn assert_restored_with(out: &str, case: &str, exit: &str) {
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
        format!("{exit} tty=same"),
        "{case}: grokscope's exit status, and the pty's settings after it (same = raw mode \
         off, echo back): {}",
        show()
    );
}
