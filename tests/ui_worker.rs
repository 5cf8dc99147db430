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
