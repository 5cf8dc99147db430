//! `run --resume` is whole or refused: a killed run (a plain one, an extended one, one in
//! CSV) continues into exactly the uninterrupted run's lines and frames; metrics or frames
//! that are missing, torn in the middle, corrupt, not a regular file or of another cadence
//! are refused in one line (status 2) naming the way forward; a run killed before its first
//! checkpoint starts over. Real child processes, killed (SIGKILL) once their metrics reach
//! steps drawn from a fixed-seed stream, so where they die varies with the machine's speed
//! but every outcome must be the same.

mod common;

use common::grokscope;
use std::io::{BufRead, Seek};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_grokscope");
/// Generous: the machine may be busy with other tests.
const TIMEOUT: Duration = Duration::from_secs(60);

/// A small parity run, metrics every 50 steps (about 0.1 ms a step).
const RUN: [&str; 6] = ["--preset", "parity", "--hidden", "16", "--every", "50"];

fn tmpdir(name: &str) -> PathBuf {
    common::tmpdir("resume", name)
}

fn args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    [&["run"][..], &RUN, extra].concat()
}

fn ok(out: Output) -> Output {
    common::assert_ok(&out);
    out
}

/// `grokscope ARGS`, which must end within the timeout (a hang fails the test).
fn within(args: &[&str]) -> Output {
    let what = format!("{args:?}");
    common::output_within(Command::new(BIN).args(args), TIMEOUT, &what)
}

/// Status 2 and one line on stderr that mentions `words`, within the timeout.
fn refused(args: &[&str], words: &[&str]) -> String {
    common::assert_refused(&within(args), args, words)
}

/// The metrics file's lines without the wall-clock fields (JSON lines, or CSV whose
/// seventh cell is the elapsed time).
fn metrics(dir: &Path, file: &str) -> Vec<String> {
    let text = std::fs::read_to_string(dir.join(file)).unwrap();
    text.lines()
        .map(|l| {
            if file.ends_with(".csv") {
                let mut cells: Vec<&str> = l.split(',').collect();
                if cells.len() > 6 && !l.starts_with("step,") {
                    cells[6] = "";
                }
                return cells.join(",");
            }
            common::without_wall_clock(l).to_string()
        })
        .collect()
}

/// The steps of the frames kept in `dir`.
fn frame_steps(dir: &Path) -> Vec<u64> {
    let (_, frames) = grokscope::train::keep::read_frames(&dir.join("frames.bin")).unwrap();
    frames.iter().map(|f| f.metrics.step).collect()
}

/// The step of the last whole line of a metrics file being written (0 before one).
fn last_step(path: &Path) -> u64 {
    let Ok(f) = std::fs::File::open(path) else {
        return 0;
    };
    let mut last = 0;
    for line in std::io::BufReader::new(f)
        .split(b'\n')
        .map_while(Result::ok)
    {
        let text = String::from_utf8_lossy(&line);
        let step = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v["step"].as_u64())
            .or_else(|| text.split(',').next().and_then(|c| c.parse().ok()));
        last = step.unwrap_or(last).max(last);
    }
    last
}

