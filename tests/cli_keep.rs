//! Runs you keep: every file `run --out DIR` keeps names its format version, the grokscope
//! that wrote it and the run's settings; an old directory still resumes, a foreign or newer
//! file is refused with the reason (status 2, one line); shell completions and the man page
//! come from clap's definition of the command line.

mod common;

use common::{assert_usage_error, grokscope, grokscope_ok};
use std::path::PathBuf;

fn tmpdir(name: &str) -> PathBuf {
    common::tmpdir("keep", name)
}

const SMALL: [&str; 8] = [
    "--preset", "parity", "--hidden", "8", "--steps", "40", "--every", "10",
];

fn run_into(dir: &std::path::Path, extra: &[&str]) {
    grokscope_ok(
        &[
            &["run"][..],
            &SMALL,
            &["--out", dir.to_str().unwrap()],
            extra,
        ]
        .concat(),
    );
}

fn json(path: &std::path::Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn run_file_and_summary_name_their_version_and_settings() {
    let dir = tmpdir("versions");
    run_into(&dir, &[]);
    let run = json(&dir.join("run.json"));
    assert_eq!(run["format"], "grokscope-run");
    assert_eq!(run["version"], 1);
    assert_eq!(run["grokscope"], env!("CARGO_PKG_VERSION"));
    assert_eq!(run["config"]["hidden"], 8);
    assert_eq!(run["config"]["steps"], 40);
    // 40 steps: the dashboard's interval is 20, a multiple of --every 10.
    assert_eq!(run["frame_every"], 20);
    let summary = json(&dir.join("summary.json"));
    assert_eq!(summary["grokscope"], env!("CARGO_PKG_VERSION"));
    assert_eq!(summary["run_format"], 1);
    assert_eq!(summary["config"], run["config"]);
    // The frames file starts with its magic bytes and version.
    let frames = std::fs::read(dir.join("frames.bin")).unwrap();
    assert!(frames.starts_with(b"GROKSCOPE-FRAMES\n\x01\0\0\0"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn an_old_run_file_resumes_and_a_newer_or_foreign_one_says_why_not() {
    let dir = tmpdir("old");
    let d = dir.to_str().unwrap();
    run_into(&dir, &[]);
    let run = json(&dir.join("run.json"));
    // The run file of before versions held the settings alone: it still resumes.
    std::fs::write(
        dir.join("run.json"),
        serde_json::json!({ "config": run["config"] }).to_string(),
    )
    .unwrap();
    grokscope_ok(&["run", "--resume", d, "--out", d, "--steps", "60"]);
    assert_eq!(
        json(&dir.join("run.json"))["version"],
        1,
        "rewritten current"
    );

    let mut newer = json(&dir.join("run.json"));
    newer["version"] = 7.into();
    newer["grokscope"] = "9.0.0".into();
    std::fs::write(dir.join("run.json"), newer.to_string()).unwrap();
    assert_usage_error(
        &["run", "--resume", d, "--out", d, "--steps", "80"],
        "run format 7 (written by grokscope 9.0.0) is newer",
    );
    std::fs::write(dir.join("run.json"), "GIF89a").unwrap();
    assert_usage_error(
        &["run", "--resume", d],
        "run.json: not a grokscope run file",
    );
    std::fs::write(
        dir.join("run.json"),
        r#"{"format":"other-tool","version":1}"#,
    )
    .unwrap();
    assert_usage_error(&["run", "--resume", d], "not a grokscope run file");
    let mut unknown = newer.clone();
    unknown["version"] = 1.into();
    unknown["config"]["task"] = "sorting".into();
    std::fs::write(dir.join("run.json"), unknown.to_string()).unwrap();
    assert_usage_error(&["run", "--resume", d], "settings this build cannot read");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn completions_are_generated_for_bash_zsh_and_fish() {
    for (shell, mark) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef grokscope"),
        ("fish", "complete -c grokscope"),
    ] {
        let out = grokscope(&["completions", shell]);
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.lines().count() > 50,
            "{shell}: {} lines",
            text.lines().count()
        );
        assert!(text.contains(mark), "{shell}: {mark}");
        for word in [
            "run",
            "sweep",
            "presets",
            "replay",
            "export",
            "frame-every",
            "checkpoint-every",
        ] {
            assert!(text.contains(word), "{shell} completes {word}");
        }
    }
    assert_usage_error(&["completions", "tcsh"], "invalid value 'tcsh'");
}

#[test]
fn the_man_page_covers_every_subcommand_and_its_options() {
    let out = grokscope(&["man"]);
    assert!(out.status.success());
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.starts_with(".ie") || page.starts_with(".TH"), "roff");
    assert!(page.contains(".TH grokscope 1"));
    for sub in [
        "RUN",
        "SWEEP",
        "CONSTRUCT",
        "BENCH",
        "PRESETS",
        "REPLAY",
        "EXPORT",
        "COMPLETIONS",
    ] {
        assert!(page.contains(&format!(".SH \"GROKSCOPE {sub}\"")), "{sub}");
    }
    for flag in [
        r"\-\-checkpoint\-every",
        r"\-\-frame\-every",
        r"\-\-until",
        r"\-\-format",
    ] {
        assert!(page.contains(flag), "{flag}");
    }
}
