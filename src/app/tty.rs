//! The terminal's state while full screen, and its last line of defence.
//!
//! Signals the event loop can wait for (SIGTERM, SIGQUIT, SIGUSR1, ...) end it cleanly and
//! the terminal is restored on the way out; SIGTSTP restores it, stops, and takes it back
//! on SIGCONT. The signals that end the process without unwinding (SIGABRT: an abort, a
//! panic while panicking, a stack overflow's report; the faults SIGSEGV, SIGBUS, SIGFPE,
//! SIGILL) get a handler of their own that puts the terminal back (mouse released, main
//! screen, cursor shown, cooked mode), using only async-signal-safe calls, before the
//! signal takes its course: the handler installed before (Rust's stack-overflow report),
//! then the default action.

use std::io::Write;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

/// The signals handled here, in the order of [`PREVIOUS`].
const FATAL: [libc::c_int; 5] = [
    libc::SIGABRT,
    libc::SIGSEGV,
    libc::SIGBUS,
    libc::SIGFPE,
    libc::SIGILL,
];

/// What undoes full screen: mouse capture off (crossterm's five modes), the main screen,
/// the cursor shown.
const RESTORE: &[u8] =
    b"\x1b[?1006l\x1b[?1015l\x1b[?1003l\x1b[?1002l\x1b[?1000l\x1b[?1049l\x1b[?25h";

/// stdout's terminal settings before raw mode.
static SAVED: OnceLock<libc::termios> = OnceLock::new();
/// The actions installed before ours, one per [`FATAL`] signal.
static PREVIOUS: OnceLock<Vec<libc::sigaction>> = OnceLock::new();
/// Whether the terminal is full screen (raw mode, alternate screen): what the handler undoes.
static ACTIVE: AtomicBool = AtomicBool::new(false);

type Action = extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void);
type Handler = extern "C" fn(libc::c_int);

extern "C" fn on_fatal(sig: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        // SAFETY: write(2) and tcsetattr(3) are async-signal-safe; RESTORE is a static byte
        // string and SAVED a termios value set before the handler was installed.
        unsafe {
            libc::write(1, RESTORE.as_ptr().cast(), RESTORE.len());
            if let Some(t) = SAVED.get() {
                libc::tcsetattr(1, libc::TCSANOW, t);
            }
        }
    }
    let previous = FATAL
        .iter()
        .position(|&s| s == sig)
        .and_then(|i| PREVIOUS.get()?.get(i))
        .map(|p| (p.sa_sigaction, p.sa_flags));
    if let Some((libc::SIG_IGN, _)) = previous {
        return;
    }
    if let Some((f, flags)) = previous.filter(|&(f, _)| f != libc::SIG_DFL) {
        // SAFETY: a handler other than SIG_DFL and SIG_IGN is a function of the kind its
        // flags name (SA_SIGINFO: three arguments), as sigaction(2) installed it; it is
        // called with the arguments the kernel gave this one.
        unsafe {
            if flags & libc::SA_SIGINFO != 0 {
                std::mem::transmute::<usize, Action>(f)(sig, info, ctx);
            } else {
                std::mem::transmute::<usize, Handler>(f)(sig);
            }
        }
    }
    // The handler before ours returned (or there was none), and a signal sent with kill(2)
    // would not come again: the default action, now. (A fault's would, on return.)
    // SAFETY: signal(2) and raise(3) are async-signal-safe. The signal is blocked while this
    // handler runs, so it is delivered, with its default action (end the process, with a
    // core where that is the default), once the handler returns.
    unsafe {
        libc::signal(sig, libc::SIG_DFL);
        libc::raise(sig);
    }
}

/// Save the terminal's settings and install the handler (once per process); call before
/// the terminal goes full screen.
pub fn arm() {
    // SAFETY: tcgetattr writes a termios into the zeroed value it is given; fd 1 is stdout.
    let mut t: libc::termios = unsafe { std::mem::zeroed() };
    // SAFETY: as above.
    if unsafe { libc::tcgetattr(1, &mut t) } == 0 {
        let _ = SAVED.set(t);
    }
    PREVIOUS.get_or_init(|| {
        FATAL
            .iter()
            .map(|&sig| {
                // SAFETY: sigaction(2) reads the action built here and writes the previous
                // one into `old`; both are plain C structs, zeroed first. on_fatal runs on
                // the alternate signal stack (SA_ONSTACK), where Rust's threads have one, so
                // a stack overflow can still be reported.
                unsafe {
                    let mut new: libc::sigaction = std::mem::zeroed();
                    new.sa_sigaction = on_fatal as Action as usize;
                    new.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
                    libc::sigemptyset(&mut new.sa_mask);
                    let mut old: libc::sigaction = std::mem::zeroed();
                    libc::sigaction(sig, &new, &mut old);
                    old
                }
            })
            .collect()
    });
}

/// The terminal is full screen (`true`) or back to normal (`false`).
pub fn set_active(on: bool) {
    ACTIVE.store(on, Ordering::SeqCst);
}

/// Leave full screen: the mouse released (where captured), the main screen, cooked mode, the
/// cursor shown.
pub fn leave(mouse: bool) {
    set_active(false);
    if mouse {
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableMouseCapture);
    }
    ratatui::restore();
    let _ = crossterm::execute!(std::io::stdout(), crossterm::cursor::Show);
    let _ = std::io::stdout().flush();
}

/// Go full screen again after [`leave`]: raw mode, the alternate screen, the mouse captured.
pub fn reenter(mouse: bool) -> std::io::Result<()> {
    crossterm::terminal::enable_raw_mode()?;
    crossterm::execute!(std::io::stdout(), crossterm::terminal::EnterAlternateScreen)?;
    if mouse {
        crossterm::execute!(std::io::stdout(), crossterm::event::EnableMouseCapture)?;
    }
    set_active(true);
    Ok(())
}

/// Stop this process as SIGTSTP would have (the caller has left full screen), returning once
/// it is continued (SIGCONT).
pub fn stop() {
    // SAFETY: raise(3) with a valid signal number; SIGSTOP stops every thread of the process.
    unsafe {
        libc::raise(libc::SIGSTOP);
    }
}
