//! Where `sweep --watch` puts the runs' JSON lines, on a real pseudo-terminal
//! (`common/pty.rs`): never onto the terminal its view drew on (after q come the tables,
//! not a curve per run); into `--out` when given; and, when stdout is a file, the view does
//! not open and every line is in the file, as a plain sweep's are.

#[path = "common/pty.rs"]
mod pty;

use pty::{ENTER_ALT, LEAVE_ALT, Pty, START_TIMEOUT, assert_restored, find, rfind};
use std::path::{Path, PathBuf};

/// Two parity runs of 200 steps: finished well under a second.
const GRID: &str = r#"{"name": "tiny", "preset": "parity-l2", "every": 50,
  "base": {"steps": 200}, "axes": [["seed", [0, 1]]]}"#;

/// A fresh directory with the grid file in it.
fn setup(name: &str) -> (PathBuf, PathBuf) {
    let dir = std::env::temp_dir().join(format!("grokscope-watch-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let grid = dir.join("tiny.json");
    std::fs::write(&grid, GRID).unwrap();
    (dir, grid)
}

fn arg(p: &Path) -> String {
    let s = p.to_str().unwrap().to_string();
    assert!(!s.contains(['\'', ' ']), "a plain path: {s}");
    s
}

/// The runs' records in `text`: lines that parse as JSON objects with a curve.
fn records(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l.trim()).ok())
        .filter(|v| v.get("curve").is_some_and(|c| !c.is_null()))
        .collect()
}

/// `sweep --watch` on the pty with `extra` arguments: wait until both runs are in, press q,
/// and return what the terminal showed after the view closed.
fn watch_then_q(grid: &Path, extra: &[&str]) -> String {
    let grid = arg(grid);
    let mut args = vec!["sweep", "--grid-file", &grid, "--watch", "--jobs", "1"];
    args.extend_from_slice(extra);
    let mut pty = Pty::start(&args);
    pty.wait_drawn("sweep tiny");
    pty.wait_for("both runs finished", START_TIMEOUT, |o| {
        find(o, b"finished: q closes the view").is_some()
    });
    pty.type_keys(b"q");
    let out = pty.finish("q");
    assert_restored(&out, "sweep --watch, q");
    let leave = rfind(out.as_bytes(), LEAVE_ALT).expect("the view closed");
    out[leave..].to_string()
}

#[test]
fn on_the_terminal_it_drew_on_q_prints_the_tables_and_no_curves() {
    let (dir, grid) = setup("tty");
    let after = watch_then_q(&grid, &[]);
    assert!(
        records(&after).is_empty() && !after.contains("\"curve\""),
        "JSON records on the terminal after q:\n{after}"
    );
    assert!(after.contains("train-loss-rise"), "the tables:\n{after}");
    assert!(
        after.contains("2 runs' records were not kept: --out FILE keeps them"),
        "what became of the records:\n{after}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn with_out_the_lines_go_to_the_file_and_not_to_the_terminal() {
    let (dir, grid) = setup("out");
    let file = dir.join("runs.jsonl");
    let after = watch_then_q(&grid, &["--out", &arg(&file)]);
    assert!(
        !after.contains("\"curve\""),
        "JSON on the terminal:\n{after}"
    );
    let kept = records(&std::fs::read_to_string(&file).unwrap());
    assert_eq!(kept.len(), 2, "both runs in {}", file.display());
    let _ = std::fs::remove_dir_all(dir);
}

/// stdout redirected by the shell (stdin and stderr still the pty): no view, and the lines
/// on stdout as a plain sweep prints them, the tables on the terminal.
#[test]
fn with_stdout_in_a_file_the_lines_are_there() {
    let (dir, grid) = setup("file");
    let file = dir.join("stdout.jsonl");
    let (g, f) = (arg(&grid), arg(&file));
    let pty = Pty::start(&[
        "sweep",
        "--grid-file",
        &g,
        "--watch",
        "--jobs",
        "1",
        ">",
        &f,
    ]);
    let out = pty.finish("the sweep");
    assert!(
        out.contains("ui-terminal-end exit=0 tty=same"),
        "status and terminal:\n{out}"
    );
    assert!(
        find(out.as_bytes(), ENTER_ALT).is_none(),
        "no view without a terminal on stdout:\n{out}"
    );
    assert!(!out.contains("\"curve\""), "JSON on the terminal:\n{out}");
    assert!(out.contains("train-loss-rise"), "the tables:\n{out}");
    let lines = records(&std::fs::read_to_string(&file).unwrap());
    assert_eq!(lines.len(), 2, "both runs on stdout");
    for (i, r) in lines.iter().enumerate() {
        assert_eq!(r["grid"], "tiny");
        assert_eq!(r["run"], i);
    }
    let _ = std::fs::remove_dir_all(dir);
}
