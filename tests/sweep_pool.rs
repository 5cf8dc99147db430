//! The shared sweep runner: every run recorded exactly once when left alone, at most once
//! when cancelled (and cancelled promptly, mid-run), nothing started while paused.

use grokscope::sweep::{Control, Event, Grid, Pool};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Parity runs small enough for a test: `steps` of each run given by the first axis.
fn grid(steps: &[u64], seeds: usize) -> Grid {
    Grid::parse(&format!(
        r#"{{"name": "pool", "preset": "parity-l2", "every": 50,
            "base": {{"hidden": 8, "n_train": 100, "n_test": 200, "weight_decay": 0.0}},
            "axes": [["steps", {steps:?}], ["seed", {:?}]]}}"#,
        (0..seeds).collect::<Vec<_>>()
    ))
    .unwrap()
}

/// Reports until `until` holds for those so far (or the channel ends); panics after 60 s.
fn collect(pool: &Pool, until: impl Fn(&[Event]) -> bool) -> Vec<Event> {
    let t0 = Instant::now();
    let mut seen = Vec::new();
    while !until(&seen) {
        assert!(t0.elapsed() < Duration::from_secs(60), "no progress");
        match pool.events().recv_timeout(Duration::from_millis(100)) {
            Ok(e) => seen.push(e),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    seen
}

/// (starts, finishes) per run.
fn tally(events: &[Event]) -> HashMap<usize, (usize, usize)> {
    let mut t: HashMap<usize, (usize, usize)> = HashMap::new();
    for e in events {
        match e {
            Event::Started { run } => t.entry(*run).or_default().0 += 1,
            Event::Finished(r) => t.entry(r.run).or_default().1 += 1,
            Event::Failed { run, error } => panic!("run {run} failed: {error}"),
        }
    }
    t
}

#[test]
fn every_run_is_recorded_exactly_once() {
    let g = grid(&[150], 6);
    let runs = g.expand().unwrap();
    let pool = Pool::start(&g.name, runs.clone(), g.every, 3).unwrap();
    let events = collect(&pool, |_| false);
    let t = tally(&events);
    assert_eq!(t.len(), runs.len());
    assert!(t.values().all(|&c| c == (1, 1)), "{t:?}");
    for e in &events {
        if let Event::Finished(r) = e {
            assert_eq!(r.steps, 150);
            assert_eq!(r.point["seed"], runs[r.run].point["seed"]);
        }
    }
}

#[test]
fn cancelling_stops_runs_mid_way_and_records_each_at_most_once() {
    // Runs 0-2 are short; runs 3-5 would train for hours.
    let g = grid(&[150, 50_000_000], 3);
    let runs = g.expand().unwrap();
    let pool = Pool::start(&g.name, runs, g.every, 2).unwrap();
    // Wait for the three short runs and for both workers to be inside long runs.
    let mut events = collect(&pool, |seen| {
        let t = tally(seen);
        (0..3).all(|r| t.get(&r).is_some_and(|c| c.1 == 1))
            && (3..6).filter(|r| t.contains_key(r)).count() == 2
    });
    std::thread::sleep(Duration::from_millis(100));
    // Stop on another thread, so a pool that ignored cancellation fails the test instead of
    // hanging it.
    let t0 = Instant::now();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(pool.stop()));
    let rest = rx
        .recv_timeout(Duration::from_secs(5))
        .expect("the workers stop within a training step of the cancel");
    let stop = t0.elapsed();
    assert!(stop < Duration::from_secs(2), "cancel took {stop:?}");
    events.extend(rest);
    let t = tally(&events);
    for (run, (starts, finishes)) in &t {
        assert_eq!(*starts, 1, "run {run} started {starts} times");
        assert!(*finishes <= 1);
        assert_eq!(*finishes == 1, *run < 3, "run {run}");
    }
    assert!(!t.contains_key(&5), "no run starts once cancelled");
}

#[test]
fn nothing_starts_while_paused() {
    let g = grid(&[150], 2);
    let control = Arc::new(Control::new());
    control.set_paused(true);
    let pool = Pool::start_with(&g.name, g.expand().unwrap(), g.every, 2, control.clone()).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        pool.events().try_recv().is_err(),
        "a paused pool starts nothing"
    );
    control.set_paused(false);
    let t = tally(&collect(&pool, |_| false));
    assert_eq!(t.len(), 2);
    assert!(t.values().all(|&c| c == (1, 1)));
    // Cancelling is final: resuming does not undo it.
    control.cancel();
    control.set_paused(false);
    assert!(control.cancelled());
}
