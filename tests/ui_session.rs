//! The dashboard's session reads its frames through the probes: at a step where it
//! refreshes the progress measures, its read-out is exactly what `grokscope run` reports.

use grokscope::app::session::{Session, Status, eval_interval};
use grokscope::probe::Prober;
use grokscope::probe::progress::EVERY_FRAMES as PROGRESS_EVERY;
use grokscope::train::{Op, Threads, presets};

fn session_matches_run(name: &str, edit: impl FnOnce(&mut grokscope::train::Config)) {
    let mut cfg = presets::find(name).unwrap().config;
    edit(&mut cfg);
    let every = eval_interval(&cfg);
    let mut s = Session::new(cfg, Threads(1)).unwrap();
    // Progress measures are refreshed every PROGRESS_EVERY records, so compare at one.
    s.advance(PROGRESS_EVERY * every).unwrap();
    let snap = s.snapshot(Status::Running, Default::default(), None);
    let frame = snap.latest().unwrap();
    assert_eq!(frame.step(), PROGRESS_EVERY * every);
    let t = s.trainer();
    let run = Prober::new(t.config(), t.data())
        .read_all(&t.weights())
        .readout();
    assert_eq!(frame.readings.readout(), run, "{name}");
}

#[test]
fn modular_addition_reads_as_run() {
    session_matches_run("mod-add", |_| {});
}

#[test]
fn parity_reads_as_run() {
    session_matches_run("parity", |_| {});
}

#[test]
fn other_operations_give_the_spectrum_only() {
    session_matches_run("mod-add", |c| {
        c.op = Op::Mul;
        c.steps = 2000;
    });
    let mut cfg = presets::find("mod-add").unwrap().config;
    cfg.op = Op::Mul;
    let s = Session::new(cfg, Threads(1)).unwrap();
    let snap = s.snapshot(Status::Running, Default::default(), None);
    let r = snap.latest().unwrap().readings.readout();
    assert!(r.gini.is_some() && r.key_freqs.is_some());
    assert_eq!((r.restricted_loss, r.excluded_loss), (None, None));
}

/// Training in slices (as the dashboard's thread does, ending one whenever a command waits)
/// records exactly what training in one go records: the same evaluations, frames and weights.
#[test]
fn slices_record_what_one_go_records() {
    use grokscope::train::{Control, Stop};
    let cfg = presets::find("mod-add").unwrap().config;
    let mut whole = Session::new(cfg.clone(), Threads(1)).unwrap();
    whole.advance(640).unwrap();
    let mut sliced = Session::new(cfg, Threads(1)).unwrap();
    let mut ends = Vec::new();
    while sliced.step_count() < 640 {
        let until = (sliced.step_count() + 7).min(640);
        let stop = sliced.drive(&Control::new(), |run| run.step_count() >= until);
        assert_eq!(stop, Stop::Observer);
        ends.push(sliced.step_count());
    }
    let told: Vec<u64> = (7..640).step_by(7).chain([640]).collect();
    assert_eq!(ends, told, "every slice ends where it was told");
    let (a, b) = (
        whole.snapshot(Status::Running, Default::default(), None),
        sliced.snapshot(Status::Running, Default::default(), None),
    );
    assert_eq!(a.history, b.history);
    let steps = |s: &grokscope::app::session::Snapshot| -> Vec<u64> {
        s.frames.iter().map(|f| f.step()).collect()
    };
    assert_eq!(steps(&a), steps(&b));
    assert_eq!(a.latest().unwrap().weights, b.latest().unwrap().weights);
}
