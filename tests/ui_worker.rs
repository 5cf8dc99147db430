//! The trainer thread: it publishes snapshots while running, obeys pause / resume / restart,
//! and ends on Quit or when the app goes away.

use grokscope::app::action::Command;
use grokscope::app::session::{Session, Status};
use grokscope::app::worker::{self, Runner};
use grokscope::train::{Threads, presets};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

fn wait_for(
    rx: &mut tokio::sync::watch::Receiver<Arc<grokscope::app::session::Snapshot>>,
    what: &str,
    ok: impl Fn(&grokscope::app::session::Snapshot) -> bool,
) -> Arc<grokscope::app::session::Snapshot> {
    let start = Instant::now();
    loop {
        let s = rx.borrow_and_update().clone();
        if ok(&s) {
            return s;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn worker_runs_pauses_restarts_and_quits() {
    let cfg = presets::find("five-neurons").unwrap().config;
    let runner = Runner::new(Session::new(cfg, Threads(1)).unwrap(), Threads(1));
    let first = Arc::new(runner.snapshot(Default::default()));
    let (tx, mut rx) = tokio::sync::watch::channel(first);
    let (cmd_tx, cmd_rx) = mpsc::channel();
    let handle = std::thread::spawn(move || worker::run(runner, cmd_rx, tx));

    let s = wait_for(&mut rx, "training progress", |s| s.step >= 500);
    assert_eq!(s.status, Status::Running);
    assert!(s.history.len() >= 2 && !s.frames.is_empty());

    cmd_tx.send(Command::Pause).unwrap();
    let s = wait_for(&mut rx, "pause", |s| s.status == Status::Paused);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(rx.borrow().step, s.step, "no steps while paused");

    cmd_tx.send(Command::Resume).unwrap();
    wait_for(&mut rx, "resume", |x| x.step > s.step);

    let mut parity = presets::find("parity").unwrap().config;
    parity.steps = 50;
    cmd_tx.send(Command::Restart(Box::new(parity))).unwrap();
    let s = wait_for(&mut rx, "the new run to finish", |s| {
        s.run == 1 && s.status == Status::Finished
    });
    assert_eq!(s.config.preset, "parity");
    assert_eq!(s.step, 50);

    cmd_tx.send(Command::Quit).unwrap();
    handle.join().unwrap();
}

#[test]
fn worker_ends_when_the_app_goes_away() {
    let cfg = presets::find("five-neurons").unwrap().config;
    let runner = Runner::new(Session::new(cfg, Threads(1)).unwrap(), Threads(1));
    let first = Arc::new(runner.snapshot(Default::default()));
    let (tx, rx) = tokio::sync::watch::channel(first);
    let (cmd_tx, cmd_rx) = mpsc::channel::<Command>();
    let handle = std::thread::spawn(move || worker::run(runner, cmd_rx, tx));
    std::thread::sleep(Duration::from_millis(100));
    drop(rx);
    drop(cmd_tx);
    handle.join().unwrap();
}

/// Recording (evaluation, read-outs) must not change the run: the dashboard trains exactly
/// what `grokscope run` trains.
#[test]
fn recording_does_not_change_training() {
    use grokscope::train::Trainer;
    for name in ["mod-add", "parity", "five-neurons"] {
        let cfg = presets::find(name).unwrap().config;
        let mut raw = Trainer::new(cfg.clone(), Threads(1)).unwrap();
        let mut session = Session::new(cfg, Threads(1)).unwrap();
        for _ in 0..250 {
            raw.step().unwrap();
        }
        session.advance(250).unwrap();
        for (a, b) in raw.params().iter().zip(session.trainer().params()) {
            assert_eq!(a.w, b.w, "{name}: {} differs", a.name);
        }
    }
}

/// `PauseAt`: the runner stops at exactly that step (at once when it is there already),
/// saying what it was told; a restart forgets it.
#[test]
fn runner_pauses_at_the_step_it_was_given() {
    let cfg = presets::find("five-neurons").unwrap().config;
    let mut r = Runner::new(Session::new(cfg.clone(), Threads(1)).unwrap(), Threads(1));
    r.handle(Command::PauseAt {
        step: 130,
        say: "there".into(),
    });
    r.train(100);
    assert_eq!((r.session.step_count(), &r.status), (100, &Status::Running));
    r.train(100);
    assert_eq!((r.session.step_count(), &r.status), (130, &Status::Paused));
    assert_eq!(r.message.as_deref(), Some("there"));
    r.handle(Command::Resume);
    r.train(10);
    assert_eq!(r.session.step_count(), 140, "once is enough");
    r.handle(Command::PauseAt {
        step: 5,
        say: "behind".into(),
    });
    assert_eq!(r.status, Status::Paused, "at once when already past it");
    r.handle(Command::PauseAt {
        step: 200,
        say: "never".into(),
    });
    r.handle(Command::Restart(Box::new(cfg)));
    r.train(300);
    assert_eq!((r.session.step_count(), &r.status), (300, &Status::Running));
}

/// The worker thread on `cfg`, with `queued` waiting for it before it starts.
fn start(
    cfg: grokscope::train::Config,
    queued: Vec<Command>,
) -> (
    tokio::sync::watch::Receiver<Arc<grokscope::app::session::Snapshot>>,
    mpsc::Sender<Command>,
    std::thread::JoinHandle<()>,
) {
    let runner = Runner::new(Session::new(cfg, Threads(1)).unwrap(), Threads(1));
    let first = Arc::new(runner.snapshot(Default::default()));
    let (tx, rx) = tokio::sync::watch::channel(first);
    let (cmd_tx, cmd_rx) = mpsc::channel();
    for c in queued {
        cmd_tx.send(c).unwrap();
    }
    let handle = std::thread::spawn(move || worker::run(runner, cmd_rx, tx));
    (rx, cmd_tx, handle)
}

/// The next publication, caught within a millisecond of its sending.
fn next_publication(
    rx: &mut tokio::sync::watch::Receiver<Arc<grokscope::app::session::Snapshot>>,
) -> Arc<grokscope::app::session::Snapshot> {
    rx.borrow_and_update();
    let start = Instant::now();
    while !rx.has_changed().unwrap() {
        assert!(start.elapsed() < Duration::from_secs(20), "no publication");
        std::thread::sleep(Duration::from_millis(1));
    }
    rx.borrow_and_update().clone()
}

/// A pause reaches the trainer between two steps, not at its next publication: here a step
/// takes ~12 ms, so a publication is ~10 steps away and the pause lands 1 step after the
/// command (4 allowed for a busy machine). The run's clock leaves the pause out.
#[test]
fn a_pause_lands_within_a_step_and_the_clock_leaves_it_out() {
    let mut cfg = presets::find("mod-add").unwrap().config;
    cfg.hidden = 1000;
    let (mut rx, cmd_tx, handle) = start(cfg, vec![]);
    wait_for(&mut rx, "training progress", |s| s.step >= 2);
    // The thread looks at its commands before every step, so a pause lands within a step or
    // two of the command (a loop that looks only when it publishes trains on for ~10 steps
    // of this model). The test thread may be slow to send on a loaded machine: of three
    // pauses, one landing that close is enough.
    let mut lands = Vec::new();
    let paused = loop {
        let seen = next_publication(&mut rx);
        cmd_tx.send(Command::Pause).unwrap();
        let paused = wait_for(&mut rx, "pause", |s| s.status == Status::Paused);
        lands.push(paused.step - seen.step);
        if paused.step <= seen.step + 4 || lands.len() == 3 {
            break paused;
        }
        cmd_tx.send(Command::Resume).unwrap();
        wait_for(&mut rx, "training again", |s| s.status == Status::Running);
    };
    assert!(
        lands.iter().any(|&n| n <= 4),
        "pauses landed {lands:?} steps after the publication before the command"
    );
    assert!(paused.clock.elapsed > Duration::ZERO);
    assert_eq!(paused.clock.steps_per_s, 0.0, "no speed while paused");
    std::thread::sleep(Duration::from_millis(400));
    let resumed = Instant::now();
    cmd_tx.send(Command::Resume).unwrap();
    let s = wait_for(&mut rx, "steps after the resume", |s| s.step > paused.step);
    assert!(
        s.clock.elapsed - paused.clock.elapsed <= resumed.elapsed(),
        "the clock went on during the pause: {:?} then {:?}",
        paused.clock.elapsed,
        s.clock.elapsed
    );
    cmd_tx.send(Command::Quit).unwrap();
    handle.join().unwrap();
}

/// A restart while training starts the new run on a clock of its own.
#[test]
fn a_restart_mid_run_starts_a_new_run_on_a_new_clock() {
    let cfg = presets::find("five-neurons").unwrap().config;
    let (mut rx, cmd_tx, handle) = start(cfg.clone(), vec![]);
    let old = wait_for(&mut rx, "training progress", |s| s.step >= 500);
    let mut other = cfg;
    other.seed = 3;
    std::thread::sleep(Duration::from_millis(200));
    let restarted = Instant::now();
    cmd_tx.send(Command::Restart(Box::new(other))).unwrap();
    let s = wait_for(&mut rx, "the new run", |s| s.run == 1);
    assert_eq!((s.config.seed, &s.status), (3, &Status::Running));
    assert_eq!(
        s.history[0].step, 0,
        "the new run's record starts at step 0"
    );
    assert!(s.clock.elapsed <= restarted.elapsed());
    assert!(old.clock.elapsed > Duration::ZERO);
    cmd_tx.send(Command::Quit).unwrap();
    handle.join().unwrap();
}

/// `PauseAt` in the thread: the run stops at exactly that step, given before the thread
/// starts or while it trains, and says what it was told.
#[test]
fn pause_at_lands_exactly_on_its_step_in_the_thread() {
    let cfg = presets::find("five-neurons").unwrap().config;
    let at = |step, say: &str| Command::PauseAt {
        step,
        say: say.into(),
    };
    let (mut rx, cmd_tx, handle) = start(cfg, vec![at(777, "first")]);
    let s = wait_for(&mut rx, "the first stop", |s| s.status == Status::Paused);
    assert_eq!((s.step, s.message.as_deref()), (777, Some("first")));
    cmd_tx.send(Command::Resume).unwrap();
    let s = wait_for(&mut rx, "progress", |s| s.step > 777);
    // Half a second of training ahead: the command is there long before.
    let target = s.step + 4001;
    cmd_tx.send(at(target, "second")).unwrap();
    let s = wait_for(&mut rx, "the second stop", |s| s.status == Status::Paused);
    assert_eq!((s.step, s.message.as_deref()), (target, Some("second")));
    cmd_tx.send(Command::Quit).unwrap();
    handle.join().unwrap();
}

/// The runner trains in slices that end between any two steps, and its clock counts only
/// their training: not the time between them, not a pause.
#[test]
fn the_runner_trains_in_slices_on_the_runs_clock() {
    let cfg = presets::find("five-neurons").unwrap().config;
    let mut r = Runner::new(Session::new(cfg, Threads(1)).unwrap(), Threads(1));
    r.train_until(|run| run.step_count() >= 37);
    assert_eq!((r.session.step_count(), &r.status), (37, &Status::Running));
    let trained = r.session.elapsed();
    r.handle(Command::Pause);
    r.handle(Command::Pause);
    assert_eq!(r.status, Status::Paused, "a second pause is no resume");
    r.train(100);
    std::thread::sleep(Duration::from_millis(20));
    assert_eq!(r.session.step_count(), 37, "no steps while paused");
    assert_eq!(r.session.elapsed(), trained);
    r.handle(Command::Resume);
    r.train(3);
    assert_eq!((r.session.step_count(), &r.status), (40, &Status::Running));
    assert!(r.session.elapsed() > trained);
}
