//! A replay follows a kept run through a resume: when `run --resume` cuts the frames file
//! back to its checkpoint (a kill left frames after it) and writes on, or extends a
//! finished run, the replay reads the file again and follows it to the end, never a
//! repeated or missing step.

mod common;

use common::{grokscope, tmpdir};
use grokscope::app::replay::Replay;
use grokscope::app::session::{Clock, Status};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_grokscope")
}

/// Poll `replay` until its run has finished (or a minute has passed); its steps.
fn follow(replay: &mut Replay) -> Vec<u64> {
    let start = Instant::now();
    loop {
        replay.poll().expect("the replay follows the resumed run");
        let s = replay.snapshot(Some(Clock::default()));
        if s.status == Status::Finished || start.elapsed() > Duration::from_secs(60) {
            return s.history.iter().map(|m| m.step).collect();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn rising_to(steps: &[u64], end: u64) {
    assert!(steps.windows(2).all(|w| w[0] < w[1]), "{steps:?}");
    assert_eq!(steps.first(), Some(&0));
    assert_eq!(steps.last(), Some(&end), "{steps:?}");
}

#[test]
fn a_replay_follows_a_killed_run_through_its_resume() {
    let dir = tmpdir("follow", "killed");
    let d = dir.to_str().unwrap();
    let run = [
        "run",
        "--preset",
        "five-neurons",
        "--every",
        "100",
        "--frame-every",
        "100",
    ];
    let mut first = Command::new(bin())
        .args(run)
        .args([
            "--steps",
            "400000",
            "--checkpoint-every",
            "1000",
            "--out",
            d,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Killed once it has frames past its second checkpoint.
    let start = Instant::now();
    while !dir.join("checkpoint.safetensors").exists()
        || std::fs::metadata(dir.join("frames.bin")).map_or(0, |m| m.len()) < 200_000
    {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the run did not get going"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    first.kill().unwrap();
    first.wait().unwrap();
    let mut replay = Replay::open(&dir).unwrap();
    let before = replay.snapshot(Some(Clock::default())).history.len();
    assert!(before > 10);
    let resumed = grokscope(&["run", "--resume", d, "--out", d, "--steps", "20000"]);
    assert!(
        resumed.status.success(),
        "{}",
        String::from_utf8_lossy(&resumed.stderr)
    );
    rising_to(&follow(&mut replay), 20000);
    // A finished run extended: followed again from where it ended.
    let more = Command::new(bin())
        .args(["run", "--resume", d, "--out", d, "--steps", "26000"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = more.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    rising_to(&follow(&mut replay), 26000);
    std::fs::remove_dir_all(&dir).unwrap();
}