/// Start `grokscope ARGS` writing into `dir` and SIGKILL it once its partial metrics file
/// (`partial`) holds a line of step `step` or later (or it has ended by itself).
fn kill_at(args: &[&str], dir: &Path, partial: &str, step: u64) {
    let mut child = common::start_quiet(args);
    let start = Instant::now();
    while last_step(&dir.join(partial)) < step {
        if child.try_wait().unwrap().is_some() {
            return;
        }
        assert!(
            start.elapsed() < TIMEOUT,
            "{args:?} never reached step {step}"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

/// Steps in `lo..hi` drawn from a fixed-seed stream, rounded to the metrics interval.
fn kill_points(seed: u64, n: usize, lo: u64, hi: u64) -> Vec<u64> {
    let mut u = common::splitmix_uniform(seed);
    (0..n)
        .map(|_| {
            let x = (u() as f64 + 1.0) / 2.0;
            (lo + (x * (hi - lo) as f64) as u64) / 50 * 50
        })
        .collect()
}

/// The worst case: a finished run extended (`--resume D --out D --steps N`) and
/// killed after its checkpoints pass steps drawn at random resumes into exactly the lines
/// and frames of the extension never killed: the finished run's metrics file, still in
/// place while the extension writes its partial one, is not read in its stead.
#[test]
fn an_extended_run_killed_anywhere_resumes_without_a_gap() {
    fn extend(d: &str) -> Vec<&str> {
        vec!["run", "--resume", d, "--out", d, "--steps", "6000"]
    }
    let whole = tmpdir("ext-whole");
    let w = whole.to_str().unwrap();
    ok(grokscope(&args(&["--steps", "2000", "--out", w])));
    ok(grokscope(
        &[extend(w), vec!["--checkpoint-every", "500"]].concat(),
    ));
    let want = metrics(&whole, "metrics.jsonl");
    assert_eq!(want.len(), 122, "lines 0..=6000 and the summary");
    for (i, at) in kill_points(26, 4, 2100, 5900).into_iter().enumerate() {
        let dir = tmpdir(&format!("ext-{i}"));
        let d = dir.to_str().unwrap();
        ok(grokscope(&args(&["--steps", "2000", "--out", d])));
        let killed = [extend(d), vec!["--checkpoint-every", "500"]].concat();
        kill_at(&killed, &dir, ".metrics.jsonl.partial", at);
        ok(grokscope(&extend(d)));
        assert_eq!(metrics(&dir, "metrics.jsonl"), want, "killed at step {at}");
        assert_eq!(
            frame_steps(&dir),
            frame_steps(&whole),
            "killed at step {at}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
    std::fs::remove_dir_all(&whole).unwrap();
}

/// A CSV run killed mid-line leaves a torn first cell (`32` of `3200,...`): resumed, the
/// torn cell is dropped and the file is the uninterrupted run's.
#[test]
fn a_torn_csv_line_is_dropped_on_resume() {
    let csv = [
        "--steps",
        "4000",
        "--format",
        "csv",
        "--checkpoint-every",
        "500",
    ];
    let whole = tmpdir("csv-whole");
    ok(grokscope(&args(
        &[&csv[..], &["--out", whole.to_str().unwrap()]].concat(),
    )));
    let want = metrics(&whole, "metrics.csv");
    for (i, at) in kill_points(7, 2, 1000, 3500).into_iter().enumerate() {
        let dir = tmpdir(&format!("csv-{i}"));
        let d = dir.to_str().unwrap();
        kill_at(
            &args(&[&csv[..], &["--out", d]].concat()),
            &dir,
            ".metrics.csv.partial",
            at,
        );
        let partial = dir.join(".metrics.csv.partial");
        if partial.exists() {
            // Cut after the last whole line and tear the next one after its first two bytes.
            let text = std::fs::read(&partial).unwrap();
            let end = text.iter().rposition(|&b| b == b'\n').unwrap() + 1;
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .open(&partial)
                .unwrap();
            f.set_len(end as u64).unwrap();
            f.seek(std::io::SeekFrom::End(0)).unwrap();
            std::io::Write::write_all(&mut f, b"32").unwrap();
        }
        ok(grokscope(&["run", "--resume", d, "--out", d]));
        assert_eq!(metrics(&dir, "metrics.csv"), want, "killed at step {at}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
    std::fs::remove_dir_all(&whole).unwrap();
}

/// A run resumed again after it finished (nothing left to train) ends with the same
/// summary, its phase worked out from its earlier lines.
#[test]
fn a_finished_run_resumed_keeps_its_phase_and_grok_step() {
    let dir = tmpdir("finished");
    let d = dir.to_str().unwrap();
    ok(grokscope(&args(&["--steps", "3000", "--out", d])));
    let before = metrics(&dir, "metrics.jsonl");
    assert!(before.last().unwrap().contains("\"phase\":\"grokked\""));
    ok(grokscope(&["run", "--resume", d, "--out", d]));
    assert_eq!(metrics(&dir, "metrics.jsonl"), before);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Swap `file` in `dir` for what `make` puts there, check that resuming is refused naming
/// `words` (and does not hang), and put the file back.
fn refused_with(dir: &Path, file: &str, make: impl FnOnce(&Path), words: &[&str]) {
    let d = dir.to_str().unwrap();
    common::swapped(dir, file, make, || {
        refused(
            &["run", "--resume", d, "--out", d, "--steps", "1500"],
            words,
        );
    });
}

#[test]
fn metrics_or_frames_that_are_not_whole_are_refused_on_resume() {
    let dir = tmpdir("refused");
    let d = dir.to_str().unwrap();
    ok(grokscope(&args(&["--steps", "1000", "--out", d])));
    let text = std::fs::read_to_string(dir.join("metrics.jsonl")).unwrap();
    let with = |bytes: Vec<u8>| move |p: &Path| std::fs::write(p, &bytes).unwrap();
    refused_with(
        &dir,
        "metrics.jsonl",
        |_| {},
        &["metrics.jsonl: missing", "--force"],
    );
    let mut bad = text.clone().into_bytes();
    let third = text.lines().take(2).map(|l| l.len() + 1).sum::<usize>();
    bad[third + 5] = 0xff;
    refused_with(
        &dir,
        "metrics.jsonl",
        with(bad),
        &["metrics.jsonl:3: not text"],
    );
    let gap: Vec<&str> = text
        .lines()
        .filter(|l| !l.contains("\"step\":500,"))
        .collect();
    let gap = format!("{}\n", gap.join("\n")).into_bytes();
    refused_with(&dir, "metrics.jsonl", with(gap), &["no line for step 500"]);
    let fifo = common::mkfifo;
    refused_with(&dir, "metrics.jsonl", fifo, &["not a regular file"]);
    let zero = |p: &Path| std::os::unix::fs::symlink("/dev/zero", p).unwrap();
    refused_with(&dir, "metrics.jsonl", zero, &["not a regular file"]);
    refused_with(
        &dir,
        "checkpoint.safetensors",
        fifo,
        &["not a regular file"],
    );
    refused_with(&dir, "run.json", fifo, &["not a regular file"]);
    refused_with(
        &dir,
        "frames.bin",
        |_| {},
        &["frames.bin: missing", "another directory"],
    );
    // Into another directory the run goes on without the lost frames, saying so.
    std::fs::rename(dir.join("frames.bin"), dir.join("frames.aside")).unwrap();
    let other = tmpdir("refused-other");
    let o = other.to_str().unwrap();
    let out = ok(grokscope(&[
        "run", "--resume", d, "--out", o, "--steps", "1500",
    ]));
    assert!(String::from_utf8_lossy(&out.stderr).contains("start after step 1000"));
    assert_eq!(frame_steps(&other)[0], 1050);
    std::fs::rename(dir.join("frames.aside"), dir.join("frames.bin")).unwrap();
    // Another cadence or format would leave holes or mix formats: refused, naming the run's.
    let every = ["run", "--resume", d, "--out", d, "--every", "20"];
    refused(&every, &["--every 20", "every 50 steps"]);
    refused(
        &["run", "--resume", d, "--out", d, "--format", "csv"],
        &["JSON lines"],
    );
    // On stdout alone nothing is continued: either may change there.
    ok(grokscope(&[
        "run", "--resume", d, "--steps", "1100", "--every", "20", "--format", "csv",
    ]));
    // Nothing was harmed: it resumes whole.
    ok(grokscope(&[
        "run", "--resume", d, "--out", d, "--steps", "1500",
    ]));
    assert_eq!(metrics(&dir, "metrics.jsonl").len(), 32);
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::remove_dir_all(&other).unwrap();
}

/// A checkpoint whose step was forged past its run's planned steps (checksum redone) is
/// refused, not resumed as if valid.
#[test]
fn a_checkpoint_forged_past_its_planned_steps_is_refused() {
    let dir = tmpdir("forged");
    let d = dir.to_str().unwrap();
    ok(grokscope(&args(&["--steps", "500", "--out", d])));
    let path = dir.join("checkpoint.safetensors");
    common::forge_checkpoint(&path, |h| {
        h["__metadata__"]["step"] = serde_json::json!(u64::MAX.to_string());
    });
    refused(
        &["run", "--resume", d, "--out", d],
        &["past the run's planned 500 steps"],
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A run killed before its first checkpoint leaves nothing to resume: the same command
/// starts it over (saying so), as does `--resume`; other settings are told to use --force.
#[test]
fn a_run_killed_before_its_first_checkpoint_starts_over() {
    let whole = tmpdir("over-whole");
    ok(grokscope(&args(&[
        "--steps",
        "2000",
        "--out",
        whole.to_str().unwrap(),
    ])));
    let want = metrics(&whole, "metrics.jsonl");
    let dir = tmpdir("over");
    let d = dir.to_str().unwrap();
    // The default checkpoint comes after a minute of training: none before the kill.
    let cmd = args(&["--steps", "2000", "--out", d]);
    let restart = |cmd: &[&str]| {
        kill_at(
            &args(&["--steps", "40000", "--out", d]),
            &dir,
            ".metrics.jsonl.partial",
            500,
        );
        assert!(!dir.join("checkpoint.safetensors").exists());
        let out = ok(within(cmd));
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(err.contains("before its first checkpoint"), "{err}");
        assert_eq!(metrics(&dir, "metrics.jsonl"), want);
    };
    restart(&cmd);
    std::fs::remove_dir_all(&dir).unwrap();
    restart(&["run", "--resume", d, "--out", d, "--steps", "2000"]);
    std::fs::remove_dir_all(&dir).unwrap();
    kill_at(
        &args(&["--steps", "40000", "--out", d]),
        &dir,
        ".metrics.jsonl.partial",
        500,
    );
    let other = args(&["--seed", "5", "--out", d]);
    refused(&other, &["other settings", "--force"]);
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::remove_dir_all(&whole).unwrap();
}
